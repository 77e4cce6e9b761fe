//! Pass `name.hangul`: Korean names written in Hangul (`김민준`, `이서연 씨`, `남궁민수`).
//!
//! Linguistic reason: a Korean name is a family name of one syllable (two for a few
//! families: 남궁, 황보, 제갈) followed by a given name of one or two syllables, written
//! as one word of two to four syllables; some sixty family names cover almost every
//! Korean (김, 이, 박 alone close to half), so a word starting with one is a name
//! candidate. Ordinary words start with the same syllables (이름 name, 한국 Korea, 정보
//! information, 안녕 hello), so a candidate is a name only
//!
//! - when it is no listed word (`hangul-names.txt`, `[words]`) and does not end in a
//!   syllable of verb endings and particles (`다`, `요`, `를`: 감사합니다, 정보를), and
//! - with a cue: an honorific after it (`씨`, `님`, `様`, `さん`), a label before it
//!   (`이름:`, `성명`, `氏名:`, `Name:`), or standing alone: the only Hangul of its line,
//!   between Japanese, Latin text, digits or table separators. Japanese municipal text
//!   holds Hangul almost only as a resident's name copied from a document; Korean prose
//!   (a line with further Hangul words) needs the honorific (also after a reading in
//!   parentheses: `이서연（イ・ソヨン）さん`) or the label (also `差出人は`), and a word quoted
//!   or named as Korean (`韓国語で고마워`, `「…」`) is talked about, not a person.
//!
//! Nothing here logs or keeps the text it looks at.

use rustc_hash::FxHashSet;
use std::ops::Range;
use std::sync::OnceLock;

use super::romaji_names::label_before;
use super::{Candidate, NameDetector, HONORIFICS};

const LISTS: &str = include_str!("../../../../dictionaries/names/hangul-names.txt");

/// Fewest and most syllables of a name.
const MIN_SYLLABLES: usize = 2;
const MAX_SYLLABLES: usize = 4;

/// Words on a line that make a Hangul word a topic of language, not a person.
const LANGUAGE_WORDS: &[&str] = &["韓国語", "朝鮮語", "ハングル", "Korean", "korean", "한국어"];

/// The Hangul lists.
#[derive(Debug, Default)]
struct HangulNames {
    surnames: FxHashSet<&'static str>,
    words: FxHashSet<&'static str>,
    labels: Vec<&'static str>,
    honorifics: Vec<&'static str>,
    endings: Vec<char>,
}

impl HangulNames {
    fn shared() -> &'static HangulNames {
        static L: OnceLock<HangulNames> = OnceLock::new();
        L.get_or_init(|| {
            let mut l = HangulNames::default();
            let mut section = "";
            for line in LISTS.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                    section = s;
                    continue;
                }
                match section {
                    "surnames" => {
                        l.surnames.insert(line);
                    }
                    "words" => {
                        l.words.insert(line);
                    }
                    "labels" => l.labels.push(line),
                    "honorifics" => l.honorifics.push(line),
                    "endings" => l.endings.extend(line.chars().next()),
                    _ => {}
                }
            }
            l
        })
    }

    /// Whether a Hangul word is shaped like a name: a listed family name first, two to
    /// four syllables, no listed word, no verb ending or particle last.
    fn name_shaped(&self, word: &str) -> bool {
        let n = word.chars().count();
        if !(MIN_SYLLABLES..=MAX_SYLLABLES).contains(&n) || self.words.contains(word) {
            return false;
        }
        let two: String = word.chars().take(2).collect();
        let one: String = word.chars().take(1).collect();
        let family = if self.surnames.contains(two.as_str()) && n >= 3 {
            2
        } else if self.surnames.contains(one.as_str()) {
            1
        } else {
            return false;
        };
        // A given name has one or two syllables.
        if n - family > 2 {
            return false;
        }
        !word
            .chars()
            .next_back()
            .is_some_and(|c| self.endings.contains(&c))
    }
}

/// Whether `c` is a Hangul syllable.
fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The Hangul words of a line, as byte ranges of `text`.
fn hangul_words(text: &str, line: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text[line.clone()].char_indices() {
        let at = line.start + i;
        match (is_hangul(c), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                out.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..line.end);
    }
    out
}

