//! Foreign full names written in Latin letters inside Japanese text
//! (`ディレクターのHenry Paul Walkerが`, `Thomas R. Hale氏`, `と結婚したGrace Lowell`).
//!
//! A candidate is two to four capitalised words or initials separated by single spaces
//! (`Henry Paul Walker`, `Owen T. W. Li`), starting and ending with a word, with
//! Japanese text (no Latin letter, digit or quote) right before and after it: inside an
//! English phrase or a quoted title it is left alone. Product, company and place names
//! share that shape (`Microsoft Teams`, `New York`, `Open WebUI`), so a candidate is a
//! name only with a cue for a person:
//!
//! - a title or honorific right after it (`氏`, `選手`, `教授`, `さん`);
//! - a word for a person right before it (`ソリストの`, `専門家`, `ディレクター、`);
//! - a middle initial (`Thomas R. Hale`);
//! - coordination with a katakana name (`ハミルトンとDaniel Brooks`);
//! - a life event of persons right after it (`…と結婚`, `…が死去`).
//!
//! Words that name organisations and places (`University`, `Systems`, `New`) never
//! stand in a name here. Nothing here logs or keeps the text it looks at.

use std::ops::Range;

use super::{is_katakana, prev_char, Candidate, NameDetector};
use crate::inspect::Document;

/// Most words and initials in a name.
const MAX_TOKENS: usize = 4;
/// Longest word, in letters.
const MAX_WORD_LETTERS: usize = 20;

/// Capitalised words that belong to names of organisations, works and places, and
/// English function words: a sequence holding one is no person's name.
pub(super) const NOT_NAME_WORDS: &[&str] = &[
    "The",
    "Of",
    "And",
    "For",
    "In",
    "On",
    "At",
    "To",
    "New",
    "Inc",
    "Ltd",
    "Co",
    "Corp",
    "Company",
    "Group",
    "Systems",
    "System",
    "University",
    "School",
    "College",
    "Society",
    "Club",
    "Team",
    "Teams",
    "City",
    "Center",
    "Centre",
    "Bank",
    "Street",
    "Park",
    "Museum",
    "Hall",
    "Theatre",
    "Theater",
    "Records",
    "Music",
    "Studio",
    "Studios",
    "Games",
    "Online",
    "Digital",
    "Media",
    "Live",
    "Air",
    "Airlines",
    "Service",
    "Services",
    "Solutions",
    "Technologies",
    "Technology",
    "Software",
    "Network",
    "Project",
    "Office",
    "Edition",
    "Series",
    "World",
    "International",
    "National",
    "Japan",
    "America",
    "Europe",
    "North",
    "South",
    "East",
    "West",
    "Station",
    "Square",
    "Tower",
    "Engine",
    "Player",
    "Store",
];

/// Words after which a person's name follows (besides kanji words for persons):
/// katakana occupations end so (`ディレクター`, `ソリスト`, `デザイナー`, `マネージャー`).
const KATAKANA_ROLE_ENDINGS: &[&str] = &["ター", "スト", "ナー", "ャー", "マン", "ラー", "サー"];

/// Life events of persons written right after a name (`…と結婚`, `…が死去`).
const LIFE_EVENTS: &[&str] = &["結婚", "離婚", "婚約", "死去", "逝去", "就任", "生まれ"];
/// Characters after the name searched for [`LIFE_EVENTS`].
const LIFE_EVENT_CHARS: usize = 12;

/// One token of a candidate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    /// A capitalised word (`Peter`).
    Word,
    /// An initial with a period (`S.`).
    Initial,
}

/// Reads a token at byte `at` of `bytes`: its kind and end.
fn token_at(bytes: &[u8], at: usize) -> Option<(Token, usize)> {
    if !bytes.get(at)?.is_ascii_uppercase() {
        return None;
    }
    let lower = bytes[at + 1..]
        .iter()
        .take(MAX_WORD_LETTERS + 1)
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    if lower > MAX_WORD_LETTERS {
        return None;
    }
    if lower >= 1 {
        return Some((Token::Word, at + 1 + lower));
    }
    (bytes.get(at + 1) == Some(&b'.')).then_some((Token::Initial, at + 2))
}

