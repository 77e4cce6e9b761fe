//! One request to an approved host, inside an intercepted tunnel (or as an
//! absolute-form `http://` request): the reverse proxy's phases over the same
//! [`Ctx`] — the URL checked as the reverse proxy checks it, the body read, parsed and
//! inspected (`read`, `parse`, `inspect`, `decide`, `mask`), recorded before it
//! leaves, the answer restored, the outcome recorded by `finish`.
//!
//! Known API shapes by path (`/v1/chat/completions`, Azure deployments, …) are parsed
//! and restored as the reverse proxy does; any other body is inspected string by
//! string: JSON, `application/x-www-form-urlencoded` pairs, `multipart/form-data`
//! text fields ([`super::form`]). A body of any other type is refused (415): what
//! cannot be inspected does not leave.

use std::sync::Arc;

use bytes::Bytes;
use http::{header, Request, Response};
use hyper::body::{Body as _, Incoming};
use sha2::{Digest, Sha256};

use crate::payload::request as payload;

use super::super::body;
use super::super::boxed::Body;
use super::super::errors::Refusal;
use super::super::hooks::Outcome;
use super::super::phase::{self, authorize::url_is_clean, Ctx};
use super::super::respond::GatewayError;
use super::super::route;
use super::super::runtime::Principal;
use super::super::state::ConnInfo;
use super::form::{self, Multipart};
use super::page::renderer;
use super::page::with_contact;
use super::refusal::ProxyRefusal;
use super::{origin, ForwardProxy};

/// Where intercepted requests go.
#[derive(Clone, Debug)]
pub struct Target {
    /// Host (lowercase).
    pub host: String,
    /// Port.
    pub port: u16,
    /// `https` (intercepted) or `http`.
    pub https: bool,
}

impl Target {
    /// The origin URL of `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        let (scheme, default) = if self.https {
            ("https", 443)
        } else {
            ("http", 80)
        };
        if self.port == default {
            format!("{scheme}://{}{path_and_query}", self.host)
        } else {
            format!("{scheme}://{}:{}{path_and_query}", self.host, self.port)
        }
    }
}

/// The provider name of approved hosts in forward records.
pub const PROVIDER: &str = "approved_web";

/// Handles one request to an approved host.
pub async fn handle(
    proxy: Arc<ForwardProxy>,
    conn: ConnInfo,
    principal: Arc<Principal>,
    target: Arc<Target>,
    req: Request<Incoming>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let render = renderer(&parts.headers);
    let mut cx = Ctx::new(&proxy.shared, &conn, parts);
    cx.record.front_end = Some("forward_proxy".into());
    cx.record.upstream = Some(target.host.clone());
    cx.record.provider = Some(PROVIDER.into());
    cx.record.user = Some(principal.user.clone());
    cx.record.department = Some(principal.department.clone());
    cx.principal = Some(principal);
    let result = run(&proxy, &mut cx, &target, body).await;
    phase::finish::run(
        cx,
        result.map_err(|e| with_contact(e, &proxy.contact)),
        render,
    )
}

/// What the body is.
enum Shape {
    Empty,
    Json,
    Form,
    Multipart(Multipart),
}

impl Shape {
    fn name(&self) -> &'static str {
        match self {
            Shape::Empty => "url",
            Shape::Json => "json",
            Shape::Form => "form",
            Shape::Multipart(_) => "multipart",
        }
    }
}

async fn read_raw(cx: &mut Ctx<'_>, body: Incoming) -> Result<(), GatewayError> {
    let l = &cx.rt.limits;
    let raw = body::read_limited(body, l.max_body_bytes, l.body_read_timeout).await?;
    let decoded = body::decode(
        &cx.parts.headers,
        raw,
        l.max_body_bytes,
        l.max_decompression_ratio,
    )?;
    cx.digest = Sha256::digest(&decoded).into();
    cx.body = decoded;
    Ok(())
}

