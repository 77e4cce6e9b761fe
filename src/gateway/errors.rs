//! The error catalogue: every refusal and failure of the gateway, with its HTTP status,
//! stable machine code, Japanese and English text, in one place.
//!
//! A phase returns a [`Refusal`]; [`Refusal::into_error`] (also `From`, so `?` works)
//! turns it into a [`GatewayError`], which [`super::respond`] renders in the calling
//! API's own error shape. Texts name headers, categories, paths and limits, never a
//! value the caller sent.

use http::StatusCode;
use serde_json::{json, Value};

use crate::payload::request::PayloadError;
use crate::region::RegionViolation;

use super::headers::BadHeader;
use super::hooks::{Outcome, QuotaRefusal};
use super::respond::{GatewayError, Origin};
use super::route::{self, Api};

/// Why the caller presented more than one credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialConflict {
    /// A credential header appeared more than once.
    HeaderTwice(String),
    /// The `key` query parameter appeared more than once.
    QueryTwice,
    /// Two different keys, in different places.
    TwoKeys,
}

/// What a block or warn refusal names: categories and locations, never values.
#[derive(Clone, Debug)]
pub struct Found {
    /// Category labels in Japanese, joined.
    pub categories_ja: String,
    /// Category labels in English, joined.
    pub categories_en: String,
    /// Locations (`path start..end (category)`), joined, with `+N` when cut short.
    pub places: String,
    /// Structured details (categories, findings).
    pub details: Value,
}

/// Every refusal or failure the gateway answers with.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// A request head with both `Content-Length` and `Transfer-Encoding` (400, closes).
    Smuggling,
    /// The path is malformed (400).
    BadPath {
        /// Why (no caller text).
        why: String,
    },
    /// The path is not an API Sekimori serves (404).
    UnknownRoute,
    /// An API call not sent with POST (405).
    MethodNotAllowed,
    /// An identity header appeared more than once (400).
    DuplicateIdentityHeader {
        /// The header's name.
        header: String,
    },
    /// Identity headers from an address that is not the fronting application (403).
    UntrustedClient,
    /// The shared secret header is missing or wrong (401).
    BadSharedSecret,
    /// The trusted user header is missing (401).
    MissingUserHeader,
    /// An API key that Sekimori did not issue (401).
    InvalidApiKey,
    /// No API key (401).
    MissingApiKey,
    /// More than one credential (400).
    ConflictingCredentials(CredentialConflict),
    /// A forwarded header's value is not of its form (400).
    BadHeader(BadHeader),
    /// The body exceeds the size limit (413, closes).
    BodyTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// The body did not arrive in time (408, closes).
    BodyTimeout {
        /// The deadline in seconds.
        secs: u64,
    },
    /// The body could not be read (400, closes).
    BodyReadError {
        /// The transport's reason.
        why: String,
    },
    /// A compressed body expands beyond the ratio (413, closes).
    DecompressionRatio {
        /// The maximum ratio.
        ratio: u64,
    },
    /// An unsupported `Content-Encoding` (415).
    UnsupportedEncoding {
        /// The coding named.
        coding: String,
    },
    /// A compressed body that does not decode (400).
    CorruptEncoding {
        /// The coding named.
        coding: String,
    },
    /// More than one `Content-Type` (400).
    MultipleContentType,
    /// No `Content-Type` (415).
    MissingContentType,
    /// A `Content-Type` other than JSON (415).
    UnsupportedMediaType,
    /// A charset other than UTF-8 (415).
    UnsupportedCharset,
    /// The body is not strict JSON (400).
    BadJson(PayloadError),
    /// Unicode tag characters in the body (400).
    TagCharacters {
        /// Where (a field path).
        place: String,
    },
    /// Content that cannot be inspected and is not allowed for the department (403).
    Uninspectable {
        /// Kinds, in order, deduplicated.
        kinds: Vec<&'static str>,
        /// `(path, kind)` of each refused part.
        parts: Vec<(String, &'static str)>,
    },
    /// A malformed model name (400).
    InvalidModel,
    /// Personal data or a banned word in the URL path or query (400).
    PersonalDataInUrl {
        /// Categories, joined.
        categories: String,
    },
    /// The department may not use the model (403).
    ModelNotAllowed {
        /// Department.
        department: String,
        /// Model.
        model: String,
    },
    /// A catalogue model's request cannot be translated to its provider's API (400).
    Untranslatable {
        /// Why (field paths, no caller text).
        why: String,
    },
    /// No route serves the API (404).
    NoUpstream {
        /// The API.
        api: Api,
    },
    /// The region guard refused (403).
    RegionViolation(Box<RegionViolation>),
    /// Blocked by policy (403).
    Blocked(Box<Found>),
    /// A warning that must be acknowledged with the token (403).
    WarningRequiresAcknowledgement {
        /// What was found.
        found: Box<Found>,
        /// The token issued.
        token: String,
        /// Why a token that was sent was not accepted.
        rejected: Option<String>,
    },
    /// A monthly quota is used up (429).
    Quota(QuotaRefusal),
    /// Inspection failed (503).
    InspectionFailed,
    /// Every inspection slot is busy and the queue is full or was waited on too long
    /// (503 with `Retry-After`; see [`super::inspections`]).
    Overloaded {
        /// Seconds after which to retry.
        retry_after_secs: u32,
    },
    /// A field could not be masked (503).
    MaskFailed,
    /// The inspected body could not be serialized (503).
    SerializeFailed,
    /// The audit log did not record the request (503).
    AuditUnavailable,
    /// A front door ran a phase before the phase it depends on (503).
    OutOfOrder {
        /// The phase that found its input missing.
        phase: &'static str,
    },
    /// The upstream did not answer in time (504).
    UpstreamTimeout {
        /// Upstream name.
        upstream: String,
    },
    /// The upstream could not be reached (502).
    UpstreamUnreachable {
        /// Upstream name.
        upstream: String,
    },
    /// The upstream compressed a streamed answer (502).
    UpstreamCompressedStream {
        /// Upstream name.
        upstream: String,
    },
    /// The upstream broke off its answer (502).
    UpstreamBroken {
        /// Upstream name.
        upstream: String,
    },
    /// The upstream's answer exceeds the buffer limit (502).
    UpstreamTooLarge,
    /// The upstream's answer is in an encoding that does not decode (502).
    UpstreamUndecodable {
        /// Upstream name.
        upstream: String,
    },
}

