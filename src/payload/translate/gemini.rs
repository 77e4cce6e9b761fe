//! Translation between the OpenAI Chat Completions format and Gemini
//! `generateContent` (Vertex AI), for catalogue models such as `gemini-1.5-flash`.
//!
//! - [`chat_to_gemini`]: system and developer messages → `systemInstruction`, turns →
//!   `contents[]` (`assistant` → `model`, adjacent turns of one role merged), assistant
//!   `tool_calls` → `functionCall` parts, `tool` messages → `functionResponse` parts
//!   (named by the call they answer), `tools` / `tool_choice` → `tools` /
//!   `toolConfig`, settings → `generationConfig`.
//! - [`gemini_to_chat`]: an answer back to a `chat.completion`.
//! - [`GeminiChatStream`]: streamed `GenerateContentResponse`s → chunks.
//! - [`error_to_chat`]: Google's error shape → OpenAI's.

use serde_json::{json, Map, Value};

use super::TranslateError;

fn bad(msg: impl Into<String>) -> TranslateError {
    TranslateError(msg.into())
}

fn texts(content: &Value, at: &str) -> Result<Vec<Value>, TranslateError> {
    let parts = match content {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
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
                    "{at}.content[{i}] is not a text part and is not translated to Gemini; send text parts only"
                ))),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(bad(format!("{at}.content is neither a string nor an array of parts"))),
    };
    Ok(parts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|t| json!({"text": t}))
        .collect())
}

/// An OpenAI Chat Completions request (already masked) as a `generateContent` body.
pub fn chat_to_gemini(chat: &Value) -> Result<Value, TranslateError> {
    let msgs = chat
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("messages is missing or not an array"))?;
    if chat.get("n").and_then(Value::as_u64).is_some_and(|n| n > 1) {
        return Err(bad("n > 1 is not supported by this translation"));
    }
    let mut system = Vec::new();
    let mut contents: Vec<(String, Vec<Value>)> = Vec::new();
    // tool_call_id → function name (a functionResponse is named, not numbered).
    let mut call_names: Vec<(Value, Value)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let at = format!("messages[{i}]");
        let content = m.get("content").unwrap_or(&Value::Null);
        let (role, parts) = match m.get("role").and_then(Value::as_str).unwrap_or_default() {
            "system" | "developer" => {
                system.extend(texts(content, &at)?);
                continue;
            }
            "user" => ("user", texts(content, &at)?),
            "assistant" => {
                let mut parts = texts(content, &at)?;
                for (j, call) in m
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let f = call.get("function").unwrap_or(&Value::Null);
                    let args = f.get("arguments").and_then(Value::as_str).unwrap_or("{}");
                    let args: Value =
                        serde_json::from_str(if args.trim().is_empty() { "{}" } else { args })
                            .map_err(|_| {
                                bad(format!(
                                    "{at}.tool_calls[{j}].function.arguments is not JSON"
                                ))
                            })?;
                    let name = f.get("name").cloned().unwrap_or(Value::Null);
                    call_names.push((call.get("id").cloned().unwrap_or(Value::Null), name.clone()));
                    parts.push(json!({"functionCall": {"name": name, "args": args}}));
                }
                ("model", parts)
            }
            "tool" => {
                let id = m.get("tool_call_id").cloned().unwrap_or(Value::Null);
                let name = call_names
                    .iter()
                    .find(|(c, _)| *c == id)
                    .map(|(_, n)| n.clone())
                    .ok_or_else(|| {
                        bad(format!("{at}.tool_call_id answers no earlier tool call"))
                    })?;
                let text: String = texts(content, &at)?
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .collect();
                (
                    "user",
                    vec![
                        json!({"functionResponse": {"name": name, "response": {"content": text}}}),
                    ],
                )
            }
            _ => {
                return Err(bad(format!(
                    "{at}.role is not one of system, developer, user, assistant, tool"
                )))
            }
        };
        match contents.last_mut() {
            Some((r, p)) if r == role => p.extend(parts),
            _ => contents.push((role.to_string(), parts)),
        }
    }
    let mut out = Map::new();
    out.insert(
        "contents".into(),
        Value::Array(
            contents
                .into_iter()
                .map(|(role, parts)| json!({"role": role, "parts": parts}))
                .collect(),
        ),
    );
    if !system.is_empty() {
        out.insert("systemInstruction".into(), json!({"parts": system}));
    }
    let mut gen = Map::new();
    if let Some(n) = chat
        .get("max_completion_tokens")
        .or_else(|| chat.get("max_tokens"))
        .filter(|v| v.is_u64())
    {
        gen.insert("maxOutputTokens".into(), n.clone());
    }
    for (from, to) in [("temperature", "temperature"), ("top_p", "topP")] {
        if let Some(v) = chat.get(from).filter(|v| v.is_number()) {
            gen.insert(to.into(), v.clone());
        }
    }
    match chat.get("stop") {
        Some(Value::String(s)) => {
            gen.insert("stopSequences".into(), json!([s]));
        }
        Some(Value::Array(a)) => {
            gen.insert("stopSequences".into(), Value::Array(a.clone()));
        }
        _ => {}
    }
    if !gen.is_empty() {
        out.insert("generationConfig".into(), Value::Object(gen));
    }
    let decls: Vec<Value> = chat
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
        .map(|t| {
            let f = t.get("function").unwrap_or(&Value::Null);
            let mut d = Map::new();
            d.insert("name".into(), f.get("name").cloned().unwrap_or(Value::Null));
            for k in ["description", "parameters"] {
                if let Some(v) = f.get(k) {
                    d.insert(k.into(), v.clone());
                }
            }
            Value::Object(d)
        })
        .collect();
    if !decls.is_empty() {
        out.insert("tools".into(), json!([{"functionDeclarations": decls}]));
        let mode = match chat.get("tool_choice") {
            Some(Value::String(s)) if s == "required" => Some(json!({"mode": "ANY"})),
            Some(Value::String(s)) if s == "none" => Some(json!({"mode": "NONE"})),
            Some(Value::Object(o)) => o
                .get("function")
                .and_then(|f| f.get("name"))
                .map(|n| json!({"mode": "ANY", "allowedFunctionNames": [n]})),
            _ => None,
        };
        if let Some(m) = mode {
            out.insert("toolConfig".into(), json!({"functionCallingConfig": m}));
        }
    }
    Ok(Value::Object(out))
}

