//! Surnames split from the given name by visible text: a letter-spaced surname
//! (`山 田 太郎さん`) or a reading in parentheses between surname and given name
//! (`山田(やまだ)太郎さん`).
//!
//! Linguistic reason: forms and name plates space out the characters of a short
//! surname to align it with longer ones, and a reading (furigana) written inline in
//! parentheses follows the part it reads, so a name can be read in two pieces. The
//! other passes then find only the given name (`太郎`, or `田 太郎` with the one-kanji
//! surname 田), and masking it leaves the surname in the prompt. Here a name found by
//! any pass is extended to the left over such a gap when the piece before it makes a
//! listed surname:
//!
//! - `(reading)` right before the name, with a kana reading of two to twelve kana, and
//!   a listed kanji surname right before the parenthesis (`山田(やまだ)太郎`): the name
//!   then starts at the surname and spans the reading;
//! - one to three single kanji, each followed by one space, right before a name that
//!   starts with a single kanji and a space, when those kanji and the name's first
//!   kanji make a listed surname (`山 田 太郎`, `佐 々 木 花子`).
//!
//! Why here and not in the normalization: unlike inline markup (dropped by the
//! normalization, see `crate::text`), spaces and parentheses are text a reader sees,
//! and between two words they mean what they say (`東京 大阪`, `会議室(かいぎしつ)`):
//! only the surname lists can tell a split name, and they live in this detector.
//! Nothing here logs or keeps the text it looks at.

use super::{is_hiragana, is_kanji, is_katakana, next_char, prev_char, Candidate, NameDetector};

/// Most and fewest kana of a reading between surname and given name.
const READING_KANA: std::ops::RangeInclusive<usize> = 2..=12;
/// Most characters of a kanji surname before a reading.
const MAX_SURNAME_CHARS: usize = 4;
/// Most single spaced kanji walked back over.
const MAX_SPACED_KANJI: usize = 3;

impl NameDetector {
    /// Extends each name over a split surname before it (see the module header).
    pub(super) fn join_split_surnames(&self, text: &str, found: &mut [Candidate]) {
        for c in found.iter_mut() {
            if let Some(start) = self
                .surname_before_reading(text, c.range.start)
                .or_else(|| self.spaced_surname(text, c.range.start))
            {
                c.range.start = start;
            }
        }
    }

    /// The start of a listed surname followed by a kana reading in parentheses that
    /// ends at byte `at`, where a name starting with a kanji begins.
    fn surname_before_reading(&self, text: &str, at: usize) -> Option<usize> {
        if !next_char(text, at).is_some_and(is_kanji) {
            return None;
        }
        let before = text[..at].strip_suffix(')')?;
        let open = before.rfind('(')?;
        let inner = &before[open + 1..];
        let kana = inner
            .chars()
            .filter(|&c| is_hiragana(c) || is_katakana(c))
            .count();
        if !READING_KANA.contains(&kana)
            || !inner
                .chars()
                .all(|c| is_hiragana(c) || is_katakana(c) || c == ' ')
        {
            return None;
        }
        // The kanji run before the parenthesis: all of it, or its longest listed end.
        let mut starts = Vec::with_capacity(MAX_SURNAME_CHARS);
        let mut s = open;
        while let Some((i, _)) = prev_char(text, s).filter(|&(_, c)| is_kanji(c)) {
            s = i;
            starts.push(i);
            if starts.len() == MAX_SURNAME_CHARS {
                break;
            }
        }
        let whole = starts.last().copied()?;
        let run_bounded = !prev_char(text, whole).is_some_and(|(_, c)| is_kanji(c));
        starts
            .iter()
            .rev()
            .copied()
            .filter(|&i| (run_bounded && i == whole) || text[i..open].chars().count() >= 2)
            .find(|&i| self.lex.is_surname(&text[i..open]))
    }

    /// The start of single kanji spaced out before a name starting at byte `at` with
    /// a single kanji and a space, when they make a listed surname with that kanji.
    fn spaced_surname(&self, text: &str, at: usize) -> Option<usize> {
        let head = next_char(text, at).filter(|&c| is_kanji(c))?;
        if next_char(text, at + head.len_utf8()) != Some(' ') {
            return None;
        }
        // Single kanji, nearest first, each followed by one space.
        let mut singles: Vec<(usize, char)> = Vec::with_capacity(MAX_SPACED_KANJI);
        let mut pos = at;
        while singles.len() < MAX_SPACED_KANJI {
            let Some((sp, ' ')) = prev_char(text, pos) else {
                break;
            };
            let Some((k, c)) = prev_char(text, sp).filter(|&(_, c)| is_kanji(c)) else {
                break;
            };
            if prev_char(text, k).is_some_and(|(_, p)| is_kanji(p)) {
                break;
            }
            singles.push((k, c));
            pos = k;
        }
        (1..=singles.len()).rev().find_map(|n| {
            let surname: String = singles[..n]
                .iter()
                .rev()
                .map(|&(_, c)| c)
                .chain(std::iter::once(head))
                .collect();
            self.lex.is_surname(&surname).then_some(singles[n - 1].0)
        })
    }
}
