//! The per-scan view detectors read: original text, normalized text, folded text and
//! (on demand) morphological tokens.

use std::cell::OnceCell;
use std::ops::Range;

use super::tokenizer::{Token, Tokenizer};
use crate::text::{fold_for_words, Normalized};

/// One text under inspection.
pub struct Document<'a> {
    original: &'a str,
    norm: Normalized,
    folded: OnceCell<String>,
    tokens: OnceCell<Vec<Token>>,
    tokenizer: &'a Tokenizer,
}

impl<'a> Document<'a> {
    /// Normalizes `original` for detection.
    pub fn new(original: &'a str, tokenizer: &'a Tokenizer) -> Self {
        Document {
            original,
            norm: Normalized::new(original),
            folded: OnceCell::new(),
            tokens: OnceCell::new(),
            tokenizer,
        }
    }

    /// The text as the user wrote it.
    pub fn original(&self) -> &'a str {
        self.original
    }

    /// The normalized detection view (NFKC, digits, separators; see [`Normalized`]).
    pub fn text(&self) -> &str {
        self.norm.as_str()
    }

    /// The normalized view and its offset map.
    pub fn normalized(&self) -> &Normalized {
        &self.norm
    }

    /// The normalized view further folded for word lists (hiragana → katakana,
    /// variant kanji, lower case). Same byte offsets as [`Document::text`].
    pub fn folded(&self) -> &str {
        self.folded
            .get_or_init(|| fold_for_words(self.norm.as_str()))
    }

    /// Tokens of the whole normalized text (computed once, on first use).
    pub fn tokens(&self) -> &[Token] {
        self.tokens
            .get_or_init(|| self.tokenizer.tokenize(self.norm.as_str(), 0))
    }

    /// Tokens of one window of the normalized text (byte range on char boundaries).
    /// Cheaper than [`Document::tokens`] when only a few places need analysis.
    pub fn tokens_in(&self, range: Range<usize>) -> Vec<Token> {
        let text = self.norm.as_str();
        let range = range.start.min(text.len())..range.end.min(text.len());
        match text.get(range.clone()) {
            Some(window) => self.tokenizer.tokenize(window, range.start),
            None => Vec::new(),
        }
    }

    /// The tokenizer, for detectors that analyse their own windows.
    pub fn tokenizer(&self) -> &Tokenizer {
        self.tokenizer
    }
}
