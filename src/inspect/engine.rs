//! [`EngineBuilder`] → immutable [`Engine`]: build once, scan many times.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::detect::address::AddressDetector;
use super::detect::email::EmailDetector;
use super::detect::my_number::MyNumberDetector;
use super::detect::name::NameDetector;
use super::detect::phone::PhoneDetector;
use super::detect::wordlist::{Matching, WordListDetector, WordSet};
use super::detect::Detector;
use super::{Category, DetectionConfig, Document, Finding, RawFinding, Tokenizer};

/// Why an engine could not be built. Every message names the file or list at fault
/// and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file named in the configuration could not be read.
    #[error("cannot read {path}: {source}; check the path (relative paths are relative to the configuration file) and its permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid UTF-8.
    #[error("{path} is not valid UTF-8; save it as UTF-8 (without Shift_JIS or EUC-JP)")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The morphological dictionary or a user dictionary could not be loaded.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A category name is unknown or a word list is misnamed.
    #[error("{0}")]
    Category(String),
    /// A matcher could not be compiled.
    #[error("matcher: {0}")]
    Matcher(String),
}

/// Collects settings for an [`Engine`].
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    enabled: [bool; 5],
    user_dictionaries: Vec<(String, String)>,
    word_lists: Vec<(String, Vec<String>)>,
    allow: Vec<String>,
    builtin_word_lists: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// The word lists shipped with Sekimori (`dictionaries/wordlists/`), embedded.
const BUILTIN_WORD_LISTS: &[(&str, &str)] = &[(
    "confidential",
    include_str!("../../dictionaries/wordlists/confidential.txt"),
)];

/// The allow list shipped with Sekimori, embedded.
const BUILTIN_ALLOW: &str = include_str!("../../dictionaries/allow/public-terms.txt");

impl EngineBuilder {
    /// All built-in categories on, built-in word lists on, nothing else.
    pub fn new() -> Self {
        EngineBuilder {
            enabled: [true; 5],
            user_dictionaries: Vec::new(),
            word_lists: Vec::new(),
            allow: Vec::new(),
            builtin_word_lists: true,
        }
    }

    /// Reads a `[detection]` section; relative paths are resolved against `base_dir`
    /// (the directory of the configuration file).
    pub fn from_config(config: &DetectionConfig, base_dir: &Path) -> Result<Self, BuildError> {
        let mut b = EngineBuilder::new();
        for name in &config.disabled {
            let c = Category::from_name(name);
            if !c.is_builtin() {
                return Err(BuildError::Category(format!(
                    "detection.disabled: unknown category '{name}'; use one of name, address, phone, my_number, email"
                )));
            }
            b = b.enable(&c, false);
        }
        for p in &config.user_dictionaries {
            let path = base_dir.join(p);
            let text = read_utf8(&path)?;
            b = b.user_dictionary(path.display().to_string(), text);
        }
        let mut allow = config.allow_words.clone();
        for p in &config.allow_files {
            allow.extend(read_lines(&base_dir.join(p))?);
        }
        b = b.allow_words(allow);
        for list in &config.word_lists {
            let mut words = list.words.clone();
            for p in &list.files {
                words.extend(read_lines(&base_dir.join(p))?);
            }
            b = b.word_list(&list.name, words)?;
        }
        b.builtin_word_lists = config.builtin_word_lists;
        Ok(b)
    }

    /// Switches a built-in category on or off (word lists are switched by policy).
    pub fn enable(mut self, category: &Category, on: bool) -> Self {
        if let Some(i) = Category::BUILTIN.iter().position(|c| c == category) {
            self.enabled[i] = on;
        }
        self
    }

    /// Adds a lindera user dictionary (13-column IPADIC CSV); `label` names it in errors.
    pub fn user_dictionary(mut self, label: impl Into<String>, csv: impl Into<String>) -> Self {
        self.user_dictionaries.push((label.into(), csv.into()));
        self
    }

    /// Adds a named word list; its matches are reported with category `name`.
    pub fn word_list(
        mut self,
        name: &str,
        words: impl IntoIterator<Item = String>,
    ) -> Result<Self, BuildError> {
        validate_list_name(name)?;
        let words: Vec<String> = words.into_iter().collect();
        if let Some(existing) = self.word_lists.iter_mut().find(|(n, _)| n == name) {
            existing.1.extend(words);
        } else {
            self.word_lists.push((name.to_string(), words));
        }
        Ok(self)
    }

