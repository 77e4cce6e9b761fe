//! Table-driven tests of the name detector.

use super::*;
use crate::inspect::{Document, Tokenizer};

fn names(text: &str) -> Vec<String> {
    let tok = Tokenizer::new(&[]).unwrap();
    let doc = Document::new(text, &tok);
    let mut out = Vec::new();
    NameDetector::new().detect(&doc, &mut out);
    out.iter()
        .map(|f| doc.text()[f.range.clone()].to_string())
        .collect()
}

/// One case: a text and the names expected in it (normalized text, in order).
struct Case {
    text: &'static str,
    names: &'static [&'static str],
}

const fn case(text: &'static str, names: &'static [&'static str]) -> Case {
    Case { text, names }
}

fn check(cases: &[Case]) {
    let tok = Tokenizer::new(&[]).unwrap();
    let det = NameDetector::new();
    let mut failures = Vec::new();
    for c in cases {
        let doc = Document::new(c.text, &tok);
        let mut out = Vec::new();
        det.detect(&doc, &mut out);
        let got: Vec<&str> = out.iter().map(|f| &doc.text()[f.range.clone()]).collect();
        if got != c.names {
            failures.push(format!("{}: expected {:?}, got {:?}", c.text, c.names, got));
        }
        for f in &out {
            assert_eq!(f.category, Category::Name);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn hard_negatives_are_not_names() {
    check(&[
        case("林の中を歩く", &[]),
        case("林", &[]),
        case("中村区の人口は増えている", &[]),
        case("田中町の公民館で説明会を開く", &[]),
        case("青山通りの交通規制について", &[]),
        case("小川が流れる公園", &[]),
        case("森の中に小屋がある", &[]),
        case("小川や谷川の水位観測体制について", &[]),
        case("青山とともに歩む", &[]),
        case("お客様各位", &[]),
        case("皆さんこんにちは", &[]),
        case("ご担当者様", &[]),
        case("市民課ご担当者様へ", &[]),
        case("たくさんの意見をいただいた", &[]),
        case("ちゃんと確認してください", &[]),
        case("氏名欄に記入してください", &[]),
        case("様式第1号を提出", &[]),
        case("お医者さんに相談する", &[]),
        case("アプリケーション・コンテンツの管理", &[]),
        case("担当:総務課", &[]),
        case("情報通信ネットワークの保守", &[]),
    ]);
}

#[test]
fn honorifics() {
    check(&[
        case("山田太郎さんが来庁した", &["山田太郎"]),
        case("所有者の梅木しげひろ氏へ送る通知", &["梅木しげひろ"]),
        case("林さんに電話する", &["林"]),
        case("森様へのご案内", &["森"]),
        case("班長は大城さんです", &["大城"]),
        case("児童は結斗ちゃん(5歳)", &["結斗"]),
        case("民生委員の川崎 康栄さんから", &["川崎 康栄"]),
        case("ジョンさんから連絡", &["ジョン"]),
        case("鈴木くんと佐藤君", &["鈴木", "佐藤"]),
        case("山田先生に相談", &["山田"]),
        case("田中殿", &["田中"]),
    ]);
}

#[test]
fn labels_and_sequences() {
    check(&[
        case("氏名:山田 英志、住所欄に記入", &["山田 英志"]),
        case("世帯主:清水るな、電話番号", &["清水るな"]),
        case("相談者:小山 たけひさ(愛媛県)", &["小山 たけひさ"]),
        case("保護者 加藤 栄斗(090-1234-5678)", &["加藤 栄斗"]),
        case("担当:林", &["林"]),
        case("「伊藤達俊と申します。」", &["伊藤達俊"]),
        case("住んでいる熊谷 怜央奈です。", &["熊谷 怜央奈"]),
        case("連絡先は03-1234-5678(井上)まで", &["井上"]),
    ]);
}

#[test]
fn forms() {
    check(&[
        // Ideographic space and full-width colon are normalized.
        case("氏名：山田\u{3000}花子", &["山田 花子"]),
        case(
            "山田太郎(やまだ たろう)さん",
            &["山田太郎", "やまだ たろう"],
        ),
        case("鈴木花子(スズキハナコ)様", &["鈴木花子", "スズキハナコ"]),
        case("ドナルド・トランプ大統領が来日", &["ドナルド・トランプ"]),
        case("松友美佐紀は、日本のバドミントン選手。", &["松友美佐紀"]),
        case("俳優のトム・ハンクスの作品", &["トム・ハンクス"]),
        case("妻のメアリーは教師だった", &["メアリー"]),
        case("参照モデルのシステムは", &[]),
        case("李登輝は政界入り直後に", &["李登輝"]),
        case("金は高騰している", &[]),
    ]);
}

#[test]
fn other_municipal_forms() {
    check(&[
        case("申請者 田中一郎 様の書類", &["田中一郎"]),
        case("お名前:山本 花子", &["山本 花子"]),
        case(
            "山本花子(やまもと はなこ)の件",
            &["山本花子", "やまもと はなこ"],
        ),
        case(
            "グエン・ヴァン・ナムさんから相談",
            &["グエン・ヴァン・ナム"],
        ),
        case("私は佐々木と申します。", &["佐々木"]),
        case("鈴木様、いつもお世話になっております。", &["鈴木"]),
        case("総務課の田中課長に確認する", &["田中"]),
        case("課長に確認する", &[]),
        case("市町村長の責務", &[]),
        case("連絡者:マイケル・ジョンソン", &["マイケル・ジョンソン"]),
        case(
            "申請者:山田 太郎(ヤマダ タロウ)",
            &["山田 太郎", "ヤマダ タロウ"],
        ),
        case("フリガナ:ヤマダ タロウ", &["ヤマダ タロウ"]),
        case("担当の佐藤です。", &["佐藤"]),
        case("緊急連絡先:山田花子(妻)", &["山田花子"]),
        case("山田太郎(70歳)の介護認定", &["山田太郎"]),
    ]);
}

#[test]
fn regressions() {
    check(&[
        // A suffix-tagged kanji inside a given name (域|子) is part of it.
        case("所有者の三宅 域子氏へ送る", &["三宅 域子"]),
        // The dictionary glues 人 and 様 (竜|人様).
        case("について、小沢竜人様へ不足書類", &["小沢竜人"]),
        // A kana given name tagged as a verb (たいし).
        case("、加藤たいしさんの3名", &["加藤たいし"]),
        // A role word glued before the surname.
        case("利用者山下 しゅんいちさんのサービス", &["山下 しゅんいち"]),
        // A relation word, then a given name the dictionary cuts into suffixes.
        case("(長男 委子様)", &["委子"]),
        // 夫 ending a given name is no label (日本の was reported).
        case("小峰隆夫は日本の地方都市", &["小峰隆夫"]),
        // A label followed by a common noun and a particle (タレントの was reported).
        case("妻はタレントの大石恵。", &["大石恵"]),
        // A label and a one-kanji word in running text.
        case("利用者に明示すること", &[]),
        // 仕様 after a kanji compound is a word, 一様 after a given-name kanji is not.
        case("セキュリティ設計仕様を定める", &[]),
        case("調達仕様書", &[]),
        case("について、市川公一様(長岡市)", &["市川公一"]),
        case("について、谷 淳多様の状況", &["谷 淳多"]),
        // A kanji "prefix" ending a given name (伊佐|未, 岳|快).
        case("について、江村 伊佐未様(東京都)", &["江村 伊佐未"]),
        case("について、中野 岳快様へ不足書類", &["中野 岳快"]),
        // さんか in さんから is no word.
        case("ジョンさんから連絡", &["ジョン"]),
        // Kanji read as adjective stems or the iteration mark inside a name.
        case("対象者:宮沢 鋭浩様、家族連絡", &["宮沢 鋭浩"]),
        case("藤田嘉斗さん、滝珠々香さん", &["藤田嘉斗", "滝珠々香"]),
        case("減免申請の件で、原田 佳治様(十日町市)", &["原田 佳治"]),
        // A relation word inside parentheses after digits is no contact name.
        case("6251(長男 結以様)、メール", &["結以"]),
        // Place-suffix kanji inside given names after a label.
        case("世帯主:大谷和湖、電話番号", &["大谷和湖"]),
        case("保護者 伊藤 央行(0266)", &["伊藤 央行"]),
        // An honorific glued to the name after a label (愛|奈様).
        case("対象者:竹本愛奈様、家族連絡", &["竹本愛奈"]),
        // The honorific after a label is no kana given name.
        case("児童は真央ちゃん(5歳)", &["真央"]),
        // A kana given name before です, not a bare surname.
        case("に住んでいる山田もとひろです。", &["山田もとひろ"]),
        // と of と申します is no part of the name.
        case("「鳥越しゅうと申します。」", &["鳥越しゅう"]),
        // One-kanji surnames written apart from the given name, without other evidence.
        case(
            "表形式にしてください。岸 しげたか、090-8666-1234",
            &["岸 しげたか"],
        ),
        case("堀 芙佳、070-7531-1234", &["堀 芙佳"]),
        // A role word glued in front of a one-kanji surname.
        case("利用者泉隼さんのサービス", &["泉隼"]),
        // A city and a town name are no surname and given name.
        case("新潟県村上市松喜和7-38-2", &[]),
        // A chain of katakana ending in a one-byte separator.
        case("ジョン・スミス=", &["ジョン・スミス"]),
        case("ジョン・スミス=は", &["ジョン・スミス"]),
        // ら after a full name (people listed), a title suffix after a tagged given name.
        case("会長の横倉義武らと意見交換", &["横倉義武"]),
        case("処長の下にあって山崎桂一技佐と共に", &["山崎桂一"]),
        // A katakana word broken across lines.
        case("アプリケー\nション・コンテンツを提供する", &[]),
        // 源氏 is one word, not 源 + 氏 (加藤, a listed surname before の, is a name).
        case("加藤の「源氏九郎颯爽記」", &["加藤"]),
    ]);
}

/// Deterministic pseudo-random texts from the characters the detector reacts to:
/// no panic, every range on character boundaries and non-empty.
#[test]
fn mixed_texts_never_panic() {
    const ALPHABET: &[&str] = &[
        "山田",
        "太郎",
        "様",
        "さん",
        "氏",
        "ちゃん",
        "氏名",
        ":",
        " ",
        "\u{3000}",
        "(",
        ")",
        "・",
        "=",
        "ジョン",
        "ー",
        "の",
        "は",
        "と申します",
        "1",
        "、",
        "\n",
        "林",
        "花子",
        "たろう",
        "保護者",
        "課長",
        "a",
        "々",
        "区",
        "仕様",
    ];
    let tok = Tokenizer::new(&[]).unwrap();
    let det = NameDetector::new();
    let mut seed: u64 = 0x5EC1_0A0B;
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..12 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(ALPHABET[(seed >> 33) as usize % ALPHABET.len()]);
        }
        let doc = Document::new(&text, &tok);
        let mut out = Vec::new();
        det.detect(&doc, &mut out);
        for f in &out {
            assert!(f.range.start < f.range.end, "{text:?}");
            assert!(doc.text().get(f.range.clone()).is_some(), "{text:?}");
        }
    }
}

/// Long repetitive texts stay linear: a katakana chain is scanned once, repeated
/// windows are tokenized once (this ran for minutes before either fix).
#[test]
fn repetitive_texts_stay_fast() {
    let tok = Tokenizer::new(&[]).unwrap();
    let det = NameDetector::new();
    for text in [
        "ジョン・".repeat(20_000),
        "様".repeat(20_000),
        "田中太郎さん、".repeat(3_000),
        // enumerations, lead sentences, standalone katakana, long kanji runs
        "前田青邨、中村岳陵、".repeat(3_000),
        "シラクは、日本の俳優。".repeat(3_000),
        "ロナウドと".repeat(5_000),
        "分隊長牧秀雄".repeat(2_000),
    ] {
        let doc = Document::new(&text, &tok);
        let mut out = Vec::new();
        det.detect(&doc, &mut out);
        assert!(out.len() <= text.len());
    }
}

/// Prints tokens of `NAME_DUMP` (development aid).
#[test]
#[ignore]
fn dump_tokens() {
    let tok = Tokenizer::new(&[]).unwrap();
    let text = std::env::var("NAME_DUMP").unwrap_or_default();
    let doc = Document::new(&text, &tok);
    for (s, d) in tok.tokenize_with_details(doc.text()) {
        eprintln!("{s}\t{}", d.join(","));
    }
    eprintln!("{:?}", names(&text));
}

/// Names from the context of encyclopedic prose: lead sentences, standalone katakana
/// names acting in the sentence or followed by a title or life years.
#[test]
fn encyclopedic_context() {
    check(&[
        case("後藤夜半は、大阪府出身の俳人。", &["後藤夜半"]),
        case("千花有黄は、日本の女性演歌歌手。", &["千花有黄"]),
        case(
            "ペスタロッチは主に初等教育分野に貢献した。",
            &["ペスタロッチ"],
        ),
        case("4月9日、アーノルド監督が退任。", &["アーノルド"]),
        case("アイゼンハワー米大統領の訪問", &["アイゼンハワー"]),
        case("ロシア人セミヨンが到達した。", &["セミヨン"]),
        case(
            "事件を担当する刑事ジョン・ブックは母子を警察署へ連れた。",
            &["ジョン・ブック"],
        ),
        case("国王ルイ・フィリップは退位した。", &["ルイ・フィリップ"]),
        case("財団法人ライフ・エクステンション研究所附属病院", &[]),
        case(
            "社主のヘルマン・ラムプレヒトと商人たち",
            &["ヘルマン・ラムプレヒト"],
        ),
        case("商館長のコイエットから書状が届いた", &["コイエット"]),
        case("管理者のパスワードを変更する", &[]),
        case("筆頭株主のアクア・ホールディングスが合意した。", &[]),
        case("事業者ジャパン・データが受託した。", &[]),
        // hard negatives
        case(
            "レッドフォックス株式会社は、東京都千代田区に本社を置く企業である。",
            &[],
        ),
        case("日本との関係では、1988年から交流がある。", &[]),
        case("ウェブアプリケーションやウェブサーバが備える機能", &[]),
        case("マネージドサービスが国内で提供される。", &[]),
        case("媒体のラベル、文書の隅等に表示する。", &[]),
        case("リストに登録する。", &[]),
        case("スケーリング、スケジューリングを行う。", &[]),
        case("「クラウドサ\n  ービス」が保有する", &[]),
        case("東京タワーは高い。", &[]),
        case(
            "あるいはドストエフスキーの小説を読んだ。",
            &["ドストエフスキー"],
        ),
        case("ワイデックスの製品を使う。", &[]),
        case(
            "1930年、ツヴォルキンは研究所に雇われた。",
            &["ツヴォルキン"],
        ),
        case("ロナウドと妻は帰国した。", &["ロナウド"]),
        // a company, a product: the sentence speaks of things, not of a person
        case("補聴器メーカー、ワイデックスが工場を設立した。", &[]),
        case("ホーナー社のメロディカと新製品を発売した。", &[]),
        case("ペンビナの住民とともに川を渡った。", &[]),
        // katakana chains: teams and companies in sentences about things
        case("グレイハウンド・カナダはアルバータ州の企業である。", &[]),
        case(
            "当日はポートランド・トレイルブレイザーズが大会で勝利した。",
            &[],
        ),
        case(
            "リーナス・トーバルズが登録し、社内で開発した。",
            &["リーナス・トーバルズ"],
        ),
        case("ジョン・スミスは社長に就任した。", &["ジョン・スミス"]),
        case(
            "大粛清によってサルバドール・ダリの友人が逮捕された。",
            &["サルバドール・ダリ"],
        ),
        case("2016年8月31日、レアル・サラゴサに1年契約で移籍した。", &[]),
    ]);
}

/// Kanji names the dictionary knows from start to end, standing as words of their own.
#[test]
fn dictionary_known_kanji_names() {
    check(&[
        case("高く評価されている増本淳らのプロデュース", &["増本淳"]),
        case("記者会見において、籾井が記者の質問に答えた。", &["籾井"]),
        case("谷沢健一、荒川尭らを擁する", &["谷沢健一", "荒川尭"]),
        // a listed surname and given name, a title glued after
        case(
            "松田正久・林有造と尾崎行雄",
            &["松田正久", "林有造", "尾崎行雄"],
        ),
        case("5月29日、竹下登蔵相と会談した。", &["竹下登"]),
        case("吉田茂首相の圧力により", &["吉田茂"]),
        case(
            "艦攻先任分隊長牧秀雄は、この予令について知らなかった。",
            &["牧秀雄"],
        ),
        case("情報政策課長補佐は欠席した。", &[]),
        case("東京都知事と会談した。", &[]),
        case("日本政府代表が出席した。", &[]),
        case("情報政策課長は欠席した。", &[]),
        // a lone listed surname before の, に, を, not where it names a place
        case("コントでの遠藤の演技を評価した。", &["遠藤"]),
        case("遠藤の北に広がる平野", &[]),
        case("その後、嘉吉の乱が起きた。", &[]),
        case("小川の流れ", &[]),
        // a Chinese or Korean name: one-kanji surname, no common word
        case("前董事長だった徐平が任命された。", &["徐平"]),
        case("社主となった胡一虎はその異母弟", &["胡一虎"]),
        case("金額は確定した。", &[]),
        case("王様は喜んだ。", &[]),
        // a lone given name the dictionary knows
        case("しかし、慶喜は採り上げなかった。", &["慶喜"]),
        case("恭順姿勢の慶喜の意向に従い", &["慶喜"]),
        case("希望は叶わなかった。", &[]),
        // after a word for a person or a relative
        case("これに対し作者の伏見は、同様に答えた。", &["伏見"]),
        case("東亜日報社長の金載昊と会談した。", &["金載昊"]),
        case("真由実の父・浩三郎は町長に会った。", &["真由実", "浩三郎"]),
        case("監督の意向は尊重された。", &[]),
        case("利用者の皆は満足した。", &[]),
        case("管理者の権限が必要である。", &[]),
    ]);
}

/// Items enumerated with a name are names when shaped like one.
#[test]
fn enumerated_names() {
    check(&[
        case(
            "俳優の前田青邨、中村岳陵、吉村忠夫らが参加した。",
            &["前田青邨", "中村岳陵", "吉村忠夫"],
        ),
        // hard negatives: the other items are common nouns, places or loanwords
        case(
            "俳優の山田太郎、事務局、東京都庁が参加した。",
            &["山田太郎"],
        ),
        case("山田太郎さんとサーバ管理の担当が対応した。", &["山田太郎"]),
        case(
            "山田太郎さん、セキュリティポリシー、ネットワークを確認した。",
            &["山田太郎"],
        ),
        // kanji names listed with ・, and an item running to the end of the text
        case("息子の辰次・猪次郎が改良を行い", &["辰次", "猪次郎"]),
        case("山田太郎さん・情報政策課が対応", &["山田太郎"]),
        case("俳優の前田青邨、中村岳陵", &["前田青邨", "中村岳陵"]),
        // hard negatives: one-kanji "surnames", common words the dictionary lists
        // as surnames, a line continuing a word broken across pages
        case("大文字、小文字、数字を含める。", &[]),
        case("利用できる環境(高品質、高信頼性)", &[]),
        case("関等に係るガイドライン", &[]),
        case("アク\n- 135 -\nセスがないことを監視する。", &[]),
    ]);
}

/// Regressions found after the merge: a listed kana given name さん glued the honorific
/// into the name (佐藤さん, 鈴木さんと), and a label swallowed the section before the
/// person (担当：保健福祉課 高橋).
#[test]
fn honorifics_and_sections_stay_outside_names() {
    for (text, want) in [
        ("佐藤さん", vec!["佐藤"]),
        ("鈴木さんと話す", vec!["鈴木"]),
        ("担当は市民センターの佐藤さん", vec!["佐藤"]),
        ("担当：保健福祉課 高橋", vec!["高橋"]),
        ("担当：総務部 鈴木", vec!["鈴木"]),
    ] {
        assert_eq!(names(text), want, "{text}");
    }
}

#[test]
fn bare_kanji_names() {
    check(&[
        // A surname and given-name tags, no cue around them.
        case("頭山満は玄洋社を率いた。", &["頭山満"]),
        case("工作員である鹿地亘と会った。", &["鹿地亘"]),
        case("第1位が大楠雄蔵、第2位は不明。", &["大楠雄蔵"]),
        // A title glued after the name.
        case("若干の損傷を受け、勝見基中佐が戦死した。", &["勝見基"]),
        // A person the dictionary knows as a whole; a Chinese or Korean name.
        case("挙兵した大海人皇子は、美濃国に入った。", &["大海人皇子"]),
        case("大統領選挙では、盧武鉉の支援に回った。", &["盧武鉉"]),
        // Kinship words.
        case("三女悦子は大学に通っている。", &["悦子"]),
        case("社長には、長女の恵美子の婿が就いた。", &["恵美子"]),
        // The surname of a full name repeated bare in the same text.
        case(
            "監督として著名な富野由悠季による新作。デザイン画が富野の目にとまった。",
            &["富野由悠季", "富野"],
        ),
        // Enumerations with `・` around a name found.
        case(
            "2階には毛沢東・周恩来・劉少奇・朱徳・陳雲・鄧小平の6人の部屋がある。",
            &["毛沢東", "周恩来", "劉少奇", "朱徳", "陳雲", "鄧小平"],
        ),
        case(
            "中塚一宏・階猛・黄川田徹らが挙げられる。",
            &["中塚一宏", "階猛", "黄川田徹"],
        ),
    ]);
}

#[test]
fn bare_kanji_hard_negatives() {
    check(&[
        // Compounds the dictionary splits like a surname and a given name.
        case("高品質なサービスを提供する。", &[]),
        case("基本的な対策等を定める。", &[]),
        case("情報機器の目的等を記載する。", &[]),
        // Roads, mountains, groups and domains.
        case("この区間を通行する場合、阪和道の料金は不要である。", &[]),
        case("根子岳、杵島岳などの阿蘇五岳。", &[]),
        case("江戸時代は岡崎藩領、天領及び寺領であった。", &[]),
        // Places and bare common surnames.
        case("中村区役所と田中町の間にある。", &[]),
        case("林と森の中を歩く。", &[]),
        case("小川と青山の周辺を調べる。", &[]),
        // A kinship word inside a compound (王女, 少女) is no cue.
        case("少女の恵美子の話。", &[]),
    ]);
}

#[test]
fn bare_kanji_names_glued_and_mixed() {
    check(&[
        // A title or a credit glued to a full name.
        case("宮内庁長官羽毛田信吾は会見した。", &["羽毛田信吾"]),
        case(
            "久松静児監督、森繁久弥主演による映画。",
            &["久松静児", "森繁久弥"],
        ),
        // A surname glued to a family word or a title.
        case("江戸時代には徳川家によって庇護された。", &["徳川"]),
        case("小田船長と末永船長が交互に乗船した。", &["小田", "末永"]),
        // A surname and a katakana given name.
        case(
            "アーティストの土屋アンナとバンドが共演した。",
            &["土屋アンナ"],
        ),
        case("脚本家の中園ミホと意見が対立した。", &["中園ミホ"]),
        // A surname before a business or a team in katakana is no name.
        case("開業して間もない宮田ジムの門を叩く。", &[]),
        case("1年後に金星スターズを買収した。", &[]),
        // Common words before a title or a family word stay unflagged.
        case("国家公務員の専門家が参加した。", &[]),
        case("地方公共団体の情報セキュリティ対策基準", &[]),
    ]);
}

#[test]
fn spaced_names_in_forms() {
    check(&[
        // A listed surname and a katakana given name the kana lists know.
        case("参加者:・中川 トミ子(85歳)", &["中川 トミ子"]),
        case("世帯:山下 フミ(1人)", &["山下 フミ"]),
        // A word for a person glued before the surname.
        case("申請者矢野 健一、住所は不明。", &["矢野 健一"]),
        // A surname before an extension number.
        case("問い合わせ先:情報政策課 吉岡(内線2345)", &["吉岡"]),
        // A surname glued to 委員.
        case("大塚委員:賛成します。", &["大塚"]),
        // Regression: 氏 glued to a given name written apart stays outside the name.
        case("講師は森本 隆氏です。", &["森本 隆"]),
        // A katakana word after a surname and a space is no given name by itself.
        case("田中 データ(1件)", &[]),
    ]);
}

/// Foreign names in katakana: chains with a listed given name or surname, names standing
/// alone with a title, a role, a noun of a person or a clause about a person.
#[test]
fn foreign_names() {
    check(&[
        // chains: a listed given name first, after の, a nationality or before a title
        case(
            "首位のジョン・ケネディは支持を集めた。",
            &["ジョン・ケネディ"],
        ),
        case(
            "ドイツ人カール・シュミットが設計した。",
            &["カール・シュミット"],
        ),
        case(
            "フランス人ピエール・デュランが来日した。",
            &["ピエール・デュラン"],
        ),
        case(
            "ジョセフ・スターリン書記長の時代",
            &["ジョセフ・スターリン"],
        ),
        case("アンナ・シュミット氏が来庁した。", &["アンナ・シュミット"]),
        case(
            "大統領のバラク・オバマは声明を出した。",
            &["バラク・オバマ"],
        ),
        // standalone: a foreign title, a noun of a person, a clause about a person
        case(
            "ユスティニアヌス帝の治世に建てられた。",
            &["ユスティニアヌス"],
        ),
        case("ネロ帝の時代", &["ネロ"]),
        case("アブドゥッラー皇太子と会談した。", &["アブドゥッラー"]),
        case("ゴルバチョフ書記長と会談した。", &["ゴルバチョフ"]),
        case("ヒトラーの命令により部隊が動いた。", &["ヒトラー"]),
        case("トスカニーニの指揮で初演された。", &["トスカニーニ"]),
        case("モーツァルトは激怒して手紙を書いた。", &["モーツァルト"]),
        case("メアリーは市役所に相談した。", &["メアリー"]),
        case("妻のマリアは窓口で手続した。", &["マリア"]),
    ]);
}

/// Katakana that names no person: organisations, teams, venues, prizes, products and
/// the loanwords of municipal work.
#[test]
fn foreign_hard_negatives() {
    check(&[
        case("ハンナ・バーベラ・プロダクションが制作した。", &[]),
        case("ヤス・マリーナ・サーキットで開催された。", &[]),
        case("タッチストーン・ピクチャーズが配給した。", &[]),
        case("サン・マイクロシステムズが開発した。", &[]),
        case("コロラド・ロッキーズに移籍した。", &[]),
        case("ニューヨーク・ヤンキースと契約した。", &[]),
        case("ジョン・スミス記念賞を受賞した。", &[]),
        case("ローズ・ガーデンで式典が行われた。", &[]),
        case("メルセデス・ベンツを購入した。", &[]),
        case("東京ディズニーランドは混雑していた。", &[]),
        case("マイクロソフトは新製品を発売した。", &[]),
        case("ワシントン州の職員が来庁した。", &[]),
        case("住民票の写しをマイナンバーカードで申請した。", &[]),
        case("データセンターのサービスを更新した。", &[]),
        case("システムは停止した。", &[]),
        case("サーバに障害が発生した。", &[]),
        case("ベンダーは契約を拒否した。", &[]),
        case("クラウドサービスの利用者に通知した。", &[]),
        case("出席者リストを共有する。", &[]),
        case("担当のキーパーソンに連絡した。", &[]),
        // Public-service roles written in katakana are no names (regressions).
        case("ソーシャルワーカーに相談した。", &[]),
        case("ワーカーが来た。", &[]),
        case("コンシェルジュは窓口で案内を担当します。", &[]),
        case("カウンセラーが面談を担当した。", &[]),
    ]);
}

#[test]
fn foreign_chain_rules() {
    let lists = foreign::ForeignNames::shared();
    let never_noun = |_: &str| false;
    let always_noun = |_: &str| true;
    // A listed given name before an unknown last part.
    assert!(lists.chain_is_name(&["ジョン", "ケネディ"], false, never_noun));
    // A last part naming a thing, or particles only before the last part.
    assert!(!lists.chain_is_name(&["ハンナ", "バーベラ", "プロダクション"], false, never_noun));
    assert!(!lists.chain_is_name(&["ル", "マン"], false, never_noun));
    // A common noun ends no name without a title or role around (ジョン・ジャガー);
    // one naming a thing ends none at all (ローズ・ガーデン).
    assert!(!lists.chain_is_name(&["ジョン", "ジャガー"], false, always_noun));
    assert!(lists.chain_is_name(&["ジョン", "ジャガー"], true, always_noun));
    assert!(!lists.chain_is_name(&["ローズ", "ガーデン"], true, always_noun));
    assert!(foreign::foreign_title_follows("帝の治世"));
    assert!(!foreign::foreign_title_follows("帝国"));
    assert!(!foreign::foreign_title_follows("司教区"));
    assert!(foreign::person_predicate("は激怒した"));
    assert!(!foreign::person_predicate("は新製品を発売した"));
    assert!(!foreign::person_predicate("に就任した"));
}

/// Foreign names with Latin initials or regnal numbers (`initials.rs`), and what looks
/// like them but names a brand, an acronym or a place.
#[test]
fn names_with_initials_and_regnal_numbers() {
    check(&[
        case(
            "ジョン・F・ケネディ大統領と会談した。",
            &["ジョン・F・ケネディ"],
        ),
        case(
            "共和党のジョージ・H・W・ブッシュを支持した。",
            &["ジョージ・H・W・ブッシュ"],
        ),
        case(
            "F・R・チェスニーは、そこで生まれた。",
            &["F・R・チェスニー"],
        ),
        case("研究者のM.メドレーは、次のように述べた。", &["M.メドレー"]),
        case("ルイ15世の時代になると、宮廷は華やいだ。", &["ルイ15世"]),
        case(
            "フリードリヒ・ヴィルヘルム4世が即位した。",
            &["フリードリヒ・ヴィルヘルム4世"],
        ),
        // An initial first, glued to a kanji word: a club, not a person.
        case("同年はV・ファーレン長崎から加入した。", &[]),
        // A thing after the name, an acronym, a century.
        case("ジョン・C・ステニス宇宙センターで試験した。", &[]),
        case("「V.S.O.P.クインテット」を結成した。", &[]),
        case("研究者のJ.L.ボニエが登壇した。", &["J.L.ボニエ"]),
        case("ルネサンス15世紀の建築が残る。", &[]),
    ]);
}

/// Teams named after a place (`テネシー・タイタンズ`), bands (`ザ・…`), and full names
/// the lists know glued to a kanji word.
#[test]
fn foreign_teams_and_listed_full_names() {
    check(&[
        case(
            "テネシー・タイタンズ、バッファロー・ビルズでプレーした。",
            &[],
        ),
        case("シンシナティ・ベンガルズはスタジアムを共用した。", &[]),
        case("ザ・ビーチ・ボーイズのメンバーと共演した。", &[]),
        case("契約がロッキード・マーティンに与えられた。", &[]),
        case("レアル・マドリードと試合した。", &[]),
        case(
            "一族ではない人間アーネスト・ソンダースが会長に就任した。",
            &["アーネスト・ソンダース"],
        ),
    ]);
    let lists = foreign::ForeignNames::shared();
    assert!(lists.is_organisation(&["テネシー", "タイタンズ"]));
    assert!(lists.is_organisation(&["カンザスシティ", "チーフス"]));
    assert!(lists.is_organisation(&["ロールス", "ロイス"]));
    assert!(!lists.is_organisation(&["バーニー", "サンダース"]));
    assert!(lists.names_no_person("ユヴェントス"));
    assert!(!lists.names_no_person("ヒトラー"));
    assert!(foreign::listed_subject_clause(
        "はロンドンに向かう道路上で橋を架けた"
    ));
    assert!(!foreign::listed_subject_clause(
        "が出資して新会社を設立した"
    ));
}

/// Words said only of persons after a lone katakana word (`自身`, `の助け`, `船長`); a
/// common katakana noun stays no name before them.
#[test]
fn foreign_words_said_of_persons() {
    check(&[
        case(
            "そうした中でドヴォルザーク自身の指揮で初演された。",
            &["ドヴォルザーク"],
        ),
        case("ゲールの助けを得て、電信線を延ばした。", &["ゲール"]),
        case(
            "ダーウィンとフィッツロイ船長によると、島は無人だった。",
            &["ダーウィン", "フィッツロイ"],
        ),
        case("システム自身の設定を見直す。", &[]),
        case("サービスの助けを借りて手続を終えた。", &[]),
    ]);
}

#[test]
fn kanji_names_from_the_jmnedict_list() {
    check(&[
        // Listed persons standing as words, before an office or after a person word.
        case(
            "会議には伊藤博文、大隈重信が出席した。",
            &["伊藤博文", "大隈重信"],
        ),
        case("この作品は夏目漱石の小説を原作とする。", &["夏目漱石"]),
        case("その後、東條英機内閣が成立した。", &["東條英機"]),
        // A listed surname the dictionary does not know and a listed given name.
        case("編集者の禰津信之介は、その原稿を読んだ。", &["禰津信之介"]),
        case(
            "当日は粂井綾乃、鳩貝信之介らが登壇した。",
            &["粂井綾乃", "鳩貝信之介"],
        ),
        case("禰津信之介組が優勝した。", &["禰津信之介"]),
        // A surname known only as a place takes a given name of two kanji or more.
        case("作曲は五艘綾乃が担当した。", &["五艘綾乃"]),
        // The given name repeated alone later in the text.
        case(
            "禰津信之介の後任には粂井綾乃が就いた。信之介は退任した。",
            &["禰津信之介", "粂井綾乃", "信之介"],
        ),
        // A listed surname before a title or a word for the person.
        case("当時の粂井知事は反対した。", &["粂井"]),
        case("会議には社長本人が出席した。", &[]),
        // Words and places that split like names, and places with given names.
        case("近江国に入った。", &[]),
        case("大阪文化の発信拠点となった。", &[]),
        case("東洋一の規模を誇る。", &[]),
        case("佐沼城で戦死した。", &[]),
        case("関係上、領収書を出した。", &[]),
        case("甲府信之介を訪ねた。", &[]),
        // Glued to katakana or followed by a verb: not a word of its own.
        case("禰津信之介スタジオを訪ねた。", &[]),
    ]);
}

/// Standalone katakana surnames found by the weighted context score
/// (`katakana_score.rs`), and the loanwords, companies and places it must leave alone.
/// The names are invented.
#[test]
fn scored_katakana_names() {
    check(&[
        case("1920年、ヴァルデマンは大学を卒業した。", &["ヴァルデマン"]),
        case(
            "ジョン・ベルガンは画家である。ベルガン家の紋章が残っている。",
            &["ジョン・ベルガン", "ベルガン"],
        ),
        case("式典ではクラウザー学長が挨拶した。", &["クラウザー"]),
        case("ハルステンによって投獄された。", &["ハルステン"]),
        // Hard negatives: municipal loanwords and services, companies, places,
        // doctrines, words broken across lines, titles of works.
        case("マイナンバーカードは窓口で受け取れます。", &[]),
        case("ガバメントクラウドへの移行計画を説明します。", &[]),
        case("チャットボットの導入を検討します。", &[]),
        case("ステープラーの在庫を確認した。", &[]),
        case("プラントの建設は来年度に始まる。", &[]),
        case("パリは観光客で賑わった。", &[]),
        case("トヨタは新型車を発表した。", &[]),
        case("マルクス主義者は反対した。", &[]),
        case("情報セキュリティイ\nンシデントが発生した。", &[]),
        case("「NARUTO-ナルト-外伝」を読んだ。", &[]),
        case("キャラクターデザインは外部に委託した。", &[]),
    ]);
}

#[test]
fn lone_surnames_with_person_context() {
    // Made-up texts: a surname acting alone, read as one surname by the dictionary or
    // with something of a person around it; common words, places and events are not.
    check(&[
        case("その試合では立浪に加えて打線が奮起した。", &["立浪"]),
        case("監督は田中の演技を評価した。", &["田中"]),
        case("副委員長の仁村の曽孫にあたる。", &["仁村"]),
        case("代理人の福井が署名した。", &["福井"]),
        case("副委員長だった野溝らは反対した。", &["野溝"]),
        case("野溝に着いた。", &[]),
        // A surname that is also an everyday word or a place needs that context.
        case("田中に行ってきた。", &[]),
        case("中村は雨だった。", &[]),
        // Places, events, works and common nouns.
        case("大坂の陣で戦った。", &[]),
        case("本作の物語は長い。", &[]),
        case("仲間は危険に晒される。", &[]),
        case("千葉に住む。", &[]),
        case("薬師寺の回廊が倒壊した。", &[]),
        // A middle dot joins two surnames, not two places or a surname and a group.
        case("鳥羽・伏見の戦いが始まった。", &[]),
        case("織田・徳川連合軍が攻めた。", &[]),
        // Glued to other kanji or katakana: no word of its own.
        case("立浪町に着いた。", &[]),
        case("立浪ホールで開かれた。", &[]),
    ]);
}

#[test]
fn surnames_in_enumerations() {
    check(&[
        case(
            "会議には立浪に加えて西沢・高木が出た。",
            &["立浪", "西沢", "高木"],
        ),
        case(
            "主宰は細川綱利、萱野・貝澤が続いた。",
            &["細川綱利", "萱野", "貝澤"],
        ),
        // Items next to a name that are no names.
        case("細川綱利、東京・大阪を回った。", &["細川綱利"]),
    ]);
}

#[test]
fn listed_pairs_with_glued_words() {
    check(&[
        case("山田義三郎等の有志が集まった。", &["山田義三郎"]),
        case("細川綱利時代には庭園が造られた。", &["細川綱利"]),
        case("航海参謀雀部利三郎中佐が報告した。", &["雀部利三郎"]),
        // Compounds of common words that only look like a surname and a given name.
        case("山田義務教育学校の話。", &[]),
        case("情報通信技術等の活用。", &[]),
        case("高橋学校等の施設。", &[]),
    ]);
}

#[test]
fn chinese_and_korean_names_before_an_office() {
    check(&[
        case("会議では李万建参議が演説した。", &["李万建"]),
        // A word of the dictionary after the surname kanji: no name.
        case("金曜日外相会談が開かれた。", &[]),
    ]);
}

#[test]
fn two_kanji_chinese_names_before_any_particle() {
    check(&[
        case("皇帝は孫堅に命じて城を守らせた。", &["孫堅"]),
        case("その後、周瑜の進言により兵を退いた。", &["周瑜"]),
        // One word of the dictionary: no name.
        case("金曜に会議を開く。", &[]),
        case("王国の歴史を学ぶ。", &[]),
        case("周辺の道路を整備する。", &[]),
    ]);
}

#[test]
fn given_names_acting_alone() {
    check(&[
        case("自分が千鶴の入婿になるのだと話していた。", &["千鶴"]),
        case("村では彼を「権兵衛」と呼んだ。", &["権兵衛"]),
        // A place or an event after the word, or a court office.
        case("嘉吉の乱に従い戦った。", &[]),
        case("のちに出羽守に遷任された。", &[]),
    ]);
}

#[test]
fn tagged_surnames_before_postpositions_and_factions() {
    check(&[
        case("などと榎木から直々に質問を受けた。", &["榎木"]),
        case("小渕派が主導した改革である。", &["小渕"]),
        // Common words and places stay words.
        case("小川から水を引く。", &[]),
        case("青山から歩いて五分。", &[]),
        case("中村区から転入した。", &[]),
        case("主流派が反対した。", &[]),
    ]);
}

#[test]
fn enumerated_names_with_given_names_the_dictionary_does_not_know() {
    check(&[
        case(
            "会には田中一郎と真壁刀矢が出た。",
            &["田中一郎", "真壁刀矢"],
        ),
        // Items that end like a place, an office or an origin are no names.
        case("会には田中一郎と北海道出身の者が出た。", &["田中一郎"]),
    ]);
}

#[test]
fn shrine_buildings_in_den_are_no_honorifics() {
    check(&[
        case("現在の本殿と拝殿は昭和に再建された。", &[]),
        case("宮殿の庭を歩く。", &[]),
        case("田中殿に申し上げます。", &["田中"]),
    ]);
}

#[test]
fn chinese_names_before_long_offices_credits_and_kin() {
    check(&[
        case(
            "会議には李正浩党中央委員会第一副部長らが出席した。",
            &["李正浩"],
        ),
        case("作詞不詳、作曲村井明、編曲不詳。", &["村井明"]),
        case(
            "山本の父・龍二郎によって会社が興された。",
            &["山本", "龍二郎"],
        ),
        // A country, a dynasty, a common noun after a role: no names.
        case("趙国の兵が攻めた。", &[]),
        case("李朝の時代。", &[]),
        case("国王の政治を批判した。", &[]),
    ]);
}

#[test]
fn quoted_surnames_and_enumerations_with_a_plural() {
    check(&[
        // A surname alone in quotes is a shop or a brand.
        case("老舗の「榎木」が閉店した。", &[]),
        // `等` after the last item is no part of the name.
        case("田中一郎や真壁刀矢等と会った。", &["田中一郎", "真壁刀矢"]),
    ]);
}

#[test]
fn listed_surnames_as_the_subject_of_a_clause() {
    check(&[
        case("そのころ、津軽は部下と共に城を出た。", &["津軽"]),
        // Common words and nouns as subjects stay words.
        case("そのころ、小川は水かさを増した。", &[]),
        case("そのころ、政府は方針を変えた。", &[]),
    ]);
}

/// Katakana chains of words no list holds, Latin-letter full names and kana given names
/// after a word for a person, with the things that share their shapes.
#[test]
fn unlisted_chains_latin_and_kana_names() {
    check(&[
        // A chain of unknown words in a sentence about no company, team or work.
        case(
            "当時はオルヴェド・カンザリの招待で演奏していた。",
            &["オルヴェド・カンザリ"],
        ),
        // A title after a prefix, or what a person does, right after the chain.
        case(
            "ゼノビオ・カルタレス元首相を中心として結成された。",
            &["ゼノビオ・カルタレス"],
        ),
        case(
            "オルメド・ファルカシ海軍中佐に由来する。",
            &["オルメド・ファルカシ"],
        ),
        case(
            "ラドゥム・ヴェスカリ指揮の楽団が演奏した。",
            &["ラドゥム・ヴェスカリ"],
        ),
        // Plural team endings, occupations and loanword parts are no names.
        case("翌年にはボルカン・スパーズへ移籍した。", &[]),
        case("マネージング・ディレクターに就任した。", &[]),
        // Latin-letter full names with a cue for a person.
        case(
            "ソリストのMartin Kellerの演奏が評判となった。",
            &["Martin Keller"],
        ),
        case("Anna B. Lindqvist氏が講演した。", &["Anna B. Lindqvist"]),
        case("1931年、Greta Holmbergと結婚。", &["Greta Holmberg"]),
        // Products, places and phrases share the shape but have no cue.
        case("Microsoft Teamsで会議を行う。", &[]),
        case("New Yorkの支社へ出張した。", &[]),
        case("Open WebUIを導入した。", &[]),
        case("Google Formsで回答を集めた。", &[]),
        // A kana given name after a word for a person; common words the list also holds.
        case(
            "これはアナウンサーのかおりも知らされていなかった。",
            &["かおり"],
        ),
        case("母のもとで育った。", &[]),
        case("妹のように思っていた。", &[]),
    ]);
}

/// Loanwords, plural team names and compounds that act in a sentence like persons.
#[test]
fn loanwords_acting_like_persons() {
    check(&[
        case("チャットボットが住民の質問に答えた。", &[]),
        case("ステープラーは総務課にあります。", &[]),
        case("ステープラーは、総務課の棚にあります。", &[]),
        case("ロックバーズが3-1で勝利した。", &[]),
        case("ブレイカーズは開幕から連敗が続いた。", &[]),
        case("パーティールームは三階にある。", &[]),
        // A listed surname with a loanword's ending is still a name.
        case("タルボットは引退した。", &["タルボット"]),
        // A plural-looking name with a title stays a name.
        case("ロックバーズ提督が指揮した。", &["ロックバーズ"]),
    ]);
}

/// A katakana full name listed next to a found name is a name even when the dictionary
/// knows its parts as words; a team, a place or an occupation listed the same way is not.
#[test]
fn enumerated_chains_with_dictionary_words() {
    check(&[
        case(
            "メンバーはロイド・ハミルトン、ジェット・ブラック、ケン・ガードナーの三人だった。",
            &[
                "ロイド・ハミルトン",
                "ジェット・ブラック",
                "ケン・ガードナー",
            ],
        ),
        case(
            "ゲストにはロイド・ハミルトン、ジャズ・ギタリストのケン・ガードナーが招かれた。",
            &["ロイド・ハミルトン", "ケン・ガードナー"],
        ),
        case(
            "ロイド・ハミルトンとニューヨーク・ヤンキースの契約が話題になった。",
            &["ロイド・ハミルトン"],
        ),
    ]);
}

/// A title of state, army or peerage after a katakana word names a person, even when the
/// word is also a company, is quoted or is glued to a kanji word; a country before such a
/// title is an office, not a person.
#[test]
fn katakana_names_before_state_titles() {
    check(&[
        case("現職のロッキード大統領と会談した。", &["ロッキード"]),
        case("ロッキードの新型機が納入された。", &[]),
        case("「ボルコフ米大統領と会談」と報じた。", &["ボルコフ"]),
        case("北軍側ボルコフ少将と交渉した。", &["ボルコフ"]),
        case("「アメリカ大統領」の権限が議論された。", &[]),
        case("アメリカ大統領選挙が行われた。", &[]),
        case("マレーシア首相の発言が報じられた。", &[]),
    ]);
}

/// A single katakana word after a title or an office (`外相…`, `摂政…`, `FW…`, `故…`),
/// before a title of peerage (`…伯爵ら`) or a doing of its bearer (`…当選後`), and a
/// listed surname ending like a gerund (`-ング`) are names; loanwords, a firmware
/// abbreviation, a coach, a park and the head of a place's message are not.
#[test]
fn single_katakana_names_by_office_peerage_and_events() {
    check(&[
        case("外相ゼルドリクに対して抗議した。", &["ゼルドリク"]),
        case("甲府からFWゼルドリクが加入した。", &["ゼルドリク"]),
        case("ギタリストの故ゼルドリクを崇拝している。", &["ゼルドリク"]),
        case("摂政ブランデール公は改革を進めた。", &["ブランデール"]),
        case(
            "ウォルステン伯爵らとの友好関係を保った。",
            &["ウォルステン"],
        ),
        case("顧問を務め、ゼルドリク当選後に入閣した。", &["ゼルドリク"]),
        case("ヘニングは1950年に帰国した。", &["ヘニング"]),
        case("ヒアリングは来週行います。", &[]),
        case("マーケティングは重要です。", &[]),
        case("FWアップデートが完了した。", &[]),
        case("GKコーチに就任した。", &[]),
        case("事故データを集計した。", &[]),
        case("コミュニティ公園で開催します。", &[]),
        case("キャンペーン当選者に通知します。", &[]),
        case("市長メッセージを掲載します。", &[]),
        case(
            "その後、ヴァルデマンはゼルドリクに対して新しい計画を示した。",
            &["ヴァルデマン", "ゼルドリク"],
        ),
        case("委員会はベンダーに対して改善を求めた。", &[]),
        case("利用者はマイナポータルに対して申請した。", &[]),
    ]);
}

/// A katakana chain is a name when its clause says what a person does (`…を説得する`,
/// `…と結婚した`) or a role stands before it as a predicate (`投資家である…`); an
/// orchestra named after its city or a compound of loanwords is not.
#[test]
fn katakana_chains_acting_as_persons() {
    check(&[
        case(
            "仕事を求めてミスター・ハーグリーヴを説得する。",
            &["ミスター・ハーグリーヴ"],
        ),
        case(
            "カナダの投資家であるアーロン・グッドによる資金援助を受けた。",
            &["アーロン・グッド"],
        ),
        case("2度目のベルリン・フィルと共演した。", &[]),
        case("主要なキャスト・キャラクターとして出演した。", &[]),
    ]);
}

/// A katakana chain as the agent of a passive or a work (`…によって`, `…による`) is a
/// name when a listed given name starts it or the dictionary knows none of its parts; a
/// dam, a technical term or a place is an agent too, and is no name.
#[test]
fn katakana_chains_as_agents() {
    check(&[
        case(
            "この理論はニコラス・ランドマンによって論じられた。",
            &["ニコラス・ランドマン"],
        ),
        case("州都近郊のオヘラ・ダムによるもので、", &[]),
        case(
            "LTEでのキャリア・アグリゲーションによる通信が始まった。",
            &[],
        ),
    ]);
}

/// A lead sentence that runs on past its first clauses (`…の政治家であり、…市長、…`)
/// still describes its subject as a person.
#[test]
fn lead_sentences_that_run_on() {
    check(&[
        case(
            "ジェフ・ハーバーは、アメリカ合衆国ミシガン州の政治家であり、デトロイト市長、ミシガン州選出の上院議員を長く務めたことで知られ、後に財務長官にも就任した人物として記憶されている。",
            &["ジェフ・ハーバー"],
        ),
        case(
            "グランメゾンは、フランス料理の店であり、開業以来ミシュランの星を保ち続け、国内外の美食家から高い評価を受けてきたことで知られ、予約の取りにくい店として記憶されている。",
            &[],
        ),
    ]);
}

/// A katakana chain as the subject of what only a person does (`…が完全移籍`, `…が自ら`,
/// `…が指名された`); a team is the place of the same words (`…に移籍`).
#[test]
fn katakana_chains_as_subjects_of_person_acts() {
    check(&[
        case(
            "ルカ・モドラノがハンブルガーSVから完全移籍。",
            &["ルカ・モドラノ"],
        ),
        case(
            "特別代表のエリク・ソルヴァングが指名された。",
            &["エリク・ソルヴァング"],
        ),
        case("彼はボカ・ジュニオルスに移籍した。", &[]),
    ]);
}

/// Combining marks inserted into a name (U+0301, U+3099, half-width ﾞ) no longer split
/// it: the normalization drops marks that cannot compose with a kanji or kana.
#[test]
fn names_with_combining_marks() {
    check(&[
        case("山田\u{301}太郎さんが来庁した", &["山田太郎"]),
        case("山\u{3099}田太郎さんが来庁した", &["山田太郎"]),
        case("氏名:森\u{301}川\u{3099}陽菜", &["森川陽菜"]),
        case("森ﾞ川陽菜様", &["森川陽菜"]),
        case("相談者:小山 た\u{301}けひさ", &["小山 たけひさ"]),
        // Hard negatives: a mark in an ordinary word makes no name.
        case("林\u{301}の中を歩く", &[]),
        case("会議\u{3099}室の予約", &[]),
    ]);
}

/// Japanese names in romaji: surname first in capitals (the form-filling convention),
/// both in capitals, full-width, with a comma, and given name first.
#[test]
fn romaji_names() {
    check(&[
        case("YAMADA Taro 様", &["YAMADA Taro"]),
        case("YAMADA TARO", &["YAMADA TARO"]),
        case("ＹＡＭＡＤＡ　ＴＡＲＯ", &["YAMADA TARO"]),
        case("Yamada, Taro", &["Yamada, Taro"]),
        case("Taro YAMADA", &["Taro YAMADA"]),
        case("申請者 MORIKAWA Hina の書類", &["MORIKAWA Hina"]),
        case("氏名(ローマ字): SATO HANAKO", &["SATO HANAKO"]),
        case("Name: SATOH Hanako", &["SATOH Hanako"]),
        case("Mr. Shohei OHNO", &["Shohei OHNO"]),
        case("お客様 Satō Yūki さんへ", &["Satō Yūki"]),
        case("Taro Yamada様", &["Taro Yamada"]),
        case(
            "宛先: YAMADA Taro, SUZUKI Hanako",
            &["YAMADA Taro", "SUZUKI Hanako"],
        ),
        // One listed part with a context: the other part is name-shaped.
        case("氏名: MORIKAWA Haruhi", &["MORIKAWA Haruhi"]),
        case("KOBAYASHI Zyx 様", &["KOBAYASHI Zyx"]),
    ]);
}

/// Capitalised words that are no Japanese name: acronyms, brands, places, companies,
/// English headings.
#[test]
fn romaji_hard_negatives() {
    check(&[
        case("NHK WORLD で放送", &[]),
        case("TOKYO STATION に集合", &[]),
        case("SONY CORP の製品", &[]),
        case("HONDA CIVIC を購入", &[]),
        case("TOYOTA Motor の決算", &[]),
        case("OSAKA Expo 2025", &[]),
        case("PLEASE NOTE THAT THE OFFICE IS CLOSED", &[]),
        case("SHINJUKU KU", &[]),
        case("TOKYO TO CHIYODA KU", &[]),
        case("CHIBA KEN の施設", &[]),
        case("NISHI SHINJUKU の庁舎", &[]),
        case("AI KEN の研究会", &[]),
        case("JR TOKAI の駅", &[]),
        case("DATE NONE", &[]),
        case("HONDA TARO MOTORS", &[]),
        case("ENTER YOUR NAME HERE", &[]),
        case("THE MINE ARE CLOSED", &[]),
        case("OSAKA, JAPAN", &[]),
        case("see yamada taro for details", &[]),
        case("Taro-Yamada", &[]),
        case("yamada.taro@example.jp", &[]),
        // Initial capitals only, without context: a brand or company form.
        case("新ブランド名はSakura Minamiに決定", &[]),
        case("「Kodama Haruna」シリーズ", &[]),
    ]);
}

/// A surname split from the given name by spaces, markup, ruby or a reading: the
/// finding covers the whole name (markup is dropped by the normalization; spaces and
/// readings are joined by the name detector).
#[test]
fn surnames_split_from_the_given_name() {
    check(&[
        case("山 田 太郎さんが来庁した", &["山 田 太郎"]),
        case("佐 々 木 花子様", &["佐 々 木 花子"]),
        case("森 川 陽菜さんの件", &["森 川 陽菜"]),
        case("氏名: 森 川 陽菜", &["森 川 陽菜"]),
        case("氏名: 森 川 はるな", &["森 川 はるな"]),
        case("記入者 森 川 陽 菜", &["森 川 陽 菜"]),
        case("森 川さんに連絡", &["森 川"]),
        case("山<b>田</b>太郎さん", &["山田太郎"]),
        case("山<b>田</b>太郎", &["山田太郎"]),
        case("森<span class=\"x\">川</span>陽菜様", &["森川陽菜"]),
        case("山田(やまだ)太郎さんが来庁した", &["山田(やまだ)太郎"]),
        case("申請者 森川(もりかわ)陽菜さん", &["森川(もりかわ)陽菜"]),
        case("<ruby>山田<rt>やまだ</rt></ruby>太郎さん", &["山田太郎"]),
        case("<ruby>山田<rt>やまだ</rt></ruby>太郎", &["山田太郎"]),
        case(
            "<ruby>森川<rp>(</rp><rt>もりかわ</rt><rp>)</rp></ruby>陽菜様",
            &["森川陽菜"],
        ),
        case("山**田**太郎さん", &["山田太郎"]),
        // Hard negatives: no listed surname before the gap, or no split at all.
        case("東京(とうきょう)太郎さん", &["太郎"]),
        case("会議室(かいぎしつ)の予約", &[]),
        // 左 is a one-kanji surname of its own; 右左 is no surname, so 右 stays out.
        case("右 左 太郎さん", &["左 太郎"]),
        case("日本 田中さん", &["田中"]),
        case("この本 田中さんに", &["田中"]),
        case("住所<br>山田", &[]),
        case("東 西 線の駅", &[]),
        case("上 下 水道", &[]),
        case("森 川 公園", &[]),
    ]);
}
