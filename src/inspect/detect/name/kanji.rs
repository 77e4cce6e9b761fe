//! Kanji names written without any cue: no honorific, no label, no role word.
//!
//! Encyclopedic and news prose names people bare (`頭山満は`, `石破茂・`, `盧武鉉の`,
//! `勝見基中佐が`). The dictionary (IPADIC) knows many surnames and given names, so a
//! kanji run it reads as a surname followed by given-name parts is a name, provided the
//! run stands as a word of its own. The pass in this module looks for:
//!
//! - a surname tag followed by given-name parts (`頭山|満`, `江上|波|夫`, `大楠|雄|蔵`),
//!   or by single kanji that spell a listed given name (`村岡|真|三`), three to five
//!   kanji, optionally followed by a glued title (`勝見基中佐`);
//! - a run the dictionary knows as one person (`毛沢東`, `大海人皇子`: 人名,一般);
//! - a Chinese or Korean name of three kanji (`盧武鉉`, `金斗鎔`) whose parts the
//!   dictionary reads as name parts or single kanji, not as common words;
//! - the same after a title, a word for a person or a generation glued before it
//!   (`相談役大口喜六`, `五代目吉川藤八`), or before a credit glued after it (`森繁久弥主演`);
//! - two or three kanji glued before an imperial title (`敦貞親王`, `…天皇`);
//! - a surname tag glued to a word for a family or a title (`伊藤家`, `小田船長`);
//! - a surname tag followed by a katakana given name (`土屋アンナ`);
//! - a given name glued after a kinship word (`三女悦子は`, `長女の恵美子の`);
//! - a bare surname repeating the surname of a full name found in the same text
//!   (`富野由悠季 … 富野の目に`);
//! - a full name before an office that ends in a title (`村井優子高知県知事`,
//!   `…陸軍少将`, `蔣文石国民党総裁`);
//! - a surname acting alone: one the dictionary tags as a surname before a particle,
//!   `から`, `および` or a closing quote, a listed surname that is the subject of a
//!   clause (`、津軽は`, `当選し岩淵は`) and no common noun, or one the dictionary files
//!   as a place after a word for a person and `の` (`代理人の長野と`);
//! - a Chinese or Korean name of two kanji before any particle (`孫堅に`), and one of
//!   three kanji without a person cue unless it ends like a country or a group, also
//!   when the dictionary joins the surname to an unknown word (`兪平|威`);
//! - a given name the dictionary tags as one, or a listed one it spells one kanji at a
//!   time (`紗|菜は`), acting alone (`千鶴の入婿`).
//!
//! Cost: two-kanji runs (most of any text) are skipped unless a Chinese or Korean
//! surname starts them before a particle, `の` precedes them, or they are a listed
//! surname or given name before a particle; other runs are
//! tokenized only after cheap look-ups pass (the run ends in a listed given name or
//! starts with a listed surname, ends in a family word or a title, follows a kinship
//! word), and windows are cached per scan, so a long text with repeating compounds
//! (情報通信, 目的等) costs a few look-ups per kanji run.

use std::collections::HashSet;
use std::ops::Range;

use super::context::{
    about_person, glued_title, is_of_person_word, of_person_follows, person_word_before, Taken,
    LOCATIVE_AFTER,
};
use super::kanji_list::{list_flags, listed_split};
use super::{
    boundary_after, chars, forward, is_cn_kr_surname, is_kanji, is_katakana, is_person_tag,
    is_space, next_char, prev_char, run_end, Candidate, KanjiRuns, NameDetector, PERSON_ROLES,
};
use crate::inspect::tokenizer::FineToken;
use crate::inspect::{Document, PosTag};

/// Shortest and longest full name (surname and given name) this pass reports, in kanji.
const MIN_FULL_CHARS: usize = 3;
const MAX_FULL_CHARS: usize = 5;
/// Longest kanji run looked at (a name and a glued title), in characters.
const MAX_RUN_CHARS: usize = 12;
/// Longest kanji run starting with a Chinese or Korean surname looked at: a name of
/// three kanji and a long office glued after it (`…党中央委員会第一副部長`).
const MAX_CN_OFFICE_RUN_CHARS: usize = 18;

/// Last kanji of places, roads, mountains, groups and buildings: a "name" ending in
/// one is a place or an organisation the dictionary splits like a name (阪和道, 根子岳,
/// 甲賀衆, 岡崎藩領).
pub(super) const NOT_NAME_ENDINGS: &str =
    "道岳山川衆領藩線島橋湖池寺宮城駅港党派軍団隊組会屋堂館店局課部所庁省家号丸社院門町村区市県郡";

/// Single kanji that end compounds far more often than given names, although the
/// given-name list has them (基本的, 目的等, 総務省): never the cheap trigger.
const NOT_GIVEN_SINGLE: &str =
    "的等省性化法者用上下中内外後前毎別費率制度会員局課部係所策報料器型版書表案権点線面側便達類";

/// Common one-kanji given names (満, 茂, 剛): after a surname the lists do not know, a
/// single kanji counts as a given name only if it is one of these (高品|質 is no name).
const ONE_KANJI_GIVEN: &str = "満茂剛亘徹猛博仁健勉誠隆明実清学聡豊進正勇忠修弘武功基薫稔勝晃浩治淳潤純司優翔陸蓮悟透肇毅昇巌保登渉亮章彰哲敦篤恵愛凛栞葵楓萌舞彩望環遥瞳泉梓静操節緑桂馨譲守衛崇勲巧輝寛惇敬慎貢廉宏洋雄蔵斉靖哉秀晋孝均克元栄旭暁朗諭";

/// Last kanji of three-kanji words that start with a Chinese or Korean surname and
/// name a country, a province, a town, a party, an army, a household, a group, a
/// building or a place (`玄洋社`).
const CN_NOT_LAST: &str = "国省市県区町村党軍派家朝会社団組館寺院島山川道線駅港城宮";

/// Titles of emperors and of the imperial family glued after a name (`…親王`, `…天皇`),
/// longest first.
const IMPERIAL_TITLES: &[&str] = &[
    "内親王",
    "法親王",
    "親王",
    "天皇",
    "上皇",
    "法皇",
    "皇子",
    "皇女",
    "皇后",
];

/// Kinship words a given name may be glued to (三女悦子は).
const KIN_GLUED: &[&str] = &[
    "長男", "次男", "三男", "四男", "五男", "長女", "次女", "三女", "四女", "五女", "嫡男", "嫡子",
    "養子", "養女",
];

/// Kinship words after which `の` and a listed given name follow (長女の恵美子の).
const KIN_OF: &[&str] = &[
    "長男", "次男", "三男", "四男", "長女", "次女", "三女", "四女", "妻", "夫", "娘", "息子", "妹",
    "弟", "姉", "兄", "母", "父", "祖父", "祖母", "孫",
];

/// Last characters of the titles and words for a person a name may be glued after
/// (参謀, 長官, 顧問官, 監督, 役): a cheap test before the word lists are searched.
const PERSON_WORD_LAST: &str = "者人官長王帝妃卿師士員将事手家主役謀督佐尉監臣相問席記使綱関結段名";

/// Endings of katakana words after a surname that name a business, a team or a place
/// (宮田ジム, 金星スターズ, 野村トーイ), not a given name.
const KATAKANA_NOT_GIVEN: &[&str] = &[
    "ズ",
    "ジム",
    "トイ",
    "トーイ",
    "クラブ",
    "ホール",
    "ハウス",
    "ランド",
    "パーク",
    "ビル",
    "ストア",
    "マート",
    "ショップ",
    "スタジオ",
    "プロ",
    "グループ",
    "ホーム",
    "ライン",
];

