//! Region guard: forward only to upstreams that process data in Japan.
//!
//! Pure and table-driven (no HTTP, no DNS, no clock): the gateway calls
//! [`check_upstream`] for every upstream when it loads its configuration, and
//! [`check_request`] for every request before forwarding it. Both fail closed: what a
//! rule cannot show to stay in Japan is refused with a [`RegionViolation`] that names
//! the rule, explains it in Japanese and English and says how to fix the request or
//! the configuration. Nothing is ever rewritten silently.
//!
//! The rules and their sources are listed by [`catalog`] so an administrator can
//! review them:
//!
//! | provider | allowed | refused |
//! |---|---|---|
//! | Azure OpenAI / Foundry | declared (host, deployment) pairs in japaneast/japanwest, type Standard or ProvisionedManaged | Global*, DataZone*, Developer; undeclared deployments; `x-ms-spillover-deployment` |
//! | AWS Bedrock | `bedrock-runtime.ap-northeast-{1,3}.amazonaws.com`; bare model ids, `jp.` profiles, ARNs of the host's region; verified application profiles and guardrails | `apac.`, `global.`, `us.`, `eu.` and other prefixes; other regions; unverified application profiles or guardrails |
//! | Google Vertex AI | host `asia-northeast1-aiplatform.googleapis.com` and path `/locations/asia-northeast1/` | `global`, multi-regions, `asia-northeast2`, express mode (`key=`), partner models |
//! | OpenAI, Anthropic, Gemini Developer API | — | everything |
//! | domestic (Sakura AI Engine, PLaMo) | exact host with `residency = "jp-contract"` | anything else |
//! | on-premises | loopback/private literals, `localhost`, `residency = "on-premises"` | public hosts |
//!
//! ```
//! use sekimori::region::{check_request, check_upstream, Provider, RequestView, UpstreamDecl};
//! let decl = UpstreamDecl::new(Provider::Bedrock, "https://bedrock-runtime.ap-northeast-1.amazonaws.com");
//! assert!(check_upstream(&decl).is_ok());
//! let req = RequestView::new("/model/apac.anthropic.claude-sonnet-4-20250514-v1%3A0/converse");
//! let err = check_request(&decl, &req).unwrap_err();
//! assert_eq!(err.rule, "bedrock.model-id");
//! ```

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

mod catalog;
mod url;

pub use catalog::RuleInfo;

use url::{has_query_param, parse_base_url, path_segments, percent_decode_once, BaseUrl};

/// The kind of upstream an administrator declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provider {
    /// Azure OpenAI / Azure AI Foundry (`azure_openai`).
    #[serde(rename = "azure_openai")]
    AzureOpenAi,
    /// AWS Bedrock runtime (`bedrock`).
    #[serde(rename = "bedrock")]
    Bedrock,
    /// Google Vertex AI (`vertex`).
    #[serde(rename = "vertex")]
    Vertex,
    /// OpenAI API (`openai`): always refused.
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic API (`anthropic`): always refused.
    #[serde(rename = "anthropic")]
    Anthropic,
    /// Gemini Developer API (`gemini_developer`): always refused.
    #[serde(rename = "gemini_developer")]
    GeminiDeveloper,
    /// A domestic OpenAI-compatible provider with a Japan processing contract (`domestic`).
    #[serde(rename = "domestic")]
    Domestic,
    /// A model server on the municipality's own network (`on_premises`).
    #[serde(rename = "on_premises")]
    OnPremises,
}

impl Provider {
    /// The configuration name (`azure_openai`, `bedrock`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::AzureOpenAi => "azure_openai",
            Provider::Bedrock => "bedrock",
            Provider::Vertex => "vertex",
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
            Provider::GeminiDeveloper => "gemini_developer",
            Provider::Domestic => "domestic",
            Provider::OnPremises => "on_premises",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Azure deployment as the administrator verified it (ARM GET of the account and
/// its deployments: `location`, `sku.name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureDeployment {
    /// Deployment name as used in `/openai/deployments/{name}/` or body `model`.
    pub name: String,
    /// The resource's ARM location (`japaneast`, `japanwest`).
    pub region: String,
    /// The deployment SKU (`Standard`, `ProvisionedManaged`, `GlobalStandard`, …).
    pub deployment_type: String,
}

/// An upstream as declared in the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamDecl {
    /// Which provider (decides the rules).
    pub provider: Provider,
    /// `https://host[:port][/path]` the gateway forwards to.
    pub base_url: String,
    /// `"jp-contract"` for domestic providers, `"on-premises"` for on-premises; absent
    /// for the others.
    #[serde(default)]
    pub residency: Option<String>,
    /// Azure only: the verified deployments of this resource.
    #[serde(default)]
    pub azure_deployments: Vec<AzureDeployment>,
    /// Bedrock only: application-inference-profile ARNs whose every model region was
    /// verified to be in Japan (`GetInferenceProfile`).
    #[serde(default)]
    pub bedrock_verified_profiles: Vec<String>,
    /// Bedrock only: guardrail identifiers (id or ARN) verified to evaluate in Japan
    /// (no `apac.`/`global.` cross-region guardrail profile).
    #[serde(default)]
    pub bedrock_verified_guardrails: Vec<String>,
}

