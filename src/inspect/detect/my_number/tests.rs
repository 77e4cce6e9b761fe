//! My Number tables: check digit, grouping, longer runs, labels, keywords.

use super::*;
use crate::text::Normalized;

/// Matched original substrings and confidences.
fn found(text: &str) -> Vec<(String, f32)> {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let doc = Document::new(text, &tokenizer);
    let mut out = Vec::new();
    MyNumberDetector::new().detect(&doc, &mut out);
    let norm = Normalized::new(text);
    out.iter()
        .map(|f| {
            (
                text[norm.to_original(f.range.clone())].to_string(),
                f.confidence,
            )
        })
        .collect()
}

#[test]
fn check_digit_table() {
    // Valid numbers computed by hand from the 施行令 formula, and single-digit slips.
    let cases: &[(&str, bool)] = &[
        ("123456789018", true),
        ("914168818043", true),
        ("000000000000", true),
        ("123456789012", false),
        ("914168818042", false),
        ("914168818044", false),
        ("814168818043", false),
    ];
    for (s, want) in cases {
        let mut d = [0u8; 12];
        for (x, b) in d.iter_mut().zip(s.bytes()) {
            *x = b - b'0';
        }
        assert_eq!(check_digit_valid(&d), *want, "{s}");
    }
}

#[test]
fn written_forms_are_found() {
    let cases: &[(&str, &str)] = &[
        ("個人番号は914168818043。", "914168818043"),
        ("番号 9141 6881 8043 を", "9141 6881 8043"),
        ("番号9141-6881-8043", "9141-6881-8043"),
        ("全角９１４１６８８１８０４３", "９１４１６８８１８０４３"),
        (
            "全角空白９１４１　６８８１　８０４３",
            "９１４１　６８８１　８０４３",
        ),
        ("漢数字九一四一六八八一八〇四三", "九一四一六八八一八〇四三"),
        ("件数1234 914168818043", "914168818043"),
        (
            "マイナンバーの件で、受付番号は9141-6881-8043",
            "9141-6881-8043",
        ),
        (
            "幅なし9141\u{200B}6881\u{200B}8043です",
            "9141\u{200B}6881\u{200B}8043",
        ),
        (
            "長音９１４１ー６８８１ー８０４３",
            "９１４１ー６８８１ー８０４３",
        ),
        // A dash set off by spaces (the normalized view keeps the spaces).
        ("個人番号 9141 - 6881 - 8043 です", "9141 - 6881 - 8043"),
        (
            "個人番号　９１４１　ー　６８８１　ー　８０４３",
            "９１４１　ー　６８８１　ー　８０４３",
        ),
        ("番号 9141- 6881 -8043", "9141- 6881 -8043"),
    ];
    for (text, want) in cases {
        let got: Vec<String> = found(text).into_iter().map(|(s, _)| s).collect();
        assert_eq!(got, vec![want.to_string()], "in {text:?}");
    }
}

#[test]
fn non_my_numbers_are_left_alone() {
    let cases: &[&str] = &[
        "123456789012",                 // bad check digit
        "91416881804312",               // inside a longer run
        "19141688180433",               // inside a longer run
        "9141 6881 8043 1234",          // a fourth group (card-like number)
        "1234-9141-6881-8043",          // a group before
        "受付番号は9141-6881-8043です", // another kind of number
        "口座番号：914168818043",       // another kind of number
        "9141 6881-80431",              // glued digit
        "9141 - 6881 - 8043 - 1234",    // a fourth group across a spaced dash
        "1234 - 9141 - 6881 - 8043",    // a group before across a spaced dash
        "9141 - 6881 - 8043 1234",      // a fourth group across a space
    ];
    for text in cases {
        assert!(found(text).is_empty(), "in {text:?}");
    }
}

#[test]
fn a_count_after_an_unspaced_number_is_not_glue() {
    // Spaces join groups only for a candidate that is itself grouped by spaces.
    let got: Vec<String> = found("個人番号914168818043 3人")
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(got, vec!["914168818043".to_string()]);
}

#[test]
fn keyword_raises_confidence() {
    let bare = found("番号914168818043")[0].1;
    let near = found("マイナンバーカードの番号914168818043")[0].1;
    let labelled = found("個人番号：914168818043")[0].1;
    assert!(near > bare && labelled > bare, "{bare} {near} {labelled}");
}