    /// Adds terms that are never flagged: a finding inside one of them is dropped.
    pub fn allow_words(mut self, words: impl IntoIterator<Item = String>) -> Self {
        self.allow.extend(words);
        self
    }

    /// Whether the word lists shipped in `dictionaries/wordlists/` are used.
    pub fn builtin_word_lists(mut self, on: bool) -> Self {
        self.builtin_word_lists = on;
        self
    }

    /// Compiles everything; the result never fails to scan.
    pub fn build(self) -> Result<Engine, BuildError> {
        let tokenizer =
            Arc::new(Tokenizer::new(&self.user_dictionaries).map_err(BuildError::Tokenizer)?);
        let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
        let on = |c: Category| {
            let i = Category::BUILTIN.iter().position(|b| *b == c).unwrap_or(0);
            self.enabled[i]
        };
        if on(Category::MyNumber) {
            detectors.push(Box::new(MyNumberDetector::new()));
        }
        if on(Category::Phone) {
            detectors.push(Box::new(PhoneDetector::new()));
        }
        if on(Category::Email) {
            detectors.push(Box::new(EmailDetector::new()));
        }
        if on(Category::Address) {
            detectors.push(Box::new(AddressDetector::new()));
        }
        if on(Category::Name) {
            detectors.push(Box::new(NameDetector::new()));
        }
        let mut lists = self.word_lists.clone();
        if self.builtin_word_lists {
            for (name, text) in BUILTIN_WORD_LISTS {
                if !lists.iter().any(|(n, _)| n == name) {
                    lists.push((name.to_string(), parse_lines(text)));
                }
            }
        }
        if let Some(d) = WordListDetector::new(&lists).map_err(BuildError::Matcher)? {
            detectors.push(Box::new(d));
        }
        let mut allow_words = parse_lines(BUILTIN_ALLOW);
        allow_words.extend(self.allow.iter().cloned());
        let allow = WordSet::new(allow_words.iter().map(|w| (0, w.as_str())), Matching::Exact)
            .map_err(BuildError::Matcher)?;
        let categories = Category::BUILTIN
            .iter()
            .filter(|c| on((*c).clone()))
            .cloned()
            .chain(
                lists
                    .iter()
                    .map(|(n, _)| Category::WordList(Arc::from(n.as_str()))),
            )
            .collect();
        Ok(Engine {
            tokenizer,
            detectors,
            allow,
            categories,
        })
    }
}

fn validate_list_name(name: &str) -> Result<(), BuildError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(BuildError::Category(format!(
            "word list name '{name}' is invalid; use letters, digits, '_' or '-'"
        )));
    }
    if Category::is_builtin_name(name) {
        return Err(BuildError::Category(format!(
            "word list name '{name}' is a built-in category; choose another name"
        )));
    }
    Ok(())
}

fn read_utf8(path: &Path) -> Result<String, BuildError> {
    let bytes = fs::read(path).map_err(|source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| BuildError::NotUtf8 {
        path: path.to_path_buf(),
    })
}

fn read_lines(path: &Path) -> Result<Vec<String>, BuildError> {
    Ok(parse_lines(&read_utf8(path)?))
}

/// One entry per line; blank lines and `#` comments are skipped.
fn parse_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_start_matches('\u{FEFF}').trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The compiled detection engine. `Send + Sync`; share it in an `Arc`.
pub struct Engine {
    tokenizer: Arc<Tokenizer>,
    detectors: Vec<Box<dyn Detector>>,
    allow: Option<WordSet>,
    categories: Vec<Category>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field(
                "detectors",
                &self.detectors.iter().map(|d| d.name()).collect::<Vec<_>>(),
            )
            .field("categories", &self.categories)
            .finish()
    }
}

