//! The request path end to end: mask/restore, block, warn/acknowledge, identity,
//! uninspectable content, model allow lists, error shapes.

use serde_json::{json, Value};

use super::{chat, BASE};
use crate::util::{numbered, post, start_gateway, start_gateway_workers, FakeUpstream, Reply};

const PROMPT: &str = "山田太郎さん（090-1234-5678）に折り返し連絡";

#[tokio::test]
async fn masked_text_arrives_and_answer_is_restored() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let (status, headers, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat(PROMPT),
        &[("authorization", "Bearer client-own-key")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let got = up.received();
    assert_eq!(got.len(), 1);
    let sent = &got[0];
    assert!(!sent.body.contains("090-1234-5678"), "{}", sent.body);
    assert!(numbered(&sent.body).contains("〔電話1〕"), "{}", sent.body);
    // Upstream credential from config, never the client's; only allow-listed headers.
    assert_eq!(sent.header("authorization"), Some("Bearer upstream-secret"));
    assert!(sent
        .headers
        .iter()
        .all(|(_, v)| !v.contains("client-own-key")));
    assert_eq!(sent.uri, "/v1/chat/completions");
    // The answer has the originals back.
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert_eq!(content, format!("echo: {PROMPT}"));
    assert!(headers.get("set-cookie").is_none());
    assert!(headers.get("x-sekimori-request-id").is_some());
}

#[tokio::test]
async fn one_placeholder_table_across_fields() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model":"m","messages":[
        {"role":"system","content":"担当は090-1234-5678です"},
        {"role":"user","content":[{"type":"text","text":"090-1234-5678と03-1234-5678に電話"}]}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: Value = serde_json::from_str(&numbered(&up.received()[0].body)).unwrap();
    assert_eq!(sent["messages"][0]["content"], "担当は〔電話1〕です");
    assert_eq!(
        sent["messages"][1]["content"][0]["text"],
        "〔電話1〕と〔電話2〕に電話"
    );
}

#[tokio::test]
async fn blocked_text_never_arrives_in_each_error_shape() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let my_number = "123456789018";
    let text = format!("個人番号は{my_number}です");
    let cases = [
        ("/v1/chat/completions", chat(&text), "openai"),
        (
            "/openai/deployments/d1/chat/completions?api-version=2024-10-21",
            chat(&text),
            "openai",
        ),
        (
            "/v1/messages",
            json!({"model":"m","max_tokens":10,"messages":[{"role":"user","content":text}]})
                .to_string(),
            "anthropic",
        ),
        (
            "/v1beta/models/gemini-x:generateContent",
            json!({"contents":[{"role":"user","parts":[{"text":text}]}]}).to_string(),
            "gemini",
        ),
    ];
    for (path, body, shape) in cases {
        let (status, _, v) = post(&gw, path, &body, &[]).await;
        assert_eq!(status, 403, "{path}: {v}");
        let s = v.to_string();
        assert!(
            !s.contains(my_number),
            "the value must never be echoed: {s}"
        );
        match shape {
            "openai" => {
                assert_eq!(v["error"]["code"], "blocked_personal_data", "{s}");
                let m = v["error"]["message"].as_str().unwrap();
                assert!(m.contains("個人番号") && m.contains("My Number"), "{m}");
                assert!(m.contains("messages[0].content 5..17"), "{m}");
            }
            "anthropic" => {
                assert_eq!(v["type"], "error", "{s}");
                assert_eq!(v["error"]["type"], "permission_error", "{s}");
            }
            _ => {
                assert_eq!(v["error"]["code"], 403, "{s}");
                assert_eq!(v["error"]["status"], "PERMISSION_DENIED", "{s}");
                assert!(v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("contents[0].parts[0].text"));
            }
        }
    }
    assert!(up.received().is_empty(), "nothing may reach the upstream");
}

#[tokio::test]
async fn warn_then_acknowledge_once() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = chat("極秘案件の資料を要約して");
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body, &[]).await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["code"], "warning_requires_acknowledgement");
    let token = v["sekimori"]["acknowledge_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(up.received().is_empty());

    // A different body with the token is refused (token bound to the body) and not consumed.
    let other = chat("極秘案件の資料を翻訳して");
    let (status, _, _) = post(
        &gw,
        "/v1/chat/completions",
        &other,
        &[("x-sekimori-acknowledge", &token)],
    )
    .await;
    assert_eq!(status, 403);
    // The same body with the token passes, unchanged.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &body,
        &[("x-sekimori-acknowledge", &token)],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(up.received().len(), 1);
    assert!(up.received()[0].body.contains("極秘案件"));
    // Single use.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &body,
        &[("x-sekimori-acknowledge", &token)],
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(up.received().len(), 1);
}

