//! Pass `name.latin_listed`: foreign residents' names in Latin letters, recognised by
//! their parts (`Tran Van Minh`, `SOUZA MARIA LUCIA`, `Ana Rose Dela Paz`, `Lê Thị Hồng`,
//! `Kim Min-jun`, `Sato Haruka`, `SANTOS, Maria Clara`, `T. Nakano`), inside Japanese
//! sentences, CSV cells and English or Portuguese sentences alike.
//!
//! Linguistic reason: residence cards, passports and the forms copied from them write a
//! foreign resident's name in Latin letters as two to four capitalised (or all-capital)
//! words — family name first in Vietnamese, Chinese, Korean and the Japanese form
//! convention, last in Filipino, Brazilian, Nepali and English usage — joined by
//! lower-case particles in Portuguese, Spanish and Filipino names (`da`, `dos`, `Dela`),
//! with Vietnamese diacritics often dropped and Korean given names written as two
//! syllables, hyphenated or not (`Min-jun`, `Minjun`). The family and given names of each
//! community are a small, well-known set (a few hundred cover most of its people), so a
//! run of capitalised words is a name when its words are those parts:
//!
//! - without any cue, when every word is a listed name part (`latin-family.txt`,
//!   `latin-given.txt`, or the romaji readings of the Japanese lists), one is a family
//!   name and another a given name, one is no everyday English word (`Long`, `Rose`), and
//!   the run holds no listed place (`Ho Chi Minh`, `Da Nang`, `Long An`);
//! - with a person cue — a title before it (`Mr`, `Sra`, `Bapak`, `Dear`), a label
//!   (`氏名:`, `申請者`, `Name:`, `Nome:`, `Họ tên:`), a word for a person (`ソリストの`), or
//!   an honorific or title after it (`様`, `さん`, `氏`, `-san`, `씨`) — when one word is a
//!   listed part (after a form label with a colon, any name-shaped run);
//! - after a title of address (`Ms. Santos`, `Sra. Oliveira`), one listed name alone;
//! - with an initial, when a word is a listed family name (`T. Nakano`, `Maria L. Santos`):
//!   an initial before a surname is how persons, not places or firms, are abbreviated.
//!
//! A run holding a word that is never part of a name (English function words, months,
//! days, job titles, organisation, street and place words: `Please Send The Report`,
//! `Toyota Motor`, `San Francisco City`) is no name, nor is a run glued to a digit, an
//! `@`, a path or a further code (`Maria.Santos@…`, `Santos2`), nor a run after a label
//! of a thing's name (`ブランド名は`, `商品名:`). Leading titles, greetings
//! and a sentence-initial word are cut off (`Dear Maria Santos` → `Maria Santos`).
//! Nothing here logs or keeps the text it looks at.

use std::ops::Range;

use super::latin_lists::{fold, is_latin_letter, LatinNames, CHINESE, KOREAN};
use super::romaji::RomajiNames;
use super::romaji_names::{
    honorific_after, label_before, ENGLISH_WORDS, NOT_NAME_PARTS, PLACE_PREFIXES, PREFECTURES,
};
use super::{Candidate, NameDetector};

/// Most name parts (words and initials, particles not counted) in a name.
const MAX_PARTS: usize = 4;
/// Most tokens read in one run; a longer run is a heading or a sentence.
const MAX_RUN_TOKENS: usize = 8;
/// Longest word, in letters.
const MAX_WORD_LETTERS: usize = 20;
/// Latin words before a name searched for a label (`Full Name:`, `Họ và tên:`).
const LABEL_WORDS: usize = 3;
/// Bit of a Japanese (romaji) name part.
const JAPANESE: u16 = 1 << 8;

/// Characters that glue a Latin word to a code, an address or a file name.
const GLUE: &[char] = &['@', '_', '/', '\\', '#', '&', '+', '=', '\'', '`', '*'];

