//! Step 6 of the normalization: digit groups split by line breaks, control characters
//! and stray symbols are joined again.
//!
//! A number copied out of a form or a table arrives with whatever stood between its
//! boxes: `1234\n5678\n9012`, `090\t1234\t5678`, `03/1234/5678`, `090と1234と5678`,
//! a NUL or DEL from a badly exported file, or the [`PART_SEPARATOR`] where one number
//! was split across two messages. The detectors only know spaces and dashes between
//! digit groups, so such a chain is joined here: its separators are dropped and the
//! detectors see the digits in a row (the offset map still covers the whole original
//! chain, separators included).
//!
//! Only chains shaped like the numbers the detectors look for are joined, so that
//! tables of figures, dates and addresses are left alone:
//! - 10 or 11 digits starting with `0` in two or three groups, the first of 2–5 digits
//!   and (with three) the last of 4: a telephone number;
//! - 12 digits grouped 4-4-4, or twelve single digits (a form's boxes), or two groups
//!   split by a line break, control character (not a tab: two cells of a table) or
//!   part separator (a number broken at the end of a line or of a message): an
//!   individual number.
//!
//! A chain qualifies only when at least one of its separators holds a *gap* character
//! ([`is_gap`]): chains of spaces and dashes alone are the detectors' own business.
//! Separators that mix two symbols (`03.1234-5678`, `2024/10-1234`) make no number:
//! whoever writes one writes it with one symbol, line breaks and spaces aside.
//!
//! [`PART_SEPARATOR`]: crate::text::PART_SEPARATOR

use super::Piece;

/// Characters at most in one separator between two digit groups (`\r\n`, ` / `).
const MAX_SEPARATOR_CHARS: usize = 3;

/// Groups tracked per chain; a longer chain is no number the detectors look for.
const MAX_GROUPS: usize = 12;

/// Line breaks and control characters, including the part separator (U+2029) and
/// the line separator (U+2028): what stands between two groups of a number broken
/// at a line's or a message's end.
#[inline]
fn is_break(c: char) -> bool {
    c.is_ascii_control() || matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Characters that never separate the groups of a written number but do turn up
/// between them in pasted text: breaks and controls, and `/ _ * 〜 ~ . | と`.
#[inline]
fn is_gap(c: char) -> bool {
    is_break(c) || matches!(c, '/' | '_' | '*' | '〜' | '~' | '.' | '|' | 'と')
}

/// Characters that may make up a separator between digit groups.
#[inline]
fn is_separator(c: char) -> bool {
    is_gap(c) || matches!(c, ' ' | '-')
}

/// One chain of digit groups: group sizes and, per separator, its piece range and
/// whether it is a break.
struct Chain {
    sizes: [u8; MAX_GROUPS],
    groups: usize,
    digits: usize,
    first_digit: char,
    has_gap: bool,
    separators_are_breaks: bool,
    /// The one symbol (not a space, break or control) its separators use so far.
    symbol: Option<char>,
    /// Its separators use two different symbols (`03.1234-5678`): no number.
    mixed_symbols: bool,
    too_long: bool,
}

impl Chain {
    fn shaped_like_a_number(&self) -> bool {
        if !self.has_gap || self.too_long || self.mixed_symbols || self.groups < 2 {
            return false;
        }
        let sizes = &self.sizes[..self.groups];
        let phone = matches!(self.digits, 10 | 11)
            && self.first_digit == '0'
            && (2..=5).contains(&sizes[0])
            && match self.groups {
                2 => true,
                3 => sizes[2] == 4,
                _ => false,
            };
        let my_number = self.digits == 12
            && (sizes == [4, 4, 4]
                || sizes.iter().all(|&s| s == 1)
                || (self.groups == 2 && self.separators_are_breaks));
        phone || my_number
    }
}

/// Joins the digit chains of `p` that [`Chain::shaped_like_a_number`] accepts by
/// dropping their separators.
pub(super) fn join_digit_gaps(p: &mut Vec<Piece>) {
    // Most texts have no gap character right after a digit: nothing to do.
    if !p
        .windows(2)
        .any(|w| w[0].c.is_ascii_digit() && is_separator(w[1].c) && w[1].c != '-')
    {
        return;
    }
    let mut drop: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < p.len() {
        if !p[i].c.is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut chain = Chain {
            sizes: [0; MAX_GROUPS],
            groups: 0,
            digits: 0,
            first_digit: p[i].c,
            has_gap: false,
            separators_are_breaks: true,
            symbol: None,
            mixed_symbols: false,
            too_long: false,
        };
        let mut separators: Vec<std::ops::Range<usize>> = Vec::new();
        loop {
            let start = i;
            while i < p.len() && p[i].c.is_ascii_digit() {
                i += 1;
            }
            let size = i - start;
            if chain.groups < MAX_GROUPS && size <= u8::MAX as usize {
                chain.sizes[chain.groups] = size as u8;
            } else {
                chain.too_long = true;
            }
            chain.groups += 1;
            chain.digits += size;
            let mut j = i;
            while j < p.len() && j - i < MAX_SEPARATOR_CHARS && is_separator(p[j].c) {
                j += 1;
            }
            if j == i || j >= p.len() || !p[j].c.is_ascii_digit() {
                break;
            }
            let sep = &p[i..j];
            chain.has_gap |= sep.iter().any(|x| is_gap(x.c));
            // A tab is a table's cell boundary, not a line's end: two cells of figures.
            chain.separators_are_breaks &= sep
                .iter()
                .all(|x| (is_break(x.c) && x.c != '\t') || x.c == ' ');
            for x in sep.iter().filter(|x| !is_break(x.c) && x.c != ' ') {
                match chain.symbol {
                    None => chain.symbol = Some(x.c),
                    Some(s) if s != x.c => chain.mixed_symbols = true,
                    Some(_) => {}
                }
            }
            separators.push(i..j);
            i = j;
        }
        if chain.shaped_like_a_number() {
            drop.extend(separators);
        }
    }
    if drop.is_empty() {
        return;
    }
    let mut next = drop.iter().peekable();
    let mut k = 0;
    p.retain(|_| {
        while next.peek().is_some_and(|r| r.end <= k) {
            next.next();
        }
        let keep = !next.peek().is_some_and(|r| r.contains(&k));
        k += 1;
        keep
    });
}
