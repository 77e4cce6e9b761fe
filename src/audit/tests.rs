//! End-to-end tests of the audit log on a temporary directory: tampering, crash
//! recovery, injected disk failures, retention, quotas, export.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use time::OffsetDateTime;

use super::checkpoint::CHECKPOINTS_FILE;
use super::export::{self, ExportOptions, Filter};
use super::segment::{hex32, list_segments, open_line, seal_line, split_lines};
use super::verify::{verify_dir, ProblemKind};
use super::*;

fn cfg(dir: &Path) -> AuditConfig {
    let mut c = AuditConfig::new(dir.join("log"), dir.join("keys/signing.pem"));
    c.checkpoint_every_records = 7;
    c.segment_max_bytes = 4096;
    c
}

fn req(i: u64, phase: Phase, action: Action) -> AuditRecord {
    let mut ev = RequestEvent::new(
        format!("req-{i}"),
        phase,
        format!("user{}", i % 3),
        "openai-chat",
        action,
    );
    ev.department = Some(
        if i.is_multiple_of(2) {
            "税務課"
        } else {
            "福祉課"
        }
        .into(),
    );
    ev.model = Some("gpt-4o".into());
    ev.client = Some("10.0.0.5".into());
    ev.upstream = Some(UpstreamRef {
        name: "azure-jp".into(),
        provider: "azure".into(),
        region: "japaneast".into(),
    });
    ev.prompt_chars = 100 + i;
    if action == Action::Masked || action == Action::Blocked {
        ev.categories.insert("name".into(), 1);
        ev.findings.push(FindingPos {
            category: "name".into(),
            field: "messages[0].content".into(),
            start: 3,
            end: 5,
        });
    }
    if phase == Phase::Outcome {
        ev.tokens_in = Some(10);
        ev.tokens_out = Some(20);
        ev.status = Some(200);
        ev.latency_ms = Some(1234);
    }
    AuditRecord::request(ev)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Writes `n` forwarded requests (forward + outcome each) and closes.
fn build(dir: &Path, n: u64) -> PathBuf {
    let c = cfg(dir);
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        for i in 0..n {
            log.append(req(i, Phase::Forward, Action::Masked))
                .await
                .unwrap();
            log.append(req(i, Phase::Outcome, Action::Masked))
                .await
                .unwrap();
        }
        log.close().await;
    });
    c.dir
}

fn seg_path(dir: &Path, idx: usize) -> (PathBuf, String) {
    let segs = list_segments(dir).unwrap();
    let name = segs[idx].1.clone();
    (dir.join(&name), name)
}

fn lines_of(p: &Path) -> Vec<Vec<u8>> {
    let b = std::fs::read(p).unwrap();
    split_lines(&b)
        .0
        .into_iter()
        .map(|(_, l)| l.to_vec())
        .collect()
}

fn write_lines(p: &Path, lines: &[Vec<u8>]) {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    std::fs::write(p, out).unwrap();
}

#[test]
fn intact_log_verifies() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let rep = verify_dir(&dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert!(
        rep.segments >= 3,
        "want several segments, got {}",
        rep.segments
    );
    assert!(rep.checkpoints_verified >= 10);
    assert_eq!(rep.checkpoints_verified_in_chain, rep.checkpoints_verified);
    assert!(rep.clean_shutdown);
    assert_eq!(rep.first_seq, 1);
    // With the independently held public key too.
    let vk = checkpoint::read_public_key(&checkpoint::public_key_path(
        &t.path().join("keys/signing.pem"),
    ))
    .unwrap();
    assert!(verify_dir(&dir, &[vk]).unwrap().ok());
}

