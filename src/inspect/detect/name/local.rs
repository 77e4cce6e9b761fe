//! Passes `name.local.*`: names as municipal staff write them in their own paperwork.
//!
//! Office text names people without the cues of prose (no honorific, no `と申します`):
//! a staff member is a section or role and a bare surname (`税務課 松井`, `SW 岩田`,
//! `係長：杉本`), an attendee line lists `包括 北村、社協 野口`, a chat export starts a
//! line with `[9:15] 渡辺：`, and
//! system exports write names as a kana surname and given name (`ﾀﾅｶ ﾐｻｷ`,
//! `いのうえ そうた`). Each rule below reports only a value the name lists hold, next
//! to the structural cue; the cue words are data (`dictionaries/names/local-cues.txt`)
//! plus the detector's job titles, relation words and office suffixes.
//!
//! The lines of the text are split once per scan into a [`Lines`] context shared by
//! the passes (no thread-local state) and by the structural passes in their own files,
//! `signature.rs` (names alone on a signature line) and `row.rs` (surnames in table
//! rows with personal data), which [`NameDetector::local_names`] runs in order.

use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use super::{
    boundary_after, chars, ends_with_office, is_hiragana, is_kanji, is_katakana, is_space,
    particle_follows, run_end, Candidate, NameDetector, NOT_KANA_NAMES, TITLES,
};
use crate::inspect::Document;

const CUES: &str = include_str!("../../../../dictionaries/names/local-cues.txt");

/// The cue lists of `local-cues.txt`, by kind.
struct Cues {
    roles: FxHashSet<&'static str>,
    attend: FxHashSet<&'static str>,
    school: FxHashSet<&'static str>,
    weekday: FxHashSet<&'static str>,
}

fn cues() -> &'static Cues {
    static CELL: OnceLock<Cues> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut c = Cues {
            roles: FxHashSet::default(),
            attend: FxHashSet::default(),
            school: FxHashSet::default(),
            weekday: FxHashSet::default(),
        };
        for line in CUES.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((kind, word)) = line.split_once('\t') else {
                continue;
            };
            let set = match kind {
                "role" => &mut c.roles,
                "attend" => &mut c.attend,
                "school" => &mut c.school,
                "weekday" => &mut c.weekday,
                _ => continue,
            };
            set.insert(word.trim());
        }
        c
    })
}

/// Whether `c` is a weekday or holiday mark written in parentheses after a date
/// (`10/4（金）`), which the contact pass must not read as a one-kanji surname.
pub(super) fn is_weekday_mark(s: &str) -> bool {
    cues().weekday.contains(s)
}

/// The lines of the scanned text: byte range of each, without its line break.
pub(super) struct Lines {
    ranges: Vec<Range<usize>>,
}

impl Lines {
    /// The byte range of every line, in order.
    pub(super) fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }
}

impl Lines {
    /// Splits `text` once for the passes of one scan.
    pub(super) fn new(text: &str) -> Self {
        let mut ranges = Vec::new();
        let mut at = 0;
        for l in text.split('\n') {
            let end = at + l.strip_suffix('\r').unwrap_or(l).len();
            ranges.push(at..end);
            at += l.len() + 1;
        }
        Lines { ranges }
    }
}

/// Whether `c` separates a cue from the name after it.
fn is_cue_sep(c: char) -> bool {
    is_space(c) || c == ':' || c == '：'
}

/// Whether the name may end before `rest`: the end of a line or cell, punctuation,
/// a particle, or a copula (`です`).
fn name_ends_before(rest: &str) -> bool {
    match rest.chars().next() {
        None => true,
        Some(c) if is_space(c) => true,
        Some(c) if "、,，。.)）」』】]/／・|\t\r\n;；:：".contains(c) => true,
        Some(c) if is_hiragana(c) => particle_follows(rest) || rest.starts_with("です"),
        _ => false,
    }
}

/// Katakana to hiragana (the kana lists are in hiragana); `None` for a long-vowel mark
/// or any other character.
fn to_hiragana(s: &str) -> Option<String> {
    s.chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60),
            _ => None,
        })
        .collect()
}

