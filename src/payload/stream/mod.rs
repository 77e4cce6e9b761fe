//! Restoring masked values in streamed responses, without buffering the stream.
//!
//! [`ResponseRestorer`] is a per-response state machine: feed it the upstream body's
//! chunks with [`ResponseRestorer::push`] and send what it returns at once; call
//! [`ResponseRestorer::finish`] at the end of the body and send that too.
//!
//! - The framing ([`StreamFormat::Sse`], Gemini's [`StreamFormat::JsonArray`] or
//!   Bedrock's binary event stream, whose frames are re-encoded with fresh CRCs when
//!   changed) is cut into complete events whatever the chunk boundaries; only an incomplete
//!   trailing event is kept. An event with nothing to restore is forwarded
//!   byte-for-byte in the same `push` that completes it, so time to first token is
//!   unchanged.
//! - Each text channel (a choice's content, a tool call's arguments, a content block,
//!   a candidate's text) holds back at most a possible partial placeholder at its end
//!   (`…〔氏`) and prepends it to the channel's next text. When the channel ends
//!   (`finish_reason`, `content_block_stop`, `*.done`, `finishReason`, `[DONE]`, end of
//!   body), the held text is released — restored if it completed, literally if not —
//!   in the ending event if it carries text for that channel, else in a synthesized
//!   event of the channel's own shape just before it.
//! - In a changed event only the changed strings are rewritten; key order, spacing and
//!   every other line of the event stay as the upstream sent them. Restored values are
//!   JSON-escaped where the text is itself JSON source (tool call arguments,
//!   `partial_json`).
//! - Events that are not JSON, or of unknown types, pass through untouched; no
//!   upstream byte is dropped.
//!
//! ```
//! use std::sync::Arc;
//! use sekimori::inspect::Category;
//! use sekimori::mask::Placeholders;
//! use sekimori::payload::response::{ApiKind, StreamFormat};
//! use sekimori::payload::stream::ResponseRestorer;
//! let mut t = Placeholders::new();
//! let p = t.placeholder_for(&Category::Name, "山田太郎");
//! let (head, tail) = p.split_at("〔氏".len());
//! let mut r = ResponseRestorer::new(ApiKind::OpenAiChat, StreamFormat::Sse, Arc::new(t));
//! let mut out = Vec::new();
//! let first = format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"こん{head}\"}}}}]}}\n\n");
//! let second = format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{tail}\"}}}}]}}\n\ndata: [DONE]\n\n");
//! out.extend(r.push(first.as_bytes()));
//! out.extend(r.push(second.as_bytes()));
//! out.extend(r.finish());
//! assert_eq!(String::from_utf8(out).unwrap(),
//!     "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"こん\"}}]}\n\n\
//!      data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"山田太郎\"}}]}\n\n\
//!      data: [DONE]\n\n");
//! ```

use std::sync::Arc;

use crate::mask::Placeholders;
pub use crate::payload::response::{ApiKind, StreamFormat, Usage};

mod array;
mod dialect;
#[cfg(feature = "gateway")]
pub(crate) mod eventstream;
pub(crate) mod json;
mod sse;

#[cfg(all(test, feature = "gateway"))]
mod converse_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod url_tests;

use array::{ArrayFramer, ArrayItem};
use dialect::{Dialect, Outcome, Synth};
use sse::{SseFramer, SseItem};

enum Framer {
    Sse(SseFramer),
    JsonArray(ArrayFramer),
    #[cfg(feature = "gateway")]
    EventStream(eventstream::EventStreamFramer),
}

/// Restores placeholders in one streamed response. See the module documentation.
pub struct ResponseRestorer {
    #[cfg_attr(not(feature = "gateway"), allow(dead_code))]
    kind: ApiKind,
    framer: Framer,
    dialect: Dialect,
    finished: bool,
}

