//! The joined view of a folded text for banned-word matching: the separators people
//! put between the characters of a word (`極 秘`, `極-秘`, `極ー秘`, `極<b>秘</b>`,
//! `Project_Falcon`) are taken out, and every remaining character remembers where it
//! was and how many separators stood before it.
//!
//! Separators: ASCII and ideographic spaces and tabs (NFKC has made the ideographic
//! space an ASCII one), hyphens and dashes, full stops and middle dots (`.` `・` `·`),
//! underscores, markup tags (`<b>`, `</span>`, `<br/>`, one separator each) and the
//! long vowel mark ー where it follows no kana: after a kana it lengthens the vowel and
//! belongs to the word (`サーバー` is no `サバ`); after a kanji or a Latin letter it is a
//! dash. Zero-width characters never get here (the normalization drops them). Line
//! breaks are no separators: a word is not looked for across lines.

/// A run of characters of the folded text copied into the joined text as they are:
/// the characters between two separators.
#[derive(Clone, Copy, Debug)]
pub(super) struct Run {
    /// Byte offset of the run in the joined text.
    pub joined: u32,
    /// Byte offset of the run in the folded text.
    pub folded: u32,
    /// Separators (characters or tags) before the run's first character, at most 255.
    pub gap: u8,
}

/// A folded text with its separators taken out, and the map back.
///
/// The map is kept per [`Run`], not per character: within a run the joined and the
/// folded bytes correspond one to one, so a long text without separators costs one
/// entry and one copy, not an entry per character.
pub(super) struct Joined {
    /// The characters that are no separators, in order.
    pub text: String,
    /// The runs of `text`, in order; the first starts at 0.
    runs: Vec<Run>,
}

/// Longest markup tag taken as one separator, in bytes.
const MAX_TAG: usize = 64;

impl Joined {
    /// Joins `folded` (a text folded by [`crate::text::fold_for_words`]).
    pub fn new(folded: &str) -> Self {
        let mut text = String::with_capacity(folded.len());
        let mut runs = Vec::new();
        let mut gap: u8 = 0;
        let mut prev: Option<char> = None;
        // Start of the run being read in `folded`, if one is open.
        let mut open: Option<usize> = None;
        let mut skip_to = 0;
        let flush = |text: &mut String, open: &mut Option<usize>, to: usize| {
            if let Some(from) = open.take() {
                text.push_str(&folded[from..to]);
            }
        };
        for (i, c) in folded.char_indices() {
            if i < skip_to {
                continue;
            }
            let tag = if c == '<' {
                tag_len(&folded[i..])
            } else {
                None
            };
            if tag.is_some() || is_separator(c, prev) {
                flush(&mut text, &mut open, i);
                gap = gap.saturating_add(1);
                skip_to = i + tag.unwrap_or(0);
                continue;
            }
            if open.is_none() {
                runs.push(Run {
                    joined: text.len() as u32,
                    folded: i as u32,
                    gap,
                });
                open = Some(i);
                gap = 0;
            }
            prev = Some(c);
        }
        flush(&mut text, &mut open, folded.len());
        Joined { text, runs }
    }

    /// The run holding joined byte offset `at`.
    fn run_at(&self, at: usize) -> &Run {
        let at = at as u32;
        let i = self
            .runs
            .partition_point(|r| r.joined <= at)
            .saturating_sub(1);
        &self.runs[i]
    }

    /// Offset in the folded text of the character at joined byte offset `at`.
    pub fn folded_at(&self, at: usize) -> usize {
        let r = self.run_at(at);
        r.folded as usize + (at - r.joined as usize)
    }

    /// The byte range in the folded text from the character at joined offset `start`
    /// to the end of the character ending at joined offset `end`.
    pub fn folded_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let last = self.text[..end]
            .chars()
            .next_back()
            .map_or(0, char::len_utf8);
        self.folded_at(start)..self.folded_at(end - last) + last
    }

    /// The separators before each character of the joined range `start..end` after its
    /// first, as `(index of the character after the first, separators)`; characters
    /// not listed have none before them.
    pub fn gaps_within(&self, start: usize, end: usize) -> impl Iterator<Item = (usize, u8)> + '_ {
        let from = self.runs.partition_point(|r| (r.joined as usize) <= start);
        let mut counted = start;
        let mut index = 0;
        self.runs[from..]
            .iter()
            .take_while(move |r| (r.joined as usize) < end)
            .map(move |r| {
                let at = r.joined as usize;
                index += self.text[counted..at].chars().count();
                counted = at;
                (index - 1, r.gap)
            })
    }

    /// The separators before every character of the text after the first (for the
    /// listed words themselves, which are short).
    pub fn all_gaps(&self) -> Vec<u8> {
        let mut gaps: Vec<u8> = vec![0; self.text.chars().count().saturating_sub(1)];
        for (i, g) in self.gaps_within(0, self.text.len()) {
            gaps[i] = g;
        }
        gaps
    }
}

