//! The compiled configuration snapshot the request path reads: engine, policy,
//! identities, upstreams, routes and limits. Built off the request path by
//! [`Runtime::build`] and published atomically (see [`super::reload`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::config::{Config, ConfigError};
use crate::inspect::{Category, Engine, EngineBuilder};
use crate::policy::{model_matches, Action, Policy};

use super::guard;
use super::route::Api;

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// User id.
    pub user: String,
    /// Department.
    pub department: String,
}

/// A compiled `[[upstreams]]` entry.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// Name.
    pub name: String,
    /// Provider (`azure`, `on_premises`, `demo`, …).
    pub provider: String,
    /// Base URL without trailing slash (empty for `demo`).
    pub base_url: String,
    /// Credential header name and value to send.
    pub credential: Option<(http::HeaderName, http::HeaderValue)>,
    /// Timeout.
    pub timeout: Duration,
    /// Raw declaration.
    pub decl: crate::config::UpstreamConfig,
    /// What the region guard checks (`None`: the built-in demo).
    pub region: Option<crate::region::UpstreamDecl>,
    /// The implementation that answers for it.
    pub backend: Backend,
    /// Its own TLS client (`connect_to`, `ca_file`); `None`: the shared client.
    pub client: Option<reqwest::Client>,
    /// SigV4 signer (Bedrock with AWS credentials).
    pub signer: Option<Arc<super::sigv4::AwsSigner>>,
    /// OAuth2 access tokens (Vertex with a service account).
    pub google: Option<Arc<super::gcp_token::TokenSource>>,
}

/// Which implementation answers for an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A provider reached over HTTP.
    Http,
    /// The built-in demo (nothing leaves the process).
    Demo,
}

/// A compiled `[[models]]` entry: a name of the OpenAI door's catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogModel {
    /// The name users see and send.
    pub name: String,
    /// The upstream serving it.
    pub upstream: String,
    /// The provider's model id sent upstream.
    pub provider_model: String,
    /// Chat completions are translated to the upstream's API (Bedrock Converse).
    pub translate: bool,
}

/// Limits from `[server]`.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Body cap after decoding.
    pub max_body_bytes: usize,
    /// Maximum decompression ratio.
    pub max_decompression_ratio: u64,
    /// Deadline for the whole body.
    pub body_read_timeout: Duration,
    /// Warn token lifetime.
    pub warn_token_ttl: Duration,
}

/// Trusted-header settings, compiled.
#[derive(Clone, Debug)]
pub struct TrustedHeader {
    /// User header.
    pub user_header: http::HeaderName,
    /// Department header.
    pub department_header: http::HeaderName,
    /// Secret header.
    pub secret_header: http::HeaderName,
    /// SHA-256 of the secret (compared in constant time on digests).
    pub secret_sha256: [u8; 32],
    /// Allowed fronting clients.
    pub clients: Vec<IpNet>,
}

/// One configuration snapshot.
pub struct Runtime {
    /// The configuration it was built from.
    pub config: Config,
    /// Where it came from (None: embedded default).
    pub source: Option<PathBuf>,
    /// The file's text when built from a file (for reload records: digests, changes).
    pub source_text: Option<String>,
    /// Detection engine.
    pub engine: Arc<Engine>,
    /// Policy.
    pub policy: Policy,
    /// API keys: SHA-256 → principal.
    pub keys: HashMap<[u8; 32], Principal>,
    /// Trusted-header mode.
    pub trusted: Option<TrustedHeader>,
    /// Anonymous callers allowed.
    pub allow_anonymous: bool,
    /// Client allow list.
    pub allowed_clients: Vec<IpNet>,
    /// Upstreams by name.
    pub upstreams: HashMap<String, Arc<Upstream>>,
    /// Routes `(api, models, upstream)`, first match wins.
    pub routes: Vec<(String, Vec<String>, String)>,
    /// The model catalogue of the OpenAI door, in configuration order.
    pub catalog: Vec<Arc<CatalogModel>>,
    /// Limits.
    pub limits: Limits,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("source", &self.source)
            .field("upstreams", &self.upstreams.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The CIDR list `key` as networks (a bare address is a /32 or /128). A bad entry is an
/// error, never dropped; [`Config::validate`] reports it first, with its line.
fn parse_nets(src: Option<&Path>, key: &str, list: &[String]) -> Result<Vec<IpNet>, ConfigError> {
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            s.parse::<IpNet>()
                .ok()
                .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
                .ok_or_else(|| {
                    cfg_err(
                        src,
                        &format!("{key}[{i}]"),
                        format!(
                            "entry {} of {} is not a CIDR or IP address",
                            i + 1,
                            list.len()
                        ),
                        "write CIDRs such as \"10.0.0.0/8\" or \"127.0.0.1/32\"",
                    )
                })
        })
        .collect()
}

