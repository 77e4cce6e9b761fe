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
        assert!(sent.body.contains("〔電話1〕"), "{}", sent.body);

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
