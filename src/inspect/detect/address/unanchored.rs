//! Addresses written without their prefecture and municipality: a town name of
//! the gazetteer followed by a block number (`栄町1-7-3`, `本町二丁目3番4号`,
//! `旭町2-9-1 旭町住宅3-105`), and Hokkaido grid addresses (`南3条西5丁目2-8`,
//! `南3西5-2-8`, `北1条東2丁目`), and Kyoto street addresses with a house number
//! (`烏丸通四条上る笋町123`).
//!
//! Without a municipality the town name is weak evidence (本町, 栄町, 中央 are
//! words too), so the numbers after it must have the shape of a block number:
//! three numbers (`1-7-3`), or a unit word (`2丁目3番`, `5番地`), or two numbers
//! after a name ending like a town (`栄町3-2`). A town alone (`栄町で会議`), a town
//! and a count (`本町3人`), a town and a lone `2丁目` are not addresses.
//!
//! Cost: one pass over the bytes; at each digit run that directly follows a
//! kanji or kana, a bounded street read and, only when it has the shape, a
//! bounded look-back in the gazetteer; at each 東西南北 and 通 a bounded read.
//! Linear in the text.

use std::ops::Range;

use super::gazetteer::Gazetteer;
use super::street::{
    char_at, char_before, is_kanji, is_katakana, is_kyoto_street, kanji_number, parse_building,
    parse_street, scan_town, Street,
};
use crate::inspect::{Category, RawFinding};

/// Confidence of a gazetteer town and a block number with no municipality.
const CONF_TOWN: f32 = 0.8;
/// Confidence of a Hokkaido grid address (`南3条西5丁目`) with no municipality.
const CONF_GRID: f32 = 0.85;

/// Fewest characters of a town name read without a municipality: one-character
/// towns (東, 港, 表) are ordinary words before a number.
const MIN_TOWN_CHARS: usize = 2;

/// Endings of a town name after which two dash-joined numbers are a block number
/// (`栄町3-2`, `旭ケ丘1-5`); after other names (`平和`, `中央`) three are needed.
const TOWN_ENDINGS: &[char] = &['町', '丁', '通', '台', '丘', '条', '郷'];

/// Whether `c`, right before a town or grid address, starts it at a word
/// boundary: not inside a kanji, katakana or Latin word (`新栄町` is no 栄町).
#[inline]
fn is_boundary_before(c: Option<char>) -> bool {
    c.is_none_or(|c| !(is_kanji(c) || is_katakana(c) || c.is_ascii_alphanumeric()))
}

/// Whether a range overlaps one already reported.
#[inline]
fn overlaps(found: &[Range<usize>], r: &Range<usize>) -> bool {
    found.iter().any(|f| f.start < r.end && r.start < f.end)
}

/// Reports the address `span` of `t`, extended over a building, room or floor after
/// it, unless it overlaps an address already `found`.
fn push_address(
    t: &str,
    found: &[Range<usize>],
    out: &mut Vec<RawFinding>,
    span: Range<usize>,
    rule: &'static str,
    confidence: f32,
    reason: &'static str,
) {
    let end = parse_building(t, span.end).unwrap_or(span.end);
    let span = span.start..end;
    if !overlaps(found, &span) {
        out.push(RawFinding::new(
            Category::Address,
            span,
            rule,
            confidence,
            reason,
        ));
    }
}

/// `栄町1-7-3`: a town name of any municipality directly (or after one space)
/// before a block number. `t` is the detection view, `g` its folded form (same
/// offsets); `found` are the addresses already reported.
pub(super) fn town_addresses(
    gz: &Gazetteer,
    t: &str,
    g: &str,
    found: &[Range<usize>],
    out: &mut Vec<RawFinding>,
) {
    let b = t.as_bytes();
    for i in 1..b.len() {
        // The first digit of a run, after a non-ASCII character or one space.
        if !b[i].is_ascii_digit() || b[i - 1].is_ascii_digit() {
            continue;
        }
        let town_end = if b[i - 1] == b' ' { i - 1 } else { i };
        if town_end == 0 || b[town_end - 1] < 0x80 {
            continue;
        }
        let Some(s) = parse_street(t, i) else {
            continue;
        };
        if !s.strong {
            continue;
        }
        let Some(start) = gz.any_town_ending_at(g, town_end, MIN_TOWN_CHARS) else {
            continue;
        };
        if !is_block_number(&s, &t[start..town_end]) || !is_boundary_before(char_before(t, start)) {
            continue;
        }
        push_address(
            t,
            found,
            out,
            start..s.end,
            "address.town",
            CONF_TOWN,
            "gazetteer town + block number",
        );
    }
}

