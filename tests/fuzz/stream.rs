//! Target 3: streamed-response restore ([`ResponseRestorer`]) — SSE of OpenAI Chat,
//! OpenAI Responses, Anthropic Messages and Gemini, and Gemini's JSON array.
//!
//! Streams are generated in each provider's event shapes, with texts made of whole,
//! split and unknown placeholders, quotes, backslashes and line breaks cut into deltas
//! at arbitrary character boundaries; tool arguments as JSON source; keep-alive
//! comments, pings, unknown and malformed events; LF, CRLF or CR line endings;
//! truncated streams. Properties:
//! - splitting the same upstream bytes at arbitrary points (and at every byte) gives
//!   byte-identical client output to the unsplit stream;
//! - each text channel of the output reads as its whole upstream text restored in one
//!   piece (placeholders split across deltas and chunks restored, the rest unchanged);
//! - with no placeholders issued, the output is the input, byte for byte;
//! - arbitrary bytes never panic and are split-invariant too.

use std::fmt;
use std::sync::Arc;

use proptest::prelude::*;
use sekimori::inspect::Category;
use sekimori::mask::Placeholders;
use sekimori::payload::response::{ApiKind, StreamFormat};
use sekimori::payload::stream::ResponseRestorer;
use serde_json::{json, Value};

use super::harness;

/// The request's table: values with quotes so restored JSON needs escaping.
fn table() -> Arc<Placeholders> {
    let mut t = Placeholders::new();
    t.placeholder_for(&Category::Name, "山田 \"太郎\"");
    t.placeholder_for(&Category::Phone, "090-1234-5678");
    t.placeholder_for(&Category::Address, "東京都千代田区1-1\\2");
    Arc::new(t)
}

/// `text` with the numbered `〔氏名1〕`, `〔電話1〕`, `〔住所1〕` written as the
/// placeholders [`table`] issued (derived from the value, so known only at run time).
fn filled(text: String) -> String {
    let t = table();
    let mut out = text;
    for (numbered, (ph, _)) in ["〔氏名1〕", "〔電話1〕", "〔住所1〕"]
        .iter()
        .zip(t.entries())
    {
        out = out.replace(numbered, ph);
    }
    out
}

/// A generated upstream stream and where to cut it.
#[derive(Clone)]
struct Case {
    kind: ApiKind,
    format: StreamFormat,
    bytes: Vec<u8>,
    /// Byte offsets (any, UTF-8 sequences included) at which the body is cut.
    cuts: Vec<usize>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("kind", &self.kind)
            .field("format", &self.format)
            .field("bytes", &String::from_utf8_lossy(&self.bytes))
            .field("cuts", &self.cuts)
            .finish()
    }
}

/// Text the model writes: placeholders whole and in pieces, unknown ones, JSON
/// metacharacters, line breaks.
fn text() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "〔氏名1〕",
        "〔電話1〕",
        "〔住所1〕",
        "〔氏名9〕",
        "〔氏",
        "名1〕",
        "〔氏名-",
        "〔",
        "〕",
        "こんにちは",
        "様、",
        "\"",
        "\\",
        "\n",
        "\r\n",
        "a",
        "1",
        " ",
        "{}",
        "森川陽菜",
    ];
    proptest::collection::vec(proptest::sample::select(TOKENS), 0..10)
        .prop_map(|v| filled(v.concat()))
}

/// `s` cut into deltas at (up to five) arbitrary character boundaries.
fn deltas(s: String, cuts: Vec<usize>) -> Vec<String> {
    let mut at: Vec<usize> = cuts
        .into_iter()
        .map(|c| c % (s.len() + 1))
        .filter(|&c| s.is_char_boundary(c))
        .collect();
    at.push(0);
    at.push(s.len());
    at.sort_unstable();
    at.dedup();
    at.windows(2).map(|w| s[w[0]..w[1]].to_string()).collect()
}

/// A channel's text, cut into deltas.
fn channel() -> impl Strategy<Value = Vec<String>> {
    (text(), proptest::collection::vec(any::<usize>(), 0..5)).prop_map(|(t, c)| deltas(t, c))
}

