//! Standalone katakana names decided by a small weighted score (`ゲイリーと[レーン]は`,
//! `[ブラッドリー]はケンタッキー州`, `[フェリージ]家の紋章`).
//!
//! The rule-based katakana pass (`context.rs`, `standalone_katakana`) reports a single
//! katakana word only with one strong cue. Encyclopedic prose names foreign persons by
//! their surname alone and leaves many of them without such a cue; what tells them from
//! loanwords, companies and places is a sum of weak evidence, none of it a list of names:
//!
//! - what follows: a subject or partner particle (`は`, `が`, `と`, `ら`), agent marking
//!   (`によって`), a title (`大統領`, `学長`), a family or possession word (`家`, `兄弟`,
//!   `の妻`, `の命令`);
//! - what precedes: the start of a sentence, a particle, or (against) a kanji word, a
//!   quote mark or a Latin letter;
//! - the clause: a person predicate (`語った`, `結婚`, `就任`, `投獄`) in the rest of the
//!   sentence, or (against) words about companies, products and places;
//! - the document: the word is a part of a name found by the other passes (`ジョン・スミス`
//!   … `スミス`), it is coordinated with a found or listed name (`ゲイリーとレーン`), other
//!   names were found at all, or a kanji surname or given name is glued to it (`影山ヒロノブ`);
//! - the word: how IPADIC reads it (unknown, a person, a proper noun; against: a common
//!   noun, a place, an organisation), whether the JMnedict-derived lists hold it as a
//!   name or a place, its length and a name-like ending (`-ソン`, `-スキー`).
//!
//! The weights are those of a logistic regression fitted on the even ids of the
//! stockmark-names development set (rounded to one decimal) and checked on the odd ids;
//! a word IPADIC knows as a common noun, a place or an organisation and that no foreign
//! name list holds is never scored (most loanwords of municipal prompts are such nouns).
//! The word itself is tokenized (cached per scan) only when the cheap features could
//! still reach the threshold.
//!
//! Nothing here logs or keeps the text it looks at.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::context::{is_loanword, is_loanword_not_surname, Taken};
use super::foreign::{
    bad_chain_start, is_thing_word, joined_body_after, never_a_name, plural_thing, thing_after,
    thing_exists, thing_tail, title_after_name, ForeignNames,
};
use super::{chars, is_kanji, is_katakana, is_person_tag, next_char};
use super::{Candidate, NameDetector};
use crate::inspect::{Document, PosTag};

/// Evidence for or against a standalone katakana word being a person's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Feature {
    /// Followed by `は`.
    TopicAfter,
    /// Followed by `が`.
    SubjectAfter,
    /// Followed by `も`.
    AlsoAfter,
    /// Followed by `と`.
    AndAfter,
    /// Followed by `の`.
    OfAfter,
    /// Followed by `に`.
    ToAfter,
    /// Followed by `を`.
    ObjectAfter,
    /// Followed by `、`.
    CommaAfter,
    /// Followed by `や`.
    OrAfter,
    /// Followed by `だ` (`…だの`, `…だった`).
    CopulaAfter,
    /// Followed by `へ`.
    TowardAfter,
    /// Followed by `で`.
    AtAfter,
    /// Followed by `ら`.
    PluralAfter,
    /// Followed by a closing quote `」`.
    QuoteAfter,
    /// Followed by `によ` (`によって`, `により`).
    AgentAfter,
    /// Followed by `たち` or `ら`.
    GroupAfter,
    /// Followed by a word for family, possession or a person's doings (`家`, `兄弟`, `の妻`).
    PersonWordAfter,
    /// Followed by a title (`大統領`, `学長`, `帝`).
    TitleAfter,
    /// Followed by kanji.
    KanjiAfter,
    /// Followed by a Latin letter or a digit.
    AlnumAfter,
    /// Starts a sentence.
    SentenceStart,
    /// After `、`.
    CommaBefore,
    /// After an opening quote.
    QuoteBefore,
    /// After kanji.
    KanjiBefore,
    /// After a particle (`は に で が を と も`).
    ParticleBefore,
    /// After a Latin letter or a digit.
    AlnumBefore,
    /// The rest of the sentence speaks of a person (`語った`, `結婚`, `就任`).
    PersonClause,
    /// The sentence speaks of a company, a product, a place or a work.
    ThingContext,
    /// The word is a part of a name found by the other passes.
    PartOfFoundName,
    /// Other names were found in the text.
    NamesInText,
    /// Coordinated (`と`, `、`, `や`) with a found or listed name.
    CoordinatedWithName,
    /// Coordinated with another katakana word that is no known name.
    CoordinatedWithWord,
    /// A kanji surname or given name is glued before or after (`影山ヒロノブ`).
    KanjiNameGlued,
    /// Ends like many foreign surnames (`-ソン`, `-スキー`, `-ヴィチ`).
    NameEnding,
    /// Two characters long.
    Len2,
    /// Three characters long.
    Len3,
    /// Four characters long.
    Len4,
    /// Five characters long.
    Len5,
    /// Six characters or more.
    Len6,
    /// Listed as a foreign name that stands alone.
    ListedSurname,
    /// Listed as a foreign given name.
    ListedGiven,
    /// Listed as a foreign place.
    ListedPlace,
    /// In no foreign list.
    Unlisted,
    /// IPADIC does not know the word.
    TokUnknown,
    /// IPADIC reads the word as a person.
    TokPerson,
    /// IPADIC reads the word as a proper noun of no other kind.
    TokProper,
    /// IPADIC reads the word as an organisation.
    TokOrganization,
    /// IPADIC reads the word as a place.
    TokPlace,
    /// IPADIC reads the word as a common noun (or another part of speech).
    TokNoun,
    /// IPADIC splits the word, into unknown or person tokens only.
    TokSplitUnknown,
    /// IPADIC splits the word into several tokens.
    TokSplit,
}

