//! Table-driven tests of the address detector, run through the engine so spans are
//! checked on the original text (after normalization and overlap merging).

use std::sync::OnceLock;

use crate::inspect::{Category, Engine, EngineBuilder};

/// An engine with only the address detector on (other detectors are tested apart).
fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut b = EngineBuilder::new().builtin_word_lists(false);
        for c in Category::BUILTIN {
            if c != Category::Address {
                b = b.enable(&c, false);
            }
        }
        b.build().expect("engine builds")
    })
}

/// The address spans found in `text`, as substrings of the original.
fn spans(text: &str) -> Vec<&str> {
    engine()
        .scan(text)
        .into_iter()
        .filter(|f| f.category == Category::Address)
        .map(|f| &text[f.range()])
        .collect()
}

/// (case, text, expected address spans)
const POSITIVE: &[(&str, &str, &[&str])] = &[
    (
        "kanji chome ban go",
        "住所は東京都港区芝公園三丁目7番1号です。",
        &["東京都港区芝公園三丁目7番1号"],
    ),
    (
        "ascii dashes",
        "住所は東京都港区芝公園3-7-1です。",
        &["東京都港区芝公園3-7-1"],
    ),
    (
        "full-width dashes",
        "住所：大阪府大阪市北区梅田３－７－１、電話は後で",
        &["大阪府大阪市北区梅田３－７－１"],
    ),
    (
        "chome then dash",
        "札幌市中央区大通西3丁目7-1に住む",
        &["札幌市中央区大通西3丁目7-1"],
    ),
    (
        "kanji no separators",
        "横浜市中区山下町一の二の三に転居",
        &["横浜市中区山下町一の二の三"],
    ),
    (
        "banchi no",
        "長野県北安曇郡白馬村北城7番地の1へ送付",
        &["長野県北安曇郡白馬村北城7番地の1"],
    ),
    (
        "banchi number",
        "岡崎市中村町二丁目9番地6に住んでいる",
        &["岡崎市中村町二丁目9番地6"],
    ),
    (
        "banchi alone",
        "新住所：滋賀県大津市松陽6番地、世帯主",
        &["滋賀県大津市松陽6番地"],
    ),
    (
        "county without prefecture",
        "朝倉郡筑前町石櫃9丁目33番14号に住む",
        &["朝倉郡筑前町石櫃9丁目33番14号"],
    ),
    (
        "town without county",
        "長崎県東彼杵町蔵本郷1-2-3",
        &["長崎県東彼杵町蔵本郷1-2-3"],
    ),
    (
        "postal mark included",
        "住所：〒475-0881 愛知県半田市荒古町35番地、電話",
        &["〒475-0881 愛知県半田市荒古町35番地"],
    ),
    (
        "full-width postal mark",
        "〒１００－０００１　東京都千代田区千代田１－１",
        &["〒１００－０００１　東京都千代田区千代田１－１"],
    ),
    (
        "bare postal code before address",
        "送付先 100-0001 東京都千代田区千代田1-1",
        &["100-0001 東京都千代田区千代田1-1"],
    ),
    (
        "postal code alone",
        "郵便番号は〒100-0001です",
        &["〒100-0001"],
    ),
    (
        "postal code and city without numbers",
        "〒100-0001 東京都千代田区千代田にお住まい",
        &["〒100-0001 東京都千代田区千代田"],
    ),
    (
        "mansion room",
        "和歌山県新宮市高田36番地マンション145号室、電話",
        &["和歌山県新宮市高田36番地マンション145号室"],
    ),
    (
        "heights with space and bare room",
        "長崎県東彼杵郡東彼杵町一ッ石郷９－１２－２１ ハイツ159の空き家",
        &["長崎県東彼杵郡東彼杵町一ッ石郷９－１２－２１ ハイツ159"],
    ),
    (
        "named building and room",
        "福岡市中央区天神1-2-3 ハイツ朝日 203に住む",
        &["福岡市中央区天神1-2-3 ハイツ朝日 203"],
    ),
    (
        "ideographic space before building",
        "富山県滑川市大門2丁目30番25号　コーポ244）",
        &["富山県滑川市大門2丁目30番25号　コーポ244"],
    ),
    (
        "room after space",
        "仙台市青葉区一番町1-2-3 101号室",
        &["仙台市青葉区一番町1-2-3 101号室"],
    ),
    (
        "hiragana town from the gazetteer",
        "北海道札幌市清田区美しが丘二条9丁目9-21、電話",
        &["北海道札幌市清田区美しが丘二条9丁目9-21"],
    ),
    (
        "hokkaido grid",
        "帯広市西十二条北四丁目11番地10",
        &["帯広市西十二条北四丁目11番地10"],
    ),
    (
        "hokkaido digits jo",
        "旭川市4条通8丁目1-2へ",
        &["旭川市4条通8丁目1-2"],
    ),
    (
        "ward only",
        "台東区竜泉１－２－１２在住",
        &["台東区竜泉１－２－１２"],
    ),
    (
        "variant ke spelling",
        "豊田市保見ヶ丘7-19-21",
        &["豊田市保見ヶ丘7-19-21"],
    ),
    (
        "known town with bare house number",
        "長野県北安曇郡白馬村北城1234へ",
        &["長野県北安曇郡白馬村北城1234"],
    ),
    (
        "daiji aza",
        "茨城県稲敷郡阿見町大字若栗字北原1234番地",
        &["茨城県稲敷郡阿見町大字若栗字北原1234番地"],
    ),
    (
        "two addresses",
        "旧住所は新宿区西新宿2-8-1、新住所は横浜市西区みなとみらい2-2-1です",
        &["新宿区西新宿2-8-1", "横浜市西区みなとみらい2-2-1"],
    ),
    (
        "building in town name",
        "東京都港区虎ノ門虎ノ門ヒルズ森タワー1-23-10　コーポ142、電話",
        &["東京都港区虎ノ門虎ノ門ヒルズ森タワー1-23-10　コーポ142"],
    ),
    (
        "zero-width characters inside",
        "東京都港\u{200B}区芝公園3-7-1",
        &["東京都港\u{200B}区芝公園3-7-1"],
    ),
    (
        "kanji positional banchi",
        "群馬県前橋市上大島町二十三番地",
        &["群馬県前橋市上大島町二十三番地"],
    ),
    (
        "regression: town ending in a numeral before the banchi",
        "足寄郡陸別町共栄第一39番地の27",
        &["足寄郡陸別町共栄第一39番地の27"],
    ),
    (
        "iwate chiwari",
        "岩手県岩手郡雫石町長山第3地割12番地",
        &["岩手県岩手郡雫石町長山第3地割12番地"],
    ),
    (
        "municipality containing a shorter one (東村 / 東村山市)",
        "東京都東村山市本町1-2-3、沖縄県国頭郡東村平良12番地",
        &["東京都東村山市本町1-2-3", "沖縄県国頭郡東村平良12番地"],
    ),
    (
        "spaces between parts",
        "東京都 千代田区 霞が関 1-2-3",
        &["東京都 千代田区 霞が関 1-2-3"],
    ),
    (
        "city name repeating its suffix",
        "廿日市市廿日市1-2-3と四日市市諏訪町1-2",
        &["廿日市市廿日市1-2-3", "四日市市諏訪町1-2"],
    ),
    (
        "room joined by a dash",
        "神戸市中央区加納町6-5-1-101号室に転居",
        &["神戸市中央区加納町6-5-1-101号室"],
    ),
    (
        "kanji number after banchi no",
        "静岡県浜松市中央区元城町103番地の二、",
        &["静岡県浜松市中央区元城町103番地の二"],
    ),
    (
        "go no",
        "京都市左京区北白川5番3号の2",
        &["京都市左京区北白川5番3号の2"],
    ),
    (
        "regression: town that reads as another municipality",
        "長崎県西海市大島町百合が丘4-6-7　グリーンハイム831、電話",
        &["長崎県西海市大島町百合が丘4-6-7　グリーンハイム831"],
    ),
    (
        "hiragana inside a known town",
        "東京都千代田区丸の内1-9-1",
        &["東京都千代田区丸の内1-9-1"],
    ),
    (
        "kanji numeral town read as a number (三番町)",
        "千代田区三番町6-2へ",
        &["千代田区三番町6-2"],
    ),
    (
        "two-character city after an unknown prefecture-like word",
        "下総県柏市藤ケ谷新田1-18-1",
        &["柏市藤ケ谷新田1-18-1"],
    ),
    (
        "labelled address without municipality",
        "住所：栄町3-2-1 コーポ101号室、電話は後で",
        &["栄町3-2-1 コーポ101号室"],
    ),
    (
        "label before a full address adds nothing",
        "住所は東京都港区芝公園3-7-1です",
        &["東京都港区芝公園3-7-1"],
    ),
    (
        // Issue 13 item 5: the floor is part of the address (it used to be cut off).
        "floor after a building ends the address",
        "福岡市中央区天神1-2-3 天神ビル 2F受付",
        &["福岡市中央区天神1-2-3 天神ビル 2F"],
    ),
    (
        "phone after a building is not a room",
        "福岡市中央区天神1-2-3 ハイツ 090-1234-5678",
        &["福岡市中央区天神1-2-3"],
    ),
    (
        "address ending a CSV cell before a phone",
        "森川陽菜,東京都港区芝公園3-7-1,090-1234-5678",
        &["東京都港区芝公園3-7-1"],
    ),
    (
        "room ending a CSV cell",
        "東京都港区芝公園3-7-1 サンプルハイツ201号室,090-1234-5678",
        &["東京都港区芝公園3-7-1 サンプルハイツ201号室"],
    ),
    // Regressions from tests/fixtures/fresh-prompts.jsonl (issue 2).
    (
        "chō without me, house number after it (Sakai)",
        "新送付先：大阪府堺市北区中百舌鳥町5丁713、納税義務者",
        &["大阪府堺市北区中百舌鳥町5丁713"],
    ),
    (
        "building name with digits inside",
        "旧住所：札幌市中央区南十一条西九丁目3-25 グランメール南11条802号室、転居者",
        &["札幌市中央区南十一条西九丁目3-25 グランメール南11条802号室"],
    ),
    (
        "building name in two parts",
        "〒920-0865 金沢市長町2丁目5番地15 ハイツ長町 B棟 203、電話",
        &["〒920-0865 金沢市長町2丁目5番地15 ハイツ長町 B棟 203"],
    ),
    (
        "building floor before the room",
        "東京都港区芝1-2-3 芝ビル3階 301号室へ",
        &["東京都港区芝1-2-3 芝ビル3階 301号室"],
    ),
    (
        "numbered building block",
        "横浜市旭区若葉台3-4 若葉台団地 2号棟 305に転居",
        &["横浜市旭区若葉台3-4 若葉台団地 2号棟 305"],
    ),
    (
        "name and count after an address are not a building",
        "東京都港区芝1-2-3 田中 2人で来庁",
        &["東京都港区芝1-2-3"],
    ),
    (
        "time after a building word is not a room",
        "大阪市北区梅田1-1-3 大阪駅前第3ビル 受付 10時",
        &["大阪市北区梅田1-1-3"],
    ),
    (
        "room then prose after a building",
        "相談者（茨城県常陸太田市上宮河内町1丁目37番16号 ハイツ224在住）",
        &["茨城県常陸太田市上宮河内町1丁目37番16号 ハイツ224"],
    ),
    (
        "floor in Latin letters before the room",
        "福岡市中央区天神1-2-3 天神ビル 2F 201号室",
        &["福岡市中央区天神1-2-3 天神ビル 2F 201号室"],
    ),
    (
        "block number and room after a building",
        "住所 大阪府大阪市中央区大手前1-3-49 大手前ハイツ2-305、電話",
        &["大阪府大阪市中央区大手前1-3-49 大手前ハイツ2-305"],
    ),
    (
        "block letter and room after a building",
        "千葉市美浜区ひび野2丁目4番地 ひび野マンションＡ-1203に転居",
        &["千葉市美浜区ひび野2丁目4番地 ひび野マンションＡ-1203"],
    ),
    (
        "hiragana in a building name",
        "横浜市中区山下町12番地 さくら荘 3号室",
        &["横浜市中区山下町12番地 さくら荘 3号室"],
    ),
    (
        "a particle after a building ends it",
        "横浜市中区山下町12番地 さくら荘にお住まいの2名",
        &["横浜市中区山下町12番地"],
    ),
    (
        "phone after a building is not a block and room",
        "福岡市中央区天神1-2-3 天神ハイツ 12-3456-7890",
        &["福岡市中央区天神1-2-3"],
    ),
    (
        "Kyoto street directions",
        "「京都市中京区寺町通御池上る上本能寺前町488」転出者",
        &["京都市中京区寺町通御池上る上本能寺前町488"],
    ),
    (
        "Kyoto street directions in katakana, 番地",
        "京都府京都市下京区烏丸通七条下ル東塩小路町721番地の1",
        &["京都府京都市下京区烏丸通七条下ル東塩小路町721番地の1"],
    ),
];

