//! Request bodies: strict parsing, text slots, uninspectable content.
//!
//! "Scan what you send, send what you scanned": the body is parsed once by
//! [`parse_strict`] (UTF-8, no duplicate keys, depth ≤ [`MAX_DEPTH`], no lone
//! surrogates), every string that reaches the model is listed by [`extract_slots`],
//! the caller masks slots in place with [`edit::apply`], and the re-serialized value is
//! what goes upstream — never the original bytes.
//!
//! Extraction is deliberately generic and skips nothing by key name: every string
//! leaf, number of six digits or more and object key that may carry text is a slot,
//! and a string that holds a JSON document (tool-call `arguments`) gives the slots of
//! its literals instead ([`json_text`]). Values under structural keys (`model`, `role`,
//! `type`, ids) are marked as settings ([`Slot::setting`]), inspected each on its own;
//! base64 payloads are reported by [`find_uninspectable`] instead. This covers OpenAI
//! Chat Completions / Responses / Embeddings, Azure OpenAI, Anthropic Messages and
//! Gemini / Vertex `generateContent` alike, including fields a provider adds later.
//! [`edit`] writes masked texts back, nested documents included.
//!
//! ```
//! use sekimori::payload::request::{extract_slots, parse_strict};
//! let v = parse_strict(br#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
//! let slots = extract_slots(&v);
//! assert_eq!(slots[0].path, "messages[0].content");
//! assert_eq!(slots[0].pointer, "/messages/0/content");
//! ```

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use json_text::LiteralKind;

pub mod edit;
pub mod json_text;

/// Nesting limit of a request body: at most `MAX_DEPTH - 1` nested arrays/objects,
/// the top-level object included (serde_json's own recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Why a body was refused (all map to HTTP 400).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not UTF-8.
    #[error("the request body is not valid UTF-8 (byte {at}); send UTF-8 JSON")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        at: usize,
    },
    /// The same key twice in one object.
    #[error("duplicate JSON key \"{key}\" at line {line}; each key may appear once per object")]
    DuplicateKey {
        /// The key (a field name, not user text).
        key: String,
        /// Line in the body.
        line: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("JSON nested {MAX_DEPTH} levels deep or more; flatten the request")]
    TooDeep,
    /// A `\uD800`-style escape without its pair.
    #[error("JSON string with a lone surrogate escape at line {line}, column {column}")]
    LoneSurrogate {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// Any other syntax error.
    #[error("malformed JSON at line {line}, column {column}: {reason}")]
    Malformed {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// serde_json's description (no body text).
        reason: String,
    },
    /// The top level is not an object.
    #[error("the request body must be a JSON object")]
    NotObject,
}

/// Parses a request body strictly.
pub fn parse_strict(body: &[u8]) -> Result<Value, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|e| PayloadError::NotUtf8 {
        at: e.valid_up_to(),
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let v = StrictSeed { depth: 0 }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|_| v))
        .map_err(classify)?;
    if !v.is_object() {
        return Err(PayloadError::NotObject);
    }
    Ok(v)
}

fn classify(e: serde_json::Error) -> PayloadError {
    let msg = e.to_string();
    let (line, column) = (e.line(), e.column());
    if let Some(rest) = msg.strip_prefix("duplicate key ") {
        let key = rest
            .split(" at line")
            .next()
            .unwrap_or("")
            .trim_matches('"');
        return PayloadError::DuplicateKey {
            key: key.chars().take(64).collect(),
            line,
        };
    }
    if msg.starts_with("recursion limit exceeded") || msg.starts_with("nesting too deep") {
        return PayloadError::TooDeep;
    }
    if msg.contains("surrogate") || msg.starts_with("unexpected end of hex escape") {
        return PayloadError::LoneSurrogate { line, column };
    }
    let reason = msg.split(" at line").next().unwrap_or("").to_string();
    PayloadError::Malformed {
        line,
        column,
        reason,
    }
}

struct StrictSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { depth: self.depth })
    }
}

