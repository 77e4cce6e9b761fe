//! Phase `inspect`: the engine over the whole request (a failure is a 503, never a
//! forward).
//!
//! A scan first takes a slot of [`super::super::inspections`] (the bound on
//! inspection work in flight); with none free in time the request ends with 503 and
//! `Retry-After` before its text is scanned.
//!
//! A prompt of ordinary size is inspected on the async worker while fewer than
//! `shared.inline_limit` are (one per worker thread under `start_workers`, one on a
//! shared multi-threaded runtime): handing it to the blocking pool costs two thread
//! wake-ups (~2 context switches on a busy host). Large bodies, and bodies over that
//! limit, go to the blocking pool. The whole request is one text (RequestView): a
//! number or word split across two messages or parts is seen whole. Settings (role,
//! type, ids) are inspected too but do not count toward the characters a user sends.

use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::inspect::Finding;
use crate::payload::request as payload;
use crate::payload::view::RequestView;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::Ctx;

/// Text (UTF-8 bytes over all slots) up to which a request is inspected on the async
/// worker instead of the blocking pool (about 1 ms of scanning on a slow core), when no
/// other inspection is running on a worker. One at a time: under concurrency (a closed
/// loop of many clients) the blocking pool spreads the scans over more threads and keeps
/// the workers free for I/O; measured, inspecting every request inline cost ~25% of
/// closed-loop throughput on 2 shared cores.
pub const INLINE_INSPECT_BYTES: usize = 16 * 1024;

/// `Retry-After` of the 503 given when no inspection slot is free in time.
pub const OVERLOAD_RETRY_AFTER_SECS: u32 = 1;

/// Inspects [`Ctx::value`] into [`Ctx::slots`] and [`Ctx::findings`].
pub async fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let shared = cx.shared;
    let slots = payload::extract_slots(&cx.value);
    let text_bytes: usize = slots.iter().map(|s| s.text.len()).sum();
    let chars_inspected: usize = slots
        .iter()
        .filter(|s| !s.setting)
        .map(|s| s.text.chars().count())
        .sum();
    let engine = cx.rt.engine.clone();
    let t0 = Instant::now();
    // An engine with every category disabled can report nothing: no scan (it would
    // still normalise every field).
    let nothing_to_find = engine.categories().is_empty();
    let scan = move || {
        let findings: Vec<Vec<Finding>> = if nothing_to_find {
            vec![Vec::new(); slots.len()]
        } else {
            let view = RequestView::new(&slots);
            view.split(&engine.scan(view.text()))
        };
        (slots, findings)
    };
    // A slot of the bound on inspections in flight (none needed when nothing is
    // scanned); without one, 503 + Retry-After before anything is scanned or sent.
    let slot = if nothing_to_find {
        None
    } else {
        Some(shared.inspections.acquire().await.map_err(|_| {
            tracing::warn!(target: "sekimori::request", request_id = %cx.record.request_id, limit = shared.inspections.limit(), "no inspection slot: refused with 503");
            Refusal::Overloaded {
                retry_after_secs: OVERLOAD_RETRY_AFTER_SECS,
            }
        })?)
    };
    let inline = !nothing_to_find
        && text_bytes <= INLINE_INSPECT_BYTES
        && shared
            .inspecting_inline
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
                (n < shared.inline_limit).then_some(n + 1)
            })
            .is_ok();
    let scanned = if nothing_to_find {
        Ok(scan())
    } else if inline {
        // A panicking detector still ends in a 503 (as a failed blocking task does).
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan)).map_err(|_| ());
        shared.inspecting_inline.fetch_sub(1, Ordering::Release);
        drop(slot);
        r
    } else {
        // The slot moves with the scan and comes back with its result: it stays taken
        // while the scan runs, even if the client goes away and this future is
        // dropped, and is freed only once the blocking thread is done with it (freed
        // inside the closure, the next scan found the thread still busy and the pool
        // started another: 13 threads of ~11 MiB each under overload, measured).
        tokio::task::spawn_blocking(move || (scan(), slot))
            .await
            .map(|(r, slot)| {
                drop(slot);
                r
            })
            .map_err(|_| ())
    };
    let (slots, findings) = scanned.map_err(|()| {
        tracing::error!(target: "sekimori::request", request_id = %cx.record.request_id, "inspection failed");
        Refusal::InspectionFailed
    })?;
    shared.metrics.inspection(t0.elapsed());
    cx.slots = slots;
    cx.findings = findings;
    cx.record.chars_inspected = chars_inspected;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[tokio::test]
    async fn finds_a_phone_number_and_counts_user_characters() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        cx.value = serde_json::json!({"model": "m", "messages": [
            {"role": "user", "content": "森川陽菜さんの電話は090-1234-5678です"}]});
        run(&mut cx).await.unwrap();
        assert_eq!(cx.slots.len(), cx.findings.len());
        let cats: Vec<&str> = cx
            .findings
            .iter()
            .flatten()
            .map(|f| f.category.as_str())
            .collect();
        assert!(cats.contains(&"phone"), "{cats:?}");
        assert_eq!(
            cx.record.chars_inspected,
            "森川陽菜さんの電話は090-1234-5678です".chars().count()
        );
    }
}