impl UpstreamDecl {
    /// A declaration with no residency and no provider-specific lists.
    pub fn new(provider: Provider, base_url: impl Into<String>) -> Self {
        UpstreamDecl {
            provider,
            base_url: base_url.into(),
            residency: None,
            azure_deployments: Vec::new(),
            bedrock_verified_profiles: Vec::new(),
            bedrock_verified_guardrails: Vec::new(),
        }
    }
}

/// What [`check_request`] needs to know about one request (the caller has parsed the
/// body; prompt text is not needed and never looked at).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestView<'a> {
    /// The request path as it will be sent upstream (still percent-encoded).
    pub path: &'a str,
    /// The query string without `?`, if any.
    pub query: Option<&'a str>,
    /// Request headers (names in any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// The body's top-level `model` field, if any.
    pub model: Option<&'a str>,
    /// The body's top-level `inference_geo` field (Anthropic Messages), if any.
    pub inference_geo: Option<&'a str>,
    /// The body's guardrail identifier (Bedrock `guardrailConfig.guardrailIdentifier`
    /// or `amazon-bedrock-guardrailConfig`), if any.
    pub guardrail: Option<&'a str>,
}

impl<'a> RequestView<'a> {
    /// A view of a request with only a path.
    pub fn new(path: &'a str) -> Self {
        RequestView {
            path,
            ..RequestView::default()
        }
    }
}

/// A refused upstream or request. Carries no prompt text; identifiers taken from the
/// request (model, deployment) are shortened and quoted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("region rule {rule}: {en} Fix: {fix_en}")]
pub struct RegionViolation {
    /// The [`RuleInfo::id`] of the rule that refused.
    pub rule: &'static str,
    /// What is wrong, in Japanese.
    pub ja: String,
    /// What is wrong, in English.
    pub en: String,
    /// How to fix it, in Japanese.
    pub fix_ja: String,
    /// How to fix it, in English.
    pub fix_en: String,
}

impl RegionViolation {
    fn new(
        rule: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
        fix_ja: impl Into<String>,
        fix_en: impl Into<String>,
    ) -> Self {
        debug_assert!(catalog::rule(rule).is_some(), "rule {rule} not in catalog");
        RegionViolation {
            rule,
            ja: ja.into(),
            en: en.into(),
            fix_ja: fix_ja.into(),
            fix_en: fix_en.into(),
        }
    }

    /// The catalog entry of the rule (source and review date).
    pub fn rule_info(&self) -> Option<&'static RuleInfo> {
        catalog::rule(self.rule)
    }

    /// The message in Japanese, for staff-facing error bodies.
    pub fn message_ja(&self) -> String {
        format!("地域規則 {}: {} 対処: {}", self.rule, self.ja, self.fix_ja)
    }
}

/// Every rule the guard enforces, with its source and review date.
pub fn catalog() -> &'static [RuleInfo] {
    catalog::RULES
}

/// Azure resource host suffixes (the region is not in the hostname).
pub const AZURE_HOST_SUFFIXES: &[&str] = &[
    ".openai.azure.com",
    ".cognitiveservices.azure.com",
    ".services.ai.azure.com",
];
/// Azure ARM locations in Japan.
pub const AZURE_REGIONS: &[&str] = &["japaneast", "japanwest"];
/// Azure deployment types whose processing stays in the resource's region.
pub const AZURE_DEPLOYMENT_TYPES: &[&str] = &["Standard", "ProvisionedManaged"];
/// Refused Azure deployment-type families (lower-case prefix) and why, in Japanese
/// and English.
const AZURE_REFUSED_TYPES: &[(&str, &str, &str)] = &[
    (
        "global",
        "Global 系デプロイは任意の Azure リージョンで処理され得ます",
        "Global deployments may process in any Azure region",
    ),
    (
        "datazone",
        "DataZone 系デプロイは米国または EU のデータゾーンで処理されます（日本のゾーンはありません）",
        "DataZone deployments process in the US or EU data zone (there is no Japan zone)",
    ),
    (
        "developer",
        "Developer デプロイは任意のリージョンで処理され得ます",
        "Developer deployments may process in any region",
    ),
];
/// Bedrock runtime hosts in Japan and their regions.
pub const BEDROCK_HOSTS: &[(&str, &str)] = &[
    (
        "bedrock-runtime.ap-northeast-1.amazonaws.com",
        "ap-northeast-1",
    ),
    (
        "bedrock-runtime.ap-northeast-3.amazonaws.com",
        "ap-northeast-3",
    ),
];
/// Bedrock operations accepted on `/model/{modelId}/…`.
pub const BEDROCK_OPERATIONS: &[&str] = &[
    "invoke",
    "invoke-with-response-stream",
    "converse",
    "converse-stream",
];
/// First components of bare Bedrock model ids (`anthropic.claude-…`): the model
/// providers. Any other first component is treated as a routing prefix and refused
/// unless it is `jp`. Extend when Bedrock adds a model provider.
pub const BEDROCK_MODEL_PROVIDERS: &[&str] = &[
    "ai21",
    "amazon",
    "anthropic",
    "cohere",
    "deepseek",
    "google",
    "luma",
    "meta",
    "minimax",
    "mistral",
    "moonshot",
    "moonshotai",
    "nvidia",
    "openai",
    "qwen",
    "stability",
    "twelvelabs",
    "writer",
];
/// The only Vertex AI location whose ML processing is listed in Japan.
pub const VERTEX_LOCATION: &str = "asia-northeast1";
/// The Vertex AI host for [`VERTEX_LOCATION`].
pub const VERTEX_HOST: &str = "asia-northeast1-aiplatform.googleapis.com";
/// Domestic providers' exact hosts.
pub const DOMESTIC_HOSTS: &[&str] = &["api.ai.sakura.ad.jp", "api.platform.preferredai.jp"];
/// `residency` value required for domestic providers.
pub const RESIDENCY_JP_CONTRACT: &str = "jp-contract";
/// `residency` value required for on-premises upstreams.
pub const RESIDENCY_ON_PREMISES: &str = "on-premises";

