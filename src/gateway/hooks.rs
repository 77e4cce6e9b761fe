//! Audit hook points: what the gateway tells the audit log, and when.
//!
//! Per proxied request, with value-free records:
//!
//! 0. [`AuditHook::check_quota`] — after inspection, before recording; a refusal is a 429.
//! 1. [`AuditHook::record_before_forward`] — after inspection and policy, before any
//!    byte goes upstream. An error here fails the request closed (503): no record, no
//!    forwarding (security.md A, L3545).
//! 2. [`AuditHook::record_outcome`] — once the request is finished (forwarded —
//!    at the end of a streamed answer —, refused, or failed), with status, timing and
//!    token usage when known.
//!
//! Plus [`AuditHook::record_reload`] for configuration reloads. The production
//! implementation is [`super::audit::AuditLogHook`] over [`crate::audit::AuditLog`];
//! [`NoAudit`] records nothing (tests, embedding).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use crate::policy::Action;

/// The future a hook returns.
pub type HookFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a finding was, without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingLocation {
    /// Category machine name (`name`, `phone`, …).
    pub category: String,
    /// Action taken.
    pub action: Action,
    /// Human field path (`messages[1].content`).
    pub path: String,
    /// Character range in the field.
    pub char_start: usize,
    /// One past the last character.
    pub char_end: usize,
}

/// The record written before forwarding.
#[derive(Clone, Debug)]
pub struct ForwardRecord {
    /// Request id (UUID v7), also sent to the client as `x-sekimori-request-id`.
    pub request_id: String,
    /// Unix time in milliseconds.
    pub unix_ms: i64,
    /// Authenticated user.
    pub user: String,
    /// The user's department.
    pub department: String,
    /// Client address.
    pub client: IpAddr,
    /// API family (`openai`, `azure`, `anthropic`, `gemini`).
    pub api: &'static str,
    /// Endpoint (`chat.completions`, `responses`, `embeddings`, `messages`, `count_tokens`,
    /// `generate_content`, `stream_generate_content`).
    pub endpoint: &'static str,
    /// Upstream name.
    pub upstream: String,
    /// Model requested (body `model`, Azure deployment or Gemini model from the path).
    pub model: Option<String>,
    /// Whether a streamed answer was requested.
    pub stream: bool,
    /// Every finding, located, no values.
    pub findings: Vec<FindingLocation>,
    /// Number of placeholders issued.
    pub masked: usize,
    /// Uninspectable content kinds allowed through by policy.
    pub allowed_content: Vec<String>,
    /// Set when a warn acknowledgement token was redeemed for this request.
    pub acknowledged_warning: bool,
    /// SHA-256 (hex) of the decoded request body as received.
    pub body_sha256: String,
    /// Characters of text inspected (for quotas).
    pub chars_inspected: usize,
    /// Upstream provider (`azure_openai`, `on_premises`, `demo`, …).
    pub provider: String,
}

/// Prompt text offered to the audit log with the forward record; what is kept depends
/// on its retention mode. Never printed (its `Debug` shows lengths only).
pub struct PromptText<'a> {
    /// The body as forwarded (placeholders instead of masked values).
    pub forwarded: &'a str,
    /// The body as received (decoded; UTF-8, checked by the parser).
    pub original: &'a [u8],
}

impl std::fmt::Debug for PromptText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptText")
            .field("forwarded_len", &self.forwarded.len())
            .field("original_len", &self.original.len())
            .finish()
    }
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Forwarded and answered by the upstream (any status).
    Forwarded,
    /// Blocked by policy.
    Blocked,
    /// Refused with a warn token.
    Warned,
    /// Refused before inspection (auth, limits, bad input, route, model, content).
    Refused,
    /// Failed on our side or the upstream's (503, 502, 504).
    Failed,
}

