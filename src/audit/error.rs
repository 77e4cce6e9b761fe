//! Typed errors of the audit log. Messages name files and causes, never prompt text.

use std::path::PathBuf;

/// Everything that can go wrong opening, writing or reading the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The `[audit]` configuration is invalid.
    #[error("invalid audit configuration: {0}")]
    Config(String),
    /// A file operation failed.
    #[error("audit log: cannot {op} {path}: {source}")]
    Io {
        /// What was being done (`write`, `fsync`, `open`, …).
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The log could not be made durable; nothing must be forwarded.
    #[error(
        "audit log not writable ({0}); requests are refused until it is writable again \
         (check disk space and permissions of the audit directory)"
    )]
    Unavailable(String),
    /// Another process holds the directory lock.
    #[error(
        "audit directory {0} is locked by another process; stop the other sekimori \
         or configure a different audit.dir"
    )]
    Locked(PathBuf),
    /// The log is damaged in a way a crash cannot explain; it will not be appended to.
    #[error(
        "audit log damaged at {file} line {line}: {reason}; run `sekimori audit verify` \
         and restore the directory from backup before starting the gateway"
    )]
    Corrupt {
        /// Segment file name.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The signing key could not be loaded or created.
    #[error("audit signing key {path}: {reason}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Encrypting (sealing) or decrypting content for auditors failed.
    #[error("sealed prompt retention: {0}")]
    Seal(String),
    /// An event type written only by the log itself was passed to `append`.
    #[error("event type `{0}` is written by the audit log itself and cannot be appended")]
    Reserved(&'static str),
    /// The log was closed, or its writer stopped.
    #[error("audit log is closed; requests are refused")]
    Closed,
}

impl AuditError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AuditError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}
