//! `sekimori audit verify|export` and `sekimori usage` against a log written through
//! the library API.

use std::path::Path;
use std::process::Command;

use sekimori::audit::{Action, AuditConfig, AuditLog, AuditRecord, Phase, RequestEvent};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sekimori"))
}

fn write_log(root: &Path) -> AuditConfig {
    let mut cfg = AuditConfig::new(root.join("audit"), root.join("signing.pem"));
    cfg.checkpoint_every_records = 5;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let log = AuditLog::open(&cfg).unwrap();
        for i in 0..12u64 {
            let action = if i % 4 == 0 {
                Action::Blocked
            } else {
                Action::Masked
            };
            let phase = if action == Action::Blocked {
                Phase::Final
            } else {
                Phase::Forward
            };
            let mut ev = RequestEvent::new(
                format!("r{i}"),
                phase,
                format!("u{}", i % 2),
                "openai-chat",
                action,
            );
            ev.department = Some("総務課".into());
            ev.model = Some("gpt-4o".into());
            ev.prompt_chars = 10;
            ev.categories.insert("phone".into(), 1);
            log.append(AuditRecord::request(ev)).await.unwrap();
        }
        log.close().await;
    });
    cfg
}

#[test]
fn verify_export_usage() {
    let t = tempfile::tempdir().unwrap();
    let cfg = write_log(t.path());
    let dir = cfg.dir.to_str().unwrap();

    let out = bin().args(["audit", "verify", dir]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK: "));
    let pubkey = t.path().join("signing.pem.pub");
    let out = bin()
        .args([
            "audit",
            "verify",
            dir,
            "--public-key",
            pubkey.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let out = bin()
        .args(["audit", "export", dir, "--bom", "--action", "blocked"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.starts_with("\u{feff}seq,time_jst,".as_bytes()));
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    assert_eq!(text.matches("\r\n").count(), 1 + 3, "{text}");

    let out = bin()
        .args(["usage", dir, "--month", &current_month(), "--by", "user"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "user,requests,forwarded,chars,tokens_in,tokens_out,blocked,masked,refused,errors,blocked:phone,masked:phone"
    );
    assert_eq!(lines.next().unwrap(), "u0,6,3,30,0,0,3,3,0,0,3,3");

    // Tamper: change one byte of line 4 of the first segment.
    let seg = std::fs::read_dir(&cfg.dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("audit-")
        })
        .min()
        .unwrap();
    let text = std::fs::read_to_string(&seg).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[3] = lines[3].replacen("\"r", "\"R", 1);
    std::fs::write(&seg, lines.join("\n") + "\n").unwrap();
    let out = bin().args(["audit", "verify", dir]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let name = seg.file_name().unwrap().to_str().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{name}:4: modified")), "{stdout}");
}

/// `audit verify` compares checkpoints.jsonl with the chain's in-chain copies: a
/// deleted file or line fails with exit 1, naming segment, line and sequence number.
#[test]
fn verify_fails_when_checkpoints_jsonl_is_deleted_or_cut() {
    let t = tempfile::tempdir().unwrap();
    let cfg = write_log(t.path());
    let dir = cfg.dir.to_str().unwrap();
    let cp = cfg.dir.join("checkpoints.jsonl");
    let text = std::fs::read_to_string(&cp).unwrap();
    assert!(text.lines().count() >= 2, "{text}");

    // One line removed (the first): its in-chain copy has no line any more.
    let rest: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&cp, rest).unwrap();
    let out = bin().args(["audit", "verify", dir]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(": checkpoint-missing: in-chain checkpoint for seq "),
        "{stdout}"
    );
    assert!(
        !stdout.contains("総務課") && !stdout.contains("u0"),
        "{stdout}"
    );

    // The whole file removed.
    std::fs::remove_file(&cp).unwrap();
    let out = bin()
        .args(["audit", "verify", dir, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["kind"], "checkpoint-missing");
    let detail = v["problems"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("checkpoints.jsonl does not exist"),
        "{detail}"
    );
    assert!(v["problems"][0]["file"]
        .as_str()
        .unwrap()
        .starts_with("audit-"));
}

fn current_month() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

/// Child side of [`kill_9_loses_no_acknowledged_record`]: appends forever from 8 tasks,
/// printing each acknowledged request id. Does nothing unless started by the parent.
#[test]
fn crash_child() {
    let Ok(root) = std::env::var("SEKIMORI_AUDIT_CRASH_CHILD") else {
        return;
    };
    let mut cfg = AuditConfig::new(
        Path::new(&root).join("audit"),
        Path::new(&root).join("k.pem"),
    );
    cfg.checkpoint_every_records = 50;
    cfg.segment_max_bytes = 64 * 1024;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let log = AuditLog::open(&cfg).unwrap();
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                // Bounded; the parent kills us long before.
                for i in 0..1_000_000u64 {
                    let id = format!("w{w}-{i}");
                    let ev = RequestEvent::new(
                        id.clone(),
                        Phase::Forward,
                        "u",
                        "openai-chat",
                        Action::Allowed,
                    );
                    log.append(AuditRecord::request(ev)).await.unwrap();
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "ACK {id}");
                    let _ = out.flush();
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
}

/// kill -9 during appends: every acknowledged record survives, the torn tail (if any) is
/// cut on reopen, the chain verifies, appends continue.
#[test]
fn kill_9_loses_no_acknowledged_record() {
    use std::io::BufRead;
    use std::process::Stdio;
    let t = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "audit_cli::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SEKIMORI_AUDIT_CRASH_CHILD", t.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = std::collections::HashSet::new();
    let stdout = child.stdout.take().unwrap();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("ACK ") {
            acked.insert(id.to_string());
            if acked.len() >= 2000 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    assert!(acked.len() >= 2000, "child stopped early");

    let cfg = AuditConfig::new(t.path().join("audit"), t.path().join("k.pem"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let log = AuditLog::open(&cfg).unwrap();
        let ev = RequestEvent::new("after", Phase::Final, "u", "openai-chat", Action::Blocked);
        log.append(AuditRecord::request(ev)).await.unwrap();
        log.close().await;
    });
    let out = bin()
        .args(["audit", "verify", cfg.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut present = std::collections::HashSet::new();
    sekimori::audit::export::for_each_record(&cfg.dir, |r| {
        if let Some(q) = r.request() {
            present.insert(q.request_id.clone());
        }
        Ok(())
    })
    .unwrap();
    let lost: Vec<_> = acked.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(present.contains("after"));
}

/// Sealed retention: the host cannot read the prompt; `audit unseal` and
/// `audit export --identity` can, with the auditor's identity.
#[test]
fn sealed_prompt_unseal_and_export() {
    use age::secrecy::ExposeSecret;
    use sekimori::audit::{Content, PromptRetention};
    let t = tempfile::tempdir().unwrap();
    let id = age::x25519::Identity::generate();
    let id_file = t.path().join("auditor.txt");
    std::fs::write(&id_file, format!("{}\n", id.to_string().expose_secret())).unwrap();
    let mut cfg = AuditConfig::new(t.path().join("audit"), t.path().join("k.pem"));
    cfg.prompt_retention = PromptRetention::Sealed;
    cfg.sealed_recipients = vec![id.to_public().to_string()];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seq = rt.block_on(async {
        let log = AuditLog::open(&cfg).unwrap();
        let ev = RequestEvent::new("s1", Phase::Forward, "u", "openai-chat", Action::Masked);
        let content = Content {
            masked_prompt: Some("〔氏名1〕様".into()),
            original_prompt: Some("鈴木一郎様".into()),
            response: None,
        };
        let seq = log
            .append(AuditRecord::request(ev).with_content(content))
            .await
            .unwrap();
        log.close().await;
        seq
    });
    let dir = cfg.dir.to_str().unwrap();
    let out = bin()
        .args([
            "audit",
            "unseal",
            dir,
            "--identity",
            id_file.to_str().unwrap(),
        ])
        .args(["--seq", &seq.to_string()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["prompt"], "鈴木一郎様");
    assert_eq!(v["request_id"], "s1");

    let out = bin()
        .args([
            "audit",
            "export",
            dir,
            "--format",
            "jsonl",
            "--identity",
            id_file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("鈴木一郎様"));
    let out = bin()
        .args(["audit", "export", dir, "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("鈴木"));
}