/// Weight of each [`Feature`], in declaration order (fitted on the even ids of
/// stockmark-names, see the module header).
const WEIGHTS: [f32; 51] = [
    3.2,  // TopicAfter
    2.4,  // SubjectAfter
    -0.7, // AlsoAfter
    1.4,  // AndAfter
    1.0,  // OfAfter
    0.9,  // ToAfter
    0.6,  // ObjectAfter
    0.5,  // CommaAfter
    1.0,  // OrAfter
    0.8,  // CopulaAfter
    0.1,  // TowardAfter
    -0.4, // AtAfter
    2.5,  // PluralAfter
    -1.4, // QuoteAfter
    2.3,  // AgentAfter
    2.5,  // GroupAfter
    1.4,  // PersonWordAfter
    2.7,  // TitleAfter
    -1.1, // KanjiAfter
    0.6,  // AlnumAfter
    0.8,  // SentenceStart
    -0.5, // CommaBefore
    -1.8, // QuoteBefore
    -0.9, // KanjiBefore
    0.8,  // ParticleBefore
    -2.7, // AlnumBefore
    1.0,  // PersonClause
    -1.1, // ThingContext
    1.7,  // PartOfFoundName
    0.6,  // NamesInText
    1.7,  // CoordinatedWithName
    -0.3, // CoordinatedWithWord
    1.1,  // KanjiNameGlued
    0.6,  // NameEnding
    0.5,  // Len2
    0.7,  // Len3
    0.5,  // Len4
    1.0,  // Len5
    -0.8, // Len6
    1.3,  // ListedSurname
    0.8,  // ListedGiven
    -0.1, // ListedPlace
    -0.4, // Unlisted
    0.5,  // TokUnknown
    1.7,  // TokPerson
    0.8,  // TokProper
    -2.9, // TokOrganization
    -2.6, // TokPlace
    -1.6, // TokNoun
    -0.2, // TokSplitUnknown
    0.0,  // TokSplit
];

/// Score of a word with no evidence at all.
const BIAS: f32 = -4.4;
/// Scores above this are names. Lowered from -0.5 on 2026-11-26, after the plural, compound
/// and existence filters: on the even ids the band from -1.0 to -0.5 holds about one name
/// for two non-names, on the odd ids three for four (refits of the weights with more
/// features separated no better).
const THRESHOLD: f32 = -1.0;
/// Largest weight a token class can add; the word is tokenized only when the other
/// features bring it within this much of the threshold.
const MAX_TOKEN_WEIGHT: f32 = 1.7;

/// Characters of context looked at before and after the word (within its sentence).
const BEFORE_CHARS: usize = 30;
const AFTER_CHARS: usize = 60;
/// Longest katakana word scored, in characters.
const MAX_WORD_CHARS: usize = 40;

/// Words right after a name that belong to its bearer or family (`フェリージ家`,
/// `パスケル兄弟`, `ナーセル亡き後`), or make it the addressee of a demand or a
/// protest (`…に対して`; countries and companies the dictionary knows are not scored).
const PERSON_WORDS_AFTER: &[&str] = &[
    "家",
    "一族",
    "一家",
    "夫妻",
    "兄弟",
    "姉妹",
    "親子",
    "王家",
    "陣営",
    "派",
    "自身",
    "自ら",
    "亡き",
    "役",
    "博士",
    "学長",
    "帝",
    "公",
    "伯",
    "卿",
    "らの",
    "たち",
    "と共に",
    "とともに",
    "に対して",
    "に対し、",
];

