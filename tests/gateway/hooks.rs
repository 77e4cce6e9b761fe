//! Audit hook points, client allow list, trusted-header identity, the demo upstream.

use std::sync::{Arc, Mutex};

use sekimori::config;
use sekimori::gateway::hooks::{
    AuditError, AuditHook, ForwardRecord, HookFuture, Outcome, OutcomeRecord, PromptText,
};
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::{Gateway, RunningGateway};

use super::{chat, BASE};
use crate::util::{client, post, FakeUpstream, Reply};

#[derive(Default)]
struct Recorder {
    fail: bool,
    forwards: Mutex<Vec<ForwardRecord>>,
    outcomes: Mutex<Vec<OutcomeRecord>>,
    recorded: tokio::sync::Notify,
}

impl AuditHook for Recorder {
    fn record_before_forward<'a>(
        &'a self,
        r: &'a ForwardRecord,
        _prompt: PromptText<'a>,
    ) -> HookFuture<'a, Result<(), AuditError>> {
        Box::pin(async move {
            if self.fail {
                return Err(AuditError("disk full".into()));
            }
            self.forwards.lock().unwrap().push(r.clone());
            Ok(())
        })
    }
    fn record_outcome<'a>(&'a self, r: &'a OutcomeRecord) -> HookFuture<'a, ()> {
        Box::pin(async move {
            self.outcomes.lock().unwrap().push(r.clone());
            self.recorded.notify_one();
        })
    }
    fn ready(&self) -> bool {
        !self.fail
    }
}

async fn start_with(toml: &str, upstream: &str, audit: Arc<dyn AuditHook>) -> RunningGateway {
    let text = toml.replace("{UPSTREAM}", upstream);
    let p = std::path::Path::new("t.toml");
    let cfg = config::load_str(&text, p, &|name| {
        (name == "SECRET").then(|| "0123456789abcdef0123".to_string())
    })
    .unwrap();
    cfg.validate(&text, p).unwrap();
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap();
    Gateway::new(rt)
        .audit(audit)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn records_hold_locations_not_values() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let rec = Arc::new(Recorder::default());
    let gw = start_with(BASE, &up.url(), rec.clone()).await;
    let (s, _, _) = post(&gw, "/v1/chat/completions", &chat("電話090-1234-5678"), &[]).await;
    assert_eq!(s, 200);
    let (s, _, _) = post(&gw, "/v1/chat/completions", &chat("番号123456789018"), &[]).await;
    assert_eq!(s, 403);
    // Outcomes are written off the response path: wait for both (bounded).
    for _ in 0..100 {
        if rec.outcomes.lock().unwrap().len() >= 2 {
            break;
        }
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(30), rec.recorded.notified()).await;
    }
    let f = rec.forwards.lock().unwrap().clone();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].findings[0].path, "messages[0].content");
    assert_eq!(
        (f[0].findings[0].char_start, f[0].findings[0].char_end),
        (2, 15)
    );
    assert_eq!(f[0].masked, 1);
    assert!(!format!("{:?}", f[0]).contains("090-1234-5678"));
    let o = rec.outcomes.lock().unwrap().clone();
    assert_eq!(o.len(), 2);
    assert_eq!(
        (o[0].outcome, o[0].status, o[0].prompt_tokens),
        (Outcome::Forwarded, 200, Some(7))
    );
    assert_eq!((o[1].outcome, o[1].status), (Outcome::Blocked, 403));
    assert_eq!(o[1].categories, vec!["my_number".to_string()]);
    assert!(!format!("{:?}", o[1]).contains("123456789018"));
}