/// (case, text): no address in these.
const NEGATIVE: &[(&str, &str)] = &[
    ("ward and population", "中村区の人口は13万人です。"),
    ("two prefectures", "千葉県と埼玉県の比較をしてください。"),
    ("city hall", "横浜市役所で開催する講座のチラシ。"),
    (
        "city hall floor",
        "横浜市役所3階の会議室で説明会を開きます。",
    ),
    ("date after city", "横浜市で2024年3月1日に説明会。"),
    ("date after city no particle", "横浜市2024-03-01開催"),
    ("amount after city", "大阪市の予算は1,234億円です。"),
    ("count after prefecture", "東京都23区の人口"),
    ("article number", "東京都個人情報保護条例第3条第2号"),
    ("chome alone", "中央区銀座4丁目の交差点で待ち合わせ。"),
    ("city alone", "札幌市の天気を教えて"),
    ("ward inside word", "東北区域の3-4月の予定"),
    (
        "surname like city",
        "市川 宗行さん、村上さん、市原さんの3名",
    ),
    ("facility with date", "菊川市役所小笠支所で6月18日に開催"),
    ("phone after city", "横浜市 045-671-2121"),
    ("numbered list after city", "横浜市1. 概要"),
    ("range", "千葉県1〜3月の統計"),
    ("bare postal code alone", "番号は123-4567です"),
    ("percent", "大阪府5.5%増"),
    ("budget", "令和6年度 横浜市一般会計予算 1,234億円"),
    ("office phone", "札幌市中央区役所（電話011-211-2111）"),
    (
        "population with date",
        "東京都中央区の人口は約17万人（2024年1月1日現在）",
    ),
    (
        "plan period",
        "第2期横浜市子ども・子育て支援事業計画（2020-2024年度）",
    ),
    ("chome area", "横浜市港北区新横浜2丁目周辺の渋滞"),
    ("prefectural road", "神奈川県道12号の通行止め"),
    ("university building", "北海道大学2号館で講義"),
    (
        "list of cities with counts",
        "横浜市 12件、川崎市 8件、相模原市 3件",
    ),
    ("tofu count after a town", "京都市中京区の店で豆腐1丁を買う"),
    (
        "Kyoto street without a number",
        "京都市中京区寺町通御池上るの商店街で",
    ),
];