/// Credits and roles written right after a full name in one run (`森繁久弥主演`).
const NAME_FOLLOWERS: &[&str] = &[
    "主演",
    "出演",
    "主役",
    "作曲",
    "編曲",
    "作詞",
    "原作",
    "脚本",
    "監修",
    "演出",
    "総理大臣",
    "大臣",
    "以外",
];

/// Credits a full name is glued after in lists of staff (`作曲…、編曲…`).
const CREDITS_BEFORE: &[&str] = &[
    "作曲", "編曲", "作詞", "採譜", "原作", "脚本", "演出", "監修", "撮影", "振付", "作画", "指揮",
    "演奏", "訳詞", "翻訳",
];

/// Words for a family, a household or a faction written after a surname (`伊藤家`,
/// `徳川方`, `小渕派`).
const FAMILY_WORDS: &[&str] = &[
    "家", "方", "邸", "一族", "一門", "一家", "兄弟", "姉妹", "夫妻", "父子", "母子", "親子", "派",
];

/// Titles written after a bare surname besides those [`glued_title`] knows.
const SURNAME_TITLES: &[&str] = &[
    "委員",
    "委員長",
    "副委員長",
    "船長",
    "館長",
    "議長",
    "航海長",
    "総理大臣",
    "総理",
    "主演",
    "自身",
    "個人",
];

/// Offices and services a Chinese or Korean name is glued to in news prose (`…外相が`,
/// `…党中央委員会副委員長`, `…海軍参謀総長`); only the start of the office is matched.
const CN_OFFICE_STARTS: &[&str] = &[
    "外相",
    "首相",
    "総理",
    "主席",
    "総統",
    "総書記",
    "書記",
    "参議",
    "党",
    "国務",
    "外交部",
    "海軍",
    "陸軍",
    "空軍",
    "大使",
    "将軍",
    "元帥",
    "大将",
    "中将",
    "少将",
    "議長",
    "委員長",
    "副委員長",
    "大統領",
    "司令",
    "知事",
    "市長",
    "省長",
];

/// What may follow a surname acting alone in a sentence: a particle, a comma, a
/// middle dot, or `ら` (立浪に, 野溝らは, 西沢・高木).
const BARE_SURNAME_AFTER: [char; 11] = [
    'は', 'が', 'も', 'と', 'の', 'に', 'を', 'や', 'ら', '、', '・',
];

/// What may also follow a surname the dictionary tags as one, acting alone: a
/// postposition of more than one kana or a closing quote (`榎木から`, `大平および`,
/// `主役は榎木"`).
const TAGGED_SURNAME_AFTER: &[&str] = &["から", "および", "より", "」", "\"", "”"];

/// What may follow a given name acting alone (`千鶴の入婿`, `和彦は`, `「権兵衛」`).
const LONE_GIVEN_AFTER: [char; 12] = [
    'は', 'が', 'も', 'と', 'の', 'に', 'を', 'や', 'ら', '、', '。', '」',
];

/// What may follow a Chinese name of two kanji besides a subject particle (`孫堅に`,
/// `周瑜の`).
const CN_TWO_AFTER: [char; 10] = ['は', 'が', 'と', 'も', 'ら', 'に', 'の', 'を', '、', '。'];

/// Last kanji of court offices and places a lone given name may not end in (`出羽守`).
const LONE_GIVEN_NOT_LAST: &str = "守町村区市県郡駅線寺宮城館";

/// Last kanji of places, groups and buildings a lone surname may not end in (fewer
/// than [`NOT_NAME_ENDINGS`]: 中島, 杉山, 木村 are surnames on their own).
const LONE_NOT_ENDINGS: &str =
    "町区市県郡駅線港党派軍団隊組会屋店局課部所庁省号丸社院門寺宮城館堂家";

/// Whether what follows `at` (the end of a lone surname) is no middle dot, or a middle
/// dot and a short kanji word that ends there, as a second surname would
/// (`板垣・後藤に`, not `鳥羽・伏見の戦い` or `織田・徳川連合軍`).
fn dot_item_ok(text: &str, at: usize) -> bool {
    let Some(start) = text[at..].strip_prefix('・').map(|_| at + '・'.len_utf8()) else {
        return true;
    };
    let end = run_end(text, start, is_kanji);
    let rest = &text[end..];
    (1..=3).contains(&chars(&text[start..end]))
        && rest.starts_with(BARE_SURNAME_AFTER)
        && !LOCATIVE_AFTER.iter().any(|w| rest.starts_with(w))
}

/// Last kanji of words for a person a listed name may be glued after (`航海参謀…`).
const PAIR_HEAD_LAST: &str =
    "者人官長王帝妃卿師士員将事手家主役謀督佐尉監臣相問席記使綱関結段名侶僚僧優授匠";

/// Words glued after a listed name besides titles: a plural, a time, a credit.
const PAIR_TAILS: &[&str] = &[
    "等", "ら", "時代", "主演", "出演", "作曲", "編曲", "作詞", "原作", "脚本", "監修", "夫妻",
    "一家", "一族",
];

/// Most distinct surnames and given names followed to their bare repetitions in one scan.
const MAX_COREF_SURNAMES: usize = 64;

