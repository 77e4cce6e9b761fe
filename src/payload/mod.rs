//! Provider payloads: what the gateway reads and rewrites in request and response
//! bodies of the supported LLM APIs.
//!
//! - [`request`]: strict JSON parsing and extraction of every text-bearing field of a
//!   request as ordered slots, detection of content that cannot be inspected.
//! - [`response`]: restoring masked values in non-streaming JSON responses, and the
//!   types shared with streams ([`response::ApiKind`], [`response::Usage`], …).
//! - [`translate`]: OpenAI Chat ↔ Bedrock Converse for catalogue models.
//! - [`stream`]: restoring masked values in streamed responses (SSE and Gemini's JSON
//!   array) without buffering the stream.
//!
//! No HTTP here: the gateway hands in bytes and gets back rewritten bytes or values.

pub mod request;
pub mod response;
pub mod stream;
pub mod translate;
pub mod view;
