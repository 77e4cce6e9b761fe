//! Crash test (issue 4): the real `sekimori serve` process under concurrent load is
//! killed with SIGKILL at several moments and restarted on the same audit directory.
//! Afterwards every request the fake upstream received has a durable `forward` record,
//! and the hash chain verifies.
//!
//! The kill moments are deterministic (after a set number of forwarded requests per
//! round), every loop is bounded in count and time, and only loopback is used.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::util::{client, FakeUpstream, Reply};

/// Concurrent clients per round.
const CLIENTS: usize = 8;
/// Upper bound of requests one client sends in one round.
const MAX_REQUESTS_PER_CLIENT: usize = 400;
/// Forwarded requests to wait for before each kill (one entry per round).
const KILL_AFTER: [usize; 3] = [25, 61, 40];

fn write_config(dir: &Path, upstream: &str) -> std::path::PathBuf {
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
allowed_clients = ["127.0.0.0/8"]

[auth]
allow_anonymous = true

[policy]
default_action = "mask"

[[upstreams]]
name = "local"
provider = "on_premises"
residency = "on-premises"
base_url = "{upstream}"

[[routes]]
api = "openai"
upstream = "local"

[audit]
dir = {dir:?}
signing_key = {key:?}
checkpoint_every_records = 50
"#,
        dir = dir.join("audit"),
        key = dir.join("audit-key.pem"),
    );
    let path = dir.join("sekimori.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts `sekimori serve` and returns it with the address it listens on.
async fn spawn_gateway(config: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start sekimori");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = tokio::time::timeout(Duration::from_secs(120), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return rest.split_whitespace().next().unwrap_or("").to_string();
            }
        }
        String::new()
    })
    .await
    .expect("sekimori did not start within 120 s");
    assert!(!addr.is_empty(), "sekimori exited before listening");
    // Keep draining stderr so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

/// Request ids of every `forward` record in the audit segments.
fn forward_ids(audit_dir: &Path) -> HashSet<String> {
    let mut ids = HashSet::new();
    for entry in std::fs::read_dir(audit_dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.starts_with("audit-") && name.ends_with(".jsonl")) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let ev = &v["event"];
            if ev["phase"] == "forward" {
                if let Some(id) = ev["request_id"].as_str() {
                    ids.insert(id.to_string());
                }
            }
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_load_loses_no_record_of_a_forwarded_request() {
    let dir = tempfile::tempdir().unwrap();
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let config = write_config(dir.path(), &up.url());

    for (round, &kill_after) in KILL_AFTER.iter().enumerate() {
        let (mut child, addr) = spawn_gateway(&config).await;
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let (stop, addr) = (stop.clone(), addr.clone());
            clients.push(tokio::spawn(async move {
                let http = client();
                for i in 0..MAX_REQUESTS_PER_CLIENT {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = serde_json::json!({
                        "model": "local",
                        "messages": [{"role": "user",
                            "content": format!("ラウンド{round} 依頼{c}-{i}: 山田太郎さん（090-1234-5678）へ連絡")}]
                    });
                    // Errors are expected once the process is killed.
                    let _ = http
                        .post(format!("http://{addr}/v1/chat/completions"))
                        .json(&body)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                }
            }));
        }
        let target = up.received().len() + kill_after;
        for _ in 0..3_000 {
            if up.received().len() >= target {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.start_kill().expect("SIGKILL");
        let _ = child.wait().await;
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            let _ = c.await;
        }
    }

    // One more start recovers the torn tail (if any); a clean shutdown follows.
    let (mut child, _addr) = spawn_gateway(&config).await;
    #[cfg(unix)]
    {
        let pid = child.id().unwrap().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let _ = tokio::time::timeout(Duration::from_secs(60), child.wait()).await;
    }
    let _ = child.start_kill();

    let audit_dir = dir.path().join("audit");
    let report = sekimori::audit::verify::verify_dir(&audit_dir, &[]).unwrap();
    assert!(report.ok(), "chain must verify: {:?}", report.problems);

    let received: Vec<String> = up
        .received()
        .iter()
        .filter_map(|r| r.header("x-sekimori-request-id").map(str::to_string))
        .collect();
    assert!(
        received.len() >= KILL_AFTER.iter().sum::<usize>(),
        "load reached the upstream"
    );
    let recorded = forward_ids(&audit_dir);
    let missing: Vec<&String> = received
        .iter()
        .filter(|id| !recorded.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} forwarded requests have no forward record",
        missing.len(),
        received.len()
    );
}