/// Each tampering is reported first at the right file and line.
#[test]
fn tampering_is_located() {
    type Tamper = fn(&Path) -> (String, u64);
    let cases: Vec<(&str, Tamper, ProblemKind)> = vec![
        (
            "change one byte",
            |d| {
                let (p, name) = seg_path(d, 1);
                let mut ls = lines_of(&p);
                let pos = ls[2]
                    .windows(5)
                    .position(|w| w == b"user0" || w == b"user1" || w == b"user2")
                    .unwrap();
                ls[2][pos + 4] = b'9';
                write_lines(&p, &ls);
                (name, 3)
            },
            ProblemKind::Modified,
        ),
        (
            "delete a line",
            |d| {
                let (p, name) = seg_path(d, 1);
                let mut ls = lines_of(&p);
                ls.remove(3);
                write_lines(&p, &ls);
                (name, 4)
            },
            ProblemKind::Missing,
        ),
        (
            "delete the first line of a segment",
            |d| {
                let (p, name) = seg_path(d, 2);
                let mut ls = lines_of(&p);
                ls.remove(0);
                write_lines(&p, &ls);
                (name, 1)
            },
            ProblemKind::Missing,
        ),
        (
            "swap two lines",
            |d| {
                let (p, name) = seg_path(d, 1);
                let mut ls = lines_of(&p);
                ls.swap(2, 3);
                write_lines(&p, &ls);
                (name, 3)
            },
            ProblemKind::Reordered,
        ),
        (
            "truncate a middle segment",
            |d| {
                let (p, name) = seg_path(d, 1);
                let mut ls = lines_of(&p);
                ls.truncate(4);
                write_lines(&p, &ls);
                (name, 5)
            },
            ProblemKind::Truncated,
        ),
        (
            "truncate the last segment",
            |d| {
                let n = list_segments(d).unwrap().len();
                let (p, name) = seg_path(d, n - 1);
                let mut ls = lines_of(&p);
                let keep = ls.len() - 3;
                ls.truncate(keep);
                write_lines(&p, &ls);
                (name, keep as u64 + 1)
            },
            ProblemKind::Truncated,
        ),
        (
            "cut the last line in half",
            |d| {
                let n = list_segments(d).unwrap().len();
                let (p, name) = seg_path(d, n - 1);
                let b = std::fs::read(&p).unwrap();
                let lines = lines_of(&p).len();
                std::fs::write(&p, &b[..b.len() - 40]).unwrap();
                (name, lines as u64)
            },
            ProblemKind::Truncated,
        ),
        (
            "delete a middle segment",
            |d| {
                let (_, before) = seg_path(d, 0);
                let lines = lines_of(&d.join(&before)).len();
                let (p, _) = seg_path(d, 1);
                std::fs::remove_file(p).unwrap();
                (before, lines as u64 + 1)
            },
            ProblemKind::Truncated,
        ),
        (
            "delete the first segment",
            |d| {
                let (p, _) = seg_path(d, 0);
                std::fs::remove_file(p).unwrap();
                let (_, next) = seg_path(d, 0);
                (next, 1)
            },
            ProblemKind::UnrecordedDeletion,
        ),
        (
            "forge a checkpoint",
            |d| {
                let p = d.join(CHECKPOINTS_FILE);
                let mut ls = lines_of(&p);
                let s = String::from_utf8(ls[1].clone()).unwrap();
                let mut c: checkpoint::Checkpoint = serde_json::from_str(&s).unwrap();
                c.seq += 1;
                ls[1] = serde_json::to_vec(&c).unwrap();
                write_lines(&p, &ls);
                (CHECKPOINTS_FILE.to_string(), 2)
            },
            ProblemKind::BadCheckpoint,
        ),
        (
            "rewrite with recomputed hashes",
            |d| {
                // Alter record 5 and re-chain everything after it: only checkpoints catch this.
                let segs = list_segments(d).unwrap();
                let mut prev: Option<[u8; 32]> = None;
                let mut at = (String::new(), 0);
                for (_, name) in &segs {
                    let p = d.join(name);
                    let mut out = Vec::new();
                    for (i, l) in lines_of(&p).iter().enumerate() {
                        let (_, mut r) = open_line(l).unwrap();
                        if let Some(h) = prev {
                            r.prev = hex32(&h);
                        }
                        if r.seq == 5 {
                            if let Event::Request(q) = &mut r.event {
                                q.user = "someone-else".into();
                            }
                        }
                        let (h, line) = seal_line(&r);
                        prev = Some(h);
                        out.extend_from_slice(&line);
                        // The first checkpoint (every 7 records) attests seq 7.
                        if r.seq == 7 {
                            at = (name.clone(), i as u64 + 1);
                        }
                    }
                    std::fs::write(&p, out).unwrap();
                }
                at
            },
            ProblemKind::CheckpointMismatch,
        ),
    ];
    for (what, tamper, kind) in cases {
        let t = tempfile::tempdir().unwrap();
        let dir = build(t.path(), 40);
        assert!(verify_dir(&dir, &[]).unwrap().ok());
        let (file, line) = tamper(&dir);
        let rep = verify_dir(&dir, &[]).unwrap();
        let first = rep
            .problems
            .first()
            .unwrap_or_else(|| panic!("{what}: not detected"));
        assert_eq!(
            (first.file.as_str(), first.line, first.kind),
            (file.as_str(), line, kind),
            "{what}: {first}"
        );
    }
}

