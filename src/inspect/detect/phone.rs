//! 電話番号: telephone numbers, Japanese and foreign.
//!
//! Two steps, both linear in the text:
//!
//! 1. a candidate pattern on the normalized view ([`Document::text`]: full-width and
//!    kanji digits are ASCII, dashes between digits are `-`, `（）` are `()`), covering
//!    the written forms of the Japanese numbering plan: `03-1234-5678`,
//!    `090 1234 5678`, `0312345678`, `03(1234)5678`, `(03)1234-5678`,
//!    `0120-123-456`, `0570-123-456`, `+81 90-1234-5678`, `+81-3-1234-5678`,
//!    `(+81)3-…`, `+81(0)3-…`, optionally followed by `内線 123`, `(内線123)` or
//!    `ext. 123` (kept in the span: an extension is part of the number); a `(代)` or
//!    `(代表)` after the number is not a digit and stays outside the span;
//! 2. validation against the numbering plan, held as data in `plan`: the block of the
//!    leading digits fixes the length and the rule the finding names
//!    (`phone.jp.fixed`, `phone.jp.mobile`, `phone.jp.toll_free`,
//!    `phone.jp.navi_dial`, `phone.jp.ip` …), and libphonenumber's metadata (the
//!    `phonenumber` crate) checks that the number is allocated.
//!
//! Foreign numbers in E.164 form (`+1 415 555 0132`, `+49 30 1234567`) are found
//! by `foreign` and validated against their country's plan (`phone.foreign`).
//!
//! A candidate is dropped when it is glued to other digits or letters (a longer
//! reference number, an ID), when it does not start with the trunk prefix `0` (or
//! `+81`), or when the label right before it names another kind of number
//! (受付番号, 顧客番号, 郵便番号, ISBN …, see `label`), or the
//! header of the table column it fills does (`顧客番号` over a CSV column, see
//! `column`). Dates,
//! amounts and postal codes never fit the pattern and the plan. A whole CSV cell
//! (`1,0312345678,…`) is a number of its own even after a digit and a comma.
//!
//! Group separators may be set off by spaces (`03 - 1234 - 5678`; the normalized view
//! has already turned `ー`, `－`, `‐` … between numbers into `-` and ideographic
//! spaces into spaces). The country code may be written without its plus
//! (`81-3-1234-5678`, `81 90 1234 5678`) when the rest is a valid national number
//! without trunk `0` and the form or a cue says it is a phone (see
//! `bare_country_code_ok`).
//!
//! Spans include the `+81` (or `81`) prefix, the parentheses and an extension.

use regex::Regex;

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};

/// The candidate pattern (normalized text). Alternatives are tried leftmost-first.
///
/// A group separator is a space, `.`, `・` or a dash with at most one space on each
/// side (`03 - 1234 - 5678`). `cc` is the country code written without `+`
/// (`81-3-1234-5678`, `81 90 1234 5678`), accepted only under the conditions of
/// [`bare_country_code_ok`].
const CANDIDATE: &str = r"(?x)
    (?:
        (?P<intl> \(\+81\)(?:\x20?-\x20?|\x20)? | \+81(?:\x20?-\x20?|\x20)?(?:\(0\)[\x20-]?)? )
      | (?P<cc> 81(?:\x20?-\x20?|\x20) )
    )?
    (?:
        \([0-9]{2,5}\)[\x20-]?[0-9]{1,4}(?:\x20?-\x20?|[\x20.])?[0-9]{3,4}   # (03)1234-5678
      | [0-9]{1,5}\([0-9]{1,4}\)\x20?[0-9]{3,4}                             # 03(1234)5678
      | [0-9]{1,5}(?:\x20?-\x20?|[\x20.・])[0-9]{1,4}(?:\x20?-\x20?|[\x20.・])[0-9]{3,4}
                                                                          # 03-1234-5678, 03 - 1234 - 5678
      | [0-9]{2,5}[\x20-][0-9]{5,8}                                         # 0120-123456
      | [0-9]{9,11}                                                         # 0312345678
    )
    (?P<ext>
        \x20?(?:内線|ext\.?|EXT\.?|Ext\.?)[\x20:]?[0-9]{1,5}
      | \x20?\((?:内線|ext\.?|EXT\.?|Ext\.?)[\x20:]?[0-9]{1,5}\)
    )?
";

/// Finds Japanese telephone numbers.
pub struct PhoneDetector {
    re: Regex,
}

