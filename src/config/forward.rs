//! `[forward_proxy]`: the browsers' door (issue 16) as written in the file, and its
//! validation.
//!
//! A forward proxy for the staff's browsers: approved AI hosts are intercepted with the
//! municipality's CA and inspected like the reverse proxy's requests, catalogued
//! unapproved AI hosts are refused (and recorded), every other host is refused or
//! tunnelled uninspected. Who is calling is the listener's department, the client's
//! network (`[[forward_proxy.clients]]`) or a `Proxy-Authorization: Basic` login
//! against `[[forward_proxy.users]]` (argon2id hashes); nobody passes anonymously.
//! The section is read when the gateway starts (a reload does not change it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Default forward-proxy listen address (loopback, the usual proxy port).
pub const DEFAULT_FORWARD_LISTEN: &str = "127.0.0.1:3128";

/// `[forward_proxy]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForwardProxyConfig {
    /// Listen address. Default `127.0.0.1:3128`.
    pub listen: String,
    /// Client networks allowed to connect (CIDRs). Empty (default): those of
    /// `server.allowed_clients`.
    pub allowed_clients: Vec<String>,
    /// The department of everyone on this listener, when the listener is one
    /// department's (e.g. one per VLAN). A `Proxy-Authorization` login still wins.
    pub department: Option<String>,
    /// Client networks → department (first match wins), when no login is sent.
    pub clients: Vec<ClientNetworkConfig>,
    /// Local proxy users (`Proxy-Authorization: Basic`), argon2id password hashes.
    pub users: Vec<ProxyUserConfig>,
    /// Require a login even where the listener or network names a department.
    pub require_login: bool,
    /// Approved AI hosts, intercepted and inspected: `chat.example.lg.jp` or
    /// `*.openai.azure.com` (the host and every subdomain).
    pub approved: Vec<String>,
    /// Unapproved generative-AI hosts to refuse besides the built-in catalogue
    /// (`dictionaries/ai-hosts.toml`), same patterns as `approved`.
    pub unapproved: Vec<String>,
    /// Catalogued hosts the municipality does approve after all (taken out of the
    /// catalogue; list them in `approved` to inspect them).
    pub catalogue_exceptions: Vec<String>,
    /// What happens to any other host: `refuse` (default; a PAC sends only AI hosts
    /// here) or `tunnel` (passed through uninspected).
    pub other_hosts: String,
    /// Hosts that are never intercepted, whatever else says (tunnelled as they are).
    pub never_intercept: Vec<String>,
    /// Whom staff ask when something is refused, shown on the block page.
    pub contact: String,
    /// The interception CA certificate (PEM), from `sekimori ca init`. Without it
    /// nothing is intercepted: approved hosts cannot be inspected and are refused,
    /// unapproved ones get a plain 403 to `CONNECT`.
    pub ca_cert: Option<String>,
    /// The CA's private key (PEM, mode 0600).
    pub ca_key: Option<String>,
    /// Extra root certificates (PEM files) trusted for the upstream side besides the
    /// platform's (an internal CA of the municipality; the tests' CA).
    pub extra_roots: Vec<String>,
    /// Host → `address:port` used instead of DNS for the upstream side (ops: a host
    /// reached through a fixed address; tests: a loopback server). Certificates are
    /// still verified for the host's name.
    pub resolve: BTreeMap<String, String>,
    /// What PAC files send the AI hosts to: `host:port` of this proxy as the browsers
    /// reach it. Default: `listen`.
    pub pac_proxy: Option<String>,
    /// What PAC files answer for every other URL: `DIRECT` (default) or the
    /// municipality's existing proxy, `PROXY host:port`.
    pub pac_fallback: String,
    /// Leaf certificates kept in memory (one per intercepted host). Default 1024.
    pub leaf_cache: usize,
}

/// Default number of leaf certificates kept.
pub const DEFAULT_LEAF_CACHE: usize = 1024;

