//! A translated catalogue model's answer, back in the OpenAI Chat Completions format.
//!
//! The upstream's answer has been restored already ([`super::upstream`] restores the
//! Converse JSON or event stream); here it is rewritten with
//! [`crate::payload::translate`]: a JSON answer into a `chat.completion`, an event
//! stream into `chat.completion.chunk` server-sent events ending in `data: [DONE]`
//! (the usage chunk included, for quotas and clients that count), and an error answer
//! into OpenAI's error shape with the upstream's status.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{header, HeaderValue, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::Value;

use crate::payload::stream::eventstream::{event_name, EventStreamFramer, FrameItem};
use crate::payload::translate::{converse_to_chat, error_to_chat, ChatStream};

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
            let error_type = parts
                .headers
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok());
            let v = error_to_chat(parts.status.as_u16(), error_type, &bytes);
            return Ok(json_answer(parts, &v));
        }
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| broken())?;
        return Ok(json_answer(
            parts,
            &converse_to_chat(&v, &model.name, &id, now()),
        ));
    }
    let sse = Translating {
        inner: Box::pin(body.into_data_stream()),
        framer: EventStreamFramer::default(),
        chat: ChatStream::new(&model.name, &id, now(), true),
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

/// Event-stream frames in, SSE chunks out; `data: [DONE]` when the upstream ends.
struct Translating {
    inner: DataStream,
    framer: EventStreamFramer,
    chat: ChatStream,
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
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                        b"data: [DONE]\n\n",
                    )))))
                }
            };
        }
    }
}

impl Translating {
    fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut items = Vec::new();
        self.framer.push(chunk, &mut items);
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
            for c in self.chat.event(name, &v) {
                out.extend_from_slice(b"data: ");
                out.extend_from_slice(c.to_string().as_bytes());
                out.extend_from_slice(b"\n\n");
            }
        }
        out
    }
}
