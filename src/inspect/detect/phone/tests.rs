//! Phone detector tables: written forms found, non-phones left alone, spans.

use super::*;
use crate::text::Normalized;

/// Runs the detector on the normalized view of `text` and returns the matched
/// original substrings.
fn found(text: &str) -> Vec<String> {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let doc = Document::new(text, &tokenizer);
    let mut out = Vec::new();
    PhoneDetector::new().detect(&doc, &mut out);
    let norm = Normalized::new(text);
    out.iter()
        .map(|f| text[norm.to_original(f.range.clone())].to_string())
        .collect()
}

#[test]
fn written_forms_are_found_with_exact_spans() {
    let cases: &[(&str, &str)] = &[
        ("携帯は090-1234-5678です", "090-1234-5678"),
        ("番号090 3462 6337。", "090 3462 6337"),
        ("連絡先09012345678まで", "09012345678"),
        ("代表03-1234-5678", "03-1234-5678"),
        ("電話0312345678", "0312345678"),
        ("電話（045 804 5982）で", "045 804 5982"),
        ("電話0537(80)8773も", "0537(80)8773"),
        ("電話(03)1234-5678", "(03)1234-5678"),
        ("電話03(1234)5678", "03(1234)5678"),
        ("TEL 0776-32-4649", "0776-32-4649"),
        ("電話01547-9-7946", "01547-9-7946"),
        ("フリーダイヤル0120-123-456", "0120-123-456"),
        ("フリーコール0800-123-4567", "0800-123-4567"),
        ("IP電話050-3599-5985", "050-3599-5985"),
        ("先週電話（+81 776-51-4979）で", "+81 776-51-4979"),
        ("番号+81 50-9736-7510。", "+81 50-9736-7510"),
        ("携帯+819012345678", "+819012345678"),
        ("本社 +81-3-1234-5678", "+81-3-1234-5678"),
        ("本社 (+81)3-1234-5678", "(+81)3-1234-5678"),
        ("本社 +81(0)3-1234-5678", "+81(0)3-1234-5678"),
        (
            "全角０９０－１２３４－５６７８へ",
            "０９０－１２３４－５６７８",
        ),
        (
            "長音０９０ー１２３４ー５６７８へ",
            "０９０ー１２３４ー５６７８",
        ),
        (
            "漢数字〇九〇ー一二三四ー五六七八へ",
            "〇九〇ー一二三四ー五六七八",
        ),
        (
            "括弧（０３）１２３４－５６７８",
            "（０３）１２３４－５６７８",
        ),
        ("代表03-1234-5678 内線 123まで", "03-1234-5678 内線 123"),
        ("代表03-1234-5678内線123", "03-1234-5678内線123"),
        ("番号 2 03-1234-5678", "03-1234-5678"),
        ("名刺 03.1234.5678", "03.1234.5678"),
        ("幅なし090\u{200B}-1234-5678です", "090\u{200B}-1234-5678"),
        ("他文字٠٩٠-١٢٣٤-٥٦٧٨です", "٠٩٠-١٢٣٤-٥٦٧٨"),
        ("数学𝟎𝟗𝟎-𝟏𝟐𝟑𝟒-𝟓𝟔𝟕𝟖です", "𝟎𝟗𝟎-𝟏𝟐𝟑𝟒-𝟓𝟔𝟕𝟖"),
        ("ダッシュ090—1234—5678です", "090—1234—5678"),
        ("名刺 TEL.03-1234-5678", "03-1234-5678"),
        ("中黒０３・１２３４・５６７８へ", "０３・１２３４・５６７８"),
        ("CSV 山田,0312345678,東京", "0312345678"),
    ];
    for (text, want) in cases {
        assert_eq!(found(text), vec![want.to_string()], "in {text:?}");
    }
}

