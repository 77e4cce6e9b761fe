//! Property-based fuzz targets (proptest, stable Rust), one module per target.
//!
//! Each target runs a bounded number of generated cases — [`harness::DEFAULT_CASES`],
//! or `PROPTEST_CASES` from the environment — and prints its cases, executions and
//! executions per second (`cargo test --test fuzz -- --nocapture`). A failing case is
//! shrunk and recorded under `tests/fuzz/proptest-regressions/`; recorded cases are
//! replayed first on every run.

mod config;
mod harness;
mod normalize;
mod request;
mod stream;
