//! The `[audit]` configuration section.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::quota::QuotaRule;
use super::AuditError;

/// What the log keeps of prompt and response text.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PromptRetention {
    /// No text at all: categories, counts and positions only.
    None,
    /// The prompt as sent upstream, with placeholders instead of findings (default).
    /// Undetected personal data would still be in it: see the deployment notes.
    #[default]
    Masked,
    /// The original prompt and the response, encrypted with `age` to the auditors'
    /// public keys (`sealed_recipients`); the gateway host cannot read them.
    Sealed,
}

/// Shipping a copy of every record to a syslog server (RFC 5424 over TCP or TLS,
/// octet-counted framing of RFC 6587/5425). Failures never affect the local log.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
    /// `host:port` of the collector.
    pub address: String,
    /// HOSTNAME field; `-` when absent.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Syslog facility number (default 16, local0).
    #[serde(default = "default_facility")]
    pub facility: u8,
    /// Use TLS (RFC 5425). The collector's certificate is checked against `ca_file`.
    #[serde(default)]
    pub tls: bool,
    /// PEM file of the CA certificate(s) trusted for the collector (required with `tls`).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Name expected in the collector's certificate; default: the host of `address`.
    #[serde(default)]
    pub server_name: Option<String>,
}

fn default_facility() -> u8 {
    16
}

/// Configuration of the audit log (`[audit]` in the gateway's TOML).
///
/// ```toml
/// [audit]
/// dir = "/var/lib/sekimori/audit"
/// signing_key = "/etc/sekimori/audit-signing.pem"   # created on first start
/// retention_days = 400
/// prompt_retention = "sealed"                        # none | masked | sealed
/// sealed_recipients = ["age1…"]                      # auditors' age public keys
/// checkpoint_every_records = 1000
/// checkpoint_every_seconds = 60
/// segment_max_bytes = 67108864
/// stdout = false
///
/// [audit.syslog]
/// address = "syslog.example.lg.jp:6514"
/// tls = true
/// ca_file = "/etc/sekimori/syslog-ca.pem"
///
/// [[audit.quotas]]
/// scope = "user"                # every user without a rule of their own
/// monthly_chars = 200000
///
/// [[audit.quotas]]
/// scope = "department"
/// name = "税務課"
/// model = "gpt-4o"
/// monthly_tokens = 5000000
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Directory of the segments and `checkpoints.jsonl`.
    pub dir: PathBuf,
    /// Segments whose newest record is older than this are deleted (default 400; the
    /// guideline recommends keeping logs at least one year).
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// What is kept of prompt text.
    #[serde(default)]
    pub prompt_retention: PromptRetention,
    /// `age1…` public keys of the auditors (required for `sealed`).
    #[serde(default)]
    pub sealed_recipients: Vec<String>,
    /// Ed25519 PKCS#8 PEM private key for checkpoints; generated if absent, with the
    /// public key written to the same path plus `.pub`.
    pub signing_key: PathBuf,
    /// Sign a checkpoint after this many records (default 1000).
    #[serde(default = "default_ckpt_records")]
    pub checkpoint_every_records: u64,
    /// … or after this many seconds with new records (default 60).
    #[serde(default = "default_ckpt_seconds")]
    pub checkpoint_every_seconds: u64,
    /// Start a new segment beyond this size (default 64 MiB).
    #[serde(default = "default_segment_max")]
    pub segment_max_bytes: u64,
    /// Optional copy of each record to syslog.
    #[serde(default)]
    pub syslog: Option<SyslogConfig>,
    /// Optional copy of each record to standard output, one JSON line each.
    #[serde(default)]
    pub stdout: bool,
    /// Monthly quotas.
    #[serde(default)]
    pub quotas: Vec<QuotaRule>,
}

fn default_retention_days() -> u32 {
    400
}
fn default_ckpt_records() -> u64 {
    1000
}
fn default_ckpt_seconds() -> u64 {
    60
}
fn default_segment_max() -> u64 {
    64 * 1024 * 1024
}

impl AuditConfig {
    /// A configuration with every default, for `dir` and `signing_key`.
    pub fn new(dir: impl AsRef<Path>, signing_key: impl AsRef<Path>) -> Self {
        AuditConfig {
            dir: dir.as_ref().to_path_buf(),
            retention_days: default_retention_days(),
            prompt_retention: PromptRetention::default(),
            sealed_recipients: Vec::new(),
            signing_key: signing_key.as_ref().to_path_buf(),
            checkpoint_every_records: default_ckpt_records(),
            checkpoint_every_seconds: default_ckpt_seconds(),
            segment_max_bytes: default_segment_max(),
            syslog: None,
            stdout: false,
            quotas: Vec::new(),
        }
    }

    /// Checks values that serde cannot.
    pub fn validate(&self) -> Result<(), AuditError> {
        let bad = |m: &str| Err(AuditError::Config(m.to_string()));
        if self.retention_days == 0 {
            return bad("audit.retention_days must be at least 1 (400 recommended)");
        }
        if self.checkpoint_every_records == 0 || self.checkpoint_every_seconds == 0 {
            return bad("audit.checkpoint_every_records and _seconds must be at least 1");
        }
        if self.segment_max_bytes < 4096 {
            return bad("audit.segment_max_bytes must be at least 4096");
        }
        if self.prompt_retention == PromptRetention::Sealed && self.sealed_recipients.is_empty() {
            return bad(
                "audit.prompt_retention = \"sealed\" needs at least one age public key \
                 in audit.sealed_recipients",
            );
        }
        super::seal::parse_recipients(&self.sealed_recipients)?;
        if let Some(s) = &self.syslog {
            if s.facility > 23 {
                return bad("audit.syslog.facility must be 0..=23");
            }
            if s.tls {
                super::ship::tls_config(s)?;
            }
        }
        for (i, q) in self.quotas.iter().enumerate() {
            q.validate()
                .map_err(|m| AuditError::Config(format!("audit.quotas[{i}]: {m}")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_table() {
        let base = "dir = \"/tmp/a\"\nsigning_key = \"/tmp/k.pem\"\n";
        // (extra TOML, Ok?)
        let cases: [(&str, bool); 8] = [
            ("", true),
            ("prompt_retention = \"none\"", true),
            ("prompt_retention = \"sealed\"", false), // no recipients
            ("retention_days = 0", false),
            ("bogus = 1", false),                    // deny_unknown_fields
            ("[[quotas]]\nscope = \"user\"", false), // no cap
            ("[[quotas]]\nscope = \"team\"\nmonthly_chars = 1", false),
            (
                "[[quotas]]\nscope = \"department\"\nname = \"税務課\"\nmonthly_tokens = 10",
                true,
            ),
        ];
        for (extra, ok) in cases {
            let text = format!("{base}{extra}\n");
            let parsed: Result<AuditConfig, _> = toml::from_str(&text);
            let valid = parsed.map_err(|e| e.to_string()).and_then(|c| {
                c.validate().map_err(|e| e.to_string())?;
                Ok(c)
            });
            assert_eq!(valid.is_ok(), ok, "{extra}: {valid:?}");
        }
        let c: AuditConfig = toml::from_str(base).unwrap();
        assert_eq!(
            (c.retention_days, c.prompt_retention),
            (400, PromptRetention::Masked)
        );
    }
}