/// Checks a declared upstream (at configuration load; [`check_request`] repeats it).
pub fn check_upstream(decl: &UpstreamDecl) -> Result<(), RegionViolation> {
    check_declared(decl).map(|_| ())
}

/// Checks one request to a declared upstream, before it is forwarded.
pub fn check_request(decl: &UpstreamDecl, req: &RequestView<'_>) -> Result<(), RegionViolation> {
    let url = check_declared(decl)?;
    if req.inference_geo.is_some() {
        return Err(RegionViolation::new(
            "request.inference-geo",
            "リクエストに inference_geo が指定されています。指定できる値（global, us）はいずれも日本国外で処理されます。",
            "The request sets inference_geo; its values (global, us) all process outside Japan.",
            "リクエスト本文から inference_geo を削除してください。",
            "Remove inference_geo from the request body.",
        ));
    }
    let segments = decoded_segments(req.path, decl.provider == Provider::Bedrock)?;
    match decl.provider {
        Provider::AzureOpenAi => check_azure_request(decl, req, &segments),
        Provider::Bedrock => check_bedrock_request(decl, &url, req, &segments),
        Provider::Vertex => check_vertex_request(req, &segments),
        Provider::Domestic | Provider::OnPremises => Ok(()),
        // Refused by check_declared already; kept explicit so a new variant must be handled.
        Provider::OpenAi | Provider::Anthropic | Provider::GeminiDeveloper => {
            Err(denied_provider(decl.provider, &url))
        }
    }
}

/// All load-time checks; returns the parsed base URL.
fn check_declared(decl: &UpstreamDecl) -> Result<BaseUrl, RegionViolation> {
    let url = parse_base_url(&decl.base_url).map_err(|why| {
        RegionViolation::new(
            "url.syntax",
            format!("上流 base_url を読み取れません（{why}）。"),
            format!("The upstream base_url cannot be read: {why}."),
            "base_url を https://ホスト名[:ポート][/パス] の形で書いてください。",
            "Write base_url as https://host[:port][/path].",
        )
    })?;
    check_fields(decl)?;
    match decl.provider {
        Provider::OpenAi | Provider::Anthropic | Provider::GeminiDeveloper => {
            return Err(denied_provider(decl.provider, &url))
        }
        Provider::OnPremises => {}
        _ if url.scheme != "https" => {
            return Err(RegionViolation::new(
                "transport.https",
                format!("上流 {} は https ではありません。", url.host),
                format!("Upstream {} is not https.", url.host),
                "base_url を https:// で始めてください（http はオンプレミスのみ）。",
                "Use an https:// base_url (http is only for on-premises upstreams).",
            ))
        }
        _ => {}
    }
    match decl.provider {
        Provider::AzureOpenAi => check_azure_upstream(decl, &url)?,
        Provider::Bedrock => check_bedrock_upstream(decl, &url)?,
        Provider::Vertex => check_vertex_upstream(&url)?,
        Provider::Domestic => check_domestic_upstream(&url)?,
        Provider::OnPremises => check_on_premises_upstream(&url)?,
        Provider::OpenAi | Provider::Anthropic | Provider::GeminiDeveloper => {}
    }
    Ok(url)
}

