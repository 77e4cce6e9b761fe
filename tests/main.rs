//! Integration tests: one binary, one module per topic.
//!
//! Each module starts what it needs on 127.0.0.1 (Sekimori itself, an in-process fake
//! upstream that records what it received) and stops it when done.

mod audit_cli;
mod crash;
mod evasion;
mod fresh_prompts;
mod gateway;
mod keys_cli;
mod scan_cli;
mod util;
