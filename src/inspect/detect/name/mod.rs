//! 氏名: personal names.
//!
//! Tokenizing a whole prompt is the slowest thing the engine could do, so this detector
//! works in two passes:
//!
//! 1. a cheap pass over the normalized text finds *triggers*: honorifics (さん 様 氏 君
//!    ちゃん 殿 …), job titles (課長 医師 …), self-introductions (と申します), labels
//!    (氏名 相談者 世帯主 保護者 担当 …), words for people (俳優の, 妻の), listed surnames
//!    of two or more characters, one-kanji surnames written apart from a given name,
//!    kanji runs that end in a listed given name or start with a Chinese or Korean
//!    surname, names in parentheses after a number, and katakana words joined by
//!    `・`/`=`; the context passes add what encyclopedic and news prose puts around
//!    persons (lead sentences `Xは、日本の俳優。`, standalone katakana names acting in
//!    a sentence about a person, kanji names the dictionary knows from start to end,
//!    names after a word for a person, enumerated names);
//! 2. only a short window around each trigger is tokenized ([`Tokenizer::tokenize_fine`])
//!    and the name's boundaries and evidence are decided there. Compounds that repeat
//!    in long texts are decided once per scan.
//!
//! A bare common word that happens to be a surname (林, 森, 小川, 青山) is reported only
//! with evidence: an honorific, a label, an adjacent given name or a reading in
//! parentheses. Spans exclude honorifics; a kana reading in parentheses right after a
//! name is reported as a name of its own.
//!
//! Modules: `context.rs` holds the context passes over prose, `kanji.rs` kanji names
//! written without a cue (surname + given-name tags, glued titles, Chinese and Korean
//! names, kinship words), `foreign.rs` katakana (foreign) names checked against the
//! JMnedict-derived lists, `initials.rs` foreign names with Latin initials or regnal
//! numbers (`ジョン・F・ケネディ`, `ルイ15世`), `latin.rs` full names in Latin letters
//! (`Henry Paul Walker`), `romaji_names.rs` Japanese names in romaji (`YAMADA Taro`)
//! checked against the romaji spellings `romaji.rs` derives from the kana lists,
//! `latin_listed.rs` foreign residents' names in Latin letters made of the listed parts
//! `latin_lists.rs` loads (`Tran Van Minh`, `SOUZA MARIA LUCIA`, `T. Nakano`), `hangul.rs`
//! Korean names in Hangul,
//! `split_surname.rs` names whose surname is split off by spaces or a reading,
//! `katakana_score.rs` standalone katakana
//! names decided by a weighted score of weak context evidence, `lexicon.rs` the embedded
//! name lists.
//!
//! [`Tokenizer::tokenize_fine`]: crate::inspect::Tokenizer::tokenize_fine

mod affix;
mod column;
mod context;
mod foreign;
mod hangul;
mod initials;
mod kanji;
mod kanji_list;
mod katakana_score;
mod latin;
mod latin_listed;
mod latin_lists;
mod lexicon;
mod local;
mod romaji;
mod romaji_names;
mod row;
mod signature;
mod split_surname;

use rustc_hash::FxHashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::Detector;
use crate::inspect::tokenizer::FineToken;
use crate::inspect::{Category, Document, PosTag, RawFinding};
use lexicon::{Lexicon, PLACE_SUFFIXES};

/// Honorifics written after a name; the name span ends before them.
const HONORIFICS: &[&str] = &[
    "さん",
    "様",
    "さま",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "殿",
    "先生",
];

/// Job titles written after a name (田中課長); the name span ends before them.
const TITLES: &[&str] = &[
    "課長",
    "部長",
    "係長",
    "主任",
    "主査",
    "主事",
    "室長",
    "所長",
    "局長",
    "次長",
    "参事",
    "市長",
    "町長",
    "村長",
    "区長",
    "議員",
    "医師",
    "看護師",
    "保健師",
    "弁護士",
    "司法書士",
    "税理士",
    "社会福祉士",
    "相談員",
    "支援員",
    "教諭",
    "校長",
    "園長",
    "理事長",
    "会長",
    "社長",
    "教授",
    "准教授",
    "選手",
    "監督",
];

/// Phrases a writer puts after their own name.
const SELF_INTRODUCTIONS: &[&str] = &["と申します", "と申し", "といいます", "と言います"];

/// Labels written before a name (followed by `:`, a space, `欄に`, `は` …).
const LABELS: &[&str] = &[
    "氏名",
    "名前",
    "相談者",
    "申請者",
    "申請人",
    "申出人",
    "申出者",
    "届出人",
    "届出者",
    "世帯主",
    "保護者",
    "担当者",
    "担当",
    "対象者",
    "利用者",
    "本人",
    "被保険者",
    "所有者",
    "代表者",
    "代理人",
    "請求者",
    "契約者",
    "入居者",
    "依頼者",
    "通報者",
    "連絡者",
    "記入者",
    "作成者",
    "差出人",
    "宛名",
    "申込者",
    "受給者",
    "納税者",
    "納税義務者",
    "患者",
    "児童",
    "生徒",
    "長男",
    "長女",
    "次男",
    "次女",
    "妻",
    "夫",
    "配偶者",
    "受取人",
    "送信者",
    "報告者",
    "面談者",
    "来庁者",
    "訪問者",
    "被相談者",
    "被害者",
    "加害者",
    "対応者",
    "受付者",
    "相手方",
    "緊急連絡先",
    "連絡先",
    "フリガナ",
    "ふりがな",
    "故人",
    "相続人",
    "被相続人",
    "扶養者",
    "同居人",
    "後見人",
    "父親",
    "母親",
    "祖父",
    "祖母",
    "息子",
    "三男",
    "三女",
];

/// Words that follow a person's name in running text (titles, roles).
const PERSON_TITLES: &[&str] = &[
    "氏",
    "さん",
    "様",
    "大統領",
    "首相",
    "監督",
    "選手",
    "伯爵",
    "侯爵",
    "公爵",
    "男爵",
    "将軍",
    "王",
    "卿",
    "教授",
    "博士",
    "社長",
    "会長",
    "議員",
    "司令",
    "提督",
    "元帥",
    "枢機卿",
    "神父",
    "牧師",
    "主教",
    "夫人",
    "夫妻",
    "兄弟",
    "姉妹",
    "一家",
    "投手",
    "捕手",
    "内野手",
    "外野手",
    "騎手",
    "調教師",
    "判事",
    "長官",
    "大臣",
    "候補",
];

/// Words for people that stand before a name (俳優の…, 妻…).
const PERSON_ROLES: &[&str] = &[
    "俳優",
    "女優",
    "歌手",
    "作家",
    "小説家",
    "詩人",
    "画家",
    "作曲家",
    "指揮者",
    "演奏家",
    "監督",
    "選手",
    "大統領",
    "首相",
    "国王",
    "王",
    "皇帝",
    "女王",
    "王子",
    "王女",
    "妻",
    "夫",
    "息子",
    "娘",
    "父",
    "母",
    "兄",
    "弟",
    "姉",
    "妹",
    "弟子",
    "師匠",
    "司祭",
    "牧師",
    "教授",
    "博士",
    "学者",
    "哲学者",
    "政治家",
    "外交官",
    "将軍",
    "司令官",
    "社長",
    "会長",
    "創業者",
    "ギタリスト",
    "ボーカル",
    "ベーシスト",
    "ドラマー",
    "ピアニスト",
    "プロデューサー",
    "デザイナー",
    "タレント",
    "モデル",
    "記者",
    "司会",
    "主人公",
    "友人",
    "恋人",
    "キャスター",
    "アナウンサー",
    "シンガーソングライター",
    "声優",
    "漫画家",
    "長女",
    "次女",
    "三女",
    "長男",
    "次男",
    "三男",
];

/// Longest hiragana given name read after a word for a person, in characters.
const MAX_KANA_GIVEN_CHARS: usize = 6;

/// Common hiragana words that the kana given-name list also holds (`妻のように`,
/// `母のもとで`, `姉とともに`): never a name after a word for a person.
const NOT_KANA_NAMES: &[&str] = &[
    "よう",
    "もと",
    "とも",
    "ひとり",
    "こと",
    "その",
    "この",
    "あの",
    "もの",
    "ため",
    "ところ",
    "とき",
    "なか",
    "うち",
    "ほか",
    "あと",
    "まま",
    "さん",
    "みな",
    "みんな",
    "かた",
    "ほう",
    "まえ",
    "ころ",
    "ごろ",
    "たち",
    "ども",
    "いる",
    "ある",
    "なる",
];

/// One-character Chinese and Korean surnames that rarely start a Japanese word
/// (李登輝, 金正男, 朴正煕): a short kanji run starting with one is checked for name tags.
const CN_KR_SURNAMES: &str = "李金朴王張劉陳楊黄趙周呉徐孫胡朱郭馬羅梁宋鄭謝韓唐馮董蕭曹袁鄧許沈曾彭呂蘇盧蔣蒋蔡魏薛葉閻潘杜戴汪姜范姚譚廖鄒崔尹申権洪裴閔厳玄卞廉魯習温龔侯段雷湯喬頼傅程丘任孔孟秦顧邵銭黎曽兪曺";

