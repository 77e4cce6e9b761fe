//! Japanese names written in Latin letters (romaji): `YAMADA Taro 様`, `YAMADA TARO`,
//! `ＹＡＭＡＤＡ　ＴＡＲＯ` (full-width, folded by the normalization), `Yamada, Taro`,
//! `Taro YAMADA`.
//!
//! Linguistic reason: Japanese forms, passports, residence cards and business cards
//! write a name in Latin letters with the surname first and in capitals (`YAMADA
//! Taro`), a convention that marks which part is the surname because the order is the
//! reverse of English usage; Western-style text puts the given name first and may still
//! capitalise the surname (`Taro YAMADA`), and lists sort by surname with a comma
//! (`Yamada, Taro`). Such a name is two words, each written in capitals or with an
//! initial capital, separated by spaces or a comma.
//!
//! Capitalised words of that shape are also acronyms, brands, places and English
//! headings (`NHK WORLD`, `HONDA CIVIC`, `TOKYO STATION`, `PLEASE NOTE THAT`), so a pair
//! is a name only
//! - when both words are listed name parts — a surname and a given name, in either
//!   order (the romaji spellings of the kana lists, see [`super::romaji`]) — written in
//!   the Japanese form (one word in capitals, or surname, comma, given name), and the
//!   pair stands on its own: no further Latin word, digit or joiner (`-`, `&`, `/`)
//!   right before or after it (an English phrase or a product line is no name). Two
//!   words with initial capitals only (`Sakura Minami`) are the form of foreign names,
//!   companies and brands and are left to [`super::latin`], which asks for a person cue;
//!   or
//! - when one word is a listed part and a name context stands around the pair: an
//!   honorific after it (`様`, `さん`, `殿`, `-san`) or a label or title before it
//!   (`氏名:`, `申請者`, `Name:`, `Mr.`, `Ms.`).
//!
//! Words for places, companies and honorifics in romaji (`KU`, `EKI`, `Corp`, `Motor`,
//! `san`) are never a name part here, nor are two-letter capitals without context
//! (`AI`, `JR`: acronyms). Without context a few listed readings that are everyday
//! English words (`DATE`, `MINE`, `NONE`) are no name part either, nor are place
//! prefixes (`NISHI SHINJUKU`) or `KEN` after a prefecture (`CHIBA KEN`).
//! Nothing here logs or keeps the text it looks at.

use std::ops::Range;

use super::romaji::{fold_word, long_vowel_letter, RomajiNames, MAX_WORD_BYTES};
use super::{Candidate, NameDetector, HONORIFICS, LABELS};
use crate::inspect::Document;

/// Romaji words for honorifics, administrative divisions and landmarks: the second
/// word of `SHINJUKU KU`, `TOKYO TO`, `NAGANO EKI`, never a name part here.
pub(super) const NOT_NAME_PARTS: &[&str] = &[
    "san", "sama", "kun", "chan", "dono", "sensei", "shi", "ku", "cho", "chou", "machi", "mura",
    "gun", "to", "fu", "do", "dou", "eki", "koen", "kouen", "jinja", "jingu", "jinguu", "dera",
    "tera", "ji", "jo", "bashi", "dori", "doori", "gawa", "ko", "wan",
];

/// Words of companies, products and events after a listed word (`TOYOTA Motor`,
/// `OSAKA Expo`), compared without case, besides the organisation words of
/// [`super::latin`].
const ORGANISATION_WORDS: &[&str] = &[
    "motor",
    "motors",
    "corp",
    "corporation",
    "co",
    "inc",
    "ltd",
    "kk",
    "holdings",
    "industries",
    "industry",
    "electric",
    "electronics",
    "bank",
    "expo",
    "station",
    "tower",
    "world",
    "group",
    "city",
    "prefecture",
    "airport",
    "line",
    "bay",
    "castle",
    "temple",
    "shrine",
    "park",
    "university",
    "hospital",
    "hotel",
];

