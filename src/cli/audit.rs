//! `sekimori audit …` and `sekimori usage`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// `sekimori audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain and signed checkpoints of an audit directory.
    Verify {
        /// The audit directory.
        dir: PathBuf,
    },
}

/// Arguments of `sekimori usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Month, YYYY-MM.
    #[arg(long)]
    pub month: String,
}

/// Runs an audit subcommand.
pub fn run(_cmd: AuditCommand) -> ExitCode {
    eprintln!("sekimori audit: not built yet");
    ExitCode::from(2)
}

/// Prints monthly usage.
pub fn usage(_args: UsageArgs) -> ExitCode {
    eprintln!("sekimori usage: not built yet");
    ExitCode::from(2)
}
