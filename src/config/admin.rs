//! `[admin]`: the administrators' console (`crate::console`) — its listener, TLS,
//! accounts file, session and login limits, and whether edits need a second person.
//!
//! Absent from a configuration file: no console. The embedded default configuration
//! (`sekimori serve` without `--config`) has the table, so the console listens on
//! [`DEFAULT_ADMIN_LISTEN`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Default console listen address: loopback only.
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:8788";
/// Default idle time after which a console session ends, seconds (15 minutes).
pub const DEFAULT_ADMIN_IDLE_SECS: u64 = 900;
/// Default failed logins in a row before an account is locked.
pub const DEFAULT_MAX_FAILED_LOGINS: u32 = 5;
/// Default lockout after too many failed logins, seconds (15 minutes).
pub const DEFAULT_LOCKOUT_SECS: u64 = 900;
/// Default lifetime of the first administrator's one-time login link, seconds.
pub const DEFAULT_SETUP_LINK_SECS: u64 = 600;

/// `[admin]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    /// Listen address. Default [`DEFAULT_ADMIN_LISTEN`].
    pub listen: String,
    /// PEM certificate chain; with `tls_key`, the console speaks HTTPS (and its cookies
    /// are `Secure`). Relative to the configuration file.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// The accounts file (`sekimori admin passwd` writes it). Default
    /// `admin-accounts.json` in the state directory (beside the audit log's default).
    pub accounts_file: Option<PathBuf>,
    /// Seconds of inactivity after which a session ends. Default 900.
    pub idle_timeout_secs: u64,
    /// Failed logins in a row before the account is locked. Default 5.
    pub max_failed_logins: u32,
    /// Seconds an account stays locked. Default 900.
    pub lockout_secs: u64,
    /// Whether a change of lists or policy needs a second person (承認者) before it is
    /// written. Default true.
    pub require_approval: bool,
    /// Seconds the first administrator's one-time login link is valid. Default 600.
    pub setup_link_secs: u64,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: DEFAULT_ADMIN_LISTEN.to_string(),
            tls_cert: None,
            tls_key: None,
            accounts_file: None,
            idle_timeout_secs: DEFAULT_ADMIN_IDLE_SECS,
            max_failed_logins: DEFAULT_MAX_FAILED_LOGINS,
            lockout_secs: DEFAULT_LOCKOUT_SECS,
            require_approval: true,
            setup_link_secs: DEFAULT_SETUP_LINK_SECS,
        }
    }
}

impl AdminConfig {
    /// Checks what serde cannot: the address, TLS files given in pairs, non-zero limits.
    /// Returns the key at fault and the reason.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err((
                "admin.listen",
                format!("'{}' is not an address:port", self.listen),
            ));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err((
                "admin.tls_cert",
                "tls_cert and tls_key must be given together".into(),
            ));
        }
        if self.idle_timeout_secs == 0 || self.max_failed_logins == 0 || self.setup_link_secs == 0 {
            return Err((
                "admin.idle_timeout_secs",
                "idle_timeout_secs, max_failed_logins and setup_link_secs must be above 0".into(),
            ));
        }
        Ok(())
    }
}
