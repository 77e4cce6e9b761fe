//! Restoring masked values in non-streaming JSON responses, and the types that describe
//! a response for the restorers (API kind, stream format, token usage).
//!
//! When a prompt was masked, the model's answer may contain placeholders such as
//! `〔氏名1〕`. [`restore_json_body`] puts the originals back in every string of a
//! JSON response; [`crate::payload::stream::ResponseRestorer`] does the same for
//! streams. Only string values are touched, and the rest of the body is copied
//! byte-for-byte (key order, spacing and numbers as the upstream wrote them).
//!
//! ```
//! use sekimori::inspect::Category;
//! use sekimori::mask::Placeholders;
//! use sekimori::payload::response::restore_json_body;
//! let mut t = Placeholders::new();
//! let p = t.placeholder_for(&Category::Name, "山田太郎");
//! let body = format!(r#"{{"choices":[{{"message":{{"content":"{p}様"}}}}],"usage":{{"prompt_tokens":9,"completion_tokens":3}}}}"#);
//! let (out, usage) = restore_json_body(body.as_bytes(), &t).unwrap();
//! assert_eq!(out, r#"{"choices":[{"message":{"content":"山田太郎様"}}],"usage":{"prompt_tokens":9,"completion_tokens":3}}"#.as_bytes());
//! assert_eq!(usage.unwrap().output_tokens, Some(3));
//! ```

use std::fmt;

use serde_json::Value;

use super::stream::json::{may_hold_placeholder, reserialize, restore_strings};
use crate::mask::Placeholders;

/// The API a response belongs to (decides where streamed text sits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiKind {
    /// OpenAI / Azure OpenAI Chat Completions (`chat.completion[.chunk]`).
    OpenAiChat,
    /// OpenAI / Azure OpenAI Responses API.
    OpenAiResponses,
    /// OpenAI / Azure OpenAI embeddings (no generated text; usage only).
    OpenAiEmbeddings,
    /// Anthropic Messages (first party, Bedrock InvokeModel, Vertex rawPredict).
    AnthropicMessages,
    /// Gemini / Vertex `generateContent` and `streamGenerateContent`.
    GeminiGenerateContent,
    /// AWS Bedrock `Converse` and `ConverseStream` (`output.message.content[]`; the
    /// stream's events are named by the event-stream `:event-type` header).
    BedrockConverse,
}

/// How a streamed response is framed on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamFormat {
    /// Server-sent events (`text/event-stream`).
    Sse,
    /// Gemini `streamGenerateContent` without `alt=sse`: one JSON array written
    /// incrementally (`[{…}\n,{…}]`).
    JsonArray,
    /// AWS `application/vnd.amazon.eventstream`: binary frames (prelude, headers,
    /// payload, CRC32s), decoded and re-encoded with `aws-smithy-eventstream`.
    #[cfg(feature = "gateway")]
    EventStream,
}

/// Token counts reported by the upstream, if it reported them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens (`prompt_tokens`, `input_tokens`, `promptTokenCount`, Bedrock's
    /// `inputTokens`).
    pub input_tokens: Option<u64>,
    /// Generated tokens (`completion_tokens`, `output_tokens`, or Gemini's
    /// `candidatesTokenCount` plus `thoughtsTokenCount`).
    pub output_tokens: Option<u64>,
}

impl Usage {
    /// Takes the counts `later` reports, keeping ours where it reports none (streams
    /// report usage in pieces, e.g. Anthropic's `message_start` then `message_delta`).
    pub fn merge(&mut self, later: Usage) {
        if later.input_tokens.is_some() {
            self.input_tokens = later.input_tokens;
        }
        if later.output_tokens.is_some() {
            self.output_tokens = later.output_tokens;
        }
    }

    /// The usage reported in one response body or stream event: `usage`,
    /// `message.usage` (Anthropic `message_start`), `response.usage` (Responses
    /// terminal events) or `usageMetadata` (Gemini).
    pub fn from_json(v: &Value) -> Option<Usage> {
        let u64_at = |o: &Value, keys: &[&str]| keys.iter().find_map(|k| o.get(k)?.as_u64());
        let openai_like = |u: &Value| -> Option<Usage> {
            let usage = Usage {
                input_tokens: u64_at(u, &["input_tokens", "prompt_tokens", "inputTokens"]),
                output_tokens: u64_at(u, &["output_tokens", "completion_tokens", "outputTokens"]),
            };
            (usage != Usage::default()).then_some(usage)
        };
        if let Some(u) = v.get("usageMetadata").filter(|u| u.is_object()) {
            let candidates = u64_at(u, &["candidatesTokenCount"]);
            let thoughts = u64_at(u, &["thoughtsTokenCount"]);
            let output = match (candidates, thoughts) {
                (None, None) => None,
                (c, t) => Some(c.unwrap_or(0).saturating_add(t.unwrap_or(0))),
            };
            let usage = Usage {
                input_tokens: u64_at(u, &["promptTokenCount"]),
                output_tokens: output,
            };
            return (usage != Usage::default()).then_some(usage);
        }
        [
            v.get("usage"),
            v.get("message").and_then(|m| m.get("usage")),
            v.get("response").and_then(|r| r.get("usage")),
        ]
        .into_iter()
        .flatten()
        .filter(|u| u.is_object())
        .find_map(openai_like)
    }
}

