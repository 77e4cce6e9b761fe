//! Audit records: what the gateway passes in ([`AuditRecord`]) and what a line holds
//! ([`StoredRecord`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the gateway did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Forwarded unchanged, nothing found.
    Allowed,
    /// Forwarded with findings replaced by placeholders.
    Masked,
    /// Refused because of findings.
    Blocked,
    /// Forwarded; the user was warned.
    Warned,
    /// Forwarded after the user acknowledged a warning.
    Acknowledged,
    /// Refused: the upstream does not process data in an approved region.
    RefusedRegion,
    /// Refused: a monthly quota is exhausted.
    RefusedQuota,
    /// Failed (upstream error, detector error, timeout).
    Error,
}

impl Action {
    /// All actions, in report order.
    pub const ALL: [Action; 8] = [
        Action::Allowed,
        Action::Masked,
        Action::Blocked,
        Action::Warned,
        Action::Acknowledged,
        Action::RefusedRegion,
        Action::RefusedQuota,
        Action::Error,
    ];

    /// The name used in the log, exports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allowed => "allowed",
            Action::Masked => "masked",
            Action::Blocked => "blocked",
            Action::Warned => "warned",
            Action::Acknowledged => "acknowledged",
            Action::RefusedRegion => "refused-region",
            Action::RefusedQuota => "refused-quota",
            Action::Error => "error",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
                format!("unknown action `{s}`; expected one of {}", names.join(", "))
            })
    }
}

/// Which of a request's records this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// About to forward: must be durable before the upstream sees the prompt.
    Forward,
    /// The upstream's answer (or failure) for a forwarded request.
    Outcome,
    /// The only record of a request that was not forwarded (blocked, refused, error).
    Final,
}

/// The upstream a request went (or would have gone) to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamRef {
    /// Configured upstream name.
    pub name: String,
    /// Provider (`openai`, `azure`, `bedrock`, …).
    pub provider: String,
    /// Processing region (`japaneast`, `ap-northeast-1`, …).
    pub region: String,
}

/// Where a finding was: never its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPos {
    /// Category machine name (`name`, `phone`, a word list's name, …).
    pub category: String,
    /// JSON path of the field (`messages[2].content`).
    pub field: String,
    /// Start, in characters of the field's text.
    pub start: u32,
    /// End (exclusive), in characters.
    pub end: u32,
}

/// One request event, as built by the gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEvent {
    /// The gateway's request id.
    pub request_id: String,
    /// Which record of the request this is.
    pub phase: Phase,
    /// Authenticated user id.
    pub user: String,
    /// The user's department (所属), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Client address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Front end (API kind) the request came in on: `openai-chat`, `anthropic-messages`, ….
    pub front_end: String,
    /// Upstream chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamRef>,
    /// Model requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Decision.
    pub action: Action,
    /// Findings per category.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, u32>,
    /// Finding positions (field and character range, never the value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingPos>,
    /// Characters of prompt text (as forwarded, for `forward`; as received otherwise).
    #[serde(default)]
    pub prompt_chars: u64,
    /// Input tokens reported by the upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_in: Option<u64>,
    /// Output tokens reported by the upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_out: Option<u64>,
    /// HTTP status returned to the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Milliseconds from request received to this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Machine error code (`upstream_timeout`, `quota_user_chars`, …), never free text
    /// copied from a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RequestEvent {
    /// An event with the required fields; the rest are empty.
    pub fn new(
        request_id: impl Into<String>,
        phase: Phase,
        user: impl Into<String>,
        front_end: impl Into<String>,
        action: Action,
    ) -> Self {
        RequestEvent {
            request_id: request_id.into(),
            phase,
            user: user.into(),
            department: None,
            client: None,
            front_end: front_end.into(),
            upstream: None,
            model: None,
            action,
            categories: BTreeMap::new(),
            findings: Vec::new(),
            prompt_chars: 0,
            tokens_in: None,
            tokens_out: None,
            status: None,
            latency_ms: None,
            error: None,
        }
    }
}

/// Administrative events the gateway records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AdminEvent {
    /// The configuration was reloaded.
    ConfigReload {
        /// Who triggered it (admin user, `SIGHUP`, `file-watch`).
        actor: String,
        /// Dotted paths of the settings that changed.
        changed: Vec<String>,
        /// SHA-256 (hex) of the old configuration file.
        old_digest: String,
        /// SHA-256 (hex) of the new configuration file.
        new_digest: String,
    },
    /// An API key was issued to a user.
    KeyIssued {
        /// Administrator who issued it.
        actor: String,
        /// User the key belongs to.
        subject: String,
        /// Public key id (never the secret).
        key_id: String,
    },
    /// An API key was revoked.
    KeyRevoked {
        /// Administrator who revoked it.
        actor: String,
        /// User the key belonged to.
        subject: String,
        /// Public key id.
        key_id: String,
    },
    /// Any other administrative action.
    Other {
        /// Short machine name of the action.
        name: String,
        /// Who did it.
        actor: String,
        /// Details (no personal data, no secrets).
        #[serde(default)]
        detail: BTreeMap<String, String>,
    },
}

