//! The request path: ordered phases with a per-request [`Ctx`].
//!
//! [`handle`] never fails: every refusal is a [`GatewayError`] rendered by
//! [`super::respond`]. Blocking happens before any upstream connection is made, and
//! nothing is forwarded unless the body was parsed, inspected, decided on and recorded.
//! Logs carry ids, categories, counts and field paths — never prompt text or values.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::inspect::Finding;
use crate::mask::Placeholders;
use crate::payload::request::{self as payload, Slot};
use crate::payload::view::RequestView;
use crate::policy::{Action, Decision};

use super::boxed::{self, Body};
use super::errors::{CredentialConflict, Found, Refusal};
use super::exchange::{Exchange, Forwarded, UsageReport};
use super::hooks::{
    FindingLocation, ForwardRecord, Outcome, OutcomeRecord, PromptText, ResponseText,
};
use super::respond::{json_response, GatewayError};
use super::route::{self, ApiRoute, RouteError};
use super::runtime::{canonical, Backend, Principal, Runtime, Upstream};
use super::state::{ConnInfo, Shared};

/// Text (UTF-8 bytes over all slots) up to which a request is inspected on the async
/// worker instead of the blocking pool (about 1 ms of scanning on a slow core), when no
/// other inspection is running on a worker. One at a time: under concurrency (a closed
/// loop of many clients) the blocking pool spreads the scans over more threads and keeps
/// the workers free for I/O; measured, inspecting every request inline cost ~25% of
/// closed-loop throughput on 2 shared cores.
pub const INLINE_INSPECT_BYTES: usize = 16 * 1024;

pub use super::warn::ACK_HEADER;