/// Why a response body could not be restored. Carries positions only, never body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// The body is not valid JSON (position of the first error, 1-based).
    InvalidJson {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
    },
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::InvalidJson { line, column } => write!(
                f,
                "response body is not valid JSON (line {line}, column {column})"
            ),
        }
    }
}

impl std::error::Error for RestoreError {}

/// Restores placeholders in every string of a JSON response body.
///
/// Returns the body to send (the input bytes themselves when nothing needed
/// restoring; otherwise the input with only the changed strings rewritten) and the
/// usage the body reports. Strings under `arguments` (tool calls) are JSON source, so
/// restored values are JSON-escaped there. A body that is not JSON is an error: the
/// caller must not forward it unrestored without deciding to.
pub fn restore_json_body(
    body: &[u8],
    table: &Placeholders,
) -> Result<(Vec<u8>, Option<Usage>), RestoreError> {
    let raw =
        std::str::from_utf8(body).map_err(|_| RestoreError::InvalidJson { line: 0, column: 0 })?;
    let mut value: Value = serde_json::from_str(raw).map_err(|e| RestoreError::InvalidJson {
        line: e.line(),
        column: e.column(),
    })?;
    let usage = Usage::from_json(&value);
    if table.is_empty() || !may_hold_placeholder(body) {
        return Ok((body.to_vec(), usage));
    }
    let mut repl = Vec::new();
    restore_strings(&mut value, table, &mut Vec::new(), None, &mut repl);
    if repl.is_empty() {
        return Ok((body.to_vec(), usage));
    }
    Ok((reserialize(raw, &value, &repl).into_bytes(), usage))
}

