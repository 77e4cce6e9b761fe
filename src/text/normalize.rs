//! The detection view of a text and its offset map.
//!
//! Steps, in order, each recorded in the offset map:
//! 1. invisible characters (zero-width, bidi controls, variation selectors, Unicode
//!    tag characters) are dropped;
//! 2. NFKC per character cluster (full-width digits and letters, half-width katakana
//!    with their voicing marks, circled digits, ideographic space); combining marks
//!    NFKC cannot compose with a kanji or kana (`山\u{301}田`, `太\u{3099}郎`) are
//!    dropped: Japanese writing has no accent or voicing mark on a kanji, and a kana
//!    takes only the voicing marks, which NFKC composes (`か\u{3099}` → `が`), so a
//!    mark left over is no part of the word, only a way to split it;
//! 3. decimal digits of other scripts (٠١٢, ०१२ …) become ASCII digits;
//! 4. kanji numerals become ASCII digits where the context is numeric: runs of three or
//!    more digit kanji (〇九〇…), or numerals next to digits, separators, 丁目, 番, 号, の;
//!    runs with 十/百/千 are read positionally (二十三 → 23); a short run joined to
//!    another number by a dash set off with spaces counts too (〇三 ‐ 一二三四);
//! 5. dashes and long vowel marks between digits become `-` (‐ ‑ ‒ – — ― − ー ─ …),
//!    also when set off by up to two spaces (`03 ー 1234`, ideographic spaces
//!    included; the spaces stay), and so does の between digits (一の二 → 1-2);
//!    ○ next to a digit becomes 0; a run of ten to twelve digit words in katakana or
//!    hiragana (`ゼロキューゼロ イチニーサンヨン …`) becomes digits (see [`digit_words`]);
//! 6. digit groups split by line breaks, control characters, the part separator or
//!    stray symbols (`1234\n5678\n9012`, `03/1234/5678`, `090と1234と5678`) are joined
//!    when the chain is shaped like a telephone or individual number (see
//!    [`digit_gaps`]);
//! 7. inline markup inside a Japanese word (`山<b>田</b>太郎`, ruby readings
//!    `山田<rt>やまだ</rt></ruby>太郎`, `山**田**`) is dropped (see [`markup`]);
//! 8. a part separator between two kanji or kana (a word split across two parts of a
//!    request, `森川` + `陽菜`) is dropped (see [`joints`]).
//!
//! Hiragana/katakana and variant-kanji folding is *not* applied here (it would spoil
//! morphological analysis); see [`crate::text::fold_for_words`], which preserves byte
//! lengths and so shares this map.

mod digit_gaps;
mod digit_words;
mod joints;
mod markup;

use std::ops::Range;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Unicode tag characters (U+E0000–U+E007F): invisible "ASCII smuggling" carriers.
pub const SMUGGLING_TAG_RANGE: Range<u32> = 0xE0000..0xE0080;

/// One normalized character and the original bytes it came from.
#[derive(Clone, Copy, Debug)]
struct CharOrigin {
    /// Byte offset of this character in the normalized text.
    norm_start: u32,
    /// Original byte range (start inclusive, end exclusive).
    orig_start: u32,
    orig_end: u32,
}

/// A normalized copy of a text plus the map from normalized to original offsets.
///
/// ```
/// use sekimori::text::Normalized;
/// let n = Normalized::new("電話：〇九〇ー１２３４－５６７８");
/// assert_eq!(n.as_str(), "電話:090-1234-5678");
/// let start = n.as_str().find("090").unwrap();
/// let r = n.to_original(start..n.as_str().len());
/// assert_eq!(&"電話：〇九〇ー１２３４－５６７８"[r], "〇九〇ー１２３４－５６７８");
/// ```
#[derive(Clone, Debug)]
pub struct Normalized {
    text: String,
    origins: Vec<CharOrigin>,
    original_len: usize,
    tag_characters: bool,
}

