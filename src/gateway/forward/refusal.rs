//! The forward proxy's own refusals (login, destination, target form), with status,
//! code and Japanese and English text, turned into the gateway's [`GatewayError`] so
//! they are recorded and rendered like every other refusal. Texts name hosts and
//! services, never anything the user typed.

use http::StatusCode;
use serde_json::json;

use super::super::hooks::Outcome;
use super::super::respond::{GatewayError, Origin};

/// Why the forward proxy refused a request before inspecting anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyRefusal {
    /// No (or a wrong) proxy login where one is needed (407).
    LoginRequired {
        /// Credentials were sent but not accepted.
        wrong: bool,
    },
    /// A catalogued generative-AI service the municipality has not approved (403).
    UnapprovedAi {
        /// The service's name.
        service: String,
        /// The host asked for.
        host: String,
    },
    /// A host that is neither approved nor catalogued, with `other_hosts = "refuse"` (403).
    OtherHost {
        /// The host asked for.
        host: String,
    },
    /// An approved host, but no CA is configured to intercept it (403).
    NoInterceptionCa {
        /// The host asked for.
        host: String,
    },
    /// The request target is not `http://…` or `CONNECT host:port` (400).
    BadTarget,
    /// A tunnel to a port other than 443 (403).
    PortNotAllowed {
        /// The port asked for.
        port: u16,
    },
    /// The origin of an approved host could not be reached (502).
    OriginUnreachable {
        /// The host.
        host: String,
    },
    /// A WebSocket upgrade to an approved host: not inspected frame by frame yet (403).
    WebSocket {
        /// The host.
        host: String,
    },
    /// A body the proxy cannot inspect (its content type), to an approved host (415).
    UninspectableBody {
        /// The content type (media type only).
        media_type: String,
    },
}

impl ProxyRefusal {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ProxyRefusal::LoginRequired { .. } => "proxy_login_required",
            ProxyRefusal::UnapprovedAi { .. } => "unapproved_ai_service",
            ProxyRefusal::OtherHost { .. } => "host_not_allowed",
            ProxyRefusal::NoInterceptionCa { .. } => "interception_unavailable",
            ProxyRefusal::BadTarget => "bad_proxy_target",
            ProxyRefusal::PortNotAllowed { .. } => "port_not_allowed",
            ProxyRefusal::OriginUnreachable { .. } => "origin_unreachable",
            ProxyRefusal::UninspectableBody { .. } => "uninspectable_body",
            ProxyRefusal::WebSocket { .. } => "websocket_not_inspected",
        }
    }

    /// The gateway error it is recorded and rendered as.
    pub fn into_error(self) -> GatewayError {
        let code = self.code();
        let (origin, status, ja, en, details) = match &self {
            ProxyRefusal::LoginRequired { wrong } => (
                Origin::Client,
                StatusCode::PROXY_AUTHENTICATION_REQUIRED,
                if *wrong {
                    "プロキシのユーザー名またはパスワードが違います。".to_string()
                } else {
                    "プロキシへのログインが必要です。職員のユーザー名とパスワードを入力してください。".to_string()
                },
                if *wrong {
                    "proxy login not accepted: wrong user name or password".to_string()
                } else {
                    "proxy login required: sign in with your staff user name and password".to_string()
                },
                None,
            ),
            ProxyRefusal::UnapprovedAi { service, host } => (
                Origin::Policy,
                StatusCode::FORBIDDEN,
                format!("{service}（{host}）は承認されていない生成AIサービスのため利用できません。承認済みのサービスを使ってください。"),
                format!("{service} ({host}) is a generative-AI service that is not approved; use an approved service"),
                Some(json!({"service": service, "host": host})),
            ),
            ProxyRefusal::OtherHost { host } => (
                Origin::Policy,
                StatusCode::FORBIDDEN,
                format!("{host} へはこのプロキシを通して接続できません。"),
                format!("{host} is not reached through this proxy"),
                Some(json!({"host": host})),
            ),
            ProxyRefusal::NoInterceptionCa { host } => (
                Origin::Internal,
                StatusCode::FORBIDDEN,
                format!("{host} は承認済みですが、検査用の証明書が設定されていないため接続できません。管理者に連絡してください。"),
                format!("{host} is approved but cannot be inspected: no interception CA is configured ([forward_proxy] ca_cert, ca_key)"),
                Some(json!({"host": host})),
            ),
            ProxyRefusal::BadTarget => (
                Origin::Client,
                StatusCode::BAD_REQUEST,
                "プロキシへの要求の形式が正しくありません。".to_string(),
                "a proxy request needs an absolute http:// URL or CONNECT host:port".to_string(),
                None,
            ),
            ProxyRefusal::PortNotAllowed { port } => (
                Origin::Policy,
                StatusCode::FORBIDDEN,
                format!("ポート {port} へは接続できません。"),
                format!("tunnels are allowed to port 443 only, not {port}"),
                None,
            ),
            ProxyRefusal::OriginUnreachable { host } => (
                Origin::Upstream,
                StatusCode::BAD_GATEWAY,
                format!("{host} に接続できませんでした。"),
                format!("{host} could not be reached (connection or certificate verification failed)"),
                Some(json!({"host": host})),
            ),
            ProxyRefusal::WebSocket { host } => (
                Origin::Policy,
                StatusCode::FORBIDDEN,
                format!("{host} へのWebSocket通信は検査できないため接続できません。"),
                format!("WebSocket connections to {host} cannot be inspected and are refused"),
                Some(json!({"host": host})),
            ),
            ProxyRefusal::UninspectableBody { media_type } => (
                Origin::Policy,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("この形式（{media_type}）の送信内容は検査できないため送信できません。"),
                format!("a body of type {media_type} cannot be inspected and is not sent; JSON, form and multipart text fields are"),
                None,
            ),
        };
        GatewayError {
            origin,
            outcome: Outcome::Refused,
            status,
            code,
            message_ja: ja,
            message_en: en,
            details,
            close: false,
            retry_after: None,
        }
    }
}

impl From<ProxyRefusal> for GatewayError {
    fn from(r: ProxyRefusal) -> Self {
        r.into_error()
    }
}