impl Outcome {
    /// Label used in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Blocked => "blocked",
            Outcome::Warned => "warned",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// The record written when a request is finished.
#[derive(Clone, Debug)]
pub struct OutcomeRecord {
    /// Request id.
    pub request_id: String,
    /// Unix time in milliseconds at the end.
    pub unix_ms: i64,
    /// User, when identified.
    pub user: Option<String>,
    /// Department, when identified.
    pub department: Option<String>,
    /// Outcome.
    pub outcome: Outcome,
    /// Whether the request was forwarded (its forward record exists).
    pub forwarded: bool,
    /// How it was forwarded (`masked`, `allowed`, `acknowledged`), when it was.
    pub forward_action: Option<&'static str>,
    /// API family and endpoint (`openai-chat.completions`), when routed.
    pub front_end: Option<String>,
    /// Client address.
    pub client: Option<IpAddr>,
    /// Model, when known.
    pub model: Option<String>,
    /// Upstream provider, when chosen.
    pub provider: Option<String>,
    /// Findings of a refused request, located, no values.
    pub findings: Vec<FindingLocation>,
    /// Characters of text inspected, when the body was read.
    pub chars_inspected: usize,
    /// The restored answer, when the hook asked for it ([`AuditHook::wants_response`])
    /// and the answer was not streamed.
    pub response: Option<ResponseText>,
    /// HTTP status returned to the client.
    pub status: u16,
    /// Machine error code when refused or failed (`blocked_personal_data`, …).
    pub error_code: Option<&'static str>,
    /// Categories involved (blocked or warned ones for refusals).
    pub categories: Vec<String>,
    /// Upstream, when chosen.
    pub upstream: Option<String>,
    /// Total time in milliseconds.
    pub duration_ms: u64,
    /// Prompt tokens reported by the upstream, when known.
    pub prompt_tokens: Option<u64>,
    /// Completion tokens reported by the upstream, when known.
    pub completion_tokens: Option<u64>,
}

/// An answer's text for the audit log (sealed retention). `Debug` shows its length only.
#[derive(Clone)]
pub struct ResponseText(pub String);

impl std::fmt::Debug for ResponseText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResponseText({} bytes)", self.0.len())
    }
}

/// Why an audit write failed.
#[derive(Debug, thiserror::Error)]
#[error("audit log unavailable: {0}")]
pub struct AuditError(pub String);

/// A request refused by a monthly quota.
#[derive(Clone, Debug)]
pub struct QuotaRefusal {
    /// Machine code (`quota_user_chars`, `quota_department_tokens`, …).
    pub code: &'static str,
    /// Which cap, how much is used, when it resets (no prompt content).
    pub message: String,
    /// When the cap resets (RFC 3339).
    pub resets_at: String,
}

/// A configuration reload, for the audit log.
#[derive(Clone, Debug)]
pub struct ReloadRecord {
    /// `SIGHUP`, `file-watch` or `api`.
    pub actor: String,
    /// Top-level sections that changed.
    pub changed: Vec<String>,
    /// SHA-256 (hex) of the old and new file.
    pub old_digest: String,
    /// SHA-256 (hex) of the new file.
    pub new_digest: String,
    /// API keys added: (user, key id = first 16 hex digits of the stored hash).
    pub keys_added: Vec<(String, String)>,
    /// API keys removed: (user, key id).
    pub keys_removed: Vec<(String, String)>,
}

/// The audit log as the gateway sees it.
pub trait AuditHook: Send + Sync + 'static {
    /// Checks the monthly quotas for a request about to be forwarded.
    fn check_quota(
        &self,
        _user: &str,
        _department: &str,
        _model: Option<&str>,
        _chars: u64,
    ) -> Result<(), QuotaRefusal> {
        Ok(())
    }
    /// Durably records a request about to be forwarded; an error fails it closed (503).
    fn record_before_forward<'a>(
        &'a self,
        record: &'a ForwardRecord,
        prompt: PromptText<'a>,
    ) -> HookFuture<'a, Result<(), AuditError>>;
    /// Records how a request ended (best effort; failures are logged by the implementor).
    fn record_outcome<'a>(&'a self, record: &'a OutcomeRecord) -> HookFuture<'a, ()>;
    /// Queues how a request ended without making the request wait and without a task:
    /// `Err` hands the record back, and the gateway then awaits [`Self::record_outcome`]
    /// on a task of its own (the default). The audit log queues it for its writer
    /// thread ([`crate::audit::AuditLog::append_deferred`]).
    fn try_queue_outcome(&self, record: OutcomeRecord) -> Result<(), Box<OutcomeRecord>> {
        Err(Box::new(record))
    }
    /// Records a configuration reload (best effort).
    fn record_reload<'a>(&'a self, _record: &'a ReloadRecord) -> HookFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Whether the log can accept records (`/readyz`).
    fn ready(&self) -> bool {
        true
    }
    /// Whether [`OutcomeRecord::response`] should carry the answer (sealed retention).
    fn wants_response(&self) -> bool {
        false
    }
}

/// No audit log (tests, embedding); always ready.
#[derive(Debug, Default)]
pub struct NoAudit;

impl AuditHook for NoAudit {
    fn record_before_forward<'a>(
        &'a self,
        _: &'a ForwardRecord,
        _: PromptText<'a>,
    ) -> HookFuture<'a, Result<(), AuditError>> {
        Box::pin(async { Ok(()) })
    }
    fn record_outcome<'a>(&'a self, _: &'a OutcomeRecord) -> HookFuture<'a, ()> {
        Box::pin(async {})
    }
}
