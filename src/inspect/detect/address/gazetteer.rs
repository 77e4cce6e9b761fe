//! The embedded gazetteer: prefectures, municipalities (市区町村, 政令市の区, 郡) and
//! town names per municipality, from Japan Post data (`dictionaries/gazetteer/`).
//!
//! Every administrative name ends with one of 都道府県市区町村郡: a byte scan
//! finds those characters in the folded text and the longest
//! name ending at each is looked up in a hash map (a bounded look-back). Town names
//! are looked up by hashing the few prefixes of the text that follows a
//! municipality. The names are compiled once per process (about a millisecond); the
//! town index (about 10^5 names, some 20 ms) on the first lookup.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::text::{fold_char_for_words, fold_for_words, Normalized};

const PREFECTURES: &str = include_str!("../../../../dictionaries/gazetteer/prefectures.txt");
const MUNICIPALITIES: &str = include_str!("../../../../dictionaries/gazetteer/municipalities.tsv");
const TOWNS: &str = include_str!("../../../../dictionaries/gazetteer/towns.tsv");

/// The characters administrative names end with.
pub(super) const SUFFIXES: [char; 9] = ['都', '道', '府', '県', '市', '区', '町', '村', '郡'];

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
    /// Folded administrative name → index into `entries` (FxHash: the keys are
    /// fixed, embedded data).
    names: FxHashMap<Box<str>, usize>,
    /// Longest administrative name (characters).
    max_name_chars: usize,
    entries: Vec<AdminEntry>,
    /// Municipality id by JIS X 0402 code (for reading `towns.tsv`).
    jis: HashMap<&'static str, MuniId>,
    /// The town index, built on the first lookup (most texts never need it).
    towns: OnceLock<TownIndex>,
}

/// Town names per municipality.
struct TownIndex {
    /// Sorted keys ([`town_seed`] extended over the folded name) of every
    /// (municipality, town) pair.
    keys: Vec<u64>,
    /// Longest town name (characters).
    max_chars: usize,
    /// Sorted keys of every town name of any municipality, hashed over its folded
    /// characters last to first ([`any_town_seed`]), for looking a town up by where
    /// it ends (`栄町1-7-3` written without its municipality).
    any_reversed: Vec<u64>,
}

/// FNV-1a offset basis and prime (64-bit).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash state after a municipality id; extend it with [`fnv`] over a folded
/// town name to get its key. A 64-bit key stands for the pair: with about 10^5 keys
/// a chance collision is around 10^-9 per lookup, and a false hit could at most let
/// a bare house number after an unknown town count as an address.
#[inline]
fn town_seed(muni: MuniId) -> u64 {
    fnv(FNV_OFFSET, &muni.to_le_bytes())
}

