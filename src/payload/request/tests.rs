use serde_json::json;

use super::*;

#[test]
fn strict_parse_table() {
    let deep = "[".repeat(200) + &"]".repeat(200);
    let deep_obj = format!("{{\"a\":{}}}", deep);
    let cases: &[(&[u8], Option<&str>)] = &[
        (br#"{"a":1}"#, None),
        (br#"{"a":1,"a":2}"#, Some("duplicate_key")),
        (
            br#"{"m":[{"x":1,"y":{"k":1,"k":2}}]}"#,
            Some("duplicate_key"),
        ),
        (b"{\"a\":\"\xff\"}", Some("utf8")),
        (br#"{"a":"\ud800"}"#, Some("surrogate")),
        (br#"{"a":"\udc00x"}"#, Some("surrogate")),
        (br#"{"a":"\ud842\udfb7"}"#, None),
        (br#"{"a":}"#, Some("malformed")),
        (br#"{"a":1} x"#, Some("malformed")),
        (br#"[1]"#, Some("object")),
        (deep_obj.as_bytes(), Some("deep")),
    ];
    for (input, want) in cases {
        let got = parse_strict(input);
        let kind = got.as_ref().err().map(|e| match e {
            PayloadError::NotUtf8 { .. } => "utf8",
            PayloadError::DuplicateKey { .. } => "duplicate_key",
            PayloadError::TooDeep => "deep",
            PayloadError::LoneSurrogate { .. } => "surrogate",
            PayloadError::Malformed { .. } => "malformed",
            PayloadError::NotObject => "object",
        });
        assert_eq!(
            kind,
            *want,
            "{}",
            String::from_utf8_lossy(&input[..input.len().min(40)])
        );
    }
}

#[test]
fn depth_at_limit_is_accepted() {
    let n = MAX_DEPTH - 2;
    let body = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
    assert!(parse_strict(body.as_bytes()).is_ok());
    let n = MAX_DEPTH - 1;
    let body = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
    assert_eq!(parse_strict(body.as_bytes()), Err(PayloadError::TooDeep));
}

/// Paths of the prose slots (settings left out).
fn paths(v: serde_json::Value) -> Vec<String> {
    extract_slots(&v)
        .into_iter()
        .filter(|s| !s.setting)
        .map(|s| s.path)
        .collect()
}

#[test]
fn slots_per_api() {
    let cases: Vec<(&str, serde_json::Value, Vec<&str>)> = vec![
        (
            "openai chat",
            json!({"model":"m","user":"u1","messages":[
                {"role":"system","content":"sys"},
                {"role":"user","name":"taro","content":[{"type":"text","text":"hi"}]},
                {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"x\"}"}}]},
                {"role":"tool","tool_call_id":"c1","content":"result"}],
              "tools":[{"type":"function","function":{"name":"f","description":"desc","parameters":{"type":"object"}}}]}),
            vec![
                "messages[0].content",
                "messages[1].content[0].text",
                "messages[2].tool_calls[0].function.arguments(json).q",
                "messages[3].content",
                "tools[0].function.description",
                "user",
            ],
        ),
        (
            "responses",
            json!({"model":"m","instructions":"be nice","input":[{"role":"user","content":[{"type":"input_text","text":"q"}]},{"type":"function_call_output","call_id":"c","output":"out"}]}),
            vec![
                "input[0].content[0].text",
                "input[1].output",
                "instructions",
            ],
        ),
        (
            "embeddings",
            json!({"model":"m","input":["a","b"]}),
            vec!["input[0]", "input[1]"],
        ),
        (
            "anthropic",
            json!({"model":"m","system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[
                {"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"r"}]},
                {"type":"tool_use","id":"t","name":"n","input":{"q":"v"}}]}]}),
            vec![
                "messages[0].content[0].content[0].text",
                "messages[0].content[1].input.q",
                "system[0].text",
            ],
        ),
        (
            "gemini",
            json!({"systemInstruction":{"parts":[{"text":"s"}]},"system_instruction":{"parts":[{"text":"t"}]},"contents":[{"role":"user","parts":[{"text":"a"},{"functionResponse":{"name":"f","response":{"r":"x"}}}]}]}),
            vec![
                "contents[0].parts[0].text",
                "contents[0].parts[1].functionResponse.response.r",
                "systemInstruction.parts[0].text",
                "system_instruction.parts[0].text",
            ],
        ),
    ];
    for (name, v, want) in cases {
        assert_eq!(paths(v), want, "{name}");
    }
}

/// Found by the fuzz target `request_bodies`: floats were parsed to the nearest float
/// only approximately, so the forwarded body differed from the one sent in the last
/// digit (serde_json's `float_roundtrip` parses them exactly).
#[test]
fn floats_are_forwarded_bit_for_bit() {
    for f in [
        "-6.872125320037025e+112",
        "0.1",
        "1.7976931348623157e308",
        "5e-324",
    ] {
        let body = format!(r#"{{"temperature":{f}}}"#);
        let v = parse_strict(body.as_bytes()).unwrap();
        let want: f64 = f.parse().unwrap();
        assert_eq!(
            v["temperature"].as_f64().unwrap().to_bits(),
            want.to_bits(),
            "{f}"
        );
    }
}

/// Found by the fuzz target `request_bodies`: an edit that leaves a key as it is
/// (the key's own text) failed as if the name were taken, refusing the request.
#[test]
fn renaming_a_key_to_itself_succeeds() {
    let mut v = json!({"0": null, "森川陽菜": {"tel1": 1}});
    assert!(rename_key(&mut v, "/0", "0".into()));
    assert!(rename_key(&mut v, "/森川陽菜/tel1", "tel1".into()));
    assert_eq!(v, json!({"0": null, "森川陽菜": {"tel1": 1}}));
    assert!(!rename_key(&mut v, "/0", "森川陽菜".into()));
    assert!(!rename_key(&mut v, "/missing", "missing".into()));
    let slots = extract_slots(&v);
    let edits = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.text.clone()))
        .collect();
    edit::apply(&mut v, &slots, edits).unwrap();
    assert_eq!(v, json!({"0": null, "森川陽菜": {"tel1": 1}}));
}

#[test]
fn set_slot_round_trip() {
    let mut v = json!({"a/b":[{"~k":"x"}]});
    let s = extract_slots(&v);
    assert_eq!(s[0].pointer, "/a~1b/0/~0k");
    assert!(set_slot(&mut v, &s[0].pointer, "y".into()));
    assert_eq!(v, json!({"a/b":[{"~k":"y"}]}));
}

#[test]
fn uninspectable_table() {
    let cases: Vec<(&str, serde_json::Value, Vec<&str>)> = vec![
        (
            "text only",
            json!({"messages":[{"role":"user","content":"x"}]}),
            vec![],
        ),
        (
            "openai image",
            json!({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]}]}),
            vec!["image"],
        ),
        (
            "openai audio",
            json!({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA","format":"wav"}}]}]}),
            vec!["audio"],
        ),
        (
            "openai file",
            json!({"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]}),
            vec!["file"],
        ),
        (
            "responses file_url",
            json!({"input":[{"role":"user","content":[{"type":"input_file","file_url":"https://x"}]}]}),
            vec!["url"],
        ),
        (
            "responses web_search",
            json!({"tools":[{"type":"web_search_preview"}]}),
            vec!["web_search"],
        ),
        (
            "responses mcp",
            json!({"tools":[{"type":"mcp","server_url":"https://x"}]}),
            vec!["mcp"],
        ),
        (
            "anthropic mcp_servers",
            json!({"mcp_servers":[{"type":"url","url":"https://x"}]}),
            vec!["mcp"],
        ),
        (
            "anthropic image url",
            json!({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]}]}),
            vec!["url"],
        ),
        (
            "anthropic text document",
            json!({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","data":"x"}}]}]}),
            vec![],
        ),
        (
            "anthropic web_fetch",
            json!({"tools":[{"type":"web_fetch_20250910","name":"web_fetch"}]}),
            vec!["web_search"],
        ),
        (
            "gemini inline",
            json!({"contents":[{"parts":[{"inlineData":{"mimeType":"image/jpeg","data":"AA"}}]}]}),
            vec!["image"],
        ),
        (
            "gemini snake",
            json!({"contents":[{"parts":[{"inline_data":{"mime_type":"audio/wav","data":"AA"}}]}]}),
            vec!["audio"],
        ),
        (
            "gemini tools",
            json!({"tools":[{"googleSearch":{}},{"url_context":{}}]}),
            vec!["url", "web_search"],
        ),
        (
            "azure data_sources",
            json!({"data_sources":[{"type":"azure_search"}]}),
            vec!["data_sources"],
        ),
        (
            "base64 outside a media part",
            json!({"messages":[{"role":"user","content":"x"}],"metadata":{"data":"QUJD".repeat(600)}}),
            vec!["binary"],
        ),
        (
            "base64 inside a media part is the part's",
            json!({"contents":[{"parts":[{"inlineData":{"mimeType":"image/png","data":"QUJD".repeat(600)}}]}]}),
            vec!["image"],
        ),
        (
            "json nested five levels deep",
            json!({"arguments": (0..5).fold(serde_json::Value::String("x".into()), |v, _| {
                serde_json::Value::String(json!({"a": v}).to_string())
            })}),
            vec!["nested_json"],
        ),
        (
            "json nested four levels deep is inspected",
            json!({"arguments": (0..4).fold(serde_json::Value::String("x".into()), |v, _| {
                serde_json::Value::String(json!({"a": v}).to_string())
            })}),
            vec![],
        ),
        (
            "function tool ok",
            json!({"tools":[{"type":"function","function":{"name":"f"}}]}),
            vec![],
        ),
    ];
    for (name, v, want) in cases {
        let mut got: Vec<&str> = find_uninspectable(&v).iter().map(|u| u.kind).collect();
        got.sort();
        got.dedup();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn keys_that_may_hold_text_are_slots() {
    let mut v = json!({"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":{"山田":"x","q":"y"}}]}]});
    let s = extract_slots(&v);
    let keys: Vec<(&str, &str)> = s
        .iter()
        .filter(|s| s.is_key)
        .map(|s| (s.path.as_str(), s.text.as_str()))
        .collect();
    assert_eq!(keys, vec![("messages[0].content[0].input (key)", "山田")]);
    let k = s.iter().find(|s| s.is_key).unwrap();
    assert!(rename_key(&mut v, &k.pointer, "〔氏名1〕".into()));
    assert_eq!(v["messages"][0]["content"][0]["input"]["〔氏名1〕"], "x");
    // A taken name is refused.
    assert!(!rename_key(
        &mut v,
        "/messages/0/content/0/input/q",
        "〔氏名1〕".into()
    ));
}

