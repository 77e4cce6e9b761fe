//! E-mail addresses.
//!
//! Matched on the normalized view, where full-width forms (`ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ`)
//! are already ASCII. The domain is a dot-separated list of DNS labels (letters,
//! digits, inner hyphens) ending in an alphabetic or `xn--` top-level label, so
//! trailing punctuation (`。`, `.`, `)`, `、`) is never part of the span. A match glued
//! to more address characters on the right (`a@b.c_d`) is dropped; a local part longer
//! than the pattern allows is widened to its start so the whole address is masked.
//!
//! Addresses written against harvesting, `taro(at)example.jp`, `taro [at] example.jp`,
//! `taro（アットマーク）example.jp`, are found too (the span covers the spelled-out @):
//! they reach a resident's inbox just the same.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Local part, `@` (or a spam-proofed `(at)`, `[at]`, `(アット)`, `(アットマーク)`,
/// possibly set off by spaces), labels, top-level label.
const PATTERN: &str = r"(?x)
    [A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}
    (?: @ | (?P<at> \x20?[(\[](?:at|AT|At|アットマーク|アット)[)\]]\x20? ) )
    (?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+
    (?:xn--[A-Za-z0-9\-]{1,59}|[A-Za-z]{2,24})
";

/// Finds e-mail addresses in the normalized text (full-width forms are already ASCII).
pub struct EmailDetector {
    re: Regex,
}

impl EmailDetector {
    /// Compiles the pattern.
    pub fn new() -> Self {
        EmailDetector {
            re: Regex::new(PATTERN).expect("static e-mail pattern"),
        }
    }
}

impl Default for EmailDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Characters of the local part (for widening an over-long local part).
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

impl Detector for EmailDetector {
    fn name(&self) -> &'static str {
        "email"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let text = doc.text();
        let has = |s: &str| memchr::memmem::find(text.as_bytes(), s.as_bytes()).is_some();
        if !text.contains('@')
            && !has("at)")
            && !has("at]")
            && !has("アット")
            && !has("AT)")
            && !has("AT]")
        {
            return;
        }
        let bytes = text.as_bytes();
        for caps in self.re.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let spam_proofed = caps.name("at").is_some();
            // The top-level label must end the address: "a@b.jp_x" or "a@b.jp0" is
            // something else (a '-' or '.' after it is punctuation or a new word).
            if bytes
                .get(m.end())
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
            {
                continue;
            }
            let mut start = m.start();
            while start > 0 && is_local_byte(bytes[start - 1]) {
                start -= 1;
            }
            while start < m.start() && !bytes[start].is_ascii_alphanumeric() {
                start += 1;
            }
            let (confidence, reason) = if spam_proofed {
                (0.95, "address syntax with a spelled-out @")
            } else {
                (0.99, "address syntax")
            };
            out.push(RawFinding::new(
                Category::Email,
                start..m.end(),
                "email",
                confidence,
                reason,
            ));
        }
    }
}

#[cfg(test)]
mod tests;
