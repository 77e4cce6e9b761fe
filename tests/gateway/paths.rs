//! Issue 15 item 3: the paths and headers clients expect — Azure Responses,
//! `GET /v1/models`, Anthropic `count_tokens`, `x-request-id`, short 404 bodies.
//! Invented values only; each case asserts what the recording upstream received.

use serde_json::json;

use super::BASE;
use crate::util::{post, start_gateway, FakeUpstream, Reply};

/// An invented phone number and My Number (valid check digit).
const PHONE: &str = "090-1234-5678";
const MY_NUMBER: &str = "123456789018";

fn responses(text: &str) -> String {
    json!({"model": "allowed-model", "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]}]})
        .to_string()
}

/// Azure Responses paths are routed like the other Azure paths (query kept) and
/// inspected like `/v1/responses`: masked on the way up, blocked before the upstream.
#[tokio::test]
async fn azure_responses_paths_are_inspected_and_forwarded() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for path in [
        "/openai/responses?api-version=2025-04-01-preview",
        "/openai/v1/responses",
    ] {
        let before = up.received().len();
        let (status, _, v) = post(
            &gw,
            path,
            &responses(&format!("森川陽菜さん {PHONE} に連絡")),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{path}: {v}");
        let got = up.received();
        assert_eq!(got.len(), before + 1, "{path}");
        let sent = &got[before];
        assert_eq!(sent.uri, path, "path and api-version forwarded as sent");
        assert!(!sent.body.contains(PHONE), "{}", sent.body);
        assert!(sent.body.contains("〔電話-"), "{}", sent.body);

        let (status, _, v) = post(
            &gw,
            path,
            &responses(&format!("個人番号は{MY_NUMBER}")),
            &[],
        )
        .await;
        assert_eq!(status, 403, "{path}: {v}");
        assert_eq!(v["error"]["code"], "blocked_personal_data", "{v}");
        assert!(!v.to_string().contains(MY_NUMBER));
        assert_eq!(up.received().len(), before + 1, "a block never arrives");
    }
    // A hard negative: a chat path without a deployment is still unknown.
    let (status, _, _) = post(&gw, "/openai/chat/completions", &responses("x"), &[]).await;
    assert_eq!(status, 404);
}

/// Every answer carries the request id under the names SDKs read, all one value; the
/// upstream's own id is kept beside it, not in place of it.
#[tokio::test]
async fn request_id_under_every_name() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let ok = post(&gw, "/v1/chat/completions", &super::chat("こんにちは"), &[]).await;
    let blocked = post(
        &gw,
        "/v1/messages",
        &json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": format!("個人番号は{MY_NUMBER}")}]}).to_string(),
        &[],
    )
    .await;
    let unknown = post(&gw, "/v1/files", "{}", &[]).await;
    let health = crate::util::client()
        .get(format!("http://{}/healthz", gw.addr))
        .send()
        .await
        .unwrap();
    let health_headers = health.headers().clone();
    let mut ids = Vec::new();
    for (what, status, h) in [
        ("forwarded", ok.0, &ok.1),
        ("blocked", blocked.0, &blocked.1),
        ("unknown", unknown.0, &unknown.1),
        ("healthz", health.status().as_u16(), &health_headers),
    ] {
        let id = h
            .get("x-sekimori-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what} ({status}): no request id"))
            .to_string();
        for name in ["x-request-id", "request-id"] {
            assert_eq!(
                h.get(name).and_then(|v| v.to_str().ok()),
                Some(id.as_str()),
                "{what}: {name}"
            );
        }
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "one id per request");
    assert_eq!(ok.0, 200);
    assert_eq!(blocked.0, 403);
    assert_eq!(unknown.0, 404);
}

/// The 404 body is one short message with a pointer to the README, in each API's shape.
#[tokio::test]
async fn unknown_path_answer_is_short() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let (status, _, v) = post(&gw, "/v1/files", "{}", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "unknown_route", "{v}");
    let text = v.to_string();
    assert!(text.len() < 700, "{} bytes: {text}", text.len());
    assert!(
        v["error"]["message"].as_str().unwrap().contains("README"),
        "{v}"
    );
    assert!(!text.contains("/v1/chat/completions"), "{text}");
    assert!(up.received().is_empty());
}

fn count_body(text: &str) -> String {
    json!({"model": "claude-x", "messages": [{"role": "user", "content": text}]}).to_string()
}

