//! `sekimori audit verify|export|unseal` and `sekimori usage`.
//!
//! Exit codes: 0 success (verify: intact), 1 verify found a problem, 2 error
//! (unreadable directory, bad arguments).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::audit::export::{self, ExportOptions, Filter, GroupBy};
use crate::audit::seal::Identities;
use crate::audit::timefmt::{parse_cli_time, parse_month};
use crate::audit::verify::verify_dir_with;
use crate::audit::{checkpoint, Action, StoredPrompt};

/// `sekimori audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain and signed checkpoints of an audit directory
    /// (exit 0 intact, 1 a problem, reported with file and line).
    Verify {
        /// The audit directory.
        dir: PathBuf,
        /// Ed25519 public key(s) the checkpoints must be signed with (PEM or base64),
        /// held apart from the log. Without it, keys recorded in the log are used.
        #[arg(long = "public-key")]
        public_key: Vec<PathBuf>,
        /// Checkpoint list to trust instead of DIR/checkpoints.jsonl: the copy kept on
        /// write-once storage. On a live log the newest line may still be being written.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export records to CSV (default) or JSON Lines; times in JST.
    Export(ExportArgs),
    /// Decrypt sealed prompts and responses (authorised audits only).
    Unseal {
        /// The audit directory.
        dir: PathBuf,
        /// The auditor's age identity file (AGE-SECRET-KEY-1…).
        #[arg(long)]
        identity: PathBuf,
        /// Only these sequence numbers.
        #[arg(long)]
        seq: Vec<u64>,
    },
}

/// Output format of `audit export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// CSV with CRLF line ends.
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// Arguments of `sekimori audit export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The audit directory.
    pub dir: PathBuf,
    /// From this time (YYYY-MM-DD = 00:00 JST, or RFC 3339), inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// Until this time (YYYY-MM-DD = 00:00 JST, or RFC 3339), exclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// Only this user.
    #[arg(long)]
    pub user: Option<String>,
    /// Only this department.
    #[arg(long)]
    pub department: Option<String>,
    /// Only this action (allowed, masked, blocked, warned, acknowledged,
    /// refused-region, refused-quota, error).
    #[arg(long)]
    pub action: Option<String>,
    /// Only requests with findings of this category.
    #[arg(long)]
    pub category: Option<String>,
    /// Also export administrative and system events.
    #[arg(long)]
    pub include_admin: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Start with a UTF-8 BOM (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Decrypt sealed prompts with this age identity file.
    #[arg(long)]
    pub identity: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Grouping of `sekimori usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UsageBy {
    /// Per user.
    User,
    /// Per department.
    Department,
    /// Per model.
    Model,
}

/// Output format of `sekimori usage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UsageFormat {
    /// CSV with CRLF line ends.
    Csv,
    /// A JSON array.
    Json,
}

/// Arguments of `sekimori usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The audit directory.
    pub dir: PathBuf,
    /// Month, YYYY-MM (JST).
    #[arg(long)]
    pub month: String,
    /// Group by.
    #[arg(long, value_enum, default_value = "user")]
    pub by: UsageBy,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: UsageFormat,
    /// Start with a UTF-8 BOM (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs an audit subcommand.
pub fn run(cmd: AuditCommand) -> ExitCode {
    let result = match cmd {
        AuditCommand::Verify {
            dir,
            public_key,
            checkpoints,
            json,
        } => return verify(&dir, &public_key, checkpoints.as_deref(), json),
        AuditCommand::Export(a) => export_cmd(a),
        AuditCommand::Unseal { dir, identity, seq } => unseal(&dir, &identity, &seq),
    };
    finish("audit", result)
}

/// Prints monthly usage.
pub fn usage(args: UsageArgs) -> ExitCode {
    finish("usage", usage_cmd(args))
}

fn finish(what: &str, r: Result<(), String>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(m) => {
            eprintln!("sekimori {what}: {m}");
            ExitCode::from(2)
        }
    }
}

fn output(path: Option<&Path>) -> Result<Box<dyn Write>, String> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

