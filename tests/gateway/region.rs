//! The region guard on the request path: refused requests name the rule and never
//! reach the upstream.

use serde_json::json;

use super::{chat, BASE};
use crate::util::{post, start_gateway, FakeUpstream, Reply};

const AZURE: &str = r#"
[[upstreams]]
name = "azure"
provider = "azure_openai"
base_url = "https://example-japaneast.openai.azure.com"
api_key = "k"

[[upstreams.azure_deployments]]
name = "gpt-4o-japan"
region = "japaneast"
deployment_type = "Standard"
"#;

#[tokio::test]
async fn region_violations_are_refused_before_forwarding() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    // Azure family routed to the (https, never contacted) Azure upstream.
    let cfg = BASE.replace(
        "[[routes]]\napi = \"azure\"\nupstream = \"fake\"",
        "[[routes]]\napi = \"azure\"\nupstream = \"azure\"",
    ) + AZURE;
    let gw = start_gateway(&cfg, &up.url()).await;
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("/openai/deployments/undeclared/chat/completions?api-version=2024-10-21", chat("hi"), vec![], "azure.deployment"),
        ("/openai/v1/chat/completions", json!({"model":"other","messages":[{"role":"user","content":"hi"}]}).to_string(), vec![], "azure.deployment"),
        ("/openai/deployments/gpt-4o-japan/chat/completions?api-version=2024-10-21", chat("hi"), vec![("x-ms-spillover-deployment", "other")], "azure.spillover"),
        ("/v1/messages", json!({"model":"m","max_tokens":5,"inference_geo":"us","messages":[{"role":"user","content":"hi"}]}).to_string(), vec![], "request.inference-geo"),
    ];
    for (path, body, headers, rule) in cases {
        let (status, _, v) = post(&gw, path, &body, &headers).await;
        assert_eq!(status, 403, "{path}: {v}");
        let s = v.to_string();
        assert!(s.contains("region_violation"), "{s}");
        let got = v["sekimori"]["region_rule"].as_str().unwrap_or("");
        assert!(got.starts_with(rule), "{path}: rule {got}, want {rule}");
        assert!(s.contains("地域規則"), "{s}");
    }
    assert!(up.received().is_empty());
}
