//! `sekimori scan`: run the detection engine on a file, stdin or JSON Lines.
//!
//! Exit codes: 0 nothing found, 1 something found, 2 error (bad input, bad config).
//! Matched text is printed only with `--show`; by default the output names category
//! and position only, so it is safe to paste into a ticket.

use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use crate::inspect::{DetectionConfig, Engine, EngineBuilder, Finding};
use crate::mask::Placeholders;

/// Arguments of `sekimori scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// File to scan; standard input when absent.
    pub file: Option<PathBuf>,
    /// Input is JSON Lines `{"id": …, "text": …}`; output one JSON line per input line.
    #[arg(long)]
    pub jsonl: bool,
    /// Print the masked text instead of the findings.
    #[arg(long, conflicts_with = "jsonl")]
    pub mask: bool,
    /// Also print the matched text (it is personal data: take care where it goes).
    #[arg(long)]
    pub show: bool,
    /// Configuration file whose `[detection]` section is used.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Runs `sekimori scan`.
pub fn run(args: ScanArgs) -> ExitCode {
    let engine = match build_engine(args.config.as_deref()) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("sekimori scan: {msg}");
            return ExitCode::from(2);
        }
    };
    let input: Box<dyn Read> = match &args.file {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("sekimori scan: cannot open {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => Box::new(io::stdin().lock()),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = if args.jsonl {
        scan_jsonl(&engine, input, &mut out)
    } else {
        scan_text(&engine, input, &mut out, &args)
    };
    let _ = out.flush();
    match result {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("sekimori scan: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Builds the engine from the `[detection]` section of `config`, or the defaults.
pub fn build_engine(config: Option<&Path>) -> Result<Engine, String> {
    let builder = match config {
        None => EngineBuilder::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let value: toml::Table =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let detection: DetectionConfig = match value.get("detection") {
                Some(v) => v
                    .clone()
                    .try_into()
                    .map_err(|e| format!("{}: [detection]: {e}", path.display()))?,
                None => DetectionConfig::default(),
            };
            let base = path.parent().unwrap_or(Path::new("."));
            EngineBuilder::from_config(&detection, base)
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    builder.build().map_err(|e| e.to_string())
}

fn read_all(mut input: impl Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| format!("reading input: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("input is not valid UTF-8 (line {line}, byte {at}); convert it to UTF-8 first (e.g. iconv -f SHIFT_JIS -t UTF-8)")
    })
}

fn scan_text(
    engine: &Engine,
    input: impl Read,
    out: &mut impl Write,
    args: &ScanArgs,
) -> Result<bool, String> {
    let text = read_all(input)?;
    let findings = engine.scan(&text);
    let io = |e: io::Error| format!("writing output: {e}");
    if args.mask {
        let mut table = Placeholders::new();
        out.write_all(table.mask(&text, &findings).as_bytes())
            .map_err(io)?;
        return Ok(!findings.is_empty());
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // Findings are sorted by position: count characters incrementally, not from each
    // line start again (a single long line with many findings stays linear).
    let (mut counted_to, mut chars_before) = (0usize, 0usize);
    for f in &findings {
        let line = line_starts.partition_point(|&s| s <= f.start);
        let line_start = line_starts[line - 1];
        if counted_to < line_start || counted_to > f.start {
            counted_to = line_start;
            chars_before = 0;
        }
        chars_before += text[counted_to..f.start].chars().count();
        counted_to = f.start;
        let col = chars_before + 1;
        write!(
            out,
            "{line}:{col}\t{}\t{}\tchars {}..{}\t{}\t{:.2}",
            f.category,
            f.category.label_ja(),
            f.char_start,
            f.char_end,
            f.detector,
            f.confidence
        )
        .map_err(io)?;
        if args.show {
            write!(out, "\t{}", &text[f.range()]).map_err(io)?;
        }
        writeln!(out).map_err(io)?;
    }
    Ok(!findings.is_empty())
}

fn finding_json(f: &Finding) -> Value {
    json!({"category": f.category.as_str(), "start": f.char_start, "end": f.char_end})
}

fn scan_jsonl(engine: &Engine, input: impl Read, out: &mut impl Write) -> Result<bool, String> {
    let reader = io::BufReader::new(input);
    let mut found = false;
    let mut errors = 0usize;
    for (i, line) in reader.split(b'\n').enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("reading line {n}: {e}"))?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = std::str::from_utf8(line)
            .map_err(|e| format!("line {n}: not valid UTF-8 at byte {}", e.valid_up_to()))
            .and_then(|s| {
                serde_json::from_str::<Value>(s).map_err(|e| format!("line {n}: not JSON: {e}"))
            })
            .and_then(|v| {
                let text = v
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("line {n}: no string field \"text\""))?
                    .to_owned();
                Ok((v.get("id").cloned().unwrap_or(Value::Null), text))
            });
        let record = match result {
            Ok((id, text)) => {
                let findings = engine.scan(&text);
                found |= !findings.is_empty();
                json!({"id": id, "findings": findings.iter().map(finding_json).collect::<Vec<_>>()})
            }
            Err(msg) => {
                eprintln!("sekimori scan: {msg}");
                errors += 1;
                json!({"line": n, "error": msg})
            }
        };
        writeln!(out, "{record}").map_err(|e| format!("writing output: {e}"))?;
    }
    if errors > 0 {
        return Err(format!(
            "{errors} input line(s) could not be scanned (see above)"
        ));
    }
    Ok(found)
}