impl NameDetector {
    /// Korean names in Hangul (see the module header).
    pub(super) fn hangul_names(
        &self,
        doc: &crate::inspect::Document<'_>,
        found: &mut Vec<Candidate>,
    ) {
        let text = doc.text();
        // Hangul syllables are encoded with lead bytes EA–ED.
        if !text.bytes().any(|b| (0xEA..=0xED).contains(&b)) {
            return;
        }
        let lists = HangulNames::shared();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let range = line_start..line_start + line.len();
            line_start = range.end;
            if !line.bytes().any(|b| (0xEA..=0xED).contains(&b)) {
                continue;
            }
            let words = hangul_words(text, range);
            let honorific = |w: &str| lists.honorifics.iter().any(|h| w.starts_with(h));
            // Korean prose: a Hangul word on the line that is neither a name nor an
            // honorific.
            let prose = words.iter().any(|w| {
                let s = &text[w.clone()];
                !honorific(s) && !lists.name_shaped(strip_honorific(lists, s).0)
            });
            for (k, w) in words.iter().enumerate() {
                let s = &text[w.clone()];
                let (name, glued) = strip_honorific(lists, s);
                if !lists.name_shaped(name) {
                    continue;
                }
                let span = w.start..w.start + name.len();
                let after = &text[span.end..];
                let next_honorific = words
                    .get(k + 1)
                    .is_some_and(|n| n.start <= span.end + 1 && honorific(&text[n.clone()]));
                let cue = glued
                    || next_honorific
                    || HONORIFICS
                        .iter()
                        .any(|h| skip_reading(after).starts_with(h))
                    || label_before(text, span.start)
                    || japanese_label_topic(&text[..span.start])
                    || self.hangul_label_before(lists, text, span.start);
                // `韓国語で고마워`: a word named as Korean is talked about.
                let topic = LANGUAGE_WORDS.iter().any(|l| {
                    let b = text[..span.start].trim_end_matches([' ', 'で', 'の', 'は', ':']);
                    b.ends_with(l)
                });
                let quoted = text[..span.start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| "「『\"“‘'".contains(c));
                let alone = !prose && !topic && !quoted;
                if cue || alone {
                    found.push(Candidate {
                        range: span,
                        detector: "name.hangul",
                        confidence: if cue { 0.75 } else { 0.6 },
                        reason: if cue {
                            "Korean name in Hangul with a person cue"
                        } else {
                            "Korean name in Hangul standing alone in non-Korean text"
                        },
                    });
                }
            }
        }
    }

    /// Whether a Korean label stands before byte `at` (`이름: `, `성명 `).
    fn hangul_label_before(&self, lists: &HangulNames, text: &str, at: usize) -> bool {
        let b = text[..at]
            .trim_end_matches(' ')
            .trim_end_matches([':', '：'])
            .trim_end_matches(' ');
        lists.labels.iter().any(|l| b.ends_with(l))
    }
}

/// Longest reading in parentheses skipped after a name, in bytes.
const MAX_READING_BYTES: usize = 60;

/// `rest` past spaces and a reading in parentheses (`（イ・ソヨン）さん` → `さん`).
fn skip_reading(rest: &str) -> &str {
    let r = rest.trim_start_matches(' ');
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = r.strip_prefix(open) {
            if let Some(end) = inner.find(close).filter(|e| *e <= MAX_READING_BYTES) {
                return inner[end + close.len_utf8()..].trim_start_matches(' ');
            }
        }
    }
    r
}

/// Whether a Japanese label with `は` stands right before a name (`差出人は`, `申請者は`).
fn japanese_label_topic(before: &str) -> bool {
    before
        .strip_suffix('は')
        .is_some_and(|b| super::LABELS.iter().any(|l| b.ends_with(l)))
}

/// A word without a glued honorific (`김민준씨` → `김민준`), and whether one was cut.
fn strip_honorific<'a>(lists: &HangulNames, word: &'a str) -> (&'a str, bool) {
    for h in &lists.honorifics {
        if let Some(s) = word.strip_suffix(h) {
            if s.chars().count() >= MIN_SYLLABLES {
                return (s, true);
            }
        }
    }
    (word, false)
}
