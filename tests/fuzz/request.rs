//! Target 2: request bodies — [`parse_strict`], [`extract_slots`], [`edit::apply`].
//!
//! Bodies are generated JSON (generic objects and the shapes of OpenAI Chat, Responses,
//! Anthropic Messages and Gemini), with JSON documents nested in strings the way agents
//! write them: `JSON.stringify`-plain, pretty-printed and Python-`json.dumps`-escaped
//! (`\uXXXX`), up to several levels deep. Properties:
//! - parsing, slot extraction, uninspectable detection and editing never panic, on
//!   generated bodies, on byte-level mutations of them and on arbitrary bytes;
//! - identity edits (every slot set to its own text) leave the body semantically
//!   unchanged — nested documents compared as parsed JSON, a number slot becoming the
//!   string of its own text (documented: a masked number is a string);
//! - masking every slot with a distinct placeholder yields a body that serializes to
//!   valid JSON, parses strictly again, and whose slots are exactly the placeholders:
//!   every nested document still parses (else its raw text would be a slot).

use proptest::prelude::*;
use sekimori::payload::request::{
    edit, extract_slots, find_uninspectable, json_text, parse_strict, Slot, MIN_NUMBER_DIGITS,
};
use serde_json::{json, Map, Value};

use super::harness;

/// Characters of string values: Japanese, digits, JSON metacharacters, escapes,
/// controls and separators.
fn string_char() -> impl Strategy<Value = char> {
    const SPECIAL: &[char] = &[
        '"',
        '\\',
        '/',
        '{',
        '}',
        '[',
        ']',
        ':',
        ',',
        'u',
        ' ',
        '\n',
        '\r',
        '\t',
        '\0',
        '\u{1f}',
        '\u{7f}',
        '\u{2028}',
        '\u{2029}',
        '\u{feff}',
        '\u{200b}',
        '-',
        '@',
        '.',
        '〔',
        '〕',
        '森',
        '川',
        '陽',
        '菜',
        '〇',
        '九',
        'ー',
        '\u{e0041}',
        '😀',
        '~',
    ];
    prop_oneof![
        4 => proptest::sample::select(SPECIAL),
        3 => proptest::char::range('0', '9'),
        2 => proptest::char::range('ぁ', 'ゖ'),
        2 => proptest::char::range('一', '龥'),
        2 => proptest::char::range('a', 'z'),
        1 => any::<char>(),
    ]
}

fn plain_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(string_char(), 0..16).prop_map(|v| v.into_iter().collect())
}

/// Object keys: structural and binary key names the extraction treats specially,
/// keys that may carry data (non-ASCII, digits, `@`), JSON-pointer metacharacters.
fn key() -> impl Strategy<Value = String> {
    const KEYS: &[&str] = &[
        "model",
        "role",
        "type",
        "id",
        "name",
        "content",
        "text",
        "messages",
        "input",
        "arguments",
        "partial_json",
        "data",
        "url",
        "image_url",
        "signature",
        "parts",
        "contents",
        "tool_calls",
        "function",
        "a/b",
        "~",
        "~1",
        "",
        "森川陽菜",
        "tel1",
        "me@example.jp",
        "住所",
        "0",
    ];
    prop_oneof![
        3 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => plain_string(),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1000i64..1000).prop_map(Value::from),
        (100_000u64..u64::MAX).prop_map(Value::from),
        Just(json!(123456789018u64)),
        Just(json!(-9012345678i64)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        2 => number(),
        5 => plain_string().prop_map(Value::String),
    ]
}

/// How a nested document is written into its string.
#[derive(Clone, Copy, Debug)]
enum DocStyle {
    /// `JSON.stringify` / `ensure_ascii=False`.
    Plain,
    /// Pretty-printed.
    Pretty,
    /// Python's `json.dumps` default: every non-ASCII character as `\uXXXX`.
    AsciiEscaped,
    /// Cut short: not JSON any more, ordinary text that looks like JSON.
    Truncated,
}

