//! The `[[models]]` catalogue behind the OpenAI door: `GET /v1/models` lists exactly
//! the catalogue names a department may use, and `/v1/chat/completions` with
//! `model: "claude-3-haiku"` reaches the fake Bedrock as a signed Converse request
//! (masked) and comes back as an OpenAI chat completion or chunk stream (restored).

use std::sync::atomic::Ordering;

use serde_json::{json, Value};
use sha2::Digest;

use super::bedrock::{last_text, sigv4_credentials, FakeBedrock, HOST};
use crate::util::{client, post, start_gateway, FakeUpstream, Reply};

const SOUMU_KEY: &str = "sk-catalogue-soumu";
const KIKAKU_KEY: &str = "sk-catalogue-kikaku";

fn config(fake: &FakeBedrock, credentials: &str) -> String {
    let hash = |k: &str| hex::encode(sha2::Sha256::digest(k.as_bytes()));
    format!(
        r#"
[server]
listen = "127.0.0.1:0"

[policy]
default_action = "mask"

[policy.actions]
my_number = "block"

[[departments]]
name = "soumu"
models = ["claude-3-haiku", "gpt-4o"]

[[auth.keys]]
sha256 = "{soumu}"
user = "suzuki"
department = "soumu"

[[auth.keys]]
sha256 = "{kikaku}"
user = "sato"
department = "kikaku"

[[upstreams]]
name = "bedrock-tokyo"
provider = "bedrock"
base_url = "https://{HOST}"
{credentials}
{tls}
[[upstreams]]
name = "onprem-openai"
provider = "on_premises"
residency = "on-premises"
base_url = "{{UPSTREAM}}"

[[models]]
name = "claude-3-haiku"
upstream = "bedrock-tokyo"
provider_model = "jp.anthropic.claude-3-haiku-20240307-v1:0"
translate = true

[[models]]
name = "gpt-4o"
upstream = "onprem-openai"
provider_model = "gpt-4o-2024-11-20"

[[models]]
name = "gpt-3.5-turbo"
upstream = "onprem-openai"

[[routes]]
api = "openai"
upstream = "onprem-openai"
"#,
        soumu = hash(SOUMU_KEY),
        kikaku = hash(KIKAKU_KEY),
        tls = fake.tls.upstream_lines()
    )
}

fn auth(key: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {key}"))
}

