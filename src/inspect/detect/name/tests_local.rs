//! Table tests of the `name.local.*` rules (local.rs) and the weekday marks: span and
//! rule of every name found, with invented names and hard negatives.

use super::super::NameDetector;
use crate::inspect::detect::Detector;
use crate::inspect::{Document, Tokenizer};

/// (value in the original text, detector) of every name found.
fn found(text: &str) -> Vec<(String, &'static str)> {
    let tok = Tokenizer::new(&[]).unwrap();
    let doc = Document::new(text, &tok);
    let mut out = Vec::new();
    NameDetector::new().detect(&doc, &mut out);
    out.iter()
        .map(|f| {
            let r = doc.normalized().to_original(f.range.clone());
            (text[r].to_string(), f.detector)
        })
        .collect()
}

/// Asserts that `text` yields `value` (found by `rule`) among its names.
fn has(text: &str, value: &str, rule: &str) {
    let f = found(text);
    assert!(
        f.iter().any(|(v, d)| v == value && *d == rule),
        "{text:?}: expected {value:?} by {rule}, got {f:?}"
    );
}

/// Asserts that no name in `text` overlaps `word`.
fn lacks(text: &str, word: &str) {
    let f = found(text);
    assert!(
        f.iter()
            .all(|(v, _)| !v.contains(word) && !word.contains(v.as_str())),
        "{text:?}: {word:?} must not be a name, got {f:?}"
    );
}

#[test]
fn surname_after_section_or_role() {
    for (text, name) in [
        ("確認：税務課 松井\n", "松井"),
        ("確認者 主任 大野", "大野"),
        ("看護師 北村より報告", "北村"),
        ("SW 岩田\n", "岩田"),
        ("SW 岩田、CM 大西", "大西"),
        ("係長：杉本", "杉本"),
        ("折り返し希望。受付 村上\n担当課へ", "村上"),
        ("協働推進課の小野です。来週の件", "小野"),
        ("保険年金課の森です。", "森"),
    ] {
        has(text, name, "name.local.cue");
    }
}

#[test]
fn attendee_lines() {
    let t = "ケース会議メモ\n出席：包括 北村、社協 野口、CM 大西\n";
    for n in ["北村", "野口", "大西"] {
        has(t, n, "name.local.cue");
    }
    has("参加者：岩田、杉本、西岡", "西岡", "name.local.cue");
}

#[test]
fn section_hard_negatives() {
    for (text, word) in [
        ("税務課 窓口で受付", "窓口"),
        ("主任 研修の日程", "研修"),
        ("看護師 不足が続く", "不足"),
        ("係長：不在", "不在"),
        ("税務課 資料を送付", "資料"),
        ("場所 上田市役所", "上田"),
        ("市民課の窓口です", "窓口"),
        ("福祉課の森林整備です", "森"),
        ("出席：総務課、税務課", "税務"),
    ] {
        lacks(text, word);
    }
}

#[test]
fn chat_speakers() {
    let t = "[17:35] 渡辺：了解です\n[9:15] 菅原 はい。携帯は別\n坂本 9:15\n明日の件";
    has(t, "渡辺", "name.local.speaker");
    has(t, "菅原", "name.local.speaker");
    has(t, "坂本", "name.local.speaker");
    // No time: a line starting with a surname and a colon is left to other rules;
    // words that are no surnames are never speakers.
    lacks("[10:02] 窓口A: 今来られた方", "窓口");
    lacks("[10:02] 了解：はい", "了解");
    lacks("会議 9:15\n", "会議");
}

#[test]
fn signature_blocks() {
    let t = "よろしくお願いします。\n\n――――――――――\n内田　陽翔\n〒000-0000 架空市本町1-2-3\n";
    has(t, "内田　陽翔", "name.signature");
    has("以上\n\n税務課 松井\n", "松井", "name.local.cue");
    has(
        "ご確認ください。\n--\n杉本\n内線 1234\n",
        "杉本",
        "name.signature",
    );
    has(
        "ご確認ください。\n西岡\nTEL 090-1234-5678\n",
        "西岡",
        "name.signature",
    );
    // A line of ordinary words in a signature block is none.
    lacks("以上\n\n総務課\n窓口\n", "窓口");
    lacks("--\n森\n", "森");
    lacks("以上\n総務課\n岡山\n", "岡山");
}

#[test]
fn kana_full_names() {
    // Half-width katakana, as legacy exports write them.
    let t = "0012345ﾀﾅｶ ﾐｻｷ      1992";
    has(t, "ﾀﾅｶ ﾐｻｷ", "name.local.kana");
    has("名義 ハラダ ユウキ", "ハラダ ユウキ", "name.local.kana");
    has("499857 ｱﾝﾄﾞｳ ﾊﾙｶ S25.12.16", "ｱﾝﾄﾞｳ ﾊﾙｶ", "name.local.kana");
    has(
        "森川 陽菜\tモリカワ ヒナ\t2004/12/18",
        "モリカワ ヒナ",
        "name.local.kana",
    );
    has(
        "読み：いのうえ そうた（井上 颯太）",
        "いのうえ そうた",
        "name.local.kana",
    );
    // Hard negatives: katakana words that are no kana names, a pair inside a longer
    // chain, and a hiragana pair outside a reading.
    lacks("ホテル サクラ", "サクラ");
    lacks("メイン メニュー", "メニュー");
    lacks("あおい そら が広がる", "そら");
}

#[test]
fn child_kana_names() {
    has("次女（めい、小2）", "めい", "name.local.child");
    has("年長のあおいが発熱", "あおい", "name.local.child");
    has("同居 妻、子 りく\n", "りく", "name.local.child");
    has("年中のはるとが", "はると", "name.local.child");
    // Relation words the role pass knows already keep its rule.
    has("長男のはるとは元気", "はると", "name.role");
    has("子のひまりさん（小3）", "ひまり", "name.local.child");
    lacks("あおい空が広がる", "あおい");
    lacks("子のみなさん", "みな");
    lacks("子のおばあちゃん", "おばあ");
    lacks("長男のめいっぱいの笑顔", "めい");
    lacks("子のために", "ため");
    lacks("ゆなの", "ゆな");
}

#[test]
fn weekday_marks_are_no_surnames() {
    lacks("定例会議メモ 10/4（金）\n", "金");
    lacks("7/21(土)〜4/25(日)", "土");
    // A one-kanji surname in parentheses after a phone number stays a name.
    has("090-1234-5678（林）", "林", "name.contact");
}

#[test]
fn surnames_in_rows_with_personal_data() {
    has("東部,工藤,090-1234-5678", "工藤", "name.row");
    has(
        "| 菅原 | 1980/04/01 | 架空市本町1-2-3 |",
        "菅原",
        "name.row",
    );
    // A full name the list pass knows keeps its rule.
    has(
        "3\t森川 陽菜\tS41.10.10\t架空市本町1-2-3",
        "森川 陽菜",
        "name.list",
    );
    has("3,杉本,S41.10.10,架空市本町1-2-3", "杉本", "name.row");
    // Places, one-kanji marks and products in a row, and rows without personal data.
    lacks("千葉,支店,090-1234-5678", "千葉");
    lacks("(金),10:00,090-1234-5678", "金");
    lacks("工藤,菅原,岩田", "工藤");
    lacks(",長男,2001/04/01", "長男");
    lacks("りんご,工藤農園,2024/01/02", "工藤");
}
