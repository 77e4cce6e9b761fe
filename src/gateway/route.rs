//! Which API a request path belongs to.
//!
//! Paths are percent-decoded once and must then consist of `A-Z a-z 0-9 . _ ~ : @ / -`
//! with no empty or dot segments; the decoded, normalised path is what is forwarded.

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
}

impl Api {
    /// Name used in configuration (`[[routes]] api`), logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::OpenAi => "openai",
            Api::Azure => "azure",
            Api::Anthropic => "anthropic",
            Api::Gemini => "gemini",
        }
    }
}

/// The operation requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Chat Completions.
    ChatCompletions,
    /// Responses.
    Responses,
    /// Embeddings.
    Embeddings,
    /// Anthropic Messages.
    Messages,
    /// Gemini `generateContent`.
    GenerateContent,
    /// Gemini `streamGenerateContent` (always streamed).
    StreamGenerateContent,
    /// Gemini `countTokens`.
    CountTokens,
}

impl Endpoint {
    /// Name used in logs and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::ChatCompletions => "chat.completions",
            Endpoint::Responses => "responses",
            Endpoint::Embeddings => "embeddings",
            Endpoint::Messages => "messages",
            Endpoint::GenerateContent => "generate_content",
            Endpoint::StreamGenerateContent => "stream_generate_content",
            Endpoint::CountTokens => "count_tokens",
        }
    }
}

/// A recognised API request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRoute {
    /// Family.
    pub api: Api,
    /// Operation.
    pub endpoint: Endpoint,
    /// Model or deployment named in the path (Azure deployments, Gemini models).
    pub path_model: Option<String>,
    /// The decoded, normalised path to forward.
    pub path: String,
}

impl ApiRoute {
    /// The response kind, for [`crate::payload::response`] and
    /// [`crate::payload::stream`].
    pub fn kind(&self) -> crate::payload::response::ApiKind {
        use crate::payload::response::ApiKind;
        match (self.api, self.endpoint) {
            (_, Endpoint::Responses) => ApiKind::OpenAiResponses,
            (_, Endpoint::Embeddings) => ApiKind::OpenAiEmbeddings,
            (Api::Anthropic, _) => ApiKind::AnthropicMessages,
            (Api::Gemini, _) => ApiKind::GeminiGenerateContent,
            _ => ApiKind::OpenAiChat,
        }
    }
}

/// Supported paths, for the 404 message.
pub const SUPPORTED: &str = "POST /v1/chat/completions, /v1/responses, /v1/embeddings, \
/openai/deployments/{deployment}/(chat/completions|embeddings|responses)?api-version=…, \
/openai/v1/(chat/completions|responses|embeddings), /v1/messages, \
/v1beta/models/{model}:(generateContent|streamGenerateContent|countTokens), \
/v1/projects/{p}/locations/{l}/publishers/{pub}/models/{model}:(generateContent|streamGenerateContent); \
GET /healthz, /readyz, /metrics";

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
    let r = |api, endpoint, path_model: Option<&str>| {
        Ok(ApiRoute {
            api,
            endpoint,
            path_model: path_model.map(str::to_string),
            path: path.clone(),
        })
    };
    let openai_ep = |rest: &[&str]| match rest {
        ["chat", "completions"] => Some(Endpoint::ChatCompletions),
        ["responses"] => Some(Endpoint::Responses),
        ["embeddings"] => Some(Endpoint::Embeddings),
        _ => None,
    };
    match segs.as_slice() {
        ["v1", "messages"] => r(Api::Anthropic, Endpoint::Messages, None),
        ["v1", rest @ ..] if openai_ep(rest).is_some() => r(
            Api::OpenAi,
            openai_ep(rest).unwrap_or(Endpoint::ChatCompletions),
            None,
        ),
        ["openai", "deployments", d, rest @ ..] if openai_ep(rest).is_some() => r(
            Api::Azure,
            openai_ep(rest).unwrap_or(Endpoint::ChatCompletions),
            Some(d),
        ),
        ["openai", "v1", rest @ ..] if openai_ep(rest).is_some() => r(
            Api::Azure,
            openai_ep(rest).unwrap_or(Endpoint::ChatCompletions),
            None,
        ),
        ["v1" | "v1beta", "models", m] => gemini(m, &r),
        ["v1" | "v1beta1", "projects", _, "locations", _, "publishers", _, "models", m] => {
            gemini(m, &r)
        }
        _ => Err(RouteError::Unknown),
    }
}

type Make<'a> = &'a dyn Fn(Api, Endpoint, Option<&str>) -> Result<ApiRoute, RouteError>;

fn gemini(m: &str, r: Make<'_>) -> Result<ApiRoute, RouteError> {
    let (model, method) = m.rsplit_once(':').ok_or(RouteError::Unknown)?;
    let ep = match method {
        "generateContent" => Endpoint::GenerateContent,
        "streamGenerateContent" => Endpoint::StreamGenerateContent,
        "countTokens" => Endpoint::CountTokens,
        _ => return Err(RouteError::Unknown),
    };
    r(Api::Gemini, ep, Some(model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        type Want<'a> = Option<(Api, Endpoint, Option<&'a str>)>;
        let cases: &[(&str, Want)] = &[
            ("/v1/chat/completions", Some((Api::OpenAi, Endpoint::ChatCompletions, None))),
            ("/v1/responses", Some((Api::OpenAi, Endpoint::Responses, None))),
            ("/v1/embeddings", Some((Api::OpenAi, Endpoint::Embeddings, None))),
            ("/openai/deployments/gpt4o-jp/chat/completions", Some((Api::Azure, Endpoint::ChatCompletions, Some("gpt4o-jp")))),
            ("/openai/v1/responses", Some((Api::Azure, Endpoint::Responses, None))),
            ("/v1/messages", Some((Api::Anthropic, Endpoint::Messages, None))),
            ("/v1beta/models/gemini-2.5-flash:generateContent", Some((Api::Gemini, Endpoint::GenerateContent, Some("gemini-2.5-flash")))),
            ("/v1/projects/p/locations/asia-northeast1/publishers/google/models/gemini-2.5-pro:streamGenerateContent", Some((Api::Gemini, Endpoint::StreamGenerateContent, Some("gemini-2.5-pro")))),
            ("/v1/files", None),
            ("/v1/chat/completions/x", None),
        ];
        for (p, want) in cases {
            let got = classify(p).ok().map(|r| (r.api, r.endpoint, r.path_model));
            let want = want.map(|(a, e, m)| (a, e, m.map(str::to_string)));
            assert_eq!(got, want, "{p}");
        }
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
            classify("/v1/chat%2Fcompletions").map(|r| r.endpoint),
            Ok(Endpoint::ChatCompletions)
        );
    }
}
