//! Incremental framing of AWS `application/vnd.amazon.eventstream` (Bedrock's
//! `ConverseStream` and `InvokeModelWithResponseStream` answers).
//!
//! A frame is a 12-byte prelude (total length, headers length, prelude CRC32), typed
//! headers (`:message-type`, `:event-type`, `:exception-type`, `:content-type`), the
//! payload and a CRC32 of the whole message. [`EventStreamFramer`] cuts a byte stream
//! into complete frames wherever the chunk boundaries fall and decodes each with
//! `aws-smithy-eventstream`; [`encode`] writes a message back with fresh CRCs. A frame
//! that is not restored is forwarded with its raw bytes; one that does not decode (bad
//! CRC, impossible lengths) is forwarded raw too, and so is everything after an
//! impossible length (the stream can no longer be cut), so no upstream byte is dropped.

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};

/// Largest frame accepted (the event-stream format's own limit is 16 MiB).
pub(crate) const MAX_FRAME_BYTES: usize = 16 << 20;

/// Smallest possible frame: prelude and message CRC, no headers, no payload.
const MIN_FRAME_BYTES: usize = 16;

/// What the framer hands out.
#[derive(Debug)]
pub(crate) enum FrameItem {
    /// Bytes to forward as they are.
    Raw(Vec<u8>),
    /// A complete frame: its raw bytes and the decoded message.
    Frame {
        /// The frame as received.
        raw: Vec<u8>,
        /// The decoded message.
        message: Message,
    },
}

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct EventStreamFramer {
    buf: Vec<u8>,
    /// An impossible frame length was seen: everything from there on is raw.
    broken: bool,
}

impl EventStreamFramer {
    /// Appends `chunk` and hands out every frame it completes.
    pub(crate) fn push(&mut self, chunk: &[u8], out: &mut Vec<FrameItem>) {
        if self.broken {
            out.push(FrameItem::Raw(chunk.to_vec()));
            return;
        }
        self.buf.extend_from_slice(chunk);
        let mut start = 0;
        while self.buf.len() - start >= 4 {
            let b = &self.buf[start..];
            let total = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            if !(MIN_FRAME_BYTES..=MAX_FRAME_BYTES).contains(&total) {
                self.broken = true;
                out.push(FrameItem::Raw(self.buf[start..].to_vec()));
                self.buf.clear();
                return;
            }
            if b.len() < total {
                break;
            }
            let raw = b[..total].to_vec();
            start += total;
            match aws_smithy_eventstream::frame::read_message_from(&raw[..]) {
                Ok(message) => out.push(FrameItem::Frame { raw, message }),
                Err(_) => out.push(FrameItem::Raw(raw)),
            }
        }
        self.buf.drain(..start);
    }

    /// Ends the stream: an incomplete trailing frame, unchanged.
    pub(crate) fn finish(&mut self) -> Option<Vec<u8>> {
        (!self.buf.is_empty()).then(|| std::mem::take(&mut self.buf))
    }
}

/// The string value of header `name`, if the message has it as a string.
pub(crate) fn header<'m>(message: &'m Message, name: &str) -> Option<&'m str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        })
}

/// The event name a dialect sees: `:event-type` of an event, `:exception-type` of an
/// exception.
pub(crate) fn event_name(message: &Message) -> Option<&str> {
    match header(message, ":message-type") {
        Some("exception") => header(message, ":exception-type"),
        _ => header(message, ":event-type"),
    }
}

/// `message`'s headers with a new payload, encoded with fresh CRCs.
pub(crate) fn encode(message: &Message, payload: Vec<u8>) -> Vec<u8> {
    let m = Message::new_from_parts(message.headers().to_vec(), payload);
    let mut out = Vec::with_capacity(m.payload().len() + 128);
    // Writing fails only for a header name over 255 bytes or a frame over the format's
    // limits, which a decoded message with a payload we produced cannot have; if it
    // did, the original frame goes out rather than nothing.
    match aws_smithy_eventstream::frame::write_message_to(&m, &mut out) {
        Ok(()) => out,
        Err(_) => {
            let mut raw = Vec::new();
            let _ = aws_smithy_eventstream::frame::write_message_to(message, &mut raw);
            raw
        }
    }
}