/// Whether `c` is one of [`CN_KR_SURNAMES`]: a hash probe (`str::contains` with a
/// non-ASCII `char` runs a substring search over the whole list, some 250 instructions).
fn is_cn_kr_surname(c: char) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<char>> = std::sync::OnceLock::new();
    SET.get_or_init(|| CN_KR_SURNAMES.chars().collect())
        .contains(&c)
}

/// An automaton answering "does a listed word occur in this clause" (`is_match`) for
/// the context passes. A DFA: their clauses are short (a sentence around one word),
/// where the default automaton's start-up and prefilter cost twice the search.
fn dfa(words: &[&str]) -> Option<AhoCorasick> {
    AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .ok()
}

/// Longest span any pass reports, in bytes (40 katakana plus separators).
const MAX_SPAN_BYTES: usize = 256;

/// Most distinct windows remembered during one scan.
const WINDOW_CACHE_ENTRIES: usize = 4096;

thread_local! {
    /// Tokens of the windows analysed during the current scan on this thread, keyed by
    /// window text, with offsets relative to the window. Cleared before and after each
    /// scan, so no prompt text outlives it.
    static WINDOWS: std::cell::RefCell<FxHashMap<String, Vec<FineToken>>> =
        std::cell::RefCell::new(FxHashMap::default());
}

/// Longest name (without spaces) the detector reports, in characters.
const MAX_NAME_CHARS: usize = 10;
/// Longest stretch searched for a name next to a trigger, in characters.
const MAX_SEGMENT_CHARS: usize = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    Role,
    Honorific,
    Title,
    SelfIntroduction,
    Label,
    Surname,
}

/// Finds personal names from honorifics, labels, name lists and morphological tags.
pub struct NameDetector {
    lex: &'static Lexicon,
    matcher: Option<AhoCorasick>,
    kinds: Vec<Trigger>,
    /// Per pattern of `matcher`: whether it is one of [`PERSON_ROLES`].
    roles: Vec<bool>,
}

impl std::fmt::Debug for NameDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameDetector").finish_non_exhaustive()
    }
}

impl NameDetector {
    /// Builds the detector and its lookup structures from the embedded name lists.
    pub fn new() -> Self {
        let lex = Lexicon::shared();
        let mut patterns: Vec<&str> = Vec::new();
        let mut kinds = Vec::new();
        for (list, kind) in [
            (HONORIFICS, Trigger::Honorific),
            (TITLES, Trigger::Title),
            (SELF_INTRODUCTIONS, Trigger::SelfIntroduction),
            (LABELS, Trigger::Label),
        ] {
            for p in list {
                patterns.push(p);
                kinds.push(kind);
            }
        }
        for r in PERSON_ROLES {
            if !patterns.contains(r) {
                patterns.push(r);
                kinds.push(Trigger::Role);
            }
        }
        for s in lex.long_surnames() {
            patterns.push(s);
            kinds.push(Trigger::Surname);
        }
        // The patterns are fixed, valid strings; a failure here would only disable
        // the trigger pass, never the engine.
        // Leftmost-longest: 佐々木 rather than 佐々, and a faster search than
        // reporting every overlapping match.
        // A DFA: some 6,400 states over ~70 byte classes (about 3 MB), and it runs over
        // every byte of every prompt, about three times faster than the default NFA.
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        let roles = patterns.iter().map(|p| PERSON_ROLES.contains(p)).collect();
        NameDetector {
            lex,
            matcher,
            kinds,
            roles,
        }
    }
}

impl Default for NameDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// A name found, before de-duplication.
#[derive(Clone, Debug)]
struct Candidate {
    range: Range<usize>,
    detector: &'static str,
    confidence: f32,
    reason: &'static str,
}