#[tokio::test]
async fn audit_failure_fails_closed() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let rec = Arc::new(Recorder {
        fail: true,
        ..Default::default()
    });
    let gw = start_with(BASE, &up.url(), rec).await;
    let (s, _, v) = post(&gw, "/v1/chat/completions", &chat("こんにちは"), &[]).await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["error"]["code"], "audit_unavailable");
    assert!(up.received().is_empty());
    let r = client()
        .get(format!("http://{}/readyz", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn clients_outside_the_allow_list_are_dropped() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let cfg = BASE.replace(
        "max_body_bytes = 65536",
        "max_body_bytes = 65536\nallowed_clients = [\"10.0.0.0/8\"]",
    );
    let gw = start_with(&cfg, &up.url(), Arc::new(sekimori::gateway::hooks::NoAudit)).await;
    let r = client()
        .post(format!("http://{}/v1/chat/completions", gw.addr))
        .header("content-type", "application/json")
        .body(chat("x"))
        .send()
        .await;
    assert!(r.is_err(), "connection must be dropped: {r:?}");
    assert!(up.received().is_empty());
}

#[tokio::test]
async fn trusted_header_mode() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let cfg = BASE.replace(
        "[[auth.keys]]",
        "[auth.trusted_header]\nsecret = \"${SECRET}\"\nclients = [\"127.0.0.1/32\"]\n\n[[auth.keys]]",
    );
    let rec = Arc::new(Recorder::default());
    let gw = start_with(&cfg, &up.url(), rec.clone()).await;
    let ok = [
        ("x-sekimori-user", "suzuki"),
        ("x-sekimori-department", "kosodate"),
        ("x-sekimori-secret", "0123456789abcdef0123"),
    ];
    let body =
        serde_json::json!({"model":"allowed-model","messages":[{"role":"user","content":"hi"}]})
            .to_string();
    let (s, _, v) = post(&gw, "/v1/chat/completions", &body, &ok).await;
    assert_eq!(s, 200, "{v}");
    let f = rec.forwards.lock().unwrap().clone();
    assert_eq!(
        (f[0].user.as_str(), f[0].department.as_str()),
        ("suzuki", "kosodate")
    );
    // Identity headers never reach the upstream.
    assert!(up.received()[0].header("x-sekimori-secret").is_none());
    let bad = [
        ("x-sekimori-user", "suzuki"),
        ("x-sekimori-secret", "wrong-secret-value!!"),
    ];
    let (s, _, _) = post(&gw, "/v1/chat/completions", &body, &bad).await;
    assert_eq!(s, 401);
    // A duplicated identity header is ambiguous: refused, never "first wins".
    let twice = [
        ("x-sekimori-user", "suzuki"),
        ("x-sekimori-user", "sato"),
        ("x-sekimori-department", "kosodate"),
        ("x-sekimori-secret", "0123456789abcdef0123"),
    ];
    let (s, _, v) = post(&gw, "/v1/chat/completions", &body, &twice).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["code"], "duplicate_identity_header", "{v}");
    assert_eq!(up.received().len(), 1);
}

#[tokio::test]
async fn embedded_demo_masks_and_restores() {
    let rt = tokio::task::spawn_blocking(|| Runtime::build(config::embedded_default(), None))
        .await
        .unwrap()
        .unwrap();
    let gw = Gateway::new(rt)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (s, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("山田太郎さん（090-1234-5678）"),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let received = v["sekimori_demo"]["upstream_received"]["messages"][0]["content"]
        .as_str()
        .unwrap();
    assert_eq!(
        crate::util::numbered(received),
        "〔氏名1〕さん（〔電話1〕）"
    );
    let answer = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        answer.ends_with("山田太郎さん（090-1234-5678）"),
        "{answer}"
    );
}

#[tokio::test]
async fn streamed_outcome_is_recorded_when_the_stream_ends() {
    let up = FakeUpstream::start(Reply::EchoChatStream).await;
    let rec = Arc::new(Recorder::default());
    let gw = start_with(BASE, &up.url(), rec.clone()).await;
    let body = serde_json::json!({"model":"m","stream":true,"messages":[{"role":"user","content":"090-1234-5678"}]});
    let (s, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(s, 200);
    assert!(v.as_str().unwrap().contains("090"), "{v}");
    // The outcome is written by a task once the body has been sent; wait for it.
    tokio::time::timeout(std::time::Duration::from_secs(30), rec.recorded.notified())
        .await
        .ok();
    let o = rec.outcomes.lock().unwrap().clone();
    assert_eq!(o.len(), 1);
    assert_eq!((o[0].outcome, o[0].status), (Outcome::Forwarded, 200));
}

#[tokio::test]
async fn embedded_demo_streams_in_each_api_shape() {
    let rt = tokio::task::spawn_blocking(|| Runtime::build(config::embedded_default(), None))
        .await
        .unwrap()
        .unwrap();
    let gw = Gateway::new(rt)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let t = "山田太郎さん（090-1234-5678）";
    let cases = [
        (
            "/v1/chat/completions",
            serde_json::json!({"model":"demo","stream":true,"messages":[{"role":"user","content":t}]}),
            "\"delta\":{\"content\"",
        ),
        (
            "/v1/messages",
            serde_json::json!({"model":"demo","stream":true,"max_tokens":9,"messages":[{"role":"user","content":t}]}),
            "event: content_block_delta",
        ),
        (
            "/v1/responses",
            serde_json::json!({"model":"demo","stream":true,"input":t}),
            "event: response.output_text.delta",
        ),
        (
            "/v1beta/models/demo:streamGenerateContent",
            serde_json::json!({"contents":[{"parts":[{"text":t}]}]}),
            "[{\"candidates\"",
        ),
    ];
    for (path, body, marker) in cases {
        let (s, _, v) = post(&gw, path, &body.to_string(), &[]).await;
        assert_eq!(s, 200, "{path}: {v}");
        let text = match &v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert!(
            text.contains(marker) || text.replace(' ', "").contains(marker),
            "{path}: {text}"
        );
        assert!(
            text.contains("山田太郎"),
            "{path}: restored reply missing: {text}"
        );
    }
}
