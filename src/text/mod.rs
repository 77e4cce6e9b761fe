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

/// The separator placed between two parts of one request (two messages, two content
/// parts, two fields) when they are joined into one text for inspection.
///
/// U+2029 PARAGRAPH SEPARATOR: it never occurs in ordinary prompts, so a joint is
/// always recognisable, and it is a line break, so word-level detectors stop at it.
/// The digit-run handling of the normalization and the number detectors treat it as
/// a *soft* boundary, like a line break between digit groups: a My Number or phone
/// split across two parts (`個人番号は1234 5678` + `9012`) is still found, and the
/// finding's span covers the separator (map it back per part).
pub const PART_SEPARATOR: char = '\u{2029}';

/// [`PART_SEPARATOR`] as a string, for joining.
pub const PART_SEPARATOR_STR: &str = "\u{2029}";
