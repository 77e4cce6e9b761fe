//! Target 4: configuration parsing — [`load_str`] then [`Config::validate`].
//!
//! Inputs are the shipped configurations (embedded default, `config/examples/*.toml`)
//! mutated line by line (lines deleted, duplicated, swapped; values replaced by values
//! of every TOML type, valid and invalid for the key; keys and table headers inserted;
//! `${NAME}` references well-formed, unset and broken) and byte by byte, plus
//! arbitrary text. Properties: neither stage panics; a refusal is a [`ConfigError`]
//! with a reason, a line inside the file when it names one, no control character, and
//! no value read from the environment (credentials) in its message.

use std::path::Path;

use proptest::prelude::*;
use sekimori::config::{load_str, ConfigError, EMBEDDED_DEFAULT};

use super::harness;

const SEEDS: &[&str] = &[
    EMBEDDED_DEFAULT,
    include_str!("../../config/examples/full.toml"),
    include_str!("../../config/examples/on-prem.toml"),
];

/// What every `${NAME}` that is set resolves to: a credential that must never be shown.
const SECRET: &str = "sk-fuzz-SECRET-4242";

fn env(name: &str) -> Option<String> {
    match name {
        "UNSET" => None,
        "QUOTE" => Some(format!("{SECRET}\"\\\n")),
        "EMPTY" => Some(String::new()),
        _ => Some(SECRET.to_string()),
    }
}

