//! Names recognised from the context encyclopedic and news prose puts around persons:
//!
//! - a lead sentence that defines its subject as a person (`Xは、日本の俳優。`,
//!   `Xは、大阪府出身の俳人。`);
//! - a standalone katakana word the dictionary does not know (or knows as a person)
//!   acting in the sentence (`シラクは`, `ロナウドと`) or followed by a title
//!   (`アーノルド監督`, `アイゼンハワー米大統領`) or by life years (`ツツ(1931年 -`),
//!   preceded by a title, an office or a football position (`外相…に`, `摂政…公`,
//!   `FW…が`, `故…`), followed by a title of peerage (`…伯爵ら`, even after a place's
//!   name) or by a doing of its bearer (`…当選後`, `…自身は`).
//!
//! Both passes look only at short, bounded stretches and tokenize only the candidate
//! itself (cached per scan), so a text without such contexts costs one linear scan.

use std::collections::BTreeMap;

use aho_corasick::AhoCorasick;

use rustc_hash::FxHashSet as HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use super::foreign::{
    foreign_title_follows, of_foreign_person_follows, person_predicate, ForeignNames,
};
use super::kanji_list::{list_flags, listed_name};
use super::{
    boundary_after, chars, forward, is_hiragana, is_kanji, is_katakana, is_person_tag, next_char,
    prev_char, run_end, Candidate, NameDetector, PERSON_ROLES, PERSON_TITLES,
};
use crate::inspect::tokenizer::FineToken;
use crate::inspect::{Document, PosTag};

/// Words for what a person is, ending a lead sentence (`Xは、日本の俳優。`).
const OCCUPATIONS: &[&str] = &[
    "俳優",
    "女優",
    "声優",
    "歌手",
    "選手",
    "投手",
    "捕手",
    "内野手",
    "外野手",
    "騎手",
    "棋士",
    "力士",
    "俳人",
    "歌人",
    "詩人",
    "軍人",
    "武将",
    "武士",
    "大名",
    "旗本",
    "公卿",
    "公家",
    "僧",
    "僧侶",
    "官僚",
    "外交官",
    "裁判官",
    "弁護士",
    "医師",
    "教授",
    "監督",
    "作家",
    "小説家",
    "漫画家",
    "画家",
    "政治家",
    "実業家",
    "芸術家",
    "美術家",
    "音楽家",
    "作曲家",
    "作詞家",
    "評論家",
    "脚本家",
    "演出家",
    "写真家",
    "建築家",
    "工芸家",
    "書家",
    "思想家",
    "活動家",
    "登山家",
    "陶芸家",
    "彫刻家",
    "学者",
    "研究者",
    "指揮者",
    "演奏者",
    "経営者",
    "技術者",
    "タレント",
    "アナウンサー",
    "プロレスラー",
    "レスラー",
    "ボクサー",
    "モデル",
    "アイドル",
    "ミュージシャン",
    "シンガーソングライター",
    "シンガー",
    "ギタリスト",
    "ピアニスト",
    "ヴァイオリニスト",
    "ジャーナリスト",
    "コメディアン",
    "お笑い芸人",
    "芸人",
    "落語家",
    "講談師",
    "プロデューサー",
    "ディレクター",
    "デザイナー",
    "イラストレーター",
    "サッカー選手",
    "皇族",
    "王族",
    "貴族",
    "華族",
    "国王",
    "皇帝",
    "女王",
    "王妃",
    "皇后",
    "人物",
];

/// Particles and punctuation after which a standalone word acts in the sentence
/// (subject, partner, listed with others, object of an action).
const AGENT_AFTER: &[&str] = &["は", "が", "と", "ら", "も", "、"];

/// Endings of katakana loanwords that are no personal name (ウェブアプリケーション,
/// マネージドサービス): the dictionary leaves such compounds unknown.
const LOANWORD_ENDINGS: &[&str] = &[
    "ション",
    "メント",
    "サービス",
    "システム",
    "サーバ",
    "サーバー",
    "ウェア",
    "ファイル",
    "データ",
    "ネット",
    "ワーク",
    "ウォール",
    "アプリ",
    "ポータル",
    "ブラウザ",
    "ソース",
    "ロード",
    "センター",
    "ホテル",
    "アリーナ",
    "スタジアム",
    "バーガー",
    "レーター",
    "ゼーション",
    "ティング",
    "ニング",
    "ビリティ",
    "ティー",
    "リティ",
    "ツール",
    "ング",
    "チェック",
    "クラウド",
    "アプローチ",
    "コンテンツ",
    "ブログ",
    "ロジー",
    "ジック",
    "モード",
    "ドライバ",
    "ドライバー",
    "カード",
    "コード",
    "ボード",
    "メール",
    "ページ",
    "サイト",
    "グループ",
    "チーム",
    "クラブ",
    "リーグ",
    "ズム",
    "ーゼ",
];

/// Katakana words the dictionary lacks that often act in sentences.
const LOANWORDS: &[&str] = &[
    "ランサムウェア",
    "クラウド",
    "ベンダ",
    "ベンダー",
    "リスク",
    "コーチ",
];

/// Whether a katakana word is a loanword by its ending or by [`LOANWORDS`].
pub(super) fn is_loanword(word: &str) -> bool {
    super::affix::affix_set!(LOANWORD_ENDINGS).ends_any(word) || LOANWORDS.contains(&word)
}

/// Whether a standalone katakana word is a loanword ([`is_loanword`]), unless it ends
/// in `-ング` and the foreign name lists hold it as a surname (`-ング` ends gerunds,
/// ハウジング, but also English and German surnames, ハーディング, ヘニング).
pub(super) fn is_loanword_not_surname(word: &str) -> bool {
    is_loanword(word) && !(word.ends_with("ング") && ForeignNames::shared().is_surname(word))
}

/// Position abbreviations of football written right before a player's name
/// (`FW…が加入`); an ASCII letter must not precede them.
const POSITIONS_BEFORE: &[&str] = &["FW", "MF", "DF", "GK"];

/// Titles and offices written right before a name besides those [`glued_title`] knows
/// (`摂政…公`, `外相…`: `glued_title` leaves out titles starting like a place's suffix).
const OFFICES_BEFORE: &[&str] = &[
    "摂政",
    "関白",
    "宰相",
    "国王",
    "女王",
    "皇帝",
    "将軍",
    "提督",
    "元帥",
    "首相",
    "外相",
    "内相",
    "蔵相",
    "法相",
    "国防相",
    "財務相",
];

/// Whether `before` ends with a title or an office standing right before a name
/// (`外相…`, `摂政…`, `FW…`, `…の故…`), not with a place's office (`市長`, `区長`).
fn office_before(before: &str) -> bool {
    if let Some(head) = POSITIONS_BEFORE.iter().find_map(|p| before.strip_suffix(p)) {
        return !head.ends_with(|c: char| c.is_ascii_alphanumeric());
    }
    if let Some(head) = before.strip_suffix('故') {
        // 故… (the late), not 事故, 縁故.
        return !head.ends_with(is_kanji);
    }
    let run = &before[before.len()
        - before
            .chars()
            .rev()
            .take_while(|c| is_kanji(*c))
            .map(char::len_utf8)
            .sum::<usize>()..];
    !run.is_empty() && (glued_title(run) > 0 || OFFICES_BEFORE.iter().any(|o| run.ends_with(o)))
}

/// Kanji words glued after a name that speak of its bearer's life or doings
/// (`…当選後`, `…自身は`, `…来日時`).
const PERSON_EVENTS_AFTER: &[&str] = &[
    "当選", "落選", "就任", "退任", "辞任", "退陣", "暗殺", "死去", "逝去", "来日", "訪日", "自身",
    "夫妻", "亡き",
];

/// Whether `rest` starts with one of [`PERSON_EVENTS_AFTER`].
fn person_event_follows(rest: &str) -> bool {
    PERSON_EVENTS_AFTER.iter().any(|w| rest.starts_with(w))
}

