//! Console page render time over a large audit log: the dashboard, 利用状況 (usage by
//! user and its CSV) and 監査ログ (newest matches, one filtered search), each fetched
//! over HTTP from a console on 127.0.0.1 logged in as an auditor; median of 3.
//!
//! `cargo bench --bench console` (or `--profile dev` for a quick run).
//! `SEKIMORI_BENCH_RECORDS` sets the log's size (default 100,000 request records,
//! about 30 MB on disk; 1,000,000 — a year of a city's use — needs about 300 MB).

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::sync::Arc;
use std::time::Instant;

use sekimori::audit::{Action, AuditConfig, AuditLog, AuditRecord, Phase, RequestEvent};
use sekimori::config::AdminConfig;
use sekimori::console::accounts::{Accounts, Role};
use sekimori::console::{self, AuditAccess, Console};
use sekimori::gateway::hooks::NoAudit;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::Gateway;

const PASSWORD: &str = "bench-password-2026";

fn record(i: usize) -> AuditRecord {
    let (phase, action) = match i % 10 {
        0 => (Phase::Final, Action::Blocked),
        1..=4 => (Phase::Forward, Action::Masked),
        _ => (Phase::Forward, Action::Allowed),
    };
    let mut ev = RequestEvent::new(
        format!("req-{i}"),
        phase,
        format!("user{}", i % 500),
        "openai-chat",
        action,
    );
    ev.department = Some(format!("課{}", i % 40));
    ev.model = Some(
        if i.is_multiple_of(3) {
            "gpt-4o"
        } else {
            "gpt-4.1-mini"
        }
        .into(),
    );
    ev.prompt_chars = 600;
    if action != Action::Allowed {
        ev.categories.insert("name".into(), 1);
    }
    AuditRecord::request(ev)
}

fn csrf_of(page: &str) -> String {
    let i = page.find("name=\"csrf\" value=\"").expect("csrf") + 19;
    page[i..].split('"').next().unwrap_or("").to_string()
}

fn main() {
    let n: usize = std::env::var("SEKIMORI_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t = tempfile::tempdir().expect("tempdir");
    let cfg = AuditConfig::new(t.path().join("audit"), t.path().join("key.pem"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let log = Arc::new(AuditLog::open(&cfg).expect("open"));
        let fill = Instant::now();
        let mut tasks = Vec::new();
        let per = n.div_ceil(64);
        for w in 0..64 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..per {
                    log.append(record(w * per + i)).await.expect("append");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        println!(
            "console pages over {} request records ({:.1} s to write)",
            per * 64,
            fill.elapsed().as_secs_f64()
        );
        let gw_rt = Runtime::build(sekimori::config::embedded_default(), None).expect("runtime");
        let gw = Gateway::new(gw_rt)
            .audit(Arc::new(NoAudit))
            .start("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("gateway");
        let accounts = t.path().join("accounts.json");
        Accounts::load(&accounts)
            .expect("accounts")
            .set("auditor", Role::Auditor, PASSWORD)
            .expect("set");
        let access = AuditAccess {
            log: log.clone(),
            dir: cfg.dir.clone(),
            public_key: None,
        };
        let c = Console::new(
            gw.shared.clone(),
            AdminConfig::default(),
            &accounts,
            access,
            false,
        )
        .expect("console");
        let run = console::start(c, "127.0.0.1:0".parse().expect("addr"), None)
            .await
            .expect("start");
        let base = format!("http://{}", run.addr);
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = http
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("login page");
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .to_string();
        let csrf = csrf_of(&r.text().await.unwrap_or_default());
        let r = http
            .post(format!("{base}/login"))
            .header("cookie", &cookie)
            .form(&[("user", "auditor"), ("password", PASSWORD), ("csrf", &csrf)])
            .send()
            .await
            .expect("login");
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .to_string();
        println!("{:<34} {:>10}", "page", "median ms");
        for (label, path) in [
            ("ダッシュボード /", "/"),
            ("利用状況 /usage (by user)", "/usage?by=user"),
            ("利用状況 CSV /usage.csv", "/usage.csv?by=department"),
            ("監査ログ /audit (newest 200)", "/audit"),
            (
                "監査ログ /audit?user=user7",
                "/audit?user=user7&action=blocked",
            ),
        ] {
            let mut ms = Vec::new();
            for _ in 0..3 {
                let s = Instant::now();
                let r = http
                    .get(format!("{base}{path}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .expect("get");
                assert_eq!(r.status(), 200, "{path}");
                let _ = r.bytes().await;
                ms.push(s.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(|a, b| a.total_cmp(b));
            println!("{label:<34} {:>10.0}", ms[1]);
        }
        run.stop();
        gw.shutdown().await;
        log.close().await;
    });
}
