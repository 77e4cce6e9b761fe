//! `sekimori serve` and `sekimori check-config`.
//!
//! `serve` without `--config` runs the embedded default: loopback only, anonymous
//! callers, every API routed to the built-in demo upstream (nothing leaves the
//! machine). `check-config` loads, validates and compiles a file (including its
//! dictionaries) without serving; exit 0 valid, 2 invalid.
//!
//! The audit log is opened before serving (the gateway does not start without it):
//! `[audit]` of the configuration, or, without that table, a log under
//! `$SEKIMORI_STATE_DIR`, `$XDG_STATE_HOME/sekimori`, `$HOME/.local/state/sekimori` or
//! `./sekimori-state` (first that is set), in `audit/` with the key `audit-signing.pem`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::audit::{AuditLog, PromptRetention};
use crate::config;
use crate::console;
use crate::gateway::audit::{default_audit_config, resolve_paths, AuditLogHook};
use crate::gateway::reload;
use crate::gateway::runtime::Runtime;
use crate::gateway::Gateway;

/// Arguments of `sekimori serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration file (TOML). Without it, the embedded default runs.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Listen address, overriding the configuration.
    #[arg(long)]
    pub listen: Option<String>,
}

/// Arguments of `sekimori check-config`.
#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// Configuration file to validate.
    pub file: PathBuf,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEKIMORI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let json = std::env::var("SEKIMORI_LOG_FORMAT").is_ok_and(|v| v == "json");
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

/// Runs the gateway.
pub fn run(args: ServeArgs) -> ExitCode {
    init_tracing();
    let (mut cfg, source) = match &args.config {
        Some(p) => match config::load_file(p) {
            Ok(c) => (c, Some(p.clone())),
            Err(e) => {
                eprintln!("sekimori serve: {e}");
                return ExitCode::from(2);
            }
        },
        None => {
            tracing::info!(target: "sekimori::serve", "no --config: using the embedded demo configuration (loopback only, demo upstream)");
            (config::embedded_default(), None)
        }
    };
    if let Some(l) = &args.listen {
        cfg.server.listen = l.clone();
    }
    let addr: SocketAddr = match cfg.server.listen.parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "sekimori serve: --listen '{}' is not address:port (e.g. 127.0.0.1:8787)",
                cfg.server.listen
            );
            return ExitCode::from(2);
        }
    };
    let poll = Duration::from_secs(cfg.server.reload_poll_secs);
    let source_dir = source
        .as_deref()
        .map(|p| p.parent().unwrap_or(Path::new(".")).to_path_buf());
    let audit_cfg = match (&cfg.audit, &source) {
        (Some(a), Some(src)) => resolve_paths(a.clone(), src.parent().unwrap_or(Path::new("."))),
        (Some(a), None) => a.clone(),
        (None, _) => default_audit_config(&|n| std::env::var(n).ok()),
    };
    let workers = cfg.server.workers;
    let admin = cfg.admin.clone();
    let embedded = source.is_none();
    let runtime = match Runtime::build(cfg, source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sekimori serve: {e}");
            return ExitCode::from(2);
        }
    };
    // This runtime opens the audit log, watches for reloads and waits for signals;
    // connections are served by the gateway's own worker threads (`start_workers`).
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sekimori serve: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let (signing_key, audit_dir) = (audit_cfg.signing_key.clone(), audit_cfg.dir.clone());
    rt.block_on(async move {
        let opened = tokio::task::spawn_blocking(move || {
            let sealed = audit_cfg.prompt_retention == PromptRetention::Sealed;
            AuditLog::open(&audit_cfg).map(|log| (log, audit_cfg.dir, sealed))
        })
        .await;
        let hook = match opened {
            Ok(Ok((log, dir, sealed))) => {
                tracing::info!(target: "sekimori::serve", dir = %dir.display(), "audit log open");
                AuditLogHook::new(Arc::new(log)).with_responses(sealed)
            }
            Ok(Err(e)) => {
                eprintln!("sekimori serve: the audit log cannot be opened, not serving: {e}");
                return ExitCode::from(2);
            }
            Err(_) => {
                eprintln!("sekimori serve: opening the audit log failed");
                return ExitCode::from(2);
            }
        };
        let running = match Gateway::new(runtime)
            .audit(Arc::new(hook.clone()))
            .start_workers(addr, workers)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("sekimori serve: cannot listen on {addr}: {e}");
                return ExitCode::from(2);
            }
        };
        eprintln!(
            "sekimori: listening on http://{} — try:\n  curl -s http://{}/v1/chat/completions -H 'content-type: application/json' -d '{{\"model\":\"demo\",\"messages\":[{{\"role\":\"user\",\"content\":\"山田太郎さん（090-1234-5678）に連絡して\"}}]}}'",
            running.addr, running.addr
        );
        let console = match admin {
            Some(a) => match start_console(a, source_dir.as_deref(), &running, &hook, (&audit_dir, &signing_key)).await {
                Ok(c) => Some(c),
                // The embedded default's console is a convenience: without it the
                // gateway still serves (a configured `[admin]` must start).
                Err(e) if source_dir.is_none() => {
                    eprintln!("sekimori serve: warning: {e}; serving without the console");
                    None
                }
                Err(e) => {
                    eprintln!("sekimori serve: {e}");
                    running.shutdown().await;
                    hook.log().close().await;
                    return ExitCode::from(2);
                }
            },
            None => None,
        };
        let forward = match super::proxy::start_forward(&running.shared, embedded).await {
            Ok(f) => f,
            Err(e) => {
                eprintln!("sekimori serve: {e}");
                if let Some(c) = &console {
                    c.stop();
                }
                running.shutdown().await;
                hook.log().close().await;
                return ExitCode::from(2);
            }
        };
        let watcher = reload::spawn_watcher(running.shared.clone(), poll);
        shutdown_signal().await;
        if let Some(c) = &console {
            c.stop();
        }
        tracing::info!(target: "sekimori::serve", "shutting down");
        watcher.abort();
        if let Some(f) = forward {
            f.shutdown().await;
        }
        running.shutdown().await;
        hook.log().close().await;
        ExitCode::SUCCESS
    })
}

