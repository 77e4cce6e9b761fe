//! Japanese surnames and given names in Latin letters (romaji), derived from the kana
//! readings of the embedded name lists (`surname-kana.txt`, `given-kana.txt`).
//!
//! No separate romaji list is shipped: every listed reading is romanized here, once
//! per process, the way Japanese names are written in Latin letters on passports,
//! residence cards and forms — Hepburn (し shi, ち chi, つ tsu, ふ fu, じ ji, しゃ sha,
//! っ as a doubled consonant, っち tch) — and each long vowel in the three spellings in
//! common use (さとう: `satou`, `sato`, `satoh`; おおの: `oono`, `ono`, `ohno`; ゆうき:
//! `yuuki`, `yuki`), with ん before b, m, p also as `m` (ほんま: `honma`, `homma`).
//! Lookups take a lower-case word whose macron or circumflex vowels have been folded
//! to the plain vowel (`Satō` → `sato`), see [`fold_word`].

use rustc_hash::FxHashSet as HashSet;

const SURNAME_KANA: &str = include_str!("../../../../dictionaries/names/surname-kana.txt");
const GIVEN_KANA: &str = include_str!("../../../../dictionaries/names/given-kana.txt");

/// Long vowels per reading whose spellings are all generated; further long vowels are
/// written only in their full form (a bound on the spellings of one reading).
const MAX_VARIED_LONG_VOWELS: usize = 3;

/// Longest folded word looked up, in bytes (longer words are no listed name).
pub(super) const MAX_WORD_BYTES: usize = 24;

/// Listed surnames and given names in romaji (lower case).
#[derive(Debug)]
pub(super) struct RomajiNames {
    surnames: HashSet<String>,
    given: HashSet<String>,
}

impl RomajiNames {
    /// The romaji lists, built once per process on first use.
    pub(super) fn shared() -> &'static RomajiNames {
        static NAMES: std::sync::OnceLock<RomajiNames> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| RomajiNames {
            surnames: spellings_of_list(SURNAME_KANA),
            given: spellings_of_list(GIVEN_KANA),
        })
    }

    /// Whether the folded word (see [`fold_word`]) is a listed surname.
    pub(super) fn is_surname(&self, folded: &str) -> bool {
        self.surnames.contains(folded)
    }

    /// Whether the folded word (see [`fold_word`]) is a listed given name.
    pub(super) fn is_given(&self, folded: &str) -> bool {
        self.given.contains(folded)
    }
}

/// Every spelling of every reading of a generated kana list.
fn spellings_of_list(list: &str) -> HashSet<String> {
    let mut out = HashSet::default();
    for line in list.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(h) = hepburn(line) {
            out.extend(spellings(&h));
        }
    }
    out
}

/// A word folded for lookup: ASCII letters in lower case, macron and circumflex vowels
/// (`ō`, `Ô`) as the plain vowel; `None` for any other character or a word too long.
pub(super) fn fold_word(word: &str) -> Option<String> {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let f = match c {
            'a'..='z' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => long_vowel_letter(c)?,
        };
        out.push(f);
        if out.len() > MAX_WORD_BYTES {
            return None;
        }
    }
    Some(out)
}

/// The plain vowel of a macron or circumflex vowel (`ō` → `o`), in either case.
pub(super) fn long_vowel_letter(c: char) -> Option<char> {
    Some(match c {
        'ā' | 'Ā' | 'â' | 'Â' => 'a',
        'ī' | 'Ī' | 'î' | 'Î' => 'i',
        'ū' | 'Ū' | 'û' | 'Û' => 'u',
        'ē' | 'Ē' | 'ê' | 'Ê' => 'e',
        'ō' | 'Ō' | 'ô' | 'Ô' => 'o',
        _ => return None,
    })
}

