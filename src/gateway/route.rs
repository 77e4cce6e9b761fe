//! Which API a request path belongs to.
//!
//! Paths are percent-decoded once and must then consist of `A-Z a-z 0-9 . _ ~ : @ / -`
//! with no empty or dot segments; the decoded, normalised path is what is forwarded.
//! The operation is described with [`ApiKind`], the type the response restorers use.

use crate::payload::response::ApiKind;

/// API family (decides the error shape and the upstream credential header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// OpenAI-compatible (`/v1/...`).
    OpenAi,
    /// Azure OpenAI (`/openai/...`).
    Azure,
    /// Anthropic Messages.
    Anthropic,
    /// Gemini / Vertex `generateContent`.
    Gemini,
    /// AWS Bedrock runtime (`/model/{modelId}/converse`, `/converse-stream`, `/invoke`,
    /// `/invoke-with-response-stream`).
    Bedrock,
}

impl Api {
    /// Name used in configuration (`[[routes]] api`), logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::OpenAi => "openai",
            Api::Azure => "azure",
            Api::Anthropic => "anthropic",
            Api::Gemini => "gemini",
            Api::Bedrock => "bedrock",
        }
    }
}

/// A recognised API request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRoute {
    /// Family (configuration routes, error shape, credential header).
    pub api: Api,
    /// What the request and its answer look like (shared with the response restorers).
    pub kind: ApiKind,
    /// Gemini `:streamGenerateContent` (streamed whatever the body says).
    pub stream_path: bool,
    /// Gemini `:countTokens` or Anthropic `/v1/messages/count_tokens` (no generated
    /// text, never streamed).
    pub count_tokens: bool,
    /// Model or deployment named in the path (Azure deployments, Gemini models).
    pub path_model: Option<String>,
    /// The decoded, normalised path to forward.
    pub path: String,
}

impl ApiRoute {
    /// Operation name for logs and audit records (`chat.completions`, `responses`,
    /// `embeddings`, `messages`, `generate_content`, `stream_generate_content`,
    /// `count_tokens`).
    pub fn endpoint_name(&self) -> &'static str {
        match self.kind {
            ApiKind::OpenAiChat => "chat.completions",
            ApiKind::OpenAiResponses => "responses",
            ApiKind::OpenAiEmbeddings => "embeddings",
            ApiKind::AnthropicMessages if self.api == Api::Bedrock && self.stream_path => {
                "invoke_with_response_stream"
            }
            ApiKind::AnthropicMessages if self.api == Api::Bedrock => "invoke",
            ApiKind::AnthropicMessages if self.count_tokens => "count_tokens",
            ApiKind::AnthropicMessages => "messages",
            ApiKind::GeminiGenerateContent if self.count_tokens => "count_tokens",
            ApiKind::GeminiGenerateContent if self.stream_path => "stream_generate_content",
            ApiKind::GeminiGenerateContent => "generate_content",
            ApiKind::BedrockConverse if self.stream_path => "converse_stream",
            ApiKind::BedrockConverse => "converse",
        }
    }
}

/// Where the supported paths are documented, for the 404 message (the list itself is
/// not repeated in every error body).
pub const PATHS_DOC: &str = "README.md#the-gateway-in-one-minute";

/// Why a path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// Malformed or suspicious path (400).
    BadPath(&'static str),
    /// Not a supported API path (404).
    Unknown,
}