/// `POST /v1/messages/count_tokens` is inspected like messages — masked or blocked the
/// same way — then passed through to the upstream's `count_tokens`, answered as JSON
/// even when the body asks for a stream.
#[tokio::test]
async fn anthropic_count_tokens_is_inspected_and_passed_through() {
    let up = FakeUpstream::start(Reply::CountTokens).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let text = format!("森川陽菜さん（{PHONE}）");
    let (status, h, v) = post(
        &gw,
        "/v1/messages/count_tokens",
        &count_body(&text),
        &[("anthropic-version", "2023-06-01")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].uri, "/v1/messages/count_tokens");
    assert!(!got[0].body.contains(PHONE), "{}", got[0].body);
    assert!(got[0].body.contains("〔電話-"), "{}", got[0].body);
    assert_eq!(got[0].header("anthropic-version"), Some("2023-06-01"));
    assert!(v["input_tokens"].as_u64().is_some_and(|n| n > 0), "{v}");
    // Sekimori's id under `request-id`; the upstream's beside it.
    assert_eq!(h["request-id"], h["x-sekimori-request-id"]);
    assert_eq!(h["upstream-request-id"], "req_upstream_1");

    // A body asking for a stream still gets the JSON count back.
    let mut streamed: serde_json::Value = serde_json::from_str(&count_body("こんにちは")).unwrap();
    streamed["stream"] = json!(true);
    let (status, _, v) = post(&gw, "/v1/messages/count_tokens", &streamed.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["input_tokens"], 5, "{v}");

    // Blocked exactly like messages, in the Anthropic error shape; nothing arrives.
    let (status, _, v) = post(
        &gw,
        "/v1/messages/count_tokens",
        &count_body(&format!("個人番号は{MY_NUMBER}です")),
        &[],
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["type"], "error", "{v}");
    assert_eq!(v["error"]["code"], "blocked_personal_data", "{v}");
    assert!(!v.to_string().contains(MY_NUMBER));
    assert_eq!(up.received().len(), 2, "the block never arrives");
}

async fn get(
    gw: &sekimori::gateway::RunningGateway,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut req = crate::util::client().get(format!("http://{}{path}", gw.addr));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    let v = resp.json().await.unwrap_or_default();
    (status, h, v)
}

fn ids(v: &serde_json::Value) -> Vec<&str> {
    v["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["id"].as_str()).collect())
        .unwrap_or_default()
}

/// `GET /v1/models`: the department's models in the OpenAI list shape; identity is
/// required as for the API calls; nothing reaches the upstream.
#[tokio::test]
async fn models_list_per_department() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let config = BASE
        .replace("allow_anonymous = true", "allow_anonymous = false")
        .replacen(
            "[[routes]]\napi = \"openai\"\nupstream = \"fake\"",
            "[[routes]]\napi = \"openai\"\nupstream = \"fake\"\nmodels = [\"allowed-model\", \"other-model\", \"gpt-4.1*\"]",
            1,
        );
    assert!(config.contains("other-model"), "the route was rewritten");
    let gw = start_gateway(&config, &up.url()).await;
    let key = [("authorization", "Bearer sk-test-key")];
    let (status, h, v) = get(&gw, "/v1/models", &key).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list", "{v}");
    // kosodate may use only allowed-model.
    assert_eq!(ids(&v), ["allowed-model"], "{v}");
    assert_eq!(v["data"][0]["object"], "model");
    assert_eq!(v["data"][0]["owned_by"], "fake");
    assert_eq!(h["x-request-id"], h["x-sekimori-request-id"]);

    // Identity required.
    let (status, _, v) = get(&gw, "/v1/models", &[]).await;
    assert_eq!(status, 401, "{v}");
    let (status, _, v) = get(&gw, "/v1/models", &[("authorization", "Bearer sk-wrong")]).await;
    assert_eq!(status, 401, "{v}");
    assert!(!v.to_string().contains("sk-wrong"));
    assert!(up.received().is_empty(), "the list is answered by Sekimori");
}

/// A department without an allow list sees every name the routes serve; a pattern is
/// listed only when no concrete name matches it.
#[tokio::test]
async fn models_list_without_allow_list() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let config = BASE.replacen(
        "[[routes]]\napi = \"openai\"\nupstream = \"fake\"",
        "[[routes]]\napi = \"openai\"\nupstream = \"fake\"\nmodels = [\"gpt-4.1-mini\", \"gpt-4.1*\", \"llama-*\"]",
        1,
    );
    let gw = start_gateway(&config, &up.url()).await;
    let (status, _, v) = get(&gw, "/v1/models", &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(ids(&v), ["gpt-4.1-mini", "llama-*"], "{v}");
}
