//! Bedrock in its own shape: clients call `/model/{modelId}/converse[-stream]` with a
//! Sekimori key as Bearer; Sekimori re-signs with SigV4 and forwards to a fake Bedrock
//! over TLS on 127.0.0.1 that verifies the signature (recomputed with `aws-sigv4` from
//! the known test credentials) and answers in real event-stream frames.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use aws_smithy_eventstream::frame::read_message_from;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use serde_json::{json, Value};
use sha2::Digest;

use crate::util::tls::{TlsFake, TlsRequest};
use crate::util::{client, post, start_gateway};

pub(super) const HOST: &str = "bedrock-runtime.ap-northeast-1.amazonaws.com";
pub(super) const AK: &str = "AKIDSEKIMORITEST";
pub(super) const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSEKIMORI";
pub(super) const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
pub(super) const KEY: &str = "sk-bedrock-test";
pub(super) const MODEL: &str = "jp.anthropic.claude-3-haiku-20240307-v1:0";

/// One request the fake received and whether its signature verified.
#[derive(Clone, Debug)]
pub(super) struct Seen {
    pub(super) req: TlsRequest,
    pub(super) signature_ok: bool,
}

pub(super) struct FakeBedrock {
    pub(super) tls: TlsFake,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Where the streamed echo is cut into two `contentBlockDelta` frames (characters).
    pub(super) split: Arc<AtomicUsize>,
}

