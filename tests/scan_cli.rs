//! `sekimori scan --jsonl` as a user runs it: the built binary on fixtures under
//! `tests/fixtures/scan/`, checking the JSON lines, the exit codes (0 nothing found,
//! 1 found, 2 error) and that bad lines are reported by number without stopping the
//! others.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scan")
        .join(name)
}

/// Runs `sekimori scan --jsonl [file]` with `stdin` as standard input.
fn scan(file: Option<&PathBuf>, stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sekimori"));
    cmd.arg("scan").arg("--jsonl");
    if let Some(f) = file {
        cmd.arg(f);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sekimori binary runs");
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("sekimori finishes")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// `(category, start, end)` of a finding, offsets in code points.
type Span = (String, u64, u64);

/// Every finding of a record.
fn findings(v: &Value) -> Vec<Span> {
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["category"].as_str().expect("category").to_string(),
                f["start"].as_u64().expect("start"),
                f["end"].as_u64().expect("end"),
            )
        })
        .collect()
}

#[test]
fn findings_are_reported_per_line_in_code_points() {
    let out = scan(Some(&fixture("prompts.jsonl")), b"");
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = lines(&out);
    let p = |c: &str, s: u64, e: u64| (c.to_string(), s, e);
    let want: &[(Value, Vec<Span>)] = &[
        ("phone".into(), vec![p("phone", 6, 19)]),
        ("intl".into(), vec![p("phone", 5, 20)]),
        ("my_number".into(), vec![p("my_number", 5, 19)]),
        ("email".into(), vec![p("email", 4, 26)]),
        ("clean".into(), vec![]),
        (7.into(), vec![p("phone", 4, 16), p("email", 25, 48)]),
    ];
    assert_eq!(
        got.len(),
        want.len(),
        "one output line per non-blank input line"
    );
    for (v, (id, f)) in got.iter().zip(want) {
        assert_eq!(&v["id"], id);
        assert_eq!(&findings(v), f, "id {id}");
    }
    // Without --show the matched values never appear in the output.
    let stdout = String::from_utf8_lossy(&out.stdout);
    for value in ["1234", "8043", "taro", "example"] {
        assert!(!stdout.contains(value), "output leaks {value}");
    }
}

#[test]
fn clean_input_exits_zero() {
    let out = scan(Some(&fixture("clean.jsonl")), b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(lines(&out).iter().all(|v| findings(v).is_empty()));
}

#[test]
fn bad_lines_are_named_and_the_others_still_answered() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": 1, \"text\": \"\xE9\x9B\xBB\xE8\xA9\xB1 090-1234-5678\"}\n");
    input.extend_from_slice(b"{\"id\": 2, \"text\": \"\x82\xA0 Shift_JIS\"}\n");
    input.extend_from_slice(b"this is not JSON\n");
    input.extend_from_slice(b"{\"id\": 4}\n");
    input.extend_from_slice(b"{\"id\": 5, \"text\": \"clean\"}\n");
    let out = scan(None, &input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in [2, 3, 4] {
        assert!(
            stderr.contains(&format!("line {n}:")),
            "line {n} named: {stderr}"
        );
    }
    let got = lines(&out);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0]["id"], 1);
    assert_eq!(findings(&got[0]), vec![("phone".to_string(), 3, 16)]);
    assert!(got[1]["error"].as_str().expect("error").contains("UTF-8"));
    assert_eq!(got[1]["line"], 2);
    assert!(got[2]["error"]
        .as_str()
        .expect("error")
        .contains("not JSON"));
    assert!(got[3]["error"]
        .as_str()
        .expect("error")
        .contains("\"text\""));
    assert_eq!(got[4]["id"], 5);
    assert!(findings(&got[4]).is_empty());
}

#[test]
fn missing_file_exits_two() {
    let out = scan(Some(&fixture("no-such-file.jsonl")), b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    assert!(out.stdout.is_empty());
}
