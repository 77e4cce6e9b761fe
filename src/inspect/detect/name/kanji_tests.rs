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

#[test]
fn surnames_acting_alone_after_a_clause() {
    check(&[
        ("繰り上げ当選し岩淵は議員となった。", &["岩淵"]),
        ("指示を受けた杉浦は現場へ向かった。", &["杉浦"]),
        // Places and common words in the same position.
        ("この地域で青山は人気の街だ。", &[]),
        ("東京で森は少ない。", &[]),
        ("都内で中村区は人口が多い。", &[]),
    ]);
}

#[test]
fn surnames_filed_as_places_after_a_word_for_a_person() {
    check(&[
        ("所有代理人の長野と交渉した。", &["長野"]),
        ("弁護人の岡山が反論した。", &["岡山"]),
        // A place after the same words, as a destination or a trip.
        ("担当者の長野出張の件", &[]),
        ("職員の長野への異動", &[]),
        ("職員の東京と大阪の往復", &[]),
        ("相談者の大阪での生活", &[]),
    ]);
}

#[test]
fn names_before_an_office_ending_in_a_title() {
    check(&[
        ("村井優子高知県知事が視察した。", &["村井優子"]),
        (
            "第三師団参謀長川島熊四郎陸軍少将と会談した。",
            &["川島熊四郎"],
        ),
        ("昨年、蔣文石国民党総裁は述べた。", &["蔣文石"]),
        // Offices alone.
        ("大阪府議会議長が出席した。", &[]),
        ("東京都知事が述べた。", &[]),
        ("山田市議会議長が出席した。", &[]),
    ]);
}

#[test]
fn given_names_acting_alone_spelled_one_kanji_at_a_time() {
    check(&[
        ("紗菜はさらなる事業拡大を計画した。", &["紗菜"]),
        ("会見で陽菜に決定したと発表された。", &["陽菜"]),
        // Places, quoted titles and common words of the same shape.
        ("1948年に宝城において発生した事件", &[]),
        ("映画「瑞星」は人気を得た。", &[]),
        ("会議の結果に従う。", &[]),
        ("新春の集いに参加した。", &[]),
    ]);
}

#[test]
fn surnames_in_an_enumeration_that_counts_persons() {
    check(&[
        (
            "初戦では島、村岡雄一、浜の3人が出場した。",
            &["島", "村岡雄一", "浜"],
        ),
        ("村岡雄一、長野らが参加した。", &["村岡雄一", "長野"]),
        // Counts of places and things, and a place with a suffix.
        ("村岡雄一、長野、福岡の3都市を訪れた。", &["村岡雄一"]),
        ("村岡雄一と島の3か所", &["村岡雄一"]),
        ("会議には村岡雄一、長野市の職員ら", &["村岡雄一"]),
    ]);
}

/// 曽 starts Chinese names (曽文正) and kinship words (曽孫): regression test for the
/// kinship word read as a two-kanji Chinese name once 曽 was a listed surname.
#[test]
fn kinship_words_starting_with_a_chinese_surname() {
    check(&[
        ("副委員長の仁村の曽孫にあたる。", &["仁村"]),
        ("彼の玄孫は医者になった。", &[]),
    ]);
}