/// `residency` and the provider-specific lists only where they apply.
fn check_fields(decl: &UpstreamDecl) -> Result<(), RegionViolation> {
    let expected = match decl.provider {
        Provider::Domestic => Some(RESIDENCY_JP_CONTRACT),
        Provider::OnPremises => Some(RESIDENCY_ON_PREMISES),
        _ => None,
    };
    let p = decl.provider.as_str();
    match (decl.residency.as_deref(), expected) {
        (None, None) => {}
        (Some(r), Some(e)) if r == e => {}
        (Some(_), None) => {
            return Err(RegionViolation::new(
                "declaration.fields",
                format!("provider = \"{p}\" の上流に residency が指定されています。この事業者の処理地域は規則で判定します。"),
                format!("An upstream with provider = \"{p}\" declares residency; for this provider the rules decide the processing region."),
                "residency を削除してください。",
                "Remove residency.",
            ))
        }
        (_, Some(e)) => {
            return Err(RegionViolation::new(
                "declaration.fields",
                format!("provider = \"{p}\" の上流には residency = \"{e}\" の宣言が必要です。"),
                format!("An upstream with provider = \"{p}\" must declare residency = \"{e}\"."),
                format!("契約等で日本国内での処理を確認したうえで residency = \"{e}\" を指定してください。"),
                format!("Confirm processing in Japan (contract, own network), then set residency = \"{e}\"."),
            ))
        }
    }
    if decl.provider != Provider::AzureOpenAi && !decl.azure_deployments.is_empty() {
        return Err(misplaced_list("azure_deployments", p));
    }
    if decl.provider != Provider::Bedrock && !decl.bedrock_verified_profiles.is_empty() {
        return Err(misplaced_list("bedrock_verified_profiles", p));
    }
    if decl.provider != Provider::Bedrock && !decl.bedrock_verified_guardrails.is_empty() {
        return Err(misplaced_list("bedrock_verified_guardrails", p));
    }
    Ok(())
}

fn misplaced_list(field: &str, provider: &str) -> RegionViolation {
    RegionViolation::new(
        "declaration.fields",
        format!("{field} は provider = \"{provider}\" の上流には使えません。"),
        format!("{field} does not apply to an upstream with provider = \"{provider}\"."),
        format!("{field} を削除するか provider を直してください。"),
        format!("Remove {field} or correct the provider."),
    )
}

fn denied_provider(provider: Provider, url: &BaseUrl) -> RegionViolation {
    match provider {
        Provider::OpenAi => {
            let (ja, en) = if url.host.starts_with("jp.") {
                (
                    "OpenAI API は日本での処理を提供していません。jp.api.openai.com はデータの保存先が日本になるだけで、処理は国外で行われる可能性があります。",
                    "The OpenAI API offers no processing in Japan: jp.api.openai.com only stores data in Japan and may process it abroad.",
                )
            } else {
                (
                    "OpenAI API は日本での処理を提供していません。",
                    "The OpenAI API offers no processing in Japan.",
                )
            };
            RegionViolation::new(
                "deny.openai",
                ja,
                en,
                "Azure OpenAI の japaneast / japanwest の Standard デプロイなど、日本で処理する上流を使ってください。",
                "Use an upstream that processes in Japan, e.g. an Azure OpenAI Standard deployment in japaneast/japanwest.",
            )
        }
        Provider::Anthropic => RegionViolation::new(
            "deny.anthropic",
            "Anthropic API の処理地域（inference_geo）は global と us のみで、日本を指定できません。",
            "The Anthropic API processes only in global or us (inference_geo); Japan cannot be chosen.",
            "日本で処理する上流（Bedrock の jp. 推論プロファイル等）を使ってください。",
            "Use an upstream that processes in Japan (e.g. a Bedrock jp. inference profile).",
        ),
        _ => RegionViolation::new(
            "deny.gemini-developer",
            "Gemini Developer API は地域を指定できず、グローバルのどこでも処理されます。",
            "The Gemini Developer API has no region: requests are served anywhere in the global pool.",
            "Vertex AI の asia-northeast1 を使ってください。",
            "Use Vertex AI in asia-northeast1.",
        ),
    }
}

