//! The name lists shipped in `dictionaries/names/` (from `japanese-personal-name-dataset`,
//! MIT) and the small hand-written word lists the name detector reasons with.

use rustc_hash::FxHashSet as HashSet;

const SURNAMES: &str = include_str!("../../../../dictionaries/names/surnames.txt");
const SURNAME_KANA: &str = include_str!("../../../../dictionaries/names/surname-kana.txt");
const GIVEN_KANJI: &str = include_str!("../../../../dictionaries/names/given-kanji.txt");
const GIVEN_KANA: &str = include_str!("../../../../dictionaries/names/given-kana.txt");

/// Words that end the search for a name's start when walking left from an honorific,
/// or that are no name when they stand alone before one: roles, relations, generic
/// people (`お客様`, `皆さん`, `担当者様`).
pub(super) const NOT_NAMES: &[&str] = &[
    "皆",
    "客",
    "神",
    "仏",
    "奥",
    "父",
    "母",
    "兄",
    "姉",
    "弟",
    "妹",
    "娘",
    "息子",
    "嫁",
    "婿",
    "祖父",
    "祖母",
    "孫",
    "子",
    "子供",
    "赤",
    "坊",
    "王",
    "姫",
    "殿",
    "方",
    "各位",
    "者",
    "員",
    "長",
    "人",
    "家",
    "主",
    "業者",
    "住民",
    "市民",
    "町民",
    "村民",
    "区民",
    "県民",
    "都民",
    "利用",
    "利用者",
    "担当",
    "担当者",
    "相談者",
    "申請者",
    "世帯主",
    "保護者",
    "対象者",
    "所有者",
    "代表者",
    "代理人",
    "本人",
    "家族",
    "職員",
    "委員",
    "民生委員",
    "班長",
    "児童",
    "生徒",
    "先生",
    "医者",
    "患者",
    "長男",
    "長女",
    "次男",
    "次女",
    "三男",
    "三女",
    "妻",
    "夫",
    "主人",
    "旦那",
    "奥様",
    "親",
    "両親",
    "先方",
    "相手",
    "相手方",
    "同",
    "様",
    "貴",
    "俺",
    "私",
    "僕",
    "彼",
    "彼女",
    "誰",
    "皆様",
    "各",
    "上",
    "管理人",
    "大家",
    "店長",
    "社長",
    "部長",
    "課長",
    "係長",
    "市長",
    "町長",
    "村長",
    "区長",
    "知事",
    "議員",
    "会長",
    "所長",
    "校長",
    "園長",
    "院長",
    "館長",
    "室長",
    "局長",
    "教頭",
    "担任",
    "氏名",
    "名前",
    "宛名",
    "御中",
    "ケアマネ",
    "ケアマネジャー",
    "ヘルパー",
    "ママ",
    "パパ",
    "お客",
    "神様",
    "仏様",
    "王様",
    "お母",
    "お父",
    "お兄",
    "お姉",
    "お嬢",
    "お子",
    "同様",
    "模様",
    "仕様",
    "様式",
    "多様",
];

/// Single characters that end a leftward walk for a name (multi-character words of
/// [`NOT_NAMES`] end it too); other single characters may be part of a given name.
pub(super) const STOP_CHARS: &str = "者員様殿各皆客";

/// Relation and role words after which a bare given name is expected
/// (`長男 結以様`, `児童は…`).
pub(super) const RELATIONS: &[&str] = &[
    "長男",
    "長女",
    "次男",
    "次女",
    "三男",
    "三女",
    "四男",
    "四女",
    "妻",
    "夫",
    "息子",
    "娘",
    "父",
    "母",
    "祖父",
    "祖母",
    "孫",
    "兄",
    "姉",
    "弟",
    "妹",
    "児童",
    "子",
    "子供",
    "本人",
    "配偶者",
    "生徒",
    "園児",
    "乳児",
    "幼児",
];

/// Single kanji that follow a surname as place or organisation suffixes, never as
/// a one-character given name (`田中町`, `中村区`, `青山通`).
pub(super) const PLACE_SUFFIXES: &str =
    "区市町村郡県都府道通駅線川山橋港島台丘谷沢浜園寺院館校署課係室部局長家店社組会内外方側式所屋宅病科湾坂池";

