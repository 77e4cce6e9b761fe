//! 個人番号 (My Number): 12 digits whose check digit is valid.
//!
//! Written as 12 digits in a row or grouped 4-4-4 by spaces or hyphens (a hyphen may
//! be set off by spaces: `1234 - 5678 - 9012`), in any of the digit forms the
//! normalized view folds (full-width, kanji). A candidate is
//! reported only when:
//!
//! - it is not part of a longer run of digits (`12345678901234`, or a fourth group
//!   across the same separator as in `1234 5678 9012 3456`);
//! - its check digit is valid (番号法施行令 第8条), see [`check_digit_valid`];
//! - its context does not say it is another kind of number: a reference label or cue
//!   (受付番号, 送り状番号, 伝票番号, 例：…) with no My Number keyword near
//!   (マイナンバー, 個人番号 …). The rule and its linguistic reason are in `context`.
//!
//! Each finding names its rule: `my_number.keyword` when a keyword or label says so
//! (higher confidence), `my_number.check_digit` when nothing is said — a bare valid
//! number is still blocked (fail closed).

use regex::Regex;

use self::context::Context;
use super::phone::ColumnMemo;
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
            re: Regex::new(r"[0-9]{4}(?: ?- ?|[ \-])?[0-9]{4}(?: ?- ?|[ \-])?[0-9]{4}")
                .expect("static pattern"),
        }
    }
}

impl Default for MyNumberDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Validates the check digit of a 12-digit individual number (番号法施行令 第8条).
///
/// With `P_n` the n-th of the first eleven digits counted from the right and
/// `Q_n = n + 1` (n ≤ 6) or `n − 5` (n ≥ 7), the check digit is
/// `11 − (Σ P_n·Q_n mod 11)`, or 0 when the remainder is 0 or 1.
///
/// ```
/// use sekimori::inspect::detect::my_number::check_digit_valid;
/// assert!(check_digit_valid(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 8]));
/// assert!(!check_digit_valid(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]));
/// ```
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
        let mut memo = ColumnMemo::default();
        let mut at = 0;
        while let Some(m) = self.re.find_at(text, at) {
            let (s, e) = (m.start(), m.end());
            let separator = m.as_str().bytes().find(|b| !b.is_ascii_digit());
            if glued(bytes, s, e, separator) {
                // Skip this group of digits: no 12-digit number inside a longer run.
                at = skip_digit_run(bytes, s);
                continue;
            }
            at = e;
            let mut digits = [0u8; 12];
            for (d, b) in digits
                .iter_mut()
                .zip(m.as_str().bytes().filter(u8::is_ascii_digit))
            {
                *d = b - b'0';
            }
            if !check_digit_valid(&digits) {
                continue;
            }
            let (rule, confidence, reason) = match context::context(text, s, e, &mut memo) {
                // 受付番号 9141-…, 例：…: another kind of number (see `context`).
                Context::Reference => continue,
                Context::MyNumber => ("my_number.keyword", 0.99, "keyword and valid check digit"),
                Context::Unknown => ("my_number.check_digit", 0.9, "valid check digit"),
            };
            out.push(RawFinding::new(
                Category::MyNumber,
                s..e,
                rule,
                confidence,
                reason,
            ));
        }
    }
}

/// Whether the candidate `s..e` continues into neighbouring digits: directly, across a
/// hyphen, or across the separator the candidate itself uses (`1234 5678 9012 3456`,
/// `1234 - 5678 - 9012 - 3456`).
fn glued(bytes: &[u8], s: usize, e: usize, separator: Option<u8>) -> bool {
    let spaced = separator == Some(b' ');
    let digit_at = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
    digit_at(s.checked_sub(1))
        || digit_at(Some(e))
        || s.checked_sub(1)
            .is_some_and(|i| digit_across(bytes, i, false, spaced))
        || digit_across(bytes, e, true, spaced)
}

/// Whether a digit follows a joint read from byte `from` onwards (`forward`) or
/// backwards: a `-`, or, when the candidate is `spaced`, a space, ` - `, ` -` or `- `.
fn digit_across(bytes: &[u8], from: usize, forward: bool, spaced: bool) -> bool {
    let get = |i: Option<usize>| i.and_then(|i| bytes.get(i).copied());
    let step = |i: Option<usize>| {
        i.and_then(|i| {
            if forward {
                i.checked_add(1)
            } else {
                i.checked_sub(1)
            }
        })
    };
    let mut i = Some(from);
    let mut consumed = false;
    if spaced && get(i) == Some(b' ') {
        consumed = true;
        i = step(i);
    }
    if get(i) == Some(b'-') {
        consumed = true;
        i = step(i);
        if spaced && get(i) == Some(b' ') {
            i = step(i);
        }
    }
    consumed && get(i).is_some_and(|b| b.is_ascii_digit())
}

/// The first byte after the run of digits that starts at `s` (the next search starts
/// at the next group, so `1234 914168818043` still finds the second number while a
/// 14-digit run yields nothing).
fn skip_digit_run(bytes: &[u8], s: usize) -> usize {
    let mut i = s;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    i.max(s + 1)
}

mod context;

#[cfg(test)]
mod tests;