/// Titles of peerage, often borne with a place's name (`…伯爵`, `…公爵`, `…公は`).
const PEERAGE_TITLES: &[&str] = &[
    "公爵", "侯爵", "伯爵", "子爵", "男爵", "大公", "公", "伯", "卿",
];

/// Whether `rest` starts with a title of peerage followed by no kanji or katakana
/// (`伯爵ら`, `公は`, but not `公園`, `伯爵家`, nor `子爵…`: there the title is part of
/// the bearer's full name that follows).
fn peerage_follows(rest: &str) -> bool {
    PEERAGE_TITLES.iter().any(|t| {
        rest.strip_prefix(t)
            .is_some_and(|after| !after.starts_with(|c: char| is_kanji(c) || is_katakana(c)))
    })
}

/// Words that mark a sentence as one about a person (life events, family, speech).
const PERSON_CONTEXT: &[&str] = &[
    "生まれ",
    "死去",
    "死亡",
    "結婚",
    "就任",
    "退任",
    "演じ",
    "彼",
    "彼女",
    "夫人",
    "妻",
    "息子",
    "娘",
    "父",
    "母",
    "兄",
    "弟",
    "姉",
    "妹",
    "自身",
    "述べ",
    "語っ",
    "語り",
    "選手",
    "監督",
    "大統領",
    "首相",
    "作曲",
    "執筆",
    "著書",
    "出演",
    "歌っ",
    "指揮",
    "亡くな",
    "逝去",
    "即位",
    "皇帝",
    "会談",
    "辞任",
    "引退",
    "師事",
    "弟子",
    "卒業",
    "入学",
    "留学",
    "教授",
    "博士",
    "受賞",
    "任命",
    "暗殺",
    "処刑",
    "殺害",
    "逮捕",
    "友人",
    "恋人",
    "愛人",
    "氏",
];

/// Words that mark a sentence as one about a company, a product, a place or a work.
const THING_CONTEXT: &[&str] = &[
    "移籍",
    "期限付き",
    "トレード",
    "フィルハーモニ",
    "社",
    "企業",
    "製品",
    "発売",
    "販売",
    "開発",
    "設立",
    "ブランド",
    "チーム",
    "店",
    "工場",
    "航空",
    "鉄道",
    "駅",
    "州",
    "市",
    "属",
    "川",
    "島",
    "バンド",
    "グループ",
    "アルバム",
    "シングル",
    "曲",
    "番組",
    "映画",
    "ゲーム",
    "ソフト",
    "車",
    "機",
    "艦",
    "号",
    "クラブ",
    "リーグ",
    "大会",
    "楽団",
    "劇場",
    "ホテル",
    "空港",
    "港",
    "線",
    "システム",
    "サービス",
    "データ",
    "情報",
    "端末",
    "機器",
    "規定",
    "対策",
];

/// Characters of context searched before and after a word for [`PERSON_CONTEXT`] and
/// [`THING_CONTEXT`].
const CONTEXT_BEFORE_CHARS: usize = 30;
const CONTEXT_AFTER_CHARS: usize = 60;

/// Whether the text around `r` speaks of a person and not of a thing.
pub(super) fn about_person(text: &str, r: Range<usize>) -> bool {
    let (person, thing) = sentence_context(text, r);
    person && !thing
}

/// Whether the text around `r` speaks of a person, or of no thing at all.
pub(super) fn about_person_or_no_thing(text: &str, r: Range<usize>) -> bool {
    let (person, thing) = sentence_context(text, r);
    person || !thing
}

/// Whether the text around `r` speaks of a person, and whether of a thing.
fn sentence_context(text: &str, r: Range<usize>) -> (bool, bool) {
    let mut from = r.start;
    for (i, _) in text[..r.start]
        .char_indices()
        .rev()
        .take(CONTEXT_BEFORE_CHARS)
    {
        from = i;
    }
    let to = text[r.end..]
        .char_indices()
        .nth(CONTEXT_AFTER_CHARS)
        .map_or(text.len(), |(j, _)| r.end + j);
    let (before, after) = (&text[from..r.start], &text[r.end..to]);
    // One automaton per list, built on first use (a substring search per listed
    // word cost a hundred searches per katakana word).
    static AUTOMATA: OnceLock<Option<[AhoCorasick; 2]>> = OnceLock::new();
    let automata =
        AUTOMATA.get_or_init(|| Some([super::dfa(PERSON_CONTEXT)?, super::dfa(THING_CONTEXT)?]));
    let has = |list: &[&str], ac: Option<&AhoCorasick>| match ac {
        Some(ac) => ac.is_match(before) || ac.is_match(after),
        None => list.iter().any(|w| before.contains(w) || after.contains(w)),
    };
    (
        has(PERSON_CONTEXT, automata.as_ref().map(|[p, _]| p)),
        has(THING_CONTEXT, automata.as_ref().map(|[_, t]| t)),
    )
}

/// Longest subject of a lead sentence, in characters.
const MAX_LEAD_CHARS: usize = 24;
/// Longest lead sentence searched for an occupation, in characters.
const MAX_LEAD_SENTENCE_CHARS: usize = 80;
/// Longest standalone katakana name, in characters.
const MAX_KATAKANA_CHARS: usize = 40;

fn is_name_joiner(c: char) -> bool {
    matches!(c, '・' | '=' | '゠')
}

/// Last characters of kanji words for a person's role or origin (刑事, 軍人, 国王,
/// 商館長, 司法長官, 原作者), after which a katakana name may follow directly.
const PERSON_WORD_ENDINGS: &str = "者人官長王帝妃卿師士員将事手家主";

/// Words ending like a person word that stand before no name (財団法人, 事業者).
const NOT_PERSON_WORDS: &[&str] = &[
    "株主",
    "民主",
    "法人",
    "個人",
    "本人",
    "他人",
    "各人",
    "業者",
    "管理者",
    "利用者",
    "関係者",
    "担当者",
    "責任者",
    "所有者",
    "提供者",
    "事業者",
    "消費者",
    "第三者",
    "技術者",
    "有識者",
];

/// Whether `before` ends with a kanji word for a person (a role, a title, an
/// occupation, or a word ending like one: 刑事, 軍人, ロシア人, 商館長).
pub(super) fn person_word_before(before: &str) -> bool {
    let before = before.strip_suffix(['・', ' ', 'の']).unwrap_or(before);
    let Some((i, last)) = prev_char(before, before.len()) else {
        return false;
    };
    if !is_kanji(last) {
        return false;
    }
    // Not a place or an organisation (東京都人, 大阪市長 are rare; 市役所 etc. are not
    // person words at all).
    let word_start = before[..i]
        .char_indices()
        .rev()
        .take(6)
        .take_while(|(_, c)| is_kanji(*c))
        .last()
        .map_or(i, |(j, _)| j);
    let word = &before[word_start..];
    PERSON_WORD_ENDINGS.contains(last)
        && chars(word) >= 2
        && !NOT_PERSON_WORDS.iter().any(|w| word.ends_with(w))
        || ends_with_listed(word, person_word_set())
        || ends_with_kin(before)
}

/// A word list as a hash set plus its longest entry in characters, for suffix
/// look-ups: whether a text ends with one of the words is at most that many probes,
/// not one comparison per word.
struct SuffixSet {
    words: HashSet<&'static str>,
    max_chars: usize,
}

impl SuffixSet {
    fn new<'a>(lists: impl IntoIterator<Item = &'a [&'static str]>) -> Self {
        let words: HashSet<&'static str> = lists.into_iter().flatten().copied().collect();
        let max_chars = words.iter().map(|w| chars(w)).max().unwrap_or(0);
        SuffixSet { words, max_chars }
    }
}

