//! Step 7 of the normalization: inline markup inside a Japanese word is dropped.
//!
//! A name or address pasted from a web page or a word processor's HTML arrives with
//! its formatting inside the word: `山<b>田</b>太郎`, `<span>東京都</span>港区`, and
//! ruby with its reading, `<ruby>山田<rt>やまだ</rt></ruby>太郎`. A reader sees
//! `山田太郎`; the detectors saw a surname cut off from the given name, so the given
//! name was masked and the surname leaked.
//!
//! Why here and not in the name detector: inline (phrasing) markup is no part of the
//! text a reader reads, for every category alike (a name, an address, a banned word),
//! and the offset map already lets the detection view leave characters out — a
//! finding that spans the dropped markup maps back to the original with the markup
//! inside it, so masking removes the tags and the ruby reading with the name. What
//! *is* visible text — a letter-spaced surname (`山 田 太郎`) or a reading in
//! parentheses (`山田(やまだ)太郎`) — stays in the view, and the name detector decides
//! whether it splits a name (it knows the surname lists; see `join_split_surnames`).
//!
//! What is dropped: a chain of inline tags between two kanji or kana, open or closing
//! (`<b>`, `</span>`, `<font color="red">`, `<ruby>`, `<rb>`, `<wbr>` …), together with
//! ruby annotations inside the chain — an `<rt>` or `<rp>` element and its short
//! content (`<rt>やまだ</rt>`, `<rp>(</rp>`) — and runs of one to three `*` (Markdown
//! emphasis inside a word, `山**田**太郎`). Block and line tags (`<br>`, `<p>`, `<td>`,
//! `<li>`) separate words and stay, as does anything between Latin letters or digits.

use super::Piece;

/// Inline (phrasing) HTML elements whose tags may stand inside a word.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "del", "dfn", "em", "font", "i", "ins", "kbd",
    "mark", "nobr", "q", "rb", "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "tt", "u", "var", "wbr",
];

/// Ruby annotations: the element is dropped with its content (the reading).
const ANNOTATION_TAGS: &[&str] = &["rt", "rp"];

/// Longest tag, in characters (`<span class="…">`).
const MAX_TAG_CHARS: usize = 80;
/// Longest content of a ruby annotation, in characters.
const MAX_ANNOTATION_CHARS: usize = 16;
/// Most tags and annotations in one chain between two characters.
const MAX_CHAIN_ITEMS: usize = 8;
/// Longest run of `*` taken as emphasis.
const MAX_STARS: usize = 3;

/// Kanji and kana after normalization: the characters between which markup is dropped.
#[inline]
fn is_word_char(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3006 | 0x3041..=0x3096 | 0x309D..=0x309F | 0x30A1..=0x30FA
        | 0x30FC..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// A tag starting at `p[i]` (`<`): its end (after `>`), its lower-case name and
/// whether it is a closing tag.
fn tag_at(p: &[Piece], i: usize) -> Option<(usize, String, bool)> {
    if p.get(i)?.c != '<' {
        return None;
    }
    let mut k = i + 1;
    let closing = p.get(k).is_some_and(|x| x.c == '/');
    if closing {
        k += 1;
    }
    let mut name = String::new();
    while let Some(x) = p.get(k).filter(|x| x.c.is_ascii_alphanumeric()) {
        if name.len() >= 8 {
            return None;
        }
        name.push(x.c.to_ascii_lowercase());
        k += 1;
    }
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // Attributes up to `>`, no new tag inside.
    let limit = (i + MAX_TAG_CHARS).min(p.len());
    while k < limit {
        match p[k].c {
            '>' => return Some((k + 1, name, closing)),
            '<' | '\n' => return None,
            c if k == i + 1 + usize::from(closing) + name.len() && !matches!(c, ' ' | '/') => {
                return None
            }
            _ => k += 1,
        }
    }
    None
}

/// An `<rt>`/`<rp>` element starting at `p[i]`: its end, after the closing tag.
fn annotation_at(p: &[Piece], i: usize) -> Option<usize> {
    let (mut k, name, closing) = tag_at(p, i)?;
    if closing || !ANNOTATION_TAGS.contains(&name.as_str()) {
        return None;
    }
    let content_start = k;
    while k < p.len() && p[k].c != '<' {
        if k - content_start >= MAX_ANNOTATION_CHARS || p[k].c == '\n' {
            return None;
        }
        k += 1;
    }
    let (end, close_name, close) = tag_at(p, k)?;
    (close && close_name == name).then_some(end)
}

/// One item of a chain starting at `p[i]`: its end.
fn item_at(p: &[Piece], i: usize) -> Option<usize> {
    match p.get(i)?.c {
        '<' => annotation_at(p, i).or_else(|| {
            tag_at(p, i)
                .and_then(|(end, name, _)| INLINE_TAGS.contains(&name.as_str()).then_some(end))
        }),
        '*' => {
            let n = p[i..]
                .iter()
                .take(MAX_STARS + 1)
                .take_while(|x| x.c == '*')
                .count();
            (n <= MAX_STARS).then_some(i + n)
        }
        _ => None,
    }
}

/// Drops inline markup between two kanji or kana (see the module header).
pub(super) fn drop_inline_markup(p: &mut Vec<Piece>) {
    if !p.iter().any(|x| matches!(x.c, '<' | '*')) {
        return;
    }
    let mut out: Vec<Piece> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let c = p[i].c;
        if matches!(c, '<' | '*') && out.last().is_some_and(|x| is_word_char(x.c)) {
            let mut j = i;
            let mut items = 0;
            while items < MAX_CHAIN_ITEMS {
                match item_at(p, j) {
                    Some(e) => {
                        j = e;
                        items += 1;
                    }
                    None => break,
                }
            }
            if j > i && p.get(j).is_some_and(|x| is_word_char(x.c)) {
                i = j;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    *p = out;
}
