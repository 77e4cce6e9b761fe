//! Phase `record`: the forward record is written before anything leaves (fail
//! closed: when the audit log cannot record, nothing is forwarded).

use bytes::Bytes;

use super::super::audit::forward_action_name;
use super::super::errors::Refusal;
use super::super::hooks::{ForwardRecord, PromptText};
use super::super::respond::GatewayError;
use super::super::runtime::canonical;
use super::ctx::now_ms;
use super::Ctx;

/// Where a request goes, as its forward record names it.
pub struct Destination<'a> {
    /// The API shape (`openai`, `web`, …).
    pub api: &'static str,
    /// The operation (`chat_completions`, `form`, …).
    pub endpoint: &'static str,
    /// The upstream's name (or the approved host).
    pub upstream: String,
    /// The provider the record names.
    pub provider: String,
    /// What is forwarded, as sent.
    pub forwarded: &'a str,
}

/// Serializes the inspected body into [`Ctx::outgoing`] and records it.
pub async fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let route = cx.route("record")?;
    let principal = cx.principal("record")?;
    let upstream = cx.upstream("record")?;
    let forwarded_body = serde_json::to_string(&cx.value).map_err(|_| Refusal::SerializeFailed)?;
    let record = write(
        cx,
        Destination {
            api: route.api.as_str(),
            endpoint: route.endpoint_name(),
            upstream: upstream.name.clone(),
            provider: upstream.provider.clone(),
            forwarded: &forwarded_body,
        },
    )
    .await?;
    tracing::info!(
        target: "sekimori::request",
        request_id = %cx.record.request_id,
        user = %principal.user,
        department = %principal.department,
        api = route.api.as_str(),
        endpoint = route.endpoint_name(),
        upstream = %upstream.name,
        findings = record.findings.len(),
        masked = record.masked,
        acknowledged = cx.acknowledged,
        "forwarding"
    );
    cx.outgoing = Bytes::from(forwarded_body);
    Ok(())
}

/// Writes the forward record of `cx` going to `to` before anything leaves (fail
/// closed: an audit failure refuses the request), sets the outcome's forward action and
/// lets the original body go. Every front door forwards through this.
pub async fn write(cx: &mut Ctx<'_>, to: Destination<'_>) -> Result<ForwardRecord, GatewayError> {
    let principal = cx.principal("record")?;
    let record = ForwardRecord {
        request_id: cx.record.request_id.clone(),
        unix_ms: now_ms(),
        user: principal.user.clone(),
        department: principal.department.clone(),
        client: canonical(cx.conn.peer.ip()),
        api: to.api,
        endpoint: to.endpoint,
        upstream: to.upstream,
        model: cx.record.model.clone(),
        stream: cx.stream,
        findings: std::mem::take(&mut cx.locations),
        masked: cx.table.len(),
        allowed_content: std::mem::take(&mut cx.allowed_content),
        acknowledged_warning: cx.acknowledged,
        body_sha256: hex::encode(cx.digest),
        chars_inspected: cx.record.chars_inspected,
        provider: to.provider,
    };
    let prompt = PromptText {
        forwarded: to.forwarded,
        original: &cx.body[..],
    };
    let request_id = &cx.record.request_id;
    cx.shared.audit.record_before_forward(&record, prompt).await.map_err(|e| {
        tracing::error!(target: "sekimori::request", request_id = %request_id, error = %e, "audit write failed; request not forwarded");
        Refusal::AuditUnavailable
    })?;
    cx.record.forward_action = Some(forward_action_name(&record));
    // The original is offered to the audit log only; not kept while forwarding.
    cx.body = Bytes::new();
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[tokio::test]
    async fn the_masked_body_is_recorded_and_the_original_let_go() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::masked(&shared, &conn, "こんにちは、森川さん").await;
        cx.body = Bytes::from_static(b"{}");
        run(&mut cx).await.unwrap();
        assert!(cx.record.forward_action.is_some());
        assert!(
            cx.body.is_empty(),
            "the original is not kept while forwarding"
        );
        let sent: serde_json::Value = serde_json::from_slice(&cx.outgoing).unwrap();
        assert_eq!(sent, cx.value);
    }

    #[tokio::test]
    async fn out_of_order_is_a_503_not_a_panic() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        let e = run(&mut cx).await.unwrap_err();
        assert_eq!(e.code, "pipeline_order");
        assert_eq!(e.status.as_u16(), 503);
    }
}
