//! Forwarding to the upstream (or the built-in demo), and restoring placeholders in
//! the answer.
//!
//! Restoration here is interim until `crate::payload::response` / `stream` are merged:
//! non-streaming JSON answers are parsed and every string is restored; streamed answers
//! are restored on the byte stream when every original value is JSON-safe (no quote,
//! backslash or control character), otherwise passed through with placeholders.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full, StreamBody};
use hyper::body::Frame;
use serde_json::{json, Value};

use crate::mask::{Placeholders, CLOSE, OPEN};
use crate::payload::request::extract_slots;

use super::respond::GatewayError;
use super::route::{Api, ApiRoute, Endpoint};
use super::runtime::Upstream;
use super::server::Shared;

/// Boxed error of response bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Response body type of the gateway.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// Maximum size of a non-streamed upstream answer that is buffered for restoration.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A fixed body.
pub fn full_body(b: Bytes) -> Body {
    Full::new(b).map_err(|never| match never {}).boxed_unsync()
}

/// Boxes a fixed response.
pub fn full(r: Response<Full<Bytes>>) -> Response<Body> {
    r.map(|b| b.map_err(|never| match never {}).boxed_unsync())
}

/// What is sent upstream.
#[derive(Debug)]
pub struct Forwarded<'a> {
    /// Route.
    pub route: &'a ApiRoute,
    /// Upstream.
    pub upstream: &'a Upstream,
    /// Client query string.
    pub query: Option<&'a str>,
    /// Client headers (only an allow list is forwarded).
    pub headers: &'a HeaderMap,
    /// The inspected, re-serialized body.
    pub body: Bytes,
    /// The same body as a value (for the demo).
    pub value: &'a Value,
    /// Whether a stream was requested.
    pub stream: bool,
    /// Request id.
    pub request_id: &'a str,
    /// Placeholders to restore.
    pub table: Arc<Placeholders>,
}

/// Client headers passed on (everything else, including the client's credentials,
/// `x-ms-spillover-deployment` and `OpenAI-Project`, is dropped).
const FORWARD_HEADERS: &[&str] = &["accept", "anthropic-version", "anthropic-beta"];

/// Upstream headers passed back.
fn keep_response_header(name: &str) -> bool {
    matches!(
        name,
        "content-type" | "retry-after" | "x-request-id" | "request-id" | "apim-request-id"
    ) || name.starts_with("x-ratelimit-")
        || name.starts_with("anthropic-ratelimit-")
}

