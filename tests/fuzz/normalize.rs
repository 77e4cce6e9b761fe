//! Target 1: the offset map of [`sekimori::text::Normalized`].
//!
//! For arbitrary text (biased toward what the normalization acts on: Japanese, digits
//! of every width and script, kanji numerals, dashes and long-vowel marks, combining
//! marks, controls, invisible characters, the part separator U+2029), every
//! character-boundary range of the normalized text maps to a range of the original
//! that lies within it, on character boundaries, and monotonically; no range — not even
//! an out-of-bounds or reversed one — panics.

use proptest::prelude::*;
use sekimori::text::Normalized;

use super::harness;

/// One character, weighted toward the classes the normalization treats specially.
fn interesting_char() -> impl Strategy<Value = char> {
    const SPECIAL: &[char] = &[
        // dashes and long-vowel marks between digits
        '-',
        '‐',
        '‑',
        '‒',
        '–',
        '—',
        '―',
        '−',
        'ー',
        '─',
        'ｰ',
        '－',
        '～',
        '〜',
        // separators and numeric context
        ' ',
        '\u{3000}',
        '・',
        '/',
        '／',
        '.',
        '．',
        '(',
        ')',
        '（',
        '）',
        '、',
        '。',
        'の',
        '丁',
        '目',
        '番',
        '号',
        '地',
        '○',
        '〇',
        '十',
        '百',
        '千',
        '@',
        '＠',
        // line breaks, controls, the part separator
        '\n',
        '\r',
        '\t',
        '\0',
        '\u{7}',
        '\u{1b}',
        '\u{7f}',
        '\u{85}',
        '\u{2028}',
        '\u{2029}',
        // invisible characters: zero-width, bidi controls, variation selectors, BOM
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{200e}',
        '\u{202e}',
        '\u{2066}',
        '\u{2069}',
        '\u{fe0f}',
        '\u{feff}',
        '\u{e0041}',
        '\u{e007f}',
        '\u{e0100}',
        // NFKC expansions and half-width kana with voicing marks
        '㈱',
        '①',
        '⑳',
        '㍻',
        'ﬁ',
        'ｶ',
        'ﾞ',
        'ﾟ',
        'ﾊ',
        '\u{3099}',
        '\u{309a}',
        'Å',
    ];
    prop_oneof![
        4 => proptest::sample::select(SPECIAL),
        3 => proptest::char::range('0', '9'),
        2 => proptest::char::range('０', '９'),
        1 => proptest::char::range('٠', '٩'),
        1 => proptest::char::range('०', '९'),
        2 => proptest::sample::select(&['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'][..]),
        2 => proptest::char::range('ぁ', 'ゖ'),
        1 => proptest::char::range('ァ', 'ヺ'),
        1 => proptest::char::range('ｦ', 'ﾝ'),
        2 => proptest::char::range('一', '龥'),
        1 => proptest::char::range('\u{300}', '\u{36f}'),
        1 => proptest::char::range('a', 'z'),
        1 => any::<char>(),
    ]
}

/// Text of up to 48 characters, mostly interesting ones.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(interesting_char(), 0..48).prop_map(|v| v.into_iter().collect())
}

fn check_offset_map(original: &str) -> Result<(), TestCaseError> {
    let n = Normalized::new(original);
    let t = n.as_str();
    let boundaries: Vec<usize> = t
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(t.len()))
        .collect();
    let in_original = |r: &std::ops::Range<usize>| {
        r.start <= r.end
            && r.end <= original.len()
            && original.is_char_boundary(r.start)
            && original.is_char_boundary(r.end)
    };
    let whole = n.to_original(0..t.len());
    // Start of a range depends on where it starts, its end on where it ends: both
    // must be non-decreasing.
    let mut last_start = 0;
    let mut last_point = 0;
    for (k, &i) in boundaries.iter().enumerate() {
        let point = n.to_original(i..i);
        prop_assert!(in_original(&point), "empty range {i}..{i} -> {point:?}");
        prop_assert_eq!(point.start, point.end);
        prop_assert!(
            point.start >= last_point,
            "empty ranges not monotone at {}",
            i
        );
        last_point = point.start;
        let mut last_end = 0;
        for &j in &boundaries[k + 1..] {
            let r = n.to_original(i..j);
            prop_assert!(in_original(&r), "{i}..{j} -> {r:?}");
            prop_assert!(r.end >= last_end, "ends not monotone at {}..{}", i, j);
            last_end = r.end;
            if j == boundaries[k + 1] {
                prop_assert!(r.start >= last_start, "starts not monotone at {}", i);
                last_start = r.start;
                // A normalized character comes from original bytes.
                prop_assert!(r.start < r.end, "{i}..{j} -> empty {r:?}");
            }
            // The whole text's range contains every other.
            prop_assert!(whole.start <= r.start && r.end <= whole.end);
        }
    }
    Ok(())
}

#[test]
fn offset_map_stays_in_the_original_on_boundaries_and_monotone() {
    harness::run(
        "normalize_offset_map",
        harness::DEFAULT_CASES,
        text(),
        |s| check_offset_map(&s),
    );
}

#[test]
fn any_range_is_total() {
    let input = (
        text(),
        any::<usize>(),
        any::<usize>(),
        0usize..200,
        0usize..200,
    );
    harness::run(
        "normalize_any_range",
        harness::DEFAULT_CASES,
        input,
        |(s, a, b, c, d)| {
            let n = Normalized::new(&s);
            for r in [a..b, c..d, d..c, a..c, c..usize::MAX] {
                let o = n.to_original(r);
                prop_assert!(o.start <= o.end && o.end <= s.len(), "{o:?}");
            }
            Ok(())
        },
    );
}
