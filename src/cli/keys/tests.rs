//! Key format, hashing and the snippet read back through the real configuration
//! loader and the gateway's runtime key table.

use std::path::Path;

use super::*;
use crate::config;
use crate::gateway::runtime::Runtime;

#[test]
fn generated_keys_have_the_documented_form_and_differ() {
    let a = generate_key().unwrap();
    let b = generate_key().unwrap();
    assert_ne!(a, b);
    for k in [&a, &b] {
        let hexpart = k.strip_prefix(KEY_PREFIX).expect("prefix");
        assert_eq!(hexpart.len(), 2 * KEY_RANDOM_BYTES);
        assert!(hexpart
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        // A key read back from a file or a pipe is the same key.
        assert_eq!(key_from_input(format!("{k}\n").as_bytes()).unwrap(), k);
    }
}

#[test]
fn hash_is_lowercase_sha256_hex() {
    // The test configuration's key (tests/gateway/mod.rs) and the empty string.
    assert_eq!(
        key_sha256_hex("sk-test-key"),
        "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
    );
    assert_eq!(
        key_sha256_hex(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

/// The embedded default plus `extra`, loaded and validated as a file would be.
fn load_with(extra: &str) -> config::Config {
    let text = format!("{}\n{extra}", config::EMBEDDED_DEFAULT);
    let path = Path::new("issued.toml");
    let cfg = config::load_str(&text, path, &|_| None).unwrap_or_else(|e| panic!("{e}"));
    cfg.validate(&text, path).unwrap_or_else(|e| panic!("{e}"));
    cfg
}

#[test]
fn snippet_is_accepted_by_the_loader_and_the_runtime_key_table() {
    let key = generate_key().unwrap();
    let users = [
        ("tanaka", "kosodate", Some("窓口端末3")),
        ("山田 花子", "子育て支援課", None),
        ("o\"brien\\x", "a = \"b\"", Some("# not a key = 1 [[x]]")),
    ];
    let mut extra = String::new();
    for (i, (user, dept, label)) in users.iter().enumerate() {
        let k = format!("{key}{i}");
        extra.push_str(&snippet(
            &key_sha256_hex(&k),
            user,
            dept,
            *label,
            "2026-11-25T21:00:00Z",
        ));
    }
    let cfg = load_with(&extra);
    assert_eq!(cfg.auth.keys.len(), users.len());
    for (i, (user, dept, _)) in users.iter().enumerate() {
        assert_eq!(cfg.auth.keys[i].user, *user);
        assert_eq!(cfg.auth.keys[i].department, *dept);
    }
    // The gateway decodes the stored hex into its key table and looks a presented key
    // up by the SHA-256 of its bytes.
    let rt = Runtime::build(cfg, None).unwrap_or_else(|e| panic!("{e}"));
    for (i, (user, dept, _)) in users.iter().enumerate() {
        let presented = format!("{key}{i}");
        let h: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let p = rt.keys.get(&h).expect("issued key is known");
        assert_eq!((p.user.as_str(), p.department.as_str()), (*user, *dept));
    }
    let other: [u8; 32] = Sha256::digest(b"sk-sekimori-not-issued").into();
    assert!(!rt.keys.contains_key(&other));
}

#[test]
fn bad_fields_are_refused_with_the_flag_named() {
    let cases: &[(&str, &str, &str)] = &[
        ("user", "", "--user is empty"),
        ("user", "   ", "--user is empty"),
        ("department", " kosodate", "leading or trailing spaces"),
        ("label", "a\nb", "control character"),
        ("user", "tab\there", "control character"),
    ];
    for (what, value, needle) in cases {
        let e = check_field(what, value).unwrap_err();
        assert!(e.contains(needle), "{what}={value:?}: {e}");
    }
    let long = "x".repeat(MAX_FIELD_CHARS + 1);
    assert!(check_field("user", &long).unwrap_err().contains("longer"));
    assert!(check_field("user", "tanaka").is_ok());
}

#[test]
fn hash_input_is_one_printable_key() {
    assert_eq!(key_from_input(b"  sk-abc \r\n").unwrap(), "sk-abc");
    let bad: &[(&[u8], &str)] = &[
        (b"", "no key"),
        (b" \n", "no key"),
        (b"a\nb\n", "more than one line"),
        (b"sk abc", "spaces"),
        ("sk-キー".as_bytes(), "non-ASCII"),
        (b"\xff\xfe", "not UTF-8"),
    ];
    for (input, needle) in bad {
        let e = key_from_input(input).unwrap_err();
        assert!(e.contains(needle), "{input:?}: {e}");
    }
    let long = vec![b'a'; MAX_KEY_BYTES + 1];
    assert!(key_from_input(&long).unwrap_err().contains("longer"));
}