/// Whether `c` separates the characters of a word, given the last character that
/// did not (`None` at the start). The part separator is one: a word split across two
/// parts of one request (`Project` + `Falcon`) is one word to the model that reads
/// them in a row.
fn is_separator(c: char, prev: Option<char>) -> bool {
    match c {
        ' '
        | '\t'
        | crate::text::PART_SEPARATOR
        | '\u{3000}'
        | '_'
        | '.'
        | '・'
        | '·'
        | '-'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE63}' => true,
        'ー' => !prev.is_some_and(is_kana),
        _ => false,
    }
}

/// Hiragana or katakana (the long vowel mark lengthens their vowel).
fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}' | 'ー' | '\u{FF66}'..='\u{FF9D}')
}

/// Length of the markup tag at the start of `s` (`<b>`, `</b>`, `<br/>`,
/// `<span class="x">`), if it is one of at most [`MAX_TAG`] bytes on one line.
fn tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    if !b.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        i += 1;
    }
    match *b.get(i)? {
        b'>' => return Some(i + 1),
        b'/' if b.get(i + 1) == Some(&b'>') => return Some(i + 2),
        b' ' | b'\t' => {}
        _ => return None,
    }
    while i < b.len().min(MAX_TAG) {
        match b[i] {
            b'>' => return Some(i + 1),
            b'<' | b'\n' | b'\r' => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(s: &str) -> (String, Vec<u8>) {
        let j = Joined::new(s);
        let first = j.runs.first().map_or(0, |r| r.gap);
        let mut gaps = vec![first];
        gaps.extend(j.all_gaps());
        if j.text.is_empty() {
            gaps.clear();
        }
        (j.text, gaps)
    }

    #[test]
    fn separators_and_tags_are_taken_out() {
        let cases: &[(&str, &str, &[u8])] = &[
            ("極秘", "極秘", &[0, 0]),
            ("極 秘", "極秘", &[0, 1]),
            ("極\u{2029}秘", "極秘", &[0, 1]),
            ("極ー秘", "極秘", &[0, 1]),
            ("極<b>秘</b>", "極秘", &[0, 1]),
            ("極</b><b>秘", "極秘", &[0, 2]),
            ("<span class=\"x\">極</span>秘", "極秘", &[1, 1]),
            (
                "project_falcon",
                "projectfalcon",
                &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
            ),
            ("a - . b", "ab", &[0, 5]),
            // The long vowel mark of a kana word is part of the word.
            ("サーバー", "サーバー", &[0, 0, 0, 0]),
            ("ゲーム", "ゲーム", &[0, 0, 0]),
            // Not tags, not separators.
            ("a < b", "a<b", &[0, 1, 1]),
            ("x<3y", "x<3y", &[0, 0, 0, 0]),
            ("極\n秘", "極\n秘", &[0, 0, 0]),
            ("極、秘", "極、秘", &[0, 0, 0]),
        ];
        for (text, want, gaps) in cases {
            let (got, got_gaps) = joined(text);
            assert_eq!(&got, want, "{text:?}");
            assert_eq!(&got_gaps[..], *gaps, "{text:?}");
        }
    }

    #[test]
    fn positions_map_back() {
        let s = "いま極<b>秘</b>です";
        let j = Joined::new(s);
        let at = j.text.find('秘').unwrap();
        let range = j.folded_range(at, at + '秘'.len_utf8());
        assert_eq!(&s[range], "秘");
        let all = j.folded_range(0, j.text.len());
        assert_eq!(&s[all], "いま極<b>秘</b>です");
    }

    #[test]
    fn over_long_tags_are_text() {
        let s = format!("極<b {}>秘", "x".repeat(80));
        assert!(Joined::new(&s).text.contains('<'));
    }
}