/// What a token is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A capitalised or all-capital word, possibly hyphenated (`Minh`, `SOUZA`, `Min-jun`).
    Word,
    /// A lower-case particle (`da`, `dos`, `van`).
    Particle,
    /// One capital and a period (`T.`).
    Initial,
}

/// One token of a run.
#[derive(Clone, Debug)]
struct Tok {
    range: Range<usize>,
    kind: Kind,
    /// The word folded (lower case, no marks, no hyphen); empty for an initial.
    folded: String,
    /// The two halves of a hyphenated word, folded.
    halves: Option<(String, String)>,
    caps: bool,
    letters: usize,
}

/// Whether `c` is a capital Latin letter.
fn is_upper(c: char) -> bool {
    is_latin_letter(c) && c.is_uppercase()
}

/// Reads the letters of a word from `at`: (end, letters, all after the first in lower
/// case, all in capitals).
fn letters_at(text: &str, at: usize) -> (usize, usize, bool, bool) {
    let mut end = at;
    let mut n = 0;
    let (mut lower, mut upper) = (true, true);
    for (i, c) in text[at..].char_indices() {
        if !is_latin_letter(c) || n > MAX_WORD_LETTERS {
            break;
        }
        if n > 0 {
            lower &= c.is_lowercase();
        }
        upper &= c.is_uppercase();
        n += 1;
        end = at + i + c.len_utf8();
    }
    (end, n, lower, upper)
}

/// The token starting at byte `at`, if one does.
fn token_at(text: &str, at: usize) -> Option<Tok> {
    let first = text[at..].chars().next()?;
    if !is_latin_letter(first) {
        return None;
    }
    let (end, n, lower, upper) = letters_at(text, at);
    if n > MAX_WORD_LETTERS {
        return None;
    }
    if !is_upper(first) {
        // A lower-case word: only a particle.
        let f = fold(&text[at..end])?;
        return LatinNames::shared().is_particle(&f).then_some(Tok {
            range: at..end,
            kind: Kind::Particle,
            folded: f,
            halves: None,
            caps: false,
            letters: n,
        });
    }
    if n == 1 {
        // `T.` followed by a space or a non-Latin character, not `U.S.`.
        let rest = &text[end..];
        let after = rest.strip_prefix('.')?.chars().next();
        if after.is_some_and(|c| is_latin_letter(c) || c.is_ascii_digit() || c == '.') {
            return None;
        }
        return Some(Tok {
            range: at..end + 1,
            kind: Kind::Initial,
            folded: String::new(),
            halves: None,
            caps: true,
            letters: 1,
        });
    }
    if !(lower || upper) {
        return None;
    }
    let mut range = at..end;
    let mut halves = None;
    let mut caps = upper;
    // `Min-jun`, `MIN-JUN`, `Santos-Silva`.
    if let Some(rest) = text[end..].strip_prefix('-') {
        let second = end + 1;
        let c = rest.chars().next().filter(|c| is_latin_letter(*c))?;
        let (e2, n2, lower2, upper2) = letters_at(text, second);
        let shaped = if c.is_uppercase() {
            lower2 || upper2
        } else {
            text[second..e2].chars().all(char::is_lowercase)
        };
        if !(2..=MAX_WORD_LETTERS).contains(&n2) || !shaped {
            return None;
        }
        halves = Some((fold(&text[at..end])?, fold(&text[second..e2])?));
        caps &= upper2;
        range.end = e2;
    }
    let folded = match &halves {
        Some((a, b)) => format!("{a}{b}"),
        None => fold(&text[range.clone()])?,
    };
    Some(Tok {
        letters: text[range.clone()].chars().filter(|c| *c != '-').count(),
        range,
        kind: Kind::Word,
        folded,
        halves,
        caps,
    })
}

/// Spaces (one or two) at `at` followed by something: the byte after them.
fn past_gap(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let spaces = rest.bytes().take_while(|b| *b == b' ').count();
    (1..=2).contains(&spaces).then_some(at + spaces)
}

