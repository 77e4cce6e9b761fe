//! `sekimori keys`: issue Sekimori API keys and compute the hash the configuration stores.
//!
//! - `keys new --user U --department D [--label L]` draws 32 bytes from the operating
//!   system's CSPRNG and prints the key (`sk-sekimori-` and 64 lowercase hex digits)
//!   **once** on standard output, nothing else there, so `KEY=$(sekimori keys new …)`
//!   or `> file` captures exactly the key. The `[[auth.keys]]` snippet to paste into
//!   the configuration (SHA-256 of the key, user, department; the label and the issue
//!   time as comments, since the table has no such keys) goes to standard error, with
//!   every other line a TOML comment so the whole stream can be pasted as it is.
//!   Sekimori stores nothing: the key cannot be shown again, only replaced.
//! - `keys hash` reads a key on standard input and prints its SHA-256 in the form
//!   `[[auth.keys]].sha256` expects (for keys issued otherwise, or to check one).
//!
//! The hash is the one the gateway computes for a presented key
//! (`gateway::phase::identify`): SHA-256 of the key's bytes, after the surrounding whitespace
//! a header value loses, compared with the 32 bytes decoded from the stored hex.
//!
//! Exit codes: 0 done, 2 error (bad argument, bad input, no randomness available).
//! Keys and hashes never appear in error messages.

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of every key Sekimori issues (lets secret scanners and people recognise it).
pub const KEY_PREFIX: &str = "sk-sekimori-";
/// Random bytes in a key (256 bits).
pub const KEY_RANDOM_BYTES: usize = 32;
/// Longest user, department or label accepted (the trusted-header limit).
const MAX_FIELD_CHARS: usize = 256;
/// Longest key `keys hash` accepts.
const MAX_KEY_BYTES: usize = 1024;

/// `sekimori keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Issue a new API key: the key once on stdout, the [[auth.keys]] snippet on stderr.
    New(NewArgs),
    /// Read a key on stdin and print the SHA-256 hex that [[auth.keys]] stores.
    Hash,
}

/// Arguments of `sekimori keys new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The user the key identifies (as audit records and usage reports will name them).
    #[arg(long)]
    pub user: String,
    /// The user's department (a `[[departments]]` name, or `default`).
    #[arg(long)]
    pub department: String,
    /// A note for administrators (e.g. the terminal or purpose); written as a comment.
    #[arg(long)]
    pub label: Option<String>,
}

/// Runs `sekimori keys`.
pub fn run(command: KeysCommand) -> ExitCode {
    let result = match command {
        KeysCommand::New(args) => new_key(&args),
        KeysCommand::Hash => hash_stdin(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("sekimori keys: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The hex SHA-256 of `key` as `[[auth.keys]].sha256` stores it (lowercase, 64 digits).
///
/// ```
/// use sekimori::cli::keys::key_sha256_hex;
/// assert_eq!(
///     key_sha256_hex("sk-test-key"),
///     "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
/// );
/// ```
pub fn key_sha256_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Generates a key from the operating system's CSPRNG (`getrandom` via `rand::rngs::OsRng`).
pub fn generate_key() -> Result<String, String> {
    let mut raw = [0u8; KEY_RANDOM_BYTES];
    rand::rngs::OsRng
        .try_fill_bytes(&mut raw)
        .map_err(|e| format!("the operating system's random number generator failed: {e}"))?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(raw)))
}

/// Checks a user, department or label: not empty, one line, no control characters,
/// at most [`MAX_FIELD_CHARS`] characters, no surrounding spaces.
fn check_field(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("--{what} is empty; give a non-empty value"));
    }
    if value.trim() != value {
        return Err(format!(
            "--{what} has leading or trailing spaces; remove them"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "--{what} contains a control character (newline, tab …); use one plain line"
        ));
    }
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(format!(
            "--{what} is longer than {MAX_FIELD_CHARS} characters"
        ));
    }
    Ok(())
}

/// A TOML basic string holding `s` (quotes and escapes as the toml crate writes them).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The `[[auth.keys]]` snippet for a key with hash `sha256`: a table the configuration
/// loader accepts as it is; the label and `issued` (RFC 3339) become comments.
pub fn snippet(
    sha256: &str,
    user: &str,
    department: &str,
    label: Option<&str>,
    issued: &str,
) -> String {
    let mut s = String::new();
    s.push_str("[[auth.keys]]\n");
    if let Some(label) = label {
        s.push_str(&format!("# label: {label}\n"));
    }
    s.push_str(&format!("# issued: {issued}\n"));
    s.push_str(&format!("sha256 = \"{sha256}\"\n"));
    s.push_str(&format!("user = {}\n", toml_string(user)));
    s.push_str(&format!("department = {}\n", toml_string(department)));
    s
}

/// `keys new`.
fn new_key(args: &NewArgs) -> Result<(), String> {
    check_field("user", &args.user)?;
    check_field("department", &args.department)?;
    if let Some(label) = &args.label {
        check_field("label", label)?;
    }
    let key = generate_key()?;
    let now = time::OffsetDateTime::now_utc();
    let issued = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("formatting the issue time: {e}"))?;
    let table = snippet(
        &key_sha256_hex(&key),
        &args.user,
        &args.department,
        args.label.as_deref(),
        &issued,
    );
    let mut out = io::stdout().lock();
    writeln!(out, "{key}")
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing the key to standard output: {e}"))?;
    let mut err = io::stderr().lock();
    let _ = write!(
        err,
        "# The key above is shown once and stored nowhere: hand it to {} now.\n\
         # Paste the table below into the configuration; Sekimori reloads it on change.\n\
         {table}",
        args.user
    );
    Ok(())
}

/// Checks a key read for hashing and returns it without surrounding whitespace (a
/// header value is trimmed the same way before the gateway hashes it).
pub fn key_from_input(input: &[u8]) -> Result<&str, String> {
    if input.len() > MAX_KEY_BYTES {
        return Err(format!(
            "the input is longer than {MAX_KEY_BYTES} bytes; give one key"
        ));
    }
    let text = std::str::from_utf8(input).map_err(|_| "the input is not UTF-8 text".to_string())?;
    let key = text.trim();
    if key.is_empty() {
        return Err(
            "no key on standard input; e.g. printf %s \"$KEY\" | sekimori keys hash".into(),
        );
    }
    if key.lines().count() > 1 {
        return Err("more than one line on standard input; give one key".into());
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "the key contains spaces, control or non-ASCII characters; clients could not \
             send it in an HTTP header"
                .into(),
        );
    }
    Ok(key)
}

/// `keys hash`.
fn hash_stdin() -> Result<(), String> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        eprintln!("sekimori keys: paste the key, then press Enter and Ctrl-D");
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .take(MAX_KEY_BYTES as u64 + 1)
        .read_to_end(&mut input)
        .map_err(|e| format!("reading standard input: {e}"))?;
    let key = key_from_input(&input)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}", key_sha256_hex(key))
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing standard output: {e}"))
}

#[cfg(test)]
mod tests;
