//! The upstream side of an intercepted request: the approved host reached with
//! rustls, certificate verification always on (platform roots plus
//! `[forward_proxy] extra_roots`; `[forward_proxy.resolve]` overrides DNS, the name
//! is still verified), and its answer with placeholders restored as it streams —
//! the API restorers for known API shapes, JSON bodies string by string, SSE, NDJSON,
//! HTML and other text as text — with `Alt-Svc` removed (no QUIC around the proxy).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::{header, HeaderMap, HeaderValue, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use crate::config::ConfigError;
use crate::mask::{Escape, Placeholders, SharedStreamRestorer};
use crate::payload::response::{self, ApiKind, StreamFormat};
use crate::payload::stream::ResponseRestorer;

use super::super::boxed::{full_body, Body, BoxError};
use super::super::upstream::MAX_RESPONSE_BYTES;
use super::refusal::ProxyRefusal;

/// Builds the origin client: rustls, verification on, platform roots and
/// `extra_roots` (PEM files, relative to `base`), `resolve` overrides, no redirects
/// followed (the browser follows them), no proxy from the environment.
pub fn client(
    extra_roots: &[String],
    resolve: &HashMap<String, SocketAddr>,
    base: &Path,
    connect_timeout: Duration,
) -> Result<reqwest::Client, ConfigError> {
    let err = |key: &str, reason: String, fix: &str| ConfigError {
        file: base.join("sekimori.toml"),
        line: None,
        column: None,
        key: Some(key.to_string()),
        reason,
        fix: fix.to_string(),
    };
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true);
    for r in extra_roots {
        let p = base.join(r);
        let pem = std::fs::read(&p).map_err(|e| {
            err(
                "forward_proxy.extra_roots",
                format!("{}: {e}", p.display()),
                "give a readable PEM certificate file",
            )
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            err(
                "forward_proxy.extra_roots",
                format!("{}: not a PEM certificate: {e}", p.display()),
                "give a PEM file with BEGIN CERTIFICATE blocks",
            )
        })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    for (host, addr) in resolve {
        b = b.resolve(host, *addr);
    }
    b.build().map_err(|e| {
        err(
            "forward_proxy",
            format!("the origin client cannot be built: {e}"),
            "check extra_roots",
        )
    })
}

/// Request headers not passed to the origin (hop by hop, the proxy's own, those the
/// client sets itself).
fn drop_request_header(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-authorization"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
            | "accept-encoding"
            // The body sent is the decoded (and possibly masked) one.
            | "content-encoding"
            // Sekimori's own (warn acknowledgement).
            | "x-sekimori-acknowledge"
    )
}

/// Response headers not passed back.
fn drop_response_header(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "alt-svc"
    )
}

/// Sends a request to `url` with the browser's headers (minus [`drop_request_header`];
/// identity encoding asked for so the answer can be restored).
pub async fn send(
    client: &reqwest::Client,
    method: http::Method,
    url: &str,
    headers: &HeaderMap,
    body: Bytes,
    host: &str,
) -> Result<reqwest::Response, ProxyRefusal> {
    let mut h = HeaderMap::with_capacity(headers.len());
    for (k, v) in headers {
        if !drop_request_header(k.as_str()) {
            h.append(k.clone(), v.clone());
        }
    }
    h.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    let mut req = client.request(method, url).headers(h);
    if !body.is_empty() {
        req = req.body(body);
    }
    req.timeout(Duration::from_secs(
        crate::config::DEFAULT_UPSTREAM_TIMEOUT_SECS,
    ))
    .send()
    .await
    .map_err(|e| {
        let e = e.without_url();
        tracing::warn!(target: "sekimori::forward", %host, error = %e, "origin request failed");
        ProxyRefusal::OriginUnreachable {
            host: host.to_string(),
        }
    })
}

/// Something that rewrites a byte stream piece by piece.
trait Rewrite: Send {
    fn push(&mut self, chunk: &[u8]) -> Vec<u8>;
    fn finish(&mut self) -> Vec<u8>;
}

impl Rewrite for ResponseRestorer {
    fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        ResponseRestorer::push(self, chunk)
    }
    fn finish(&mut self) -> Vec<u8> {
        ResponseRestorer::finish(self)
    }
}

/// Text restored as it streams; a UTF-8 character split between chunks is held.
struct TextRestore {
    inner: SharedStreamRestorer,
    partial: Vec<u8>,
}

impl Rewrite for TextRestore {
    fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.partial.extend_from_slice(chunk);
        let valid = match std::str::from_utf8(&self.partial) {
            Ok(_) => self.partial.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Not UTF-8: what is there passes as it is.
            Err(_) => {
                let mut out = self.inner.finish().into_bytes();
                out.append(&mut self.partial);
                return out;
            }
        };
        let text = std::str::from_utf8(&self.partial[..valid])
            .unwrap_or("")
            .to_string();
        self.partial.drain(..valid);
        self.inner.push(&text).into_bytes()
    }
    fn finish(&mut self) -> Vec<u8> {
        let mut out = self.inner.finish().into_bytes();
        out.append(&mut self.partial);
        out
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

struct Rewriting {
    inner: ByteStream,
    rewrite: Option<Box<dyn Rewrite>>,
}

impl Stream for Rewriting {
    type Item = Result<Frame<Bytes>, BoxError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match self.inner.as_mut().poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(b))) => {
                    let out = match self.rewrite.as_mut() {
                        Some(r) => Bytes::from(r.push(&b)),
                        None => b,
                    };
                    if out.is_empty() {
                        continue;
                    }
                    Poll::Ready(Some(Ok(Frame::data(out))))
                }
                Poll::Ready(None) => match self.rewrite.take().map(|mut r| r.finish()) {
                    Some(tail) if !tail.is_empty() => {
                        Poll::Ready(Some(Ok(Frame::data(Bytes::from(tail)))))
                    }
                    _ => Poll::Ready(None),
                },
            };
        }
    }
}