impl Engine {
    /// Finds personal data and listed words in `text`, sorted by position, with
    /// overlapping built-in findings resolved (the stronger one wins).
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        if text.is_empty() {
            return Vec::new();
        }
        let doc = Document::new(text, &self.tokenizer);
        let mut raw = Vec::new();
        for d in &self.detectors {
            d.detect(&doc, &mut raw);
        }
        if raw.is_empty() {
            return Vec::new();
        }
        if let Some(allow) = &self.allow {
            let allowed: Vec<_> = allow
                .find(doc.text(), doc.folded())
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            if !allowed.is_empty() {
                raw.retain(|f| {
                    !allowed
                        .iter()
                        .any(|a| a.start <= f.range.start && f.range.end <= a.end)
                });
            }
        }
        let raw = resolve_overlaps(raw);
        to_findings(&doc, raw)
    }

    /// Runs one scan of a built-in sample so that the tables built on first use (the
    /// town index of the gazetteer, the foreign-name sets, the clause automata) and the
    /// embedded lists' pages are ready before the first real prompt. A server calls it
    /// after building an engine and before serving with it, off the request path;
    /// without it the first requests after a start or a reload wait for that work.
    pub fn warm_up(&self) {
        /// Invented, not real personal data: it reaches each detector's slow path.
        const SAMPLE: &str =
            "申請者：山田太郎（やまだたろう）さん、住所は東京都千代田区千代田1番1号\
            サンプルビル101号室、電話03-1234-5678、メールtaro@example.jp。\
            ジョン・F・スミス氏は会長に就任した。ライスは町長に選ばれた。\
            伊藤博文と大隈重信が出席し、北京の李明氏、鈴木家の花子も来た。";
        let _ = self.scan(SAMPLE);
    }

    /// The categories this engine can report (enabled built-ins, then word lists).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The tokenizer (for diagnostics such as `sekimori scan --tokens`).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }
}

/// Priority among built-in categories when spans overlap with equal confidence.
fn priority(c: &Category) -> u8 {
    match c {
        Category::MyNumber => 5,
        Category::Phone => 4,
        Category::Email => 3,
        Category::Address => 2,
        Category::Name => 1,
        Category::WordList(_) => 0,
    }
}

/// Merges same-category overlaps and keeps the stronger of different built-in
/// categories that overlap. Word-list findings are kept as they are.
fn resolve_overlaps(mut raw: Vec<RawFinding>) -> Vec<RawFinding> {
    let (mut lists, mut builtin): (Vec<_>, Vec<_>) =
        raw.drain(..).partition(|f| !f.category.is_builtin());
    builtin.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut out: Vec<RawFinding> = Vec::with_capacity(builtin.len());
    for f in builtin {
        match out.last_mut() {
            Some(last) if f.range.start < last.range.end => {
                if last.category == f.category {
                    last.range.end = last.range.end.max(f.range.end);
                    last.confidence = last.confidence.max(f.confidence);
                } else if stronger(&f, last) {
                    *last = f;
                }
            }
            _ => out.push(f),
        }
    }
    lists.sort_by_key(|f| f.range.start);
    out.extend(lists);
    out.sort_by_key(|f| (f.range.start, f.range.end));
    out
}

fn stronger(a: &RawFinding, b: &RawFinding) -> bool {
    let key = |f: &RawFinding| {
        (
            (f.confidence * 100.0) as i32,
            f.range.end - f.range.start,
            priority(&f.category),
        )
    };
    key(a) > key(b)
}

/// Maps normalized ranges to original byte and code-point offsets.
fn to_findings(doc: &Document<'_>, raw: Vec<RawFinding>) -> Vec<Finding> {
    let original = doc.original();
    let mut spans: Vec<(usize, usize)> = raw
        .iter()
        .map(|f| {
            let r = doc.normalized().to_original(f.range.clone());
            (r.start, r.end)
        })
        .collect();
    // Byte → code point, in one pass over the offsets in sorted order.
    let mut wanted: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut char_at = std::collections::HashMap::with_capacity(wanted.len());
    let mut w = wanted.iter().peekable();
    for (chars, (b, _)) in original
        .char_indices()
        .chain(std::iter::once((original.len(), ' ')))
        .enumerate()
    {
        while let Some(&&x) = w.peek() {
            if x <= b {
                char_at.insert(x, chars);
                w.next();
            } else {
                break;
            }
        }
    }
    raw.into_iter()
        .zip(spans.drain(..))
        .map(|(f, (start, end))| Finding {
            category: f.category,
            start,
            end,
            char_start: char_at.get(&start).copied().unwrap_or(0),
            char_end: char_at.get(&end).copied().unwrap_or(0),
            detector: f.detector,
            confidence: f.confidence,
            reason: f.reason,
        })
        .collect()
}

#[cfg(test)]
mod tests;
