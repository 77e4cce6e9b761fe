//! Phase `authorize`: content that cannot be inspected (per department), the model
//! name and allow list, personal data in the URL, the route to an upstream, and the
//! region guard.

use crate::payload::request as payload;
use crate::payload::response::ApiKind;

use super::super::errors::Refusal;
use super::super::guard;
use super::super::respond::GatewayError;
use super::super::route::Api;
use super::Ctx;

/// Authorises the parsed request and chooses the upstream.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let route = cx.route("authorize")?;
    let principal = cx.principal("authorize")?;
    let rt = cx.rt.clone();
    let mut allowed_content = Vec::new();
    let mut refused = Vec::new();
    for u in payload::find_uninspectable(&cx.value) {
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
    cx.allowed_content = allowed_content;
    let model = route
        .path_model
        .clone()
        .or_else(|| payload::body_model(&cx.value).map(str::to_string));
    if let Some(m) = &model {
        if !valid_model_name(m) {
            return Err(Refusal::InvalidModel.into());
        }
    }
    url_is_clean(&rt.engine, &route.path, cx.parts.uri.query())?;
    cx.record.model = model.clone();
    if let Some(m) = &model {
        if !rt.policy.model_allowed(&principal.department, m) {
            return Err(Refusal::ModelNotAllowed {
                department: principal.department.clone(),
                model: m.clone(),
            }
            .into());
        }
    }
    // A catalogue name on the OpenAI door goes where the catalogue says.
    let catalog = (route.api == Api::OpenAi)
        .then(|| model.as_deref().and_then(|m| rt.catalog_model(m)))
        .flatten()
        .cloned();
    let upstream = match &catalog {
        Some(c) => {
            if c.translate && route.kind != ApiKind::OpenAiChat {
                return Err(Refusal::Untranslatable {
                    why: format!(
                        "model {} is served only through /v1/chat/completions",
                        c.name
                    ),
                }
                .into());
            }
            rt.upstreams.get(&c.upstream).cloned()
        }
        None => rt.route(route.api, model.as_deref()),
    }
    .ok_or(Refusal::NoUpstream { api: route.api })?;
    cx.record.upstream = Some(upstream.name.clone());
    cx.record.provider = Some(upstream.provider.clone());
    cx.upstream = Some(upstream.clone());
    let forward_query = super::super::upstream::forward_query(cx.parts.uri.query());
    // What the region guard sees is the request as it will be sent: a translated model
    // on its provider's path, a renamed one with its provider model id.
    let (path, body) = match &catalog {
        Some(c) if c.translate => (
            super::translate::sent_path(&upstream.provider, &c.provider_model, cx.stream),
            serde_json::json!({}),
        ),
        Some(c) => {
            let mut v = cx.value.clone();
            v["model"] = serde_json::Value::String(c.provider_model.clone());
            (route.path.clone(), v)
        }
        None => (route.path.clone(), serde_json::Value::Null),
    };
    cx.catalog = catalog;
    let body = if body.is_null() { &cx.value } else { &body };
    if let Err(v) = guard::check_request(
        upstream.region.as_ref(),
        &path,
        forward_query.as_deref(),
        &cx.parts.headers,
        body,
    ) {
        tracing::info!(target: "sekimori::request", request_id = %cx.record.request_id, rule = v.rule, upstream = %upstream.name, "region guard refused the request");
        return Err(Refusal::RegionViolation(Box::new(v)).into());
    }
    Ok(())
}

/// A model name is ASCII letters, digits and punctuation, 1 to 256 characters.
pub fn valid_model_name(m: &str) -> bool {
    !m.is_empty() && m.len() <= 256 && m.bytes().all(|b| b.is_ascii_graphic())
}

/// Refuses a request whose URL carries personal data or a banned word: the path
/// (a Gemini model, a Vertex project, an Azure deployment) and the query are forwarded
/// and the model name is written to the audit record, so they are inspected like body
/// text. A placeholder has no meaning in a path segment, so a finding is refused (400),
/// never masked. The message names the categories, never the value.
pub fn url_is_clean(
    engine: &crate::inspect::Engine,
    path: &str,
    query: Option<&str>,
) -> Result<(), Refusal> {
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
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn model_names() {
        assert!(valid_model_name("gpt-4o-mini"));
        assert!(!valid_model_name(""));
        assert!(!valid_model_name("モデル"));
        assert!(!valid_model_name("a b"));
        assert!(!valid_model_name(&"m".repeat(257)));
    }

    #[test]
    fn a_phone_number_in_the_path_is_refused() {
        let (shared, _conn) = testing::shared_and_conn();
        let rt = shared.runtime.load_full();
        let e = url_is_clean(
            &rt.engine,
            "/v1beta/models/090-1234-5678:generateContent",
            None,
        )
        .unwrap_err();
        assert_eq!(e.code(), "personal_data_in_url");
        assert!(url_is_clean(
            &rt.engine,
            "/v1beta/models/gemini-pro:generateContent",
            None
        )
        .is_ok());
    }

    #[test]
    fn the_demo_upstream_is_chosen() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        super::super::identify::run(&mut cx).unwrap();
        cx.value = serde_json::json!({"model": "m", "messages": []});
        run(&mut cx).unwrap();
        assert_eq!(cx.record.model.as_deref(), Some("m"));
        assert!(cx.record.upstream.is_some());
        assert_eq!(cx.record.provider.as_deref(), Some("demo"));
    }
}
