//! The gateway's hooks written to the tamper-evident audit log ([`crate::audit`]).
//!
//! Forwarded requests get a durable `forward` record before the upstream sees them and
//! an `outcome` record when the answer has ended; requests that are not forwarded get
//! one `final` record. Positions and counts only; prompt text goes through
//! [`crate::audit::Content`], kept according to the log's retention mode.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::audit::{
    self as log, AdminEvent, AuditConfig, AuditLog, AuditRecord, Content, FindingPos, Phase,
    QuotaScope, QuotaUnit, RequestEvent, UpstreamRef,
};

use super::hooks::{
    AuditError, AuditHook, FindingLocation, ForwardRecord, HookFuture, Outcome, OutcomeRecord,
    PromptText, QuotaRefusal, ReloadRecord,
};

/// [`AuditHook`] over an open [`AuditLog`].
#[derive(Clone)]
pub struct AuditLogHook {
    log: Arc<AuditLog>,
    keep_response: bool,
}

impl std::fmt::Debug for AuditLogHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLogHook").finish_non_exhaustive()
    }
}

impl AuditLogHook {
    /// Wraps an open log.
    pub fn new(log: Arc<AuditLog>) -> Self {
        AuditLogHook {
            log,
            keep_response: false,
        }
    }

    /// Offers non-streamed answers to the log (set for `prompt_retention = "sealed"`,
    /// which keeps the original prompt and the response encrypted to the auditors).
    pub fn with_responses(mut self, on: bool) -> Self {
        self.keep_response = on;
        self
    }

    /// The log (to close it at shutdown).
    pub fn log(&self) -> &Arc<AuditLog> {
        &self.log
    }
}

/// Where the audit log goes when the configuration has no `[audit]` table:
/// `$SEKIMORI_STATE_DIR`, else `$XDG_STATE_HOME/sekimori`, else
/// `$HOME/.local/state/sekimori`, else `./sekimori-state`; the log in `audit/` below it,
/// the checkpoint signing key in `audit-signing.pem`.
pub fn default_audit_config(env: &dyn Fn(&str) -> Option<String>) -> AuditConfig {
    let base = env("SEKIMORI_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| env("XDG_STATE_HOME").map(|d| Path::new(&d).join("sekimori")))
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".local/state/sekimori")))
        .unwrap_or_else(|| PathBuf::from("sekimori-state"));
    AuditConfig::new(base.join("audit"), base.join("audit-signing.pem"))
}

/// Resolves relative `dir` and `signing_key` against the configuration file's directory.
pub fn resolve_paths(mut cfg: AuditConfig, base: &Path) -> AuditConfig {
    if cfg.dir.is_relative() {
        cfg.dir = base.join(&cfg.dir);
    }
    if cfg.signing_key.is_relative() {
        cfg.signing_key = base.join(&cfg.signing_key);
    }
    cfg
}

fn positions(findings: &[FindingLocation]) -> (BTreeMap<String, u32>, Vec<FindingPos>) {
    let mut counts = BTreeMap::new();
    let mut pos = Vec::with_capacity(findings.len());
    for f in findings {
        *counts.entry(f.category.clone()).or_insert(0u32) += 1;
        pos.push(FindingPos {
            category: f.category.clone(),
            field: f.path.clone(),
            start: u32::try_from(f.char_start).unwrap_or(u32::MAX),
            end: u32::try_from(f.char_end).unwrap_or(u32::MAX),
        });
    }
    (counts, pos)
}

/// The audit record of a request's outcome.
fn outcome_record(r: &OutcomeRecord) -> AuditRecord {
    let action = if r.forwarded {
        match r.forward_action {
            Some("acknowledged") => log::Action::Acknowledged,
            Some("masked") => log::Action::Masked,
            _ => log::Action::Allowed,
        }
    } else {
        match (r.outcome, r.error_code) {
            (_, Some("region_violation")) => log::Action::RefusedRegion,
            (_, Some(c)) if c.starts_with("quota_") => log::Action::RefusedQuota,
            (Outcome::Blocked, _) => log::Action::Blocked,
            (Outcome::Warned, _) => log::Action::Warned,
            (_, Some("uninspectable_content" | "model_not_allowed")) => log::Action::Blocked,
            // The forward proxy: a catalogued unapproved AI service ("shadow AI").
            (_, Some("unapproved_ai_service")) => log::Action::Blocked,
            _ => log::Action::Error,
        }
    };
    let action = if r.forwarded && r.outcome == Outcome::Failed {
        log::Action::Error
    } else {
        action
    };
    let mut ev = RequestEvent::new(
        r.request_id.clone(),
        if r.forwarded {
            Phase::Outcome
        } else {
            Phase::Final
        },
        r.user.clone().unwrap_or_else(|| "-".into()),
        r.front_end.clone().unwrap_or_else(|| "-".into()),
        action,
    );
    ev.department = r.department.clone();
    ev.client = r.client.map(|c| c.to_string());
    ev.upstream = r.upstream.as_ref().map(|u| UpstreamRef {
        name: u.clone(),
        provider: r.provider.clone().unwrap_or_default(),
        region: String::new(),
    });
    ev.model = r.model.clone();
    let (mut counts, pos) = positions(&r.findings);
    for c in &r.categories {
        counts.entry(c.clone()).or_insert(0);
    }
    ev.categories = counts;
    ev.findings = pos;
    ev.prompt_chars = r.chars_inspected as u64;
    ev.tokens_in = r.prompt_tokens;
    ev.tokens_out = r.completion_tokens;
    ev.status = Some(r.status);
    ev.latency_ms = Some(r.duration_ms);
    ev.error = r.error_code.map(str::to_string);
    let mut rec = AuditRecord::request(ev);
    if let (true, Some(text)) = (r.forwarded, &r.response) {
        rec = rec.with_content(Content {
            response: Some(text.0.clone()),
            ..Content::default()
        });
    }
    rec
}