/// Events the log writes by itself; [`super::AuditLog::append`] refuses them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SystemEvent {
    /// The log was opened by a gateway process.
    Startup {
        /// Sekimori version.
        version: String,
        /// Process id.
        pid: u32,
        /// Id of the checkpoint signing key (first 8 bytes of SHA-256 of the key, hex).
        key_id: String,
        /// The Ed25519 public key, base64 of its 32 bytes.
        public_key: String,
    },
    /// The log was closed cleanly.
    Shutdown {
        /// Why (`close`).
        reason: String,
    },
    /// A signed checkpoint (also in `checkpoints.jsonl`).
    Checkpoint {
        /// Sequence number attested.
        covers_seq: u64,
        /// Hash of that record.
        covers_hash: String,
        /// Signing time (part of the signed message).
        signed_at: String,
        /// Segment of the attested record (part of the signed message).
        segment: String,
        /// Signing key id.
        key_id: String,
        /// Base64 Ed25519 signature.
        signature: String,
    },
    /// An expired segment was deleted (written before the file is removed).
    RetentionDeleted {
        /// File name of the deleted segment.
        segment: String,
        /// First sequence number in it.
        first_seq: u64,
        /// Last sequence number in it.
        last_seq: u64,
        /// Hash of its last record.
        last_hash: String,
        /// Time of its last record (RFC 3339 UTC).
        last_time: String,
    },
    /// Bytes after the last valid record were cut on open (torn write after a crash).
    TailTruncated {
        /// The segment.
        segment: String,
        /// Byte offset where the cut starts.
        offset: u64,
        /// How many bytes were cut.
        discarded_bytes: u64,
        /// SHA-256 (hex) of the cut bytes, kept under `recovered/`.
        discarded_sha256: String,
    },
    /// The log became writable again after failures.
    WriteRecovered {
        /// When the first failure happened (RFC 3339 UTC).
        failed_since: String,
        /// How many appends were refused meanwhile.
        failed_appends: u64,
        /// The first error.
        error: String,
    },
}

/// The event of a record, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A request event.
    Request(Box<RequestEvent>),
    /// An administrative event.
    Admin(AdminEvent),
    /// An event of the log itself.
    System(SystemEvent),
}

/// Prompt and response text offered with a request record. What is kept depends on
/// [`super::PromptRetention`]; nothing of it ever goes to diagnostics.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Content {
    /// The prompt as forwarded, with placeholders (kept in `masked` mode).
    pub masked_prompt: Option<String>,
    /// The prompt as received (kept, encrypted, in `sealed` mode).
    pub original_prompt: Option<String>,
    /// The upstream's response (kept, encrypted, in `sealed` mode).
    pub response: Option<String>,
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the text itself.
        f.debug_struct("Content")
            .field(
                "masked_prompt",
                &self.masked_prompt.as_ref().map(|s| s.len()),
            )
            .field(
                "original_prompt",
                &self.original_prompt.as_ref().map(|s| s.len()),
            )
            .field("response", &self.response.as_ref().map(|s| s.len()))
            .finish()
    }
}

/// A record handed to [`super::AuditLog::append`].
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub(crate) time: OffsetDateTime,
    pub(crate) event: Event,
    pub(crate) content: Option<Content>,
}

impl AuditRecord {
    /// A request record, timed now.
    pub fn request(ev: RequestEvent) -> Self {
        AuditRecord {
            time: OffsetDateTime::now_utc(),
            event: Event::Request(Box::new(ev)),
            content: None,
        }
    }

    /// An administrative record, timed now.
    pub fn admin(ev: AdminEvent) -> Self {
        AuditRecord {
            time: OffsetDateTime::now_utc(),
            event: Event::Admin(ev),
            content: None,
        }
    }

    /// Sets the event time (UTC is stored; any offset is accepted).
    pub fn at(mut self, time: OffsetDateTime) -> Self {
        self.time = time;
        self
    }

    /// Offers prompt/response text; kept according to the retention mode.
    pub fn with_content(mut self, content: Content) -> Self {
        self.content = Some(content);
        self
    }
}

/// Prompt text as kept in a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum StoredPrompt {
    /// The masked prompt, in clear.
    Masked {
        /// Text as forwarded.
        text: String,
    },
    /// Original prompt and response, `age`-encrypted to the auditors (base64 of the
    /// binary age file; the plaintext is JSON `{"prompt":…,"response":…}`).
    Sealed {
        /// Base64 of the age ciphertext.
        age: String,
    },
}

/// One line of a segment, without its `hash` member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// Format version (1).
    pub v: u32,
    /// Sequence number, from 1, gapless.
    pub seq: u64,
    /// Event time, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// Hash of the previous record (hex).
    pub prev: String,
    /// The event.
    pub event: Event,
    /// Kept prompt text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<StoredPrompt>,
}

impl StoredRecord {
    /// The event time, parsed.
    pub fn time(&self) -> Option<OffsetDateTime> {
        super::timefmt::parse_rfc3339(&self.time)
    }

    /// The request event, if this is one.
    pub fn request(&self) -> Option<&RequestEvent> {
        match &self.event {
            Event::Request(r) => Some(r),
            _ => None,
        }
    }
}
