//! Response bodies of the gateway: one boxed body type for fixed answers, restored
//! streams and refusals, and the helpers that build and collect them.

use bytes::Bytes;
use http::Response;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full};

/// Boxed error of response bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Response body type of the gateway.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// A fixed body.
pub fn full_body(b: Bytes) -> Body {
    Full::new(b).map_err(|never| match never {}).boxed_unsync()
}

/// Boxes a fixed response.
pub fn full(r: Response<Full<Bytes>>) -> Response<Body> {
    r.map(|b| b.map_err(|never| match never {}).boxed_unsync())
}

/// Collects a body fully (used for upstream responses and tests).
pub async fn collect<B>(b: B) -> Result<Bytes, B::Error>
where
    B: hyper::body::Body<Data = Bytes>,
{
    Ok(b.collect().await?.to_bytes())
}
