use std::path::Path;

use super::*;

fn env(name: &str) -> Option<String> {
    match name {
        "URL" => Some("http://127.0.0.1:8000".into()),
        "QUOTE" => Some("a\"b\\c".into()),
        _ => None,
    }
}

fn load(text: &str) -> Result<Config, ConfigError> {
    let p = Path::new("t.toml");
    let c = load_str(text, p, &env)?;
    c.validate(text, p)?;
    Ok(c)
}

#[test]
fn embedded_default_is_valid() {
    let c = embedded_default();
    assert!(c.auth.allow_anonymous);
    assert_eq!(c.upstreams[0].provider, "demo");
}

#[test]
fn env_substitution() {
    let c = load("[[upstreams]]\nname = \"a\"\nprovider = \"on_premises\"\nresidency = \"on-premises\"\nbase_url = \"${URL}\"\napi_key = \"${QUOTE}\"\n").unwrap();
    assert_eq!(c.upstreams[0].base_url, "http://127.0.0.1:8000");
    assert_eq!(c.upstreams[0].api_key.as_deref(), Some("a\"b\\c"));
    // Comments are not substituted.
    assert!(load("# ${UNSET}\n").is_ok());
}

#[test]
fn errors_name_line_key_and_fix() {
    // (input, expected line, substring of the key or reason)
    let cases: &[(&str, u32, &str)] = &[
        ("[server]\nlisten = \"127.0.0.1:1\"\nbogus = 1\n", 3, "bogus"),
        ("[server]\nmax_body_bytes = \"big\"\n", 2, "invalid type"),
        ("\n\n[[upstreams]]\nname = \"a\"\nprovider = \"on_premises\"\nbase_url = \"${NOPE}\"\n", 6, "NOPE"),
        ("[policy]\ndefault_action = \"drop\"\n", 2, "drop"),
        ("[policy.actions]\nname = \"mask\"\nphone = \"explode\"\n", 3, "explode"),
        ("[[upstreams]]\nname = \"a\"\nprovider = \"martian\"\nbase_url = \"https://x\"\n", 3, "martian"),
        ("[[upstreams]]\nname = \"a\"\nprovider = \"azure_openai\"\nbase_url = \"http://example.openai.azure.com\"\n", 2, "transport.https"),
        ("\n[[upstreams]]\nname = \"oa\"\nprovider = \"openai\"\nbase_url = \"https://api.openai.com\"\n", 3, "region rule"),
        ("[[upstreams]]\nname = \"p\"\nprovider = \"on_premises\"\nbase_url = \"http://10.0.0.1\"\n", 2, "residency"),
        ("[[upstreams]]\nname = \"a\"\nprovider = \"demo\"\n[[routes]]\napi = \"openai\"\nupstream = \"b\"\n", 6, "'b'"),
        ("[server]\nallowed_clients = [\"10.0.0.0/99\"]\n", 2, "CIDR"),
        ("[[auth.keys]]\nsha256 = \"abc\"\nuser = \"u\"\n", 2, "SHA-256"),
        ("[[departments]]\nname = \"a\"\nactions = { nmae = \"mask\" }\n", 3, "departments[0].actions.nmae"),
        ("[[departments]]\nname = \"a\"\nrestore_in_urls = \"yes\"\n", 3, "invalid type"),
        ("[[departments]]\nname = \"a\"\nrestore_in_url = true\n", 3, "restore_in_url"),
    ];
    for (input, line, needle) in cases {
        let e = load(input).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.line, Some(*line), "{msg}");
        assert!(msg.contains(needle), "{msg} should mention {needle}");
        assert!(msg.starts_with("t.toml:"), "{msg}");
        assert!(!e.fix.is_empty(), "{msg}");
    }
}

#[test]
fn every_example_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples");
    let dummy = |name: &str| {
        Some(if name.contains("URL") {
            "http://127.0.0.1:9".to_string()
        } else {
            format!("dummy-value-for-{name}")
        })
    };
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let c = load_str(&text, &p, &dummy).unwrap_or_else(|e| panic!("{e}"));
        c.validate(&text, &p).unwrap_or_else(|e| panic!("{e}"));
        n += 1;
    }
    assert!(n >= 2, "expected the example files in {}", dir.display());
}

#[test]
fn environment_values_never_appear_in_errors() {
    let env = |n: &str| (n == "KEY").then(|| "super-secret-token".to_string());
    let text = "[server]\nmax_body_bytes = \"${KEY}\"\n";
    let e = load_str(text, Path::new("t.toml"), &env).unwrap_err();
    let msg = e.to_string();
    assert!(!msg.contains("super-secret-token"), "{msg}");
    assert_eq!(e.line, Some(2));
}

#[test]
fn restore_in_urls_is_per_department_and_off_by_default() {
    let c = load(
        "[[departments]]\nname = \"a\"\nrestore_in_urls = true\n\n[[departments]]\nname = \"b\"\n",
    )
    .unwrap();
    assert!(c.departments[0].restore_in_urls);
    assert!(!c.departments[1].restore_in_urls);
}

/// Found by the fuzz target `config_mutated`: a value read from the environment that
/// failed validation (a mistyped `${SEKIMORI_ONPREM_URL}`) was quoted in the message,
/// though the environment carries credentials and the parse stage redacts them.
#[test]
fn validation_errors_never_show_environment_values() {
    let text = "[[upstreams]]\nname = \"p\"\nprovider = \"on_premises\"\nresidency = \"on-premises\"\nbase_url = \"${SECRET_URL}\"\n\n[server]\nlisten = \"${SECRET_URL}\"\n";
    let env = |n: &str| (n == "SECRET_URL").then(|| "sk-not-a-url-4242".to_string());
    let p = Path::new("t.toml");
    let cfg = load_str(text, p, &env).unwrap();
    let e = cfg.validate(text, p).unwrap_err();
    let msg = e.to_string();
    assert!(!msg.contains("sk-not-a-url-4242"), "{msg}");
    assert!(msg.contains("${SECRET_URL}"), "{msg}");
    assert!(
        !format!("{cfg:?}").contains("EnvValues([("),
        "values in Debug output"
    );
}

