//! Detectors: one module per category, each behind the [`Detector`] trait.
//!
//! A detector reads the [`Document`] (normalized text, folded text, tokens) and pushes
//! [`RawFinding`]s with ranges in the normalized text. It must not fail and must run in
//! time linear in the text (no backtracking regexes, bounded windows).

use super::{Document, RawFinding};

pub mod address;
pub mod email;
pub mod my_number;
pub mod name;
pub mod phone;
pub mod wordlist;

/// One detection method.
pub trait Detector: Send + Sync {
    /// Static, value-free name used in findings and metrics.
    fn name(&self) -> &'static str;
    /// Appends findings for `doc` to `out`.
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>);
}