/// Listed readings that are everyday English words: no name part without context.
pub(super) const ENGLISH_WORDS: &[&str] = &[
    "are", "none", "date", "nose", "mine", "rune", "june", "ten", "tan", "ton", "den", "ban",
    "man", "ran", "zen", "hide", "an", "sake", "kobe", "sumo", "anime", "manga", "sushi", "emoji",
    "karaoke", "tofu", "miso", "ramen", "judo", "kimono", "mode", "rare",
];

/// Words that begin place names (`NISHI SHINJUKU`, `HIGASHI NAKANO`): no surname
/// without context.
pub(super) const PLACE_PREFIXES: &[&str] = &[
    "kita", "minami", "higashi", "nishi", "naka", "shin", "kami", "shimo", "oku", "chuo", "chuuou",
    "chuou", "moto", "hon",
];

/// Prefectures in romaji: `KEN` after one is the prefecture, not the given name Ken.
pub(super) const PREFECTURES: &[&str] = &[
    "aichi",
    "akita",
    "aomori",
    "chiba",
    "ehime",
    "fukui",
    "fukuoka",
    "fukushima",
    "gifu",
    "gunma",
    "hiroshima",
    "hokkaido",
    "hyogo",
    "ibaraki",
    "ishikawa",
    "iwate",
    "kagawa",
    "kagoshima",
    "kanagawa",
    "kochi",
    "kumamoto",
    "kyoto",
    "mie",
    "miyagi",
    "miyazaki",
    "nagano",
    "nagasaki",
    "nara",
    "niigata",
    "oita",
    "okayama",
    "okinawa",
    "osaka",
    "saga",
    "saitama",
    "shiga",
    "shimane",
    "shizuoka",
    "tochigi",
    "tokushima",
    "tokyo",
    "tottori",
    "toyama",
    "wakayama",
    "yamagata",
    "yamaguchi",
    "yamanashi",
];

/// English labels and titles before a name, compared in lower case; each must start
/// a word.
const ENGLISH_LABELS: &[&str] = &[
    "name",
    "full name",
    "name is",
    "i am",
    "i'm",
    "mr.",
    "mr",
    "mrs.",
    "mrs",
    "ms.",
    "ms",
    "miss",
    "dr.",
    "dr",
    "prof.",
    "dear",
    "applicant",
    "patient",
];

/// Honorifics written in romaji after a hyphen or a space (`YAMADA-san`, `Taro san`).
const ROMAJI_HONORIFICS: &[&str] = &["san", "sama", "kun", "chan", "dono", "sensei"];

/// Longest parenthetical after a label that is skipped (`氏名(ローマ字):`), in bytes.
const MAX_LABEL_NOTE_BYTES: usize = 36;

/// Characters that join a Latin word to the next one (`HONDA-CIVIC`, `R&D`).
const JOINERS: &[char] = &['-', '&', '/', '_', '@', '+', '#', '\'', '.', '"'];

/// How a word is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// All letters in capitals (`YAMADA`).
    Caps,
    /// An initial capital, the rest in lower case (`Taro`).
    Title,
}

/// One word in Latin letters of the text.
#[derive(Clone, Debug)]
struct Word {
    range: Range<usize>,
    shape: Option<Shape>,
    letters: usize,
}

/// Whether `c` is a letter of a romaji word (ASCII or a macron/circumflex vowel).
fn is_word_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || long_vowel_letter(c).is_some()
}

/// The shape of a word: capitals, or an initial capital and lower case.
fn shape_of(word: &str) -> Option<Shape> {
    let mut chars = word.chars();
    let first = chars.next()?;
    if !(first.is_ascii_uppercase() || first.is_uppercase()) {
        return None;
    }
    let rest: Vec<char> = chars.collect();
    if rest.is_empty() {
        return None;
    }
    if rest.iter().all(|c| c.is_uppercase()) {
        Some(Shape::Caps)
    } else if rest.iter().all(|c| c.is_lowercase()) {
        Some(Shape::Title)
    } else {
        None
    }
}