impl PhoneDetector {
    /// Compiles the candidate pattern and loads the numbering-plan metadata, so the
    /// first scan does not pay for either.
    pub fn new() -> Self {
        // Forces the lazily decoded libphonenumber database now (engine build time).
        let _ = national_number_is_valid("312345678");
        PhoneDetector {
            re: Regex::new(CANDIDATE).expect("static phone pattern"),
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
        let text = doc.text();
        let bytes = text.as_bytes();
        let first = out.len();
        let mut memo = ColumnMemo::default();
        let mut at = 0;
        while let Some(caps) = search_start(bytes, at).and_then(|s| self.re.captures_at(text, s)) {
            let m = caps.get(0).expect("group 0 always matches");
            let prefix = if caps.name("intl").is_some() {
                Prefix::Plus
            } else if caps.name("cc").is_some() {
                Prefix::Bare
            } else {
                Prefix::None
            };
            match classify(text, m.range(), prefix, caps.name("ext"), &mut memo) {
                Some((confidence, rule)) => {
                    out.push(RawFinding::new(
                        Category::Phone,
                        m.range(),
                        rule,
                        confidence,
                        "numbering plan",
                    ));
                    at = m.end();
                }
                None => {
                    // Retry from the next group of digits inside the rejected candidate
                    // ("2 03-1234-5678" must still find the phone). Always advances.
                    let mut next = m.start() + 1;
                    while next < m.end() && bytes[next].is_ascii_digit() {
                        next += 1;
                    }
                    at = next;
                }
            }
            if at >= text.len() {
                break;
            }
        }
        foreign::find(text, out);
        out[first..].sort_by_key(|f| f.range.start);
    }
}

/// Where the search for the next candidate from byte `at` may start without missing
/// one: every candidate holds an ASCII digit and starts at most two bytes before its
/// first one, on a `(` or `+` (`(+81)`, `(03)`, `+81`), and the pattern has no
/// look-around. So the text before the next digit (most of a Japanese prompt) is not
/// searched at all; `None` when no digit follows.
fn search_start(bytes: &[u8], at: usize) -> Option<usize> {
    let digit = at + bytes.get(at..)?.iter().position(u8::is_ascii_digit)?;
    let mut start = digit;
    while start > at && digit - start < 2 && matches!(bytes[start - 1], b'(' | b'+') {
        start -= 1;
    }
    Some(start)
}

/// How a candidate writes the country before its national number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    /// No country code: the national number starts with the trunk prefix `0`.
    None,
    /// `+81`, `(+81)`, `+81(0)`.
    Plus,
    /// `81-` or `81 ` without the plus.
    Bare,
}

/// Decides whether the candidate at `range` is a phone number; returns its confidence
/// and the rule of its block in the numbering plan.
fn classify(
    text: &str,
    range: std::ops::Range<usize>,
    prefix: Prefix,
    ext: Option<regex::Match<'_>>,
    memo: &mut ColumnMemo,
) -> Option<(f32, &'static str)> {
    let bytes = text.as_bytes();
    if !(free_before(bytes, range.start) || csv_cell(text, range.clone()))
        || !free_after(bytes, range.end)
    {
        return None;
    }
    let body_end = ext.map_or(range.end, |e| e.start());
    let body = &text[range.start..body_end];
    // '.' and '・' as separators only when they are the only kind ("03.1234.5678").
    let kinds = [
        body.contains('.'),
        body.contains('・'),
        body.contains(['-', ' ']),
    ];
    if kinds.iter().filter(|&&k| k).count() > 1 && (kinds[0] || kinds[1]) {
        return None;
    }
    let mut digits = [0u8; 16];
    let mut n = 0;
    for b in body.bytes().filter(u8::is_ascii_digit) {
        if n == digits.len() {
            return None;
        }
        digits[n] = b;
        n += 1;
    }
    let digits = &digits[..n];
    let national = match prefix {
        // "+81" then the national number without its trunk 0 ("+81 03-…" is a common
        // slip: accept it, and "+81(0)3-…" which says so explicitly).
        Prefix::Plus => {
            let rest = digits.strip_prefix(b"81")?;
            rest.strip_prefix(b"0").unwrap_or(rest)
        }
        // "81 03-1234-5678" is rather a count followed by a domestic number: the
        // retry from the next digit group finds the latter.
        Prefix::Bare => digits.strip_prefix(b"81")?,
        Prefix::None => digits.strip_prefix(b"0")?,
    };
    // The plan's block for the leading digits fixes the length (9 or 10 digits after
    // the trunk 0) and the rule; libphonenumber's metadata checks the allocation.
    let national = std::str::from_utf8(national).ok()?;
    let block = plan::japanese_block(national)?;
    let label = label_before(text, range.start).or_else(|| column_label(text, range.clone(), memo));
    if prefix == Prefix::Bare {
        return bare_country_code_ok(text, range, body, label).then_some((0.8, block.rule));
    }
    let confidence = match label {
        Some(Label::Other | Label::MyNumber) => return None,
        Some(Label::Phone) => 0.95,
        None if prefix == Prefix::Plus || block.rule != plan::FIXED => 0.9,
        None => 0.85,
    };
    Some((confidence, block.rule))
}

