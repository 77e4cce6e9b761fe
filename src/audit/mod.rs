//! The tamper-evident audit log, usage export and monthly quotas (issue 4).
//!
//! # What the gateway calls
//!
//! ```no_run
//! # async fn demo() -> Result<(), sekimori::audit::AuditError> {
//! use sekimori::audit::*;
//! let cfg = AuditConfig::new("/var/lib/sekimori/audit", "/etc/sekimori/audit-signing.pem");
//! let log = AuditLog::open(&cfg)?;              // recovers a torn tail, continues the chain
//! let quotas = log.quotas();                    // rebuilt from this month's records
//! quotas.check("u123", Some("税務課"), Some("gpt-4o"), 1200)
//!     .map_err(|e| e.to_string())             // gateway: 429 with this text and e.resets_at
//!     .ok();
//! let ev = RequestEvent::new("req-1", Phase::Forward, "u123", "openai-chat", Action::Masked);
//! let seq = log.append(AuditRecord::request(ev)).await?; // durable (fsync) before forwarding
//! # let _ = seq;
//! log.close().await;
//! # Ok(()) }
//! ```
//!
//! Fail closed: when [`AuditLog::append`] returns an error the gateway must answer 503
//! and forward nothing; [`AuditLog::is_healthy`] is false until a later append succeeds.
//!
//! # On disk
//!
//! ```text
//! DIR/audit-00000000000000000001.jsonl   segments, named by their first sequence number
//! DIR/audit-00000000000000052311.jsonl
//! DIR/checkpoints.jsonl                  signed checkpoints: copy to write-once storage
//! DIR/recovered/…                        bytes cut from a torn tail, kept for forensics
//! DIR/.lock                              one writer per directory
//! ```
//!
//! Each segment is JSON Lines, one record per line, appended only. A line is
//!
//! ```text
//! {"v":1,"seq":7,"time":"2026-11-25T01:02:03.456Z","prev":"<64 hex>","event":{…},"hash":"<64 hex>"}
//! ```
//!
//! **Canonical encoding.** `hash` is the SHA-256 of the exact bytes of the line without
//! its trailing `,"hash":"…"` member and newline, that is: the line up to and excluding
//! `,"hash":"`, followed by a single `}`. No re-serialisation is involved, so any change
//! of any byte changes the hash. `prev` is the `hash` of the record before (64 zeros for
//! the first record ever); the first record of a segment carries the last hash of the
//! segment before. Sequence numbers start at 1 and increase by one across segments.
//!
//! **Checkpoints.** Every `checkpoint_every_records` records or `checkpoint_every_seconds`
//! seconds (and at shutdown) the writer signs `(seq, hash, time, segment)` with Ed25519,
//! appends it to `checkpoints.jsonl` and records a copy in the chain. A checkpoint
//! attests that the log reached `seq` with `hash`, so truncating the tail of the log, or
//! rewriting it with recomputed hashes, is detected by `sekimori audit verify`.
//! The signed message is [`checkpoint::signed_message`].
//!
//! **Durability.** A writer thread batches pending appends (group commit): one `write`
//! and one `fdatasync` per batch, then every waiter of the batch is answered. An append
//! is acknowledged only after its batch is on disk.
//!
//! **Crash recovery.** On open the last segment is read; bytes after the last complete,
//! valid record (a torn write) are moved to `recovered/`, cut from the segment, and a
//! `tail_truncated` system record notes the offset, length and SHA-256 of what was cut.
//!
//! **Retention.** Segments whose last record is older than `retention_days` are deleted
//! by the writer after a durable `retention_deleted` record naming the segment, its
//! sequence range and final hash; `verify` accepts a missing prefix only when such a
//! record covers it.

pub mod checkpoint;
mod config;
mod error;
pub mod export;
mod io;
mod quota;
mod record;
pub mod seal;
mod segment;
mod ship;
pub mod timefmt;
pub mod verify;
mod writer;

pub use config::{AuditConfig, PromptRetention, SyslogConfig};
pub use error::AuditError;
pub use io::{AuditFile, AuditIo, StdIo};
pub use quota::{QuotaExceeded, QuotaRule, QuotaScope, QuotaUnit, Quotas};
pub use record::{
    Action, AdminEvent, AuditRecord, Content, Event, FindingPos, Phase, RequestEvent, StoredPrompt,
    StoredRecord, SystemEvent, UpstreamRef,
};
pub use writer::AuditLog;

#[cfg(test)]
mod tests;
