//! Issue 14 item 5: inspection work in flight is bounded. With one slot and no queue, a
//! request that finds the slot taken is refused with 503 + `Retry-After` before its text
//! is scanned, and the upstream never receives it; the refusal is counted in /metrics.
//! Invented values only.

use std::time::Duration;

use super::{chat, BASE};
use crate::util::{client, post, start_gateway, FakeUpstream, Reply};

/// [`BASE`] with one inspection slot, no queue, and room for a large body.
fn one_slot() -> String {
    BASE.replace(
        "max_body_bytes = 65536",
        "max_body_bytes = 4194304\nmax_inspections_in_flight = 1\nmax_inspections_queued = 0\ninspection_queue_wait_ms = 100",
    )
}

/// A prompt of about `kib` KiB of municipal prose around invented personal data: slow
/// to scan in a debug build.
fn long_prompt(kib: usize) -> String {
    let filler = "本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。森川陽菜さん（090-1234-5678）にも確認します。";
    let mut s = String::new();
    while s.len() < kib * 1024 {
        s.push_str(filler);
    }
    s
}

async fn metrics(gw: &sekimori::gateway::server::RunningGateway) -> String {
    client()
        .get(format!("http://{}/metrics", gw.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn assert_overloaded(status: u16, headers: &reqwest::header::HeaderMap, v: &serde_json::Value) {
    assert_eq!(status, 503, "{v}");
    assert_eq!(v["error"]["code"], "inspection_overloaded", "{v}");
    assert_eq!(
        headers.get("retry-after").and_then(|h| h.to_str().ok()),
        Some("1"),
        "{headers:?}"
    );
    assert!(
        !v.to_string().contains("090-1234-5678"),
        "no prompt text in the refusal: {v}"
    );
}

/// The only slot is held (as by a running scan): the request is refused at once and
/// nothing is forwarded; once the slot is free the same request goes through.
#[tokio::test]
async fn no_free_slot_is_503_with_retry_after_and_nothing_forwarded() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(&one_slot(), &up.url()).await;
    let body = chat("森川陽菜さん（090-1234-5678）に連絡してください。");

    let held = gw.shared.inspections.acquire().await.unwrap();
    let (status, headers, v) = post(&gw, "/v1/chat/completions", &body, &[]).await;
    assert_overloaded(status, &headers, &v);
    assert!(up.received().is_empty(), "nothing forwarded");
    let m = metrics(&gw).await;
    assert!(
        m.contains("sekimori_inspections_refused_total{reason=\"queue_full\"} 1"),
        "{m}"
    );
    assert!(m.contains("sekimori_inspections_limit 1"), "{m}");
    assert!(m.contains("status=\"503\""), "{m}");

    drop(held);
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body, &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(up.received().len(), 1);
    assert!(
        !up.received()[0].body.contains("090-1234-5678"),
        "masked as usual"
    );
    assert!(metrics(&gw)
        .await
        .contains("sekimori_inspections_in_flight 0"));
}

/// Two concurrent requests, the first a large body that takes a while to scan: the
/// second, arriving while the first is scanned, gets 503 + Retry-After; the upstream
/// receives the first only.
#[tokio::test]
async fn a_second_concurrent_request_during_a_slow_scan_is_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = std::sync::Arc::new(start_gateway(&one_slot(), &up.url()).await);
    let large = chat(&long_prompt(32));
    let slow = {
        let gw = gw.clone();
        tokio::spawn(async move { post(&gw, "/v1/chat/completions", &large, &[]).await })
    };
    // Bounded wait until the large body is being scanned.
    let mut scanning = false;
    for _ in 0..2000 {
        if gw.shared.inspections.running() == 1 {
            scanning = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(scanning, "the large body never reached inspection");
    let second = chat("来週の面談日程を連絡する文面を作ってください。");
    let (status, headers, v) = post(&gw, "/v1/chat/completions", &second, &[]).await;
    assert_overloaded(status, &headers, &v);
    assert!(
        gw.shared.inspections.running() == 1,
        "the large body's scan should still be running (make it longer if this fails)"
    );

    let (status, _, v) = tokio::time::timeout(Duration::from_secs(120), slow)
        .await
        .expect("the large request finishes")
        .unwrap();
    assert_eq!(status, 200, "{v}");
    let got = up.received();
    assert_eq!(got.len(), 1, "only the first request is forwarded");
    assert!(
        !got[0].body.contains("来週の面談日程"),
        "the refused one is not"
    );
}

/// The default bound (two per core, a queue of 128) lets ordinary concurrency through.
#[tokio::test]
async fn default_bound_queues_rather_than_refuses() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = std::sync::Arc::new(start_gateway(BASE, &up.url()).await);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let gw = gw.clone();
        tasks.push(tokio::spawn(async move {
            let body = chat(&format!("第{i}回の会議録を要約してください。"));
            post(&gw, "/v1/chat/completions", &body, &[]).await.0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(up.received().len(), 16);
}
