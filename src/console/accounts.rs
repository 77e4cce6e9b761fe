//! Console accounts: roles, argon2id password hashes, failed-login counting and
//! lockout, last login — kept in one JSON file (`[admin] accounts_file`) written
//! atomically with mode 0600 by `sekimori admin passwd` and by the console itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::timefmt::{format_utc, parse_rfc3339};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What an account may do. Checked on the server for every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// 管理者: proposes and makes changes, tests texts, reads usage.
    #[serde(rename = "管理者")]
    Admin,
    /// 承認者: approves or rejects another person's change, tests texts.
    #[serde(rename = "承認者")]
    Approver,
    /// 監査者: reads the audit log and usage, verifies the chain; never edits.
    #[serde(rename = "監査者")]
    Auditor,
    /// 閲覧: the dashboard only.
    #[serde(rename = "閲覧")]
    Viewer,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Approver, Role::Auditor, Role::Viewer];

    /// The Japanese name (as stored and on the command line).
    pub fn ja(self) -> &'static str {
        match self {
            Role::Admin => "管理者",
            Role::Approver => "承認者",
            Role::Auditor => "監査者",
            Role::Viewer => "閲覧",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            Role::Admin => "administrator",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a Japanese or English role name.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.ja() == s || r.en().eq_ignore_ascii_case(s))
            .or(match s {
                "admin" => Some(Role::Admin),
                _ => None,
            })
    }

    /// May propose (or, without required approval, make) changes.
    pub fn can_edit(self) -> bool {
        self == Role::Admin
    }
    /// May approve or reject another person's change.
    pub fn can_approve(self) -> bool {
        self == Role::Approver
    }
    /// May read the audit log and verify its chain.
    pub fn can_read_audit(self) -> bool {
        self == Role::Auditor
    }
    /// May read usage and download it.
    pub fn can_read_usage(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
    /// May see the word lists and test a text.
    pub fn can_test(self) -> bool {
        matches!(self, Role::Admin | Role::Approver | Role::Auditor)
    }
}

/// One account as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    /// Login name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// PHC string of the argon2id hash.
    pub hash: String,
    /// Failed logins in a row.
    #[serde(default)]
    pub failed: u32,
    /// Locked until (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// Last successful login (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FileShape {
    version: u32,
    accounts: Vec<Account>,
}

/// Why the accounts file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Reading or writing failed.
    #[error("accounts file {path}: {error}; check the path and its permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// The file is not the expected JSON.
    #[error("accounts file {path} is damaged ({reason}); restore it from a backup or remove it and create the accounts again with `sekimori admin passwd`")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// The parser's reason (no content).
        reason: String,
    },
    /// A password or user name that cannot be used.
    #[error("{0}")]
    Invalid(String),
}

/// The result of a login attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginResult {
    /// Correct; the previous login time (RFC 3339), if any.
    Ok {
        /// The role.
        role: Role,
        /// The login before this one.
        previous_login: Option<String>,
    },
    /// Wrong user or password (not told apart).
    Wrong,
    /// Locked until this time (RFC 3339), whatever the password.
    Locked(String),
}

