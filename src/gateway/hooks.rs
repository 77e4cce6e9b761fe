//! Audit hook points: what the gateway tells the audit log, and when.
//!
//! Two calls per proxied request, both with value-free records:
//!
//! 1. [`AuditHook::record_before_forward`] — after inspection and policy, before any
//!    byte goes upstream. An error here fails the request closed (503): no record, no
//!    forwarding (security.md A, L3545).
//! 2. [`AuditHook::record_outcome`] — once the request is finished (forwarded,
//!    refused, or failed), with status, timing and token usage when known.
//!
//! The audit module implements this trait; until then [`NoAudit`] is used.

use std::net::IpAddr;

use crate::policy::Action;

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
    /// Endpoint (`chat.completions`, `responses`, `embeddings`, `messages`, `generate_content`).
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

/// Why an audit write failed.
#[derive(Debug, thiserror::Error)]
#[error("audit log unavailable: {0}")]
pub struct AuditError(pub String);

/// The audit log as the gateway sees it.
pub trait AuditHook: Send + Sync + 'static {
    /// Durably records a request about to be forwarded; an error fails it closed (503).
    fn record_before_forward(&self, record: &ForwardRecord) -> Result<(), AuditError>;
    /// Records how a request ended (best effort; errors are logged by the implementor).
    fn record_outcome(&self, record: &OutcomeRecord);
    /// Whether the log can accept records (`/readyz`).
    fn ready(&self) -> bool {
        true
    }
}

/// No audit log (the demo and tests); always ready.
#[derive(Debug, Default)]
pub struct NoAudit;

impl AuditHook for NoAudit {
    fn record_before_forward(&self, _: &ForwardRecord) -> Result<(), AuditError> {
        Ok(())
    }
    fn record_outcome(&self, _: &OutcomeRecord) {}
}
