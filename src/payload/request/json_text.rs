//! JSON documents inside JSON strings: tool-call `arguments`, `input_json`, a tool's
//! result serialized by the application.
//!
//! Agents pass structured data to and from the model as a *string* holding JSON, and
//! most write it with Python's `json.dumps`, which escapes every non-ASCII character:
//! `"{\"name\": \"\\u5c71\\u7530\"}"`. Scanned as text, such a string hides every
//! Japanese name behind `\uXXXX` escapes. So a string that is itself a JSON object,
//! array or string is read as JSON: [`literals`] lists its string and number
//! literals with their byte spans and decoded values, and after masking
//! [`splice`] writes the masked values back *into the original text*, literal by
//! literal, so the document keeps its spacing, key order and escaping style
//! ([`Style`]): what the model reads differs only in the masked values.

use std::ops::Range;

/// How deep JSON may nest inside JSON strings before the string is refused as
/// uninspectable (a string in a string in a string …); real tool calls use one level.
pub const MAX_NESTING: usize = 4;

/// How a nested document escapes non-ASCII characters; masked values are written
/// back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Non-ASCII characters as they are (`JSON.stringify`, `ensure_ascii=False`).
    Plain,
    /// Every non-ASCII character as `\uXXXX` (Python's `json.dumps` default).
    AsciiEscaped,
}

impl Style {
    /// The style of a document: escaped when it is pure ASCII and uses `\u` escapes.
    pub fn of(doc: &str) -> Style {
        if doc.is_ascii() && doc.contains("\\u") {
            Style::AsciiEscaped
        } else {
            Style::Plain
        }
    }
}

/// What a literal of a nested document is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    /// A string value.
    Value,
    /// An object key.
    Key,
    /// A number (its text is the literal itself).
    Number,
}

/// One string or number literal of a nested document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    /// Byte span of the literal in the document, quotes included.
    pub span: Range<usize>,
    /// The decoded string (for a number, its text).
    pub text: String,
    /// Value, key or number.
    pub kind: LiteralKind,
    /// Human path inside the document (`.name`, `[0].q`); keys that may carry data
    /// are written `{key}` by the caller's rule.
    pub path: String,
}

/// Whether `s` may be a JSON document worth parsing: an object, an array or a JSON
/// string literal, possibly surrounded by whitespace.
pub fn may_be_json(s: &str) -> bool {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let e = s.trim_end_matches([' ', '\t', '\n', '\r']);
    matches!(
        (t.as_bytes().first(), e.as_bytes().last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) | (Some(b'"'), Some(b'"'))
    )
}

/// The literals of `doc` in document order, or `None` when `doc` is not valid JSON
/// (then it is ordinary text). `seg` writes an object key as a path segment (the
/// caller's rule for keys that may carry data).
pub fn literals(doc: &str, seg: impl Fn(&str) -> String) -> Option<Vec<Literal>> {
    if !may_be_json(doc) || serde_json::from_str::<serde::de::IgnoredAny>(doc).is_err() {
        return None;
    }
    // The document is valid JSON: a single pass over its bytes finds every literal.
    enum Frame {
        Object { key: Option<String> },
        Array { index: usize },
    }
    let b = doc.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // In an object, whether the next string is a key.
    let mut expect_key = false;
    let path_of = |stack: &[Frame]| -> String {
        let mut p = String::new();
        for f in stack {
            match f {
                Frame::Object { key: Some(k) } => {
                    p.push('.');
                    p.push_str(k);
                }
                Frame::Object { key: None } => {}
                Frame::Array { index } => p.push_str(&format!("[{index}]")),
            }
        }
        p
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                stack.push(Frame::Object { key: None });
                expect_key = true;
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Array { index: 0 });
                expect_key = false;
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Array { index }) => *index += 1,
                    Some(Frame::Object { .. }) => expect_key = true,
                    None => return None,
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                let span = start..i.min(b.len());
                let text: String = serde_json::from_str(doc.get(span.clone())?).ok()?;
                if expect_key {
                    expect_key = false;
                    if let Some(Frame::Object { key }) = stack.last_mut() {
                        *key = None;
                    }
                    let segment = seg(&text);
                    out.push(Literal {
                        span,
                        path: format!("{}.{segment}", path_of(&stack)),
                        text,
                        kind: LiteralKind::Key,
                    });
                    if let Some(Frame::Object { key }) = stack.last_mut() {
                        *key = Some(segment);
                    }
                } else {
                    out.push(Literal {
                        span,
                        text,
                        kind: LiteralKind::Value,
                        path: path_of(&stack),
                    });
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                out.push(Literal {
                    span: start..i,
                    text: doc[start..i].to_string(),
                    kind: LiteralKind::Number,
                    path: path_of(&stack),
                });
            }
            _ => i += 1, // whitespace, ':', true/false/null
        }
    }
    Some(out)
}

