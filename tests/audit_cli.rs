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

fn current_month() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}
