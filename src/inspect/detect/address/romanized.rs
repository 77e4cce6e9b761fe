//! Romanized addresses in Western order: `1-2-3 Hommachi, Naka-ku, Yokohama`,
//! `4-5-6 Shimbashi, Minato-ku, Tokyo 105-0004`.
//!
//! The names are the gazetteer's kana readings romanized in Hepburn when the data
//! is generated (`scripts/build-gazetteer.py` writes `romanized.tsv`): towns,
//! municipalities, the designated cities and their wards, prefectures. Text and
//! names are folded alike so the spellings people write meet: case, macrons
//! (`Chūō` = `Chuo` = `Chuuou`), hyphens and spaces, long vowels (`ou`, `oo`,
//! `uu`), and `m`/`n` before b, m, p (`Shimbashi` = `Shinbashi`).
//!
//! An address is block numbers with at least one dash, a town name of the
//! gazetteer, and after a comma at least one known administrative name (its
//! `-ku`, `-shi`, `City`, … suffix allowed); the span runs from the first number
//! to the last known name, and a postal code right after it. A town alone after
//! numbers (`10-12 Naka`) or numbers before unknown words are not addresses.
//!
//! Cost: at each digit run a bounded read; the name sets are built on the first
//! candidate (most texts never have one).

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use super::street::{char_at, char_before, postal_code};
use crate::inspect::{Category, RawFinding};

const ROMANIZED: &str = include_str!("../../../../dictionaries/gazetteer/romanized.tsv");

/// Confidence of a romanized address with a known town and administrative name.
const CONF_ROMANIZED: f32 = 0.85;

/// Longest name part read (bytes).
const MAX_PART_BYTES: usize = 40;
/// Most administrative parts after the town (ward, city, prefecture).
const MAX_ADMIN_PARTS: usize = 3;

/// The romanized name sets, folded with [`fold_romaji`].
struct Names {
    towns: FxHashSet<Box<str>>,
    admin: FxHashSet<Box<str>>,
}

impl Names {
    fn get() -> &'static Names {
        static N: OnceLock<Names> = OnceLock::new();
        N.get_or_init(|| {
            let mut towns = FxHashSet::default();
            let mut admin = FxHashSet::default();
            for line in ROMANIZED.lines() {
                let Some((kind, list)) = line.split_once('\t') else {
                    continue;
                };
                let set = if kind == "town" {
                    &mut towns
                } else {
                    &mut admin
                };
                for name in list.split('|') {
                    if let Some(f) = fold_romaji(name) {
                        set.insert(f.into_boxed_str());
                    }
                }
            }
            Names { towns, admin }
        })
    }
}