impl NameDetector {
    /// Kanji names without a cue (see the module header); appends to `found` what
    /// earlier passes did not find.
    pub(super) fn bare_kanji_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let taken = Taken::new(found);
        let mut new: Vec<Candidate> = Vec::new();
        let mut runs = KanjiRuns::new(text);
        while let Some((run, n)) = runs.next() {
            let (start, end) = (run.start, run.end);
            let max = if text[start..].starts_with(is_cn_kr_surname)
                || (n > MAX_RUN_CHARS && glued_title(&text[start..end]) > 0)
            {
                MAX_CN_OFFICE_RUN_CHARS
            } else {
                MAX_RUN_CHARS
            };
            if !(2..=max).contains(&n) {
                continue;
            }
            if next_char(text, end).is_some_and(is_katakana) {
                // A kanji surname and a katakana given name (土屋アンナ).
                if let Some(c) = self.surname_kana_given(doc, start..end) {
                    if !taken.overlaps(&c.range) {
                        runs.resume_at(c.range.end);
                        new.push(c);
                    }
                }
                continue;
            }
            // Most kanji runs are two-kanji words: only a Chinese or Korean name acting
            // in the sentence (蘇軾は) or a name after a kinship word (妻の花子) is one.
            if n == 2
                && !(text[start..].starts_with(is_cn_kr_surname)
                    && text[end..].starts_with(['は', 'が', 'と', 'も', 'ら']))
                && !text[..start].ends_with('の')
            {
                // Or a surname acting alone (立浪に加えて, 仁村の曽孫), a Chinese name
                // of two kanji (孫堅に) or a given name alone (千鶴の).
                let lone = self
                    .lone_surname(doc, start..end)
                    .or_else(|| self.cn_two(doc, start..end))
                    .or_else(|| self.lone_given(doc, start..end));
                if let Some(c) = lone {
                    if !taken.overlaps(&c.range)
                        && new.last().is_none_or(|p| p.range.end <= c.range.start)
                    {
                        new.push(c);
                    }
                }
                continue;
            }
            if !stands_alone(text, start..end) {
                continue;
            }
            let r = start..end;
            // A title glued to the end: no title is a name's only kanji.
            let title = if n >= 3 {
                glued_title(&text[r.clone()])
            } else {
                0
            };
            let cand = self
                .full_name_in_run(doc, r.clone(), n, title)
                .or_else(|| self.surname_with_suffix(doc, r.clone(), n, title))
                .or_else(|| self.imperial_name(doc, r.clone(), n))
                .or_else(|| self.kin_glued(doc, r.clone(), n))
                .or_else(|| self.kin_of(doc, r.clone()))
                .or_else(|| self.listed_name_in_run(text, r.clone(), title))
                .or_else(|| self.lone_surname(doc, r.clone()))
                .or_else(|| self.listed_pair_in_run(doc, r.clone(), n))
                .or_else(|| self.cn_in_person_context(doc, r.clone(), n))
                .or_else(|| self.cn_two(doc, r.clone()))
                .or_else(|| self.lone_given(doc, r.clone()));
            if let Some(c) = cand {
                let clash = taken.overlaps(&c.range)
                    || new.last().is_some_and(|p| p.range.end > c.range.start);
                if !clash {
                    new.push(c);
                }
            }
        }
        found.append(&mut new);
        self.repeated_surnames(doc, found);
    }

    /// A full name in the kanji run `r`: at its start, or after a title or a word for a
    /// person glued before it (`相談役大口喜六`); ending at the run's end or before a
    /// title or a credit glued after it (`勝見基中佐`, `森繁久弥主演`).
    fn full_name_in_run(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        n: usize,
        title: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        let follower = if n >= MIN_FULL_CHARS + 2 {
            NAME_FOLLOWERS
                .iter()
                .find(|w| run.ends_with(*w))
                .map_or(0, |w| w.len())
        } else {
            0
        };
        // A Chinese or Korean name of three kanji before an office or a service glued
        // after it (`…外相`, `…党中央委員会副委員長`, `…海軍参謀総長`).
        let office = (n >= 5 && run.starts_with(is_cn_kr_surname))
            .then(|| run.char_indices().nth(3).map(|(i, _)| i))
            .flatten()
            .filter(|&i| CN_OFFICE_STARTS.iter().any(|w| run[i..].starts_with(w)))
            .map(|i| r.start + i);
        let ends = [
            (title > 0).then(|| r.end - title),
            (follower > 0).then(|| r.end - follower),
            Some(r.end),
        ];
        for e in ends.into_iter().flatten() {
            if e <= r.start {
                continue;
            }
            if let Some(c) = self.full_name_at(doc, r.start..e, r.end) {
                return Some(c);
            }
            if let Some(c) = self.full_name_after_title(doc, r.start..e, r.end) {
                return Some(c);
            }
        }
        // A name before an office that ends in a title (`…高知県知事`, `…陸軍少将`,
        // `…薬務局長`): the name ends where a token does, one kanji or more before the
        // title; the nearest end first.
        if title > 0 {
            let office_end = r.end - title;
            let cuts = run[..office_end - r.start]
                .char_indices()
                .skip(MIN_FULL_CHARS)
                .map(|(i, _)| r.start + i)
                .collect::<Vec<_>>();
            for &e in cuts.iter().rev() {
                if let Some(c) = self
                    .full_name_at(doc, r.start..e, r.end)
                    .or_else(|| self.full_name_after_title(doc, r.start..e, r.end))
                {
                    return Some(c);
                }
            }
            // A Chinese or Korean name of three kanji (`蔣文石国民党総裁`).
            let e = cuts
                .first()
                .copied()
                .filter(|_| run.starts_with(is_cn_kr_surname));
            if let Some(e) = e.filter(|&e| self.cn_three(doc, r.start..e)) {
                return Some(morph(
                    r.start..e,
                    "Chinese or Korean name before an office",
                    0.6,
                ));
            }
        }
        // The office is a word of its own: only the name is tokenized (建|党 would
        // otherwise join the name's last kanji to the office).
        let e = office?;
        self.cn_three(doc, r.start..e)
            .then(|| morph(r.start..e, "Chinese or Korean name before an office", 0.6))
    }

    /// Whether the three kanji at `name_r` read as a Chinese or Korean name: a listed
    /// one-kanji surname the dictionary ends a word after (`金曜|日` is no name), then
    /// two kanji it does not read as one common word (`李|万|建`, `金|性|洙`).
    fn cn_three(&self, doc: &Document<'_>, name_r: Range<usize>) -> bool {
        let text = doc.text();
        let name = &text[name_r.clone()];
        let Some(first) = name.chars().next() else {
            return false;
        };
        if chars(name) != 3 || !is_cn_kr_surname(first) {
            return false;
        }
        let cut = name_r.start + first.len_utf8();
        let toks = self.window(doc, name_r.clone());
        if toks.last().is_none_or(|t| t.range.end != name_r.end) {
            return false;
        }
        if !toks.iter().any(|t| t.range.end == cut) {
            return unknown_cn_three(text, &toks);
        }
        let given = self.window(doc, cut..name_r.end);
        let one_word = given.len() == 1
            && matches!(
                given[0].pos,
                PosTag::Noun
                    | PosTag::Place
                    | PosTag::Organization
                    | PosTag::ProperOther
                    | PosTag::Number
            );
        !one_word
            && given
                .iter()
                .all(|t| !matches!(t.pos, PosTag::Particle | PosTag::Symbol | PosTag::Other))
    }

    /// A Chinese or Korean name of three kanji standing alone before a particle
    /// (`…の楊|x|yに敗れ`, `…の親日行為`): see [`Self::cn_three`]. One ending like a
    /// country, a province, a town, a party, an army or a household (`…国`, `…省`,
    /// `…党`) needs a sentence about a person.
    fn cn_in_person_context(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        n: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let rest = &text[r.end..];
        if n != 3
            || !text[r.start..].starts_with(is_cn_kr_surname)
            || !rest.starts_with(['は', 'が', 'の', 'に', 'を', 'と', 'も', 'ら', '、'])
            // An event or a place named after a person (`…の乱`) is no mention of one.
            || LOCATIVE_AFTER.iter().any(|w| rest.starts_with(w))
            || !(about_person(text, r.clone())
                || of_person_follows(rest)
                || !text[r.clone()].ends_with(|c: char| CN_NOT_LAST.contains(c)))
            || !self.cn_three(doc, r.clone())
        {
            return None;
        }
        Some(morph(
            r,
            "Chinese or Korean name in a sentence about a person",
            0.55,
        ))
    }

    /// A full name ending at `r.end` after a title or a word for a person glued before
    /// it in the same run (`相談役大口喜六`).
    fn full_name_after_title(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        run_end: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let e = r.end;
        if chars(&text[r.clone()]) < MIN_FULL_CHARS + 2 {
            return None;
        }
        for k in (MIN_FULL_CHARS..=MAX_FULL_CHARS).rev() {
            let Some((cut, _)) = text[r.clone()].char_indices().rev().nth(k - 1) else {
                continue;
            };
            let head = &text[r.start..r.start + cut];
            let s = r.start + cut;
            // Cheapest checks first: most long runs are compounds of common words.
            let credit = || CREDITS_BEFORE.iter().any(|w| head.ends_with(w));
            let generation = generation_before(head);
            if chars(head) < 2
                || !(head.ends_with(|c: char| PERSON_WORD_LAST.contains(c))
                    || credit()
                    || generation)
                || !self.ends_in_listed_given(&text[s..e])
                || !(generation || glued_title(head) > 0 || person_word_before(head) || credit())
            {
                continue;
            }
            let toks = self.window(doc, s..forward(text, run_end, 1));
            let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= e).collect();
            if inside.first().is_some_and(|t| t.range.start == s)
                && inside.last().is_some_and(|t| t.range.end == e)
                && self.surname_then_given(text, &inside, &text[s..e])
            {
                return Some(morph(s..e, "name after a glued title", 0.65));
            }
        }
        None
    }

    /// A full name exactly at `name` (a prefix of a run ending at `run_end`).
    fn full_name_at(
        &self,
        doc: &Document<'_>,
        name_r: Range<usize>,
        run_end: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let name = &text[name_r.clone()];
        let n = chars(name);
        if n > MAX_FULL_CHARS {
            return None;
        }
        let cn = name.starts_with(is_cn_kr_surname);
        let listed = self.ends_in_listed_given(name);
        if !(listed || (cn && (2..=4).contains(&n))) {
            return None;
        }
        let toks = self.window(doc, name_r.start..forward(text, run_end, 1));
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= name_r.end).collect();
        if inside.first().is_none_or(|t| t.range.start != name_r.start)
            || inside.last().is_none_or(|t| t.range.end != name_r.end)
        {
            return None;
        }
        let titled = name_r.end < run_end;
        if listed && self.surname_then_given(text, &inside, name) {
            Some(morph(name_r, "surname and given name tags", 0.7))
        } else if n >= 2
            && inside.len() == 1
            && inside[0].pos == PosTag::PersonOther
            && !self.lex.is_common_word(name)
        {
            Some(morph(name_r, "person known to the dictionary", 0.65))
        } else if cn && (cn_name(text, &inside, n, titled) || cn_pair(text, &inside, n, name_r.end))
        {
            Some(morph(name_r, "Chinese or Korean name", 0.6))
        } else {
            None
        }
    }

    /// A surname the dictionary tags as one, glued to a word for a family or a title
    /// (`伊藤家`, `小田船長`, `茂木航海長`): the surname alone is the name.
    fn surname_with_suffix(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        n: usize,
        title: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        if !(3..=7).contains(&n) {
            return None;
        }
        let suffix = FAMILY_WORDS
            .iter()
            .chain(SURNAME_TITLES)
            .filter(|w| run.ends_with(*w))
            .map(|w| w.len())
            .max()
            .or_else(|| Some(title).filter(|&t| t > 0))?;
        let e = r.end - suffix;
        let sur = &text[r.start..e];
        if !(2..=3).contains(&chars(sur)) || self.lex.is_not_name(sur) {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, r.end, 1));
        let first = toks.first()?;
        // A listed surname the dictionary files as a place counts too (大塚委員).
        let ok = first.range == (r.start..e)
            && (first.pos == PosTag::Surname
                || (first.pos == PosTag::Place && self.lex.is_surname(sur)))
            && toks.iter().any(|t| t.range.start == e);
        ok.then_some(Candidate {
            range: r.start..e,
            detector: "name.surname",
            confidence: 0.6,
            reason: "surname before a family word or a title",
        })
    }

    /// The name of an emperor, a prince or a princess glued before the title
    /// (`敦貞親王が`, `聖平天皇の`): two or three kanji before [`IMPERIAL_TITLES`] that the
    /// dictionary reads as single kanji or name parts, no word of its own (`歴代天皇`,
    /// `女性天皇`, `第一皇子` are no names). The name is reported without the title.
    fn imperial_name(&self, doc: &Document<'_>, r: Range<usize>, n: usize) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        if !(4..=6).contains(&n) {
            return None;
        }
        let title = IMPERIAL_TITLES.iter().find(|t| run.ends_with(*t))?;
        let e = r.end - title.len();
        let head = &text[r.start..e];
        if !(2..=3).contains(&chars(head)) || self.lex.is_not_name(head) {
            return None;
        }
        let toks = self.window(doc, r.start..e);
        let ok = toks.first().is_some_and(|t| t.range.start == r.start)
            && toks.last().is_some_and(|t| t.range.end == e)
            && toks.iter().all(|t| {
                !t.prefix
                    && !t.suffix
                    && (is_person_tag(t)
                        || (chars(&text[t.range.clone()]) == 1
                            && matches!(t.pos, PosTag::Noun | PosTag::Unknown)))
            });
        ok.then(|| morph(r.start..e, "name before an imperial title", 0.6))
    }

    /// The cheap trigger: `name` (three to five kanji) ends in a listed given name and
    /// what is before it is two kanji or more, or a Chinese or Korean surname; or it
    /// starts with a listed surname of two or three kanji; or it is a listed one-kanji
    /// surname and a listed given name (`岸|信介`).
    fn ends_in_listed_given(&self, name: &str) -> bool {
        let n = chars(name);
        if !(MIN_FULL_CHARS..=MAX_FULL_CHARS).contains(&n) {
            return false;
        }
        (1..=3).any(|m| {
            let Some((cut, _)) = name.char_indices().rev().nth(m - 1) else {
                return false;
            };
            let (sur, given) = (&name[..cut], &name[cut..]);
            let sur_ok = || {
                chars(sur) >= 2
                    || (chars(sur) == 1 && sur.starts_with(is_cn_kr_surname))
                    || (m >= 2 && self.lex.is_surname(sur))
            };
            !(m == 1 && NOT_GIVEN_SINGLE.contains(given))
                && sur_ok()
                && self.lex.is_given_kanji(given)
        }) || (2..=3).any(|k| {
            name.char_indices()
                .nth(k)
                .is_some_and(|(i, _)| self.lex.is_surname(&name[..i]))
        })
    }

    /// Whether the tokens of `name` are a surname tag followed by given-name parts: given
    /// names, surnames, persons, or single kanji nouns (`江上|波|夫`), one of them a
    /// given name; and the name does not end like a place or a group.
    fn surname_then_given(&self, text: &str, inside: &[&FineToken], name: &str) -> bool {
        let Some((first, rest)) = inside.split_first() else {
            return false;
        };
        let tagged = || {
            rest.iter().all(|t| {
                is_person_tag(t)
                    || (chars(&text[t.range.clone()]) == 1
                        && !t.suffix
                        && !t.prefix
                        && matches!(t.pos, PosTag::Noun | PosTag::Place | PosTag::Number))
            }) && rest.iter().any(|t| t.pos == PosTag::GivenName)
        };
        first.pos == PosTag::Surname
            && !rest.is_empty()
            && (tagged() || self.spelled_given(text, rest))
            && !name.ends_with(|c: char| NOT_NAME_ENDINGS.contains(c))
            && !self.lex.is_not_name(name)
            && (chars(name) > 3 || self.one_kanji_given_ok(text, first, rest))
    }

    /// Whether the tokens after a surname tag spell a listed given name of two or three
    /// kanji one kanji at a time (`寺岡|真|三`, `渡辺|熊|四|郎`): the dictionary reads
    /// given names it does not know as single nouns, numbers or prefixes, none of them a
    /// suffix, a particle or a group.
    fn spelled_given(&self, text: &str, rest: &[&FineToken]) -> bool {
        let (Some(first), Some(last)) = (rest.first(), rest.last()) else {
            return false;
        };
        let given = &text[first.range.start..last.range.end];
        rest.len() >= 2
            && rest.len() == chars(given)
            && rest.iter().all(|t| {
                !t.suffix
                    && matches!(
                        t.pos,
                        PosTag::Noun
                            | PosTag::Number
                            | PosTag::Other
                            | PosTag::GivenName
                            | PosTag::Surname
                    )
                    && (t.pos != PosTag::Other || t.prefix)
            })
            && (self.lex.is_given_kanji(given) || list_flags(given).given)
            && !self.lex.is_common_word(given)
    }

    /// A name of three kanji with a one-kanji given name (`頭山|満`): the surname is
    /// listed or the given name is a common one-kanji name.
    fn one_kanji_given_ok(&self, text: &str, first: &FineToken, rest: &[&FineToken]) -> bool {
        let last = &text[rest[rest.len() - 1].range.clone()];
        chars(last) > 1
            || self.lex.is_surname(&text[first.range.clone()])
            || ONE_KANJI_GIVEN.contains(last)
    }

    /// A kanji surname the dictionary tags as one, followed by a given name in katakana
    /// (`土屋アンナ`, `高田エージ`). (Listed surnames before a kana given name in hiragana
    /// are the business of the surname trigger.)
    fn surname_kana_given(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        if !(2..=3).contains(&chars(&text[r.clone()]))
            || prev_char(text, r.start)
                .is_some_and(|(_, c)| is_katakana(c) || c.is_ascii_alphanumeric())
        {
            return None;
        }
        let first = next_char(text, r.end)?;
        if !is_katakana(first) {
            return None;
        }
        let kana_end = run_end(text, r.end, is_katakana);
        let kana = &text[r.end..kana_end];
        // A katakana given name may end in 子 (ナツ子).
        let end = if text[kana_end..].starts_with('子') {
            kana_end + '子'.len_utf8()
        } else {
            kana_end
        };
        if !(2..=5).contains(&chars(kana))
            || !boundary_after(text, end)
            || KATAKANA_NOT_GIVEN.iter().any(|w| kana.ends_with(w))
        {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, end, 1));
        let sur_ok = toks
            .first()
            .is_some_and(|t| t.range == r && t.pos == PosTag::Surname);
        let given: Vec<&FineToken> = toks
            .iter()
            .filter(|t| t.range.start >= r.end && t.range.end <= end)
            .collect();
        let given_ok = given.first().is_some_and(|t| t.range.start == r.end)
            && given.last().is_some_and(|t| t.range.end == end)
            && given.iter().all(|t| {
                t.pos == PosTag::Unknown
                    || is_person_tag(t)
                    || (t.suffix && text[t.range.clone()] == *"子")
            });
        (sur_ok && given_ok && !self.lex.is_common_word(&text[r.clone()])).then_some(Candidate {
            range: r.start..end,
            detector: "name.morph",
            confidence: 0.6,
            reason: "surname tag and a kana given name",
        })
    }

    /// A given name glued after a kinship word in one run (`三女悦子`): the name is the
    /// rest of the run, a listed given name the dictionary reads as a name.
    fn kin_glued(&self, doc: &Document<'_>, r: Range<usize>, n: usize) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        if !(4..=5).contains(&n) {
            return None;
        }
        let kin = KIN_GLUED.iter().find(|k| run.starts_with(*k))?;
        let start = r.start + kin.len();
        let given = &text[start..r.end];
        if !(2..=3).contains(&chars(given)) || !self.lex.is_given_kanji(given) {
            return None;
        }
        self.given_tagged(doc, start..r.end).then_some(Candidate {
            range: start..r.end,
            detector: "name.role",
            confidence: 0.6,
            reason: "given name after a kinship word",
        })
    }

    /// A listed given name after a kinship word and `の` (`長女の恵美子の`).
    fn kin_of(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let before = text[..r.start].strip_suffix('の')?;
        let kin = KIN_OF.iter().find(|k| before.ends_with(*k))?;
        // The kinship word stands as a word (長女の, not 王女の or 少女の).
        let kin_start = before.len() - kin.len();
        if chars(kin) == 1 && prev_char(text, kin_start).is_some_and(|(_, c)| is_kanji(c)) {
            return None;
        }
        let given = &text[r.clone()];
        if !(2..=3).contains(&chars(given))
            || !self.lex.is_given_kanji(given)
            || self.lex.is_surname(given)
        {
            return None;
        }
        self.given_tagged(doc, r.clone()).then_some(Candidate {
            range: r,
            detector: "name.role",
            confidence: 0.55,
            reason: "given name after a kinship word",
        })
    }

    /// Whether the dictionary reads `r` as one name-like word (a given name, a person,
    /// or a proper noun it files as a place, as it does 恵美子).
    fn given_tagged(&self, doc: &Document<'_>, r: Range<usize>) -> bool {
        let toks = self.window(doc, r.clone());
        toks.len() == 1
            && toks[0].range == r
            && matches!(
                toks[0].pos,
                PosTag::GivenName | PosTag::PersonOther | PosTag::Place
            )
    }

    /// Bare repetitions of the surname of a full name found in the text
    /// (`富野由悠季 … 富野の目に`), or of its given name when the JMnedict list splits
    /// it (`長岡半太郎 … 半太郎は`): the same kanji, standing alone before a particle.
    fn repeated_surnames(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        const SURNAME: &str = "surname of a full name in the same text";
        const GIVEN: &str = "given name of a full name in the same text";
        let text = doc.text();
        let mut parts: Vec<(&str, &'static str)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for c in found.iter() {
            let name = &text[c.range.clone()];
            if !name.chars().all(is_kanji) || chars(name) < 3 {
                continue;
            }
            let split = listed_split(name);
            let surname = self
                .surname_of(doc, c.range.clone())
                .map(|s| &text[s])
                .or_else(|| split.map(|cut| &name[..cut]).filter(|s| chars(s) >= 2));
            let given = split.map(|cut| &name[cut..]).filter(|g| chars(g) >= 2);
            for (part, reason) in [(surname, SURNAME), (given, GIVEN)] {
                if let Some(p) = part {
                    if seen.insert(p) && parts.len() < MAX_COREF_SURNAMES {
                        parts.push((p, reason));
                    }
                }
            }
        }
        if parts.is_empty() {
            return;
        }
        let taken = Taken::new(found);
        let mut new: Vec<Candidate> = Vec::new();
        for (s, reason) in parts {
            for at in memchr::memmem::find_iter(text.as_bytes(), s) {
                let r = at..at + s.len();
                if !stands_alone(text, r.clone())
                    || !next_char(text, r.end)
                        .is_some_and(|c| "はがのにをとやもら、。・".contains(c))
                    || taken.overlaps(&r)
                    || new
                        .iter()
                        .any(|c| c.range.start < r.end && r.start < c.range.end)
                {
                    continue;
                }
                new.push(Candidate {
                    range: r,
                    detector: "name.surname",
                    confidence: 0.6,
                    reason,
                });
            }
        }
        found.append(&mut new);
    }

    /// A surname of two or three kanji acting alone in a sentence (`立浪に加えて`,
    /// `仁村の曽孫`, `代理人の福井と`): the run stands as a word, the name lists know it
    /// as a surname, and either the dictionary reads the run as one surname (not a
    /// place, not a common noun) or what is around it belongs to a person (`の演技`,
    /// `の曽孫`; a word for a person and `の` before it). A surname that is also an
    /// everyday word or a place (中村, 小川) needs that context in any case; what
    /// follows places and events (`の陣`, `に住む`) rules a surname out.
    fn lone_surname(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let word = &text[r.clone()];
        let rest = &text[r.end..];
        // Cheapest checks first: most two-kanji runs are no listed surname.
        let tagged_only = TAGGED_SURNAME_AFTER.iter().any(|w| rest.starts_with(w));
        if !(rest.starts_with(BARE_SURNAME_AFTER) || rest.starts_with("たち") || tagged_only)
            || !(2..=3).contains(&chars(word))
            || word.ends_with(|c: char| LONE_NOT_ENDINGS.contains(c))
            || !dot_item_ok(text, r.end)
        {
            return None;
        }
        let flags = list_flags(word);
        let listed = self.lex.is_surname(word) || (flags.surname && !flags.never);
        if !(listed || flags.place_surname)
            || self.lex.is_not_name(word)
            || LOCATIVE_AFTER.iter().any(|w| rest.starts_with(w))
            || !stands_alone(text, r.clone())
        {
            return None;
        }
        // Persons in the plural (野溝らは, 浅野たちが) or a word for a person before.
        let persons = rest.starts_with('ら')
            || rest.starts_with("たち")
            || text[..r.start]
                .strip_suffix('の')
                .is_some_and(person_word_before);
        let evidence = persons || of_person_follows(rest);
        // A surname known only as a place (野溝) needs persons around it.
        let place_surname = !listed && flags.place_surname;
        if (self.lex.is_common_word(word) || place_surname) && !evidence
            || place_surname && !persons
        {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, r.end, 1));
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= r.end).collect();
        if inside.last().is_none_or(|t| t.range.end != r.end) {
            return None;
        }
        let surname_tag = inside.len() == 1 && inside[0].pos == PosTag::Surname;
        // No common noun, place or group of two kanji or more inside (本作, 仲間).
        let no_word = inside.iter().all(|t| {
            is_person_tag(t)
                || t.pos == PosTag::Unknown
                || (chars(&text[t.range.clone()]) == 1 && !t.prefix)
        });
        let place_tag = place_surname && inside.len() == 1 && inside[0].pos == PosTag::Place;
        // A closing quote right after a surname that the quote opened is the name of a
        // shop or a brand (`「鹿島」`).
        let quoted = rest.starts_with(['」', '"', '”'])
            && prev_char(text, r.start).is_some_and(|(_, c)| matches!(c, '「' | '"' | '“'));
        if tagged_only && (quoted || !surname_tag || self.lex.is_common_word(word)) {
            return None;
        }
        // The subject of a clause (`、津軽は部下と…`, the text's start): a listed
        // surname the dictionary reads as no common noun, group or number of its own.
        let subject = rest.starts_with(['は', 'が'])
            && prev_char(text, r.start)
                .is_none_or(|(_, c)| matches!(c, '、' | '。' | '「' | 'で' | 'し' | 'た' | 'て'))
            && !(inside.len() == 1
                && matches!(
                    inside[0].pos,
                    PosTag::Noun | PosTag::Organization | PosTag::Number | PosTag::Other
                ))
            && inside.iter().all(|t| {
                !matches!(
                    t.pos,
                    PosTag::Particle | PosTag::Symbol | PosTag::Other | PosTag::Organization
                )
            });
        // A word for a person and `の` right before a listed surname the dictionary files
        // as a place (`代理人の福井と`): the person is named.
        let person_of = persons
            && !rest.starts_with('ら')
            && inside.len() == 1
            && inside[0].pos == PosTag::Place;
        (surname_tag || subject || (evidence && (no_word || place_tag)) || person_of).then_some(
            Candidate {
                range: r,
                detector: "name.surname",
                confidence: 0.55,
                reason: "surname acting alone in a sentence",
            },
        )
    }

    /// A Chinese or Korean name of two kanji acting in a sentence (`孫堅に命じて`,
    /// `周瑜の`): a listed one-kanji surname and one more kanji that the dictionary
    /// reads as two words of one kanji each, neither a prefix nor a suffix (`金曜`,
    /// `王国` are one word).
    fn cn_two(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let word = &text[r.clone()];
        let rest = &text[r.end..];
        if chars(word) != 2
            || !word.starts_with(is_cn_kr_surname)
            || !rest.starts_with(CN_TWO_AFTER)
            || LOCATIVE_AFTER.iter().any(|w| rest.starts_with(w))
            || self.lex.is_not_name(word)
            // A kinship word (`曽孫`) is no name.
            || is_of_person_word(word)
            || !stands_alone(text, r.clone())
        {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, r.end, 1));
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= r.end).collect();
        let [first, second] = inside.as_slice() else {
            return None;
        };
        let one = |t: &FineToken| chars(&text[t.range.clone()]) == 1 && !t.prefix && !t.suffix;
        let ok = first.range.start == r.start
            && second.range.end == r.end
            && one(first)
            && one(second)
            && matches!(first.pos, PosTag::Surname | PosTag::Noun | PosTag::Place)
            && matches!(
                second.pos,
                PosTag::Noun | PosTag::Unknown | PosTag::GivenName | PosTag::PersonOther
            );
        ok.then(|| morph(r, "Chinese or Korean name of two kanji", 0.55))
    }

    /// A given name of two or three kanji acting alone in a sentence (`千鶴の入婿`,
    /// `和彦の弟`): listed as a given name, read by the dictionary as one given name
    /// (人名,名), no common word or title, and not before a place or an event
    /// (`嘉吉の乱`).
    fn lone_given(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let word = &text[r.clone()];
        let rest = &text[r.end..];
        // Cheapest checks first: most runs are no listed given name.
        if !(2..=3).contains(&chars(word))
            || !rest.starts_with(LONE_GIVEN_AFTER)
            || word.ends_with(|c: char| LONE_GIVEN_NOT_LAST.contains(c))
            || !(self.lex.is_given_kanji(word) || list_flags(word).given)
            || self.lex.is_common_word(word)
            || self.lex.is_not_name(word)
            || LOCATIVE_AFTER.iter().any(|w| rest.starts_with(w))
            || !stands_alone(text, r.clone())
            // After a space it is the given name of a spaced full name (`矢野 健一`).
            || prev_char(text, r.start).is_some_and(|(_, c)| is_space(c))
        {
            return None;
        }
        let toks = self.window(doc, r.start..forward(text, r.end, 1));
        let given = toks
            .first()
            .is_some_and(|t| t.range == r && t.pos == PosTag::GivenName);
        // A listed given name the dictionary spells one kanji at a time (`豊|之|助`):
        // it knows no word there (a suffix may end it: `経|通`).
        let inside: Vec<&FineToken> = toks.iter().filter(|t| t.range.end <= r.end).collect();
        // Not a place (`…において`) or a title in quotes (`「…」シリーズ`).
        let spelled = inside.len() >= 2
            && !rest.starts_with("におい")
            && !(rest.starts_with('」') && text[..r.start].ends_with('「'))
            && inside.len() == chars(word)
            && inside.first().is_some_and(|t| t.range.start == r.start)
            && inside.last().is_some_and(|t| t.range.end == r.end)
            && inside.iter().enumerate().all(|(i, t)| {
                (!t.suffix || i + 1 == inside.len())
                    && !t.prefix
                    && matches!(
                        t.pos,
                        PosTag::Noun
                            | PosTag::Unknown
                            | PosTag::GivenName
                            | PosTag::Surname
                            | PosTag::Place
                            | PosTag::ProperOther
                    )
            });
        (given || spelled).then_some(Candidate {
            range: r,
            detector: "name.morph",
            confidence: 0.55,
            reason: "given name acting alone in a sentence",
        })
    }

    /// A listed surname and a listed given name of two or three kanji each, four or five
    /// kanji in all, that the dictionary does not read as words (`藤本|龍児によると`):
    /// the whole run, or after a word for a person glued before it (`航海参謀…`), or
    /// before a title, a time or `等` glued after it (`…中佐`, `…時代`, `…等の`).
    fn listed_pair_in_run(
        &self,
        doc: &Document<'_>,
        r: Range<usize>,
        n: usize,
    ) -> Option<Candidate> {
        let text = doc.text();
        let run = &text[r.clone()];
        if n < 4 {
            return None;
        }
        let starts = run.char_indices().take(n - 3).enumerate();
        for (k, (i, _)) in starts {
            // The name starts the run or follows a word for a person of two kanji or more.
            if k == 1 || (k > 1 && !run[..i].ends_with(|c: char| PAIR_HEAD_LAST.contains(c))) {
                continue;
            }
            for len in [5, 4] {
                let Some(end) = run[i..]
                    .char_indices()
                    .nth(len)
                    .map_or((chars(&run[i..]) == len).then_some(run.len()), |(j, _)| {
                        Some(i + j)
                    })
                else {
                    continue;
                };
                let tail = &run[end..];
                let tail_ok = if tail.is_empty() {
                    text[r.end..].starts_with(BARE_SURNAME_AFTER)
                        || text[r.end..].starts_with(['。', '）', ')', '」', 'で'])
                } else {
                    PAIR_TAILS.contains(&tail) || glued_title(tail) == tail.len()
                };
                if !tail_ok {
                    continue;
                }
                let name_r = r.start + i..r.start + end;
                if let Some(c) = self.listed_pair(doc, name_r) {
                    return Some(c);
                }
            }
        }
        None
    }

    /// Whether the kanji at `name_r` are a listed surname and a listed given name of
    /// two or three kanji each that the dictionary splits there and reads as no word.
    fn listed_pair(&self, doc: &Document<'_>, name_r: Range<usize>) -> Option<Candidate> {
        let text = doc.text();
        let name = &text[name_r.clone()];
        if name.ends_with(|c: char| NOT_NAME_ENDINGS.contains(c)) {
            return None;
        }
        let cut = [2, 3].into_iter().find_map(|k| {
            let (cut, _) = name.char_indices().nth(k)?;
            let (sur, given) = name.split_at(cut);
            let sur_ok = (self.lex.is_surname(sur) && !self.lex.is_common_word(sur)) || {
                let f = list_flags(sur);
                f.surname || f.place_surname
            };
            let given_ok =
                chars(given) >= 2 && (self.lex.is_given_kanji(given) || list_flags(given).given);
            (sur_ok && given_ok).then_some(cut)
        })?;
        if list_flags(name).never || self.lex.is_not_name(name) {
            return None;
        }
        let toks = self.window(doc, name_r.clone());
        let cut_at = name_r.start + cut;
        let plain = |t: &FineToken| {
            is_person_tag(t)
                || t.pos == PosTag::Unknown
                || (chars(&text[t.range.clone()]) == 1 && !t.prefix && !t.suffix)
        };
        let ok = toks.first().is_some_and(|t| t.range.start == name_r.start)
            && toks.last().is_some_and(|t| t.range.end == name_r.end)
            && toks.iter().any(|t| t.range.end == cut_at)
            && toks.iter().all(|t| {
                // The surname may be a word the dictionary files as a place (兵庫) or
                // end in a kanji it reads as a suffix (雀|部).
                plain(t)
                    || (t.range.end <= cut_at
                        && (t.pos == PosTag::Place
                            || (t.suffix && chars(&text[t.range.clone()]) == 1)))
            });
        ok.then(|| morph(name_r, "listed surname and listed given name", 0.6))
    }

    /// The surname of the full kanji name at `r`: its first token when the dictionary
    /// tags it as a surname (two kanji or more, no common word).
    fn surname_of(&self, doc: &Document<'_>, r: Range<usize>) -> Option<Range<usize>> {
        let text = doc.text();
        let toks = self.window(doc, r.clone());
        let first = toks.first()?;
        let s = &text[first.range.clone()];
        let ok = first.range.start == r.start
            && first.range.end < r.end
            && first.pos == PosTag::Surname
            && chars(s) >= 2
            && !self.lex.is_common_word(s)
            && !self.lex.is_not_name(s);
        ok.then(|| first.range.clone())
    }
}