#[test]
fn numbers_that_are_not_phones_are_left_alone() {
    let cases: &[&str] = &[
        "受付番号は4699-5088-6838です",
        "受付番号は0312-3456-7890です",
        "受付番号：0312345678",
        "口座番号 0123456",
        "口座番号0312345678",
        "日付は2024-01-15です",
        "〒060-0001 札幌市",
        "郵便番号123-4567",
        "金額は1,234,567円",
        "個人番号914168818043",
        "マイナンバー：0312 3456 7890",
        "登録番号T1234567890123",
        "請求書番号 INV-0312345678",
        "ID: A0312345678",
        "番号 0312-34567-8901",
        "090-1234-56789",
        "090-1234-5678-9",
        "000-0000-0000",
        "0001234567",
        "電話 012",
        "12345678901",
        "mail 0312345678@example.jp",
        "version 1.0312345678",
        "値 1,0312345678",
        "https://example.jp/0312345678",
        "No.0312345678",
        "混在 03.1234-5678",
        "090-1234-5678.5",
    ];
    for text in cases {
        assert_eq!(found(text), Vec::<String>::new(), "in {text:?}");
    }
}

#[test]
fn two_numbers_in_one_text_are_both_found() {
    assert_eq!(
        found("TEL 03-1234-5678/FAX 03-1234-5679"),
        vec!["03-1234-5678".to_string(), "03-1234-5679".to_string()]
    );
    assert_eq!(
        found("03-1234-5678/03-1234-5679"),
        vec!["03-1234-5678".to_string(), "03-1234-5679".to_string()]
    );
    assert_eq!(
        found("090 1234 5678か080(2717)4644に"),
        vec!["090 1234 5678".to_string(), "080(2717)4644".to_string()]
    );
}

#[test]
fn labels_are_read_through_fillers() {
    let cases: &[(&str, Option<Label>)] = &[
        ("受付番号は", Some(Label::Other)),
        ("【受付番号】", Some(Label::Other)),
        ("電話番号：", Some(Label::Phone)),
        ("TEL ", Some(Label::Phone)),
        ("個人番号 ", Some(Label::MyNumber)),
        ("被保険者番号", Some(Label::Other)),
        // Any other …番号 compound names another kind of number (issue 13).
        ("お客様番号：", Some(Label::Other)),
        ("申込番号 ", Some(Label::Other)),
        ("診察券番号は", Some(Label::Other)),
        ("ISBN ", Some(Label::Other)),
        // Phone compounds stay phones.
        ("代表番号：", Some(Label::Phone)),
        ("お電話番号 ", Some(Label::Phone)),
        ("緊急連絡先番号", Some(Label::Phone)),
        ("フリーダイヤル ", Some(Label::Phone)),
        ("国番号", Some(Label::Phone)),
        ("連絡先の番号は", None),
        ("番号", None),
        ("本文", None),
        ("", None),
    ];
    for (head, want) in cases {
        let text = format!("{head}0");
        assert_eq!(label_before(&text, head.len()), *want, "after {head:?}");
    }
}

#[test]
fn confidence_rises_with_a_phone_label() {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let conf = |text: &str| {
        let doc = Document::new(text, &tokenizer);
        let mut out = Vec::new();
        PhoneDetector::new().detect(&doc, &mut out);
        out[0].confidence
    };
    assert!(conf("電話:03-1234-5678") > conf("これ03-1234-5678"));
}

/// Runs the whole engine on `text` and returns `(category, original substring)` of
/// every finding, so a table can say both what is found and what is *not* found as
/// something else (a phone-like number reported as a My Number, say).
fn engine_findings(text: &str) -> Vec<(String, String)> {
    use std::sync::OnceLock;
    static ENGINE: OnceLock<crate::inspect::Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| crate::inspect::EngineBuilder::new().build().unwrap());
    engine
        .scan(text)
        .iter()
        .map(|f| (f.category.as_str().to_string(), text[f.range()].to_string()))
        .collect()
}