/// The words of `text` in Latin letters, in order.
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_word_letter(c) && i < text.len() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let w = &text[s..i];
            let letters = w.chars().count();
            out.push(Word {
                range: s..i,
                shape: (w.len() <= MAX_WORD_BYTES).then(|| shape_of(w)).flatten(),
                letters,
            });
        }
    }
    out
}

/// How two words are separated: by spaces only, or by a comma (and spaces).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Gap {
    Space,
    Comma,
}

/// The separator between two words, when it is one or two spaces or a comma.
fn gap_of(between: &str) -> Option<Gap> {
    let trimmed = between.trim_start_matches(',');
    let commas = between.len() - trimmed.len();
    let spaces = trimmed.len();
    if commas > 1 || spaces > 2 || !trimmed.bytes().all(|b| b == b' ') {
        return None;
    }
    match (commas, spaces) {
        (1, _) => Some(Gap::Comma),
        (0, 1..=2) => Some(Gap::Space),
        _ => None,
    }
}

/// Whether a label or title stands right before a name at byte `at` (`氏名: `,
/// `申請者 `, `Name: `, `Mr. `).
pub(super) fn label_before(text: &str, at: usize) -> bool {
    let mut b = text[..at].trim_end_matches(' ');
    if let Some(s) = b.strip_suffix(':') {
        b = s.trim_end_matches(' ');
    }
    // A note on the label: `氏名(ローマ字):`, `Name (in full):`.
    if let Some(s) = b.strip_suffix(')') {
        if let Some(open) = s
            .rfind('(')
            .filter(|&o| s.len() - o <= MAX_LABEL_NOTE_BYTES)
        {
            b = s[..open].trim_end_matches(' ');
        }
    }
    if LABELS.iter().any(|l| b.ends_with(l)) {
        return true;
    }
    let tail: String = b
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    ENGLISH_LABELS.iter().any(|l| {
        tail.ends_with(l)
            && !tail[..tail.len() - l.len()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Whether an honorific follows a name ending at byte `at` (`様`, ` さん`, `-san`).
pub(super) fn honorific_after(text: &str, at: usize) -> bool {
    let a = text[at..].trim_start_matches(' ');
    if HONORIFICS.iter().any(|h| a.starts_with(h)) {
        return true;
    }
    romaji_honorific_at(a.strip_prefix('-').unwrap_or(a))
}

/// Whether `a` starts with a romaji honorific word (`san`, `Sama`).
fn romaji_honorific_at(a: &str) -> bool {
    let end = a
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(a.len());
    let w = a[..end].to_ascii_lowercase();
    ROMAJI_HONORIFICS.contains(&w.as_str())
}

/// Whether a Latin word or a joiner stands right before byte `at` (past spaces).
fn latin_before(text: &str, at: usize) -> bool {
    text[..at]
        .trim_end_matches(' ')
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || is_word_letter(c) || JOINERS.contains(&c))
}

/// Whether a Latin word or a joiner stands right after byte `at` (past spaces); a
/// full stop ends a sentence unless a word is glued to it (`example.jp`).
fn latin_after(text: &str, at: usize) -> bool {
    let a = text[at..].trim_start_matches(' ');
    let mut chars = a.chars();
    match chars.next() {
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_alphanumeric()),
        Some(c) => c.is_ascii_alphanumeric() || is_word_letter(c) || JOINERS.contains(&c),
        None => false,
    }
}

/// Whether the folded word is never a name part (honorific, place or organisation word).
fn never_a_part(folded: &str) -> bool {
    NOT_NAME_PARTS.contains(&folded)
        || ORGANISATION_WORDS.contains(&folded)
        || super::latin::NOT_NAME_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(folded))
}

impl NameDetector {
    /// Japanese names in romaji (see the module header).
    pub(super) fn romaji_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        if !text.bytes().any(|b| b.is_ascii_uppercase()) {
            return;
        }
        let lists = RomajiNames::shared();
        let words = words(text);
        let mut i = 0;
        while i + 1 < words.len() {
            let (a, b) = (&words[i], &words[i + 1]);
            match self.romaji_pair(text, lists, a, b) {
                Some(c) => {
                    found.push(c);
                    i += 2;
                }
                None => i += 1,
            }
        }
    }

    /// The name two adjacent words make, if they make one.
    fn romaji_pair(
        &self,
        text: &str,
        lists: &RomajiNames,
        a: &Word,
        b: &Word,
    ) -> Option<Candidate> {
        let (sa, sb) = (a.shape?, b.shape?);
        let gap = gap_of(&text[a.range.end..b.range.start])?;
        let fa = fold_word(&text[a.range.clone()])?;
        let fb = fold_word(&text[b.range.clone()])?;
        if never_a_part(&fa) || never_a_part(&fb) {
            return None;
        }
        let context = label_before(text, a.range.start) || honorific_after(text, b.range.end);
        // Standing alone: no English phrase, product line or code around the pair.
        if (!context && latin_before(text, a.range.start))
            || (latin_after(text, b.range.end) && !honorific_after(text, b.range.end))
        {
            return None;
        }
        let sg = lists.is_surname(&fa) && lists.is_given(&fb);
        let gs = gap == Gap::Space && lists.is_given(&fa) && lists.is_surname(&fb);
        let listed_a = lists.is_surname(&fa) || lists.is_given(&fa);
        let listed_b = lists.is_surname(&fb) || lists.is_given(&fb);
        let name = if context {
            // `Yamada, Taro`: the comma follows the surname.
            (sg || gs || listed_a || listed_b) && (gap == Gap::Space || lists.is_surname(&fa))
        } else {
            let acronym = |s: Shape, w: &Word| s == Shape::Caps && w.letters <= 2;
            let english = |f: &str| ENGLISH_WORDS.contains(&f);
            // Two words with initial capitals only are how foreign names and companies
            // are written (`Sumitomo Mitsui`); left to the Latin-name pass and its cues.
            let japanese_form = sa == Shape::Caps || sb == Shape::Caps || gap == Gap::Comma;
            (sg || gs)
                && japanese_form
                && !acronym(sa, a)
                && !acronym(sb, b)
                && !english(&fa)
                && !english(&fb)
                && !PLACE_PREFIXES.contains(&fa.as_str())
                && !(fb == "ken" && PREFECTURES.contains(&fa.as_str()))
        };
        name.then_some(Candidate {
            range: a.range.start..b.range.end,
            detector: "name.romaji",
            confidence: if sg || gs { 0.6 } else { 0.55 },
            reason: "Japanese name in Latin letters",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_gaps() {
        assert_eq!(shape_of("YAMADA"), Some(Shape::Caps));
        assert_eq!(shape_of("Taro"), Some(Shape::Title));
        assert_eq!(shape_of("SATŌ"), Some(Shape::Caps));
        assert_eq!(shape_of("taro"), None);
        assert_eq!(shape_of("McDonald"), None);
        assert_eq!(shape_of("T"), None);
        assert_eq!(gap_of(" "), Some(Gap::Space));
        assert_eq!(gap_of(", "), Some(Gap::Comma));
        assert_eq!(gap_of(","), Some(Gap::Comma));
        assert_eq!(gap_of(""), None);
        assert_eq!(gap_of(" - "), None);
        assert_eq!(gap_of("   "), None);
    }

    #[test]
    fn contexts() {
        assert!(label_before("氏名: ", 8));
        assert!(label_before("氏名(ローマ字):", "氏名(ローマ字):".len()));
        assert!(label_before("Name: ", 6));
        assert!(label_before("Mr. ", 4));
        assert!(!label_before("Surname: ", 9));
        assert!(!label_before("Farms ", 6));
        assert!(honorific_after(" 様", 0));
        assert!(honorific_after("-san", 0));
        assert!(!honorific_after(" sandwich", 0));
        assert!(latin_before("PLEASE ", 7));
        assert!(!latin_before("担当 ", 7));
        assert!(latin_after(" WORLD", 0));
        assert!(!latin_after(". 次に", 0));
        assert!(latin_after(".jp", 0));
    }
}
