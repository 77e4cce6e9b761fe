//! Translation between the OpenAI Chat Completions format and Bedrock Converse (this
//! file) or Gemini `generateContent` ([`gemini`]), for
//! catalogue models served through the OpenAI door (`model: "claude-3-haiku"` on
//! `/v1/chat/completions`).
//!
//! - [`chat_to_converse`]: system and developer messages → `system[]`, user/assistant
//!   turns → `messages[]` (adjacent turns of one role merged, as Converse requires
//!   alternation), assistant `tool_calls` → `toolUse`, `tool` messages → `toolResult`,
//!   `tools` / `tool_choice` → `toolConfig`, sampling settings → `inferenceConfig`.
//! - [`converse_to_chat`]: an answer back to a `chat.completion` (text, tool calls,
//!   stop reason, usage).
//! - [`ChatStream`]: `ConverseStream` events → `chat.completion.chunk`s.
//! - [`error_to_chat`]: a Bedrock error answer → OpenAI's error shape.
//!
//! The request is translated after inspection and masking and the answer after
//! restoration, so the texts moved here are already masked or restored; nothing is
//! inspected twice and nothing here logs. Error messages name fields, never values.

use serde_json::{json, Map, Value};

pub mod gemini;

/// Why a request cannot be translated (the message names fields, never their text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TranslateError(pub String);

fn bad(msg: impl Into<String>) -> TranslateError {
    TranslateError(msg.into())
}

/// The text of an OpenAI message `content` (a string or text parts); `None` for a
/// part that is not text.
fn content_texts(content: &Value, at: &str) -> Result<Vec<String>, TranslateError> {
    match content {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(parts) => parts
            .iter()
            .enumerate()
            .map(|(i, p)| match p.get("type").and_then(Value::as_str) {
                Some("text") => Ok(p
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()),
                _ => Err(bad(format!(
                    "{at}.content[{i}] is not a text part and is not translated to Bedrock Converse; send text parts only"
                ))),
            })
            .collect(),
        _ => Err(bad(format!("{at}.content is neither a string nor an array of parts"))),
    }
}

fn text_blocks(texts: Vec<String>) -> Vec<Value> {
    texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|t| json!({"text": t}))
        .collect()
}

