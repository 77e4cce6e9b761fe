//! PAC files (proxy auto-configuration) generated from `[forward_proxy]`: the AI
//! hosts — approved and catalogued unapproved ones — go to Sekimori
//! (`PROXY host:port`), everything else to `pac_fallback` (`DIRECT` or the
//! municipality's existing proxy). Served on the proxy listener as `GET /proxy.pac`
//! (the department from the client's network) and `GET /pac/{department}.pac`, and
//! printed by `sekimori pac --department D`; handed to browsers by group policy.
//!
//! AI hosts get no `DIRECT` after the proxy: when Sekimori is down they fail closed.

use super::catalogue::HostRules;

/// The MIME type of PAC files.
pub const CONTENT_TYPE: &str = "application/x-ns-proxy-autoconfig";

fn js_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The PAC file for `department`: AI hosts → `PROXY {proxy}`, the rest → `fallback`.
pub fn generate(rules: &HostRules, proxy: &str, fallback: &str, department: &str) -> String {
    let mut exact = Vec::new();
    let mut domains = Vec::new();
    for p in rules.ai_patterns() {
        match p.strip_prefix("*.") {
            Some(d) => domains.push(js_string(d)),
            None => exact.push(js_string(&p)),
        }
    }
    let lines = [
        format!(
            "// Sekimori (関守) PAC for department {}: generated from [forward_proxy]; do not edit.",
            js_string(department)
        ),
        "// AI services go through Sekimori (approved ones are inspected, others refused).".into(),
        "function FindProxyForURL(url, host) {".into(),
        "  host = host.toLowerCase();".into(),
        "  if (host.charAt(host.length - 1) == \".\") host = host.substring(0, host.length - 1);".into(),
        format!("  var sekimori = {};", js_string(&format!("PROXY {proxy}"))),
        format!("  var exact = [{}];", exact.join(", ")),
        format!("  var domains = [{}];", domains.join(", ")),
        "  for (var i = 0; i < exact.length; i++) {".into(),
        "    if (host == exact[i]) return sekimori;".into(),
        "  }".into(),
        "  for (var j = 0; j < domains.length; j++) {".into(),
        "    if (host == domains[j] || dnsDomainIs(host, \".\" + domains[j])) return sekimori;".into(),
        "  }".into(),
        format!("  return {};", js_string(fallback)),
        "}".into(),
        String::new(),
    ];
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::forward::ForwardProxyConfig;

    #[test]
    fn hosts_are_listed_and_quoted() {
        let cfg = ForwardProxyConfig {
            approved: vec!["chat.example.lg.jp".into(), "*.openai.azure.com".into()],
            ..Default::default()
        };
        let pac = generate(
            &HostRules::new(&cfg),
            "sekimori.city.local:3128",
            "DIRECT",
            "kosodate",
        );
        assert!(pac.contains("\"chat.example.lg.jp\""), "{pac}");
        assert!(pac.contains("\"openai.azure.com\""), "{pac}");
        assert!(pac.contains("\"chatgpt.com\""), "{pac}");
        assert!(pac.contains("\"PROXY sekimori.city.local:3128\""), "{pac}");
        assert!(pac.contains("department \"kosodate\""), "{pac}");
    }
}