fn write_doc(v: &Value, style: DocStyle) -> String {
    match style {
        DocStyle::Plain => v.to_string(),
        DocStyle::Pretty => serde_json::to_string_pretty(v).unwrap(),
        DocStyle::AsciiEscaped => {
            let mut out = String::new();
            let mut units = [0u16; 2];
            for c in v.to_string().chars() {
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
        DocStyle::Truncated => {
            let s = v.to_string();
            let cut = (0..s.len() / 2 + 1)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s[..cut].to_string()
        }
    }
}

fn doc_style() -> impl Strategy<Value = DocStyle> {
    prop_oneof![
        3 => Just(DocStyle::Plain),
        1 => Just(DocStyle::Pretty),
        3 => Just(DocStyle::AsciiEscaped),
        1 => Just(DocStyle::Truncated),
    ]
}

/// Any JSON value, with documents nested in strings.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            2 => proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            3 => proptest::collection::vec((key(), inner.clone()), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            2 => (inner, doc_style()).prop_map(|(v, s)| Value::String(write_doc(&v, s))),
        ]
    })
}

/// A nested document in a string (what `arguments` or `partial_json` hold).
fn doc_string() -> impl Strategy<Value = Value> {
    (value(), doc_style()).prop_map(|(v, s)| Value::String(write_doc(&v, s)))
}

/// A request body: a generic object or the shape of one of the supported APIs.
fn body() -> impl Strategy<Value = Value> {
    let generic = proptest::collection::vec((key(), value()), 0..6)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()));
    let openai_chat = (plain_string(), doc_string(), value()).prop_map(|(text, args, extra)| {
        json!({
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": extra},
                {"role": "user", "content": [{"type": "text", "text": text}]},
                {"role": "assistant", "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "lookup", "arguments": args}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": text},
            ],
            "stream": true,
        })
    });
    let responses = (plain_string(), doc_string()).prop_map(|(text, args)| {
        json!({
            "model": "gpt-4.1",
            "previous_response_id": "resp_1",
            "input": [
                {"role": "user", "content": [{"type": "input_text", "text": text}]},
                {"type": "function_call_output", "call_id": "c1", "output": args},
            ],
        })
    });
    let anthropic = (plain_string(), value(), doc_string()).prop_map(|(text, input, res)| {
        json!({
            "model": "claude",
            "max_tokens": 100,
            "system": text,
            "messages": [
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "t1", "name": "f", "input": input}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "content": res},
                    {"type": "text", "text": text}]},
            ],
        })
    });
    let gemini = (plain_string(), value()).prop_map(|(text, args)| {
        json!({
            "contents": [{"role": "user", "parts": [
                {"text": text},
                {"functionCall": {"name": "f", "args": args}}]}],
            "generationConfig": {"responseMimeType": "application/json"},
        })
    });
    prop_oneof![
        4 => generic,
        1 => openai_chat,
        1 => responses,
        1 => anthropic,
        1 => gemini,
    ]
}

/// Body bytes: compact or pretty.
fn serialize(v: &Value, pretty: bool) -> Vec<u8> {
    if pretty {
        serde_json::to_vec_pretty(v).unwrap()
    } else {
        serde_json::to_vec(v).unwrap()
    }
}

fn is_long_number(n: &serde_json::Number) -> bool {
    n.to_string().bytes().filter(u8::is_ascii_digit).count() >= MIN_NUMBER_DIGITS
}

/// The meaning of a value for comparison: documents held in strings replaced by their
/// parsed (and canonicalized) value, numbers of [`MIN_NUMBER_DIGITS`] digits or more
/// (slots, which an edit writes back as strings) by their decimal text.
fn canon(v: &Value) -> Value {
    match v {
        Value::String(s) if json_text::may_be_json(s) => match serde_json::from_str::<Value>(s) {
            Ok(doc) => json!({ "\u{0}json": canon(&doc) }),
            Err(_) => v.clone(),
        },
        Value::Number(n) if is_long_number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(canon).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), canon(v))).collect())
        }
        _ => v.clone(),
    }
}

/// The placeholder written for slot `i` when masking everything.
fn placeholder(i: usize) -> String {
    format!("〔P{i}〕")
}

/// Runs the whole request pipeline on parsed `v`: must not panic, and masking every
/// slot must succeed and keep the body valid.
fn mask_everything(v: &Value) -> Result<(Value, Vec<Slot>), TestCaseError> {
    let slots = extract_slots(v);
    let _ = find_uninspectable(v);
    let mut masked = v.clone();
    let edits = (0..slots.len()).map(|i| (i, placeholder(i))).collect();
    if let Err(e) = edit::apply(&mut masked, &slots, edits) {
        return Err(TestCaseError::fail(format!("masking failed: {e}")));
    }
    Ok((masked, slots))
}