#[test]
fn positive_table() {
    for (case, text, want) in POSITIVE {
        assert_eq!(&spans(text), want, "case {case}: {text}");
    }
}

#[test]
fn negative_table() {
    for (case, text) in NEGATIVE {
        assert!(spans(text).is_empty(), "case {case}: {:?}", spans(text));
    }
}

#[test]
fn reasons_and_detector_carry_no_text() {
    let f = engine().scan("東京都港区芝公園3-7-1");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].detector, "address");
    assert!(!f[0].reason.contains("港区"));
}

#[test]
fn long_text_is_linear() {
    // Many anchors with no street part, and a long run of digits and dashes.
    let mut text = "東京都大阪府".repeat(5_000);
    text.push_str(&"1-".repeat(10_000));
    text.push_str(&"中央区".repeat(20_000));
    text.push_str(&"中央区あいうえおかきくけこさしすせそたちつてと、".repeat(2_000));
    text.push_str(&"市".repeat(50_000));
    // Speed is measured in benches/, never here: this only proves hostile input
    // finishes and yields no address.
    assert!(spans(&text).is_empty());
}

/// Regression: the detection view used to fold a kanji numeral that follows a digit
/// (`〒299-0267千葉県` → `…02671000葉県`), losing the prefecture.
#[test]
fn postal_code_directly_before_kanji_numeral_prefecture() {
    assert_eq!(
        spans("〒299-0267千葉県袖ケ浦市中袖6-36-10"),
        ["〒299-0267千葉県袖ケ浦市中袖6-36-10"]
    );
}