/// Nouns that, after `の`, belong to a person (`…の妻`, `…の命令`, `…の立候補`).
const OF_PERSON_AFTER: &[&str] = &[
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
    "子",
    "養子",
    "死",
    "生涯",
    "葬",
    "墓",
    "邸",
    "紹介",
    "命令",
    "作品",
    "著",
    "提案",
    "立候補",
    "経験",
    "記憶",
    "秘書",
    "後継",
    "支持者",
    "弟子",
    "演技",
    "指揮",
    "財政",
    "加入",
    "昇格",
    "下で",
    "助け",
    "ソロ",
    "代理人",
    "更迭",
    "解任",
    "辞任",
    "就任",
    "即位",
    "暗殺",
    "死去",
    "逝去",
    "来日",
    "亡命",
    "失脚",
    "処刑",
    "オペラ",
    "オペレッタ",
    "交響曲",
    "協奏曲",
    "戯曲",
    "出産",
    "再選",
    "当選",
    "落選",
];

/// Titles and person words written right after a name (`フォード大統領`, `ファルエル学長`).
const TITLES_AFTER: &[&str] = &[
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
    "帝",
    "皇太子",
    "王子",
    "王女",
    "国王",
    "女王",
    "皇帝",
    "大王",
    "大公",
    "法王",
    "教皇",
    "書記長",
    "議長",
    "副大統領",
    "長官",
    "議員",
    "司令官",
    "外相",
    "大尉",
    "中尉",
    "少佐",
    "中佐",
    "大佐",
    "准将",
    "少将",
    "中将",
    "大将",
    "司教",
    "大司教",
    "枢機卿",
    "神父",
    "牧師",
    "捜査官",
    "刑事",
    "警部",
    "記者",
    "夫妻",
    "兄弟",
    "姉妹",
    "一家",
    "投手",
    "捕手",
    "船長",
    "艦長",
    "学長",
    "総長",
    "自身",
    "自ら",
    "家",
    "一族",
    "王家",
    "陣営",
    "役",
    "名義",
    "姓",
    "亡き",
    "公",
    "伯",
    "世",
    "女史",
    "夫人",
    "少年",
    "少女",
];

/// Words of a clause about a person: life events, speech, thought, family, roles.
const PERSON_PREDICATES: &[&str] = &[
    "語っ",
    "語り",
    "述べ",
    "生まれ",
    "死去",
    "死亡",
    "就任",
    "引退",
    "結婚",
    "出演",
    "演じ",
    "監督",
    "投獄",
    "暗殺",
    "即位",
    "留学",
    "師事",
    "亡くな",
    "逝去",
    "辞任",
    "退任",
    "卒業",
    "入学",
    "入団",
    "加入",
    "脱退",
    "結成",
    "指名",
    "任命",
    "選出",
    "当選",
    "落選",
    "逮捕",
    "殺害",
    "処刑",
    "会談",
    "会見",
    "面会",
    "出会",
    "知り合",
    "恋",
    "愛し",
    "離婚",
    "再婚",
    "誕生",
    "育",
    "学ん",
    "学び",
    "考え",
    "思っ",
    "感じ",
    "信じ",
    "決意",
    "決心",
    "拒否",
    "拒絶",
    "拒ん",
    "要求",
    "主張",
    "批判",
    "非難",
    "称賛",
    "賞賛",
    "反対",
    "支持",
    "訪れ",
    "訪問",
    "帰国",
    "亡命",
    "渡米",
    "渡仏",
    "移住",
    "書い",
    "著し",
    "描い",
    "作曲",
    "執筆",
    "発表",
    "歌",
    "演奏",
    "指揮",
    "主演",
    "共演",
    "勝利",
    "敗れ",
    "破っ",
    "戦っ",
    "闘",
    "率い",
    "指導",
    "命じ",
    "命令",
    "助言",
    "説得",
    "協力",
    "依頼",
    "告白",
    "手紙",
    "言っ",
    "答え",
    "尋ね",
    "叫",
    "笑",
    "泣",
    "怒",
    "嫌",
    "好",
    "望",
    "頼",
    "失脚",
    "失",
    "歳",
    "若さ",
    "自身",
    "彼",
    "彼女",
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
    "友人",
    "親交",
    "弟子",
    "師",
    "家族",
    "一族",
    "両親",
    "役",
    "名義",
    "登場",
    "扮",
];