/// An OpenAI Chat Completions request (already masked) as a Converse request body.
pub fn chat_to_converse(chat: &Value) -> Result<Value, TranslateError> {
    let msgs = chat
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("messages is missing or not an array"))?;
    if chat.get("n").and_then(Value::as_u64).is_some_and(|n| n > 1) {
        return Err(bad("n > 1 is not supported by Bedrock Converse"));
    }
    let mut system = Vec::new();
    let mut turns: Vec<(String, Vec<Value>)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let at = format!("messages[{i}]");
        let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
        let content = m.get("content").unwrap_or(&Value::Null);
        let (role, blocks) = match role {
            "system" | "developer" => {
                system.extend(text_blocks(content_texts(content, &at)?));
                continue;
            }
            "user" => ("user", text_blocks(content_texts(content, &at)?)),
            "assistant" => {
                let mut blocks = text_blocks(content_texts(content, &at)?);
                for (j, call) in m
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let f = call.get("function").unwrap_or(&Value::Null);
                    let args = f.get("arguments").and_then(Value::as_str).unwrap_or("{}");
                    let input: Value =
                        serde_json::from_str(if args.trim().is_empty() { "{}" } else { args })
                            .map_err(|_| {
                                bad(format!(
                                    "{at}.tool_calls[{j}].function.arguments is not JSON"
                                ))
                            })?;
                    blocks.push(json!({"toolUse": {
                        "toolUseId": call.get("id").cloned().unwrap_or(Value::Null),
                        "name": f.get("name").cloned().unwrap_or(Value::Null),
                        "input": input,
                    }}));
                }
                ("assistant", blocks)
            }
            "tool" => {
                let texts = content_texts(content, &at)?;
                let id = m.get("tool_call_id").cloned().unwrap_or(Value::Null);
                let content: Vec<Value> = texts.into_iter().map(|t| json!({"text": t})).collect();
                (
                    "user",
                    vec![json!({"toolResult": {"toolUseId": id, "content": content}})],
                )
            }
            _ => {
                return Err(bad(format!(
                    "{at}.role is not one of system, developer, user, assistant, tool"
                )))
            }
        };
        match turns.last_mut() {
            Some((r, b)) if r == role => b.extend(blocks),
            _ => turns.push((role.to_string(), blocks)),
        }
    }
    let messages: Vec<Value> = turns
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    let mut out = Map::new();
    out.insert("messages".into(), Value::Array(messages));
    if !system.is_empty() {
        out.insert("system".into(), Value::Array(system));
    }
    let mut inference = Map::new();
    if let Some(n) = chat
        .get("max_completion_tokens")
        .or_else(|| chat.get("max_tokens"))
        .filter(|v| v.is_u64())
    {
        inference.insert("maxTokens".into(), n.clone());
    }
    for (from, to) in [("temperature", "temperature"), ("top_p", "topP")] {
        if let Some(v) = chat.get(from).filter(|v| v.is_number()) {
            inference.insert(to.into(), v.clone());
        }
    }
    match chat.get("stop") {
        Some(Value::String(s)) => {
            inference.insert("stopSequences".into(), json!([s]));
        }
        Some(Value::Array(a)) => {
            inference.insert("stopSequences".into(), Value::Array(a.clone()));
        }
        _ => {}
    }
    if !inference.is_empty() {
        out.insert("inferenceConfig".into(), Value::Object(inference));
    }
    let choice = chat.get("tool_choice");
    let tools: Vec<Value> = chat
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
        .map(|t| {
            let f = t.get("function").unwrap_or(&Value::Null);
            let mut spec = Map::new();
            spec.insert("name".into(), f.get("name").cloned().unwrap_or(Value::Null));
            if let Some(d) = f.get("description") {
                spec.insert("description".into(), d.clone());
            }
            let params = f
                .get("parameters")
                .cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
            spec.insert("inputSchema".into(), json!({"json": params}));
            json!({"toolSpec": spec})
        })
        .collect();
    if !tools.is_empty() && choice.and_then(Value::as_str) != Some("none") {
        let mut cfg = Map::new();
        cfg.insert("tools".into(), Value::Array(tools));
        match choice {
            Some(Value::String(s)) if s == "required" => {
                cfg.insert("toolChoice".into(), json!({"any": {}}));
            }
            Some(Value::Object(o)) => {
                if let Some(name) = o.get("function").and_then(|f| f.get("name")) {
                    cfg.insert("toolChoice".into(), json!({"tool": {"name": name}}));
                }
            }
            _ => {}
        }
        out.insert("toolConfig".into(), Value::Object(cfg));
    }
    Ok(Value::Object(out))
}

/// Converse `stopReason` → OpenAI `finish_reason`.
pub fn finish_reason(stop: Option<&str>) -> &'static str {
    match stop {
        Some("max_tokens") | Some("model_context_window_exceeded") => "length",
        Some("tool_use") => "tool_calls",
        Some("guardrail_intervened") | Some("content_filtered") => "content_filter",
        _ => "stop",
    }
}

/// Converse `usage` → OpenAI `usage`.
fn usage(u: &Value) -> Value {
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let total = u
        .get("totalTokens")
        .and_then(Value::as_u64)
        .unwrap_or(n("inputTokens") + n("outputTokens"));
    json!({"prompt_tokens": n("inputTokens"), "completion_tokens": n("outputTokens"), "total_tokens": total})
}

