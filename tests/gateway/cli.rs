//! `sekimori check-config`: exit codes and messages with file and line.

use std::process::Command;

fn check(path: &std::path::Path, envs: &[(&str, &str)]) -> (i32, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sekimori"));
    c.arg("check-config").arg(path).env_clear();
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn check_config_table() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let onprem = root.join("config/examples/on-prem.toml");
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[server]\nlisten = \"127.0.0.1:1\"\n\n[polcy]\n").unwrap();
    let env = [
        ("SEKIMORI_ONPREM_URL", "http://127.0.0.1:9"),
        ("SEKIMORI_ONPREM_KEY", "k"),
    ];
    type Case<'a> = (&'a std::path::Path, &'a [(&'a str, &'a str)], i32, &'a str);
    let cases: Vec<Case> = vec![
        (&onprem, &env, 0, "OK"),
        (&onprem, &[], 2, "SEKIMORI_ONPREM_URL is not set"),
        (&broken, &[], 2, "broken.toml:4:"),
    ];
    for (path, envs, code, needle) in cases {
        let (got, msg) = check(path, envs);
        assert_eq!(got, code, "{}: {msg}", path.display());
        assert!(msg.contains(needle), "{msg} should contain {needle}");
    }
}
