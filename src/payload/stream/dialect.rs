//! Where each API puts streamed text, and the per-channel restoration state.
//!
//! A *channel* is one growing text of a response: a choice's `content` or a tool
//! call's `arguments` (OpenAI Chat), one `*.delta` stream of an output item (OpenAI
//! Responses), a text or tool-input content block (Anthropic; signed thinking stays
//! masked), a candidate's text or thought parts (Gemini). Each channel has its own [`SharedStreamRestorer`]: a placeholder split
//! across two events of the same channel is restored in the second event, and what a
//! channel still holds when it ends is released in the event that ends it, or in a
//! synthesized event of the channel's own shape just before that event.

use std::sync::Arc;

use serde_json::{json, Value};

use super::json::{
    get_mut, jpath, reserialize, restore_strings, rewrite_raw, string_at, Path, Replacement,
};
use crate::mask::{Escape, Placeholders, SharedStreamRestorer};
use crate::payload::response::{ApiKind, Usage};

/// Identity of a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    /// OpenAI Chat: choice `index` and the delta field.
    Chat { choice: u64, field: ChatField },
    /// OpenAI Responses: a `*.delta` event type and the item/part it belongs to.
    Responses {
        event: String,
        item_id: Option<String>,
        output_index: Option<u64>,
        content_index: Option<u64>,
        summary_index: Option<u64>,
    },
    /// Anthropic: content block `index` and the delta's text field.
    Anthropic { index: u64, field: &'static str },
    /// Gemini: candidate `index`, text or thought parts.
    Gemini { candidate: u64, thought: bool },
    /// Bedrock Converse: `contentBlockIndex` and the delta's field (`text`, `toolUse`).
    Converse { index: u64, field: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChatField {
    Content,
    Refusal,
    Reasoning,
    Tool(u64),
    FunctionCall,
}

/// A channel text found in an event.
struct Field {
    key: Key,
    path: Path,
    escape: Escape,
}

/// Which channels an event ends.
enum End {
    /// Every channel for which the predicate holds.
    Matching(fn(&Key, &Value) -> bool, Value),
    /// Every channel.
    All,
}

/// A synthesized event: its SSE `event:` name and JSON data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Synth {
    /// SSE event name, if the API names its events.
    pub(crate) event: Option<String>,
    /// The JSON data.
    pub(crate) data: String,
}

/// What to do with one event.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Events to send before this one.
    pub(crate) before: Vec<Synth>,
    /// New data for this event, or `None` to forward it unchanged.
    pub(crate) data: Option<String>,
}

struct Channel {
    key: Key,
    restorer: SharedStreamRestorer,
    /// How to release held text without a host event. Set whenever the channel holds
    /// text.
    template: Option<Template>,
}

/// A synthesized event of a channel's shape: the last event of the channel with the
/// value at `at` replaced by `shape`, whose string at `slot` receives the text.
struct Template {
    event: Option<String>,
    raw: String,
    at: Path,
    shape: Value,
    slot: Path,
    /// Per-event members reset in the copy (e.g. `logprobs` of the tokens the
    /// template event carried).
    reset: Vec<Replacement>,
}

impl Template {
    fn render(mut self, text: String) -> Synth {
        if let Some(v) = get_mut(&mut self.shape, &self.slot) {
            *v = Value::String(text);
        }
        let mut repl = std::mem::take(&mut self.reset);
        repl.push((self.at.clone(), self.shape.to_string()));
        let data = rewrite_raw(&self.raw, &repl).unwrap_or_else(|| {
            let mut v: Value = serde_json::from_str(&self.raw).unwrap_or(Value::Null);
            for (at, json) in repl {
                if let (Some(slot), Ok(new)) = (get_mut(&mut v, &at), serde_json::from_str(&json)) {
                    *slot = new;
                }
            }
            v.to_string()
        });
        Synth {
            event: self.event,
            data,
        }
    }
}

/// The per-response state of the restorer for one API.
pub(crate) struct Dialect {
    kind: ApiKind,
    table: Arc<Placeholders>,
    channels: Vec<Channel>,
    usage: Option<Usage>,
    /// The restorer of the text channel that ended last: the next text channel (the
    /// next content block) continues its URL context, since clients may render the
    /// blocks glued together.
    text_seed: Option<SharedStreamRestorer>,
}

impl Dialect {
    /// State for one response of `kind`.
    pub(crate) fn new(kind: ApiKind, table: Arc<Placeholders>) -> Self {
        Dialect {
            kind,
            table,
            channels: Vec::new(),
            usage: None,
            text_seed: None,
        }
    }