#[test]
fn torn_tail_is_cut_recorded_and_the_chain_continues() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 5);
    let (p, name) = seg_path(&dir, list_segments(&dir).unwrap().len() - 1);
    let mut b = std::fs::read(&p).unwrap();
    let before = b.len();
    b.extend_from_slice(b"{\"v\":1,\"seq\":999,\"time\":\"2026-");
    std::fs::write(&p, &b).unwrap();
    assert!(!verify_dir(&dir, &[]).unwrap().ok());
    let c = cfg(t.path());
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        log.append(req(100, Phase::Forward, Action::Allowed))
            .await
            .unwrap();
        log.close().await;
    });
    let rep = verify_dir(&dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    let kept = std::fs::read(dir.join("recovered").join(format!("{name}.{before}.tail"))).unwrap();
    assert!(kept.starts_with(b"{\"v\":1,\"seq\":999"));
    let mut found = false;
    export::for_each_record(&dir, |r| {
        if let Event::System(SystemEvent::TailTruncated {
            offset,
            discarded_bytes,
            ..
        }) = &r.event
        {
            assert_eq!((*offset, *discarded_bytes), (before as u64, 30));
            found = true;
        }
        Ok(())
    })
    .unwrap();
    assert!(found);
}

#[test]
fn damaged_middle_line_refuses_to_open() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 3);
    let (p, _) = seg_path(&dir, list_segments(&dir).unwrap().len() - 1);
    let mut ls = lines_of(&p);
    ls[1][10] ^= 1;
    write_lines(&p, &ls);
    match AuditLog::open(&cfg(t.path())) {
        Err(AuditError::Corrupt { line, .. }) => assert_eq!(line, 2),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn removed_log_with_checkpoints_refuses_to_open() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 3);
    for (_, n) in list_segments(&dir).unwrap() {
        std::fs::remove_file(dir.join(n)).unwrap();
    }
    assert!(matches!(
        AuditLog::open(&cfg(t.path())),
        Err(AuditError::Corrupt { .. })
    ));
}

#[test]
fn second_writer_is_locked_out() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    let _a = AuditLog::open(&c).unwrap();
    assert!(matches!(AuditLog::open(&c), Err(AuditError::Locked(_))));
}

/// Disk failure injected behind [`AuditIo`]: half of the buffer is written, then an error.
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
            self.inner.append(&buf[..buf.len() / 2])?;
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
        if self.fail.load(Ordering::SeqCst) {
            return Err(io::Error::other("I/O error"));
        }
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

