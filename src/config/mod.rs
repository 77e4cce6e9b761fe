//! Configuration: `sekimori.toml` → [`Config`] (raw, shape-checked) → validated.
//!
//! Loading is two-stage (see `architecture.md` §6.4):
//!
//! 1. [`load_str`] substitutes `${NAME}` environment references, parses the TOML into
//!    the raw structs of [`file`] (`deny_unknown_fields`, documented defaults) and
//!    reports any error with file, line, column, key, reason and fix.
//! 2. [`Config::validate`] checks what serde cannot: names that refer to each other,
//!    actions, CIDRs, URLs, hashes. The gateway then compiles the result into its
//!    runtime snapshot (engine, policy, routes).
//!
//! Environment lookup goes through a closure so tests never touch the process
//! environment:
//!
//! ```
//! use sekimori::config::load_str;
//! let env = |name: &str| (name == "URL").then(|| "http://127.0.0.1:8000".to_string());
//! let cfg = load_str(
//!     "[[upstreams]]\nname = \"local\"\nprovider = \"on_premises\"\nbase_url = \"${URL}\"\n",
//!     "inline.toml".as_ref(),
//!     &env,
//! )
//! .unwrap();
//! assert_eq!(cfg.upstreams[0].base_url, "http://127.0.0.1:8000");
//! ```

pub mod admin;
pub mod file;
pub mod forward;

use std::fmt;
use std::path::{Path, PathBuf};

pub use admin::*;
pub use file::*;

use crate::inspect::Category;

/// The configuration used when `sekimori serve` gets no `--config`: loopback only,
/// anonymous callers, everything routed to the built-in demo upstream.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config/default.toml");

/// A configuration error: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<embedded default>`).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// The key or table at fault (`upstreams[1].provider`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub reason: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(k) = &self.key {
            write!(f, ": {k}")?;
        }
        write!(f, ": {}", self.reason)?;
        if !self.fix.is_empty() {
            write!(f, "; fix: {}", self.fix)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Reads and validates a configuration file, looking up `${NAME}` in the process
/// environment.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: None,
        column: None,
        key: None,
        reason: format!("cannot read the file: {e}"),
        fix: "check the path and that the file is readable UTF-8".into(),
    })?;
    let env = |name: &str| std::env::var(name).ok();
    let cfg = load_str(&text, path, &env)?;
    cfg.validate(&text, path)?;
    Ok(cfg)
}

/// The embedded default configuration, parsed and validated.
pub fn embedded_default() -> Config {
    let path = Path::new("<embedded default>");
    let cfg = load_str(EMBEDDED_DEFAULT, path, &|_| None).expect("embedded default parses");
    cfg.validate(EMBEDDED_DEFAULT, path)
        .expect("embedded default is valid");
    cfg
}

/// Parses configuration text (shape only; call [`Config::validate`] next).
/// `env` resolves `${NAME}` references; `path` is used in messages.
pub fn load_str(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let mut values = Vec::new();
    // A malformed reference is quoted in the message: its control characters escaped.
    let substituted = substitute_env(text, path, env, &mut values)
        .map_err(|e| EnvValues::default().redact_error(e))?;
    let values = EnvValues(values);
    let mut cfg = toml::from_str::<Config>(&substituted).map_err(|e| {
        let (line, column, key) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(&substituted, span.start);
                let snippet = substituted
                    .get(span.clone())
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim();
                let printable = !snippet.chars().any(char::is_control);
                let key = (!snippet.is_empty() && snippet.len() <= 80 && printable)
                    .then(|| snippet.to_string());
                (Some(l), Some(c), key)
            }
            None => (None, None, None),
        };
        // Values read from the environment (credentials) never appear in messages.
        let redact = |s: String| values.redact(s);
        let key = key.map(redact);
        // One line: the parser's multi-line messages are joined with `; `.
        let mut reason = escape_controls(redact(e.message().replace('\n', "; ")));
        if reason.is_empty() {
            // The TOML parser gives no message for a character it does not allow
            // (a control character in a comment).
            let at = e
                .span()
                .and_then(|r| substituted.get(r.start..)?.chars().next());
            reason = match at {
                Some(c) if c.is_control() => {
                    format!("control character U+{:04X} is not allowed here", c as u32)
                }
                _ => "unexpected character".to_string(),
            };
        }
        let fix = if reason.contains("unknown field") {
            "remove or rename the key; see config/examples/full.toml for every accepted key"
        } else if reason.contains("missing field") {
            "add the required key (see config/examples/full.toml)"
        } else if reason.contains("invalid type") {
            "give the value the type shown in config/examples/full.toml"
        } else {
            "correct the TOML syntax at this position"
        };
        ConfigError {
            file: path.to_path_buf(),
            line,
            column,
            key,
            reason,
            fix: fix.into(),
        }
    })?;
    cfg.env_values = values;
    Ok(cfg)
}