/// Recomputes the SigV4 `authorization` of `req` from the test credentials, over the
/// headers it names as signed, its path as sent and its body.
pub(super) fn signature_verifies(req: &TlsRequest) -> bool {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let Some(auth) = req.header("authorization") else {
        return false;
    };
    let Some(signed) = auth
        .split(", ")
        .find_map(|p| p.strip_prefix("SignedHeaders="))
    else {
        return false;
    };
    let Some(date) = req.header("x-amz-date") else {
        return false;
    };
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let Ok(t) = time::PrimitiveDateTime::parse(date, fmt) else {
        return false;
    };
    let time: SystemTime = t.assume_utc().into();
    let pairs: Vec<(&str, &str)> = signed
        .split(';')
        .filter(|n| !matches!(*n, "host" | "x-amz-date" | "x-amz-security-token"))
        .map(|n| (n, req.header(n).unwrap_or("")))
        .collect();
    let identity =
        aws_credential_types::Credentials::new(AK, SK, Some(TOKEN.into()), None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("ap-northeast-1")
        .name("bedrock")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let url = format!("https://{}{}", req.header("host").unwrap_or(""), req.uri);
    let signable = SignableRequest::new(
        &req.method,
        url,
        pairs.into_iter(),
        SignableBody::Bytes(&req.body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let want = instructions
        .headers()
        .find(|(k, _)| *k == "authorization")
        .map(|(_, v)| v.to_string());
    want.as_deref() == Some(auth)
}

fn frame(event: &str, payload: Value) -> Vec<u8> {
    let m = Message::new_from_parts(
        vec![
            Header::new(":event-type", HeaderValue::String(event.to_string().into())),
            Header::new(
                ":content-type",
                HeaderValue::String("application/json".into()),
            ),
            Header::new(":message-type", HeaderValue::String("event".into())),
        ],
        payload.to_string().into_bytes(),
    );
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
    out
}

pub(super) fn last_text(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    v.pointer("/messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
        .and_then(|m| m.pointer("/content/0/text"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

impl FakeBedrock {
    pub(super) async fn start() -> FakeBedrock {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let split = Arc::new(AtomicUsize::new(0));
        let (s, sp) = (seen.clone(), split.clone());
        let handler: crate::util::tls::Handler = Arc::new(move |req: TlsRequest| {
            let signature_ok = signature_verifies(&req);
            s.lock().unwrap().push(Seen {
                req: req.clone(),
                signature_ok,
            });
            let at = sp.load(Ordering::SeqCst);
            Box::pin(async move { answer(&req, signature_ok, at) })
        });
        FakeBedrock {
            tls: TlsFake::start(HOST, handler).await,
            seen,
            split,
        }
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn answer(req: &TlsRequest, signature_ok: bool, split: usize) -> Response<Full<Bytes>> {
    let bearer = req
        .header("authorization")
        .is_some_and(|a| a == "Bearer bedrock-api-key-example");
    if !signature_ok && !bearer {
        return Response::builder()
            .status(403)
            .header("content-type", "application/json")
            .header("x-amzn-errortype", "InvalidSignatureException")
            .body(Full::new(Bytes::from(
                json!({"message": "The request signature we calculated does not match the signature you provided."}).to_string(),
            )))
            .unwrap();
    }
    let text = format!("echo: {}", last_text(&req.body));
    if req.uri.ends_with("/invoke-with-response-stream") {
        use base64::Engine;
        let chars: Vec<char> = text.chars().collect();
        let at = split.min(chars.len());
        let (a, b): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
        let events = [
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": 12, "output_tokens": 1}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": a}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": b}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}}),
            json!({"type": "message_stop"}),
        ];
        let mut body = Vec::new();
        for e in events {
            let b64 = base64::engine::general_purpose::STANDARD.encode(e.to_string());
            body.extend(frame("chunk", json!({"bytes": b64})));
        }
        return Response::builder()
            .header("content-type", "application/vnd.amazon.eventstream")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
    }
    if req.uri.ends_with("/invoke") {
        let out = json!({"id": "msg_1", "type": "message", "role": "assistant",
                         "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                         "usage": {"input_tokens": 12, "output_tokens": 6}});
        return Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(out.to_string())))
            .unwrap();
    }
    if req.uri.ends_with("/converse-stream") {
        let chars: Vec<char> = text.chars().collect();
        let at = split.min(chars.len());
        let (a, b): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
        let mut body = Vec::new();
        body.extend(frame(
            "messageStart",
            json!({"role": "assistant", "p": "abcdefgh"}),
        ));
        for piece in [a, b] {
            body.extend(frame(
                "contentBlockDelta",
                json!({"contentBlockIndex": 0, "delta": {"text": piece}, "p": "abc"}),
            ));
        }
        body.extend(frame(
            "contentBlockStop",
            json!({"contentBlockIndex": 0, "p": "ab"}),
        ));
        body.extend(frame(
            "messageStop",
            json!({"stopReason": "end_turn", "p": "a"}),
        ));
        body.extend(frame(
            "metadata",
            json!({"usage": {"inputTokens": 12, "outputTokens": 6, "totalTokens": 18}, "metrics": {"latencyMs": 3}, "p": "ab"}),
        ));
        return Response::builder()
            .header("content-type", "application/vnd.amazon.eventstream")
            .header("x-amzn-requestid", "fake-bedrock-request-1")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
    }
    let out = json!({
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 6, "totalTokens": 18},
        "metrics": {"latencyMs": 3}
    });
    Response::builder()
        .header("content-type", "application/json")
        .header("x-amzn-requestid", "fake-bedrock-request-1")
        .body(Full::new(Bytes::from(out.to_string())))
        .unwrap()
}

/// The gateway's configuration: one Bedrock upstream reached at the fake, signed with
/// the test credentials (or, with `api_key`, a Bedrock API key as Bearer).
fn config(fake: &FakeBedrock, credentials: &str) -> String {
    let key_hash = hex::encode(sha2::Sha256::digest(KEY.as_bytes()));
    format!(
        r#"
[server]
listen = "127.0.0.1:0"

[policy]
default_action = "mask"

[policy.actions]
my_number = "block"

[[auth.keys]]
sha256 = "{key_hash}"
user = "suzuki"
department = "soumu"

[[upstreams]]
name = "bedrock-tokyo"
provider = "bedrock"
base_url = "https://{HOST}"
{credentials}
{tls}
[[routes]]
api = "bedrock"
upstream = "bedrock-tokyo"
"#,
        tls = fake.tls.upstream_lines()
    )
}

pub(super) fn sigv4_credentials() -> String {
    format!("aws_access_key_id = \"{AK}\"\naws_secret_access_key = \"{SK}\"\naws_session_token = \"{TOKEN}\"\n")
}

fn converse(text: &str) -> String {
    json!({
        "system": [{"text": "あなたは市役所の職員を手伝います。"}],
        "messages": [
            {"role": "user", "content": [{"text": "こんにちは"}]},
            {"role": "assistant", "content": [{"text": "ご用件をどうぞ。"}]},
            {"role": "user", "content": [{"text": text}]}
        ],
        "inferenceConfig": {"maxTokens": 256}
    })
    .to_string()
}

fn path(model: &str, op: &str) -> String {
    format!(
        "/model/{}/{op}",
        percent_encoding::utf8_percent_encode(model, percent_encoding::NON_ALPHANUMERIC)
    )
}

fn bearer() -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {KEY}"))]
}

const PROMPT: &str = "森川陽菜さん（090-1234-5678）に折り返し連絡してください。";

#[tokio::test]
async fn converse_is_signed_and_masked_and_the_answer_restored() {
    let fake = FakeBedrock::start().await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), "").await;
    let h = bearer();
    let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, resp_headers, v) =
        post(&gw, &path(MODEL, "converse"), &converse(PROMPT), &headers).await;
    assert_eq!(status, 200, "{v}");
    let text = v
        .pointer("/output/message/content/0/text")
        .and_then(Value::as_str)
        .unwrap();
    assert!(
        text.contains("森川陽菜") && text.contains("090-1234-5678"),
        "{text}"
    );
    assert_eq!(v["usage"]["inputTokens"], 12);
    assert_eq!(
        resp_headers.get("x-upstream-request-id").unwrap(),
        "fake-bedrock-request-1"
    );

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert!(
        s.signature_ok,
        "SigV4 signature did not verify: {:?}",
        s.req.headers
    );
    // The verifier is not a rubber stamp: one byte more in the body and it fails.
    let mut tampered = s.req.clone();
    tampered.body.push(b' ');
    assert!(!signature_verifies(&tampered));
    // The model id is percent-encoded on the wire (and so double-encoded in the
    // canonical request), as the AWS SDKs send it.
    assert_eq!(
        s.req.uri,
        "/model/jp.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert_eq!(s.req.header("host"), Some(HOST));
    assert_eq!(s.req.header("x-amz-security-token"), Some(TOKEN));
    let auth = s.req.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={AK}/"))
            && auth.contains("/ap-northeast-1/bedrock/aws4_request"),
        "{auth}"
    );
    let body = String::from_utf8(s.req.body.clone()).unwrap();
    assert!(
        !body.contains("森川") && !body.contains("090-1234-5678"),
        "{body}"
    );
    assert!(
        body.contains("〔氏名-") && body.contains("〔電話-"),
        "{body}"
    );
    assert!(body.contains("あなたは市役所の職員を手伝います。"));
    // The caller's Sekimori key goes nowhere.
    assert!(s.req.headers.iter().all(|(_, v)| !v.contains(KEY)));
}

#[tokio::test]
async fn converse_stream_restores_a_placeholder_split_at_every_frame_boundary() {
    let fake = FakeBedrock::start().await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), "").await;
    let prompt = "森川陽菜さんへ";
    // The fake echoes "echo: 〔氏名-…〕さんへ", cut at every character (a cut past the
    // end leaves the second frame empty); the echo is shorter than `LAST` characters.
    const LAST: usize = 40;
    for at in 0..=LAST {
        fake.split.store(at, Ordering::SeqCst);
        let resp = client()
            .post(format!(
                "http://{}{}",
                gw.addr,
                path(MODEL, "converse-stream")
            ))
            .header("authorization", format!("Bearer {KEY}"))
            .header("content-type", "application/json")
            .body(converse(prompt))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "split at {at}");
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/vnd.amazon.eventstream"
        );
        let bytes = resp.bytes().await.unwrap();
        let mut rest = &bytes[..];
        let (mut text, mut events) = (String::new(), Vec::new());
        while !rest.is_empty() {
            let total = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            let m = read_message_from(&rest[..total]).expect("every frame's CRCs are valid");
            rest = &rest[total..];
            let name = m
                .headers()
                .iter()
                .find(|h| h.name().as_str() == ":event-type")
                .and_then(|h| h.value().as_string().ok())
                .map(|s| s.as_str().to_string())
                .unwrap();
            let v: Value = serde_json::from_slice(m.payload()).unwrap();
            if name == "contentBlockDelta" {
                text.push_str(v["delta"]["text"].as_str().unwrap());
            }
            events.push(name);
        }
        assert_eq!(text, "echo: 森川陽菜さんへ", "split at {at}");
        assert_eq!(events.first().map(String::as_str), Some("messageStart"));
        assert_eq!(events.last().map(String::as_str), Some("metadata"));
    }
    let seen = fake.seen();
    assert_eq!(seen.len(), LAST + 1);
    let echoed = format!("echo: {}", last_text(&seen[0].req.body));
    assert!(echoed.chars().count() < LAST, "{echoed}");
    for s in &seen {
        assert!(s.signature_ok);
        assert!(s.req.uri.ends_with("v1%3A0/converse-stream"));
        assert!(!String::from_utf8_lossy(&s.req.body).contains("森川"));
    }
}