fn check_azure_upstream(decl: &UpstreamDecl, url: &BaseUrl) -> Result<(), RegionViolation> {
    let host_ok = url.ip.is_none()
        && AZURE_HOST_SUFFIXES.iter().any(|s| {
            url.host
                .strip_suffix(s)
                .is_some_and(|res| !res.is_empty() && !res.contains('.'))
        });
    if !host_ok {
        return Err(RegionViolation::new(
            "azure.host",
            format!("{} は Azure OpenAI / Foundry のリソースホストではありません。", url.host),
            format!("{} is not an Azure OpenAI / Foundry resource host.", url.host),
            "{リソース名}.openai.azure.com / .cognitiveservices.azure.com / .services.ai.azure.com を指定してください。",
            "Use {resource}.openai.azure.com, .cognitiveservices.azure.com or .services.ai.azure.com.",
        ));
    }
    if decl.azure_deployments.is_empty() {
        return Err(RegionViolation::new(
            "azure.deployment-declared",
            format!("{} にデプロイが宣言されていません。Azure ではホスト名から処理地域が分かりません。", url.host),
            format!("No deployment is declared for {}; an Azure hostname does not show the processing region.", url.host),
            "ARM で確認したデプロイを azure_deployments に (name, region, deployment_type) で列挙してください。",
            "List the deployments verified in ARM under azure_deployments as (name, region, deployment_type).",
        ));
    }
    for (i, d) in decl.azure_deployments.iter().enumerate() {
        let name = shown(&d.name);
        if d.name.is_empty()
            || !d
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            || decl.azure_deployments[..i]
                .iter()
                .any(|e| e.name.eq_ignore_ascii_case(&d.name))
        {
            return Err(RegionViolation::new(
                "azure.deployment-declared",
                format!("デプロイ名 {name} が空・重複・または使えない文字を含みます。"),
                format!("Deployment name {name} is empty, duplicated or has characters other than letters, digits, '-', '_', '.'."),
                "Azure 上のデプロイ名をそのまま一度だけ書いてください。",
                "Write each Azure deployment name exactly once, as Azure shows it.",
            ));
        }
        if !AZURE_REGIONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&d.region))
        {
            return Err(RegionViolation::new(
                "azure.region",
                format!(
                    "デプロイ {name} のリージョン {} は日本ではありません。",
                    shown(&d.region)
                ),
                format!(
                    "Deployment {name} is in region {}, not in Japan.",
                    shown(&d.region)
                ),
                "japaneast または japanwest のリソースのデプロイを使ってください。",
                "Use a deployment of a resource in japaneast or japanwest.",
            ));
        }
        if !AZURE_DEPLOYMENT_TYPES
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&d.deployment_type))
        {
            let t = d.deployment_type.to_ascii_lowercase();
            let (why_ja, why_en) = AZURE_REFUSED_TYPES
                .iter()
                .find(|(prefix, _, _)| t.starts_with(prefix))
                .map_or(
                    (
                        "この種別はリソースのリージョン内で処理されることが確認されていません",
                        "this deployment type is not known to keep processing in the resource's region",
                    ),
                    |&(_, ja, en)| (ja, en),
                );
            return Err(RegionViolation::new(
                "azure.deployment-type",
                format!(
                    "デプロイ {name} の種別 {}: {why_ja}。",
                    shown(&d.deployment_type)
                ),
                format!(
                    "Deployment {name} has type {}: {why_en}.",
                    shown(&d.deployment_type)
                ),
                "種別 Standard または ProvisionedManaged のデプロイを作成して宣言してください。",
                "Create and declare a deployment of type Standard or ProvisionedManaged.",
            ));
        }
    }
    Ok(())
}

fn check_azure_request(
    decl: &UpstreamDecl,
    req: &RequestView<'_>,
    segs: &[String],
) -> Result<(), RegionViolation> {
    if header(req, "x-ms-spillover-deployment").is_some() {
        return Err(RegionViolation::new(
            "azure.spillover",
            "x-ms-spillover-deployment ヘッダーが指定されています。溢れた要求は Global デプロイなど国外で処理され得ます。",
            "The request sets x-ms-spillover-deployment; spilled requests may be processed abroad (e.g. by a Global deployment).",
            "x-ms-spillover-deployment ヘッダーを外してください。",
            "Remove the x-ms-spillover-deployment header.",
        ));
    }
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let deployment = match lower.as_slice() {
        ["openai", "deployments", _, _, ..] => segs[2].as_str(),
        ["openai", "v1", _, ..] | ["openai", "responses"] | ["models", _, ..] => req.model.ok_or_else(|| {
            RegionViolation::new(
                "azure.deployment-declared",
                "このパスではデプロイを本文の model で指定する必要がありますが、model がありません。",
                "This route names the deployment in the body field model, which is missing.",
                "本文の model に宣言済みのデプロイ名を指定してください。",
                "Set the body field model to a declared deployment name.",
            )
        })?,
        _ => {
            return Err(RegionViolation::new(
                "azure.deployment-declared",
                "このパスからはデプロイを特定できません（/openai/deployments/{デプロイ}/…、/openai/v1/… または /openai/responses のみ）。",
                "The deployment cannot be determined from this path (only /openai/deployments/{deployment}/…, /openai/v1/… or /openai/responses).",
                "推論用のパスを使ってください。",
                "Use an inference route.",
            ))
        }
    };
    if decl
        .azure_deployments
        .iter()
        .any(|d| d.name.eq_ignore_ascii_case(deployment))
    {
        Ok(())
    } else {
        let d = shown(deployment);
        Err(RegionViolation::new(
            "azure.deployment-declared",
            format!("デプロイ {d} はこの上流に宣言されていません（名前からは処理地域が分かりません）。"),
            format!("Deployment {d} is not declared for this upstream (a name does not show the processing region)."),
            "宣言済みのデプロイを使うか、ARM で地域と種別を確認して azure_deployments に追加してください。",
            "Use a declared deployment, or verify its region and type in ARM and add it to azure_deployments.",
        ))
    }
}