/// Whether `text` ends with a word of `set`; calls `accept(start, word)` with the
/// byte offset where the word starts, shortest words first, until it returns true.
fn ends_with_listed_where(
    text: &str,
    set: &SuffixSet,
    mut accept: impl FnMut(usize, &str) -> bool,
) -> bool {
    text.char_indices()
        .rev()
        .take(set.max_chars)
        .any(|(i, _)| set.words.contains(&text[i..]) && accept(i, &text[i..]))
}

/// Whether `text` ends with a word of `set`.
fn ends_with_listed(text: &str, set: &SuffixSet) -> bool {
    ends_with_listed_where(text, set, |_, _| true)
}

/// [`OCCUPATIONS`] and [`PERSON_ROLES`], for [`person_word_before`].
fn person_word_set() -> &'static SuffixSet {
    static SET: OnceLock<SuffixSet> = OnceLock::new();
    SET.get_or_init(|| SuffixSet::new([OCCUPATIONS, PERSON_ROLES]))
}

/// [`KIN`], for [`ends_with_kin`].
fn kin_set() -> &'static SuffixSet {
    static SET: OnceLock<SuffixSet> = OnceLock::new();
    SET.get_or_init(|| SuffixSet::new([KIN]))
}

/// Kinship words a name may follow (三女の悦子は, 父・林文察は).
const KIN: &[&str] = &[
    "父", "母", "兄", "弟", "姉", "妹", "妻", "夫", "子", "娘", "息子", "孫", "長男", "次男",
    "三男", "四男", "長女", "次女", "三女", "四女", "祖父", "祖母", "叔父", "叔母", "伯父", "伯母",
    "甥", "姪", "養子", "嫡子", "嫡男", "後妻", "前妻", "先妻", "夫人", "母親", "父親",
];

/// Whether `before` ends with a kinship word standing as a word of its own.
fn ends_with_kin(before: &str) -> bool {
    ends_with_listed_where(before, kin_set(), |start, k| {
        // 三女 rather than 王子 inside 皇太子: one character of context is enough
        // to rule out most compounds.
        chars(k) >= 2 || !before[..start].ends_with(is_kanji)
    })
}

/// Titles of officials written right after a name, besides the job titles the
/// other passes know (蔵相, 外相, 総裁 …).
const EXTRA_TITLES: &[&str] = &[
    "蔵相",
    "外相",
    "法相",
    "文相",
    "厚相",
    "農相",
    "蔵相",
    "総裁",
    "総督",
    "知事",
    "代表",
    "党首",
    "幹事長",
    "委員長",
    "総統",
    "主席",
    "書記",
    "長官",
    "大使",
    "少将",
    "中将",
    "大将",
    "大佐",
    "中佐",
    "少佐",
    "大尉",
    "中尉",
    "少尉",
    "艦長",
    "親方",
    "師匠",
    "名人",
    "九段",
    "八段",
    "七段",
    "六段",
    "五段",
    "四段",
    "三段",
    "二段",
    "初段",
    "横綱",
    "大関",
    "関脇",
    "小結",
    "牧師",
    "神父",
    "住職",
    "和尚",
    "法師",
    "上人",
    "禅師",
    "検事",
    "判事",
    "記者",
];