/// Classifies a request path (without query).
pub fn classify(raw_path: &str) -> Result<ApiRoute, RouteError> {
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| RouteError::BadPath("the path is not valid UTF-8 once decoded"))?;
    if decoded.contains('%') {
        return Err(RouteError::BadPath(
            "the path is percent-encoded more than once",
        ));
    }
    if !decoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._~:@/-".contains(&b))
    {
        return Err(RouteError::BadPath(
            "the path contains characters not allowed in API paths",
        ));
    }
    let segs: Vec<&str> = decoded.split('/').skip(1).collect();
    if !decoded.starts_with('/') || segs.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
        return Err(RouteError::BadPath("the path has empty or dot segments"));
    }
    let path = decoded.to_string();
    let r = |api, kind, path_model: Option<&str>| {
        Ok(ApiRoute {
            api,
            kind,
            stream_path: false,
            count_tokens: false,
            path_model: path_model.map(str::to_string),
            path: path.clone(),
        })
    };
    let openai_ep = |rest: &[&str]| match rest {
        ["chat", "completions"] => Some(ApiKind::OpenAiChat),
        ["responses"] => Some(ApiKind::OpenAiResponses),
        ["embeddings"] => Some(ApiKind::OpenAiEmbeddings),
        _ => None,
    };
    match segs.as_slice() {
        ["v1", "messages"] => r(Api::Anthropic, ApiKind::AnthropicMessages, None),
        ["v1", "messages", "count_tokens"] => {
            let mut route = r(Api::Anthropic, ApiKind::AnthropicMessages, None)?;
            route.count_tokens = true;
            Ok(route)
        }
        ["v1", rest @ ..] if openai_ep(rest).is_some() => r(
            Api::OpenAi,
            openai_ep(rest).unwrap_or(ApiKind::OpenAiChat),
            None,
        ),
        ["openai", "deployments", d, rest @ ..] if openai_ep(rest).is_some() => r(
            Api::Azure,
            openai_ep(rest).unwrap_or(ApiKind::OpenAiChat),
            Some(d),
        ),
        ["openai", "responses"] => r(Api::Azure, ApiKind::OpenAiResponses, None),
        ["openai", "v1", rest @ ..] if openai_ep(rest).is_some() => r(
            Api::Azure,
            openai_ep(rest).unwrap_or(ApiKind::OpenAiChat),
            None,
        ),
        ["v1" | "v1beta", "models", m] => gemini(m, &r),
        ["v1" | "v1beta1", "projects", _, "locations", _, "publishers", _, "models", m] => {
            gemini(m, &r)
        }
        ["model", id @ .., op] if !id.is_empty() => bedrock(&id.join("/"), op, &r),
        _ => Err(RouteError::Unknown),
    }
}

/// Bedrock `/model/{modelId}/{operation}`: the model id decoded once (an ARN keeps its
/// `/`, which clients send as `%2F`); the path forwarded (and checked by the region
/// guard, and signed) carries it percent-encoded again as the AWS SDKs send it
/// (`v1:0` → `v1%3A0`, `/` → `%2F`).
fn bedrock(model: &str, op: &str, r: Make<'_>) -> Result<ApiRoute, RouteError> {
    let (kind, stream_path) = match op {
        "converse" => (ApiKind::BedrockConverse, false),
        "converse-stream" => (ApiKind::BedrockConverse, true),
        // InvokeModel with Anthropic Messages bodies (`anthropic_version:
        // "bedrock-2023-05-31"`); other model-native bodies are inspected the same way.
        "invoke" => (ApiKind::AnthropicMessages, false),
        "invoke-with-response-stream" => (ApiKind::AnthropicMessages, true),
        _ => return Err(RouteError::Unknown),
    };
    let mut route = r(Api::Bedrock, kind, Some(model))?;
    route.stream_path = stream_path;
    route.path = format!("/model/{}/{op}", bedrock_model_segment(model));
    Ok(route)
}

/// The path a translated catalogue request for `provider_model` is sent on (streamed
/// or not) by an upstream of `provider`: Gemini `/v1/{model}:generateContent` /
/// `:streamGenerateContent` for `vertex`, Bedrock `/model/{model}/converse[-stream]`
/// otherwise, as sent and signed.
pub fn translated_path(provider: &str, provider_model: &str, stream: bool) -> String {
    if provider == "vertex" {
        let op = if stream {
            "streamGenerateContent"
        } else {
            "generateContent"
        };
        return format!("/v1/{}:{op}", provider_model.trim_start_matches('/'));
    }
    let op = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    format!("/model/{}/{op}", bedrock_model_segment(provider_model))
}

/// A Bedrock model id as one path segment: everything but `A-Z a-z 0-9 - . _ ~`
/// percent-encoded.
pub fn bedrock_model_segment(model: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(model, SET).to_string()
}

