//! Foreign names with Latin initials or regnal numbers, which the katakana chain pass
//! cannot join because a part is not katakana: `ジョン・F・ケネディ`, `ジョージ・H・W・ブッシュ`,
//! `F・R・チェスニー`, `M.メドレー`, `ルイ15世`, `フリードリヒ・ヴィルヘルム4世`.
//!
//! A chain is read from `・`/`=`-joined parts, each a katakana word or an initial
//! (one capital letter, optionally one small letter, optionally a period: `F`, `Yu`, `F.`).
//! It is a name when it holds an initial and ends with a katakana word of two characters
//! or more (or a katakana word and a regnal number, `…2世`), and nothing around it makes it
//! the name of a thing: a kanji word glued before or after it (`V・ファーレン長崎`), a last
//! part naming an organisation (`…・パーク`), a kanji word that makes it part of a thing
//! (`…宇宙センター`, `…記念`). A title after it (`大統領`) is fine.
//!
//! Nothing here logs or keeps the text it looks at.

use std::ops::Range;

use super::{foreign, is_kanji, is_katakana, next_char, prev_char, Candidate, NameDetector};

/// Most parts a chain may have (`ジョージ・H・W・ブッシュ` has four).
const MAX_PARTS: usize = 8;
/// Longest katakana part, in characters.
const MAX_PART_CHARS: usize = 16;

/// One part of a chain.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    /// A katakana word, with its length in characters.
    Katakana(usize),
    /// A Latin initial (`F`, `Yu`, `F.`).
    Initial,
}

fn is_upper(c: char) -> bool {
    c.is_ascii_uppercase() || ('Ａ'..='Ｚ').contains(&c)
}

fn is_lower(c: char) -> bool {
    c.is_ascii_lowercase() || ('ａ'..='ｚ').contains(&c)
}

fn is_joiner(c: char) -> bool {
    matches!(c, '・' | '=' | '＝' | '゠')
}

/// The part starting at `at`, and where it ends.
fn part_at(text: &str, at: usize) -> Option<(Part, usize)> {
    let mut chars = text[at..].char_indices();
    let (_, c) = chars.next()?;
    if is_katakana(c) {
        let mut end = at + c.len_utf8();
        let mut n = 1;
        for (j, c) in chars {
            if !is_katakana(c) || n >= MAX_PART_CHARS {
                break;
            }
            end = at + j + c.len_utf8();
            n += 1;
        }
        return Some((Part::Katakana(n), end));
    }
    if !is_upper(c) {
        return None;
    }
    let mut end = at + c.len_utf8();
    if let Some(l) = next_char(text, end).filter(|l| is_lower(*l)) {
        end += l.len_utf8();
    }
    if let Some(p) = next_char(text, end).filter(|p| matches!(p, '.' | '．')) {
        end += p.len_utf8();
    }
    // An initial is a word of its own: no letter or digit glued after it.
    // After a period another initial may follow (`J.L.ボニエ`).
    let dotted = text[..end].ends_with(['.', '．']);
    let glued = next_char(text, end)
        .is_some_and(|c| c.is_alphanumeric() && !is_katakana(c) && !(dotted && is_upper(c)));
    (!glued).then_some((Part::Initial, end))
}

/// Length in bytes of a regnal number at the start of `rest` (`15世`), if any: digits,
/// then `世` not starting another word (`世紀`, `世代`, `世帯`, `世界`).
fn regnal_len(rest: &str) -> Option<usize> {
    let digits = rest
        .char_indices()
        .take(3)
        .take_while(|(_, c)| c.is_ascii_digit() || ('０'..='９').contains(c))
        .last()
        .map(|(i, c)| i + c.len_utf8())?;
    let after = rest[digits..].strip_prefix('世')?;
    let word = after.starts_with(|c: char| "紀代帯界間襲話".contains(c));
    (!word).then_some(digits + '世'.len_utf8())
}

/// Whether the text before a chain lets it start a name: not glued to a Latin word, a
/// digit or a kanji word (unless that word is a person: `俳優`, `ロシア人`), nor opening a
/// quoted title.
fn start_ok(text: &str, start: usize) -> bool {
    let Some((_, c)) = prev_char(text, start) else {
        return true;
    };
    if c.is_alphanumeric() && !is_kanji(c) && !super::is_hiragana(c) {
        return false;
    }
    if is_kanji(c) {
        let before = &text[..start];
        return super::context::person_word_before(before)
            || foreign::person_word_before(before)
            || super::PERSON_ROLES.iter().any(|r| before.ends_with(r));
    }
    true
}

