//! Four-eyes changes: a 管理者 proposes an edit of the configuration file (a word
//! list, or restoring an earlier version from 設定履歴); a
//! *different* 承認者 approves it (then it is written) or rejects it. Pending
//! proposals are kept in memory (a restart drops them; they are in the audit log).

use std::sync::Mutex;

use super::edit::WordListEdit;

/// What a proposal changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A word list's words and action.
    Words(WordListEdit),
    /// `[detection] allow_words` after the change (terms never flagged).
    AllowWords(Vec<String>),
    /// Actions per category and department, model allow lists.
    Policy {
        /// The settings changed.
        settings: Vec<super::policy_edit::Setting>,
        /// Each as `where.what: old → new`, for the approver.
        described: Vec<String>,
    },
    /// The whole file back to a kept version (its file name in the history directory).
    Restore {
        /// File name in `<config>.history/`.
        version: String,
    },
}

/// A pending change.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// Number, from 1.
    pub id: u64,
    /// Who proposed it.
    pub proposer: String,
    /// When (RFC 3339 UTC).
    pub created: String,
    /// The change.
    pub change: Change,
    /// The list's words before the edit.
    pub before: Vec<String>,
    /// The list's action before the edit.
    pub before_action: Option<String>,
    /// Digest of the file the edit was made on (it must still be that file).
    pub base_digest: String,
    /// The file's text after the edit (validated when proposed and again when approved).
    pub new_text: String,
    /// Digest of `new_text`.
    pub new_digest: String,
}

impl Proposal {
    /// What it is about: the list's name, or `restore <version>`.
    pub fn subject(&self) -> String {
        match &self.change {
            Change::Words(e) => e.list.clone(),
            Change::Restore { version } => format!("restore {version}"),
            Change::Policy { .. } => "policy".into(),
            Change::AllowWords(_) => "allow_words".into(),
        }
    }

    /// Words added and removed by the change (none for a restore).
    pub fn diff(&self) -> (Vec<String>, Vec<String>) {
        let words = match &self.change {
            Change::Words(edit) => &edit.words,
            Change::AllowWords(w) => w,
            _ => return (Vec::new(), Vec::new()),
        };
        let added = words
            .iter()
            .filter(|w| !self.before.contains(w))
            .cloned()
            .collect();
        let removed = self
            .before
            .iter()
            .filter(|w| !words.contains(w))
            .cloned()
            .collect();
        (added, removed)
    }
}

/// Why a decision on a proposal was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No such pending proposal.
    #[error("変更案がありません（承認・却下済みかもしれません） / no such pending change (it may have been decided already)")]
    Unknown,
    /// The approver proposed it.
    #[error("自分の変更案は承認できません。別の承認者が承認します / you cannot approve your own change: another approver must")]
    OwnProposal,
}

/// The pending proposals.
#[derive(Debug, Default)]
pub struct Proposals {
    inner: Mutex<(u64, Vec<Proposal>)>,
}

impl Proposals {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Vec<Proposal>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a proposal; returns its id.
    pub fn add(&self, mut p: Proposal) -> u64 {
        let mut g = self.lock();
        g.0 += 1;
        p.id = g.0;
        g.1.push(p);
        g.0
    }

    /// The pending proposals, oldest first.
    pub fn list(&self) -> Vec<Proposal> {
        self.lock().1.clone()
    }

    /// Takes proposal `id` out for approval by `approver` (refused for its proposer;
    /// then it stays pending).
    pub fn take_for_approval(&self, id: u64, approver: &str) -> Result<Proposal, DecisionError> {
        let mut g = self.lock();
        let i =
            g.1.iter()
                .position(|p| p.id == id)
                .ok_or(DecisionError::Unknown)?;
        if g.1[i].proposer == approver {
            return Err(DecisionError::OwnProposal);
        }
        Ok(g.1.remove(i))
    }

    /// Takes proposal `id` out (rejected or withdrawn).
    pub fn take(&self, id: u64) -> Result<Proposal, DecisionError> {
        let mut g = self.lock();
        let i =
            g.1.iter()
                .position(|p| p.id == id)
                .ok_or(DecisionError::Unknown)?;
        Ok(g.1.remove(i))
    }
}