fn check_body(v: Value, pretty: bool) -> Result<(), TestCaseError> {
    let bytes = serialize(&v, pretty);
    let parsed = match parse_strict(&bytes) {
        Ok(p) => p,
        Err(e) => return Err(TestCaseError::fail(format!("valid body refused: {e}"))),
    };
    prop_assert_eq!(&parsed, &v);

    // Identity edits.
    let slots = extract_slots(&parsed);
    let mut same = parsed.clone();
    let edits = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.text.clone()))
        .collect();
    if let Err(e) = edit::apply(&mut same, &slots, edits) {
        return Err(TestCaseError::fail(format!("identity edit failed: {e}")));
    }
    prop_assert_eq!(
        canon(&same),
        canon(&parsed),
        "identity edits changed the body"
    );

    // Masking every slot.
    let (masked, slots) = mask_everything(&parsed)?;
    let bytes = serde_json::to_vec(&masked).unwrap();
    let again = match parse_strict(&bytes) {
        Ok(p) => p,
        Err(e) => return Err(TestCaseError::fail(format!("masked body refused: {e}"))),
    };
    let mut got: Vec<String> = extract_slots(&again).into_iter().map(|s| s.text).collect();
    let mut want: Vec<String> = (0..slots.len()).map(placeholder).collect();
    got.sort();
    want.sort();
    prop_assert_eq!(
        got,
        want,
        "slots of the masked body are not the placeholders"
    );
    Ok(())
}

#[test]
fn generated_bodies_round_trip_identity_and_masking() {
    let input = (body(), any::<bool>());
    // What the generated bodies exercised: literals one and two documents deep, keys.
    let seen = std::cell::Cell::new([0u32; 3]);
    harness::run(
        "request_bodies",
        harness::DEFAULT_CASES,
        input,
        |(v, pretty)| {
            let slots = extract_slots(&v);
            let mut s = seen.get();
            s[0] += u32::from(slots.iter().any(|s| s.nest.len() == 1));
            s[1] += u32::from(slots.iter().any(|s| s.nest.len() >= 2));
            s[2] += u32::from(slots.iter().any(|s| s.is_key));
            seen.set(s);
            check_body(v, pretty)
        },
    );
    let [one, deeper, keys] = seen.get();
    eprintln!("fuzz request_bodies: cases with nested literals {one}, two or more deep {deeper}, key slots {keys}");
    let enough = harness::cases(harness::DEFAULT_CASES) >= 64;
    assert!(
        !enough || (one > 0 && deeper > 0 && keys > 0),
        "the generator no longer reaches nested documents or keys"
    );
}

/// A byte-level change of a body.
#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const BYTES: &[u8] = b"\"\\{}[],:0u9-e. \n\xe3\x80\xff\x00";
    let byte = prop_oneof![proptest::sample::select(BYTES), any::<u8>()];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::Set(i, b) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] = b;
        }
        Mutation::Insert(i, b) => {
            let i = at(i, bytes.len() + 1);
            bytes.insert(i, b);
        }
        Mutation::Delete(i) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes.remove(i);
        }
        _ => {}
    }
}

/// Whatever parses strictly goes through extraction and masking without panicking;
/// whatever does not is an error, not a panic.
fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(v) = parse_strict(bytes) {
        let (masked, _) = mask_everything(&v)?;
        prop_assert!(parse_strict(&serde_json::to_vec(&masked).unwrap()).is_ok());
    }
    Ok(())
}

#[test]
fn mutated_bodies_never_panic() {
    let input = (body(), proptest::collection::vec(mutation(), 1..6));
    harness::run(
        "request_mutated",
        harness::DEFAULT_CASES,
        input,
        |(v, ms)| {
            let mut bytes = serialize(&v, false);
            for m in &ms {
                mutate(&mut bytes, m);
            }
            check_bytes(&bytes)
        },
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    let input = proptest::collection::vec(any::<u8>(), 0..256);
    harness::run("request_bytes", harness::DEFAULT_CASES, input, |b| {
        check_bytes(&b)
    });
}
