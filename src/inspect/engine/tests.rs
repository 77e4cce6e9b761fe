//! Engine-level tests: category switches, allow list, overlaps, offsets.

use super::*;

fn engine() -> Engine {
    EngineBuilder::new().build().unwrap()
}

#[test]
fn offsets_are_code_points_in_the_original() {
    let text = "ｔｅｌ：０９０−１２３４−５６７８";
    let f = engine().scan(text);
    let phone = f
        .iter()
        .find(|f| f.category == Category::Phone)
        .expect("phone");
    assert_eq!(&text[phone.range()], "０９０−１２３４−５６７８");
    let chars: Vec<char> = text.chars().collect();
    let s: String = chars[phone.char_start..phone.char_end].iter().collect();
    assert_eq!(s, "０９０−１２３４−５６７８");
}

#[test]
fn disabled_category_is_not_reported() {
    let e = EngineBuilder::new()
        .enable(&Category::Email, false)
        .build()
        .unwrap();
    assert!(e
        .scan("mail: taro@example.jp")
        .iter()
        .all(|f| f.category != Category::Email));
    assert!(!e.categories().contains(&Category::Email));
}

#[test]
fn word_lists_report_their_own_category() {
    let e = EngineBuilder::new()
        .word_list("project", vec!["プロジェクトＺ".to_string()])
        .unwrap()
        .build()
        .unwrap();
    let f = e.scan("ぷろじぇくとZの件");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].category.as_str(), "project");
}

#[test]
fn allow_list_drops_findings_inside_allowed_terms() {
    let e = EngineBuilder::new()
        .word_list("w", vec!["センター".to_string()])
        .unwrap()
        .allow_words(vec!["市民センター".to_string()])
        .build()
        .unwrap();
    assert!(e.scan("市民センターへ").is_empty());
    assert_eq!(e.scan("保健センターへ").len(), 1);
}

#[test]
fn bad_list_names_are_build_errors() {
    assert!(EngineBuilder::new().word_list("name", vec![]).is_err());
    assert!(EngineBuilder::new().word_list("a b", vec![]).is_err());
}

#[test]
fn bad_user_dictionary_is_a_build_error() {
    let err = EngineBuilder::new()
        .user_dictionary("u.csv", "only,three,columns")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("u.csv:1"), "{err}");
}

#[test]
fn config_unknown_disabled_category_is_an_error() {
    let cfg = DetectionConfig {
        disabled: vec!["names".into()],
        ..Default::default()
    };
    let err = EngineBuilder::from_config(&cfg, Path::new(".")).unwrap_err();
    assert!(
        err.to_string().contains("unknown category 'names'"),
        "{err}"
    );
}

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

#[test]
fn empty_and_clean_text() {
    let e = engine();
    assert!(e.scan("").is_empty());
    assert!(e.scan("本日の会議は午後三時からです。").is_empty());
}

/// Regression: the built-in list once held ㊙, which NFKC folds to a bare 秘 and so
/// matched every 守秘義務 and 秘密 in ordinary policy text.
#[test]
fn builtin_confidential_list_ignores_ordinary_words() {
    let e = engine();
    assert!(e
        .scan("職員には守秘義務があり、秘密文書は施錠保管する。")
        .is_empty());
    let f = e.scan("この資料は部外秘です");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].category.as_str(), "confidential");
}

/// Warming an engine up (done by the gateway before serving) finds nothing in, and
/// changes nothing about, the scans that follow.
#[test]
fn warm_up_changes_no_finding() {
    let cold = EngineBuilder::new().build().unwrap();
    let warm = EngineBuilder::new().build().unwrap();
    warm.warm_up();
    for text in [
        "山田太郎さんの住所は東京都千代田区千代田1番1号です。",
        "ジョン・スミス氏に03-1234-5678で連絡する。",
        "本市の事業計画を見直します。",
    ] {
        assert_eq!(cold.scan(text), warm.scan(text), "{text}");
    }
}
