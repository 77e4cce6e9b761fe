//! `sekimori keys new` / `keys hash` as an administrator runs them: the key printed once
//! on stdout, the pasted snippet accepted by the real configuration loader, and the
//! key then identifying its user and department at the gateway.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::json;

use crate::gateway::BASE;
use crate::util::{post, start_gateway, FakeUpstream, Reply};

fn sekimori(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sekimori runs");
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("sekimori finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn issued_key_identifies_its_user_and_department_at_the_gateway() {
    let out = sekimori(
        &[
            "keys",
            "new",
            "--user",
            "sato",
            "--department",
            "kosodate",
            "--label",
            "窓口端末3",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let snippet = text(&out.stderr);
    // Exactly one line on stdout: the key.
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let key = stdout.trim_end().to_string();
    assert!(
        key.starts_with("sk-sekimori-") && key.len() == 12 + 64,
        "{key}"
    );
    assert!(
        !snippet.contains(&key),
        "the key must not be in the snippet"
    );
    assert!(snippet.contains("# label: 窓口端末3"), "{snippet}");

    // `keys hash` gives the hash the snippet stores.
    let hashed = sekimori(&["keys", "hash"], format!("{key}\n").as_bytes());
    assert_eq!(hashed.status.code(), Some(0), "{}", text(&hashed.stderr));
    let hash = text(&hashed.stdout).trim_end().to_string();
    assert_eq!(hash.len(), 64);
    assert!(
        snippet.contains(&format!("sha256 = \"{hash}\"")),
        "{snippet}"
    );

    // Paste the whole stderr stream (comments and table) into the configuration.
    let config = format!(
        "{}\n{snippet}",
        BASE.replace("allow_anonymous = true", "allow_anonymous = false")
    );
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(&config, &up.url()).await;
    // The same key with its last digit changed.
    let last = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &key[..key.len() - 1]);
    let bearer = format!("Bearer {key}");
    let cases: &[(&str, &str, &str, u16)] = &[
        ("authorization", &bearer, "allowed-model", 200),
        ("x-api-key", &key, "allowed-model", 200),
        // kosodate may use only allowed-model: the department came with the key.
        ("authorization", &bearer, "m", 403),
        ("x-api-key", &wrong, "allowed-model", 401),
    ];
    for (header, value, model, want) in cases {
        let body = json!({"model": model, "messages": [{"role": "user", "content": "こんにちは"}]});
        let (status, _, v) = post(
            &gw,
            "/v1/chat/completions",
            &body.to_string(),
            &[(header, value)],
        )
        .await;
        assert_eq!(status, *want, "{header} {model}: {v}");
    }
    assert_eq!(up.received().len(), 2);
}

#[test]
fn errors_exit_2_with_a_message() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (
            &["keys", "new", "--user", "", "--department", "d"],
            b"",
            "--user is empty",
        ),
        (
            &["keys", "new", "--user", "u", "--department", "a\nb"],
            b"",
            "control character",
        ),
        (&["keys", "new", "--user", "u"], b"", "--department"),
        (&["keys", "hash"], b"", "no key on standard input"),
        (&["keys", "hash"], b"two words", "spaces"),
    ];
    for (args, stdin, needle) in cases {
        let out = sekimori(args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        let err = text(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