#[tokio::test]
async fn warn_token_is_bound_to_the_user() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = chat("極秘案件です");
    let (_, _, v) = post(&gw, "/v1/chat/completions", &body, &[]).await;
    let token = v["sekimori"]["acknowledge_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Another user (key holder) cannot redeem the anonymous user's token.
    let (status, _, _) = post(
        &gw,
        "/v1/chat/completions",
        &body,
        &[
            ("x-sekimori-acknowledge", &token),
            ("authorization", "Bearer sk-test-key"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(up.received().is_empty());
}

/// Banned words with separators between their characters (issue 12 class 10) are
/// caught like the plain word; words that merely meet at a separator pass unchanged.
#[tokio::test]
async fn banned_words_with_inserted_separators_are_caught() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let toml = BASE.replace(
        r#"words = ["極秘案件"]"#,
        r#"words = ["極秘案件", "極秘", "Project Falcon"]"#,
    );
    let gw = start_gateway(&toml, &up.url()).await;
    for text in [
        "極<b>秘</b>の資料を要約して",
        "これは極ー秘です",
        "極 祕 案 件 の一覧",
        "極\u{200B}秘",
        "ProjectFalcon の進捗",
        "Project_Falcon status",
    ] {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 403, "{text:?}: {v}");
        assert_eq!(
            v["error"]["code"], "warning_requires_acknowledgement",
            "{v}"
        );
        assert!(
            !v.to_string().contains("Falcon"),
            "no listed word in the answer"
        );
    }
    assert!(up.received().is_empty(), "nothing may reach the upstream");
    let negative = "北極 秘境ツアーと ProjectFalcons の案内";
    let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(negative), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(up.received().len(), 1);
    assert!(up.received()[0].body.contains(negative));
}

#[tokio::test]
async fn identity_and_model_allow_list() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let no_anon = BASE.replace("allow_anonymous = true", "allow_anonymous = false");
    let gw = start_gateway(&no_anon, &up.url()).await;
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Headers, &str, u16)] = &[
        (&[], "m", 401),
        (&[("authorization", "Bearer wrong")], "m", 401),
        (&[("authorization", "Bearer sk-test-key")], "m", 403), // kosodate may not use "m"
        (
            &[("authorization", "Bearer sk-test-key")],
            "allowed-model",
            200,
        ),
        (&[("x-api-key", "sk-test-key")], "allowed-model", 200),
        (&[("api-key", "sk-test-key")], "allowed-model", 200),
    ];
    for (headers, model, want) in cases {
        let body = json!({"model": model, "messages": [{"role": "user", "content": "こんにちは"}]});
        let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), headers).await;
        assert_eq!(status, *want, "{headers:?} {model}: {v}");
    }
    assert_eq!(up.received().len(), 3);
}

