//! The built-in demo upstream: answers in each API's own shape by echoing what it
//! received (after masking), so a newcomer sees Sekimori's effect without a provider.
//! Nothing leaves the process.

use bytes::Bytes;
use http::{header, HeaderValue, Response};
use http_body_util::Full;
use serde_json::{json, Value};

use crate::mask::{Placeholders, OPEN};
use crate::payload::request::extract_slots;
use crate::payload::response::{ApiKind, Usage};

use super::boxed::full;
use super::exchange::{Exchange, Exchanging, Forwarded, UsageReport};
use super::route::ApiRoute;

/// The built-in demo upstream as an [`Exchange`]: answers in the process, nothing
/// leaves it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Demo;

impl Exchange for Demo {
    fn exchange<'a>(&'a self, f: Forwarded<'a>) -> Exchanging<'a> {
        let v = demo_answer(f.route, f.value, f.stream);
        let (r, u) = demo_response(f.route, f.query, v, f.stream, &f.table);
        Box::pin(std::future::ready(Ok((full(r), UsageReport::Now(u), None))))
    }
}

/// The demo answer as an HTTP response (boxed by the caller) (streamed in the API's own format when asked),
/// with placeholders restored, and its token usage.
pub fn demo_response(
    route: &ApiRoute,
    query: Option<&str>,
    mut v: Value,
    stream: bool,
    table: &Placeholders,
) -> (Response<Full<Bytes>>, Option<Usage>) {
    let usage = Usage::from_json(&v);
    restore_value(&mut v, table);
    let (body, ct) = if stream {
        demo_stream(route, query, &v)
    } else {
        (v.to_string(), "application/json")
    };
    let mut r = Response::new(Full::new(Bytes::from(body)));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    (r, usage)
}

/// The demo answer as the API's own stream: one text delta carrying the whole reply.
fn demo_stream(route: &ApiRoute, query: Option<&str>, v: &Value) -> (String, &'static str) {
    let sse = |events: &[(Option<&str>, Value)], done: bool| {
        let mut out = String::new();
        for (name, data) in events {
            if let Some(n) = name {
                out.push_str(&format!("event: {n}\n"));
            }
            out.push_str(&format!("data: {data}\n\n"));
        }
        if done {
            out.push_str("data: [DONE]\n\n");
        }
        (out, "text/event-stream")
    };
    let report = v.get("sekimori_demo").cloned().unwrap_or(Value::Null);
    match route.kind {
        ApiKind::OpenAiResponses => sse(&responses_events(v), false),
        ApiKind::AnthropicMessages => {
            let text = v.pointer("/content/0/text").cloned().unwrap_or_default();
            sse(
                &[
                    (
                        Some("message_start"),
                        json!({"type": "message_start", "message": {"id": "msg_demo", "type": "message", "role": "assistant", "content": [], "model": v["model"], "usage": v["usage"]}}),
                    ),
                    (
                        Some("content_block_start"),
                        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
                    ),
                    (
                        Some("content_block_delta"),
                        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
                    ),
                    (
                        Some("content_block_stop"),
                        json!({"type": "content_block_stop", "index": 0}),
                    ),
                    (
                        Some("message_delta"),
                        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": v["usage"], "sekimori_demo": report}),
                    ),
                    (Some("message_stop"), json!({"type": "message_stop"})),
                ],
                false,
            )
        }
        ApiKind::GeminiGenerateContent => {
            let alt_sse = query.is_some_and(|q| q.split('&').any(|p| p == "alt=sse"));
            if alt_sse {
                sse(&[(None, v.clone())], false)
            } else {
                (format!("[{v}]"), "application/json")
            }
        }
        _ => {
            let text = v
                .pointer("/choices/0/message/content")
                .cloned()
                .unwrap_or_default();
            sse(
                &[
                    (
                        None,
                        json!({"id": "chatcmpl-demo", "object": "chat.completion.chunk", "model": v["model"], "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": null}]}),
                    ),
                    (
                        None,
                        json!({"id": "chatcmpl-demo", "object": "chat.completion.chunk", "model": v["model"], "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": v["usage"], "sekimori_demo": report}),
                    ),
                ],
                true,
            )
        }
    }
}