#[test]
fn disk_failure_fails_closed_and_recovers() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    let fail = Arc::new(AtomicBool::new(false));
    rt().block_on(async {
        let log = AuditLog::open_with_io(&c, Arc::new(FailingIo { fail: fail.clone() })).unwrap();
        let s1 = log
            .append(req(1, Phase::Forward, Action::Allowed))
            .await
            .unwrap();
        assert!(log.is_healthy());
        fail.store(true, Ordering::SeqCst);
        for i in 0..3 {
            let e = log
                .append(req(2 + i, Phase::Forward, Action::Allowed))
                .await
                .unwrap_err();
            assert!(matches!(e, AuditError::Unavailable(_)), "{e}");
            assert!(!e.to_string().contains("req-"), "{e}");
            assert!(!log.is_healthy());
        }
        fail.store(false, Ordering::SeqCst);
        let s2 = log
            .append(req(9, Phase::Forward, Action::Allowed))
            .await
            .unwrap();
        assert!(log.is_healthy());
        // One WriteRecovered record sits between the two acknowledged records.
        assert_eq!(s2, s1 + 2);
        log.close().await;
    });
    let rep = verify_dir(&c.dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    let mut recovered = None;
    let mut ids = Vec::new();
    export::for_each_record(&c.dir, |r| {
        if let Event::System(SystemEvent::WriteRecovered { failed_appends, .. }) = &r.event {
            recovered = Some(*failed_appends);
        }
        if let Some(q) = r.request() {
            ids.push(q.request_id.clone());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(recovered, Some(3));
    assert_eq!(
        ids,
        ["req-1", "req-9"],
        "refused appends must not be in the log"
    );
}

#[test]
fn retention_deletes_expired_segments_and_records_it() {
    let t = tempfile::tempdir().unwrap();
    let mut c = cfg(t.path());
    c.checkpoint_every_records = 100_000;
    let old = OffsetDateTime::now_utc() - time::Duration::days(500);
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        for i in 0..30 {
            log.append(req(i, Phase::Final, Action::Blocked).at(old))
                .await
                .unwrap();
        }
        log.close().await;
    });
    let before = list_segments(&c.dir).unwrap().len();
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        log.close().await;
    });
    let after = list_segments(&c.dir).unwrap().len();
    assert!(after < before, "{before} -> {after}");
    let rep = verify_dir(&c.dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.deletions_accepted, 1);
    assert!(rep.first_seq > 1);
}

#[test]
fn quotas_survive_restart() {
    let t = tempfile::tempdir().unwrap();
    let mut c = cfg(t.path());
    c.quotas = vec![QuotaRule {
        scope: QuotaScope::User,
        name: None,
        model: None,
        monthly_chars: Some(1000),
        monthly_tokens: None,
    }];
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        // user0 (i = 0, 3, 6): 100 + 103 + 106 chars, 30 tokens each outcome.
        for i in [0u64, 3, 6] {
            log.append(req(i, Phase::Forward, Action::Allowed))
                .await
                .unwrap();
            log.append(req(i, Phase::Outcome, Action::Allowed))
                .await
                .unwrap();
        }
        assert_eq!(
            log.quotas().used(QuotaScope::User, "user0", None),
            (309, 90)
        );
        log.close().await;
    });
    let log = AuditLog::open(&c).unwrap();
    let q = log.quotas();
    assert_eq!(q.used(QuotaScope::User, "user0", None), (309, 90));
    assert!(q.check("user0", None, None, 691).is_ok());
    let e = q.check("user0", None, None, 692).unwrap_err();
    assert_eq!((e.used, e.limit), (309, 1000));
}

