//! JSON helpers shared by the response restorers: paths into a [`Value`], restoring
//! placeholders in every string of a value, and rewriting string values inside the
//! original JSON text so that everything else (key order, spacing, number spelling)
//! stays byte-for-byte as the upstream sent it.

use serde_json::Value;

use crate::mask::{Escape, Placeholders, UrlContext, OPEN};

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Where a value sits inside a JSON document.
pub(crate) type Path = Vec<Seg>;

/// A value to write at a path, as JSON text.
pub(crate) type Replacement = (Path, String);

/// The replacement writing string `s` at `path`.
pub(crate) fn string_at(path: Path, s: &str) -> Replacement {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    (path, json)
}

/// Builds a path from keys and indices (test and dialect convenience).
macro_rules! jpath {
    ($($seg:expr),* $(,)?) => {
        vec![$($crate::payload::stream::json::IntoSeg::into_seg($seg)),*]
    };
}
pub(crate) use jpath;

/// Conversion used by [`jpath!`].
pub(crate) trait IntoSeg {
    /// The segment.
    fn into_seg(self) -> Seg;
}
impl IntoSeg for &str {
    fn into_seg(self) -> Seg {
        Seg::Key(self.to_string())
    }
}
impl IntoSeg for usize {
    fn into_seg(self) -> Seg {
        Seg::Index(self)
    }
}

/// The value at `path`, if any.
pub(crate) fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => cur.as_object_mut()?.get_mut(k)?,
            Seg::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Whether `raw` JSON text could hold a placeholder: the opening bracket literally or
/// as a `\u3014` escape.
pub(crate) fn may_hold_placeholder(raw: &[u8]) -> bool {
    let mut open = [0u8; 4];
    let open = OPEN.encode_utf8(&mut open).as_bytes();
    raw.windows(open.len()).any(|w| w == open)
        || raw
            .windows(6)
            .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].eq_ignore_ascii_case(b"3014"))
}

/// How the string under `key` is written: JSON source for known JSON-text fields.
pub(crate) fn escape_for_key(key: Option<&str>) -> Escape {
    match key {
        Some("arguments" | "partial_json") => Escape::JsonString,
        _ => Escape::None,
    }
}

/// Members whose strings are never restored: Anthropic's `thinking` text is signed
/// (`signature`) and must go back to the API unmodified in the next turn, so it stays
/// masked; signatures and encrypted reasoning are opaque. Bedrock Converse's
/// `reasoningContent` block is signed in the same way.
const KEEP_MASKED: &[&str] = &[
    "thinking",
    "reasoningContent",
    "signature",
    "thoughtSignature",
    "encrypted_content",
];

/// Members whose strings are the answer's text, in blocks or parts a client may render
/// glued together (Anthropic content blocks, Gemini parts, Responses output parts):
/// they share one URL context in document order.
const ANSWER_TEXT: &[&str] = &["text", "content"];

/// Restores placeholders in every string of `v` (object keys are left alone, and so
/// are the members named in `KEEP_MASKED`), and records each changed string in `out`.
/// Placeholders inside URLs stay unless the table restores there too; the strings under
/// `ANSWER_TEXT` keys are read as one text for that. Recursion depth is bounded by
/// serde_json's parse depth limit (128).
pub(crate) fn restore_strings(
    v: &mut Value,
    table: &Placeholders,
    path: &mut Path,
    key: Option<&str>,
    out: &mut Vec<Replacement>,
) {
    let mut text_ctx = table.url_context(Escape::None);
    restore_strings_in(v, table, path, key, out, &mut text_ctx);
}

