//! Reading a request body within limits, and decoding `Content-Encoding`.
//!
//! The body is read in full (with a size cap and a deadline) before anything is
//! inspected or forwarded, like nginx's `proxy_request_buffering on`. Compressed
//! bodies (gzip, deflate, br, zstd; stacked at most [`MAX_ENCODINGS`] deep) are
//! decoded with an output cap and a maximum expansion ratio; any other encoding is
//! refused with 415.

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::BodyExt;

use super::errors::Refusal;

/// Maximum number of stacked content codings.
pub const MAX_ENCODINGS: usize = 2;

/// Reads `body` up to `max` bytes within `deadline`.
pub async fn read_limited<B>(body: B, max: usize, deadline: Duration) -> Result<Bytes, Refusal>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    let limited = http_body_util::Limited::new(body, max);
    match tokio::time::timeout(deadline, limited.collect()).await {
        Err(_) => Err(Refusal::BodyTimeout {
            secs: deadline.as_secs(),
        }),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(too_large(max))
            } else {
                Err(Refusal::BodyReadError { why: e.to_string() })
            }
        }
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// The 413 refusal.
pub fn too_large(max: usize) -> Refusal {
    Refusal::BodyTooLarge { max }
}

/// Decodes the body per `Content-Encoding`, capping output at `max` bytes and the
/// expansion at `ratio` decoded bytes per encoded byte.
pub fn decode(headers: &HeaderMap, body: Bytes, max: usize, ratio: u64) -> Result<Bytes, Refusal> {
    let mut codings: Vec<String> = Vec::new();
    for v in headers.get_all(http::header::CONTENT_ENCODING) {
        let s = v.to_str().map_err(|_| unsupported("(non-ASCII)"))?;
        codings.extend(
            s.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty() && c != "identity"),
        );
    }
    if codings.len() > MAX_ENCODINGS {
        return Err(unsupported(&codings.join(", ")));
    }
    let encoded_len = body.len().max(1) as u64;
    let cap = (max as u64).min(encoded_len.saturating_mul(ratio)) as usize;
    let mut data = body;
    for c in codings.iter().rev() {
        let input = data.clone();
        let reader: Box<dyn Read + '_> = match c.as_str() {
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(&input[..])),
            "deflate" => {
                // RFC 9110 "deflate" is zlib; accept raw deflate as well.
                if input.len() >= 2 && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0 {
                    Box::new(flate2::read::ZlibDecoder::new(&input[..]))
                } else {
                    Box::new(flate2::read::DeflateDecoder::new(&input[..]))
                }
            }
            "br" => Box::new(brotli::Decompressor::new(&input[..], 8192)),
            "zstd" => {
                Box::new(zstd::stream::read::Decoder::new(&input[..]).map_err(|_| corrupt(c))?)
            }
            other => return Err(unsupported(other)),
        };
        let mut out = Vec::new();
        let n = reader
            .take(cap as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| corrupt(c))?;
        if n > cap {
            return Err(if cap < max {
                Refusal::DecompressionRatio { ratio }
            } else {
                too_large(max)
            });
        }
        data = Bytes::from(out);
    }
    Ok(data)
}

fn unsupported(c: &str) -> Refusal {
    Refusal::UnsupportedEncoding {
        coding: c.to_string(),
    }
}

fn corrupt(c: &str) -> Refusal {
    Refusal::CorruptEncoding {
        coding: c.to_string(),
    }
}