/// Starts the administrators' console over the running gateway; prints where it
/// listens and, when no administrator exists yet, a one-time login link.
async fn start_console(
    mut a: config::AdminConfig,
    base: Option<&Path>,
    running: &crate::gateway::RunningGateway,
    hook: &AuditLogHook,
    (audit_dir, signing_key): (&Path, &Path),
) -> Result<console::RunningConsole, String> {
    let env = |n: &str| std::env::var(n).ok();
    let base = base.unwrap_or(Path::new("."));
    let accounts = console::state::accounts_path(Some(&a), Some(&base.join("x")), &env);
    let resolve = |p: &mut Option<PathBuf>| {
        if let Some(f) = p.as_mut().filter(|f| f.is_relative()) {
            *f = base.join(&*f);
        }
    };
    resolve(&mut a.tls_cert);
    resolve(&mut a.tls_key);
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(c), Some(k)) => Some(console::server::tls_acceptor(c, k).map_err(|e| e.to_string())?),
        _ => None,
    };
    let addr: SocketAddr = a
        .listen
        .parse()
        .map_err(|_| format!("[admin] listen '{}' is not address:port", a.listen))?;
    let audit = console::AuditAccess {
        log: hook.log().clone(),
        dir: audit_dir.to_path_buf(),
        public_key: Some(crate::audit::checkpoint::public_key_path(signing_key)),
    };
    let c = console::Console::new(running.shared.clone(), a, &accounts, audit, tls.is_some())
        .map_err(|e| e.to_string())?;
    let up = console::start(c.clone(), addr, tls.clone())
        .await
        .map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!(
        "sekimori: administrators' console on {scheme}://{}/ (accounts: {})",
        up.addr,
        accounts.display()
    );
    if let Some(token) = c.first_admin_token() {
        eprintln!(
            "sekimori: no administrator yet — create the first one within {} minutes (the link works once):\n  {scheme}://{}/setup?token={token}",
            c.cfg.setup_link_secs.div_ceil(60),
            up.addr
        );
    }
    Ok(up)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Validates a configuration file.
pub fn check_config(args: CheckConfigArgs) -> ExitCode {
    let cfg = match config::load_file(&args.file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let (n_up, n_routes) = (cfg.upstreams.len(), cfg.routes.len());
    match Runtime::build(cfg, Some(args.file.clone())) {
        Ok(_) => {
            eprintln!(
                "{}: OK ({n_up} upstream(s), {n_routes} route(s))",
                args.file.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
