//! Administrator word lists (禁止ワード) and the allow list, matched with aho-corasick
//! on the folded text, so ｶﾀｶﾅ, ひらがな, full-width and variant-kanji spellings of a
//! listed word all match.
//!
//! Banned words are matched *tolerantly* ([`Matching::Tolerant`]): separators put
//! between the characters of a listed word to slip it past a filter (`極 秘`, `極-秘`,
//! `極ー秘`, `極<b>秘</b>`, `Project_Falcon`, see [`joined`]) are skipped, and the spaces of
//! a listed word may be left out (`ProjectFalcon`, `projectfalcon` for `Project Falcon`).
//! Limits that keep ordinary text from matching:
//! - at most [`MAX_GAP`] separators (a markup tag counts as one) between two characters
//!   of the word (or as many as the listed word itself has there);
//! - a match that needed the tolerance must be a run of its own: neither end may be
//!   glued to a character of the same kind (kanji to kanji, katakana to katakana, Latin
//!   letter or digit to Latin letter or digit). So `北極 秘境` and `秘 密度` do not match
//!   極秘 and 秘密: the two characters belong to other words that merely meet at a
//!   space; `これは極 秘です` does (hiragana after a kanji word is a particle, not glue).
//!   The price: a one-sided obfuscation glued to the next word (`極 秘資料`) is missed;
//! - a listed word that starts or ends with a Latin letter or digit needs a word
//!   boundary there (`xabcx` holds no `abc`), tolerant or not.
//!
//! The allow list stays exact ([`Matching::Exact`]): a tolerance there would widen what
//! is exempted from detection.

mod joined;

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};
use crate::text::{fold_for_words, Normalized};
use joined::Joined;

/// Most separators tolerated between two characters of a listed word.
pub const MAX_GAP: u8 = 3;

/// Normalizes and folds a list entry exactly as the scanned text is.
pub fn fold_entry(word: &str) -> String {
    fold_for_words(Normalized::new(word.trim()).as_str())
}

/// How a [`WordSet`] matches its words.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Matching {
    /// The folded word as it is (allow lists).
    Exact,
    /// Also with separators between its characters (banned words; see the module doc).
    Tolerant,
}

/// One listed word as the matcher needs it.
struct Pattern {
    /// The folded word.
    folded: String,
    /// For each character of the joined word after the first: the separators the
    /// word itself has before it (`Project X` has one before `x`).
    gaps: Vec<u8>,
    /// Whether the word starts with an ASCII letter or digit (needs a boundary).
    ascii_start: bool,
    /// Whether the word ends with an ASCII letter or digit.
    ascii_end: bool,
}

/// A set of folded words, matched leftmost-longest.
pub struct WordSet {
    matcher: AhoCorasick,
    /// For each pattern: index of the list it came from.
    owner: Vec<usize>,
    patterns: Vec<Pattern>,
    matching: Matching,
}

impl WordSet {
    /// Builds a set from `(list index, word)` pairs; empty entries are skipped, and so
    /// are, when tolerant, entries made of separators only.
    pub fn new<'w>(
        words: impl IntoIterator<Item = (usize, &'w str)>,
        matching: Matching,
    ) -> Result<Option<WordSet>, String> {
        let mut keys = Vec::new();
        let mut owner = Vec::new();
        let mut patterns = Vec::new();
        for (list, w) in words {
            let folded = fold_entry(w);
            let (key, gaps) = match matching {
                Matching::Exact => (folded.clone(), Vec::new()),
                Matching::Tolerant => {
                    let j = Joined::new(&folded);
                    let gaps = j.all_gaps();
                    (j.text, gaps)
                }
            };
            if key.is_empty() {
                continue;
            }
            let is_ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            patterns.push(Pattern {
                ascii_start: is_ascii_word(key.chars().next()),
                ascii_end: is_ascii_word(key.chars().next_back()),
                folded,
                gaps,
            });
            keys.push(key);
            owner.push(list);
        }
        if keys.is_empty() {
            return Ok(None);
        }
        let kind = match matching {
            Matching::Exact => MatchKind::LeftmostLongest,
            // Every match is verified, so all of them are needed.
            Matching::Tolerant => MatchKind::Standard,
        };
        let matcher = AhoCorasickBuilder::new()
            .match_kind(kind)
            .build(&keys)
            .map_err(|e| format!("building the word matcher: {e}"))?;
        Ok(Some(WordSet {
            matcher,
            owner,
            patterns,
            matching,
        }))
    }

