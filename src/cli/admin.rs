//! `sekimori admin passwd USER --role 管理者|承認者|監査者|閲覧`: creates or resets a
//! console account. The password is read from standard input (twice, without echo,
//! on a terminal; the first line otherwise) and stored only as an argon2id hash in the
//! accounts file (`[admin] accounts_file`, default `admin-accounts.json` in the state
//! directory). Exit 0 done, 2 error.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::config;
use crate::console::accounts::{Accounts, Role};
use crate::console::state::accounts_path;

/// `sekimori admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create or reset a console account (password from standard input).
    Passwd(PasswdArgs),
}

/// Arguments of `sekimori admin passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Login name.
    pub user: String,
    /// Role: 管理者 (edit), 承認者 (approve), 監査者 (audit, usage), 閲覧 (dashboard).
    #[arg(long)]
    pub role: String,
    /// The configuration whose `[admin] accounts_file` to use.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The accounts file (overrides the configuration).
    #[arg(long)]
    pub accounts: Option<PathBuf>,
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let echo = |on: bool| {
            let _ = std::process::Command::new("stty")
                .arg(if on { "echo" } else { "-echo" })
                .stdin(std::process::Stdio::inherit())
                .status();
        };
        let ask = |prompt: &str| -> Result<String, String> {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            echo(false);
            let mut s = String::new();
            let r = stdin.lock().read_line(&mut s);
            echo(true);
            eprintln!();
            r.map_err(|e| format!("cannot read the password: {e}"))?;
            Ok(s.trim_end_matches(['\r', '\n']).to_string())
        };
        let a = ask("Password / パスワード: ")?;
        let b = ask("Again / もう一度: ")?;
        if a != b {
            return Err("the passwords differ / パスワードが一致しません".into());
        }
        Ok(a)
    } else {
        let mut s = String::new();
        stdin
            .lock()
            .read_line(&mut s)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        Ok(s.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn passwd(a: PasswdArgs) -> Result<PathBuf, String> {
    let role = Role::parse(&a.role).ok_or_else(|| {
        format!(
            "unknown role '{}': use 管理者, 承認者, 監査者 or 閲覧 (administrator, approver, auditor, viewer)",
            a.role
        )
    })?;
    let path = match (&a.accounts, &a.config) {
        (Some(p), _) => p.clone(),
        (None, Some(c)) => {
            let cfg = config::load_file(c).map_err(|e| e.to_string())?;
            accounts_path(cfg.admin.as_ref(), Some(c), &|n| std::env::var(n).ok())
        }
        (None, None) => accounts_path(None, None, &|n| std::env::var(n).ok()),
    };
    let password = read_password()?;
    let mut acc = Accounts::load(&path).map_err(|e| e.to_string())?;
    acc.set(&a.user, role, &password)
        .map_err(|e| e.to_string())?;
    Ok(path)
}

/// Runs an admin subcommand.
pub fn run(cmd: AdminCommand) -> ExitCode {
    match cmd {
        AdminCommand::Passwd(a) => {
            let (user, role) = (a.user.clone(), a.role.clone());
            match passwd(a) {
                Ok(path) => {
                    eprintln!(
                        "sekimori admin passwd: account '{user}' ({role}) saved in {}",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sekimori admin passwd: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
