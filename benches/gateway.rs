//! The gateway's in-process request path without the network (criterion, single thread):
//! what one proxied chat request costs besides sockets, tasks and the audit disk.
//!
//! The request is the load test's (`benches/load/run.sh PROMPT_KIB=4`): municipal prose
//! around a name and a phone number, about 1, 4 or 16 KiB. Per size:
//!
//! - `handler_path/<size>`: strict parse, slots, inspection, masking, re-serialisation
//!   of the forwarded body, and restoring the upstream's answer;
//! - `no_inspection/<size>`: the same without the engine scan (the proxy's own work);
//! - `scan/<size>`: the engine scan alone;
//! - `scan_per_field/<size>` and `scan_whole_request/<size>`: the prose fields scanned
//!   one by one (the inspection before the whole-request view) against every slot
//!   joined into one text and the findings split back ([`RequestView`]); also for
//!   `conversation`, a system prompt and six turns with tool calls.
//!
//! Each benchmark first checks that the name and the phone number were masked and
//! restored, so a fast but wrong path fails instead of reporting a figure.
//!
//! Run: `cargo bench --bench gateway` (figures in `target/criterion/`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sekimori::inspect::{Engine, EngineBuilder, Finding};
use sekimori::mask::Placeholders;
use sekimori::payload::request::{edit, extract_slots, parse_strict};
use sekimori::payload::response::restore_json_body;
use sekimori::payload::view::RequestView;

const PROMPT: &str =
    "山田太郎さん（090-1234-5678）に来週の面談日程を連絡する文面を作ってください。";
const FILLER: &str =
    "本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。";
/// The upstream's answer; `{NAME}` is replaced by the name's placeholder as forwarded
/// (placeholders are derived from the value, so the answer quotes what was sent).
const ANSWER: &str = r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"承知しました。{NAME}様へのご連絡文です。"},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":20,"total_tokens":60}}"#;

/// The first name placeholder (`〔氏名-…〕`) in `forwarded`.
fn name_placeholder(forwarded: &str) -> &str {
    let start = forwarded.find("〔氏名").expect("the name was masked");
    let end = start + forwarded[start..].find('〕').expect("placeholder closes") + '〕'.len_utf8();
    &forwarded[start..end]
}

/// The load test's body with a prompt of at least `kib` KiB.
fn body(kib: usize) -> Vec<u8> {
    let mut prompt = PROMPT.to_string();
    while prompt.len() < kib * 1024 {
        prompt = format!("{FILLER}{prompt}");
    }
    serde_json::json!({"model": "m", "messages": [{"role": "user", "content": prompt}]})
        .to_string()
        .into_bytes()
}

/// Parse → slots → (scan) → mask → serialise → restore the answer; returns the
/// forwarded body and the restored answer.
fn proxy(engine: Option<&Engine>, raw: &[u8], findings: &[Vec<Finding>]) -> (String, Vec<u8>) {
    let mut value = parse_strict(raw).expect("valid body");
    let slots = extract_slots(&value);
    let scanned: Vec<Vec<Finding>>;
    let findings = match engine {
        Some(e) => {
            let view = RequestView::new(&slots);
            scanned = view.split(&e.scan(view.text()));
            &scanned
        }
        None => findings,
    };
    let mut table = Placeholders::new();
    let edits = slots
        .iter()
        .zip(findings)
        .enumerate()
        .filter(|(_, (_, fs))| !fs.is_empty())
        .map(|(i, (slot, fs))| (i, table.mask(&slot.text, fs)))
        .collect();
    edit::apply(&mut value, &slots, edits).expect("masks apply");
    let forwarded = serde_json::to_string(&value).expect("serialises");
    let answer = ANSWER.replace("{NAME}", name_placeholder(&forwarded));
    let (answer, _) = restore_json_body(answer.as_bytes(), &table).expect("answer is JSON");
    (forwarded, answer)
}

/// An ordinary multi-turn request: system prompt, turns, tool calls with arguments.
fn conversation() -> Vec<u8> {
    let mut messages = vec![serde_json::json!({"role": "system", "content": FILLER})];
    for i in 0..3 {
        messages
            .push(serde_json::json!({"role": "user", "content": format!("{FILLER}{PROMPT}{i}")}));
        messages.push(serde_json::json!({"role": "assistant", "content": FILLER,
            "tool_calls": [{"id": format!("call_{i}"), "type": "function", "function": {
                "name": "lookup", "arguments": r#"{"q": "\u5b50\u80b2\u3066", "limit": 5}"#}}]}));
    }
    serde_json::json!({"model": "m", "temperature": 0.2, "messages": messages})
        .to_string()
        .into_bytes()
}

/// Per-field against whole-request scanning of `raw`'s slots.
fn bench_view(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    engine: &Engine,
    id: &str,
    raw: &[u8],
) {
    let value = parse_strict(raw).unwrap();
    let slots = extract_slots(&value);
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("scan_per_field", id),
        &slots,
        |b, slots| {
            b.iter(|| {
                slots
                    .iter()
                    .filter(|s| !s.setting)
                    .map(|s| engine.scan(black_box(&s.text)))
                    .collect::<Vec<_>>()
            })
        },
    );
    g.bench_with_input(
        BenchmarkId::new("scan_whole_request", id),
        &slots,
        |b, slots| {
            b.iter(|| {
                let view = RequestView::new(black_box(slots));
                view.split(&engine.scan(view.text()))
            })
        },
    );
}

fn bench(c: &mut Criterion) {
    let engine = EngineBuilder::new().build().expect("default engine builds");
    let mut g = c.benchmark_group("gateway");
    for kib in [1usize, 4, 16] {
        let raw = body(kib);
        let value = parse_strict(&raw).unwrap();
        let slots = extract_slots(&value);
        let view = RequestView::new(&slots);
        let findings: Vec<Vec<Finding>> = view.split(&engine.scan(view.text()));
        let (fwd, answer) = proxy(Some(&engine), &raw, &findings);
        assert!(
            !fwd.contains("山田太郎") && !fwd.contains("090-1234-5678"),
            "not masked"
        );
        let answer = String::from_utf8(answer).unwrap();
        assert!(answer.contains("山田太郎様"), "not restored: {answer}");
        g.throughput(Throughput::Bytes(raw.len() as u64));
        let id = format!("{kib}KiB");
        g.bench_with_input(BenchmarkId::new("handler_path", &id), &raw, |b, raw| {
            b.iter(|| proxy(Some(&engine), black_box(raw), &findings))
        });
        g.bench_with_input(BenchmarkId::new("no_inspection", &id), &raw, |b, raw| {
            b.iter(|| proxy(None, black_box(raw), &findings))
        });
        let text = extract_slots(&value)
            .into_iter()
            .map(|s| s.text)
            .max_by_key(String::len)
            .unwrap();
        g.bench_with_input(BenchmarkId::new("scan", &id), &text, |b, t| {
            b.iter(|| engine.scan(black_box(t)))
        });
        bench_view(&mut g, &engine, &id, &raw);
    }
    bench_view(&mut g, &engine, "conversation", &conversation());
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