/// The tokens of the run starting at `at`, and where the run ends.
fn run_at(text: &str, at: usize) -> (Vec<Tok>, usize) {
    let lists = LatinNames::shared();
    let mut toks: Vec<Tok> = Vec::new();
    let mut end = at;
    let mut pos = at;
    while toks.len() < MAX_RUN_TOKENS {
        let Some(mut t) = token_at(text, pos) else {
            break;
        };
        // `Mr.`, `Sra.`: the period belongs to the title.
        if t.kind == Kind::Word
            && lists.is_title(&t.folded)
            && text[t.range.end..].starts_with(". ")
        {
            t.range.end += 1;
        }
        end = t.range.end;
        toks.push(t);
        match past_gap(text, end) {
            Some(next) => pos = next,
            None => break,
        }
    }
    (toks, end)
}

/// Whether a run may start at `at`: nothing Latin, no digit and no code glued before it.
fn start_ok(text: &str, at: usize) -> bool {
    match text[..at].chars().next_back() {
        None => true,
        Some(c) => {
            !(is_latin_letter(c) || c.is_ascii_digit() || GLUE.contains(&c) || c == '-' || c == '.')
        }
    }
}

/// Whether a run may end at `at`: no digit, `@`, path or dotted or hyphenated code
/// glued after it.
fn end_ok(text: &str, at: usize) -> bool {
    let mut chars = text[at..].chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_digit() || is_latin_letter(c) || GLUE.contains(&c) => false,
        Some('.' | '-') => !chars
            .next()
            .is_some_and(|n| n.is_ascii_alphanumeric() || is_latin_letter(n)),
        Some(_) => true,
    }
}

/// Whether `at` starts a sentence or a line (a capital there may be a plain word).
fn sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(' ');
    before.is_empty() || before.ends_with(['\n', '.', '!', '?', '。', '！', '？', '>', '"', '“'])
}

/// What is known of one word of a run.
#[derive(Clone, Copy, Debug, Default)]
struct Part {
    family: u16,
    given: u16,
    weak: bool,
}

impl Part {
    fn listed(&self) -> bool {
        self.family != 0 || self.given != 0
    }
}

/// What the lists say of a word.
fn part_of(t: &Tok, lists: &LatinNames, romaji: &RomajiNames) -> Part {
    let f = t.folded.as_str();
    let mut p = Part {
        family: lists.family(f),
        given: lists.given(f),
        weak: lists.is_weak(f) || ENGLISH_WORDS.contains(&f),
    };
    // Romaji words for honorifics and divisions (`KU`, `CHO`) are no Japanese name part.
    if !NOT_NAME_PARTS.contains(&f) {
        if romaji.is_surname(f) {
            p.family |= JAPANESE;
        }
        if romaji.is_given(f) {
            p.given |= JAPANESE;
        }
    }
    if let Some((a, b)) = &t.halves {
        // `Min-jun`: two syllables of Korean given names, not a place (`Jung-gu`).
        if lists.korean_syllable(a) && lists.korean_syllable(b) && !lists.is_korean_place_suffix(b)
        {
            p.given |= KOREAN;
        }
        // `Santos-Silva`, `Bat-Erdene`: both halves listed.
        let listed = |h: &str| lists.family(h) | lists.given(h);
        if p.family == 0 && listed(a) != 0 && lists.family(b) != 0 {
            p.family = lists.family(b);
        }
    }
    p
}

/// Whether a label for a name stands before byte `at`: a Japanese or English label the
/// romaji pass knows (`氏名:`, `Name:`), or one of the listed labels of the residents'
/// languages (`Nome:`, `Họ tên:`, `Full Name:`). The second value tells a form field
/// (a colon after the label).
fn label_cue(text: &str, at: usize) -> (bool, bool) {
    let b = text[..at].trim_end_matches(' ');
    let colon = b.ends_with([':', '：']);
    let b = b.trim_end_matches([':', '：']).trim_end_matches(' ');
    let mut words: Vec<String> = Vec::new();
    let mut rest = b;
    for _ in 0..LABEL_WORDS {
        let start = rest
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_latin_letter(*c))
            .last()
            .map(|(i, _)| i);
        let Some(s) = start else { break };
        let Some(f) = fold(&rest[s..]) else { break };
        words.insert(0, f);
        rest = rest[..s].trim_end_matches(' ');
        if LatinNames::shared().ends_with_label(&words) {
            return (true, colon);
        }
    }
    (label_before(text, at), colon)
}