/// The values substituted for `${NAME}` references while loading, by name. Its
/// `Debug` output shows how many there are, never a value.
#[derive(Clone, Default)]
pub struct EnvValues(Vec<(String, String)>);

impl fmt::Debug for EnvValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvValues({} substituted)", self.0.len())
    }
}

impl EnvValues {
    /// `s` with every substituted value written back as its `${NAME}` reference.
    fn redact(&self, s: String) -> String {
        self.0
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .fold(s, |s, (name, v)| {
                s.replace(v.as_str(), &format!("${{{name}}}"))
            })
    }

    /// `e` with no substituted value in its key, reason or fix, and control
    /// characters of quoted values written as escapes (`\u{0}`), so a message cannot
    /// break a log line or drive a terminal.
    fn redact_error(&self, e: ConfigError) -> ConfigError {
        let clean = |s: String| escape_controls(self.redact(s));
        ConfigError {
            key: e.key.map(clean),
            reason: clean(e.reason),
            fix: clean(e.fix),
            ..e
        }
    }
}

/// `s` with its control characters written as Rust-style escapes.
fn escape_controls(s: String) -> String {
    if !s.chars().any(char::is_control) {
        return s;
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (u32, u32) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        to_u32(line),
        to_u32(before[line_start..].chars().count() + 1),
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Replaces `${NAME}` (NAME: ASCII letters, digits, `_`) outside comments with the
/// variable's value, escaped for a TOML basic string. Unset → error naming it.
fn substitute_env(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    values: &mut Vec<(String, String)>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('#') || !line.contains("${") {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                return Err(ConfigError {
                    file: path.to_path_buf(),
                    line: Some(to_u32(n + 1)),
                    column: Some(to_u32(
                        line[..line.len() - rest.len() + i].chars().count() + 1,
                    )),
                    key: None,
                    reason: "`${` without a closing `}`".into(),
                    fix: "write environment references as ${NAME}".into(),
                });
            };
            let name = &after[..end];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(ConfigError {
                    file: path.to_path_buf(),
                    line: Some(to_u32(n + 1)),
                    column: None,
                    key: None,
                    reason: format!("`${{{name}}}` is not a valid environment variable reference"),
                    fix: "use only ASCII letters, digits and _ in ${NAME}".into(),
                });
            }
            let value = env(name).ok_or_else(|| ConfigError {
                file: path.to_path_buf(),
                line: Some(to_u32(n + 1)),
                column: None,
                key: None,
                reason: format!("environment variable {name} is not set"),
                fix: format!(
                    "export {name}=… before starting Sekimori, or write the value in the file"
                ),
            })?;
            let start = out.len();
            for ch in value.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                    c => out.push(c),
                }
            }
            values.push((name.to_string(), value.clone()));
            if out[start..] != *value {
                values.push((name.to_string(), out[start..].to_string()));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
    }
    Ok(out)
}

/// Known actions.
pub const ACTIONS: [&str; 4] = ["block", "mask", "warn", "log"];
/// Known kinds of uninspectable content.
pub const CONTENT_KINDS: [&str; 12] = [
    "image",
    "audio",
    "video",
    "file",
    "url",
    "web_search",
    "mcp",
    "server_tool",
    "data_sources",
    "token_ids",
    "binary",
    "nested_json",
];
/// Known providers.
pub const PROVIDERS: [&str; 9] = [
    "azure_openai",
    "bedrock",
    "vertex",
    "openai",
    "anthropic",
    "gemini_developer",
    "domestic",
    "on_premises",
    "demo",
];
/// Known API families for routes.
pub const APIS: [&str; 5] = ["openai", "azure", "anthropic", "gemini", "bedrock"];