impl Default for ForwardProxyConfig {
    fn default() -> Self {
        ForwardProxyConfig {
            listen: DEFAULT_FORWARD_LISTEN.into(),
            allowed_clients: Vec::new(),
            department: None,
            clients: Vec::new(),
            users: Vec::new(),
            require_login: false,
            approved: Vec::new(),
            unapproved: Vec::new(),
            catalogue_exceptions: Vec::new(),
            other_hosts: "refuse".into(),
            never_intercept: Vec::new(),
            contact: String::new(),
            ca_cert: None,
            ca_key: None,
            extra_roots: Vec::new(),
            resolve: BTreeMap::new(),
            pac_proxy: None,
            pac_fallback: "DIRECT".into(),
            leaf_cache: DEFAULT_LEAF_CACHE,
        }
    }
}

/// `[[forward_proxy.clients]]`: a network and its department.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientNetworkConfig {
    /// CIDR (`10.1.0.0/16`) or address.
    pub cidr: String,
    /// Department of the callers from it.
    pub department: String,
}

/// `[[forward_proxy.users]]`: a local proxy login.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyUserConfig {
    /// User name (as typed in the browser's login prompt).
    pub name: String,
    /// Department.
    pub department: String,
    /// argon2id hash in PHC form (`$argon2id$v=19$m=…`), never the password.
    pub password_hash: String,
}

/// A validation failure: key, text to find the line by, reason, fix.
pub type Problem = (String, String, String, String);

fn problem(key: impl Into<String>, needle: &str, reason: String, fix: &str) -> Problem {
    (key.into(), needle.to_string(), reason, fix.to_string())
}

