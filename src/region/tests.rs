//! Region rule tables: every provider row, allowed and refused, at load and per request.

use super::*;

const AZ: &str = "https://city-ai.openai.azure.com";
const BR1: &str = "https://bedrock-runtime.ap-northeast-1.amazonaws.com";
const BR3: &str = "https://bedrock-runtime.ap-northeast-3.amazonaws.com";
const VX: &str = "https://asia-northeast1-aiplatform.googleapis.com";
const VX_PATH: &str = "/v1/projects/city/locations/asia-northeast1/publishers/google/models/gemini-2.0-flash:generateContent";
const PROFILE: &str =
    "arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile/abc123";

fn dep(name: &str, region: &str, ty: &str) -> AzureDeployment {
    AzureDeployment {
        name: name.into(),
        region: region.into(),
        deployment_type: ty.into(),
    }
}

fn azure(host: &str, deps: Vec<AzureDeployment>) -> UpstreamDecl {
    UpstreamDecl {
        azure_deployments: deps,
        ..UpstreamDecl::new(Provider::AzureOpenAi, host)
    }
}

fn azure_ok() -> UpstreamDecl {
    azure(
        AZ,
        vec![
            dep("gpt4o-east", "japaneast", "Standard"),
            dep("gpt41-ptu", "japanwest", "ProvisionedManaged"),
        ],
    )
}

fn with_residency(p: Provider, url: &str, r: &str) -> UpstreamDecl {
    UpstreamDecl {
        residency: Some(r.into()),
        ..UpstreamDecl::new(p, url)
    }
}

fn bedrock(url: &str) -> UpstreamDecl {
    UpstreamDecl {
        bedrock_verified_profiles: vec![PROFILE.into()],
        ..UpstreamDecl::new(Provider::Bedrock, url)
    }
}

/// Runs a table of declarations: `None` = allowed, `Some(rule)` = refused by `rule`.
fn load_table(cases: &[(UpstreamDecl, Option<&str>)]) {
    for (decl, want) in cases {
        let got = check_upstream(decl).err().map(|v| v.rule);
        assert_eq!(got, *want, "{decl:?}");
    }
}