#[tokio::test]
async fn blocked_text_and_foreign_routing_never_arrive() {
    let fake = FakeBedrock::start().await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), "").await;
    let h = bearer();
    let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let (status, resp_headers, v) = post(
        &gw,
        &path(MODEL, "converse"),
        &converse("個人番号は123456789018です"),
        &headers,
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["__type"], "AccessDeniedException");
    assert!(
        v["message"].as_str().unwrap().contains("個人番号") || v.to_string().contains("my_number"),
        "{v}"
    );
    assert!(!v.to_string().contains("123456789018"));
    assert_eq!(
        resp_headers.get("x-amzn-errortype").unwrap(),
        "AccessDeniedException"
    );

    for model in [
        "apac.anthropic.claude-3-haiku-20240307-v1:0",
        "global.anthropic.claude-sonnet-4-20250514-v1:0",
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
    ] {
        let (status, _, v) =
            post(&gw, &path(model, "converse"), &converse("こんにちは"), &headers).await;
        assert_eq!(status, 403, "{model}: {v}");
        assert!(
            v["sekimori"]["region_rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("bedrock.")),
            "{model}: {v}"
        );
    }
    // Without a Sekimori key: refused before anything else.
    let (status, _, _) = post(&gw, &path(MODEL, "converse"), &converse("こんにちは"), &[]).await;
    assert_eq!(status, 401);
    assert!(fake.seen().is_empty(), "nothing may reach Bedrock");
}

