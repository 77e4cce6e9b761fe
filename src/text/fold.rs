//! Character folding for word-list matching: hiragana → katakana, variant kanji →
//! common form, ASCII upper → lower case.
//!
//! Every fold maps one character to one character of the same UTF-8 length, so a
//! folded copy shares the byte offsets (and the offset map) of the text it folds.

/// Folds one character for word-list matching; the result has the same UTF-8 length.
///
/// ```
/// use sekimori::text::fold_char_for_words;
/// assert_eq!(fold_char_for_words('や'), 'ヤ');
/// assert_eq!(fold_char_for_words('髙'), '高');
/// assert_eq!(fold_char_for_words('Q'), 'q');
/// ```
#[inline]
pub fn fold_char_for_words(c: char) -> char {
    match c {
        // Hiragana ぁ..ゖ and ゝゞ → katakana (both 3 bytes in UTF-8).
        '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' => {
            char::from_u32(c as u32 + 0x60).unwrap_or(c)
        }
        'A'..='Z' => c.to_ascii_lowercase(),
        c if (c as u32) < 0x4E00 => c,
        c => fold_variant_kanji(c),
    }
}

/// Variant kanji seen in names and addresses, mapped to their common form.
/// NFKC already maps compatibility ideographs such as 﨑 (U+FA11) → 崎.
#[inline]
fn fold_variant_kanji(c: char) -> char {
    match c {
        '髙' => '高',
        '邊' => '辺',
        '邉' => '辺',
        '齋' => '斎',
        '齊' => '斉',
        '濱' => '浜',
        '濵' => '浜',
        '嶋' => '島',
        '嶌' => '島',
        '澤' => '沢',
        '國' => '国',
        '櫻' => '桜',
        '廣' => '広',
        '惠' => '恵',
        '榮' => '栄',
        '實' => '実',
        '瀧' => '滝',
        '德' => '徳',
        '眞' => '真',
        '壽' => '寿',
        '彌' => '弥',
        '條' => '条',
        '縣' => '県',
        '區' => '区',
        '驛' => '駅',
        '藏' => '蔵',
        '冨' => '富',
        '嵜' => '崎',
        '槗' => '橋',
        '桒' => '桑',
        '籠' => '篭',
        '邨' => '村',
        '峯' => '峰',
        '舘' => '館',
        '埜' => '野',
        '曻' => '昇',
        '栁' => '柳',
        other => other,
    }
}

/// The variant kanji [`fold_variant_kanji`] maps (kept in step with it by a test).
const VARIANTS: &str = "髙邊邉齋齊濱濵嶋嶌澤國櫻廣惠榮實瀧德眞壽彌條縣區驛藏冨嵜槗桒籠邨峯舘埜曻栁";

/// A 256-bit filter of [`VARIANTS`] by the low byte of the code point.
static VARIANT_FILTER: [u64; 4] = variant_filter();

const fn variant_filter() -> [u64; 4] {
    let mut f = [0u64; 4];
    let b = VARIANTS.as_bytes();
    let mut i = 0;
    // Every variant is a three-byte character.
    while i + 2 < b.len() {
        let cp = ((b[i] as u32 & 0x0F) << 12)
            | ((b[i + 1] as u32 & 0x3F) << 6)
            | (b[i + 2] as u32 & 0x3F);
        f[((cp >> 6) & 3) as usize] |= 1 << (cp & 63);
        i += 3;
    }
    f
}

/// Whether the code point may be one of [`VARIANTS`] (false positives only): most
/// kanji skip the `match` of [`fold_variant_kanji`].
#[inline]
fn may_be_variant(cp: u32) -> bool {
    VARIANT_FILTER[((cp >> 6) & 3) as usize] & (1 << (cp & 63)) != 0
}

/// Folds a whole (already normalized) string for word-list matching.
pub fn fold_for_words(s: &str) -> String {
    // Every fold keeps the character's UTF-8 length. The characters are read from
    // their bytes: only ASCII capitals, hiragana (U+3041–U+309E, led by 0xE3) and the
    // few variant kanji can change; the stretches between them are copied as they are.
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b0 = bytes[i];
        let len = match b0 {
            0x00..=0x7F => 1,
            0x80..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let changed = match b0 {
            b'A'..=b'Z' => Some(char::from(b0.to_ascii_lowercase())),
            0xE3..=0xEF => {
                let Some(&[b1, b2]) = bytes.get(i + 1..i + 3) else {
                    break;
                };
                let cp = (u32::from(b0 & 0x0F) << 12)
                    | (u32::from(b1 & 0x3F) << 6)
                    | u32::from(b2 & 0x3F);
                // Hiragana, or a kanji that may have a common form.
                let may_change = if b0 == 0xE3 {
                    (0x3041..=0x309E).contains(&cp)
                } else {
                    cp >= 0x4E00 && may_be_variant(cp)
                };
                char::from_u32(cp)
                    .filter(|_| may_change)
                    .map(|c| (c, fold_char_for_words(c)))
                    .and_then(|(c, f)| (f != c).then_some(f))
            }
            _ => None,
        };
        if let Some(f) = changed {
            out.push_str(&s[copied..i]);
            out.push(f);
            copied = i + len;
        }
        i += len;
    }
    out.push_str(&s[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-overwriting fold equals the character-by-character one.
    #[test]
    fn fold_for_words_equals_the_per_character_fold() {
        let texts = [
            "",
            "ABCxyz",
            "やまだ たろう、ヤマダ　タロウ",
            "髙橋さんと齋藤さん、渡邉（わたなべ）",
            "ゝゞゟ゠ァ𠮟る😀",
            "本市では、地域の子育て支援と高齢者福祉の連携を強化するため。",
        ];
        for t in texts {
            let plain: String = t.chars().map(fold_char_for_words).collect();
            assert_eq!(fold_for_words(t), plain, "{t}");
        }
    }

    /// Every kanji with a common form passes the variant filter.
    #[test]
    fn every_variant_passes_the_filter() {
        for c in (0x4E00..0x11_0000u32).filter_map(char::from_u32) {
            if fold_variant_kanji(c) != c {
                assert!(VARIANTS.contains(c), "{c} is missing from VARIANTS");
                assert!(may_be_variant(c as u32), "{c}");
            }
        }
    }

    /// The byte-level fold equals the per-character one on every code point.
    #[test]
    fn fold_for_words_equals_the_per_character_fold_on_every_character() {
        let all: String = (0..0x11_0000u32).filter_map(char::from_u32).collect();
        let plain: String = all.chars().map(fold_char_for_words).collect();
        assert_eq!(fold_for_words(&all), plain);
    }
}