fn forward_action(r: &ForwardRecord) -> log::Action {
    if r.acknowledged_warning {
        log::Action::Acknowledged
    } else if r.masked > 0 {
        log::Action::Masked
    } else {
        log::Action::Allowed
    }
}

fn action_name(a: log::Action) -> &'static str {
    match a {
        log::Action::Acknowledged => "acknowledged",
        log::Action::Masked => "masked",
        _ => "allowed",
    }
}

/// The forward action's name as stored in [`OutcomeRecord::forward_action`].
pub fn forward_action_name(r: &ForwardRecord) -> &'static str {
    action_name(forward_action(r))
}

impl AuditHook for AuditLogHook {
    fn check_quota(
        &self,
        user: &str,
        department: &str,
        model: Option<&str>,
        chars: u64,
    ) -> Result<(), QuotaRefusal> {
        self.log
            .quotas()
            .check(user, Some(department), model, chars)
            .map_err(|q| QuotaRefusal {
                code: match (q.scope, q.unit) {
                    (QuotaScope::User, QuotaUnit::Chars) => "quota_user_chars",
                    (QuotaScope::User, QuotaUnit::Tokens) => "quota_user_tokens",
                    (QuotaScope::Department, QuotaUnit::Chars) => "quota_department_chars",
                    (QuotaScope::Department, QuotaUnit::Tokens) => "quota_department_tokens",
                },
                message: q.to_string(),
                resets_at: q
                    .resets_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            })
    }

    fn record_before_forward<'a>(
        &'a self,
        r: &'a ForwardRecord,
        prompt: PromptText<'a>,
    ) -> HookFuture<'a, Result<(), AuditError>> {
        let mut ev = RequestEvent::new(
            r.request_id.clone(),
            Phase::Forward,
            r.user.clone(),
            format!("{}-{}", r.api, r.endpoint),
            forward_action(r),
        );
        ev.department = Some(r.department.clone());
        ev.client = Some(r.client.to_string());
        ev.upstream = Some(UpstreamRef {
            name: r.upstream.clone(),
            provider: r.provider.clone(),
            region: String::new(),
        });
        ev.model = r.model.clone();
        let (counts, pos) = positions(&r.findings);
        ev.categories = counts;
        ev.findings = pos;
        ev.prompt_chars = r.chars_inspected as u64;
        // Only what the log keeps is copied.
        let retention = self.log.prompt_retention();
        let content = Content {
            masked_prompt: (retention == log::PromptRetention::Masked)
                .then(|| prompt.forwarded.to_string()),
            original_prompt: (retention == log::PromptRetention::Sealed)
                .then(|| String::from_utf8_lossy(prompt.original).into_owned()),
            response: None,
        };
        let rec = AuditRecord::request(ev).with_content(content);
        Box::pin(async move {
            self.log
                .append(rec)
                .await
                .map(|_| ())
                .map_err(|e| AuditError(e.to_string()))
        })
    }

    fn record_outcome<'a>(&'a self, r: &'a OutcomeRecord) -> HookFuture<'a, ()> {
        let rec = outcome_record(r);
        Box::pin(async move {
            if let Err(e) = self.log.append(rec).await {
                tracing::error!(target: "sekimori::audit", request_id = %r.request_id, error = %e, "outcome record could not be written");
            }
        })
    }

    fn try_queue_outcome(&self, r: OutcomeRecord) -> Result<(), Box<OutcomeRecord>> {
        if let Err(e) = self.log.append_deferred(outcome_record(&r)) {
            tracing::error!(target: "sekimori::audit", request_id = %r.request_id, error = %e, "outcome record could not be queued");
        }
        Ok(())
    }

    fn record_reload<'a>(&'a self, r: &'a ReloadRecord) -> HookFuture<'a, ()> {
        let mut recs = vec![AuditRecord::admin(AdminEvent::ConfigReload {
            actor: r.actor.clone(),
            changed: r.changed.clone(),
            old_digest: r.old_digest.clone(),
            new_digest: r.new_digest.clone(),
        })];
        for (user, id) in &r.keys_added {
            recs.push(AuditRecord::admin(AdminEvent::KeyIssued {
                actor: r.actor.clone(),
                subject: user.clone(),
                key_id: id.clone(),
            }));
        }
        for (user, id) in &r.keys_removed {
            recs.push(AuditRecord::admin(AdminEvent::KeyRevoked {
                actor: r.actor.clone(),
                subject: user.clone(),
                key_id: id.clone(),
            }));
        }
        Box::pin(async move {
            for rec in recs {
                if let Err(e) = self.log.append(rec).await {
                    tracing::error!(target: "sekimori::audit", error = %e, "reload record could not be written");
                }
            }
        })
    }

    fn ready(&self) -> bool {
        self.log.is_healthy()
    }

    fn wants_response(&self) -> bool {
        self.keep_response
    }
}