/// Surnames that are also everyday words or place names: never a name without
/// evidence (an honorific, a label, a given name next to them).
pub(super) const COMMON_WORD_SURNAMES: &[&str] = &[
    "小川",
    "青山",
    "中村",
    "田中",
    "中野",
    "上野",
    "大森",
    "大塚",
    "渋谷",
    "品川",
    "目黒",
    "新宿",
    "池袋",
    "本郷",
    "神田",
    "秋葉",
    "市川",
    "松本",
    "松山",
    "高松",
    "熊谷",
    "上田",
    "長野",
    "石川",
    "福島",
    "山口",
    "岡山",
    "宮崎",
    "熊本",
    "千葉",
    "秋田",
    "山形",
    "新潟",
    "富山",
    "福井",
    "奈良",
    "広島",
    "徳島",
    "香川",
    "高知",
    "佐賀",
    "長崎",
    "大分",
    "沖縄",
    "岐阜",
    "静岡",
    "愛知",
    "三重",
    "滋賀",
    "京都",
    "大阪",
    "兵庫",
    "鳥取",
    "島根",
    "福岡",
    "宮城",
    "岩手",
    "青森",
    "群馬",
    "栃木",
    "茨城",
    "埼玉",
    "東京",
    "神奈川",
    "山梨",
    "和歌山",
    "鹿児島",
    "北海道",
    "横浜",
    "川崎",
    "相模",
    "浜松",
    "金沢",
    "仙台",
    "札幌",
    "神戸",
    "堺",
    "前橋",
    "高崎",
    "水戸",
    "宇都宮",
    "甲府",
    "大津",
    "和田",
    "今井",
    "平和",
    "安全",
    "中央",
    "本町",
    "大手",
    "日本",
    "中島",
    "吉田",
    "平野",
    "高田",
    "大和",
    "武蔵",
    "小松",
    "豊田",
    "日野",
    "立川",
    "府中",
    "町田",
    "小山",
    "桐生",
    "足利",
    "平塚",
    "藤沢",
    "茅ヶ崎",
    "厚木",
    "大宮",
    "川口",
    "所沢",
    "春日",
    "岸和田",
    "高槻",
    "枚方",
    "西宮",
    "尼崎",
    "明石",
    "加古川",
    "姫路",
    "倉敷",
    "福山",
    "呉",
    "下関",
    "久留米",
    "小倉",
    "別府",
    "谷川",
    "大川",
    "大橋",
    "市場",
    "石垣",
    "山中",
    "田畑",
    "野原",
    "河原",
    "大谷",
    "中川",
    "小池",
    "小島",
    "小野",
    "大島",
    "高山",
    "高原",
    "竹林",
    "松原",
    "杉山",
    "岩山",
    "石橋",
    "土橋",
    "森林",
    "野口",
    "川口",
    "川上",
    "川下",
    "山下",
    "山上",
    "上山",
    "坂下",
    "坂上",
    "宮下",
    "門前",
    "寺内",
    "岡本",
    "沢田",
    "大野",
    "平田",
    "大西",
    "東山",
    "西山",
    "北山",
    "南",
    "北村",
    "西村",
    "東",
];

/// A generated list as a hash set: looked up for every name candidate, so a hash probe
/// (FxHash, a few ns for a short key) rather than a binary search over 50,000 entries.
/// The stored keys are fixed, embedded data, so no prompt can build long collision chains;
/// maps keyed by prompt text keep the standard library's keyed SipHash.
#[derive(Debug)]
struct NameList(HashSet<&'static str>);

impl NameList {
    fn new(text: &'static str) -> Self {
        NameList(lines(text).collect())
    }

    fn contains(&self, s: &str) -> bool {
        self.0.contains(s)
    }
}

/// The embedded name lists as lookup structures.
#[derive(Debug)]
pub(super) struct Lexicon {
    surnames: HashSet<&'static str>,
    surname_kana: NameList,
    given_kanji: NameList,
    given_kana: NameList,
    not_names: HashSet<&'static str>,
    relations: HashSet<&'static str>,
    common_words: HashSet<&'static str>,
    /// Every kanji of a listed surname or given name.
    name_kanji: HashSet<char>,
}

fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    /// The lexicon, built once per process on first use and shared by every engine.
    pub(super) fn shared() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(Lexicon::new)
    }

    /// Builds the lookup structures from the embedded lists.
    fn new() -> Self {
        Lexicon {
            surnames: lines(SURNAMES).collect(),
            surname_kana: NameList::new(SURNAME_KANA),
            given_kanji: NameList::new(GIVEN_KANJI),
            given_kana: NameList::new(GIVEN_KANA),
            not_names: NOT_NAMES.iter().copied().collect(),
            relations: RELATIONS.iter().copied().collect(),
            common_words: COMMON_WORD_SURNAMES.iter().copied().collect(),
            name_kanji: lines(SURNAMES)
                .chain(lines(GIVEN_KANJI))
                .flat_map(str::chars)
                .collect(),
        }
    }

    /// Whether `c` occurs in a listed surname or given name: a kanji run with any
    /// other kanji (情, 策, 報) is hardly a Japanese name and is not tokenized.
    pub(super) fn is_name_kanji(&self, c: char) -> bool {
        self.name_kanji.contains(&c)
    }

    /// The surnames of two or more characters (the triggers of the cheap first pass).
    pub(super) fn long_surnames(&self) -> impl Iterator<Item = &'static str> + '_ {
        lines(SURNAMES).filter(|s| s.chars().count() >= 2)
    }

    /// A listed surname in kanji.
    pub(super) fn is_surname(&self, s: &str) -> bool {
        self.surnames.contains(s)
    }

    /// A listed given name in kanji.
    pub(super) fn is_given_kanji(&self, s: &str) -> bool {
        self.given_kanji.contains(s)
    }

    /// A listed given-name or surname reading in hiragana.
    pub(super) fn is_name_kana(&self, s: &str) -> bool {
        self.given_kana.contains(s) || self.surname_kana.contains(s)
    }

    /// A listed surname reading in hiragana.
    pub(super) fn is_surname_kana(&self, s: &str) -> bool {
        self.surname_kana.contains(s)
    }

    /// A listed given-name reading in hiragana.
    pub(super) fn is_given_kana(&self, s: &str) -> bool {
        self.given_kana.contains(s)
    }

    /// A token that ends a search for a name's boundary (a role word, 者, 員 …).
    pub(super) fn is_stop(&self, s: &str) -> bool {
        if chars_of(s) == 1 {
            STOP_CHARS.contains(s)
        } else {
            self.not_names.contains(s)
        }
    }

    /// A surname that is also an everyday word or a place (小川, 青山, 石川).
    pub(super) fn is_common_word(&self, s: &str) -> bool {
        s.chars().count() == 1 || self.common_words.contains(s)
    }

    /// A role, relation or generic-person word (never a name by itself).
    pub(super) fn is_not_name(&self, s: &str) -> bool {
        self.not_names.contains(s)
    }

    /// A relation or role word after which a bare given name is expected.
    pub(super) fn is_relation(&self, s: &str) -> bool {
        self.relations.contains(s)
    }
}

fn chars_of(s: &str) -> usize {
    s.chars().count()
}
