//! Held-out quality floors: `sekimori scan --jsonl` on `tests/fixtures/fresh-prompts.jsonl`
//! (prompts written apart from the development set, see `tests/fixtures/fresh/make.py`),
//! scored like `shared/eval/score.py`: a gold span counts as found when a finding of
//! the same category overlaps it; a finding counts as correct when it overlaps a gold
//! span of its category. Floors are per category for the detectors checked here
//! (address, phone, My Number, e-mail); names are printed, not asserted. Counts are
//! deterministic: no timing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// (category, minimum recall, minimum precision, minimum exact-boundary rate).
const FLOORS: &[(&str, f64, f64, f64)] = &[
    ("address", 0.96, 0.96, 0.90),
    ("phone", 0.97, 0.97, 0.97),
    ("my_number", 1.0, 1.0, 1.0),
    ("email", 1.0, 1.0, 1.0),
];

/// A labelled or found span: category and code-point range.
#[derive(Debug)]
struct Span {
    category: String,
    start: u64,
    end: u64,
}

fn spans(v: &Value, key: &str) -> Vec<Span> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} array in {v}"))
        .iter()
        .map(|e| Span {
            category: e["category"].as_str().expect("category").to_string(),
            start: e["start"].as_u64().expect("start"),
            end: e["end"].as_u64().expect("end"),
        })
        .collect()
}

fn overlap(a: &Span, b: &Span) -> bool {
    a.category == b.category && a.start < b.end && b.start < a.end
}

/// Per category: gold, hit, exact, found, correct.
#[derive(Debug, Default)]
struct Counts {
    gold: usize,
    hit: usize,
    exact: usize,
    found: usize,
    correct: usize,
}

#[test]
fn fresh_prompts_meet_the_floors() {
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fresh-prompts.jsonl");
    let gold_text = std::fs::read_to_string(&fixture).expect("fixture readable");
    let out = Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .arg("scan")
        .arg("--jsonl")
        .arg(&fixture)
        .output()
        .expect("sekimori runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1 (found) expected; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let predicted: BTreeMap<String, Vec<Span>> = String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON line");
            (
                v["id"].as_str().expect("id").to_string(),
                spans(&v, "findings"),
            )
        })
        .collect();
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut prompts = 0;
    for line in gold_text.lines().filter(|l| !l.trim().is_empty()) {
        prompts += 1;
        let g: Value = serde_json::from_str(line).expect("fixture line is JSON");
        let id = g["id"].as_str().expect("id");
        let gold = spans(&g, "entities");
        let found = predicted
            .get(id)
            .unwrap_or_else(|| panic!("no prediction for {id}"));
        for f in found {
            let c = counts.entry(f.category.clone()).or_default();
            c.found += 1;
            if gold.iter().any(|e| overlap(e, f)) {
                c.correct += 1;
            }
        }
        for e in &gold {
            let c = counts.entry(e.category.clone()).or_default();
            c.gold += 1;
            if found.iter().any(|f| overlap(e, f)) {
                c.hit += 1;
            }
            if found
                .iter()
                .any(|f| f.category == e.category && f.start == e.start && f.end == e.end)
            {
                c.exact += 1;
            }
        }
    }
    assert!(prompts >= 100, "the fixture has {prompts} prompts");
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let mut failures = Vec::new();
    for (category, c) in &counts {
        eprintln!(
            "{category:10} gold {:3} found {:3} recall {:.3} precision {:.3} exact {:.3}",
            c.gold,
            c.found,
            ratio(c.hit, c.gold),
            ratio(c.correct, c.found),
            ratio(c.exact, c.gold)
        );
    }
    for &(category, recall, precision, exact) in FLOORS {
        let c = counts
            .get(category)
            .unwrap_or_else(|| panic!("no {category} in the fixture"));
        assert!(c.gold > 0, "no gold {category} spans");
        for (what, got, floor) in [
            ("recall", ratio(c.hit, c.gold), recall),
            ("precision", ratio(c.correct, c.found), precision),
            ("exact", ratio(c.exact, c.gold), exact),
        ] {
            if got < floor {
                failures.push(format!("{category} {what} {got:.3} < {floor}"));
            }
        }
    }
    assert!(failures.is_empty(), "below the floors: {failures:?}");
}