/// The candidate starting at byte `at`: its end and whether it holds an initial, or
/// `None` when the text there is no sequence of name-shaped tokens.
fn sequence_at(text: &str, at: usize) -> Option<(usize, bool)> {
    let bytes = text.as_bytes();
    let (first, mut end) = token_at(bytes, at)?;
    if first != Token::Word || NOT_NAME_WORDS.contains(&&text[at..end]) {
        return None;
    }
    let mut last = first;
    let mut n = 1;
    let mut initial = false;
    while n < MAX_TOKENS && bytes.get(end) == Some(&b' ') {
        let Some((t, e)) = token_at(bytes, end + 1) else {
            break;
        };
        if t == Token::Word && NOT_NAME_WORDS.contains(&&text[end + 1..e]) {
            return None;
        }
        initial |= t == Token::Initial;
        last = t;
        end = e;
        n += 1;
    }
    if n < 2 || last != Token::Word {
        return None;
    }
    // Japanese text right after: not a longer English phrase, a code or a quote.
    match text[end..].chars().next() {
        Some(c) if c.is_ascii() || matches!(c, '」' | '』' | '”' | '’') => None,
        _ => Some((end, initial)),
    }
}

/// Whether the text before a candidate (`before`) ends with a word for a person: a kanji
/// word for a person or a role (`ソリスト`, `専門家`), or a katakana occupation, optionally
/// followed by `の`, `、` or `・`.
pub(super) fn person_before(before: &str) -> bool {
    let b = before.strip_suffix(['の', '、', '・']).unwrap_or(before);
    super::context::person_word_before(b)
        || super::PERSON_ROLES.iter().any(|r| b.ends_with(r))
        || KATAKANA_ROLE_ENDINGS.iter().any(|e| b.ends_with(e))
}

/// Whether a katakana word of two characters or more joined by `と` stands before or
/// after the candidate (`ハミルトンとDaniel Brooks`, `Daniel Brooksとハミルトン`).
fn coordinated_with_katakana(before: &str, after: &str) -> bool {
    before
        .strip_suffix('と')
        .is_some_and(|b| two_katakana(b.chars().rev()))
        || after
            .strip_prefix('と')
            .is_some_and(|a| two_katakana(a.chars()))
}

/// Whether the first two characters of `chars` are katakana.
fn two_katakana(mut chars: impl Iterator<Item = char>) -> bool {
    chars.next().is_some_and(is_katakana) && chars.next().is_some_and(is_katakana)
}

/// Whether a life event of persons follows the candidate closely (`と結婚`, `が死去`).
fn life_event_after(after: &str) -> bool {
    let end = after
        .char_indices()
        .nth(LIFE_EVENT_CHARS)
        .map_or(after.len(), |(i, _)| i);
    let near = &after[..end];
    LIFE_EVENTS.iter().any(|w| near.contains(w))
}

impl NameDetector {
    /// Full names in Latin letters with a cue for a person (see the module header).
    pub(super) fn latin_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_uppercase() {
                i += 1;
                continue;
            }
            // Only after Japanese text (a character of three bytes or more) or at the start.
            let before_ok = match prev_char(text, i) {
                None => true,
                Some((_, c)) => !c.is_ascii() && !matches!(c, '「' | '『' | '“' | '‘'),
            };
            let Some((end, initial)) = before_ok.then(|| sequence_at(text, i)).flatten() else {
                // Skip the rest of this ASCII word.
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                continue;
            };
            let r: Range<usize> = i..end;
            i = end;
            let before = &text[..r.start];
            let after = &text[r.end..];
            let cue = initial
                || super::foreign::title_after_name(after)
                || after.starts_with("さん")
                || person_before(before)
                || coordinated_with_katakana(before, after)
                || life_event_after(after);
            if cue {
                found.push(Candidate {
                    range: r,
                    detector: "name.latin",
                    confidence: 0.6,
                    reason: "Latin-letter full name with a person cue",
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences() {
        // (text, start of the candidate, expected name and initial)
        let cases: &[(&str, Option<(&str, bool)>)] = &[
            ("Henry Paul Walkerが", Some(("Henry Paul Walker", false))),
            ("Thomas R. Hale氏", Some(("Thomas R. Hale", true))),
            ("Owen T. W. Liと", Some(("Owen T. W. Li", true))),
            ("Microsoft Teamsで", None),
            ("New Yorkの", None),
            ("Open WebUIを", None),
            ("Peterが", None),
            ("Peter S.が", None),
            ("Daniel Brooks and", None),
            ("Henry Paul Walker」", None),
        ];
        for (text, want) in cases {
            let got = sequence_at(text, 0).map(|(end, init)| (&text[..end], init));
            assert_eq!(got, *want, "{text}");
        }
    }

    #[test]
    fn cues() {
        assert!(person_before("ソリストの"));
        assert!(person_before("ディレクター、"));
        assert!(person_before("マーケティングの専門家"));
        assert!(!person_before("携帯電話事業者"));
        assert!(!person_before("2009年、"));
        assert!(coordinated_with_katakana("ハミルトンと", "の研究"));
        assert!(!coordinated_with_katakana("1963年に", "としてサービスを"));
        assert!(life_event_after("と結婚した。"));
        assert!(!life_event_after("を発表した。"));
    }
}
