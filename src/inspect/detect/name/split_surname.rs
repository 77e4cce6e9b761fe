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
//! A letter-spaced surname the other passes do not read at all (`森 川 陽菜さん`,
//! `氏名: 森 川 陽菜`, where `森 川` alone would leave the given name) is found by
//! [`NameDetector::letter_spaced_names`]: single kanji spaced by one space that join
//! into a listed surname, followed by a listed given name (in kanji, spaced or not, or
//! in kana) or an honorific.
//!
//! Why here and not in the normalization: unlike inline markup (dropped by the
//! normalization, see `crate::text`), spaces and parentheses are text a reader sees,
//! and between two words they mean what they say (`東京 大阪`, `会議室(かいぎしつ)`):
//! only the surname lists can tell a split name, and they live in this detector.
//! Nothing here logs or keeps the text it looks at.

use super::{
    is_hiragana, is_kanji, is_katakana, next_char, prev_char, Candidate, NameDetector, HONORIFICS,
};

/// Most and fewest kana of a reading between surname and given name.
const READING_KANA: std::ops::RangeInclusive<usize> = 2..=12;
/// Most characters of a kanji surname before a reading.
const MAX_SURNAME_CHARS: usize = 4;
/// Most single spaced kanji walked back over.
const MAX_SPACED_KANJI: usize = 3;
/// Most single spaced kanji of a whole letter-spaced name (surname and given name).
const MAX_SPACED_NAME_KANJI: usize = 7;
/// Longest given name after a letter-spaced surname, in characters.
const MAX_GIVEN_CHARS: usize = 4;

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

    /// Names whose surname is letter-spaced (see the module header).
    pub(super) fn letter_spaced_names(&self, text: &str, found: &mut Vec<Candidate>) {
        if !text.contains(' ') {
            return;
        }
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let kanji_at = |k: usize| chars.get(k).is_some_and(|&(_, c)| is_kanji(c));
        // A kanji standing alone: no kanji glued before or after it.
        let lone = |k: usize| kanji_at(k) && (k == 0 || !kanji_at(k - 1)) && !kanji_at(k + 1);
        let space_at = |k: usize| chars.get(k).is_some_and(|&(_, c)| c == ' ');
        let end_of = |k: usize| chars[k].0 + chars[k].1.len_utf8();
        let mut k = 0;
        while k < chars.len() {
            if !(lone(k) && space_at(k + 1) && lone(k + 2)) {
                k += 1;
                continue;
            }
            let mut singles = vec![k];
            while singles.len() < MAX_SPACED_NAME_KANJI {
                let m = singles[singles.len() - 1];
                if space_at(m + 1) && lone(m + 2) {
                    singles.push(m + 2);
                } else {
                    break;
                }
            }
            let last = singles[singles.len() - 1];
            let joined = |ks: &[usize]| ks.iter().map(|&m| chars[m].1).collect::<String>();
            let name_end = (2..=singles.len().min(MAX_SURNAME_CHARS))
                .rev()
                .filter(|&p| self.lex.is_surname(&joined(&singles[..p])))
                .find_map(|p| {
                    if p < singles.len() {
                        // The given name spelled out too (`山 田 太 郎`).
                        return self
                            .lex
                            .is_given_kanji(&joined(&singles[p..]))
                            .then(|| end_of(last));
                    }
                    let after = end_of(last);
                    self.given_after_space(text, after)
                        .or_else(|| honorific_follows(text, after).then_some(after))
                });
            if let Some(end) = name_end {
                found.push(Candidate {
                    range: chars[k].0..end,
                    detector: "name.spaced_surname",
                    confidence: 0.6,
                    reason: "letter-spaced listed surname before a given name or honorific",
                });
            }
            k = last + 1;
        }
    }

    /// The end of a listed given name (a kanji or kana run) after one space at `at`.
    fn given_after_space(&self, text: &str, at: usize) -> Option<usize> {
        let rest = text[at..].strip_prefix(' ')?;
        let start = at + 1;
        let first = rest.chars().next()?;
        let same_script = |c: char| {
            (is_kanji(first) && is_kanji(c))
                || (is_hiragana(first) && is_hiragana(c))
                || (is_katakana(first) && is_katakana(c))
        };
        let len: usize = rest
            .chars()
            .take(MAX_GIVEN_CHARS + 1)
            .take_while(|&c| same_script(c))
            .map(char::len_utf8)
            .sum();
        let given = &rest[..len];
        let chars = given.chars().count();
        if chars == 0 || chars > MAX_GIVEN_CHARS {
            return None;
        }
        let listed = if is_kanji(first) {
            self.lex.is_given_kanji(given)
        } else {
            self.lex.is_given_kana(&hiragana_of(given))
        };
        listed.then_some(start + len)
    }

    /// The start of a listed surname followed by a kana reading in parentheses that
    /// ends at byte `at`, where a name starting with a kanji begins.
    fn surname_before_reading(&self, text: &str, at: usize) -> Option<usize> {
        if !next_char(text, at).is_some_and(is_kanji) {
            return None;
        }
        let before = text[..at].strip_suffix(')')?;
        // The opening parenthesis within the longest reading (and its spaces).
        let open = before
            .char_indices()
            .rev()
            .take(2 * READING_KANA.end() + 1)
            .find(|&(_, c)| c == '(')?
            .0;
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

/// Whether an honorific follows at byte `at`, after at most one space.
fn honorific_follows(text: &str, at: usize) -> bool {
    let rest = text[at..].strip_prefix(' ').unwrap_or(&text[at..]);
    HONORIFICS.iter().any(|h| rest.starts_with(h))
}

/// Katakana folded to hiragana (the kana lists are in hiragana).
fn hiragana_of(kana: &str) -> String {
    kana.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c => c,
        })
        .collect()
}