/// Whether `head` ends with a generation a successor's name is glued after (`初代…`,
/// `七代目…`, `十五代…`): the first, the current, or a count of holders of one name.
fn generation_before(head: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十百";
    let Some(h) = head.strip_suffix('目').unwrap_or(head).strip_suffix('代') else {
        return false;
    };
    h.ends_with(['初', '先', '当'])
        || (head.ends_with('目') || chars(h) >= 2) && h.ends_with(|c: char| NUMERALS.contains(c))
}

/// Whether the kanji run `r` stands as a word: no katakana or Latin letters or digits
/// glued on either side (東京タワー, ABC株式会社), except a katakana word for a person
/// before it (`ギタリスト友森昭一`).
fn stands_alone(text: &str, r: Range<usize>) -> bool {
    let glued = |c: char| is_katakana(c) || c.is_ascii_alphanumeric() || is_kanji(c);
    let before = &text[..r.start];
    let role_before = || {
        static ROLES: std::sync::OnceLock<super::affix::AffixSet> = std::sync::OnceLock::new();
        ROLES
            .get_or_init(|| {
                let katakana: Vec<&'static str> = PERSON_ROLES
                    .iter()
                    .chain(KATAKANA_ROLES)
                    .copied()
                    .filter(|w| w.starts_with(is_katakana))
                    .collect();
                super::affix::AffixSet::new(&katakana)
            })
            .ends_any(before)
    };
    !prev_char(text, r.start).is_some_and(|(_, c)| glued(c) && !(is_katakana(c) && role_before()))
        && !next_char(text, r.end).is_some_and(glued)
}