/// Whether street numbers after a town with no municipality have the shape of a
/// block number (see the module header).
fn is_block_number(s: &Street, town: &str) -> bool {
    s.worded || s.numbers >= 3 || (s.numbers == 2 && town.ends_with(TOWN_ENDINGS))
}

/// Whether two grid directions cross: 南/北 with 東/西.
#[inline]
fn crosses(a: char, b: char) -> bool {
    matches!(
        (a, b),
        ('南' | '北', '東' | '西') | ('東' | '西', '南' | '北')
    )
}

/// Hokkaido grid addresses with no municipality: `南3条西5丁目2-8`,
/// `北1条東2丁目`, and the short form `南3西5-2-8` (a block after it required).
pub(super) fn grid_addresses(t: &str, found: &[Range<usize>], out: &mut Vec<RawFinding>) {
    for (p, d1) in t.match_indices(['東', '西', '南', '北']) {
        let Some(d1) = d1.chars().next() else {
            continue;
        };
        if !is_boundary_before(char_before(t, p)) {
            continue;
        }
        let Some(end) = grid_at(t, p + d1.len_utf8(), d1) else {
            continue;
        };
        push_address(
            t,
            found,
            out,
            p..end,
            "address.grid",
            CONF_GRID,
            "grid block (条/丁目) + number",
        );
    }
}

/// Reads the rest of a grid address after its first direction `d1` (at `at`);
/// returns its end.
fn grid_at(t: &str, at: usize, d1: char) -> Option<usize> {
    let n1_end = number(t, at)?;
    if t[n1_end..].starts_with('条') {
        // 南3条西5丁目…: the second direction, a number and 丁目.
        let d2_at = n1_end + '条'.len_utf8();
        let d2 = char_at(t, d2_at).filter(|&d2| crosses(d1, d2))?;
        let n2_at = d2_at + d2.len_utf8();
        let n2_end = number(t, n2_at)?;
        if !t[n2_end..].starts_with("丁目") {
            return None;
        }
        let chome_end = n2_end + "丁目".len();
        // The block and house numbers after 丁目, if any.
        let rest = match parse_street(t, n2_at) {
            Some(s) if s.end > chome_end => s.end,
            _ => chome_end,
        };
        return Some(rest);
    }
    // 南3西5-2-8: the short form, only with the block after it.
    let d2 = char_at(t, n1_end).filter(|&d2| crosses(d1, d2))?;
    let n2_at = n1_end + d2.len_utf8();
    let s = parse_street(t, n2_at)?;
    (s.numbers >= 2 && !s.worded).then_some(s.end)
}

/// Confidence of a Kyoto street address (`…通…上る…123`) with no municipality.
const CONF_KYOTO: f32 = 0.85;

/// Most characters of the street name before 通 (`西洞院通`).
const MAX_STREET_CHARS: usize = 4;

/// Kyoto street addresses with no municipality: a street (`烏丸通`), its cross
/// street and direction (`四条上る`, `西入`), a town and a house number, as the
/// municipality-anchored reader takes them after `京都市中京区`. The directions
/// alone, with no number (`烏丸通四条上るの店`), are a place, not an address.
pub(super) fn kyoto_addresses(t: &str, found: &[Range<usize>], out: &mut Vec<RawFinding>) {
    for (dori, _) in t.match_indices('通') {
        // The street name before 通: a few kanji or katakana after a boundary.
        let mut start = dori;
        for _ in 0..MAX_STREET_CHARS {
            match char_before(t, start) {
                Some(c) if is_kanji(c) || is_katakana(c) => start -= c.len_utf8(),
                _ => break,
            }
        }
        if start == dori || !is_boundary_before(char_before(t, start)) {
            continue;
        }
        let town_end = scan_town(t, start);
        if town_end <= dori || !is_kyoto_street(&t[start..town_end]) {
            continue;
        }
        let Some(s) = parse_street(t, town_end) else {
            continue;
        };
        push_address(
            t,
            found,
            out,
            start..s.end,
            "address.kyoto",
            CONF_KYOTO,
            "Kyoto street directions + house number",
        );
    }
}

/// Reads a grid number (one or two ASCII digits, or kanji numerals) at `at`.
fn number(t: &str, at: usize) -> Option<usize> {
    let b = t.as_bytes();
    let digits = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    match digits {
        1 | 2 => Some(at + digits),
        0 => kanji_number(t, at),
        _ => None,
    }
}