/// The address spans found in `text` with the rule (detector name) of each.
fn spans_and_rules(text: &str) -> Vec<(&str, &'static str)> {
    engine()
        .scan(text)
        .into_iter()
        .filter(|f| f.category == Category::Address)
        .map(|f| (&text[f.range()], f.detector))
        .collect()
}

/// (case, text, expected (span, rule) pairs).
type RuleCase = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// (case, text, expected (span, rule)): addresses with no prefecture or
/// municipality (issue 13 item 5).
const UNANCHORED: &[RuleCase] = &[
    (
        "gazetteer town and three numbers",
        "森川陽菜さん（緑町1-7-3）から電話",
        &[("緑町1-7-3", "address.town")],
    ),
    (
        "a town that is also a municipality (印旛郡栄町) reads as one",
        "森川陽菜さん（栄町1-7-3）から電話",
        &[("栄町1-7-3", "address")],
    ),
    (
        "town, numbers and a housing block with a room",
        "自宅は旭町2-9-1 旭町住宅3-105です",
        &[("旭町2-9-1 旭町住宅3-105", "address.town")],
    ),
    (
        "kanji chome, ban and go",
        "本町二丁目3番4号の店舗",
        &[("本町二丁目3番4号", "address.town")],
    ),
    (
        "town ending in 町 and two numbers",
        "送り先：若葉町3-2へ",
        &[("若葉町3-2", "address.town")],
    ),
    (
        "one space between town and numbers, in a CSV cell",
        "森川陽菜,旭町 2-9-1,090-1234-5678",
        &[("旭町 2-9-1", "address.town")],
    ),
    (
        "banchi after a town",
        "現在は平和12番地に住む",
        &[("平和12番地", "address.town")],
    ),
    (
        "Sapporo grid, chome and house number",
        "南3条西5丁目2-8に転居",
        &[("南3条西5丁目2-8", "address.grid")],
    ),
    (
        "Sapporo grid, short form",
        "住まい 南3西5-2-8 ハイツ南 201",
        &[("南3西5-2-8 ハイツ南 201", "address.grid")],
    ),
    (
        "Sapporo grid, chome only",
        "北1条東2丁目の事務所",
        &[("北1条東2丁目", "address.grid")],
    ),
    (
        "Sapporo grid in kanji numerals",
        "南三条西五丁目二番八号",
        &[("南三条西五丁目二番八号", "address.grid")],
    ),
    (
        "Kyoto street directions and a house number",
        "転居先は烏丸通四条上る笋町123です",
        &[("烏丸通四条上る笋町123", "address.kyoto")],
    ),
    (
        "Kyoto street directions in katakana, banchi",
        "「堀川通五条下ル柿本町5番地」",
        &[("堀川通五条下ル柿本町5番地", "address.kyoto")],
    ),
    (
        "a municipality still anchors the address",
        "札幌市中央区南3条西5丁目2-8",
        &[("札幌市中央区南3条西5丁目2-8", "address")],
    ),
    (
        "label still anchors the address",
        "住所：柳町3-2-1 コーポ101号室",
        &[("柳町3-2-1 コーポ101号室", "address.labelled")],
    ),
];