/// Spaced separators and a country code without `+` (issue 2): (text, category,
/// expected span in the original text). Hard negatives expect no phone finding.
#[test]
fn spaced_separators_and_bare_country_codes() {
    let cases: &[(&str, Option<&str>)] = &[
        // Spaces around dashes, in every dash form the normalization folds.
        ("代表は03 - 1234 - 5678です", Some("03 - 1234 - 5678")),
        ("携帯 090 - 1234 - 5678", Some("090 - 1234 - 5678")),
        (
            "電話０３　－　１２３４　－　５６７８まで",
            Some("０３　－　１２３４　－　５６７８"),
        ),
        ("電話03 ー 1234 ー 5678まで", Some("03 ー 1234 ー 5678")),
        (
            "電話０３　ー　１２３４　ー　５６７８まで",
            Some("０３　ー　１２３４　ー　５６７８"),
        ),
        ("電話03 – 1234 – 5678まで", Some("03 – 1234 – 5678")),
        ("電話03 -1234- 5678まで", Some("03 -1234- 5678")),
        ("電話(03) 1234 - 5678まで", Some("(03) 1234 - 5678")),
        ("フリーダイヤル0120 - 123 - 456", Some("0120 - 123 - 456")),
        (
            "電話〇三 ‐ 一二三四 ‐ 五六七八まで",
            Some("〇三 ‐ 一二三四 ‐ 五六七八"),
        ),
        (
            "電話〇三‐一二三四‐五六七八まで",
            Some("〇三‐一二三四‐五六七八"),
        ),
        (
            "電話〇三　ー　一二三四　ー　五六七八",
            Some("〇三　ー　一二三四　ー　五六七八"),
        ),
        ("本社 +81 - 3 - 1234 - 5678", Some("+81 - 3 - 1234 - 5678")),
        // Country code without plus: hyphenated, or with a phone cue.
        ("海外からは81-3-1234-5678へ", Some("81-3-1234-5678")),
        ("TEL 81-90-1234-5678", Some("81-90-1234-5678")),
        ("連絡先: 81-3-1234-5678", Some("81-3-1234-5678")),
        ("電話 81 90 1234 5678", Some("81 90 1234 5678")),
        ("携帯（81 90 1234 5678）", Some("81 90 1234 5678")),
        (
            "国際電話で ８１－９０－１２３４－５６７８ に",
            Some("８１－９０－１２３４－５６７８"),
        ),
        ("Phone: 81 3 1234 5678", Some("81 3 1234 5678")),
        ("電話 81 - 3 - 1234 - 5678", Some("81 - 3 - 1234 - 5678")),
        // "81" then a domestic number: a count, and the phone after it.
        ("資料81 03-1234-5678", Some("03-1234-5678")),
        // Hard negatives.
        ("受付番号 1234-5678-9012", None),
        ("受付番号は81-3-1234-5678です", None),
        ("金額は1,234,567円", None),
        ("日付 2024-03-15", None),
        ("令和6年3月15日に申請", None),
        ("〒123-4567 の地域", None),
        ("件数は10 - 20 件", None),
        ("10 ー 20件", None),
        ("p.81-83を参照", None),
        ("資料は81ページ", None),
        ("全81 - 90ページ", None),
        ("81-90ページ", None),
        ("version 8.1.3-1234", None),
        ("v81-3-1234-5678", None),
        ("第3-2-1条", None),
        ("第81-3-1234-5678号", None),
        ("81-3-1234-5678件", None),
        ("集計 81 3 1234 5678", None),
        ("集計 81 90 1234 5678", None),
        ("81 90 1234 5678円", None),
        ("No.81-3-1234-5678", None),
        ("整理番号 81-3-1234-5678", None),
        ("81-3-1234-56789", None),
        ("81-0-1234-5678", None),
    ];
    for (text, want) in cases {
        let got = engine_findings(text);
        let phones: Vec<&str> = got
            .iter()
            .filter(|(c, _)| c == "phone")
            .map(|(_, s)| s.as_str())
            .collect();
        match want {
            Some(span) => assert_eq!(phones, vec![*span], "in {text:?}: {got:?}"),
            None => assert!(phones.is_empty(), "in {text:?}: {got:?}"),
        }
        // Nothing phone-like is reported as a My Number either.
        assert!(
            !got.iter().any(|(c, _)| c == "my_number"),
            "in {text:?}: {got:?}"
        );
    }
}