/// The hash state a town of any municipality starts from, before its characters are
/// added last to first (never a [`town_seed`]: those start from a municipality id).
#[inline]
fn any_town_seed() -> u64 {
    fnv(FNV_OFFSET, b"any town, reversed")
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
        let mut names: FxHashMap<Box<str>, usize> = FxHashMap::default();
        let mut entries: Vec<AdminEntry> = Vec::new();
        let mut add = |name: &str, kind: AdminKind, muni: Option<MuniId>| {
            let folded = fold_entry(name);
            let chars = folded.chars().count();
            // The look-up in `admin_matches` relies on both.
            if chars < 2 || !folded.ends_with(SUFFIXES) {
                return;
            }
            let i = *names.entry(folded.into_boxed_str()).or_insert_with(|| {
                entries.push(AdminEntry {
                    kind,
                    chars,
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
        let mut jis_to_muni: HashMap<&'static str, MuniId> = HashMap::new();
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
        let max_name_chars = entries.iter().map(|e| e.chars).max().unwrap_or(0);
        Gazetteer {
            names,
            max_name_chars,
            entries,
            jis: jis_to_muni,
            towns: OnceLock::new(),
        }
    }

    /// Builds the town index from `towns.tsv` (about 10^5 names).
    fn build_towns(jis: &HashMap<&'static str, MuniId>) -> TownIndex {
        let mut towns: Vec<u64> = Vec::with_capacity(120_000);
        let mut any_reversed: Vec<u64> = Vec::with_capacity(120_000);
        let mut max_town_chars = 0;
        let mut buf = [0u8; 4];
        let mut folded: Vec<char> = Vec::with_capacity(32);
        for line in TOWNS.lines() {
            let Some((jis_code, list)) = line.split_once('\t') else {
                continue;
            };
            let Some(&id) = jis.get(jis_code) else {
                continue;
            };
            let seed = town_seed(id);
            for town in list.split('|').filter(|t| !t.is_empty()) {
                let normalized;
                let town = if town.chars().all(plain_name_char) {
                    town
                } else {
                    normalized = Normalized::new(town);
                    normalized.as_str()
                };
                folded.clear();
                folded.extend(
                    town.chars()
                        .map(|c| fold_place_char(fold_char_for_words(c))),
                );
                let mut h = seed;
                for c in &folded {
                    h = fnv(h, c.encode_utf8(&mut buf).as_bytes());
                }
                max_town_chars = max_town_chars.max(folded.len());
                towns.push(h);
                let mut r = any_town_seed();
                for c in folded.iter().rev() {
                    r = fnv(r, c.encode_utf8(&mut buf).as_bytes());
                }
                any_reversed.push(r);
            }
        }
        towns.sort_unstable();
        towns.dedup();
        any_reversed.sort_unstable();
        any_reversed.dedup();
        TownIndex {
            keys: towns,
            max_chars: max_town_chars,
            any_reversed,
        }
    }

    /// Administrative names in `folded`, leftmost-longest and non-overlapping.
    ///
    /// Every name ends with one of [`SUFFIXES`]: each such character is found with a
    /// small automaton, and the longest name that ends there is looked up by hashing
    /// at most [`Gazetteer::max_name_chars`] suffixes of the text before it.
    pub fn admin_matches(&self, folded: &str) -> Vec<AdminMatch> {
        let mut out: Vec<AdminMatch> = Vec::new();
        for end in suffix_ends(folded) {
            let Some(found) = self.longest_name_ending_at(folded, end) else {
                continue;
            };
            match out.last_mut() {
                Some(last) if found.start < last.end => {
                    // 東村 then 東村山市: the longer name that covers the earlier one wins.
                    if found.start <= last.start {
                        *last = found;
                    }
                }
                _ => out.push(found),
            }
        }
        out
    }

    fn longest_name_ending_at(&self, folded: &str, end: usize) -> Option<AdminMatch> {
        // The window before `end`, place-folded (ヶ → ケ …) into a small buffer; each
        // fold keeps the UTF-8 length, so window offsets map back one to one.
        let before = &folded[..end];
        let mut window_start = end;
        for (n, (i, _)) in before.char_indices().rev().enumerate() {
            if n >= self.max_name_chars {
                break;
            }
            window_start = i;
        }
        let window: Cow<'_, str> = if before[window_start..].chars().any(needs_place_fold) {
            Cow::Owned(
                before[window_start..]
                    .chars()
                    .map(fold_place_char)
                    .collect(),
            )
        } else {
            Cow::Borrowed(&before[window_start..])
        };
        window.char_indices().find_map(|(i, _)| {
            self.names.get(&window[i..]).map(|&pattern| AdminMatch {
                start: window_start + i,
                end,
                pattern,
            })
        })
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
        let towns = self.towns.get_or_init(|| Gazetteer::build_towns(&self.jis));
        let rest = folded.get(at..)?;
        let mut best: Option<usize> = None;
        for &m in munis {
            let mut h = town_seed(m);
            for (n, (i, c)) in rest.char_indices().enumerate() {
                if n >= towns.max_chars || !town_char(c) {
                    break;
                }
                let e = i + c.len_utf8();
                let folded_char = fold_place_char(c);
                h = if folded_char == c {
                    fnv(h, &rest.as_bytes()[i..e])
                } else {
                    fnv(h, folded_char.encode_utf8(&mut [0u8; 4]).as_bytes())
                };
                if best.is_none_or(|b| e > b) && towns.keys.binary_search(&h).is_ok() {
                    best = Some(e);
                }
            }
        }
        best.map(|e| at + e)
    }

    /// The start of the longest town name of any municipality, of at least
    /// `min_chars` characters, that ends at byte `end` of `folded`, if any.
    ///
    /// Reads back at most the longest town name's length over town characters,
    /// hashing them last to first: constant work per call.
    pub fn any_town_ending_at(&self, folded: &str, end: usize, min_chars: usize) -> Option<usize> {
        let towns = self.towns.get_or_init(|| Gazetteer::build_towns(&self.jis));
        let before = folded.get(..end)?;
        let mut h = any_town_seed();
        let mut best = None;
        let mut buf = [0u8; 4];
        for (n, (i, c)) in before.char_indices().rev().enumerate() {
            if n >= towns.max_chars || !town_char(c) {
                break;
            }
            h = fnv(h, fold_place_char(c).encode_utf8(&mut buf).as_bytes());
            if n + 1 >= min_chars && towns.any_reversed.binary_search(&h).is_ok() {
                best = Some(i);
            }
        }
        best
    }
}

/// The UTF-8 encodings of [`SUFFIXES`] (three bytes each).
const SUFFIX_BYTES: [[u8; 3]; 9] = {
    let mut out = [[0u8; 3]; 9];
    let mut i = 0;
    while i < SUFFIXES.len() {
        let mut buf = [0u8; 4];
        let e = SUFFIXES[i].encode_utf8(&mut buf).as_bytes();
        out[i] = [e[0], e[1], e[2]];
        i += 1;
    }
    out
};

/// The byte offsets right after each of [`SUFFIXES`] in `text`, in order: a byte
/// scan (each suffix is three bytes led by 0xE5–0xE9, and such a byte always leads
/// a character), no decoding of the characters in between.
fn suffix_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(2)).filter_map(move |i| {
        (matches!(bytes[i], 0xE5..=0xE9)
            && SUFFIX_BYTES.contains(&[bytes[i], bytes[i + 1], bytes[i + 2]]))
        .then_some(i + 3)
    })
}

/// Characters town names are written with (after folding); anything else ends
/// the lookup early.
#[inline]
fn town_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, 'ー' | '・' | '-' | '々' | 'ヶ')
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
        assert_eq!(g.town_at("x", 0, &[0]), None);
        assert!(g.towns.get().is_some_and(|t| t.keys.len() > 100_000));
        let text = fold_entry("札幌市北区篠路九条");
        let m = g.admin_matches(&text);
        assert_eq!(m.len(), 1);
        let e = g.entry(m[0].pattern);
        assert_eq!(e.kind, AdminKind::Municipality);
        assert_eq!(g.town_at(&text, m[0].end, &e.munis), Some(text.len()));
    }

    #[test]
    fn finds_a_town_of_any_municipality_by_its_end() {
        let g = Gazetteer::get();
        let text = fold_entry("住所は栄町");
        let end = text.len();
        assert_eq!(g.any_town_ending_at(&text, end, 2), Some("住所は".len()));
        // The longest name wins: 旭ケ丘 (written 旭ヶ丘), not a shorter tail of it.
        let text = fold_entry("旭ヶ丘");
        assert_eq!(g.any_town_ending_at(&text, text.len(), 2), Some(0));
        // Too short, or no town at all.
        let text = fold_entry("東");
        assert_eq!(g.any_town_ending_at(&text, text.len(), 2), None);
        let text = fold_entry("資料");
        assert_eq!(g.any_town_ending_at(&text, text.len(), 2), None);
    }
}
