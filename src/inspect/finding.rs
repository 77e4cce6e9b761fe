//! A finding: what was found, where in the original text, by which detector and why.

use std::ops::Range;

use serde::Serialize;

use super::Category;

/// A detection on the original text.
///
/// Offsets are given twice: bytes (for slicing a Rust `&str`) and Unicode code points
/// (for JSON consumers and people); both are end-exclusive.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    pub category: Category,
    /// Byte offset of the first byte in the original text.
    pub start: usize,
    /// Byte offset one past the last byte in the original text.
    pub end: usize,
    /// Code-point offset of the first character in the original text.
    pub char_start: usize,
    /// Code-point offset one past the last character in the original text.
    pub char_end: usize,
    /// The detector that produced it (`phone`, `name.honorific`, `wordlist`, …).
    pub detector: &'static str,
    /// Confidence between 0 and 1.
    pub confidence: f32,
    /// A short, value-free reason (`valid check digit`, `surname + honorific`, …).
    pub reason: &'static str,
}

impl Finding {
    /// The byte range in the original text.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A detection on the normalized text, as detectors report it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawFinding {
    /// What was found.
    pub category: Category,
    /// Byte range in the normalized text ([`super::Document::text`]).
    pub range: Range<usize>,
    /// Detector name (static, value-free).
    pub detector: &'static str,
    /// Confidence between 0 and 1.
    pub confidence: f32,
    /// Short, value-free reason.
    pub reason: &'static str,
}

impl RawFinding {
    /// Creates a raw finding.
    pub fn new(
        category: Category,
        range: Range<usize>,
        detector: &'static str,
        confidence: f32,
        reason: &'static str,
    ) -> Self {
        RawFinding {
            category,
            range,
            detector,
            confidence,
            reason,
        }
    }
}
