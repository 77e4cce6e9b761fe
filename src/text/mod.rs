//! Japanese text normalization for detection, with a map back to the original.
//!
//! Detection never runs on the text the user typed: it runs on a normalized copy
//! ([`Normalized`]) in which full-width forms, kanji numerals, the many dash and
//! long-vowel separators between digits and invisible characters have been folded
//! away. Every normalized character remembers the byte range of the original
//! characters it came from, so findings are always reported on the original text.

mod fold;
mod normalize;

pub use fold::{fold_char_for_words, fold_for_words};
pub use normalize::{Normalized, SMUGGLING_TAG_RANGE};
