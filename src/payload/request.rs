//! Request bodies: strict parsing, text slots, uninspectable content.
//!
//! "Scan what you send, send what you scanned": the body is parsed once by
//! [`parse_strict`] (UTF-8, no duplicate keys, depth ≤ [`MAX_DEPTH`], no lone
//! surrogates), every string that reaches the model is listed by [`extract_slots`],
//! the caller masks slots in place with [`set_slot`], and the re-serialized value is
//! what goes upstream — never the original bytes.
//!
//! Extraction is deliberately generic: every string leaf is a slot unless its key is
//! structural (`model`, `role`, `type`, ids, enum-like settings) or binary (base64
//! image data, which [`find_uninspectable`] reports instead). This covers OpenAI Chat
//! Completions / Responses / Embeddings, Azure OpenAI, Anthropic Messages and Gemini /
//! Vertex `generateContent` alike, including fields a provider adds later.
//!
//! ```
//! use sekimori::payload::request::{extract_slots, parse_strict};
//! let v = parse_strict(br#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
//! let slots = extract_slots(&v);
//! assert_eq!(slots[0].path, "messages[0].content");
//! assert_eq!(slots[0].pointer, "/messages/0/content");
//! ```

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

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
    /// JSON pointer (RFC 6901) to the string.
    pub pointer: String,
    /// Human path, e.g. `messages[2].content[0].text`.
    pub path: String,
    /// The text.
    pub text: String,
    /// The slot is an object key (its `pointer` names the member; rename it with
    /// [`rename_key`]), not a string value.
    pub is_key: bool,
}

/// Keys whose string values are structural, not text the model reads as prose.
const STRUCTURAL_KEYS: &[&str] = &[
    "model",
    "role",
    "type",
    "id",
    "object",
    "tool_call_id",
    "call_id",
    "tool_use_id",
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
/// (Anthropic thinking signatures, OpenAI encrypted reasoning); skipped when ASCII.
const OPAQUE_KEYS: &[&str] = &["signature", "encrypted_content"];

/// Keys holding binary payloads (base64 / data URLs) — reported by
/// [`find_uninspectable`], never scanned as text.
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

/// Whether an object key may carry personal data and is scanned: keys with a
/// non-ASCII character, a digit or `@` (field names such as `content` are skipped).
fn key_is_text(k: &str) -> bool {
    !k.is_ascii() || k.bytes().any(|b| b.is_ascii_digit() || b == b'@')
}

/// `path.key` for human paths; a key that may itself be data is written `{key}` so
/// paths (which reach logs and audit records) never carry values.
fn join_path(path: &str, k: &str) -> String {
    let seg = if key_is_text(k) { "{key}" } else { k };
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

/// Lists every text-bearing string of a request body in document order: string
/// values (structural and binary keys excepted), numbers of [`MIN_NUMBER_DIGITS`] or more digits and object keys that may carry text
/// (free-form JSON such as tool arguments can use data as keys).
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
                path: format!("{path} (key)"),
                text: key.unwrap_or("").to_string(),
                is_key: true,
            });
            continue;
        }
        match v {
            Value::String(s) => {
                let skip = key.is_some_and(|k| {
                    (OPAQUE_KEYS.contains(&k) && s.is_ascii())
                        || (STRUCTURAL_KEYS.contains(&k) && s.len() <= 128 && s.is_ascii())
                        || (BINARY_KEYS.contains(&k) && s.len() > 2048 && looks_binary(s))
                });
                if !skip && !s.is_empty() {
                    out.push(Slot {
                        pointer,
                        path,
                        text: s.clone(),
                        is_key: false,
                    });
                }
            }
            // A number is text the model reads too (`{"kojin_bangou": 123456789018}`).
            // Under six digits it cannot hold a My Number, phone or postal code, so the
            // countless `max_tokens`-like settings are not listed.
            Value::Number(n) => {
                let text = n.to_string();
                if text.bytes().filter(u8::is_ascii_digit).count() >= MIN_NUMBER_DIGITS {
                    out.push(Slot {
                        pointer,
                        path,
                        text,
                        is_key: false,
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

/// Renames the object member at `pointer` (a key slot) to `new_key`. Returns false
/// when the pointer does not name a member or `new_key` is already taken.
pub fn rename_key(body: &mut Value, pointer: &str, new_key: String) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let old = last.replace("~1", "/").replace("~0", "~");
    match body.pointer_mut(parent) {
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

/// Content the gateway cannot inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uninspectable {
    /// Kind: `image`, `audio`, `video`, `file`, `url`, `web_search`, `mcp`,
    /// `server_tool`, `data_sources`, `token_ids`.
    pub kind: &'static str,
    /// Human path of the part or tool.
    pub path: String,
}

/// Finds parts that cannot be inspected: images, audio, video, files, URLs the
/// provider fetches, server-side tools. Works across API families by the shapes they
/// use (`type` tags, Gemini `inlineData` / `fileData`, tool declarations).
pub fn find_uninspectable(body: &Value) -> Vec<Uninspectable> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Value, String, Option<&str>)> = vec![(body, String::new(), None)];
    while let Some((v, path, parent_key)) = stack.pop() {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}[{i}]"), parent_key));
                }
            }
            Value::Object(map) => {
                if let Some(kind) = classify_object(map, parent_key) {
                    out.push(Uninspectable {
                        kind,
                        path: path.clone(),
                    });
                }
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
                    stack.push((item, p, Some(k.as_str())));
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

/// The model named in the body (`model`), if any.
pub fn body_model(body: &Value) -> Option<&str> {
    body.get("model").and_then(Value::as_str)
}

/// Whether the body asks for a streamed response (`"stream": true`).
pub fn wants_stream(body: &Value) -> bool {
    body.get("stream").and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests;