#[test]
fn structural_keys_with_text_are_scanned() {
    let v = json!({"model":"山田太郎のモデル","messages":[]});
    assert_eq!(paths(v), vec!["model"]);
}

#[test]
fn paths_never_carry_data_keys() {
    let v = json!({"input":{"山田太郎":"x","090-1234-5678":{"a":"y"}}});
    let p = paths(v);
    assert!(
        p.iter().all(|p| !p.contains("山田") && !p.contains("090")),
        "{p:?}"
    );
    assert!(p.contains(&"input.{key}".to_string()), "{p:?}");
}

/// Nothing is skipped by key name (issue 12 class 2): values under structural and
/// opaque keys are slots, marked as settings.
#[test]
fn settings_are_slots_too() {
    let v = json!({"model":"m","messages":[{"role":"user","content":[
        {"type":"tool_use","id":"toolu_1","name":"n","input":{"status":"taro@example.com 123456789018"}},
        {"type":"thinking","thinking":"t","signature":"c2lnbmF0dXJl"}]}]});
    let got: Vec<(String, bool)> = extract_slots(&v)
        .into_iter()
        .map(|s| (s.path, s.setting))
        .collect();
    for (path, setting) in [
        ("model", true),
        ("messages[0].role", true),
        ("messages[0].content[0].type", true),
        ("messages[0].content[0].id", true),
        ("messages[0].content[0].input.status", false),
        ("messages[0].content[1].signature", true),
        ("messages[0].content[1].thinking", false),
    ] {
        assert!(
            got.contains(&(path.to_string(), setting)),
            "{path} {setting}: {got:?}"
        );
    }
}