/// Whether `c` continues a word of letters (a boundary is anything else).
fn is_word_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c) || is_hiragana(c) || c.is_alphanumeric() || c == '・'
}

impl NameDetector {
    /// Every pass of this file, in order.
    pub(super) fn local_names(&self, doc: &Document<'_>, found: &mut Vec<Candidate>) {
        let text = doc.text();
        let lines = Lines::new(text);
        self.kana_full_names(text, found);
        for r in &lines.ranges {
            self.chat_speaker(text, r.clone(), found);
            self.cued_surnames(text, r.clone(), found);
        }
        self.signature_names(text, &lines, found);
        self.row_names(text, lines.ranges(), found);
        self.child_kana_names(text, found);
    }

    /// A given name in kanji of the given-name list or of the JMnedict-derived list.
    fn is_given(&self, w: &str) -> bool {
        self.lex.is_given_kanji(w) || super::kanji_list::list_flags(w).given
    }

    /// A listed surname starting at `at` (a kanji run, or the run's start), possibly
    /// followed by a listed given name glued on or after one space: the end of the name
    /// and whether a given name is part of it. The name must end before
    /// [`name_ends_before`] text.
    pub(super) fn listed_name_at(&self, text: &str, at: usize) -> Option<(usize, bool)> {
        let end = run_end(text, at, is_kanji);
        let run = &text[at..end];
        let n = chars(run);
        // A relation or role word (長男 splits as 長|男) is no name.
        if n == 0 || n > 6 || self.lex.is_relation(run) || self.lex.is_not_name(run) {
            return None;
        }
        let mut out = None;
        if self.lex.is_surname(run) {
            out = Some((end, false));
        } else {
            // 松井花子: a listed surname and a listed given name.
            for (i, _) in run.char_indices().skip(1) {
                if self.lex.is_surname(&run[..i]) && self.is_given(&run[i..]) {
                    out = Some((end, true));
                    break;
                }
            }
        }
        let (mut e, mut given) = out?;
        if !given {
            // 松井 花子: a given name after one space.
            if let Some(c) = text[e..].chars().next().filter(|c| is_space(*c)) {
                let g = e + c.len_utf8();
                let ge = run_end(text, g, is_kanji);
                let w = &text[g..ge];
                // A second person's full name (`藤原 山田昭`) is no given name.
                let surname_led = w
                    .char_indices()
                    .skip(2)
                    .any(|(i, _)| self.lex.is_surname(&w[..i]));
                if ge > g && self.is_given(w) && !surname_led && name_ends_before(&text[ge..]) {
                    e = ge;
                    given = true;
                }
            }
        }
        name_ends_before(&text[e..]).then_some((e, given))
    }