/// Found by the fuzz target `config_mutated`: a control character in a comment gave an
/// error with an empty reason and the raw character as its key.
#[test]
fn control_characters_are_named_not_printed() {
    for (text, code) in [("# a\0b\n", "U+0000"), ("[server]\n# x\u{7f}\n", "U+007F")] {
        let e = load(text).unwrap_err();
        let msg = e.to_string();
        assert!(e.reason.contains(code), "{msg}");
        assert!(
            e.key.is_none() && !msg.chars().any(char::is_control),
            "{msg:?}"
        );
    }
}

/// Found by the fuzz target `config_mutated`: a value with a control character
/// (`"\u0000"`, an escape sequence) was quoted raw in a validation message.
#[test]
fn quoted_values_in_validation_errors_are_escaped() {
    let e = load("[policy.actions]\nname = \"\\u0000\\u001b[31m\"\n").unwrap_err();
    let msg = e.to_string();
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    assert!(msg.contains("\\u{0}\\u{1b}[31m"), "{msg}");
    // The same for a malformed `${…}` reference and the parser's own messages.
    for text in ["a = \"${\u{0}X}\"\n", "[a\u{0}]\n", "[server\n"] {
        let msg = load(text).unwrap_err().to_string();
        assert!(!msg.chars().any(char::is_control), "{msg:?}");
    }
}

/// Issue 14 item 6: a bad CIDR entry anywhere in the configuration is a validation error
/// naming the list's key with the entry's index, and the line and column where it is
/// written — never silently dropped from the list.
#[test]
fn bad_cidr_entries_are_errors_naming_key_index_and_position() {
    let trusted = |clients: &str| {
        format!(
            "[auth.trusted_header]\nuser_header = \"x-user\"\ndepartment_header = \"x-dept\"\nsecret_header = \"x-secret\"\nsecret = \"0123456789abcdef0123\"\nclients = {clients}\n"
        )
    };
    // (input, key, line, column, bad value as quoted in the reason)
    let cases: Vec<(String, &str, u32, u32, &str)> = vec![
        (
            "[server]\nallowed_clients = [\"127.0.0.0/8\", \"10.0.0.0/99\"]\n".into(),
            "server.allowed_clients[1]",
            2,
            35,
            "10.0.0.0/99",
        ),
        (
            "[server]\nallowed_clients = [\n  \"127.0.0.1\",\n  \"::1/128\",\n  '192.168.1.300/24',\n]\n"
                .into(),
            "server.allowed_clients[2]",
            5,
            3,
            "192.168.1.300/24",
        ),
        (
            "[server]\nallowed_clients = [\"\"]\n".into(),
            "server.allowed_clients[0]",
            2,
            20,
            "''",
        ),
        (
            "[server]\nallowed_clients = [\"10.0.0.0/8 \"]\n".into(),
            "server.allowed_clients[0]",
            2,
            20,
            "10.0.0.0/8 ",
        ),
        (
            trusted("[\"10.0.0.5/32\", \"10.0.0.6/32\", \"fronting-app\"]"),
            "auth.trusted_header.clients[2]",
            6,
            42,
            "fronting-app",
        ),
        (
            trusted("[\"2001:db8::/129\"]"),
            "auth.trusted_header.clients[0]",
            6,
            12,
            "2001:db8::/129",
        ),
    ];
    for (input, key, line, column, value) in &cases {
        let e = load(input).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.key.as_deref(), Some(*key), "{msg}");
        assert_eq!((e.line, e.column), (Some(*line), Some(*column)), "{msg}");
        assert!(msg.contains(value), "{msg} should quote {value}");
        assert!(msg.contains("CIDR") && !e.fix.is_empty(), "{msg}");
    }
    // Hard negatives: every accepted form stays accepted.
    load("[server]\nallowed_clients = [\"127.0.0.1\", \"10.0.0.0/8\", \"10.1.2.3/16\", \"::1\", \"fd00::/8\", \"0.0.0.0/0\"]\n")
        .unwrap();
    load(&trusted("[\"10.0.0.5/32\", \"::1\"]")).unwrap();
}

/// A CIDR read from the environment that is not one: the error names the entry but not
/// the value (the environment may carry secrets), and falls back to the key's line.
#[test]
fn bad_cidr_from_the_environment_is_named_not_quoted() {
    let text =
        "[server]\nlisten = \"127.0.0.1:8787\"\nallowed_clients = [\"127.0.0.1\", \"${NET}\"]\n";
    let env = |n: &str| (n == "NET").then(|| "secret-host-name".to_string());
    let p = Path::new("t.toml");
    let cfg = load_str(text, p, &env).unwrap();
    let e = cfg.validate(text, p).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.key.as_deref(), Some("server.allowed_clients[1]"), "{msg}");
    assert_eq!(e.line, Some(3), "{msg}");
    assert!(
        !msg.contains("secret-host-name") && msg.contains("${NET}"),
        "{msg}"
    );
}

/// The runtime never drops a bad entry either, should a caller skip validation.
#[test]
fn runtime_refuses_a_bad_cidr_without_validation() {
    let mut cfg = embedded_default();
    cfg.server.allowed_clients = vec!["127.0.0.1/8".into(), "not-a-net".into()];
    let e = crate::gateway::runtime::Runtime::build(cfg, None).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("server.allowed_clients[1]"), "{e}");
}