/// Katakana words for a person a name may be glued to, besides [`PERSON_ROLES`].
const KATAKANA_ROLES: &[&str] = &[
    "アーティスト",
    "アナウンサー",
    "キャスター",
    "コメンテーター",
    "ジャーナリスト",
    "スタッフ",
    "マネージャー",
    "メンバー",
    "リーダー",
    "キャプテン",
    "コーチ",
    "オーナー",
];

/// Whether the tokens of three kanji starting with a Chinese or Korean surname, which
/// the dictionary does not cut after the surname, read as a name it does not know
/// (`兪平|威`, `蔣文|石`): a word it does not know joins the surname to what follows,
/// the rest are single kanji, and nothing is a word it knows of two kanji or more
/// (`金曜|日`, `王国|内` are words), a particle or a symbol.
fn unknown_cn_three(text: &str, toks: &[FineToken]) -> bool {
    toks.first()
        .is_some_and(|t| t.pos == PosTag::Unknown && chars(&text[t.range.clone()]) == 2)
        && toks.iter().skip(1).all(|t| {
            chars(&text[t.range.clone()]) == 1
                && !t.prefix
                && matches!(
                    t.pos,
                    PosTag::Noun | PosTag::Unknown | PosTag::GivenName | PosTag::Surname
                )
        })
}

