//! 関守 Sekimori — a gateway between municipal staff and LLM APIs.
//!
//! Crate map (dependencies point one way, top to bottom):
//!
//! | module | holds | HTTP? |
//! |---|---|---|
//! | [`text`] | normalization of Japanese text with an offset map | no |
//! | [`inspect`] | the detection engine: detectors, word lists, [`inspect::Engine`] | no |
//! | [`mask`] | placeholders for findings and their restoration in responses | no |
//! | [`policy`] | per-category actions, department overrides, model allow lists | no |
//! | [`payload`] | provider request/response bodies; restoring placeholders in responses and streams | no |
//! | [`region`] | which upstreams process in Japan: rules checked at load and per request | no |
//! | `audit` | tamper-evident audit log, usage export, quotas (feature `gateway`) | no (disk) |
//! | `console` | the administrators' console over the gateway's state (feature `gateway`) | yes |
//!
//! Everything that speaks HTTP, TLS or writes the audit log is behind the `gateway`
//! feature; `cargo check --lib --no-default-features` proves the engine builds without it.

#![deny(missing_docs)]

#[cfg(feature = "gateway")]
pub mod audit;
#[cfg(feature = "gateway")]
pub mod cli;
#[cfg(feature = "gateway")]
pub mod config;
#[cfg(feature = "gateway")]
pub mod console;
#[cfg(feature = "gateway")]
pub mod gateway;
pub mod inspect;
pub mod mask;
pub mod payload;
pub mod policy;
pub mod region;
pub mod text;
