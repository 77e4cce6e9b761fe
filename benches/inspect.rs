//! Detection engine benchmarks (criterion, single thread).
//!
//! - `throughput/normalize` and `throughput/engine_scan`: the 1 MB municipal security
//!   policy guideline (`../shared/corpus/security-policy-guideline.txt`) in bytes per
//!   second; normalization alone is the same-run baseline for the whole engine.
//! - `latency/prompt_1k`, `latency/prompt_4k` and `latency/prompt_16k`: one Japanese
//!   prompt of 1 KiB, 4 KiB (the gateway's latency target) and 16 KiB built from corpus
//!   text with a phone number, a My Number and an e-mail address inserted.
//! - `latency_cold/prompt_4k`: the 4 KiB prompt, each scan after 16 MB of unrelated
//!   writes have evicted the core's caches (untimed setup). A gateway worker at
//!   1,000 req/s meets each prompt that way, so memory touched per scan counts there.
//! - `build/engine`: building an [`Engine`] (dictionary, matchers, metadata).
//!
//! Every benchmark first asserts the findings it expects, so a fast but wrong engine
//! fails instead of reporting a figure. The corpus is found at `$SEKIMORI_SHARED` or
//! `../shared` beside the repository.
//!
//! Run: `cargo bench --bench inspect` (figures in `target/criterion/`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use sekimori::inspect::{Category, Engine, EngineBuilder, Finding};
use sekimori::text::Normalized;

/// Personal data inserted into the latency prompts (one of each).
const PHONE: &str = "０９０－１２３４－５６７８";
const MY_NUMBER: &str = "9141 6881 8043";
const EMAIL: &str = "taro.yamada@example.jp";

/// Phone, My Number and e-mail findings the policy guideline raises: none (it is
/// policy text; its few numbers are article and table numbers).
const CORPUS_PATTERN_FINDINGS: usize = 0;

fn shared_dir() -> PathBuf {
    std::env::var_os("SEKIMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn corpus() -> String {
    let path = shared_dir().join("corpus/security-policy-guideline.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; set SEKIMORI_SHARED to the shared/ directory",
            path.display()
        )
    })
}

/// Findings of the three pattern categories this benchmark can predict exactly.
fn pattern_findings(f: &[Finding]) -> usize {
    f.iter()
        .filter(|f| {
            matches!(
                f.category,
                Category::Phone | Category::MyNumber | Category::Email
            )
        })
        .count()
}

/// A prompt of about `bytes` bytes: corpus text cut on a line boundary, with the
/// three values inserted at a quarter, half and three quarters of its length.
fn prompt(corpus: &str, bytes: usize) -> String {
    let start = corpus.len() / 3;
    let start = (start..corpus.len())
        .find(|&i| corpus.is_char_boundary(i) && corpus[..i].ends_with('\n'))
        .expect("corpus has lines");
    let mut end = start + bytes.saturating_sub(PHONE.len() + MY_NUMBER.len() + EMAIL.len() + 60);
    while !corpus.is_char_boundary(end) {
        end -= 1;
    }
    let body = &corpus[start..end];
    let cut = |f: usize| {
        let mut i = body.len() * f / 4;
        while !body.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (a, b, c) = (cut(1), cut(2), cut(3));
    format!(
        "{}\n連絡先は{PHONE}です。\n{}\n個人番号：{MY_NUMBER}\n{}\nメール {EMAIL} まで。\n{}",
        &body[..a],
        &body[a..b],
        &body[b..c],
        &body[c..]
    )
}

fn engine() -> Engine {
    EngineBuilder::new().build().expect("default engine builds")
}

fn throughput(c: &mut Criterion) {
    let text = corpus();
    let engine = engine();
    assert_eq!(
        pattern_findings(&engine.scan(&text)),
        CORPUS_PATTERN_FINDINGS,
        "phone/my_number/email findings on the policy corpus"
    );
    assert!(Normalized::new(&text).as_str().len() >= text.len() / 2);
    let mut g = c.benchmark_group("throughput");
    g.throughput(Throughput::Bytes(text.len() as u64))
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    g.bench_function("normalize", |b| {
        b.iter(|| black_box(Normalized::new(black_box(&text))))
    });
    g.bench_function("engine_scan", |b| {
        b.iter(|| black_box(engine.scan(black_box(&text))))
    });
    g.finish();
}

fn latency(c: &mut Criterion) {
    let text = corpus();
    let engine = engine();
    let mut g = c.benchmark_group("latency");
    g.sample_size(50).measurement_time(Duration::from_secs(10));
    for (label, size) in [
        ("prompt_1k", 1024),
        ("prompt_4k", 4 * 1024),
        ("prompt_16k", 16 * 1024),
    ] {
        let p = prompt(&text, size);
        let f = engine.scan(&p);
        let count = |cat: Category| f.iter().filter(|x| x.category == cat).count();
        assert_eq!(
            (
                count(Category::Phone),
                count(Category::MyNumber),
                count(Category::Email)
            ),
            (1, 1, 1),
            "{label}: the inserted values, and nothing else of these categories"
        );
        g.throughput(Throughput::Bytes(p.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(label), &p, |b, p| {
            b.iter(|| black_box(engine.scan(black_box(p))))
        });
    }
    g.finish();
}

/// Bytes written between the scans of `latency_cold`: several times the core's L2.
const EVICT_BYTES: usize = 16 << 20;

fn latency_cold(c: &mut Criterion) {
    let text = corpus();
    let engine = engine();
    let p = prompt(&text, 4 * 1024);
    let mut evict = vec![0u8; EVICT_BYTES];
    let mut g = c.benchmark_group("latency_cold");
    // Each iteration writes 16 MB untimed (a few ms): keep the timed total short.
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(p.len() as u64));
    g.bench_with_input(BenchmarkId::from_parameter("prompt_4k"), &p, |b, p| {
        b.iter_batched(
            || {
                // One write per cache line.
                for (i, x) in evict.iter_mut().enumerate().step_by(64) {
                    *x = x.wrapping_add(i as u8);
                }
                black_box(&mut evict);
            },
            |()| black_box(engine.scan(black_box(p))),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("engine", |b| {
        b.iter(|| {
            let e = engine();
            assert!(!e.categories().is_empty());
            e
        })
    });
    g.finish();
}

criterion_group!(benches, throughput, latency, latency_cold, build);
criterion_main!(benches);
