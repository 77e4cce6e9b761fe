//! The embedded lists of foreign residents' names in Latin letters and the words around
//! them (`dictionaries/names/latin-family.txt`, `latin-given.txt`, `latin-name-words.txt`),
//! folded for look-up.
//!
//! Folding: Vietnamese, Portuguese and Spanish names are written with and without their
//! diacritics (`Lê Thị Hồng`, `LE THI HONG` on a residence card, `Goncalves`), so every
//! word is looked up in lower case with its marks removed (`Lê` → `le`, `Đặng` → `dang`,
//! `Gonçalves` → `goncalves`); the text itself is never changed, so offsets stay intact.
//! Nothing here logs or keeps the text it looks at.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

const FAMILY: &str = include_str!("../../../../dictionaries/names/latin-family.txt");
const GIVEN: &str = include_str!("../../../../dictionaries/names/latin-given.txt");
const WORDS: &str = include_str!("../../../../dictionaries/names/latin-name-words.txt");

/// Longest folded word looked up, in bytes.
pub(super) const MAX_FOLDED_BYTES: usize = 24;

/// Language bit of a listed Korean name.
pub(super) const KOREAN: u16 = 1 << 0;
/// Language bit of a listed Chinese name.
pub(super) const CHINESE: u16 = 1 << 1;
/// Language bit of Vietnamese names.
const VIETNAMESE: u16 = 1 << 2;
/// Language bit of the names of the Philippines, Brazil, Spanish-speaking and English-
/// speaking countries, which share their given names (Maria, Jose, John).
const WESTERN: u16 = 1 << 3;
/// Language bit of Nepali names.
const NEPALI: u16 = 1 << 4;
/// Language bit of Indonesian names.
const INDONESIAN: u16 = 1 << 5;
/// Language bit of any other section (Thai, Mongolian, Myanmar).
const OTHER: u16 = 1 << 6;

/// The Latin-script name lists, folded.
#[derive(Debug, Default)]
pub(super) struct LatinNames {
    /// Family names, with the language bits of their sections.
    family: FxHashMap<String, u16>,
    /// Given and middle names, with the language bits of their sections.
    given: FxHashMap<String, u16>,
    korean_syllables: FxHashSet<String>,
    chinese_syllables: FxHashSet<String>,
    particles: FxHashSet<String>,
    never: FxHashSet<String>,
    weak: FxHashSet<String>,
    /// Multi-word places, as folded word sequences.
    places: Vec<Vec<String>>,
    korean_place_suffixes: FxHashSet<String>,
    titles: FxHashSet<String>,
    /// Labels, as folded word sequences (`full name`).
    labels: Vec<Vec<String>>,
    /// Labels of names of things (`ブランド名`, `brand`), as written.
    thing_labels: Vec<&'static str>,
}

/// A word folded for look-up: Latin letters in lower case without their marks (`Lê` →
/// `le`, `Đ` → `d`); `None` for any other character or a word longer than
/// [`MAX_FOLDED_BYTES`].
pub(super) fn fold(word: &str) -> Option<String> {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let f = fold_letter(c)?;
        out.push(f);
        if out.len() > MAX_FOLDED_BYTES {
            return None;
        }
    }
    Some(out)
}

/// The plain lower-case ASCII letter of a Latin letter (`ệ` → `e`, `Ç` → `c`).
pub(super) fn fold_letter(c: char) -> Option<char> {
    if c.is_ascii_alphabetic() {
        return Some(c.to_ascii_lowercase());
    }
    if c.is_ascii() {
        return None;
    }
    match c {
        'đ' | 'Đ' => return Some('d'),
        'ø' | 'Ø' => return Some('o'),
        'ł' | 'Ł' => return Some('l'),
        _ => {}
    }
    if !is_latin_letter(c) {
        return None;
    }
    let mut base = None;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if base.is_none() {
            base = Some(d);
        }
    });
    base.filter(char::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
}

/// Whether `c` is a Latin letter (ASCII, Latin-1, Latin Extended-A/B, Latin Extended
/// Additional: the Vietnamese `ệ`, `ố`).
pub(super) fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}') && c != '×' && c != '÷'
}