#[test]
fn bare_country_code_is_less_certain_than_a_plus() {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let conf = |text: &str| {
        let doc = Document::new(text, &tokenizer);
        let mut out = Vec::new();
        PhoneDetector::new().detect(&doc, &mut out);
        out[0].confidence
    };
    assert!(conf("連絡 81-3-1234-5678") < conf("連絡 +81-3-1234-5678"));
}

/// A dash set off by spaces now joins numbers in the normalized view (issue 2): ranges,
/// fiscal years, article numbers and counts written that way must still produce no
/// finding of any category, also right after a place name.
#[test]
fn spaced_dashes_between_numbers_stay_numbers() {
    let cases: &[&str] = &[
        "件数は10 - 20 件です",
        "10 ー 20件",
        "2024 - 2025年度の計画",
        "２０２４　－　２０２５年度",
        "第3 - 2条を参照",
        "第３　ー　２条",
        "横浜市 10 - 20 件",
        "横浜市第3 - 2条",
        "東京都2024 - 2025年度",
        "千葉県 1 - 3月の統計",
        "p.12 - 15",
        "12 - 15ページ",
        "資料3 - 1、3 - 2",
        "令和6 - 7年度",
        "受付番号 1234 - 5678 - 9012",
        "1234 - 5678 - 9012 - 3456",
        "定員 81 - 90 名",
        "81 - 3 - 1234 - 5678件",
        "金額 1,234 - 5,678円",
        "9:00 - 17:00",
        "2024 - 03 - 15",
    ];
    for text in cases {
        let got = engine_findings(text);
        assert!(got.is_empty(), "in {text:?}: {got:?}");
    }
}

#[test]
fn search_starts_at_the_first_possible_candidate() {
    // (text, from, expected start)
    let cases: &[(&str, usize, Option<usize>)] = &[
        ("連絡先は03-1234-5678です", 0, Some("連絡先は".len())),
        ("電話(03)1234-5678", 0, Some("電話".len())),
        ("電話(+81)3-1234-5678", 0, Some("電話".len())),
        ("電話 +81 90-1234-5678", 0, Some("電話 ".len())),
        ("((+81)3", 0, Some(1)),
        ("++81", 0, Some(0)),
        ("(03", 1, Some(1)),
        ("番号なし", 0, None),
        ("", 0, None),
        ("03", 2, None),
        ("03", 5, None),
    ];
    for &(text, from, want) in cases {
        assert_eq!(
            super::search_start(text.as_bytes(), from),
            want,
            "{text:?} from {from}"
        );
    }
}

#[test]
fn phones_after_long_prose_and_parentheses_are_found() {
    let filler = "本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。";
    for phone in [
        "(03)1234-5678",
        "(+81)3-1234-5678",
        "+81 90-1234-5678",
        "090-1234-5678",
    ] {
        let text = format!("{}電話 {phone} まで", filler.repeat(20));
        assert_eq!(found(&text), vec![phone.to_string()], "{phone}");
    }
}

/// `national_number_is_valid` reads the metadata directly; it must agree with the
/// crate's `parse` + `is_valid` on every national number the detector can pass it
/// (9 or 10 digits, no leading 0): a sweep over every area and mobile prefix.
#[test]
fn numbering_plan_check_agrees_with_parse_and_is_valid() {
    let by_parse = |national: &str| {
        phonenumber::parse(Some(phonenumber::country::Id::JP), format!("+81{national}"))
            .map(|n| phonenumber::is_valid(&n))
            .unwrap_or(false)
    };
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let (mut checked, mut valid) = (0, 0);
    for head in 1..10_000u32 {
        for len in [9usize, 10] {
            // The first 4 digits run through every value; the rest are pseudo-random.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut s = head.to_string();
            if s.len() > len {
                continue;
            }
            let mut y = x;
            while s.len() < len {
                s.push(char::from(b'0' + (y % 10) as u8));
                y /= 10;
            }
            let expected = by_parse(&s);
            assert_eq!(
                national_number_is_valid(&s),
                expected,
                "national number {s}"
            );
            checked += 1;
            valid += usize::from(expected);
        }
    }
    assert!(
        checked > 19_000 && valid > 2_000,
        "{checked} checked, {valid} valid"
    );
}