/// The accounts, loaded from and saved to their file.
#[derive(Debug)]
pub struct Accounts {
    path: PathBuf,
    list: Vec<Account>,
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AccountsError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountsError::Invalid(format!("cannot hash the password: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks a user name: 1–64 letters, digits, `.`, `_`, `-`, `@`.
pub fn check_user(user: &str) -> Result<(), AccountsError> {
    let ok = !user.is_empty()
        && user.chars().count() <= 64
        && user
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AccountsError::Invalid(
            "a user name is 1 to 64 letters, digits, '.', '_', '-' or '@'".into(),
        ))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), AccountsError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountsError::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

impl Accounts {
    /// Loads the file; a missing file is no accounts.
    pub fn load(path: &Path) -> Result<Accounts, AccountsError> {
        let list = match std::fs::read(path) {
            Ok(b) => {
                serde_json::from_slice::<FileShape>(&b)
                    .map_err(|e| AccountsError::Damaged {
                        path: path.to_path_buf(),
                        reason: format!("line {} column {}", e.line(), e.column()),
                    })?
                    .accounts
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => {
                return Err(AccountsError::Io {
                    path: path.to_path_buf(),
                    error,
                })
            }
        };
        Ok(Accounts {
            path: path.to_path_buf(),
            list,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether any 管理者 account exists.
    pub fn has_admin(&self) -> bool {
        self.list.iter().any(|a| a.role == Role::Admin)
    }

    /// The accounts.
    pub fn list(&self) -> &[Account] {
        &self.list
    }

    /// The role of `user`, if the account exists.
    pub fn role(&self, user: &str) -> Option<Role> {
        self.list.iter().find(|a| a.user == user).map(|a| a.role)
    }

    /// Creates or replaces `user` with `role` and `password` (unlocking it), and saves.
    pub fn set(&mut self, user: &str, role: Role, password: &str) -> Result<(), AccountsError> {
        check_user(user)?;
        check_password(password)?;
        let hash = hash_password(password)?;
        match self.list.iter_mut().find(|a| a.user == user) {
            Some(a) => {
                a.role = role;
                a.hash = hash;
                a.failed = 0;
                a.locked_until = None;
            }
            None => self.list.push(Account {
                user: user.to_string(),
                role,
                hash,
                failed: 0,
                locked_until: None,
                last_login: None,
            }),
        }
        self.save()
    }

    /// Checks a login at `now`: counts failures, locks after `max_failed` in a row for
    /// `lockout`, records the login time on success; saves the file when it changed.
    pub fn login(
        &mut self,
        user: &str,
        password: &str,
        now: OffsetDateTime,
        max_failed: u32,
        lockout: Duration,
    ) -> Result<LoginResult, AccountsError> {
        let Some(a) = self.list.iter_mut().find(|a| a.user == user) else {
            // The same work as for a known user, so timing does not tell them apart.
            let _ = verify_password(dummy_hash(), password);
            return Ok(LoginResult::Wrong);
        };
        if let Some(until) = a.locked_until.as_deref().and_then(parse_rfc3339) {
            if now < until {
                return Ok(LoginResult::Locked(format_utc(until)));
            }
        }
        let result = if verify_password(&a.hash, password) {
            let previous_login = a.last_login.replace(format_utc(now));
            a.failed = 0;
            a.locked_until = None;
            LoginResult::Ok {
                role: a.role,
                previous_login,
            }
        } else {
            a.failed = a.failed.saturating_add(1);
            if a.failed >= max_failed {
                let until = now + lockout;
                a.locked_until = Some(format_utc(until));
                a.failed = 0;
                LoginResult::Locked(format_utc(until))
            } else {
                LoginResult::Wrong
            }
        };
        self.save()?;
        Ok(result)
    }

    /// Writes the file atomically (temporary file, then rename), mode 0600.
    pub fn save(&self) -> Result<(), AccountsError> {
        let io = |error| AccountsError::Io {
            path: self.path.clone(),
            error,
        };
        let shape = FileShape {
            version: 1,
            accounts: self.list.clone(),
        };
        let mut text = serde_json::to_string_pretty(&shape)
            .map_err(|e| AccountsError::Invalid(format!("cannot encode the accounts: {e}")))?;
        text.push('\n');
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        super::edit::write_atomic(&self.path, text.as_bytes(), true).map_err(io)
    }
}

/// An argon2id hash of a password nobody knows, verified against for unknown users.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("sekimori-no-such-user").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_and_five_wrong_ones_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let mut acc = Accounts::load(&path).unwrap();
        assert!(!acc.has_admin());
        acc.set("morikawa", Role::Admin, "正しいパスワード-2026")
            .unwrap();
        let stored = std::fs::read_to_string(&path).unwrap();
        assert!(stored.contains("$argon2id$"), "{stored}");
        assert!(!stored.contains("正しいパスワード"));
        let mut acc = Accounts::load(&path).unwrap();
        assert!(acc.has_admin());
        let now = OffsetDateTime::now_utc();
        let lock = Duration::from_secs(60);
        let ok = acc
            .login("morikawa", "正しいパスワード-2026", now, 3, lock)
            .unwrap();
        assert_eq!(
            ok,
            LoginResult::Ok {
                role: Role::Admin,
                previous_login: None
            }
        );
        for _ in 0..2 {
            assert_eq!(
                acc.login("morikawa", "違う", now, 3, lock).unwrap(),
                LoginResult::Wrong
            );
        }
        assert!(matches!(
            acc.login("morikawa", "違う", now, 3, lock).unwrap(),
            LoginResult::Locked(_)
        ));
        // Locked: even the right password is refused until the lock ends.
        assert!(matches!(
            acc.login("morikawa", "正しいパスワード-2026", now, 3, lock)
                .unwrap(),
            LoginResult::Locked(_)
        ));
        let later = now + Duration::from_secs(61);
        assert!(matches!(
            acc.login("morikawa", "正しいパスワード-2026", later, 3, lock)
                .unwrap(),
            LoginResult::Ok {
                previous_login: Some(_),
                ..
            }
        ));
        assert_eq!(
            acc.login("nobody", "x", now, 3, lock).unwrap(),
            LoginResult::Wrong
        );
        assert!(acc.set("x", Role::Viewer, "short").is_err());
        assert!(acc
            .set("bad name", Role::Viewer, "long enough password")
            .is_err());
        assert_eq!(Role::parse("承認者"), Some(Role::Approver));
        assert_eq!(Role::parse("auditor"), Some(Role::Auditor));
    }
}
