//! The tamper-evident audit log, usage export and monthly quotas (issue 4).
//!
//! # What the gateway calls
//!
//! ```no_run
//! # async fn demo() -> Result<(), sekimori::audit::AuditError> {
//! use sekimori::audit::*;
//! // `[audit]` of the gateway's TOML deserialises into AuditConfig (deny_unknown_fields).
//! let cfg = AuditConfig::new("/var/lib/sekimori/audit", "/etc/sekimori/audit-signing.pem");
//! let log = AuditLog::open(&cfg)?; // lock, key, torn-tail recovery, quotas, startup record
//! let quotas = log.quotas();       // fed by the log itself; rebuilt on open
//!
//! // Per request, after inspection:
//! let mut ev = RequestEvent::new("req-1", Phase::Forward, "u123", "openai-chat", Action::Masked);
//! ev.department = Some("税務課".into());
//! ev.model = Some("gpt-4o".into());
//! ev.prompt_chars = 1200;
//! if let Err(q) = quotas.check("u123", Some("税務課"), Some("gpt-4o"), 1200) {
//!     // 429: q.to_string() names the cap, used/limit and q.resets_at (1st, 00:00 JST);
//!     // q.code() is `quota_user_chars` etc. Record it as a `final` refused-quota record.
//!     let mut refused = ev.clone();
//!     refused.phase = Phase::Final;
//!     refused.action = Action::RefusedQuota;
//!     refused.error = Some(q.code());
//!     log.append(AuditRecord::request(refused)).await?;
//!     return Ok(());
//! }
//! let content = Content { masked_prompt: Some("〔氏名1〕さんの…".into()), ..Content::default() };
//! // Durable before the upstream sees the prompt; Err => 503, forward nothing.
//! log.append(AuditRecord::request(ev.clone()).with_content(content)).await?;
//! // … forward, then the outcome (tokens, status, latency):
//! let mut out = ev;
//! out.phase = Phase::Outcome;
//! out.tokens_in = Some(800);
//! out.tokens_out = Some(300);
//! out.status = Some(200);
//! log.append(AuditRecord::request(out)).await?;
//!
//! // Admin events:
//! log.append(AuditRecord::admin(AdminEvent::ConfigReload {
//!     actor: "admin1".into(),
//!     changed: vec!["policy.categories.phone".into()],
//!     old_digest: "…".into(),
//!     new_digest: "…".into(),
//! }))
//! .await?;
//! // Readiness probe: log.is_healthy(). On shutdown:
//! log.close().await; // shutdown record + final signed checkpoint
//! # Ok(()) }
//! ```
//!
//! Requests that are not forwarded (blocked, refused-region, refused-quota, errors before
//! forwarding) get one `final` record; forwarded ones get `forward` then `outcome`.
//!
//! Fail closed: when [`AuditLog::append`] returns an error the gateway must answer 503
//! and forward nothing; [`AuditLog::is_healthy`] is false until a later append succeeds.
//! [`AuditLog::open`] fails (and the gateway must not start) when the directory is
//! locked by another process, the key is unreadable, the log cannot be written, or the
//! log is damaged before its last record or shorter than its last signed checkpoint.
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
//! The signed message is [`checkpoint::signed_message`]. `verify` also requires the
//! list and the in-chain copies to agree: a checkpoint in one and not the other (a
//! deleted line, a deleted final copy, a deleted `checkpoints.jsonl`), or differing
//! between the two, fails. A checkpoint list given with `--checkpoints` may lag behind:
//! in-chain copies newer than its last line are counted, not compared. A start after a
//! crash between writing a checkpoint and recording its copy records the copy.
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
//!
//! # Limits (read before relying on it)
//!
//! - The signing key lives on the gateway host. Someone with root there can rewrite the
//!   log *and* re-sign checkpoints; the protection is the copy of `checkpoints.jsonl` on
//!   write-once storage (`sekimori audit verify --checkpoints COPY --public-key PUB`)
//!   and, for the newest records, shipping to syslog. Records after the last checkpoint
//!   that was copied away can be cut without detection.
//! - `kill -9` is covered (tests); power loss relies on `fdatasync` and the file
//!   system honouring it.
//! - `masked` retention keeps whatever personal data the detectors missed.
//! - Quota checks race with concurrent requests of the same user (overshoot bounded by
//!   requests in flight); tokens are only known after the fact.
//! - `recovered/` and `checkpoints.jsonl` are not pruned by retention.

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
