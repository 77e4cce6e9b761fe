//! 電話番号: Japanese telephone numbers.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Finds Japanese telephone numbers.
pub struct PhoneDetector {
    re: Regex,
}

impl PhoneDetector {
    /// Compiles the candidate pattern.
    pub fn new() -> Self {
        PhoneDetector {
            re: Regex::new(r"0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{4}").expect("static pattern"),
        }
    }
}

impl Default for PhoneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for PhoneDetector {
    fn name(&self) -> &'static str {
        "phone"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        for m in self.re.find_iter(doc.text()) {
            out.push(RawFinding::new(
                Category::Phone,
                m.range(),
                "phone",
                0.8,
                "numbering plan",
            ));
        }
    }
}