impl NameDetector {
    /// Names with initials or regnal numbers (see the module header).
    pub(super) fn initial_names(
        &self,
        doc: &crate::inspect::Document<'_>,
        found: &mut Vec<Candidate>,
    ) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let mut new = Vec::new();
        let mut at = 0;
        // Each chain is read once: the scan resumes after it.
        while at < text.len() {
            // A part starts with katakana (E3 82 xx, E3 83 xx), an ASCII capital or a
            // full-width one (EF BC xx): skip the bytes that lead no such character
            // without decoding (those bytes are never continuation bytes, so `at` stays
            // on a character boundary).
            while at < bytes.len() && !matches!(bytes[at], b'A'..=b'Z' | 0xE3 | 0xEF) {
                at += 1;
            }
            let Some(c) = next_char(text, at) else { break };
            // Cheap check first: most characters start no part.
            if !(is_katakana(c) || is_upper(c)) {
                at += c.len_utf8();
                continue;
            }
            let fresh = prev_char(text, at).is_none_or(|(i, p)| {
                !(is_katakana(p)
                    || p.is_alphanumeric() && !is_kanji(p) && !super::is_hiragana(p)
                    || is_joiner(p)
                    // The middle of dotted initials (`V.S.O.P.`).
                    || matches!(p, '.' | '．')
                        && prev_char(text, i).is_some_and(|(_, q)| q.is_ascii_alphanumeric()))
            });
            if !fresh {
                at += c.len_utf8();
                continue;
            }
            if is_katakana(c) {
                // A chain starting with katakana needs a joiner or a regnal number after
                // its first word: a lone word is skipped whole.
                let end = text[at..]
                    .char_indices()
                    .find(|(_, k)| !is_katakana(*k))
                    .map_or(text.len(), |(j, _)| at + j);
                let chained = next_char(text, end).is_some_and(|n| {
                    is_joiner(n) || n.is_ascii_digit() || ('０'..='９').contains(&n)
                });
                if !chained {
                    at = end;
                    continue;
                }
            }
            let (range, next) = self.chain_at(text, at);
            if let Some(r) = range {
                new.push(Candidate {
                    range: r,
                    detector: "name.katakana",
                    confidence: 0.7,
                    reason: "foreign name with initials or a regnal number",
                });
            }
            at = next.max(at + c.len_utf8());
        }
        found.append(&mut new);
    }

    /// The name starting at `start`, if the chain there is one, and where to resume.
    fn chain_at(&self, text: &str, start: usize) -> (Option<Range<usize>>, usize) {
        let mut parts: Vec<(Part, Range<usize>)> = Vec::new();
        let mut at = start;
        while parts.len() < MAX_PARTS {
            let Some((part, end)) = part_at(text, at) else {
                break;
            };
            parts.push((part, at..end));
            at = end;
            // `M.メドレー`: an initial with a period may run straight into katakana.
            let dotted = part == Part::Initial && text[..end].ends_with(['.', '．']);
            match next_char(text, at) {
                Some(j) if is_joiner(j) => {
                    let after = at + j.len_utf8();
                    if part_at(text, after).is_none() {
                        break;
                    }
                    at = after;
                }
                // `J.L.ボニエ`, `A.J.フォイト`: dotted initials run on.
                Some(k) if dotted && (is_katakana(k) || is_upper(k)) => {}
                _ => break,
            }
        }
        let resume = parts.last().map_or(start, |(_, r)| r.end);
        (self.initial_chain(text, &parts), resume)
    }

    fn initial_chain(&self, text: &str, parts: &[(Part, Range<usize>)]) -> Option<Range<usize>> {
        let (first, last) = (parts.first()?, parts.last()?);
        let initials = parts.iter().filter(|(p, _)| *p == Part::Initial).count();
        let Part::Katakana(last_chars) = last.0 else {
            return None;
        };
        let start = first.1.start;
        let mut end = last.1.end;
        let regnal = regnal_len(&text[end..]);
        if last_chars < 2 || !(initials > 0 || regnal.is_some()) || !start_ok(text, start) {
            return None;
        }
        // Periods end sentences as well as initials: `…した。A.スミス` is fine, but a
        // chain of initials only before one katakana word may be an acronym (`V.S.O.P.`).
        if initials > 2
            && parts
                .iter()
                .filter(|(p, _)| matches!(p, Part::Katakana(_)))
                .count()
                == 1
            && matches!(first.0, Part::Initial)
            && text[first.1.clone()].ends_with(['.', '．'])
        {
            return None;
        }
        let last_word = &text[last.1.clone()];
        if foreign::is_thing_word(last_word) || foreign::never_a_name(last_word) {
            return None;
        }
        if let Some(n) = regnal {
            end += n;
        }
        let rest = &text[end..];
        let titled = foreign::title_after_name(rest);
        if !titled
            && (foreign::thing_after(rest)
                || rest.starts_with(|c: char| is_kanji(c) || is_katakana(c)))
        {
            return None;
        }
        // An initial first (`V・ファーレン`) is more often a brand than a person: it
        // needs a title, or a particle or punctuation after it.
        if matches!(first.0, Part::Initial) && !titled {
            let ends_phrase = rest.is_empty()
                || super::particle_follows(rest)
                || rest.starts_with(|c: char| "、。,.)）」』 ".contains(c));
            if !ends_phrase {
                return None;
            }
        }
        Some(start..end)
    }
}