fn cfg_err(source: Option<&Path>, key: &str, reason: String, fix: &str) -> ConfigError {
    ConfigError {
        file: source.map_or_else(|| PathBuf::from("<embedded default>"), Path::to_path_buf),
        line: None,
        column: None,
        key: Some(key.to_string()),
        reason,
        fix: fix.to_string(),
    }
}

impl Runtime {
    /// Compiles a validated configuration (builds the engine: takes a moment).
    pub fn build(config: Config, source: Option<PathBuf>) -> Result<Runtime, ConfigError> {
        let src = source.as_deref();
        let base = src
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let engine = EngineBuilder::from_config(&config.detection, &base)
            .and_then(EngineBuilder::build)
            .map_err(|e| {
                cfg_err(
                    src,
                    "detection",
                    e.to_string(),
                    "correct the [detection] section",
                )
            })?;
        // First-use tables are built here, off the request path, not by the first prompt.
        engine.warm_up();

        let p = &config.policy;
        let parse_action = |key: &str, a: &str| {
            a.parse::<Action>()
                .map_err(|e| cfg_err(src, key, e, "use one of block, mask, warn, log"))
        };
        let mut policy = Policy::new(parse_action("policy.default_action", &p.default_action)?);
        for (c, a) in &p.actions {
            policy.set_action(
                Category::from_name(c),
                parse_action(&format!("policy.actions.{c}"), a)?,
            );
        }
        for k in &p.allow_content {
            policy.allow_content(k);
        }
        for d in &config.departments {
            let mut actions = Vec::new();
            for (c, a) in &d.actions {
                actions.push((
                    Category::from_name(c),
                    parse_action(&format!("departments.{}.actions.{c}", d.name), a)?,
                ));
            }
            let dp = policy.department(&d.name);
            for (c, a) in actions {
                dp.set_action(c, a);
            }
            dp.set_models(d.models.clone());
            dp.set_restore_in_urls(d.restore_in_urls);
            for k in &d.allow_content {
                dp.allow_content(k);
            }
        }

        let mut keys = HashMap::new();
        for k in &config.auth.keys {
            let mut h = [0u8; 32];
            hex::decode_to_slice(&k.sha256, &mut h).map_err(|_| {
                cfg_err(
                    src,
                    "auth.keys.sha256",
                    "not hex".into(),
                    "store the SHA-256 in hex",
                )
            })?;
            keys.insert(
                h,
                Principal {
                    user: k.user.clone(),
                    department: k.department.clone(),
                },
            );
        }
        let trusted = match &config.auth.trusted_header {
            None => None,
            Some(t) => {
                let name = |key: &str, v: &str| {
                    http::HeaderName::from_bytes(v.to_ascii_lowercase().as_bytes()).map_err(|_| {
                        cfg_err(
                            src,
                            key,
                            format!("'{v}' is not a header name"),
                            "use letters, digits and -",
                        )
                    })
                };
                use sha2::Digest;
                Some(TrustedHeader {
                    user_header: name("auth.trusted_header.user_header", &t.user_header)?,
                    department_header: name(
                        "auth.trusted_header.department_header",
                        &t.department_header,
                    )?,
                    secret_header: name("auth.trusted_header.secret_header", &t.secret_header)?,
                    secret_sha256: sha2::Sha256::digest(t.secret.as_bytes()).into(),
                    clients: parse_nets(src, "auth.trusted_header.clients", &t.clients)?,
                })
            }
        };

        let mut upstreams = HashMap::new();
        for u in &config.upstreams {
            let region = u.region_decl();
            guard::check_upstream(region.as_ref()).map_err(|v| {
                cfg_err(
                    src,
                    &format!("upstreams ({})", u.name),
                    format!("region rule {}: {} / {}", v.rule, v.en, v.ja),
                    &format!("{} / {}", v.fix_en, v.fix_ja),
                )
            })?;
            let credential = match &u.api_key {
                None => None,
                Some(key) => {
                    let header = u.auth_header.clone().unwrap_or_else(|| {
                        match u.provider.as_str() {
                            "azure_openai" => "api-key",
                            "anthropic" => "x-api-key",
                            "gemini_developer" => "x-goog-api-key",
                            _ => "authorization",
                        }
                        .to_string()
                    });
                    let name = http::HeaderName::from_bytes(header.to_ascii_lowercase().as_bytes())
                        .map_err(|_| {
                            cfg_err(
                                src,
                                "upstreams.auth_header",
                                format!("'{header}' is not a header name"),
                                "use e.g. api-key",
                            )
                        })?;
                    let value = if name == http::header::AUTHORIZATION {
                        format!("Bearer {key}")
                    } else {
                        key.clone()
                    };
                    let mut value = http::HeaderValue::from_str(&value).map_err(|_| {
                        cfg_err(
                            src,
                            "upstreams.api_key",
                            "the key contains characters not allowed in a header".into(),
                            "check the value of the variable",
                        )
                    })?;
                    value.set_sensitive(true);
                    Some((name, value))
                }
            };
            let transport = super::transport::build(u, &base).map_err(|e| {
                cfg_err(
                    src,
                    &format!("upstreams ({}).{}", u.name, e.key),
                    e.reason,
                    &e.fix,
                )
            })?;
            upstreams.insert(
                u.name.clone(),
                Arc::new(Upstream {
                    name: u.name.clone(),
                    provider: u.provider.clone(),
                    base_url: u.base_url.trim_end_matches('/').to_string(),
                    credential,
                    timeout: Duration::from_secs(
                        u.timeout_secs
                            .unwrap_or(crate::config::DEFAULT_UPSTREAM_TIMEOUT_SECS),
                    ),
                    decl: u.clone(),
                    region,
                    backend: if u.provider == "demo" {
                        Backend::Demo
                    } else {
                        Backend::Http
                    },
                    client: transport.client,
                    signer: transport.signer,
                    google: transport.google,
                }),
            );
        }
        let routes = config
            .routes
            .iter()
            .map(|r| (r.api.clone(), r.models.clone(), r.upstream.clone()))
            .collect();
        // A translated catalogue model's provider path is checked by the region guard
        // now, so a model id outside Japan (`apac.…`, another location) fails the load
        // rather than every request.
        for m in config.models.iter().filter(|m| m.translate) {
            let Some(decl) = upstreams.get(&m.upstream).and_then(|u| u.region.as_ref()) else {
                continue;
            };
            let provider = upstreams
                .get(&m.upstream)
                .map(|u| u.provider.clone())
                .unwrap_or_default();
            let model = m.provider_model.as_deref().unwrap_or(&m.name);
            for stream in [false, true] {
                let path = super::route::translated_path(&provider, model, stream);
                crate::region::check_request(decl, &crate::region::RequestView::new(&path))
                    .map_err(|v| {
                        cfg_err(
                            src,
                            &format!("models ({}).provider_model", m.name),
                            format!("region rule {}: {} / {}", v.rule, v.en, v.ja),
                            &format!("{} / {}", v.fix_en, v.fix_ja),
                        )
                    })?;
            }
        }
        let catalog = config
            .models
            .iter()
            .map(|m| {
                Arc::new(CatalogModel {
                    name: m.name.clone(),
                    upstream: m.upstream.clone(),
                    provider_model: m.provider_model.clone().unwrap_or_else(|| m.name.clone()),
                    translate: m.translate,
                })
            })
            .collect();
        let s = &config.server;
        Ok(Runtime {
            catalog,
            engine: Arc::new(engine),
            policy,
            keys,
            trusted,
            allow_anonymous: config.auth.allow_anonymous,
            allowed_clients: parse_nets(src, "server.allowed_clients", &s.allowed_clients)?,
            upstreams,
            routes,
            limits: Limits {
                max_body_bytes: s.max_body_bytes,
                max_decompression_ratio: s.max_decompression_ratio,
                body_read_timeout: Duration::from_secs(s.body_read_timeout_secs),
                warn_token_ttl: Duration::from_secs(p.warn_token_ttl_secs),
            },
            source,
            source_text: None,
            config,
        })
    }

    /// The upstream serving `api` for `model`, first matching route.
    pub fn route(&self, api: Api, model: Option<&str>) -> Option<Arc<Upstream>> {
        self.routes
            .iter()
            .find(|(a, models, _)| {
                a == api.as_str()
                    && (models.is_empty()
                        || model.is_some_and(|m| models.iter().any(|p| model_matches(p, m))))
            })
            .and_then(|(_, _, u)| self.upstreams.get(u).cloned())
    }

    /// The catalogue entry named `name`.
    pub fn catalog_model(&self, name: &str) -> Option<&Arc<CatalogModel>> {
        self.catalog.iter().find(|m| m.name == name)
    }

    /// Whether `ip` may connect.
    pub fn client_allowed(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.allowed_clients.iter().any(|n| n.contains(&ip))
    }
}

/// IPv4-mapped IPv6 addresses as IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}
