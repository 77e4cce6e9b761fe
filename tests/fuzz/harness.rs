//! The runner shared by the fuzz targets: bounded cases, recorded failures, figures.

use std::cell::Cell;
use std::time::Instant;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};

/// Cases per target when `PROPTEST_CASES` is not set: the whole set stays well under
/// a minute on two cores.
pub const DEFAULT_CASES: u32 = 256;

/// Cases to run: `PROPTEST_CASES` when set to a number, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Runs `test` on `cases` generated inputs of `strategy` (shrinking any failure) and
/// prints the target's figures. Failures are kept in
/// `tests/fuzz/proptest-regressions/<name>.txt` and replayed first on later runs.
pub fn run<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let cases = cases(default_cases);
    let file: &'static str =
        Box::leak(format!("tests/fuzz/proptest-regressions/{name}.txt").into_boxed_str());
    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        // Shrinking is bounded too: a failure is reported within seconds.
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let executions = Cell::new(0u64);
    let start = Instant::now();
    let result = runner.run(&strategy, |input| {
        executions.set(executions.get() + 1);
        test(input)
    });
    let secs = start.elapsed().as_secs_f64();
    let n = executions.get();
    eprintln!(
        "fuzz {name}: {cases} cases, {n} executions in {secs:.2} s ({:.0} exec/s)",
        n as f64 / secs.max(1e-9)
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, input)) => {
            panic!("fuzz {name}: {reason}\nminimal failing input: {input:#?}")
        }
        Err(TestError::Abort(reason)) => panic!("fuzz {name}: aborted: {reason}"),
    }
}
