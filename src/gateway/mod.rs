//! The reverse-proxy gateway: accepts API calls from applications, inspects every
//! prompt, applies the policy and forwards only what passed to approved upstreams.
//!
//! Request phases live in [`phase`], one file each, over one per-request
//! [`phase::Ctx`] that is the outcome record under construction; [`handler`] runs them
//! in order for the reverse proxy (admit, route, identify, headers, read, parse,
//! authorize, inspect, decide, mask, quota, **record before forward**, forward,
//! **finish**: record outcome, metrics). None forwards uninspected content.
//!
//! Every refusal is a variant of the catalogue [`errors::Refusal`] (status, code,
//! Japanese and English text) and is rendered in one place, [`respond`].
//! Upstreams answer through one interface, [`exchange::Exchange`] ([`upstream`] over
//! HTTP, [`demo`] in the process); [`state`] holds what every request sees.
//! Configuration snapshots ([`runtime::Runtime`]) are built off the request path and
//! published with `arc-swap` ([`reload`]).

pub mod audit;
pub mod body;
pub mod boxed;
pub mod client;
pub mod demo;
pub mod errors;
pub mod exchange;
pub mod forward;
pub mod gcp_token;
pub mod guard;
pub mod handler;
pub mod headers;
pub mod hooks;
pub mod inspections;
pub mod metrics;
pub mod phase;
pub mod reload;
pub mod respond;
pub mod route;
pub mod runtime;
pub mod server;
pub mod sigv4;
pub mod state;
pub mod translate;
pub mod transport;
pub mod upstream;
pub mod warn;

pub use server::{Gateway, RunningGateway};