fn check_bedrock_upstream(decl: &UpstreamDecl, url: &BaseUrl) -> Result<(), RegionViolation> {
    let region = bedrock_region(url).ok_or_else(|| {
        RegionViolation::new(
            "bedrock.host",
            format!("{} は東京・大阪の Bedrock ランタイムではありません。", url.host),
            format!("{} is not the Tokyo or Osaka Bedrock runtime.", url.host),
            "bedrock-runtime.ap-northeast-1.amazonaws.com（東京）または bedrock-runtime.ap-northeast-3.amazonaws.com（大阪）を指定してください。",
            "Use bedrock-runtime.ap-northeast-1.amazonaws.com (Tokyo) or bedrock-runtime.ap-northeast-3.amazonaws.com (Osaka).",
        )
    })?;
    for arn in &decl.bedrock_verified_profiles {
        match parse_bedrock_arn(arn) {
            Some(a) if a.resource == "application-inference-profile" && a.region == region => {}
            _ => {
                return Err(RegionViolation::new(
                    "bedrock.application-profile",
                    format!("bedrock_verified_profiles の {} は {region} のアプリケーション推論プロファイル ARN ではありません。", shown(arn)),
                    format!("{} in bedrock_verified_profiles is not an application-inference-profile ARN of {region}.", shown(arn)),
                    "arn:aws:bedrock:{ホストのリージョン}:{アカウント}:application-inference-profile/{ID} の形で書いてください。",
                    "Write arn:aws:bedrock:{host region}:{account}:application-inference-profile/{id}.",
                ))
            }
        }
    }
    Ok(())
}

fn bedrock_region(url: &BaseUrl) -> Option<&'static str> {
    BEDROCK_HOSTS
        .iter()
        .find(|(h, _)| *h == url.host)
        .map(|&(_, r)| r)
}

fn check_bedrock_request(
    decl: &UpstreamDecl,
    url: &BaseUrl,
    req: &RequestView<'_>,
    segs: &[String],
) -> Result<(), RegionViolation> {
    let region = bedrock_region(url).unwrap_or_default();
    let model = match segs {
        [m, id, op] if m == "model" && BEDROCK_OPERATIONS.contains(&op.as_str()) => id.as_str(),
        [o, v, _, ..] if o == "openai" && v == "v1" => req.model.unwrap_or_default(),
        _ => {
            return Err(RegionViolation::new(
                "bedrock.route",
                "Bedrock の推論パスではありません（ARN の / は %2F に符号化してください）。",
                "This is not a Bedrock inference route (encode '/' in an ARN as %2F).",
                "/model/{modelId}/invoke|invoke-with-response-stream|converse|converse-stream か /openai/v1/… を使ってください。",
                "Use /model/{modelId}/invoke|invoke-with-response-stream|converse|converse-stream or /openai/v1/….",
            ))
        }
    };
    check_bedrock_model(model, region, &decl.bedrock_verified_profiles)?;
    let guardrails = [
        header(req, "x-amzn-bedrock-guardrailidentifier"),
        req.guardrail,
    ];
    for g in guardrails.into_iter().flatten() {
        if !decl.bedrock_verified_guardrails.iter().any(|v| v == g) {
            let g = shown(g);
            return Err(RegionViolation::new(
                "bedrock.guardrail",
                format!("ガードレール {g} は検証済みとして宣言されていません（クロスリージョンのガードレールは国外で評価され得ます）。"),
                format!("Guardrail {g} is not declared as verified (a cross-region guardrail may evaluate abroad)."),
                "ガードレールが apac. 等のクロスリージョン設定を使っていないことを確認し、bedrock_verified_guardrails に追加するか、指定を外してください。",
                "Check that the guardrail uses no cross-region profile (apac., …), then add it to bedrock_verified_guardrails, or drop it from the request.",
            ));
        }
    }
    Ok(())
}

/// The parts of `arn:aws:bedrock:{region}:{account}:{resource}/{id}`.
struct BedrockArn<'a> {
    region: &'a str,
    resource: &'a str,
    id: &'a str,
}

fn parse_bedrock_arn(arn: &str) -> Option<BedrockArn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (scheme, partition, service, region, _account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if scheme != "arn" || partition != "aws" || service != "bedrock" {
        return None;
    }
    let (resource, id) = rest.split_once('/')?;
    (!id.is_empty()).then_some(BedrockArn {
        region,
        resource,
        id,
    })
}