/// (case, text): no address in these, though a town name of the gazetteer or a
/// grid direction is in each.
const UNANCHORED_NEGATIVE: &[(&str, &str)] = &[
    ("town alone", "栄町で会議があります"),
    ("town and a count", "本町3人、栄町2件"),
    ("town and a lone chome", "本町2丁目の交差点"),
    ("town and a date", "本町2024-03-01開催"),
    ("town and a phone", "栄町 090-1234-5678"),
    ("town inside a katakana word", "プラザ旭町1-2-3"),
    ("town inside a kanji word", "会議室本町1-2-3"),
    (
        "two numbers after a name not ending like a town",
        "中央1-2の資料",
    ),
    ("one-character town", "東1-2-3と表1-2-3"),
    ("document reference", "資料1-2-3と別表2-1"),
    ("grid short form without a block", "南3西5で待つ"),
    ("grid without crossing directions", "南3条北5丁目"),
    ("direction and numbers", "西2-3番線、北1条"),
    (
        "Kyoto directions with no number",
        "烏丸通四条上るの店で待ち合わせ",
    ),
    ("a street with no direction", "中央通123号線の工事"),
];

#[test]
fn unanchored_table() {
    for (case, text, want) in UNANCHORED {
        assert_eq!(&spans_and_rules(text), want, "case {case}: {text}");
    }
}