/// The Hepburn syllable of one hiragana (small kana and っ/ー are handled by the caller).
fn syllable(c: char) -> Option<&'static str> {
    Some(match c {
        'あ' | 'ぁ' => "a",
        'い' | 'ぃ' | 'ゐ' => "i",
        'う' | 'ぅ' => "u",
        'え' | 'ぇ' | 'ゑ' => "e",
        'お' | 'ぉ' | 'を' => "o",
        'か' => "ka",
        'き' => "ki",
        'く' => "ku",
        'け' => "ke",
        'こ' => "ko",
        'さ' => "sa",
        'し' => "shi",
        'す' => "su",
        'せ' => "se",
        'そ' => "so",
        'た' => "ta",
        'ち' => "chi",
        'つ' => "tsu",
        'て' => "te",
        'と' => "to",
        'な' => "na",
        'に' => "ni",
        'ぬ' => "nu",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ひ' => "hi",
        'ふ' => "fu",
        'へ' => "he",
        'ほ' => "ho",
        'ま' => "ma",
        'み' => "mi",
        'む' => "mu",
        'め' => "me",
        'も' => "mo",
        'や' => "ya",
        'ゆ' => "yu",
        'よ' => "yo",
        'ら' => "ra",
        'り' => "ri",
        'る' => "ru",
        'れ' => "re",
        'ろ' => "ro",
        'わ' => "wa",
        'ん' => "n",
        'が' => "ga",
        'ぎ' => "gi",
        'ぐ' => "gu",
        'げ' => "ge",
        'ご' => "go",
        'ざ' => "za",
        'じ' | 'ぢ' => "ji",
        'ず' | 'づ' => "zu",
        'ぜ' => "ze",
        'ぞ' => "zo",
        'だ' => "da",
        'で' => "de",
        'ど' => "do",
        'ば' => "ba",
        'び' => "bi",
        'ぶ' => "bu",
        'べ' => "be",
        'ぼ' => "bo",
        'ぱ' => "pa",
        'ぴ' => "pi",
        'ぷ' => "pu",
        'ぺ' => "pe",
        'ぽ' => "po",
        'ゔ' => "vu",
        _ => return None,
    })
}

/// The Hepburn romanization of a hiragana reading (`さとう` → `satou`, `きょうこ` →
/// `kyouko`, `いっぺい` → `ippei`), or `None` when it holds another character.
pub(super) fn hepburn(kana: &str) -> Option<String> {
    let chars: Vec<char> = kana.chars().collect();
    // Syllables first; っ (a doubled consonant) and ー (a long vowel) as markers.
    let mut syl: Vec<String> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            'っ' => syl.push("Q".into()),
            'ー' => syl.push("-".into()),
            _ => {
                let s = syllable(c)?;
                let small = chars.get(i + 1).and_then(|n| match n {
                    'ゃ' => Some('a'),
                    'ゅ' => Some('u'),
                    'ょ' => Some('o'),
                    _ => None,
                });
                match small {
                    Some(v) if s.len() >= 2 => {
                        // しゃ sha, ちゃ cha, じゃ ja; きゃ kya, りょ ryo.
                        let stem = &s[..s.len() - 1];
                        let y = if matches!(s, "shi" | "chi" | "ji") {
                            ""
                        } else {
                            "y"
                        };
                        syl.push(format!("{stem}{y}{v}"));
                        i += 1;
                    }
                    _ => syl.push(s.to_string()),
                }
            }
        }
        i += 1;
    }
    let mut out = String::with_capacity(syl.len() * 3);
    for (k, s) in syl.iter().enumerate() {
        match s.as_str() {
            "Q" => {
                let next = syl.get(k + 1)?;
                let first = next.chars().next()?;
                if "aiueoQ-".contains(first) || next == "n" {
                    return None;
                }
                out.push(if next.starts_with("ch") { 't' } else { first });
            }
            "-" => {
                let last = out.chars().next_back()?;
                out.push(last);
            }
            s => out.push_str(s),
        }
    }
    Some(out)
}

