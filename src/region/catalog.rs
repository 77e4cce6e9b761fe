//! The built-in rule catalog: every rule the region guard enforces, with the
//! document it rests on and the date it was last reviewed against that document.
//!
//! Sources are the ones collected in `shared/reference/providers.md` (§1); the review
//! date is when this catalog was last compared with them. Re-check a rule's source
//! before relying on it after that date: provider tables drift.

use super::Provider;

/// One rule of the catalog, for administrators to review (`sekimori check-config`,
/// documentation, audit records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable identifier, also carried by [`super::RegionViolation::rule`].
    pub id: &'static str,
    /// The provider the rule concerns; `None` for rules that apply to every upstream.
    pub provider: Option<Provider>,
    /// What the rule enforces, in Japanese.
    pub summary_ja: &'static str,
    /// What the rule enforces, in English.
    pub summary_en: &'static str,
    /// The published document(s) the rule rests on.
    pub source: &'static str,
    /// When the rule was last reviewed against its source (ISO 8601 date).
    pub reviewed: &'static str,
}

/// Date this catalog was last reviewed against its sources.
const REVIEWED: &str = "2026-11-25";

const AZURE_SRC: &str = "MicrosoftDocs/azure-ai-docs articles/foundry/foundry-models/includes/concepts-deployment-types-content.md; articles/foundry/openai/includes/api-version-lifecycle-content.md (via shared/reference/providers.md §1, §3)";
const BEDROCK_SRC: &str = "docs.aws.amazon.com/bedrock/latest/userguide/{geographic,global}-cross-region-inference.html, inference-profiles-support.html, endpoints.html; aws.amazon.com/jp/blogs/news/amazon-bedrock-now-supports-japan-cross-region-inference/ (via shared/reference/providers.md §1)";
const VERTEX_SRC: &str = "cloud.google.com/vertex-ai/generative-ai/docs/learn/data-residency; …/learn/locations (via shared/reference/providers.md §1)";