fn restore_strings_in(
    v: &mut Value,
    table: &Placeholders,
    path: &mut Path,
    key: Option<&str>,
    out: &mut Vec<Replacement>,
    text_ctx: &mut Option<UrlContext>,
) {
    match v {
        Value::String(s) => {
            let escape = escape_for_key(key);
            let shared = escape == Escape::None && key.is_some_and(|k| ANSWER_TEXT.contains(&k));
            if shared {
                let restored = table.restore_with(s, escape, text_ctx.as_mut());
                if restored != *s {
                    out.push(string_at(path.clone(), &restored));
                    *s = restored;
                }
            } else if s.contains(OPEN) {
                let restored = table.restore_escaped(s, escape);
                if restored != *s {
                    out.push(string_at(path.clone(), &restored));
                    *s = restored;
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                if matches!(item, Value::String(_) | Value::Array(_) | Value::Object(_)) {
                    path.push(Seg::Index(i));
                    restore_strings_in(item, table, path, None, out, text_ctx);
                    path.pop();
                }
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if KEEP_MASKED.contains(&k.as_str()) {
                    continue;
                }
                if matches!(item, Value::String(_) | Value::Array(_) | Value::Object(_)) {
                    path.push(Seg::Key(k.clone()));
                    restore_strings_in(item, table, path, Some(k), out, text_ctx);
                    path.pop();
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Writes the values of `repl` (JSON text) at their paths inside `raw` (valid JSON
/// text) and copies everything else verbatim. A path inside a replaced value is not
/// looked at. `None` if `raw` is not the JSON the scanner
/// expects (callers then re-serialize the parsed value).
pub(crate) fn rewrite_raw(raw: &str, repl: &[Replacement]) -> Option<String> {
    let mut w = Rewriter {
        s: raw.as_bytes(),
        raw,
        pos: 0,
        out: String::with_capacity(raw.len() + 64),
        repl,
        path: Vec::new(),
    };
    w.ws();
    w.value(0)?;
    w.ws();
    if w.pos != w.s.len() {
        return None;
    }
    Some(w.out)
}

/// Nesting limit of the raw rewriter (serde_json refuses deeper input anyway).
const MAX_DEPTH: usize = 256;

struct Rewriter<'a> {
    s: &'a [u8],
    raw: &'a str,
    pos: usize,
    out: String,
    repl: &'a [Replacement],
    path: Path,
}

impl Rewriter<'_> {
    fn ws(&mut self) {
        let start = self.pos;
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        self.out.push_str(&self.raw[start..self.pos]);
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        if self.s.get(self.pos) == Some(&b) {
            self.out.push(b as char);
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// End (exclusive) of the string token starting at `self.pos`.
    fn string_end(&self) -> Option<usize> {
        let mut i = self.pos + 1;
        while i < self.s.len() {
            match self.s[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if let Some((_, new)) = self.repl.iter().rev().find(|(p, _)| *p == self.path) {
            // Scan the original value to skip it, then write the replacement instead.
            let mark = self.out.len();
            self.original(depth)?;
            self.out.truncate(mark);
            self.out.push_str(new);
            return Some(());
        }
        self.original(depth)
    }

    /// Copies the value at `self.pos`, applying replacements inside it.
    fn original(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match *self.s.get(self.pos)? {
            b'{' => {
                self.expect(b'{')?;
                self.ws();
                if self.expect(b'}').is_some() {
                    return Some(());
                }
                while self.pos < self.s.len() {
                    let end = self.string_end()?;
                    let key: String = serde_json::from_str(&self.raw[self.pos..end]).ok()?;
                    self.out.push_str(&self.raw[self.pos..end]);
                    self.pos = end;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    self.path.push(Seg::Key(key));
                    self.value(depth + 1)?;
                    self.path.pop();
                    self.ws();
                    if self.expect(b',').is_some() {
                        self.ws();
                        continue;
                    }
                    return self.expect(b'}');
                }
                None
            }
            b'[' => {
                self.expect(b'[')?;
                self.ws();
                if self.expect(b']').is_some() {
                    return Some(());
                }
                let mut i = 0;
                while self.pos < self.s.len() {
                    self.path.push(Seg::Index(i));
                    self.value(depth + 1)?;
                    self.path.pop();
                    self.ws();
                    if self.expect(b',').is_some() {
                        self.ws();
                        i += 1;
                        continue;
                    }
                    return self.expect(b']');
                }
                None
            }
            b'"' => {
                let end = self.string_end()?;
                self.out.push_str(&self.raw[self.pos..end]);
                self.pos = end;
                Some(())
            }
            _ => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && !matches!(
                        self.s[self.pos],
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.pos += 1;
                }
                if start == self.pos {
                    return None;
                }
                self.out.push_str(&self.raw[start..self.pos]);
                Some(())
            }
        }
    }
}

/// Serializes `v` after the strings in `repl` changed: the original text with only those
/// strings rewritten, or a fresh serialization if the text cannot be scanned.
pub(crate) fn reserialize(raw: &str, v: &Value, repl: &[Replacement]) -> String {
    rewrite_raw(raw, repl).unwrap_or_else(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_everything_else() {
        let cases: &[(&str, Path, &str, &str)] = &[
            (
                r#"{"z":1, "a" : [ "x", "y" ],"b":"q"}"#,
                jpath!["a", 1],
                "\"新\"",
                r#"{"z":1, "a" : [ "x", "\"新\"" ],"b":"q"}"#,
            ),
            (
                "{\"k\\u0061\":\"v\",\"n\":-1.50e3}",
                jpath!["ka"],
                "w",
                "{\"k\\u0061\":\"w\",\"n\":-1.50e3}",
            ),
            (r#" "s" "#, jpath![], "t", r#" "t" "#),
            (
                r#"[{},[],null,true]"#,
                jpath![0],
                "x",
                r#"["x",[],null,true]"#,
            ),
        ];
        for (raw, p, new, want) in cases {
            let got = rewrite_raw(raw, &[string_at(p.clone(), new)]);
            assert_eq!(got.as_deref(), Some(*want), "{raw}");
        }
        let got = rewrite_raw(
            r#"{"a":{"b":"c"}, "d":1}"#,
            &[(jpath!["a"], r#"[{"x":"y"}]"#.to_string())],
        );
        assert_eq!(got.as_deref(), Some(r#"{"a":[{"x":"y"}], "d":1}"#));
    }

    #[test]
    fn placeholder_bytes_detected() {
        for (raw, want) in [
            (&b"{\"a\":\"\xe3\x80\x94\"}"[..], true),
            (b"{\"a\":\"\\u3014\"}", true),
            (b"{\"a\":\"x\"}", false),
        ] {
            assert_eq!(may_hold_placeholder(raw), want);
        }
    }
}