/// Whether the candidate at `range` is a whole cell of a CSV row: a comma right
/// before it (also after a digit, as in `1,0312345678,…`, which [`free_before`]
/// refuses as a decimal comma), a cell end right after it, and at least two commas on
/// its line — a row, not a number written `1,0312345678`.
fn csv_cell(text: &str, range: std::ops::Range<usize>) -> bool {
    let bytes = text.as_bytes();
    if range.start == 0 || bytes[range.start - 1] != b',' {
        return false;
    }
    if !matches!(
        bytes.get(range.end),
        None | Some(b',' | b'\t' | b'\r' | b'\n' | b'"')
    ) {
        return false;
    }
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    text[line_start..line_end]
        .bytes()
        .filter(|&b| b == b',')
        .count()
        >= 2
}

/// Characters before a number searched for a phone cue (電話, TEL …).
const CUE_WINDOW_CHARS: usize = 16;

/// Words that say a nearby number is a telephone number.
const PHONE_CUES: &[&str] = &[
    "電話",
    "TEL",
    "Tel",
    "tel",
    "携帯",
    "FAX",
    "Fax",
    "ファックス",
    "ファクス",
    "☎",
    "国際",
    "海外から",
    "Phone",
    "phone",
    "PHONE",
    "連絡先",
];

/// Counters and units after which a number is a quantity, not a phone
/// ("81 3 1234 5678件" is a row of counts).
const QUANTITY_SUFFIXES: &[char] = &[
    '円', '件', '人', '名', '頁', '条', '号', '項', '%', '個', '回', '年', '月', '日', '世', '戸',
    '歳', '点', '枚', '台', '万', '億', 'ペ',
];

/// Whether a country code written without `+` (`81-3-1234-5678`, `81 90 1234 5678`)
/// is a phone number: its national number is already valid (no trunk `0`) and
///
/// - a phone label (電話, TEL …) stands right before it, or a phone cue shortly
///   before it; or
/// - it is written in hyphenated groups (`81-3-1234-5678`) and neither another
///   label (受付番号 …) nor a page or section mark (第, p., ページ) precedes it, nor a
///   counter (件, 円, 人 …) follows it.
///
/// A space-separated form without a cue (`81 3 1234 5678`) is a row of numbers as
/// often as a phone: left alone.
fn bare_country_code_ok(
    text: &str,
    range: std::ops::Range<usize>,
    body: &str,
    label: Option<Label>,
) -> bool {
    match label {
        Some(Label::Phone) => return true,
        Some(Label::Other | Label::MyNumber) => return false,
        None => {}
    }
    if text[range.end..]
        .chars()
        .next()
        .is_some_and(|c| QUANTITY_SUFFIXES.contains(&c))
    {
        return false;
    }
    let before = &text[..range.start];
    let window_start = before
        .char_indices()
        .rev()
        .nth(CUE_WINDOW_CHARS - 1)
        .map_or(0, |(i, _)| i);
    if PHONE_CUES
        .iter()
        .any(|cue| before[window_start..].contains(cue))
    {
        return true;
    }
    let hyphenated = body.contains('-') && !body.contains('.') && !body.contains('・');
    let marked = before
        .trim_end_matches(' ')
        .ends_with(['第', '約', '全', '計', 'p', 'P', '頁', '¥', '$', '#'])
        || before.trim_end_matches(' ').ends_with("ページ");
    hyphenated && !marked
}

/// Whether the byte before `start` lets a number begin there: not glued to a digit,
/// a Latin letter or reference-number punctuation. A `.` or `,` counts as glue only
/// after a digit (`1.0312…`, `1,0312…`), so `TEL.03-…` and CSV fields still match; a
/// `/` only after something other than a digit (a URL path, not a list of numbers).
fn free_before(bytes: &[u8], start: usize) -> bool {
    let Some(i) = start.checked_sub(1) else {
        return true;
    };
    match bytes[i] {
        b'.' | b',' => !i.checked_sub(1).is_some_and(|j| bytes[j].is_ascii_digit()),
        b'/' => i.checked_sub(1).is_some_and(|j| bytes[j].is_ascii_digit()),
        b => !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'_' | b'@' | b'#')),
    }
}

/// Whether the number may end at `end`: not followed by more digits, a digit group
/// across `-`, `.` or `(`, or the letters of an identifier. A `,` or `/` may separate
/// two numbers (`03-1234-5678/03-1234-5679`).
fn free_after(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@') => false,
        Some(b'-' | b'.' | b'(') => !bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(_) => true,
    }
}

mod column;
mod foreign;
mod label;
mod plan;

pub(crate) use self::column::{column_label, ColumnMemo};
pub(crate) use self::label::{compound_label_before, label_before, Label};
use self::plan::national_number_is_valid;

#[cfg(test)]
mod tests;