#[test]
fn load_time_rules() {
    let on_prem = |url: &str| with_residency(Provider::OnPremises, url, "on-premises");
    let domestic = |url: &str| with_residency(Provider::Domestic, url, "jp-contract");
    load_table(&[
        // Azure
        (azure_ok(), None),
        (
            azure(
                "https://city-ai.cognitiveservices.azure.com",
                vec![dep("d", "japaneast", "standard")],
            ),
            None,
        ),
        (
            azure(
                "https://city-ai.services.ai.azure.com/",
                vec![dep("d", "JapanWest", "Standard")],
            ),
            None,
        ),
        (azure(AZ, vec![]), Some("azure.deployment-declared")),
        (
            azure(AZ, vec![dep("d", "eastus", "Standard")]),
            Some("azure.region"),
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "GlobalStandard")]),
            Some("azure.deployment-type"),
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "GlobalProvisionedManaged")]),
            Some("azure.deployment-type"),
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "GlobalBatch")]),
            Some("azure.deployment-type"),
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "DataZoneStandard")]),
            Some("azure.deployment-type"),
        ),
        (
            azure(
                AZ,
                vec![dep("d", "japaneast", "DataZoneProvisionedManaged")],
            ),
            Some("azure.deployment-type"),
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "DeveloperTier")]),
            Some("azure.deployment-type"),
        ),
        (
            azure(
                AZ,
                vec![
                    dep("d", "japaneast", "Standard"),
                    dep("D", "japaneast", "Standard"),
                ],
            ),
            Some("azure.deployment-declared"),
        ),
        (
            azure(AZ, vec![dep("a/b", "japaneast", "Standard")]),
            Some("azure.deployment-declared"),
        ),
        (
            azure(
                "https://openai.azure.com.evil.example",
                vec![dep("d", "japaneast", "Standard")],
            ),
            Some("azure.host"),
        ),
        (
            azure(
                "https://a.b.openai.azure.com",
                vec![dep("d", "japaneast", "Standard")],
            ),
            Some("azure.host"),
        ),
        (
            azure(
                "http://city-ai.openai.azure.com",
                vec![dep("d", "japaneast", "Standard")],
            ),
            Some("transport.https"),
        ),
        // Bedrock
        (bedrock(BR1), None),
        (UpstreamDecl::new(Provider::Bedrock, BR3), None),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "https://bedrock-runtime.ap-northeast-2.amazonaws.com",
            ),
            Some("bedrock.host"),
        ),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "https://bedrock-runtime.us-east-1.amazonaws.com",
            ),
            Some("bedrock.host"),
        ),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "http://bedrock-runtime.ap-northeast-1.amazonaws.com",
            ),
            Some("transport.https"),
        ),
        (bedrock(BR3), Some("bedrock.application-profile")),
        // Vertex
        (UpstreamDecl::new(Provider::Vertex, VX), None),
        (
            UpstreamDecl::new(
                Provider::Vertex,
                format!("{VX}/v1/projects/p/locations/asia-northeast1"),
            ),
            None,
        ),
        (
            UpstreamDecl::new(
                Provider::Vertex,
                format!("{VX}/v1/projects/p/locations/global"),
            ),
            Some("vertex.location"),
        ),
        (
            UpstreamDecl::new(Provider::Vertex, "https://aiplatform.googleapis.com"),
            Some("vertex.host"),
        ),
        (
            UpstreamDecl::new(
                Provider::Vertex,
                "https://asia-northeast2-aiplatform.googleapis.com",
            ),
            Some("vertex.host"),
        ),
        (
            UpstreamDecl::new(Provider::Vertex, "https://us-aiplatform.googleapis.com"),
            Some("vertex.host"),
        ),
        // Always refused
        (
            UpstreamDecl::new(Provider::OpenAi, "https://api.openai.com/v1"),
            Some("deny.openai"),
        ),
        (
            UpstreamDecl::new(Provider::OpenAi, "https://jp.api.openai.com/v1"),
            Some("deny.openai"),
        ),
        (
            UpstreamDecl::new(Provider::Anthropic, "https://api.anthropic.com"),
            Some("deny.anthropic"),
        ),
        (
            UpstreamDecl::new(
                Provider::GeminiDeveloper,
                "https://generativelanguage.googleapis.com",
            ),
            Some("deny.gemini-developer"),
        ),
        // Domestic
        (domestic("https://api.ai.sakura.ad.jp/v1"), None),
        (domestic("https://api.platform.preferredai.jp/v1"), None),
        (
            UpstreamDecl::new(Provider::Domestic, "https://api.ai.sakura.ad.jp/v1"),
            Some("declaration.fields"),
        ),
        (
            with_residency(
                Provider::Domestic,
                "https://api.ai.sakura.ad.jp/v1",
                "japan",
            ),
            Some("declaration.fields"),
        ),
        (
            domestic("https://api.ai.sakura.ad.jp.evil.example/v1"),
            Some("domestic.host"),
        ),
        (
            domestic("https://sakura.example.com/v1"),
            Some("domestic.host"),
        ),
        (
            domestic("http://api.ai.sakura.ad.jp/v1"),
            Some("transport.https"),
        ),
        // On-premises
        (on_prem("http://127.0.0.1:8000/v1"), None),
        (on_prem("http://localhost:11434"), None),
        (on_prem("http://10.1.2.3:8000"), None),
        (on_prem("https://172.16.0.9"), None),
        (on_prem("http://192.168.10.5:8080/v1"), None),
        (on_prem("http://[::1]:8000"), None),
        (on_prem("http://[fd12:3456::1]:8000"), None),
        (on_prem("http://[::ffff:10.0.0.1]"), None),
        (on_prem("http://8.8.8.8"), Some("onprem.address")),
        (on_prem("http://172.32.0.1"), Some("onprem.address")),
        (on_prem("http://[2001:db8::1]"), Some("onprem.address")),
        (on_prem("http://0.0.0.0"), Some("onprem.address")),
        (on_prem("http://llm.city.local"), Some("onprem.address")),
        (on_prem("https://api.openai.com"), Some("onprem.address")),
        (
            UpstreamDecl::new(Provider::OnPremises, "http://127.0.0.1"),
            Some("declaration.fields"),
        ),
        // Declaration shape
        (
            with_residency(Provider::Bedrock, BR1, "jp-contract"),
            Some("declaration.fields"),
        ),
        (
            UpstreamDecl {
                azure_deployments: vec![dep("d", "japaneast", "Standard")],
                ..UpstreamDecl::new(Provider::Vertex, VX)
            },
            Some("declaration.fields"),
        ),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "bedrock-runtime.ap-northeast-1.amazonaws.com",
            ),
            Some("url.syntax"),
        ),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "https://user@bedrock-runtime.ap-northeast-1.amazonaws.com",
            ),
            Some("url.syntax"),
        ),
        (
            UpstreamDecl::new(
                Provider::Bedrock,
                "https://bedrock-runtime.ap-northeast-1.amazonaws.com.",
            ),
            Some("url.syntax"),
        ),
    ]);
}