impl Config {
    /// Checks meaning: actions, content kinds, CIDRs, upstream URLs, route targets,
    /// key hashes, department names. `source` is the file text, used to find line
    /// numbers; `path` names the file in messages. Values read from the environment
    /// never appear in a message (they are written as their `${NAME}`).
    pub fn validate(&self, source: &str, path: &Path) -> Result<(), ConfigError> {
        self.check(source, path)
            .map_err(|e| self.env_values.redact_error(e))
    }

    fn check(&self, source: &str, path: &Path) -> Result<(), ConfigError> {
        let err = |key: String, needle: &str, reason: String, fix: &str| ConfigError {
            file: path.to_path_buf(),
            line: find_line(source, needle),
            column: None,
            key: Some(key),
            reason,
            fix: fix.to_string(),
        };
        if let Some(a) = &self.admin {
            a.check().map_err(|(key, reason)| {
                err(
                    key.into(),
                    "[admin]",
                    reason,
                    "correct the [admin] table (see config/examples/full.toml)",
                )
            })?;
        }
        let s = &self.server;
        if s.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(err(
                "server.listen".into(),
                "listen",
                format!("'{}' is not an address:port", s.listen),
                "write e.g. listen = \"127.0.0.1:8787\"",
            ));
        }
        // A bad entry of a CIDR list is an error naming the list, the entry's index and
        // where it is written; it is never dropped (an address list that silently lost
        // an entry would refuse or, worse, admit the wrong clients).
        let cidrs = |key: &str, short: &str, list: &[String], fix: &str| {
            for (i, c) in list.iter().enumerate() {
                if let Err(r) = check_cidr(c) {
                    let (line, column) = find_value(source, c).map_or_else(
                        || (find_line(source, short), None),
                        |(l, c)| (Some(l), Some(c)),
                    );
                    return Err(ConfigError {
                        file: path.to_path_buf(),
                        line,
                        column,
                        key: Some(format!("{key}[{i}]")),
                        reason: format!("entry {} of {}: {r}", i + 1, list.len()),
                        fix: fix.to_string(),
                    });
                }
            }
            Ok(())
        };
        cidrs(
            "server.allowed_clients",
            "allowed_clients",
            &s.allowed_clients,
            "write CIDRs such as \"10.0.0.0/8\" or \"127.0.0.1/32\"",
        )?;
        for (k, v, min) in [
            ("server.max_body_bytes", s.max_body_bytes as u64, 1),
            (
                "server.max_decompression_ratio",
                s.max_decompression_ratio,
                1,
            ),
            (
                "server.header_read_timeout_secs",
                s.header_read_timeout_secs,
                1,
            ),
            ("server.body_read_timeout_secs", s.body_read_timeout_secs, 1),
            ("server.idle_timeout_secs", s.idle_timeout_secs, 1),
            ("server.max_connections", s.max_connections as u64, 1),
            (
                "policy.warn_token_ttl_secs",
                self.policy.warn_token_ttl_secs,
                1,
            ),
        ] {
            if v < min {
                let short = k.rsplit('.').next().unwrap_or(k);
                return Err(err(
                    k.into(),
                    short,
                    "must be at least 1".into(),
                    "give a positive number or remove the key for the default",
                ));
            }
        }
        if s.workers > MAX_WORKERS {
            return Err(err(
                "server.workers".into(),
                "workers",
                format!("{} worker threads is more than {MAX_WORKERS}", s.workers),
                "give 0 (one per CPU core, the default) or a number up to 256",
            ));
        }
        let check_action = |key: String, a: &str| {
            if ACTIONS.contains(&a) {
                Ok(())
            } else {
                Err(err(
                    key,
                    a,
                    format!("unknown action '{a}'"),
                    "use one of block, mask, warn, log",
                ))
            }
        };
        check_action("policy.default_action".into(), &self.policy.default_action)?;
        for (c, a) in &self.policy.actions {
            check_action(format!("policy.actions.{c}"), a)?;
        }
        let check_kind = |key: String, k: &str| {
            if CONTENT_KINDS.contains(&k) {
                Ok(())
            } else {
                Err(err(
                    key,
                    k,
                    format!("unknown content kind '{k}'"),
                    &format!("use one of {}", CONTENT_KINDS.join(", ")),
                ))
            }
        };
        for k in &self.policy.allow_content {
            check_kind("policy.allow_content".into(), k)?;
        }
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.departments.iter().enumerate() {
            if d.name.is_empty() || !seen.insert(d.name.as_str()) {
                return Err(err(
                    format!("departments[{i}].name"),
                    "[[departments]]",
                    format!("department name '{}' is empty or repeated", d.name),
                    "give every [[departments]] a unique name",
                ));
            }
            for (c, a) in &d.actions {
                check_action(format!("departments[{i}].actions.{c}"), a)?;
            }
            for k in &d.allow_content {
                check_kind(format!("departments[{i}].allow_content"), k)?;
            }
        }
        for (i, k) in self.auth.keys.iter().enumerate() {
            if k.sha256.len() != 64 || !k.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err(
                    format!("auth.keys[{i}].sha256"),
                    "sha256",
                    "not a 64-digit hex SHA-256".into(),
                    "store the hash, not the key: `sekimori keys new` prints this table, `sekimori keys hash` hashes an existing key",
                ));
            }
            if k.user.is_empty() {
                return Err(err(
                    format!("auth.keys[{i}].user"),
                    "[[auth.keys]]",
                    "empty user".into(),
                    "name the key's owner",
                ));
            }
        }
        if let Some(t) = &self.auth.trusted_header {
            if t.secret.chars().count() < 16 {
                return Err(err(
                    "auth.trusted_header.secret".into(),
                    "secret",
                    "the shared secret is shorter than 16 characters".into(),
                    "use a long random value, e.g. from openssl rand -hex 32, via ${ENV_VAR}",
                ));
            }
            if t.clients.is_empty() {
                return Err(err(
                    "auth.trusted_header.clients".into(),
                    "trusted_header",
                    "no client CIDR".into(),
                    "list the fronting application's addresses",
                ));
            }
            cidrs(
                "auth.trusted_header.clients",
                "clients",
                &t.clients,
                "write CIDRs such as \"10.0.0.5/32\"",
            )?;
        }
        let mut names = std::collections::HashSet::new();
        for (i, u) in self.upstreams.iter().enumerate() {
            let key = |f: &str| format!("upstreams[{i}].{f}");
            if u.name.is_empty() || !names.insert(u.name.as_str()) {
                return Err(err(
                    key("name"),
                    "[[upstreams]]",
                    format!("upstream name '{}' is empty or repeated", u.name),
                    "give every [[upstreams]] a unique name",
                ));
            }
            if !PROVIDERS.contains(&u.provider.as_str()) {
                return Err(err(
                    key("provider"),
                    &u.provider,
                    format!("unknown provider '{}'", u.provider),
                    &format!("use one of {}", PROVIDERS.join(", ")),
                ));
            }
            if let Some(decl) = u.region_decl() {
                url::Url::parse(&u.base_url).map_err(|e| {
                    err(
                        key("base_url"),
                        "base_url",
                        format!("'{}' is not a URL: {e}", u.base_url),
                        "write e.g. base_url = \"https://example.openai.azure.com\"",
                    )
                })?;
                crate::region::check_upstream(&decl).map_err(|v| {
                    err(
                        format!("upstreams[{i}] ({})", u.name),
                        &format!("\"{}\"", u.name),
                        format!("region rule {}: {} / {}", v.rule, v.en, v.ja),
                        &format!("{} / {}", v.fix_en, v.fix_ja),
                    )
                })?;
            }
        }
        for (i, r) in self.routes.iter().enumerate() {
            if !APIS.contains(&r.api.as_str()) {
                return Err(err(
                    format!("routes[{i}].api"),
                    &r.api,
                    format!("unknown API family '{}'", r.api),
                    "use one of openai, azure, anthropic, gemini, bedrock",
                ));
            }
            if !names.contains(r.upstream.as_str()) {
                return Err(err(
                    format!("routes[{i}].upstream"),
                    &r.upstream,
                    format!("no [[upstreams]] is named '{}'", r.upstream),
                    "add that upstream or correct the name",
                ));
            }
        }
        let mut model_names = std::collections::HashSet::new();
        for (i, m) in self.models.iter().enumerate() {
            let key = |f: &str| format!("models[{i}].{f}");
            if m.name.is_empty() || !model_names.insert(m.name.as_str()) {
                return Err(err(
                    key("name"),
                    "[[models]]",
                    format!("model name '{}' is empty or repeated", m.name),
                    "give every [[models]] a unique name",
                ));
            }
            let Some(up) = self.upstreams.iter().find(|u| u.name == m.upstream) else {
                return Err(err(
                    key("upstream"),
                    &m.upstream,
                    format!("no [[upstreams]] is named '{}'", m.upstream),
                    "add that upstream or correct the name",
                ));
            };
            if matches!(up.provider.as_str(), "bedrock" | "vertex") && !m.translate {
                return Err(err(
                    key("translate"),
                    "translate",
                    format!("model '{}' is served by a {} upstream, which does not speak the OpenAI format", m.name, up.provider),
                    "set translate = true (chat completions are translated to Bedrock Converse or Gemini)",
                ));
            }
            if m.translate && !matches!(up.provider.as_str(), "bedrock" | "vertex") {
                return Err(err(
                    key("translate"),
                    "translate",
                    format!(
                        "translate = true needs a bedrock or vertex upstream, not '{}'",
                        up.provider
                    ),
                    "remove translate for OpenAI-compatible upstreams",
                ));
            }
        }
        if let Some(a) = &self.audit {
            a.validate().map_err(|e| {
                err(
                    "audit".into(),
                    "[audit]",
                    e.to_string(),
                    "correct the [audit] table (see config/examples/full.toml)",
                )
            })?;
        }
        if let Some(fp) = &self.forward_proxy {
            let depts: Vec<&str> = self.departments.iter().map(|d| d.name.as_str()).collect();
            fp.check(&depts)
                .map_err(|(key, needle, reason, fix)| err(key, &needle, reason, &fix))?;
        }
        let named = self
            .policy
            .actions
            .keys()
            .map(|c| (format!("policy.actions.{c}"), c))
            .chain(self.departments.iter().enumerate().flat_map(|(i, d)| {
                d.actions
                    .keys()
                    .map(move |c| (format!("departments[{i}].actions.{c}"), c))
            }));
        for (key, c) in named {
            if !Category::is_builtin_name(c)
                && !self.detection.word_lists.iter().any(|w| &w.name == c)
                && c != "confidential"
            {
                return Err(err(
                    key,
                    c,
                    format!(
                        "'{c}' is neither a built-in category nor a [[detection.word_lists]] name"
                    ),
                    "use name, address, phone, my_number, email, or a word list's name",
                ));
            }
        }
        Ok(())
    }

    /// Files whose change should trigger a reload (dictionaries, word lists, allow lists),
    /// resolved against `base`.
    pub fn watched_files(&self, base: &Path) -> Vec<PathBuf> {
        let d = &self.detection;
        d.user_dictionaries
            .iter()
            .chain(&d.allow_files)
            .chain(d.word_lists.iter().flat_map(|w| &w.files))
            .map(|p| base.join(p))
            .collect()
    }
}

