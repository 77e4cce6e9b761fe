//! The per-request context: the outcome record under construction plus what the
//! phases hand to each other.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::Value;

use crate::inspect::Finding;
use crate::mask::Placeholders;
use crate::payload::request::Slot;

use super::super::errors::Refusal;
use super::super::exchange::UsageReport;
use super::super::hooks::{FindingLocation, Outcome, OutcomeRecord};
use super::super::respond::GatewayError;
use super::super::route::ApiRoute;
use super::super::runtime::{canonical, CatalogModel, Principal, Runtime, Upstream};
use super::super::state::{ConnInfo, Shared};

/// One request on its way through the phases. [`Ctx::record`] *is* the outcome
/// record: phases fill it in as they learn things, [`super::finish`] completes and
/// writes it.
pub struct Ctx<'a> {
    /// State shared by all requests.
    pub shared: &'a Shared,
    /// The connection the request came on.
    pub conn: &'a ConnInfo,
    /// The configuration snapshot this request runs under (one for the whole request).
    pub rt: Arc<Runtime>,
    /// Start time.
    pub started: Instant,
    /// Method, URI and headers.
    pub parts: http::request::Parts,
    /// The outcome record under construction.
    pub record: OutcomeRecord,
    /// The recognised API route ([`super::route`]).
    pub route: Option<Arc<ApiRoute>>,
    /// Who is calling ([`super::identify`]).
    pub principal: Option<Arc<Principal>>,
    /// The decoded body ([`super::read`]); offered to the audit log, dropped once
    /// recorded.
    pub body: Bytes,
    /// SHA-256 of the decoded body.
    pub digest: [u8; 32],
    /// The parsed body ([`super::parse`]); masked in place ([`super::mask`]).
    pub value: Value,
    /// Whether a stream was asked for.
    pub stream: bool,
    /// Uninspectable kinds the department allows ([`super::authorize`]).
    pub allowed_content: Vec<String>,
    /// The upstream chosen ([`super::authorize`]).
    pub upstream: Option<Arc<Upstream>>,
    /// The catalogue model the body names ([`super::authorize`]).
    pub catalog: Option<Arc<CatalogModel>>,
    /// The route as sent upstream when it differs from the client's (a translated
    /// catalogue model: Bedrock Converse) ([`super::translate`]).
    pub upstream_route: Option<Arc<ApiRoute>>,
    /// Text fields of the body ([`super::inspect`]).
    pub slots: Vec<Slot>,
    /// Findings per slot ([`super::inspect`]).
    pub findings: Vec<Vec<Finding>>,
    /// Every finding, located, no values ([`super::decide`]).
    pub locations: Vec<FindingLocation>,
    /// A warning was acknowledged with a valid token ([`super::decide`]).
    pub acknowledged: bool,
    /// Placeholders of the masked body ([`super::mask`]).
    pub table: Placeholders,
    /// The body to send, as recorded ([`super::record`]).
    pub outgoing: Bytes,
    /// Token usage of the answer ([`super::forward`]).
    pub usage: Option<UsageReport>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("request_id", &self.record.request_id)
            .field("outcome", &self.record.outcome)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl<'a> Ctx<'a> {
    /// A new context for a request with head `parts` on `conn`, under the live
    /// configuration.
    pub fn new(shared: &'a Shared, conn: &'a ConnInfo, parts: http::request::Parts) -> Self {
        Ctx {
            shared,
            conn,
            rt: shared.runtime.load_full(),
            started: Instant::now(),
            parts,
            record: OutcomeRecord {
                request_id: uuid::Uuid::now_v7().to_string(),
                unix_ms: 0,
                user: None,
                department: None,
                outcome: Outcome::Refused,
                status: 0,
                error_code: None,
                categories: Vec::new(),
                upstream: None,
                duration_ms: 0,
                prompt_tokens: None,
                completion_tokens: None,
                forwarded: false,
                forward_action: None,
                front_end: None,
                client: Some(canonical(conn.peer.ip())),
                model: None,
                provider: None,
                findings: Vec::new(),
                chars_inspected: 0,
                response: None,
            },
            route: None,
            principal: None,
            body: Bytes::new(),
            digest: [0; 32],
            value: Value::Null,
            stream: false,
            allowed_content: Vec::new(),
            upstream: None,
            catalog: None,
            upstream_route: None,
            slots: Vec::new(),
            findings: Vec::new(),
            locations: Vec::new(),
            acknowledged: false,
            table: Placeholders::new(),
            outgoing: Bytes::new(),
            usage: None,
        }
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.record.request_id
    }

    /// The caller, for a phase that runs after [`super::identify`].
    pub fn principal(&self, phase: &'static str) -> Result<Arc<Principal>, GatewayError> {
        self.principal
            .clone()
            .ok_or_else(|| Refusal::OutOfOrder { phase }.into())
    }

    /// The route, for a phase that runs after [`super::route`].
    pub fn route(&self, phase: &'static str) -> Result<Arc<ApiRoute>, GatewayError> {
        self.route
            .clone()
            .ok_or_else(|| Refusal::OutOfOrder { phase }.into())
    }

    /// The upstream, for a phase that runs after [`super::authorize`].
    pub fn upstream(&self, phase: &'static str) -> Result<Arc<Upstream>, GatewayError> {
        self.upstream
            .clone()
            .ok_or_else(|| Refusal::OutOfOrder { phase }.into())
    }
}