async fn models(gw: &sekimori::gateway::RunningGateway, key: &str) -> Vec<(String, String)> {
    let v: Value = client()
        .get(format!("http://{}/v1/models", gw.addr))
        .header("authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["owned_by"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn chat(model: &str, text: &str, stream: bool) -> String {
    json!({
        "model": model,
        "stream": stream,
        "max_tokens": 200,
        "messages": [
            {"role": "system", "content": "あなたは市役所の職員を手伝います。"},
            {"role": "user", "content": "こんにちは"},
            {"role": "assistant", "content": "ご用件をどうぞ。"},
            {"role": "user", "content": text}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn the_model_list_is_the_departments_part_of_the_catalogue() {
    let fake = FakeBedrock::start().await;
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), &up.url()).await;
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        models(&gw, SOUMU_KEY).await,
        owned(&[
            ("claude-3-haiku", "bedrock-tokyo"),
            ("gpt-4o", "onprem-openai")
        ])
    );
    assert_eq!(
        models(&gw, KIKAKU_KEY).await,
        owned(&[
            ("claude-3-haiku", "bedrock-tokyo"),
            ("gpt-3.5-turbo", "onprem-openai"),
            ("gpt-4o", "onprem-openai"),
        ])
    );
    // A catalogue model the department may not use is refused, and a name outside
    // the catalogue goes by the routes as before.
    let a = auth(SOUMU_KEY);
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("gpt-3.5-turbo", "こんにちは", false),
        &[(a.0, a.1.as_str())],
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["code"], "model_not_allowed");
    assert!(fake.seen().is_empty() && up.received().is_empty());
}

#[tokio::test]
async fn claude_through_the_openai_door_is_converse_upstream_and_openai_back() {
    let fake = FakeBedrock::start().await;
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), &up.url()).await;
    let a = auth(SOUMU_KEY);
    let headers = [(a.0, a.1.as_str())];
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat(
            "claude-3-haiku",
            "森川陽菜さん（090-1234-5678）に連絡して",
            false,
        ),
        &headers,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "claude-3-haiku");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "echo: 森川陽菜さん（090-1234-5678）に連絡して"
    );
    assert_eq!(
        v["usage"],
        json!({"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18})
    );

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert!(s.signature_ok);
    assert_eq!(
        s.req.uri,
        "/model/jp.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    let body: Value = serde_json::from_slice(&s.req.body).unwrap();
    assert_eq!(
        body["system"],
        json!([{"text": "あなたは市役所の職員を手伝います。"}])
    );
    assert_eq!(body["inferenceConfig"], json!({"maxTokens": 200}));
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    let sent = last_text(&s.req.body);
    assert!(
        sent.contains("〔氏名-") && sent.contains("〔電話-") && !sent.contains("森川"),
        "{sent}"
    );
    assert!(
        body.get("model").is_none(),
        "Converse names the model in the path"
    );

    // A renamed (not translated) catalogue model keeps the OpenAI body with the
    // provider's model id.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("gpt-4o", "森川陽菜です", false),
        &headers,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let got: Value = serde_json::from_str(&up.received()[0].body).unwrap();
    assert_eq!(got["model"], "gpt-4o-2024-11-20");
    assert!(!up.received()[0].body.contains("森川"));
}

#[tokio::test]
async fn a_streamed_chat_is_translated_from_the_event_stream_with_placeholders_restored() {
    let fake = FakeBedrock::start().await;
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), &up.url()).await;
    // Cuts before, inside and after the placeholder of "echo: 〔氏名-…〕さんへ".
    for at in [0, 6, 7, 9, 12, 16, 40] {
        fake.split.store(at, Ordering::SeqCst);
        let resp = client()
            .post(format!("http://{}/v1/chat/completions", gw.addr))
            .header("authorization", format!("Bearer {SOUMU_KEY}"))
            .header("content-type", "application/json")
            .body(chat("claude-3-haiku", "森川陽菜さんへ", true))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let text = resp.text().await.unwrap();
        let data: Vec<&str> = text
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .collect();
        assert_eq!(data.last(), Some(&"[DONE]"), "{text}");
        let chunks: Vec<Value> = data[..data.len() - 1]
            .iter()
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        let content: String = chunks
            .iter()
            .filter_map(|c| {
                c.pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
            })
            .collect();
        assert_eq!(content, "echo: 森川陽菜さんへ", "cut at {at}");
        assert!(chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk"));
        let finish: Vec<&Value> = chunks
            .iter()
            .filter_map(|c| c.pointer("/choices/0/finish_reason"))
            .filter(|f| !f.is_null())
            .collect();
        assert_eq!(finish, [&json!("stop")]);
        let usage = chunks.iter().find_map(|c| c.get("usage")).unwrap();
        assert_eq!(usage["prompt_tokens"], 12);
    }
    for s in fake.seen() {
        assert!(s.signature_ok);
        assert!(s.req.uri.ends_with("v1%3A0/converse-stream"));
    }
}

#[tokio::test]
async fn refusals_and_provider_errors_come_in_the_openai_shape() {
    let fake = FakeBedrock::start().await;
    let up = FakeUpstream::start(Reply::EchoChat).await;
    // Wrong secret: the fake refuses the signature the way Bedrock does.
    let wrong =
        sigv4_credentials().replace("aws_secret_access_key = \"", "aws_secret_access_key = \"x");
    let gw = start_gateway(&config(&fake, &wrong), &up.url()).await;
    let a = auth(SOUMU_KEY);
    let headers = [(a.0, a.1.as_str())];
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("claude-3-haiku", "こんにちは", false),
        &headers,
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["type"], "permission_error");
    assert_eq!(v["error"]["code"], "InvalidSignatureException");
    assert_eq!(fake.seen().len(), 1);

    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("claude-3-haiku", "個人番号は123456789018です", false),
        &headers,
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["code"], "blocked_personal_data");
    assert!(!v.to_string().contains("123456789018"));

    let image = json!({"model": "claude-3-haiku", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "これは何"}, {"type": "image_url", "image_url": {"url": "https://example.jp/a.png"}}]}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &image.to_string(), &headers).await;
    assert_eq!(status, 403, "{v}");

    let emb = json!({"model": "claude-3-haiku", "input": "こんにちは"});
    let (status, _, v) = post(&gw, "/v1/embeddings", &emb.to_string(), &headers).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["code"], "untranslatable_request");
    assert_eq!(
        fake.seen().len(),
        1,
        "only the first request reached Bedrock"
    );
}

#[test]
fn catalogue_mistakes_are_refused_at_load() {
    use sekimori::config;
    let up = "[[upstreams]]\nname = \"b\"\nprovider = \"bedrock\"\nbase_url = \"https://bedrock-runtime.ap-northeast-1.amazonaws.com\"\n\n[[upstreams]]\nname = \"o\"\nprovider = \"on_premises\"\nresidency = \"on-premises\"\nbase_url = \"http://127.0.0.1:9\"\n";
    let cases = [
        ("[[models]]\nname = \"claude\"\nupstream = \"b\"\n", "translate = true"),
        ("[[models]]\nname = \"gpt\"\nupstream = \"o\"\ntranslate = true\n", "needs a bedrock or vertex upstream"),
        ("[[models]]\nname = \"gpt\"\nupstream = \"nowhere\"\n", "no [[upstreams]]"),
        ("[[models]]\nname = \"gpt\"\nupstream = \"o\"\n\n[[models]]\nname = \"gpt\"\nupstream = \"o\"\n", "repeated"),
    ];
    for (models, want) in cases {
        let text = format!("{up}\n{models}");
        let path = std::path::Path::new("test.toml");
        let err = config::load_str(&text, path, &|_| None)
            .and_then(|cfg| cfg.validate(&text, path))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{models}: {err}");
    }
}

#[test]
fn a_translated_model_outside_japan_is_refused_at_load() {
    use sekimori::config;
    use sekimori::gateway::runtime::Runtime;
    let text = "[[upstreams]]\nname = \"b\"\nprovider = \"bedrock\"\nbase_url = \"https://bedrock-runtime.ap-northeast-1.amazonaws.com\"\n\n[[models]]\nname = \"claude\"\nupstream = \"b\"\nprovider_model = \"apac.anthropic.claude-3-haiku-20240307-v1:0\"\ntranslate = true\n";
    let path = std::path::Path::new("test.toml");
    let cfg = config::load_str(text, path, &|_| None).unwrap();
    cfg.validate(text, path).unwrap();
    let err = Runtime::build(cfg, None).unwrap_err().to_string();
    assert!(
        err.contains("bedrock.model-id") && err.contains("models (claude)"),
        "{err}"
    );
}
