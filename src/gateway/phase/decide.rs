//! Phase `decide`: the policy per category and department over the findings — block,
//! warn (unless a valid acknowledgement token came with the same body), mask or log.

use std::time::Instant;

use serde_json::json;

use crate::payload::request::Slot;
use crate::policy::{Action, Decision};

use super::super::errors::{Found, Refusal};
use super::super::hooks::{FindingLocation, Outcome};
use super::super::respond::GatewayError;
use super::super::warn::ACK_HEADER;
use super::Ctx;

/// Decides on [`Ctx::findings`]; a block or an unacknowledged warning ends the request.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let principal = cx.principal("decide")?;
    let shared = cx.shared;
    let decision = cx.rt.policy.decide(
        &principal.department,
        cx.findings
            .iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.iter().map(move |f| (i, f))),
    );
    for ((cat, action), n) in &decision.counts {
        shared
            .metrics
            .finding(cat, action.as_str(), &principal.department, *n as u64);
    }
    cx.locations = locate(&decision, &cx.slots);
    if decision.strongest == Some(Action::Block) {
        cx.record.findings = cx.locations.clone();
        cx.record.outcome = Outcome::Blocked;
        cx.record.categories = categories(&decision, Action::Block);
        return Err(Refusal::Blocked(Box::new(found(&decision, &cx.slots, Action::Block))).into());
    }
    if decision.strongest == Some(Action::Warn) {
        let token = cx
            .parts
            .headers
            .get(ACK_HEADER)
            .and_then(|v| v.to_str().ok());
        let redeemed = token.map(|t| {
            shared
                .acks
                .redeem(t.trim(), &principal.user, cx.digest, Instant::now())
        });
        match redeemed {
            Some(Ok(())) => cx.acknowledged = true,
            other => {
                cx.record.outcome = Outcome::Warned;
                cx.record.findings = cx.locations.clone();
                cx.record.categories = categories(&decision, Action::Warn);
                let issued = shared.acks.issue(
                    &principal.user,
                    cx.digest,
                    cx.rt.limits.warn_token_ttl,
                    Instant::now(),
                );
                return Err(Refusal::WarningRequiresAcknowledgement {
                    found: Box::new(found(&decision, &cx.slots, Action::Warn)),
                    token: issued,
                    rejected: match other {
                        Some(Err(why)) => Some(why.to_string()),
                        _ => None,
                    },
                }
                .into());
            }
        }
    }
    Ok(())
}

fn categories(decision: &Decision, action: Action) -> Vec<String> {
    decision
        .categories_with(action)
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

/// Every finding of the decision, located in its field, no values.
pub fn locate(decision: &Decision, slots: &[Slot]) -> Vec<FindingLocation> {
    decision
        .located
        .iter()
        .map(|l| FindingLocation {
            category: l.category.as_str().to_string(),
            action: l.action,
            path: slots[l.slot].path.clone(),
            char_start: l.char_start,
            char_end: l.char_end,
        })
        .collect()
}

/// What a block / warn refusal names: categories and locations, never values.
pub fn found(decision: &Decision, slots: &[Slot], action: Action) -> Found {
    let hits: Vec<_> = decision.with_action(action).collect();
    let cats = decision.categories_with(action);
    let ja_cats: Vec<&str> = cats.iter().map(|c| c.label_ja()).collect();
    let en_cats: Vec<&str> = cats.iter().map(|c| c.label_en()).collect();
    let where_: Vec<String> = hits
        .iter()
        .take(20)
        .map(|l| {
            format!(
                "{} {}..{} ({})",
                slots[l.slot].path,
                l.char_start,
                l.char_end,
                l.category.as_str()
            )
        })
        .collect();
    let more = if hits.len() > 20 {
        format!(" +{}", hits.len() - 20)
    } else {
        String::new()
    };
    let details = json!({
        "categories": cats.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "findings": hits.iter().map(|l| json!({
            "category": l.category.as_str(),
            "path": slots[l.slot].path,
            "char_start": l.char_start,
            "char_end": l.char_end,
        })).collect::<Vec<_>>(),
    });
    Found {
        categories_ja: ja_cats.join("・"),
        categories_en: en_cats.join(", "),
        places: format!("{}{more}", where_.join(", ")),
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[tokio::test]
    async fn a_warned_request_gets_a_token_and_its_record_the_categories() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        super::super::identify::run(&mut cx).unwrap();
        cx.value = serde_json::json!({"model": "m", "messages": [
            {"role": "user", "content": "電話は090-1234-5678です"}]});
        super::super::inspect::run(&mut cx).await.unwrap();
        let strongest = cx
            .rt
            .policy
            .decide(
                "default",
                cx.findings
                    .iter()
                    .enumerate()
                    .flat_map(|(i, fs)| fs.iter().map(move |f| (i, f))),
            )
            .strongest;
        let r = run(&mut cx);
        match strongest {
            Some(Action::Block) => {
                assert_eq!(r.unwrap_err().code, "blocked_personal_data");
                assert_eq!(cx.record.outcome, Outcome::Blocked);
                assert_eq!(cx.record.categories, vec!["phone".to_string()]);
            }
            Some(Action::Warn) => {
                assert_eq!(r.unwrap_err().code, "warning_requires_acknowledgement");
                assert_eq!(cx.record.outcome, Outcome::Warned);
            }
            _ => {
                assert!(r.is_ok());
                assert!(cx.record.findings.is_empty(), "only refusals list findings");
            }
        }
        assert!(!cx.locations.is_empty());
        assert!(
            cx.locations[0].path.contains("messages"),
            "{}",
            cx.locations[0].path
        );
    }
}