impl Detector for NameDetector {
    fn name(&self) -> &'static str {
        "name"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        let text = doc.text();
        WINDOWS.with(|c| c.borrow_mut().clear());
        share_kanji_runs(text);
        let mut found: Vec<Candidate> = Vec::new();
        if let Some(ac) = &self.matcher {
            for m in ac.find_iter(text) {
                let kind = self.kinds[m.pattern().as_usize()];
                if self.roles[m.pattern().as_usize()] {
                    if let Some(c) = self
                        .katakana_after_role(doc, m.end())
                        .or_else(|| self.kanji_after_role(doc, m.end()))
                        .or_else(|| self.hiragana_after_role(doc, m.end()))
                    {
                        found.push(c);
                    }
                }
                let c = match kind {
                    Trigger::Role => None,
                    Trigger::Honorific => self.before_anchor(doc, m.range(), true),
                    Trigger::Title => self.before_title(doc, m.range()),
                    Trigger::SelfIntroduction => self.before_anchor(doc, m.range(), false),
                    Trigger::Label => self.after_label(doc, m.range()),
                    Trigger::Surname => self.surname_given(doc, m.range()),
                };
                if let Some(c) = c {
                    found.push(c);
                }
            }
        }
        self.column_names(doc, &mut found);
        self.local_names(doc, &mut found);
        self.short_surnames(doc, &mut found);
        self.kanji_runs(doc, &mut found);
        self.contact_names(doc, &mut found);
        self.katakana_names(doc, &mut found);
        self.initial_names(doc, &mut found);
        self.latin_names(doc, &mut found);
        self.romaji_names(doc, &mut found);
        self.latin_listed_names(doc, &mut found);
        self.hangul_names(doc, &mut found);
        self.letter_spaced_names(text, &mut found);
        self.standalone_katakana(doc, &mut found);
        self.lead_subjects(doc, &mut found);
        self.known_kanji_names(doc, &mut found);
        self.bare_kanji_names(doc, &mut found);
        self.spaced_names(doc, &mut found);
        self.coordinated_names(doc, &mut found);
        self.scored_katakana(doc, &mut found);
        let mut readings: Vec<Candidate> = found
            .iter()
            .filter_map(|c| reading_after(text, c.range.end))
            .collect();
        found.append(&mut readings);
        // A name never runs on through an honorific (鈴木さんと, 佐藤さん): the eval
        // and users alike mark the name without it. Cut there; drop what is left empty.
        for c in found.iter_mut() {
            c.range.end = cut_at_honorific(text, c.range.clone());
        }
        found.retain(|c| c.range.start < c.range.end);
        // A surname split off by letter-spacing or a reading (山 田 太郎, 山田(やまだ)太郎).
        self.join_split_surnames(text, &mut found);
        found.sort_by(|a, b| {
            a.range
                .start
                .cmp(&b.range.start)
                .then(b.range.end.cmp(&a.range.end))
        });
        WINDOWS.with(|c| c.borrow_mut().clear());
        forget_kanji_runs();
        let mut last_end = 0;
        for c in found {
            if c.range.start < last_end {
                // Overlaps a longer or earlier name: keep the first (sorted longest first).
                continue;
            }
            last_end = c.range.end;
            out.push(RawFinding::new(
                Category::Name,
                c.range,
                c.detector,
                c.confidence,
                c.reason,
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// character classes

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '々' | '〆' | 'ヶ')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | 'ゝ' | 'ゞ')
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ') && c != 'ヶ'
}

fn is_name_char(c: char) -> bool {
    is_kanji(c) || is_hiragana(c) || is_katakana(c)
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t'
}

fn prev_char(text: &str, at: usize) -> Option<(usize, char)> {
    text[..at].char_indices().next_back()
}

fn next_char(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

/// Byte offset `n` characters after `at` (or the end).
fn forward(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Whether hiragana starting at `rest` can follow a name (particle, copula, honorific).
fn particle_follows(rest: &str) -> bool {
    // は が の を に へ と も で や か だ ら, and さん さま ちゃん くん より まで など
    // (から starts with か). Decided on the first character: called for every run.
    match rest.chars().next() {
        Some(
            'は' | 'が' | 'の' | 'を' | 'に' | 'へ' | 'と' | 'も' | 'で' | 'や' | 'か' | 'だ'
            | 'ら',
        ) => true,
        Some('さ') => rest.starts_with("さん") || rest.starts_with("さま"),
        Some('ち') => rest.starts_with("ちゃん"),
        Some('く') => rest.starts_with("くん"),
        Some('よ') => rest.starts_with("より"),
        Some('ま') => rest.starts_with("まで"),
        Some('な') => rest.starts_with("など"),
        _ => false,
    }
}

/// Whether the text at `at` may follow the end of a name.
fn boundary_after(text: &str, at: usize) -> bool {
    match next_char(text, at) {
        None => true,
        Some(c) if is_kanji(c) || is_katakana(c) => false,
        Some(c) if is_hiragana(c) => particle_follows(&text[at..]),
        Some(_) => true,
    }
}

/// Longest run of one script the passes look at, in characters: longer runs are
/// cut there, which keeps every pass linear in the text.
const MAX_RUN_CHARS: usize = 48;

/// Byte offset where the run of characters satisfying `pred` that starts at `at` ends
/// (at most [`MAX_RUN_CHARS`] characters on).
fn run_end(text: &str, at: usize, pred: fn(char) -> bool) -> usize {
    text[at..]
        .char_indices()
        .take(MAX_RUN_CHARS)
        .find(|(_, c)| !pred(*c))
        .map_or_else(|| forward(text, at, MAX_RUN_CHARS), |(j, _)| at + j)
}

/// The kanji runs of a text: byte range and length in characters.
type Runs = std::rc::Rc<[(Range<usize>, usize)]>;

thread_local! {
    /// The kanji runs of the text `detect` is scanning on this thread, keyed by the
    /// text's address and length: the passes that walk kanji runs read them from here
    /// instead of walking the text again. Set at the start of `detect`, cleared at its
    /// end (offsets only, no text).
    static RUNS: std::cell::RefCell<Option<(usize, usize, Runs)>> =
        const { std::cell::RefCell::new(None) };
}

/// The maximal runs of kanji in a text, in order: each as its byte range and its length
/// in characters. A pass that consumes more than the run (a katakana given name glued
/// after it) moves the scan on with [`KanjiRuns::resume_at`].
struct KanjiRuns<'a> {
    text: &'a str,
    at: usize,
    /// The runs of `text` computed once per scan (see [`RUNS`]), and the index of the
    /// first one ending after `at`.
    runs: Option<(Runs, usize)>,
}

impl<'a> KanjiRuns<'a> {
    fn new(text: &'a str) -> Self {
        let runs = RUNS.with(|r| {
            r.borrow()
                .as_ref()
                .filter(|(ptr, len, _)| *ptr == text.as_ptr() as usize && *len == text.len())
                .map(|(_, _, runs)| (Runs::clone(runs), 0))
        });
        KanjiRuns { text, at: 0, runs }
    }

    /// Walks `text` itself (no shared runs).
    fn walk(text: &'a str) -> Self {
        KanjiRuns {
            text,
            at: 0,
            runs: None,
        }
    }

    /// Continues the scan at byte offset `at` (a character boundary).
    fn resume_at(&mut self, at: usize) {
        self.at = at;
        if let Some((runs, next)) = &mut self.runs {
            *next = runs.partition_point(|(r, _)| r.end <= at);
        }
    }
}

/// Computes the kanji runs of `text` once for the passes of one scan; they read
/// them until [`forget_kanji_runs`].
fn share_kanji_runs(text: &str) {
    let runs: Runs = KanjiRuns::walk(text).collect();
    RUNS.with(|r| *r.borrow_mut() = Some((text.as_ptr() as usize, text.len(), runs)));
}

/// Drops the runs shared by [`share_kanji_runs`].
fn forget_kanji_runs() {
    RUNS.with(|r| *r.borrow_mut() = None);
}

impl Iterator for KanjiRuns<'_> {
    type Item = (Range<usize>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((runs, next)) = &mut self.runs {
            let (r, n) = runs.get(*next)?.clone();
            *next += 1;
            if r.start >= self.at {
                self.at = r.end;
                return Some((r, n));
            }
            // Resumed inside this run: the rest of it.
            let start = self.at;
            self.at = r.end;
            return Some((start..r.end, chars(&self.text[start..r.end])));
        }
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.at;
        // Every kanji is three bytes led by 0xE3 or above (U+3005 and up): ASCII,
        // two-byte characters and continuation bytes are skipped without decoding.
        // A byte of 0xE3 or above always leads a character, so `at` stays on one.
        while at < bytes.len() && bytes[at] < 0xE3 {
            at += 1;
        }
        let mut start = None;
        let mut n = 0;
        while at < bytes.len() {
            let (kanji, len) = kanji_at(bytes, at);
            if kanji {
                start.get_or_insert(at);
                n += 1;
            } else if let Some(s) = start {
                self.at = at;
                return Some((s..at, n));
            }
            at += len;
        }
        self.at = text.len();
        start.map(|s| (s..text.len(), n))
    }
}

/// Whether the character starting at byte `at` of valid UTF-8 (a character boundary)
/// is a kanji ([`is_kanji`]), and its length in bytes, read from the bytes without
/// decoding: U+3005 々, U+3006 〆, U+30F6 ヶ, U+3400–U+4DBF, U+4E00–U+9FFF and
/// U+F900–U+FAFF are all three bytes long.
#[inline]
fn kanji_at(bytes: &[u8], at: usize) -> (bool, usize) {
    let b0 = bytes[at];
    match b0 {
        0x00..=0x7F => (false, 1),
        0x80..=0xDF => (false, 2),
        0xE0..=0xEF => {
            let (b1, b2) = (bytes[at + 1], bytes[at + 2]);
            let kanji = match b0 {
                // U+3000–U+3FFF: 々 〆 (E3 80 85/86), ヶ (E3 83 B6), U+3400 on (E3 90 80).
                0xE3 => {
                    b1 >= 0x90
                        || (b1 == 0x80 && matches!(b2, 0x85 | 0x86))
                        || (b1 == 0x83 && b2 == 0xB6)
                }
                // U+4000–U+4FFF but not U+4DC0–U+4DFF (E4 B7 xx, hexagram symbols).
                0xE4 => b1 != 0xB7,
                0xE5..=0xE9 => true,
                // U+F900–U+FAFF.
                0xEF => (0xA4..=0xAB).contains(&b1),
                _ => false,
            };
            (kanji, 3)
        }
        _ => (false, 4),
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Words with an honorific inside that may also end a name (公一様, 淳多様, 佳貴様).
const SOFT_WORDS: &[&str] = &[
    "一様", "多様", "同様", "異様", "有様", "今様", "外様", "貴様",
];

/// Whether `r` overlaps a candidate: `found[..base]` is sorted by start, later ones
/// were appended in text order.
fn overlaps_found(found: &[Candidate], base: usize, r: Range<usize>) -> bool {
    let overlaps = |c: &Candidate| c.range.start < r.end && r.start < c.range.end;
    let sorted = &found[..base];
    let upto = sorted.partition_point(|c| c.range.start < r.end);
    // Names are short: look back only as far as the longest name could reach.
    let reach = r.start.saturating_sub(MAX_SPAN_BYTES);
    sorted[..upto]
        .iter()
        .rev()
        .take_while(|c| c.range.start >= reach)
        .any(overlaps)
        || found[base..].last().is_some_and(overlaps)
}

fn morph_candidate(range: Range<usize>) -> Candidate {
    Candidate {
        range,
        detector: "name.morph",
        confidence: 0.7,
        reason: "surname and given name tags",
    }
}

/// Whether the honorific at `at` is one and not part of a word (氏名, 様式, 君主,
/// たくさん, みなさん, ちゃんと).
fn honorific_stands_alone(text: &str, at: Range<usize>) -> bool {
    let h = &text[at.clone()];
    let next = next_char(text, at.end);
    let bad_next: &str = match h {
        "様" => "式々相態子",
        "氏" => "名族神",
        "君" => "主臨",
        "殿" => "堂下中様",
        "先生" => "方",
        _ => "",
    };
    if next.is_some_and(|c| bad_next.contains(c)) {
        return false;
    }
    const WORDS: &[&str] = &[
        "たくさん",
        "みなさん",
        "皆さん",
        "おじさん",
        "おばさん",
        "おじいさん",
        "おばあさん",
        "おかあさん",
        "おとうさん",
        "おにいさん",
        "おねえさん",
        "じいさん",
        "ばあさん",
        "かあさん",
        "とうさん",
        "にいさん",
        "ねえさん",
        "あかちゃん",
        "赤ちゃん",
        "お嬢さん",
        "ちゃんと",
        "ちゃんこ",
        "さんぽ",
        "さんま",
        "殿様",
        "お客様",
        "皆様",
        "みなさま",
        "同様",
        "模様",
        "仕様",
        "多様",
        "様々",
        "お疲れ様",
        "お世話様",
        "ご苦労様",
        "お互い様",
        "神様",
        "仏様",
        "王様",
        "奥様",
        "皆さま",
        "お子さん",
        "お子様",
        "息子さん",
        "娘さん",
        "お父様",
        "お母様",
        "ご主人様",
        "ご家族様",
        "お客さん",
        "お客さま",
        "氏子",
        "諸君",
        "君たち",
        "君達",
        "一様",
        "異様",
        "有様",
        "左様",
        "斯様",
        "無様",
        "今様",
        "外様",
        "如何様",
        "同様",
        "貴様",
    ];
    WORDS.iter().all(|w| {
        // The word containing the honorific at `at`, if it stands here as a word of
        // its own: 一様 in 公一様 ends a name.
        w.match_indices(h).all(|(k, _)| {
            at.start < k
                || !text.is_char_boundary(at.start - k)
                || !text[at.start - k..].starts_with(w)
                || (SOFT_WORDS.contains(w)
                    && prev_char(text, at.start - k).is_some_and(|(_, c)| is_kanji(c)))
        })
    })
}

/// A kana reading in parentheses right after a name: `山田太郎(やまだ たろう)`.
fn reading_after(text: &str, mut at: usize) -> Option<Candidate> {
    // Skip an honorific between the name and the reading.
    for h in HONORIFICS {
        if text[at..].starts_with(h) {
            at += h.len();
            break;
        }
    }
    let rest = text[at..].strip_prefix('(')?;
    let close = rest.char_indices().take(24).find(|(_, c)| *c == ')')?.0;
    let inner = &rest[..close];
    let kana = inner
        .chars()
        .filter(|c| is_hiragana(*c) || is_katakana(*c))
        .count();
    let ok = kana >= 2
        && chars(inner) <= 16
        && inner
            .chars()
            .all(|c| is_hiragana(c) || is_katakana(c) || is_space(c) || c == '・');
    if !ok {
        return None;
    }
    let start = at + 1;
    Some(Candidate {
        range: start..start + close,
        detector: "name.reading",
        confidence: 0.8,
        reason: "kana reading of a name",
    })
}

// ---------------------------------------------------------------------------
// the passes

/// What a token contributes as evidence that a span is a name.
fn is_person_tag(t: &FineToken) -> bool {
    matches!(
        t.pos,
        PosTag::Surname | PosTag::GivenName | PosTag::PersonOther
    )
}

fn is_nameish_tag(t: &FineToken) -> bool {
    t.prefix
        || t.pos == PosTag::Other
        || t.pos == PosTag::Symbol
        || matches!(
            t.pos,
            PosTag::Surname
                | PosTag::GivenName
                | PosTag::PersonOther
                | PosTag::Unknown
                | PosTag::Place
                | PosTag::ProperOther
                | PosTag::Organization
                | PosTag::Noun
                | PosTag::Number
        )
}

impl NameDetector {
    /// Tokens of `range` of the normalized text. Windows with the same text are
    /// tokenized once per scan (a text repeating one name or honorific thousands of
    /// times costs one analysis, not thousands).
    fn window(&self, doc: &Document<'_>, range: Range<usize>) -> Vec<FineToken> {
        let text = doc.text();
        let Some(w) = text.get(range.clone()) else {
            return Vec::new();
        };
        let rebase = |toks: &[FineToken]| -> Vec<FineToken> {
            toks.iter()
                .map(|t| FineToken {
                    range: t.range.start + range.start..t.range.end + range.start,
                    ..t.clone()
                })
                .collect()
        };
        WINDOWS.with(|cache| {
            if let Some(toks) = cache.borrow().get(w) {
                return rebase(toks);
            }
            let toks = doc.tokenizer().tokenize_fine(w, 0);
            let out = rebase(&toks);
            let mut cache = cache.borrow_mut();
            if cache.len() < WINDOW_CACHE_ENTRIES {
                cache.insert(w.to_owned(), toks);
            }
            out
        })
    }

    /// Whether `s` (kanji or katakana, no spaces) may be part of a name at all.
    fn blocked(&self, s: &str, t: &FineToken) -> bool {
        self.lex.is_stop(s)
            // お, ご start no name; a kanji "prefix" may end one (伊佐|未).
            || (t.prefix && !s.chars().all(is_kanji))
            || t.pos == PosTag::PlaceSuffix
            || !s.chars().all(|c| is_kanji(c) || is_katakana(c) || c == '・')
            // Kanji the dictionary reads as verb or adjective stems, prefixes or the
            // iteration mark are name parts in a run of kanji (鋭|浩, 伊佐|未, 珠|々|香).
            || (matches!(t.pos, PosTag::Particle | PosTag::Symbol | PosTag::Other)
                && !s.chars().all(is_kanji))
    }

    /// A name ending right before an honorific or a self-introduction at `anchor`.
    fn before_anchor(
        &self,
        doc: &Document<'_>,
        anchor: Range<usize>,
        honorific: bool,
    ) -> Option<Candidate> {
        let text = doc.text();
        // One space may stand between the name and the honorific.
        let mut end = anchor.start;
        if let Some((i, c)) = prev_char(text, end) {
            if is_space(c) {
                end = i;
            }
        }
        let mut start = end;
        let mut n = 0;
        while let Some((i, c)) = prev_char(text, start) {
            if n >= MAX_SEGMENT_CHARS || !(is_name_char(c) || is_space(c) || c == '・') {
                break;
            }
            start = i;
            n += 1;
        }
        while let Some(c) = next_char(text, start) {
            if start < end && is_space(c) {
                start += c.len_utf8();
            } else {
                break;
            }
        }
        if start >= end {
            return None;
        }
        if honorific && !honorific_stands_alone(text, anchor.clone()) {
            return None;
        }
        let mut toks = self.window(doc, start..forward(text, anchor.end, 2));
        if honorific && text[anchor.clone()].chars().all(is_kanji) {
            // A proper noun that swallows the honorific is one word (源氏).
            let swallowed = toks.iter().any(|t| {
                t.range.start < anchor.start
                    && text[t.range.clone()].chars().all(is_kanji)
                    && t.range.end > anchor.start
                    && matches!(
                        t.pos,
                        PosTag::ProperOther
                            | PosTag::Place
                            | PosTag::Organization
                            | PosTag::Surname
                            | PosTag::GivenName
                            | PosTag::PersonOther
                    )
            });
            // A word the dictionary ends in 殿 is a building (本殿, 宮殿, 御殿), even
            // when it is a common noun.
            let building = &text[anchor.clone()] == "殿"
                && toks.iter().any(|t| {
                    t.range.start < anchor.start
                        && t.range.end == anchor.end
                        && text[t.range.clone()].chars().all(is_kanji)
                });
            if swallowed || building {
                return None;
            }
        }
        if !toks.iter().any(|t| t.range.end == end) {
            // The dictionary glued the honorific to the name (竜|人様): cut it off.
            toks = self.window(doc, start..end);
        }

        // A name in hiragana right before the anchor.
        let mut hs = end;
        while let Some((i, c)) = prev_char(text, hs) {
            if i < start || !is_hiragana(c) {
                break;
            }
            hs = i;
        }
        let mut kana_given = false;
        let mut kana_listed = false;
        let mut spaces = 0;
        let mut cur = end;
        if hs < end {
            let run = &text[hs..end];
            let before = prev_char(text, hs).map(|(_, c)| c);
            let kanji_before = hs > start
                && match before {
                    Some(c) if is_kanji(c) => true,
                    Some(c) if is_space(c) => prev_char(text, hs - c.len_utf8())
                        .is_some_and(|(i, c)| i >= start && is_kanji(c)),
                    _ => false,
                };
            if kanji_before && (2..=6).contains(&chars(run)) {
                kana_given = true;
                kana_listed = self.lex.is_name_kana(run);
                cur = hs;
                if let Some((i, c)) = prev_char(text, hs) {
                    if is_space(c) {
                        // The dictionary drops spaces: the surname ends before it.
                        cur = i;
                        spaces += 1;
                    }
                }
            } else {
                let s = self.kana_name_suffix(run)?;
                let s = hs + s;
                return Some(Candidate {
                    range: s..end,
                    detector: if honorific {
                        "name.honorific"
                    } else {
                        "name.self"
                    },
                    confidence: 0.8,
                    reason: "kana name before an honorific",
                });
            }
        }

        // Kanji and katakana tokens, walking left.
        let mut idx = toks.iter().rposition(|t| t.range.end == cur)?;
        let mut left = cur;
        let mut parts: Vec<&FineToken> = Vec::new();
        let mut stop_word: Option<&str> = None;
        loop {
            let t = &toks[idx];
            let s = &text[t.range.clone()];
            // The dictionary drops spaces: a gap between tokens is one.
            let gap = t.range.end < left && !parts.is_empty();
            if gap {
                if spaces > 0 {
                    break;
                }
                spaces += 1;
            }
            if self.blocked(s, t) || !is_nameish_tag(t) {
                stop_word = Some(s);
                break;
            } else {
                parts.push(t);
                left = t.range.start;
            }
            let total = chars(&text[left..cur]);
            if total > MAX_NAME_CHARS || idx == 0 {
                break;
            }
            idx -= 1;
        }
        if parts.is_empty() {
            return None;
        }
        parts.reverse();
        // A common noun glued before the surname (市民課山田様): start at the surname.
        let mut first = 0;
        if parts.len() > 1 {
            for (j, t) in parts.iter().enumerate() {
                let s = &text[t.range.clone()];
                if t.pos == PosTag::Surname || self.lex.is_surname(s) {
                    first = j;
                    break;
                }
                if is_person_tag(t) || t.pos == PosTag::Unknown {
                    break;
                }
            }
        }
        let parts = &parts[first..];
        let start = parts[0].range.start;
        let name = text[start..end].trim_end();
        let compact: String = name.chars().filter(|c| !is_space(*c)).collect();
        let surname_first = (2..=4).any(|k| {
            compact
                .char_indices()
                .nth(k)
                .is_some_and(|(i, _)| self.lex.is_surname(&compact[..i]))
        });
        // A surname written apart from the given name (谷 淳多) counts at any length.
        let surname_first = surname_first
            || name
                .split(is_space)
                .next()
                .is_some_and(|f| f.len() < name.len() && self.lex.is_surname(f));
        let surname_tagged = parts.iter().any(|t| t.pos == PosTag::Surname);
        let evidence = if kana_given {
            // Kanji + kana: a surname and a kana given name, not a verb (発揮できる様).
            kana_listed || surname_tagged || surname_first
        } else {
            parts
                .iter()
                .any(|t| is_person_tag(t) || t.pos == PosTag::Unknown)
                || self.lex.is_surname(&compact)
                || self.lex.is_given_kanji(&compact)
                || (surname_first && chars(&compact) <= 5)
                || stop_word.is_some_and(|w| self.lex.is_relation(w)) && chars(&compact) <= 4
                // A role word glued in front (利用者泉隼さん) and a listed surname.
                || stop_word.is_some_and(|w| self.lex.is_stop(w))
                    && chars(&compact) <= 4
                    && compact
                        .char_indices()
                        .skip(1)
                        .any(|(i, _)| self.lex.is_surname(&compact[..i]))
                || (compact.chars().all(is_katakana)
                    && parts.iter().all(|t| t.pos != PosTag::Noun))
        };
        if !evidence || self.lex.is_not_name(&compact) || chars(&compact) > MAX_NAME_CHARS {
            return None;
        }
        Some(Candidate {
            range: start..end,
            detector: if honorific {
                "name.honorific"
            } else {
                "name.self"
            },
            confidence: 0.8,
            reason: if honorific {
                "name before an honorific"
            } else {
                "name before a self-introduction"
            },
        })
    }

    /// A name before a job title (田中課長). Titles follow organisations and places as
    /// often as people (世界選手権, 東京ガス社長), so only a surname or a person tag
    /// counts as evidence, and no part may be tagged a place or an organisation.
    fn before_title(&self, doc: &Document<'_>, anchor: Range<usize>) -> Option<Candidate> {
        let c = self.before_anchor(doc, anchor.clone(), false)?;
        let text = doc.text();
        let name = &text[c.range.clone()];
        if !name.chars().all(|ch| is_kanji(ch) || is_space(ch)) {
            return None;
        }
        let toks = self.window(doc, c.range.start..forward(text, anchor.end, 1));
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= c.range.end).collect();
        let first_listed = inside.first().is_some_and(|t| {
            chars(&text[t.range.clone()]) >= 2 && self.lex.is_surname(&text[t.range.clone()])
        });
        let person = inside
            .iter()
            .any(|t| matches!(t.pos, PosTag::Surname | PosTag::GivenName));
        let foreign = inside.iter().any(|t| {
            matches!(
                t.pos,
                PosTag::Place | PosTag::Organization | PosTag::ProperOther
            ) && !self.lex.is_surname(&text[t.range.clone()])
        });
        if !(first_listed || person) || foreign {
            return None;
        }
        Some(Candidate {
            detector: "name.title",
            reason: "name before a job title",
            ..c
        })
    }

    /// The byte offset in `run` (hiragana) where a listed kana name that ends the run
    /// starts, preferring the longest (at least two characters).
    fn kana_name_suffix(&self, run: &str) -> Option<usize> {
        run.char_indices()
            .filter(|(i, _)| chars(&run[*i..]) >= 2 && chars(&run[*i..]) <= 8)
            .find(|(i, _)| self.lex.is_name_kana(&run[*i..]))
            .map(|(i, _)| i)
    }

    /// The byte length of a listed kana given name that starts `run` and may end there
    /// (what follows is a particle, an honorific or no hiragana), longest first.
    fn kana_name_prefix(&self, run: &str, min_chars: usize) -> Option<usize> {
        let ends: Vec<usize> = run.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        ends.into_iter()
            .rev()
            .filter(|&e| {
                let n = chars(&run[..e]);
                n >= min_chars && n <= 8
            })
            .find(|&e| {
                let rest = &run[e..];
                self.lex.is_given_kana(&run[..e])
                    && (rest.is_empty()
                        || particle_follows(rest)
                        || rest.starts_with("です")
                        || rest.starts_with("でした"))
            })
    }

    /// A name right after a label such as `氏名:` or `保護者 `.
    fn after_label(&self, doc: &Document<'_>, label: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        // A label starts a word: 夫 in 隆夫は is no label.
        if prev_char(text, label.start).is_some_and(|(_, c)| is_kanji(c)) {
            return None;
        }
        let mut pos = label.end;
        if text[pos..].starts_with('欄') {
            pos += '欄'.len_utf8();
        }
        let sep = next_char(text, pos)?;
        if matches!(sep, ':' | '：' | ' ' | '\u{3000}' | 'は' | 'に' | '=') {
            pos += sep.len_utf8();
        } else {
            return None;
        }
        // `氏名:` is a form field; `担当は` may be followed by anything.
        let form_field = matches!(sep, ':' | '：' | '=');
        while let Some(c) = next_char(text, pos) {
            if is_space(c) {
                pos += c.len_utf8();
            } else {
                break;
            }
        }
        let mut seg_end = pos;
        for c in text[pos..].chars().take(MAX_SEGMENT_CHARS) {
            if !(is_name_char(c) || is_space(c) || c == '・') {
                break;
            }
            seg_end += c.len_utf8();
        }
        if seg_end == pos {
            return None;
        }
        let toks = self.window(doc, pos..forward(text, seg_end, 2));
        let mut parts: Vec<&FineToken> = Vec::new();
        let mut end = pos;
        let mut kana_given = false;
        let mut spaces = 0;
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            let s = &text[t.range.clone()];
            if t.range.start >= seg_end {
                break;
            }
            if !parts.is_empty() && t.range.start > end {
                // The dictionary drops spaces: a gap between tokens is one.
                if spaces > 0 || !text[end..t.range.start].chars().all(is_space) {
                    break;
                }
                spaces += 1;
            }
            if ["さん", "さま", "ちゃん", "くん", "です", "と申"]
                .iter()
                .any(|h| text[t.range.start..].starts_with(h))
            {
                break;
            }
            if s.starts_with(is_hiragana) {
                // A kana given name (after a kanji surname) or a name all in kana.
                let run_end = run_end(text, t.range.start, is_hiragana);
                let run = &text[t.range.start..run_end];
                let surname_before = parts.len() == 1
                    && (parts[0].pos == PosTag::Surname
                        || self.lex.is_surname(&text[parts[0].range.clone()]));
                if !(parts.is_empty() || surname_before) {
                    break;
                }
                let len = match self.kana_name_prefix(run, 2) {
                    Some(l) => l,
                    // An unlisted kana given name after a surname (清水るな、).
                    None if surname_before
                        && (2..=6).contains(&chars(run))
                        && boundary_after(text, run_end) =>
                    {
                        run.len()
                    }
                    None => break,
                };
                end = t.range.start + len;
                kana_given = true;
                break;
            }
            // A place-suffix kanji after a surname and a given-name part is part of
            // the given name (大谷|和|湖, 伊藤|央|行).
            let inner_suffix = t.pos == PosTag::PlaceSuffix
                && parts.len() >= 2
                && parts.iter().any(|p| is_person_tag(p))
                && s.chars().all(is_kanji);
            if !inner_suffix && (self.blocked(s, t) || !is_nameish_tag(t)) {
                break;
            }
            parts.push(t);
            end = t.range.end;
            // An honorific the dictionary glued to the name (愛|奈様) ends it.
            if let Some(h) = ["様", "氏", "君", "殿"]
                .iter()
                .find(|h| s.len() > h.len() && s.ends_with(*h))
            {
                end -= h.len();
                break;
            }
            if chars(&text[pos..end]) > MAX_NAME_CHARS {
                return None;
            }
            i += 1;
        }
        // A section written before the person (担当：保健福祉課 高橋) is not part of the
        // name: start after the last part that names an office.
        if let Some(k) = parts
            .iter()
            .rposition(|t| !is_person_tag(t) && ends_with_office(&text[t.range.clone()]))
        {
            pos = parts[k].range.end;
            while let Some(c) = text[pos..end.max(pos)]
                .chars()
                .next()
                .filter(|c| is_space(*c))
            {
                pos += c.len_utf8();
            }
            parts.drain(..=k);
        }
        if end <= pos {
            return None;
        }
        let name = &text[pos..end];
        let compact: String = name.chars().filter(|c| !is_space(*c)).collect();
        let first = parts.first().map(|t| &text[t.range.clone()]);
        let evidence = kana_given
            || parts
                .iter()
                .any(|t| is_person_tag(t) || (form_field && t.pos == PosTag::Unknown))
            || first.is_some_and(|s| self.lex.is_surname(s))
            || self.lex.is_surname(&compact)
            || (form_field && self.lex.is_given_kanji(&compact))
            || (form_field
                && compact.chars().all(is_katakana)
                && parts.iter().all(|t| t.pos != PosTag::Noun));
        if !evidence || self.lex.is_not_name(&compact) || (!form_field && chars(&compact) < 2) {
            return None;
        }
        Some(Candidate {
            range: pos..end,
            detector: "name.label",
            confidence: 0.8,
            reason: "name after a label",
        })
    }

    /// A listed surname followed by a given name (listed, or tagged by the dictionary).
    fn surname_given(&self, doc: &Document<'_>, surname: Range<usize>) -> Option<Candidate> {
        self.surname_given_strict(doc, surname.clone())
            .or_else(|| self.embedded_full_name(doc, surname))
    }

    /// A listed surname and a listed given name inside a longer kanji run
    /// (参謀長岡崎清三郎陸軍少将), when the dictionary tags both and cuts the run there.
    fn embedded_full_name(&self, doc: &Document<'_>, surname: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        if self.lex.is_common_word(&text[surname.clone()]) {
            return None;
        }
        // 新潟県村上市松喜和: a place name, then its suffix, not a given name.
        if next_char(text, surname.end).is_some_and(|c| PLACE_SUFFIXES.contains(c))
            || prev_char(text, surname.start).is_some_and(|(_, c)| "都道府県市区町村郡".contains(c))
        {
            return None;
        }
        let run_end = run_end(text, surname.end, is_kanji);
        let given_len = (2..=3usize).rev().find_map(|n| {
            let e = forward(text, surname.end, n);
            (e <= run_end && chars(&text[surname.end..e]) == n)
                .then_some(e)
                .filter(|&e| self.lex.is_given_kanji(&text[surname.end..e]))
        })?;
        let end = given_len;
        let mut win_start = surname.start;
        for _ in 0..4 {
            match prev_char(text, win_start) {
                Some((i, c)) if is_kanji(c) => win_start = i,
                _ => break,
            }
        }
        let toks = self.window(doc, win_start..forward(text, end, 3));
        let sur_ok = toks
            .iter()
            .any(|t| t.range == surname && t.pos == PosTag::Surname);
        let given: Vec<&FineToken> = toks
            .iter()
            .filter(|t| t.range.start >= surname.end && t.range.end <= end)
            .collect();
        let given_ok = given.first().is_some_and(|t| t.range.start == surname.end)
            && given.last().is_some_and(|t| t.range.end == end)
            && given.iter().any(|t| t.pos == PosTag::GivenName);
        // A role or title suffix may follow a tagged given name (桂一|技佐, 勝正|役);
        // a place suffix may not (村上|市).
        let after_ok = toks
            .iter()
            .find(|t| t.range.start == end)
            .is_none_or(|t| t.pos != PosTag::PlaceSuffix);
        if !(sur_ok && given_ok && after_ok) {
            return None;
        }
        Some(Candidate {
            range: surname.start..end,
            detector: "name.list",
            confidence: 0.75,
            reason: "surname and given name inside a compound",
        })
    }

