//! Kanji names the dictionary (IPADIC) does not know, read from a JMnedict-derived list.
//!
//! Encyclopedic prose names people bare (`…、犬養毅、…`, `実姉の船曳由美は`) and many of
//! those names are missing from IPADIC, so the tag-based pass in `kanji.rs` cannot read
//! them. `dictionaries/names/kanji-names.txt` (built by `scripts/build-kanji-names.py`
//! from JMnedict, CC BY-SA 4.0) lists kanji words with flags:
//!
//! - `p`: the full name of a person (`犬養毅`, `袁世凱`), three to eight kanji;
//! - `s`: a surname (`船曳`) and `g`: a given name (`由美`), one to three kanji each,
//!   neither a common word, a place or a company;
//! - `q`: a surname IPADIC knows only as a place (`増島`), taken with a given name of two
//!   kanji or more;
//! - `x`: a word or a place that splits into an `s` and a `g` and is no name.
//!
//! A kanji run that stands as a word (a particle or punctuation after it), possibly with
//! a title or an office glued after it (`源田実少佐`, `…国家主席`, `…内閣`) or a word
//! for a person glued before it
//! (`航海参謀雀部利三郎`), is a name when it is a listed person, or a listed surname
//! followed by a listed given name (three to five kanji, not flagged `x`, not ending in
//! a kanji of places and groups).
//!
//! Cost: nothing is built at start-up. The list stays in the binary as sorted lines and
//! is binary-searched; the pass runs only on runs of three kanji or more that earlier
//! rules left, with a handful of look-ups per run.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use super::context::{glued_title, person_word_before};
use super::{boundary_after, chars, Candidate, NameDetector};

const KANJI_NAMES: &str = include_str!("../../../../dictionaries/names/kanji-names.txt");
/// A Bloom filter over the listed words (`scripts/build-kanji-names.py` writes both): a
/// word whose bits are not all set is not listed, and the binary search is skipped.
const KANJI_NAMES_BLOOM: &[u8] = include_bytes!("../../../../dictionaries/names/kanji-names.bloom");

/// Shortest and longest listed full name reported, in kanji.
const MIN_PERSON_CHARS: usize = 3;
const MAX_PERSON_CHARS: usize = 8;
/// Shortest and longest surname + given name pair reported, in kanji.
const MIN_PAIR_CHARS: usize = 3;
const MAX_PAIR_CHARS: usize = 5;
/// Longest surname or given name in the list, in kanji.
const MAX_PART_CHARS: usize = 3;

/// Last kanji of places, buildings, groups, prizes and provinces: a surname and given
/// name pair ending in one is a place or an institution (`佐沼城`, `金龍館`, `近江国`).
const NOT_NAME_LAST: &str =
    "市町村区県駅線寺社党島橋山川湖池宮城港派軍団隊組会屋堂館店局課部所庁省家号丸院門郡通道岳賞戦杯国";

/// Words written right after a listed name in the same kanji run, besides the titles
/// [`glued_title`] knows: offices, credits, a household or a side, what befell a person
/// (`…内相`, `…国家主席`, `…内閣`, `…死後`, `…方`, `…筆`).
const AFTER_NAME: &[&str] = &[
    "首相",
    "外相",
    "内相",
    "蔵相",
    "法相",
    "文相",
    "総理",
    "大統領",
    "大総統",
    "総統",
    "主席",
    "国家主席",
    "総書記",
    "第一書記",
    "書記長",
    "委員長",
    "党委員長",
    "議長",
    "大臣",
    "内閣",
    "死後",
    "没後",
    "暗殺",
    "生誕",
    "方",
    "家",
    "一家",
    "一族",
    "一門",
    "役",
    "筆",
    "作",
    "著",
    "編",
    "監修",
    "作曲",
    "作詞",
    "編曲",
    "脚本",
    "原作",
    "司会",
    "主演",
    "監督",
    "夫妻",
    "親子",
    "自身",
    "本人",
    "将軍",
    "大将",
    "中将",
    "少将",
    "大佐",
    "中佐",
    "少佐",
    "参謀",
    "議員",
    "知事",
    "公",
    "卿",
    "王",
    "皇帝",
    "天皇",
    "法皇",
    "上皇",
    "陛下",
    "殿下",
    "親王",
    "内親王",
    "夫人",
    "組",
    "等",
    "率",
];

