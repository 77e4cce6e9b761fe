//! [`Console`]: what every console request sees — the gateway's shared state (its live
//! configuration, its reload), the accounts, sessions, pending changes, the audit log,
//! and the first administrator's one-time login link.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audit::AuditLog;
use crate::config::AdminConfig;
use crate::gateway::state::Shared;

use super::accounts::{Accounts, AccountsError};
use super::csrf::{random_token, token_matches};
use super::proposals::Proposals;
use super::session::Sessions;

/// The audit log as the console reads and writes it.
#[derive(Clone)]
pub struct AuditAccess {
    /// The open log (admin records are appended here).
    pub log: Arc<AuditLog>,
    /// Its directory (read for the dashboard, usage and search).
    pub dir: PathBuf,
    /// The checkpoint signing key's public half (`.pub`), for verification.
    pub public_key: Option<PathBuf>,
}

/// The last chain verification run from the console.
#[derive(Clone, Debug)]
pub struct VerifySummary {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Whether the log was intact.
    pub ok: bool,
    /// Records verified.
    pub records: u64,
    /// Signed checkpoints verified.
    pub checkpoints_verified: usize,
    /// Problems found (their kinds only).
    pub problems: Vec<String>,
}

struct SetupLink {
    token: String,
    expires: Instant,
}

/// The console's state.
pub struct Console {
    /// The gateway's shared state.
    pub shared: Arc<Shared>,
    /// `[admin]`.
    pub cfg: AdminConfig,
    /// The accounts (file-backed).
    pub accounts: Mutex<Accounts>,
    /// Sessions.
    pub sessions: Sessions,
    /// Pending changes.
    pub proposals: Proposals,
    /// The audit log.
    pub audit: AuditAccess,
    /// Whether the listener speaks TLS (cookies Secure).
    pub tls: bool,
    /// The last verification.
    pub last_verify: Mutex<Option<VerifySummary>>,
    setup: Mutex<Option<SetupLink>>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("listen", &self.cfg.listen)
            .finish_non_exhaustive()
    }
}

/// The accounts file: `[admin] accounts_file` (relative to the configuration file),
/// else `admin-accounts.json` in the state directory (`$SEKIMORI_STATE_DIR`,
/// `$XDG_STATE_HOME/sekimori`, `$HOME/.local/state/sekimori`, `./sekimori-state`).
pub fn accounts_path(
    cfg: Option<&AdminConfig>,
    config_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    if let Some(p) = cfg.and_then(|c| c.accounts_file.as_ref()) {
        if p.is_relative() {
            if let Some(dir) = config_file.and_then(Path::parent) {
                return dir.join(p);
            }
        }
        return p.clone();
    }
    let state = crate::gateway::audit::default_audit_config(env)
        .dir
        .parent()
        .map_or_else(|| PathBuf::from("sekimori-state"), Path::to_path_buf);
    state.join("admin-accounts.json")
}

impl Console {
    /// The console over the gateway's `shared` state, with the accounts at
    /// `accounts_file` and the audit log `audit`.
    pub fn new(
        shared: Arc<Shared>,
        cfg: AdminConfig,
        accounts_file: &Path,
        audit: AuditAccess,
        tls: bool,
    ) -> Result<Arc<Console>, AccountsError> {
        let accounts = Accounts::load(accounts_file)?;
        Ok(Arc::new(Console {
            shared,
            sessions: Sessions::new(Duration::from_secs(cfg.idle_timeout_secs)),
            cfg,
            accounts: Mutex::new(accounts),
            proposals: Proposals::default(),
            audit,
            tls,
            last_verify: Mutex::new(None),
            setup: Mutex::new(None),
        }))
    }

    /// The accounts, locked.
    pub fn accounts(&self) -> std::sync::MutexGuard<'_, Accounts> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When no 管理者 exists: a new one-time token for `/setup` (valid once, for
    /// `setup_link_secs`), replacing any earlier one. None when an administrator
    /// exists.
    pub fn first_admin_token(&self) -> Option<String> {
        if self.accounts().has_admin() {
            return None;
        }
        let token = random_token();
        *self.setup.lock().unwrap_or_else(|e| e.into_inner()) = Some(SetupLink {
            token: token.clone(),
            expires: Instant::now() + Duration::from_secs(self.cfg.setup_link_secs),
        });
        Some(token)
    }

    /// Whether `token` is the live setup token (not used, not expired).
    pub fn setup_token_valid(&self, token: &str) -> bool {
        let g = self.setup.lock().unwrap_or_else(|e| e.into_inner());
        g.as_ref()
            .is_some_and(|s| Instant::now() < s.expires && token_matches(Some(token), &s.token))
    }

    /// The text of the configuration file the gateway runs from, read now (None: the
    /// embedded default, or unreadable).
    pub fn current_text(&self) -> Option<String> {
        let path = self.shared.runtime.load().source.clone()?;
        std::fs::read_to_string(path).ok()
    }

    /// Uses up the setup token (after the first administrator was created).
    pub fn consume_setup_token(&self) {
        *self.setup.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
