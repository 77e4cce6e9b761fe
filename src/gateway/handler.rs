//! The reverse proxy's request path: the phases of [`super::phase`], in order, over
//! one [`Ctx`].
//!
//! [`handle`] never fails: every refusal is a [`GatewayError`] rendered by
//! [`super::respond`]. Blocking happens before any upstream connection is made, and
//! nothing is forwarded unless the body was parsed, inspected, decided on and recorded.
//! Logs carry ids, categories, counts and field paths — never prompt text or values.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use super::boxed::Body;
use super::phase::{self, finish::api_error, Ctx};
use super::respond::GatewayError;
use super::state::{ConnInfo, Shared};

pub use super::phase::inspect::INLINE_INSPECT_BYTES;
pub use super::warn::ACK_HEADER;

/// Handles one request.
pub async fn handle<B>(shared: Arc<Shared>, conn: &ConnInfo, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    let (parts, body) = req.into_parts();
    let mut cx = Ctx::new(&shared, conn, parts);
    if let Err(e) = phase::admit::run(&mut cx) {
        return phase::finish::run(cx, Err(e), api_error);
    }
    if let Some(mut r) = phase::ops::answer(&shared, &cx.parts.method, cx.parts.uri.path()) {
        if let Ok(v) = http::HeaderValue::from_str(cx.request_id()) {
            super::respond::stamp_request_id(r.headers_mut(), v);
        }
        return r;
    }
    if phase::models::is_models(&cx.parts) {
        return match phase::models::run(&mut cx) {
            Ok(mut r) => {
                if let Ok(v) = http::HeaderValue::from_str(cx.request_id()) {
                    super::respond::stamp_request_id(r.headers_mut(), v);
                }
                r
            }
            Err(e) => phase::finish::run(cx, Err(e), api_error),
        };
    }
    let result = proxy(&mut cx, body).await;
    phase::finish::run(cx, result, api_error)
}

/// The API phases, in order; the first refusal ends the request.
async fn proxy<B>(cx: &mut Ctx<'_>, body: B) -> Result<Response<Body>, GatewayError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    phase::route::run(cx)?;
    phase::identify::run(cx)?;
    phase::headers::run(cx)?;
    phase::read::run(cx, body).await?;
    phase::parse::run(cx)?;
    phase::authorize::run(cx)?;
    phase::inspect::run(cx).await?;
    phase::decide::run(cx)?;
    phase::mask::run(cx)?;
    phase::quota::run(cx)?;
    phase::translate::run(cx)?;
    phase::record::run(cx).await?;
    phase::forward::run(cx).await
}
