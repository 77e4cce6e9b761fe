//! Table-driven tests: every normalization form, and the offset map.

use super::{kanji_numeral, may_fold, may_matter, Normalized};

/// (name, original, expected normalized text)
const CASES: &[(&str, &str, &str)] = &[
    (
        "ascii untouched",
        "call 03-1234-5678 now",
        "call 03-1234-5678 now",
    ),
    ("full-width digits", "０９０１２３４５６７８", "09012345678"),
    (
        "full-width letters",
        "ＡＢＣ＠ｅｘａｍｐｌｅ．ｊｐ",
        "ABC@example.jp",
    ),
    ("math digits", "𝟎𝟗𝟎", "090"),
    ("circled digits", "①②③", "123"),
    ("superscript", "¹²³", "123"),
    ("arabic-indic digits", "٠٩٠", "090"),
    ("devanagari digits", "०९०", "090"),
    ("half-width katakana", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
    ("combining voicing", "か\u{3099}", "が"),
    ("half-width voicing composes", "ｶﾞｯｺｳ", "ガッコウ"),
    // Marks NFKC cannot compose with a kanji or kana are dropped.
    ("acute on a kanji", "山田\u{301}太郎", "山田太郎"),
    ("voicing mark on a kanji", "山\u{3099}田太郎", "山田太郎"),
    ("two marks on a kanji", "森\u{301}\u{308}川陽菜", "森川陽菜"),
    ("half-width voicing on a kanji", "森ﾞ川", "森川"),
    ("acute on a hiragana", "た\u{301}ろう", "たろう"),
    ("voicing mark on a vowel kana", "あ\u{3099}い", "あい"),
    ("combining low line on a kanji", "陽\u{332}菜", "陽菜"),
    // Step 7: inline markup inside a Japanese word is dropped.
    ("bold inside a name", "山<b>田</b>太郎", "山田太郎"),
    (
        "ruby reading",
        "<ruby>山田<rt>やまだ</rt></ruby>太郎",
        "<ruby>山田太郎",
    ),
    (
        "ruby with parentheses",
        "<ruby>森川<rp>(</rp><rt>もりかわ</rt><rp>)</rp></ruby>陽菜",
        "<ruby>森川陽菜",
    ),
    (
        "span with attributes",
        "東京都<span class=\"hl\">港区</span>芝公園",
        "東京都港区芝公園",
    ),
    ("markdown emphasis", "山**田**太郎", "山田太郎"),
    ("word break opportunity", "森川<wbr>陽菜", "森川陽菜"),
    // Hard negatives: block tags, markup between Latin letters, broken tags stay.
    ("line break tag", "住所<br>山田", "住所<br>山田"),
    ("table cells", "氏名</td><td>山田", "氏名</td><td>山田"),
    ("code between letters", "a<b>c</b>d", "a<b>c</b>d"),
    ("comparison", "山<3田", "山<3田"),
    ("unclosed tag", "山<b田太郎", "山<b田太郎"),
    (
        "long ruby text stays",
        "山<rt>あいうえおかきくけこさしすせそたち</rt>田",
        "山<rt>あいうえおかきくけこさしすせそたち</rt>田",
    ),
    ("stars as a footnote", "山田*", "山田*"),
    ("many stars", "山****田", "山****田"),
    // Hard negatives: marks on Latin letters compose or stay.
    ("accent on a latin letter composes", "Jose\u{301}", "José"),
    ("mark on a latin letter stays", "q\u{301}", "q\u{301}"),
    ("spacing voicing mark after a kana", "か゛", "か \u{3099}"),
    ("ideographic space", "山田\u{3000}太郎", "山田 太郎"),
    (
        "zero width stripped",
        "山\u{200B}田\u{200D}太\u{FEFF}郎",
        "山田太郎",
    ),
    ("variation selector stripped", "葛\u{E0100}飾", "葛飾"),
    ("tag characters stripped", "a\u{E0041}b", "ab"),
    ("kanji digits run", "〇九〇一二三四五六七八", "09012345678"),
    ("kanji positional", "二十三番地", "23番地"),
    ("kanji before chome", "三丁目七番一号", "3丁目7番1号"),
    ("kanji no separator", "一の二の三", "1-2-3"),
    ("daiji", "壱弐参", "123"),
    (
        "long vowel between digits",
        "090ー1234ー5678",
        "090-1234-5678",
    ),
    ("half-width long vowel", "090ｰ1234ｰ5678", "090-1234-5678"),
    ("en dash", "03–1234–5678", "03-1234-5678"),
    ("em dash", "03—1234—5678", "03-1234-5678"),
    ("horizontal bar", "03―1234―5678", "03-1234-5678"),
    ("minus sign", "03−1234−5678", "03-1234-5678"),
    ("box drawing", "03─1234─5678", "03-1234-5678"),
    ("full-width hyphen-minus", "03－1234－5678", "03-1234-5678"),
    ("non-breaking hyphen", "03‑1234‑5678", "03-1234-5678"),
    ("circle as zero", "◯9◯-1234", "090-1234"),
    ("long vowel in words stays", "コーヒー", "コーヒー"),
    (
        "single kanji numeral in words stays",
        "一般の一人",
        "一般の一人",
    ),
    ("surname with numerals stays", "五十嵐さん", "五十嵐さん"),
    ("placeholder circles stay", "○○市の○○さん", "○○市の○○さん"),
    (
        "numeral word after postal code",
        "〒299-0267千葉県",
        "〒299-0267千葉県",
    ),
    (
        "numeral word after digit",
        "3三重県四日市市",
        "3三重県四日市市",
    ),
    ("numeral after digit still folds", "1-二三", "1-23"),
    ("postal mark", "〒１２３－４５６７", "〒123-4567"),
    (
        "spaced long vowel",
        "03 ー 1234 ー 5678",
        "03 - 1234 - 5678",
    ),
    (
        "ideographic spaces around full-width dash",
        "０３　－　１２３４　－　５６７８",
        "03 - 1234 - 5678",
    ),
    ("spaced en dash", "03 – 1234 – 5678", "03 - 1234 - 5678"),
    (
        "spaced dash after a number only",
        "090 ‐1234‐ 5678",
        "090 -1234- 5678",
    ),
    (
        "kanji numerals with spaced dashes",
        "〇三 ‐ 一二三四 ‐ 五六七八",
        "03 - 1234 - 5678",
    ),
    (
        "kanji numerals with spaced long vowels",
        "〇三　ー　一二三四　ー　五六七八",
        "03 - 1234 - 5678",
    ),
    (
        "kanji numerals with plain dashes",
        "〇三‐一二三四‐五六七八",
        "03-1234-5678",
    ),
    (
        "country code without plus",
        "８１　９０　１２３４　５６７８",
        "81 90 1234 5678",
    ),
    ("long vowel after a spaced word stays", "3 ーー", "3 ーー"),
    (
        "spaced long vowel before a word stays",
        "10 ー 二人",
        "10 - 二人",
    ),
    (
        "long vowel between words stays",
        "メモ ー ノート",
        "メモ ー ノート",
    ),
    ("spaced range of numbers", "10 〜 20 件", "10 〜 20 件"),
    // Step 5: long runs of digit words become digits.
    (
        "phone in katakana digit words",
        "電話はゼロキューゼロ イチニーサンヨン ゴーロクナナハチです",
        "電話は090 1234 5678です",
    ),
    (
        "phone in hiragana digit words",
        "ぜろきゅうぜろ-いちにさんよん-ごろくななはち",
        "090-1234-5678",
    ),
    (
        "short runs are words",
        "サンプルのニコニコ",
        "サンプルのニコニコ",
    ),
    (
        "a count is no number",
        "イチ、ニ、サン、シ",
        "イチ、ニ、サン、シ",
    ),
    (
        "katakana prose",
        "ゴールキーパーのシュート",
        "ゴールキーパーのシュート",
    ),
    // Step 6: digit groups split by gaps are joined when shaped like a number.
    (
        "my number over lines",
        "番号\n1234\n5678\n9012\n",
        "番号\n123456789012\n",
    ),
    (
        "my number over crlf",
        "1234\r\n5678\r\n9012",
        "123456789012",
    ),
    (
        "my number split by tabs",
        "1234\t5678\t9012",
        "123456789012",
    ),
    (
        "my number with nul and del",
        "1234\u{0}5678\u{7f}9012",
        "123456789012",
    ),
    (
        "my number with nel",
        "1234\u{85}5678\u{85}9012",
        "123456789012",
    ),
    (
        "my number split in two parts",
        "は123456\u{2029}789012です",
        "は123456789012です",
    ),
    (
        "my number in boxes",
        "1|2|3|4|5|6|7|8|9|0|1|2",
        "123456789012",
    ),
    ("my number with dots", "1234.5678.9012", "123456789012"),
    ("phone with slashes", "03/1234/5678", "0312345678"),
    (
        "phone with spaced slashes",
        "090 / 1234 / 5678",
        "09012345678",
    ),
    ("phone with underscores", "090_1234_5678", "09012345678"),
    ("phone with asterisks", "090*1234*5678", "09012345678"),
    ("phone with wave dashes", "090〜1234〜5678", "09012345678"),
    ("phone with to", "090と1234と5678", "09012345678"),
    (
        "phone in kanji with to",
        "〇九〇と一二三四と五六七八",
        "09012345678",
    ),
    ("phone over a line break", "090-1234\n5678", "09012345678"),
    // Hard negatives: shapes of other numbers stay as they are.
    ("date with slashes", "2024/01/15", "2024/01/15"),
    ("date and time", "2024/01/15 10:30", "2024/01/15 10:30"),
    ("ip address", "192.168.100.200", "192.168.100.200"),
    ("table of figures", "123456\t789012", "123456\t789012"),
    (
        "table row of small numbers",
        "12\t34\t56\t78\t90\t12",
        "12\t34\t56\t78\t90\t12",
    ),
    (
        "two phones on two lines",
        "0312345678\n0398765432",
        "0312345678\n0398765432",
    ),
    ("range of numbers", "100〜200", "100〜200"),
    ("version", "1.2.3", "1.2.3"),
    (
        "thirteen boxes",
        "1|2|3|4|5|6|7|8|9|0|1|2|3",
        "1|2|3|4|5|6|7|8|9|0|1|2|3",
    ),
    ("decimal", "0.1234567891", "0.1234567891"),
    ("dot and dash mixed", "03.1234-5678", "03.1234-5678"),
    // Step 7: a part separator inside a Japanese word is dropped.
    (
        "name split across parts",
        "担当は森川\u{2029}陽菜です",
        "担当は森川陽菜です",
    ),
    ("kana split across parts", "よろし\u{2029}く", "よろしく"),
    (
        "joint after punctuation stays",
        "確認。\u{2029}次に",
        "確認。\u{2029}次に",
    ),
    (
        "joint before latin stays",
        "資料\u{2029}Project",
        "資料\u{2029}Project",
    ),
    ("slash and dot mixed", "0312/3456.7890", "0312/3456.7890"),
];

#[test]
fn normalization_table() {
    for (name, input, want) in CASES {
        let n = Normalized::new(input);
        assert_eq!(n.as_str(), *want, "case {name}");
    }
}

#[test]
fn every_normalized_span_maps_back_to_original_boundaries() {
    for (name, input, _) in CASES {
        let n = Normalized::new(input);
        let t = n.as_str();
        for (i, _) in t.char_indices() {
            for (j, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
                if j <= i {
                    continue;
                }
                let r = n.to_original(i..j);
                assert!(r.start <= r.end && r.end <= input.len(), "case {name}");
                assert!(
                    input.is_char_boundary(r.start) && input.is_char_boundary(r.end),
                    "case {name}"
                );
            }
        }
    }
}

#[test]
fn spans_cover_the_original_characters() {
    let original = "電話は〇九〇ー１２３４ー５６７８です";
    let n = Normalized::new(original);
    let s = n.as_str().find("090").unwrap();
    let e = n.as_str().find("です").unwrap();
    assert_eq!(&original[n.to_original(s..e)], "〇九〇ー１２３４ー５６７８");
}

#[test]
fn zero_width_inside_a_name_maps_to_the_whole_name() {
    let original = "山\u{200B}田さん";
    let n = Normalized::new(original);
    let r = n.to_original(0.."山田".len());
    assert_eq!(&original[r], "山\u{200B}田");
}

#[test]
fn a_dropped_mark_maps_with_its_kanji() {
    let original = "山田\u{301}太郎さん";
    let n = Normalized::new(original);
    assert_eq!(n.as_str(), "山田太郎さん");
    let r = n.to_original(0.."山田太郎".len());
    assert_eq!(&original[r], "山田\u{301}太郎");
    let s = n.as_str().find('太').unwrap();
    assert_eq!(&original[n.to_original(s..s + '太'.len_utf8())], "太");
}

#[test]
fn dropped_markup_maps_inside_the_span() {
    let original = "<ruby>山田<rt>やまだ</rt></ruby>太郎さん";
    let n = Normalized::new(original);
    let s = n.as_str().find('山').unwrap();
    let e = n.as_str().find('さ').unwrap();
    assert_eq!(
        &original[n.to_original(s..e)],
        "山田<rt>やまだ</rt></ruby>太郎"
    );
}

#[test]
fn tag_characters_are_reported() {
    assert!(Normalized::new("x\u{E0041}").contains_tag_characters());
    assert!(!Normalized::new("x").contains_tag_characters());
}

#[test]
fn empty_text() {
    let n = Normalized::new("");
    assert_eq!(n.as_str(), "");
    assert_eq!(n.to_original(0..0), 0..0);
}

/// The quick filter of the numeric-context fold lets through every character the fold
/// may act on (it may let others through too).
#[test]
fn fold_filter_admits_every_candidate() {
    for c in (0..0x11_0000u32).filter_map(char::from_u32) {
        if kanji_numeral(c).is_some() || may_fold(c) {
            assert!(may_matter(c), "U+{:04X}", c as u32);
        }
    }
}
