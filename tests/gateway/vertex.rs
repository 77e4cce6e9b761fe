//! Vertex AI with a service account: Sekimori mints an RS256 JWT from the key file,
//! exchanges it at a fake Google token endpoint on 127.0.0.1 (which verifies the JWT
//! with the key's public half), caches the access token and refreshes it before it
//! expires, and forwards Gemini requests with it to a fake Vertex over TLS; location
//! `asia-northeast1` is enforced in host and path.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::util::tls::{TlsFake, TlsRequest};
use crate::util::{post, start_gateway};

const HOST: &str = "asia-northeast1-aiplatform.googleapis.com";
const EMAIL: &str = "sekimori@sekimori-test.iam.gserviceaccount.com";
const PRIVATE: &str = include_str!("../fixtures/vertex/test-sa-key.pem");
const PUBLIC: &str = include_str!("../fixtures/vertex/test-sa-key.pub.pem");

/// A fake `oauth2.googleapis.com/token`: verifies the JWT bearer grant and issues
/// `ya29.sekimori-test-{n}` tokens living `lifetime` seconds.
struct FakeTokens {
    url: String,
    issued: Arc<AtomicUsize>,
    lifetime: Arc<AtomicU64>,
}

impl FakeTokens {
    async fn start() -> FakeTokens {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        let issued = Arc::new(AtomicUsize::new(0));
        let lifetime = Arc::new(AtomicU64::new(3600));
        let (iss, life, aud) = (issued.clone(), lifetime.clone(), url.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (iss, life, aud) = (iss.clone(), life.clone(), aud.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (iss, life, aud) = (iss.clone(), life.clone(), aud.clone());
                        async move {
                            let body = req.into_body().collect().await.unwrap().to_bytes();
                            let form: Vec<(String, String)> =
                                url::form_urlencoded::parse(&body).into_owned().collect();
                            let get = |k: &str| {
                                form.iter()
                                    .find(|(n, _)| n == k)
                                    .map(|(_, v)| v.clone())
                                    .unwrap_or_default()
                            };
                            let mut v =
                                jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
                            v.set_audience(&[aud.as_str()]);
                            v.set_issuer(&[EMAIL]);
                            let ok = get("grant_type")
                                == "urn:ietf:params:oauth:grant-type:jwt-bearer"
                                && jsonwebtoken::decode::<Value>(
                                    &get("assertion"),
                                    &jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC.as_bytes())
                                        .unwrap(),
                                    &v,
                                )
                                .is_ok_and(|d| {
                                    d.claims["scope"]
                                        == "https://www.googleapis.com/auth/cloud-platform"
                                });
                            let resp = if ok {
                                let n = iss.fetch_add(1, Ordering::SeqCst) + 1;
                                Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from(
                                        json!({"access_token": format!("ya29.sekimori-test-{n}"),
                                               "expires_in": life.load(Ordering::SeqCst),
                                               "token_type": "Bearer"})
                                        .to_string(),
                                    )))
                                    .unwrap()
                            } else {
                                Response::builder()
                                    .status(400)
                                    .body(Full::new(Bytes::from(r#"{"error":"invalid_grant"}"#)))
                                    .unwrap()
                            };
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        FakeTokens {
            url,
            issued,
            lifetime,
        }
    }
}

/// A fake Vertex: echoes the last text in Gemini's shape when the bearer token is one
/// the token endpoint issued, 401 otherwise.
async fn fake_vertex(seen: Arc<Mutex<Vec<TlsRequest>>>) -> TlsFake {
    TlsFake::start(
        HOST,
        Arc::new(move |req: TlsRequest| {
            seen.lock().unwrap().push(req.clone());
            Box::pin(async move {
                let authorised = req
                    .header("authorization")
                    .is_some_and(|a| a.starts_with("Bearer ya29.sekimori-test-"));
                if !authorised {
                    return Response::builder()
                        .status(401)
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from(
                            r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#,
                        )))
                        .unwrap();
                }
                let v: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let text = format!(
                    "echo: {}",
                    v.pointer("/contents/0/parts/0/text")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                );
                let answer = json!({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
                                    "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4}});
                if req.uri.contains("alt=sse") {
                    // One event per 3 characters (placeholders split across events).
                    let chars: Vec<char> = text.chars().collect();
                    let mut sse = String::new();
                    for piece in chars.chunks(3) {
                        let t: String = piece.iter().collect();
                        let e = json!({"candidates": [{"content": {"role": "model", "parts": [{"text": t}]}}]});
                        sse.push_str(&format!("data: {e}\r\n\r\n"));
                    }
                    let last = json!({"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP"}],
                                      "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4}});
                    sse.push_str(&format!("data: {last}\r\n\r\n"));
                    return Response::builder()
                        .header("content-type", "text/event-stream")
                        .body(Full::new(Bytes::from(sse)))
                        .unwrap();
                }
                let body = if req.uri.contains(":streamGenerateContent") {
                    format!("[{answer}]")
                } else {
                    answer.to_string()
                };
                Response::builder()
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
                    .unwrap()
            })
        }),
    )
    .await
}

struct Setup {
    tokens: FakeTokens,
    seen: Arc<Mutex<Vec<TlsRequest>>>,
    gw: sekimori::gateway::RunningGateway,
    _dir: tempfile::TempDir,
    _vertex: TlsFake,
}

async fn setup() -> Setup {
    let tokens = FakeTokens::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let vertex = fake_vertex(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sa.json");
    std::fs::write(
        &key,
        json!({"type": "service_account", "project_id": "sekimori-test", "private_key_id": "kid-1",
               "private_key": PRIVATE, "client_email": EMAIL, "token_uri": tokens.url})
        .to_string(),
    )
    .unwrap();
    let cfg = format!(
        r#"
[server]
listen = "127.0.0.1:0"

[policy]
default_action = "mask"

[auth]
allow_anonymous = true

[[upstreams]]
name = "vertex-tokyo"
provider = "vertex"
base_url = "https://{HOST}"
service_account_file = "{key}"
{tls}
[[routes]]
api = "gemini"
upstream = "vertex-tokyo"

[[models]]
name = "gemini-1.5-flash"
upstream = "vertex-tokyo"
provider_model = "projects/sekimori-test/locations/asia-northeast1/publishers/google/models/gemini-1.5-flash"
translate = true
"#,
        key = key.display(),
        tls = vertex.upstream_lines()
    );
    let gw = start_gateway(&cfg, "").await;
    Setup {
        tokens,
        seen,
        gw,
        _dir: dir,
        _vertex: vertex,
    }
}

fn gemini(text: &str) -> String {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]}).to_string()
}

const PATH: &str = "/v1/projects/sekimori-test/locations/asia-northeast1/publishers/google/models/gemini-1.5-flash";

#[tokio::test]
async fn gemini_on_vertex_gets_a_cached_service_account_token_and_masked_text() {
    let s = setup().await;
    for _ in 0..3 {
        let (status, headers, v) = post(
            &s.gw,
            &format!("{PATH}:generateContent"),
            &gemini("森川陽菜さん（090-1234-5678）の件"),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(
            v["candidates"][0]["content"]["parts"][0]["text"],
            "echo: 森川陽菜さん（090-1234-5678）の件"
        );
        assert!(headers
            .values()
            .all(|h| !h.to_str().unwrap_or("").contains("ya29.")));
    }
    let (status, _, v) = post(
        &s.gw,
        &format!("{PATH}:streamGenerateContent"),
        &gemini("森川陽菜です"),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v[0]["candidates"][0]["content"]["parts"][0]["text"],
        "echo: 森川陽菜です"
    );
    assert_eq!(
        s.tokens.issued.load(Ordering::SeqCst),
        1,
        "one token for all requests while it is fresh"
    );
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    for r in &seen {
        assert_eq!(
            r.header("authorization"),
            Some("Bearer ya29.sekimori-test-1")
        );
        assert_eq!(r.header("host"), Some(HOST));
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("森川") && body.contains("〔氏名-"), "{body}");
    }
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let s = setup().await;
    // Tokens living 2 s are refreshed after half their life.
    s.tokens.lifetime.store(2, Ordering::SeqCst);
    let (path, body) = (format!("{PATH}:generateContent"), gemini("こんにちは"));
    let call = || post(&s.gw, &path, &body, &[]);
    assert_eq!(call().await.0, 200);
    assert_eq!(call().await.0, 200);
    assert_eq!(s.tokens.issued.load(Ordering::SeqCst), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(call().await.0, 200);
    assert_eq!(s.tokens.issued.load(Ordering::SeqCst), 2);
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(
        seen.last().unwrap().header("authorization"),
        Some("Bearer ya29.sekimori-test-2")
    );
}

#[tokio::test]
async fn other_locations_are_refused_before_any_token_or_request() {
    let s = setup().await;
    for location in ["asia-northeast2", "global", "us-central1"] {
        let path = PATH.replace("asia-northeast1", location);
        let (status, _, v) = post(
            &s.gw,
            &format!("{path}:generateContent"),
            &gemini("こんにちは"),
            &[],
        )
        .await;
        assert_eq!(status, 403, "{location}: {v}");
        assert!(
            v["sekimori"]["region_rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("vertex.")),
            "{location}: {v}"
        );
    }
    assert!(s.seen.lock().unwrap().is_empty());
    assert_eq!(s.tokens.issued.load(Ordering::SeqCst), 0);
}

#[test]
fn a_service_account_on_another_provider_or_a_broken_key_is_refused_at_load() {
    use sekimori::config;
    use sekimori::gateway::runtime::Runtime;
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"client_email":"a@b","private_key":"nope"}"#).unwrap();
    let cases = [
        (
            format!("provider = \"vertex\"\nbase_url = \"https://{HOST}\"\nservice_account_file = \"{}\"\n", broken.display()),
            "not an RSA key",
        ),
        (
            format!("provider = \"vertex\"\nbase_url = \"https://{HOST}\"\nservice_account_file = \"/nonexistent/sa.json\"\n"),
            "cannot read",
        ),
        (
            "provider = \"domestic\"\nresidency = \"jp-contract\"\nbase_url = \"https://api.ai.sakura.ad.jp/v1\"\nservice_account_file = \"sa.json\"\n".to_string(),
            "service_account_file",
        ),
    ];
    for (lines, want) in cases {
        let text = format!("[[upstreams]]\nname = \"v\"\n{lines}");
        let path = std::path::Path::new("test.toml");
        let err = config::load_str(&text, path, &|_| None)
            .and_then(|cfg| Runtime::build(cfg, None).map(|_| ()))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{lines}: {err}");
    }
}

#[tokio::test]
async fn gemini_through_the_openai_door_is_translated_both_ways() {
    let s = setup().await;
    let chat = |stream: bool| {
        json!({"model": "gemini-1.5-flash", "stream": stream, "max_tokens": 64,
               "messages": [{"role": "system", "content": "丁寧に"},
                            {"role": "user", "content": "森川陽菜さん（090-1234-5678）の件"}]})
        .to_string()
    };
    let (status, _, v) = post(&s.gw, "/v1/chat/completions", &chat(false), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["model"], "gemini-1.5-flash");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "echo: 森川陽菜さん（090-1234-5678）の件"
    );
    assert_eq!(v["usage"]["prompt_tokens"], 9);
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].uri,
        "/v1/projects/sekimori-test/locations/asia-northeast1/publishers/google/models/gemini-1.5-flash:generateContent"
    );
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body["systemInstruction"],
        json!({"parts": [{"text": "丁寧に"}]})
    );
    assert_eq!(body["generationConfig"], json!({"maxOutputTokens": 64}));
    let sent = body["contents"][0]["parts"][0]["text"].as_str().unwrap();
    assert!(sent.contains("〔氏名-") && !sent.contains("森川"), "{sent}");

    let text = crate::util::client()
        .post(format!("http://{}/v1/chat/completions", s.gw.addr))
        .header("content-type", "application/json")
        .body(chat(true))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    assert_eq!(content, "echo: 森川陽菜さん（090-1234-5678）の件");
    assert!(chunks
        .iter()
        .any(|c| c["choices"][0]["finish_reason"] == "stop"));
    assert!(chunks.iter().any(|c| c["usage"]["prompt_tokens"] == 9));
    let seen = s.seen.lock().unwrap().clone();
    assert!(
        seen[1].uri.ends_with(":streamGenerateContent?alt=sse"),
        "{}",
        seen[1].uri
    );
    assert_eq!(s.tokens.issued.load(Ordering::SeqCst), 1);
}