/// A Converse answer (already restored) as a `chat.completion` for catalogue model
/// `model`.
pub fn converse_to_chat(v: &Value, model: &str, id: &str, created: u64) -> Value {
    let blocks = v
        .pointer("/output/message/content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut text = String::new();
    let mut calls = Vec::new();
    for b in blocks {
        if let Some(t) = b.get("text").and_then(Value::as_str) {
            text.push_str(t);
        } else if let Some(t) = b.get("toolUse") {
            calls.push(json!({
                "id": t.get("toolUseId").cloned().unwrap_or(Value::Null),
                "type": "function",
                "function": {
                    "name": t.get("name").cloned().unwrap_or(Value::Null),
                    "arguments": t.get("input").map_or_else(|| "{}".to_string(), Value::to_string),
                },
            }));
        }
    }
    let mut message = json!({"role": "assistant", "content": if text.is_empty() && !calls.is_empty() { Value::Null } else { Value::String(text) }});
    if !calls.is_empty() {
        message["tool_calls"] = Value::Array(calls);
    }
    let mut out = json!({
        "id": id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": finish_reason(v.get("stopReason").and_then(Value::as_str))}],
    });
    if let Some(u) = v.get("usage") {
        out["usage"] = usage(u);
    }
    out
}

/// A Bedrock error answer (`status`, `x-amzn-errortype`, body `{"message"}`) in
/// OpenAI's error shape.
pub fn error_to_chat(status: u16, error_type: Option<&str>, body: &[u8]) -> Value {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = error_type
        .map(|t| t.split(':').next().unwrap_or(t).to_string())
        .or_else(|| v.get("__type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "BedrockError".to_string());
    let message = v
        .get("message")
        .or_else(|| v.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("the upstream answered HTTP {status}"));
    let kind = match status {
        400 | 404 | 413 | 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "server_error",
    };
    json!({"error": {"message": message, "type": kind, "code": code, "param": null}})
}

/// `ConverseStream` events → `chat.completion.chunk`s, one response.
#[derive(Debug)]
pub struct ChatStream {
    model: String,
    id: String,
    created: u64,
    include_usage: bool,
    /// Content block index → OpenAI tool call index.
    tools: Vec<u64>,
}

impl ChatStream {
    /// A translator for one answer of catalogue model `model`; `include_usage`
    /// (`stream_options.include_usage`) adds the final usage chunk.
    pub fn new(model: &str, id: &str, created: u64, include_usage: bool) -> Self {
        ChatStream {
            model: model.to_string(),
            id: id.to_string(),
            created,
            include_usage,
            tools: Vec::new(),
        }
    }

    fn chunk(&self, delta: Value, finish: Option<&str>) -> Value {
        json!({
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })
    }

    /// The chunks for one event (`name` is the event-stream `:event-type`, or the
    /// `:exception-type` of an exception).
    pub fn event(&mut self, name: &str, v: &Value) -> Vec<Value> {
        let index = v.get("contentBlockIndex").and_then(Value::as_u64);
        match name {
            "messageStart" => vec![self.chunk(json!({"role": "assistant", "content": ""}), None)],
            "contentBlockStart" => {
                let Some(t) = v.pointer("/start/toolUse") else {
                    return Vec::new();
                };
                let i = self.tools.len();
                self.tools.push(index.unwrap_or(i as u64));
                vec![self.chunk(
                    json!({"tool_calls": [{"index": i, "id": t.get("toolUseId"), "type": "function",
                                           "function": {"name": t.get("name"), "arguments": ""}}]}),
                    None,
                )]
            }
            "contentBlockDelta" => {
                if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                    vec![self.chunk(json!({"content": t}), None)]
                } else if let Some(a) = v.pointer("/delta/toolUse/input").and_then(Value::as_str) {
                    let i = self
                        .tools
                        .iter()
                        .position(|b| Some(*b) == index)
                        .unwrap_or(self.tools.len().saturating_sub(1));
                    vec![self.chunk(
                        json!({"tool_calls": [{"index": i, "function": {"arguments": a}}]}),
                        None,
                    )]
                } else {
                    Vec::new()
                }
            }
            "messageStop" => vec![self.chunk(
                json!({}),
                Some(finish_reason(v.get("stopReason").and_then(Value::as_str))),
            )],
            "metadata" if self.include_usage => match v.get("usage") {
                Some(u) => vec![json!({
                    "id": self.id, "object": "chat.completion.chunk", "created": self.created,
                    "model": self.model, "choices": [], "usage": usage(u),
                })],
                None => Vec::new(),
            },
            n if n.ends_with("Exception") => {
                let message = v
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("the upstream ended the stream with an error");
                vec![json!({"error": {"message": message, "type": "server_error", "code": n}})]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