impl Normalized {
    /// Normalizes `original` for detection.
    pub fn new(original: &str) -> Self {
        let (mut pieces, tag_characters) = first_pass(original);
        fold_numeric_context(&mut pieces);
        digit_words::fold_digit_words(&mut pieces);
        digit_gaps::join_digit_gaps(&mut pieces);
        markup::drop_inline_markup(&mut pieces);
        joints::join_word_joints(&mut pieces);
        let mut text = String::with_capacity(original.len());
        // Pieces and origins have the same size: the map reuses the pieces' buffer.
        let origins: Vec<CharOrigin> = pieces
            .into_iter()
            .map(|p| {
                let o = CharOrigin {
                    norm_start: text.len() as u32,
                    orig_start: p.start,
                    orig_end: p.end,
                };
                text.push(p.c);
                o
            })
            .collect();
        Normalized {
            text,
            origins,
            original_len: original.len(),
            tag_characters,
        }
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the original contained Unicode tag characters (U+E0000–U+E007F),
    /// which carry invisible text and have no place in a prompt.
    pub fn contains_tag_characters(&self) -> bool {
        self.tag_characters
    }

    /// Maps a byte range of the normalized text (on character boundaries) to the byte
    /// range of the original text it was produced from.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        if self.origins.is_empty() {
            return 0..0;
        }
        let first = self.char_index_at(range.start);
        if range.end <= range.start {
            let at = self
                .origins
                .get(first)
                .map_or(self.original_len, |o| o.orig_start as usize);
            return at..at;
        }
        let last = self.char_index_at(range.end - 1);
        let start = self.origins[first].orig_start as usize;
        let end = self.origins[last].orig_end as usize;
        start..end.max(start)
    }

    /// Index into `origins` of the character containing normalized byte `at`.
    fn char_index_at(&self, at: usize) -> usize {
        let at = at as u32;
        let i = self.origins.partition_point(|o| o.norm_start <= at);
        i.saturating_sub(1).min(self.origins.len() - 1)
    }
}

/// A character of the detection view before its final placement.
#[derive(Clone, Copy, Debug)]
struct Piece {
    c: char,
    start: u32,
    end: u32,
}

/// Strips invisibles, applies NFKC per cluster and folds foreign decimal digits.
/// Returns the pieces and whether tag characters were seen.
fn first_pass(original: &str) -> (Vec<Piece>, bool) {
    let mut out = Vec::with_capacity(original.len() / 2 + 8);
    let mut tags = false;
    let bytes_len = original.len();
    let mut iter = original.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        // ASCII fast path (never followed by a combining mark that matters here).
        if c.is_ascii() && !matches!(iter.peek(), Some((_, n)) if is_combining(*n)) {
            out.push(Piece {
                c,
                start: start as u32,
                end: (start + 1) as u32,
            });
            continue;
        }
        if is_plain_japanese(c) && !matches!(iter.peek(), Some((_, n)) if is_combining(*n)) {
            out.push(Piece {
                c,
                start: start as u32,
                end: (start + c.len_utf8()) as u32,
            });
            continue;
        }
        if is_invisible(c) {
            if SMUGGLING_TAG_RANGE.contains(&(c as u32)) {
                tags = true;
            }
            continue;
        }
        // Gather a cluster: the base and any following combining marks.
        let mut end = start + c.len_utf8();
        let mut has_marks = false;
        while let Some(&(i, n)) = iter.peek() {
            if is_combining(n) {
                has_marks = true;
                end = i + n.len_utf8();
                iter.next();
            } else if is_invisible(n) && !SMUGGLING_TAG_RANGE.contains(&(n as u32)) {
                // Invisible characters inside a cluster are skipped too.
                end = i + n.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        let (s, e) = (start as u32, end.min(bytes_len) as u32);
        if !has_marks && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
            out.push(Piece {
                c: fold_decimal_digit(c),
                start: s,
                end: e,
            });
            continue;
        }
        let cluster = &original[start..end];
        // Marks NFKC leaves on a kanji or kana base cannot belong to it (step 2).
        let japanese_base = is_kanji_or_kana(c);
        for n in cluster.chars().filter(|ch| !is_invisible(*ch)).nfkc() {
            if is_invisible(n) || (japanese_base && is_leftover_mark(n)) {
                continue;
            }
            out.push(Piece {
                c: fold_decimal_digit(n),
                start: s,
                end: e,
            });
        }
    }
    (out, tags)
}

/// Characters of everyday Japanese text that NFKC leaves as they are and that never
/// combine: hiragana, katakana, the long vowel mark, CJK punctuation and the unified
/// ideographs. Checked first so that most characters skip the Unicode tables.
#[inline]
fn is_plain_japanese(c: char) -> bool {
    matches!(c as u32,
        0x3001..=0x3035 | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x30FC..=0x30FE | 0x4E00..=0x9FFF)
}