/// Per-request context, filled in phase by phase.
#[derive(Debug)]
pub struct Ctx {
    /// Request id (UUID v7).
    pub request_id: String,
    /// Start time.
    pub started: Instant,
    /// The recognised API route.
    pub route: Option<ApiRoute>,
    /// Who is calling.
    pub principal: Option<Principal>,
    /// Upstream chosen.
    pub upstream: Option<String>,
    /// Model requested.
    pub model: Option<String>,
    /// Categories relevant to a refusal.
    pub categories: Vec<String>,
    /// Outcome so far.
    pub outcome: Outcome,
    /// Token usage: known, or reported when a streamed answer ends.
    pub usage: Option<UsageReport>,
    /// Whether the forward record was written (the request went upstream).
    pub forwarded: bool,
    /// How it was forwarded (`masked`, `allowed`, `acknowledged`).
    pub forward_action: Option<&'static str>,
    /// Findings of a refused request, located (no values).
    pub findings: Vec<FindingLocation>,
    /// Characters inspected.
    pub chars: usize,
    /// Upstream provider.
    pub provider: Option<String>,
    /// Client address.
    pub client: Option<std::net::IpAddr>,
    /// The restored answer, when the audit hook keeps responses.
    pub response: Option<String>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Handles one request.
pub async fn handle<B>(shared: Arc<Shared>, conn: &ConnInfo, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    let mut ctx = Ctx {
        request_id: uuid::Uuid::now_v7().to_string(),
        started: Instant::now(),
        route: None,
        principal: None,
        upstream: None,
        model: None,
        categories: Vec::new(),
        outcome: Outcome::Refused,
        usage: None,
        forwarded: false,
        forward_action: None,
        findings: Vec::new(),
        chars: 0,
        provider: None,
        client: Some(canonical(conn.peer.ip())),
        response: None,
    };
    let rt = shared.runtime.load_full();

    if conn.smuggling.load(std::sync::atomic::Ordering::SeqCst) {
        return finish(&shared, &mut ctx, Err(Refusal::Smuggling.into()));
    }

    // Operations endpoints.
    let path = req.uri().path().to_string();
    if req.method() == Method::GET {
        match path.as_str() {
            "/healthz" => {
                return boxed::full(json_response(StatusCode::OK, &json!({"status": "ok"})))
            }
            "/readyz" => {
                let ready = shared.audit.ready();
                let status = if ready {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                return boxed::full(json_response(
                    status,
                    &json!({"ready": ready, "audit": ready, "engine": true,
                            "config_generation": shared.generation.load(std::sync::atomic::Ordering::Relaxed)}),
                ));
            }
            "/metrics" => {
                let mut r = Response::new(boxed::full_body(Bytes::from(shared.metrics.render())));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                );
                return r;
            }
            _ => {}
        }
    }

    let result = proxy(&shared, &rt, conn, &mut ctx, req).await;
    finish(&shared, &mut ctx, result)
}

fn finish(
    shared: &Shared,
    ctx: &mut Ctx,
    result: Result<Response<Body>, GatewayError>,
) -> Response<Body> {
    let api = ctx.route.as_ref().map(|r| r.api);
    let (resp, code) = match result {
        Ok(r) => (r, None),
        Err(e) => {
            ctx.outcome = match (ctx.outcome, e.outcome) {
                (Outcome::Forwarded, _) | (_, Outcome::Failed) => Outcome::Failed,
                (Outcome::Refused, Outcome::Blocked) => Outcome::Blocked,
                (o, _) => o,
            };
            let code = e.code;
            tracing::info!(
                target: "sekimori::request",
                request_id = %ctx.request_id,
                status = e.status.as_u16(),
                code,
                user = ctx.principal.as_ref().map(|p| p.user.as_str()),
                "request refused"
            );
            (
                boxed::full(e.into_response(api, &ctx.request_id)),
                Some(code),
            )
        }
    };
    let status = resp.status().as_u16();
    let dept = ctx
        .principal
        .as_ref()
        .map_or("-", |p| p.department.as_str());
    shared.metrics.request(
        ctx.outcome.as_str(),
        status,
        ctx.upstream.as_deref().unwrap_or("-"),
        dept,
    );
    let mut record = OutcomeRecord {
        request_id: ctx.request_id.clone(),
        unix_ms: now_ms(),
        user: ctx.principal.as_ref().map(|p| p.user.clone()),
        department: ctx.principal.as_ref().map(|p| p.department.clone()),
        outcome: ctx.outcome,
        status,
        error_code: code,
        categories: std::mem::take(&mut ctx.categories),
        upstream: ctx.upstream.clone(),
        duration_ms: ctx.started.elapsed().as_millis() as u64,
        prompt_tokens: None,
        completion_tokens: None,
        forwarded: ctx.forwarded,
        forward_action: ctx.forward_action,
        front_end: ctx
            .route
            .as_ref()
            .map(|r| format!("{}-{}", r.api.as_str(), r.endpoint_name())),
        client: ctx.client,
        model: ctx.model.clone(),
        provider: ctx.provider.clone(),
        findings: std::mem::take(&mut ctx.findings),
        chars_inspected: ctx.chars,
        response: ctx.response.take().map(ResponseText),
    };
    match ctx.usage.take() {
        Some(UsageReport::Later(rx)) => {
            // Streamed answer: record the outcome when it ends (or the client leaves).
            let audit = shared.audit.clone();
            let started = ctx.started;
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
    tracing::info!(
        target: "sekimori::request",
        request_id = %ctx.request_id,
        outcome = ctx.outcome.as_str(),
        status,
        upstream = ctx.upstream.as_deref(),
        department = dept,
        duration_ms = ctx.started.elapsed().as_millis() as u64,
        "request finished"
    );
    let mut resp = resp;
    if let Ok(v) = http::HeaderValue::from_str(&ctx.request_id) {
        resp.headers_mut().insert("x-sekimori-request-id", v);
    }
    resp
}

async fn proxy<B>(
    shared: &Shared,
    rt: &Arc<Runtime>,
    conn: &ConnInfo,
    ctx: &mut Ctx,
    req: Request<B>,
) -> Result<Response<Body>, GatewayError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    // Phase: route.
    let route = match route::classify(req.uri().path()) {
        Ok(r) => r,
        Err(RouteError::BadPath(why)) => {
            return Err(Refusal::BadPath {
                why: why.to_string(),
            }
            .into())
        }
        Err(RouteError::Unknown) => return Err(Refusal::UnknownRoute.into()),
    };
    ctx.route = Some(route.clone());
    if req.method() != Method::POST {
        return Err(Refusal::MethodNotAllowed.into());
    }

    // Phase: identify.
    let principal = identify(rt, req.headers(), req.uri().query(), conn)?;
    ctx.principal = Some(principal.clone());

    // Phase: forwarded headers (the allow list's values), before the body is read.
    super::headers::check(req.headers())
        .and_then(|()| super::headers::inspect(&rt.engine, req.headers()))
        .map_err(Refusal::BadHeader)?;

    // Phase: read.
    let (parts, body) = req.into_parts();
    let limits = &rt.limits;
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limits.max_body_bytes as u64 {
            return Err(super::body::too_large(limits.max_body_bytes).into());
        }
    }
    if parts.headers.get_all(header::CONTENT_TYPE).iter().count() > 1 {
        return Err(Refusal::MultipleContentType.into());
    }
    let Some(ct) = parts.headers.get(header::CONTENT_TYPE) else {
        return Err(Refusal::MissingContentType.into());
    };
    {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        if !(ct.starts_with("application/json") || ct.ends_with("+json")) {
            return Err(Refusal::UnsupportedMediaType.into());
        }
        if let Some(cs) = ct
            .split(';')
            .find_map(|p| p.trim().strip_prefix("charset="))
        {
            if !cs.trim_matches('"').eq_ignore_ascii_case("utf-8") {
                return Err(Refusal::UnsupportedCharset.into());
            }
        }
    }
    let raw =
        super::body::read_limited(body, limits.max_body_bytes, limits.body_read_timeout).await?;
    let decoded = super::body::decode(
        &parts.headers,
        raw,
        limits.max_body_bytes,
        limits.max_decompression_ratio,
    )?;
    let digest: [u8; 32] = Sha256::digest(&decoded).into();

    // Phase: parse.
    let mut value = payload::parse_strict(&decoded).map_err(Refusal::BadJson)?;
    if let Some(place) = payload::find_tag_characters(&value) {
        return Err(Refusal::TagCharacters {
            place: place.to_string(),
        }
        .into());
    }
    // Checked as UTF-8 by the parser; offered to the audit log (kept in sealed mode only),
    // not copied.
    let original = decoded;
    let stream = payload::wants_stream(&value) || route.stream_path;

    // Phase: authorise content, model, route, region.
    let mut allowed_content = Vec::new();
    let mut refused = Vec::new();
    for u in payload::find_uninspectable(&value) {
        if rt.policy.content_allowed(&principal.department, u.kind) {
            allowed_content.push(u.kind.to_string());
        } else {
            refused.push(u);
        }
    }
    if !refused.is_empty() {
        let mut kinds: Vec<&'static str> = refused.iter().map(|u| u.kind).collect();
        kinds.dedup();
        return Err(Refusal::Uninspectable {
            kinds,
            parts: refused.into_iter().map(|u| (u.path, u.kind)).collect(),
        }
        .into());
    }
    allowed_content.sort();
    allowed_content.dedup();
    let model = route
        .path_model
        .clone()
        .or_else(|| payload::body_model(&value).map(str::to_string));
    if let Some(m) = &model {
        if m.is_empty() || m.len() > 256 || !m.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Refusal::InvalidModel.into());
        }
    }
    url_is_clean(&rt.engine, &route.path, parts.uri.query())?;
    ctx.model = model.clone();
    if let Some(m) = &model {
        if !rt.policy.model_allowed(&principal.department, m) {
            return Err(Refusal::ModelNotAllowed {
                department: principal.department.clone(),
                model: m.clone(),
            }
            .into());
        }
    }
    let upstream = rt
        .route(route.api, model.as_deref())
        .ok_or(Refusal::NoUpstream { api: route.api })?;
    ctx.upstream = Some(upstream.name.clone());
    ctx.provider = Some(upstream.provider.clone());
    let forward_query = super::upstream::forward_query(parts.uri.query());
    if let Err(v) = super::guard::check_request(
        upstream.region.as_ref(),
        &route.path,
        forward_query.as_deref(),
        &parts.headers,
        &value,
    ) {
        tracing::info!(target: "sekimori::request", request_id = %ctx.request_id, rule = v.rule, upstream = %upstream.name, "region guard refused the request");
        return Err(Refusal::RegionViolation(Box::new(v)).into());
    }

    // Phase: inspect (a failure is a 503, never a forward). A prompt of ordinary size
    // is inspected on the async worker while fewer than `shared.inline_limit` are (one
    // per worker thread under `start_workers`, one on a shared multi-threaded runtime):
    // handing it to the blocking pool costs two thread wake-ups (~2 context switches on
    // a busy host). Large bodies, and bodies over that limit, go to the blocking pool.
    // The whole request is one text (RequestView): a number or word split across two
    // messages or parts is seen whole. Settings (role, type, ids) are inspected too but
    // do not count toward the characters a user sends.
    let slots = payload::extract_slots(&value);
    let text_bytes: usize = slots.iter().map(|s| s.text.len()).sum();
    let chars_inspected: usize = slots
        .iter()
        .filter(|s| !s.setting)
        .map(|s| s.text.chars().count())
        .sum();
    let engine = rt.engine.clone();
    let t0 = Instant::now();
    // An engine with every category disabled can report nothing: no scan (it would
    // still normalise every field).
    let nothing_to_find = engine.categories().is_empty();
    let scan = move || {
        let findings: Vec<Vec<Finding>> = if nothing_to_find {
            vec![Vec::new(); slots.len()]
        } else {
            let view = RequestView::new(&slots);
            view.split(&engine.scan(view.text()))
        };
        (slots, findings)
    };
    let inline = !nothing_to_find
        && text_bytes <= INLINE_INSPECT_BYTES
        && shared
            .inspecting_inline
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
                (n < shared.inline_limit).then_some(n + 1)
            })
            .is_ok();
    let scanned = if nothing_to_find {
        Ok(scan())
    } else if inline {
        // A panicking detector still ends in a 503 (as a failed blocking task does).
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan)).map_err(|_| ());
        shared.inspecting_inline.fetch_sub(1, Ordering::Release);
        r
    } else {
        tokio::task::spawn_blocking(scan).await.map_err(|_| ())
    };
    let (slots, findings) = scanned.map_err(|()| {
        tracing::error!(target: "sekimori::request", request_id = %ctx.request_id, "inspection failed");
        Refusal::InspectionFailed
    })?;
    shared.metrics.inspection(t0.elapsed());

    // Phase: decide.
    let decision = rt.policy.decide(
        &principal.department,
        findings
            .iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.iter().map(move |f| (i, f))),
    );
    for ((cat, action), n) in &decision.counts {
        shared
            .metrics
            .finding(cat, action.as_str(), &principal.department, *n as u64);
    }
    let locations = locate(&decision, &slots);
    ctx.chars = chars_inspected;
    if decision.strongest == Some(Action::Block) {
        ctx.findings = locations.clone();
        ctx.outcome = Outcome::Blocked;
        ctx.categories = decision
            .categories_with(Action::Block)
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        return Err(Refusal::Blocked(Box::new(found(&decision, &slots, Action::Block))).into());
    }
    let mut acknowledged = false;
    if decision.strongest == Some(Action::Warn) {
        let token = parts.headers.get(ACK_HEADER).and_then(|v| v.to_str().ok());
        let redeemed = token.map(|t| {
            shared
                .acks
                .redeem(t.trim(), &principal.user, digest, Instant::now())
        });
        match redeemed {
            Some(Ok(())) => acknowledged = true,
            other => {
                ctx.outcome = Outcome::Warned;
                ctx.findings = locations.clone();
                ctx.categories = decision
                    .categories_with(Action::Warn)
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect();
                let issued = shared.acks.issue(
                    &principal.user,
                    digest,
                    limits.warn_token_ttl,
                    Instant::now(),
                );
                return Err(Refusal::WarningRequiresAcknowledgement {
                    found: Box::new(found(&decision, &slots, Action::Warn)),
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

    // Phase: mask (one placeholder table across every field of the request), in
    // document order so placeholders are numbered as the text reads; payload::edit
    // writes them back (nested JSON re-encoded as it came, keys renamed last).
    let mut table = Placeholders::new();
    let mut edits = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let to_mask: Vec<Finding> = findings[i]
            .iter()
            .filter(|f| rt.policy.action(&principal.department, &f.category) == Action::Mask)
            .cloned()
            .collect();
        if !to_mask.is_empty() {
            edits.push((i, table.mask(&slot.text, &to_mask)));
        }
    }
    if let Err(e) = payload::edit::apply(&mut value, &slots, edits) {
        tracing::error!(target: "sekimori::request", request_id = %ctx.request_id, path = %e.path, "masking failed");
        return Err(Refusal::MaskFailed.into());
    }
    table.seal();
    // Placeholders inside URLs of the answer stay unless the department opts in.
    table.set_restore_in_urls(rt.policy.restore_in_urls(&principal.department));

    // Phase: quotas.
    if let Err(q) = shared.audit.check_quota(
        &principal.user,
        &principal.department,
        model.as_deref(),
        chars_inspected as u64,
    ) {
        return Err(Refusal::Quota(q).into());
    }

    // Phase: record before forward (fail closed).
    let forwarded_body = serde_json::to_string(&value).map_err(|_| Refusal::SerializeFailed)?;
    let record = ForwardRecord {
        request_id: ctx.request_id.clone(),
        unix_ms: now_ms(),
        user: principal.user.clone(),
        department: principal.department.clone(),
        client: canonical(conn.peer.ip()),
        api: route.api.as_str(),
        endpoint: route.endpoint_name(),
        upstream: upstream.name.clone(),
        model: model.clone(),
        stream,
        findings: locations,
        masked: table.len(),
        allowed_content,
        acknowledged_warning: acknowledged,
        body_sha256: hex::encode(digest),
        chars_inspected,
        provider: upstream.provider.clone(),
    };
    let prompt = PromptText {
        forwarded: &forwarded_body,
        original: &original[..],
    };
    shared.audit.record_before_forward(&record, prompt).await.map_err(|e| {
        tracing::error!(target: "sekimori::request", request_id = %ctx.request_id, error = %e, "audit write failed; request not forwarded");
        Refusal::AuditUnavailable
    })?;
    tracing::info!(
        target: "sekimori::request",
        request_id = %ctx.request_id,
        user = %principal.user,
        department = %principal.department,
        api = route.api.as_str(),
        endpoint = route.endpoint_name(),
        upstream = %upstream.name,
        findings = record.findings.len(),
        masked = record.masked,
        acknowledged,
        "forwarding"
    );

    // Phase: forward and restore.
    ctx.outcome = Outcome::Forwarded;
    ctx.forwarded = true;
    ctx.forward_action = Some(super::audit::forward_action_name(&record));
    drop(original);
    let body = Bytes::from(forwarded_body);
    let fwd = Forwarded {
        route: &route,
        upstream: &upstream,
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
        value: &value,
        stream,
        request_id: &ctx.request_id,
        table: Arc::new(table),
        keep_response: shared.audit.wants_response(),
        pool: &conn.pool,
        client: &shared.client,
    };
    let t1 = Instant::now();
    let (resp, usage, response) = exchange_for(&upstream).exchange(fwd).await?;
    ctx.response = response;
    shared.metrics.upstream(&upstream.name, t1.elapsed());
    ctx.usage = Some(usage);
    Ok(resp)
}

/// Refuses a request whose URL carries personal data or a banned word: the path
/// (a Gemini model, a Vertex project, an Azure deployment) and the query are forwarded
/// and the model name is written to the audit record, so they are inspected like body
/// text. A placeholder has no meaning in a path segment, so a finding is refused (400),
/// never masked. The message names the categories, never the value.
fn url_is_clean(
    engine: &crate::inspect::Engine,
    path: &str,
    query: Option<&str>,
) -> Result<(), GatewayError> {
    // Each segment (and a Gemini `model:method` pair) on a line of its own, so the
    // detectors see a value there as they would on a line of a prompt.
    let mut text = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .replace(['/', ':'], "\n");
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            if k != "key" {
                text.push('\n');
                text.push_str(&k);
                text.push('=');
                text.push_str(&v);
            }
        }
    }
    let mut categories: Vec<String> = engine
        .scan(&text)
        .iter()
        .map(|f| f.category.as_str().to_string())
        .collect();
    if categories.is_empty() {
        return Ok(());
    }
    categories.sort_unstable();
    categories.dedup();
    Err(Refusal::PersonalDataInUrl {
        categories: categories.join(", "),
    }
    .into())
}

/// The implementation that answers for an upstream.
fn exchange_for(upstream: &Upstream) -> &'static dyn Exchange {
    match upstream.backend {
        Backend::Http => &super::upstream::Http,
        Backend::Demo => &super::demo::Demo,
    }
}

