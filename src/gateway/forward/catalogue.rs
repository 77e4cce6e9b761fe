//! Where a host belongs: approved AI (intercepted and inspected), unapproved AI
//! (refused, from the built-in catalogue `dictionaries/ai-hosts.toml` plus the
//! administrator's additions), never intercepted, or anything else.

use serde::Deserialize;

use crate::config::forward::ForwardProxyConfig;

/// The built-in catalogue of unapproved generative-AI services (TOML).
pub const BUILTIN_CATALOGUE: &str = include_str!("../../../dictionaries/ai-hosts.toml");

#[derive(Deserialize)]
struct CatalogueFile {
    service: Vec<ServiceEntry>,
}

#[derive(Deserialize)]
#[allow(dead_code)] // `operator` and `source` document the entry.
struct ServiceEntry {
    name: String,
    operator: String,
    hosts: Vec<String>,
    source: String,
}

/// One catalogued unapproved service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// Its name (`ChatGPT`), shown on the block page and in the audit record.
    pub name: String,
    /// Host patterns (`chatgpt.com`, `*.chatgpt.com`).
    pub hosts: Vec<String>,
}

/// The built-in catalogue, parsed.
pub fn builtin() -> Vec<Service> {
    let f: CatalogueFile = toml::from_str(BUILTIN_CATALOGUE).expect("built-in catalogue parses");
    f.service
        .into_iter()
        .map(|s| Service {
            name: s.name,
            hosts: s.hosts,
        })
        .collect()
}

/// Whether `host` matches `pattern` (`example.jp`, or `*.example.jp`: the domain
/// and every subdomain). `host` must be lowercase without a trailing dot.
pub fn matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => {
            host == domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.'))
        }
        None => pattern == host,
    }
}

/// A host in the form rules compare: lowercase, no trailing dot, no brackets.
pub fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// What the proxy does with a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Listed in `never_intercept`: passed through as it is.
    NeverIntercept,
    /// Approved AI: intercepted and inspected.
    Approved,
    /// Unapproved AI (the service's name): refused and recorded.
    Unapproved(String),
    /// Anything else: `other_hosts` decides.
    Other,
}

/// The host rules of one `[forward_proxy]`.
#[derive(Clone, Debug)]
pub struct HostRules {
    never_intercept: Vec<String>,
    approved: Vec<String>,
    unapproved: Vec<Service>,
}

impl HostRules {
    /// The rules of `cfg` over the built-in catalogue.
    pub fn new(cfg: &ForwardProxyConfig) -> Self {
        let exceptions = &cfg.catalogue_exceptions;
        let mut unapproved: Vec<Service> = builtin()
            .into_iter()
            .map(|mut s| {
                s.hosts.retain(|h| !exceptions.contains(h));
                s
            })
            .filter(|s| !s.hosts.is_empty())
            .collect();
        if !cfg.unapproved.is_empty() {
            unapproved.push(Service {
                name: "unapproved".into(),
                hosts: cfg.unapproved.clone(),
            });
        }
        HostRules {
            never_intercept: cfg.never_intercept.clone(),
            approved: cfg.approved.clone(),
            unapproved,
        }
    }

    /// Where `host` belongs. Order: never intercept, approved (an approved host wins
    /// over a catalogue entry), unapproved, other.
    pub fn classify(&self, host: &str) -> Destination {
        let host = normalize_host(host);
        if self.never_intercept.iter().any(|p| matches(p, &host)) {
            return Destination::NeverIntercept;
        }
        if self.approved.iter().any(|p| matches(p, &host)) {
            return Destination::Approved;
        }
        for s in &self.unapproved {
            if s.hosts.iter().any(|p| matches(p, &host)) {
                return Destination::Unapproved(s.name.clone());
            }
        }
        Destination::Other
    }

    /// Host patterns a PAC file sends to the proxy: approved and unapproved AI.
    pub fn ai_patterns(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .approved
            .iter()
            .cloned()
            .chain(self.unapproved.iter().flat_map(|s| s.hosts.iter().cloned()))
            .filter(|p| !self.never_intercept.contains(p))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_sourced_and_well_formed() {
        let f: CatalogueFile = toml::from_str(BUILTIN_CATALOGUE).unwrap();
        assert!(f.service.len() >= 8);
        for s in &f.service {
            assert!(!s.source.is_empty() && !s.operator.is_empty(), "{}", s.name);
            for h in &s.hosts {
                assert!(crate::config::forward::is_host_pattern(h), "{h}");
            }
        }
    }

    #[test]
    fn hosts_are_classified_in_order() {
        let cfg = ForwardProxyConfig {
            approved: vec!["chat.example.lg.jp".into(), "claude.ai".into()],
            unapproved: vec!["*.shadow.example".into()],
            never_intercept: vec!["login.example.jp".into()],
            catalogue_exceptions: vec!["*.poe.com".into()],
            ..Default::default()
        };
        let r = HostRules::new(&cfg);
        let cases = [
            ("chatgpt.com", Destination::Unapproved("ChatGPT".into())),
            ("CHATGPT.com.", Destination::Unapproved("ChatGPT".into())),
            ("ab.chatgpt.com", Destination::Unapproved("ChatGPT".into())),
            ("notchatgpt.com", Destination::Other),
            ("chat.openai.com", Destination::Unapproved("ChatGPT".into())),
            (
                "gemini.google.com",
                Destination::Unapproved("Gemini".into()),
            ),
            ("www.google.com", Destination::Other),
            (
                "www.perplexity.ai",
                Destination::Unapproved("Perplexity".into()),
            ),
            (
                "chat.deepseek.com",
                Destination::Unapproved("DeepSeek".into()),
            ),
            (
                "copilot.microsoft.com",
                Destination::Unapproved("Copilot".into()),
            ),
            // The exception takes out the pattern, not the service.
            ("poe.com", Destination::Unapproved("Poe".into())),
            ("x.poe.com", Destination::Other),
            ("claude.ai", Destination::Approved),
            ("chat.example.lg.jp", Destination::Approved),
            (
                "a.shadow.example",
                Destination::Unapproved("unapproved".into()),
            ),
            (
                "shadow.example",
                Destination::Unapproved("unapproved".into()),
            ),
            ("login.example.jp", Destination::NeverIntercept),
        ];
        for (host, want) in cases {
            assert_eq!(r.classify(host), want, "{host}");
        }
        let pac = r.ai_patterns();
        assert!(pac.contains(&"chatgpt.com".to_string()));
        assert!(pac.contains(&"chat.example.lg.jp".to_string()));
        assert!(!pac.contains(&"login.example.jp".to_string()));
    }
}