/// The spellings of a Hepburn romanization: each long vowel (`ou`, `oo`, `uu`) in its
/// full form, shortened and (for `o`) with `h`, and ん before b, m, p also as `m`.
pub(super) fn spellings(hepburn: &str) -> Vec<String> {
    let b = hepburn.as_bytes();
    // Options at each position: (byte range replaced, alternatives).
    let mut varied: Vec<(usize, usize, &'static [&'static str])> = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        let pair = &hepburn[i..i + 2];
        let alts: Option<&'static [&'static str]> = match pair {
            "ou" | "oo" => Some(&["o", "oh"]),
            "uu" => Some(&["u"]),
            // ん before b, m, p (`n` follows a vowel here; `nb` is never inside a syllable).
            "nb" | "nm" | "np" if i > 0 && b"aiueo".contains(&b[i - 1]) => Some(&["m"]),
            _ => None,
        };
        match alts {
            Some(a) if varied.len() < MAX_VARIED_LONG_VOWELS => {
                // `nb` replaces only the `n`.
                let len = if pair.starts_with('n') { 1 } else { 2 };
                varied.push((i, i + len, a));
                i += 2;
            }
            _ => i += 1,
        }
    }
    let mut out = vec![String::new()];
    let mut at = 0;
    for (s, e, alts) in varied {
        let fixed = &hepburn[at..s];
        let full = &hepburn[s..e];
        let mut next = Vec::with_capacity(out.len() * (alts.len() + 1));
        for prefix in &out {
            for alt in std::iter::once(full).chain(alts.iter().copied()) {
                next.push(format!("{prefix}{fixed}{alt}"));
            }
        }
        out = next;
        at = e;
    }
    for o in &mut out {
        o.push_str(&hepburn[at..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hepburn_of_readings() {
        let cases: &[(&str, Option<&str>)] = &[
            ("やまだ", Some("yamada")),
            ("さとう", Some("satou")),
            ("しょうへい", Some("shouhei")),
            ("ちひろ", Some("chihiro")),
            ("つばさ", Some("tsubasa")),
            ("じゅんいち", Some("junichi")),
            ("きょうこ", Some("kyouko")),
            ("いっぺい", Some("ippei")),
            ("はっちゃん", Some("hatchan")),
            ("ふじい", Some("fujii")),
            ("りょう", Some("ryou")),
            ("さっ", None),
            ("やま田", None),
        ];
        for (kana, want) in cases {
            assert_eq!(hepburn(kana).as_deref(), *want, "{kana}");
        }
    }

    #[test]
    fn spellings_of_long_vowels_and_n() {
        let mut s = spellings("satou");
        s.sort();
        assert_eq!(s, ["sato", "satoh", "satou"]);
        let mut s = spellings("yuuki");
        s.sort();
        assert_eq!(s, ["yuki", "yuuki"]);
        let mut s = spellings("honma");
        s.sort();
        assert_eq!(s, ["homma", "honma"]);
        assert_eq!(spellings("yamada"), ["yamada"]);
        // Two long vowels: every combination.
        assert_eq!(spellings("kouyou").len(), 9);
    }

    #[test]
    fn listed_names_in_romaji() {
        let r = RomajiNames::shared();
        for s in [
            "yamada", "sato", "satou", "satoh", "morikawa", "suzuki", "ono",
        ] {
            assert!(r.is_surname(s), "{s}");
        }
        for g in [
            "taro", "tarou", "hanako", "haruna", "hina", "yuki", "shouhei",
        ] {
            assert!(r.is_given(g), "{g}");
        }
        for w in [
            "tokyo", "world", "station", "please", "note", "corp", "expo",
        ] {
            assert!(!r.is_surname(w) && !r.is_given(w), "{w}");
        }
    }

    #[test]
    fn folding_words() {
        assert_eq!(fold_word("YAMADA").as_deref(), Some("yamada"));
        assert_eq!(fold_word("Satō").as_deref(), Some("sato"));
        assert_eq!(fold_word("ÔNO").as_deref(), Some("ono"));
        assert_eq!(fold_word("Jürgen"), None);
        assert_eq!(fold_word("abcdefghijklmnopqrstuvwxyz"), None);
    }
}
