//! Bedrock `ConverseStream` answers in real event-stream frames: placeholders split
//! across frames at every character and the byte stream cut at every byte, restored,
//! with every frame's CRCs valid and unchanged frames forwarded byte for byte.

use std::sync::Arc;

use aws_smithy_eventstream::frame::read_message_from;
use serde_json::{json, Value};

use super::eventstream::{event_frame, event_name};
use super::*;

const NAME: &str = "森川 \"陽菜\"";

fn table() -> Arc<Placeholders> {
    let mut t = Placeholders::new();
    t.with_fixed("〔氏名1〕", NAME);
    t.with_fixed("〔電話1〕", "090-1234-5678");
    Arc::new(t)
}

/// The frames of one answer: text `a` + `b` in block 0, tool input `c` + `d` in
/// block 1.
fn answer(a: &str, b: &str, c: &str, d: &str) -> Vec<u8> {
    let events: Vec<(&str, Value)> = vec![
        ("messageStart", json!({"role": "assistant", "p": "abcd"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": a}, "p": "ab"}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": b}, "p": "abc"}),
        ),
        (
            "contentBlockStop",
            json!({"contentBlockIndex": 0, "p": "a"}),
        ),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "t1", "name": "call"}}, "p": "a"}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": c}}, "p": "a"}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": d}}, "p": "a"}),
        ),
        (
            "contentBlockStop",
            json!({"contentBlockIndex": 1, "p": "a"}),
        ),
        ("messageStop", json!({"stopReason": "tool_use", "p": "a"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 21, "outputTokens": 9, "totalTokens": 30}, "metrics": {"latencyMs": 5}, "p": "a"}),
        ),
    ];
    events
        .into_iter()
        .flat_map(|(n, v)| event_frame(n, v.to_string().into_bytes()))
        .collect()
}

/// Decodes every frame (panics on a bad CRC) → (event names, text of block 0, tool
/// input of block 1).
fn read(mut bytes: &[u8]) -> (Vec<String>, String, String) {
    let (mut names, mut text, mut input) = (Vec::new(), String::new(), String::new());
    while !bytes.is_empty() {
        let total = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        let m = read_message_from(&bytes[..total]).expect("valid frame and CRCs");
        bytes = &bytes[total..];
        let name = event_name(&m).unwrap().to_string();
        let v: Value = serde_json::from_slice(m.payload()).unwrap();
        if name == "contentBlockDelta" {
            match v["contentBlockIndex"].as_u64() {
                Some(0) => text.push_str(v["delta"]["text"].as_str().unwrap()),
                _ => input.push_str(v["delta"]["toolUse"]["input"].as_str().unwrap()),
            }
        }
        names.push(name);
    }
    (names, text, input)
}

fn run(bytes: &[u8], cut: Option<usize>) -> (Vec<u8>, Option<Usage>) {
    let mut r = ResponseRestorer::new(ApiKind::BedrockConverse, StreamFormat::EventStream, table());
    let mut out = Vec::new();
    match cut {
        Some(c) => {
            out.extend(r.push(&bytes[..c]));
            out.extend(r.push(&bytes[c..]));
        }
        None => out.extend(r.push(bytes)),
    }
    out.extend(r.finish());
    (out, r.usage())
}

