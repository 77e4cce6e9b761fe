//! The forward proxy's commands: `sekimori ca init` (the interception CA),
//! `sekimori proxy-user hash` (an argon2id hash for `[[forward_proxy.users]]`) and
//! `sekimori pac --department D` (a department's PAC file). Exit 0 done, 2 error.

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

/// Arguments of `sekimori pac`.
#[derive(Debug, Args)]
pub struct PacArgs {
    /// Configuration file with a `[forward_proxy]` section.
    #[arg(long)]
    pub config: PathBuf,
    /// The department the PAC file is for (`default` or a `[[departments]]` name).
    #[arg(long, default_value = "default")]
    pub department: String,
}

/// Runs `sekimori pac`: prints the department's PAC file (exit 0) or an error (2).
pub fn pac(a: PacArgs) -> ExitCode {
    let cfg = match crate::config::load_file(&a.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sekimori pac: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(fp) = &cfg.forward_proxy else {
        eprintln!(
            "sekimori pac: {} has no [forward_proxy] section; add one (see README, forward proxy)",
            a.config.display()
        );
        return ExitCode::from(2);
    };
    let known = a.department == "default" || cfg.departments.iter().any(|d| d.name == a.department);
    if !known {
        eprintln!(
            "sekimori pac: no [[departments]] is named '{}'; give default or a declared department",
            a.department
        );
        return ExitCode::from(2);
    }
    let rules = crate::gateway::forward::catalogue::HostRules::new(fp);
    let proxy = fp.pac_proxy.as_deref().unwrap_or(&fp.listen);
    let text =
        crate::gateway::forward::pac::generate(&rules, proxy, &fp.pac_fallback, &a.department);
    let _ = io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// Starts the forward proxy of the running gateway's `[forward_proxy]`, if any.
///
/// With the embedded default (`embedded`), the CA is created on first start under the
/// state directory (`<state>/ca/`, path printed) and a listener that cannot be bound
/// is logged and skipped; with a configuration file every failure is an error.
pub async fn start_forward(
    shared: &std::sync::Arc<crate::gateway::state::Shared>,
    embedded: bool,
) -> Result<Option<crate::gateway::forward::RunningForwardProxy>, String> {
    use crate::gateway::forward::{self, ForwardProxy};
    let Some(mut fp) = shared.runtime.load().config.forward_proxy.clone() else {
        return Ok(None);
    };
    if embedded && fp.ca_cert.is_none() {
        let state = crate::gateway::audit::default_audit_config(&|n| std::env::var(n).ok())
            .dir
            .parent()
            .map_or_else(
                || PathBuf::from("sekimori-state"),
                std::path::Path::to_path_buf,
            );
        let dir = state.join("ca");
        let (cert, key) = (dir.join(ca::CA_CERT_FILE), dir.join(ca::CA_KEY_FILE));
        if !cert.exists() {
            ca::init(&dir).map_err(|e| format!("cannot create the forward proxy's CA: {e}"))?;
        }
        eprintln!(
            "sekimori: forward proxy CA (trust it in the browser to see block pages): {}",
            cert.display()
        );
        fp.ca_cert = Some(cert.display().to_string());
        fp.ca_key = Some(key.display().to_string());
    }
    let addr: std::net::SocketAddr = fp
        .listen
        .parse()
        .map_err(|_| format!("forward_proxy.listen '{}' is not address:port", fp.listen))?;
    let proxy = ForwardProxy::new(shared.clone(), &fp).map_err(|e| e.to_string())?;
    match forward::start(std::sync::Arc::new(proxy), addr).await {
        Ok(r) => {
            let ca = fp.ca_cert.as_deref().unwrap_or("<ca.pem>");
            eprintln!(
                "sekimori: forward proxy on http://{} — try:\n  curl -x http://{} --cacert {ca} https://chatgpt.com/",
                r.addr, r.addr
            );
            Ok(Some(r))
        }
        Err(e) if embedded => {
            tracing::warn!(target: "sekimori::serve", %addr, error = %e, "the demo forward proxy cannot listen; serving without it");
            Ok(None)
        }
        Err(e) => Err(format!(
            "cannot listen on {addr} (forward_proxy.listen): {e}"
        )),
    }
}