/// The Responses API stream as OpenAI sends it, one output message with one text part:
/// `response.created`, `response.in_progress`, `response.output_item.added`,
/// `response.content_part.added`, `response.output_text.delta`, `response.output_text.done`,
/// `response.content_part.done`, `response.output_item.done`, `response.completed`, each
/// with its `sequence_number` and the item's id, so the SDKs' stream helpers can
/// assemble the response.
fn responses_events(v: &Value) -> Vec<(Option<&'static str>, Value)> {
    let item = v.pointer("/output/0").cloned().unwrap_or_default();
    let item_id = item
        .get("id")
        .cloned()
        .unwrap_or_else(|| json!(DEMO_ITEM_ID));
    let part = item.pointer("/content/0").cloned().unwrap_or_default();
    let text = part.get("text").cloned().unwrap_or_else(|| json!(""));
    let mut started = v.clone();
    if let Some(o) = started.as_object_mut() {
        o.insert("status".into(), json!("in_progress"));
        o.insert("output".into(), json!([]));
        o.remove("usage");
        o.remove("sekimori_demo");
    }
    let mut item_started = item.clone();
    if let Some(o) = item_started.as_object_mut() {
        o.insert("status".into(), json!("in_progress"));
        o.insert("content".into(), json!([]));
    }
    let empty_part = json!({"type": "output_text", "text": "", "annotations": []});
    let at = |kind: &'static str, mut data: Value| {
        if let Some(o) = data.as_object_mut() {
            o.insert("type".into(), json!(kind));
        }
        (Some(kind), data)
    };
    let in_part = |mut data: Value| {
        if let Some(o) = data.as_object_mut() {
            o.insert("item_id".into(), item_id.clone());
            o.insert("output_index".into(), json!(0));
            o.insert("content_index".into(), json!(0));
        }
        data
    };
    let mut events = vec![
        at("response.created", json!({"response": started})),
        at("response.in_progress", json!({"response": started})),
        at(
            "response.output_item.added",
            json!({"output_index": 0, "item": item_started}),
        ),
        at(
            "response.content_part.added",
            in_part(json!({"part": empty_part})),
        ),
        at(
            "response.output_text.delta",
            in_part(json!({"delta": text, "logprobs": []})),
        ),
        at(
            "response.output_text.done",
            in_part(json!({"text": text, "logprobs": []})),
        ),
        at("response.content_part.done", in_part(json!({"part": part}))),
        at(
            "response.output_item.done",
            json!({"output_index": 0, "item": item}),
        ),
        at("response.completed", json!({"response": v})),
    ];
    for (n, (_, data)) in events.iter_mut().enumerate() {
        if let Some(o) = data.as_object_mut() {
            o.insert("sequence_number".into(), json!(n));
        }
    }
    events
}

/// The id of the demo's one output message in Responses answers.
const DEMO_ITEM_ID: &str = "msg_demo";

/// The demo's embedding of one input: eight numbers derived from its text, so different
/// inputs get different vectors.
fn demo_embedding(text: &str) -> Vec<f32> {
    let bytes = text.as_bytes();
    (0..8)
        .map(|i| {
            let sum: u32 = bytes.iter().skip(i).step_by(8).map(|&b| u32::from(b)).sum();
            (sum % 1000) as f32 / 1000.0
        })
        .collect()
}

/// An embedding as the request's `encoding_format` asks: a JSON array of floats, or
/// (`"base64"`, the SDKs' default) the little-endian `f32` bytes in standard base64.
fn encode_embedding(vector: &[f32], base64: bool) -> Value {
    if base64 {
        use base64::Engine as _;
        let bytes: Vec<u8> = vector.iter().flat_map(|f| f.to_le_bytes()).collect();
        json!(base64::engine::general_purpose::STANDARD.encode(bytes))
    } else {
        json!(vector)
    }
}

/// Restores placeholders in every string of an answer, except the demo's own report
/// of what it received (`sekimori_demo`).
pub fn restore_value(v: &mut Value, table: &Placeholders) {
    if table.is_empty() {
        return;
    }
    let mut stack: Vec<&mut Value> = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains(OPEN) => *s = table.restore(s),
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::Object(m) => stack.extend(
                m.iter_mut()
                    .filter(|(k, _)| k.as_str() != "sekimori_demo")
                    .map(|(_, v)| v),
            ),
            _ => {}
        }
    }
}

