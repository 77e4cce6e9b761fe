//! Every console action as an audit-chain record: `admin` events named
//! `console_<action>`, with who did it and value-free details (list names, counts,
//! old and new digests of the configuration file) — never a password, a token, a
//! tested text or a banned word.

use std::collections::BTreeMap;

use crate::audit::{AdminEvent, AuditError, AuditLog, AuditRecord};

/// Appends `console_<name>` by `actor` with `detail` to the audit log. An error means
/// the action must not happen (fail closed).
pub async fn record(
    log: &AuditLog,
    name: &str,
    actor: &str,
    detail: &[(&str, String)],
) -> Result<(), AuditError> {
    let detail: BTreeMap<String, String> = detail
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    log.append(AuditRecord::admin(AdminEvent::Other {
        name: format!("console_{name}"),
        actor: actor.to_string(),
        detail,
    }))
    .await
    .map(|_| ())
}

/// [`record`] for actions that already happened or only read (a login, a search):
/// a failure is logged, not returned.
pub async fn note(log: &AuditLog, name: &str, actor: &str, detail: &[(&str, String)]) {
    if let Err(e) = record(log, name, actor, detail).await {
        tracing::error!(target: "sekimori::console", action = name, error = %e, "console action not recorded in the audit log");
    }
}