/// Folds a romanized name for lookup (see the module header), or `None` when it
/// holds a character no romanized name has.
fn fold_romaji(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' => c,
            'ā' | 'Ā' | 'â' | 'Â' => 'a',
            'ī' | 'Ī' | 'î' | 'Î' => 'i',
            'ū' | 'Ū' | 'û' | 'Û' => 'u',
            'ē' | 'Ē' | 'ê' | 'Ê' => 'e',
            'ō' | 'Ō' | 'ô' | 'Ô' => 'o',
            '-' | ' ' | '\'' => continue,
            _ => return None,
        };
        let last = out.as_bytes().last().copied();
        match (last, c) {
            // Long vowels: ou, oo, uu are one vowel.
            (Some(b'o'), 'u' | 'o') | (Some(b'u'), 'u') => continue,
            // Hepburn's m before b, m, p is an n.
            (Some(b'm'), 'b' | 'm' | 'p') => {
                out.pop();
                out.push('n');
            }
            _ => {}
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

/// Suffixes of an administrative name written in Latin letters (lower case).
const ADMIN_SUFFIXES: &[&str] = &[
    "-ku",
    " ku",
    " ward",
    "-shi",
    " shi",
    " city",
    "-cho",
    "-chou",
    "-chō",
    " town",
    "-machi",
    "-mura",
    "-son",
    " village",
    "-gun",
    " county",
    "-ken",
    " prefecture",
    " pref.",
    "-to",
    "-fu",
];

/// Whether an administrative part (`Naka-ku`, `Yokohama`, `Yokohama City`) is
/// a known romanized name.
fn is_admin(names: &Names, part: &str) -> bool {
    let lower = part.to_lowercase();
    let bare = ADMIN_SUFFIXES
        .iter()
        .find_map(|s| lower.strip_suffix(s))
        .unwrap_or(&lower);
    fold_romaji(bare).is_some_and(|f| names.admin.contains(f.as_str()))
}

/// Whether `c` may be in a romanized name.
#[inline]
fn is_roman_char(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(
            c,
            '-' | ' ' | '\'' | 'ā' | 'ī' | 'ū' | 'ē' | 'ō' | 'Ā' | 'Ī' | 'Ū' | 'Ē' | 'Ō'
        )
        || matches!(c, 'â' | 'î' | 'û' | 'ê' | 'ô' | 'Â' | 'Î' | 'Û' | 'Ê' | 'Ô')
}

/// Reads a name part at `at` (a capital letter, then name characters) up to a
/// comma or anything else; returns its end with trailing spaces left out.
fn name_part(t: &str, at: usize) -> Option<usize> {
    if !char_at(t, at).is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let mut end = at;
    for (i, c) in t[at..].char_indices() {
        if i >= MAX_PART_BYTES || !is_roman_char(c) {
            break;
        }
        end = at + i + c.len_utf8();
    }
    while t[at..end].ends_with(' ') {
        end -= 1;
    }
    Some(end)
}

/// Reads block numbers with at least one dash (`1-2-3`, `12-5`) at `at`.
fn block_numbers(t: &str, at: usize) -> Option<usize> {
    let b = t.as_bytes();
    let mut p = at;
    let mut numbers = 0;
    loop {
        let d = b[p..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 || d > 5 || b[p] == b'0' {
            return None;
        }
        p += d;
        numbers += 1;
        if numbers < 4 && b.get(p) == Some(&b'-') && b.get(p + 1).is_some_and(u8::is_ascii_digit) {
            p += 1;
        } else {
            break;
        }
    }
    (numbers >= 2).then_some(p)
}

/// Skips a comma and the spaces after it; `None` when no comma is there.
fn after_comma(t: &str, at: usize) -> Option<usize> {
    let rest = t[at..].strip_prefix(',')?;
    Some(t.len() - rest.trim_start_matches(' ').len())
}

/// Romanized addresses in Western order (see the module header).
pub(super) fn romanized_addresses(t: &str, out: &mut Vec<RawFinding>) {
    let b = t.as_bytes();
    for i in 0..b.len() {
        if !b[i].is_ascii_digit()
            || char_before(t, i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            continue;
        }
        let Some(nums_end) = block_numbers(t, i) else {
            continue;
        };
        // `1-2-3 Hommachi` or `1-2-3, Hommachi`.
        let town_at = match after_comma(t, nums_end) {
            Some(p) => p,
            None if b.get(nums_end) == Some(&b' ') => nums_end + 1,
            None => continue,
        };
        let Some(town_end) = name_part(t, town_at) else {
            continue;
        };
        let names = Names::get();
        if !fold_romaji(&t[town_at..town_end]).is_some_and(|f| names.towns.contains(f.as_str())) {
            continue;
        }
        let mut end = None;
        let mut p = town_end;
        for _ in 0..MAX_ADMIN_PARTS {
            let Some(part_at) = after_comma(t, p) else {
                break;
            };
            let Some(part_end) = name_part(t, part_at) else {
                break;
            };
            if !is_admin(names, &t[part_at..part_end]) {
                break;
            }
            end = Some(part_end);
            p = part_end;
        }
        let Some(mut end) = end else {
            continue;
        };
        // A postal code right after the last name: `Tokyo 105-0004`.
        let q = after_comma(t, end).unwrap_or(end + usize::from(b.get(end) == Some(&b' ')));
        if let Some(e) = postal_code(t, q) {
            end = e;
        }
        out.push(RawFinding::new(
            Category::Address,
            i..end,
            "address.romanized",
            CONF_ROMANIZED,
            "block numbers + romanized town and municipality",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_spellings_alike() {
        for (a, b) in [
            ("Chūō", "chuuou"),
            ("Chuo", "Chuou"),
            ("Shimbashi", "shinbashi"),
            ("Tokyo", "toukyou"),
            ("Naka-cho", "nakachou"),
            ("Ōsaka", "oosaka"),
        ] {
            assert_eq!(fold_romaji(a), fold_romaji(b), "{a} / {b}");
        }
        assert_eq!(fold_romaji("東京"), None);
    }

    #[test]
    fn names_load() {
        let n = Names::get();
        assert!(n.towns.len() > 50_000);
        assert!(n.admin.contains("yokohama") && n.admin.contains("naka"));
        assert!(n.towns.contains("honmachi"));
        assert!(is_admin(n, "Naka-ku") && is_admin(n, "Yokohama City"));
        assert!(!is_admin(n, "Meeting"));
    }
}
