//! Phase `forward`: the recorded body goes to the chosen upstream's implementation
//! ([`super::super::exchange::Exchange`]: HTTP or the built-in demo); the answer comes
//! back with placeholders restored.

use std::sync::Arc;
use std::time::Instant;

use http::Response;

use super::super::boxed::Body;
use super::super::exchange::{Exchange, Forwarded};
use super::super::hooks::Outcome;
use super::super::respond::GatewayError;
use super::super::runtime::{Backend, Upstream};
use super::Ctx;

/// Forwards [`Ctx::outgoing`] and returns the restored answer.
pub async fn run(cx: &mut Ctx<'_>) -> Result<Response<Body>, GatewayError> {
    let route = cx.route("forward")?;
    // A translated catalogue model is sent on its provider's route.
    let sent = cx.upstream_route.clone();
    let translated = sent.is_some();
    let route = sent.unwrap_or(route);
    let upstream = cx.upstream("forward")?;
    cx.record.outcome = Outcome::Forwarded;
    cx.record.forwarded = true;
    let fwd = Forwarded {
        route: &route,
        upstream: &upstream,
        query: if translated {
            super::translate::sent_query(&route)
        } else {
            cx.parts.uri.query()
        },
        headers: &cx.parts.headers,
        body: std::mem::take(&mut cx.outgoing),
        value: &cx.value,
        stream: cx.stream,
        request_id: &cx.record.request_id,
        table: Arc::new(std::mem::take(&mut cx.table)),
        keep_response: cx.shared.audit.wants_response(),
        pool: &cx.conn.pool,
        client: &cx.shared.client,
    };
    let t1 = Instant::now();
    let (resp, usage, response) = exchange_for(&upstream).exchange(fwd).await?;
    let resp = match cx.catalog.clone().filter(|_| translated) {
        Some(model) => {
            super::super::translate::answer(
                resp,
                route.kind,
                &model,
                &cx.record.request_id,
                cx.stream,
                &upstream.name,
            )
            .await?
        }
        None => resp,
    };
    cx.record.response = response.map(super::super::hooks::ResponseText);
    cx.shared.metrics.upstream(&upstream.name, t1.elapsed());
    cx.usage = Some(usage);
    Ok(resp)
}

/// The implementation that answers for an upstream.
pub fn exchange_for(upstream: &Upstream) -> &'static dyn Exchange {
    match upstream.backend {
        Backend::Http => &super::super::upstream::Http,
        Backend::Demo => &super::super::demo::Demo,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[tokio::test]
    async fn the_demo_answers_through_the_same_interface() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::masked(&shared, &conn, "こんにちは").await;
        assert_eq!(cx.upstream.as_ref().map(|u| u.backend), Some(Backend::Demo));
        super::super::record::run(&mut cx).await.unwrap();
        let resp = run(&mut cx).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(cx.record.outcome, Outcome::Forwarded);
        assert!(cx.record.forwarded);
        assert!(cx.usage.is_some());
        let body = super::super::super::boxed::collect(resp.into_body())
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&body).contains("こんにちは"));
    }
}
