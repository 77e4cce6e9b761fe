//! Issue 15 item 3 (demo upstream): the embedded demo speaks each API fully enough for
//! the SDK helpers — Responses stream events with output items and ids, embeddings in
//! `encoding_format: "base64"`, Anthropic `count_tokens`. Invented values only.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::util::post;
use sekimori::config;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::{Gateway, RunningGateway};

async fn demo() -> RunningGateway {
    let rt = tokio::task::spawn_blocking(|| Runtime::build(config::embedded_default(), None))
        .await
        .unwrap()
        .unwrap();
    Gateway::new(rt)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The SSE events of a stream body: `(event name, data)`.
fn events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let mut name = String::new();
            let mut data = Value::Null;
            for line in e.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(d).unwrap_or(Value::Null);
                }
            }
            (name, data)
        })
        .collect()
}

#[tokio::test]
async fn responses_stream_has_output_items_and_ids() {
    let gw = demo().await;
    let prompt = "森川陽菜さん（090-1234-5678）";
    let body = json!({"model": "demo", "stream": true, "input": prompt}).to_string();
    let (status, _, v) = post(&gw, "/v1/responses", &body, &[]).await;
    assert_eq!(status, 200, "{v}");
    let evs = events(v.as_str().unwrap());
    let names: Vec<&str> = evs.iter().map(|(n, _)| n.as_str()).collect();
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
    let item_id = evs[2].1["item"]["id"].as_str().unwrap().to_string();
    assert!(!item_id.is_empty());
    for (n, (name, data)) in evs.iter().enumerate() {
        assert_eq!(data["type"], name.as_str(), "{data}");
        assert_eq!(data["sequence_number"], n, "{data}");
        if name.contains("content_part") || name.contains("output_text") {
            assert_eq!(data["item_id"], item_id.as_str(), "{name}");
            assert_eq!(data["output_index"], 0, "{name}");
            assert_eq!(data["content_index"], 0, "{name}");
        }
    }
    let delta = evs[4].1["delta"].as_str().unwrap();
    assert!(delta.ends_with(prompt), "restored in the delta: {delta}");
    assert_eq!(evs[5].1["text"], delta);
    assert_eq!(evs[7].1["item"]["content"][0]["text"], delta);
    assert_eq!(evs[8].1["response"]["output"][0]["id"], item_id.as_str());
    assert_eq!(evs[8].1["response"]["status"], "completed");
    // What the demo upstream received was masked.
    let received = evs[8].1["response"]["sekimori_demo"]["upstream_received"].to_string();
    assert!(!received.contains("090-1234-5678"), "{received}");
}

#[tokio::test]
async fn embeddings_honour_base64_encoding() {
    let gw = demo().await;
    let input = ["森川陽菜さんの住所", "区役所の開庁時間"];
    let body = json!({"model": "demo", "input": input, "encoding_format": "base64"});
    let (status, _, v) = post(&gw, "/v1/embeddings", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{v}");
    let mut vectors = Vec::new();
    for (i, d) in data.iter().enumerate() {
        assert_eq!(d["index"], i);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(d["embedding"].as_str().expect("a base64 string"))
            .unwrap();
        assert!(!raw.is_empty() && raw.len() % 4 == 0, "{} bytes", raw.len());
        let floats: Vec<f32> = raw
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert!(floats.iter().all(|f| f.is_finite()));
        vectors.push(floats);
    }
    // Without encoding_format: JSON floats, the same numbers as the base64 bytes.
    let body = json!({"model": "demo", "input": input});
    let (status, _, v) = post(&gw, "/v1/embeddings", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    for (i, want) in vectors.iter().enumerate() {
        let got: Vec<f32> = v["data"][i]["embedding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(&got, want);
    }
}

#[tokio::test]
async fn count_tokens_answers_input_tokens() {
    let gw = demo().await;
    let body = json!({"model": "demo", "messages": [{"role": "user", "content": "森川陽菜さん"}]});
    let (status, h, v) = post(&gw, "/v1/messages/count_tokens", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["input_tokens"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{v}");
    assert_eq!(h["request-id"], h["x-sekimori-request-id"]);
}