fn verify(dir: &Path, keys: &[PathBuf], checkpoints: Option<&Path>, json: bool) -> ExitCode {
    let mut trusted = Vec::new();
    for k in keys {
        match checkpoint::read_public_key(k) {
            Ok(vk) => trusted.push(vk),
            Err(e) => {
                eprintln!("sekimori audit verify: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let default_ckpts = dir.join(checkpoint::CHECKPOINTS_FILE);
    let rep = match verify_dir_with(dir, checkpoints.unwrap_or(&default_ckpts), &trusted) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sekimori audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = io::stdout().lock();
    let text = if json {
        let problems: Vec<_> = rep
            .problems
            .iter()
            .map(|p| {
                serde_json::json!({"file": p.file, "line": p.line, "kind": p.kind.as_str(),
                                   "detail": p.detail})
            })
            .collect();
        serde_json::json!({
            "ok": rep.ok(), "segments": rep.segments, "records": rep.records,
            "first_seq": rep.first_seq, "last_seq": rep.last_seq, "last_hash": rep.last_hash,
            "last_time": rep.last_time, "checkpoints": rep.checkpoints,
            "checkpoints_verified": rep.checkpoints_verified,
            "checkpoints_expired": rep.checkpoints_expired,
            "checkpoints_not_in_copy": rep.checkpoints_not_in_copy,
            "deletions_accepted": rep.deletions_accepted, "clean_shutdown": rep.clean_shutdown,
            "keys_from_log": rep.keys_from_log, "problems": problems,
        })
        .to_string()
    } else if rep.ok() {
        let mut s = format!(
            "OK: {} records (seq {}..{}) in {} segments; {} of {} checkpoints verified, {} \
             about deleted segments; {} recorded retention deletion(s); last record {} {}; last hash {}",
            rep.records,
            rep.first_seq,
            rep.last_seq,
            rep.segments,
            rep.checkpoints_verified,
            rep.checkpoints,
            rep.checkpoints_expired,
            rep.deletions_accepted,
            rep.last_time,
            if rep.clean_shutdown { "(clean shutdown)" } else { "(running, or crashed)" },
            rep.last_hash
        );
        if rep.checkpoints_not_in_copy > 0 {
            s.push_str(&format!(
                "\nnote: the newest {} in-chain checkpoint(s) are not yet in the given \
                 --checkpoints copy (it lags behind) and were not compared",
                rep.checkpoints_not_in_copy
            ));
        }
        if rep.keys_from_log {
            s.push_str(
                "\nnote: signatures checked with the key recorded in the log itself; pass \
                 --public-key for independent assurance",
            );
        }
        s
    } else {
        let mut s = format!("TAMPERED OR DAMAGED: {}", rep.problems[0]);
        for p in &rep.problems[1..] {
            s.push_str(&format!("\nalso: {p}"));
        }
        s
    };
    let _ = writeln!(out, "{text}");
    if rep.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn export_cmd(a: ExportArgs) -> Result<(), String> {
    let action = a.action.as_deref().map(str::parse::<Action>).transpose()?;
    let filter = Filter {
        from: a.from.as_deref().map(parse_cli_time).transpose()?,
        to: a.to.as_deref().map(parse_cli_time).transpose()?,
        user: a.user,
        department: a.department,
        action,
        category: a.category,
        include_admin: a.include_admin,
    };
    let identities = a
        .identity
        .as_deref()
        .map(Identities::from_file)
        .transpose()
        .map_err(|e| e.to_string())?;
    let opts = ExportOptions {
        jsonl: a.format == ExportFormat::Jsonl,
        bom: a.bom,
        identities,
    };
    let mut out = output(a.output.as_deref())?;
    let st = export::export(&a.dir, &filter, &opts, &mut out).map_err(|e| e.to_string())?;
    drop(out);
    eprintln!(
        "sekimori audit export: {} of {} records exported",
        st.exported, st.read.records
    );
    if st.read.invalid_lines > 0 {
        eprintln!(
            "sekimori audit export: warning: {} lines failed their hash and were skipped; \
             run `sekimori audit verify`",
            st.read.invalid_lines
        );
    }
    if st.unseal_failures > 0 {
        eprintln!(
            "sekimori audit export: warning: {} sealed prompts could not be decrypted with this identity",
            st.unseal_failures
        );
    }
    Ok(())
}

fn unseal(dir: &Path, identity: &Path, seqs: &[u64]) -> Result<(), String> {
    let ids = Identities::from_file(identity).map_err(|e| e.to_string())?;
    let mut out = output(None)?;
    let mut failures = 0u64;
    export::for_each_record(dir, |r| {
        if !seqs.is_empty() && !seqs.contains(&r.seq) {
            return Ok(());
        }
        let Some(StoredPrompt::Sealed { age }) = &r.prompt else {
            return Ok(());
        };
        let rid = r
            .request()
            .map(|q| q.request_id.clone())
            .unwrap_or_default();
        match ids.unseal(age) {
            Ok(c) => {
                let v = serde_json::json!({"seq": r.seq, "request_id": rid,
                                           "prompt": c.prompt, "response": c.response});
                writeln!(out, "{v}").map_err(|e| crate::audit::AuditError::io("write", "stdout", e))
            }
            Err(_) => {
                failures += 1;
                Ok(())
            }
        }
    })
    .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    if failures > 0 {
        return Err(format!(
            "{failures} sealed records could not be decrypted with this identity"
        ));
    }
    Ok(())
}

fn usage_cmd(a: UsageArgs) -> Result<(), String> {
    let (from, to) = parse_month(&a.month)?;
    let by = match a.by {
        UsageBy::User => GroupBy::User,
        UsageBy::Department => GroupBy::Department,
        UsageBy::Model => GroupBy::Model,
    };
    let (rows, st) = export::usage(&a.dir, from, to, by).map_err(|e| e.to_string())?;
    let mut out = output(a.output.as_deref())?;
    match a.format {
        UsageFormat::Csv => export::write_usage_csv(&rows, by, a.bom, &mut out),
        UsageFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        by.as_str(): r.key, "requests": r.requests, "forwarded": r.forwarded,
                        "chars": r.chars, "tokens_in": r.tokens_in, "tokens_out": r.tokens_out,
                        "blocked": r.blocked, "masked": r.masked, "refused": r.refused,
                        "errors": r.errors, "blocked_by_category": r.blocked_by_category,
                        "masked_by_category": r.masked_by_category,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(v)).and_then(|_| out.flush())
        }
    }
    .map_err(|e| format!("cannot write: {e}"))?;
    if st.invalid_lines > 0 {
        eprintln!(
            "sekimori usage: warning: {} lines failed their hash and were skipped; run \
             `sekimori audit verify`",
            st.invalid_lines
        );
    }
    Ok(())
}
