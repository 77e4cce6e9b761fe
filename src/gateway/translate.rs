//! A translated catalogue model's answer (Bedrock Converse or Gemini), back in the
//! OpenAI Chat Completions format.
//!
//! The upstream's answer has been restored already ([`super::upstream`] restores the
//! Converse JSON or event stream); here it is rewritten with
//! [`crate::payload::translate`]: a JSON answer into a `chat.completion`, an event
//! stream (Converse) or SSE stream (Gemini `alt=sse`) into `chat.completion.chunk`
//! server-sent events ending in `data: [DONE]`
//! (the usage chunk included, for quotas and clients that count), and an error answer
//! into OpenAI's error shape with the upstream's status.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{header, HeaderValue, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::Value;

use crate::payload::response::ApiKind;
use crate::payload::stream::eventstream::{event_name, EventStreamFramer, FrameItem};
use crate::payload::translate::{converse_to_chat, error_to_chat, gemini, ChatStream};

use super::boxed::{full_body, Body, BoxError};
use super::errors::Refusal;
use super::respond::GatewayError;
use super::runtime::CatalogModel;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn json_answer(mut parts: http::response::Parts, v: &Value) -> Response<Body> {
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove("x-amzn-errortype");
    Response::from_parts(parts, full_body(Bytes::from(v.to_string())))
}

/// The OpenAI-format answer for catalogue model `model` of the upstream's restored
/// answer `resp` (`stream`: the client asked for a stream).
pub async fn answer(
    resp: Response<Body>,
    kind: ApiKind,
    model: &CatalogModel,
    request_id: &str,
    stream: bool,
    upstream: &str,
) -> Result<Response<Body>, GatewayError> {
    let id = format!("chatcmpl-{request_id}");
    let (parts, body) = resp.into_parts();
    let broken = || -> GatewayError {
        Refusal::UpstreamBroken {
            upstream: upstream.to_string(),
        }
        .into()
    };
    if !parts.status.is_success() || !stream {
        // A non-streamed answer was buffered (at most MAX_RESPONSE_BYTES) and restored
        // by the upstream phase already.
        let bytes = super::boxed::collect(body).await.map_err(|_| broken())?;
        if !parts.status.is_success() {
            let status = parts.status.as_u16();
            let v = match kind {
                ApiKind::GeminiGenerateContent => gemini::error_to_chat(status, &bytes),
                _ => {
                    let error_type = parts
                        .headers
                        .get("x-amzn-errortype")
                        .and_then(|v| v.to_str().ok());
                    error_to_chat(status, error_type, &bytes)
                }
            };
            return Ok(json_answer(parts, &v));
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| broken())?;
        let chat = match kind {
            ApiKind::GeminiGenerateContent => gemini::gemini_to_chat(&v, &model.name, &id, now()),
            _ => converse_to_chat(&v, &model.name, &id, now()),
        };
        return Ok(json_answer(parts, &chat));
    }
    let source = match kind {
        ApiKind::GeminiGenerateContent => Source::Gemini(
            Vec::new(),
            gemini::GeminiChatStream::new(&model.name, &id, now()),
        ),
        _ => Source::Converse(
            EventStreamFramer::default(),
            ChatStream::new(&model.name, &id, now(), true),
        ),
    };
    let sse = Translating {
        inner: Box::pin(body.into_data_stream()),
        source,
        done: false,
    };
    let mut parts = parts;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Response::from_parts(
        parts,
        BodyExt::boxed_unsync(StreamBody::new(sse)),
    ))
}

type DataStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// What the upstream streams: Converse event-stream frames, or Gemini SSE events
/// (bytes of an unfinished event kept).
enum Source {
    Converse(EventStreamFramer, ChatStream),
    Gemini(Vec<u8>, gemini::GeminiChatStream),
}

/// Upstream stream in, OpenAI SSE chunks out; `data: [DONE]` when the upstream ends.
struct Translating {
    inner: DataStream,
    source: Source,
    done: bool,
}

impl futures_util::Stream for Translating {
    type Item = Result<Frame<Bytes>, BoxError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.done {
            return Poll::Ready(None);
        }
        // Each iteration consumes one upstream chunk; chunks that give no SSE bytes
        // (a frame not complete yet) are skipped.
        loop {
            return match self.inner.as_mut().poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    Poll::Ready(Some(Err(e)))
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    let out = self.push(&chunk);
                    if out.is_empty() {
                        continue;
                    }
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))))
                }
                Poll::Ready(None) => {
                    self.done = true;
                    let mut out = self.finish();
                    out.extend_from_slice(b"data: [DONE]\n\n");
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))))
                }
            };
        }
    }
}

fn write_chunks(out: &mut Vec<u8>, chunks: Vec<Value>) {
    for c in chunks {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(c.to_string().as_bytes());
        out.extend_from_slice(b"\n\n");
    }
}

/// The `data:` of each complete SSE event at the front of `buf` (removed from it; an
/// unfinished event, possibly cut inside a UTF-8 sequence, stays).
fn sse_events(buf: &mut Vec<u8>) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let lf = memchr::memmem::find(buf, b"\n\n").map(|i| (i, 2));
        let crlf = memchr::memmem::find(buf, b"\r\n\r\n").map(|i| (i, 4));
        let Some((end, sep)) = [lf, crlf].into_iter().flatten().min() else {
            return out;
        };
        let event = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end + sep);
        let data: Vec<&str> = event
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        if !data.is_empty() {
            out.push(data.join("\n"));
        }
    }
}

impl Translating {
    fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Source::Gemini(buf, chat) = &mut self.source {
            buf.extend_from_slice(b"\n\n");
            for data in sse_events(buf) {
                if let Ok(v) = serde_json::from_str::<Value>(&data) {
                    write_chunks(&mut out, chat.event(&v));
                }
            }
            write_chunks(&mut out, chat.finish());
        }
        out
    }

    fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let (framer, chat) = match &mut self.source {
            Source::Converse(framer, chat) => (framer, chat),
            Source::Gemini(buf, chat) => {
                buf.extend_from_slice(chunk);
                let mut out = Vec::new();
                for data in sse_events(buf) {
                    if let Ok(v) = serde_json::from_str::<Value>(&data) {
                        write_chunks(&mut out, chat.event(&v));
                    }
                }
                return out;
            }
        };
        let mut items = Vec::new();
        framer.push(chunk, &mut items);
        let mut out = Vec::new();
        for item in items {
            // A frame that does not decode cannot be translated; it is dropped from
            // the OpenAI stream (its bytes are binary, not SSE).
            let FrameItem::Frame { message, .. } = item else {
                continue;
            };
            let Some(name) = event_name(&message) else {
                continue;
            };
            let v: Value = serde_json::from_slice(message.payload()).unwrap_or(Value::Null);
            write_chunks(&mut out, chat.event(name, &v));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_wait_for_whole_events_even_inside_a_character() {
        let all = "data: {\"t\":\"森川\"}\r\n\r\ndata: {\"t\":\"様\"}\n\n".as_bytes();
        for cut in 0..=all.len() {
            let mut buf = all[..cut].to_vec();
            let mut got = sse_events(&mut buf);
            buf.extend_from_slice(&all[cut..]);
            got.extend(sse_events(&mut buf));
            assert_eq!(got, ["{\"t\":\"森川\"}", "{\"t\":\"様\"}"], "cut {cut}");
            assert!(buf.is_empty());
        }
    }
}