/// TOML values, valid and invalid for the keys they land on.
fn value() -> impl Strategy<Value = String> {
    const VALUES: &[&str] = &[
        "\"\"",
        "\"mask\"",
        "\"block\"",
        "\"warn\"",
        "\"log\"",
        "\"explode\"",
        "\"127.0.0.1:1\"",
        "\"[::1]:0\"",
        "\"localhost\"",
        "\"10.0.0.0/99\"",
        "\"::1/128\"",
        "\"https://api.openai.com\"",
        "\"http://10.0.0.1:8000\"",
        "\"https://\"",
        "\"ftp://x\"",
        "\"${SECRET}\"",
        "\"${QUOTE}\"",
        "\"${EMPTY}\"",
        "\"${UNSET}\"",
        "\"${\"",
        "\"${a-b}\"",
        "\"https://${SECRET}@example.com\"",
        "\"${SECRET}:80\"",
        "\"http://${SECRET}\"",
        "\"demo\"",
        "\"on_premises\"",
        "\"azure_openai\"",
        "\"openai\"",
        "\"gemini\"",
        "\"on-premises\"",
        "\"jp-contract\"",
        "\"japaneast\"",
        "\"*\"",
        "\"user\"",
        "\"department\"",
        "\"masked\"",
        "\"image\"",
        "\"c7f902ff48f2dea6fa7b48f1fc731973985a0f74ae7802c622505f5dc4e8602e\"",
        "0",
        "1",
        "-1",
        "18446744073709551615",
        "9223372036854775807",
        "-9223372036854775808",
        "99999999999999999999",
        "1.5",
        "nan",
        "inf",
        "1e400",
        "true",
        "false",
        "[]",
        "[\"mask\"]",
        "[1, \"a\"]",
        "[[]]",
        "{}",
        "{ name = \"warn\" }",
        "{ x = 1 }",
        "1979-05-27T07:32:00Z",
        "'''\nmulti\n'''",
        "\"\"\"\n${SECRET}\n\"\"\"",
        "'lit${SECRET}'",
        "\"\\u0000\"",
        "\"\\uD800\"",
        "\"森川陽菜\"",
    ];
    prop_oneof![
        6 => proptest::sample::select(VALUES).prop_map(str::to_string),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "[a-z0-9_.:/$\\{\\} -]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn key() -> impl Strategy<Value = String> {
    const KEYS: &[&str] = &[
        "listen",
        "allowed_clients",
        "max_body_bytes",
        "max_decompression_ratio",
        "header_read_timeout_secs",
        "body_read_timeout_secs",
        "idle_timeout_secs",
        "max_connections",
        "workers",
        "reload_poll_secs",
        "disabled",
        "user_dictionaries",
        "allow_words",
        "allow_files",
        "builtin_word_lists",
        "name",
        "words",
        "files",
        "default_action",
        "warn_token_ttl_secs",
        "allow_content",
        "address",
        "phone",
        "email",
        "my_number",
        "confidential",
        "actions",
        "models",
        "allow_anonymous",
        "sha256",
        "user",
        "department",
        "user_header",
        "department_header",
        "secret_header",
        "secret",
        "clients",
        "provider",
        "base_url",
        "auth_header",
        "api_key",
        "timeout_secs",
        "evidence",
        "region",
        "deployment_type",
        "residency",
        "api",
        "upstream",
        "dir",
        "signing_key",
        "retention_days",
        "prompt_retention",
        "sealed_recipients",
        "checkpoint_every_records",
        "checkpoint_every_seconds",
        "segment_max_bytes",
        "stdout",
        "scope",
        "monthly_chars",
        "monthly_tokens",
        "bogus",
        "\"quoted key\"",
        "a.b",
        "",
    ];
    proptest::sample::select(KEYS).prop_map(str::to_string)
}

fn header() -> impl Strategy<Value = String> {
    const HEADERS: &[&str] = &[
        "[server]",
        "[detection]",
        "[[detection.word_lists]]",
        "[policy]",
        "[policy.actions]",
        "[[departments]]",
        "[auth]",
        "[[auth.keys]]",
        "[auth.trusted_header]",
        "[[upstreams]]",
        "[[upstreams.azure_deployments]]",
        "[[routes]]",
        "[audit]",
        "[[audit.quotas]]",
        "[bogus]",
        "[[server]]",
        "[",
        "[[]]",
        "[server",
        "[policy.actions.name]",
    ];
    proptest::sample::select(HEADERS).prop_map(str::to_string)
}

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize, usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, String),
    InsertLine(usize, String),
    SetByte(usize, u8),
    InsertByte(usize, u8),
    DeleteByte(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let line = prop_oneof![
        3 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => header(),
        1 => Just("# ${UNSET} in a comment".to_string()),
        1 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v} # ${{SECRET}}")),
    ];
    const BYTES: &[u8] = b"=\"'[]{}.,#$\n\\ 0a\xe3\xff";
    let byte = prop_oneof![proptest::sample::select(BYTES), any::<u8>()];
    prop_oneof![
        2 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::DuplicateLine(a, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        4 => (any::<usize>(), value()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        3 => (any::<usize>(), line).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        1 => (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        1 => (any::<usize>(), byte).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        1 => any::<usize>().prop_map(Mutation::DeleteByte),
    ]
}

/// Applies `m` to `text` (lines, or bytes decoded lossily so the text stays a `&str`).
fn mutate(text: String, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    let pick = |i: usize| if n == 0 { 0 } else { i % n };
    match m {
        Mutation::DeleteLine(i) if n > 0 => {
            lines.remove(pick(*i));
        }
        Mutation::DuplicateLine(a, b) if n > 0 => {
            let l = lines[pick(*a)].clone();
            lines.insert(pick(*b), l);
        }
        Mutation::SwapLines(a, b) if n > 0 => lines.swap(pick(*a), pick(*b)),
        Mutation::ReplaceValue(i, v) if n > 0 => {
            // The next line from `i` that assigns a value gets `v`.
            if let Some(j) = (0..n)
                .map(|k| (pick(*i) + k) % n)
                .find(|&j| lines[j].contains(" = "))
            {
                let k = lines[j].split(" = ").next().unwrap_or("").to_string();
                lines[j] = format!("{k} = {v}");
            }
        }
        Mutation::InsertLine(i, l) => lines.insert(i % (n + 1), l.clone()),
        Mutation::SetByte(..) | Mutation::InsertByte(..) | Mutation::DeleteByte(_) => {
            let mut b = text.into_bytes();
            let len = b.len();
            match *m {
                Mutation::SetByte(i, v) if len > 0 => b[i % len] = v,
                Mutation::InsertByte(i, v) => b.insert(i % (len + 1), v),
                Mutation::DeleteByte(i) if len > 0 => {
                    b.remove(i % len);
                }
                _ => {}
            }
            return String::from_utf8_lossy(&b).into_owned();
        }
        _ => {}
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Both stages on `text`: no panic, and a refusal is a well-formed error.
fn check(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("fuzz.toml");
    let result = load_str(text, path, &env).and_then(|cfg| cfg.validate(text, path));
    if let Err(e) = result {
        check_error(text, &e)?;
    }
    Ok(())
}

fn check_error(text: &str, e: &ConfigError) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(!e.reason.is_empty(), "error without a reason: {msg}");
    prop_assert!(msg.starts_with("fuzz.toml"), "{msg}");
    prop_assert!(
        !msg.chars().any(char::is_control),
        "control character in: {msg:?}"
    );
    if let Some(line) = e.line {
        let lines = text.lines().count().max(1) as u32;
        prop_assert!(
            line >= 1 && line <= lines + 1,
            "line {line} of {lines}: {msg}"
        );
    }
    if !text.contains(SECRET) {
        prop_assert!(
            !msg.contains(SECRET),
            "a value from the environment in: {msg}"
        );
    }
    Ok(())
}

#[test]
fn mutated_configurations_load_or_fail_cleanly() {
    let input = (
        proptest::sample::select(SEEDS),
        proptest::collection::vec(mutation(), 1..8),
    );
    harness::run(
        "config_mutated",
        harness::DEFAULT_CASES,
        input,
        |(seed, ms)| {
            let text = ms.iter().fold(seed.to_string(), mutate);
            check(&text)
        },
    );
}

#[test]
fn arbitrary_text_never_panics() {
    let input = proptest::collection::vec(
        prop_oneof![
            3 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}\n")),
            1 => header().prop_map(|h| format!("{h}\n")),
            1 => any::<String>(),
        ],
        0..12,
    );
    harness::run("config_text", harness::DEFAULT_CASES, input, |parts| {
        check(&parts.concat())
    });
}