/// How an answer's body is restored.
#[derive(Debug, PartialEq, Eq)]
enum Restore {
    /// Passed as it is (nothing masked, compressed, or not text).
    None,
    /// A known API's stream.
    Api(ApiKind, StreamFormat),
    /// A JSON document, buffered (bounded) and restored string by string.
    Json,
    /// Text as it streams, restored values written with `Escape`.
    Text(Escape),
}

fn how(
    headers: &HeaderMap,
    table: &Placeholders,
    api: Option<ApiKind>,
    query: Option<&str>,
) -> Restore {
    let encoded = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("identity"));
    if table.is_empty() || encoded {
        return Restore::None;
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if let Some(kind) = api {
        if let Some(f) = response::stream_format(kind, Some(ct), query) {
            return Restore::Api(kind, f);
        }
    }
    if mime == "text/event-stream" || mime.contains("ndjson") || mime.contains("jsonl") {
        Restore::Text(Escape::JsonString)
    } else if mime == "application/json" || mime.ends_with("+json") {
        Restore::Json
    } else if mime.starts_with("text/") || mime.contains("javascript") || mime.ends_with("+xml") {
        Restore::Text(Escape::None)
    } else {
        Restore::None
    }
}

/// The origin's answer as the browser's, placeholders restored.
pub async fn answer(
    resp: reqwest::Response,
    table: Arc<Placeholders>,
    api: Option<ApiKind>,
    query: Option<&str>,
    host: &str,
) -> Result<Response<Body>, ProxyRefusal> {
    let status = resp.status();
    let mut headers = HeaderMap::with_capacity(resp.headers().len());
    for (k, v) in resp.headers() {
        if !drop_response_header(k.as_str()) {
            headers.append(k.clone(), v.clone());
        }
    }
    let restore = how(&headers, &table, api, query);
    if restore != Restore::None {
        headers.remove(header::CONTENT_LENGTH);
    }
    let host_name = host.to_string();
    let inner: ByteStream = Box::pin(resp.bytes_stream().map(move |c| {
        c.map_err(|e| {
            let e = e.without_url();
            tracing::warn!(target: "sekimori::forward", host = %host_name, error = %e, "origin answer broke");
            Box::new(e) as BoxError
        })
    }));
    let body: Body = match restore {
        Restore::Json => {
            let mut buf = Vec::new();
            let mut s = inner;
            while let Some(chunk) = s.next().await {
                let chunk = chunk.map_err(|_| ProxyRefusal::OriginUnreachable {
                    host: host.to_string(),
                })?;
                if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(ProxyRefusal::OriginUnreachable {
                        host: host.to_string(),
                    });
                }
                buf.extend_from_slice(&chunk);
            }
            let out = match response::restore_json_body(&buf, &table) {
                Ok((b, _)) => b,
                Err(_) => table.restore(&String::from_utf8_lossy(&buf)).into_bytes(),
            };
            full_body(Bytes::from(out))
        }
        other => {
            let rewrite: Option<Box<dyn Rewrite>> = match other {
                Restore::Api(kind, f) => Some(Box::new(ResponseRestorer::new(kind, f, table))),
                Restore::Text(escape) => Some(Box::new(TextRestore {
                    inner: SharedStreamRestorer::new(table, escape),
                    partial: Vec::new(),
                })),
                _ => None,
            };
            BodyExt::boxed_unsync(StreamBody::new(Rewriting { inner, rewrite }))
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::Category;

    #[test]
    fn text_restores_across_chunks_and_split_characters() {
        let mut t = Placeholders::new();
        let p = t.placeholder_for(&Category::Name, "森川陽菜");
        let mut r = TextRestore {
            inner: SharedStreamRestorer::new(Arc::new(t), Escape::None),
            partial: Vec::new(),
        };
        let page = format!("<p>{p}さん</p>");
        let bytes = page.as_bytes();
        let mut out = Vec::new();
        for b in bytes {
            out.extend(r.push(std::slice::from_ref(b)));
        }
        out.extend(r.finish());
        assert_eq!(String::from_utf8(out).unwrap(), "<p>森川陽菜さん</p>");
    }

    #[test]
    fn what_is_restored_by_content_type() {
        let mut t = Placeholders::new();
        t.placeholder_for(&Category::Name, "森川陽菜");
        let h = |ct: &str, enc: Option<&str>| {
            let mut m = HeaderMap::new();
            m.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            if let Some(e) = enc {
                m.insert(header::CONTENT_ENCODING, e.parse().unwrap());
            }
            m
        };
        assert_eq!(
            how(&h("application/json", None), &t, None, None),
            Restore::Json
        );
        assert_eq!(
            how(&h("text/html; charset=utf-8", None), &t, None, None),
            Restore::Text(Escape::None)
        );
        assert_eq!(
            how(&h("text/event-stream", None), &t, None, None),
            Restore::Text(Escape::JsonString)
        );
        assert_eq!(
            how(
                &h("text/event-stream", None),
                &t,
                Some(ApiKind::OpenAiChat),
                None
            ),
            Restore::Api(ApiKind::OpenAiChat, StreamFormat::Sse)
        );
        assert_eq!(how(&h("image/png", None), &t, None, None), Restore::None);
        assert_eq!(
            how(&h("text/html", Some("gzip")), &t, None, None),
            Restore::None
        );
        assert_eq!(
            how(&h("text/html", None), &Placeholders::new(), None, None),
            Restore::None
        );
    }
}
