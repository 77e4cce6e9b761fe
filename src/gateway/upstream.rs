//! Forwarding to an upstream over HTTP ([`Http`], one [`Exchange`]; the built-in demo is
//! [`super::demo`], another), and restoring placeholders in the answer.
//!
//! Non-streaming JSON answers are restored with [`crate::payload::response::restore_json_body`]
//! (only changed strings rewritten); streamed answers (SSE, Gemini JSON arrays) with
//! [`crate::payload::stream::ResponseRestorer`], chunk by chunk without buffering the
//! stream. Token usage is taken from either and reported when the answer ends.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use crate::payload::response::{self, Usage};
use crate::payload::stream::ResponseRestorer;

use super::boxed::{full_body, BoxError};
use super::client;
use super::errors::Refusal;
use super::exchange::{Exchange, Exchanging, ForwardResult, Forwarded, UsageReport};
use super::headers::FORWARD_HEADERS;
use super::respond::GatewayError;

/// Maximum size of a non-streamed upstream answer that is buffered for restoration.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Upstream headers passed back.
fn keep_response_header(name: &str) -> bool {
    matches!(
        name,
        "content-type" | "retry-after" | "apim-request-id" | "x-amzn-errortype"
    ) || name.starts_with("x-ratelimit-")
        || name.starts_with("anthropic-ratelimit-")
}

/// The upstream's answer with its head read: from `reqwest` or from a plain-HTTP pooled
/// connection driven on this task ([`super::client`]).
enum Answer<'p> {
    Reqwest(reqwest::Response),
    Plain(Box<client::Exchange<'p>>),
}

impl Answer<'_> {
    fn status(&self) -> u16 {
        match self {
            Answer::Reqwest(r) => r.status().as_u16(),
            Answer::Plain(x) => x.head.status.as_u16(),
        }
    }

    fn headers(&self) -> &HeaderMap {
        match self {
            Answer::Reqwest(r) => r.headers(),
            Answer::Plain(x) => &x.head.headers,
        }
    }
}

/// Headers sent upstream: content type, identity encoding, the request id, the
/// allow-listed client headers and the upstream's credential.
fn request_headers(f: &Forwarded<'_>) -> HeaderMap {
    let mut h = HeaderMap::with_capacity(8);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    if let Ok(v) = HeaderValue::from_str(f.request_id) {
        h.insert("x-sekimori-request-id", v);
    }
    // Only the allow list (credentials, `x-ms-spillover-deployment`, `OpenAI-Project`, …
    // are dropped); the values were checked by `headers::check` before the request
    // got here.
    for name in FORWARD_HEADERS {
        if let Some(v) = f.headers.get(*name) {
            h.append(*name, v.clone());
        }
    }
    if let Some((name, value)) = &f.upstream.credential {
        h.append(name.clone(), value.clone());
    }
    h
}

/// User agent sent upstream by both clients.
const USER_AGENT: &str = concat!("sekimori/", env!("CARGO_PKG_VERSION"));

/// An upstream reached over HTTP (every provider but the built-in demo).
#[derive(Clone, Copy, Debug, Default)]
pub struct Http;

impl Exchange for Http {
    fn exchange<'a>(&'a self, f: Forwarded<'a>) -> Exchanging<'a> {
        Box::pin(forward(f))
    }
}

