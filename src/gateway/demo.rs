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
        ApiKind::OpenAiResponses => {
            let text = v
                .pointer("/output/0/content/0/text")
                .cloned()
                .unwrap_or_default();
            sse(
                &[
                    (
                        Some("response.created"),
                        json!({"type": "response.created", "response": {"id": "resp_demo", "status": "in_progress"}}),
                    ),
                    (
                        Some("response.output_text.delta"),
                        json!({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": text}),
                    ),
                    (
                        Some("response.completed"),
                        json!({"type": "response.completed", "response": v}),
                    ),
                ],
                false,
            )
        }
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
            "data": [{"object": "embedding", "index": 0, "embedding": [0.0, 0.0, 0.0]}],
            "model": model,
            "usage": {"prompt_tokens": chars, "total_tokens": chars},
            "sekimori_demo": report,
        }),
        (ApiKind::OpenAiResponses, _) => json!({
            "id": "resp_demo", "object": "response", "status": "completed", "model": model,
            "output": [{"type": "message", "role": "assistant", "status": "completed",
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