    /// Usage reported so far.
    pub(crate) fn usage(&self) -> Option<Usage> {
        self.usage
    }

    /// Processes one event (`data` is the SSE data or a JSON-array element).
    pub(crate) fn event(&mut self, name: Option<&str>, data: &str) -> Outcome {
        let mut value: Value = match serde_json::from_str(data) {
            Ok(v) => v,
            Err(_) => {
                // Not JSON: forwarded unchanged (never dropped). `[DONE]` ends the
                // OpenAI Chat stream, so whatever is still held goes out before it.
                let mut out = Outcome::default();
                if data.trim() == "[DONE]" {
                    out.before = self.end_channels(&End::All, &[]);
                }
                return out;
            }
        };
        if let Some(u) = Usage::from_json(&value) {
            self.usage.get_or_insert_with(Usage::default).merge(u);
        }
        if self.table.is_empty() {
            // Nothing was masked: every event goes out as it came.
            return Outcome::default();
        }
        if !known_event(self.kind, name, &value) {
            // An event type this module does not know: forwarded untouched, since we
            // cannot tell which of its strings are JSON source or signed.
            return Outcome::default();
        }
        let (fields, ends) = match self.kind {
            ApiKind::OpenAiChat => chat_fields(&value),
            ApiKind::OpenAiResponses => responses_fields(&value),
            ApiKind::AnthropicMessages => anthropic_fields(&value),
            ApiKind::GeminiGenerateContent => gemini_fields(&value),
            ApiKind::BedrockConverse => converse_fields(name, &value),
            ApiKind::OpenAiEmbeddings => (Vec::new(), Vec::new()),
        };
        let may_hold = super::json::may_hold_placeholder(data.as_bytes());
        if fields.is_empty() && ends.is_empty() && !may_hold {
            return Outcome::default();
        }

        // Take the channel texts out, restore every other string, put them back.
        let mut texts: Vec<String> = Vec::with_capacity(fields.len());
        for f in &fields {
            let s = get_mut(&mut value, &f.path)
                .and_then(|v| match v {
                    Value::String(s) => Some(std::mem::take(s)),
                    _ => None,
                })
                .unwrap_or_default();
            texts.push(s);
        }
        let mut repl: Vec<Replacement> = Vec::new();
        if may_hold {
            restore_strings(&mut value, &self.table, &mut Vec::new(), None, &mut repl);
        }
        for (f, text) in fields.iter().zip(texts) {
            let released = self.channel(&f.key, f.escape).restorer.push(&text);
            if released != text {
                repl.push(string_at(f.path.clone(), &released));
            }
            if let Some(slot) = get_mut(&mut value, &f.path) {
                *slot = Value::String(released);
            }
            let holding = self.find(&f.key).is_some_and(|c| c.restorer.is_holding());
            if holding {
                let template = template(name, data, &value, f);
                if let Some(c) = self.find(&f.key) {
                    c.template = Some(template);
                }
            }
        }

        // Channels this event ends: release what they hold.
        let mut before = Vec::new();
        for end in &ends {
            before.extend(self.end_channels_in(end, &fields, &mut value, &mut repl));
        }

        let data = (!repl.is_empty()).then(|| reserialize(data, &value, &repl));
        Outcome { before, data }
    }

    /// Ends the stream: releases every channel's held text in synthesized events.
    pub(crate) fn finish(&mut self) -> Vec<Synth> {
        self.end_channels(&End::All, &[])
    }

