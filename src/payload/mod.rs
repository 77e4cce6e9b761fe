//! Request and response bodies of the LLM APIs: where the text is, and how to put it
//! back.
//!
//! - [`request`]: strict JSON parsing and extraction of every text-bearing field of a
//!   request as ordered slots, detection of content that cannot be inspected.
//!
//! No HTTP here: the gateway hands in bytes and gets back a rewritten `serde_json::Value`.

pub mod request;
