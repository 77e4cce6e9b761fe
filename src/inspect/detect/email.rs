//! E-mail addresses.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Finds e-mail addresses in the normalized text (full-width forms are already ASCII).
pub struct EmailDetector {
    re: Regex,
}

impl EmailDetector {
    /// Compiles the pattern.
    pub fn new() -> Self {
        EmailDetector {
            re: Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.)+[A-Za-z]{2,24}")
                .expect("static e-mail pattern"),
        }
    }
}

impl Default for EmailDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for EmailDetector {
    fn name(&self) -> &'static str {
        "email"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let text = doc.text();
        if !text.contains('@') {
            return;
        }
        for m in self.re.find_iter(text) {
            out.push(RawFinding::new(
                Category::Email,
                m.range(),
                "email",
                0.99,
                "address syntax",
            ));
        }
    }
}