struct StrictVisitor {
    depth: usize,
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth + 1 >= MAX_DEPTH {
            return Err(de::Error::custom("nesting too deep"));
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictSeed {
            depth: self.depth + 1,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth + 1 >= MAX_DEPTH {
            return Err(de::Error::custom("nesting too deep"));
        }
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(de::Error::custom(format_args!("duplicate key \"{k}\"")));
            }
            let v = map.next_value_seed(StrictSeed {
                depth: self.depth + 1,
            })?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// One text-bearing string of a request. `path` never contains a key that may be
/// data (such keys are written `{key}`), so it is safe for logs and audit records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// JSON pointer (RFC 6901) to the string (or number, or member for a key) in the
    /// body; for a literal of a nested JSON document, to the string holding it.
    pub pointer: String,
    /// For a literal of JSON nested in a string ([`json_text`]): the byte span of the
    /// literal in that string, then of the literal in the string it decodes to, and
    /// so on. Empty for a value of the body itself.
    pub nest: Vec<Range<usize>>,
    /// Human path, e.g. `messages[2].content[0].text`; a literal of nested JSON
    /// continues it after `(json)`: `…function.arguments(json).name`.
    pub path: String,
    /// The text (a string's decoded value, a number's decimal text, a key).
    pub text: String,
    /// The slot is an object key (its `pointer` names the member; rename it with
    /// [`rename_key`]), not a string value.
    pub is_key: bool,
    /// A setting rather than prose: a number, a short ASCII token (no spaces) under a
    /// key the APIs use for structure (`role`, `type`, `id`, …), or an opaque provider
    /// token.
    /// Settings are inspected like everything else but each on its own: they are never
    /// joined with their neighbours into one text (a `role` between two messages must
    /// not split a number that runs across them).
    pub setting: bool,
}

/// Keys whose short ASCII values are settings ([`Slot::setting`]), not prose: they are
/// inspected, each on its own.
const STRUCTURAL_KEYS: &[&str] = &[
    "model",
    "role",
    "type",
    "id",
    "object",
    "name",
    "tool_call_id",
    "call_id",
    "tool_use_id",
    "toolUseId",
    "previous_response_id",
    "conversation",
    "anthropic_version",
    "api-version",
    "encoding_format",
    "reasoning_effort",
    "effort",
    "service_tier",
    "detail",
    "format",
    "mime_type",
    "mimeType",
    "media_type",
    "responseMimeType",
    "response_mime_type",
    "finish_reason",
    "stop_reason",
    "truncation",
    "verbosity",
    "modality",
    "modalities",
    "voice",
    "status",
    "cache_control",
    "safety_identifier",
    "prompt_cache_key",
    "threshold",
    "category",
    "mode",
    "inference_geo",
];

/// Keys holding opaque provider tokens that must reach the provider unchanged
/// (Anthropic thinking signatures, OpenAI encrypted reasoning): settings, inspected
/// each on its own.
const OPAQUE_KEYS: &[&str] = &["signature", "encrypted_content"];

/// Keys under which a base64 payload or `data:` URL may stand (image, audio or file
/// bytes); such a payload is reported by [`find_uninspectable`], never scanned.
const BINARY_KEYS: &[&str] = &[
    "image_url",
    "file_data",
    "data",
    "bytes",
    "b64_json",
    "file_id",
    "file_url",
    "fileUri",
    "file_uri",
    "url",
];

/// Base64 payloads shorter than this are inspected as text (an id, a short token).
const MIN_BINARY_BYTES: usize = 2048;

/// Whether a string is a base64 payload or a `data:` URL (no spaces, nothing outside
/// the base64 alphabets): the only thing skipped under a binary key. Plain text under
/// `data`, `url` or `bytes` (an Anthropic text document, a tool's free-form input) is
/// text and is inspected.
fn looks_binary(s: &str) -> bool {
    let payload = match s.strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map_or(rest, |(_, p)| p),
        None => s,
    };
    payload
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// Whether the string under `key` is a binary payload that is not scanned.
fn is_binary_payload(key: Option<&str>, s: &str) -> bool {
    key.is_some_and(|k| BINARY_KEYS.contains(&k)) && s.len() > MIN_BINARY_BYTES && looks_binary(s)
}

/// Whether the string under `key` is a setting ([`Slot::setting`]).
fn is_setting(key: Option<&str>, s: &str) -> bool {
    key.is_some_and(|k| {
        OPAQUE_KEYS.contains(&k)
            || (STRUCTURAL_KEYS.contains(&k)
                && s.len() <= 128
                && s.bytes().all(|b| b.is_ascii_graphic()))
    })
}

/// Whether an object key may carry personal data and is scanned: keys with a
/// non-ASCII character, a digit or `@` (field names such as `content` are skipped).
fn key_is_text(k: &str) -> bool {
    !k.is_ascii() || k.bytes().any(|b| b.is_ascii_digit() || b == b'@')
}

/// A key as a path segment: a key that may itself be data is written `{key}` so
/// paths (which reach logs and audit records) never carry values.
fn key_segment(k: &str) -> String {
    if key_is_text(k) {
        "{key}".to_string()
    } else {
        k.to_string()
    }
}

/// `path.key` for human paths (see [`key_segment`]).
fn join_path(path: &str, k: &str) -> String {
    let seg = key_segment(k);
    if path.is_empty() {
        seg
    } else {
        format!("{path}.{seg}")
    }
}

/// Whether a number's text is long enough to hold personal data (see
/// [`MIN_NUMBER_DIGITS`]).
fn number_is_text(text: &str) -> bool {
    text.bytes().filter(u8::is_ascii_digit).count() >= MIN_NUMBER_DIGITS
}

/// Lists every text-bearing string of a request body in document order: every string
/// value (base64 payloads under binary keys excepted, which [`find_uninspectable`]
/// reports), numbers of [`MIN_NUMBER_DIGITS`] or more digits, object keys that may
/// carry text (free-form JSON such as tool arguments can use data as keys), and the
/// literals of JSON documents held in strings ([`json_text`]) instead of the string.
pub fn extract_slots(body: &Value) -> Vec<Slot> {
    let mut out = Vec::new();
    // Explicit stack: bounded by the parse depth limit, no recursion on user input.
    // Items: (value, pointer, path, key, is_key_entry).
    let mut stack: Vec<(&Value, String, String, Option<&str>, bool)> =
        vec![(body, String::new(), String::new(), None, false)];
    while let Some((v, pointer, path, key, is_key)) = stack.pop() {
        if is_key {
            out.push(Slot {
                pointer,
                nest: Vec::new(),
                path: format!("{path} (key)"),
                text: key.unwrap_or("").to_string(),
                is_key: true,
                setting: false,
            });
            continue;
        }
        match v {
            Value::String(s) if s.is_empty() || is_binary_payload(key, s) => {}
            // A string holding a JSON document gives the slots of its literals instead.
            Value::String(s) if nested_slots(s, &pointer, &path, &mut Vec::new(), &mut out) => {}
            Value::String(s) => out.push(Slot {
                pointer,
                nest: Vec::new(),
                path,
                text: s.clone(),
                is_key: false,
                setting: is_setting(key, s),
            }),
            // A number is text the model reads too (`{"kojin_bangou": 123456789018}`).
            // Under six digits it cannot hold a My Number, phone or postal code, so the
            // countless `max_tokens`-like settings are not listed.
            Value::Number(n) => {
                let text = n.to_string();
                if number_is_text(&text) {
                    out.push(Slot {
                        pointer,
                        nest: Vec::new(),
                        path,
                        text,
                        is_key: false,
                        setting: true,
                    });
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((
                        item,
                        format!("{pointer}/{i}"),
                        format!("{path}[{i}]"),
                        key,
                        false,
                    ));
                }
            }
            Value::Object(map) => {
                let entries: Vec<_> = map.iter().collect();
                for (k, item) in entries.into_iter().rev() {
                    let p = join_path(&path, k);
                    let escaped = k.replace('~', "~0").replace('/', "~1");
                    let ptr = format!("{pointer}/{escaped}");
                    stack.push((item, ptr.clone(), p, Some(k.as_str()), false));
                    if key_is_text(k) {
                        stack.push((item, ptr, path.clone(), Some(k.as_str()), true));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// When `s` is a JSON document ([`json_text::literals`]) nested at most
/// [`json_text::MAX_NESTING`] deep, pushes the slots of its literals (recursing into
/// literals that are JSON documents themselves) and returns true.
fn nested_slots(
    s: &str,
    pointer: &str,
    path: &str,
    nest: &mut Vec<Range<usize>>,
    out: &mut Vec<Slot>,
) -> bool {
    if nest.len() >= json_text::MAX_NESTING {
        return false;
    }
    let Some(literals) = json_text::literals(s, key_segment) else {
        return false;
    };
    for lit in literals {
        let lit_path = format!("{path}(json){}", lit.path);
        nest.push(lit.span.clone());
        let key = lit.path.rsplit('.').next().filter(|k| !k.contains('['));
        match lit.kind {
            LiteralKind::Key if key_is_text(&lit.text) => out.push(Slot {
                pointer: pointer.to_string(),
                nest: nest.clone(),
                path: format!("{lit_path} (key)"),
                text: lit.text,
                is_key: true,
                setting: false,
            }),
            LiteralKind::Key => {}
            LiteralKind::Number if number_is_text(&lit.text) => out.push(Slot {
                pointer: pointer.to_string(),
                nest: nest.clone(),
                path: lit_path,
                text: lit.text,
                is_key: false,
                setting: true,
            }),
            LiteralKind::Number => {}
            LiteralKind::Value if lit.text.is_empty() || is_binary_payload(key, &lit.text) => {}
            LiteralKind::Value => {
                if !nested_slots(&lit.text, pointer, &lit_path, nest, out) {
                    let setting = is_setting(key, &lit.text);
                    out.push(Slot {
                        pointer: pointer.to_string(),
                        nest: nest.clone(),
                        path: lit_path,
                        text: lit.text,
                        is_key: false,
                        setting,
                    });
                }
            }
        }
        nest.pop();
    }
    true
}

/// Renames the object member at `pointer` (a key slot) to `new_key`. Returns false
/// when the pointer does not name a member or `new_key` is already taken by another
/// member (renaming a member to its own name changes nothing and succeeds).
pub fn rename_key(body: &mut Value, pointer: &str, new_key: String) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let old = last.replace("~1", "/").replace("~0", "~");
    match body.pointer_mut(parent) {
        Some(Value::Object(map)) if new_key == old => map.contains_key(&old),
        Some(Value::Object(map)) if !map.contains_key(&new_key) => match map.remove(&old) {
            Some(v) => {
                map.insert(new_key, v);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Digits from which a JSON number is inspected as text (see [`extract_slots`]).
pub const MIN_NUMBER_DIGITS: usize = 6;

/// Replaces the string at `pointer` (as produced by [`extract_slots`]); a number slot
/// becomes a string (its masked text). Returns false when the pointer names neither.
pub fn set_slot(body: &mut Value, pointer: &str, text: String) -> bool {
    match body.pointer_mut(pointer) {
        Some(v @ (Value::String(_) | Value::Number(_))) => {
            *v = Value::String(text);
            true
        }
        _ => false,
    }
}

/// Whether `s` holds JSON nested in strings deeper than [`json_text::MAX_NESTING`]
/// levels: its innermost strings would be scanned with their escapes, so it is
/// refused (kind `nested_json`) rather than inspected half-decoded.
fn nested_too_deep(s: &str) -> bool {
    fn depth_over(s: &str, level: usize) -> bool {
        if !json_text::may_be_json(s) {
            return false;
        }
        if level >= json_text::MAX_NESTING {
            return json_text::literals(s, key_segment).is_some();
        }
        json_text::literals(s, key_segment).is_some_and(|lits| {
            lits.iter()
                .any(|l| l.kind == LiteralKind::Value && depth_over(&l.text, level + 1))
        })
    }
    depth_over(s, 0)
}

/// Content the gateway cannot inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uninspectable {
    /// Kind: `image`, `audio`, `video`, `file`, `url`, `web_search`, `mcp`,
    /// `server_tool`, `data_sources`, `token_ids`, `binary` (a base64 payload outside
    /// any media or file part), `nested_json` (JSON in strings nested deeper than
    /// [`json_text::MAX_NESTING`]).
    pub kind: &'static str,
    /// Human path of the part or tool.
    pub path: String,
}

/// Finds parts that cannot be inspected: images, audio, video, files, URLs the
/// provider fetches, server-side tools. Works across API families by the shapes they
/// use (`type` tags, Gemini `inlineData` / `fileData`, tool declarations).
pub fn find_uninspectable(body: &Value) -> Vec<Uninspectable> {
    let mut out = Vec::new();
    // Items: (value, path, parent key, inside a part already reported).
    let mut stack: Vec<(&Value, String, Option<&str>, bool)> =
        vec![(body, String::new(), None, false)];
    while let Some((v, path, parent_key, reported)) = stack.pop() {
        match v {
            // A base64 payload outside any media or file part (a tool's `data`, a
            // metadata `bytes`) is bytes nobody can read here: refused as `binary`.
            Value::String(s) if !reported && is_binary_payload(parent_key, s) => {
                out.push(Uninspectable {
                    kind: "binary",
                    path: path.clone(),
                });
            }
            Value::String(s) if nested_too_deep(s) => out.push(Uninspectable {
                kind: "nested_json",
                path: path.clone(),
            }),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}[{i}]"), parent_key, reported));
                }
            }
            Value::Object(map) => {
                let kind = classify_object(map, parent_key);
                if let Some(kind) = kind {
                    out.push(Uninspectable {
                        kind,
                        path: path.clone(),
                    });
                }
                let reported = reported || kind.is_some();
                for (k, item) in map.iter().rev() {
                    let p = join_path(&path, k);
                    match k.as_str() {
                        "data_sources" | "dataSources" => out.push(Uninspectable {
                            kind: "data_sources",
                            path: p.clone(),
                        }),
                        "mcp_servers" => out.push(Uninspectable {
                            kind: "mcp",
                            path: p.clone(),
                        }),
                        _ => {}
                    }
                    stack.push((item, p, Some(k.as_str()), reported));
                }
            }
            _ => {}
        }
    }
    for key in ["input", "prompt"] {
        if body.get(key).is_some_and(is_token_ids) {
            out.push(Uninspectable {
                kind: "token_ids",
                path: key.to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    out
}

/// Whether an embeddings `input` (or completions `prompt`) is given as token ids — an
/// array of integers, or of arrays of integers — which decode to text only with the
/// model's tokenizer and so cannot be inspected here.
fn is_token_ids(v: &Value) -> bool {
    let ints = |a: &[Value]| !a.is_empty() && a.iter().all(|x| x.is_u64() || x.is_i64());
    match v {
        Value::Array(items) => {
            ints(items)
                || (!items.is_empty()
                    && items.iter().all(|x| x.as_array().is_some_and(|a| ints(a))))
        }
        _ => false,
    }
}

fn classify_object(map: &Map<String, Value>, parent_key: Option<&str>) -> Option<&'static str> {
    // Gemini / Vertex parts and tools.
    for (k, kind) in [
        ("inlineData", None),
        ("inline_data", None),
        ("fileData", Some("file")),
        ("file_data", Some("file")),
        ("googleSearch", Some("web_search")),
        ("google_search", Some("web_search")),
        ("googleSearchRetrieval", Some("web_search")),
        ("google_search_retrieval", Some("web_search")),
        ("urlContext", Some("url")),
        ("url_context", Some("url")),
        ("codeExecution", Some("server_tool")),
        ("code_execution", Some("server_tool")),
        ("retrieval", Some("data_sources")),
        ("enterpriseWebSearch", Some("web_search")),
        ("googleMaps", Some("server_tool")),
    ] {
        if let Some(inner) = map.get(k) {
            if k == "file_data" && !inner.is_object() {
                continue; // OpenAI `file.file_data` is a string; its parent is typed `file`.
            }
            return Some(kind.unwrap_or_else(|| {
                let mime = inner
                    .get("mimeType")
                    .or_else(|| inner.get("mime_type"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                mime_kind(mime)
            }));
        }
    }
    if let Some(kind) = converse_block(map) {
        return Some(kind);
    }
    let t = map.get("type").and_then(Value::as_str)?;
    let in_tools = matches!(parent_key, Some("tools"));
    let kind = match t {
        "image_url" | "input_image" | "image" | "image_file" => "image",
        "input_audio" | "audio" => "audio",
        "video" | "video_url" => "video",
        "file" | "input_file" => {
            if map.get("file_url").is_some() {
                "url"
            } else {
                "file"
            }
        }
        "document" => match map
            .get("source")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
        {
            Some("text") => return None,
            Some("url") => "url",
            _ => "file",
        },
        "item_reference" | "container_upload" => "file",
        "mcp" | "mcp_tool_use" | "mcp_tool_result" | "mcp_call" => "mcp",
        t if t.starts_with("web_search") || t.starts_with("web_fetch") => "web_search",
        "file_search" | "code_interpreter" | "image_generation" | "local_shell" | "shell" => {
            "server_tool"
        }
        t if t.starts_with("computer") || t.starts_with("code_execution") => "server_tool",
        t if in_tools
            && t != "function"
            && t != "custom"
            && !t.starts_with("text_editor")
            && !t.starts_with("bash") =>
        {
            "server_tool"
        }
        _ => return None,
    };
    // Anthropic image with a URL source.
    if kind == "image"
        && map
            .get("source")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("url")
    {
        return Some("url");
    }
    Some(kind)
}

/// Bedrock Converse media blocks, keyed by kind rather than tagged with `type`:
/// `{"image": {"format", "source": {"bytes" | "s3Location"}}}`, `document`, `video`. A
/// document given as text (`source.text`, `source.content[].text`) is text and is
/// inspected; anything fetched from S3 is a URL the provider fetches.
fn converse_block(map: &Map<String, Value>) -> Option<&'static str> {
    for (k, kind) in [("image", "image"), ("document", "file"), ("video", "video")] {
        let Some(source) = map.get(k).and_then(|b| b.get("source")) else {
            continue;
        };
        if source.get("s3Location").is_some() {
            return Some("url");
        }
        if k == "document" && source.get("bytes").is_none() {
            let textual = source.get("text").is_some_and(Value::is_string)
                || source.get("content").is_some_and(|c| {
                    c.as_array().is_some_and(|a| {
                        a.iter()
                            .all(|x| x.get("text").is_some_and(Value::is_string))
                    })
                });
            if textual {
                return None;
            }
        }
        return Some(kind);
    }
    None
}

fn mime_kind(mime: &str) -> &'static str {
    if mime.starts_with("image/") {
        "image"
    } else if mime.starts_with("audio/") {
        "audio"
    } else if mime.starts_with("video/") {
        "video"
    } else {
        "file"
    }
}

/// The human path of the first string (value or object key) that holds a Unicode tag
/// character (U+E0000–U+E007F, [`crate::text::SMUGGLING_TAG_RANGE`]): invisible
/// text that a model reads and a person does not ("ASCII smuggling"). Such a body is
/// refused, never inspected with the characters dropped. The path carries no value.
pub fn find_tag_characters(body: &Value) -> Option<String> {
    let has_tag = |s: &str| {
        s.chars()
            .any(|c| crate::text::SMUGGLING_TAG_RANGE.contains(&(c as u32)))
    };
    // Almost every body has none: answer that without building a path per node.
    if !any_tag_character(body) {
        return None;
    }
    let mut stack: Vec<(&Value, String)> = vec![(body, String::new())];
    while let Some((v, path)) = stack.pop() {
        match v {
            Value::String(s) if has_tag(s) => return Some(path),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}[{i}]")));
                }
            }
            Value::Object(map) => {
                for (k, item) in map.iter().rev() {
                    let p = join_path(&path, k);
                    if has_tag(k) {
                        return Some(format!("{p} (key)"));
                    }
                    stack.push((item, p));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether any string or key in `v` holds a Unicode tag character (U+E0000–E007F).
/// In UTF-8 every one starts with `F3 A0 80` or `F3 A0 81`, so a string is searched for
/// `F3 A0` and the byte after it (no decoding, no allocation).
fn any_tag_character(v: &Value) -> bool {
    debug_assert!(
        crate::text::SMUGGLING_TAG_RANGE == (0xE0000..0xE0080),
        "the byte test below assumes this range"
    );
    let has = |s: &str| {
        let b = s.as_bytes();
        memchr::memmem::find_iter(b, b"\xF3\xA0").any(|i| matches!(b.get(i + 2), Some(0x80 | 0x81)))
    };
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if has(s) => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, item) in map {
                    if has(k) {
                        return true;
                    }
                    stack.push(item);
                }
            }
            _ => {}
        }
    }
    false
}

/// The model named in the body (`model`), if any.
pub fn body_model(body: &Value) -> Option<&str> {
    body.get("model").and_then(Value::as_str)
}

/// Whether the body asks for a streamed response (`"stream": true`).
pub fn wants_stream(body: &Value) -> bool {
    body.get("stream").and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod converse_tests;
#[cfg(test)]
mod tests;