/// Titles of two to four characters, for [`glued_title`].
/// Also the set of their last characters.
fn title_set() -> &'static (HashSet<&'static str>, HashSet<char>) {
    static SET: OnceLock<(HashSet<&'static str>, HashSet<char>)> = OnceLock::new();
    SET.get_or_init(|| {
        let titles: HashSet<&'static str> = super::TITLES
            .iter()
            .chain(PERSON_TITLES)
            .chain(EXTRA_TITLES)
            .copied()
            // 中村区長, 上田市長: the head of a place, not a name.
            .filter(|t| {
                (2..=4).contains(&chars(t))
                    && !t.starts_with(|c: char| super::PLACE_SUFFIXES.contains(c))
            })
            .collect();
        let last_chars = titles
            .iter()
            .filter_map(|t| t.chars().next_back())
            .collect();
        (titles, last_chars)
    })
}

/// The byte length of the longest title that ends the kanji run `run`
/// (`吉田茂首相` → `首相`), or 0: at most three hash look-ups.
pub(super) fn glued_title(run: &str) -> usize {
    let (set, last_chars) = title_set();
    // Most runs end in no title's last character: one probe instead of three.
    if !run
        .chars()
        .next_back()
        .is_some_and(|c| last_chars.contains(&c))
    {
        return 0;
    }
    // Byte offsets of the last four characters, last first (one walk back).
    let mut starts = [None; 4];
    for (slot, (i, _)) in starts.iter_mut().zip(run.char_indices().rev()) {
        *slot = Some(i);
    }
    starts[1..]
        .iter()
        .rev()
        .flatten()
        .find(|&&i| set.contains(&run[i..]))
        .map_or(0, |&i| run.len() - i)
}

/// What follows a place or an event rather than a person (田中の方面, 嘉吉の乱).
pub(super) const LOCATIVE_AFTER: &[&str] = &[
    "の乱",
    "の陣",
    "の戦",
    "の役",
    "の変",
    "の城",
    "の港",
    "の海",
    "の山",
    "の川",
    "の地",
    "の町",
    "の村",
    "の里",
    "の方面",
    "の周辺",
    "の近く",
    "の付近",
    "の北",
    "の南",
    "の東",
    "の西",
    "の出身",
    "に住",
    "に移",
    "に着",
    "に至",
    "に向",
    "に入",
    "に到",
];

/// Nouns that, after `の`, belong to a person (ドストエフスキーの小説, シラクの妻).
const OF_PERSON: &[&str] = &[
    "妻",
    "夫",
    "息子",
    "娘",
    "長男",
    "長女",
    "次男",
    "次女",
    "父",
    "母",
    "兄",
    "弟",
    "姉",
    "妹",
    "弟子",
    "師匠",
    "友人",
    "恋人",
    "愛人",
    "死",
    "没後",
    "死後",
    "生涯",
    "自伝",
    "伝記",
    "肖像",
    "遺体",
    "墓",
    "後任",
    "前任",
    "後継者",
    "著書",
    "小説",
    "詩",
    "戯曲",
    "指導",
    "推薦",
    "命令",
    "下で",
    "娘婿",
    "孫",
    "甥",
    "姪",
    "生家",
    "葬儀",
    "功績",
    "言葉",
    "発言",
    "演技",
    "曽孫",
    "玄孫",
    "遺言",
    "遺志",
    "人柄",
    "家庭",
    "家族",
    "応援",
];

/// Whether `word` is one of the words that belong to a person ([`OF_PERSON`]: `曽孫`,
/// `遺言`), which a two-kanji name never is.
pub(super) fn is_of_person_word(word: &str) -> bool {
    OF_PERSON.contains(&word)
}

/// Whether `rest` is `の` followed by something that belongs to a person.
pub(super) fn of_person_follows(rest: &str) -> bool {
    rest.strip_prefix('の')
        .is_some_and(|r| OF_PERSON.iter().any(|w| r.starts_with(w)))
}

/// Whether `s` ends with a title for a person, possibly after a short kanji
/// qualifier (`監督`, `米大統領`, `元首相`).
pub(super) fn title_follows(rest: &str) -> bool {
    let titles = || {
        PERSON_TITLES
            .iter()
            .chain(super::TITLES)
            .chain(EXTRA_TITLES)
    };
    if !rest.starts_with(is_kanji) {
        return rest.starts_with("さん");
    }
    let head: String = rest.chars().take_while(|c| is_kanji(*c)).take(6).collect();
    if head.is_empty() {
        return titles().any(|t| rest.starts_with(t));
    }
    titles().any(|t| head.ends_with(t) && chars(&head) - chars(t) <= 2)
}

/// Titles of state, army and peerage: after a katakana word they name a person even
/// when the word is also a company's (`フォード大統領`).
const STATE_TITLES: &[&str] = &[
    "大統領",
    "首相",
    "国務長官",
    "書記長",
    "外相",
    "議員",
    "大将",
    "中将",
    "少将",
    "大佐",
    "中佐",
    "少佐",
    "元帥",
    "提督",
    "公爵",
    "侯爵",
    "伯爵",
    "子爵",
    "男爵",
];

/// Whether `rest` starts with one of [`STATE_TITLES`], after at most two kanji of a
/// country or a rank (`米大統領`, `元首相`, `ソ連書記長`), and no kanji follows it.
fn state_title_follows(rest: &str) -> bool {
    let head = &rest[..run_end(rest, 0, is_kanji)];
    if head.is_empty() {
        return false;
    }
    STATE_TITLES.iter().any(|t| {
        head.strip_suffix(t)
            .is_some_and(|prefix| chars(prefix) <= 2)
    })
}

/// Kanji words for what a person does or is, written right after a full name
/// (`…指揮`, `…作曲`, `…率いる`, `…相手に`, `…時代の`, `…一等兵`).
const PERSON_ACTS_AFTER: &[&str] = &[
    "指揮",
    "作曲",
    "作詞",
    "編曲",
    "脚本",
    "監修",
    "率い",
    "相手",
    "会談",
    "政権",
    "夫妻",
    "自身",
    "本人",
    "一家",
    "主演",
    "時代",
    "一等兵",
    "二等兵",
    "上等兵",
];

/// Whether `rest` starts with one of [`PERSON_ACTS_AFTER`].
pub(super) fn person_act_follows(rest: &str) -> bool {
    PERSON_ACTS_AFTER.iter().any(|w| rest.starts_with(w))
}

/// Whether life years in parentheses follow: `(1920年 - 1990年)`, `(1920-`.
fn years_follow(rest: &str) -> bool {
    let Some(inner) = rest.strip_prefix('(') else {
        return false;
    };
    let digits = inner.chars().take_while(char::is_ascii_digit).count();
    (3..=4).contains(&digits) && {
        let after = &inner[digits..];
        after.starts_with('年') || after.starts_with(" -") || after.starts_with('-')
    }
}

impl NameDetector {
    /// The subject of a lead sentence that defines it as a person:
    /// `後藤夜半は、大阪府出身の俳人。`.
    pub(super) fn lead_subjects(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        for at in memchr::memmem::find_iter(text.as_bytes(), "は、") {
            // The subject starts the text or a sentence.
            let mut start = at;
            let mut n = 0;
            while let Some((i, c)) = prev_char(text, start) {
                if n > MAX_LEAD_CHARS || matches!(c, '。' | '\n' | '」') {
                    break;
                }
                start = i;
                n += 1;
            }
            if n == 0 || n > MAX_LEAD_CHARS || start == at {
                continue;
            }
            if prev_char(text, start).is_some_and(|(_, c)| !matches!(c, '。' | '\n')) {
                continue;
            }
            let subject = text[start..at].trim();
            let start = at - subject.len();
            if !self.subject_like(subject) {
                continue;
            }
            let sentence_start = at + "は、".len();
            // The sentence up to its end, or its first clauses when it runs on
            // (`…の政治家であり、…市長、…`): only whole clauses are read below.
            let mut clauses_end = None;
            let mut cut = None;
            for (j, c) in text[sentence_start..]
                .char_indices()
                .take(MAX_LEAD_SENTENCE_CHARS)
            {
                match c {
                    '。' => {
                        cut = Some(sentence_start + j);
                        break;
                    }
                    '、' | ',' => clauses_end = Some(sentence_start + j),
                    _ => {}
                }
            }
            let Some(sentence_end) = cut.or(clauses_end) else {
                continue;
            };
            let sentence = &text[sentence_start..sentence_end];
            let person = sentence
                .split(['、', ','])
                .map(|part| {
                    ["である", "であり", "で"]
                        .iter()
                        .find_map(|c| part.strip_suffix(c))
                        .unwrap_or(part)
                })
                .any(|part| {
                    OCCUPATIONS.iter().any(|o| {
                        part.strip_suffix(o).is_some_and(|head| {
                            head.is_empty()
                                || head.ends_with('の')
                                || head.ends_with(|c: char| is_kanji(c) || is_katakana(c))
                        })
                    })
                });
            if person {
                found.push(Candidate {
                    range: start..at,
                    detector: "name.lead",
                    confidence: 0.75,
                    reason: "subject of a sentence describing a person",
                });
            }
        }
    }

    /// Whether `s` may be a person's name as the subject of a lead sentence.
    fn subject_like(&self, s: &str) -> bool {
        let n = chars(s);
        if n == 0 || n > MAX_LEAD_CHARS || self.lex.is_not_name(s) {
            return false;
        }
        let ok_chars = s.chars().all(|c| {
            is_kanji(c)
                || is_katakana(c)
                || is_name_joiner(c)
                || c.is_ascii_alphabetic()
                || matches!(c, ' ' | '.' | '・')
        });
        // No hiragana: a phrase (日本との関係で), not a name.
        ok_chars && !s.contains(is_hiragana)
    }

    /// A standalone katakana word the dictionary does not know, acting in the sentence
    /// or followed by a person's title or life years.
    pub(super) fn standalone_katakana(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let taken = Taken::new(found);
        let overlaps = |r: &Range<usize>| taken.overlaps(r);
        let mut new = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            // Every katakana is encoded E3 82 xx or E3 83 xx: skip other bytes without
            // decoding (0xE3 always leads a character, so `i` stays on a boundary).
            while i < bytes.len()
                && !(bytes[i] == 0xE3 && matches!(bytes.get(i + 1), Some(0x82 | 0x83)))
            {
                i += 1;
            }
            let Some(c) = next_char(text, i) else { break };
            if !is_katakana(c) {
                i += c.len_utf8();
                continue;
            }
            let start = i;
            // Each character is read once: the scan resumes after the run.
            let mut end = i;
            let mut n = 0;
            for (j, c) in text[i..].char_indices() {
                if !(is_katakana(c) || is_name_joiner(c)) {
                    break;
                }
                end = i + j + c.len_utf8();
                n += 1;
            }
            i = end;
            // Chains joined by `・` are the business of `katakana_names`.
            if !(2..=MAX_KATAKANA_CHARS).contains(&n) || text[start..end].contains(is_name_joiner) {
                continue;
            }
            if let Some(c) = self.katakana_in_context(doc, start..end) {
                if !overlaps(&c.range) {
                    new.push(c);
                }
            }
        }
        found.append(&mut new);
    }

    fn katakana_in_context(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let before = prev_char(text, r.start).map(|(_, c)| c);
        let word = &text[r.clone()];
        let rest = &text[r.end..];
        // A title of state, army or peerage (`…大統領`, `…少将`, `…米国務長官`) names a
        // person even after a word that is also a company (フォード) or glued to a kanji
        // word (`ソ連側…少将`); a place before one is a country's office (アメリカ大統領).
        let state_titled = state_title_follows(rest);
        if is_loanword_not_surname(word)
            || super::foreign::never_a_name(word)
            || super::foreign::thing_tail(word)
            || ForeignNames::shared().is_thing(word) && !state_titled
        {
            return None;
        }
        // A word broken across lines or columns (イ  ンシデント), or a part of a chain.
        let trimmed = text[..r.start].trim_end_matches([' ', '\u{3000}', '\n', '\r', '\t']);
        // A line may also start with the rest of a word broken across pages
        // (アク / - 135 - / セスがない): there only a title or life years count.
        let line_start = before == Some('\n');
        if trimmed.len() < r.start && trimmed.ends_with(is_katakana)
            || before.is_some_and(is_name_joiner)
        {
            return None;
        }
        // A foreign name the lists know (ヒトラー), whatever IPADIC tags it as.
        let listed = ForeignNames::shared().is_surname(word);
        let titled = title_follows(rest) || foreign_title_follows(rest);
        // A plural team or band name (フィリーズが勝利) is a person only with a title.
        if !titled && super::foreign::plural_thing(word) {
            return None;
        }
        let years = years_follow(rest);
        let subject = rest.starts_with(['は', 'が', 'ら']);
        let agent = AGENT_AFTER.iter().any(|p| rest.starts_with(p));
        // A title or an office right before (`外相…に`, `FW…が`), a title of peerage or
        // a doing of the person right after (`…伯爵ら`, `…当選後`).
        let office = office_before(&text[..r.start]);
        let peerage = peerage_follows(rest);
        let event = person_event_follows(rest);
        if before.is_some_and(|c| {
            c.is_ascii_alphanumeric() && !office || (c == '「' || c == '『') && !state_titled
        }) {
            return None;
        }
        let glued = before.is_some_and(is_kanji);
        // Cheap checks first: most katakana words have no cue at all.
        if !(titled
            || years
            || agent
            || glued
            || office
            || peerage
            || event
            || rest.starts_with(['の', 'に', 'を'])
            || text[..r.start].ends_with(['の', '・']))
        {
            return None;
        }
        // Glued to a kanji word (ロシア|人 is fine, 東京|タワー is not).
        let roled = PERSON_ROLES.iter().any(|role| {
            let b = &text[..r.start];
            b.ends_with(role)
                || b.strip_suffix(['の', '・'])
                    .is_some_and(|b| b.ends_with(role))
        }) || text[..r.start].ends_with('人')
            && text[..r.start - '人'.len_utf8()].ends_with(is_katakana)
            || person_word_before(&text[..r.start])
            || super::foreign::person_word_before(&text[..r.start]);
        let roled = roled || office;
        if glued && !roled && !state_titled {
            return None;
        }
        if rest.starts_with(is_kanji) && !(titled || peerage || event) {
            return None;
        }
        let of_person = of_person_follows(rest) || of_foreign_person_follows(rest);
        // A particle, then a clause that speaks of a person (…は激怒した, …に率いられた).
        let acts = !(titled || years || roled || of_person || line_start) && person_predicate(rest);
        let strong =
            titled || years || roled || peerage || event || (!line_start && of_person) || acts;
        let weak_ok = || {
            if line_start || !(subject || agent) || super::foreign::thing_exists(rest) {
                return false;
            }
            if listed && super::foreign::listed_subject_clause(rest) {
                return true;
            }
            let (person, thing) = sentence_context(text, r.clone());
            if subject {
                !thing || person
            } else {
                agent && (person || listed) && !thing
            }
        };
        if !(strong || weak_ok()) {
            return None;
        }
        // A common word the dictionary also lists as a person (リスト, ラベル) is
        // a name only with a title, life years or a role.
        let weak = !(titled
            || years
            || roled
            || peerage
            || event
            || of_person
            || acts
            || rest.starts_with(['は', 'が', 'と', 'ら']));
        if listed {
            return Some(katakana_candidate(r, "listed foreign name in context"));
        }
        let toks = self.window(doc, r.clone());
        // Peerage is borne with a place's name (`…伯爵`); an office before a word the
        // dictionary knows as a place or a proper noun makes it a person (`摂政…公`).
        let word_ok = |t: &FineToken| {
            t.pos == PosTag::Unknown
                || is_person_tag(t)
                || state_titled && matches!(t.pos, PosTag::Organization | PosTag::ProperOther)
                || office && matches!(t.pos, PosTag::Place | PosTag::ProperOther)
        };
        if peerage {
            return Some(katakana_candidate(
                r,
                "katakana name with a title of peerage",
            ));
        }
        if toks.is_empty()
            || !toks.iter().all(word_ok)
            || (weak && toks.iter().any(|t| t.pos != PosTag::Unknown))
        {
            return None;
        }
        Some(katakana_candidate(r, "katakana name in context"))
    }
}