    /// Rule `name.local.kana`: a kana full name written as a surname reading, one space
    /// and a given-name reading, both in the kana lists (`ﾀﾅｶ ﾐｻｷ` → タナカ ミサキ after
    /// normalization, `ハラダ ユウキ`). Exports and forms write readings this way;
    /// two listed readings in that order, standing as a word of their own, are hardly
    /// anything else. Hiragana pairs (`いのうえ そうた`) are ordinary words too often,
    /// so they count only as a reading: right before a name in parentheses
    /// (`えんどう はるき（遠藤 陽輝）`).
    fn kana_full_names(&self, text: &str, found: &mut Vec<Candidate>) {
        let mut last_end = 0;
        // Driven by the spaces (a pair has one between its parts), not by every kana.
        for (sp, space) in text.match_indices([' ', '\u{3000}']) {
            if sp < last_end {
                continue;
            }
            let Some((_, p)) = super::prev_char(text, sp) else {
                continue;
            };
            let kata = is_katakana(p);
            if !(kata || is_hiragana(p)) {
                continue;
            }
            let script: fn(char) -> bool = if kata { is_katakana } else { is_hiragana };
            let s2 = sp + space.len();
            if !text[s2..].chars().next().is_some_and(script) {
                continue;
            }
            // The first part: back to the start of its run (at most 7 characters).
            let mut at = sp;
            let mut n = 0;
            while let Some((j, c)) = super::prev_char(text, at) {
                if !script(c) || n > 6 {
                    break;
                }
                at = j;
                n += 1;
            }
            // Digits may run into a fixed-width field (`0012345ﾀﾅｶ ﾐｻｷ`).
            if n > 6
                || super::prev_char(text, at)
                    .is_some_and(|(_, p)| is_word_char(p) && !p.is_ascii_digit())
            {
                continue;
            }
            let e2 = run_end(text, s2, script);
            if text[e2..].chars().next().is_some_and(is_word_char) {
                continue;
            }
            let (a, b) = (&text[at..sp], &text[s2..e2]);
            let (ha, hb) = if kata {
                match (to_hiragana(a), to_hiragana(b)) {
                    (Some(x), Some(y)) => (x, y),
                    _ => continue,
                }
            } else {
                (a.to_string(), b.to_string())
            };
            let listed = (2..=6).contains(&chars(a))
                && (1..=6).contains(&chars(b))
                && self.lex.is_surname_kana(&ha)
                && self.lex.is_given_kana(&hb);
            let reading_ok = kata || {
                // A reading before the name it reads: `（` and a kanji.
                let rest = &text[e2..];
                let rest = rest.strip_prefix('(').or_else(|| rest.strip_prefix('（'));
                rest.and_then(|r| r.chars().next()).is_some_and(is_kanji)
            };
            if listed && reading_ok {
                found.push(Candidate {
                    range: at..e2,
                    detector: "name.local.kana",
                    confidence: 0.75,
                    reason: "kana surname and given name from the lists",
                });
                last_end = e2;
            }
        }
    }

    /// Rule `name.local.speaker`: the speaker of a chat export line, a listed surname
    /// at the start of a line next to a time (`[9:15] 渡辺：了解です`, `[9:15] 渡辺 了解`,
    /// `坂本 9:15`). A chat tool writes the sender's name in that slot and nothing
    /// else; the time makes the line a message header rather than prose.
    fn chat_speaker(&self, text: &str, line: Range<usize>, found: &mut Vec<Candidate>) {
        let l = &text[line.clone()];
        let t = l.trim_start_matches(is_space);
        let mut at = line.start + (l.len() - t.len());
        let time_before = match time_len(&text[at..line.end]) {
            Some(n) => {
                at += n;
                let rest = &text[at..line.end];
                let r = rest.trim_start_matches(is_space);
                if r.len() == rest.len() && !rest.starts_with(['-', '|']) {
                    return;
                }
                at += rest.len() - r.len();
                let r2 = r.trim_start_matches(['-', '|', ' ']);
                at += r.len() - r2.len();
                true
            }
            None => false,
        };
        if !text[at..].chars().next().is_some_and(is_kanji) {
            return;
        }
        let Some((end, _)) = self.listed_name_at(text, at) else {
            return;
        };
        let rest = &text[end..line.end];
        let ok = if time_before {
            rest.starts_with([':', '：', ' ', '\u{3000}', '>', '＞'])
        } else {
            // 坂本 9:15 (the time after the name, nothing else on the line).
            let r = rest.trim_start_matches(is_space);
            r.len() < rest.len() && time_len(r).is_some_and(|n| r[n..].trim().is_empty())
        };
        if ok && !self.lex.is_not_name(&text[at..end]) {
            found.push(Candidate {
                range: at..end,
                detector: "name.local.speaker",
                confidence: 0.75,
                reason: "surname of a chat line's sender",
            });
        }
    }