/// Forwards and returns the (restored) response plus token usage when known.
pub async fn forward(
    shared: &Shared,
    f: Forwarded<'_>,
) -> Result<(Response<Body>, (Option<u64>, Option<u64>)), GatewayError> {
    if f.upstream.provider == "demo" {
        let v = demo_answer(f.route, f.value, f.stream);
        return Ok(finish_response(
            StatusCode::OK,
            HeaderMap::new(),
            v,
            f.stream,
            f.table,
        ));
    }
    let url = upstream_url(&f.upstream.base_url, &f.route.path, f.query);
    let mut req = shared
        .client
        .post(&url)
        .timeout(f.upstream.timeout)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-sekimori-request-id", f.request_id);
    for h in FORWARD_HEADERS {
        if let Some(v) = f.headers.get(*h) {
            req = req.header(*h, v.clone());
        }
    }
    if let Some((name, value)) = &f.upstream.credential {
        req = req.header(name.clone(), value.clone());
    }
    let resp = req.body(f.body).send().await.map_err(|e| {
        tracing::warn!(target: "sekimori::upstream", upstream = %f.upstream.name, error = %without_url(&e), "upstream request failed");
        if e.is_timeout() {
            GatewayError::upstream(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", format!("upstream '{}' did not answer in time", f.upstream.name))
        } else {
            GatewayError::upstream(StatusCode::BAD_GATEWAY, "upstream_unreachable", format!("upstream '{}' could not be reached", f.upstream.name))
        }
    })?;
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    for (k, v) in resp.headers() {
        if keep_response_header(k.as_str()) {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.as_str().as_bytes()),
                HeaderValue::from_bytes(v.as_bytes()),
            ) {
                headers.append(k, v);
            }
        }
    }
    let is_sse = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/event-stream"));
    if f.stream || is_sse {
        let upstream_name = f.upstream.name.clone();
        let inner = resp.bytes_stream().map(move |chunk| {
            chunk.map_err(|e| {
                tracing::warn!(target: "sekimori::upstream", upstream = %upstream_name, error = %without_url(&e), "upstream stream broke");
                Box::new(e) as BoxError
            })
        });
        let body = StreamBody::new(Restoring {
            inner: Box::pin(inner),
            restorer: Some(ByteRestorer::new(f.table.clone())),
        });
        let mut r = Response::new(BodyExt::boxed_unsync(body));
        *r.status_mut() = status;
        *r.headers_mut() = headers;
        return Ok((r, (None, None)));
    }
    let mut buf = Vec::new();
    let mut s = resp.bytes_stream();
    while let Some(chunk) = s.next().await {
        let chunk = chunk.map_err(|_| {
            GatewayError::upstream(
                StatusCode::BAD_GATEWAY,
                "upstream_broken",
                format!("upstream '{}' broke off its answer", f.upstream.name),
            )
        })?;
        if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(GatewayError::upstream(
                StatusCode::BAD_GATEWAY,
                "upstream_too_large",
                "the upstream answer exceeds 64 MiB",
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<Value>(&buf) {
        Ok(v) => Ok(finish_response(status, headers, v, false, f.table)),
        Err(_) => {
            // Not JSON (an upstream error page): placeholders restored as text.
            let text = String::from_utf8_lossy(&buf);
            let body = f.table.restore(&text);
            let mut r = Response::new(full_body(Bytes::from(body)));
            *r.status_mut() = status;
            *r.headers_mut() = headers;
            Ok((r, (None, None)))
        }
    }
}

fn without_url(e: &reqwest::Error) -> String {
    // reqwest errors embed the URL; the URL carries no prompt text, but keep logs terse.
    e.without_url_ref().to_string()
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut s = String::new();
        let mut cur: Option<&dyn std::error::Error> = Some(self);
        let mut depth = 0;
        while let Some(e) = cur {
            if depth > 0 {
                s.push_str(": ");
            }
            let msg = e.to_string();
            s.push_str(msg.split(" for url (").next().unwrap_or(&msg));
            cur = e.source();
            depth += 1;
            if depth > 8 {
                break;
            }
        }
        s
    }
}

/// `base + path + query` with a client `key=` parameter removed and a doubled `/v1`
/// collapsed (a base URL ending in `/v1` with a request path starting with `/v1/`).
pub fn upstream_url(base: &str, path: &str, query: Option<&str>) -> String {
    let path = if base.ends_with("/v1") && path.starts_with("/v1/") {
        &path[3..]
    } else {
        path
    };
    let mut url = format!("{base}{path}");
    if let Some(q) = query {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .filter(|(k, _)| k != "key")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !kept.is_empty() {
            let enc = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
            url.push('?');
            url.push_str(&enc);
        }
    }
    url
}

fn finish_response(
    status: StatusCode,
    mut headers: HeaderMap,
    mut v: Value,
    stream: bool,
    table: Arc<Placeholders>,
) -> (Response<Body>, (Option<u64>, Option<u64>)) {
    let usage = usage(&v);
    if stream {
        // Demo only: a single SSE event carrying the answer, then [DONE].
        restore_value(&mut v, &table);
        let body = format!("data: {v}\n\ndata: [DONE]\n\n");
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        let mut r = Response::new(full_body(Bytes::from(body)));
        *r.status_mut() = status;
        *r.headers_mut() = headers;
        return (r, usage);
    }
    restore_value(&mut v, &table);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let mut r = Response::new(full_body(Bytes::from(v.to_string())));
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    (r, usage)
}

/// Restores placeholders in every string of an answer, except the demo's own report
/// of what it received (`sekimori_demo`).
pub fn restore_value(v: &mut Value, table: &Placeholders) {
    if table.is_empty() {
        return;
    }
    let mut stack: Vec<&mut Value> = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains(OPEN) => *s = table.restore(s),
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::Object(m) => stack.extend(
                m.iter_mut()
                    .filter(|(k, _)| k.as_str() != "sekimori_demo")
                    .map(|(_, v)| v),
            ),
            _ => {}
        }
    }
}