fn check_bedrock_model(
    model: &str,
    region: &str,
    verified: &[String],
) -> Result<(), RegionViolation> {
    let m = shown(model);
    if model.starts_with("arn:") {
        let arn = parse_bedrock_arn(model).filter(|a| a.region == region);
        return match arn {
            Some(a) if a.resource == "foundation-model" => bare_or_jp(a.id, model, false),
            Some(a) if a.resource == "inference-profile" => bare_or_jp(a.id, model, true),
            Some(a) if a.resource == "provisioned-model" => Ok(()),
            Some(a) if a.resource == "application-inference-profile" => {
                if verified.iter().any(|v| v == model) {
                    Ok(())
                } else {
                    Err(RegionViolation::new(
                        "bedrock.application-profile",
                        format!("アプリケーション推論プロファイル {m} は検証済みとして宣言されていません（global. などを包んでいる可能性があります）。"),
                        format!("Application inference profile {m} is not declared as verified (it may wrap a global. profile)."),
                        "GetInferenceProfile で全モデルのリージョンが日本であることを確認し、bedrock_verified_profiles に追加してください。",
                        "Check with GetInferenceProfile that every model region is in Japan, then add it to bedrock_verified_profiles.",
                    ))
                }
            }
            _ => Err(RegionViolation::new(
                "bedrock.arn",
                format!("ARN {m} はこのホストのリージョン {region} の Bedrock モデル・推論プロファイルではありません。"),
                format!("ARN {m} is not a Bedrock model or inference profile of this host's region {region}."),
                format!("arn:aws:bedrock:{region}:… の foundation-model / inference-profile (jp.) / provisioned-model を使ってください。"),
                format!("Use an arn:aws:bedrock:{region}:… foundation-model, inference-profile (jp.) or provisioned-model."),
            )),
        };
    }
    bare_or_jp(model, model, true)
}

/// A bare model id (`anthropic.…`) or, when `profile_ok`, a `jp.` inference profile.
fn bare_or_jp(id: &str, whole: &str, profile_ok: bool) -> Result<(), RegionViolation> {
    let first = id.split('.').next().unwrap_or_default();
    let has_rest = id.len() > first.len() + 1;
    let ok =
        has_rest && ((profile_ok && first == "jp") || BEDROCK_MODEL_PROVIDERS.contains(&first));
    if ok {
        return Ok(());
    }
    let m = shown(whole);
    let (ja, en) = if id.is_empty() {
        (
            "モデル ID が指定されていません。".to_string(),
            "No model id is given.".to_string(),
        )
    } else {
        (
            format!("モデル ID {m} の接頭辞 {} は日本国外へルーティングされ得るか、未知の形式です（apac. はソウル・シンガポール・シドニー等を含みます）。", shown(first)),
            format!("Model id {m} starts with {}, which may route outside Japan or is not a known form (apac. includes Seoul, Singapore, Sydney, …).", shown(first)),
        )
    };
    Err(RegionViolation::new(
        "bedrock.model-id",
        ja,
        en,
        "素のモデル ID（例 anthropic.claude-…）か jp. 推論プロファイル（例 jp.anthropic.claude-…）を指定してください。",
        "Use a bare model id (e.g. anthropic.claude-…) or a jp. inference profile (e.g. jp.anthropic.claude-…).",
    ))
}

fn check_vertex_upstream(url: &BaseUrl) -> Result<(), RegionViolation> {
    if url.host != VERTEX_HOST {
        return Err(RegionViolation::new(
            "vertex.host",
            format!("{} は Vertex AI の asia-northeast1（東京）エンドポイントではありません。global・マルチリージョン・asia-northeast2 では日本での処理が保証されません。", url.host),
            format!("{} is not the Vertex AI asia-northeast1 (Tokyo) endpoint; global, multi-regions and asia-northeast2 do not guarantee processing in Japan.", url.host),
            format!("https://{VERTEX_HOST} を指定してください。"),
            format!("Use https://{VERTEX_HOST}."),
        ));
    }
    let segs: Vec<String> = url
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    check_vertex_location(&segs).map(|_| ())
}

/// Every `locations/{loc}` pair in the path must name [`VERTEX_LOCATION`].
fn check_vertex_location(segs: &[String]) -> Result<bool, RegionViolation> {
    let mut seen = false;
    for pair in segs.windows(2) {
        if pair[0].eq_ignore_ascii_case("locations") {
            seen = true;
            if pair[1] != VERTEX_LOCATION {
                let loc = shown(&pair[1]);
                return Err(RegionViolation::new(
                    "vertex.location",
                    format!("パスのロケーション {loc} は asia-northeast1 ではありません。"),
                    format!("The path location {loc} is not asia-northeast1."),
                    "パスを /locations/asia-northeast1/ にしてください。",
                    "Use /locations/asia-northeast1/ in the path.",
                ));
            }
        }
    }
    Ok(seen)
}