/// A single katakana word found by [`NameDetector::katakana_in_context`], for `reason`.
fn katakana_candidate(range: Range<usize>, reason: &'static str) -> Candidate {
    Candidate {
        range,
        detector: "name.katakana",
        confidence: 0.6,
        reason,
    }
}

/// Longest kanji run checked for a full name the dictionary knows, in characters.
const MAX_KANJI_NAME_CHARS: usize = 6;
/// Longest kanji run searched for a name glued after a title, in characters.
const MAX_GLUED_RUN_CHARS: usize = 16;

impl NameDetector {
    /// A kanji run the dictionary reads as a person from start to end (`垣根|涼介`,
    /// `犬養|毅`, or a lone surname `畔柳` acting in the sentence), standing as a word
    /// of its own. Only runs followed by a particle or punctuation are tokenized.
    pub(super) fn known_kanji_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let taken = Taken::new(found);
        let overlaps = |r: &Range<usize>| taken.overlaps(r);
        let mut new = Vec::new();
        for (run, n) in super::KanjiRuns::new(text) {
            let (start, end) = (run.start, run.end);
            if !(2..=MAX_GLUED_RUN_CHARS).contains(&n)
                || prev_char(text, start)
                    .is_some_and(|(_, c)| is_katakana(c) || c.is_ascii_alphanumeric())
            {
                continue;
            }
            // Cheap check first: the run must end a phrase.
            if !boundary_after(text, end) {
                continue;
            }
            if n > MAX_KANJI_NAME_CHARS + 3 {
                // Too long for a name: only a name after a glued title (分隊長牧秀雄).
                if let Some(c) = self.after_glued_title(doc, start..end) {
                    if !overlaps(&c.range) {
                        new.push(c);
                    }
                }
                continue;
            }
            // A title glued to the name (吉田茂首相, 竹下登蔵相): the name ends before it.
            let title = glued_title(&text[start..end]);
            let r = start..end - title;
            if title > 0 && chars(&text[r.clone()]) < 2 {
                continue;
            }
            // Cheap before tokenizing: every kanji occurs in some listed name.
            // (A Chinese or Korean surname may be missing from the Japanese lists.)
            let body = &text[r.clone()];
            let body = match body.chars().next() {
                Some(c) if super::is_cn_kr_surname(c) => &body[c.len_utf8()..],
                _ => body,
            };
            if !body.chars().all(|c| self.lex.is_name_kanji(c)) {
                if let Some(c) = self.after_glued_title(doc, r.clone()) {
                    if !overlaps(&c.range) {
                        new.push(c);
                    }
                }
                continue;
            }
            if let Some(c) = self
                .known_kanji_name(doc, r.clone())
                .or_else(|| self.after_glued_title(doc, r.clone()))
            {
                if !overlaps(&c.range) {
                    new.push(c);
                }
            }
        }
        found.append(&mut new);
    }

    /// A full name glued after a title or a word for a person in one kanji run
    /// (`分隊長牧秀雄は`, `設計者李元馥の`): the name starts after the title.
    fn after_glued_title(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        let n = chars(run);
        // The name: the last three or four kanji, after a title of two or more.
        (3..=4).rev().find_map(|k| {
            if n < k + 2 {
                return None;
            }
            let (cut, _) = run.char_indices().rev().nth(k - 1)?;
            let head = &run[..cut];
            let titled = glued_title(head) > 0 || person_word_before(head);
            if !titled || !run[cut..].chars().all(|c| self.lex.is_name_kanji(c)) {
                return None;
            }
            let c = self.known_kanji_name(doc, r.start + cut..r.end)?;
            (c.confidence >= 0.65).then_some(c)
        })
    }

    fn known_kanji_name(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let rest = &text[r.end..];
        // `、` follows most kanji words in a list of terms: there, as before an
        // object particle, only listed names are looked at.
        let agent = rest.starts_with(['は', 'が', 'と', 'ら', 'も']);
        let titled = title_follows(rest) && rest.starts_with(is_kanji);
        let other = rest.starts_with([
            '、', 'の', 'に', 'を', 'へ', 'で', 'や', '。', ')', '」', '(',
        ]);
        if !(agent || other || titled) {
            return None;
        }
        let word = &text[r.clone()];
        if self.lex.is_not_name(word) || self.lex.is_stop(word) {
            return None;
        }
        // Before an object particle only a listed surname or given name at the edge
        // makes tokenizing worth it (most kanji words in a text stand there).
        if !(agent || titled) {
            let n = chars(word);
            // `k` characters before the cut at byte `i`, `n - k` after it.
            let listed_edge = self.lex.is_surname(word)
                || word.char_indices().enumerate().skip(1).any(|(k, (i, _))| {
                    (k <= 3 && self.lex.is_surname(&word[..i]))
                        || (n - k <= 3 && self.lex.is_given_kanji(&word[i..]))
                });
            if !listed_edge {
                return None;
            }
        }
        // A Chinese or Korean name (徐平が, 胡一虎は): a one-kanji surname and a given
        // name the dictionary does not read as a common word (its own window: the
        // dictionary may glue the particle on, 平が).
        if (2..=3).contains(&chars(word))
            && word.starts_with(super::is_cn_kr_surname)
            && (agent || titled)
        {
            let own = self.window(doc, r.clone());
            let cn = own.len() >= 2
                && !own.iter().any(|t| {
                    t.suffix
                        || t.prefix
                        || matches!(
                            t.pos,
                            PosTag::Particle | PosTag::Other | PosTag::PlaceSuffix
                        )
                        || (matches!(t.pos, PosTag::Noun | PosTag::Number)
                            && chars(&text[t.range.clone()]) >= 2)
                });
            if cn {
                return Some(Candidate {
                    range: r,
                    detector: "name.morph",
                    confidence: 0.55,
                    reason: "Chinese or Korean name",
                });
            }
        }
        // Cheap before tokenizing (most runs stop here): below, a word of one or two
        // kanji can only be a lone name or a name after a word for a person, and both
        // need a word that is no common word followed by a subject or object particle
        // or a title (a listed split and a full name need three kanji or more).
        if chars(word) <= 2
            && (self.lex.is_common_word(word)
                || !(rest.starts_with(['は', 'が', 'ら', 'と'])
                    || titled
                    || (rest.starts_with(['の', 'に', 'を'])
                        && !LOCATIVE_AFTER.iter().any(|l| rest.starts_with(l)))))
        {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, r.end, 1));
        let inside: Vec<&crate::inspect::tokenizer::FineToken> =
            toks.iter().filter(|t| t.range.end <= r.end).collect();
        // Right after a word for a person (作者の伏見は, 社長の金載昊と, 父・林文察は),
        // a word acting in the sentence is a name unless the dictionary knows it as
        // a common word.
        let after_person = text[..r.start]
            .strip_suffix(['の', '・'])
            .is_some_and(|b| person_word_before(b) || ends_with_kin(b));
        if after_person
            && rest.starts_with(['は', 'が', 'と', 'ら'])
            && chars(word) <= 5
            && !self.lex.is_common_word(word)
            && inside.last().is_some_and(|t| t.range.end == r.end)
            && chars(word) >= 2
            && (inside.len() >= 2 || inside.first().is_some_and(|t| t.range == r))
            && inside.iter().all(|t| {
                // One-kanji pieces of an unlisted name (金|載|昊, 浩三|郎).
                (inside.len() >= 2
                    && chars(&text[t.range.clone()]) == 1
                    && t.pos != PosTag::Particle)
                    || !t.suffix
                        && !t.prefix
                        && matches!(
                            t.pos,
                            PosTag::Surname
                                | PosTag::GivenName
                                | PosTag::PersonOther
                                | PosTag::Place
                                | PosTag::ProperOther
                                | PosTag::Unknown
                        )
            })
        {
            return Some(Candidate {
                range: r,
                detector: "name.role",
                confidence: 0.6,
                reason: "name after a word for a person",
            });
        }
        if inside.is_empty() || inside.last().is_some_and(|t| t.range.end != r.end) {
            return None;
        }
        if self.listed_split(text, word, r.start, &inside) {
            return Some(Candidate {
                range: r,
                detector: "name.list",
                confidence: 0.65,
                reason: "listed surname and given name",
            });
        }
        if !inside.iter().all(|t| is_person_tag(t)) {
            return None;
        }
        // A one-kanji "surname" is mostly a prefix or a common word (小|文字, 関|等).
        let full = inside.len() >= 2
            && inside[0].pos == PosTag::Surname
            && chars(&text[inside[0].range.clone()]) >= 2
            && chars(word) >= 3
            && inside.last().is_some_and(|t| {
                // A one-kanji given name only after a listed surname (犬養|毅, not 高品|質).
                chars(&text[t.range.clone()]) >= 2
                    || self.lex.is_surname(&text[inside[0].range.clone()])
            })
            && inside.iter().any(|t| t.pos == PosTag::GivenName);
        let lone = inside.len() == 1
            && (inside[0].pos == PosTag::Surname
                || (inside[0].pos == PosTag::GivenName && self.lex.is_given_kanji(word))
                // A person the dictionary knows as a whole (毛沢東, 大海人皇子).
                || (inside[0].pos == PosTag::PersonOther && chars(word) >= 2))
            && (rest.starts_with(['は', 'が', 'ら', 'と'])
                || titled
                // Before の, に, を only a listed name the dictionary agrees on.
                || (rest.starts_with(['の', 'に', 'を'])
                    && (self.lex.is_surname(word) || chars(word) >= 2)
                    && !LOCATIVE_AFTER.iter().any(|l| rest.starts_with(l))))
            && !self.lex.is_common_word(word);
        (full || lone).then_some(Candidate {
            range: r,
            detector: "name.morph",
            confidence: if full { 0.7 } else { 0.55 },
            reason: "name known to the dictionary",
        })
    }
}

