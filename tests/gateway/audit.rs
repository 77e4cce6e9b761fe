//! The gateway over the real audit log: the forward record is durable before the
//! upstream sees the prompt, a failing log fails closed, quotas refuse with 429.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sekimori::audit::{AuditConfig, AuditFile, AuditIo, AuditLog, StdIo};
use sekimori::config;
use sekimori::gateway::audit::AuditLogHook;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::{Gateway, RunningGateway};

use super::{chat, BASE};
use crate::util::{client, post, FakeUpstream, Reply};

fn audit_config(dir: &Path, quotas: &str) -> AuditConfig {
    let text = format!(
        "dir = {:?}\nsigning_key = {:?}\n{quotas}",
        dir.join("log"),
        dir.join("key.pem")
    );
    toml::from_str(&text).unwrap()
}

fn log_text(dir: &Path) -> String {
    let mut out = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("log")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("audit-") {
                out.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

async fn start(upstream: &str, log: AuditLog) -> RunningGateway {
    let text = BASE.replace("{UPSTREAM}", upstream);
    let p = Path::new("t.toml");
    let cfg = config::load_str(&text, p, &|_| None).unwrap();
    cfg.validate(&text, p).unwrap();
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap();
    Gateway::new(rt)
        .audit(Arc::new(AuditLogHook::new(Arc::new(log))))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn forward_record_is_durable_before_the_upstream_sees_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let up = FakeUpstream::start_with_probe(Reply::EchoChat, Arc::new(move || log_text(&d))).await;
    let log = AuditLog::open(&audit_config(dir.path(), "")).unwrap();
    let gw = start(&up.url(), log).await;
    let (s, h, _) = post(&gw, "/v1/chat/completions", &chat("電話090-1234-5678"), &[]).await;
    assert_eq!(s, 200);
    let id = h["x-sekimori-request-id"].to_str().unwrap().to_string();
    let seen = up.received()[0].probe.clone().unwrap();
    let line = seen
        .lines()
        .find(|l| l.contains(&id))
        .expect("forward record on disk when the upstream got the request");
    assert!(line.contains("forward"), "{line}");
    assert!(line.contains("\"phone\""), "{line}");
    assert!(
        !line.contains("090-1234-5678"),
        "values never in the log: {line}"
    );
    // A blocked request gets one final record, with positions and no value.
    let (s, h, _) = post(&gw, "/v1/chat/completions", &chat("番号123456789018"), &[]).await;
    assert_eq!(s, 403);
    let id = h["x-sekimori-request-id"].to_str().unwrap().to_string();
    let mut found = false;
    // Written off the response path: wait for it (bounded, 30 s).
    for _ in 0..1500 {
        if log_text(dir.path())
            .lines()
            .any(|l| l.contains(&id) && l.contains("final"))
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(found, "final record for the blocked request");
    assert!(!log_text(dir.path()).contains("123456789018"));
}

struct FailingIo {
    fail: Arc<AtomicBool>,
}

struct FailingFile {
    inner: Box<dyn AuditFile>,
    fail: Arc<AtomicBool>,
}

impl AuditFile for FailingFile {
    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        self.inner.append(buf)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.inner.sync()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.inner.truncate(len)
    }
}

impl AuditIo for FailingIo {
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn AuditFile>> {
        Ok(Box::new(FailingFile {
            inner: StdIo.open_append(path)?,
            fail: self.fail.clone(),
        }))
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        StdIo.sync_dir(dir)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        StdIo.remove(path)
    }
}

#[tokio::test]
async fn failing_audit_disk_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let fail = Arc::new(AtomicBool::new(false));
    let log = AuditLog::open_with_io(
        &audit_config(dir.path(), ""),
        Arc::new(FailingIo { fail: fail.clone() }),
    )
    .unwrap();
    let gw = start(&up.url(), log).await;
    fail.store(true, Ordering::SeqCst);
    let (s, _, v) = post(&gw, "/v1/chat/completions", &chat("こんにちは"), &[]).await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["error"]["code"], "audit_unavailable");
    assert!(
        up.received().is_empty(),
        "nothing forwarded while the log fails"
    );
    let r = client()
        .get(format!("http://{}/readyz", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn monthly_quota_boundary_is_a_429() {
    let dir = tempfile::tempdir().unwrap();
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let quotas = "[[quotas]]\nscope = \"user\"\nmonthly_chars = 8\n";
    let log = AuditLog::open(&audit_config(dir.path(), quotas)).unwrap();
    let gw = start(&up.url(), log).await;
    // 5 characters: within the cap of 8.
    let (s, _, v) = post(&gw, "/v1/chat/completions", &chat("こんにちは"), &[]).await;
    assert_eq!(s, 200, "{v}");
    // 5 more would make 10 > 8.
    let (s, _, v) = post(&gw, "/v1/chat/completions", &chat("さようなら"), &[]).await;
    assert_eq!(s, 429, "{v}");
    assert_eq!(v["error"]["code"], "quota_user_chars");
    assert!(v["sekimori"]["resets_at"].as_str().is_some(), "{v}");
    assert_eq!(up.received().len(), 1);
}

#[tokio::test]
async fn reloads_and_key_changes_are_admin_events() {
    let dir = tempfile::tempdir().unwrap();
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let path = dir.path().join("sekimori.toml");
    let good = BASE.replace("{UPSTREAM}", &up.url());
    std::fs::write(&path, &good).unwrap();
    let p = path.clone();
    let rt = tokio::task::spawn_blocking(move || sekimori::gateway::reload::build_from_file(&p))
        .await
        .unwrap()
        .unwrap();
    let log = AuditLog::open(&audit_config(dir.path(), "")).unwrap();
    let gw = Gateway::new(rt)
        .audit(Arc::new(AuditLogHook::new(Arc::new(log))))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    // sha256("sk-test-key-2"); a second key for another user.
    let more = good.clone()
        + "\n[[auth.keys]]\nsha256 = \"1e65193bdb95bdb11459530aacbb10e034c09c302fe378abe229774ea3ddc6f1\"\nuser = \"sato\"\n";
    std::fs::write(&path, &more).unwrap();
    sekimori::gateway::reload::reload(&gw.shared, "api")
        .await
        .unwrap();
    let text = log_text(dir.path());
    let reload = text
        .lines()
        .find(|l| l.contains("config_reload"))
        .expect("reload event");
    assert!(
        reload.contains("\"auth\""),
        "changed sections listed: {reload}"
    );
    let key = text
        .lines()
        .find(|l| l.contains("key_issued"))
        .expect("key event");
    assert!(
        key.contains("sato") && key.contains("1e65193bdb95bdb1"),
        "{key}"
    );
    assert!(!key.contains("sk-test-key-2"));
}

#[tokio::test]
async fn sealed_retention_keeps_prompt_and_answer_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let extra = format!("prompt_retention = \"sealed\"\nsealed_recipients = [\"{recipient}\"]\n");
    let log = AuditLog::open(&audit_config(dir.path(), &extra)).unwrap();
    let text = BASE.replace("{UPSTREAM}", &up.url());
    let p = Path::new("t.toml");
    let cfg = config::load_str(&text, p, &|_| None).unwrap();
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap();
    let gw = Gateway::new(rt)
        .audit(Arc::new(
            AuditLogHook::new(Arc::new(log)).with_responses(true),
        ))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (s, h, _) = post(&gw, "/v1/chat/completions", &chat("電話090-1234-5678"), &[]).await;
    assert_eq!(s, 200);
    let id = h["x-sekimori-request-id"].to_str().unwrap().to_string();
    let mut outcome = None;
    for _ in 0..1500 {
        outcome = log_text(dir.path())
            .lines()
            .find(|l| l.contains(&id) && l.contains("\"outcome\""))
            .map(str::to_string);
        if outcome.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let outcome = outcome.expect("outcome record");
    assert!(outcome.contains("sealed"), "answer kept sealed: {outcome}");
    let all = log_text(dir.path());
    assert!(
        !all.contains("090-1234-5678") && !all.contains("echo:"),
        "no clear text"
    );
}