/// Titles and words for a person written right after a bare listed surname (`…外相`,
/// `…知事`, `…本人`, `…家`): the surname alone is the name.
const AFTER_SURNAME: &[&str] = &[
    "首相",
    "外相",
    "内相",
    "蔵相",
    "法相",
    "文相",
    "総理",
    "大統領",
    "総統",
    "主席",
    "総書記",
    "書記長",
    "委員長",
    "議長",
    "大臣",
    "総理大臣",
    "将軍",
    "大将",
    "中将",
    "少将",
    "大佐",
    "中佐",
    "少佐",
    "参謀",
    "議員",
    "知事",
    "館長",
    "本人",
    "自身",
    "夫妻",
    "親子",
    "一家",
    "一族",
    "一門",
    "家",
    "天皇",
    "上皇",
    "法皇",
    "監督",
    "選手",
    "投手",
    "教授",
    "社長",
    "会長",
];

/// Last kanji of the titles, words for a person and kinship words a listed name may be
/// glued after (参謀, 監督, 役, 父): a cheap test before those words are looked up.
const HEAD_LAST: &str =
    "者人官長王帝妃卿師士員将事手家主役謀督佐尉監臣相問席記使綱関結段名侶僚僧優后授族公匠祭軍領父母兄弟姉妹妻夫子娘孫男女姪甥親";

/// [`AFTER_NAME`] as a set, and its longest word in characters.
fn after_name_set() -> &'static (FxHashSet<&'static str>, usize) {
    static SET: OnceLock<(FxHashSet<&'static str>, usize)> = OnceLock::new();
    SET.get_or_init(|| {
        let longest = AFTER_NAME
            .iter()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        (AFTER_NAME.iter().copied().collect(), longest)
    })
}

/// The byte length of the longest word of [`AFTER_NAME`] that ends `run`: one hash
/// look-up per suffix of up to the longest word's length, longest first (a scan of the
/// whole list per kanji run was a tenth of a scan of ordinary prose).
fn longest_after_name(run: &str) -> Option<usize> {
    let (set, longest) = after_name_set();
    run.char_indices()
        .rev()
        .take(*longest)
        .map(|(i, _)| i)
        .filter(|&i| set.contains(&run[i..]))
        .last()
        .map(|i| run.len() - i)
}

/// [`HEAD_LAST`] as a set of characters.
fn head_last() -> &'static FxHashSet<char> {
    static SET: OnceLock<FxHashSet<char>> = OnceLock::new();
    SET.get_or_init(|| HEAD_LAST.chars().collect())
}

/// Most kanji between a listed person and a word of [`AFTER_NAME`] (`…通産大臣`).
const MAX_OFFICE_PREFIX_CHARS: usize = 2;

/// What the list says about a word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ListFlags {
    /// A person's full name.
    pub person: bool,
    /// A surname.
    pub surname: bool,
    /// A surname IPADIC knows only as a place (`増島`): taken with a given name of two
    /// kanji or more only.
    pub place_surname: bool,
    /// A given name.
    pub given: bool,
    /// A word or a place that splits like a name: never a name.
    pub never: bool,
}

/// Whether `word` may be listed: false for most words that are not.
fn may_be_listed(word: &str) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in word.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mask = (KANJI_NAMES_BLOOM.len() as u64 * 8).wrapping_sub(1);
    [h, h >> 21, h >> 42].iter().all(|&x| {
        let bit = (x & mask) as usize;
        KANJI_NAMES_BLOOM
            .get(bit >> 3)
            .is_some_and(|byte| byte & (1 << (bit & 7)) != 0)
    })
}

/// The flags of `word` in the list (all false when it is not listed).
pub(super) fn list_flags(word: &str) -> ListFlags {
    if !may_be_listed(word) {
        return ListFlags::default();
    }
    let Some(line) = find_line(KANJI_NAMES, word) else {
        return ListFlags::default();
    };
    let flags = line.split_once('\t').map_or("", |(_, f)| f);
    ListFlags {
        person: flags.contains('p'),
        surname: flags.contains('s'),
        place_surname: flags.contains('q'),
        given: flags.contains('g'),
        never: flags.contains('x'),
    }
}