/// The stream format of a response, or `None` if it is not a stream (restore it with
/// [`restore_json_body`]).
///
/// `text/event-stream` is [`StreamFormat::Sse`] for every API, and
/// `application/vnd.amazon.eventstream` (Bedrock) the binary event stream. For Gemini, an
/// `application/json` response is [`StreamFormat::JsonArray`] unless the query says
/// `alt=sse`; the JSON-array restorer also handles a plain (non-streaming)
/// `generateContent` object correctly, so callers that cannot tell the two endpoints
/// apart may stream both. `content_type` may carry parameters (`; charset=utf-8`).
pub fn stream_format(
    kind: ApiKind,
    content_type: Option<&str>,
    query: Option<&str>,
) -> Option<StreamFormat> {
    let mime = content_type?
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "text/event-stream" {
        return Some(StreamFormat::Sse);
    }
    #[cfg(feature = "gateway")]
    if mime == "application/vnd.amazon.eventstream" {
        return Some(StreamFormat::EventStream);
    }
    let alt_sse = query.is_some_and(|q| q.split('&').any(|p| p.eq_ignore_ascii_case("alt=sse")));
    match kind {
        ApiKind::GeminiGenerateContent if mime == "application/json" && !alt_sse => {
            Some(StreamFormat::JsonArray)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Placeholders {
        let mut t = Placeholders::new();
        // Fixed placeholders: the fixtures below are JSON bodies written by hand.
        t.with_fixed("〔氏名1〕", "山田 \"太郎\"");
        t.with_fixed("〔電話1〕", "090-1234-5678");
        t
    }

    #[test]
    fn restores_every_string_and_keeps_the_rest() {
        // (name, body, expected body or None = unchanged, expected usage)
        let cases: &[(&str, &str, Option<&str>, Option<Usage>)] = &[
            (
                "openai chat",
                r#"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"〔氏名1〕様、〔電話1〕"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}"#,
                Some(
                    r#"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"山田 \"太郎\"様、090-1234-5678"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}"#,
                ),
                Some(Usage {
                    input_tokens: Some(5),
                    output_tokens: Some(7),
                }),
            ),
            (
                "tool call arguments are JSON text",
                r#"{"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":"{\"n\":\"〔氏名1〕\"}"}}]}}]}"#,
                Some(
                    r#"{"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":"{\"n\":\"山田 \\\"太郎\\\"\"}"}}]}}]}"#,
                ),
                None,
            ),
            (
                "anthropic",
                r#"{"type":"message","content":[{"type":"text","text":"〔電話1〕です"},{"type":"tool_use","input":{"who":"〔氏名1〕"}}],"usage":{"input_tokens":3,"output_tokens":4}}"#,
                Some(
                    r#"{"type":"message","content":[{"type":"text","text":"090-1234-5678です"},{"type":"tool_use","input":{"who":"山田 \"太郎\""}}],"usage":{"input_tokens":3,"output_tokens":4}}"#,
                ),
                Some(Usage {
                    input_tokens: Some(3),
                    output_tokens: Some(4),
                }),
            ),
            (
                "gemini, escaped bracket",
                r#"{"candidates":[{"content":{"parts":[{"text":"\u3014電話1\u3015"}]}}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":3,"thoughtsTokenCount":4}}"#,
                Some(
                    r#"{"candidates":[{"content":{"parts":[{"text":"090-1234-5678"}]}}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":3,"thoughtsTokenCount":4}}"#,
                ),
                Some(Usage {
                    input_tokens: Some(2),
                    output_tokens: Some(7),
                }),
            ),
            (
                "anthropic signed thinking stays masked",
                r#"{"content":[{"type":"thinking","thinking":"〔氏名1〕について","signature":"c2ln"},{"type":"text","text":"〔氏名1〕"}]}"#,
                Some(
                    r#"{"content":[{"type":"thinking","thinking":"〔氏名1〕について","signature":"c2ln"},{"type":"text","text":"山田 \"太郎\""}]}"#,
                ),
                None,
            ),
            (
                "unknown placeholder untouched",
                r#"{"output":[{"content":[{"type":"output_text","text":"〔氏名9〕"}]}],"usage":{"input_tokens":1,"output_tokens":2}}"#,
                None,
                Some(Usage {
                    input_tokens: Some(1),
                    output_tokens: Some(2),
                }),
            ),
            (
                "bedrock converse, signed reasoning stays masked",
                r#"{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"〔氏名1〕を","signature":"c2ln"}}},{"text":"〔氏名1〕様"},{"toolUse":{"toolUseId":"t1","name":"f","input":{"tel":"〔電話1〕"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":12,"outputTokens":5,"totalTokens":17}}"#,
                Some(
                    r#"{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"〔氏名1〕を","signature":"c2ln"}}},{"text":"山田 \"太郎\"様"},{"toolUse":{"toolUseId":"t1","name":"f","input":{"tel":"090-1234-5678"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":12,"outputTokens":5,"totalTokens":17}}"#,
                ),
                Some(Usage {
                    input_tokens: Some(12),
                    output_tokens: Some(5),
                }),
            ),
            (
                "embeddings",
                r#"{"data":[{"embedding":[0.1,-2e-3]}],"usage":{"prompt_tokens":8,"total_tokens":8}}"#,
                None,
                Some(Usage {
                    input_tokens: Some(8),
                    output_tokens: None,
                }),
            ),
        ];
        let t = table();
        for (name, body, want, usage) in cases {
            let (out, u) = restore_json_body(body.as_bytes(), &t).unwrap();
            let want = want.unwrap_or(body);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{name}");
            assert_eq!(u, *usage, "{name}");
        }
    }

    #[test]
    fn invalid_json_is_an_error_without_body_text() {
        let t = table();
        for body in [&b"{\"a\":"[..], b"\xff\xfe", b"data: {}"] {
            let err = restore_json_body(body, &t).unwrap_err();
            assert!(!err.to_string().contains("data"));
        }
    }

    #[test]
    fn stream_format_table() {
        use ApiKind::*;
        let cases = [
            (
                OpenAiChat,
                Some("text/event-stream; charset=utf-8"),
                None,
                Some(StreamFormat::Sse),
            ),
            (OpenAiChat, Some("application/json"), None, None),
            (
                AnthropicMessages,
                Some("Text/Event-Stream"),
                None,
                Some(StreamFormat::Sse),
            ),
            (
                GeminiGenerateContent,
                Some("application/json; charset=UTF-8"),
                None,
                Some(StreamFormat::JsonArray),
            ),
            (
                GeminiGenerateContent,
                Some("application/json"),
                Some("alt=sse"),
                None,
            ),
            (
                GeminiGenerateContent,
                Some("text/event-stream"),
                Some("alt=sse&key=x"),
                Some(StreamFormat::Sse),
            ),
            (OpenAiEmbeddings, Some("application/json"), None, None),
            (
                BedrockConverse,
                Some("application/vnd.amazon.eventstream"),
                None,
                Some(StreamFormat::EventStream),
            ),
            (BedrockConverse, Some("application/json"), None, None),
            (OpenAiResponses, None, None, None),
        ];
        for (kind, ct, q, want) in cases {
            assert_eq!(stream_format(kind, ct, q), want, "{kind:?} {ct:?} {q:?}");
        }
    }
}
