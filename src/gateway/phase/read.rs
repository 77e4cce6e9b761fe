//! Phase `read`: the body within limits — declared length, one JSON
//! `Content-Type` in UTF-8, the size cap and deadline, `Content-Encoding` decoded.

use bytes::Bytes;
use http::{header, HeaderMap};
use sha2::{Digest, Sha256};

use super::super::body;
use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::Ctx;

/// Reads and decodes the body into [`Ctx::body`] and its digest.
pub async fn run<B>(cx: &mut Ctx<'_>, body: B) -> Result<(), GatewayError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    let limits = &cx.rt.limits;
    check_head(&cx.parts.headers, limits.max_body_bytes)?;
    let raw = body::read_limited(body, limits.max_body_bytes, limits.body_read_timeout).await?;
    let decoded = body::decode(
        &cx.parts.headers,
        raw,
        limits.max_body_bytes,
        limits.max_decompression_ratio,
    )?;
    cx.digest = Sha256::digest(&decoded).into();
    cx.body = decoded;
    Ok(())
}

/// What the head says about the body: not over the cap, one JSON `Content-Type`, UTF-8.
pub fn check_head(headers: &HeaderMap, max_body_bytes: usize) -> Result<(), Refusal> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > max_body_bytes as u64 {
            return Err(body::too_large(max_body_bytes));
        }
    }
    if headers.get_all(header::CONTENT_TYPE).iter().count() > 1 {
        return Err(Refusal::MultipleContentType);
    }
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Err(Refusal::MissingContentType);
    };
    let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
    if !(ct.starts_with("application/json") || ct.ends_with("+json")) {
        return Err(Refusal::UnsupportedMediaType);
    }
    if let Some(cs) = ct
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
    {
        if !cs.trim_matches('"').eq_ignore_ascii_case("utf-8") {
            return Err(Refusal::UnsupportedCharset);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    type Case = (
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
    );

    #[test]
    fn content_type_and_length_table() {
        let cases: [Case; 6] = [
            (&[("content-type", "application/json; charset=UTF-8")], None),
            (&[("content-type", "application/vnd.x+json")], None),
            (&[], Some("missing_content_type")),
            (
                &[("content-type", "text/plain")],
                Some("unsupported_media_type"),
            ),
            (
                &[("content-type", "application/json; charset=shift_jis")],
                Some("unsupported_charset"),
            ),
            (
                &[
                    ("content-type", "application/json"),
                    ("content-length", "99"),
                ],
                Some("body_too_large"),
            ),
        ];
        for (pairs, want) in cases {
            let got = check_head(&head(pairs), 10).err().map(|r| r.code());
            assert_eq!(got, want, "{pairs:?}");
        }
    }
}