/// The line of `list` (sorted `WORD\tFLAGS` lines) whose word is `word`, by binary
/// search over byte offsets: every step moves to a line start, so the loop is bounded by
/// the number of lines.
fn find_line<'a>(list: &'a str, word: &str) -> Option<&'a str> {
    let bytes = list.as_bytes();
    let (mut lo, mut hi) = (0, bytes.len());
    // Invariant: `lo` is a line start, `hi` is a line start or the end.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = bytes[start..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |i| start + i);
        let line = &list[start..end];
        let key = line.split_once('\t').map_or(line, |(k, _)| k);
        match word.as_bytes().cmp(key.as_bytes()) {
            Ordering::Equal => return Some(line),
            Ordering::Less => hi = start,
            Ordering::Greater => lo = end + 1,
        }
    }
    None
}

/// Why `name` (a whole word of kanji) is a name by the list, if it is.
pub(super) fn listed_name(name: &str) -> Option<&'static str> {
    let n = chars(name);
    if !(MIN_PERSON_CHARS..=MAX_PERSON_CHARS).contains(&n) {
        return None;
    }
    let flags = list_flags(name);
    if flags.person {
        return Some("person listed in JMnedict");
    }
    if !(MIN_PAIR_CHARS..=MAX_PAIR_CHARS).contains(&n)
        || flags.never
        || name.ends_with(|c: char| NOT_NAME_LAST.contains(c))
    {
        return None;
    }
    let pair = listed_split(name).is_some();
    pair.then_some("surname and given name listed in JMnedict")
}

/// Where the list splits the kanji name `name` into a surname and a given name (the
/// byte offset of the given name), if it does.
pub(super) fn listed_split(name: &str) -> Option<usize> {
    let n = chars(name);
    if !(MIN_PAIR_CHARS..=MAX_PERSON_CHARS).contains(&n) {
        return None;
    }
    name.char_indices().skip(1).map(|(i, _)| i).find(|&i| {
        let (sur, given) = name.split_at(i);
        let given_chars = chars(given);
        chars(sur) <= MAX_PART_CHARS
            && given_chars <= MAX_PART_CHARS
            && list_flags(given).given
            && {
                let s = list_flags(sur);
                s.surname || (s.place_surname && given_chars >= 2)
            }
    })
}

impl NameDetector {
    /// A listed name in the kanji run `r` (see the module header): the whole run, the
    /// run before a glued title (`title` bytes at its end) or before one of
    /// [`AFTER_NAME`], or any of these after a title or a word for a person glued before
    /// it. The run must be followed by a particle, punctuation or the end of the text.
    pub(super) fn listed_name_in_run(
        &self,
        text: &str,
        r: Range<usize>,
        title: usize,
    ) -> Option<Candidate> {
        let run = &text[r.clone()];
        // `…率いる`: the only verb whose kanji a name is glued to.
        let leads = run.ends_with('率') && text[r.end..].starts_with('い');
        if !(boundary_after(text, r.end) || leads) {
            return None;
        }
        let after = longest_after_name(run);
        let ends = [
            Some(r.end),
            (title > 0).then(|| r.end - title),
            after.map(|a| r.end - a),
        ];
        for e in ends.into_iter().flatten() {
            if e <= r.start {
                continue;
            }
            if let Some(reason) = listed_name(&text[r.start..e]) {
                return Some(listed(r.start..e, reason));
            }
            // A listed person, a word or two, then an office (`…通産大臣`).
            if after.is_some_and(|a| e == r.end - a) {
                let mut cut = e;
                for _ in 0..MAX_OFFICE_PREFIX_CHARS {
                    let Some((i, _)) = text[r.start..cut].char_indices().next_back() else {
                        break;
                    };
                    cut = r.start + i;
                    if cut > r.start && list_flags(&text[r.start..cut]).person {
                        return Some(listed(r.start..cut, "person listed in JMnedict"));
                    }
                }
            }
            // A word for a person of two kanji or more glued before the name, longest
            // name first.
            let seg = &text[r.start..e];
            let m = chars(seg);
            for (j, (cut, _)) in seg.char_indices().enumerate().skip(2) {
                let k = m - j;
                if k < MIN_PERSON_CHARS {
                    break;
                }
                if k > MAX_PERSON_CHARS {
                    continue;
                }
                let s = r.start + cut;
                let head = &text[r.start..s];
                // Cheapest test first: the last kanji of a title or a word for a person.
                if !head.ends_with(|c: char| head_last().contains(&c)) {
                    continue;
                }
                if let Some(reason) = listed_name(&text[s..e]) {
                    if glued_title(head) > 0 || person_word_before(head) {
                        return Some(listed(s..e, reason));
                    }
                }
            }
        }
        listed_surname_before_title(text, r)
    }
}