#[test]
fn export_csv_round_trips() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    let tricky = "課,\"長\"\r\n=SUM(A1)";
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        for i in 0..6 {
            let mut r = req(i, Phase::Forward, Action::Masked);
            if let Event::Request(q) = &mut r.event {
                if i == 4 {
                    q.department = Some(tricky.into());
                }
            }
            let r = r.with_content(Content {
                masked_prompt: Some(format!("〔氏名1〕さんの件 {i}")),
                ..Content::default()
            });
            log.append(r).await.unwrap();
        }
        log.append(req(7, Phase::Final, Action::Blocked))
            .await
            .unwrap();
        log.close().await;
    });
    let mut out = Vec::new();
    let opts = ExportOptions {
        bom: true,
        ..ExportOptions::default()
    };
    let st = export::export(&c.dir, &Filter::default(), &opts, &mut out).unwrap();
    assert_eq!(st.exported, 7);
    assert!(out.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"));
    let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(head, export::CSV_COLUMNS);
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let mut expected = Vec::new();
    export::for_each_record(&c.dir, |r| {
        if r.request().is_some() {
            expected.push(r.clone());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, r) in rows.iter().zip(&expected) {
        let q = r.request().unwrap();
        assert_eq!(row[col("seq")].parse::<u64>().unwrap(), r.seq);
        assert_eq!(&row[col("time_utc")], r.time);
        assert_eq!(&row[col("request_id")], q.request_id);
        assert_eq!(&row[col("user")], q.user);
        let dept = q.department.clone().unwrap();
        let want_dept = if dept.starts_with('=') {
            format!("'{dept}")
        } else {
            dept
        };
        assert_eq!(&row[col("department")], want_dept);
        assert_eq!(&row[col("action")], q.action.as_str());
        assert_eq!(
            row[col("prompt_chars")].parse::<u64>().unwrap(),
            q.prompt_chars
        );
        assert_eq!(&row[col("categories")], "name=1");
        assert_eq!(&row[col("findings")], "messages[0].content:name:3-5");
        let jst = r.time().unwrap().to_offset(timefmt::JST);
        assert!(row[col("time_jst")].starts_with(&format!("{}-", jst.year())));
        let prompt = match &r.prompt {
            Some(StoredPrompt::Masked { text }) => text.clone(),
            _ => String::new(),
        };
        assert_eq!(&row[col("prompt")], prompt);
    }
    // Filters.
    let f = Filter {
        action: Some(Action::Blocked),
        ..Filter::default()
    };
    let mut out = Vec::new();
    let st = export::export(&c.dir, &f, &ExportOptions::default(), &mut out).unwrap();
    assert_eq!(st.exported, 1);
}

#[test]
fn sealed_prompts_are_unreadable_without_the_identity() {
    let t = tempfile::tempdir().unwrap();
    let id = age::x25519::Identity::generate();
    let mut c = cfg(t.path());
    c.prompt_retention = PromptRetention::Sealed;
    c.sealed_recipients = vec![id.to_public().to_string()];
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        let r = req(1, Phase::Forward, Action::Masked).with_content(Content {
            masked_prompt: Some("〔氏名1〕".into()),
            original_prompt: Some("山田太郎".into()),
            response: None,
        });
        log.append(r).await.unwrap();
        log.close().await;
    });
    for (_, n) in list_segments(&c.dir).unwrap() {
        let b = std::fs::read(c.dir.join(n)).unwrap();
        let s = String::from_utf8(b).unwrap();
        assert!(!s.contains("山田") && !s.contains("〔氏名1〕"));
    }
    let mut out = Vec::new();
    let opts = ExportOptions {
        jsonl: true,
        identities: Some(seal::Identities::from_x25519(vec![id])),
        ..ExportOptions::default()
    };
    export::export(&c.dir, &Filter::default(), &opts, &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains("山田太郎"));
}

#[test]
fn system_events_cannot_be_appended() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    rt().block_on(async {
        let log = AuditLog::open(&c).unwrap();
        let mut r = AuditRecord::admin(AdminEvent::Other {
            name: "x".into(),
            actor: "a".into(),
            detail: Default::default(),
        });
        r.event = Event::System(SystemEvent::Shutdown {
            reason: "fake".into(),
        });
        assert!(matches!(log.append(r).await, Err(AuditError::Reserved(_))));
        log.close().await;
        let e = log
            .append(req(1, Phase::Final, Action::Blocked))
            .await
            .unwrap_err();
        assert!(matches!(e, AuditError::Closed));
    });
}

