//! Step 8 of the normalization: a [`PART_SEPARATOR`] inside a Japanese word is
//! dropped.
//!
//! When the request's parts are joined into one text (two messages, two content
//! parts), a part that ends in the middle of a word — `…担当は森川` + `陽菜です` — leaves
//! the separator between two halves of one name. Word-level detectors stop at the
//! separator (it is a line break), so the surname would pass while the given name is
//! found. Between two kanji or kana nothing separates words in written Japanese, so
//! the joint is no boundary a writer made: it is dropped and the detectors see the
//! word whole (the offset map still covers it, so a finding across it is split back
//! to both parts). A joint next to punctuation, a space, a digit or a Latin letter
//! stays a boundary.
//!
//! [`PART_SEPARATOR`]: crate::text::PART_SEPARATOR

use super::Piece;
use crate::text::PART_SEPARATOR;

/// Kanji (with 々 and 〆) and kana, the letters of a Japanese word.
fn is_japanese_letter(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{309F}' // hiragana
        | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' // katakana, ー
        | '\u{3005}' | '\u{3006}' // 々 〆
        | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

/// Drops each part separator of `p` that stands between two Japanese letters.
pub(super) fn join_word_joints(p: &mut Vec<Piece>) {
    if !p.iter().any(|x| x.c == PART_SEPARATOR) {
        return;
    }
    let drop: Vec<bool> = (0..p.len())
        .map(|i| {
            p[i].c == PART_SEPARATOR
                && i > 0
                && i + 1 < p.len()
                && is_japanese_letter(p[i - 1].c)
                && is_japanese_letter(p[i + 1].c)
        })
        .collect();
    let mut k = 0;
    p.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}
