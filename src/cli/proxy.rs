//! `sekimori ca init` (the forward proxy's interception CA) and
//! `sekimori proxy-user hash` (an argon2id hash for `[[forward_proxy.users]]`).
//! Exit 0 done, 2 error.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::gateway::forward::{ca, identity};

/// `sekimori ca …`.
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create the interception CA: the certificate to distribute to browsers and the
    /// key (mode 0600); prints both paths and the `[forward_proxy]` lines.
    Init(CaInitArgs),
}

/// Arguments of `sekimori ca init`.
#[derive(Debug, Args)]
pub struct CaInitArgs {
    /// Directory to write `sekimori-ca.pem` and `sekimori-ca.key` in.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
}

/// Runs `sekimori ca …`.
pub fn ca(cmd: CaCommand) -> ExitCode {
    match cmd {
        CaCommand::Init(a) => match ca::init(&a.dir) {
            Ok((cert, key)) => {
                let mut out = io::stdout().lock();
                let _ = writeln!(
                    out,
                    "CA certificate (distribute to browsers): {}",
                    cert.display()
                );
                let _ = writeln!(out, "CA key (keep secret, mode 0600): {}", key.display());
                let _ = writeln!(
                    out,
                    "\n[forward_proxy]\nca_cert = \"{}\"\nca_key = \"{}\"",
                    cert.display(),
                    key.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sekimori ca init: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// `sekimori proxy-user …`.
#[derive(Debug, Subcommand)]
pub enum ProxyUserCommand {
    /// Read a password (one line) on stdin and print its argon2id hash for
    /// `[[forward_proxy.users]] password_hash`.
    Hash,
}

/// Runs `sekimori proxy-user …`.
pub fn proxy_user(cmd: ProxyUserCommand) -> ExitCode {
    match cmd {
        ProxyUserCommand::Hash => {
            let mut line = String::new();
            if io::stdin().lock().read_line(&mut line).is_err() {
                eprintln!("sekimori proxy-user hash: cannot read the password from stdin");
                return ExitCode::from(2);
            }
            let pw = line.trim_end_matches(['\r', '\n']);
            if pw.is_empty() {
                eprintln!("sekimori proxy-user hash: empty password");
                return ExitCode::from(2);
            }
            match identity::hash_password(pw) {
                Ok(h) => {
                    let _ = writeln!(io::stdout().lock(), "{h}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sekimori proxy-user hash: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