/// Words of a sentence about a company, a product, a place or a work.
const THING_WORDS: &[&str] = &[
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
    "移籍",
    "期限付き",
];

/// Kanji words that, right after a katakana word, make it part of an eponym or a
/// doctrine rather than a person (`…主義`, `…宣言`, `…条約`).
const EPONYM_AFTER: &[&str] = &["主義", "宣言", "条約", "理論", "方程式"];

/// Endings shared by many foreign surnames and given names.
const NAME_ENDINGS: &[&str] = &[
    "ソン",
    "スキー",
    "ヴィチ",
    "ビッチ",
    "ヴィッチ",
    "ーニ",
    "ッティ",
    "エフ",
    "ノフ",
    "コフ",
    "ロフ",
    "ーノ",
    "ッリ",
    "マン",
    "ーズ",
    "ンズ",
    "ーン",
    "ール",
    "ルド",
    "ード",
    "ーグ",
    "リー",
    "ディ",
    "ーヌ",
    "ーナ",
    "イン",
];

/// Words joining coordinated names (`AとB`, `A、B`, `AおよびB`).
const COORDINATORS_BEFORE: &[&str] = &["と", "、", "や", "および", "及び"];
const COORDINATORS_AFTER: &[&str] = &["と", "、", "や", "および", "及び", "だの"];

/// A set of [`Feature`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Features(u64);

impl Features {
    fn set(&mut self, f: Feature, on: bool) {
        if on {
            self.0 |= 1 << f as u8;
        }
    }

    #[cfg(test)]
    fn has(self, f: Feature) -> bool {
        self.0 & (1 << f as u8) != 0
    }

    /// The sum of the weights of the features present, plus [`BIAS`].
    fn score(self) -> f32 {
        WEIGHTS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, w)| w)
            .sum::<f32>()
            + BIAS
    }
}

/// One automaton per word list, built on first use.
fn automata() -> Option<&'static (AhoCorasick, AhoCorasick)> {
    static AC: OnceLock<Option<(AhoCorasick, AhoCorasick)>> = OnceLock::new();
    AC.get_or_init(|| Some((super::dfa(PERSON_PREDICATES)?, super::dfa(THING_WORDS)?)))
        .as_ref()
}

/// The part of the sentence before `r.start` (at most [`BEFORE_CHARS`]) and after
/// `r.end` (at most [`AFTER_CHARS`]), cut at `。` and line breaks.
fn sentence_around<'t>(text: &'t str, r: &Range<usize>) -> (&'t str, &'t str) {
    let mut from = r.start;
    for (i, c) in text[..r.start].char_indices().rev().take(BEFORE_CHARS) {
        if matches!(c, '。' | '\n') {
            break;
        }
        from = i;
    }
    let mut to = r.end;
    for (j, c) in text[r.end..].char_indices().take(AFTER_CHARS) {
        if matches!(c, '。' | '\n') {
            break;
        }
        to = r.end + j + c.len_utf8();
    }
    (&text[from..r.start], &text[r.end..to])
}

/// The run of characters matching `class` that `text` starts with (possibly empty).
fn leading(text: &str, class: fn(char) -> bool) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !class(*c))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// The run of characters matching `class` that `text` ends with (possibly empty).
fn trailing(text: &str, class: fn(char) -> bool) -> &str {
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| class(*c))
        .last()
        .map_or(text.len(), |(i, _)| i);
    &text[start..]
}

/// The first `n` characters of `s` (or all of it).
fn first_chars(s: &str, n: usize) -> &str {
    &s[..s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)]
}

/// The last `n` characters of `s` (or all of it).
fn last_chars(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(s.len(), |(i, _)| i);
    &s[start..]
}

/// The names found by the other passes, and their parts (`ジョン・スミス` → `ジョン`, `スミス`).
struct FoundNames<'t> {
    whole: Vec<&'t str>,
    parts: Vec<&'t str>,
}

impl<'t> FoundNames<'t> {
    fn new(text: &'t str, found: &[Candidate]) -> Self {
        let whole: Vec<&str> = found
            .iter()
            .filter_map(|c| text.get(c.range.clone()))
            .collect();
        let parts = whole
            .iter()
            .flat_map(|w| w.split(['・', '=', '゠']))
            .filter(|p| !p.is_empty())
            .collect();
        FoundNames { whole, parts }
    }

