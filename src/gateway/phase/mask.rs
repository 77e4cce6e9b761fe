//! Phase `mask`: one placeholder table across every field of the request, keyed for
//! the caller (the user id) so a person keeps one placeholder in every turn of that
//! user's conversations (see `crate::mask`), user-typed placeholder look-alikes
//! escaped so they come back as typed; `payload::edit` writes the masked texts
//! back (nested JSON re-encoded as it came, keys renamed last). An identified caller's
//! table is backed by the restore vault (`crate::mask::vault`): values masked in
//! earlier requests are restored when an answer quotes them, and this request's values
//! are remembered for later ones.

use crate::inspect::Finding;
use crate::mask::{PlaceholderKey, Placeholders};
use crate::payload::request as payload;
use crate::policy::Action;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::{identify, Ctx};

/// Masks what the policy masks in [`Ctx::value`] and seals [`Ctx::table`].
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let principal = cx.principal("mask")?;
    let policy = &cx.rt.policy;
    // Anonymous callers share one identity: no vault, so no one is restored into
    // another's answer.
    let vault = (principal.user != identify::ANONYMOUS_USER).then(|| cx.shared.vault.clone());
    let mut table = Placeholders::for_caller(PlaceholderKey::process(), &principal.user);
    if let Some(v) = &vault {
        table = table.with_vault(v.clone(), &principal.user);
    }
    let mut edits = Vec::new();
    for (i, slot) in cx.slots.iter().enumerate() {
        let to_mask: Vec<Finding> = cx.findings[i]
            .iter()
            .filter(|f| policy.action(&principal.department, &f.category) == Action::Mask)
            .cloned()
            .collect();
        // A user-typed look-alike (`〔氏名1〕`) is escaped even with nothing to mask.
        if !to_mask.is_empty() || Placeholders::has_lookalike(&slot.text) {
            edits.push((i, table.mask(&slot.text, &to_mask)));
        }
    }
    if let Err(e) = payload::edit::apply(&mut cx.value, &cx.slots, edits) {
        tracing::error!(target: "sekimori::request", request_id = %cx.record.request_id, path = %e.path, "masking failed");
        return Err(Refusal::MaskFailed.into());
    }
    table.seal();
    if let Some(v) = &vault {
        table.remember_in(v.as_ref(), &principal.user);
    }
    // Placeholders inside URLs of the answer stay unless the department opts in.
    table.set_restore_in_urls(policy.restore_in_urls(&principal.department));
    cx.table = table;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[tokio::test]
    async fn masked_values_leave_the_body() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        super::super::identify::run(&mut cx).unwrap();
        cx.value = serde_json::json!({"model": "m", "messages": [
            {"role": "user", "content": "メールは morikawa.hina@example.jp です"}]});
        super::super::inspect::run(&mut cx).await.unwrap();
        run(&mut cx).unwrap();
        let masks = cx
            .findings
            .iter()
            .flatten()
            .any(|f| cx.rt.policy.action("default", &f.category) == Action::Mask);
        let sent = cx.value.to_string();
        assert_eq!(sent.contains("morikawa.hina@example.jp"), !masks);
        assert_eq!(cx.table.is_empty(), !masks);
    }
}