async fn run(
    proxy: &ForwardProxy,
    cx: &mut Ctx<'_>,
    target: &Target,
    body: Incoming,
) -> Result<Response<Body>, GatewayError> {
    let path = cx.parts.uri.path().to_string();
    let query = cx.parts.uri.query().map(str::to_string);
    let upgrade = cx.parts.headers.contains_key(header::UPGRADE)
        || cx.parts.extensions.get::<hyper::ext::Protocol>().is_some();
    if upgrade {
        return Err(ProxyRefusal::WebSocket {
            host: target.host.clone(),
        }
        .into());
    }
    url_is_clean(&cx.rt.engine, &path, query.as_deref())?;
    let ct = cx
        .parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = mime == "application/json" || mime.ends_with("+json");
    let shape = if body.is_end_stream() {
        Shape::Empty
    } else if json {
        if cx.parts.method == http::Method::POST {
            cx.route = route::classify(&path).ok().map(Arc::new);
        }
        phase::read::run(cx, body).await?;
        phase::parse::run(cx)?;
        Shape::Json
    } else if mime == "application/x-www-form-urlencoded" {
        read_raw(cx, body).await?;
        cx.value = form::urlencoded_value(&cx.body);
        Shape::Form
    } else if mime == "multipart/form-data" {
        read_raw(cx, body).await?;
        let boundary = form::boundary(&ct).ok_or(ProxyRefusal::UninspectableBody {
            media_type: mime.clone(),
        })?;
        let m =
            Multipart::parse(&cx.body, &boundary).map_err(|_| ProxyRefusal::UninspectableBody {
                media_type: "multipart/form-data (file or malformed part)".into(),
            })?;
        cx.value = m.value();
        Shape::Multipart(m)
    } else {
        read_raw(cx, body).await?;
        if !cx.body.is_empty() {
            let media_type = if mime.is_empty() {
                "(none)".into()
            } else {
                mime.clone()
            };
            return Err(ProxyRefusal::UninspectableBody { media_type }.into());
        }
        Shape::Empty
    };
    let mut outgoing = Bytes::new();
    if !matches!(shape, Shape::Empty) {
        if !matches!(shape, Shape::Json) {
            if let Some(place) = payload::find_tag_characters(&cx.value) {
                return Err(Refusal::TagCharacters {
                    place: place.to_string(),
                }
                .into());
            }
        }
        uninspectable(cx)?;
        phase::inspect::run(cx).await?;
        phase::decide::run(cx)?;
        let before = cx.value.clone();
        phase::mask::run(cx)?;
        let changed = cx.value != before;
        drop(before);
        outgoing = if !changed {
            cx.body.clone()
        } else {
            match &shape {
                Shape::Json => Bytes::from(
                    serde_json::to_vec(&cx.value).map_err(|_| Refusal::SerializeFailed)?,
                ),
                Shape::Form => Bytes::from(form::urlencoded_body(&cx.value)),
                Shape::Multipart(m) => Bytes::from(m.body(&cx.value)),
                Shape::Empty => Bytes::new(),
            }
        };
    } else {
        cx.digest = Sha256::digest(&cx.body).into();
    }
    // Every request to an approved host is recorded before it leaves, a page's GET
    // as much as a prompt (its record has no findings and no characters).
    record(cx, target, shape.name(), &outgoing).await?;
    let pq = cx
        .parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let url = target.url(&pq);
    cx.record.outcome = Outcome::Forwarded;
    let resp = origin::send(
        &proxy.origin,
        cx.parts.method.clone(),
        &url,
        &cx.parts.headers,
        outgoing,
        &target.host,
    )
    .await?;
    let api = cx.route.as_ref().map(|r| r.kind);
    let table = Arc::new(std::mem::take(&mut cx.table));
    Ok(origin::answer(resp, table, api, query.as_deref(), &target.host).await?)
}

/// Parts that cannot be inspected (images, files, …) unless the department allows
/// them, as the reverse proxy's `authorize` phase decides.
fn uninspectable(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let principal = cx.principal("uninspectable")?;
    let mut refused = Vec::new();
    for u in payload::find_uninspectable(&cx.value) {
        if cx.rt.policy.content_allowed(&principal.department, u.kind) {
            cx.allowed_content.push(u.kind.to_string());
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
    cx.allowed_content.sort();
    cx.allowed_content.dedup();
    Ok(())
}

/// The forward record, written before the body leaves (fail closed).
async fn record(
    cx: &mut Ctx<'_>,
    target: &Target,
    shape: &'static str,
    outgoing: &Bytes,
) -> Result<(), GatewayError> {
    let principal = cx.principal("record")?;
    let route = cx.route.clone();
    let model = route.as_ref().and_then(|r| {
        r.path_model
            .clone()
            .or_else(|| payload::body_model(&cx.value).map(str::to_string))
    });
    cx.record.model = model;
    let forwarded = String::from_utf8_lossy(outgoing);
    let record = phase::record::write(
        cx,
        phase::record::Destination {
            api: route.as_ref().map_or("web", |r| r.api.as_str()),
            endpoint: route.as_ref().map_or(shape, |r| r.endpoint_name()),
            upstream: target.host.clone(),
            provider: PROVIDER.into(),
            forwarded: &forwarded,
        },
    )
    .await?;
    tracing::info!(
        target: "sekimori::forward",
        request_id = %cx.record.request_id,
        user = %principal.user,
        department = %principal.department,
        host = %target.host,
        endpoint = record.endpoint,
        findings = record.findings.len(),
        masked = record.masked,
        "forwarding to an approved host"
    );
    cx.record.forwarded = true;
    Ok(())
}
