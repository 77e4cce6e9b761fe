//! The forward proxy's commands: `sekimori ca init` (paths printed, key mode 0600,
//! never overwritten) and `sekimori proxy-user hash` (an argon2id hash that
//! verifies, nothing of the password printed).

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn ca_init_writes_the_pair_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_sekimori"))
            .args(["ca", "init", "--dir"])
            .arg(dir.path())
            .env_clear()
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let cert = dir.path().join("sekimori-ca.pem");
    let key = dir.path().join("sekimori-ca.key");
    assert!(text.contains(&cert.display().to_string()), "{text}");
    assert!(text.contains("[forward_proxy]"), "{text}");
    assert!(std::fs::read_to_string(&cert)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let again = run();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[test]
fn proxy_user_hash_prints_a_verifiable_argon2id_hash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sekimori"))
        .args(["proxy-user", "hash"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("森川-pass-123\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let hash = String::from_utf8(out.stdout).unwrap();
    let hash = hash.trim();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("森川"));
    assert!(sekimori::gateway::forward::identity::verify(
        hash,
        "森川-pass-123"
    ));
    assert!(!sekimori::gateway::forward::identity::verify(hash, "other"));
}