/// A new event frame `event` with a JSON payload, headers in the order Bedrock writes
/// them.
pub(crate) fn event_frame(event: &str, payload: Vec<u8>) -> Vec<u8> {
    let m = Message::new_from_parts(
        vec![
            Header::new(":event-type", HeaderValue::String(event.to_string().into())),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
            Header::new(":message-type", HeaderValue::String("event".into())),
        ],
        payload,
    );
    encode(&m, m.payload().to_vec())
}

/// The model event inside an InvokeModelWithResponseStream `chunk` payload
/// (`{"bytes": "<base64 of the event JSON>"}`), if it is one.
pub(crate) fn chunk_bytes(payload: &str) -> Option<String> {
    use base64::Engine;
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let b = v.get("bytes")?.as_str()?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
    String::from_utf8(raw).ok()
}

/// A `chunk` payload carrying `event` as base64, the other members of `original` (if
/// given) kept.
pub(crate) fn chunk_payload(original: Option<&str>, event: &str) -> Vec<u8> {
    use base64::Engine;
    let mut v: serde_json::Value = original
        .and_then(|o| serde_json::from_str(o).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    v["bytes"] = serde_json::Value::String(
        base64::engine::general_purpose::STANDARD.encode(event.as_bytes()),
    );
    v.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(payloads: &[&str]) -> Vec<u8> {
        payloads
            .iter()
            .flat_map(|p| event_frame("contentBlockDelta", p.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn frames_are_cut_at_every_boundary() {
        let bytes = frames(&[r#"{"a":1}"#, r#"{"b":"二"}"#, r#"{}"#]);
        for cut in 0..=bytes.len() {
            let mut f = EventStreamFramer::default();
            let mut out = Vec::new();
            f.push(&bytes[..cut], &mut out);
            f.push(&bytes[cut..], &mut out);
            assert!(f.finish().is_none(), "cut {cut}");
            let payloads: Vec<String> = out
                .iter()
                .map(|i| match i {
                    FrameItem::Frame { message, .. } => {
                        assert_eq!(event_name(message), Some("contentBlockDelta"));
                        String::from_utf8(message.payload().to_vec()).unwrap()
                    }
                    FrameItem::Raw(_) => panic!("raw at cut {cut}"),
                })
                .collect();
            assert_eq!(payloads, [r#"{"a":1}"#, r#"{"b":"二"}"#, r#"{}"#]);
        }
    }

    #[test]
    fn a_bad_crc_or_length_passes_through_raw() {
        let mut bytes = frames(&[r#"{"a":1}"#]);
        let n = bytes.len();
        bytes[n - 1] ^= 0xff;
        let mut f = EventStreamFramer::default();
        let mut out = Vec::new();
        f.push(&bytes, &mut out);
        assert!(matches!(&out[..], [FrameItem::Raw(r)] if *r == bytes));

        let garbage = [0xffu8, 0xff, 0xff, 0xff, 1, 2, 3];
        let mut f = EventStreamFramer::default();
        let mut out = Vec::new();
        f.push(&garbage, &mut out);
        f.push(b"more", &mut out);
        let all: Vec<u8> = out
            .into_iter()
            .flat_map(|i| match i {
                FrameItem::Raw(r) => r,
                FrameItem::Frame { raw, .. } => raw,
            })
            .collect();
        assert_eq!(all, [&garbage[..], b"more"].concat());
    }

    #[test]
    fn a_re_encoded_frame_decodes_with_valid_crcs() {
        let bytes = frames(&[r#"{"a":1}"#]);
        let m = aws_smithy_eventstream::frame::read_message_from(&bytes[..]).unwrap();
        let again = encode(&m, r#"{"a":"長い値"}"#.as_bytes().to_vec());
        let back = aws_smithy_eventstream::frame::read_message_from(&again[..]).unwrap();
        assert_eq!(back.headers(), m.headers());
        assert_eq!(&back.payload()[..], r#"{"a":"長い値"}"#.as_bytes());
    }
}