/// Whether a Korean honorific follows (`씨`, `님`, past one space).
fn korean_honorific_after(rest: &str) -> bool {
    let r = rest.strip_prefix(' ').unwrap_or(rest);
    r.starts_with(['씨', '님'])
}

/// The given names after `FAMILY, ` when the run is one word followed by a comma: a
/// space after the comma, or none after a family name in capitals (`SANTOS,Maria`).
fn comma_run(text: &str, toks: &[Tok], end: usize) -> Option<(Vec<Tok>, usize)> {
    let [family] = toks else { return None };
    if family.kind != Kind::Word {
        return None;
    }
    let rest = text[end..].strip_prefix(',')?;
    let next = match rest.strip_prefix(' ') {
        Some(r) if !r.starts_with(' ') => end + 2,
        None if family.caps => end + 1,
        _ => return None,
    };
    let (given, given_end) = run_at(text, next);
    (!given.is_empty() && given.len() < MAX_PARTS).then_some((given, given_end))
}

/// The name `FAMILY, Given …` makes (`SANTOS, Maria Clara`, `Nguyen, Van Minh`): the
/// sort order of lists and rosters. The family name must be listed, and the given names
/// too (or one of them, with a person cue).
fn comma_name(
    text: &str,
    family: &Tok,
    given: &[Tok],
    end: usize,
    lists: &LatinNames,
    romaji: &RomajiNames,
) -> Option<Candidate> {
    if !end_ok(text, end) || given.iter().any(|t| t.kind != Kind::Word) {
        return None;
    }
    let f = part_of(family, lists, romaji);
    if f.family == 0 || lists.is_never(&family.folded) {
        return None;
    }
    let parts: Vec<Part> = given.iter().map(|t| part_of(t, lists, romaji)).collect();
    if given.iter().any(|t| lists.is_never(&t.folded)) {
        return None;
    }
    let cue = label_cue(text, family.range.start).0 || honorific_after(text, end);
    let ok = if cue {
        parts.iter().any(|p| p.given != 0)
    } else {
        parts.iter().all(|p| p.given != 0) && (!f.weak || parts.iter().any(|p| !p.weak))
    };
    ok.then_some(Candidate {
        range: family.range.start..end,
        detector: "name.latin_listed",
        confidence: 0.65,
        reason: "Latin-letter name written family name, comma, given names",
    })
}

