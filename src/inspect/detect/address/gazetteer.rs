//! The embedded gazetteer: prefectures, municipalities (市区町村, 政令市の区, 郡) and
//! town names per municipality, from Japan Post data (`dictionaries/gazetteer/`).
//!
//! Administrative names are matched with one leftmost-longest aho-corasick automaton
//! over the folded text; town names are looked up by hashing the few prefixes of the
//! text that follows a municipality. The gazetteer is built once per process.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::text::{fold_for_words, Normalized};

const PREFECTURES: &str = include_str!("../../../../dictionaries/gazetteer/prefectures.txt");
const MUNICIPALITIES: &str = include_str!("../../../../dictionaries/gazetteer/municipalities.tsv");
const TOWNS: &str = include_str!("../../../../dictionaries/gazetteer/towns.tsv");

/// Index of a municipality in the gazetteer.
pub(super) type MuniId = u16;

/// What an administrative pattern names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AdminKind {
    /// 都道府県.
    Prefecture,
    /// A municipality (市区町村), possibly with its 郡 or designated city.
    Municipality,
    /// A 郡 or a designated city (政令市) written without its ward: a prefix of
    /// municipalities.
    Group,
}

/// One administrative pattern.
#[derive(Debug)]
pub(super) struct AdminEntry {
    /// What it names.
    pub kind: AdminKind,
    /// Length in characters.
    pub chars: usize,
    /// The municipalities it may stand for (empty for a prefecture).
    pub munis: Vec<MuniId>,
}

/// The compiled gazetteer.
pub(super) struct Gazetteer {
    admin: AhoCorasick,
    entries: Vec<AdminEntry>,
    towns: HashMap<Box<str>, Vec<MuniId>>,
    max_town_chars: usize,
}

/// An administrative name found in the text (byte range in the detection view).
#[derive(Clone, Copy, Debug)]
pub(super) struct AdminMatch {
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// Index into [`Gazetteer::entry`].
    pub pattern: usize,
}

/// Folding shared by the gazetteer and the scanned text, on top of
/// [`fold_for_words`]: the small and voiced spellings of ケ/カ/ツ that place names
/// use interchangeably (旭ヶ丘 = 旭ケ丘 = 旭が丘, 一ッ石 = 一ツ石). Each fold keeps
/// the UTF-8 length, so offsets are shared with the detection view.
#[inline]
pub(super) fn fold_place_char(c: char) -> char {
    match c {
        'ヶ' | 'ガ' => 'ケ',
        'ヵ' => 'カ',
        'ッ' => 'ツ',
        c => c,
    }
}

/// Whether [`fold_place_char`] changes `c`.
#[inline]
pub(super) fn needs_place_fold(c: char) -> bool {
    matches!(c, 'ヶ' | 'ガ' | 'ヵ' | 'ッ')
}

/// Folds a gazetteer entry exactly as the scanned text is folded.
fn fold_entry(s: &str) -> String {
    let normalized;
    let s = if s.chars().all(plain_name_char) {
        s
    } else {
        normalized = Normalized::new(s);
        normalized.as_str()
    };
    fold_for_words(s).chars().map(fold_place_char).collect()
}

/// Characters that normalization leaves alone (kanji other than numerals, kana other
/// than の and ー), so an entry made only of them needs no normalization pass.
#[inline]
fn plain_name_char(c: char) -> bool {
    let numeral = matches!(
        c,
        '〇' | '零'
            | '一'
            | '壱'
            | '二'
            | '弐'
            | '三'
            | '参'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
    );
    !numeral
        && c != 'の'
        && c != 'ー'
        && (('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3041}'..='\u{30FA}').contains(&c))
}

