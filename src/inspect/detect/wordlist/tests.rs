//! Word-list tables: every spelling of a listed word, separators between its characters,
//! CamelCase joins, and the hard negatives the tolerance must leave alone.

use super::*;
use crate::inspect::Tokenizer;

fn scan(lists: &[(String, Vec<String>)], text: &str) -> Vec<(String, String)> {
    let tok = Tokenizer::new(&[]).unwrap();
    let d = WordListDetector::new(lists).unwrap().unwrap();
    let doc = Document::new(text, &tok);
    let mut out = Vec::new();
    d.detect(&doc, &mut out);
    out.into_iter()
        .map(|f| {
            let r = doc.normalized().to_original(f.range);
            (f.category.to_string(), text[r].to_string())
        })
        .collect()
}

#[test]
fn matches_every_spelling() {
    let lists = vec![(
        "secret".to_string(),
        vec!["マル秘".to_string(), "Project X".to_string()],
    )];
    let cases = [
        ("マル秘", "マル秘"),
        ("まる秘の資料", "まる秘"),
        ("ﾏﾙ秘", "ﾏﾙ秘"),
        ("ＰＲＯＪＥＣＴ　Ｘ", "ＰＲＯＪＥＣＴ　Ｘ"),
        ("project x", "project x"),
    ];
    for (text, want) in cases {
        let got = scan(&lists, text);
        assert_eq!(
            got,
            vec![("secret".to_string(), want.to_string())],
            "{text}"
        );
    }
}

#[test]
fn ascii_words_need_boundaries() {
    let lists = vec![("l".to_string(), vec!["abc".to_string()])];
    assert!(scan(&lists, "xabcx").is_empty());
    assert_eq!(scan(&lists, "x abc.").len(), 1);
    assert_eq!(scan(&lists, "これはabcです").len(), 1);
}

fn lists() -> Vec<(String, Vec<String>)> {
    let words = [
        "極秘",
        "マル秘",
        "Project Falcon",
        "秘密",
        "サーバー室",
        "NDA",
    ];
    vec![(
        "secret".to_string(),
        words.iter().map(|w| w.to_string()).collect(),
    )]
}

/// Separators between the characters, variant kanji and CamelCase joins (issue 12
/// class 10): each row is text and the exact span found.
#[test]
fn separators_between_characters_are_tolerated() {
    let cases: &[(&str, &str)] = &[
        ("極秘の資料", "極秘"),
        ("極祕の資料", "極祕"),
        ("これは極 秘です", "極 秘"),
        ("これは極　秘です", "極　秘"),
        ("極ー秘", "極ー秘"),
        ("極ｰ秘", "極ｰ秘"),
        ("極-秘", "極-秘"),
        ("極－秘", "極－秘"),
        ("極_秘", "極_秘"),
        ("極.秘", "極.秘"),
        ("極・秘", "極・秘"),
        ("極 - 秘", "極 - 秘"),
        ("極 祕", "極 祕"),
        ("極\u{200B}秘", "極\u{200B}秘"),
        (
            "極\u{200B}\u{200D}\u{FEFF}秘",
            "極\u{200B}\u{200D}\u{FEFF}秘",
        ),
        ("極<b>秘</b>の件", "極<b>秘"),
        ("<b>極</b>秘", "極</b>秘"),
        ("極<span class=\"x\">秘</span>", "極<span class=\"x\">秘"),
        ("マ ル 秘", "マ ル 秘"),
        ("ま・る・秘", "ま・る・秘"),
        ("ProjectFalcon の件", "ProjectFalcon"),
        ("Project-Falcon", "Project-Falcon"),
        ("Project_Falcon", "Project_Falcon"),
        ("project falcon", "project falcon"),
        ("projectfalcon", "projectfalcon"),
        ("ＰｒｏｊｅｃｔＦａｌｃｏｎ", "ＰｒｏｊｅｃｔＦａｌｃｏｎ"),
        ("P r o j e c t  F a l c o n", "P r o j e c t  F a l c o n"),
        ("see N.D.A. first", "N.D.A"),
        ("N-D-A", "N-D-A"),
        ("サーバー室", "サーバー室"),
        ("サー バー 室", "サー バー 室"),
    ];
    let lists = lists();
    for (text, want) in cases {
        let got = scan(&lists, text);
        assert_eq!(
            got,
            vec![("secret".to_string(), want.to_string())],
            "in {text:?}"
        );
    }
}

/// Hard negatives: the tolerance stays inside a run that is the whole word.
#[test]
fn separators_do_not_join_other_words() {
    let cases: &[&str] = &[
        // Two words meeting at a separator: both ends glued to other kanji or one.
        "北極 秘境ツアー",
        "北極・秘境ツアー",
        "南極-秘境",
        "秘 密度が高い",
        "機密の秘 密度",
        // Too many separators, or ones that are no separators.
        "極    秘",
        "極 - - 秘",
        "極\n秘",
        "極、秘",
        "極(秘)",
        "極<bogus 秘",
        // The long vowel mark of a kana word belongs to it.
        "サバ室",
        "サ-バ-室",
        // Latin words need boundaries.
        "xProjectFalcon",
        "ProjectFalcons",
        "Project Falconry",
        "my_projectfalcon",
        "AGENDA",
        "N.D.Ax",
        "SNDA",
    ];
    let lists = lists();
    for text in cases {
        assert!(
            scan(&lists, text).is_empty(),
            "in {text:?}: {:?}",
            scan(&lists, text)
        );
    }
}

/// Overlapping candidates: the leftmost, then the longest, wins.
#[test]
fn leftmost_longest_among_tolerant_matches() {
    let lists = vec![(
        "l".to_string(),
        vec![
            "極秘".to_string(),
            "極秘案件".to_string(),
            "案件".to_string(),
        ],
    )];
    assert_eq!(
        scan(&lists, "極 秘 案 件です"),
        vec![("l".to_string(), "極 秘 案 件".to_string())]
    );
    assert_eq!(
        scan(&lists, "極秘と案件"),
        vec![
            ("l".to_string(), "極秘".to_string()),
            ("l".to_string(), "案件".to_string())
        ]
    );
}

/// The allow list stays exact: no tolerance widens what is exempted.
#[test]
fn exact_sets_do_not_tolerate_separators() {
    let set = WordSet::new([(0, "極秘")], Matching::Exact)
        .unwrap()
        .unwrap();
    let text = "極 秘";
    let folded = fold_for_words(text);
    assert!(set.find(text, &folded).is_empty());
    assert_eq!(set.find("極秘", "極秘").len(), 1);
}

/// Long texts full of near-misses scan quickly (every loop is bounded).
#[test]
fn near_misses_scan_quickly() {
    let lists = lists();
    let text = "北極 秘境、極    秘、ProjectFalcons。".repeat(3000);
    let start = std::time::Instant::now();
    assert!(scan(&lists, &text).is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}
