//! The forward proxy: the browsers' door to the pipeline (issue 16).
//!
//! Staff browsers reach it through a PAC file or a fixed proxy setting. [`listener`]
//! speaks HTTP/1.1 proxy semantics (absolute-form `http://` requests, `CONNECT` for
//! `https://`), identifies the caller ([`identity`]: login, listener or network;
//! nobody anonymous) and sorts the destination ([`catalogue`]):
//!
//! | destination | what happens |
//! |---|---|
//! | approved AI host | intercepted with the municipality's CA ([`ca`]) and each request run through the same phases as the reverse proxy ([`door`]) |
//! | unapproved AI host (catalogue) | refused and recorded: the block page over TLS when the CA is configured, else 403 to `CONNECT` |
//! | `never_intercept` host | tunnelled as it is ([`tunnel`]) |
//! | any other host | refused (default) or tunnelled, per `other_hosts` |
//!
//! Refusals are the gateway's own errors ([`refusal`]) recorded through the phases'
//! `finish` and shown as a page or JSON ([`page`]).

pub mod ca;
pub mod catalogue;
pub mod door;
pub mod form;
pub mod identity;
pub mod intercept;
pub mod listener;
pub mod origin;
pub mod pac;
pub mod page;
pub mod refusal;
pub mod tunnel;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::config::forward::ForwardProxyConfig;
use crate::config::ConfigError;

use super::runtime::canonical;
use super::state::Shared;

pub use listener::{start, RunningForwardProxy};

/// What `other_hosts` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherHosts {
    /// Refused (403).
    Refuse,
    /// Tunnelled uninspected.
    Tunnel,
}

/// The compiled `[forward_proxy]` over the gateway's shared state.
pub struct ForwardProxy {
    /// The gateway's shared state (configuration snapshot, audit, metrics).
    pub shared: Arc<Shared>,
    /// Where hosts belong.
    pub hosts: catalogue::HostRules,
    /// What happens to other hosts.
    pub other_hosts: OtherHosts,
    /// Who is calling.
    pub identity: identity::Identity,
    /// Client networks allowed (empty: `server.allowed_clients`).
    pub allowed_clients: Vec<IpNet>,
    /// Shown on the block page.
    pub contact: String,
    /// Host → address overrides for the upstream side.
    pub resolve: HashMap<String, SocketAddr>,
    /// Connect timeout to origins.
    pub connect_timeout: Duration,
    /// Idle timeout of connections and tunnels.
    pub idle_timeout: Duration,
    /// Time allowed for a request head.
    pub header_timeout: Duration,
    /// The interception CA (`None`: nothing is intercepted).
    pub ca: Option<Arc<ca::Ca>>,
    /// The client for approved hosts' origins.
    pub origin: reqwest::Client,
    /// The configuration it was built from.
    pub config: ForwardProxyConfig,
    /// The address the listener is bound to (set by [`start`]).
    pub bound: std::sync::OnceLock<SocketAddr>,
}

impl std::fmt::Debug for ForwardProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForwardProxy").finish_non_exhaustive()
    }
}

impl ForwardProxy {
    /// Compiles `cfg` (validated) over `shared`, logins checked against the local users.
    pub fn new(shared: Arc<Shared>, cfg: &ForwardProxyConfig) -> Result<Self, ConfigError> {
        let users = Arc::new(identity::LocalUsers::new(cfg));
        Self::with_users(shared, cfg, users)
    }

