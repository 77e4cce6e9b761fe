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

/// Readings of the digits, katakana and hiragana, longest first where one is a
/// prefix of another (キュウ before キュ… before ク).
const WORDS: &[(&str, char)] = &[
    ("ゼロ", '0'),
    ("レイ", '0'),
    ("マル", '0'),
    ("イチ", '1'),
    ("ヒト", '1'),
    ("ニー", '2'),
    ("ニ", '2'),
    ("サン", '3'),
    ("ヨン", '4'),
    ("ヨ", '4'),
    ("シ", '4'),
    ("ゴー", '5'),
    ("ゴ", '5'),
    ("ロク", '6'),
    ("ナナ", '7'),
    ("シチ", '7'),
    ("ハチ", '8'),
    ("キュウ", '9'),
    ("キュー", '9'),
    ("ク", '9'),
];

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

/// The digit word starting at `p[i]`: its digit and length in pieces, the longest
/// listed reading that matches (シチ before シ).
fn word_at(p: &[Piece], i: usize) -> Option<(char, usize)> {
    // The first characters of the readings: most kana start none.
    let first = p.get(i)?.c;
    if !matches!(
        katakana(first),
        'ゼ' | 'レ'
            | 'マ'
            | 'イ'
            | 'ヒ'
            | 'ニ'
            | 'サ'
            | 'ヨ'
            | 'シ'
            | 'ゴ'
            | 'ロ'
            | 'ナ'
            | 'ハ'
            | 'キ'
            | 'ク'
    ) {
        return None;
    }
    let mut best: Option<(char, usize)> = None;
    for (word, digit) in WORDS {
        let n = word.chars().count();
        if i + n <= p.len()
            && word
                .chars()
                .zip(&p[i..i + n])
                .all(|(w, x)| katakana(x.c) == w)
            && best.is_none_or(|(_, m)| n > m)
        {
            best = Some((*digit, n));
        }
    }
    best
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
    while i < p.len() {
        // A run: words, separated by at most two separator characters.
        let mut j = i;
        let mut words: Vec<(usize, char, usize)> = Vec::new();
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
        for (start, digit, n) in words {
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