/// Whether the tokens of a run starting with a Chinese or Korean surname read as a
/// name: three kanji, a one-kanji surname, then name tags or single kanji (`盧|武|鉉`),
/// at least one name tag unless a title is glued after (`陳|水|扁総統`).
fn cn_name(text: &str, inside: &[&FineToken], n: usize, titled: bool) -> bool {
    let Some((first, rest)) = inside.split_first() else {
        return false;
    };
    n == 3
        && chars(&text[first.range.clone()]) == 1
        && matches!(first.pos, PosTag::Surname | PosTag::Noun | PosTag::Place)
        && !rest.is_empty()
        && rest.iter().all(|t| {
            !t.suffix
                && !t.prefix
                && (is_person_tag(t)
                    || t.pos == PosTag::Unknown
                    || (chars(&text[t.range.clone()]) == 1
                        && matches!(t.pos, PosTag::Noun | PosTag::Place)))
        })
        && (titled
            || inside.iter().any(|t| is_person_tag(t))
            // A surname tag and two single kanji: no word of the dictionary inside.
            || (first.pos == PosTag::Surname && rest.len() == 2))
}

impl NameDetector {
    /// Names written with a space the other passes miss, in forms and notes:
    ///
    /// - a listed surname and a katakana given name the kana lists know
    ///   (`中川 トミ子（85歳`, `山下 フミ（1人）`);
    /// - a listed surname glued after a word for a person, then a listed given name
    ///   (`申請者矢野 健一、`, `職員竹下 誠（`);
    /// - a listed surname before an extension number (`情報政策課 吉岡(内線`).
    ///
    /// Only spaces and `(内線` are searched for; no text is tokenized.
    pub(super) fn spaced_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let taken = Taken::new(found);
        let mut new: Vec<Candidate> = Vec::new();
        let push = |c: Candidate, new: &mut Vec<Candidate>| {
            if !taken.overlaps(&c.range)
                && !new
                    .iter()
                    .any(|p| p.range.start < c.range.end && c.range.start < p.range.end)
            {
                new.push(c);
            }
        };
        for (sp, _) in text.match_indices(' ') {
            if !prev_char(text, sp).is_some_and(|(_, c)| is_kanji(c)) {
                continue;
            }
            let Some(next) = next_char(text, sp + 1) else {
                continue;
            };
            let c = if is_katakana(next) {
                self.surname_space_katakana(text, sp)
            } else if is_kanji(next) {
                self.role_glued_surname(text, sp)
            } else {
                None
            };
            if let Some(c) = c {
                push(c, &mut new);
            }
        }
        for at in memchr::memmem::find_iter(text.as_bytes(), "(内線") {
            let mut end = at;
            if let Some((i, c)) = prev_char(text, end) {
                if is_space(c) {
                    end = i;
                }
            }
            let mut start = end;
            while let Some((i, c)) = prev_char(text, start) {
                if !is_kanji(c) || chars(&text[i..end]) > 3 {
                    break;
                }
                start = i;
            }
            let word = &text[start..end];
            // The surname is the last word: after a space, a section or punctuation.
            let lone = !prev_char(text, start).is_some_and(|(_, c)| is_kanji(c) || is_katakana(c));
            if lone && chars(word) >= 2 && self.lex.is_surname(word) {
                push(
                    Candidate {
                        range: start..end,
                        detector: "name.contact",
                        confidence: 0.75,
                        reason: "surname before an extension number",
                    },
                    &mut new,
                );
            }
        }
        found.append(&mut new);
    }

    /// `中川 トミ子`: a listed surname (the whole kanji run before the space at `sp`) and
    /// a katakana given name whose reading the kana lists know.
    fn surname_space_katakana(&self, text: &str, sp: usize) -> Option<Candidate> {
        let mut start = sp;
        while let Some((i, c)) = prev_char(text, start) {
            if !is_kanji(c) {
                break;
            }
            start = i;
        }
        let surname = &text[start..sp];
        if !(1..=3).contains(&chars(surname))
            || !self.lex.is_surname(surname)
            || prev_char(text, start)
                .is_some_and(|(_, c)| is_katakana(c) || c.is_ascii_alphanumeric())
        {
            return None;
        }
        let g = sp + 1;
        let kana_end = run_end(text, g, is_katakana);
        let end = if text[kana_end..].starts_with('子') {
            kana_end + '子'.len_utf8()
        } else {
            kana_end
        };
        let n = chars(&text[g..kana_end]);
        if !(2..=4).contains(&n) || !boundary_after(text, end) {
            return None;
        }
        let mut reading: String = text[g..kana_end]
            .chars()
            .map(katakana_to_hiragana)
            .collect();
        if end > kana_end {
            reading.push('こ');
        }
        self.lex.is_given_kana(&reading).then_some(Candidate {
            range: start..end,
            detector: "name.list",
            confidence: 0.8,
            reason: "surname and a katakana given name",
        })
    }

    /// `申請者矢野 健一`: a word for a person glued before a listed surname, a space, and
    /// a listed given name.
    fn role_glued_surname(&self, text: &str, sp: usize) -> Option<Candidate> {
        let given_end = run_end(text, sp + 1, is_kanji);
        let given = &text[sp + 1..given_end];
        if !(1..=3).contains(&chars(given))
            || !self.lex.is_given_kanji(given)
            || !boundary_after(text, given_end)
        {
            return None;
        }
        let mut run_start = sp;
        while let Some((i, c)) = prev_char(text, run_start) {
            if !is_kanji(c) || chars(&text[i..sp]) > 8 {
                break;
            }
            run_start = i;
        }
        let run = &text[run_start..sp];
        (2..=3).rev().find_map(|k| {
            let (cut, _) = run.char_indices().rev().nth(k - 1)?;
            let (head, surname) = (&run[..cut], &run[cut..]);
            let role = chars(head) >= 2
                && (head.ends_with(['者', '員', '人']) || self.lex.is_not_name(head));
            (role && self.lex.is_surname(surname) && !self.lex.is_common_word(surname)).then_some(
                Candidate {
                    range: run_start + cut..given_end,
                    detector: "name.list",
                    confidence: 0.8,
                    reason: "surname and given name after a word for a person",
                },
            )
        })
    }
}

/// The hiragana for a katakana letter (other characters unchanged).
fn katakana_to_hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn morph(range: Range<usize>, reason: &'static str, confidence: f32) -> Candidate {
    Candidate {
        range,
        detector: "name.morph",
        confidence,
        reason,
    }
}

/// A Chinese or Korean name of two kanji acting in the sentence (`蘇軾は`, `李斯が`): the
/// dictionary tags the first as a surname and knows no word spanning both.
fn cn_pair(text: &str, inside: &[&FineToken], n: usize, end: usize) -> bool {
    n == 2
        && inside.len() == 2
        && inside[0].pos == PosTag::Surname
        && text[end..].starts_with(['は', 'が', 'と', 'も', 'ら'])
        && !inside[1].suffix
        && !inside[1].prefix
        && matches!(
            inside[1].pos,
            PosTag::Noun | PosTag::Unknown | PosTag::GivenName | PosTag::PersonOther
        )
}

#[cfg(test)]
#[path = "kanji_tests.rs"]
mod kanji_tests;
