//! Detection settings as written in the configuration file (`[detection]`).
//!
//! Raw, validated-later values: [`super::EngineBuilder::from_config`] reads the files
//! they name and compiles them, reporting every problem as a [`super::BuildError`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[detection]`: which categories run, word lists, allow list and user dictionaries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectionConfig {
    /// Built-in categories switched off for everyone (`name`, `address`, `phone`,
    /// `my_number`, `email`). Default: none, every category runs.
    pub disabled: Vec<String>,
    /// Lindera user dictionaries (13-column IPADIC CSV): local place names, surnames
    /// the dictionary lacks. Paths are relative to the configuration file.
    pub user_dictionaries: Vec<PathBuf>,
    /// Terms never flagged (public facilities, officials' titles).
    pub allow_words: Vec<String>,
    /// Files of terms never flagged, one per line (`#` starts a comment).
    pub allow_files: Vec<PathBuf>,
    /// Administrator word lists (禁止ワード), each its own category.
    pub word_lists: Vec<WordListConfig>,
    /// Whether the built-in word lists shipped in `dictionaries/wordlists/` are used.
    /// Default: true.
    #[serde(default = "default_true")]
    pub builtin_word_lists: bool,
}

fn default_true() -> bool {
    true
}

/// `[[detection.word_lists]]`: one named list of banned words.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WordListConfig {
    /// The list's name, which is also the category reported for its matches
    /// (letters, digits, `_` and `-`; must not be a built-in category name).
    pub name: String,
    /// Words given inline.
    pub words: Vec<String>,
    /// Files of words, one per line (`#` starts a comment). Relative to the config file.
    pub files: Vec<PathBuf>,
}