/// Matched original substrings and the rule of each finding.
fn found_rules(text: &str) -> Vec<(String, &'static str)> {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let doc = Document::new(text, &tokenizer);
    let mut out = Vec::new();
    MyNumberDetector::new().detect(&doc, &mut out);
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

/// Issue 13 item 5: a valid 12-digit number with reference-number context and no My
/// Number context is another kind of number; with My Number context, or with no
/// context at all, it is a My Number. (text, expected (span, rule)).
#[test]
fn context_decides_between_my_number_and_reference_numbers() {
    let kw = "my_number.keyword";
    let bare = "my_number.check_digit";
    let cases: &[(&str, Option<(&str, &str)>)] = &[
        // My Number context: found with the keyword rule.
        ("個人番号：123456789018", Some(("123456789018", kw))),
        (
            "マイナンバーは 1234 5678 9018 です",
            Some(("1234 5678 9018", kw)),
        ),
        (
            "個人番号カードの番号914168818043",
            Some(("914168818043", kw)),
        ),
        ("914168818043（マイナンバー）", Some(("914168818043", kw))),
        ("通知カードに914168818043とある", Some(("914168818043", kw))),
        ("My Number: 914168818043", Some(("914168818043", kw))),
        // Both kinds spoken of: blocked (fail closed).
        (
            "マイナンバーカードの受付番号は914168818043",
            Some(("914168818043", kw)),
        ),
        (
            "受付番号と個人番号 914168818043",
            Some(("914168818043", kw)),
        ),
        // No context at all: a bare valid number stays found.
        ("914168818043", Some(("914168818043", bare))),
        ("番号914168818043", Some(("914168818043", bare))),
        ("森川陽菜さん 123456789018", Some(("123456789018", bare))),
        // A reference label in an earlier sentence labels another number.
        (
            "受付番号はA-1です。914168818043",
            Some(("914168818043", bare)),
        ),
        ("伝票番号 A-1\n914168818043", Some(("914168818043", bare))),
        // Reference context, no My Number context: not a My Number.
        ("受付番号：914168818043", None),
        ("送り状番号は 9141-6881-8043 です", None),
        ("伝票番号 914168818043", None),
        ("問い合わせ番号（Web）：914168818043", None),
        ("お問い合わせ番号 123456789018", None),
        ("例：123456789018", None),
        ("例) 1234-5678-9018", None),
        ("注文番号 914168818043 の商品", None),
        ("口座番号914168818043", None),
        ("ヤマトの送り状 914168818043 を控えて", None),
        ("受付番号：914168818043、123456789018", None),
        ("914168818043（受付番号）", None),
        ("914168818043(伝票番号)で照会", None),
        ("申込管理番号 914168818043", None),
        ("Order 914168818043 shipped", None),
    ];
    for (text, want) in cases {
        let got = found_rules(text);
        match want {
            Some((span, rule)) => assert_eq!(got, vec![(span.to_string(), *rule)], "in {text:?}"),
            None => assert!(got.is_empty(), "in {text:?}: {got:?}"),
        }
    }
}

/// The column header of a table decides what its cells are (issue 13 item 5).
#[test]
fn column_headers_decide_for_table_cells() {
    let cases: &[(&str, &[&str])] = &[
        ("受付番号,氏名\n914168818043,森川陽菜\n", &[]),
        ("No\t伝票番号\t備考\n1\t9141-6881-8043\tなし", &[]),
        (
            "| 問い合わせ番号 | 氏名 |\n|---|---|\n| 914168818043 | 森川陽菜 |",
            &[],
        ),
        ("氏名,個人番号\n森川陽菜,914168818043\n", &["914168818043"]),
        // A header that says nothing: a bare valid number stays found.
        ("氏名,備考\n森川陽菜,914168818043\n", &["914168818043"]),
        // A header row alone is not a column of the number's line.
        ("受付番号 914168818043,森川陽菜", &[]),
        ("914168818043,森川陽菜", &["914168818043"]),
    ];
    for (text, want) in cases {
        let got: Vec<String> = found(text).into_iter().map(|(s, _)| s).collect();
        assert_eq!(got, *want, "in {text:?}");
    }
}