/// Gemini `finishReason` → OpenAI `finish_reason` (`tool_calls` when the answer
/// calls a function).
pub fn finish_reason(reason: Option<&str>, calls: bool) -> &'static str {
    match reason {
        Some("MAX_TOKENS") => "length",
        Some("SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII") => {
            "content_filter"
        }
        _ if calls => "tool_calls",
        _ => "stop",
    }
}

fn usage(u: &Value) -> Value {
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let out = n("candidatesTokenCount") + n("thoughtsTokenCount");
    json!({"prompt_tokens": n("promptTokenCount"), "completion_tokens": out,
           "total_tokens": n("promptTokenCount") + out})
}

/// Text (thought parts left out) and function calls of the first candidate.
fn parts(v: &Value) -> (String, Vec<(Value, Value)>) {
    let mut text = String::new();
    let mut calls = Vec::new();
    for p in v
        .pointer("/candidates/0/content/parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if p.get("thought").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        if let Some(t) = p.get("text").and_then(Value::as_str) {
            text.push_str(t);
        } else if let Some(c) = p.get("functionCall") {
            calls.push((
                c.get("name").cloned().unwrap_or(Value::Null),
                c.get("args").cloned().unwrap_or_else(|| json!({})),
            ));
        }
    }
    (text, calls)
}

fn tool_call(i: usize, id: &str, name: Value, args: &Value) -> Value {
    json!({"id": format!("call_{id}_{i}"), "type": "function",
           "function": {"name": name, "arguments": args.to_string()}})
}

/// A `generateContent` answer (already restored) as a `chat.completion`.
pub fn gemini_to_chat(v: &Value, model: &str, id: &str, created: u64) -> Value {
    let (text, calls) = parts(v);
    let reason = v
        .pointer("/candidates/0/finishReason")
        .and_then(Value::as_str);
    let mut message = json!({"role": "assistant",
        "content": if text.is_empty() && !calls.is_empty() { Value::Null } else { Value::String(text) }});
    let finish = finish_reason(reason, !calls.is_empty());
    if !calls.is_empty() {
        message["tool_calls"] = Value::Array(
            calls
                .into_iter()
                .enumerate()
                .map(|(i, (n, a))| tool_call(i, id, n, &a))
                .collect(),
        );
    }
    let mut out = json!({"id": id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}]});
    if let Some(u) = v.get("usageMetadata") {
        out["usage"] = usage(u);
    }
    out
}

/// A Google error answer (`{"error":{"code","message","status"}}`) in OpenAI's shape.
pub fn error_to_chat(status: u16, body: &[u8]) -> Value {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = v
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("the upstream answered HTTP {status}"));
    let code = v
        .pointer("/error/status")
        .and_then(Value::as_str)
        .unwrap_or("UNKNOWN");
    let kind = match status {
        400 | 404 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "server_error",
    };
    json!({"error": {"message": message, "type": kind, "code": code, "param": null}})
}

/// Streamed `GenerateContentResponse`s → `chat.completion.chunk`s, one response.
#[derive(Debug)]
pub struct GeminiChatStream {
    model: String,
    id: String,
    created: u64,
    started: bool,
    calls: usize,
    usage: Option<Value>,
}