    fn find(&mut self, key: &Key) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.key == *key)
    }

    fn channel(&mut self, key: &Key, escape: Escape) -> &mut Channel {
        let at = match self.channels.iter().position(|c| c.key == *key) {
            Some(i) => i,
            None => {
                let restorer = match (&self.text_seed, escape) {
                    (Some(seed), Escape::None) => seed.continuing(),
                    _ => SharedStreamRestorer::new(self.table.clone(), escape),
                };
                self.channels.push(Channel {
                    key: key.clone(),
                    restorer,
                    template: None,
                });
                self.channels.len() - 1
            }
        };
        &mut self.channels[at]
    }

    /// Removes the channels `end` selects; held text goes into this event's field of
    /// the channel if it has one, else into a synthesized event (returned).
    fn end_channels_in(
        &mut self,
        end: &End,
        fields: &[Field],
        value: &mut Value,
        repl: &mut Vec<Replacement>,
    ) -> Vec<Synth> {
        let mut synth = Vec::new();
        let mut kept = Vec::with_capacity(self.channels.len());
        for mut c in std::mem::take(&mut self.channels) {
            let ends = match end {
                End::All => true,
                End::Matching(pred, arg) => pred(&c.key, arg),
            };
            if !ends {
                kept.push(c);
                continue;
            }
            let rest = c.restorer.finish();
            if c.restorer.escape() == Escape::None {
                self.text_seed = Some(c.restorer.clone());
            }
            if rest.is_empty() {
                continue;
            }
            let host = fields.iter().rev().find(|f| f.key == c.key);
            match host.and_then(|f| Some((f, get_mut(value, &f.path)?))) {
                Some((f, Value::String(s))) => {
                    s.push_str(&rest);
                    repl.retain(|(p, _)| *p != f.path);
                    repl.push(string_at(f.path.clone(), s));
                }
                _ => {
                    // A channel holding text always has a template (set on the push
                    // that left text held).
                    debug_assert!(c.template.is_some());
                    if let Some(t) = c.template.take() {
                        synth.push(t.render(rest));
                    }
                }
            }
        }
        self.channels = kept;
        synth
    }

    fn end_channels(&mut self, end: &End, fields: &[Field]) -> Vec<Synth> {
        let mut dummy = Value::Null;
        self.end_channels_in(end, fields, &mut dummy, &mut Vec::new())
    }
}

/// The template for releasing a channel's held text: the event `raw` (which carried
/// the channel's field `f`) reduced to that channel.
fn template(name: Option<&str>, raw: &str, event: &Value, f: &Field) -> Template {
    let (at, shape, slot) = match &f.key {
        Key::Chat { choice, field } => {
            let (delta, slot) = match field {
                ChatField::Content => (json!({"content": ""}), jpath!["content"]),
                ChatField::Refusal => (json!({"refusal": ""}), jpath!["refusal"]),
                ChatField::Reasoning => (
                    json!({"reasoning_content": ""}),
                    jpath!["reasoning_content"],
                ),
                ChatField::Tool(i) => (
                    json!({"tool_calls": [{"index": i, "function": {"arguments": ""}}]}),
                    jpath!["tool_calls", 0, "function", "arguments"],
                ),
                ChatField::FunctionCall => (
                    json!({"function_call": {"arguments": ""}}),
                    jpath!["function_call", "arguments"],
                ),
            };
            let mut full = jpath![0, "delta"];
            full.extend(slot);
            let shape = json!([{"index": choice, "delta": delta, "finish_reason": null}]);
            (jpath!["choices"], shape, full)
        }
        Key::Gemini { candidate, thought } => {
            let part = if *thought {
                json!({"text": "", "thought": true})
            } else {
                json!({"text": ""})
            };
            let shape =
                json!([{"content": {"parts": [part], "role": "model"}, "index": candidate}]);
            (
                jpath!["candidates"],
                shape,
                jpath![0, "content", "parts", 0, "text"],
            )
        }
        // The delta event itself has the channel's shape.
        Key::Responses { .. } | Key::Anthropic { .. } | Key::Converse { .. } => {
            (f.path.clone(), json!(""), jpath![])
        }
    };
    let reset = match event.get("logprobs") {
        Some(Value::Array(a)) if !a.is_empty() => vec![(jpath!["logprobs"], "[]".to_string())],
        _ => Vec::new(),
    };
    Template {
        event: name.map(str::to_string),
        raw: raw.to_string(),
        at,
        shape,
        slot,
        reset,
    }
}

/// Whether the event is of a type whose strings may be restored. OpenAI Chat and
/// Gemini events carry no type; Responses events are the documented `response.*`
/// family and `error`; Anthropic's are listed (with the delta types of
/// `content_block_delta`); Bedrock Converse's by their event-stream name, a
/// `contentBlockDelta` only with text or tool input (signed reasoning is left alone).
fn known_event(kind: ApiKind, name: Option<&str>, v: &Value) -> bool {
    let ty = v.get("type").and_then(Value::as_str);
    match kind {
        ApiKind::BedrockConverse => match name {
            Some("contentBlockDelta") => v
                .get("delta")
                .is_some_and(|d| d.get("text").is_some() || d.get("toolUse").is_some()),
            Some(n) => {
                matches!(
                    n,
                    "messageStart"
                        | "contentBlockStart"
                        | "contentBlockStop"
                        | "messageStop"
                        | "metadata"
                ) || n.ends_with("Exception")
            }
            None => false,
        },
        ApiKind::OpenAiChat | ApiKind::GeminiGenerateContent | ApiKind::OpenAiEmbeddings => true,
        ApiKind::OpenAiResponses => ty.is_some_and(|t| t.starts_with("response.") || t == "error"),
        ApiKind::AnthropicMessages => match ty {
            Some("content_block_delta") => matches!(
                v.get("delta")
                    .and_then(|d| d.get("type"))
                    .and_then(Value::as_str),
                Some("text_delta" | "input_json_delta" | "citations_delta")
            ),
            Some(t) => matches!(
                t,
                "message_start"
                    | "content_block_start"
                    | "content_block_stop"
                    | "message_delta"
                    | "message_stop"
                    | "ping"
                    | "error"
            ),
            None => false,
        },
    }
}

