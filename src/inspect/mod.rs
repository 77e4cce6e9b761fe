//! The detection engine: finds personal data and banned words in a prompt.
//!
//! No HTTP here. Build an [`Engine`] once with an [`EngineBuilder`] (every error is a
//! build error), share it in an `Arc`, and call [`Engine::scan`], which cannot fail:
//!
//! ```
//! use sekimori::inspect::{Category, EngineBuilder};
//! let engine = EngineBuilder::new().build().unwrap();
//! let findings = engine.scan("連絡先は090-1234-5678です");
//! assert!(findings.iter().any(|f| f.category == Category::Phone));
//! ```
//!
//! A scan normalizes the text ([`crate::text::Normalized`]), runs every enabled
//! [`detect::Detector`] on the normalized copy, drops what the allow list covers,
//! resolves overlaps and maps the spans back to the original text.

mod category;
mod config;
pub mod detect;
mod document;
mod engine;
mod finding;
pub mod structure;
mod tokenizer;

pub use category::Category;
pub use config::{DetectionConfig, WordListConfig};
pub use document::Document;
pub use engine::{BuildError, Engine, EngineBuilder};
pub use finding::{Finding, RawFinding};
pub use tokenizer::{FineToken, PosTag, Token, Tokenizer};