/// Forwards and returns the (restored) response plus token usage when known.
///
/// Requests that do not ask for a stream go to `http://` upstreams over the pooled
/// connections of [`super::client`], driven on this task; everything else (TLS
/// upstreams, streamed requests) through `reqwest`. Both are bounded by the upstream's
/// `timeout` for the whole exchange.
pub async fn forward(f: Forwarded<'_>) -> Result<ForwardResult, GatewayError> {
    let url = upstream_url(&f.upstream.base_url, &f.route.path, f.query);
    let deadline = tokio::time::Instant::now() + f.upstream.timeout;
    let timed_out = || -> GatewayError {
        Refusal::UpstreamTimeout {
            upstream: f.upstream.name.clone(),
        }
        .into()
    };
    let unreachable = || -> GatewayError {
        Refusal::UpstreamUnreachable {
            upstream: f.upstream.name.clone(),
        }
        .into()
    };
    let streamed_endpoint = f.stream || f.route.stream_path;
    let mut headers = request_headers(&f);
    if let Some(tokens) = &f.upstream.google {
        let bearer = tokens.bearer(f.client, &f.upstream.name).await.map_err(|e| {
            tracing::warn!(target: "sekimori::upstream", upstream = %f.upstream.name, error = %e, "no access token");
            Refusal::UpstreamUnreachable {
                upstream: f.upstream.name.clone(),
            }
        })?;
        headers.insert(header::AUTHORIZATION, bearer);
    }
    if let Some(signer) = &f.upstream.signer {
        let signed = signer
            .sign(
                &f.upstream.name,
                "POST",
                &url,
                &headers,
                &f.body,
                std::time::SystemTime::now(),
            )
            .map_err(|e| {
                tracing::warn!(target: "sekimori::upstream", upstream = %f.upstream.name, error = %e, "signing failed");
                Refusal::UpstreamUnreachable {
                    upstream: f.upstream.name.clone(),
                }
            })?;
        for (name, value) in signed {
            headers.insert(name, value);
        }
    }
    let client = f.upstream.client.as_ref().unwrap_or(f.client);
    let answer = if !streamed_endpoint && url.starts_with("http://") && f.upstream.client.is_none()
    {
        let uri: http::Uri = url.parse().map_err(|_| unreachable())?;
        if let Some(auth) = uri.authority() {
            if let Ok(v) = HeaderValue::from_str(auth.as_str()) {
                headers.insert(header::HOST, v);
            }
        }
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        if !headers.contains_key(header::ACCEPT) {
            headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        }
        let req = client::request(uri, headers, f.body.clone());
        let connect = Duration::from_secs(crate::config::DEFAULT_CONNECT_TIMEOUT_SECS);
        match tokio::time::timeout_at(deadline, f.pool.send(req, connect)).await {
            Err(_) => return Err(timed_out()),
            Ok(Err(e)) => {
                tracing::warn!(target: "sekimori::upstream", upstream = %f.upstream.name, error = %e, "upstream request failed");
                return Err(unreachable());
            }
            Ok(Ok(x)) => Answer::Plain(Box::new(x)),
        }
    } else {
        let resp = client
            .post(&url)
            .timeout(f.upstream.timeout)
            .headers(headers)
            .body(f.body.clone())
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(target: "sekimori::upstream", upstream = %f.upstream.name, error = %without_url(&e), "upstream request failed");
                if e.is_timeout() {
                    timed_out()
                } else {
                    unreachable()
                }
            })?;
        Answer::Reqwest(resp)
    };
    let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    for (k, v) in answer.headers() {
        match k.as_str() {
            // Sekimori's request id takes these names; the upstream's is kept beside it.
            "x-request-id" => {
                headers.append("x-upstream-request-id", v.clone());
            }
            "request-id" => {
                headers.append("upstream-request-id", v.clone());
            }
            // Bedrock's own request id.
            "x-amzn-requestid" => {
                headers.append("x-upstream-request-id", v.clone());
            }
            name if keep_response_header(name) => {
                headers.append(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    let content_encoding = answer
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("identity"))
        .map(str::to_string);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let kind = f.route.kind;
    let format = response::stream_format(kind, content_type.as_deref(), f.query);
    if let Some(format) = format.filter(|_| {
        streamed_endpoint
            || content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("text/event-stream"))
    }) {
        if content_encoding.is_some() {
            return Err(Refusal::UpstreamCompressedStream {
                upstream: f.upstream.name.clone(),
            }
            .into());
        }
        let upstream_name = f.upstream.name.clone();
        let inner: ByteStream = match answer {
            Answer::Reqwest(resp) => Box::pin(resp.bytes_stream().map(move |chunk| {
                chunk.map_err(|e| {
                    tracing::warn!(target: "sekimori::upstream", upstream = %upstream_name, error = %without_url(&e), "upstream stream broke");
                    Box::new(e) as BoxError
                })
            })),
            Answer::Plain(x) => Box::pin(Deadline {
                inner: Box::pin((*x).into_stream().map(move |chunk| {
                    chunk.map_err(|e| {
                        tracing::warn!(target: "sekimori::upstream", upstream = %upstream_name, error = %e, "upstream stream broke");
                        Box::new(e) as BoxError
                    })
                })),
                deadline: Box::pin(tokio::time::sleep_until(deadline)),
                expired: false,
            }),
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let body = StreamBody::new(Restoring {
            inner,
            restorer: Some(ResponseRestorer::new(kind, format, f.table.clone())),
            done: Some(tx),
        });
        let mut r = Response::new(BodyExt::boxed_unsync(body));
        *r.status_mut() = status;
        *r.headers_mut() = headers;
        return Ok((r, UsageReport::Later(rx), None));
    }
    let broken = || -> GatewayError {
        Refusal::UpstreamBroken {
            upstream: f.upstream.name.clone(),
        }
        .into()
    };
    let too_large = || -> GatewayError { Refusal::UpstreamTooLarge.into() };
    let mut buf = match answer {
        Answer::Plain(x) => {
            match tokio::time::timeout_at(deadline, (*x).collect(MAX_RESPONSE_BYTES)).await {
                Err(_) => return Err(timed_out()),
                Ok(Err(client::ClientError::TooLarge(_))) => return Err(too_large()),
                Ok(Err(_)) => return Err(broken()),
                Ok(Ok(b)) => b,
            }
        }
        Answer::Reqwest(resp) => {
            let mut buf = Vec::new();
            let mut s = resp.bytes_stream();
            while let Some(chunk) = s.next().await {
                let chunk = chunk.map_err(|_| broken())?;
                if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(too_large());
                }
                buf.extend_from_slice(&chunk);
            }
            buf
        }
    };
    if let Some(enc) = &content_encoding {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(enc) {
            h.insert(header::CONTENT_ENCODING, v);
        }
        buf = super::body::decode(&h, Bytes::from(buf), MAX_RESPONSE_BYTES, u64::MAX)
            .map_err(|_| Refusal::UpstreamUndecodable {
                upstream: f.upstream.name.clone(),
            })?
            .to_vec();
    }
    match response::restore_json_body(&buf, &f.table) {
        Ok((body, usage)) => {
            let text = f
                .keep_response
                .then(|| String::from_utf8_lossy(&body).into_owned());
            let mut r = Response::new(full_body(Bytes::from(body)));
            *r.status_mut() = status;
            *r.headers_mut() = headers;
            Ok((r, UsageReport::Now(usage), text))
        }
        Err(_) => {
            // Not JSON (an upstream error page): placeholders restored as text.
            let text = String::from_utf8_lossy(&buf);
            let body = f.table.restore(&text);
            let mut r = Response::new(full_body(Bytes::from(body)));
            *r.status_mut() = status;
            *r.headers_mut() = headers;
            Ok((r, UsageReport::Now(None), None))
        }
    }
}

/// A byte stream that ends with an error once `deadline` has passed (the upstream's
/// timeout covers a streamed answer read from a plain-HTTP connection too).
struct Deadline {
    inner: ByteStream,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl futures_util::Stream for Deadline {
    type Item = Result<Bytes, BoxError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future;
        use std::task::Poll;
        if self.expired {
            return Poll::Ready(None);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.expired = true;
            return Poll::Ready(Some(Err(
                "the upstream did not finish its answer in time".into()
            )));
        }
        self.inner.as_mut().poll_next(cx)
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

/// The query string sent upstream: the client's, without a `key=` parameter (a
/// Sekimori key sent Gemini-style); `None` when nothing is left.
pub fn forward_query(query: Option<&str>) -> Option<String> {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query?.as_bytes())
        .filter(|(k, _)| k != "key")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (!kept.is_empty()).then(|| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish()
    })
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
    if let Some(q) = forward_query(query) {
        url.push('?');
        url.push_str(&q);
    }
    url
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// An upstream byte stream with placeholders restored; what the restorer still holds
/// is emitted when the upstream ends, and the usage is reported then.
struct Restoring {
    inner: ByteStream,
    restorer: Option<ResponseRestorer>,
    done: Option<tokio::sync::oneshot::Sender<Option<Usage>>>,
}

impl futures_util::Stream for Restoring {
    type Item = Result<Frame<Bytes>, BoxError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        // Each iteration consumes one upstream chunk; chunks that restore to nothing
        // (held back) are skipped without returning Pending spuriously.
        loop {
            return match self.inner.as_mut().poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(b))) => {
                    let out = match self.restorer.as_mut() {
                        Some(r) => Bytes::from(r.push(&b)),
                        None => b,
                    };
                    if out.is_empty() {
                        continue;
                    }
                    Poll::Ready(Some(Ok(Frame::data(out))))
                }
                Poll::Ready(None) => {
                    let (tail, usage) = match self.restorer.take() {
                        Some(mut r) => (r.finish(), r.usage()),
                        None => (Vec::new(), None),
                    };
                    if let Some(tx) = self.done.take() {
                        let _ = tx.send(usage);
                    }
                    if tail.is_empty() {
                        Poll::Ready(None)
                    } else {
                        Poll::Ready(Some(Ok(Frame::data(Bytes::from(tail)))))
                    }
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