/// Request headers as `(name, value)` pairs.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// A request: path, query, headers, body model, body inference_geo.
type Req<'a> = (
    &'a str,
    Option<&'a str>,
    Headers<'a>,
    Option<&'a str>,
    Option<&'a str>,
);

fn request_table(decl: &UpstreamDecl, cases: &[(Req<'_>, Option<&str>)]) {
    assert!(check_upstream(decl).is_ok(), "{decl:?}");
    for ((path, query, headers, model, geo), want) in cases {
        let req = RequestView {
            path,
            query: *query,
            headers,
            model: *model,
            inference_geo: *geo,
            guardrail: None,
        };
        let got = check_request(decl, &req).err().map(|v| v.rule);
        assert_eq!(got, *want, "{path} {query:?} {headers:?} {model:?}");
    }
}

const NO_H: &[(&str, &str)] = &[];

#[test]
fn azure_requests() {
    request_table(
        &azure_ok(),
        &[
            (
                (
                    "/openai/deployments/gpt4o-east/chat/completions",
                    Some("api-version=2024-10-21"),
                    NO_H,
                    None,
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/deployments/GPT4O-EAST/chat/completions",
                    None,
                    NO_H,
                    Some("ignored-here"),
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/v1/chat/completions",
                    None,
                    NO_H,
                    Some("gpt41-ptu"),
                    None,
                ),
                None,
            ),
            (
                ("/openai/v1/responses", None, NO_H, Some("gpt4o-east"), None),
                None,
            ),
            (
                ("/openai/responses", None, NO_H, Some("gpt4o-east"), None),
                None,
            ),
            (
                ("/openai/responses", None, NO_H, Some("gpt4o-unknown"), None),
                Some("azure.deployment-declared"),
            ),
            (
                (
                    "/models/chat/completions",
                    None,
                    NO_H,
                    Some("gpt4o-east"),
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/deployments/gpt4o-japan/chat/completions",
                    None,
                    NO_H,
                    None,
                    None,
                ),
                Some("azure.deployment-declared"),
            ),
            (
                (
                    "/openai/v1/chat/completions",
                    None,
                    NO_H,
                    Some("gpt-4o"),
                    None,
                ),
                Some("azure.deployment-declared"),
            ),
            (
                ("/openai/v1/chat/completions", None, NO_H, None, None),
                Some("azure.deployment-declared"),
            ),
            (
                ("/openai/deployments/gpt4o-east", None, NO_H, None, None),
                Some("azure.deployment-declared"),
            ),
            (
                ("/openai/files", None, NO_H, None, None),
                Some("azure.deployment-declared"),
            ),
            (
                (
                    "/openai/deployments/gpt4o-east/chat/completions",
                    None,
                    &[("X-MS-Spillover-Deployment", "global-dep")],
                    None,
                    None,
                ),
                Some("azure.spillover"),
            ),
            (
                (
                    "/openai/deployments/gpt4o%2Deast/chat/completions",
                    None,
                    NO_H,
                    None,
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/deployments/gpt4o%252Deast/chat/completions",
                    None,
                    NO_H,
                    None,
                    None,
                ),
                Some("request.path"),
            ),
            (
                (
                    "/openai/deployments/a%2Fb/chat/completions",
                    None,
                    NO_H,
                    None,
                    None,
                ),
                Some("request.path"),
            ),
            (
                (
                    "/openai/deployments/x/../gpt4o-east/chat/completions",
                    None,
                    NO_H,
                    None,
                    None,
                ),
                Some("request.path"),
            ),
            (
                (
                    "/openai/deployments/gpt4o-east/chat/completions",
                    None,
                    NO_H,
                    None,
                    Some("us"),
                ),
                Some("request.inference-geo"),
            ),
        ],
    );
}

#[test]
fn bedrock_requests() {
    let arn =
        |region: &str, res: &str| format!("arn%3Aaws%3Abedrock%3A{region}%3A123456789012%3A{res}");
    let p = |id: &str| format!("/model/{id}/converse");
    let paths: Vec<(String, Option<&str>)> = vec![
        (p("anthropic.claude-3-5-sonnet-20240620-v1%3A0"), None),
        (p("amazon.nova-lite-v1:0"), None),
        (p("jp.anthropic.claude-sonnet-4-5-20250929-v1%3A0"), None),
        ("/model/jp.amazon.nova-pro-v1%3A0/invoke".into(), None),
        (
            "/model/jp.amazon.nova-pro-v1%3A0/invoke-with-response-stream".into(),
            None,
        ),
        (
            "/model/jp.amazon.nova-pro-v1%3A0/converse-stream".into(),
            None,
        ),
        (
            p(&arn(
                "ap-northeast-1",
                "inference-profile%2Fjp.anthropic.claude-sonnet-4-5-20250929-v1%3A0",
            )),
            None,
        ),
        (
            p(&arn(
                "ap-northeast-1",
                "foundation-model%2Famazon.nova-lite-v1%3A0",
            )),
            None,
        ),
        (p(&arn("ap-northeast-1", "provisioned-model%2Fabc")), None),
        (
            p(&arn(
                "ap-northeast-1",
                "application-inference-profile%2Fabc123",
            )),
            None,
        ),
        (
            p("apac.anthropic.claude-sonnet-4-20250514-v1%3A0"),
            Some("bedrock.model-id"),
        ),
        (
            p("global.anthropic.claude-sonnet-4-5-20250929-v1%3A0"),
            Some("bedrock.model-id"),
        ),
        (
            p("us.anthropic.claude-3-5-haiku-20241022-v1%3A0"),
            Some("bedrock.model-id"),
        ),
        (p("eu.amazon.nova-lite-v1%3A0"), Some("bedrock.model-id")),
        (p("au.anthropic.claude-x"), Some("bedrock.model-id")),
        (p("jp"), Some("bedrock.model-id")),
        (p("APAC.anthropic.claude"), Some("bedrock.model-id")),
        (p("%61pac.anthropic.claude"), Some("bedrock.model-id")),
        (p("apac.anthropic.claude%253A0"), Some("request.path")),
        (
            p(&arn(
                "ap-northeast-1",
                "inference-profile%2Fapac.anthropic.claude-sonnet-4-20250514-v1%3A0",
            )),
            Some("bedrock.model-id"),
        ),
        (
            p(&arn(
                "ap-northeast-1",
                "inference-profile%2Fglobal.anthropic.claude",
            )),
            Some("bedrock.model-id"),
        ),
        (
            p(&arn(
                "ap-northeast-3",
                "inference-profile%2Fjp.anthropic.claude",
            )),
            Some("bedrock.arn"),
        ),
        (
            p(&arn(
                "us-east-1",
                "foundation-model%2Famazon.nova-lite-v1%3A0",
            )),
            Some("bedrock.arn"),
        ),
        (
            p(&arn(
                "ap-northeast-1",
                "application-inference-profile%2Fother",
            )),
            Some("bedrock.application-profile"),
        ),
        (
            p(&arn("ap-northeast-1", "prompt%2Fabc")),
            Some("bedrock.arn"),
        ),
        (
            p("arn%3Aaws-cn%3Abedrock%3Aap-northeast-1%3A1%3Afoundation-model%2Famazon.x"),
            Some("bedrock.arn"),
        ),
        (
            "/model/arn:aws:bedrock:ap-northeast-1:1:inference-profile/jp.x/converse".into(),
            Some("bedrock.route"),
        ),
        (
            "/model/jp.amazon.nova-pro-v1%3A0/delete".into(),
            Some("bedrock.route"),
        ),
        ("/guardrail/abc/apply".into(), Some("bedrock.route")),
    ];
    let decl = bedrock(BR1);
    let cases: Vec<(Req<'_>, Option<&str>)> = paths
        .iter()
        .map(|(path, want)| ((path.as_str(), None, NO_H, None, None), *want))
        .collect();
    request_table(&decl, &cases);
    request_table(
        &decl,
        &[
            (
                (
                    "/openai/v1/chat/completions",
                    None,
                    NO_H,
                    Some("jp.anthropic.claude-x"),
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/v1/chat/completions",
                    None,
                    NO_H,
                    Some("openai.gpt-oss-120b-1:0"),
                    None,
                ),
                None,
            ),
            (
                (
                    "/openai/v1/chat/completions",
                    None,
                    NO_H,
                    Some("global.anthropic.claude-x"),
                    None,
                ),
                Some("bedrock.model-id"),
            ),
            (
                ("/openai/v1/chat/completions", None, NO_H, None, None),
                Some("bedrock.model-id"),
            ),
            (
                (
                    "/model/jp.anthropic.claude-x/invoke",
                    None,
                    NO_H,
                    None,
                    Some("global"),
                ),
                Some("request.inference-geo"),
            ),
        ],
    );
    // Osaka: an ARN of Osaka is in-region there, one of Tokyo is not.
    let osaka = UpstreamDecl::new(Provider::Bedrock, BR3);
    let tokyo_arn = p(&arn(
        "ap-northeast-1",
        "foundation-model%2Famazon.nova-lite-v1%3A0",
    ));
    let osaka_arn = p(&arn(
        "ap-northeast-3",
        "foundation-model%2Famazon.nova-lite-v1%3A0",
    ));
    request_table(
        &osaka,
        &[
            ((osaka_arn.as_str(), None, NO_H, None, None), None),
            (
                (tokyo_arn.as_str(), None, NO_H, None, None),
                Some("bedrock.arn"),
            ),
        ],
    );
}

#[test]
fn bedrock_guardrails_must_be_verified() {
    let decl = UpstreamDecl {
        bedrock_verified_guardrails: vec!["gr-tokyo01".into()],
        ..UpstreamDecl::new(Provider::Bedrock, BR1)
    };
    let path = "/model/jp.anthropic.claude-x/converse";
    let cases: &[(Headers<'_>, Option<&str>, Option<&str>)] = &[
        (NO_H, None, None),
        (
            &[("X-Amzn-Bedrock-GuardrailIdentifier", "gr-tokyo01")],
            None,
            None,
        ),
        (NO_H, Some("gr-tokyo01"), None),
        (
            &[("x-amzn-bedrock-guardrailidentifier", "gr-apac")],
            None,
            Some("bedrock.guardrail"),
        ),
        (NO_H, Some("apac.guardrail.v1:0"), Some("bedrock.guardrail")),
    ];
    for (headers, body, want) in cases {
        let req = RequestView {
            headers,
            guardrail: *body,
            ..RequestView::new(path)
        };
        assert_eq!(
            check_request(&decl, &req).err().map(|v| v.rule),
            *want,
            "{headers:?} {body:?}"
        );
    }
    let misplaced = UpstreamDecl {
        bedrock_verified_guardrails: vec!["gr".into()],
        ..UpstreamDecl::new(Provider::Vertex, VX)
    };
    assert_eq!(
        check_upstream(&misplaced).unwrap_err().rule,
        "declaration.fields"
    );
}

#[test]
fn vertex_requests() {
    let decl = UpstreamDecl::new(Provider::Vertex, VX);
    request_table(
        &decl,
        &[
            ((VX_PATH, None, NO_H, None, None), None),
            (("/v1beta1/projects/city/locations/asia-northeast1/publishers/google/models/gemini-2.0-flash:streamGenerateContent", Some("alt=sse"), NO_H, None, None), None),
            (("/v1/projects/city/locations/asia-northeast1/endpoints/openapi/chat/completions", None, NO_H, Some("google/gemini-2.0-flash"), None), None),
            (("/v1/projects/city/locations/global/publishers/google/models/gemini-2.0-flash:generateContent", None, NO_H, None, None), Some("vertex.location")),
            (("/v1/projects/city/locations/asia-northeast2/publishers/google/models/m:generateContent", None, NO_H, None, None), Some("vertex.location")),
            (("/v1/projects/city/locations/us/publishers/google/models/m:generateContent", None, NO_H, None, None), Some("vertex.location")),
            (("/v1/projects/city/locations/ASIA-NORTHEAST1/publishers/google/models/m:generateContent", None, NO_H, None, None), Some("vertex.location")),
            (("/v1/publishers/google/models/gemini-2.0-flash:generateContent", None, NO_H, None, None), Some("vertex.location")),
            ((VX_PATH, Some("key=AIza-example"), NO_H, None, None), Some("vertex.express-mode")),
            ((VX_PATH, None, &[("X-Goog-Api-Key", "k")], None, None), Some("vertex.express-mode")),
            (("/v1/projects/city/locations/asia-northeast1/publishers/anthropic/models/claude-sonnet-4:rawPredict", None, NO_H, None, None), Some("vertex.partner-model")),
            (("/v1/projects/city/locations/asia-northeast1/endpoints/openapi/chat/completions", None, NO_H, Some("meta/llama-3"), None), Some("vertex.partner-model")),
            (("/v1/projects/city/locations/asia-northeast1/Publishers/anthropic/models/claude:rawPredict", None, NO_H, None, None), Some("vertex.partner-model")),
            (("/v1/projects/city/locations/asia-northeast1/publishers/Google/models/m:generateContent", None, NO_H, None, None), Some("vertex.partner-model")),
            (("/v1/projects/city/locations/asia%2Dnortheast1/publishers/google/models/m:generateContent", None, NO_H, None, None), None),
            (("/v1/projects/city/locations/asia-northeast1%2Fx/publishers/google/models/m:generateContent", None, NO_H, None, None), Some("request.path")),
        ],
    );
}

#[test]
fn domestic_and_on_premises_requests() {
    let sakura = with_residency(
        Provider::Domestic,
        "https://api.ai.sakura.ad.jp/v1",
        "jp-contract",
    );
    let local = with_residency(Provider::OnPremises, "http://10.0.0.5:8000", "on-premises");
    for decl in [&sakura, &local] {
        request_table(
            decl,
            &[
                (
                    ("/v1/chat/completions", None, NO_H, Some("any-model"), None),
                    None,
                ),
                (
                    ("/v1//chat/completions", None, NO_H, None, None),
                    Some("request.path"),
                ),
                (
                    ("/v1/chat/completions", None, NO_H, None, Some("global")),
                    Some("request.inference-geo"),
                ),
            ],
        );
    }
}

#[test]
fn requests_to_refused_or_broken_upstreams_are_refused() {
    let req = RequestView::new("/v1/chat/completions");
    let cases = [
        (
            UpstreamDecl::new(Provider::OpenAi, "https://jp.api.openai.com/v1"),
            "deny.openai",
        ),
        (
            UpstreamDecl::new(Provider::Anthropic, "https://api.anthropic.com"),
            "deny.anthropic",
        ),
        (
            UpstreamDecl::new(
                Provider::GeminiDeveloper,
                "https://generativelanguage.googleapis.com",
            ),
            "deny.gemini-developer",
        ),
        (
            azure(AZ, vec![dep("d", "japaneast", "GlobalStandard")]),
            "azure.deployment-type",
        ),
        (
            UpstreamDecl::new(Provider::Vertex, "https://aiplatform.googleapis.com"),
            "vertex.host",
        ),
    ];
    for (decl, rule) in cases {
        assert_eq!(
            check_request(&decl, &req).unwrap_err().rule,
            rule,
            "{decl:?}"
        );
    }
}

#[test]
fn every_rule_is_catalogued_with_source_and_date() {
    let ids: Vec<&str> = catalog().iter().map(|r| r.id).collect();
    for (i, r) in catalog().iter().enumerate() {
        assert!(!ids[..i].contains(&r.id), "duplicate {}", r.id);
        assert!(
            !r.source.is_empty() && !r.summary_ja.is_empty() && !r.summary_en.is_empty(),
            "{}",
            r.id
        );
        assert_eq!(r.reviewed.len(), 10, "{}", r.id);
    }
    // Every rule a check can return is in the catalog (RegionViolation::new also
    // debug-asserts this); spot-check that violations link back to their entry.
    let v = check_upstream(&UpstreamDecl::new(
        Provider::OpenAi,
        "https://api.openai.com",
    ))
    .unwrap_err();
    assert_eq!(
        v.rule_info().map(|r| r.provider),
        Some(Some(Provider::OpenAi))
    );
}

#[test]
fn violations_explain_in_both_languages_without_request_bodies() {
    let decl = bedrock(BR1);
    let long = format!("/model/apac.{}/converse", "x".repeat(500));
    let v = check_request(&decl, &RequestView::new(&long)).unwrap_err();
    assert!(v.ja.contains("apac") && v.en.contains("apac"));
    assert!(!v.fix_ja.is_empty() && !v.fix_en.is_empty());
    assert!(
        v.en.len() < 400,
        "identifiers are shortened: {}",
        v.en.len()
    );
    assert!(v.to_string().starts_with("region rule bedrock.model-id:"));
    assert!(v.message_ja().starts_with("地域規則 bedrock.model-id:"));
}

#[test]
fn azure_type_refusals_say_where_processing_goes() {
    let cases = [
        ("GlobalStandard", "any Azure region"),
        ("DataZoneStandard", "US or EU"),
        ("DeveloperTier", "any region"),
        ("Batch", "not known"),
    ];
    for (ty, why) in cases {
        let v = check_upstream(&azure(AZ, vec![dep("d", "japaneast", ty)])).unwrap_err();
        assert!(v.en.contains(why), "{ty}: {}", v.en);
        assert!(!v.ja.is_empty());
    }
}

#[test]
fn declarations_read_from_toml() {
    let decl: UpstreamDecl = toml::from_str(
        r#"
        provider = "azure_openai"
        base_url = "https://city-ai.openai.azure.com"
        azure_deployments = [{ name = "gpt4o-east", region = "japaneast", deployment_type = "Standard" }]
        "#,
    )
    .expect("valid declaration");
    assert!(check_upstream(&decl).is_ok());
    let unknown = toml::from_str::<UpstreamDecl>(
        "provider = \"azure_openai\"\nbase_url = \"x\"\nregion = \"jp\"",
    );
    assert!(unknown.is_err(), "unknown keys are refused");
}