/// A listed surname of two or three kanji followed by one of [`AFTER_SURNAME`], the
/// whole kanji run `r` (`…知事は`).
fn listed_surname_before_title(text: &str, r: Range<usize>) -> Option<Candidate> {
    let run = &text[r.clone()];
    let title = super::affix::affix_set!(AFTER_SURNAME).longest_suffix(run)?;
    let sur = &run[..run.len() - title];
    if !(2..=MAX_PART_CHARS).contains(&chars(sur)) || !list_flags(sur).surname {
        return None;
    }
    Some(Candidate {
        range: r.start..r.start + sur.len(),
        detector: "name.surname",
        confidence: 0.55,
        reason: "listed surname before a title",
    })
}

fn listed(range: Range<usize>, reason: &'static str) -> Candidate {
    Candidate {
        range,
        detector: "name.list",
        confidence: 0.6,
        reason,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn after_name_lookup_equals_a_scan_of_the_list() {
        // Every word of the list, alone and after other kanji, and runs ending in none.
        let mut runs: Vec<String> = Vec::new();
        for w in AFTER_NAME {
            runs.push((*w).to_string());
            runs.push(format!("山田太郎{w}"));
            runs.push(format!("{w}室"));
        }
        runs.extend(["山田", "事業計画", "高齢者福祉", "来年度"].map(String::from));
        for run in &runs {
            let scanned = AFTER_NAME
                .iter()
                .filter(|w| run.ends_with(*w))
                .map(|w| w.len())
                .max();
            assert_eq!(longest_after_name(run), scanned, "{run}");
        }
        for c in HEAD_LAST.chars().chain("山田計画".chars()) {
            assert_eq!(head_last().contains(&c), HEAD_LAST.contains(c), "{c}");
        }
    }

    use super::*;

    #[test]
    fn list_is_sorted_and_every_line_is_found() {
        let mut prev = "";
        for line in KANJI_NAMES.lines() {
            assert!(prev.as_bytes() < line.as_bytes(), "unsorted near {line:?}");
            let word = line.split_once('\t').map_or(line, |(w, _)| w);
            assert_eq!(find_line(KANJI_NAMES, word), Some(line));
            assert!(may_be_listed(word), "{word} not in the Bloom filter");
            prev = line;
        }
    }

    #[test]
    fn find_line_on_small_lists() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("", "山田", None),
            ("山田\ts\n", "山田", Some("山田\ts")),
            ("山田\ts", "山田", Some("山田\ts")),
            ("山\ts\n山田\ts\n", "山", Some("山\ts")),
            ("山\ts\n山田\ts\n", "山田", Some("山田\ts")),
            ("山\ts\n山田\ts\n", "山田太", None),
            ("山\ts\n山田\ts\n", "一", None),
            ("一\tg\n山\ts\n龍\tg\n", "龍", Some("龍\tg")),
        ];
        for (list, word, want) in cases {
            assert_eq!(find_line(list, word), *want, "{word} in {list:?}");
        }
    }

    #[test]
    fn listed_names_and_words() {
        // Generic, well-known persons and invented pairs of listed parts; words that
        // split like names stay out.
        let cases: &[(&str, bool)] = &[
            ("伊藤博文", true),
            ("夏目漱石", true),
            ("山田", false),
            ("大阪文化", false),
            ("近江国", false),
            ("東洋一", false),
            ("関係上", false),
        ];
        for (word, want) in cases {
            assert_eq!(listed_name(word).is_some(), *want, "{word}");
        }
    }
}