#[test]
fn a_placeholder_split_at_every_character_across_frames_is_restored() {
    let text = "こんにちは〔氏名1〕様。";
    let input = r#"{"tel":"〔電話1〕"}"#;
    let chars: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let in_chars: Vec<usize> = input
        .char_indices()
        .map(|(i, _)| i)
        .chain([input.len()])
        .collect();
    for (k, &i) in chars.iter().enumerate() {
        let j = in_chars[k % in_chars.len()];
        let bytes = answer(&text[..i], &text[i..], &input[..j], &input[j..]);
        let (out, usage) = run(&bytes, None);
        let (names, got_text, got_input) = read(&out);
        assert_eq!(got_text, format!("こんにちは{NAME}様。"), "split at {i}");
        assert_eq!(got_input, r#"{"tel":"090-1234-5678"}"#, "split at {j}");
        assert_eq!(names.first().map(String::as_str), Some("messageStart"));
        assert_eq!(names.last().map(String::as_str), Some("metadata"));
        assert_eq!(
            usage,
            Some(Usage {
                input_tokens: Some(21),
                output_tokens: Some(9)
            })
        );
    }
}

#[test]
fn the_byte_stream_cut_at_every_byte_gives_the_same_output() {
    let bytes = answer("お名前は〔氏", "名1〕です", r#"{"tel":"〔電"#, r#"話1〕"}"#);
    let (whole, _) = run(&bytes, None);
    let (_, text, input) = read(&whole);
    assert_eq!(text, format!("お名前は{NAME}です"));
    // The restored name is JSON-escaped inside the tool input (JSON source).
    assert_eq!(input, r#"{"tel":"090-1234-5678"}"#);
    for cut in 0..=bytes.len() {
        assert_eq!(run(&bytes, Some(cut)).0, whole, "cut at {cut}");
    }
}

#[test]
fn without_placeholders_the_stream_is_forwarded_byte_for_byte() {
    let bytes = answer("こんにちは", "〔氏名9〕さん", r#"{"a":"#, "1}");
    assert_eq!(run(&bytes, None).0, bytes);
    let mut r = ResponseRestorer::new(
        ApiKind::BedrockConverse,
        StreamFormat::EventStream,
        Arc::new(Placeholders::new()),
    );
    let mut out = r.push(&bytes);
    out.extend(r.finish());
    assert_eq!(out, bytes);
}

#[test]
fn held_text_is_released_before_an_exception_or_at_the_end() {
    let start = event_frame(
        "contentBlockDelta",
        json!({"contentBlockIndex": 0, "delta": {"text": "〔氏名1"}})
            .to_string()
            .into_bytes(),
    );
    let exception = aws_smithy_types::event_stream::Message::new_from_parts(
        vec![
            aws_smithy_types::event_stream::Header::new(
                ":exception-type",
                aws_smithy_types::event_stream::HeaderValue::String("throttlingException".into()),
            ),
            aws_smithy_types::event_stream::Header::new(
                ":message-type",
                aws_smithy_types::event_stream::HeaderValue::String("exception".into()),
            ),
        ],
        br#"{"message":"slow down"}"#.to_vec(),
    );
    let mut ex = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&exception, &mut ex).unwrap();
    let bytes = [start.clone(), ex.clone()].concat();
    let (out, _) = run(&bytes, None);
    let (names, text, _) = read(&out);
    assert_eq!(
        text, "〔氏名1",
        "an unfinished placeholder is released as it is"
    );
    assert_eq!(
        names,
        [
            "contentBlockDelta",
            "contentBlockDelta",
            "throttlingException"
        ],
        "held back from the first frame, released in a frame of its own before the exception"
    );
    // Cut off mid-stream: what is held comes out in a synthesized delta frame.
    let (out, _) = run(&start, None);
    assert_eq!(read(&out).1, "〔氏名1");
}

/// InvokeModelWithResponseStream: Anthropic events as base64 inside `chunk` frames.
fn invoke_answer(a: &str, b: &str) -> Vec<u8> {
    use base64::Engine;
    let events = [
        json!({"type": "message_start", "message": {"id": "msg_1", "role": "assistant", "content": [], "usage": {"input_tokens": 11, "output_tokens": 1}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": a}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": b}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}}),
        json!({"type": "message_stop"}),
    ];
    events
        .iter()
        .flat_map(|e| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(e.to_string());
            event_frame(
                "chunk",
                json!({"bytes": b64, "p": "abc"}).to_string().into_bytes(),
            )
        })
        .collect()
}

fn invoke_text(mut bytes: &[u8]) -> String {
    use base64::Engine;
    let mut text = String::new();
    while !bytes.is_empty() {
        let total = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        let m = read_message_from(&bytes[..total]).expect("valid frame and CRCs");
        bytes = &bytes[total..];
        assert_eq!(event_name(&m), Some("chunk"));
        let v: Value = serde_json::from_slice(m.payload()).unwrap();
        let inner = base64::engine::general_purpose::STANDARD
            .decode(v["bytes"].as_str().unwrap())
            .unwrap();
        let e: Value = serde_json::from_slice(&inner).unwrap();
        if let Some(t) = e.pointer("/delta/text").and_then(Value::as_str) {
            text.push_str(t);
        }
    }
    text
}

#[test]
fn invoke_stream_chunks_are_restored_inside_their_base64() {
    let text = "こんにちは〔氏名1〕様";
    for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
        let bytes = invoke_answer(&text[..i], &text[i..]);
        let mut r = ResponseRestorer::new(
            ApiKind::AnthropicMessages,
            StreamFormat::EventStream,
            table(),
        );
        let mut out = Vec::new();
        for piece in bytes.chunks(7) {
            out.extend(r.push(piece));
        }
        out.extend(r.finish());
        assert_eq!(
            invoke_text(&out),
            format!("こんにちは{NAME}様"),
            "split at {i}"
        );
        assert_eq!(
            r.usage(),
            Some(Usage {
                input_tokens: Some(11),
                output_tokens: Some(6)
            })
        );
    }
}