/// Combining marks that attach to the preceding character (including the half-width
/// voicing marks ﾞ ﾟ, which NFKC turns into combining marks).
#[inline]
fn is_combining(c: char) -> bool {
    !c.is_ascii()
        && !is_plain_japanese(c)
        && (canonical_combining_class(c) != 0 || matches!(c, '\u{FF9E}' | '\u{FF9F}'))
}

/// Kanji (unified ideographs, extension A, compatibility ideographs, 々 〆 ヶ) and
/// kana, before NFKC: the bases on which a left-over combining mark is dropped.
#[inline]
fn is_kanji_or_kana(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3006 | 0x3041..=0x3096 | 0x309D..=0x309F | 0x30A1..=0x30FA
        | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9D | 0x20000..=0x3FFFF)
}

/// A combining mark after NFKC (the voicing marks U+3099 and U+309A included):
/// one that did not compose with its base.
#[inline]
fn is_leftover_mark(c: char) -> bool {
    !c.is_ascii() && canonical_combining_class(c) != 0
}

/// Characters with no visible form that can hide text from a pattern.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE007F
        | 0xE0100..=0xE01EF)
}

/// Zero code points of the decimal-digit blocks NFKC leaves alone.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
];

/// Maps a decimal digit of another script to its ASCII digit.
#[inline]
fn fold_decimal_digit(c: char) -> char {
    let cp = c as u32;
    if !(0x0660..=0xABF9).contains(&cp) {
        return c;
    }
    for &zero in DIGIT_ZEROS {
        if (zero..zero + 10).contains(&cp) {
            return char::from(b'0' + (cp - zero) as u8);
        }
    }
    c
}

/// Value of a kanji numeral: digits 0–9, or the multipliers 十 百 千 as 10/100/1000.
#[inline]
fn kanji_numeral(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' => 1,
        '二' | '弐' => 2,
        '三' | '参' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Dash-like characters used as separators between digits.
#[inline]
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2043}'
            | '\u{2212}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{30FC}'
            | '\u{FE63}'
            | '\u{FF0D}'
    )
}

/// Folds kanji numerals, separators and ○ in numeric contexts (steps 4 and 5).
///
/// Works in place while every step writes one piece per piece read (nearly always):
/// `p[..i]` is then exactly what has been written so far (the look-back) and `p[i..]`
/// the untouched input (the look-ahead). A numeral run whose digits differ in count
/// from its characters (二十三 → 23) hands the rest to [`fold_copying`].
fn fold_numeric_context(p: &mut Vec<Piece>) {
    if !p.iter().any(|x| !x.c.is_ascii()) {
        return;
    }
    let mut i = 0;
    while i < p.len() {
        let c = p[i].c;
        if !may_matter(c) {
            // Neither a numeral nor a separator (most characters): nothing to fold.
            i += 1;
            continue;
        }
        if kanji_numeral(c).is_some() {
            let j = numeral_run_end(p, i);
            let prev = char_before_run(&p[..i]);
            if numeric_run(p, i, j, prev) {
                let digits = run_digits(&p[i..j]);
                if digits.chars().count() != j - i {
                    let mut out = Vec::with_capacity(p.len() + digits.len());
                    out.extend_from_slice(&p[..i]);
                    emit_run(&p[i..j], &mut out);
                    fold_copying(p, out, j);
                    return;
                }
                for (d, x) in digits.chars().zip(&mut p[i..j]) {
                    x.c = d;
                }
            }
            i = j;
            continue;
        }
        if may_fold(c) {
            let (out, input) = p.split_at(i);
            let folded = fold_one(out, input, c);
            p[i].c = folded;
        }
        i += 1;
    }
}

/// Every character [`fold_numeric_context`] may act on at the start of a step: the
/// kanji numerals and what [`may_fold`] accepts.
const FOLD_CANDIDATES: &str = "〇零一壱二弐三参四五六七八九十百千ーの○◯\
    \u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2043}\u{2212}\u{2500}\u{2501}\u{FE63}\u{FF0D}";

/// A 256-bit filter of [`FOLD_CANDIDATES`] by the low byte of the code point.
static FOLD_FILTER: [u64; 4] = fold_filter();

