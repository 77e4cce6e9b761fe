//! Table-driven tests of the kanji-name rules of session 6: given names the dictionary
//! spells one kanji at a time, names after a generation, names before an imperial
//! title, Chinese and Korean names of three kanji the dictionary does not know — each
//! with hard negatives of the same shape. All names are invented.

use super::super::NameDetector;
use crate::inspect::detect::Detector;
use crate::inspect::{Document, Tokenizer};

/// One case: a text and the names expected in it, in order.
type Case = (&'static str, &'static [&'static str]);

fn check(cases: &[Case]) {
    let tok = Tokenizer::new(&[]).unwrap();
    let det = NameDetector::new();
    let mut failures = Vec::new();
    for (text, want) in cases {
        let doc = Document::new(text, &tok);
        let mut out = Vec::new();
        det.detect(&doc, &mut out);
        let got: Vec<&str> = out.iter().map(|f| &doc.text()[f.range.clone()]).collect();
        if got != *want {
            failures.push(format!("{text}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn given_names_spelled_one_kanji_at_a_time() {
    check(&[
        ("編曲村岡真三、作詞不詳", &["村岡真三"]),
        ("五代目吉川藤八は会社を継いだ。", &["吉川藤八"]),
        ("初代川島熊四郎が函館に渡った。", &["川島熊四郎"]),
        // A generation before a common word or a title is no name.
        ("三代目の社長が来た。", &[]),
        ("初代社長が就任した。", &[]),
        ("二代目店主が店を継いだ。", &[]),
    ]);
}

#[test]
fn names_before_an_imperial_title() {
    check(&[
        ("当時8歳であった敦貞親王が訪れた。", &["敦貞"]),
        // Words before the title, and titles in names of things.
        ("歴代天皇の陵墓", &[]),
        ("女性天皇の議論", &[]),
        ("第一皇子が生まれた。", &[]),
        ("天皇杯の決勝", &[]),
    ]);
}

#[test]
fn chinese_and_korean_names_the_dictionary_does_not_know() {
    check(&[
        ("学生時代の兪平威は", &["兪平威"]),
        ("曺英鉉に続いて優勝した。", &["曺英鉉"]),
        ("昨年、蔣文石が当選した。", &["蔣文石"]),
        // Words starting with a listed surname, and an event named after a person.
        ("日本の戴宗春の乱の研究", &[]),
        ("金曜日に会議", &[]),
        ("王国内の制度", &[]),
        ("周辺部の開発", &[]),
        ("中村区の人口", &[]),
        ("大竹市の広報", &[]),
    ]);
}
