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
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;

use super::respond::GatewayError;

/// Maximum number of stacked content codings.
pub const MAX_ENCODINGS: usize = 2;

/// Reads `body` up to `max` bytes within `deadline`.
pub async fn read_limited<B>(body: B, max: usize, deadline: Duration) -> Result<Bytes, GatewayError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    let limited = http_body_util::Limited::new(body, max);
    match tokio::time::timeout(deadline, limited.collect()).await {
        Err(_) => Err(GatewayError::client(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!(
                "リクエスト本文を{}秒以内に受信できませんでした。",
                deadline.as_secs()
            ),
            format!(
                "the request body did not arrive within {} s",
                deadline.as_secs()
            ),
        )
        .closing()),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(too_large(max))
            } else {
                Err(GatewayError::client(
                    StatusCode::BAD_REQUEST,
                    "body_read_error",
                    "リクエスト本文を読み取れませんでした。",
                    format!("the request body could not be read: {e}"),
                )
                .closing())
            }
        }
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// The 413 error.
pub fn too_large(max: usize) -> GatewayError {
    GatewayError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("リクエスト本文が上限（{max}バイト）を超えています。内容を分割してください。"),
        format!("the request body exceeds the limit of {max} bytes; split the content"),
    )
    .closing()
}

/// Decodes the body per `Content-Encoding`, capping output at `max` bytes and the
/// expansion at `ratio` decoded bytes per encoded byte.
pub fn decode(
    headers: &HeaderMap,
    body: Bytes,
    max: usize,
    ratio: u64,
) -> Result<Bytes, GatewayError> {
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
                GatewayError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "decompression_ratio",
                    format!("圧縮された本文の展開率が上限（{ratio}:1）を超えています。"),
                    format!(
                        "the compressed body expands more than {ratio}:1; send it uncompressed"
                    ),
                )
                .closing()
            } else {
                too_large(max)
            });
        }
        data = Bytes::from(out);
    }
    Ok(data)
}

fn unsupported(c: &str) -> GatewayError {
    GatewayError::client(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_encoding",
        format!("Content-Encoding「{c}」には対応していません。gzip, deflate, br, zstd のいずれかか無圧縮で送信してください。"),
        format!("Content-Encoding '{c}' is not supported; use gzip, deflate, br, zstd or none"),
    )
}

fn corrupt(c: &str) -> GatewayError {
    GatewayError::client(
        StatusCode::BAD_REQUEST,
        "corrupt_encoding",
        format!("{c}で圧縮された本文を展開できませんでした。"),
        format!("the {c}-encoded body could not be decoded"),
    )
}