impl NameDetector {
    /// Whether `word` (starting at byte `at`, tokens `inside`) is a listed surname
    /// followed by a listed given name, and the dictionary cuts it there without
    /// reading either part as a common word or a suffix (`吉田茂`, `林有造`, not
    /// `中村区`, `田中町`).
    fn listed_split(
        &self,
        text: &str,
        word: &str,
        at: usize,
        inside: &[&crate::inspect::tokenizer::FineToken],
    ) -> bool {
        let n = chars(word);
        if !(3..=5).contains(&n) {
            return false;
        }
        let clean = inside.iter().all(|t| {
            !t.suffix
                && !t.prefix
                && t.pos != PosTag::PlaceSuffix
                && t.pos != PosTag::Organization
                && !(t.pos == PosTag::Noun && chars(&text[t.range.clone()]) >= 2)
        });
        clean
            && word.char_indices().skip(1).any(|(i, _)| {
                let (s, g) = (&word[..i], &word[i..]);
                (chars(s) >= 2 || chars(g) >= 2)
                    && self.lex.is_surname(s)
                    && self.lex.is_given_kanji(g)
                    && inside.iter().any(|t| t.range.end == at + i)
            })
    }
}

/// Separators between items of an enumeration (`前田青邨、中村岳陵、長野草風`).
const LIST_SEPARATORS: &[char] = &['、', 'と', 'や'];
/// Most items followed along one enumeration from a name found.
const MAX_LIST_STEPS: usize = 8;

