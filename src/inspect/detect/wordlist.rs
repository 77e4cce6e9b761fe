//! Administrator word lists (禁止ワード) and the allow list, matched with aho-corasick
//! on the folded text, so ｶﾀｶﾅ, ひらがな, full-width and variant-kanji spellings of a
//! listed word all match.

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Detector;
use crate::inspect::{Category, Document, RawFinding};
use crate::text::{fold_for_words, Normalized};

/// Normalizes and folds a list entry exactly as the scanned text is.
pub fn fold_entry(word: &str) -> String {
    fold_for_words(Normalized::new(word.trim()).as_str())
}

/// A set of folded words, matched leftmost-longest.
pub struct WordSet {
    matcher: AhoCorasick,
    /// For each pattern: index of the list it came from.
    owner: Vec<usize>,
    /// For each pattern: whether it is pure ASCII alphanumeric (needs word boundaries).
    ascii_word: Vec<bool>,
}

impl WordSet {
    /// Builds a set from `(list index, word)` pairs; empty entries are skipped.
    pub fn new<'w>(
        words: impl IntoIterator<Item = (usize, &'w str)>,
    ) -> Result<Option<WordSet>, String> {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        let mut ascii_word = Vec::new();
        for (list, w) in words {
            let folded = fold_entry(w);
            if folded.is_empty() {
                continue;
            }
            ascii_word.push(folded.bytes().all(|b| b.is_ascii_alphanumeric()));
            patterns.push(folded);
            owner.push(list);
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| format!("building the word matcher: {e}"))?;
        Ok(Some(WordSet {
            matcher,
            owner,
            ascii_word,
        }))
    }

    /// Matches in `folded` as `(list index, byte range)`.
    pub fn find<'s>(&'s self, folded: &'s str) -> impl Iterator<Item = (usize, Range<usize>)> + 's {
        let bytes = folded.as_bytes();
        self.matcher.find_iter(folded).filter_map(move |m| {
            let p = m.pattern().as_usize();
            if self.ascii_word[p] {
                let before = m.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(m.end()).copied();
                let is_word =
                    |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
                if is_word(before) || is_word(after) {
                    return None;
                }
            }
            Some((self.owner[p], m.range()))
        })
    }
}

/// Finds the words of every administrator list; each list reports its own category.
pub struct WordListDetector {
    categories: Vec<Category>,
    set: WordSet,
}

impl WordListDetector {
    /// Builds the detector from `(list name, words)`; `None` when every list is empty.
    pub fn new(lists: &[(String, Vec<String>)]) -> Result<Option<Self>, String> {
        let categories = lists
            .iter()
            .map(|(n, _)| Category::WordList(Arc::from(n.as_str())))
            .collect();
        let words = lists
            .iter()
            .enumerate()
            .flat_map(|(i, (_, ws))| ws.iter().map(move |w| (i, w.as_str())));
        Ok(WordSet::new(words)?.map(|set| WordListDetector { categories, set }))
    }
}

impl Detector for WordListDetector {
    fn name(&self) -> &'static str {
        "wordlist"
    }

    fn detect(&self, doc: &Document<'_>, out: &mut Vec<RawFinding>) {
        for (list, range) in self.set.find(doc.folded()) {
            out.push(RawFinding::new(
                self.categories[list].clone(),
                range,
                "wordlist",
                1.0,
                "listed word",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::Tokenizer;

    fn scan(lists: &[(String, Vec<String>)], text: &str) -> Vec<(String, String)> {
        let tok = Tokenizer::new(&[]).unwrap();
        let d = WordListDetector::new(lists).unwrap().unwrap();
        let doc = Document::new(text, &tok);
        let mut out = Vec::new();
        d.detect(&doc, &mut out);
        out.into_iter()
            .map(|f| {
                let r = doc.normalized().to_original(f.range);
                (f.category.to_string(), text[r].to_string())
            })
            .collect()
    }

    #[test]
    fn matches_every_spelling() {
        let lists = vec![(
            "secret".to_string(),
            vec!["マル秘".to_string(), "Project X".to_string()],
        )];
        let cases = [
            ("マル秘", "マル秘"),
            ("まる秘の資料", "まる秘"),
            ("ﾏﾙ秘", "ﾏﾙ秘"),
            ("ＰＲＯＪＥＣＴ　Ｘ", "ＰＲＯＪＥＣＴ　Ｘ"),
            ("project x", "project x"),
        ];
        for (text, want) in cases {
            let got = scan(&lists, text);
            assert_eq!(
                got,
                vec![("secret".to_string(), want.to_string())],
                "{text}"
            );
        }
    }

    #[test]
    fn ascii_words_need_boundaries() {
        let lists = vec![("l".to_string(), vec!["abc".to_string()])];
        assert!(scan(&lists, "xabcx").is_empty());
        assert_eq!(scan(&lists, "x abc.").len(), 1);
        assert_eq!(scan(&lists, "これはabcです").len(), 1);
    }
}
