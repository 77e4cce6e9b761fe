//! Making a change: the edited configuration validated again (as `check-config`
//! does), the action recorded in the audit chain *before* the file is written (no
//! record, no write), the file replaced atomically with the previous version kept, and
//! the running gateway reloaded at once (the same hot reload as SIGHUP and the file
//! watcher, recorded as `console:<user>`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::gateway::reload;

use super::edit::{self, EditError};
use super::proposals::Proposal;
use super::state::Console;
use super::trail;

/// Why a change was not made (the file is then unchanged).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The edit or the file.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The audit log refused the record.
    #[error("the audit log cannot record the change, so it was not made: {0}")]
    Audit(String),
    /// The file was written but the reload failed.
    #[error("the file was written but the gateway kept its previous configuration: {0}")]
    Reload(String),
}

/// What became of a submitted change.
#[derive(Debug)]
pub enum Submitted {
    /// Pending approval, with this number.
    Proposed(u64),
    /// Made at once (`require_approval = false`).
    Applied,
}

/// Submits change `p` by its proposer: recorded and kept for approval, or — without
/// required approval — made at once.
pub async fn submit(c: &Arc<Console>, p: Proposal) -> Result<Submitted, ApplyError> {
    if !c.cfg.require_approval {
        let me = p.proposer.clone();
        return apply(c, &p, &me, "change_applied")
            .await
            .map(|_| Submitted::Applied);
    }
    trail::record(
        &c.audit.log,
        "change_proposed",
        &p.proposer,
        &[
            ("subject", p.subject()),
            ("old_digest", p.base_digest.clone()),
            ("new_digest", p.new_digest.clone()),
        ],
    )
    .await
    .map_err(|e| ApplyError::Audit(e.to_string()))?;
    Ok(Submitted::Proposed(c.proposals.add(p)))
}

/// The configuration file the live gateway was started from.
pub fn config_path(c: &Console) -> Result<PathBuf, EditError> {
    c.shared.runtime.load().source.clone().ok_or_else(|| {
        EditError::NotEditable(
            "Sekimori runs the embedded default configuration (no --config): start it with --config FILE to edit lists here / 組み込みの既定設定で動作中のため編集できません（--config で設定ファイルを指定して起動してください）".into(),
        )
    })
}

/// Makes change `p`, approved by `approver` (the proposer themself when approval is
/// not required). `action` is the audit record's name (`change_approved`,
/// `change_applied`).
pub async fn apply(
    c: &Arc<Console>,
    p: &Proposal,
    approver: &str,
    action: &str,
) -> Result<PathBuf, ApplyError> {
    let path = config_path(c)?;
    let (text, vp) = (p.new_text.clone(), path.clone());
    tokio::task::spawn_blocking(move || edit::validate(&text, &vp).map(drop))
        .await
        .map_err(|_| EditError::NotEditable("validation panicked".into()))??;
    let (added, removed) = p.diff();
    trail::record(
        &c.audit.log,
        action,
        approver,
        &[
            ("proposal", p.id.to_string()),
            ("proposer", p.proposer.clone()),
            ("subject", p.subject()),
            ("words_added", added.len().to_string()),
            ("words_removed", removed.len().to_string()),
            (
                "action_old",
                p.before_action.clone().unwrap_or_else(|| "-".into()),
            ),
            (
                "action_new",
                match &p.change {
                    super::proposals::Change::Words(e) => e.action.clone(),
                    _ => None,
                }
                .unwrap_or_else(|| "-".into()),
            ),
            ("old_digest", p.base_digest.clone()),
            ("new_digest", p.new_digest.clone()),
        ],
    )
    .await
    .map_err(|e| ApplyError::Audit(e.to_string()))?;
    let (wp, base, text) = (path.clone(), p.base_digest.clone(), p.new_text.clone());
    let kept = tokio::task::spawn_blocking(move || edit::write_config(&wp, &base, &text))
        .await
        .map_err(|_| EditError::NotEditable("writing panicked".into()))??;
    reload::reload(&c.shared, &format!("console:{approver}"))
        .await
        .map_err(|e| ApplyError::Reload(e.to_string()))?;
    Ok(kept)
}
