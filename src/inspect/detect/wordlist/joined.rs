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

/// One character of the joined view.
#[derive(Clone, Copy, Debug)]
pub(super) struct JoinedChar {
    /// Byte offset of the character in the joined text.
    pub joined: u32,
    /// Byte range of the character in the folded text.
    pub start: u32,
    /// End of that range.
    pub end: u32,
    /// Separators (characters or tags) between this character and the one before it,
    /// at most 255.
    pub gap: u8,
}

/// A folded text with its separators taken out, and the map back.
pub(super) struct Joined {
    /// The characters that are no separators, in order.
    pub text: String,
    /// One entry per character of `text`.
    pub chars: Vec<JoinedChar>,
}

/// Longest markup tag taken as one separator, in bytes.
const MAX_TAG: usize = 64;

impl Joined {
    /// Joins `folded` (a text folded by [`crate::text::fold_for_words`]).
    pub fn new(folded: &str) -> Self {
        let mut text = String::with_capacity(folded.len());
        let mut chars = Vec::with_capacity(folded.len() / 2);
        let mut gap: u8 = 0;
        let mut prev: Option<char> = None;
        let mut skip_to = 0;
        for (i, c) in folded.char_indices() {
            if i < skip_to {
                continue;
            }
            if c == '<' {
                if let Some(n) = tag_len(&folded[i..]) {
                    gap = gap.saturating_add(1);
                    skip_to = i + n;
                    continue;
                }
            }
            if is_separator(c, prev) {
                gap = gap.saturating_add(1);
                continue;
            }
            chars.push(JoinedChar {
                joined: text.len() as u32,
                start: i as u32,
                end: (i + c.len_utf8()) as u32,
                gap,
            });
            text.push(c);
            gap = 0;
            prev = Some(c);
        }
        Joined { text, chars }
    }

    /// Index in [`Joined::chars`] of the character at joined byte offset `at`.
    pub fn char_at(&self, at: usize) -> usize {
        let at = at as u32;
        self.chars
            .partition_point(|c| c.joined <= at)
            .saturating_sub(1)
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
        let gaps = j.chars.iter().map(|c| c.gap).collect();
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
        let c = j.chars[j.char_at(at)];
        assert_eq!(&s[c.start as usize..c.end as usize], "秘");
    }

    #[test]
    fn over_long_tags_are_text() {
        let s = format!("極<b {}>秘", "x".repeat(80));
        assert!(Joined::new(&s).text.contains('<'));
    }
}