/// Nested JSON in strings is read as JSON (issue 12 class 4), whatever its escaping.
#[test]
fn nested_json_literals_are_slots() {
    let args = r#"{"name": "\u68ee\u5ddd", "tel": 9012345678, "tags": ["a"]}"#;
    let v = json!({"tool_calls": [{"function": {"arguments": args}}]});
    let got: Vec<(String, String)> = extract_slots(&v)
        .into_iter()
        .map(|s| (s.path, s.text))
        .collect();
    let want = [
        ("tool_calls[0].function.arguments(json).name", "森川"),
        ("tool_calls[0].function.arguments(json).tags[0]", "a"),
        ("tool_calls[0].function.arguments(json).tel", "9012345678"),
    ];
    for (p, t) in want {
        assert!(
            got.contains(&(p.to_string(), t.to_string())),
            "{p}: {got:?}"
        );
    }
    // Text that merely starts with a brace is text.
    assert_eq!(
        paths(json!({"content": "{not json} 森川"})),
        vec!["content".to_string()]
    );
}

/// The byte test that skips the path-building walk agrees with the character test on
/// every code point around the tag range, in values and in keys.
#[test]
fn tag_character_fast_check_agrees_with_the_char_test() {
    for cp in (0xDFF00u32..0xE0200).chain([0x3042, 0x1F600, 0xF3A0, 0x10FFFF]) {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let tag = crate::text::SMUGGLING_TAG_RANGE.contains(&cp);
        let text = format!("森川陽菜{c}さん");
        let in_value = serde_json::json!({"messages": [{"role": "user", "content": text}]});
        assert_eq!(
            find_tag_characters(&in_value).is_some(),
            tag,
            "U+{cp:X} in a value"
        );
        let mut map = serde_json::Map::new();
        map.insert(text, serde_json::json!(1));
        let in_key = serde_json::json!({"a": [serde_json::Value::Object(map)]});
        assert_eq!(
            find_tag_characters(&in_key).is_some(),
            tag,
            "U+{cp:X} in a key"
        );
    }
}
