//! Memory of the detection engine: builds the default engine, scans the 1 MB policy
//! corpus once, and prints the resident set (VmRSS) and its peak (VmHWM) from
//! `/proc/self/status` after each step. Linux only.
//!
//! Run: `cargo run --release --example rss [corpus.txt]` (default:
//! `$SEKIMORI_SHARED/corpus/security-policy-guideline.txt`, or `../shared/…`).

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use sekimori::inspect::EngineBuilder;

/// `VmRSS` and `VmHWM` lines of `/proc/self/status`, or a note that they are missing.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let pick = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "n/a".into())
    };
    format!("VmRSS {}  VmHWM {}", pick("VmRSS:"), pick("VmHWM:"))
}

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("SEKIMORI_SHARED")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
                .join("corpus/security-policy-guideline.txt")
        });
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rss: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    println!("start:         {}", memory());
    let engine = match EngineBuilder::new().build() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("rss: engine: {e}");
            return ExitCode::from(2);
        }
    };
    println!("engine built:  {}", memory());
    let findings = engine.scan(&text);
    println!(
        "corpus scanned ({} bytes, {} findings): {}",
        text.len(),
        findings.len(),
        memory()
    );
    ExitCode::SUCCESS
}
