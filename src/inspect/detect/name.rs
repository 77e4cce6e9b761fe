//! 氏名: personal names.

use super::Detector;
use crate::inspect::{Category, Document, PosTag, RawFinding};

/// Finds personal names from morphological tags and context.
pub struct NameDetector;

impl NameDetector {
    /// Builds the detector.
    pub fn new() -> Self {
        NameDetector
    }
}

impl Default for NameDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for NameDetector {
    fn name(&self) -> &'static str {
        "name"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let toks = doc.tokens();
        let mut i = 0;
        while i < toks.len() {
            if toks[i].pos == PosTag::Surname {
                let start = toks[i].range.start;
                let mut end = toks[i].range.end;
                let mut j = i + 1;
                if j < toks.len() && toks[j].pos == PosTag::GivenName {
                    end = toks[j].range.end;
                    j += 1;
                }
                let has_suffix = j < toks.len() && toks[j].pos == PosTag::PersonSuffix;
                if has_suffix || j > i + 1 {
                    out.push(RawFinding::new(
                        Category::Name,
                        start..end,
                        "name.morph",
                        0.8,
                        "person-name tags",
                    ));
                }
                i = j;
            } else {
                i += 1;
            }
        }
    }
}
