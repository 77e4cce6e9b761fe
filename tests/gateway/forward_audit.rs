//! The forward proxy over the real audit log: a shadow-AI attempt and a masked
//! request to an approved host are written (host, user, department; no value), and
//! `sekimori audit verify` accepts the chain.

use std::sync::Arc;

use serde_json::json;

use sekimori::audit::{AuditConfig, AuditLog};
use sekimori::gateway::audit::AuditLogHook;

use super::forward_support::{hash, start_with_audit};
use super::forward_tls;
use super::BASE;

const HOST: &str = "chat.approved.test";

fn log_text(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("audit-") {
            out.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    out
}

#[tokio::test]
async fn shadow_attempts_and_intercepted_requests_are_in_the_verified_log() {
    let site = forward_tls::start(HOST).await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = sekimori::gateway::forward::ca::init(dir.path()).unwrap();
    let cfg: AuditConfig = toml::from_str(&format!(
        "dir = {:?}\nsigning_key = {:?}\n",
        dir.path().join("log"),
        dir.path().join("signing.pem")
    ))
    .unwrap();
    let log = Arc::new(AuditLog::open(&cfg).unwrap());
    let hook = Arc::new(AuditLogHook::new(log.clone()));
    let text = format!(
        r#"{BASE}
[forward_proxy]
listen = "127.0.0.1:0"
approved = ["{HOST}"]
ca_cert = "{}"
ca_key = "{}"
extra_roots = ["{}"]

[forward_proxy.resolve]
"{HOST}" = "{}"

[[forward_proxy.users]]
name = "morikawa"
department = "kosodate"
password_hash = "{}"
"#,
        cert.display(),
        key.display(),
        site.ca_pem.display(),
        site.addr,
        hash("ひみつ-pass"),
    );
    let (_gw, fwd) = start_with_audit(&text, hook).await;
    let c = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap(),
        )
        .proxy(
            reqwest::Proxy::all(format!("http://{}", fwd.addr))
                .unwrap()
                .basic_auth("morikawa", "ひみつ-pass"),
        )
        .build()
        .unwrap();
    let r = c.get("https://claude.ai/").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("https://{HOST}/api/chat"))
        .json(&json!({"prompt": "森川陽菜さんの電話は090-1234-5678です"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let logdir = dir.path().join("log");
    let mut text = String::new();
    for _ in 0..500 {
        text = log_text(&logdir);
        if text.contains("claude.ai") && text.matches(HOST).count() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(text.contains("claude.ai"), "{text}");
    assert!(text.contains("unapproved_ai_service"), "{text}");
    let shadow = text.lines().find(|l| l.contains("claude.ai")).unwrap();
    assert!(
        shadow.contains("blocked"),
        "a shadow attempt counts as blocked: {shadow}"
    );
    assert!(
        text.contains("kosodate") && text.contains("morikawa"),
        "{text}"
    );
    assert!(
        text.matches(HOST).count() >= 2,
        "forward and outcome: {text}"
    );
    assert!(
        !text.contains("090-1234-5678") && !text.contains("森川陽菜"),
        "{text}"
    );
    log.close().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .args(["audit", "verify"])
        .arg(&logdir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
