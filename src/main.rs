//! `sekimori`: the command-line entry point. Thin by design: parse, dispatch, exit.

use std::process::ExitCode;

fn main() -> ExitCode {
    sekimori::cli::main()
}