    fn has_part(&self, w: &str) -> bool {
        self.parts.contains(&w)
    }
}

impl NameDetector {
    /// Standalone katakana words that no other pass took, reported when the weighted
    /// evidence around them (see the module header) passes [`THRESHOLD`].
    pub(super) fn scored_katakana(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let mut names: Option<FoundNames<'_>> = None;
        let mut taken: Option<Taken> = None;
        let mut new = Vec::new();
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
            if !is_katakana(c) && !is_joiner(c) {
                i += c.len_utf8();
                continue;
            }
            let start = i;
            let mut end = i;
            let mut n = 0;
            let mut joined = false;
            for (j, c) in text[i..].char_indices() {
                if is_joiner(c) {
                    joined = true;
                } else if !is_katakana(c) {
                    break;
                }
                end = i + j + c.len_utf8();
                n += 1;
            }
            i = end;
            if !(2..=MAX_WORD_CHARS).contains(&n) {
                continue;
            }
            let r = start..end;
            let taken = taken.get_or_insert_with(|| Taken::new(found));
            if taken.overlaps(&r) {
                continue;
            }
            let names = names.get_or_insert_with(|| FoundNames::new(text, found));
            if joined {
                if self.unlisted_chain(doc, r.clone()) {
                    new.push(Candidate {
                        range: r,
                        detector: "name.katakana",
                        confidence: 0.55,
                        reason: "katakana chain of unknown words about a person",
                    });
                }
                continue;
            }
            if let Some(score) = self.katakana_score(doc, r.clone(), names) {
                if score > THRESHOLD {
                    new.push(Candidate {
                        range: r,
                        detector: "name.katakana",
                        confidence: 0.55,
                        reason: "katakana name by weighted context",
                    });
                }
            }
        }
        found.append(&mut new);
    }

    /// The score of the katakana word at `r`, or `None` when it is never a name here
    /// (a loanword, a listed thing, a common noun no list holds) or cannot reach the
    /// threshold.
    fn katakana_score(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        names: &FoundNames<'_>,
    ) -> Option<f32> {
        let text = doc.text();
        let word = &text[r.clone()];
        let lists = ForeignNames::shared();
        let rest = &text[r.end..];
        if is_loanword_not_surname(word)
            || never_a_name(word)
            || thing_tail(word)
            || lists.is_thing(word)
            || broken_word(text, &r)
            || thing_after(rest)
            || thing_exists(rest)
            || plural_thing(word) && !title_after_name(rest)
            || EPONYM_AFTER.iter().any(|w| rest.starts_with(w))
        {
            return None;
        }
        let mut f = context_features(
            text,
            &r,
            names,
            |k| self.lex.is_surname(k),
            |k| self.lex.is_given_kanji(k),
        );
        let surname = lists.is_surname(word);
        let given = !surname && lists.is_given(word);
        let place = !surname && !given && lists.is_place(word);
        f.set(Feature::ListedSurname, surname);
        f.set(Feature::ListedGiven, given);
        f.set(Feature::ListedPlace, place);
        f.set(Feature::Unlisted, !(surname || given || place));
        let n = chars(word);
        f.set(Feature::Len2, n == 2);
        f.set(Feature::Len3, n == 3);
        f.set(Feature::Len4, n == 4);
        f.set(Feature::Len5, n == 5);
        f.set(Feature::Len6, n >= 6);
        f.set(
            Feature::NameEnding,
            NAME_ENDINGS.iter().any(|e| word.ends_with(e)),
        );
        if f.score() + MAX_TOKEN_WEIGHT <= THRESHOLD {
            return None;
        }
        let toks = self.window(doc, r);
        let tag = match toks.as_slice() {
            [] => return None,
            [t] if t.pos == PosTag::Unknown => Feature::TokUnknown,
            [t] if is_person_tag(t) => Feature::TokPerson,
            [t] => match t.pos {
                PosTag::Place => Feature::TokPlace,
                PosTag::Organization => Feature::TokOrganization,
                PosTag::ProperOther => Feature::TokProper,
                _ => Feature::TokNoun,
            },
            many if many
                .iter()
                .all(|t| t.pos == PosTag::Unknown || is_person_tag(t)) =>
            {
                Feature::TokSplitUnknown
            }
            // A compound of loanwords the dictionary knows (キャラクター|デザイン).
            many if !(surname || given)
                && many
                    .iter()
                    .all(|t| t.pos != PosTag::Unknown && t.range.len() >= 9) =>
            {
                return None
            }
            _ => Feature::TokSplit,
        };
        // A word the dictionary knows as a common noun, a place or an organisation
        // is a name only if a foreign name list holds it.
        if matches!(
            tag,
            Feature::TokNoun | Feature::TokPlace | Feature::TokOrganization
        ) && !(surname || given)
        {
            return None;
        }
        f.set(tag, true);
        Some(f.score())
    }
}