impl std::fmt::Debug for ResponseRestorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never prints held response text.
        f.debug_struct("ResponseRestorer")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl ResponseRestorer {
    /// A restorer for one response of `kind`, framed as `format`, with the request's
    /// placeholder table.
    pub fn new(kind: ApiKind, format: StreamFormat, table: Arc<Placeholders>) -> Self {
        let framer = match format {
            StreamFormat::Sse => Framer::Sse(SseFramer::default()),
            StreamFormat::JsonArray => Framer::JsonArray(ArrayFramer::default()),
            #[cfg(feature = "gateway")]
            StreamFormat::EventStream => {
                Framer::EventStream(eventstream::EventStreamFramer::default())
            }
        };
        ResponseRestorer {
            kind,
            framer,
            dialect: Dialect::new(kind, table),
            finished: false,
        }
    }

    /// Takes the next chunk of the upstream body; returns the bytes to send now.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 16);
        if self.finished {
            // After `finish` nothing is restored any more, but nothing is dropped.
            out.extend_from_slice(chunk);
            return out;
        }
        match &mut self.framer {
            Framer::Sse(f) => {
                let mut items = Vec::new();
                f.push(chunk, &mut items);
                let newline = f.newline();
                for item in items {
                    match item {
                        SseItem::Raw(r) => out.extend_from_slice(&r),
                        SseItem::Event(e) => {
                            let outcome = match e.fields() {
                                Some(sse::Fields {
                                    event,
                                    data: Some(data),
                                }) => self.dialect.event(event, &data),
                                _ => Outcome::default(),
                            };
                            write_sse_synth(&mut out, &outcome.before, newline);
                            match outcome.data {
                                Some(d) => out.extend_from_slice(&e.with_data(&d)),
                                None => out.extend_from_slice(e.raw()),
                            }
                        }
                    }
                }
            }
            Framer::JsonArray(f) => {
                let mut items = Vec::new();
                f.push(chunk, &mut items);
                for item in items {
                    match item {
                        ArrayItem::Raw(r) => out.extend_from_slice(&r),
                        ArrayItem::Element(e) => {
                            let outcome = match std::str::from_utf8(&e) {
                                Ok(data) => self.dialect.event(None, data),
                                Err(_) => Outcome::default(),
                            };
                            for s in &outcome.before {
                                out.extend_from_slice(s.data.as_bytes());
                                out.push(b',');
                                f.elements_out += 1;
                            }
                            match outcome.data {
                                Some(d) => out.extend_from_slice(d.as_bytes()),
                                None => out.extend_from_slice(&e),
                            }
                            f.elements_out += 1;
                        }
                        ArrayItem::Closing => {
                            let synth = self.dialect.finish();
                            write_array_synth(&mut out, &synth, &mut f.elements_out);
                        }
                    }
                }
            }
            #[cfg(feature = "gateway")]
            Framer::EventStream(f) => {
                let mut items = Vec::new();
                f.push(chunk, &mut items);
                for item in items {
                    match item {
                        eventstream::FrameItem::Raw(r) => out.extend_from_slice(&r),
                        eventstream::FrameItem::Frame { raw, message } => {
                            let name = eventstream::event_name(&message);
                            // InvokeModelWithResponseStream: each `chunk` carries the
                            // model's own event as base64 in `bytes`.
                            let chunked = self.kind == ApiKind::AnthropicMessages;
                            let outcome = match std::str::from_utf8(message.payload()) {
                                Ok(data) if chunked => match eventstream::chunk_bytes(data) {
                                    Some(inner) => self.dialect.event(None, &inner),
                                    None => Outcome::default(),
                                },
                                Ok(data) => self.dialect.event(name, data),
                                Err(_) => Outcome::default(),
                            };
                            if chunked {
                                for s in &outcome.before {
                                    out.extend_from_slice(&eventstream::event_frame(
                                        "chunk",
                                        eventstream::chunk_payload(None, &s.data),
                                    ));
                                }
                            } else {
                                write_frame_synth(&mut out, &outcome.before);
                            }
                            match outcome.data {
                                Some(d) if chunked => {
                                    let payload = eventstream::chunk_payload(
                                        std::str::from_utf8(message.payload()).ok(),
                                        &d,
                                    );
                                    out.extend_from_slice(&eventstream::encode(&message, payload))
                                }
                                Some(d) => out.extend_from_slice(&eventstream::encode(
                                    &message,
                                    d.into_bytes(),
                                )),
                                None => out.extend_from_slice(&raw),
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Ends the stream; returns the last bytes to send: what channels still held (in
    /// synthesized events) and an incomplete trailing event, unchanged.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if std::mem::replace(&mut self.finished, true) {
            return out;
        }
        let synth = self.dialect.finish();
        match &mut self.framer {
            Framer::Sse(f) => {
                let newline = f.newline();
                let tail = f.finish();
                write_sse_synth(&mut out, &synth, newline);
                if let Some(t) = tail {
                    out.extend_from_slice(&t);
                }
            }
            Framer::JsonArray(f) => {
                let open = f.open_array();
                let tail = f.finish();
                if open {
                    match tail {
                        // Mid-element: synthesized elements go before it.
                        Some(t) => {
                            for s in &synth {
                                out.extend_from_slice(s.data.as_bytes());
                                out.push(b',');
                            }
                            out.extend_from_slice(&t);
                        }
                        None => write_array_synth(&mut out, &synth, &mut f.elements_out),
                    }
                } else if let Some(t) = tail {
                    out.extend_from_slice(&t);
                }
            }
            #[cfg(feature = "gateway")]
            Framer::EventStream(f) => {
                write_frame_synth(&mut out, &synth);
                if let Some(t) = f.finish() {
                    out.extend_from_slice(&t);
                }
            }
        }
        out
    }

    /// Token usage reported by the events seen so far (the latest count of each kind).
    pub fn usage(&self) -> Option<Usage> {
        self.dialect.usage()
    }
}

fn write_sse_synth(out: &mut Vec<u8>, synth: &[Synth], newline: &str) {
    for s in synth {
        out.extend_from_slice(&sse::format_event(s.event.as_deref(), &s.data, newline));
    }
}

/// Appends synthesized events as event-stream frames.
#[cfg(feature = "gateway")]
fn write_frame_synth(out: &mut Vec<u8>, synth: &[Synth]) {
    for s in synth {
        let event = s.event.as_deref().unwrap_or("contentBlockDelta");
        out.extend_from_slice(&eventstream::event_frame(
            event,
            s.data.clone().into_bytes(),
        ));
    }
}

/// Appends synthesized elements to an open array (before its `]`, if any).
fn write_array_synth(out: &mut Vec<u8>, synth: &[Synth], elements_out: &mut usize) {
    for s in synth {
        if *elements_out > 0 {
            out.push(b',');
        }
        out.extend_from_slice(s.data.as_bytes());
        *elements_out += 1;
    }
}
