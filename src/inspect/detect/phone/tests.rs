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
        ("ダイヤルイン番号：", Some(Label::Phone)),
        ("折り返し番号は", Some(Label::Phone)),
        ("連絡先の番号は", None),
        // Unlisted compounds name some kind of number, but not one a phone gives way to.
        ("相談専用番号：", None),
        ("連絡のつく番号", None),
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

/// Matched original substrings and the rule of each finding.
fn found_rules(text: &str) -> Vec<(String, &'static str)> {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let doc = Document::new(text, &tokenizer);
    let mut out = Vec::new();
    PhoneDetector::new().detect(&doc, &mut out);
    let norm = Normalized::new(text);
    out.iter()
        .map(|f| {
            (
                text[norm.to_original(f.range.clone())].to_string(),
                f.detector,
            )
        })
        .collect()
}

/// Issue 13 item 5: every block of the numbering plan, suffixes, CSV and TSV cells and
/// foreign numbers in E.164 form, each with its span and the rule of its block.
#[test]
fn numbering_plan_blocks_and_foreign_numbers_with_rules() {
    use super::plan::{FIXED, FOREIGN, MOBILE, TOLL_FREE};
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "フリーダイヤル 0120-123-456",
            &[("0120-123-456", TOLL_FREE)],
        ),
        (
            "0120-123-456（平日9時～17時）",
            &[("0120-123-456", TOLL_FREE)],
        ),
        ("0120123456まで", &[("0120123456", TOLL_FREE)]),
        ("フリーコール0800-123-4567", &[("0800-123-4567", TOLL_FREE)]),
        (
            "ナビダイヤル0570-123-456",
            &[("0570-123-456", "phone.jp.navi_dial")],
        ),
        (
            "０５７０－０１２－３４５へ",
            &[("０５７０－０１２－３４５", "phone.jp.navi_dial")],
        ),
        ("IP電話 050-3599-5985", &[("050-3599-5985", "phone.jp.ip")]),
        ("携帯 070-1234-5678", &[("070-1234-5678", MOBILE)]),
        ("携帯 080-1234-5678", &[("080-1234-5678", MOBILE)]),
        ("電話 03(1234)5678", &[("03(1234)5678", FIXED)]),
        ("電話 0537(80)8773（代）", &[("0537(80)8773", FIXED)]),
        ("電話 0776(32)4649（代表）", &[("0776(32)4649", FIXED)]),
        ("本庁 03-1234-5678(代表)まで", &[("03-1234-5678", FIXED)]),
        (
            "代表 03-1234-5678（内線123）",
            &[("03-1234-5678（内線123）", FIXED)],
        ),
        ("03-1234-5678 内線 456", &[("03-1234-5678 内線 456", FIXED)]),
        ("(0537)80-8773", &[("(0537)80-8773", FIXED)]),
        // CSV and TSV cells, also after a numeric cell.
        ("1,0312345678,東京", &[("0312345678", FIXED)]),
        (
            "No,氏名,電話\n12,森川陽菜,090-1234-5678\n",
            &[("090-1234-5678", MOBILE)],
        ),
        ("101,0312345678,202", &[("0312345678", FIXED)]),
        ("\"12\",\"0312345678\",\"東京\"", &[("0312345678", FIXED)]),
        ("森川陽菜\t0312345678\t東京", &[("0312345678", FIXED)]),
        ("12\t03-1234-5678\t3", &[("03-1234-5678", FIXED)]),
        // Foreign numbers in E.164 form.
        ("US office +1 415 555 0132", &[("+1 415 555 0132", FOREIGN)]),
        ("Berlin: +49 30 1234567.", &[("+49 30 1234567", FOREIGN)]),
        (
            "ホーチミン +84 28 3823 4567 です",
            &[("+84 28 3823 4567", FOREIGN)],
        ),
        ("+84 28 3823 4567 2名", &[("+84 28 3823 4567", FOREIGN)]),
        ("Tel: +1 (415) 555-0132", &[("+1 (415) 555-0132", FOREIGN)]),
        (
            "+1-415-555-0132/+1-415-555-0133",
            &[("+1-415-555-0132", FOREIGN), ("+1-415-555-0133", FOREIGN)],
        ),
        ("+33 1 23 45 67 89", &[("+33 1 23 45 67 89", FOREIGN)]),
        (
            "氏名,電話,海外\n森川陽菜,0312345678,+1 415 555 0132\n",
            &[("0312345678", FIXED), ("+1 415 555 0132", FOREIGN)],
        ),
        ("1,+49 30 1234567,2", &[("+49 30 1234567", FOREIGN)]),
        (
            "電話（+84）28 3823 4567",
            &[("（+84）28 3823 4567", FOREIGN)],
        ),
        ("US +1 800 555 0199", &[("+1 800 555 0199", FOREIGN)]),
        ("北京 +86 138 1234 5678", &[("+86 138 1234 5678", FOREIGN)]),
        (
            "＋６３　９１７　１２３　４５６７",
            &[("＋６３　９１７　１２３　４５６７", FOREIGN)],
        ),
        ("+81 90-1234-5678", &[("+81 90-1234-5678", MOBILE)]),
        ("+81 3-1234-5678", &[("+81 3-1234-5678", FIXED)]),
        (
            "国内 03-1234-5678、海外 +1 415 555 0132",
            &[("03-1234-5678", FIXED), ("+1 415 555 0132", FOREIGN)],
        ),
    ];
    for (text, want) in cases {
        let want: Vec<(String, &str)> = want.iter().map(|(s, r)| (s.to_string(), *r)).collect();
        assert_eq!(found_rules(text), want, "in {text:?}");
    }
}