/// Whether a word ends like a plural (`-ーズ`, `-ンス`, `-ッツ`, `-イス`): teams, bands and
/// companies (`…・スパーズ`, `…・ブラザース`, `…・ロケッツ`).
fn plural_shaped(word: &str) -> bool {
    let mut rev = word.chars().rev();
    matches!(rev.next(), Some('ズ' | 'ス' | 'ツ'))
        && matches!(rev.next(), Some('ー' | 'ン' | 'ッ' | 'イ'))
}

/// Most parts of a chain [`NameDetector::unlisted_chain`] reads as a name.
const MAX_CHAIN_PARTS: usize = 4;

impl NameDetector {
    /// Whether the katakana chain at `r` (parts joined by `・`/`=`, which the list-based
    /// chain pass left alone because no part is a listed name) is a person's name by its
    /// shape and its sentence: two to four parts, each a word the dictionary does not know
    /// (or knows as a person, or a listed name), none a listed place or thing, no article or
    /// club prefix first and no plural team ending last; the chain stands as a word (no
    /// quote, Latin letter or kanji glued to it); and the sentence speaks of a person or
    /// of no company, team or work (`マルコ・ベリンの招待で`, but not
    /// `ピッツバーグ・パイレーツへ移籍`).
    fn unlisted_chain(&self, doc: &Document<'_>, r: Range<usize>) -> bool {
        let text = doc.text();
        let chain = &text[r.clone()];
        let lists = ForeignNames::shared();
        let n = chain.split(is_joiner).count();
        if !(2..=MAX_CHAIN_PARTS).contains(&n)
            || is_loanword(chain)
            || thing_after(&text[r.end..])
            || joined_body_after(&text[r.end..])
            || broken_word(text, &r)
        {
            return false;
        }
        let mut parts = chain.split(is_joiner);
        let first = parts.next().unwrap_or_default();
        let last = parts.next_back().unwrap_or_default();
        if bad_chain_start(first)
            || is_thing_word(last)
            || plural_thing(last)
            || plural_shaped(last) && !lists.is_surname(last)
        {
            return false;
        }
        let before = text[..r.start].chars().next_back();
        let after = next_char(text, r.end);
        let quote = |c: char| matches!(c, '「' | '『' | '“' | '"' | '」' | '』' | '”' | '(' | '（');
        if before.is_some_and(|c| quote(c) || c.is_ascii_alphanumeric())
            || after.is_some_and(|c| quote(c) || c.is_ascii_alphanumeric() || is_kanji(c))
        {
            return false;
        }
        if !super::context::about_person_or_no_thing(text, r.clone()) {
            return false;
        }
        let mut at = r.start;
        for part in chain.split(is_joiner) {
            let pr = at..at + part.len();
            at = pr.end + next_char(text, pr.end).map_or(0, char::len_utf8);
            if part.is_empty()
                || lists.is_place(part)
                || lists.is_thing(part)
                || is_loanword(part)
                || never_a_name(part)
                || thing_tail(part)
            {
                return false;
            }
            if lists.is_surname(part) || lists.is_given(part) {
                continue;
            }
            let toks = self.window(doc, pr);
            if toks.is_empty()
                || !toks
                    .iter()
                    .all(|t| t.pos == PosTag::Unknown || is_person_tag(t))
            {
                return false;
            }
        }
        true
    }
}

/// Kanji that, after a title or a family word, make it a place or a body (`帝国`,
/// `公国`, `王家` is fine but `家族` is not a family name).
const NOT_AFTER_TITLE: &str = "区国領庁府省館室局院派軍団会党座族";

/// Whether `rest` starts with `w` as a word of its own: a one-character word must not
/// be followed by a kanji of [`NOT_AFTER_TITLE`] (`帝国`, `公国`).
fn word_follows(rest: &str, w: &str) -> bool {
    rest.strip_prefix(w).is_some_and(|after| {
        chars(w) > 1 || !after.starts_with(|c: char| NOT_AFTER_TITLE.contains(c))
    })
}

