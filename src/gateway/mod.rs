//! The reverse-proxy gateway: accepts API calls from applications, inspects every
//! prompt, applies the policy and forwards only what passed to approved upstreams.
//!
//! Request phases (each may end the request; none forwards uninspected content):
//!
//! | phase | module | refusal |
//! |---|---|---|
//! | admit: client CIDR, CL+TE smuggling | [`server`] | connection dropped / 400 + close |
//! | route: path → API family and endpoint | [`route`] | 404 naming the supported paths |
//! | identify: API key, trusted header, anonymous | [`handler`] | 401 / 403 |
//! | forwarded headers: allow list, value forms | [`headers`] | 400 `bad_header` |
//! | read: size, deadline, `Content-Encoding` | [`body`] | 413 / 408 / 415 |
//! | parse: strict JSON, slots, uninspectable parts | [`crate::payload::request`] | 400 / 403 |
//! | authorise: model allow list, region guard | [`crate::policy`], [`guard`] | 403 |
//! | inspect + decide: engine, block / warn / mask / log | [`handler`] | 403 / 503 |
//! | **record before forward** ([`hooks::AuditHook::record_before_forward`]) | [`hooks`] | 503 |
//! | forward, restore the answer | [`upstream`], [`client`] | 502 / 504 |
//! | **record outcome** ([`hooks::AuditHook::record_outcome`]), metrics | [`hooks`], [`metrics`] | — |
//!
//! Errors carry their origin and are mapped to HTTP in one place, [`respond`].
//! Configuration snapshots ([`runtime::Runtime`]) are built off the request path and
//! published with `arc-swap` ([`reload`]).

pub mod audit;
pub mod body;
pub mod boxed;
pub mod client;
pub mod demo;
pub mod errors;
pub mod exchange;
pub mod guard;
pub mod handler;
pub mod headers;
pub mod hooks;
pub mod metrics;
pub mod reload;
pub mod respond;
pub mod route;
pub mod runtime;
pub mod server;
pub mod state;
pub mod upstream;
pub mod warn;

pub use server::{Gateway, RunningGateway};