fn locate(decision: &Decision, slots: &[Slot]) -> Vec<FindingLocation> {
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
fn found(decision: &Decision, slots: &[Slot], action: Action) -> Found {
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

/// Identifies the caller: trusted header (fronting app), Sekimori API key, or anonymous.
fn identify(
    rt: &Runtime,
    headers: &HeaderMap,
    query: Option<&str>,
    conn: &ConnInfo,
) -> Result<Principal, GatewayError> {
    if let Some(t) = &rt.trusted {
        let claims_user =
            headers.contains_key(&t.user_header) || headers.contains_key(&t.secret_header);
        if claims_user {
            for h in [&t.user_header, &t.department_header, &t.secret_header] {
                if headers.get_all(h).iter().count() > 1 {
                    return Err(Refusal::DuplicateIdentityHeader {
                        header: h.to_string(),
                    }
                    .into());
                }
            }
            let ip = canonical(conn.peer.ip());
            if !t.clients.iter().any(|n| n.contains(&ip)) {
                return Err(Refusal::UntrustedClient.into());
            }
            let secret = headers
                .get(&t.secret_header)
                .map(|v| v.as_bytes())
                .unwrap_or(b"");
            let d: [u8; 32] = Sha256::digest(secret).into();
            let diff = d
                .iter()
                .zip(t.secret_sha256.iter())
                .fold(0u8, |a, (x, y)| a | (x ^ y));
            if diff != 0 {
                return Err(Refusal::BadSharedSecret.into());
            }
            let get = |h: &http::HeaderName| {
                headers
                    .get(h)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && s.len() <= 256)
            };
            let user = get(&t.user_header).ok_or(Refusal::MissingUserHeader)?;
            let dept = get(&t.department_header).unwrap_or("default");
            return Ok(Principal {
                user: user.to_string(),
                department: dept.to_string(),
            });
        }
    }
    let key = presented_key(headers, query)?;
    if let Some(k) = key.filter(|k| !k.is_empty()) {
        let h: [u8; 32] = Sha256::digest(k.as_bytes()).into();
        if let Some(p) = rt.keys.get(&h) {
            return Ok(p.clone());
        }
        if !rt.allow_anonymous {
            return Err(Refusal::InvalidApiKey.into());
        }
    }
    if rt.allow_anonymous {
        return Ok(Principal {
            user: "anonymous".into(),
            department: "default".into(),
        });
    }
    Err(Refusal::MissingApiKey.into())
}

/// Headers that may carry a Sekimori API key (besides `Authorization: Bearer`).
const KEY_HEADERS: &[&str] = &["x-api-key", "api-key", "x-goog-api-key"];

/// The API key the caller presented, from `Authorization: Bearer`, [`KEY_HEADERS`] or a
/// `key=` query parameter. A caller who presents two different keys, or the same
/// credential header twice, is refused (400): which one counts would otherwise depend
/// on the order of the checks ("first wins"). The same key in two places is one key.
fn presented_key(headers: &HeaderMap, query: Option<&str>) -> Result<Option<String>, GatewayError> {
    let conflicting =
        |c: CredentialConflict| -> GatewayError { Refusal::ConflictingCredentials(c).into() };
    let mut found: Vec<String> = Vec::new();
    for name in std::iter::once(header::AUTHORIZATION.as_str()).chain(KEY_HEADERS.iter().copied()) {
        let mut values = headers.get_all(name).iter();
        let Some(v) = values.next() else { continue };
        if values.next().is_some() {
            return Err(conflicting(CredentialConflict::HeaderTwice(
                name.to_string(),
            )));
        }
        let v = v.to_str().unwrap_or("");
        let key = if name == header::AUTHORIZATION.as_str() {
            match v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
            {
                Some(k) => k,
                None => continue,
            }
        } else {
            v
        };
        let key = key.trim();
        if !key.is_empty() {
            found.push(key.to_string());
        }
    }
    if let Some(q) = query {
        let mut keys = url::form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "key");
        if let Some((_, v)) = keys.next() {
            if keys.next().is_some() {
                return Err(conflicting(CredentialConflict::QueryTwice));
            }
            if !v.trim().is_empty() {
                found.push(v.trim().to_string());
            }
        }
    }
    found.dedup();
    if found.iter().any(|k| *k != found[0]) {
        return Err(conflicting(CredentialConflict::TwoKeys));
    }
    Ok(found.into_iter().next())
}