    /// A listed surname followed by a listed given name at clear word boundaries.
    fn surname_given_strict(&self, doc: &Document<'_>, surname: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        if let Some((_, c)) = prev_char(text, surname.start) {
            if is_kanji(c) || is_katakana(c) {
                return None;
            }
        }
        let mut p = surname.end;
        let mut spaced = false;
        if let Some(c) = next_char(text, p) {
            if is_space(c) {
                p += c.len_utf8();
                spaced = true;
            }
        }
        let first = next_char(text, p)?;
        let full = self.surname_and_given(doc, surname.clone(), p, first, spaced);
        if full.is_none() && !spaced && !is_kanji(first) && !is_katakana(first) {
            return self.bare_surname(doc, surname);
        }
        full
    }

    /// The given name after a surname at `p` (`first` is its first character).
    fn surname_and_given(
        &self,
        doc: &Document<'_>,
        surname: Range<usize>,
        p: usize,
        first: char,
        spaced: bool,
    ) -> Option<Candidate> {
        let text = doc.text();
        let mut given_unlisted = false;
        let end = if is_kanji(first) {
            let full_end = run_end(text, p, is_kanji);
            // The honorific 氏 glued to the given name (森本 隆氏) is no part of it.
            let run_end = match text[p..full_end].strip_suffix('氏') {
                Some(g) if chars(g) >= 1 => p + g.len(),
                _ => full_end,
            };
            let given = &text[p..run_end];
            let n = chars(given);
            if n > 4 || !boundary_after(text, full_end) {
                return None;
            }
            // An unlisted given name counts when the dictionary tags it (below).
            given_unlisted = !self.lex.is_given_kanji(given);
            if n == 1 && PLACE_SUFFIXES.contains(given) {
                return None;
            }
            run_end
        } else if is_hiragana(first) {
            let run_end = run_end(text, p, is_hiragana);
            let run = &text[p..run_end];
            let mut len = self.kana_name_prefix(run, 2)?;
            // 〜と申します: the と is no part of the name (しゅう|と申します).
            if run[..len].ends_with('と')
                && text[p + len..].starts_with(['申', '言'])
                && chars(&run[..len]) > 2
            {
                len -= 'と'.len_utf8();
            }
            let rest = &run[len..];
            // Two-kana names only before a clear boundary, not before a particle
            // (青山とも|に would read as a name otherwise).
            if chars(&run[..len]) < 3 && !(rest.is_empty() || rest.starts_with("さん")) {
                return None;
            }
            p + len
        } else {
            return None;
        };
        let toks = self.window(doc, surname.start..forward(text, end, 2));
        let starts_ok = toks.first().is_some_and(|t| t.range.start == surname.start);
        let given_kanji = is_kanji(first);
        let ends_ok = !given_kanji || toks.iter().any(|t| t.range.end == end);
        let surname_whole = spaced || toks.iter().any(|t| t.range.end == surname.end);
        let place = toks
            .iter()
            .any(|t| t.range.start < forward(text, end, 1) && t.pos == PosTag::PlaceSuffix);
        let after_suffix = toks
            .iter()
            .find(|t| t.range.start == end)
            .is_some_and(|t| t.suffix && t.pos != PosTag::PersonSuffix);
        // A one-kanji "given name" the dictionary reads as a suffix (根本|的).
        let suffix_given = given_kanji
            && chars(&text[p..end]) == 1
            && toks.iter().any(|t| t.range.start == p && t.suffix);
        if suffix_given || !starts_ok || !ends_ok || !surname_whole || place || after_suffix {
            return None;
        }
        if given_unlisted {
            let tagged = toks
                .iter()
                .any(|t| t.range == surname && t.pos == PosTag::Surname)
                && toks
                    .iter()
                    .filter(|t| t.range.start >= p && t.range.end <= end)
                    .all(|t| matches!(t.pos, PosTag::GivenName | PosTag::PersonOther))
                && toks.iter().any(|t| t.range.start == p);
            if !tagged {
                return None;
            }
        }
        Some(Candidate {
            range: surname.start..end,
            detector: "name.list",
            confidence: 0.85,
            reason: "surname and given name",
        })
    }

    /// A name in parentheses after a phone number or other digits:
    /// `03-1234-5678(山田)`, the person to ask for.
    fn contact_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        for (open, _) in text.match_indices('(') {
            let Some((_, before)) = prev_char(text, open) else {
                continue;
            };
            if !before.is_ascii_digit() {
                continue;
            }
            let start = open + 1;
            let Some((len, _)) = text[start..]
                .char_indices()
                .take(12)
                .find(|(_, c)| *c == ')')
            else {
                continue;
            };
            let inner = &text[start..start + len];
            let n = chars(inner);
            if n == 0 || n > 8 || !inner.chars().all(|c| is_kanji(c) || is_space(c)) {
                continue;
            }
            // A weekday after a date (10/4（金）) is no one-kanji surname.
            if local::is_weekday_mark(inner.trim()) {
                continue;
            }
            let compact: String = inner.chars().filter(|c| !is_space(*c)).collect();
            let listed = self.lex.is_surname(&compact)
                || compact.char_indices().skip(1).any(|(i, _)| {
                    self.lex.is_surname(&compact[..i]) && self.lex.is_given_kanji(&compact[i..])
                });
            let tagged = || {
                let toks = self.window(doc, start..start + len);
                !toks.is_empty() && toks.iter().all(is_person_tag)
            };
            if listed || tagged() {
                found.push(Candidate {
                    range: start..start + len,
                    detector: "name.contact",
                    confidence: 0.75,
                    reason: "name in parentheses after a number",
                });
            }
        }
    }

    /// A listed surname standing alone before a particle, which the dictionary also
    /// tags as a surname (青木らとともに, 近藤が): weaker evidence, and never for
    /// surnames that are also common words or places (小川, 青山, 石川).
    fn bare_surname(&self, doc: &Document<'_>, surname: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let s = &text[surname.clone()];
        if self.lex.is_common_word(s) {
            return None;
        }
        let rest = &text[surname.end..];
        // A person acting in the sentence: subject, partner, listed with others.
        const AFTER: &[&str] = &[
            "は", "が", "と", "ら", "も", "、", "です", "より", "から", "へ",
        ];
        if !AFTER.iter().any(|a| rest.starts_with(a)) {
            return None;
        }
        let toks = self.window(doc, surname.start..forward(text, surname.end, 2));
        let t = toks.first()?;
        if t.range != surname || t.pos != PosTag::Surname {
            return None;
        }
        Some(Candidate {
            range: surname,
            detector: "name.surname",
            confidence: 0.6,
            reason: "surname tagged by the dictionary",
        })
    }

    /// One-kanji surnames (岸, 堀) are too common to trigger on their own; written
    /// apart from a listed given name (岸 しげたか) they are a name.
    fn short_surnames(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        for (sp, _) in text.match_indices(' ') {
            let Some((s, c)) = prev_char(text, sp) else {
                continue;
            };
            if !is_kanji(c) || prev_char(text, s).is_some_and(|(_, p)| is_kanji(p)) {
                continue;
            }
            if !self.lex.is_surname(&text[s..sp]) {
                continue;
            }
            if let Some(c) = self.surname_given(doc, s..sp) {
                found.push(c);
            }
        }
    }

    /// Names the name lists lack: a kanji run ending in a listed given name whose
    /// beginning the dictionary tags as a surname (`松友美佐紀`).
    fn kanji_runs(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        // Earlier finds sorted by start, so that overlap checks are binary searches;
        // this pass appends in text order.
        found.sort_by_key(|c| c.range.start);
        let base = found.len();
        let mut seen: std::collections::HashMap<&str, Option<usize>> =
            std::collections::HashMap::new();
        for (run, n) in KanjiRuns::new(text) {
            let (run_start, run_end) = (run.start, run.end);
            if (2..=3).contains(&n)
                && text[run_start..].starts_with(is_cn_kr_surname)
                && !prev_char(text, run_start).is_some_and(|(_, c)| is_kanji(c) || is_katakana(c))
                && boundary_after(text, run_end)
                && !overlaps_found(found, base, run_start..run_end)
            {
                let toks = self.window(doc, run_start..forward(text, run_end, 1));
                let inside: Vec<&FineToken> =
                    toks.iter().filter(|t| t.range.end <= run_end).collect();
                let ok = inside.len() >= 2
                    && inside[0].pos == PosTag::Surname
                    && inside.iter().all(|t| is_person_tag(t))
                    && inside.last().is_some_and(|t| t.range.end == run_end);
                if ok {
                    found.push(morph_candidate(run_start..run_end));
                }
                continue;
            }
            if !(3..=7).contains(&n) || !boundary_after(text, run_end) {
                continue;
            }
            if let Some((_, p)) = prev_char(text, run_start) {
                if is_katakana(p) {
                    continue;
                }
            }
            let run = &text[run_start..run_end];
            // Longest listed given name ending the run, leaving at least two kanji.
            let given_start = run
                .char_indices()
                .filter(|(j, _)| {
                    let g = chars(&run[*j..]);
                    (2..=3).contains(&g) && chars(&run[..*j]) >= 2
                })
                .find(|(j, _)| self.lex.is_given_kanji(&run[*j..]))
                .map(|(j, _)| run_start + j);
            let Some(g) = given_start else { continue };
            if overlaps_found(found, base, run_start..run_end) {
                continue;
            }
            // Long texts repeat their compounds (情報通信): decide each once.
            let key_end = forward(text, run_end, 1);
            if let Some(hit) = seen.get(&text[run_start..key_end]) {
                if let Some(off) = *hit {
                    found.push(morph_candidate(run_start + off..run_end));
                }
                continue;
            }
            seen.insert(&text[run_start..key_end], None);
            let toks = self.window(doc, run_start..key_end);
            // The name starts at a surname tag; every token after it up to the end of
            // the run is a name part, one of them a given name.
            let in_run: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= run_end).collect();
            let Some(k) = in_run
                .iter()
                .position(|t| t.pos == PosTag::Surname && t.range.start < g)
                .or_else(|| {
                    // A surname the dictionary reads as a place (兵庫|慎司) at the start
                    // of the run, before a tagged given name.
                    let first = in_run.first()?;
                    let second = in_run.get(1)?;
                    (first.range.start == run_start
                        && first.pos == PosTag::Place
                        && second.range.start == g
                        && second.pos == PosTag::GivenName)
                        .then_some(0)
                })
            else {
                continue;
            };
            let rest = &in_run[k + 1..];
            let parts_ok = !rest.is_empty()
                && rest.iter().all(|t| {
                    matches!(
                        t.pos,
                        PosTag::GivenName
                            | PosTag::Surname
                            | PosTag::PersonOther
                            | PosTag::Place
                            | PosTag::Unknown
                    )
                })
                && rest.iter().any(|t| t.pos == PosTag::GivenName);
            let sur = in_run[k];
            if !parts_ok || in_run.last().is_none_or(|t| t.range.end != run_end) {
                continue;
            }
            seen.insert(&text[run_start..key_end], Some(sur.range.start - run_start));
            found.push(morph_candidate(sur.range.start..run_end));
        }
    }

    /// A katakana name right after a word for a person (妻のメアリーは, 俳優トム):
    /// every token unknown to the dictionary or tagged as a name.
    fn katakana_after_role(&self, doc: &Document<'_>, role_end: usize) -> Option<Candidate> {
        let text = doc.text();
        let mut start = role_end;
        if let Some(c) = next_char(text, start) {
            if matches!(c, 'の' | '・' | ' ') {
                start += c.len_utf8();
            }
        }
        let end = text[start..]
            .char_indices()
            .find(|(_, c)| !(is_katakana(*c) || *c == '・' || *c == '='))
            .map_or(text.len(), |(j, _)| start + j);
        let end = text[..end].trim_end_matches(['・', '=']).len();
        if end <= start || chars(&text[start..end]) < 2 || !boundary_after(text, end) {
            return None;
        }
        let word = &text[start..end];
        if foreign::never_a_name(word) {
            return None;
        }
        let foreign = foreign::ForeignNames::shared();
        let listed = foreign.is_surname(word) || foreign.is_given(word) && !word.contains('・');
        let ok = listed || {
            let toks = self.window(doc, start..end);
            !toks.is_empty()
                && toks
                    .iter()
                    .all(|t| t.pos == PosTag::Unknown || is_person_tag(t))
        };
        ok.then_some(Candidate {
            range: start..end,
            detector: "name.katakana",
            confidence: 0.7,
            reason: "katakana name after a word for a person",
        })
    }

    /// A given name in hiragana right after a word for a person (`キャスターのひろしも`,
    /// `主人公・すみれを`, `長女さつきは`): the longest listed kana given name that starts
    /// the hiragana run and ends it or is followed by a particle. Common words the list
    /// also holds ([`NOT_KANA_NAMES`]) and runs starting with a particle are no names.
    fn hiragana_after_role(&self, doc: &Document<'_>, role_end: usize) -> Option<Candidate> {
        let text = doc.text();
        let mut start = role_end;
        if let Some(c) = next_char(text, start) {
            if matches!(c, 'の' | '・') {
                start += c.len_utf8();
            }
        }
        // A one-kanji role (姉, 母) needs `の` or `・` before a kana name: `姉とともに`.
        let mut back = text[..role_end].chars().rev();
        let one_kanji_role =
            back.next().is_some_and(is_kanji) && !back.next().is_some_and(is_kanji);
        if start == role_end && one_kanji_role {
            return None;
        }
        let first = next_char(text, start)?;
        if !is_hiragana(first) || "をへでがや".contains(first) {
            return None;
        }
        // A run starting like a particle (と, も, は, の, に) holds a name of three
        // characters or more (`はるか`, `ともこ`), never `とも` or `もと`.
        let min_chars = if "ともはのに".contains(first) {
            3
        } else {
            2
        };
        let end = run_end(text, start, is_hiragana);
        let mut ends: Vec<usize> = text[start..end]
            .char_indices()
            .skip(2)
            .map(|(i, _)| start + i)
            .chain(std::iter::once(end))
            .take(MAX_KANA_GIVEN_CHARS - 1)
            .collect();
        ends.reverse();
        let e = ends.into_iter().find(|&e| {
            let w = &text[start..e];
            self.lex.is_given_kana(w)
                && chars(w) >= min_chars
                && !NOT_KANA_NAMES.contains(&w)
                && (e == end && boundary_after(text, e) || e < end && particle_follows(&text[e..]))
        })?;
        Some(Candidate {
            range: start..e,
            detector: "name.role",
            confidence: 0.6,
            reason: "kana given name after a word for a person",
        })
    }

    /// A kanji name right after a word for a person (妻の大石恵は, 監督の西本が): the
    /// dictionary tags every part as a name, or it is a listed surname.
    fn kanji_after_role(&self, doc: &Document<'_>, role_end: usize) -> Option<Candidate> {
        let text = doc.text();
        let mut start = role_end;
        if let Some(c) = next_char(text, start) {
            if matches!(c, 'の' | '・') {
                start += c.len_utf8();
            }
        }
        let end = run_end(text, start, is_kanji);
        let n = chars(&text[start..end]);
        if !(2..=6).contains(&n) || !boundary_after(text, end) {
            return None;
        }
        let word = &text[start..end];
        let toks = self.window(doc, start..forward(text, end, 1));
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= end).collect();
        let tagged = !inside.is_empty()
            && inside.iter().all(|t| is_person_tag(t))
            && inside.last().is_some_and(|t| t.range.end == end);
        let listed = self.lex.is_surname(word) && !self.lex.is_common_word(word);
        // A listed given name the dictionary reads as no one common word (`父・龍|二|郎`).
        let given = (2..=4).contains(&n)
            && (self.lex.is_given_kanji(word) || kanji_list::list_flags(word).given)
            && !self.lex.is_common_word(word)
            && !self.lex.is_not_name(word)
            && inside.first().is_some_and(|t| t.range.start == start)
            && inside.last().is_some_and(|t| t.range.end == end)
            && (inside.len() != 1 || is_person_tag(inside[0]))
            && inside.iter().all(|t| {
                !t.suffix
                    && !t.prefix
                    && !matches!(
                        t.pos,
                        PosTag::Particle
                            | PosTag::Symbol
                            | PosTag::Other
                            | PosTag::Organization
                            | PosTag::PlaceSuffix
                    )
            });
        (tagged || listed || given).then_some(Candidate {
            range: start..end,
            detector: "name.role",
            confidence: 0.65,
            reason: "name after a word for a person",
        })
    }

    /// Katakana full names joined by `・` or `=` (`ジョン・スミス`), unless every part
    /// is a common noun (`アプリケーション・コンテンツ`).
    fn katakana_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let mut from = 0;
        // Every character is visited a bounded number of times: a chain is scanned
        // once, and the walk back never passes the end of the previous chain.
        let mut scanned = 0;
        while let Some(off) = text[from..].find(['・', '=']) {
            let sep = from + off;
            let sep_len = next_char(text, sep).map_or(1, char::len_utf8);
            from = sep + sep_len;
            let left_ok = prev_char(text, sep).is_some_and(|(_, c)| is_katakana(c));
            let right_ok = next_char(text, from).is_some_and(is_katakana);
            if !left_ok || !right_ok || sep < scanned {
                continue;
            }
            let mut start = sep;
            while let Some((i, c)) = prev_char(text, start) {
                if i >= scanned && is_katakana(c) {
                    start = i;
                } else {
                    break;
                }
            }
            // Unbounded, but `from` moves past the chain: each character is read once.
            let chain_end = text[from..]
                .char_indices()
                .find(|(_, c)| !(is_katakana(*c) || *c == '・' || *c == '='))
                .map_or(text.len(), |(j, _)| from + j);
            scanned = chain_end;
            from = chain_end;
            let end = text[..chain_end].trim_end_matches(['・', '=']).len();
            if chars(&text[start..end]) > 40 {
                continue;
            }
            if let Some((i, c)) = prev_char(text, start) {
                // Glued to kanji, or a katakana word broken across lines (アプリケー|ション).
                let broken = c == '\n'
                    && text[..i]
                        .trim_end_matches(['\n', '\r', ' '])
                        .ends_with(is_katakana);
                if (is_kanji(c)
                    && !context::person_word_before(&text[..start])
                    && !foreign::person_word_before(&text[..start])
                    && !foreign::ForeignNames::shared()
                        .is_listed_full_name(&text[start..end], &text[end..]))
                    || broken
                {
                    continue;
                }
            }
            // 長官 and 社長 are titles, not the 長 and 社 of a place or a company.
            if next_char(text, end).is_some_and(|c| is_kanji(c) && PLACE_SUFFIXES.contains(c))
                && !foreign::title_after_name(&text[end..])
                && !context::title_follows(&text[end..])
            {
                continue;
            }
            let toks = self.window(doc, start..end);
            let lists = foreign::ForeignNames::shared();
            let parts: Vec<&str> = text[start..end].split(['・', '=']).collect();
            let person = toks.iter().any(is_person_tag);
            let all_unknown = toks.iter().all(|t| t.pos == PosTag::Unknown);
            let rest = &text[end..];
            // A title, also after a prefix (`元首相`, `海軍中佐`), or what a person does
            // (`…指揮`, `…率いる`, `…時代`), written right after the chain.
            let titled = PERSON_TITLES.iter().any(|t| rest.starts_with(t))
                || foreign::foreign_title_follows(rest)
                || rest.starts_with(is_kanji)
                    && (context::title_follows(rest) || context::person_act_follows(rest));
            // Named after a venue, a company or a prize (…・サーキット, …・ピクチャーズ,
            // …記念賞), or a loanword no list holds as a name before the last part
            // (マネージング・ディレクター, but ジャネット・…): not a person, whatever the
            // parts are.
            if parts.last().is_some_and(|p| foreign::is_thing_word(p))
                || parts.split_last().is_some_and(|(_, init)| {
                    init.iter().any(|p| {
                        context::is_loanword(p) && !lists.is_given(p) && !lists.is_surname(p)
                    })
                })
                || foreign::ForeignNames::shared().is_organisation(&parts)
                || (!titled && foreign::thing_after(rest))
            {
                continue;
            }
            // An unknown katakana sequence acting as a subject or partner in the sentence
            // (ジョン・スミスは/が/と); names of teams and places are mostly objects.
            let agent = ["は", "が", "と", "ら", "、", "も", "や"]
                .iter()
                .any(|p| rest.starts_with(p))
                && !prev_char(text, start).is_some_and(|(_, c)| c == '「' || c == 'の');
            // A person's role in front: 俳優のトム・ハンクス, 監督・ジョン・フォード.
            let before = &text[..start];
            // Also as a predicate before the name: 投資家であるジョン・スミス.
            let role_end = before.strip_suffix("である").unwrap_or(before);
            let roled = PERSON_ROLES.iter().any(|r| {
                role_end.ends_with(r)
                    || role_end
                        .strip_suffix(['の', '・', ' '])
                        .is_some_and(|b| b.ends_with(r))
            }) || context::person_word_before(role_end)
                || foreign::person_word_before(role_end);
            // What the chain does in its clause is what a person does (…と結婚した,
            // …を逮捕した, …に師事した).
            // The chain must look like a name itself: no place first (ベルリン・フィル),
            // and a part a list holds as a name, or no part the dictionary knows.
            let place_first = parts.first().is_some_and(|p| lists.is_place(p));
            let acts = (foreign::person_predicate(rest) || foreign::subject_predicate(rest))
                && !place_first
                && (all_unknown
                    || parts
                        .iter()
                        .any(|p| lists.is_given(p) || lists.is_surname(p)))
                // The agent of a passive or of a work (…によって, …による録音): things
                // are agents too, so only a listed given name first or no known word.
                || rest.starts_with("によ")
                    && !place_first
                    && !parts.last().is_some_and(|p| context::is_loanword(p))
                    && (all_unknown || parts.first().is_some_and(|p| lists.is_given(p)));
            // The foreign name lists know the chain as a person (ジョー・バイデン), and
            // it is neither quoted (a title) nor the head of a kanji compound (…記念, …財団).
            let lexical = parts.len() >= 2
                && !foreign::thing_after(rest)
                && !prev_char(text, start).is_some_and(|(_, c)| matches!(c, '「' | '『' | '“'))
                && self.foreign_chain(doc, start..end, titled || roled);
            // Any other phrase end, in a sentence about a person (…の友人, …に敗れた).
            let in_person_sentence = || {
                all_unknown
                    && rest.starts_with(['の', 'に', 'を', 'で', 'へ', 'や', '。'])
                    && context::about_person(text, start..end)
            };
            if parts.len() < 2
                || !(person
                    || titled
                    || lexical
                    || acts
                    || (all_unknown && (agent || roled))
                    || in_person_sentence())
            {
                continue;
            }
            if !(titled || roled || lexical || acts || self.chain_in_context(doc, start..end)) {
                continue;
            }
            found.push(Candidate {
                range: start..end,
                detector: "name.katakana",
                confidence: 0.7,
                reason: "katakana full name",
            });
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod scan_helper_tests;
#[cfg(test)]
mod tests_foreign;

/// Whether a word names an office or section (保健福祉課, 総務部, 企画係, 市民センター).
fn ends_with_office(word: &str) -> bool {
    [
        "課",
        "係",
        "部",
        "室",
        "局",
        "班",
        "所",
        "センター",
        "グループ",
    ]
    .iter()
    .any(|s| word.ends_with(s))
}

/// The end of a name span cut before the first honorific inside it (after at least
/// one character of name).
fn cut_at_honorific(text: &str, range: std::ops::Range<usize>) -> usize {
    const HONORIFICS: [&str; 6] = ["さん", "さま", "ちゃん", "くん", "様", "殿"];
    let span = &text[range.clone()];
    span.char_indices()
        .skip(1)
        .find(|(i, _)| HONORIFICS.iter().any(|h| span[*i..].starts_with(h)))
        .map_or(range.end, |(i, _)| range.start + i)
}