fn check_vertex_request(req: &RequestView<'_>, segs: &[String]) -> Result<(), RegionViolation> {
    if req.query.is_some_and(|q| has_query_param(q, "key"))
        || header(req, "x-goog-api-key").is_some()
    {
        return Err(RegionViolation::new(
            "vertex.express-mode",
            "Vertex AI の Express モード（API キー）はロケーションを指定しないため日本での処理が保証されません。",
            "Vertex AI express mode (API key) has no location, so processing in Japan is not guaranteed.",
            "key= と x-goog-api-key を外し、サービスアカウントの認証で /locations/asia-northeast1/ を使ってください。",
            "Drop key= and x-goog-api-key; authenticate with a service account and use /locations/asia-northeast1/.",
        ));
    }
    let versioned = matches!(segs.first().map(String::as_str), Some("v1" | "v1beta1"));
    if !versioned || !check_vertex_location(segs)? {
        return Err(RegionViolation::new(
            "vertex.location",
            "パスに /v1/projects/{プロジェクト}/locations/asia-northeast1/ がありません。",
            "The path lacks /v1/projects/{project}/locations/asia-northeast1/.",
            "/v1/projects/{プロジェクト}/locations/asia-northeast1/… のパスを使ってください。",
            "Use a /v1/projects/{project}/locations/asia-northeast1/… path.",
        ));
    }
    let publisher = segs
        .windows(2)
        .find(|p| p[0].eq_ignore_ascii_case("publishers"))
        .map(|p| p[1].as_str())
        .or_else(|| {
            // OpenAI-compatible route: body model is "{publisher}/{model}".
            let openapi = segs
                .windows(2)
                .any(|p| p[0] == "endpoints" && p[1] == "openapi");
            if openapi {
                req.model.and_then(|m| m.split_once('/')).map(|(p, _)| p)
            } else {
                None
            }
        });
    match publisher {
        Some(p) if p != "google" => Err(RegionViolation::new(
            "vertex.partner-model",
            format!(
                "パブリッシャー {} のモデルは日本での処理が確認されていません。",
                shown(p)
            ),
            format!(
                "Models of publisher {} are not shown to process in Japan.",
                shown(p)
            ),
            "Google のモデル（publishers/google）を使ってください。",
            "Use a Google model (publishers/google).",
        )),
        _ => Ok(()),
    }
}

fn check_domestic_upstream(url: &BaseUrl) -> Result<(), RegionViolation> {
    if DOMESTIC_HOSTS.contains(&url.host.as_str()) {
        return Ok(());
    }
    Err(RegionViolation::new(
        "domestic.host",
        format!("{} は既知の国内事業者のホストではありません。海外クラウド上の国内モデルは国内扱いになりません。", url.host),
        format!("{} is not a known domestic provider host; a domestic model behind a foreign cloud is not domestic.", url.host),
        format!("次のいずれかを完全一致で指定してください: {}。", DOMESTIC_HOSTS.join(", ")),
        format!("Use one of these exact hosts: {}.", DOMESTIC_HOSTS.join(", ")),
    ))
}

fn check_on_premises_upstream(url: &BaseUrl) -> Result<(), RegionViolation> {
    let ok = match url.ip {
        Some(ip) => is_local_address(ip),
        None => url.host == "localhost",
    };
    if ok {
        return Ok(());
    }
    Err(RegionViolation::new(
        "onprem.address",
        format!("{} はループバックまたはプライベートアドレスではありません（ホスト名は解決しないため確認できません）。", url.host),
        format!("{} is not a loopback or private address (host names are not resolved, so they cannot be verified).", url.host),
        "庁内のモデルサーバーの IP アドレス（10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7）を指定してください。",
        "Use the IP address of the model server on your network (10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7).",
    ))
}

/// Loopback, RFC 1918 private, IPv6 loopback or unique-local (also IPv4-mapped).
fn is_local_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private())
        }
    }
}

/// Splits and decodes the request path once. A `/` produced by decoding is accepted
/// only in a Bedrock model id (ARNs are sent as `%2F`).
fn decoded_segments(path: &str, bedrock: bool) -> Result<Vec<String>, RegionViolation> {
    let bad = |why: &str| {
        RegionViolation::new(
            "request.path",
            format!("リクエストパスを受け付けられません（{why}）。"),
            format!("The request path is refused: {why}."),
            "正規化された、一度だけパーセント符号化したパスを送ってください。",
            "Send a normalised path, percent-encoded once.",
        )
    };
    let raw = path_segments(path).map_err(bad)?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let d = percent_decode_once(s).map_err(bad)?;
        let model_segment = bedrock && i == 1 && raw.first() == Some(&"model");
        if d.contains('/') && !model_segment {
            return Err(bad("an encoded '/' (%2F) outside a Bedrock model id"));
        }
        out.push(d);
    }
    Ok(out)
}

/// The first header named `name` (ASCII case-insensitive).
fn header<'a>(req: &RequestView<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, v)| v)
}

/// An identifier from a request or configuration, quoted and shortened for messages.
fn shown(s: &str) -> String {
    const MAX: usize = 80;
    let cut: String = s.chars().take(MAX).collect();
    if cut.len() < s.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

#[cfg(test)]
mod tests;