/// Token usage as reported by OpenAI, Anthropic/Responses or Gemini.
pub fn usage(v: &Value) -> (Option<u64>, Option<u64>) {
    let u = v.get("usage");
    let g = |o: Option<&Value>, k: &str| o.and_then(|o| o.get(k)).and_then(Value::as_u64);
    let prompt = g(u, "prompt_tokens")
        .or_else(|| g(u, "input_tokens"))
        .or_else(|| g(v.get("usageMetadata"), "promptTokenCount"));
    let completion = g(u, "completion_tokens")
        .or_else(|| g(u, "output_tokens"))
        .or_else(|| g(v.get("usageMetadata"), "candidatesTokenCount"));
    (prompt, completion)
}

/// Restores placeholders on a UTF-8 byte stream; holds back incomplete characters and
/// a possible placeholder prefix.
struct ByteRestorer {
    table: Arc<Placeholders>,
    enabled: bool,
    bytes: Vec<u8>,
    pending: String,
}

impl ByteRestorer {
    fn new(table: Arc<Placeholders>) -> Self {
        let enabled = !table.is_empty()
            && table
                .entries()
                .iter()
                .all(|(_, v)| !v.chars().any(|c| c == '"' || c == '\\' || c.is_control()));
        ByteRestorer {
            table,
            enabled,
            bytes: Vec::new(),
            pending: String::new(),
        }
    }

    fn push(&mut self, chunk: &[u8]) -> Bytes {
        if !self.enabled {
            return Bytes::copy_from_slice(chunk);
        }
        self.bytes.extend_from_slice(chunk);
        let valid = match std::str::from_utf8(&self.bytes) {
            Ok(_) => self.bytes.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                // Not UTF-8: give up restoring, pass the bytes on.
                self.enabled = false;
                let mut out = std::mem::take(&mut self.pending).into_bytes();
                out.append(&mut self.bytes);
                return Bytes::from(out);
            }
        };
        let rest = self.bytes.split_off(valid);
        let text = String::from_utf8(std::mem::replace(&mut self.bytes, rest)).unwrap_or_default();
        self.pending.push_str(&text);
        let hold = self.hold_point();
        let tail = self.pending.split_off(hold);
        let ready = std::mem::replace(&mut self.pending, tail);
        Bytes::from(self.table.restore(&ready))
    }

    fn finish(&mut self) -> Bytes {
        let mut out = self
            .table
            .restore(&std::mem::take(&mut self.pending))
            .into_bytes();
        out.append(&mut self.bytes);
        Bytes::from(out)
    }

    fn hold_point(&self) -> usize {
        let p = &self.pending;
        let max = self.table.max_placeholder_len();
        match p.rfind(OPEN) {
            Some(i) if !p[i..].contains(CLOSE) && p.len() - i < max => {
                let tail = &p[i..];
                if self
                    .table
                    .entries()
                    .iter()
                    .any(|(ph, _)| ph.starts_with(tail))
                {
                    i
                } else {
                    p.len()
                }
            }
            _ => p.len(),
        }
    }
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// An upstream byte stream with placeholders restored; the restorer's held tail is
/// emitted when the upstream ends.
struct Restoring {
    inner: ByteStream,
    restorer: Option<ByteRestorer>,
}

