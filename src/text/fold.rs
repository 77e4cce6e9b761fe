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

/// Folds a whole (already normalized) string for word-list matching.
pub fn fold_for_words(s: &str) -> String {
    // Every fold keeps the character's UTF-8 length: copy the bytes and overwrite the
    // characters that change (no per-character push).
    let mut bytes = s.as_bytes().to_vec();
    for (i, c) in s.char_indices() {
        let f = fold_char_for_words(c);
        if f != c {
            let n = c.len_utf8();
            if f.len_utf8() != n {
                return s.chars().map(fold_char_for_words).collect();
            }
            f.encode_utf8(&mut bytes[i..i + n]);
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| s.chars().map(fold_char_for_words).collect())
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
}
