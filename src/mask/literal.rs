//! Placeholder look-alikes the user typed (`〔氏名1〕` in a letter template, or a
//! code copied from somewhere): found in the prompt and escaped, so the answer gives
//! them back exactly as typed and never in place of a masked value.
//!
//! A look-alike is `〔`, one to [`MAX_INNER_CHARS`] characters without whitespace or
//! brackets ending in an ASCII letter or digit, and `〕` — the shape of every
//! placeholder Sekimori issues or ever issued (`〔氏名1〕`, `〔氏名-K7Q2MX〕`, a word
//! list's `〔社外秘3〕`). Its escaped form puts [`ESCAPE`] (U+2060 WORD JOINER,
//! invisible) after the `〔`; issued placeholders never start with it, and escaping
//! an already escaped look-alike adds one more, so escaping is injective.

use super::{CLOSE, OPEN};

/// What an escaped look-alike carries after its opening bracket.
pub const ESCAPE: char = '\u{2060}';

/// The longest inside of a look-alike, in characters.
pub const MAX_INNER_CHARS: usize = 40;

/// Byte ranges `(start, end)` of the look-alikes in `text`, brackets included, in
/// order and not overlapping.
pub(crate) fn find(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find(OPEN) {
        let start = from + rel;
        let inner_at = start + OPEN.len_utf8();
        let mut last = None;
        let mut end = None;
        for (n, (i, c)) in text[inner_at..].char_indices().enumerate() {
            if c == CLOSE {
                end = Some(inner_at + i + CLOSE.len_utf8());
                break;
            }
            if n >= MAX_INNER_CHARS || c == OPEN || c.is_whitespace() {
                break;
            }
            last = Some(c);
        }
        match (end, last) {
            (Some(end), Some(c)) if c.is_ascii_alphanumeric() => {
                out.push((start, end));
                from = end;
            }
            _ => from = inner_at,
        }
    }
    out
}

/// The longest escaped look-alike, in bytes (what a stream holds back at most for one).
pub const MAX_ESCAPED_BYTES: usize = 3 + 3 + 4 * MAX_INNER_CHARS + 3;

/// If `text` starts with an escaped look-alike (`〔` [`ESCAPE`] look-alike inside
/// `〕`), its length in bytes.
pub(crate) fn escaped_end(text: &str) -> Option<usize> {
    let rest = text.strip_prefix(OPEN)?.strip_prefix(ESCAPE)?;
    let close = rest.find(CLOSE)?;
    let unescaped = format!("{OPEN}{}", &rest[..close + CLOSE.len_utf8()]);
    let whole = find(&unescaped).first() == Some(&(0, unescaped.len()));
    whole.then_some(OPEN.len_utf8() + ESCAPE.len_utf8() + close + CLOSE.len_utf8())
}

/// Whether `tail` (starting with `〔`, no `〕` yet) may still become an escaped
/// look-alike, so a stream must hold it.
pub(crate) fn may_start_escaped(tail: &str) -> bool {
    let Some(rest) = tail.strip_prefix(OPEN) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(inner) = rest.strip_prefix(ESCAPE) else {
        return false;
    };
    inner.chars().count() <= MAX_INNER_CHARS + 1
        && !inner.chars().any(|c| c == OPEN || (c.is_whitespace()))
}

/// The escaped form of the look-alike `literal` (brackets included).
pub(crate) fn escape(literal: &str) -> String {
    let inner = &literal[OPEN.len_utf8()..];
    let mut out = String::with_capacity(literal.len() + ESCAPE.len_utf8());
    out.push(OPEN);
    out.push(ESCAPE);
    out.push_str(inner);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholder_shapes_only() {
        let text = "〔氏名1〕様 〔不明〕 〔氏名-K7Q2MX〕〔社外秘3〕 〔a b1〕 〔〔電話2〕 〔\u{2060}氏名1〕";
        let found: Vec<&str> = find(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(
            found,
            [
                "〔氏名1〕",
                "〔氏名-K7Q2MX〕",
                "〔社外秘3〕",
                "〔電話2〕",
                "〔\u{2060}氏名1〕"
            ]
        );
        assert!(find(&format!("〔{}1〕", "あ".repeat(MAX_INNER_CHARS))).is_empty());
        assert_eq!(escape("〔氏名1〕"), "〔\u{2060}氏名1〕");
        assert_eq!(
            escaped_end("〔\u{2060}氏名1〕様"),
            Some("〔\u{2060}氏名1〕".len())
        );
        assert_eq!(
            escaped_end("〔\u{2060}\u{2060}氏名1〕"),
            Some("〔\u{2060}\u{2060}氏名1〕".len())
        );
        assert_eq!(escaped_end("〔\u{2060}不明〕"), None);
        assert_eq!(escaped_end("〔氏名1〕"), None);
        assert!(may_start_escaped("〔") && may_start_escaped("〔\u{2060}氏"));
        assert!(!may_start_escaped("〔氏") && !may_start_escaped("〔\u{2060}a b"));
    }
}
