//! The console from the command line: `sekimori admin passwd` reads the password from
//! standard input and stores only its argon2id hash; `sekimori serve` with an
//! `[admin]` table and no administrator prints a one-time link that works once.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::console_fixture::{Client, PASSWORD};

fn passwd(accounts: &std::path::Path, user: &str, role: &str, password: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .args(["admin", "passwd", user, "--role", role, "--accounts"])
        .arg(accounts)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn admin_passwd_stores_an_argon2id_hash() {
    let dir = tempfile::tempdir().unwrap();
    let acc = dir.path().join("accounts.json");
    let (ok, err) = passwd(&acc, "morikawa", "管理者", PASSWORD);
    assert!(ok, "{err}");
    assert!(err.contains("morikawa"), "{err}");
    let text = std::fs::read_to_string(&acc).unwrap();
    assert!(text.contains("$argon2id$"), "{text}");
    assert!(text.contains("管理者"));
    assert!(!text.contains(PASSWORD));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&acc).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let (ok, err) = passwd(&acc, "kobayashi", "承認者", PASSWORD);
    assert!(ok, "{err}");
    let (ok, err) = passwd(&acc, "x", "社長", PASSWORD);
    assert!(!ok);
    assert!(err.contains("unknown role"), "{err}");
    let (ok, err) = passwd(&acc, "x", "閲覧", "みじかい暗号");
    assert!(!ok);
    assert!(err.contains("at least 12"), "{err}");
    assert!(
        !err.contains("みじかい暗号"),
        "the password is not echoed: {err}"
    );
}

#[tokio::test]
async fn serve_prints_a_one_time_link_for_the_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sekimori.toml");
    std::fs::write(
        &cfg,
        r#"
[server]
listen = "127.0.0.1:0"
reload_poll_secs = 0

[auth]
allow_anonymous = true

[[upstreams]]
name = "demo"
provider = "demo"

[[routes]]
api = "openai"
upstream = "demo"

[audit]
dir = "audit"
signing_key = "audit-signing.pem"

[admin]
listen = "127.0.0.1:0"
accounts_file = "accounts.json"
"#,
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .arg("serve")
        .arg("--config")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let link = tokio::time::timeout(Duration::from_secs(120), async {
        while let Ok(Some(l)) = lines.next_line().await {
            if let Some(i) = l.find("/setup?token=") {
                let start = l[..i].rfind("http://").unwrap();
                return l[start..].trim().to_string();
            }
        }
        String::new()
    })
    .await
    .expect("no setup link within 120 s");
    assert!(!link.is_empty(), "serve exited without a link");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let base = link.split("/setup").next().unwrap().to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    let mut c = Client::new(&base);
    let (s, _, _) = c.get(&format!("/setup?token={token}")).await;
    assert_eq!(s, 200);
    let (s, _) = c
        .post(
            "/setup",
            &[
                ("token", &token),
                ("user", "tanaka"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, _, page) = c.get("/").await;
    assert_eq!(s, 200);
    assert!(page.contains("tanaka"), "{page}");
    let mut again = Client::new(&base);
    assert_eq!(
        again.get(&format!("/setup?token={token}")).await.0,
        403,
        "used once"
    );
    let text = std::fs::read_to_string(dir.path().join("accounts.json")).unwrap();
    assert!(text.contains("tanaka") && text.contains("$argon2id$"));
    let _ = child.kill().await;
}