/// Hard negatives of issue 13: numbers of other kinds, with or without labels.
#[test]
fn dates_prices_codes_and_reference_numbers_are_not_phones() {
    let cases: &[&str] = &[
        // Dates, times, prices.
        "2024-01-15に申請",
        "2024/01/15 10:30",
        "09:00-17:00",
        "受付 0900-1700",
        "令和6年1月15日",
        "1,234円",
        "¥12,345,678",
        "価格 0,120,123円",
        // Postal codes.
        "〒123-4567",
        "〒060-0001 札幌市",
        // Reference numbers with labels: a customer number is not a phone.
        "注文番号 0312345678",
        "受付番号：090-1234-5678",
        "管理番号 03-1234-5678",
        "会員番号：0120-123-456",
        "顧客番号 0312345678",
        "お客様番号 09012345678",
        "申込番号（Web）09012345678",
        "注文番号 +1 415 555 0132",
        // ISBNs, versions, coordinates.
        "ISBN978-4-06-512345-6",
        "ISBN 4-06-512345-6",
        "ISBN 0-19-852663-6",
        "ISBN 0120123456",
        "version 0.312.345678",
        "v0.3.1234",
        "v03.1234.5678",
        "35.681236, 139.767125",
        "北緯35.6812 東経139.7671",
        "(35.6812, 139.7671)",
        "座標 0.3123, 45.678",
        // An extension alone is an internal number.
        "内線1234まで",
        // Foreign-looking runs that are no phone.
        "前年比+12.5%",
        "+12 345",
        "+1 234 567円",
        "+44 1632 960983",
        "ID+14155550132X",
        "x+1 415 555 0132",
        "+1 415 555 0132 4567 8901 2345",
        // A decimal comma, not a CSV row.
        "値 1,0312345678",
    ];
    for text in cases {
        assert_eq!(found_rules(text), Vec::new(), "in {text:?}");
    }
}

/// A table column's header says what its cells are: a customer number is not a phone
/// (issue 13 item 5).
#[test]
fn column_headers_decide_for_table_cells() {
    let cases: &[(&str, &[&str])] = &[
        (
            "顧客番号,氏名,電話\n0312345678,森川陽菜,090-1234-5678\n",
            &["090-1234-5678"],
        ),
        ("会員番号\t氏名\n09012345678\t森川陽菜", &[]),
        (
            "| お客様番号 | 電話 |\n|---|---|\n| 0312345678 | 03-1234-5678 |",
            &["03-1234-5678"],
        ),
        ("氏名,電話番号\n森川陽菜,0312345678\n", &["0312345678"]),
        ("氏名,備考\n森川陽菜,0312345678\n", &["0312345678"]),
    ];
    for (text, want) in cases {
        assert_eq!(found(text), *want, "in {text:?}");
    }
    let got = found_rules("氏名,電話\n森川陽菜,0312345678");
    assert_eq!(got, vec![("0312345678".to_string(), super::plan::FIXED)]);
}

/// Through the whole engine: foreign numbers and the new Japanese forms are one phone
/// finding each, never a My Number; reference numbers produce no finding at all.
#[test]
fn engine_reports_new_forms_as_phones_only() {
    let cases: &[(&str, &[&str])] = &[
        ("US office +1 415 555 0132", &["+1 415 555 0132"]),
        ("Berlin +49 30 1234567", &["+49 30 1234567"]),
        ("ホーチミン +84 28 3823 4567", &["+84 28 3823 4567"]),
        ("携帯 +81 90-1234-5678", &["+81 90-1234-5678"]),
        ("ナビダイヤル 0570-123-456", &["0570-123-456"]),
        ("代表 03-1234-5678（内線123）", &["03-1234-5678（内線123）"]),
        ("1,0312345678,2", &["0312345678"]),
        ("顧客番号 0312345678", &[]),
        ("ISBN978-4-06-512345-6", &[]),
        ("受付番号：914168818043", &[]),
    ];
    for (text, want) in cases {
        let got = engine_findings(text);
        let phones: Vec<&str> = got
            .iter()
            .filter(|(c, _)| c == "phone")
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(phones, *want, "in {text:?}: {got:?}");
        assert!(
            !got.iter().any(|(c, _)| c == "my_number"),
            "in {text:?}: {got:?}"
        );
    }
}

/// A long export: every row's phone is read against the one header, and the rows are
/// walked once (the memo), so numbers far below the header still see it.
#[test]
fn long_tables_keep_their_header() {
    let mut csv = String::from("顧客番号,氏名,電話\n");
    for i in 0..400 {
        csv.push_str(&format!(
            "03{:08},森川陽菜,090-1234-{:04}\n",
            12_345_678 + i,
            1000 + i
        ));
    }
    let got = found(&csv);
    assert_eq!(got.len(), 400, "only the phone column");
    assert!(got.iter().all(|s| s.starts_with("090-1234-")));
}

/// Every 9- or 10-digit national number libphonenumber's metadata accepts has a block
/// of the plan table (the table drops no number the previous length check passed).
#[test]
fn every_valid_national_number_has_a_block() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut checked = 0;
    for head in 1..10_000u32 {
        for len in [9usize, 10] {
            for _ in 0..3 {
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
                if national_number_is_valid(&s) {
                    assert!(super::plan::japanese_block(&s).is_some(), "{s}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 5_000, "{checked}");
    // Shared leading digits at two lengths: Osaka 06-0… (9) and FMC 060 (10).
    let osaka = super::plan::japanese_block("601234567").map(|b| b.rule);
    assert_eq!(osaka, Some(super::plan::FIXED));
}