#[test]
fn unanchored_negative_table() {
    for (case, text) in UNANCHORED_NEGATIVE {
        assert!(spans(text).is_empty(), "case {case}: {:?}", spans(text));
    }
}

/// (case, text, expected (span, rule)): buildings, rooms and floors kept to the
/// end of the span (issue 13 item 5).
const BUILDINGS: &[RuleCase] = &[
    (
        "named building and room after a space",
        "横浜市中区山下町1-2-3 サンプルハイツ201号室に転居",
        &[("横浜市中区山下町1-2-3 サンプルハイツ201号室", "address")],
    ),
    (
        "building and floor",
        "大阪市北区梅田1-1-3 梅田第一ビル5階の事務所",
        &[("大阪市北区梅田1-1-3 梅田第一ビル5階", "address")],
    ),
    (
        "building and floor in Latin letters, no space",
        "福岡市中央区天神1-2-3 天神ビル3F",
        &[("福岡市中央区天神1-2-3 天神ビル3F", "address")],
    ),
    (
        "building, block letter and room in three parts",
        "仙台市青葉区一番町1-2-3 青葉マンション A棟 302",
        &[("仙台市青葉区一番町1-2-3 青葉マンション A棟 302", "address")],
    ),
    (
        "room joined by a dash",
        "緑町1-7-3-101に住む",
        &[("緑町1-7-3-101", "address.town")],
    ),
    (
        "housing block and room after a town with no city",
        "旭町2-9-1 旭町住宅3-105",
        &[("旭町2-9-1 旭町住宅3-105", "address.town")],
    ),
    (
        "floor after a town with no city",
        "本町2丁目3番4号 本町ビル5階",
        &[("本町2丁目3番4号 本町ビル5階", "address.town")],
    ),
    (
        "room after a grid address",
        "南3条西5丁目2-8 サンプルハイツ201号室",
        &[("南3条西5丁目2-8 サンプルハイツ201号室", "address.grid")],
    ),
];