/// Tool arguments: JSON source holding the text as a string value, cut into deltas.
fn arguments() -> impl Strategy<Value = Vec<String>> {
    (text(), proptest::collection::vec(any::<usize>(), 0..5)).prop_map(|(t, c)| {
        let doc = json!({ "who": t, "n": 1 }).to_string();
        deltas(doc, c)
    })
}

/// An event that carries no text for any channel.
fn noise() -> impl Strategy<Value = Option<Ev>> {
    prop_oneof![
        6 => Just(None),
        1 => Just(Some(Ev::Comment(": keep-alive".into()))),
        1 => Just(Some(Ev::Data(Some("ping".into()), r#"{"type": "ping"}"#.into()))),
        1 => Just(Some(Ev::Data(None, "not json 〔氏名1〕".into()))),
        1 => Just(Some(Ev::Data(Some("future_event".into()), r#"{"type":"future_event","index":0,"text":"〔氏名1〕"}"#.into()))),
        1 => Just(Some(Ev::Data(None, r#"{"choices":[{"index":0,"delta":{"content":5}}]}"#.into()))),
        1 => Just(Some(Ev::Data(None, r#"{"candidates":[{"content":{"parts":[{"text":null}]}}]}"#.into()))),
    ]
}

/// One SSE event (or array element) before framing.
#[derive(Clone, Debug)]
enum Ev {
    /// A comment line.
    Comment(String),
    /// `event:` name (if any) and `data:` payload (split into several `data:` lines
    /// at its line breaks).
    Data(Option<String>, String),
}

fn data(v: Value) -> Ev {
    Ev::Data(None, v.to_string())
}

fn named(name: &str, v: Value) -> Ev {
    Ev::Data(Some(name.to_string()), v.to_string())
}

/// Spreads `noise` between `events`.
fn with_noise(events: Vec<Ev>, noise: Vec<Option<Ev>>) -> Vec<Ev> {
    let mut out = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        if let Some(Some(n)) = noise.get(i) {
            out.push(n.clone());
        }
        out.push(e);
    }
    out
}

fn openai_chat() -> impl Strategy<Value = Vec<Ev>> {
    (channel(), channel(), arguments(), any::<bool>(), any::<bool>()).prop_map(
        |(c0, c1, args, text_in_finish, multiline)| {
            let chunk = |choices: Value| json!({"id":"c","object":"chat.completion.chunk","choices":choices});
            let mut evs = vec![data(chunk(json!([{"index":0,"delta":{"role":"assistant","content":""}}])))];
            let longest = c0.len().max(c1.len()).max(args.len());
            for i in 0..longest {
                if let Some(d) = c0.get(i) {
                    evs.push(data(chunk(json!([{"index":0,"delta":{"content":d},"finish_reason":null}]))));
                }
                if let Some(d) = c1.get(i) {
                    let v = chunk(json!([{"index":1,"delta":{"content":d},"finish_reason":null}]));
                    if multiline {
                        // One event, two `data:` lines.
                        let s = v.to_string().replacen(",\"choices\"", ",\n\"choices\"", 1);
                        evs.push(Ev::Data(None, s));
                    } else {
                        evs.push(data(v));
                    }
                }
                if let Some(d) = args.get(i) {
                    evs.push(data(chunk(json!([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":d}}]}}]))));
                }
            }
            let last = if text_in_finish { "〔電" } else { "" };
            evs.push(data(chunk(json!([
                {"index":0,"delta":{},"finish_reason":"stop"},
                {"index":1,"delta":{"content":last},"finish_reason":"length"}]))));
            evs.push(data(json!({"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}})));
            evs.push(Ev::Data(None, "[DONE]".into()));
            evs
        },
    )
}

fn responses() -> impl Strategy<Value = Vec<Ev>> {
    (channel(), arguments(), any::<bool>()).prop_map(|(text, args, done)| {
        let mut evs = vec![named("response.output_item.added", json!({"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","content":[]}}))];
        for d in &text {
            evs.push(named("response.output_text.delta", json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":d})));
        }
        if done {
            evs.push(named("response.output_text.done", json!({"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":text.concat()})));
        }
        for d in &args {
            evs.push(named("response.function_call_arguments.delta", json!({"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":1,"delta":d})));
        }
        if done {
            evs.push(named("response.function_call_arguments.done", json!({"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":1,"arguments":args.concat()})));
        }
        evs.push(named("response.completed", json!({"type":"response.completed","response":{"id":"r","output":[{"type":"message","content":[{"type":"output_text","text":text.concat()}]}],"usage":{"input_tokens":3,"output_tokens":4}}})));
        evs
    })
}

fn anthropic() -> impl Strategy<Value = Vec<Ev>> {
    (channel(), arguments(), any::<bool>()).prop_map(|(text, args, stops)| {
        let mut evs = vec![named("message_start", json!({"type":"message_start","message":{"id":"m","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}))];
        evs.push(named("content_block_start", json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})));
        for d in &text {
            evs.push(named("content_block_delta", json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":d}})));
        }
        if stops {
            evs.push(named("content_block_stop", json!({"type":"content_block_stop","index":0})));
        }
        evs.push(named("content_block_start", json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}})));
        for d in &args {
            evs.push(named("content_block_delta", json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":d}})));
        }
        if stops {
            evs.push(named("content_block_stop", json!({"type":"content_block_stop","index":1})));
        }
        evs.push(named("message_delta", json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}})));
        evs.push(named("message_stop", json!({"type":"message_stop"})));
        evs
    })
}

fn gemini() -> impl Strategy<Value = Vec<Ev>> {
    (channel(), channel(), any::<bool>()).prop_map(|(text, thought, finish)| {
        let mut evs = Vec::new();
        for i in 0..text.len().max(thought.len()) {
            let mut parts = Vec::new();
            if let Some(t) = thought.get(i) {
                parts.push(json!({"text": t, "thought": true}));
            }
            if let Some(t) = text.get(i) {
                parts.push(json!({"text": t}));
            }
            evs.push(data(json!({"candidates":[{"content":{"parts":parts,"role":"model"},"index":0}],"modelVersion":"g"})));
        }
        if finish {
            evs.push(data(json!({"candidates":[{"content":{"parts":[],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":3}})));
        }
        evs
    })
}

/// Frames events as SSE with line ending `nl`; `lead` puts a blank line or comment
/// first; `keep` drops events after the first `keep` (a cut-off stream).
fn frame_sse(evs: &[Ev], nl: &str, lead: u8) -> Vec<u8> {
    let mut s = String::new();
    match lead {
        1 => s.push_str(nl),
        2 => {
            s.push_str(": hello");
            s.push_str(nl);
            s.push_str(nl);
        }
        _ => {}
    }
    for e in evs {
        match e {
            Ev::Comment(c) => {
                s.push_str(c);
                s.push_str(nl);
            }
            Ev::Data(name, payload) => {
                if let Some(n) = name {
                    s.push_str("event: ");
                    s.push_str(n);
                    s.push_str(nl);
                }
                for line in payload.split('\n') {
                    s.push_str("data: ");
                    s.push_str(line);
                    s.push_str(nl);
                }
            }
        }
        s.push_str(nl);
    }
    s.into_bytes()
}

/// Frames events as Gemini's JSON array (`[{…}\n,{…}\n]`); comments are dropped.
fn frame_array(evs: &[Ev], nl: &str, closed: bool) -> Vec<u8> {
    let elems: Vec<&str> = evs
        .iter()
        .filter_map(|e| match e {
            Ev::Data(_, p) if p.starts_with('{') => Some(p.as_str()),
            _ => None,
        })
        .collect();
    let mut s = format!("[{}", elems.join(&format!("{nl},")));
    if closed {
        s.push_str(nl);
        s.push(']');
    }
    s.into_bytes()
}

fn stream_case() -> impl Strategy<Value = Case> {
    let dialect = prop_oneof![
        (Just(ApiKind::OpenAiChat), openai_chat()),
        (Just(ApiKind::OpenAiResponses), responses()),
        (Just(ApiKind::AnthropicMessages), anthropic()),
        (Just(ApiKind::GeminiGenerateContent), gemini()),
    ];
    (
        dialect,
        proptest::collection::vec(noise(), 0..12),
        proptest::sample::select(&["\n", "\r\n", "\r"][..]),
        0u8..3,
        any::<bool>(),
        any::<usize>(),
        any::<bool>(),
        proptest::collection::vec(any::<usize>(), 0..8),
    )
        .prop_map(
            |((kind, evs), noise, nl, lead, as_array, keep, cut_off, cuts)| {
                let mut evs = with_noise(evs, noise);
                if cut_off {
                    evs.truncate(keep % (evs.len() + 1));
                }
                let array = kind == ApiKind::GeminiGenerateContent && as_array;
                let (format, bytes) = if array {
                    (StreamFormat::JsonArray, frame_array(&evs, nl, !cut_off))
                } else {
                    (StreamFormat::Sse, frame_sse(&evs, nl, lead))
                };
                let mut cuts: Vec<usize> =
                    cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
                cuts.sort_unstable();
                cuts.dedup();
                Case {
                    kind,
                    format,
                    bytes,
                    cuts,
                }
            },
        )
}

/// Output for the body fed in `pieces`, then finished.
fn restore(case: &Case, table: &Arc<Placeholders>, pieces: &[&[u8]]) -> Vec<u8> {
    let mut r = ResponseRestorer::new(case.kind, case.format, Arc::clone(table));
    let mut out = Vec::new();
    for p in pieces {
        out.extend(r.push(p));
    }
    out.extend(r.finish());
    out
}

fn pieces_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    for &c in cuts {
        out.push(&bytes[at..c]);
        at = c;
    }
    out.push(&bytes[at..]);
    out
}

fn check_split_invariance(case: &Case, table: &Arc<Placeholders>) -> Result<(), TestCaseError> {
    let whole = restore(case, table, &[&case.bytes]);
    let split = restore(case, table, &pieces_at(&case.bytes, &case.cuts));
    prop_assert!(
        whole == split,
        "cut at {:?}:\nwhole {:?}\nsplit {:?}",
        case.cuts,
        String::from_utf8_lossy(&whole),
        String::from_utf8_lossy(&split)
    );
    let bytewise: Vec<&[u8]> = case.bytes.chunks(1).collect();
    let bytewise = restore(case, table, &bytewise);
    prop_assert!(
        whole == bytewise,
        "byte by byte:\nwhole {:?}\nbytes {:?}",
        String::from_utf8_lossy(&whole),
        String::from_utf8_lossy(&bytewise)
    );
    Ok(())
}

#[test]
fn split_streams_give_the_same_output() {
    let t = table();
    // Cases in which something was restored (the generator reaches the restore path).
    let restored = std::cell::Cell::new(0u32);
    harness::run(
        "stream_split",
        harness::DEFAULT_CASES,
        stream_case(),
        |case| {
            if restore(&case, &t, &[&case.bytes]) != case.bytes {
                restored.set(restored.get() + 1);
            }
            check_split_invariance(&case, &t)
        },
    );
    eprintln!(
        "fuzz stream_split: cases with restored output {}",
        restored.get()
    );
    let enough = harness::cases(harness::DEFAULT_CASES) >= 64;
    assert!(
        !enough || restored.get() > 0,
        "the generator no longer reaches restoration"
    );
}

/// The `data:` payloads of an SSE body, whatever its line endings.
fn sse_payloads(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    text.split("\n\n")
        .filter_map(|ev| {
            let data: Vec<&str> = ev
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            (!data.is_empty()).then(|| data.join("\n"))
        })
        .collect()
}

/// Plain-text channels of a stream (label → concatenated text), read from its events.
fn channel_texts(kind: ApiKind, bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::<String, String>::new();
    for payload in sse_payloads(bytes) {
        let Ok(ev) = serde_json::from_str::<Value>(&payload) else {
            continue;
        };
        let mut add = |label: String, v: &Value| {
            if let Some(t) = v.as_str() {
                out.entry(label).or_default().push_str(t);
            }
        };
        match kind {
            ApiKind::OpenAiChat => {
                for c in ev["choices"].as_array().into_iter().flatten() {
                    add(format!("c{}", c["index"]), &c["delta"]["content"]);
                }
            }
            ApiKind::OpenAiResponses if ev["type"] == "response.output_text.delta" => {
                add("r".into(), &ev["delta"]);
            }
            ApiKind::AnthropicMessages
                if ev["type"] == "content_block_delta" && ev["delta"]["type"] == "text_delta" =>
            {
                add(format!("a{}", ev["index"]), &ev["delta"]["text"]);
            }
            ApiKind::GeminiGenerateContent => {
                for c in ev["candidates"].as_array().into_iter().flatten() {
                    for p in c["content"]["parts"].as_array().into_iter().flatten() {
                        let label = if p["thought"] == true { "gt" } else { "g" };
                        add(label.into(), &p["text"]);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Split anywhere, each text channel of the output reads as the channel's whole
/// upstream text restored in one piece.
#[test]
fn restored_channels_read_as_their_whole_text_restored() {
    let t = table();
    // Cases in which a channel's text was changed by restoring.
    let restored = std::cell::Cell::new(0u32);
    harness::run(
        "stream_restore",
        harness::DEFAULT_CASES,
        stream_case(),
        |case| {
            if case.format != StreamFormat::Sse {
                return Ok(());
            }
            let out = restore(&case, &t, &pieces_at(&case.bytes, &case.cuts));
            let upstream = channel_texts(case.kind, &case.bytes);
            let want: std::collections::BTreeMap<String, String> = upstream
                .iter()
                .map(|(k, v)| (k.clone(), t.restore(v)))
                .collect();
            if want != upstream {
                restored.set(restored.get() + 1);
            }
            prop_assert_eq!(channel_texts(case.kind, &out), want);
            Ok(())
        },
    );
    eprintln!(
        "fuzz stream_restore: cases with restored channel text {}",
        restored.get()
    );
    let enough = harness::cases(harness::DEFAULT_CASES) >= 64;
    assert!(
        !enough || restored.get() > 0,
        "the generator no longer reaches restoration"
    );
}

#[test]
fn streams_without_placeholders_pass_byte_for_byte() {
    let empty = Arc::new(Placeholders::new());
    harness::run(
        "stream_passthrough",
        harness::DEFAULT_CASES,
        stream_case(),
        |case| {
            let out = restore(&case, &empty, &pieces_at(&case.bytes, &case.cuts));
            prop_assert!(
                out == case.bytes,
                "output {:?}",
                String::from_utf8_lossy(&out)
            );
            Ok(())
        },
    );
}

#[test]
fn arbitrary_bytes_never_panic_and_are_split_invariant() {
    const BYTES: &[u8] = b"data: event:\r\n\n{}[],\"\\:";
    let byte = prop_oneof![proptest::sample::select(BYTES), any::<u8>()];
    let kind = proptest::sample::select(
        &[
            ApiKind::OpenAiChat,
            ApiKind::OpenAiResponses,
            ApiKind::OpenAiEmbeddings,
            ApiKind::AnthropicMessages,
            ApiKind::GeminiGenerateContent,
        ][..],
    );
    let format = proptest::sample::select(&[StreamFormat::Sse, StreamFormat::JsonArray][..]);
    let input = (
        kind,
        format,
        proptest::collection::vec(byte, 0..256),
        proptest::collection::vec(any::<usize>(), 0..8),
    )
        .prop_map(|(kind, format, bytes, cuts)| {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            cuts.dedup();
            Case {
                kind,
                format,
                bytes,
                cuts,
            }
        });
    let t = table();
    harness::run("stream_bytes", harness::DEFAULT_CASES, input, |case| {
        check_split_invariance(&case, &t)
    });
}
