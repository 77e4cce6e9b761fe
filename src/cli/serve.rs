//! `sekimori serve` and `sekimori check-config`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

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

/// Runs the gateway.
pub fn run(_args: ServeArgs) -> ExitCode {
    eprintln!("sekimori serve: the gateway is not built yet");
    ExitCode::from(2)
}

/// Validates a configuration file.
pub fn check_config(_args: CheckConfigArgs) -> ExitCode {
    eprintln!("sekimori check-config: the gateway is not built yet");
    ExitCode::from(2)
}