impl LatinNames {
    /// The lists, built on first use and shared by every engine of the process.
    pub(super) fn shared() -> &'static LatinNames {
        static LISTS: OnceLock<LatinNames> = OnceLock::new();
        LISTS.get_or_init(|| {
            let mut l = LatinNames::default();
            read_names(FAMILY, &mut l.family, None);
            let mut syllables: Vec<(String, String)> = Vec::new();
            read_names(GIVEN, &mut l.given, Some(&mut syllables));
            for (section, s) in syllables {
                match section.as_str() {
                    "ko-syl" => l.korean_syllables.insert(s),
                    _ => l.chinese_syllables.insert(s),
                };
            }
            for (section, words) in sections(WORDS) {
                if section == "thing-labels" {
                    l.thing_labels.push(words);
                    continue;
                }
                let phrase: Vec<String> = words.split(' ').filter_map(fold).collect();
                if phrase.is_empty() {
                    continue;
                }
                let one = || phrase[0].clone();
                match section {
                    "particles" if phrase.len() == 1 => {
                        l.particles.insert(one());
                    }
                    "never" => {
                        l.never.insert(one());
                    }
                    "weak" => {
                        l.weak.insert(one());
                    }
                    "places" => l.places.push(phrase),
                    "ko-place-suffixes" => {
                        l.korean_place_suffixes.insert(one());
                    }
                    "titles" => {
                        l.titles.insert(one());
                    }
                    "labels" => l.labels.push(phrase),
                    _ => {}
                }
            }
            l
        })
    }

    /// Language bits of a listed family name (folded), 0 when unlisted.
    pub(super) fn family(&self, folded: &str) -> u16 {
        self.family.get(folded).copied().unwrap_or(0)
    }

    /// Language bits of a listed given or middle name (folded), 0 when unlisted.
    pub(super) fn given(&self, folded: &str) -> u16 {
        self.given.get(folded).copied().unwrap_or(0)
    }

    /// Whether the folded word is two syllables of Korean given names (`minjun`,
    /// `seoyeon`; halves of a hyphenated word are checked one by one by the caller).
    pub(super) fn korean_given_compound(&self, folded: &str) -> bool {
        two_syllables(folded, &self.korean_syllables)
    }

    /// Whether the folded word is two syllables of Chinese given names (`xiaoming`).
    pub(super) fn chinese_given_compound(&self, folded: &str) -> bool {
        two_syllables(folded, &self.chinese_syllables)
    }

    /// Whether the folded word is one syllable of Korean given names (`min`, `jun`).
    pub(super) fn korean_syllable(&self, folded: &str) -> bool {
        self.korean_syllables.contains(folded)
    }

    /// Whether the folded word joins parts of a name (`da`, `dos`, `dela`).
    pub(super) fn is_particle(&self, folded: &str) -> bool {
        self.particles.contains(folded)
    }

    /// Whether the folded word is never part of a name (`the`, `city`, `motor`).
    pub(super) fn is_never(&self, folded: &str) -> bool {
        self.never.contains(folded)
    }

    /// Whether the folded word is a listed name part that is also an everyday word.
    pub(super) fn is_weak(&self, folded: &str) -> bool {
        self.weak.contains(folded)
    }

    /// Whether the folded word ends a hyphenated Korean place word (`gu` of `Jung-gu`).
    pub(super) fn is_korean_place_suffix(&self, folded: &str) -> bool {
        self.korean_place_suffixes.contains(folded)
    }

    /// Whether the folded word is a title written before a name (`mr`, `sra`, `bapak`).
    pub(super) fn is_title(&self, folded: &str) -> bool {
        self.titles.contains(folded)
    }

    /// Whether `before` ends with a label of a thing's name (`ブランド名は`, `Brand:`),
    /// past spaces, a colon or `は`/`を`/`が`.
    pub(super) fn thing_label_before(&self, before: &str) -> bool {
        let b = before
            .trim_end_matches(' ')
            .trim_end_matches([':', '：', 'は', 'を', 'が', '「'])
            .trim_end_matches(' ');
        self.thing_labels.iter().any(|l| {
            b.len() >= l.len()
                && b.is_char_boundary(b.len() - l.len())
                && b[b.len() - l.len()..].eq_ignore_ascii_case(l)
        })
    }

    /// Whether the folded words hold a listed multi-word place (`ho chi minh`).
    pub(super) fn holds_place(&self, words: &[String]) -> bool {
        self.places
            .iter()
            .any(|p| words.windows(p.len()).any(|w| w == p.as_slice()))
    }

    /// Whether the folded words end with a listed label (`name`, `full name`, `ho ten`).
    pub(super) fn ends_with_label(&self, words: &[String]) -> bool {
        self.labels.iter().any(|l| words.ends_with(l))
    }
}

