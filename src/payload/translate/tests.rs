//! Table tests of the OpenAI Chat ↔ Bedrock Converse translation: requests, answers,
//! streamed events and errors.

use serde_json::json;

use super::*;

#[test]
fn requests_translate_to_converse() {
    let cases = [
        (
            "system, multi-turn, settings",
            json!({"model": "claude-3-haiku", "max_tokens": 300, "temperature": 0.2, "top_p": 0.9, "stop": "END",
                   "messages": [
                       {"role": "system", "content": "丁寧に答える"},
                       {"role": "developer", "content": [{"type": "text", "text": "短く"}]},
                       {"role": "user", "content": "〔氏名-K7Q2MX〕さんの件"},
                       {"role": "assistant", "content": "承知しました"},
                       {"role": "user", "content": [{"type": "text", "text": "続き"}, {"type": "text", "text": "です"}]}]}),
            json!({"system": [{"text": "丁寧に答える"}, {"text": "短く"}],
                   "messages": [
                       {"role": "user", "content": [{"text": "〔氏名-K7Q2MX〕さんの件"}]},
                       {"role": "assistant", "content": [{"text": "承知しました"}]},
                       {"role": "user", "content": [{"text": "続き"}, {"text": "です"}]}],
                   "inferenceConfig": {"maxTokens": 300, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]}}),
        ),
        (
            "tools, tool calls and results (adjacent user turns merged)",
            json!({"model": "claude-3-haiku", "tool_choice": "required",
                   "tools": [{"type": "function", "function": {"name": "lookup", "description": "住民検索", "parameters": {"type": "object", "properties": {"tel": {"type": "string"}}}}}],
                   "messages": [
                       {"role": "user", "content": "調べて"},
                       {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"tel\":\"〔電話-3FJ8RA〕\"}"}}]},
                       {"role": "tool", "tool_call_id": "call_1", "content": "見つかりました"},
                       {"role": "user", "content": "ありがとう"}]}),
            json!({"messages": [
                       {"role": "user", "content": [{"text": "調べて"}]},
                       {"role": "assistant", "content": [{"toolUse": {"toolUseId": "call_1", "name": "lookup", "input": {"tel": "〔電話-3FJ8RA〕"}}}]},
                       {"role": "user", "content": [{"toolResult": {"toolUseId": "call_1", "content": [{"text": "見つかりました"}]}}, {"text": "ありがとう"}]}],
                   "toolConfig": {"tools": [{"toolSpec": {"name": "lookup", "description": "住民検索", "inputSchema": {"json": {"type": "object", "properties": {"tel": {"type": "string"}}}}}}],
                                  "toolChoice": {"any": {}}}}),
        ),
        (
            "tool_choice none drops the tools",
            json!({"tool_choice": "none", "tools": [{"type": "function", "function": {"name": "f"}}],
                   "messages": [{"role": "user", "content": "hi"}]}),
            json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}),
        ),
    ];
    for (name, chat, want) in cases {
        assert_eq!(chat_to_converse(&chat).unwrap(), want, "{name}");
    }
    for (chat, why) in [
        (
            json!({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}),
            "not a text part",
        ),
        (json!({"n": 2, "messages": []}), "n > 1"),
        (
            json!({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{not json"}}]}]}),
            "not JSON",
        ),
        (json!({"model": "m"}), "messages"),
    ] {
        let e = chat_to_converse(&chat).unwrap_err();
        assert!(e.0.contains(why), "{e}");
    }
}

#[test]
fn answers_translate_back_to_chat_completions() {
    let cases = [
        (
            json!({"output": {"message": {"role": "assistant", "content": [{"text": "森川陽菜様、"}, {"text": "承知しました。"}]}},
                   "stopReason": "end_turn", "usage": {"inputTokens": 20, "outputTokens": 7, "totalTokens": 27}}),
            json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "claude-3-haiku",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "森川陽菜様、承知しました。"}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}}),
        ),
        (
            json!({"output": {"message": {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_9", "name": "lookup", "input": {"tel": "090-1234-5678"}}}]}},
                   "stopReason": "tool_use", "usage": {"inputTokens": 3, "outputTokens": 4}}),
            json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "claude-3-haiku",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": null,
                                "tool_calls": [{"id": "tooluse_9", "type": "function", "function": {"name": "lookup", "arguments": "{\"tel\":\"090-1234-5678\"}"}}]},
                                "finish_reason": "tool_calls"}],
                   "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}),
        ),
        (
            json!({"output": {"message": {"role": "assistant", "content": [{"text": "途中"}]}}, "stopReason": "max_tokens"}),
            json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "claude-3-haiku",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "途中"}, "finish_reason": "length"}]}),
        ),
    ];
    for (converse, want) in cases {
        assert_eq!(
            converse_to_chat(&converse, "claude-3-haiku", "chatcmpl-1", 5),
            want
        );
    }
    for (stop, want) in [
        (Some("end_turn"), "stop"),
        (Some("stop_sequence"), "stop"),
        (Some("guardrail_intervened"), "content_filter"),
        (Some("content_filtered"), "content_filter"),
        (None, "stop"),
    ] {
        assert_eq!(finish_reason(stop), want);
    }
}

