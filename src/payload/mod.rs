//! Provider payloads: what the gateway reads and rewrites in request and response
//! bodies of the supported LLM APIs.
//!
//! - [`response`]: restoring masked values in non-streaming JSON responses, and the
//!   types shared with streams ([`response::ApiKind`], [`response::Usage`], …).
//! - [`stream`]: restoring masked values in streamed responses (SSE and Gemini's JSON
//!   array) without buffering the stream.

pub mod response;
pub mod stream;
