//! `GET /v1/models`: the models the caller's department may use, in the OpenAI list
//! shape `{"object":"list","data":[{"id","object":"model","owned_by"}]}`.
//!
//! With a `[[models]]` catalogue the list is exactly the catalogue names the
//! department may use (`owned_by`: the serving upstream). Without one, the names come
//! from the `openai` routes' model patterns and the department's allow
//! list (`[[departments]] models`). A name is listed when the department may use it and
//! an `openai` route serves it (`owned_by` is that route's upstream). A pattern ending in
//! `*` is listed as written (the narrower of two overlapping patterns) only when no
//! concrete listed name matches it; with catch-all routes and no allow list nothing is
//! known and the list is empty. Identity is required as for the API calls; the answer
//! has no outcome record (it carries no prompt).

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::json;

use super::super::boxed::{self, Body};
use super::super::respond::{json_response, GatewayError};
use super::super::route::Api;
use super::super::runtime::Runtime;
use super::{identify, Ctx};
use crate::policy::model_matches;

/// The path answered here.
pub const PATH: &str = "/v1/models";

/// Whether the request is `GET /v1/models`.
pub fn is_models(parts: &http::request::Parts) -> bool {
    parts.method == Method::GET && parts.uri.path() == PATH
}

/// Identifies the caller and answers the model list.
pub fn run(cx: &mut Ctx<'_>) -> Result<Response<Body>, GatewayError> {
    cx.record.front_end = Some(format!("{}-models", Api::OpenAi.as_str()));
    identify::run(cx)?;
    let department = cx.record.department.clone().unwrap_or_default();
    let data: Vec<_> = listed(&cx.rt, &department)
        .into_iter()
        .map(|(id, owner)| json!({"id": id, "object": "model", "created": 0, "owned_by": owner}))
        .collect();
    let r: Response<Full> = json_response(StatusCode::OK, &json!({"object": "list", "data": data}));
    Ok(boxed::full(r))
}

type Full = http_body_util::Full<Bytes>;

/// `(model id or pattern, upstream)` the department may use, sorted by id. With a
/// `[[models]]` catalogue, exactly the catalogue names the department may use.
pub fn listed(rt: &Runtime, department: &str) -> Vec<(String, String)> {
    if !rt.catalog.is_empty() {
        let mut names: Vec<(String, String)> = rt
            .catalog
            .iter()
            .filter(|m| rt.policy.model_allowed(department, &m.name))
            .map(|m| (m.name.clone(), m.upstream.clone()))
            .collect();
        names.sort();
        return names;
    }
    let allow = rt.policy.department_models(department);
    let routes: Vec<(&[String], &str)> = rt
        .routes
        .iter()
        .filter(|(api, _, _)| api == Api::OpenAi.as_str())
        .map(|(_, models, up)| (models.as_slice(), up.as_str()))
        .collect();
    let served_by = |name: &str| {
        routes
            .iter()
            .find(|(models, _)| models.is_empty() || models.iter().any(|p| model_matches(p, name)))
            .map(|(_, up)| up.to_string())
    };
    let allowed = |name: &str| allow.is_empty() || allow.iter().any(|p| model_matches(p, name));
    let candidates = allow
        .iter()
        .chain(routes.iter().flat_map(|(models, _)| models.iter()));
    let mut concrete: Vec<(String, String)> = Vec::new();
    let mut patterns: Vec<(String, String)> = Vec::new();
    for name in candidates {
        match name.strip_suffix('*') {
            None => {
                if let Some(up) = served_by(name).filter(|_| allowed(name)) {
                    concrete.push((name.clone(), up));
                }
            }
            Some(prefix) => {
                // The narrowest overlap of this pattern with the other side's patterns.
                let other: Vec<&String> = if allow.iter().any(|a| a == name) {
                    routes.iter().flat_map(|(m, _)| m.iter()).collect()
                } else {
                    allow.iter().collect()
                };
                let catch_all = if allow.iter().any(|a| a == name) {
                    routes.iter().any(|(m, _)| m.is_empty())
                } else {
                    allow.is_empty()
                };
                let mut narrowest = catch_all.then(|| prefix.to_string());
                for o in other {
                    if let Some(op) = o.strip_suffix('*') {
                        if op.starts_with(prefix) || prefix.starts_with(op) {
                            let n = if op.len() > prefix.len() { op } else { prefix };
                            if narrowest.as_ref().is_none_or(|c| n.len() > c.len()) {
                                narrowest = Some(n.to_string());
                            }
                        }
                    }
                }
                if let Some(n) = narrowest {
                    let pattern = format!("{n}*");
                    if let Some(up) = served_by(&pattern).filter(|_| allowed(&pattern)) {
                        patterns.push((pattern, up));
                    }
                }
            }
        }
    }
    patterns.retain(|(p, _)| !concrete.iter().any(|(c, _)| model_matches(p, c)));
    concrete.extend(patterns);
    concrete.sort();
    concrete.dedup_by(|a, b| a.0 == b.0);
    concrete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(routes: &[&[&str]], allow: &[&str]) -> Vec<String> {
        let mut rt = Runtime::build(crate::config::embedded_default(), None).expect("config");
        // The list from routes and allow lists (the embedded default's catalogue aside).
        rt.catalog.clear();
        rt.routes = routes
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    "openai".to_string(),
                    m.iter().map(|s| s.to_string()).collect(),
                    format!("up{i}"),
                )
            })
            .collect();
        rt.routes
            .push(("anthropic".into(), vec!["claude-only".into()], "upA".into()));
        rt.policy
            .department("d")
            .set_models(allow.iter().map(|s| s.to_string()).collect());
        listed(&rt, "d").into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn concrete_names_win_over_patterns() {
        // Route names, filtered by the allow list; the pattern matches a listed name.
        assert_eq!(
            names(&[&["gpt-4.1-mini", "gpt-4o", "llama-3"]], &["gpt-*"]),
            ["gpt-4.1-mini", "gpt-4o"]
        );
        // Allow-list names served by a catch-all route.
        assert_eq!(names(&[&[]], &["gpt-4o", "gpt-*"]), ["gpt-4o"]);
        // Only patterns: the narrower one is listed as written.
        assert_eq!(names(&[&["gpt-4.1*"]], &["gpt-*"]), ["gpt-4.1*"]);
        assert_eq!(names(&[&[]], &["gpt-4.1*"]), ["gpt-4.1*"]);
        // Nothing known: catch-all routes and no allow list.
        assert!(names(&[&[]], &[]).is_empty());
        // Not served by an openai route, or not allowed: not listed.
        assert!(names(&[&["llama-3"]], &["claude-only", "gpt-*"]).is_empty());
    }
}