impl NameDetector {
    /// Items of an enumeration next to a name found, shaped like names themselves
    /// (`平田玉蘊、福原五岳など`, `ロナウドとルーニー`), or listed surnames in an
    /// enumeration that counts persons (`島、村岡雄一、浜の3人`).
    pub(super) fn coordinated_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        // Ranges taken so far, by start: a tree, so that adding one stays logarithmic.
        let mut taken: BTreeMap<usize, usize> =
            found.iter().map(|c| (c.range.start, c.range.end)).collect();
        let mut seeds: Vec<Range<usize>> = found.iter().map(|c| c.range.clone()).collect();
        seeds.sort_by_key(|r| r.start);
        let mut new: Vec<Candidate> = Vec::new();
        let is_taken = |taken: &BTreeMap<usize, usize>, r: &Range<usize>| {
            taken
                .range(..r.end)
                .rev()
                .take(8)
                .any(|(_, &end)| r.start < end)
        };
        for seed in seeds {
            for forward_dir in [true, false] {
                let mut cur = seed.clone();
                for _ in 0..MAX_LIST_STEPS {
                    let Some(item) = self.list_neighbour(text, &cur, forward_dir) else {
                        break;
                    };
                    if is_taken(&taken, &item) {
                        // Already a name: keep walking past it.
                        cur = item;
                        continue;
                    }
                    // A plural glued after the item is no part of the name (`…等と`).
                    let item = match text[item.clone()].strip_suffix('等') {
                        Some(w) if forward_dir && chars(w) >= 3 && w.chars().all(is_kanji) => {
                            item.start..item.start + w.len()
                        }
                        _ => item,
                    };
                    if !self.name_shaped(doc, item.clone())
                        && !self.surname_among_persons(doc, item.clone())
                    {
                        break;
                    }
                    taken.insert(item.start, item.end);
                    new.push(Candidate {
                        range: item.clone(),
                        detector: "name.list",
                        confidence: 0.55,
                        reason: "enumerated with a name",
                    });
                    cur = item;
                }
            }
        }
        found.append(&mut new);
    }

    /// The item of an enumeration next to `cur` (after it when `after`), if `cur` and
    /// it are separated by a list separator.
    fn list_neighbour(&self, text: &str, cur: &Range<usize>, after: bool) -> Option<Range<usize>> {
        // Kanji names are also listed with `・` (松田正久・林有造); a kanji item is
        // kanji only, a katakana item may be a chain.
        let kanji_cur = text[cur.clone()].chars().all(is_kanji);
        let sep_ok = |sep: char, item_first: char| {
            LIST_SEPARATORS.contains(&sep) || (sep == '・' && kanji_cur && is_kanji(item_first))
        };
        let script_of = |first: char| -> fn(char) -> bool {
            if is_kanji(first) {
                is_kanji
            } else {
                |c| is_katakana(c) || is_name_joiner(c)
            }
        };
        if after {
            let sep = next_char(text, cur.end)?;
            let start = cur.end + sep.len_utf8();
            let first = next_char(text, start)?;
            if !(is_kanji(first) || is_katakana(first)) || !sep_ok(sep, first) {
                return None;
            }
            let script = script_of(first);
            let end = text[start..]
                .char_indices()
                .take(MAX_KATAKANA_CHARS + 1)
                .find(|(_, c)| !script(*c))
                .map_or_else(
                    || forward(text, start, MAX_KATAKANA_CHARS + 1),
                    |(j, _)| start + j,
                );
            Some(start..end)
        } else {
            let (s, sep) = prev_char(text, cur.start)?;
            let (_, last) = prev_char(text, s)?;
            if !(is_kanji(last) || is_katakana(last)) || !sep_ok(sep, last) {
                return None;
            }
            let script = script_of(last);
            let mut start = s;
            let mut n = 0;
            while let Some((i, c)) = prev_char(text, start) {
                if !script(c) || n > MAX_KATAKANA_CHARS {
                    break;
                }
                start = i;
                n += 1;
            }
            // The item must start a phrase: the text start, punctuation or a particle.
            let ok_before = prev_char(text, start).is_none_or(|(_, c)| {
                !(c.is_ascii_alphanumeric() || is_hiragana(c)) || "はがのにをとや".contains(c)
            });
            (start < s && ok_before).then_some(start..s)
        }
    }

    /// Whether the enumeration item `r` looks like a personal name by itself.
    fn name_shaped(&self, doc: &Document<'_>, r: Range<usize>) -> bool {
        let text = doc.text();
        let word = &text[r.clone()];
        let n = chars(word);
        if self.lex.is_not_name(word) || self.lex.is_stop(word) {
            return false;
        }
        // What follows the item: another separator, a particle, punctuation.
        let rest = &text[r.end..];
        let ends_ok = rest.is_empty()
            || rest.starts_with([
                '、', 'と', 'や', 'ら', 'は', 'が', 'の', 'に', 'を', 'も', 'で', '。', ')', '」',
                '等',
            ])
            || rest.starts_with("など")
            // Kanji names are listed with `・` too (毛沢東・周恩来・劉少奇).
            || (rest.starts_with('・') && word.chars().all(is_kanji));
        if !ends_ok {
            return false;
        }
        let toks = self.window(doc, r.clone());
        if toks.is_empty() || toks.last().is_some_and(|t| t.range.end != r.end) {
            return false;
        }
        if word.chars().all(is_kanji) {
            if self.short_name_shaped(text, word, &toks) {
                return true;
            }
            if !(3..=6).contains(&n) || self.lex.is_common_word(word) {
                return false;
            }
            let listed_start = (1..=3).any(|k| {
                word.char_indices()
                    .nth(k)
                    .is_some_and(|(i, _)| self.lex.is_surname(&word[..i]))
            });
            let tagged = toks[0].pos == PosTag::Surname;
            let foreign = toks.iter().any(|t| {
                matches!(t.pos, PosTag::Organization | PosTag::PlaceSuffix)
                    || t.suffix
                    || (t.pos == PosTag::Noun && chars(&text[t.range.clone()]) >= 2)
            });
            (listed_start || tagged) && !foreign
                || self.jmnedict_surname_item(text, word, r.start, &toks)
        } else if word.chars().all(|c| is_katakana(c) || is_name_joiner(c)) {
            (2..=MAX_KATAKANA_CHARS).contains(&n)
                && !LOANWORD_ENDINGS.iter().any(|e| word.ends_with(e))
                && !super::foreign::ForeignNames::shared().names_no_person(word)
                && (toks
                    .iter()
                    .filter(|t| !text[t.range.clone()].chars().all(is_name_joiner))
                    .all(|t| t.pos == PosTag::Unknown || is_person_tag(t))
                    || enumerated_full_name(word))
        } else {
            false
        }
    }
}

/// Kanji numerals a count of persons may be written with (`三人`, `十二名`).
const KANJI_NUMERALS: &str = "一二三四五六七八九十百";

/// Whether `rest` counts persons: `ら`, `たち`, `両名`, or a count of persons after
/// `の`, `を含む` or `など` (`の3人`, `を含む16名`, `など五人`).
fn counts_persons(rest: &str) -> bool {
    if rest.starts_with('ら') || rest.starts_with("たち") || rest.starts_with("両名") {
        return true;
    }
    let Some(count) = ["の", "を含む", "など", "ほか", "他"]
        .iter()
        .find_map(|w| rest.strip_prefix(w))
    else {
        return false;
    };
    let digits = count
        .char_indices()
        .take(4)
        .take_while(|(_, c)| c.is_ascii_digit() || KANJI_NUMERALS.contains(*c))
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    digits > 0 && count[digits..].starts_with(['人', '名'])
}

