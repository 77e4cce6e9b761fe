//! Region guard seam: the gateway's two calls into [`crate::region`].
//!
//! [`check_upstream`] runs when a configuration is compiled (and in
//! [`crate::config::Config::validate`]); [`check_request`] runs on every request after
//! routing and before anything is recorded or forwarded. Both refuse, never rewrite:
//! a violation becomes a 403 naming the rule in Japanese and English.

use http::HeaderMap;
use serde_json::Value;

use crate::region::{self, RegionViolation, RequestView, UpstreamDecl};

/// Checks a declared upstream (`None`: the built-in demo, which never leaves the process).
pub fn check_upstream(decl: Option<&UpstreamDecl>) -> Result<(), RegionViolation> {
    match decl {
        Some(d) => region::check_upstream(d),
        None => Ok(()),
    }
}

/// Checks one request as it will be sent: `path` and `query` as forwarded, the
/// client's headers (so a forbidden header is refused, not silently dropped), and the
/// body's `model`, `inference_geo` and guardrail fields.
pub fn check_request(
    decl: Option<&UpstreamDecl>,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Value,
) -> Result<(), RegionViolation> {
    let Some(decl) = decl else {
        return Ok(());
    };
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect();
    let view = RequestView {
        path,
        query,
        headers: &pairs,
        model: body.get("model").and_then(Value::as_str),
        inference_geo: body
            .get("inference_geo")
            .map(|v| v.as_str().unwrap_or("(not a string)")),
        guardrail: body
            .pointer("/guardrailConfig/guardrailIdentifier")
            .or_else(|| body.pointer("/amazon-bedrock-guardrailConfig/guardrailIdentifier"))
            .map(|v| v.as_str().unwrap_or("(not a string)")),
    };
    region::check_request(decl, &view)
}