/// (case, text, expected span): what follows an address that is not its building.
const NOT_BUILDINGS: &[(&str, &str, &str)] = &[
    (
        "a following sentence",
        "横浜市中区山下町1-2-3。サンプルハイツ201号室は空室です",
        "横浜市中区山下町1-2-3",
    ),
    (
        "a phone number after the building",
        "横浜市中区山下町1-2-3 サンプルハイツ 090-1234-5678",
        "横浜市中区山下町1-2-3",
    ),
    (
        "a date after the building",
        "横浜市中区山下町1-2-3 山下ビル 2024年5月1日",
        "横浜市中区山下町1-2-3",
    ),
    (
        "a date after the address",
        "横浜市中区山下町1-2-3 2024-05-01転入",
        "横浜市中区山下町1-2-3",
    ),
    (
        "a floor with no building word",
        "横浜市中区山下町1-2-3 山下5階",
        "横浜市中区山下町1-2-3",
    ),
    (
        "a count after the building",
        "横浜市中区山下町1-2-3 山下ハイツ 5人",
        "横浜市中区山下町1-2-3",
    ),
];

#[test]
fn buildings_table() {
    for (case, text, want) in BUILDINGS {
        assert_eq!(&spans_and_rules(text), want, "case {case}: {text}");
    }
}

#[test]
fn not_buildings_table() {
    for (case, text, want) in NOT_BUILDINGS {
        assert_eq!(spans(text), [*want], "case {case}: {text}");
    }
}

/// (case, text, expected (span, rule)): romanized addresses in Western order
/// (issue 13 item 5).
const ROMANIZED: &[RuleCase] = &[
    (
        "town, ward and designated city",
        "Address: 1-2-3 Hommachi, Naka-ku, Yokohama. Tel 090-1234-5678",
        &[("1-2-3 Hommachi, Naka-ku, Yokohama", "address.romanized")],
    ),
    (
        "macrons, Shinbashi spelled with n, postal code after",
        "Mr. Tran lives at 4-5-6 Shinbashi, Minato-ku, Tōkyō 105-0004 with his family",
        &[(
            "4-5-6 Shinbashi, Minato-ku, Tōkyō 105-0004",
            "address.romanized",
        )],
    ),
    (
        "city suffix and prefecture",
        "Dia chi: 12-5 Motomachi, Naka-ku, Yokohama-shi, Kanagawa",
        &[(
            "12-5 Motomachi, Naka-ku, Yokohama-shi, Kanagawa",
            "address.romanized",
        )],
    ),
    (
        "in a CSV row",
        "TRAN VAN MINH,7-8-9 Chuo, Chuo-ku, Sapporo,090-1234-5678",
        &[("7-8-9 Chuo, Chuo-ku, Sapporo", "address.romanized")],
    ),
];

/// (case, text): no romanized address in these.
const ROMANIZED_NEGATIVE: &[(&str, &str)] = &[
    (
        "town alone after numbers",
        "See pages 10-12 Naka for details",
    ),
    (
        "no dash in the numbers",
        "Room 3 Hommachi, Naka-ku, Yokohama",
    ),
    (
        "unknown words after the numbers",
        "Version 1-2-3 Release, Tokyo",
    ),
    (
        "town and no known municipality",
        "1-2-3 Hommachi, Springfield",
    ),
    ("a date", "2024-05-01 Hommachi, Yokohama"),
];

#[test]
fn romanized_table() {
    for (case, text, want) in ROMANIZED {
        assert_eq!(&spans_and_rules(text), want, "case {case}: {text}");
    }
}

#[test]
fn romanized_negative_table() {
    for (case, text) in ROMANIZED_NEGATIVE {
        assert!(spans(text).is_empty(), "case {case}: {:?}", spans(text));
    }
}