impl NameDetector {
    /// Whether the enumeration item `r`, next to a name found, is a surname the lists
    /// know (also one the dictionary files as a place or a word: `島`, `佐野`) in an
    /// enumeration that ends by counting persons (`…、島、佐野、桐の3人`, `…らが`).
    fn surname_among_persons(&self, doc: &Document<'_>, r: Range<usize>) -> bool {
        let text = doc.text();
        let word = &text[r.clone()];
        let n = chars(word);
        if !(1..=3).contains(&n)
            || !word.chars().all(is_kanji)
            || word.ends_with(|c: char| super::kanji::NOT_NAME_ENDINGS.contains(c)) && n > 1
            || self.lex.is_not_name(word)
        {
            return false;
        }
        let flags = list_flags(word);
        let listed = self.lex.is_surname(word)
            || n > 1 && (flags.surname || flags.place_surname) && !flags.never;
        if !listed {
            return false;
        }
        // Walk to the end of the enumeration (a few items at most).
        let mut at = r.end;
        for _ in 0..MAX_LIST_STEPS {
            let Some(sep) = next_char(text, at) else {
                break;
            };
            let start = at + sep.len_utf8();
            if !(LIST_SEPARATORS.contains(&sep) || sep == '・')
                || !next_char(text, start).is_some_and(|c| is_kanji(c) || is_katakana(c))
            {
                break;
            }
            let end = run_end(text, start, |c| is_kanji(c) || is_katakana(c));
            if chars(&text[start..end]) > 8 {
                break;
            }
            at = end;
        }
        counts_persons(&text[at..])
    }

    /// Whether a kanji enumeration item of three to six kanji (starting at byte `at`,
    /// tokens `toks`) starts with a surname of two or three kanji the JMnedict list
    /// knows, cut there by the dictionary, and ends like a given name the dictionary
    /// does not know (`真壁|刀|矢`): no organisation, no place
    /// suffix, a last token of one kanji or a name tag, no last kanji of a place or a
    /// group (`…町長`, `…出身` are no names).
    fn jmnedict_surname_item(&self, text: &str, word: &str, at: usize, toks: &[FineToken]) -> bool {
        if word.ends_with(|c: char| super::kanji::NOT_NAME_ENDINGS.contains(c))
            || self.lex.is_common_word(word)
        {
            return false;
        }
        let surname_cut = (2..=3).any(|k| {
            word.char_indices().nth(k).is_some_and(|(i, _)| {
                let f = list_flags(&word[..i]);
                (f.surname || f.place_surname || self.lex.is_surname(&word[..i]))
                    && !self.lex.is_common_word(&word[..i])
                    && toks.iter().any(|t| t.range.end == at + i)
            })
        });
        let last_ok = toks
            .last()
            .is_some_and(|t| is_person_tag(t) || (chars(&text[t.range.clone()]) == 1 && !t.prefix));
        surname_cut
            && last_ok
            && toks.len() >= 2
            && toks.first().is_some_and(|t| t.range.start == at)
            && !toks.iter().any(|t| {
                matches!(
                    t.pos,
                    PosTag::Organization
                        | PosTag::PlaceSuffix
                        | PosTag::Particle
                        | PosTag::Symbol
                        | PosTag::Other
                )
            })
    }

    /// Whether a kanji enumeration item too short or too foreign for the surname lists
    /// reads as a name: a person the dictionary knows as a whole (`劉少奇`), a one-kanji
    /// surname and a one-kanji given name (`陳|雲`, `階|猛`), a Chinese or Korean
    /// surname and two kanji that are no common word (`鄧|小平`), or a word ending in a
    /// given name of two kanji or more.
    fn short_name_shaped(&self, text: &str, word: &str, toks: &[FineToken]) -> bool {
        let n = chars(word);
        let clean = |t: &FineToken| {
            !t.suffix
                && !t.prefix
                && !matches!(
                    t.pos,
                    PosTag::Particle
                        | PosTag::Other
                        | PosTag::Symbol
                        | PosTag::Organization
                        | PosTag::PlaceSuffix
                        | PosTag::Number
                )
        };
        let known = toks.len() == 1 && toks[0].pos == PosTag::PersonOther && n >= 2;
        let pair = n == 2
            && toks.len() == 2
            && toks.iter().all(clean)
            && (toks[0].pos == PosTag::Surname
                || (toks[0].pos == PosTag::Noun && toks[1].pos == PosTag::GivenName));
        let cn = n == 3
            && word.starts_with(super::is_cn_kr_surname)
            && toks.len() >= 2
            && toks.iter().all(clean)
            && !toks
                .iter()
                .any(|t| t.pos == PosTag::Noun && chars(&text[t.range.clone()]) >= 2);
        // A given name the dictionary knows ends the item (加護野|忠男, 目賀田|種太郎).
        let given_last = (3..=6).contains(&n)
            && toks.len() >= 2
            && toks.iter().all(clean)
            && toks
                .last()
                .is_some_and(|t| t.pos == PosTag::GivenName && chars(&text[t.range.clone()]) >= 2);
        // A surname the dictionary reads as one word (`西沢・高木`), or a surname or a
        // given name the JMnedict list knows with no common word inside (`萱野・貝澤`).
        let lone = (2..=3).contains(&n)
            && ((toks.len() == 1
                && toks[0].pos == PosTag::Surname
                && !self.lex.is_common_word(word))
                || ({
                    let f = list_flags(word);
                    (f.surname || f.given) && !f.never
                } && toks.iter().all(|t| {
                    clean(t)
                        && (is_person_tag(t)
                            || t.pos == PosTag::Unknown
                            || chars(&text[t.range.clone()]) == 1)
                })));
        // A full name the JMnedict list knows, or splits into a listed surname and a
        // listed given name (`真壁|刀義`).
        let listed = (3..=6).contains(&n) && listed_name(word).is_some();
        known || pair || cn || given_last || lone || listed
    }

    /// Whether a katakana chain (`ジョン・スミス`) with no title or role around it is a
    /// name: the dictionary knows a part, read alone, as a person, or the sentence does
    /// not speak of a team, a company or a work without speaking of a person.
    pub(super) fn chain_in_context(&self, doc: &Document<'_>, r: Range<usize>) -> bool {
        let text = doc.text();
        let (person, thing) = sentence_context(text, r.clone());
        if person || !thing {
            return true;
        }
        // Parts separately: the dictionary reads a whole chain as one unknown word.
        let mut at = r.start;
        for part in text[r.clone()].split(is_name_joiner) {
            let pr = at..at + part.len();
            at = pr.end + next_char(text, pr.end).map_or(0, char::len_utf8);
            if !part.is_empty() && self.window(doc, pr).iter().any(is_person_tag) {
                return true;
            }
        }
        false
    }
}

/// Whether a katakana chain listed next to a name is a full name although the
/// dictionary knows some of its parts as words (`ポール・…`, `…・ブラウン`): two or more
/// parts of two characters or more (name particles aside), none naming a place, a thing,
/// an organisation or an occupation (`ジャズ・ギタリスト`), and no loanword before the last
/// part.
fn enumerated_full_name(word: &str) -> bool {
    let lists = super::foreign::ForeignNames::shared();
    let parts: Vec<&str> = word.split(is_name_joiner).collect();
    let Some((last, init)) = parts.split_last() else {
        return false;
    };
    !init.is_empty()
        && parts
            .iter()
            .all(|p| chars(p) >= 2 || super::foreign::is_name_particle(p))
        && chars(last) >= 2
        && !super::foreign::is_thing_word(last)
        && !parts
            .iter()
            .any(|p| OCCUPATIONS.iter().any(|o| p.ends_with(o)))
        && !lists.is_place(last)
        && !lists.is_place(parts[0])
        && init
            .iter()
            .all(|p| !is_loanword(p) || lists.is_given(p) || lists.is_surname(p))
}

/// The ranges of names found by earlier passes, sorted by start, for overlap checks.
pub(super) struct Taken(Vec<Range<usize>>);

impl Taken {
    pub(super) fn new(found: &[Candidate]) -> Self {
        let mut v: Vec<Range<usize>> = found.iter().map(|c| c.range.clone()).collect();
        v.sort_by_key(|r| r.start);
        Taken(v)
    }

    /// Whether `r` overlaps one of the ranges (only the nearest few before its end
    /// are looked at: names are short and do not nest deeply).
    pub(super) fn overlaps(&self, r: &Range<usize>) -> bool {
        let upto = self.0.partition_point(|t| t.start < r.end);
        self.0[..upto].iter().rev().take(8).any(|t| r.start < t.end)
    }
}