/// Whether `folded` is two entries of `syllables` written together.
fn two_syllables(folded: &str, syllables: &FxHashSet<String>) -> bool {
    (1..folded.len()).any(|k| {
        folded.is_char_boundary(k)
            && syllables.contains(&folded[..k])
            && syllables.contains(&folded[k..])
    })
}

/// The `(section, line)` pairs of a list file: `[name]` lines open a section, `#` lines
/// are comments.
fn sections(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    let mut section = "";
    text.lines().filter_map(move |line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s;
            return None;
        }
        Some((section, line))
    })
}

/// Reads a name file into `map` (folded name → language bits); lines of the syllable
/// sections go to `syllables` instead. A name of several words (`Dela Cruz`) is listed
/// by its last word: the words before it are particles.
fn read_names(
    text: &'static str,
    map: &mut FxHashMap<String, u16>,
    mut syllables: Option<&mut Vec<(String, String)>>,
) {
    for (section, line) in sections(text) {
        if section.ends_with("-syl") {
            if let (Some(out), Some(f)) = (syllables.as_deref_mut(), fold(line)) {
                out.push((section.to_string(), f));
            }
            continue;
        }
        let bit = match section {
            "ko" => KOREAN,
            "zh" => CHINESE,
            "vi" => VIETNAMESE,
            "fil" | "pt" | "es" | "en" => WESTERN,
            "ne" => NEPALI,
            "id" => INDONESIAN,
            _ => OTHER,
        };
        let Some(last) = line.rsplit(' ').next() else {
            continue;
        };
        // Hyphenated names (`Bat-Erdene`) are listed whole, without the hyphen.
        let Some(f) = fold(&last.replace('-', "")) else {
            continue;
        };
        *map.entry(f).or_insert(0) |= bit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Lê").as_deref(), Some("le"));
        assert_eq!(fold("Đặng").as_deref(), Some("dang"));
        assert_eq!(fold("NGUYỄN").as_deref(), Some("nguyen"));
        assert_eq!(fold("Gonçalves").as_deref(), Some("goncalves"));
        assert_eq!(fold("Thị").as_deref(), Some("thi"));
        assert_eq!(fold("Ana1"), None);
        assert_eq!(fold("山田"), None);
    }

    #[test]
    fn lists() {
        let l = LatinNames::shared();
        for f in [
            "nguyen", "tran", "le", "kim", "park", "wang", "santos", "souza", "shrestha",
        ] {
            assert!(l.family(f) != 0, "{f}");
        }
        assert!(l.family("kim") & KOREAN != 0);
        assert!(l.family("wang") & CHINESE != 0);
        for g in [
            "minh", "van", "thi", "maria", "lucia", "rose", "ram", "budi",
        ] {
            assert!(l.given(g) != 0, "{g}");
        }
        assert!(l.family("cruz") != 0, "last word of Dela Cruz");
        assert!(l.korean_given_compound("minjun"));
        assert!(l.korean_given_compound("seoyeon"));
        assert!(!l.korean_given_compound("report"));
        assert!(l.chinese_given_compound("xiaoming"));
        assert!(l.is_particle("dela") && l.is_particle("dos"));
        assert!(l.is_never("city") && l.is_never("motor") && l.is_never("the"));
        assert!(l.is_weak("long") && l.is_weak("rose"));
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(l.holds_place(&w("ho chi minh")));
        assert!(l.holds_place(&w("in da nang")));
        assert!(!l.holds_place(&w("tran van minh")));
        assert!(l.ends_with_label(&w("full name")));
        assert!(l.is_title("sra"));
    }
}
