//! The one place where errors become HTTP responses.
//!
//! Every refusal is a [`GatewayError`], built from the catalogue
//! ([`super::errors::Refusal`]), carrying its origin (client, policy, upstream,
//! internal), a status, a machine code and a message in Japanese and English that
//! names categories and locations but never values. [`GatewayError::into_response`]
//! renders it in the calling API's own error shape so SDKs surface it unchanged:
//! OpenAI / Azure `{"error":{"message","type","code"}}`, Anthropic
//! `{"type":"error","error":{"type","message"}}`, Gemini `{"error":{"code","message","status"}}`.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};

use super::hooks::Outcome;
use super::route::Api;

/// Where an error came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The client sent something we refuse (4xx).
    Client,
    /// The policy refused the content (403).
    Policy,
    /// The upstream failed (502/504).
    Upstream,
    /// We failed (503): nothing was forwarded.
    Internal,
}

/// A refusal or failure, built from the catalogue ([`super::errors::Refusal`]).
#[derive(Clone, Debug)]
pub struct GatewayError {
    /// Origin.
    pub origin: Origin,
    /// The outcome it gives a request that was not forwarded.
    pub outcome: Outcome,
    /// HTTP status.
    pub status: StatusCode,
    /// Machine code (`blocked_personal_data`, `body_too_large`, …).
    pub code: &'static str,
    /// Message, Japanese.
    pub message_ja: String,
    /// Message, English.
    pub message_en: String,
    /// Extra structured details (categories, locations, token) — never values.
    pub details: Option<Value>,
    /// Close the connection after responding.
    pub close: bool,
    /// Seconds for a `Retry-After` header (an overload 503).
    pub retry_after: Option<u32>,
}

impl GatewayError {
    /// The combined bilingual message.
    pub fn message(&self) -> String {
        format!("{} / {}", self.message_ja, self.message_en)
    }

    /// Renders in the API's error shape (OpenAI shape when the API is unknown).
    pub fn into_response(self, api: Option<Api>, request_id: &str) -> Response<Full<Bytes>> {
        let message = self.message();
        let mut body = match api {
            Some(Api::Anthropic) => json!({
                "type": "error",
                "error": {"type": anthropic_type(self.status), "message": message, "code": self.code},
            }),
            Some(Api::Gemini) => json!({
                "error": {"code": self.status.as_u16(), "message": message, "status": google_status(self.status), "reason": self.code},
            }),
            // Bedrock (REST-JSON): botocore reads the code from `x-amzn-ErrorType` or
            // `__type`, the message from `message`.
            Some(Api::Bedrock) => json!({
                "message": message, "__type": aws_error_type(self.status), "code": self.code,
            }),
            _ => json!({
                "error": {"message": message, "type": openai_type(self.origin, self.status), "code": self.code, "param": null},
            }),
        };
        let mut detail = json!({
            "code": self.code,
            "message_ja": self.message_ja,
            "message_en": self.message_en,
            "request_id": request_id,
        });
        if let (Some(Value::Object(m)), Some(obj)) = (self.details, detail.as_object_mut()) {
            obj.extend(m);
        }
        if let Some(obj) = body.as_object_mut() {
            obj.insert("sekimori".into(), detail);
        }
        let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(request_id) {
            stamp_request_id(h, v);
        }
        if self.close {
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if api == Some(Api::Bedrock) {
            h.insert(
                "x-amzn-errortype",
                HeaderValue::from_static(aws_error_type(self.status)),
            );
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// Header names that carry the request id on every answer: Sekimori's own, the one the
/// OpenAI SDKs read (`x-request-id`) and the one the Anthropic SDKs read (`request-id`).
/// An upstream's own ids come back as `x-upstream-request-id` / `upstream-request-id`.
pub const REQUEST_ID_HEADERS: [&str; 3] = ["x-sekimori-request-id", "x-request-id", "request-id"];

/// Sets every [`REQUEST_ID_HEADERS`] name to `id`.
pub fn stamp_request_id(headers: &mut http::HeaderMap, id: http::HeaderValue) {
    for name in REQUEST_ID_HEADERS {
        headers.insert(name, id.clone());
    }
}

fn openai_type(origin: Origin, status: StatusCode) -> &'static str {
    match (origin, status.as_u16()) {
        (Origin::Policy, _) => "sekimori_policy_error",
        (_, 401) => "authentication_error",
        (_, 403) => "permission_error",
        (_, 404) => "not_found_error",
        (_, 400 | 408 | 411 | 413 | 415 | 422) => "invalid_request_error",
        (Origin::Upstream, _) => "upstream_error",
        _ => "server_error",
    }
}

fn anthropic_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        500..=599 => "api_error",
        _ => "invalid_request_error",
    }
}

fn google_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 411 | 413 | 415 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        408 | 504 => "DEADLINE_EXCEEDED",
        503 => "UNAVAILABLE",
        _ => "INTERNAL",
    }
}

/// The Bedrock runtime exception a status is reported as.
fn aws_error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 | 403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        408 | 504 => "ModelTimeoutException",
        429 => "ThrottlingException",
        503 => "ServiceUnavailableException",
        400..=499 => "ValidationException",
        _ => "InternalServerException",
    }
}

/// A plain JSON response (operations endpoints, demo upstream).
pub fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}
