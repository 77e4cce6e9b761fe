//! Command-line interface: `scan`, `serve`, `check-config`, `audit`, `usage`, `keys`,
//! `admin`, `ca`, `proxy-user`, `pac`.
//!
//! Each subcommand lives in its own module and returns an [`ExitCode`]; this module
//! only parses arguments and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod admin;
pub mod audit;
pub mod keys;
pub mod proxy;
pub mod scan;
pub mod serve;

/// 関守 Sekimori: inspects prompts for Japanese personal data before they reach an LLM.
#[derive(Debug, Parser)]
#[command(name = "sekimori", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan text for personal data (exit 0: none, 1: found, 2: error).
    Scan(scan::ScanArgs),
    /// Run the gateway.
    Serve(serve::ServeArgs),
    /// Validate a configuration file without serving.
    CheckConfig(serve::CheckConfigArgs),
    /// Verify and export the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Monthly usage per user, department or model, from the audit log.
    Usage(audit::UsageArgs),
    /// Issue API keys (`keys new`) and hash existing ones (`keys hash`); exit 0 or 2.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Console accounts (`admin passwd USER --role 管理者`); exit 0 or 2.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// The forward proxy's interception CA (`ca init`); exit 0 or 2.
    #[command(subcommand)]
    Ca(proxy::CaCommand),
    /// Forward-proxy logins (`proxy-user hash`); exit 0 or 2.
    #[command(subcommand)]
    ProxyUser(proxy::ProxyUserCommand),
    /// Print a department's PAC file for the forward proxy; exit 0 or 2.
    Pac(proxy::PacArgs),
}

/// Parses the command line and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(a) => scan::run(a),
        Command::Serve(a) => serve::run(a),
        Command::CheckConfig(a) => serve::check_config(a),
        Command::Audit(a) => audit::run(a),
        Command::Usage(a) => audit::usage(a),
        Command::Keys(a) => keys::run(a),
        Command::Admin(a) => admin::run(a),
        Command::Ca(a) => proxy::ca(a),
        Command::ProxyUser(a) => proxy::proxy_user(a),
        Command::Pac(a) => proxy::pac(a),
    }
}