impl GeminiChatStream {
    /// A translator for one answer of catalogue model `model`.
    pub fn new(model: &str, id: &str, created: u64) -> Self {
        GeminiChatStream {
            model: model.to_string(),
            id: id.to_string(),
            created,
            started: false,
            calls: 0,
            usage: None,
        }
    }

    fn chunk(&self, delta: Value, finish: Option<&str>) -> Value {
        json!({"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    }

    /// The chunks for one streamed response element.
    pub fn event(&mut self, v: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            out.push(self.chunk(json!({"role": "assistant", "content": ""}), None));
        }
        let (text, calls) = parts(v);
        if !text.is_empty() {
            out.push(self.chunk(json!({"content": text}), None));
        }
        for (name, args) in calls {
            let i = self.calls;
            self.calls += 1;
            let mut call = tool_call(i, &self.id, name, &args);
            call["index"] = json!(i);
            out.push(self.chunk(json!({"tool_calls": [call]}), None));
        }
        if let Some(u) = v.get("usageMetadata") {
            self.usage = Some(usage(u));
        }
        if let Some(r) = v
            .pointer("/candidates/0/finishReason")
            .and_then(Value::as_str)
        {
            out.push(self.chunk(json!({}), Some(finish_reason(Some(r), self.calls > 0))));
        }
        out
    }

    /// The usage chunk at the end of the stream, if the upstream reported usage.
    pub fn finish(&mut self) -> Vec<Value> {
        match self.usage.take() {
            Some(u) => vec![
                json!({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                                   "model": self.model, "choices": [], "usage": u}),
            ],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_tools_and_errors() {
        let chat = json!({"max_tokens": 50, "tool_choice": "required",
            "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
            "messages": [
                {"role": "system", "content": "丁寧に"},
                {"role": "user", "content": "〔氏名-K7Q2MX〕さんを調べて"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"who\":\"〔氏名-K7Q2MX〕\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "在籍"},
                {"role": "user", "content": "ありがとう"}]});
        assert_eq!(
            chat_to_gemini(&chat).unwrap(),
            json!({"contents": [
                    {"role": "user", "parts": [{"text": "〔氏名-K7Q2MX〕さんを調べて"}]},
                    {"role": "model", "parts": [{"functionCall": {"name": "lookup", "args": {"who": "〔氏名-K7Q2MX〕"}}}]},
                    {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"content": "在籍"}}}, {"text": "ありがとう"}]}],
                   "systemInstruction": {"parts": [{"text": "丁寧に"}]},
                   "generationConfig": {"maxOutputTokens": 50},
                   "tools": [{"functionDeclarations": [{"name": "lookup", "parameters": {"type": "object"}}]}],
                   "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}})
        );
        let bad_tool = json!({"messages": [{"role": "tool", "tool_call_id": "x", "content": "a"}]});
        assert!(chat_to_gemini(&bad_tool)
            .unwrap_err()
            .0
            .contains("answers no earlier tool call"));

        let answer = json!({"candidates": [{"content": {"role": "model", "parts": [
                {"text": "考え中", "thought": true}, {"text": "森川陽菜様"}, {"functionCall": {"name": "lookup", "args": {"n": 1}}}]},
                "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 3, "thoughtsTokenCount": 2}});
        let c = gemini_to_chat(&answer, "gemini-1.5-flash", "chatcmpl-1", 0);
        assert_eq!(c["choices"][0]["message"]["content"], "森川陽菜様");
        assert_eq!(
            c["choices"][0]["message"]["tool_calls"][0]["function"],
            json!({"name": "lookup", "arguments": "{\"n\":1}"})
        );
        assert_eq!(c["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(
            c["usage"],
            json!({"prompt_tokens": 8, "completion_tokens": 5, "total_tokens": 13})
        );
        assert_eq!(finish_reason(Some("MAX_TOKENS"), false), "length");
        assert_eq!(finish_reason(Some("SAFETY"), false), "content_filter");

        let e = error_to_chat(429, br#"{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}"#);
        assert_eq!(
            e["error"],
            json!({"message": "Resource exhausted", "type": "rate_limit_error", "code": "RESOURCE_EXHAUSTED", "param": null})
        );

        let mut s = GeminiChatStream::new("gemini-1.5-flash", "chatcmpl-1", 0);
        let mut chunks =
            s.event(&json!({"candidates": [{"content": {"parts": [{"text": "森川"}]}}]}));
        chunks.extend(s.event(&json!({"candidates": [{"content": {"parts": [{"text": "様"}]}, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 2}})));
        chunks.extend(s.finish());
        let content: String = chunks
            .iter()
            .filter_map(|c| {
                c.pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
            })
            .collect();
        assert_eq!(content, "森川様");
        assert_eq!(chunks[3]["choices"][0]["finish_reason"], "stop");
        assert_eq!(chunks[4]["usage"]["total_tokens"], 4);
    }
}