    /// Rule `name.local.cue`: a listed surname right after a section, job title or
    /// role (`税務課 松井`, `主任 大野`, `SW 岩田`, `係長：杉本`, `協働推進課の小野です`),
    /// and every `[office ]surname` item of an attendee line (`出席：包括 北村、社協 野口`).
    /// Staff sign and list colleagues by office and surname; the cue says a person
    /// follows, and the lists say the word is a surname (`税務課 窓口`, `主任 研修`
    /// are no surnames).
    fn cued_surnames(&self, text: &str, line: Range<usize>, found: &mut Vec<Candidate>) {
        let l = &text[line.clone()];
        // Attendee lines: every item after the label.
        let t = l.trim_start_matches(|c: char| is_space(c) || "・-*■□●○◆◇【".contains(c));
        let head = line.start + (l.len() - t.len());
        let label_end = t.find([':', '：', '】']);
        let attendee = label_end.is_some_and(|p| cues().attend.contains(t[..p].trim()));
        for (i, c) in l.char_indices() {
            let at = line.start + i;
            let sep_len = c.len_utf8();
            let via_no = c == 'の';
            if !(is_cue_sep(c) || via_no || (attendee && "、,，/／".contains(c))) {
                continue;
            }
            // Cheap checks first (`の` and spaces are everywhere in prose): a kanji or a
            // space after the separator, and before `の` an office's last character.
            let after = text[at + sep_len..line.end].chars().next();
            if !after.is_some_and(|a| is_kanji(a) || is_space(a)) {
                continue;
            }
            if via_no
                && !super::prev_char(text, at)
                    .is_some_and(|(_, p)| "課係部室局班所ープ".contains(p))
            {
                continue;
            }
            // The word before the separator.
            let mut ws = at;
            let mut n = 0;
            while let Some((j, p)) = super::prev_char(text, ws) {
                if j < line.start
                    || n >= 16
                    || !(is_kanji(p) || is_katakana(p) || p.is_ascii_alphabetic())
                {
                    break;
                }
                ws = j;
                n += 1;
            }
            let cue = &text[ws..at];
            let attendee_item =
                attendee && (at == head + label_end.unwrap_or(0) || "、,，/／".contains(c));
            let is_office = is_office_word(cue);
            let is_role = TITLES.contains(&cue) || cues().roles.contains(cue);
            if !(attendee_item || (!cue.is_empty() && (is_office || is_role))) {
                continue;
            }
            if via_no && !is_office {
                continue;
            }
            let mut s = at + sep_len;
            // One more space (`係長： 杉本`, `税務課　 松井`).
            while let Some(c) = text[s..line.end].chars().next().filter(|c| is_space(*c)) {
                s += c.len_utf8();
            }
            if !text[s..].chars().next().is_some_and(is_kanji) {
                continue;
            }
            let Some((end, _)) = self.listed_name_at(text, s) else {
                // An attendee item may itself open with an office: `、社協 野口`.
                continue;
            };
            let word = &text[s..end];
            let rest = &text[end..line.end];
            let one_kanji = chars(word) == 1;
            // `の` needs the copula (課の小野です); a one-kanji surname (森) needs it or
            // the end of the item.
            let copula = rest.starts_with("です") || rest.starts_with("でございます");
            let ok = if via_no {
                copula
            } else {
                !one_kanji || copula || item_ends(rest)
            };
            if !ok {
                continue;
            }
            if self.lex.is_not_name(word) || is_office_word(word) {
                continue;
            }
            found.push(Candidate {
                range: s..end,
                detector: "name.local.cue",
                confidence: 0.7,
                reason: if attendee_item {
                    "surname in an attendee line"
                } else {
                    "surname after a section or role"
                },
            });
        }
    }