const fn fold_filter() -> [u64; 4] {
    let mut f = [0u64; 4];
    let b = FOLD_CANDIDATES.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Decode one UTF-8 character (the candidates are all two or three bytes).
        let (cp, len) = if b[i] >= 0xE0 {
            (
                ((b[i] as u32 & 0x0F) << 12)
                    | ((b[i + 1] as u32 & 0x3F) << 6)
                    | (b[i + 2] as u32 & 0x3F),
                3,
            )
        } else {
            (((b[i] as u32 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
        };
        f[((cp >> 6) & 3) as usize] |= 1 << (cp & 63);
        i += len;
    }
    f
}

/// Whether `c` may be a kanji numeral or a character [`may_fold`] accepts: a cheap
/// filter with false positives only, so that most characters skip both `match`es.
#[inline]
fn may_matter(c: char) -> bool {
    let cp = c as u32;
    !c.is_ascii() && FOLD_FILTER[((cp >> 6) & 3) as usize] & (1 << (cp & 63)) != 0
}

/// The end of the run of kanji numerals starting at `p[i]`.
fn numeral_run_end(p: &[Piece], i: usize) -> usize {
    let mut j = i;
    while j < p.len() && kanji_numeral(p[j].c).is_some() {
        j += 1;
    }
    j
}

/// The character before a numeral run, given what has been written before it: a dash
/// set off by spaces counts as the character before the run.
fn char_before_run(out: &[Piece]) -> Option<char> {
    match last_past_spaces(out) {
        Some(('-', true)) => Some('-'),
        _ => out.last().map(|x| x.c),
    }
}

/// Whether [`fold_one`] may change `c`: a dash, ー, の, ○ or ◯ (most characters of a
/// text are none of these and skip the context checks).
#[inline]
fn may_fold(c: char) -> bool {
    matches!(c, 'ー' | 'の' | '○' | '◯') || (c != '-' && is_dash(c))
}

/// The folded form of `c`, a character that is not a kanji numeral, at the start of
/// `input`, after `out` (what has been written so far).
#[inline]
fn fold_one(out: &[Piece], input: &[Piece], c: char) -> char {
    let prev_digit = out.last().is_some_and(|x| x.c.is_ascii_digit());
    let next = input.get(1).map(|x| x.c);
    let next_digit = next.is_some_and(|n| n.is_ascii_digit() || kanji_numeral(n).is_some());
    match c {
        '-' => c,
        'ー' | 'の' if prev_digit && next_digit => '-',
        c if c != 'ー' && is_dash(c) && (prev_digit || next_digit) => '-',
        // "03 ー 1234", "03　－　1234": a dash set off by spaces between two numbers.
        c if is_dash(c) && spaced_between_digits(out, input, 0) => '-',
        '○' | '◯' if prev_digit || next.is_some_and(|n| n.is_ascii_digit()) => '0',
        c => c,
    }
}

/// The general form of [`fold_numeric_context`] from `p[i]` on, writing into `out`
/// (which holds the folded `p[..i]`); `p` becomes `out`.
fn fold_copying(p: &mut Vec<Piece>, mut out: Vec<Piece>, mut i: usize) {
    while i < p.len() {
        let c = p[i].c;
        if kanji_numeral(c).is_some() {
            let j = numeral_run_end(p, i);
            if numeric_run(p, i, j, char_before_run(&out)) {
                emit_run(&p[i..j], &mut out);
            } else {
                out.extend_from_slice(&p[i..j]);
            }
            i = j;
            continue;
        }
        let folded = fold_one(&out, &p[i..], c);
        out.push(Piece { c: folded, ..p[i] });
        i += 1;
    }
    *p = out;
}

/// Spaces allowed on each side of a dash between two numbers (`03 - 1234`).
const MAX_SPACES_AROUND_DASH: usize = 2;

/// The index in `p` of the first character at or after `from` that is not a space,
/// looking past at most [`MAX_SPACES_AROUND_DASH`] spaces.
fn skip_spaces(p: &[Piece], from: usize) -> Option<usize> {
    (from..p.len())
        .take(MAX_SPACES_AROUND_DASH + 1)
        .find(|&k| p[k].c != ' ')
}

/// The last character written to `out` that is not a space, looking back past at most
/// [`MAX_SPACES_AROUND_DASH`] spaces, and whether any space was passed.
fn last_past_spaces(out: &[Piece]) -> Option<(char, bool)> {
    out.iter()
        .rev()
        .take(MAX_SPACES_AROUND_DASH + 1)
        .enumerate()
        .find(|(_, x)| x.c != ' ')
        .map(|(k, x)| (x.c, k > 0))
}

/// Whether the dash `p[i]` has spaces on at least one side and numbers on both
/// (`03 - 1234`, `〇三 ー 一二三四`): then it is a separator, not a long vowel.
fn spaced_between_digits(out: &[Piece], p: &[Piece], i: usize) -> bool {
    let Some((before, spaced_before)) = last_past_spaces(out) else {
        return false;
    };
    let Some(k) = skip_spaces(p, i + 1) else {
        return false;
    };
    let after = p[k].c;
    (spaced_before || k > i + 1)
        && before.is_ascii_digit()
        && (after.is_ascii_digit() || kanji_numeral(after).is_some_and(|v| v < 10))
}

/// Whether the kanji-numeral run `p[i..j]` stands in a numeric context.
fn numeric_run(p: &[Piece], i: usize, j: usize, prev: Option<char>) -> bool {
    let run = &p[i..j];
    let has_multiplier = run.iter().any(|x| matches!(x.c, '十' | '百' | '千'));
    if !has_multiplier && run.len() >= 3 {
        return true;
    }
    // A short run set off by spaces from a dash that joins it to another number
    // ("〇三 ‐ 一二三四"): look past the spaces on either side.
    if !has_multiplier {
        if let Some(k) = skip_spaces(p, j).filter(|&k| k > j && is_dash(p[k].c)) {
            if skip_spaces(p, k + 1).is_some_and(|m| {
                p[m].c.is_ascii_digit() || kanji_numeral(p[m].c).is_some_and(|v| v < 10)
            }) {
                return true;
            }
        }
    }
    let next = p.get(j).map(|x| x.c);
    // After a digit or separator the run continues a number, unless it starts a word
    // (〒299-0267千葉県, 3三重県): then the next character is another ideograph.
    if prev.is_some_and(|c| c.is_ascii_digit() || is_dash(c))
        && !next.is_some_and(|n| is_ideograph(n) && !matches!(n, '丁' | '番' | '号'))
    {
        return true;
    }
    match next {
        Some(n) if n.is_ascii_digit() || (is_dash(n) && n != 'ー') => true,
        Some('丁' | '番' | '号') => true,
        Some('の') => p
            .get(j + 1)
            .is_some_and(|x| x.c.is_ascii_digit() || kanji_numeral(x.c).is_some()),
        Some('ー') => p
            .get(j + 1)
            .is_some_and(|x| x.c.is_ascii_digit() || kanji_numeral(x.c).is_some_and(|v| v < 10)),
        _ => false,
    }
}

/// CJK unified ideographs (and the compatibility and extension blocks).
#[inline]
fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Writes the ASCII digits of a kanji-numeral run, each mapped to the whole run.
fn emit_run(run: &[Piece], out: &mut Vec<Piece>) {
    let (start, end) = (run[0].start, run[run.len() - 1].end);
    let digits = run_digits(run);
    // One output digit per input character where the counts agree keeps spans tight.
    if digits.chars().count() == run.len() {
        for (d, x) in digits.chars().zip(run) {
            out.push(Piece { c: d, ..*x });
        }
    } else {
        for d in digits.chars() {
            out.push(Piece { c: d, start, end });
        }
    }
}

/// The ASCII digits of a kanji-numeral run (read positionally when it has 十 百 千).
fn run_digits(run: &[Piece]) -> String {
    let positional = run.iter().any(|x| matches!(x.c, '十' | '百' | '千'));
    if positional {
        let (mut total, mut current) = (0u64, 0u64);
        for x in run {
            let v = kanji_numeral(x.c).unwrap_or(0) as u64;
            if v >= 10 {
                total += current.max(1) * v;
                current = 0;
            } else {
                current = current * 10 + v;
            }
        }
        (total + current).to_string()
    } else {
        run.iter()
            .map(|x| char::from(b'0' + kanji_numeral(x.c).unwrap_or(0) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests;
