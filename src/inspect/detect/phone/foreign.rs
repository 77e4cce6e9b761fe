//! Foreign telephone numbers written in E.164 form: `+1 415 555 0132`,
//! `+49 30 1234567`, `+84 28 3823 4567`, `+1 (415) 555-0132`.
//!
//! From each `+` followed by a digit, digit groups are read across single
//! separators (a space, `-`, `.`, a dash set off by spaces, parentheses around a
//! group) up to [`plan::E164_MAX_DIGITS`] digits. The longest prefix ending at a
//! group boundary that libphonenumber's metadata accepts as a valid number of its
//! country is the phone ([`plan::foreign_number_is_valid`]), so a count written after
//! a number (`+1 415 555 0132 2名`) is left out. `+81` numbers are the Japanese
//! path's (the detector's candidate pattern); a foreign number glued to letters or
//! digits, or after a label of another kind of number, is not reported.

use super::plan::{self, E164_MAX_DIGITS};
use super::{csv_cell, free_after, free_before, label_before, Label};
use crate::inspect::{Category, RawFinding};

/// Confidence of a valid foreign number (a `+` and a country's plan agree).
const CONFIDENCE: f32 = 0.9;

/// Reports every foreign E.164 number in the normalized `text`.
pub(super) fn find(text: &str, out: &mut Vec<RawFinding>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'+', &bytes[from..]).map(|i| from + i) {
        from = i + 1;
        if !bytes.get(i + 1).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            continue;
        }
        if matches!(label_before(text, i), Some(Label::Other)) {
            continue;
        }
        if let Some(end) = longest_valid(bytes, i + 1) {
            if (free_before(bytes, i) || csv_cell(text, i..end)) && free_after(bytes, end) {
                // `(+84) 28 …`: the parentheses around the country code are the number's.
                let code = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let start =
                    if i > 0 && bytes[i - 1] == b'(' && bytes.get(i + 1 + code) == Some(&b')') {
                        i - 1
                    } else {
                        i
                    };
                out.push(RawFinding::new(
                    Category::Phone,
                    start..end,
                    plan::FOREIGN,
                    CONFIDENCE,
                    "numbering plan",
                ));
                from = end;
            }
        }
    }
}

/// The end of the longest valid number whose digits start at `start` (right after the
/// `+`), read group by group.
fn longest_valid(bytes: &[u8], start: usize) -> Option<usize> {
    let mut digits = String::with_capacity(E164_MAX_DIGITS);
    // (end byte of a group, digits read up to there)
    let mut ends: Vec<(usize, usize)> = Vec::new();
    let mut i = start;
    loop {
        let group_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            if digits.len() == E164_MAX_DIGITS {
                return None; // a longer run than any phone: an ID
            }
            digits.push(char::from(bytes[i]));
            i += 1;
        }
        if i == group_start {
            break;
        }
        let mut end = i;
        // A closing parenthesis belongs to its group: `+1 (415) 555-0132`.
        if bytes.get(i) == Some(&b')') {
            i += 1;
            if bytes.get(i) == Some(&b' ') || bytes.get(i) == Some(&b'-') {
                i += 1;
            }
        } else {
            ends.push((end, digits.len()));
            end = 0;
            match separator_len(&bytes[i..]) {
                Some(n) => i += n,
                None => break,
            }
        }
        if end != 0 {
            ends.push((end, digits.len()));
        }
        if bytes.get(i) == Some(&b'(') {
            i += 1;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            break;
        }
    }
    if digits.starts_with("81") {
        return None;
    }
    ends.iter()
        .rev()
        .find(|&&(_, n)| plan::foreign_number_is_valid(&digits[..n]))
        .map(|&(end, _)| end)
}

/// The length of a group separator at the start of `rest`: a space, `-` or `.`, or a
/// dash set off by spaces (`415 - 555`); `None` when no separator is there.
fn separator_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b' ', b'-', b' ', ..] => Some(3),
        [b' ', b'(', ..] => Some(1),
        [b' ' | b'-' | b'.', ..] => Some(1),
        _ => None,
    }
}