fn index_or(v: &Value, fallback: usize) -> u64 {
    v.get("index")
        .and_then(Value::as_u64)
        .unwrap_or(fallback as u64)
}

fn is_str(v: &Value, p: &Path) -> bool {
    let mut cur = v;
    for seg in p {
        let next = match seg {
            super::json::Seg::Key(k) => cur.get(k.as_str()),
            super::json::Seg::Index(i) => cur.get(*i),
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    cur.is_string()
}

/// OpenAI Chat: `choices[i].delta.{content,refusal,reasoning_content}`,
/// `choices[i].delta.tool_calls[j].function.arguments`; a choice's `finish_reason`
/// ends its channels.
fn chat_fields(v: &Value) -> (Vec<Field>, Vec<End>) {
    let mut fields = Vec::new();
    let mut ends = Vec::new();
    let Some(choices) = v.get("choices").and_then(Value::as_array) else {
        return (fields, ends);
    };
    for (ci, choice) in choices.iter().enumerate() {
        let idx = index_or(choice, ci);
        for (name, field) in [
            ("content", ChatField::Content),
            ("refusal", ChatField::Refusal),
            ("reasoning_content", ChatField::Reasoning),
        ] {
            let p = jpath!["choices", ci, "delta", name];
            if is_str(v, &p) {
                fields.push(Field {
                    key: Key::Chat { choice: idx, field },
                    path: p,
                    escape: Escape::None,
                });
            }
        }
        if let Some(calls) = choice
            .get("delta")
            .and_then(|d| d.get("tool_calls"))
            .and_then(Value::as_array)
        {
            for (ti, call) in calls.iter().enumerate() {
                let p = jpath![
                    "choices",
                    ci,
                    "delta",
                    "tool_calls",
                    ti,
                    "function",
                    "arguments"
                ];
                if is_str(v, &p) {
                    fields.push(Field {
                        key: Key::Chat {
                            choice: idx,
                            field: ChatField::Tool(index_or(call, ti)),
                        },
                        path: p,
                        escape: Escape::JsonString,
                    });
                }
            }
        }
        let p = jpath!["choices", ci, "delta", "function_call", "arguments"];
        if is_str(v, &p) {
            fields.push(Field {
                key: Key::Chat {
                    choice: idx,
                    field: ChatField::FunctionCall,
                },
                path: p,
                escape: Escape::JsonString,
            });
        }
        if choice.get("finish_reason").is_some_and(|r| !r.is_null()) {
            ends.push(End::Matching(
                |k, arg| matches!(k, Key::Chat { choice, .. } if Some(*choice) == arg.as_u64()),
                json!(idx),
            ));
        }
    }
    (fields, ends)
}

/// OpenAI Responses: every `*.delta` event with a string `delta`; a `*.done` event
/// ends the channels of its item; terminal events end all.
fn responses_fields(v: &Value) -> (Vec<Field>, Vec<End>) {
    let mut fields = Vec::new();
    let mut ends = Vec::new();
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let item_id = v.get("item_id").and_then(Value::as_str);
    if ty.ends_with(".delta") && v.get("delta").is_some_and(Value::is_string) {
        let u = |k: &str| v.get(k).and_then(Value::as_u64);
        fields.push(Field {
            key: Key::Responses {
                event: ty.to_string(),
                item_id: item_id.map(str::to_string),
                output_index: u("output_index"),
                content_index: u("content_index"),
                summary_index: u("summary_index"),
            },
            path: jpath!["delta"],
            escape: if ty.contains("arguments") {
                Escape::JsonString
            } else {
                Escape::None
            },
        });
    } else if matches!(
        ty,
        "response.completed" | "response.failed" | "response.incomplete" | "error"
    ) {
        ends.push(End::All);
    } else if ty.ends_with(".done") {
        match item_id {
            Some(id) => ends.push(End::Matching(
                |k, arg| {
                    matches!(k, Key::Responses { item_id: Some(i), .. } if Some(i.as_str()) == arg.as_str())
                },
                json!(id),
            )),
            None => ends.push(End::All),
        }
    }
    (fields, ends)
}

/// Anthropic: `content_block_delta` with `text_delta` or `input_json_delta` (not
/// the signed `thinking_delta`); `content_block_stop` ends its block; `message_delta`,
/// `message_stop` and `error` end all.
fn anthropic_fields(v: &Value) -> (Vec<Field>, Vec<End>) {
    let mut fields = Vec::new();
    let mut ends = Vec::new();
    let index = v.get("index").and_then(Value::as_u64);
    match v.get("type").and_then(Value::as_str) {
        Some("content_block_delta") => {
            let dt = v
                .get("delta")
                .and_then(|d| d.get("type"))
                .and_then(Value::as_str);
            let (field, escape) = match dt {
                Some("text_delta") => ("text", Escape::None),
                Some("input_json_delta") => ("partial_json", Escape::JsonString),
                // `thinking_delta` is left masked: the block is signed and goes back
                // to the API unmodified (see `json::restore_strings`).
                _ => return (fields, ends),
            };
            let p = jpath!["delta", field];
            if let (Some(index), true) = (index, is_str(v, &p)) {
                fields.push(Field {
                    key: Key::Anthropic { index, field },
                    path: p,
                    escape,
                });
            }
        }
        Some("content_block_stop") => ends.push(End::Matching(
            |k, arg| matches!(k, Key::Anthropic { index, .. } if Some(*index) == arg.as_u64()),
            json!(index),
        )),
        Some("message_delta" | "message_stop" | "error") => ends.push(End::All),
        _ => {}
    }
    (fields, ends)
}

/// Bedrock Converse: `contentBlockDelta` with `delta.text` or `delta.toolUse.input`
/// (JSON source); `contentBlockStop` ends its block; `messageStop` and exceptions end
/// all.
fn converse_fields(name: Option<&str>, v: &Value) -> (Vec<Field>, Vec<End>) {
    let mut fields = Vec::new();
    let mut ends = Vec::new();
    let index = v.get("contentBlockIndex").and_then(Value::as_u64);
    match name {
        Some("contentBlockDelta") => {
            for (field, p, escape) in [
                ("text", jpath!["delta", "text"], Escape::None),
                (
                    "toolUse",
                    jpath!["delta", "toolUse", "input"],
                    Escape::JsonString,
                ),
            ] {
                if let (Some(index), true) = (index, is_str(v, &p)) {
                    fields.push(Field {
                        key: Key::Converse { index, field },
                        path: p,
                        escape,
                    });
                }
            }
        }
        Some("contentBlockStop") => ends.push(End::Matching(
            |k, arg| matches!(k, Key::Converse { index, .. } if Some(*index) == arg.as_u64()),
            json!(index),
        )),
        Some("messageStop") => ends.push(End::All),
        Some(n) if n.ends_with("Exception") => ends.push(End::All),
        _ => {}
    }
    (fields, ends)
}

/// Gemini: `candidates[i].content.parts[j].text` (thought parts apart); a candidate's
/// `finishReason` ends its channels.
fn gemini_fields(v: &Value) -> (Vec<Field>, Vec<End>) {
    let mut fields = Vec::new();
    let mut ends = Vec::new();
    let Some(candidates) = v.get("candidates").and_then(Value::as_array) else {
        return (fields, ends);
    };
    for (ci, cand) in candidates.iter().enumerate() {
        let idx = index_or(cand, ci);
        let parts = cand
            .get("content")
            .and_then(|c| c.get("parts"))
            .and_then(Value::as_array);
        for (pj, part) in parts.into_iter().flatten().enumerate() {
            if part.get("text").is_some_and(Value::is_string) {
                let thought = part
                    .get("thought")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                fields.push(Field {
                    key: Key::Gemini {
                        candidate: idx,
                        thought,
                    },
                    path: jpath!["candidates", ci, "content", "parts", pj, "text"],
                    escape: Escape::None,
                });
            }
        }
        if cand.get("finishReason").is_some_and(|r| !r.is_null()) {
            ends.push(End::Matching(
                |k, arg| matches!(k, Key::Gemini { candidate, .. } if Some(*candidate) == arg.as_u64()),
                json!(idx),
            ));
        }
    }
    (fields, ends)
}
