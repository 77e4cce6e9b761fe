//! The request path as ordered phases over one per-request [`Ctx`].
//!
//! Each phase is a function in its own file that reads what earlier phases left in the
//! context and may end the request with a [`super::errors::Refusal`]. The reverse
//! proxy ([`super::handler`]) runs them all in order; another front door (a forward
//! proxy, an admin "test a text" call) runs the ones it needs with its own route and
//! its own renderer ([`finish::Render`]).
//!
//! | phase | does | refusal |
//! |---|---|---|
//! | [`admit`] | CL+TE smuggling | 400 + close |
//! | [`route`] | path → API family and endpoint, POST | 404 / 405 |
//! | [`identify`] | API key, trusted header, anonymous | 401 / 403 |
//! | [`headers`] | forwarded headers: allow list, value forms | 400 `bad_header` |
//! | [`read`] | size, deadline, `Content-Type`, `Content-Encoding` | 413 / 408 / 415 |
//! | [`parse`] | strict JSON, tag characters | 400 |
//! | [`authorize`] | uninspectable parts, model allow list, URL, route, region | 403 / 404 / 400 |
//! | [`inspect`] | a slot of the bound in flight, the engine inline or on the blocking pool | 503 (+ `Retry-After` when no slot) |
//! | [`decide`] | policy per category and department, warn tokens | 403 |
//! | [`mask`] | one placeholder table over every field | 503 |
//! | [`quota`] | monthly caps | 429 |
//! | [`translate`] | a catalogue model's body for its upstream (Converse, renamed model) | 400 |
//! | [`record`] | **record before forward** (fail closed) | 503 |
//! | [`forward`] | forward, restore the answer | 502 / 504 |
//! | [`finish`] | **record outcome**, metrics, render | — |
//!
//! `GET /v1/models` is answered by [`models`] after [`identify`] (401 / 403), without
//! the other phases.

pub mod admit;
pub mod authorize;
pub mod ctx;
pub mod decide;
pub mod finish;
pub mod forward;
pub mod headers;
pub mod identify;
pub mod inspect;
pub mod mask;
pub mod models;
pub mod ops;
pub mod parse;
pub mod quota;
pub mod read;
pub mod record;
pub mod route;
pub mod translate;

pub use ctx::Ctx;

#[cfg(test)]
pub(crate) mod testing;