/// The demo upstream's answer: the API's own response shape, echoing what it received
/// (after masking) so the effect of Sekimori is visible.
pub fn demo_answer(route: &ApiRoute, received: &Value, _stream: bool) -> Value {
    let texts: Vec<String> = extract_slots(received)
        .into_iter()
        .filter(|s| !s.setting)
        .map(|s| s.text)
        .collect();
    let echo = texts.join("\n");
    let reply = format!("[Sekimori demo upstream] 受信した内容 / received:\n{echo}");
    let model = received
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("sekimori-demo");
    let chars = echo.chars().count() as u64;
    let report = json!({"upstream_received": received});
    match (route.kind, route.count_tokens) {
        (ApiKind::OpenAiEmbeddings, _) => json!({
            "object": "list",
            "data": embeddings(received),
            "model": model,
            "usage": {"prompt_tokens": chars, "total_tokens": chars},
            "sekimori_demo": report,
        }),
        (ApiKind::OpenAiResponses, _) => json!({
            "id": "resp_demo", "object": "response", "created_at": 0, "status": "completed",
            "model": model, "parallel_tool_calls": true, "tool_choice": "auto", "tools": [],
            "output": [{"id": DEMO_ITEM_ID, "type": "message", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": reply, "annotations": []}]}],
            "usage": {"input_tokens": chars, "output_tokens": chars, "total_tokens": 2 * chars},
            "sekimori_demo": report,
        }),
        (ApiKind::AnthropicMessages, true) => json!({"input_tokens": chars}),
        (ApiKind::AnthropicMessages, _) => json!({
            "id": "msg_demo", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": reply}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": chars, "output_tokens": chars},
            "sekimori_demo": report,
        }),
        (ApiKind::GeminiGenerateContent, true) => json!({"totalTokens": chars}),
        (ApiKind::GeminiGenerateContent, _) => json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": reply}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": chars, "candidatesTokenCount": chars, "totalTokenCount": 2 * chars},
            "modelVersion": model,
            "sekimori_demo": report,
        }),
        _ => json!({
            "id": "chatcmpl-demo", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": chars, "completion_tokens": chars, "total_tokens": 2 * chars},
            "sekimori_demo": report,
        }),
    }
}

/// One embedding per input (`input` a string or an array of strings or token lists), in
/// the requested `encoding_format`.
fn embeddings(received: &Value) -> Vec<Value> {
    let base64 = received.get("encoding_format").and_then(Value::as_str) == Some("base64");
    let inputs: Vec<String> = match received.get("input") {
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(Value::Array(a)) if a.iter().all(Value::is_array) => {
            a.iter().map(Value::to_string).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(other) => vec![other.to_string()],
        None => vec![String::new()],
    };
    inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"object": "embedding", "index": i, "embedding": encode_embedding(&demo_embedding(t), base64)})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_embeddings_are_little_endian_f32() {
        use base64::Engine as _;
        let v = json!({"model": "e", "input": ["森川陽菜", "abc"], "encoding_format": "base64"});
        let data = embeddings(&v);
        assert_eq!(data.len(), 2);
        for (i, d) in data.iter().enumerate() {
            let b = base64::engine::general_purpose::STANDARD
                .decode(d["embedding"].as_str().unwrap())
                .unwrap();
            assert_eq!(b.len(), 8 * 4);
            let floats: Vec<f32> = b
                .chunks(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            let text = v["input"][i].as_str().unwrap();
            assert_eq!(floats, demo_embedding(text));
        }
        let floats = embeddings(&json!({"input": "abc"}));
        assert_eq!(floats[0]["embedding"].as_array().unwrap().len(), 8);
    }

    #[test]
    fn responses_stream_events_carry_items_and_ids() {
        let route = super::super::route::classify("/v1/responses").unwrap();
        let v = demo_answer(&route, &json!({"model": "m", "input": "こんにちは"}), true);
        let events = responses_events(&v);
        let names: Vec<_> = events.iter().filter_map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta",
                "response.output_text.done",
                "response.content_part.done",
                "response.output_item.done",
                "response.completed"
            ]
        );
        for (n, (name, data)) in events.iter().enumerate() {
            assert_eq!(data["type"], json!(name), "{data}");
            assert_eq!(data["sequence_number"], n, "{data}");
        }
        assert_eq!(events[2].1["item"]["id"], DEMO_ITEM_ID);
        let delta = &events[4].1;
        assert_eq!(delta["item_id"], DEMO_ITEM_ID);
        assert_eq!(
            (&delta["output_index"], &delta["content_index"]),
            (&json!(0), &json!(0))
        );
        assert_eq!(delta["delta"], events[5].1["text"]);
        assert_eq!(events[0].1["response"]["output"], json!([]));
        assert_eq!(events[8].1["response"]["output"][0]["id"], DEMO_ITEM_ID);
    }
}
