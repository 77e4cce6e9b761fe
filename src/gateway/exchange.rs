//! The interface every upstream implementation answers through: what is sent
//! ([`Forwarded`]), what comes back ([`ForwardResult`], [`UsageReport`]), and the
//! [`Exchange`] trait implemented by the HTTP upstream ([`super::upstream::Http`]) and
//! the built-in demo ([`super::demo::Demo`]). The forward phase picks one by the
//! upstream's [`super::runtime::Backend`]; neither forwarding nor restoring asks which it is.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Response};
use serde_json::Value;

use crate::mask::Placeholders;
use crate::payload::response::Usage;

use super::boxed::Body;
use super::respond::GatewayError;
use super::route::ApiRoute;
use super::runtime::Upstream;

/// What is sent upstream.
#[derive(Debug)]
pub struct Forwarded<'a> {
    /// Route.
    pub route: &'a ApiRoute,
    /// Upstream.
    pub upstream: &'a Upstream,
    /// Client query string.
    pub query: Option<&'a str>,
    /// Client headers (only an allow list is forwarded).
    pub headers: &'a HeaderMap,
    /// The inspected, re-serialized body.
    pub body: Bytes,
    /// The same body as a value.
    pub value: &'a Value,
    /// Whether a stream was requested.
    pub stream: bool,
    /// Request id.
    pub request_id: &'a str,
    /// Placeholders to restore.
    pub table: Arc<Placeholders>,
    /// Return the restored text of a non-streamed answer (for the audit log).
    pub keep_response: bool,
    /// The connection's worker pool for plain-HTTP upstreams.
    pub pool: &'a super::client::Pool,
    /// The shared upstream client (TLS upstreams, streams).
    pub client: &'a reqwest::Client,
}

/// A forwarded request's response, its usage, and (when asked for and not streamed)
/// the restored answer text.
pub type ForwardResult = (Response<Body>, UsageReport, Option<String>);

/// Token usage of an answer: known now, or reported when a stream ends (the sender is
/// dropped without a value if the client goes away first).
#[derive(Debug)]
pub enum UsageReport {
    /// Known when the response head is sent.
    Now(Option<Usage>),
    /// Sent when the streamed answer ends.
    Later(tokio::sync::oneshot::Receiver<Option<Usage>>),
}

/// The future of one exchange.
pub type Exchanging<'a> =
    Pin<Box<dyn Future<Output = Result<ForwardResult, GatewayError>> + Send + 'a>>;

/// An upstream implementation: sends the inspected request and returns the answer
/// with placeholders restored.
pub trait Exchange: Send + Sync {
    /// Sends `f` and returns the restored answer.
    fn exchange<'a>(&'a self, f: Forwarded<'a>) -> Exchanging<'a>;
}
