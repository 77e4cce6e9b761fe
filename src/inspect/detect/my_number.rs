//! 個人番号 (My Number): 12 digits whose check digit is valid.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// Finds 12-digit My Numbers (optionally grouped 4-4-4 by spaces or hyphens).
pub struct MyNumberDetector {
    re: Regex,
}

impl MyNumberDetector {
    /// Compiles the pattern.
    pub fn new() -> Self {
        MyNumberDetector {
            re: Regex::new(r"[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}").expect("static pattern"),
        }
    }
}

impl Default for MyNumberDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Validates the check digit of a 12-digit individual number (番号法施行令 第8条).
pub fn check_digit_valid(digits: &[u8; 12]) -> bool {
    let mut sum = 0u32;
    for n in 1..=11 {
        let p = digits[11 - n] as u32;
        let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    check == digits[11] as u32
}

impl Detector for MyNumberDetector {
    fn name(&self) -> &'static str {
        "my_number"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let text = doc.text();
        let bytes = text.as_bytes();
        for m in self.re.find_iter(text) {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(|b| b.is_ascii_digit())
                || after.is_some_and(|b| b.is_ascii_digit())
            {
                continue;
            }
            let mut digits = [0u8; 12];
            let mut k = 0;
            for b in m.as_str().bytes().filter(u8::is_ascii_digit) {
                digits[k] = b - b'0';
                k += 1;
            }
            if k == 12 && check_digit_valid(&digits) {
                out.push(RawFinding::new(
                    Category::MyNumber,
                    m.range(),
                    "my_number",
                    0.9,
                    "valid check digit",
                ));
            }
        }
    }
}