fn check_cidr(s: &str) -> Result<(), String> {
    s.parse::<ipnet::IpNet>()
        .map(|_| ())
        .or_else(|_| s.parse::<std::net::IpAddr>().map(|_| ()))
        .map_err(|_| format!("'{s}' is not a CIDR or IP address"))
}

/// Line and column (1-based, in characters, at the opening quote) of the first
/// occurrence of `value` written as a TOML string (`"value"` or `'value'`) outside a
/// comment; `None` when it is not written literally (e.g. it came from `${NAME}`).
fn find_value(source: &str, value: &str) -> Option<(u32, u32)> {
    let quoted = [format!("\"{value}\""), format!("'{value}'")];
    source.lines().enumerate().find_map(|(i, l)| {
        let code = l.split('#').next().unwrap_or(l);
        let at = quoted.iter().filter_map(|q| code.find(q.as_str())).min()?;
        Some((to_u32(i + 1), to_u32(l[..at].chars().count() + 1)))
    })
}

/// Line of the first occurrence of `needle` in `source` (1-based).
fn find_line(source: &str, needle: &str) -> Option<u32> {
    if needle.is_empty() {
        return None;
    }
    source
        .lines()
        .position(|l| !l.trim_start().starts_with('#') && l.contains(needle))
        .map(|i| to_u32(i + 1))
}

#[cfg(test)]
mod tests;