/// Every rule, in the order the checks run.
pub(super) static RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "url.syntax",
        provider: None,
        summary_ja: "上流の base_url は scheme://host[:port][/path] の厳格な形式（ユーザー情報・末尾ドット・クエリ不可）",
        summary_en: "upstream base_url must be a strict scheme://host[:port][/path] (no user info, trailing dot or query)",
        source: "shared/reference/security.md §C (parse what the upstream parses)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "transport.https",
        provider: None,
        summary_ja: "オンプレミス以外の上流は https 必須",
        summary_en: "https is required for every upstream except on-premises",
        source: "shared/reference/security.md; 地方公共団体における情報セキュリティポリシーに関するガイドライン (令和7年3月)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "declaration.fields",
        provider: None,
        summary_ja: "residency は国内事業者で \"jp-contract\"、オンプレミスで \"on-premises\"、その他では指定しない。azure_deployments・bedrock_verified_profiles は該当事業者のみ",
        summary_en: "residency is \"jp-contract\" for domestic providers, \"on-premises\" for on-premises, absent otherwise; azure_deployments and bedrock_verified_profiles only for their provider",
        source: "shared/reference/providers.md §1 (Domestic providers, On-premises)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "request.path",
        provider: None,
        summary_ja: "リクエストパスは一度だけデコードし、空セグメント・ドットセグメント・二重エンコードは拒否",
        summary_en: "request paths are decoded once; empty or dot segments and double encoding are refused",
        source: "shared/reference/providers.md §3 pitfall 6",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "request.inference-geo",
        provider: None,
        summary_ja: "Anthropic 形式の inference_geo は指定不可（値は global / us のみで日本がない）",
        summary_en: "Anthropic-style inference_geo must be absent (its only values are global and us)",
        source: "platform.claude.com/docs/en/manage-claude/data-residency (via shared/reference/providers.md §1)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "azure.host",
        provider: Some(Provider::AzureOpenAi),
        summary_ja: "Azure OpenAI / Foundry のリソースホスト（*.openai.azure.com, *.cognitiveservices.azure.com, *.services.ai.azure.com）",
        summary_en: "Azure OpenAI / Foundry resource host (*.openai.azure.com, *.cognitiveservices.azure.com, *.services.ai.azure.com)",
        source: AZURE_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "azure.region",
        provider: Some(Provider::AzureOpenAi),
        summary_ja: "宣言したデプロイのリージョンは japaneast / japanwest のみ（ホスト名からは判別できない）",
        summary_en: "declared deployments must be in japaneast or japanwest (the hostname does not show the region)",
        source: AZURE_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "azure.deployment-type",
        provider: Some(Provider::AzureOpenAi),
        summary_ja: "デプロイ種別は Standard / ProvisionedManaged のみ。Global*・DataZone*・Developer は国外で処理され得る",
        summary_en: "deployment type Standard or ProvisionedManaged only; Global*, DataZone* and Developer may process abroad",
        source: AZURE_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "azure.deployment-declared",
        provider: Some(Provider::AzureOpenAi),
        summary_ja: "管理者が宣言した (ホスト, デプロイ) の組だけに転送（パス /openai/deployments/{d}/ または /openai/v1/ の body model）",
        summary_en: "only admin-declared (host, deployment) pairs (path /openai/deployments/{d}/ or body model on /openai/v1/)",
        source: AZURE_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "azure.spillover",
        provider: Some(Provider::AzureOpenAi),
        summary_ja: "x-ms-spillover-deployment ヘッダーは拒否（Global デプロイへ溢れ得る）",
        summary_en: "the x-ms-spillover-deployment header is refused (it may spill to a Global deployment)",
        source: AZURE_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.host",
        provider: Some(Provider::Bedrock),
        summary_ja: "ホストは bedrock-runtime.ap-northeast-1.amazonaws.com または bedrock-runtime.ap-northeast-3.amazonaws.com",
        summary_en: "host bedrock-runtime.ap-northeast-1.amazonaws.com or bedrock-runtime.ap-northeast-3.amazonaws.com",
        source: BEDROCK_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.route",
        provider: Some(Provider::Bedrock),
        summary_ja: "推論パス /model/{modelId}/(invoke|invoke-with-response-stream|converse|converse-stream) と /openai/v1/（body model）のみ",
        summary_en: "inference routes /model/{modelId}/(invoke|invoke-with-response-stream|converse|converse-stream) and /openai/v1/ (body model) only",
        source: BEDROCK_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.model-id",
        provider: Some(Provider::Bedrock),
        summary_ja: "モデル ID は素の ID（anthropic.… 等）か jp. 推論プロファイルのみ。apac. / global. / us. / eu. 等は国外へルーティングされる",
        summary_en: "model ids: bare in-region ids (anthropic.…) or jp. inference profiles; apac., global., us., eu. and other prefixes route abroad",
        source: BEDROCK_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.arn",
        provider: Some(Provider::Bedrock),
        summary_ja: "ARN はパーティション aws、リージョンがホストと同じ、種別 foundation-model / inference-profile (jp.) / provisioned-model",
        summary_en: "ARNs: partition aws, region equal to the host's, type foundation-model, inference-profile (jp.) or provisioned-model",
        source: BEDROCK_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.application-profile",
        provider: Some(Provider::Bedrock),
        summary_ja: "アプリケーション推論プロファイルは GetInferenceProfile で全リージョンが日本と確認し宣言したものだけ",
        summary_en: "application inference profiles only when declared as verified (GetInferenceProfile: every model region in Japan)",
        source: BEDROCK_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "bedrock.guardrail",
        provider: Some(Provider::Bedrock),
        summary_ja: "ガードレール（X-Amzn-Bedrock-GuardrailIdentifier ヘッダー・本文）は検証済みとして宣言したものだけ（apac. のガードレールプロファイルは国外で評価）",
        summary_en: "guardrails (X-Amzn-Bedrock-GuardrailIdentifier header or body) only when declared as verified (apac. guardrail profiles evaluate abroad)",
        source: "docs.aws.amazon.com/bedrock/latest/userguide/guardrails-cross-region-support.html (via shared/reference/providers.md §2)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "vertex.host",
        provider: Some(Provider::Vertex),
        summary_ja: "ホストは asia-northeast1-aiplatform.googleapis.com のみ（global・マルチリージョン・asia-northeast2 は不可）",
        summary_en: "host asia-northeast1-aiplatform.googleapis.com only (not global, multi-regions or asia-northeast2)",
        source: VERTEX_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "vertex.location",
        provider: Some(Provider::Vertex),
        summary_ja: "パスの /locations/{loc}/ も asia-northeast1 であること",
        summary_en: "the path location /locations/{loc}/ must also be asia-northeast1",
        source: VERTEX_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "vertex.express-mode",
        provider: Some(Provider::Vertex),
        summary_ja: "Express モード（key= クエリ、x-goog-api-key ヘッダー）は拒否（ロケーション指定がない）",
        summary_en: "express mode (key= query, x-goog-api-key header) is refused (it has no location)",
        source: VERTEX_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "vertex.partner-model",
        provider: Some(Provider::Vertex),
        summary_ja: "google 以外のパブリッシャーのモデル（Claude 等）は日本での処理の根拠がないため拒否",
        summary_en: "models of publishers other than google (e.g. Claude) are refused: no evidence of processing in Japan",
        source: VERTEX_SRC,
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "deny.openai",
        provider: Some(Provider::OpenAi),
        summary_ja: "OpenAI API は拒否（jp.api.openai.com は保存のみ日本、処理は国外の可能性）",
        summary_en: "OpenAI API refused (jp.api.openai.com stores in Japan but may process abroad)",
        source: "developers.openai.com/api/docs/guides/data-residency, Table 1 (via shared/reference/providers.md §1)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "deny.anthropic",
        provider: Some(Provider::Anthropic),
        summary_ja: "Anthropic API は拒否（inference_geo は global / us のみ）",
        summary_en: "Anthropic API refused (inference_geo is global or us only)",
        source: "platform.claude.com/docs/en/manage-claude/data-residency (via shared/reference/providers.md §1)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "deny.gemini-developer",
        provider: Some(Provider::GeminiDeveloper),
        summary_ja: "Gemini Developer API は拒否（リージョン指定なし、グローバルプールで処理）",
        summary_en: "Gemini Developer API refused (no region; served from the global pool)",
        source: "firebase.google.com/docs/ai-logic/locations (via shared/reference/providers.md §1)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "domestic.host",
        provider: Some(Provider::Domestic),
        summary_ja: "国内事業者は既知の完全一致ホスト（api.ai.sakura.ad.jp, api.platform.preferredai.jp）かつ residency = \"jp-contract\"",
        summary_en: "domestic providers: exact known host (api.ai.sakura.ad.jp, api.platform.preferredai.jp) with residency = \"jp-contract\"",
        source: "manual.sakura.ad.jp/cloud/ai-engine/02-howto.html; docs.plamo.preferredai.jp/en/api (via shared/reference/providers.md §1)",
        reviewed: REVIEWED,
    },
    RuleInfo {
        id: "onprem.address",
        provider: Some(Provider::OnPremises),
        summary_ja: "オンプレミスはループバック／プライベートアドレス（IPv6 ULA・ループバック含む）のリテラルか localhost のみ、residency = \"on-premises\"",
        summary_en: "on-premises: loopback or private address literals (incl. IPv6 ULA/loopback) or localhost, with residency = \"on-premises\"",
        source: "shared/reference/providers.md §1 (On-premises)",
        reviewed: REVIEWED,
    },
];

/// The catalog entry for `id`.
pub(super) fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}