#[tokio::test]
async fn uninspectable_content_refused_unless_allowed() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let image = |model: &str| {
        json!({"model": model, "messages": [{"role": "user", "content": [
            {"type": "text", "text": "これは何"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]})
        .to_string()
    };
    let (status, _, v) = post(&gw, "/v1/chat/completions", &image("m"), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["code"], "uninspectable_content");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("messages[0].content[1] (image)"));
    let tools = json!({"model":"m","input":"調べて","tools":[{"type":"web_search_preview"}]});
    let (status, _, v) = post(&gw, "/v1/responses", &tools.to_string(), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert!(up.received().is_empty());
    // Department kosodate allows images.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &image("allowed-model"),
        &[("authorization", "Bearer sk-test-key")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn streamed_answer_is_restored() {
    streamed(Reply::EchoChatStreamWhole).await;
}

#[tokio::test]
async fn streamed_answer_split_across_events_is_restored() {
    streamed(Reply::EchoChatStream).await;
}

async fn streamed(reply: Reply) {
    let up = FakeUpstream::start(reply).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model":"m","stream":true,"messages":[{"role":"user","content":PROMPT}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200);
    let sse = v.as_str().unwrap();
    let mut text = String::new();
    for line in sse.lines().filter_map(|l| l.strip_prefix("data: ")) {
        if line == "[DONE]" {
            break;
        }
        let c: Value = serde_json::from_str(line).unwrap();
        text.push_str(c["choices"][0]["delta"]["content"].as_str().unwrap());
    }
    assert_eq!(text, format!("echo: {PROMPT}"));
    assert!(!up.received()[0].body.contains("山田太郎"));
}

#[tokio::test]
async fn every_api_family_is_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let phone = "090-1234-5678";
    let cases = [
        (
            "/v1/responses",
            json!({"model":"m","instructions":format!("連絡先 {phone}"),"input":[{"role":"user","content":[{"type":"input_text","text":phone}]}]}),
        ),
        ("/v1/embeddings", json!({"model":"m","input":[phone]})),
        (
            "/openai/v1/chat/completions",
            json!({"model":"m","messages":[{"role":"user","content":phone}]}),
        ),
        (
            "/v1/messages",
            json!({"model":"m","max_tokens":5,"system":[{"type":"text","text":phone}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":phone}]}]}),
        ),
        (
            "/v1beta/models/g:generateContent",
            json!({"systemInstruction":{"parts":[{"text":phone}]},"contents":[{"parts":[{"text":phone},{"functionResponse":{"name":"f","response":{"r":phone}}}]}]}),
        ),
        (
            "/v1/projects/p/locations/asia-northeast1/publishers/google/models/g:generateContent",
            json!({"system_instruction":{"parts":[{"text":phone}]},"contents":[{"parts":[{"text":phone}]}]}),
        ),
    ];
    for (i, (path, body)) in cases.iter().enumerate() {
        let (status, _, v) = post(&gw, path, &body.to_string(), &[]).await;
        assert_eq!(status, 200, "{path}: {v}");
        let got = up.received();
        let sent = &got[i];
        assert!(sent.uri.starts_with(path), "{} vs {path}", sent.uri);
        assert!(!sent.body.contains(phone), "{path}: {}", sent.body);
        assert!(
            numbered(&sent.body).contains("〔電話1〕"),
            "{path}: {}",
            sent.body
        );
    }
}

#[tokio::test]
async fn operations_endpoints() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let _ = post(&gw, "/v1/chat/completions", &chat("090-1234-5678"), &[]).await;
    let c = crate::util::client();
    for (path, needle) in [
        ("/healthz", "ok"),
        ("/readyz", "\"ready\":true"),
        (
            "/metrics",
            "sekimori_findings_total{category=\"phone\",action=\"mask\",department=\"default\"} 1",
        ),
    ] {
        let r = c
            .get(format!("http://{}{path}", gw.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let t = r.text().await.unwrap();
        assert!(t.contains(needle), "{path}: {t}");
    }
    let m = c
        .get(format!("http://{}/metrics", gw.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("sekimori_requests_total{outcome=\"forwarded\",status=\"200\",upstream=\"fake\",department=\"default\"} 1"), "{m}");
    assert!(
        m.contains("sekimori_upstream_seconds_count{upstream=\"fake\"} 1"),
        "{m}"
    );
}

#[tokio::test]
async fn gemini_json_array_stream_is_restored() {
    let up = FakeUpstream::start(Reply::GeminiArray).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"contents":[{"role":"user","parts":[{"text":PROMPT}]}]});
    let (status, _, v) = post(
        &gw,
        "/v1beta/models/g:streamGenerateContent",
        &body.to_string(),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let text: String = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            e.pointer("/candidates/0/content/parts/0/text")
                .and_then(Value::as_str)
        })
        .collect();
    assert_eq!(text, format!("echo: {PROMPT}"));
    assert!(!up.received()[0].body.contains("山田太郎"));
}

#[tokio::test]
async fn data_in_object_keys_is_masked() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[
        {"type":"tool_use","id":"t","name":"lookup","input":{"090-1234-5678":"担当者"}}]}]});
    let (status, _, v) = post(&gw, "/v1/messages", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: Value = serde_json::from_str(&numbered(&up.received()[0].body)).unwrap();
    assert_eq!(
        sent["messages"][0]["content"][0]["input"]["〔電話1〕"],
        "担当者"
    );
    assert!(!up.received()[0].body.contains("090-1234-5678"));
}

#[tokio::test]
async fn http2_clients_are_served() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let c = reqwest::Client::builder()
        .no_proxy()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = c
        .post(format!("http://{}/v1/chat/completions", gw.addr))
        .header("content-type", "application/json")
        .body(chat(PROMPT))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["choices"][0]["message"]["content"],
        format!("echo: {PROMPT}")
    );
    assert!(numbered(&up.received()[0].body).contains("〔氏名1〕"));
}

#[tokio::test]
async fn worker_threads_mask_restore_and_block_like_one_runtime() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway_workers(BASE, &up.url(), 2).await;
    for i in 0..8 {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(PROMPT), &[]).await;
        assert_eq!(status, 200, "request {i}: {v}");
        let content = v["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(content, format!("echo: {PROMPT}"), "request {i}");
    }
    // My Number is blocked on every worker: nothing of it reaches the upstream.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("個人番号は123456789018です"),
        &[],
    )
    .await;
    assert_eq!(status, 403, "{v}");
    let got = up.received();
    assert_eq!(got.len(), 8, "only the masked requests were forwarded");
    for r in &got {
        assert!(!r.body.contains("090-1234-5678"), "{}", r.body);
        assert!(!r.body.contains("山田太郎"), "{}", r.body);
        assert!(numbered(&r.body).contains("〔電話1〕"), "{}", r.body);
    }
    gw.shutdown().await;
}