    /// Matches in `folded` as `(list index, byte range)`, leftmost-longest and without
    /// overlaps. `text` is the normalized text `folded` was folded from (same byte
    /// offsets); a tolerant set reads it to tell kanji, kana and Latin runs apart.
    pub fn find(&self, text: &str, folded: &str) -> Vec<(usize, Range<usize>)> {
        match self.matching {
            Matching::Exact => self.find_exact(folded),
            Matching::Tolerant => self.find_tolerant(text, folded),
        }
    }

    fn find_exact(&self, folded: &str) -> Vec<(usize, Range<usize>)> {
        let bytes = folded.as_bytes();
        self.matcher
            .find_iter(folded)
            .filter_map(|m| {
                let p = &self.patterns[m.pattern().as_usize()];
                let before = m.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(m.end()).copied();
                if (p.ascii_start && is_word_byte(before)) || (p.ascii_end && is_word_byte(after)) {
                    return None;
                }
                Some((self.owner[m.pattern().as_usize()], m.range()))
            })
            .collect()
    }

    fn find_tolerant(&self, text: &str, folded: &str) -> Vec<(usize, Range<usize>)> {
        let joined = Joined::new(folded);
        let bytes = folded.as_bytes();
        let mut found: Vec<(usize, Range<usize>, usize)> = Vec::new();
        for m in self.matcher.find_overlapping_iter(&joined.text) {
            let pi = m.pattern().as_usize();
            let p = &self.patterns[pi];
            let gaps_ok = joined
                .gaps_within(m.start(), m.end())
                .all(|(i, gap)| gap <= p.gaps.get(i).copied().unwrap_or(0).max(MAX_GAP));
            if !gaps_ok {
                continue;
            }
            let range = joined.folded_range(m.start(), m.end());
            let before = range.start.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(range.end).copied();
            if (p.ascii_start && is_word_byte(before)) || (p.ascii_end && is_word_byte(after)) {
                continue;
            }
            let exact = folded[range.clone()] == p.folded;
            if !exact && (glued(text, range.start, true) || glued(text, range.end, false)) {
                continue;
            }
            found.push((self.owner[pi], range, pi));
        }
        // Leftmost-longest among the verified matches, without overlaps.
        found.sort_by(|a, b| (a.1.start, b.1.end, a.2).cmp(&(b.1.start, a.1.end, b.2)));
        let mut out = Vec::new();
        let mut end = 0;
        for (list, range, _) in found {
            if range.start >= end {
                end = range.end;
                out.push((list, range));
            }
        }
        out
    }
}

/// An ASCII letter, digit or underscore (a word goes on).
fn is_word_byte(b: Option<u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The kind of character that glues to its neighbour of the same kind into one run.
fn run_kind(c: char) -> Option<u8> {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => Some(0),
        '\u{30A1}'..='\u{30FA}' | 'ー' | '\u{31F0}'..='\u{31FF}' => Some(1),
        '々' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
            Some(2)
        }
        c if ('\u{20000}'..='\u{3FFFF}').contains(&c) => Some(2),
        _ => None,
    }
}

/// Whether the match edge at byte `at` of the normalized `text` is glued to the text
/// outside: the characters on both sides of it are of the same [`run_kind`].
/// `start` tells whether `at` is the start of the match (else its end).
fn glued(text: &str, at: usize, start: bool) -> bool {
    let (outside, inside) = if start {
        (text[..at].chars().next_back(), text[at..].chars().next())
    } else {
        (text[at..].chars().next(), text[..at].chars().next_back())
    };
    match (outside.and_then(run_kind), inside.and_then(run_kind)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Finds the words of every administrator list; each list reports its own category.
pub struct WordListDetector {
    categories: Vec<Category>,
    set: WordSet,
}

impl WordListDetector {
    /// Builds the detector from `(list name, words)`; `None` when every list is empty.
    pub fn new(lists: &[(String, Vec<String>)]) -> Result<Option<Self>, String> {
        let categories = lists
            .iter()
            .map(|(n, _)| Category::WordList(Arc::from(n.as_str())))
            .collect();
        let words = lists
            .iter()
            .enumerate()
            .flat_map(|(i, (_, ws))| ws.iter().map(move |w| (i, w.as_str())));
        Ok(
            WordSet::new(words, Matching::Tolerant)?
                .map(|set| WordListDetector { categories, set }),
        )
    }
}

impl Detector for WordListDetector {
    fn name(&self) -> &'static str {
        "wordlist"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        for (list, range) in self.set.find(doc.text(), doc.folded()) {
            out.push(RawFinding::new(
                self.categories[list].clone(),
                range,
                "wordlist",
                1.0,
                "listed word",
            ));
        }
    }
}

#[cfg(test)]
mod tests;