    /// Compiles `cfg` with logins checked by `users` (an LDAP backend, a test double).
    pub fn with_users(
        shared: Arc<Shared>,
        cfg: &ForwardProxyConfig,
        users: Arc<dyn identity::UserCheck>,
    ) -> Result<Self, ConfigError> {
        let rt = shared.runtime.load();
        let server = rt.config.server.clone();
        // Files are relative to the configuration file.
        let base = rt
            .source
            .as_deref()
            .and_then(std::path::Path::parent)
            .map_or_else(
                || std::path::PathBuf::from("."),
                std::path::Path::to_path_buf,
            );
        drop(rt);
        let resolve: HashMap<String, SocketAddr> = cfg
            .resolve
            .iter()
            .filter_map(|(h, a)| Some((h.clone(), a.parse().ok()?)))
            .collect();
        let connect_timeout = Duration::from_secs(crate::config::DEFAULT_CONNECT_TIMEOUT_SECS);
        let ca = match (&cfg.ca_cert, &cfg.ca_key) {
            (Some(c), Some(k)) => Some(Arc::new(
                ca::Ca::load(&base.join(c), &base.join(k), cfg.leaf_cache).map_err(|e| {
                    ConfigError {
                        file: base.join("sekimori.toml"),
                        line: None,
                        column: None,
                        key: Some("forward_proxy.ca_cert".into()),
                        reason: e.to_string(),
                        fix:
                            "create the CA with `sekimori ca init --dir DIR` and give its two files"
                                .into(),
                    }
                })?,
            )),
            _ => None,
        };
        let origin = origin::client(&cfg.extra_roots, &resolve, &base, connect_timeout)?;
        Ok(ForwardProxy {
            hosts: catalogue::HostRules::new(cfg),
            other_hosts: if cfg.other_hosts == "tunnel" {
                OtherHosts::Tunnel
            } else {
                OtherHosts::Refuse
            },
            identity: identity::Identity::new(cfg, users),
            allowed_clients: cfg
                .allowed_clients
                .iter()
                .filter_map(|s| {
                    s.parse::<IpNet>()
                        .ok()
                        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
                })
                .collect(),
            contact: cfg.contact.clone(),
            resolve,
            connect_timeout,
            ca,
            origin,
            idle_timeout: Duration::from_secs(server.idle_timeout_secs),
            header_timeout: Duration::from_secs(server.header_read_timeout_secs),
            config: cfg.clone(),
            bound: std::sync::OnceLock::new(),
            shared,
        })
    }

    /// The department of a client address by `department` / `[[forward_proxy.clients]]`
    /// (`default` otherwise), for `/proxy.pac`.
    pub fn network_department(&self, ip: IpAddr) -> String {
        let ip = canonical(ip);
        self.config.department.clone().unwrap_or_else(|| {
            self.config
                .clients
                .iter()
                .find(|c| {
                    c.cidr
                        .parse::<IpNet>()
                        .ok()
                        .or_else(|| c.cidr.parse::<IpAddr>().ok().map(IpNet::from))
                        .is_some_and(|n| n.contains(&ip))
                })
                .map_or_else(|| "default".to_string(), |c| c.department.clone())
        })
    }

    /// Whether `department` is one a PAC may be asked for (`default` or declared).
    pub fn knows_department(&self, department: &str) -> bool {
        department == "default"
            || self
                .shared
                .runtime
                .load()
                .config
                .departments
                .iter()
                .any(|d| d.name == department)
    }

    /// The PAC file for `department`; the proxy named as `pac_proxy`, or as the
    /// browsers reached this listener (`reached`, `host:port`).
    pub fn pac(&self, department: &str, reached: &str) -> String {
        let proxy = self.config.pac_proxy.as_deref().unwrap_or(reached);
        pac::generate(&self.hosts, proxy, &self.config.pac_fallback, department)
    }

    /// The bound address (`listen` before [`start`]).
    pub fn bound(&self) -> SocketAddr {
        self.bound.get().copied().unwrap_or_else(|| {
            self.config
                .listen
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 3128)))
        })
    }

    /// Whether `ip` may connect.
    pub fn client_allowed(&self, ip: IpAddr) -> bool {
        if self.allowed_clients.is_empty() {
            return self.shared.runtime.load().client_allowed(ip);
        }
        let ip = canonical(ip);
        self.allowed_clients.iter().any(|n| n.contains(&ip))
    }
}