type Make<'a> = &'a dyn Fn(Api, ApiKind, Option<&str>) -> Result<ApiRoute, RouteError>;

fn gemini(m: &str, r: Make<'_>) -> Result<ApiRoute, RouteError> {
    let (model, method) = m.rsplit_once(':').ok_or(RouteError::Unknown)?;
    let (stream_path, count_tokens) = match method {
        "generateContent" => (false, false),
        "streamGenerateContent" => (true, false),
        "countTokens" => (false, true),
        _ => return Err(RouteError::Unknown),
    };
    let mut route = r(Api::Gemini, ApiKind::GeminiGenerateContent, Some(model))?;
    route.stream_path = stream_path;
    route.count_tokens = count_tokens;
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        type Want<'a> = Option<(Api, &'a str, Option<&'a str>)>;
        let cases: &[(&str, Want)] = &[
            ("/v1/chat/completions", Some((Api::OpenAi, "chat.completions", None))),
            ("/v1/responses", Some((Api::OpenAi, "responses", None))),
            ("/v1/embeddings", Some((Api::OpenAi, "embeddings", None))),
            ("/openai/deployments/gpt4o-jp/chat/completions", Some((Api::Azure, "chat.completions", Some("gpt4o-jp")))),
            ("/openai/v1/responses", Some((Api::Azure, "responses", None))),
            ("/openai/responses", Some((Api::Azure, "responses", None))),
            ("/openai/chat/completions", None),
            ("/v1/messages", Some((Api::Anthropic, "messages", None))),
            ("/v1/messages/count_tokens", Some((Api::Anthropic, "count_tokens", None))),
            ("/v1/messages/batches", None),
            ("/v1beta/models/gemini-2.5-flash:generateContent", Some((Api::Gemini, "generate_content", Some("gemini-2.5-flash")))),
            ("/v1/projects/p/locations/asia-northeast1/publishers/google/models/gemini-2.5-pro:streamGenerateContent", Some((Api::Gemini, "stream_generate_content", Some("gemini-2.5-pro")))),
            ("/model/jp.anthropic.claude-3-haiku-20240307-v1:0/converse", Some((Api::Bedrock, "converse", Some("jp.anthropic.claude-3-haiku-20240307-v1:0")))),
            ("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream", Some((Api::Bedrock, "converse_stream", Some("anthropic.claude-3-haiku-20240307-v1:0")))),
            ("/model/arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile%2Fabc/converse", Some((Api::Bedrock, "converse", Some("arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile/abc")))),
            ("/model/anthropic.claude-3-haiku-20240307-v1:0/invoke", Some((Api::Bedrock, "invoke", Some("anthropic.claude-3-haiku-20240307-v1:0")))),
            ("/model/jp.anthropic.claude-3-haiku-20240307-v1:0/invoke-with-response-stream", Some((Api::Bedrock, "invoke_with_response_stream", Some("jp.anthropic.claude-3-haiku-20240307-v1:0")))),
            ("/model/converse", None),
            ("/model/m/count-tokens", None),
            ("/v1/files", None),
            ("/v1/chat/completions/x", None),
        ];
        for (p, want) in cases {
            let got = classify(p)
                .ok()
                .map(|r| (r.api, r.endpoint_name(), r.path_model));
            let want = want.map(|(a, e, m)| (a, e, m.map(str::to_string)));
            assert_eq!(got, want, "{p}");
        }
        let r = classify("/model/arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile%2Fabc/converse").unwrap();
        assert_eq!(r.path, "/model/arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse");
    }

    #[test]
    fn bad_paths() {
        for p in [
            "/v1/../v1/chat/completions",
            "/v1//chat/completions",
            "/v1/chat%252Fcompletions",
            "/v1/chat/completions%00",
        ] {
            assert!(matches!(classify(p), Err(RouteError::BadPath(_))), "{p}");
        }
        assert_eq!(
            classify("/v1/chat%2Fcompletions").map(|r| r.endpoint_name()),
            Ok("chat.completions")
        );
    }
}