/// Writes `text` as a JSON string literal in `style`.
pub fn encode(text: &str, style: Style) -> String {
    let plain = serde_json::Value::String(text.to_string()).to_string();
    match style {
        Style::Plain => plain,
        Style::AsciiEscaped => {
            let mut out = String::with_capacity(plain.len() + 8);
            let mut units = [0u16; 2];
            for c in plain.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
            }
            out
        }
    }
}

/// Replaces literals of `doc` (spans from [`literals`], in any order, not
/// overlapping) with new literals; returns `None` when a span does not fit.
pub fn splice(doc: &str, mut edits: Vec<(Range<usize>, String)>) -> Option<String> {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = doc.to_string();
    let mut limit = doc.len();
    for (r, literal) in edits {
        if r.end > limit || !doc.is_char_boundary(r.start) || !doc.is_char_boundary(r.end) {
            return None;
        }
        out.replace_range(r.clone(), &literal);
        limit = r.start;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(k: &str) -> String {
        k.to_string()
    }

    #[test]
    fn literals_with_paths_and_decoded_values() {
        let doc = r#"{"name": "\u5c71\u7530", "tel": ["03", 9012345678], "n": {"k": "v"}}"#;
        let lits = literals(doc, seg).unwrap();
        let got: Vec<(&str, &str, &LiteralKind)> = lits
            .iter()
            .map(|l| (l.path.as_str(), l.text.as_str(), &l.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                (".name", "name", &LiteralKind::Key),
                (".name", "山田", &LiteralKind::Value),
                (".tel", "tel", &LiteralKind::Key),
                (".tel[0]", "03", &LiteralKind::Value),
                (".tel[1]", "9012345678", &LiteralKind::Number),
                (".n", "n", &LiteralKind::Key),
                (".n.k", "k", &LiteralKind::Key),
                (".n.k", "v", &LiteralKind::Value),
            ]
        );
        for l in &lits {
            assert!(doc[l.span.clone()].starts_with(['"', '9']), "{l:?}");
        }
    }

    #[test]
    fn not_json_is_text() {
        for s in [
            "hello",
            "{not json}",
            "[1, 2",
            "\"quoted\" he said",
            "{}x",
            "",
        ] {
            assert!(literals(s, seg).is_none(), "{s}");
        }
        assert_eq!(literals("\"\\u5c71\"", seg).unwrap()[0].text, "山");
        assert_eq!(literals("[]", seg).unwrap(), vec![]);
    }

    #[test]
    fn splice_keeps_the_style() {
        let doc = r#"{"name": "\u5c71\u7530", "note": "ok"}"#;
        let lits = literals(doc, seg).unwrap();
        let style = Style::of(doc);
        assert_eq!(style, Style::AsciiEscaped);
        let edited = splice(
            doc,
            vec![(lits[1].span.clone(), encode("〔氏名1〕", style))],
        )
        .unwrap();
        assert_eq!(
            edited,
            r#"{"name": "\u3014\u6c0f\u540d1\u3015", "note": "ok"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&edited).unwrap();
        assert_eq!(v["name"], "〔氏名1〕");
        let plain = r#"{"name":"山田","x":"a\"b"}"#;
        assert_eq!(Style::of(plain), Style::Plain);
        let lits = literals(plain, seg).unwrap();
        assert_eq!(lits[3].text, "a\"b");
        let edited = splice(
            plain,
            vec![
                (lits[3].span.clone(), encode("c\"d", Style::Plain)),
                (lits[1].span.clone(), encode("〔氏名1〕", Style::Plain)),
            ],
        )
        .unwrap();
        assert_eq!(edited, r#"{"name":"〔氏名1〕","x":"c\"d"}"#);
    }

    #[test]
    fn astral_characters_are_escaped_as_surrogate_pairs() {
        assert_eq!(encode("𠮷", Style::AsciiEscaped), "\"\\ud842\\udfb7\"");
    }
}
