//! E-mail tables: forms found with exact spans, punctuation excluded, non-addresses.

use super::*;
use crate::text::Normalized;

fn found(text: &str) -> Vec<String> {
    let tokenizer = crate::inspect::Tokenizer::new(&[]).expect("tokenizer");
    let doc = Document::new(text, &tokenizer);
    let mut out = Vec::new();
    EmailDetector::new().detect(&doc, &mut out);
    let norm = Normalized::new(text);
    out.iter()
        .map(|f| text[norm.to_original(f.range.clone())].to_string())
        .collect()
}

#[test]
fn addresses_are_found_with_exact_spans() {
    let cases: &[(&str, &str)] = &[
        ("メール：k.suzuki4@gmail.comか", "k.suzuki4@gmail.com"),
        ("宛先 taro@example.jp。", "taro@example.jp"),
        ("宛先 taro@example.jp.", "taro@example.jp"),
        ("(taro@example.co.jp)", "taro@example.co.jp"),
        ("宛先 taro@example.co.jp、次", "taro@example.co.jp"),
        (
            "yamada-t_1+tag@city.example.lg.jpまで",
            "yamada-t_1+tag@city.example.lg.jp",
        ),
        (
            "全角ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐへ",
            "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        ),
        (
            "IDN user@xn--wgv71a.xn--zckzah です",
            "user@xn--wgv71a.xn--zckzah",
        ),
        ("mailto:info@example.org", "info@example.org"),
        ("...lead@example.com", "lead@example.com"),
        // Spelled-out @ (written against address harvesting).
        ("メールは taro(at)example.jp です", "taro(at)example.jp"),
        (
            "連絡 taro [at] example.co.jp まで",
            "taro [at] example.co.jp",
        ),
        (
            "ｈａｎａｋｏ（アットマーク）ｅｘａｍｐｌｅ．ｊｐへ",
            "ｈａｎａｋｏ（アットマーク）ｅｘａｍｐｌｅ．ｊｐ",
        ),
        ("k.suzuki[AT]example.ne.jp", "k.suzuki[AT]example.ne.jp"),
    ];
    for (text, want) in cases {
        assert_eq!(found(text), vec![want.to_string()], "in {text:?}");
    }
}

#[test]
fn long_local_part_is_widened() {
    let local = "a".repeat(80);
    let text = format!("{local}@example.jp");
    assert_eq!(found(&text), vec![text.clone()]);
}

#[test]
fn non_addresses_are_left_alone() {
    let cases: &[&str] = &[
        "@mention だけ",
        "user@localhost",
        "a@b.c",
        "user@-bad.example",
        "価格@100円",
        "user@example.jp_x",
        "user@example.com0",
        "look (at) the list",
        "meet at example.com",
        "会場(at)市民会館",
        "data [at] 10.5",
    ];
    for text in cases {
        assert!(found(text).is_empty(), "in {text:?}");
    }
}
