//! Fixed word lists tested at the edge of a text (`text.ends_with(w)` or
//! `text.starts_with(w)` for any listed `w`) by a few hash probes, one per distinct
//! word length, instead of one comparison per word. The passes ask such questions
//! for every katakana word and kanji run of a prompt, with lists of up to a hundred
//! words.
//!
//! [`affix_set!`] builds a list's set once per process, on first use.

use rustc_hash::FxHashSet;

/// The words of one list, by their bytes, and their distinct byte lengths.
pub(super) struct AffixSet {
    words: FxHashSet<&'static [u8]>,
    /// Distinct byte lengths of the words, shortest first.
    lens: Vec<usize>,
}

impl AffixSet {
    /// The set of `words` (duplicates are fine).
    pub(super) fn new(words: &[&'static str]) -> Self {
        let words: FxHashSet<&'static [u8]> = words.iter().map(|w| w.as_bytes()).collect();
        let mut lens: Vec<usize> = words.iter().map(|w| w.len()).collect();
        lens.sort_unstable();
        lens.dedup();
        AffixSet { words, lens }
    }

    /// Whether `s` ends with one of the words (as `words.iter().any(|w| s.ends_with(w))`).
    #[inline]
    pub(super) fn ends_any(&self, s: &str) -> bool {
        let b = s.as_bytes();
        self.lens
            .iter()
            .take_while(|&&l| l <= b.len())
            .any(|&l| self.words.contains(&b[b.len() - l..]))
    }

    /// Whether `s` starts with one of the words (as `words.iter().any(|w| s.starts_with(w))`).
    #[inline]
    pub(super) fn starts_any(&self, s: &str) -> bool {
        let b = s.as_bytes();
        self.lens
            .iter()
            .take_while(|&&l| l <= b.len())
            .any(|&l| self.words.contains(&b[..l]))
    }

    /// The byte length of the longest word `s` ends with.
    pub(super) fn longest_suffix(&self, s: &str) -> Option<usize> {
        let b = s.as_bytes();
        self.lens
            .iter()
            .rev()
            .filter(|&&l| l <= b.len())
            .find(|&&l| self.words.contains(&b[b.len() - l..]))
            .copied()
    }

    /// The words `s` starts with, shortest first.
    pub(super) fn prefixes<'s>(&'s self, s: &'s str) -> impl Iterator<Item = &'s str> + 's {
        let b = s.as_bytes();
        self.lens
            .iter()
            .take_while(move |&&l| l <= b.len())
            .filter(move |&&l| self.words.contains(&b[..l]))
            // A listed word is valid UTF-8, so its length ends on a boundary of `s`.
            .filter_map(move |&l| s.get(..l))
    }
}

/// The [`AffixSet`] of a `&'static [&'static str]` list, built on first use and kept
/// for the life of the process.
macro_rules! affix_set {
    ($list:expr) => {{
        static SET: std::sync::OnceLock<$crate::inspect::detect::name::affix::AffixSet> =
            std::sync::OnceLock::new();
        SET.get_or_init(|| $crate::inspect::detect::name::affix::AffixSet::new($list))
    }};
}
pub(super) use affix_set;

#[cfg(test)]
mod tests {
    use super::*;

    /// The set answers exactly as the comparisons it replaces, on every split of
    /// every test text (including texts shorter than the words).
    #[test]
    fn same_answers_as_comparing_each_word() {
        let lists: [&[&'static str]; 3] = [
            &["ション", "ング", "ズム", "ーゼ", "サーバ", "サーバー"],
            &["主義", "宣言", "条約", "理論", "方程式"],
            &["", "a", "ab"],
        ];
        let texts = [
            "",
            "a",
            "アプリケーション",
            "ランニング",
            "サーバーの主義",
            "方程式を解く",
            "主義",
            "リズム",
            "abc",
        ];
        for list in lists {
            let set = AffixSet::new(list);
            for t in texts {
                for (i, _) in t.char_indices().chain([(t.len(), ' ')]) {
                    for s in [&t[..i], &t[i..]] {
                        assert_eq!(
                            set.ends_any(s),
                            list.iter().any(|w| s.ends_with(w)),
                            "ends {s:?}"
                        );
                        assert_eq!(
                            set.starts_any(s),
                            list.iter().any(|w| s.starts_with(w)),
                            "starts {s:?}"
                        );
                        assert_eq!(
                            set.longest_suffix(s),
                            list.iter()
                                .filter(|w| s.ends_with(*w))
                                .map(|w| w.len())
                                .max(),
                            "longest {s:?}"
                        );
                        let mut want: Vec<&str> =
                            list.iter().copied().filter(|w| s.starts_with(w)).collect();
                        want.sort_by_key(|w| w.len());
                        want.dedup();
                        assert_eq!(set.prefixes(s).collect::<Vec<_>>(), want, "{s:?}");
                    }
                }
            }
        }
    }
}