/// Japanese text of every 503 (nothing was forwarded).
const UNAVAILABLE_JA: &str =
    "関守が一時的に利用できないため、送信しませんでした。しばらくしてから再試行してください。";
/// Japanese text of every upstream failure.
const UPSTREAM_JA: &str = "接続先のAIサービスから応答を得られませんでした。";

impl Refusal {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        use Refusal::*;
        match self {
            Smuggling => "content_length_with_transfer_encoding",
            BadPath { .. } => "bad_path",
            UnknownRoute => "unknown_route",
            MethodNotAllowed => "method_not_allowed",
            DuplicateIdentityHeader { .. } => "duplicate_identity_header",
            UntrustedClient => "untrusted_client",
            BadSharedSecret => "bad_shared_secret",
            MissingUserHeader => "missing_user_header",
            InvalidApiKey => "invalid_api_key",
            MissingApiKey => "missing_api_key",
            ConflictingCredentials(_) => "conflicting_credentials",
            BadHeader(_) => "bad_header",
            BodyTooLarge { .. } => "body_too_large",
            BodyTimeout { .. } => "body_timeout",
            BodyReadError { .. } => "body_read_error",
            DecompressionRatio { .. } => "decompression_ratio",
            UnsupportedEncoding { .. } => "unsupported_encoding",
            CorruptEncoding { .. } => "corrupt_encoding",
            MultipleContentType => "multiple_content_type",
            MissingContentType => "missing_content_type",
            UnsupportedMediaType => "unsupported_media_type",
            UnsupportedCharset => "unsupported_charset",
            BadJson(e) => match e {
                PayloadError::NotUtf8 { .. } => "invalid_utf8",
                PayloadError::DuplicateKey { .. } => "duplicate_key",
                PayloadError::TooDeep => "nesting_too_deep",
                PayloadError::LoneSurrogate { .. } => "lone_surrogate",
                PayloadError::Malformed { .. } => "malformed_json",
                PayloadError::NotObject => "not_an_object",
            },
            TagCharacters { .. } => "tag_characters",
            Untranslatable { .. } => "untranslatable_request",
            Uninspectable { .. } => "uninspectable_content",
            InvalidModel => "invalid_model",
            PersonalDataInUrl { .. } => "personal_data_in_url",
            ModelNotAllowed { .. } => "model_not_allowed",
            NoUpstream { .. } => "no_upstream",
            RegionViolation(_) => "region_violation",
            Blocked(_) => "blocked_personal_data",
            WarningRequiresAcknowledgement { .. } => "warning_requires_acknowledgement",
            Quota(q) => q.code,
            InspectionFailed => "inspection_failed",
            Overloaded { .. } => "inspection_overloaded",
            MaskFailed => "mask_failed",
            SerializeFailed => "serialize_failed",
            AuditUnavailable => "audit_unavailable",
            OutOfOrder { .. } => "pipeline_order",
            UpstreamTimeout { .. } => "upstream_timeout",
            UpstreamUnreachable { .. } => "upstream_unreachable",
            UpstreamCompressedStream { .. } | UpstreamUndecodable { .. } => "upstream_encoding",
            UpstreamBroken { .. } => "upstream_broken",
            UpstreamTooLarge => "upstream_too_large",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        use Refusal::*;
        match self {
            Smuggling
            | BadPath { .. }
            | DuplicateIdentityHeader { .. }
            | ConflictingCredentials(_)
            | BadHeader(_)
            | BodyReadError { .. }
            | CorruptEncoding { .. }
            | MultipleContentType
            | BadJson(_)
            | TagCharacters { .. }
            | Untranslatable { .. }
            | InvalidModel
            | PersonalDataInUrl { .. } => StatusCode::BAD_REQUEST,
            UnknownRoute | NoUpstream { .. } => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            BadSharedSecret | MissingUserHeader | InvalidApiKey | MissingApiKey => {
                StatusCode::UNAUTHORIZED
            }
            UntrustedClient
            | Uninspectable { .. }
            | ModelNotAllowed { .. }
            | RegionViolation(_)
            | Blocked(_)
            | WarningRequiresAcknowledgement { .. } => StatusCode::FORBIDDEN,
            BodyTooLarge { .. } | DecompressionRatio { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            UnsupportedEncoding { .. }
            | MissingContentType
            | UnsupportedMediaType
            | UnsupportedCharset => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Quota(_) => StatusCode::TOO_MANY_REQUESTS,
            InspectionFailed
            | Overloaded { .. }
            | MaskFailed
            | SerializeFailed
            | AuditUnavailable
            | OutOfOrder { .. } => StatusCode::SERVICE_UNAVAILABLE,
            UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            UpstreamUnreachable { .. }
            | UpstreamCompressedStream { .. }
            | UpstreamBroken { .. }
            | UpstreamTooLarge
            | UpstreamUndecodable { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    /// Where it came from (chooses the OpenAI error `type`).
    pub fn origin(&self) -> Origin {
        use Refusal::*;
        match self {
            Uninspectable { .. }
            | ModelNotAllowed { .. }
            | RegionViolation(_)
            | Blocked(_)
            | WarningRequiresAcknowledgement { .. } => Origin::Policy,
            InspectionFailed
            | Overloaded { .. }
            | MaskFailed
            | SerializeFailed
            | AuditUnavailable => Origin::Internal,
            UpstreamTimeout { .. }
            | UpstreamUnreachable { .. }
            | UpstreamCompressedStream { .. }
            | UpstreamBroken { .. }
            | UpstreamTooLarge
            | UpstreamUndecodable { .. } => Origin::Upstream,
            _ => Origin::Client,
        }
    }

    /// The outcome this refusal gives a request that was not forwarded.
    pub fn outcome(&self) -> Outcome {
        match self {
            Refusal::Blocked(_) => Outcome::Blocked,
            Refusal::WarningRequiresAcknowledgement { .. } => Outcome::Warned,
            _ => match self.origin() {
                Origin::Upstream | Origin::Internal => Outcome::Failed,
                Origin::Client | Origin::Policy => Outcome::Refused,
            },
        }
    }

    /// Whether the connection is closed after the answer (the rest of the body is not read).
    pub fn closes(&self) -> bool {
        matches!(
            self,
            Refusal::Smuggling
                | Refusal::BodyTooLarge { .. }
                | Refusal::BodyTimeout { .. }
                | Refusal::BodyReadError { .. }
                | Refusal::DecompressionRatio { .. }
        )
    }

    /// The Japanese and English texts.
    pub fn texts(&self) -> (String, String) {
        use Refusal::*;
        let s = |ja: &str, en: &str| (ja.to_string(), en.to_string());
        match self {
            Smuggling => s(
                "Content-Length と Transfer-Encoding の両方を含むリクエストは受け付けません。",
                "a request may not carry both Content-Length and Transfer-Encoding",
            ),
            BadPath { why } => (
                "リクエストのパスが不正です。".into(),
                format!("bad request path: {why}"),
            ),
            UnknownRoute => (
                format!("このパスには対応していません（対応パス: {}）。", route::PATHS_DOC),
                format!("unsupported path; see {} for the supported paths", route::PATHS_DOC),
            ),
            MethodNotAllowed => s("API呼び出しは POST で送信してください。", "API calls must use POST"),
            DuplicateIdentityHeader { header: h } => (
                format!("ヘッダー {h} が複数あります。利用者を一つに特定できないため受け付けません。"),
                format!("the {h} header appears more than once; the caller must be unambiguous"),
            ),
            UntrustedClient => s(
                "このアドレスからは利用者ヘッダーを受け付けません。",
                "identity headers are accepted only from the configured fronting application",
            ),
            BadSharedSecret => s(
                "共有シークレットが一致しません。",
                "the shared secret header is missing or wrong",
            ),
            MissingUserHeader => s("利用者ヘッダーがありません。", "the user header is missing"),
            InvalidApiKey => s(
                "APIキーが無効です。関守が発行したキーを使用してください。",
                "invalid API key; use a key issued by Sekimori",
            ),
            MissingApiKey => s(
                "APIキーがありません。Authorization: Bearer <関守のキー> を付けてください。",
                "no API key; send Authorization: Bearer <key issued by Sekimori>",
            ),
            ConflictingCredentials(c) => (
                "認証情報が複数あります。APIキーは一つだけ、一か所で送ってください。".into(),
                match c {
                    CredentialConflict::HeaderTwice(name) => {
                        format!("the {name} header appears more than once; send one credential")
                    }
                    CredentialConflict::QueryTwice => {
                        "the key query parameter appears more than once".into()
                    }
                    CredentialConflict::TwoKeys => "two different API keys were sent (in different headers or the query); send one".into(),
                },
            ),
            BadHeader(e) => (
                format!("ヘッダー {} の値が不正です（{}）。", e.name, e.rule.ja()),
                format!("{e}"),
            ),
            BodyTooLarge { max } => (
                format!("リクエスト本文が上限（{max}バイト）を超えています。内容を分割してください。"),
                format!("the request body exceeds the limit of {max} bytes; split the content"),
            ),
            BodyTimeout { secs } => (
                format!("リクエスト本文を{secs}秒以内に受信できませんでした。"),
                format!("the request body did not arrive within {secs} s"),
            ),
            BodyReadError { why } => (
                "リクエスト本文を読み取れませんでした。".into(),
                format!("the request body could not be read: {why}"),
            ),
            DecompressionRatio { ratio } => (
                format!("圧縮された本文の展開率が上限（{ratio}:1）を超えています。"),
                format!("the compressed body expands more than {ratio}:1; send it uncompressed"),
            ),
            UnsupportedEncoding { coding: c } => (
                format!("Content-Encoding「{c}」には対応していません。gzip, deflate, br, zstd のいずれかか無圧縮で送信してください。"),
                format!("Content-Encoding '{c}' is not supported; use gzip, deflate, br, zstd or none"),
            ),
            CorruptEncoding { coding: c } => (
                format!("{c}で圧縮された本文を展開できませんでした。"),
                format!("the {c}-encoded body could not be decoded"),
            ),
            MultipleContentType => s(
                "Content-Type ヘッダーが複数あります。",
                "more than one Content-Type header",
            ),
            MissingContentType => s(
                "Content-Type: application/json を付けて送信してください。",
                "the request has no Content-Type; send Content-Type: application/json",
            ),
            UnsupportedMediaType => s(
                "Content-Type は application/json にしてください。",
                "Content-Type must be application/json",
            ),
            UnsupportedCharset => s(
                "文字コードは UTF-8 にしてください（Shift_JIS・EUC-JP は不可）。",
                "the charset must be UTF-8",
            ),
            BadJson(e) => (
                format!("リクエスト本文を JSON として解釈できません: {e}"),
                format!("the request body was refused: {e}"),
            ),
            Untranslatable { why } => (
                format!("このモデルの接続先の形式に変換できません: {why}"),
                format!("the request cannot be translated for this model's provider: {why}"),
            ),
            TagCharacters { place } => (
                format!("見えない制御文字（Unicode タグ文字 U+E0000–E007F）を含むため受け付けません: {place}"),
                format!("the body holds invisible Unicode tag characters (U+E0000-E007F) at {place}; remove them"),
            ),
            Uninspectable { kinds, parts } => {
                let places: Vec<String> =
                    parts.iter().map(|(p, k)| format!("{p} ({k})")).collect();
                (
                    format!("検査できない内容（{}）は送信できません: {}。必要な場合は管理者に部署単位の許可を依頼してください。", kinds.join("、"), places.join(", ")),
                    format!("content that cannot be inspected ({}) is not allowed: {}; ask the administrator to allow it for your department", kinds.join(", "), places.join(", ")),
                )
            }
            InvalidModel => s(
                "モデル名が不正です（ASCII の英数字と記号のみ、256文字以内）。",
                "invalid model name: ASCII letters, digits and punctuation only, at most 256 characters",
            ),
            PersonalDataInUrl { categories: list } => (
                format!("URL（パスまたはクエリ）に個人情報または禁止語（{list}）が含まれています。モデル名・デプロイ名・パラメーターを確認してください。"),
                format!("the URL path or query carries personal data or a banned word ({list}); check the model, deployment and parameters"),
            ),
            ModelNotAllowed { department, model } => (
                format!("部署「{department}」はモデル「{model}」を利用できません。"),
                format!("department '{department}' may not use model '{model}'"),
            ),
            NoUpstream { api } => (
                format!("{} API の接続先が設定されていません。", api.as_str()),
                format!(
                    "no [[routes]] entry serves the {} API for this model",
                    api.as_str()
                ),
            ),
            RegionViolation(v) => (v.message_ja(), v.to_string()),
            Blocked(f) => (
                format!("送信内容に{}が含まれているため送信しませんでした（場所: {}）。該当部分を削除してから再送してください。", f.categories_ja, f.places),
                format!("not sent: the request contains {} (at {}); remove it and resend", f.categories_en, f.places),
            ),
            WarningRequiresAcknowledgement { found: f, token: t, rejected } => {
                let h = super::warn::ACK_HEADER;
                let mut en = format!("the request may contain {} (at {}); to send it anyway, resend the same request with header {h}: {t} (single use)", f.categories_en, f.places);
                if let Some(why) = rejected {
                    en.push_str(&format!(
                        " (the token sent was not accepted: {why}; a new one was issued)"
                    ));
                }
                (
                    format!("送信内容に{}が含まれている可能性があります（場所: {}）。内容を確認のうえ送信する場合は、同じリクエストをヘッダー {h}: {t} を付けて再送してください（1回限り有効）。", f.categories_ja, f.places),
                    en,
                )
            }
            Quota(q) => (
                format!(
                    "今月の利用上限に達しました（{}、{} にリセット）。",
                    q.code, q.resets_at
                ),
                q.message.clone(),
            ),
            InspectionFailed => (
                UNAVAILABLE_JA.into(),
                "inspection failed; nothing was forwarded".into(),
            ),
            Overloaded { retry_after_secs: n } => (
                format!("関守が混み合っているため、送信しませんでした。{n}秒ほど待ってから再試行してください。"),
                format!("Sekimori is inspecting as many requests as it may at once; nothing was forwarded; retry after {n} s (administrators: server.max_inspections_in_flight, max_inspections_queued)"),
            ),
            MaskFailed => (
                UNAVAILABLE_JA.into(),
                "a field could not be masked; nothing was forwarded".into(),
            ),
            SerializeFailed => (
                UNAVAILABLE_JA.into(),
                "the inspected body could not be serialized".into(),
            ),
            AuditUnavailable => (
                UNAVAILABLE_JA.into(),
                "the audit log could not record the request; nothing was forwarded".into(),
            ),
            OutOfOrder { phase } => (
                UNAVAILABLE_JA.into(),
                format!("the {phase} phase ran before the phase it depends on; nothing was forwarded (a front door runs the phases out of order)"),
            ),
            UpstreamTimeout { upstream } => (
                UPSTREAM_JA.into(),
                format!("upstream '{upstream}' did not answer in time"),
            ),
            UpstreamUnreachable { upstream } => (
                UPSTREAM_JA.into(),
                format!("upstream '{upstream}' could not be reached"),
            ),
            UpstreamCompressedStream { upstream } => (
                UPSTREAM_JA.into(),
                format!(
                    "upstream '{upstream}' compressed a streamed answer although identity was requested"
                ),
            ),
            UpstreamBroken { upstream } => (
                UPSTREAM_JA.into(),
                format!("upstream '{upstream}' broke off its answer"),
            ),
            UpstreamTooLarge => (
                UPSTREAM_JA.into(),
                "the upstream answer exceeds 64 MiB".into(),
            ),
            UpstreamUndecodable { upstream } => (
                UPSTREAM_JA.into(),
                format!(
                    "upstream '{upstream}' sent an answer in an encoding that could not be decoded"
                ),
            ),
        }
    }

    /// Structured details added to the `sekimori` member of the answer.
    pub fn details(&self) -> Option<Value> {
        use Refusal::*;
        match self {
            BadHeader(e) => Some(json!({"header": e.name})),
            Uninspectable { parts, .. } => Some(
                json!({"uninspectable": parts.iter().map(|(p, k)| json!({"kind": k, "path": p})).collect::<Vec<_>>()}),
            ),
            RegionViolation(v) => Some(json!({"region_rule": v.rule})),
            Blocked(f) => Some(f.details.clone()),
            WarningRequiresAcknowledgement { found, token, .. } => {
                let mut d = found.details.clone();
                if let Some(obj) = d.as_object_mut() {
                    obj.insert("acknowledge_token".into(), json!(token));
                    obj.insert("acknowledge_header".into(), json!(super::warn::ACK_HEADER));
                }
                Some(d)
            }
            Quota(q) => Some(json!({"resets_at": q.resets_at})),
            _ => None,
        }
    }

    /// Seconds for the `Retry-After` header, when the refusal has one.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Refusal::Overloaded { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The error, ready to render.
    pub fn into_error(self) -> GatewayError {
        let (ja, en) = self.texts();
        GatewayError {
            retry_after: self.retry_after(),
            origin: self.origin(),
            outcome: self.outcome(),
            status: self.status(),
            code: self.code(),
            message_ja: ja,
            message_en: en,
            details: self.details(),
            close: self.closes(),
        }
    }
}

impl From<Refusal> for GatewayError {
    fn from(r: Refusal) -> Self {
        r.into_error()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_codes_and_outcomes() {
        let cases: Vec<(Refusal, u16, &str, Outcome)> = vec![
            (
                Refusal::Smuggling,
                400,
                "content_length_with_transfer_encoding",
                Outcome::Refused,
            ),
            (
                Refusal::MissingApiKey,
                401,
                "missing_api_key",
                Outcome::Refused,
            ),
            (
                Refusal::BodyTooLarge { max: 10 },
                413,
                "body_too_large",
                Outcome::Refused,
            ),
            (
                Refusal::InspectionFailed,
                503,
                "inspection_failed",
                Outcome::Failed,
            ),
            (
                Refusal::Overloaded {
                    retry_after_secs: 1,
                },
                503,
                "inspection_overloaded",
                Outcome::Failed,
            ),
            (
                Refusal::UpstreamTimeout {
                    upstream: "u".into(),
                },
                504,
                "upstream_timeout",
                Outcome::Failed,
            ),
            (
                Refusal::Blocked(Box::new(Found {
                    categories_ja: "電話番号".into(),
                    categories_en: "phone numbers".into(),
                    places: "messages[0].content 0..13 (phone)".into(),
                    details: json!({}),
                })),
                403,
                "blocked_personal_data",
                Outcome::Blocked,
            ),
        ];
        for (r, status, code, outcome) in cases {
            let e = r.into_error();
            assert_eq!(e.status.as_u16(), status, "{code}");
            assert_eq!(e.code, code);
            assert_eq!(e.outcome, outcome, "{code}");
        }
    }

    /// The 404 body stays short: one sentence and a pointer to the README.
    #[tokio::test]
    async fn unknown_route_message_is_short() {
        use http_body_util::BodyExt;
        let body = Refusal::UnknownRoute
            .into_error()
            .into_response(None, "r")
            .into_body();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes().len())
            .unwrap_or(0);
        assert!(bytes > 0 && bytes < 700, "404 body of {bytes} bytes");
        let e = Refusal::UnknownRoute.into_error();
        assert!(e.message_en.contains("README"), "{}", e.message_en);
        assert!(!e.message_en.contains("/v1/chat"), "{}", e.message_en);
    }

    /// No client message names an internal type: the catalogue formats nothing with
    /// `Debug`, and a rejected warn token is explained in words.
    #[test]
    fn no_internal_names_in_messages() {
        let src = include_str!("errors.rs");
        let catalogue = &src[..src.find("#[cfg(test)]").unwrap_or(src.len())];
        assert!(
            !catalogue.contains(":?}"),
            "the error catalogue must not format values with Debug"
        );
        for why in [
            super::super::warn::AckError::Unknown,
            super::super::warn::AckError::WrongUser,
            super::super::warn::AckError::WrongBody,
            super::super::warn::AckError::Expired,
        ] {
            let e = Refusal::WarningRequiresAcknowledgement {
                found: Box::new(Found {
                    categories_ja: "語".into(),
                    categories_en: "words".into(),
                    places: "messages[0].content 0..2 (secret_project)".into(),
                    details: json!({}),
                }),
                token: "ack-0".into(),
                rejected: Some(why.to_string()),
            }
            .into_error();
            let name = format!("{why:?}");
            assert!(!e.message().contains(&name), "{}", e.message());
        }
    }

    #[test]
    fn overloaded_carries_retry_after() {
        let e = Refusal::Overloaded {
            retry_after_secs: 2,
        }
        .into_error();
        assert_eq!(e.retry_after, Some(2));
        let r = e.into_response(None, "r");
        assert_eq!(r.headers()[http::header::RETRY_AFTER], "2");
        assert_eq!(Refusal::InspectionFailed.into_error().retry_after, None);
    }

    #[test]
    fn closing_refusals_close() {
        assert!(Refusal::Smuggling.into_error().close);
        assert!(Refusal::BodyTimeout { secs: 1 }.into_error().close);
        assert!(!Refusal::MissingContentType.into_error().close);
    }
}
