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

/// Obfuscated spellings (issue 12 class 9): each row is text and the exact span.
#[test]
fn obfuscated_addresses_are_found_with_exact_spans() {
    let cases: &[(&str, &str)] = &[
        // English words for the symbols.
        (
            "mail taro at example dot com please",
            "taro at example dot com",
        ),
        ("TARO AT EXAMPLE DOT COM", "TARO AT EXAMPLE DOT COM"),
        ("k.suzuki4 at gmail.com まで", "k.suzuki4 at gmail.com"),
        (
            "yamada_t at city dot example dot lg dot jp。",
            "yamada_t at city dot example dot lg dot jp",
        ),
        // Bracketed words.
        ("taro [at] example [dot] com", "taro [at] example [dot] com"),
        (
            "taro(at)example(dot)co(dot)jp",
            "taro(at)example(dot)co(dot)jp",
        ),
        ("taro{at}example{dot}com", "taro{at}example{dot}com"),
        ("taro(at)example.com", "taro(at)example.com"),
        (
            "taro（アット）example（ドット）jp",
            "taro（アット）example（ドット）jp",
        ),
        // Japanese readings of the symbols.
        ("メールはtaroアットexample.comへ", "taroアットexample.com"),
        (
            "taroアットマークexample.co.jp",
            "taroアットマークexample.co.jp",
        ),
        (
            "taro アット example ドット co ドット jp です",
            "taro アット example ドット co ドット jp",
        ),
        ("hanakoアットexampleドットjp", "hanakoアットexampleドットjp"),
        // Full-width forms.
        ("taro＠example．com", "taro＠example．com"),
        (
            "ｔａｒｏ　＠　ｅｘａｍｐｌｅ　．　ｃｏｍ",
            "ｔａｒｏ　＠　ｅｘａｍｐｌｅ　．　ｃｏｍ",
        ),
        ("taro﹫example.jp", "taro﹫example.jp"),
        // Spaces around the symbols.
        ("宛先 taro @ example . com まで", "taro @ example . com"),
        ("taro@ example.com", "taro@ example.com"),
        ("taro  @  example.co.jp", "taro  @  example.co.jp"),
        // URL and HTML escapes.
        ("mailto:taro%40example.com", "taro%40example.com"),
        ("<a>taro&#64;example.com</a>", "taro&#64;example.com"),
        ("taro&#x40;example&#46;jp", "taro&#x40;example&#46;jp"),
        (
            "taro&commat;example&period;com",
            "taro&commat;example&period;com",
        ),
        ("taro%40example%2Ecom", "taro%40example%2Ecom"),
        // Quoted local parts.
        (
            "宛先 \"taro.yamada\"@example.com へ",
            "\"taro.yamada\"@example.com",
        ),
        ("\"taro yamada\"@example.jp", "\"taro yamada\"@example.jp"),
        // Internationalized domains, Unicode and punycode.
        ("連絡はtaro@例え.jpまで", "taro@例え.jp"),
        ("taro@xn--r8jz45g.jp", "taro@xn--r8jz45g.jp"),
        ("taro@市役所.example.jp", "taro@市役所.example.jp"),
        // Homoglyphs: Cyrillic е х а о с, Greek ο in the domain.
        ("taro@ехаmple.com", "taro@ехаmple.com"),
        ("taro@example.соm", "taro@example.соm"),
        ("taro@gοogle.com", "taro@gοogle.com"),
        // Zero-width characters inside the address.
        (
            "ta\u{200B}ro@exa\u{200D}mple.com",
            "ta\u{200B}ro@exa\u{200D}mple.com",
        ),
        // A spaced dot followed by prose ends at the last label.
        ("taro@example.jp. The end", "taro@example.jp"),
        // An address inside a rejected candidate's domain.
        ("see at foo.bar@example.com", "foo.bar@example.com"),
    ];
    for (text, want) in cases {
        assert_eq!(found(text), vec![want.to_string()], "in {text:?}");
    }
}

#[test]
fn over_long_label_is_no_domain() {
    let text = format!("taro@{}.com", "a".repeat(64));
    assert!(found(&text).is_empty());
    let text = format!("taro@{}.com", "a".repeat(63));
    assert_eq!(found(&text), vec![text.clone()]);
}

/// Scanning stays fast on long texts full of near-misses.
#[test]
fn near_misses_scan_in_linear_time() {
    let text = "look at the list dot points @ a.b アット 3 at 5 ".repeat(4000);
    let start = std::time::Instant::now();
    assert!(found(&text).is_empty());
    let text = "a@".repeat(20_000);
    assert!(found(&text).is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
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
        // Issue 12 class 9 hard negatives.
        "at the meeting dot points",
        "We met at the meeting dot points.",
        "3 at 5",
        "3 at 5.5",
        // "look at example.com": the word before "at" is an English verb, not a
        // mailbox; bare "at" with literal dots needs an address-only character.
        "look at example.com",
        "arrive at tokyo.jp tomorrow",
        "Python 3.11",
        "Python 3.11 at python.org",
        "release v2.0 at github.com",
        "@mention",
        "ping @mention.",
        "価格はアットホーム",
        "アットホームな職場.com",
        "@media screen and (max-width: 600px) { a.b { color: red } }",
        "a.b.c",
        "@dataclass\nclass Point:",
        "@dataclass(frozen=True)",
        "y = x @ self.proj",
        "z = a @ b.T",
        "hi @ bob.smith",
        "taro at example dot points",
        "taro at example",
        "taro @ example . pdf",
        "資料@市役所.pdf",
        "example dot com",
        "dot com at example",
    ];
    for text in cases {
        assert!(found(text).is_empty(), "in {text:?}");
    }
}
