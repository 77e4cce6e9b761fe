//! 住所: street addresses and postal codes.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Finds addresses.
pub struct AddressDetector {
    postal: Regex,
}

impl AddressDetector {
    /// Builds the detector.
    pub fn new() -> Self {
        AddressDetector {
            postal: Regex::new(r"〒 ?[0-9]{3}-[0-9]{4}").expect("static pattern"),
        }
    }
}

impl Default for AddressDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for AddressDetector {
    fn name(&self) -> &'static str {
        "address"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        for m in self.postal.find_iter(doc.text()) {
            out.push(RawFinding::new(
                Category::Address,
                m.range(),
                "address.postal",
                0.9,
                "postal code",
            ));
        }
    }
}
