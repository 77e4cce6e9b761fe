//! Segment files and the line format: sealing a record into a hashed line and checking
//! a line. See the module documentation of [`super`] for the canonical encoding.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{AuditError, Event, StoredPrompt, StoredRecord};

/// `prev` of the very first record.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

const HASH_PREFIX: &[u8] = b",\"hash\":\"";
/// `,"hash":"` + 64 hex + `"}`.
const SUFFIX_LEN: usize = 9 + 64 + 2;

/// File name of the segment whose first record is `first_seq`.
pub(crate) fn segment_name(first_seq: u64) -> String {
    format!("audit-{first_seq:020}.jsonl")
}

/// The first sequence number encoded in a segment file name.
pub(crate) fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("audit-")?.strip_suffix(".jsonl")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Segments of `dir`, sorted by first sequence number.
pub(crate) fn list_segments(dir: &Path) -> Result<Vec<(u64, String)>, AuditError> {
    let rd = std::fs::read_dir(dir).map_err(|e| AuditError::io("list", dir, e))?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| AuditError::io("list", dir, e))?;
        if let Some(name) = entry.file_name().to_str() {
            if let Some(seq) = parse_segment_name(name) {
                out.push((seq, name.to_string()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a whole file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, AuditError> {
    std::fs::read(path).map_err(|e| AuditError::io("read", path, e))
}

/// Path of `name` in `dir`.
pub(crate) fn path_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// Seals `rec` into a line (with `\n`) and returns it with its hash.
#[cfg(test)]
pub(crate) fn seal_line(rec: &StoredRecord) -> ([u8; 32], Vec<u8>) {
    // Serialising these types cannot fail (string keys, no non-finite floats).
    let body = serde_json::to_vec(rec).unwrap_or_default();
    seal_body(&body)
}

/// The members after `prev` (`"event":…` and optional `"prompt":…`), serialised ahead
/// of time so that the writer thread only formats the header and hashes.
pub(crate) fn serialize_tail(event: &Event, prompt: Option<&StoredPrompt>) -> Vec<u8> {
    let mut tail = Vec::with_capacity(512);
    tail.extend_from_slice(b"\"event\":");
    // Cannot fail, as above.
    let _ = serde_json::to_writer(&mut tail, event);
    if let Some(p) = prompt {
        tail.extend_from_slice(b",\"prompt\":");
        let _ = serde_json::to_writer(&mut tail, p);
    }
    tail
}

/// Builds the line of record `seq` from its pre-serialised tail. The bytes are exactly
/// what `serde_json` produces for the equivalent [`StoredRecord`].
pub(crate) fn seal_parts(
    seq: u64,
    time: &str,
    prev: &[u8; 32],
    tail: &[u8],
) -> ([u8; 32], Vec<u8>) {
    let mut body = Vec::with_capacity(tail.len() + 160);
    body.extend_from_slice(b"{\"v\":1,\"seq\":");
    body.extend_from_slice(seq.to_string().as_bytes());
    body.extend_from_slice(b",\"time\":\"");
    body.extend_from_slice(time.as_bytes());
    body.extend_from_slice(b"\",\"prev\":\"");
    push_hex32(&mut body, prev);
    body.extend_from_slice(b"\",");
    body.extend_from_slice(tail);
    body.push(b'}');
    seal_body(&body)
}

fn seal_body(body: &[u8]) -> ([u8; 32], Vec<u8>) {
    let hash: [u8; 32] = Sha256::digest(body).into();
    let mut line = Vec::with_capacity(body.len() + SUFFIX_LEN + 1);
    line.extend_from_slice(&body[..body.len().saturating_sub(1)]);
    line.extend_from_slice(HASH_PREFIX);
    push_hex32(&mut line, &hash);
    line.extend_from_slice(b"\"}\n");
    (hash, line)
}

/// Why a line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineError {
    /// No `hash` member at the end.
    NoHash,
    /// The stored hash does not match the bytes.
    HashMismatch,
    /// Not a record.
    Malformed(String),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::NoHash => {
                f.write_str("line has no trailing hash member (truncated or altered)")
            }
            LineError::HashMismatch => {
                f.write_str("record altered: its content does not match its hash")
            }
            LineError::Malformed(m) => write!(f, "not a valid record ({m})"),
        }
    }
}

/// Checks one line (without `\n`): returns its hash and record.
pub(crate) fn open_line(line: &[u8]) -> Result<([u8; 32], StoredRecord), LineError> {
    if line.len() < SUFFIX_LEN + 2 || !line.ends_with(b"\"}") {
        return Err(LineError::NoHash);
    }
    let cut = line.len() - SUFFIX_LEN;
    if &line[cut..cut + HASH_PREFIX.len()] != HASH_PREFIX {
        return Err(LineError::NoHash);
    }
    let mut claimed = [0u8; 32];
    hex::decode_to_slice(&line[cut + HASH_PREFIX.len()..line.len() - 2], &mut claimed)
        .map_err(|_| LineError::NoHash)?;
    let mut body = Vec::with_capacity(cut + 1);
    body.extend_from_slice(&line[..cut]);
    body.push(b'}');
    let computed: [u8; 32] = Sha256::digest(&body).into();
    if computed != claimed {
        return Err(LineError::HashMismatch);
    }
    let rec: StoredRecord =
        serde_json::from_slice(&body).map_err(|e| LineError::Malformed(json_error(&e)))?;
    Ok((computed, rec))
}

/// A JSON error without the offending text (a record may hold personal data).
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "JSON syntax error",
        serde_json::error::Category::Data => "unexpected field or value",
        serde_json::error::Category::Eof => "unexpected end",
    };
    format!("{kind} at column {}", e.column())
}