    /// Rule `name.local.child`: a child's given name in hiragana after a relation or a
    /// school group (`次女（めい、小2）`, `年長のあおい`, `子 りく`, `長男のはると`).
    /// Families and nurseries call children by given names in kana; the relation word
    /// says a person follows, the kana list says the word is a given name, and the word
    /// must end there (`めいっぱい` does not).
    fn child_kana_names(&self, text: &str, found: &mut Vec<Candidate>) {
        for (i, c) in text.char_indices() {
            if !(c == 'の' || c == '(' || c == '（' || is_space(c) || c == '、' || c == '・') {
                continue;
            }
            // Cheap checks first: hiragana after the separator, a kanji (or っ) before it.
            if !text[i + c.len_utf8()..]
                .chars()
                .next()
                .is_some_and(is_hiragana)
                || !super::prev_char(text, i).is_some_and(|(_, p)| is_kanji(p) || p == 'っ')
            {
                continue;
            }
            // The word before: a relation word or a school group.
            let mut ws = i;
            let mut n = 0;
            while let Some((j, p)) = super::prev_char(text, ws) {
                if n >= 4 || !(is_kanji(p) || p == 'っ') {
                    break;
                }
                ws = j;
                n += 1;
            }
            let cue = &text[ws..i];
            if cue.is_empty() || !(self.lex.is_relation(cue) || cues().school.contains(cue)) {
                continue;
            }
            // `子` alone only as a word (the 子 of 様子 or 調子 is none).
            if super::prev_char(text, ws).is_some_and(|(_, p)| is_kanji(p)) {
                continue;
            }
            let start = i + c.len_utf8();
            if !text[start..].chars().next().is_some_and(is_hiragana) {
                continue;
            }
            let end = run_end(text, start, is_hiragana);
            let mut best = None;
            for (j, ch) in text[start..end].char_indices() {
                let e = start + j + ch.len_utf8();
                let w = &text[start..e];
                let k = chars(w);
                if !(2..=6).contains(&k) {
                    continue;
                }
                let ends = (e == end && boundary_after(text, e))
                    || (e < end
                        && (particle_follows(&text[e..])
                            || text[e..].starts_with("くん")
                            || text[e..].starts_with("ちゃん")));
                if ends && self.lex.is_given_kana(w) && !NOT_KANA_NAMES.contains(&w) {
                    best = Some(e);
                }
            }
            // A name the kana list lacks, with an honorific after it (`子のひまりさん`).
            if best.is_none() {
                let run = &text[start..end];
                best = ["さん", "くん", "ちゃん"]
                    .iter()
                    .filter_map(|h| run.find(h))
                    .min()
                    .filter(|&k| {
                        let w = &run[..k];
                        (2..=4).contains(&chars(w))
                            && !NOT_KANA_NAMES.contains(&w)
                            // お, ご start a word for a person (おばあちゃん, おにいさん).
                            && !w.starts_with(['お', 'ご'])
                    })
                    .map(|k| start + k);
            }
            let Some(e) = best else { continue };
            // A run starting like a particle holds a name of three characters or more.
            let w = &text[start..e];
            if w.chars()
                .next()
                .is_some_and(|f| "ともはのにがをでへや".contains(f))
                && chars(w) < 3
            {
                continue;
            }
            found.push(Candidate {
                range: start..e,
                detector: "name.local.child",
                confidence: 0.65,
                reason: "kana given name after a relation or school group",
            });
        }
    }
}

/// Length in bytes of a time at the start of `s` (`9:15`, `[17:35]`, `09:15:02`).
fn time_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let bracket = matches!(b.first(), Some(b'[' | b'('));
    if bracket {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < 2 {
            *i += 1;
        }
        *i - st
    };
    if digits(&mut i) == 0 || b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    if digits(&mut i) != 2 {
        return None;
    }
    if b.get(i) == Some(&b':') {
        i += 1;
        if digits(&mut i) != 2 {
            return None;
        }
    }
    if bracket {
        if !matches!(b.get(i), Some(b']' | b')')) {
            return None;
        }
        i += 1;
    }
    Some(i)
}

/// Whether the rest of an attendee item or a line is empty.
fn item_ends(rest: &str) -> bool {
    rest.trim_start_matches(is_space).is_empty()
        || rest.starts_with(['、', ',', '，', '/', '／', ')', '）'])
}

/// A section or office (`税務課`, `保健所`, `福祉部`): ends in an office suffix; `所` and
/// `部` only after two characters or more (`場所`, `一部`, `全部` are none).
pub(super) fn is_office_word(w: &str) -> bool {
    let n = chars(w);
    ends_with_office(w) && (n >= 3 || (n == 2 && !w.ends_with(['所', '部'])))
}

#[cfg(test)]
#[path = "tests_local.rs"]
mod tests_local;
