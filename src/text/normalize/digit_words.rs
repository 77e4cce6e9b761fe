//! Part of step 5 of the normalization: a telephone or individual number read out in
//! katakana or hiragana digit words (`ゼロキューゼロ イチニーサンヨン …`) becomes digits.
//!
//! A number dictated over the phone and typed as heard, or spelled out to get past a
//! filter, is written as the readings of its digits. Single readings are common words
//! or word parts (サン in サンプル, ニ as a particle, ゴ in ゴール), so a run is only
//! read as digits when it is long: at least [`MIN_WORDS`] digit words in a row, with
//! nothing but spaces, dashes and commas between them — no word of Japanese prose is
//! ten digit readings long. Each word becomes one digit whose origin covers the word,
//! and the separators stay, so the digit-group detectors see `090 1234 5678`.

use super::Piece;

/// Digit words needed in one run (the shortest telephone number has ten digits).
const MIN_WORDS: usize = 10;

/// Between two digit words of one run.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | ',' | '、' | '・')
}

/// Hiragana to katakana (the readings are listed in katakana).
fn katakana(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        _ => c,
    }
}

/// The digit word starting at `p[i]`: its digit and length in pieces. The readings,
/// katakana (hiragana folded to them), longest first where one starts another:
/// ゼロ レイ マル 0, イチ ヒト 1, ニー ニ 2, サン 3, ヨン ヨ シ 4, ゴー ゴ 5, ロク 6,
/// ナナ シチ 7, ハチ 8, キュウ キュー ク 9.
fn word_at(p: &[Piece], i: usize) -> Option<(char, usize)> {
    let at = |k: usize| p.get(i + k).map(|x| katakana(x.c));
    let word = match (at(0)?, at(1)) {
        ('ゼ', Some('ロ')) | ('レ', Some('イ')) | ('マ', Some('ル')) => ('0', 2),
        ('イ', Some('チ')) | ('ヒ', Some('ト')) => ('1', 2),
        ('ニ', Some('ー')) => ('2', 2),
        ('ニ', _) => ('2', 1),
        ('サ', Some('ン')) => ('3', 2),
        ('ヨ', Some('ン')) => ('4', 2),
        ('ヨ', _) => ('4', 1),
        ('シ', Some('チ')) => ('7', 2),
        ('シ', _) => ('4', 1),
        ('ゴ', Some('ー')) => ('5', 2),
        ('ゴ', _) => ('5', 1),
        ('ロ', Some('ク')) => ('6', 2),
        ('ナ', Some('ナ')) => ('7', 2),
        ('ハ', Some('チ')) => ('8', 2),
        ('キ', Some('ュ')) if matches!(at(2), Some('ウ' | 'ー')) => ('9', 3),
        ('ク', _) => ('9', 1),
        _ => return None,
    };
    Some(word)
}

/// Rewrites long runs of digit words in `p` as digits (see the module documentation).
pub(super) fn fold_digit_words(p: &mut Vec<Piece>) {
    // Most texts hold no katakana or hiragana at all.
    if !p
        .iter()
        .any(|x| matches!(x.c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}'))
    {
        return;
    }
    let mut out: Option<Vec<Piece>> = None;
    let mut copied = 0;
    let mut i = 0;
    // One buffer for every attempt: に, し, く and ご start a one-word "run" at almost
    // every particle, and an allocation per attempt was most of this step's cost.
    let mut words: Vec<(usize, char, usize)> = Vec::new();
    while i < p.len() {
        // A run: words, separated by at most two separator characters.
        let mut j = i;
        words.clear();
        while let Some((digit, n)) = word_at(p, j) {
            words.push((j, digit, n));
            j += n;
            let mut k = j;
            while k < p.len() && k - j < 2 && is_separator(p[k].c) {
                k += 1;
            }
            if k > j && word_at(p, k).is_none() {
                break;
            }
            j = k;
        }
        if words.len() < MIN_WORDS || words.len() > 12 {
            i = if words.is_empty() {
                i + 1
            } else {
                j.max(i + 1)
            };
            continue;
        }
        let o = out.get_or_insert_with(|| Vec::with_capacity(p.len()));
        o.extend_from_slice(&p[copied..i]);
        let mut at = i;
        for &(start, digit, n) in &words {
            o.extend_from_slice(&p[at..start]); // separators stay
            o.push(Piece {
                c: digit,
                start: p[start].start,
                end: p[start + n - 1].end,
            });
            at = start + n;
        }
        copied = at;
        i = at.max(i + 1);
    }
    if let Some(mut o) = out {
        o.extend_from_slice(&p[copied..]);
        *p = o;
    }
}