/// An attacker who cuts the tail and the matching checkpoints in the directory is
/// caught by the write-once copy of `checkpoints.jsonl`.
#[test]
fn worm_copy_of_checkpoints_catches_a_consistent_truncation() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let worm = t.path().join("worm-checkpoints.jsonl");
    std::fs::copy(dir.join(CHECKPOINTS_FILE), &worm).unwrap();
    // Cut the last segment back to a point with no later checkpoint, in both files.
    let n = list_segments(&dir).unwrap().len();
    let (p, _) = seg_path(&dir, n - 1);
    if lines_of(&p).len() < 4 {
        std::fs::remove_file(&p).unwrap();
    }
    let n = list_segments(&dir).unwrap().len();
    let (p, name) = seg_path(&dir, n - 1);
    let mut ls = lines_of(&p);
    let keep = ls.len() - 3;
    let (_, last_kept) = open_line(&ls[keep - 1]).unwrap();
    ls.truncate(keep);
    write_lines(&p, &ls);
    let cp = dir.join(CHECKPOINTS_FILE);
    let kept: Vec<Vec<u8>> = lines_of(&cp)
        .into_iter()
        .filter(|l| {
            serde_json::from_slice::<checkpoint::Checkpoint>(l)
                .unwrap()
                .seq
                < last_kept.seq
        })
        .collect();
    write_lines(&cp, &kept);
    let local = verify_dir(&dir, &[]).unwrap();
    assert!(
        local.ok(),
        "consistent cut passes locally: {:?}",
        local.problems
    );
    let rep = verify::verify_dir_with(&dir, &worm, &[]).unwrap();
    let first = rep.problems.first().unwrap_or_else(|| panic!("{rep:?}"));
    assert_eq!(
        (first.file.as_str(), first.line, first.kind),
        (name.as_str(), keep as u64 + 1, ProblemKind::Truncated),
        "{first}"
    );
}

/// A device whose `fdatasync` is instant (tmpfs, a write cache with power-loss
/// protection): appends are committed directly by the calling task, racing with the
/// writer thread's batches and checkpoints. The chain must stay intact, every
/// acknowledged record be in the log once, and appends after `close` be refused.
struct InstantSyncIo;
struct InstantSyncFile(Box<dyn AuditFile>);
impl AuditFile for InstantSyncFile {
    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.append(buf)
    }
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.truncate(len)
    }
}
impl AuditIo for InstantSyncIo {
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn AuditFile>> {
        Ok(Box::new(InstantSyncFile(StdIo.open_append(path)?)))
    }
    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        StdIo.remove(path)
    }
}