impl Gazetteer {
    /// The process-wide gazetteer, built on first use.
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::build)
    }

    fn build() -> Gazetteer {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut entries: Vec<AdminEntry> = Vec::new();
        let mut add = |name: &str, kind: AdminKind, muni: Option<MuniId>| {
            let folded = fold_entry(name);
            if folded.chars().count() < 2 {
                return;
            }
            let i = *index.entry(folded.clone()).or_insert_with(|| {
                patterns.push(folded.clone());
                entries.push(AdminEntry {
                    kind,
                    chars: folded.chars().count(),
                    munis: Vec::new(),
                });
                entries.len() - 1
            });
            let e = &mut entries[i];
            // A full municipality name outranks the same string seen as a group.
            if kind == AdminKind::Municipality {
                e.kind = kind;
            }
            if let Some(m) = muni {
                if !e.munis.contains(&m) {
                    e.munis.push(m);
                }
            }
        };
        for line in PREFECTURES.lines().map(str::trim).filter(|l| !l.is_empty()) {
            add(line, AdminKind::Prefecture, None);
        }
        let mut jis_to_muni: HashMap<&str, MuniId> = HashMap::new();
        for (id, line) in MUNICIPALITIES.lines().filter(|l| !l.is_empty()).enumerate() {
            let mut cols = line.split('\t');
            let (Some(jis), Some(_pref), Some(city)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let id = id as MuniId;
            jis_to_muni.insert(jis, id);
            add(city, AdminKind::Municipality, Some(id));
            if let Some((group, rest)) = split_municipality(city) {
                add(group, AdminKind::Group, Some(id));
                add(rest, AdminKind::Municipality, Some(id));
            }
        }
        let mut towns: HashMap<Box<str>, Vec<MuniId>> = HashMap::with_capacity(120_000);
        let mut max_town_chars = 0;
        for line in TOWNS.lines() {
            let Some((jis, list)) = line.split_once('\t') else {
                continue;
            };
            let Some(&id) = jis_to_muni.get(jis) else {
                continue;
            };
            for town in list.split('|').filter(|t| !t.is_empty()) {
                let folded = fold_entry(town);
                max_town_chars = max_town_chars.max(folded.chars().count());
                let ids = towns.entry(folded.into_boxed_str()).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        // The patterns are static data shipped with the crate: failing to compile them
        // is a build defect caught by every test, not a runtime condition.
        let admin = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("the embedded gazetteer compiles");
        Gazetteer {
            admin,
            entries,
            towns,
            max_town_chars,
        }
    }

    /// Administrative names in `folded` (leftmost-longest, non-overlapping).
    pub fn admin_matches(&self, folded: &str) -> Vec<AdminMatch> {
        self.admin
            .find_iter(folded)
            .map(|m| AdminMatch {
                start: m.start(),
                end: m.end(),
                pattern: m.pattern().as_usize(),
            })
            .collect()
    }

    /// The pattern behind a match.
    pub fn entry(&self, pattern: usize) -> &AdminEntry {
        &self.entries[pattern]
    }

    /// The end of the longest town name of one of `munis` that starts at `at` in
    /// `folded`, if any.
    pub fn town_at(&self, folded: &str, at: usize, munis: &[MuniId]) -> Option<usize> {
        if munis.is_empty() {
            return None;
        }
        let rest = folded.get(at..)?;
        let ends: Vec<usize> = rest
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(rest.len()))
            .take(self.max_town_chars)
            .collect();
        ends.iter().rev().find_map(|&e| {
            let ids = self.towns.get(&rest[..e])?;
            ids.iter().any(|id| munis.contains(id)).then_some(at + e)
        })
    }
}

/// The parts a municipality name may be written as on its own: a 郡 and its town
/// (東彼杵郡東彼杵町 → 東彼杵郡, 東彼杵町), a designated city and its ward
/// (札幌市中央区 → 札幌市, 中央区).
fn split_municipality(city: &str) -> Option<(&str, &str)> {
    for sep in ['郡', '市'] {
        let Some(i) = city.find(sep) else { continue };
        let (group, rest) = city.split_at(i + sep.len_utf8());
        let last = rest.chars().last();
        let ok = match sep {
            '郡' => matches!(last, Some('町' | '村')),
            _ => last == Some('区'),
        };
        if ok && rest.chars().count() >= 2 && group.chars().count() >= 2 {
            return Some((group, rest));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_county_and_designated_city() {
        let cases = [
            ("東彼杵郡東彼杵町", Some(("東彼杵郡", "東彼杵町"))),
            ("余市郡余市町", Some(("余市郡", "余市町"))),
            ("赤穂郡上郡町", Some(("赤穂郡", "上郡町"))),
            ("札幌市中央区", Some(("札幌市", "中央区"))),
            ("北九州市小倉北区", Some(("北九州市", "小倉北区"))),
            ("大和郡山市", None),
            ("郡山市", None),
            ("千代田区", None),
            ("四日市市", None),
        ];
        for (city, want) in cases {
            assert_eq!(split_municipality(city), want, "{city}");
        }
    }

    #[test]
    fn gazetteer_loads_and_finds_towns() {
        let g = Gazetteer::get();
        assert!(g.entries.len() > 2000);
        assert!(g.towns.len() > 50_000);
        let text = fold_entry("札幌市北区篠路九条");
        let m = g.admin_matches(&text);
        assert_eq!(m.len(), 1);
        let e = g.entry(m[0].pattern);
        assert_eq!(e.kind, AdminKind::Municipality);
        assert_eq!(g.town_at(&text, m[0].end, &e.munis), Some(text.len()));
    }
}