#[test]
fn a_round_trip_keeps_the_conversation() {
    // OpenAI → Converse → (the model answers with a tool call) → OpenAI → next turn → Converse.
    let first = json!({"messages": [{"role": "user", "content": "電話して"}],
                       "tools": [{"type": "function", "function": {"name": "call", "parameters": {"type": "object"}}}]});
    let req = chat_to_converse(&first).unwrap();
    assert_eq!(req["toolConfig"]["tools"][0]["toolSpec"]["name"], "call");
    let answer = json!({"output": {"message": {"role": "assistant", "content": [{"text": "かけます"}, {"toolUse": {"toolUseId": "t1", "name": "call", "input": {"n": 1}}}]}}, "stopReason": "tool_use"});
    let chat = converse_to_chat(&answer, "claude-3-haiku", "x", 0);
    let mut next = first.clone();
    let msgs = next["messages"].as_array_mut().unwrap();
    msgs.push(chat["choices"][0]["message"].clone());
    msgs.push(json!({"role": "tool", "tool_call_id": "t1", "content": "完了"}));
    let again = chat_to_converse(&next).unwrap();
    assert_eq!(
        again["messages"][1],
        json!({"role": "assistant", "content": [{"text": "かけます"}, {"toolUse": {"toolUseId": "t1", "name": "call", "input": {"n": 1}}}]})
    );
    assert_eq!(
        again["messages"][2],
        json!({"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "完了"}]}}]})
    );
}

#[test]
fn stream_events_become_chunks() {
    let mut s = ChatStream::new("claude-3-haiku", "chatcmpl-1", 5, true);
    let events = [
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "森川様"}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "t1", "name": "call"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"n\":"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "1}"}}}),
        ),
        ("messageStop", json!({"stopReason": "tool_use"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 9, "outputTokens": 4, "totalTokens": 13}}),
        ),
    ];
    let chunks: Vec<Value> = events.iter().flat_map(|(n, v)| s.event(n, v)).collect();
    let deltas: Vec<Value> = chunks
        .iter()
        .map(|c| {
            c.pointer("/choices/0/delta")
                .cloned()
                .unwrap_or(Value::Null)
        })
        .collect();
    assert_eq!(
        deltas,
        [
            json!({"role": "assistant", "content": ""}),
            json!({"content": "森川様"}),
            json!({"tool_calls": [{"index": 0, "id": "t1", "type": "function", "function": {"name": "call", "arguments": ""}}]}),
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"n\":"}}]}),
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
            json!({}),
            Value::Null,
        ]
    );
    assert_eq!(chunks[5]["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(
        chunks[6]["usage"],
        json!({"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13})
    );
    assert!(chunks
        .iter()
        .all(|c| c["object"] == "chat.completion.chunk" && c["model"] == "claude-3-haiku"));
    let ex = s.event(
        "throttlingException",
        &json!({"message": "Too many requests"}),
    );
    assert_eq!(ex[0]["error"]["code"], "throttlingException");
    // Without include_usage no usage chunk.
    let mut quiet = ChatStream::new("m", "i", 0, false);
    assert!(quiet
        .event("metadata", &json!({"usage": {"inputTokens": 1}}))
        .is_empty());
}

#[test]
fn provider_errors_map_to_the_openai_error_shape() {
    let cases = [
        (
            400,
            Some("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            r#"{"message":"Malformed input request"}"#,
            "invalid_request_error",
            "ValidationException",
            "Malformed input request",
        ),
        (
            403,
            None,
            r#"{"__type":"AccessDeniedException","message":"You don't have access to the model"}"#,
            "permission_error",
            "AccessDeniedException",
            "You don't have access to the model",
        ),
        (
            429,
            Some("ThrottlingException"),
            r#"{"message":"Too many tokens"}"#,
            "rate_limit_error",
            "ThrottlingException",
            "Too many tokens",
        ),
        (
            424,
            Some("ModelErrorException"),
            r#"{"message":"The model failed"}"#,
            "server_error",
            "ModelErrorException",
            "The model failed",
        ),
        (
            503,
            None,
            "<html>unavailable</html>",
            "server_error",
            "BedrockError",
            "the upstream answered HTTP 503",
        ),
    ];
    for (status, header, body, kind, code, message) in cases {
        let v = error_to_chat(status, header, body.as_bytes());
        assert_eq!(v["error"]["type"], kind, "{status}");
        assert_eq!(v["error"]["code"], code, "{status}");
        assert_eq!(v["error"]["message"], message, "{status}");
    }
}