#[test]
fn direct_commits_keep_the_chain_under_concurrency() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let mut seqs = rt.block_on(async {
        let log = AuditLog::open_with_io(&c, Arc::new(InstantSyncIo)).unwrap();
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                for i in 0..50 {
                    let n = w * 1000 + i;
                    got.push(
                        log.append(req(n, Phase::Forward, Action::Masked))
                            .await
                            .unwrap(),
                    );
                    got.push(
                        log.append(req(n, Phase::Outcome, Action::Masked))
                            .await
                            .unwrap(),
                    );
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        log.close().await;
        let after = log.append(req(1, Phase::Forward, Action::Masked)).await;
        assert!(matches!(after, Err(AuditError::Closed)), "{after:?}");
        all
    });
    let n = seqs.len();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), n, "a sequence number was acknowledged twice");
    let rep = verify_dir(&c.dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert!(rep.clean_shutdown);
    let mut requests = 0;
    export::for_each_record(&c.dir, |r| {
        if matches!(r.event, Event::Request(_)) {
            requests += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(requests, 800);
}

/// Deferred records (request outcomes) are committed by the writer thread without a
/// close, interleave with durable appends without breaking the chain, are all in the
/// log after `close` (before its shutdown record), and are refused after it.
#[test]
fn deferred_records_are_committed_in_the_chain() {
    let t = tempfile::tempdir().unwrap();
    let c = cfg(t.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let count_outcomes = |dir: &Path| {
        let mut n = 0;
        export::for_each_record(dir, |r| {
            if let Event::Request(ev) = &r.event {
                n += usize::from(ev.phase == Phase::Outcome);
            }
            Ok(())
        })
        .unwrap();
        n
    };
    rt.block_on(async {
        let log = AuditLog::open(&c).unwrap();
        // Written by the timer's flush alone (nothing else is appended meanwhile).
        log.append_deferred(req(0, Phase::Outcome, Action::Masked))
            .unwrap();
        let mut seen = false;
        for _ in 0..500 {
            if count_outcomes(&c.dir) == 1 {
                seen = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(seen, "a deferred record reached the log without close");
        for i in 1..200 {
            log.append(req(i, Phase::Forward, Action::Masked))
                .await
                .unwrap();
            log.append_deferred(req(i, Phase::Outcome, Action::Masked))
                .unwrap();
        }
        log.close().await;
        let after = log.append_deferred(req(1, Phase::Outcome, Action::Masked));
        assert!(matches!(after, Err(AuditError::Closed)), "{after:?}");
        let system = log.append_deferred(AuditRecord {
            time: OffsetDateTime::now_utc(),
            event: Event::System(SystemEvent::Shutdown {
                reason: "fake".into(),
            }),
            content: None,
        });
        assert!(matches!(system, Err(AuditError::Reserved(_))), "{system:?}");
    });
    let rep = verify_dir(&c.dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert!(rep.clean_shutdown);
    assert_eq!(count_outcomes(&c.dir), 200);
}

/// Checkpoint lines of `checkpoints.jsonl`, parsed.
fn ckpt_lines(dir: &Path) -> Vec<checkpoint::Checkpoint> {
    lines_of(&dir.join(CHECKPOINTS_FILE))
        .iter()
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

/// Where the in-chain copy of the checkpoint attesting `seq` is (file, line).
fn in_chain_copy(dir: &Path, seq: u64) -> (String, u64) {
    for (_, name) in list_segments(dir).unwrap() {
        for (i, l) in lines_of(&dir.join(&name)).iter().enumerate() {
            let (_, r) = open_line(l).unwrap();
            if matches!(r.event, Event::System(SystemEvent::Checkpoint { covers_seq, .. })
                if covers_seq == seq)
            {
                return (name, i as u64 + 1);
            }
        }
    }
    panic!("no in-chain copy for seq {seq}");
}

fn first_problem(dir: &Path) -> verify::Problem {
    let rep = verify_dir(dir, &[]).unwrap();
    rep.problems
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("not detected: {rep:?}"))
}

/// A closed log ends with its final checkpoint's in-chain copy; deleting only that
/// record leaves a log that checkpoints.jsonl says is longer.
#[test]
fn deleting_the_last_in_chain_checkpoint_fails() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let n = list_segments(&dir).unwrap().len();
    let (p, name) = seg_path(&dir, n - 1);
    let mut ls = lines_of(&p);
    let (_, last) = open_line(ls.last().unwrap()).unwrap();
    assert!(matches!(
        last.event,
        Event::System(SystemEvent::Checkpoint { .. })
    ));
    ls.pop();
    write_lines(&p, &ls);
    let first = first_problem(&dir);
    assert_eq!(
        (first.file.as_str(), first.line, first.kind),
        (name.as_str(), ls.len() as u64 + 1, ProblemKind::Truncated),
        "{first}"
    );
    assert!(
        first.detail.contains(&format!("seq {}", last.seq)),
        "{first}"
    );
}

/// The gateway stopping between appending a checkpoint to checkpoints.jsonl and
/// recording its copy: the next start records the copy, and the log verifies.
#[test]
fn a_missing_last_in_chain_copy_is_recorded_on_open() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 10);
    let n = list_segments(&dir).unwrap().len();
    let (p, _) = seg_path(&dir, n - 1);
    let mut ls = lines_of(&p);
    ls.pop();
    write_lines(&p, &ls);
    assert!(!verify_dir(&dir, &[]).unwrap().ok());
    rt().block_on(async {
        let log = AuditLog::open(&cfg(t.path())).unwrap();
        log.close().await;
    });
    let rep = verify_dir(&dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.checkpoints_verified_in_chain, rep.checkpoints);
}

#[test]
fn deleting_a_line_of_checkpoints_jsonl_fails() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let cp = dir.join(CHECKPOINTS_FILE);
    let mut ls = lines_of(&cp);
    let seq = ckpt_lines(&dir)[2].seq;
    ls.remove(2);
    write_lines(&cp, &ls);
    let (file, line) = in_chain_copy(&dir, seq);
    let first = first_problem(&dir);
    assert_eq!(
        (first.file.as_str(), first.line, first.kind),
        (file.as_str(), line, ProblemKind::CheckpointMissing),
        "{first}"
    );
    assert!(first.detail.contains(&format!("seq {seq}")), "{first}");

    // The last line too: nothing after it attests the tail, so only the comparison
    // with the chain can notice.
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let cp = dir.join(CHECKPOINTS_FILE);
    let mut ls = lines_of(&cp);
    let seq = ckpt_lines(&dir).last().unwrap().seq;
    ls.pop();
    write_lines(&cp, &ls);
    let (file, line) = in_chain_copy(&dir, seq);
    let first = first_problem(&dir);
    assert_eq!(
        (first.file.as_str(), first.line, first.kind),
        (file.as_str(), line, ProblemKind::CheckpointMissing),
        "{first}"
    );
}

/// An edit re-signed with the gateway's own key (an attacker on the host) still
/// differs from the in-chain copy; an edit without the key breaks the signature.
#[test]
fn editing_a_line_of_checkpoints_jsonl_fails() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let key = checkpoint::load_or_generate(&t.path().join("keys/signing.pem")).unwrap();
    let cp = dir.join(CHECKPOINTS_FILE);
    let mut ls = lines_of(&cp);
    let c = ckpt_lines(&dir)[3].clone();
    let resigned =
        checkpoint::Checkpoint::sign(&key, c.seq, &c.hash, "2026-01-01T00:00:00.000Z", &c.segment);
    ls[3] = serde_json::to_vec(&resigned).unwrap();
    write_lines(&cp, &ls);
    let rep = verify_dir(&dir, &[]).unwrap();
    let (file, line) = in_chain_copy(&dir, c.seq);
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    let p = &rep.problems[0];
    assert_eq!(
        (p.file.as_str(), p.line, p.kind),
        (file.as_str(), line, ProblemKind::CheckpointDiffers),
        "{p}"
    );
    assert!(p.detail.contains("time, signature"), "{p}");
    assert!(p.detail.contains(&format!("{CHECKPOINTS_FILE}:4")), "{p}");

    // Without the key: the hash edited, the signature no longer matches.
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let cp = dir.join(CHECKPOINTS_FILE);
    let mut ls = lines_of(&cp);
    let mut c = ckpt_lines(&dir)[3].clone();
    c.hash = "00".repeat(32);
    ls[3] = serde_json::to_vec(&c).unwrap();
    write_lines(&cp, &ls);
    let rep = verify_dir(&dir, &[]).unwrap();
    let kinds: Vec<_> = rep.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::BadCheckpoint), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::CheckpointDiffers), "{kinds:?}");
}