impl futures_util::Stream for Restoring {
    type Item = Result<Frame<Bytes>, BoxError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        // Bounded: each iteration either returns or consumes one upstream chunk that
        // restored to nothing (held back).
        loop {
            return match self.inner.as_mut().poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(b))) => {
                    let out = match self.restorer.as_mut() {
                        Some(r) => r.push(&b),
                        None => b,
                    };
                    if out.is_empty() {
                        continue;
                    }
                    Poll::Ready(Some(Ok(Frame::data(out))))
                }
                Poll::Ready(None) => match self.restorer.take().map(|mut r| r.finish()) {
                    Some(b) if !b.is_empty() => Poll::Ready(Some(Ok(Frame::data(b)))),
                    _ => Poll::Ready(None),
                },
            };
        }
    }
}

/// The demo upstream's answer: the API's own response shape, echoing what it received
/// (after masking) so the effect of Sekimori is visible.
pub fn demo_answer(route: &ApiRoute, received: &Value, _stream: bool) -> Value {
    let texts: Vec<String> = extract_slots(received)
        .into_iter()
        .map(|s| s.text)
        .collect();
    let echo = texts.join("\n");
    let reply = format!("[Sekimori demo upstream] 受信した内容 / received:\n{echo}");
    let model = received
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("sekimori-demo");
    let chars = echo.chars().count() as u64;
    let report = json!({"upstream_received": received});
    match (route.api, route.endpoint) {
        (_, Endpoint::Embeddings) => json!({
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.0, 0.0, 0.0]}],
            "model": model,
            "usage": {"prompt_tokens": chars, "total_tokens": chars},
            "sekimori_demo": report,
        }),
        (_, Endpoint::Responses) => json!({
            "id": "resp_demo", "object": "response", "status": "completed", "model": model,
            "output": [{"type": "message", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": reply, "annotations": []}]}],
            "usage": {"input_tokens": chars, "output_tokens": chars, "total_tokens": 2 * chars},
            "sekimori_demo": report,
        }),
        (Api::Anthropic, _) => json!({
            "id": "msg_demo", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": reply}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": chars, "output_tokens": chars},
            "sekimori_demo": report,
        }),
        (Api::Gemini, Endpoint::CountTokens) => json!({"totalTokens": chars}),
        (Api::Gemini, _) => json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": reply}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": chars, "candidatesTokenCount": chars, "totalTokenCount": 2 * chars},
            "modelVersion": model,
            "sekimori_demo": report,
        }),
        _ => json!({
            "id": "chatcmpl-demo", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": chars, "completion_tokens": chars, "total_tokens": 2 * chars},
            "sekimori_demo": report,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::Category;

    #[test]
    fn url_table() {
        let cases = [
            (
                "https://a.example",
                "/v1/chat/completions",
                None,
                "https://a.example/v1/chat/completions",
            ),
            (
                "https://a.example/v1",
                "/v1/chat/completions",
                None,
                "https://a.example/v1/chat/completions",
            ),
            (
                "https://a.example",
                "/openai/deployments/d/chat/completions",
                Some("api-version=2024-10-21"),
                "https://a.example/openai/deployments/d/chat/completions?api-version=2024-10-21",
            ),
            (
                "https://a.example",
                "/v1beta/models/m:generateContent",
                Some("key=SECRET&alt=sse"),
                "https://a.example/v1beta/models/m:generateContent?alt=sse",
            ),
        ];
        for (b, p, q, want) in cases {
            assert_eq!(upstream_url(b, p, q), want);
        }
    }

    #[test]
    fn byte_restorer_splits() {
        let mut t = Placeholders::new();
        t.placeholder_for(&Category::Name, "山田太郎");
        let t = Arc::new(t);
        let input = "data: {\"c\":\"〔氏名1〕さん\"}\n\n".as_bytes();
        for cut in 0..input.len() {
            let mut r = ByteRestorer::new(t.clone());
            let mut out = r.push(&input[..cut]).to_vec();
            out.extend_from_slice(&r.push(&input[cut..]));
            out.extend_from_slice(&r.finish());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "data: {\"c\":\"山田太郎さん\"}\n\n",
                "cut {cut}"
            );
        }
    }
}