#[tokio::test]
async fn a_bedrock_api_key_is_sent_as_bearer_without_sigv4() {
    let fake = FakeBedrock::start().await;
    let cfg = config(&fake, "api_key = \"bedrock-api-key-example\"\n");
    let gw = start_gateway(&cfg, "").await;
    let h = bearer();
    let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, v) = post(&gw, &path(MODEL, "converse"), &converse(PROMPT), &headers).await;
    assert_eq!(status, 200, "{v}");
    let seen = fake.seen();
    assert_eq!(
        seen[0].req.header("authorization"),
        Some("Bearer bedrock-api-key-example")
    );
    assert!(seen[0].req.header("x-amz-date").is_none());
}

#[test]
fn a_bedrock_upstream_outside_japan_or_half_configured_is_refused_at_load() {
    use sekimori::config;
    use sekimori::gateway::runtime::Runtime;
    let cases = [
        (
            "base_url = \"https://bedrock-runtime.us-east-1.amazonaws.com\"\n",
            "region rule",
        ),
        (
            "base_url = \"https://bedrock-runtime.ap-northeast-1.amazonaws.com\"\naws_access_key_id = \"AKID\"\n",
            "aws_secret_access_key",
        ),
        (
            "base_url = \"https://bedrock-runtime.ap-northeast-1.amazonaws.com\"\nconnect_to = \"198.51.100.7:443\"\n",
            "connect_to",
        ),
    ];
    for (lines, want) in cases {
        let text = format!(
            "[[upstreams]]\nname = \"b\"\nprovider = \"bedrock\"\n{lines}\n[[routes]]\napi = \"bedrock\"\nupstream = \"b\"\n"
        );
        let path = std::path::Path::new("test.toml");
        let err = config::load_str(&text, path, &|_| None)
            .and_then(|cfg| {
                cfg.validate(&text, path)?;
                Runtime::build(cfg, None).map(|_| ())
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{lines}: {err}");
    }
}

#[tokio::test]
async fn invoke_model_with_anthropic_messages_bodies_streamed_and_not() {
    use base64::Engine;
    let fake = FakeBedrock::start().await;
    let gw = start_gateway(&config(&fake, &sigv4_credentials()), "").await;
    let body = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                      "system": "市役所の補助",
                      "messages": [{"role": "user", "content": [{"type": "text", "text": "森川陽菜さんへ"}]}]})
    .to_string();
    let h = bearer();
    let headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, v) = post(&gw, &path(MODEL, "invoke"), &body, &headers).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["content"][0]["text"], "echo: 森川陽菜さんへ");
    for at in [0, 7, 9, 12, 40] {
        fake.split.store(at, Ordering::SeqCst);
        let resp = client()
            .post(format!(
                "http://{}{}",
                gw.addr,
                path(MODEL, "invoke-with-response-stream")
            ))
            .header("authorization", format!("Bearer {KEY}"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.unwrap();
        let mut rest = &bytes[..];
        let mut text = String::new();
        while !rest.is_empty() {
            let total = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            let m = read_message_from(&rest[..total]).expect("valid CRCs");
            rest = &rest[total..];
            let v: Value = serde_json::from_slice(m.payload()).unwrap();
            let inner = base64::engine::general_purpose::STANDARD
                .decode(v["bytes"].as_str().unwrap())
                .unwrap();
            let e: Value = serde_json::from_slice(&inner).unwrap();
            if let Some(t) = e.pointer("/delta/text").and_then(Value::as_str) {
                text.push_str(t);
            }
        }
        assert_eq!(text, "echo: 森川陽菜さんへ", "split at {at}");
    }
    for s in fake.seen() {
        assert!(s.signature_ok);
        assert!(!String::from_utf8_lossy(&s.req.body).contains("森川"));
        assert!(String::from_utf8_lossy(&s.req.body).contains("bedrock-2023-05-31"));
    }
    assert_eq!(fake.seen().len(), 6);
}