/// Whether the word at `r` is a piece of a word broken across lines or columns
/// (`セキュリティイ` / `ンシデント`), or starts a line (page breaks leave the rest of a
/// word there): only white space separates it from katakana, or a line break precedes it.
fn broken_word(text: &str, r: &Range<usize>) -> bool {
    let ws = [' ', '\u{3000}', '\n', '\r', '\t'];
    let before = text[..r.start].trim_end_matches(ws);
    let after = text[r.end..].trim_start_matches(ws);
    text[..r.start].ends_with(['\n', '\r'])
        || before.len() < r.start && before.ends_with(|c: char| is_katakana(c) || is_joiner(c))
        || after.len() < text.len() - r.end && after.starts_with(is_katakana)
}

fn is_joiner(c: char) -> bool {
    matches!(c, '・' | '=' | '゠')
}

/// The features of the text around the word at `r`: what precedes and follows it, the
/// clause, the names found elsewhere. `surname(k)` and `given(k)` tell listed kanji
/// surnames and given names.
fn context_features(
    text: &str,
    r: &Range<usize>,
    names: &FoundNames<'_>,
    surname: impl Fn(&str) -> bool,
    given: impl Fn(&str) -> bool,
) -> Features {
    use Feature::*;
    let mut f = Features::default();
    let word = &text[r.clone()];
    let (before, after) = sentence_around(text, r);
    let a1 = after.chars().next();
    let b1 = before.chars().next_back();
    for (c, feature) in [
        ('は', TopicAfter),
        ('が', SubjectAfter),
        ('も', AlsoAfter),
        ('と', AndAfter),
        ('の', OfAfter),
        ('に', ToAfter),
        ('を', ObjectAfter),
        ('、', CommaAfter),
        ('や', OrAfter),
        ('だ', CopulaAfter),
        ('へ', TowardAfter),
        ('で', AtAfter),
        ('ら', PluralAfter),
        ('」', QuoteAfter),
    ] {
        f.set(feature, a1 == Some(c));
    }
    f.set(AgentAfter, after.starts_with("によ"));
    f.set(
        GroupAfter,
        after.starts_with("たち") || after.starts_with('ら'),
    );
    f.set(
        PersonWordAfter,
        super::affix::affix_set!(PERSON_WORDS_AFTER)
            .prefixes(after)
            .any(|w| word_follows(after, w))
            || after
                .strip_prefix('の')
                .is_some_and(|a| OF_PERSON_AFTER.iter().any(|w| a.starts_with(w))),
    );
    f.set(
        TitleAfter,
        super::affix::affix_set!(TITLES_AFTER)
            .prefixes(after)
            .any(|t| word_follows(after, t)),
    );
    f.set(KanjiAfter, a1.is_some_and(is_kanji));
    f.set(AlnumAfter, a1.is_some_and(|c| c.is_ascii_alphanumeric()));
    f.set(SentenceStart, b1.is_none());
    f.set(CommaBefore, b1 == Some('、'));
    f.set(QuoteBefore, matches!(b1, Some('「' | '『')));
    f.set(KanjiBefore, b1.is_some_and(is_kanji));
    f.set(
        ParticleBefore,
        b1.is_some_and(|c| "はにでがをとも".contains(c)),
    );
    // A Latin word or a hyphen before: part of a title or a code (`NARUTO-ナルト-`).
    f.set(
        AlnumBefore,
        b1.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '‐' | '〜')),
    );
    if let Some((person, thing)) = automata() {
        f.set(PersonClause, person.is_match(after));
        f.set(
            ThingContext,
            thing.is_match(before) || thing.is_match(after),
        );
    }
    f.set(PartOfFoundName, names.has_part(word));
    f.set(NamesInText, !names.whole.is_empty());
    // Coordination with a neighbour: a found or listed name, or another katakana word.
    let lists = ForeignNames::shared();
    let name_like = |w: &str| names.has_part(w) || lists.is_surname(w) || lists.is_given(w);
    let trimmed = before.trim_end_matches([' ', '\u{3000}']);
    let neighbours = [
        COORDINATORS_BEFORE
            .iter()
            .find_map(|s| trimmed.strip_suffix(s))
            .map(|t| trailing(t, is_katakana)),
        COORDINATORS_AFTER
            .iter()
            .find_map(|s| after.strip_prefix(s))
            .map(|t| leading(t, is_katakana)),
    ];
    for w in neighbours.into_iter().flatten().filter(|w| !w.is_empty()) {
        if name_like(w) {
            f.set(CoordinatedWithName, true);
        } else {
            f.set(CoordinatedWithWord, true);
        }
    }
    let by_found = names.whole.iter().any(|n| {
        ["と", "、"].iter().any(|s| {
            before.strip_suffix(s).is_some_and(|b| b.ends_with(n))
                || after.strip_prefix(s).is_some_and(|a| a.starts_with(n))
        })
    });
    f.set(CoordinatedWithName, by_found);
    // A kanji surname or given name glued to the word (`アントニオ猪木`, `影山ヒロノブ`).
    let next = leading(after, is_kanji);
    let prev = trailing(before, is_kanji);
    let glued_after = !next.is_empty()
        && chars(next) <= 4
        && (surname(first_chars(next, 2))
            || surname(first_chars(next, 3))
            || surname(next)
            || given(next));
    let glued_before = !prev.is_empty()
        && (surname(last_chars(prev, 2)) || surname(last_chars(prev, 3)) || surname(prev));
    f.set(KanjiNameGlued, glued_after || glued_before);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(text: &str, word: &str) -> Features {
        let start = text.find(word).expect("word in text");
        let r = start..start + word.len();
        let names = FoundNames::new(text, &[]);
        context_features(text, &r, &names, |k| k == "影山", |_| false)
    }

    #[test]
    fn context_features_table() {
        use Feature::*;
        // (text, word, features expected present, features expected absent)
        let cases: &[(&str, &str, &[Feature], &[Feature])] = &[
            (
                "ヴァルデマンは引退した。",
                "ヴァルデマン",
                &[TopicAfter, SentenceStart, PersonClause],
                &[KanjiAfter],
            ),
            (
                "式典でクラウザー学長が挨拶した。",
                "クラウザー",
                &[TitleAfter, KanjiAfter],
                &[TopicAfter],
            ),
            (
                "オルステッド家の紋章",
                "オルステッド",
                &[PersonWordAfter, TitleAfter],
                &[],
            ),
            // 帝国, 公国: a body, not a title.
            (
                "ロムルス帝国の首都",
                "ロムルス",
                &[KanjiAfter],
                &[TitleAfter, PersonWordAfter],
            ),
            (
                "ベルンハルト公国軍",
                "ベルンハルト",
                &[],
                &[TitleAfter, PersonWordAfter],
            ),
            (
                "ジョンとコルベットは",
                "コルベット",
                &[CoordinatedWithName, ParticleBefore],
                &[],
            ),
            (
                "ペンとコルベットは",
                "コルベット",
                &[CoordinatedWithWord],
                &[CoordinatedWithName],
            ),
            (
                "影山ヒロノブによる主題歌",
                "ヒロノブ",
                &[KanjiNameGlued, AgentAfter],
                &[],
            ),
            (
                "「NARUTO-ナルト-外伝」",
                "ナルト",
                &[AlnumBefore],
                &[SentenceStart],
            ),
            (
                "新製品をステープラーに",
                "ステープラー",
                &[ToAfter],
                &[PersonClause],
            ),
            (
                "そのプラントは州の工場で",
                "プラント",
                &[TopicAfter, ThingContext],
                &[],
            ),
        ];
        let mut failures = Vec::new();
        for (text, word, on, off) in cases {
            let f = features(text, word);
            for x in *on {
                if !f.has(*x) {
                    failures.push(format!("{text} / {word}: expected {x:?}"));
                }
            }
            for x in *off {
                if f.has(*x) {
                    failures.push(format!("{text} / {word}: unexpected {x:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn broken_words_and_titles() {
        let cases: &[(&str, &str, bool)] = &[
            ("セキュリティイ\nンシデントが発生", "ンシデント", true),
            ("アク\n- 135 -\nセスがない", "セス", true),
            ("情報セキュリ ティ対策", "ティ", true),
            ("昨年、ヴァルデマンは", "ヴァルデマン", false),
        ];
        for (text, word, broken) in cases {
            let start = text.rfind(word).expect("word in text");
            let r = start..start + word.len();
            assert_eq!(broken_word(text, &r), *broken, "{text}");
        }
        assert!(word_follows("家の紋章", "家"));
        assert!(!word_follows("帝国の首都", "帝"));
        assert!(word_follows("学長が", "学長"));
    }

    #[test]
    fn weights_cover_every_feature() {
        assert_eq!(WEIGHTS.len(), Feature::TokSplit as usize + 1);
        assert!(WEIGHTS.len() <= 64, "features are a u64 bit set");
        let mut f = Features::default();
        assert!((f.score() - BIAS).abs() < 1e-6);
        f.set(Feature::TopicAfter, true);
        assert!((f.score() - BIAS - WEIGHTS[0]).abs() < 1e-6);
    }
}