impl NameDetector {
    /// Latin-letter names made of listed parts (see the module header).
    pub(super) fn latin_listed_names(
        &self,
        doc: &crate::inspect::Document<'_>,
        found: &mut Vec<Candidate>,
    ) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let lists = LatinNames::shared();
        let romaji = RomajiNames::shared();
        let mut at = 0;
        while at < bytes.len() {
            // Runs start with an ASCII capital or a Latin capital with a mark (C3–C9 or
            // E1 B8–BB lead bytes); skip everything else without decoding.
            let b = bytes[at];
            let lead = b.is_ascii_uppercase() || (0xC3..=0xC9).contains(&b) || b == 0xE1;
            if !lead || !text.is_char_boundary(at) {
                at += 1;
                continue;
            }
            let c = text[at..].chars().next().unwrap_or(' ');
            if !is_upper(c) || !start_ok(text, at) {
                at += c.len_utf8();
                // Skip the rest of a Latin word.
                while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
                    at += 1;
                }
                continue;
            }
            // Cheap check first: a run goes on past its first word with a space or a
            // comma (most capitals start a lone acronym or word: `USB`, `CSIRT`).
            let (word_end, ..) = letters_at(text, at);
            let next = text[word_end..].trim_start_matches(['-', '.']);
            let next = text[word_end..].len() - next.len() + word_end;
            let (next, ..) = letters_at(text, next);
            if !text[next..].starts_with([' ', ',']) {
                at = next.max(at + 1);
                continue;
            }
            let (toks, mut end) = run_at(text, at);
            let name = match comma_run(text, &toks, end) {
                Some((given, given_end)) => {
                    end = given_end;
                    comma_name(text, &toks[0], &given, given_end, lists, romaji)
                }
                None => self.latin_listed_run(text, &toks, end, lists, romaji),
            };
            if let Some(c) = name {
                found.push(c);
            }
            at = end.max(at + 1);
            while !text.is_char_boundary(at) {
                at += 1;
            }
        }
    }

    /// The name a run of tokens makes, if it makes one.
    fn latin_listed_run(
        &self,
        text: &str,
        toks: &[Tok],
        run_end: usize,
        lists: &LatinNames,
        romaji: &RomajiNames,
    ) -> Option<Candidate> {
        if toks.len() >= MAX_RUN_TOKENS || !end_ok(text, run_end) {
            return None;
        }
        let mut toks: Vec<Tok> = toks.to_vec();
        let mut titled = false;
        let mut honorific_title = false;
        // Leading titles (a cue), greetings and English words (no cue) are cut off.
        while let Some(t) = toks.first() {
            if t.kind != Kind::Word {
                break;
            }
            if lists.is_title(&t.folded) {
                titled = true;
                honorific_title |= t.folded != "dear";
            } else if !lists.is_never(&t.folded) {
                break;
            }
            toks.remove(0);
        }
        // A sentence-initial word that is no listed part (`Yesterday Maria Santos`).
        if toks.len() > 2
            && toks[0].kind == Kind::Word
            && sentence_start(text, toks[0].range.start)
            && !part_of(&toks[0], lists, romaji).listed()
        {
            toks.remove(0);
        }
        while toks.last().is_some_and(|t| t.kind == Kind::Particle) {
            toks.pop();
        }
        let (first, last) = (toks.first()?, toks.last()?);
        if first.kind == Kind::Particle || last.kind == Kind::Initial {
            return None;
        }
        // `Ms. Santos`, `Sra. Oliveira`: a title of address before one listed name.
        if let [one] = toks.as_slice() {
            let p = part_of(one, lists, romaji);
            let ok = honorific_title
                && one.kind == Kind::Word
                && p.listed()
                && !lists.is_never(&one.folded)
                && end_ok(text, one.range.end);
            return ok.then_some(Candidate {
                range: one.range.clone(),
                detector: "name.latin_listed",
                confidence: 0.65,
                reason: "listed name in Latin letters after a title of address",
            });
        }
        let span = first.range.start..last.range.end;
        let mut words: Vec<&Tok> = toks.iter().filter(|t| t.kind == Kind::Word).collect();
        let initials = toks.iter().filter(|t| t.kind == Kind::Initial).count();
        let n_parts = words.len() + initials;
        if !(2..=MAX_PARTS + 2).contains(&n_parts) || words.is_empty() {
            return None;
        }
        if words.iter().any(|w| lists.is_never(&w.folded)) {
            return None;
        }
        let folded: Vec<String> = toks.iter().map(|t| t.folded.clone()).collect();
        if lists.holds_place(&folded) || lists.thing_label_before(&text[..first.range.start]) {
            return None;
        }
        let mut parts: Vec<Part> = words.iter().map(|w| part_of(w, lists, romaji)).collect();
        // A capitalised particle that is no listed name (`Dela`, `De`) joins the parts.
        let mut k = 0;
        while k < words.len() {
            if k > 0 && !parts[k].listed() && lists.is_particle(&words[k].folded) {
                words.remove(k);
                parts.remove(k);
            } else {
                k += 1;
            }
        }
        let n_parts = words.len() + initials;
        if !(2..=MAX_PARTS).contains(&n_parts) {
            return None;
        }
        // Korean and Chinese given names of two syllables written together (`Minjun`,
        // `Xiaoming`) right after a family name of the same language (the order of
        // those languages; `Nara Park` is a park).
        for k in 1..parts.len() {
            let family = parts[k - 1].family;
            if family & KOREAN != 0 && lists.korean_given_compound(&words[k].folded) {
                parts[k].given |= KOREAN;
            }
            if family & CHINESE != 0 && lists.chinese_given_compound(&words[k].folded) {
                parts[k].given |= CHINESE;
            }
        }
        let before = &text[..span.start];
        let after = &text[span.end..];
        let (label, form_field) = label_cue(text, span.start);
        let cue = titled
            || label
            || honorific_after(text, span.end)
            || korean_honorific_after(after)
            || super::foreign::title_after_name(after)
            || super::latin::person_before(before);
        let (reason, confidence) = if initials > 0 {
            // `T. Nakano`, `Maria L. Santos`: an initial and a listed family name.
            let family = parts.iter().any(|p| p.family != 0 && (!p.weak || cue));
            (
                family.then_some("initial and a listed family name in Latin letters")?,
                0.65,
            )
        } else if cue {
            let any = parts.iter().any(Part::listed) || (label && form_field);
            (
                any.then_some("Latin-letter name with a listed part and a person cue")?,
                0.7,
            )
        } else {
            let all = parts.iter().all(Part::listed);
            let pair = parts.iter().enumerate().any(|(i, p)| {
                p.family != 0
                    && parts
                        .iter()
                        .enumerate()
                        .any(|(j, q)| i != j && q.given != 0)
            });
            let strong = parts.iter().any(|p| !p.weak);
            // An everyday word counts in a name only with a part of its community
            // (`Grace Santos`, not `Nara Park`: a Japanese given name and a Korean one).
            let same_language = !parts.iter().any(|p| p.weak)
                || parts.iter().any(|p| {
                    parts
                        .iter()
                        .any(|q| p.family & q.given != 0 && !std::ptr::eq(p, q))
                });
            let long_word = words.iter().any(|w| w.letters >= 3);
            let place_prefix = PLACE_PREFIXES.contains(&words[0].folded.as_str());
            // `CHIBA KEN`: the prefecture, not the given name Ken.
            let prefecture = words
                .windows(2)
                .any(|w| w[1].folded == "ken" && PREFECTURES.contains(&w[0].folded.as_str()));
            // Japanese parts alone in initial capitals are also how brands are written
            // (`Sakura Minami`, readable both ways): the pair must read as surname and
            // given name in one order only (`Sato Haruka`, `Haruka Sato`).
            let japanese_only = parts.iter().all(|p| (p.family | p.given) == JAPANESE);
            let (a, b) = (parts[0], parts[parts.len() - 1]);
            let one_order = (a.family != 0 && b.given != 0) != (a.given != 0 && b.family != 0);
            let unambiguous = !japanese_only || words.iter().any(|w| w.caps) || one_order;
            // A quoted title of a work (`「Kodama Haruna」シリーズ`).
            let quoted = text[..span.start].ends_with(['「', '『'])
                && text[span.end..].starts_with(['」', '』']);
            let ok = all
                && pair
                && strong
                && same_language
                && long_word
                && !place_prefix
                && !prefecture
                && unambiguous
                && !quoted;
            (
                ok.then_some("Latin-letter name of listed family and given names")?,
                0.6,
            )
        };
        // Two capitals-only words of two letters are acronyms (`IT HR`).
        if words.iter().all(|w| w.caps && w.letters <= 2) && initials == 0 {
            return None;
        }
        Some(Candidate {
            range: span,
            detector: "name.latin_listed",
            confidence,
            reason,
        })
    }
}
