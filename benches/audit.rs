//! Audit log throughput and latency: N concurrent appenders, every append durable
//! (group commit: one write + fdatasync per batch).
//!
//! `cargo bench --bench audit` (or `--profile dev` for a quick run). Prints, per N, the
//! median over 3 runs of durable records/s and of per-append latency p50/p99.

use std::time::{Duration, Instant};

use sekimori::audit::{Action, AuditConfig, AuditLog, AuditRecord, Content, Phase, RequestEvent};

const RUNS: usize = 3;
const TOTAL: usize = 4000;

fn record(i: usize) -> AuditRecord {
    let mut ev = RequestEvent::new(
        format!("req-{i}"),
        Phase::Forward,
        format!("user{}", i % 50),
        "openai-chat",
        Action::Masked,
    );
    ev.department = Some("税務課".into());
    ev.model = Some("gpt-4o".into());
    ev.client = Some("10.1.2.3".into());
    ev.prompt_chars = 800;
    ev.categories.insert("name".into(), 2);
    AuditRecord::request(ev).with_content(Content {
        masked_prompt: Some("〔氏名1〕様の住民票の写しの交付について、".repeat(20)),
        ..Content::default()
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Records per second of `verify_dir` over a log of `TOTAL` records.
fn verify_rate() -> f64 {
    let t = tempfile::tempdir().expect("tempdir");
    let mut cfg = AuditConfig::new(t.path().join("audit"), t.path().join("key.pem"));
    cfg.segment_max_bytes = 1 << 20;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let log = AuditLog::open(&cfg).expect("open");
        let mut tasks = Vec::new();
        for w in 0..64 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..TOTAL / 64 {
                    log.append(record(w * 1000 + i)).await.expect("append");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        log.close().await;
    });
    let start = Instant::now();
    let rep = sekimori::audit::verify::verify_dir(&cfg.dir, &[]).expect("verify");
    assert!(rep.ok());
    rep.records as f64 / start.elapsed().as_secs_f64()
}

fn run(n: usize) -> (f64, f64, f64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let t = tempfile::tempdir().expect("tempdir");
    let cfg = AuditConfig::new(t.path().join("audit"), t.path().join("key.pem"));
    rt.block_on(async {
        let log = AuditLog::open(&cfg).expect("open");
        let per = TOTAL / n;
        let start = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..n {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per);
                for i in 0..per {
                    let r = record(w * per + i);
                    let t0 = Instant::now();
                    log.append(r).await.expect("append");
                    lat.push(t0.elapsed());
                }
                lat
            }));
        }
        let mut lat: Vec<Duration> = Vec::with_capacity(TOTAL);
        for t in tasks {
            lat.extend(t.await.expect("task"));
        }
        let secs = start.elapsed().as_secs_f64();
        log.close().await;
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
        (lat.len() as f64 / secs, pct(0.50), pct(0.99))
    })
}

#[allow(clippy::print_stdout)]
fn main() {
    println!("audit append, {TOTAL} durable records per run, median of {RUNS} runs");
    println!(
        "{:>10} {:>12} {:>10} {:>10}",
        "appenders", "records/s", "p50 ms", "p99 ms"
    );
    for n in [1usize, 8, 32, 128] {
        let mut rps = Vec::new();
        let mut p50 = Vec::new();
        let mut p99 = Vec::new();
        for _ in 0..RUNS {
            let (a, b, c) = run(n);
            rps.push(a);
            p50.push(b);
            p99.push(c);
        }
        println!(
            "{:>10} {:>12.0} {:>10.3} {:>10.3}",
            n,
            median(rps),
            median(p50),
            median(p99)
        );
    }
    let v: Vec<f64> = (0..RUNS).map(|_| verify_rate()).collect();
    println!("verify: {:.0} records/s (median of {RUNS})", median(v));
}