/// Splits a segment's bytes into `(offset, line)` for complete lines, plus the offset of
/// an incomplete last line (no `\n`) if any.
pub(crate) fn split_lines(bytes: &[u8]) -> (Vec<(usize, &[u8])>, Option<usize>) {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            lines.push((start, &bytes[start..i]));
            start = i + 1;
        }
    }
    let torn = (start < bytes.len()).then_some(start);
    (lines, torn)
}

/// Hex of a hash.
pub(crate) fn hex32(h: &[u8; 32]) -> String {
    hex::encode(h)
}

/// Appends the 64 lowercase hex digits of `h` (as [`hex32`], without building a
/// `String` a character at a time: `hex::encode` was ~1,700 instructions a hash, four
/// hashes a request).
fn push_hex32(out: &mut Vec<u8>, h: &[u8; 32]) {
    let mut buf = [0u8; 64];
    // Cannot fail: the buffer is exactly twice the input.
    let _ = hex::encode_to_slice(h, &mut buf);
    out.extend_from_slice(&buf);
}

/// Parses a 64-hex hash.
pub(crate) fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok().map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Event, SystemEvent};

    #[test]
    fn push_hex32_is_hex32() {
        for h in [
            [0u8; 32],
            [0xffu8; 32],
            std::array::from_fn(|i| (i * 37) as u8),
        ] {
            let mut out = b"x".to_vec();
            push_hex32(&mut out, &h);
            assert_eq!(&out[1..], hex32(&h).as_bytes());
        }
    }

    fn rec(seq: u64) -> StoredRecord {
        StoredRecord {
            v: 1,
            seq,
            time: "2026-11-25T00:00:00.000Z".into(),
            prev: hex32(&GENESIS),
            event: Event::System(SystemEvent::Shutdown {
                reason: "close".into(),
            }),
            prompt: None,
        }
    }

    #[test]
    fn seal_then_open_round_trips_and_any_byte_change_is_caught() {
        let (h, line) = seal_line(&rec(1));
        let body = &line[..line.len() - 1];
        let (h2, r2) = open_line(body).unwrap();
        assert_eq!(h, h2);
        assert_eq!(r2, rec(1));
        for i in 0..body.len() {
            let mut m = body.to_vec();
            m[i] ^= 0x01;
            assert!(open_line(&m).is_err(), "byte {i} flip not detected");
        }
    }

    #[test]
    fn malformed_record_errors_do_not_echo_content() {
        let body = br#"{"v":1,"seq":"yamada-taro-090-1234-5678","time":"t","prev":"p","event":{}}"#;
        let (_, line) = seal_body(body);
        let err = open_line(&line[..line.len() - 1]).unwrap_err().to_string();
        assert!(err.contains("column"), "{err}");
        assert!(!err.contains("yamada") && !err.contains("1234"), "{err}");
    }

    #[test]
    fn segment_names() {
        let cases = [
            ("audit-00000000000000000001.jsonl", Some(1)),
            ("audit-00000000000000052311.jsonl", Some(52311)),
            ("audit-1.jsonl", None),
            ("checkpoints.jsonl", None),
        ];
        for (name, want) in cases {
            assert_eq!(parse_segment_name(name), want, "{name}");
        }
        assert_eq!(parse_segment_name(&segment_name(42)), Some(42));
    }

    #[test]
    fn pre_serialised_parts_equal_serde_output() {
        let mut r = rec(7);
        r.prompt = Some(StoredPrompt::Masked {
            text: "〔氏名1〕\"x\"".into(),
        });
        let tail = serialize_tail(&r.event, r.prompt.as_ref());
        assert_eq!(seal_parts(7, &r.time, &GENESIS, &tail), seal_line(&r));
    }
}