#[test]
fn deleting_checkpoints_jsonl_fails() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let first_seq = ckpt_lines(&dir)[0].seq;
    std::fs::remove_file(dir.join(CHECKPOINTS_FILE)).unwrap();
    let (file, line) = in_chain_copy(&dir, first_seq);
    let rep = verify_dir(&dir, &[]).unwrap();
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    let p = &rep.problems[0];
    assert_eq!(
        (p.file.as_str(), p.line, p.kind),
        (file.as_str(), line, ProblemKind::CheckpointMissing),
        "{p}"
    );
    assert!(p.detail.contains("does not exist"), "{p}");
}

/// A write-once copy may lag behind: in-chain checkpoints newer than its last line are
/// counted, not failed; a line missing before its end fails.
#[test]
fn a_lagging_copy_of_checkpoints_verifies_a_gap_in_it_does_not() {
    let t = tempfile::tempdir().unwrap();
    let dir = build(t.path(), 40);
    let rep = verify_dir(&dir, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.checkpoints_not_in_copy, 0);
    let mut ls = lines_of(&dir.join(CHECKPOINTS_FILE));
    let worm = t.path().join("worm-checkpoints.jsonl");
    ls.truncate(ls.len() - 2);
    write_lines(&worm, &ls);
    let rep = verify::verify_dir_with(&dir, &worm, &[]).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.checkpoints_not_in_copy, 2);
    ls.remove(1);
    write_lines(&worm, &ls);
    let rep = verify::verify_dir_with(&dir, &worm, &[]).unwrap();
    let first = rep.problems.first().unwrap_or_else(|| panic!("{rep:?}"));
    assert_eq!(first.kind, ProblemKind::CheckpointMissing, "{first}");
}
