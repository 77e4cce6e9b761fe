//! Phase `finish`: the outcome record is completed and handed to the audit log (when
//! a streamed answer ends, for streams), metrics are counted, and a refusal is
//! rendered by the front door's [`Render`].

use bytes::Bytes;
use http::Response;
use http_body_util::Full;

use super::super::boxed::{self, Body};
use super::super::exchange::UsageReport;
use super::super::hooks::Outcome;
use super::super::respond::{stamp_request_id, GatewayError};
use super::super::route::Api;
use super::ctx::now_ms;
use super::Ctx;

/// Renders a refusal for a front door: the error, the API it was called as (when
/// routed) and the request id.
pub type Render = fn(GatewayError, Option<Api>, &str) -> Response<Full<Bytes>>;

/// The reverse proxy's renderer: the calling API's own error shape.
pub fn api_error(e: GatewayError, api: Option<Api>, request_id: &str) -> Response<Full<Bytes>> {
    e.into_response(api, request_id)
}

/// Completes and writes the outcome record and returns the answer (a refusal rendered
/// with `render`), with the request id header.
pub fn run(
    mut cx: Ctx<'_>,
    result: Result<Response<Body>, GatewayError>,
    render: Render,
) -> Response<Body> {
    let shared = cx.shared;
    let api = cx.route.as_ref().map(|r| r.api);
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            cx.record.outcome = match (cx.record.outcome, e.outcome) {
                (Outcome::Forwarded, _) | (_, Outcome::Failed) => Outcome::Failed,
                (Outcome::Refused, Outcome::Blocked) => Outcome::Blocked,
                (o, _) => o,
            };
            let code = e.code;
            tracing::info!(
                target: "sekimori::request",
                request_id = %cx.record.request_id,
                status = e.status.as_u16(),
                code,
                user = cx.record.user.as_deref(),
                "request refused"
            );
            cx.record.error_code = Some(code);
            boxed::full(render(e, api, &cx.record.request_id))
        }
    };
    let status = resp.status().as_u16();
    let outcome = cx.record.outcome;
    let dept = cx.record.department.clone();
    let dept = dept.as_deref().unwrap_or("-");
    shared.metrics.request(
        outcome.as_str(),
        status,
        cx.record.upstream.as_deref().unwrap_or("-"),
        dept,
    );
    let request_id = http::HeaderValue::from_str(&cx.record.request_id);
    tracing::info!(
        target: "sekimori::request",
        request_id = %cx.record.request_id,
        outcome = outcome.as_str(),
        status,
        upstream = cx.record.upstream.as_deref(),
        department = dept,
        duration_ms = cx.started.elapsed().as_millis() as u64,
        "request finished"
    );
    let mut record = cx.record;
    record.status = status;
    record.unix_ms = now_ms();
    record.duration_ms = cx.started.elapsed().as_millis() as u64;
    match cx.usage.take() {
        Some(UsageReport::Later(rx)) => {
            // Streamed answer: record the outcome when it ends (or the client leaves).
            let audit = shared.audit.clone();
            let started = cx.started;
            tokio::spawn(async move {
                if let Ok(Some(u)) = rx.await {
                    record.prompt_tokens = u.input_tokens;
                    record.completion_tokens = u.output_tokens;
                }
                record.unix_ms = now_ms();
                record.duration_ms = started.elapsed().as_millis() as u64;
                audit.record_outcome(&record).await;
            });
        }
        other => {
            if let Some(UsageReport::Now(Some(u))) = other {
                record.prompt_tokens = u.input_tokens;
                record.completion_tokens = u.output_tokens;
            }
            // Off the response path: queued for the audit log's writer thread (or, for
            // other hooks, written by a task while the answer is sent).
            if let Err(record) = shared.audit.try_queue_outcome(record) {
                let audit = shared.audit.clone();
                tokio::spawn(async move { audit.record_outcome(&record).await });
            }
        }
    }
    let mut resp = resp;
    if let Ok(v) = request_id {
        stamp_request_id(resp.headers_mut(), v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::super::super::errors::Refusal;
    use super::super::super::respond::REQUEST_ID_HEADERS;
    use super::super::testing;
    use super::*;

    fn plain(e: GatewayError, _api: Option<Api>, _id: &str) -> Response<Full<Bytes>> {
        let mut r = Response::new(Full::new(Bytes::from(e.code)));
        *r.status_mut() = e.status;
        r
    }

    #[tokio::test]
    async fn a_refusal_is_rendered_by_the_door_with_the_request_id() {
        let (shared, conn) = testing::shared_and_conn();
        let cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        let id = cx.record.request_id.clone();
        let resp = run(cx, Err(Refusal::MissingApiKey.into()), plain);
        assert_eq!(resp.status().as_u16(), 401);
        for name in REQUEST_ID_HEADERS {
            assert_eq!(
                resp.headers().get(name).and_then(|v| v.to_str().ok()),
                Some(id.as_str()),
                "{name}"
            );
        }
    }
}
