//! `[forward_proxy]` validation: every mistake named by key and line, with a fix.

use std::path::Path;

use super::super::{load_str, Config, ConfigError};

fn load(text: &str) -> Result<Config, ConfigError> {
    let p = Path::new("t.toml");
    let c = load_str(text, p, &|_| None)?;
    c.validate(text, p)?;
    Ok(c)
}

/// An argon2id hash of `pw` (cheap parameters: tests only).
fn hash(pw: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    let params = argon2::Params::new(64, 1, 1, None).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(pw.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

#[test]
fn a_full_section_loads_with_defaults() {
    let text = format!(
        r#"
[[departments]]
name = "kosodate"

[forward_proxy]
department = "kosodate"
approved = ["chat.example.lg.jp", "*.openai.azure.com"]
unapproved = ["chat.shadow.example"]
contact = "情報政策課（内線1234）"
ca_cert = "ca.pem"
ca_key = "ca.key"
pac_fallback = "PROXY proxy.city.local:8080"

[[forward_proxy.clients]]
cidr = "10.1.0.0/16"
department = "kosodate"

[[forward_proxy.users]]
name = "tanaka"
department = "kosodate"
password_hash = "{}"

[forward_proxy.resolve]
"chat.example.lg.jp" = "127.0.0.1:8443"
"#,
        hash("pw")
    );
    let c = load(&text).unwrap();
    let fp = c.forward_proxy.unwrap();
    assert_eq!(fp.listen, "127.0.0.1:3128");
    assert_eq!(fp.other_hosts, "refuse");
    assert_eq!(fp.leaf_cache, 1024);
    assert_eq!(fp.resolve["chat.example.lg.jp"], "127.0.0.1:8443");
    assert!(load("").unwrap().forward_proxy.is_none());
}

#[test]
fn mistakes_are_named_with_key_line_and_fix() {
    let dept = "[[departments]]\nname = \"kosodate\"\n";
    let cases: &[(String, &str, &str)] = &[
        (
            "[forward_proxy]\nlisten = \"3128\"\n".into(),
            "forward_proxy.listen",
            "not an address:port",
        ),
        (
            "[forward_proxy]\nallowed_clients = [\"10.0.0.0/33\"]\n".into(),
            "forward_proxy.allowed_clients",
            "not a CIDR",
        ),
        (
            "[forward_proxy]\ndepartment = \"kosodat\"\n".into(),
            "forward_proxy.department",
            "no [[departments]] is named 'kosodat'",
        ),
        (
            format!("{dept}[forward_proxy]\n[[forward_proxy.clients]]\ncidr = \"10.1.0.0/16\"\ndepartment = \"somu\"\n"),
            "forward_proxy.clients[0].department",
            "'somu'",
        ),
        (
            "[forward_proxy]\n[[forward_proxy.users]]\nname = \"tanaka\"\ndepartment = \"default\"\npassword_hash = \"hunter2\"\n".into(),
            "forward_proxy.users[0].password_hash",
            "argon2id",
        ),
        (
            "[forward_proxy]\napproved = [\"https://chat.example.jp/\"]\n".into(),
            "forward_proxy.approved",
            "not a host name",
        ),
        (
            "[forward_proxy]\nnever_intercept = [\"Login.Example.JP\"]\n".into(),
            "forward_proxy.never_intercept",
            "not a host name",
        ),
        (
            "[forward_proxy]\nother_hosts = \"allow\"\n".into(),
            "forward_proxy.other_hosts",
            "unknown action 'allow'",
        ),
        (
            "[forward_proxy]\nca_cert = \"ca.pem\"\n".into(),
            "forward_proxy.ca_cert",
            "come together",
        ),
        (
            "[forward_proxy.resolve]\n\"chat.example.jp\" = \"localhost\"\n".into(),
            "forward_proxy.resolve.chat.example.jp",
            "not an address:port",
        ),
        (
            "[forward_proxy]\npac_fallback = \"SOCKS x:1\"\n".into(),
            "forward_proxy.pac_fallback",
            "not DIRECT",
        ),
        (
            "[forward_proxy]\nleaf_cache = 0\n".into(),
            "forward_proxy.leaf_cache",
            "at least 1",
        ),
        (
            "[forward_proxy]\nlisten_tls = true\n".into(),
            "listen_tls",
            "unknown field",
        ),
    ];
    for (text, key, reason) in cases {
        let e = load(text).expect_err(text);
        let shown = e.to_string();
        assert!(
            e.key.as_deref().is_some_and(|k| k.contains(key)),
            "{text}: {shown}"
        );
        assert!(shown.contains(reason), "{text}: {shown}");
        assert!(!e.fix.is_empty(), "{text}: {shown}");
        assert!(e.line.is_some(), "{text}: {shown}");
    }
}

#[test]
fn a_login_error_never_shows_the_hash() {
    let text = "[forward_proxy]\n[[forward_proxy.users]]\nname = \"tanaka\"\ndepartment = \"default\"\npassword_hash = \"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo\"\n";
    let e = load(text).unwrap_err();
    assert!(!e.to_string().contains("aGFzaGhhc2hoYXNo"), "{e}");
}