/// Whether `p` is a host pattern: a DNS name (`chat.example.jp`) or `*.` and one.
pub fn is_host_pattern(p: &str) -> bool {
    let name = p.strip_prefix("*.").unwrap_or(p);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

impl ForwardProxyConfig {
    /// Checks meaning: addresses, CIDRs, departments (`default` or a `[[departments]]`
    /// name), password hashes, host patterns, the CA pair, the PAC settings.
    pub fn check(&self, departments: &[&str]) -> Result<(), Problem> {
        let fp = "forward_proxy";
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(problem(
                format!("{fp}.listen"),
                &self.listen,
                format!("'{}' is not an address:port", self.listen),
                "write e.g. listen = \"127.0.0.1:3128\"",
            ));
        }
        let cidr = |key: String, c: &str| {
            c.parse::<ipnet::IpNet>()
                .map(|_| ())
                .or_else(|_| c.parse::<std::net::IpAddr>().map(|_| ()))
                .map_err(|_| {
                    problem(
                        key,
                        c,
                        format!("'{c}' is not a CIDR or IP address"),
                        "write CIDRs such as \"10.1.0.0/16\" or \"127.0.0.1/32\"",
                    )
                })
        };
        for c in &self.allowed_clients {
            cidr(format!("{fp}.allowed_clients"), c)?;
        }
        let dept = |key: String, d: &str| {
            if d == "default" || departments.contains(&d) {
                Ok(())
            } else {
                Err(problem(
                    key,
                    d,
                    format!("no [[departments]] is named '{d}'"),
                    "add that department or correct the name (or use \"default\")",
                ))
            }
        };
        if let Some(d) = &self.department {
            dept(format!("{fp}.department"), d)?;
        }
        for (i, c) in self.clients.iter().enumerate() {
            cidr(format!("{fp}.clients[{i}].cidr"), &c.cidr)?;
            dept(format!("{fp}.clients[{i}].department"), &c.department)?;
        }
        let mut names = std::collections::HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let valid_name = !u.name.is_empty()
                && u.name.len() <= 128
                && !u.name.contains(':')
                && !u.name.chars().any(char::is_control);
            if !valid_name || !names.insert(u.name.as_str()) {
                return Err(problem(
                    format!("{fp}.users[{i}].name"),
                    "[[forward_proxy.users]]",
                    "user name is empty, repeated, too long or contains ':'".into(),
                    "give every proxy user a unique name without ':'",
                ));
            }
            dept(format!("{fp}.users[{i}].department"), &u.department)?;
            let ok = argon2::PasswordHash::new(&u.password_hash)
                .is_ok_and(|h| h.algorithm.as_str() == "argon2id");
            if !ok {
                return Err(problem(
                    format!("{fp}.users[{i}].password_hash"),
                    "password_hash",
                    "not an argon2id hash in PHC form".into(),
                    "store the hash, not the password: `sekimori proxy-user hash` prints one ($argon2id$v=19$…)",
                ));
            }
        }
        for (key, list) in [
            ("approved", &self.approved),
            ("unapproved", &self.unapproved),
            ("catalogue_exceptions", &self.catalogue_exceptions),
            ("never_intercept", &self.never_intercept),
        ] {
            for h in list {
                if !is_host_pattern(h) {
                    return Err(problem(
                        format!("{fp}.{key}"),
                        h,
                        format!("'{h}' is not a host name or *.domain pattern"),
                        "write lowercase host names such as \"chat.example.lg.jp\" or \"*.openai.azure.com\", without scheme, port or path",
                    ));
                }
            }
        }
        if !matches!(self.other_hosts.as_str(), "refuse" | "tunnel") {
            return Err(problem(
                format!("{fp}.other_hosts"),
                &self.other_hosts,
                format!("unknown action '{}' for other hosts", self.other_hosts),
                "use refuse (the default) or tunnel",
            ));
        }
        if self.ca_cert.is_some() != self.ca_key.is_some() {
            return Err(problem(
                format!("{fp}.ca_cert"),
                "ca_",
                "ca_cert and ca_key come together".into(),
                "give both files written by `sekimori ca init`, or neither",
            ));
        }
        for (host, addr) in &self.resolve {
            if !is_host_pattern(host) || host.starts_with("*.") {
                return Err(problem(
                    format!("{fp}.resolve"),
                    host,
                    format!("'{host}' is not a host name"),
                    "write \"host.example\" = \"127.0.0.1:8443\"",
                ));
            }
            if addr.parse::<std::net::SocketAddr>().is_err() {
                return Err(problem(
                    format!("{fp}.resolve.{host}"),
                    addr,
                    format!("'{addr}' is not an address:port"),
                    "write \"host.example\" = \"127.0.0.1:8443\"",
                ));
            }
        }
        if let Some(p) = &self.pac_proxy {
            if !is_host_port(p) {
                return Err(problem(
                    format!("{fp}.pac_proxy"),
                    p,
                    format!("'{p}' is not host:port"),
                    "write the proxy as browsers reach it, e.g. \"sekimori.city.local:3128\"",
                ));
            }
        }
        let fallback_ok = self.pac_fallback == "DIRECT"
            || self
                .pac_fallback
                .strip_prefix("PROXY ")
                .or_else(|| self.pac_fallback.strip_prefix("HTTPS "))
                .is_some_and(is_host_port);
        if !fallback_ok {
            return Err(problem(
                format!("{fp}.pac_fallback"),
                &self.pac_fallback,
                format!("'{}' is not DIRECT or PROXY host:port", self.pac_fallback),
                "write \"DIRECT\" or the existing proxy as \"PROXY proxy.city.local:8080\"",
            ));
        }
        if self.leaf_cache == 0 {
            return Err(problem(
                format!("{fp}.leaf_cache"),
                "leaf_cache",
                "must be at least 1".into(),
                "give a positive number or remove the key for the default (1024)",
            ));
        }
        Ok(())
    }
}

/// `host:port` with a host of letters, digits, `.`, `-` (or an IP address) and a port.
fn is_host_port(s: &str) -> bool {
    if s.parse::<std::net::SocketAddr>().is_ok() {
        return true;
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    port.parse::<u16>().is_ok_and(|p| p > 0)
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod tests;
