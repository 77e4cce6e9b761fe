//! Reading the log back: filtered export to CSV (Excel on a Japanese PC: optional UTF-8
//! BOM, CRLF, RFC 4180 quoting, JST times) or JSON Lines, and monthly usage.
//!
//! Export does not verify the chain (run `sekimori audit verify` for that); lines that
//! fail their own hash are skipped and counted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::seal::Identities;
use super::segment::{list_segments, open_line, path_of, read_file, split_lines};
use super::timefmt::format_jst;
use super::{Action, AuditError, Event, Phase, StoredPrompt, StoredRecord};

/// Which records to export.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Records at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Records before this time.
    pub to: Option<OffsetDateTime>,
    /// Only this user.
    pub user: Option<String>,
    /// Only this department.
    pub department: Option<String>,
    /// Only this action.
    pub action: Option<Action>,
    /// Only requests with a finding of this category.
    pub category: Option<String>,
    /// Also export admin and system events (dropped when a request filter is set).
    pub include_admin: bool,
}

impl Filter {
    /// Whether `r` passes.
    pub fn matches(&self, r: &StoredRecord) -> bool {
        if self.from.is_some() || self.to.is_some() {
            let Some(t) = r.time() else { return false };
            if self.from.is_some_and(|f| t < f) || self.to.is_some_and(|to| t >= to) {
                return false;
            }
        }
        match &r.event {
            Event::Request(q) => {
                self.user.as_ref().is_none_or(|u| *u == q.user)
                    && self
                        .department
                        .as_ref()
                        .is_none_or(|d| Some(d) == q.department.as_ref())
                    && self.action.is_none_or(|a| a == q.action)
                    && self
                        .category
                        .as_ref()
                        .is_none_or(|c| q.categories.get(c).is_some_and(|n| *n > 0))
            }
            _ => {
                self.include_admin
                    && self.user.is_none()
                    && self.department.is_none()
                    && self.action.is_none()
                    && self.category.is_none()
            }
        }
    }
}

/// Counts of a read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Records read.
    pub records: u64,
    /// Lines skipped because they fail their hash or do not parse.
    pub invalid_lines: u64,
}

/// Calls `f` with every record of every segment, in order.
pub fn for_each_record(
    dir: &Path,
    mut f: impl FnMut(&StoredRecord) -> Result<(), AuditError>,
) -> Result<ReadStats, AuditError> {
    let mut st = ReadStats::default();
    for (_, name) in list_segments(dir)? {
        let bytes = read_file(&path_of(dir, &name))?;
        let (lines, _) = split_lines(&bytes);
        for (_, l) in lines {
            match open_line(l) {
                Ok((_, r)) => {
                    st.records += 1;
                    f(&r)?;
                }
                Err(_) => st.invalid_lines += 1,
            }
        }
    }
    Ok(st)
}

/// Export options.
#[derive(Debug, Default)]
pub struct ExportOptions {
    /// JSON Lines instead of CSV.
    pub jsonl: bool,
    /// Start with a UTF-8 byte order mark (Excel needs it to read UTF-8).
    pub bom: bool,
    /// Decrypt sealed prompts with these auditor identities.
    pub identities: Option<Identities>,
}

/// Counts of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Records read.
    pub read: ReadStats,
    /// Records written.
    pub exported: u64,
    /// Sealed prompts that could not be decrypted with the identities given.
    pub unseal_failures: u64,
}

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 27] = [
    "seq",
    "time_jst",
    "time_utc",
    "type",
    "event",
    "request_id",
    "phase",
    "user",
    "department",
    "client",
    "front_end",
    "upstream",
    "provider",
    "region",
    "model",
    "action",
    "categories",
    "findings",
    "prompt_chars",
    "tokens_in",
    "tokens_out",
    "status",
    "latency_ms",
    "error",
    "detail",
    "prompt",
    "response",
];

/// Writes the records of `dir` that pass `filter` to `out`.
pub fn export(
    dir: &Path,
    filter: &Filter,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<ExportStats, AuditError> {
    let io_err = |e| AuditError::io("write", "export output", e);
    let mut stats = ExportStats::default();
    if opts.bom {
        out.write_all("\u{feff}".as_bytes()).map_err(io_err)?;
    }
    if !opts.jsonl {
        write_csv_row(out, CSV_COLUMNS.iter().map(|s| s.to_string())).map_err(io_err)?;
    }
    stats.read = for_each_record(dir, |r| {
        if !filter.matches(r) {
            return Ok(());
        }
        let (prompt, response) = text_of(r, opts.identities.as_ref(), &mut stats.unseal_failures);
        stats.exported += 1;
        if opts.jsonl {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "time_jst".into(),
                    r.time().map(format_jst).unwrap_or_default().into(),
                );
                if opts.identities.is_some() {
                    o.insert(
                        "unsealed".into(),
                        serde_json::json!({"prompt": prompt, "response": response}),
                    );
                }
            }
            let mut line = serde_json::to_vec(&v).unwrap_or_default();
            line.push(b'\n');
            out.write_all(&line).map_err(io_err)
        } else {
            write_csv_row(out, csv_fields(r, prompt, response)).map_err(io_err)
        }
    })?;
    out.flush().map_err(io_err)?;
    Ok(stats)
}

/// `(prompt, response)` text of a record: the masked prompt in clear, or the sealed
/// content when identities are given.
fn text_of(
    r: &StoredRecord,
    ids: Option<&Identities>,
    failures: &mut u64,
) -> (Option<String>, Option<String>) {
    match (&r.prompt, ids) {
        (Some(StoredPrompt::Masked { text }), _) => (Some(text.clone()), None),
        (Some(StoredPrompt::Sealed { age }), Some(ids)) => match ids.unseal(age) {
            Ok(c) => (c.prompt, c.response),
            Err(_) => {
                *failures += 1;
                (None, None)
            }
        },
        _ => (None, None),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn csv_fields(r: &StoredRecord, prompt: Option<String>, response: Option<String>) -> Vec<String> {
    let t = r.time();
    let mut f = vec![
        r.seq.to_string(),
        t.map(format_jst).unwrap_or_default(),
        r.time.clone(),
    ];
    match &r.event {
        Event::Request(q) => {
            let up = q.upstream.clone().unwrap_or_default();
            let cats: Vec<String> = q
                .categories
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let finds: Vec<String> = q
                .findings
                .iter()
                .map(|p| format!("{}:{}:{}-{}", p.field, p.category, p.start, p.end))
                .collect();
            let phase = serde_json::to_value(q.phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            f.extend([
                "request".into(),
                String::new(),
                q.request_id.clone(),
                phase,
                q.user.clone(),
                opt(&q.department),
                opt(&q.client),
                q.front_end.clone(),
                up.name,
                up.provider,
                up.region,
                opt(&q.model),
                q.action.to_string(),
                cats.join(";"),
                finds.join(";"),
                q.prompt_chars.to_string(),
                opt(&q.tokens_in),
                opt(&q.tokens_out),
                opt(&q.status),
                opt(&q.latency_ms),
                opt(&q.error),
                String::new(),
            ]);
        }
        Event::Admin(_) | Event::System(_) => {
            let v = serde_json::to_value(&r.event).unwrap_or_default();
            let kind = v
                .get("type")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string();
            let name = v
                .get("event")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string();
            let mut detail = v;
            if let Some(o) = detail.as_object_mut() {
                o.remove("type");
                o.remove("event");
            }
            f.extend([kind, name]);
            f.extend(std::iter::repeat_n(String::new(), 19));
            f.push(detail.to_string());
        }
    }
    f.push(prompt.unwrap_or_default());
    f.push(response.unwrap_or_default());
    f
}

/// Writes one CSV record with CRLF. Fields with `,` `"` CR LF or edge spaces are quoted
/// (RFC 4180); a text field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading
/// `'` so that Excel does not evaluate it as a formula.
pub fn write_csv_row(
    out: &mut dyn Write,
    fields: impl IntoIterator<Item = String>,
) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let numeric = !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit());
        let mut v = f;
        if !numeric && v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            v.insert(0, '\'');
        }
        if v.contains([',', '"', '\r', '\n']) || v.starts_with(' ') || v.ends_with(' ') {
            line.push('"');
            line.push_str(&v.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&v);
        }
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

/// How `sekimori usage` groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// Per user.
    User,
    /// Per department.
    Department,
    /// Per model.
    Model,
}

impl GroupBy {
    /// Column name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::User => "user",
            GroupBy::Department => "department",
            GroupBy::Model => "model",
        }
    }
}

/// Usage of one user, department or model in a month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageRow {
    /// The user, department or model (`(none)` when unknown).
    pub key: String,
    /// Requests (`forward` + `final` records).
    pub requests: u64,
    /// Requests forwarded upstream.
    pub forwarded: u64,
    /// Prompt characters forwarded.
    pub chars: u64,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// Requests blocked.
    pub blocked: u64,
    /// Requests forwarded masked.
    pub masked: u64,
    /// Requests refused (region or quota).
    pub refused: u64,
    /// Requests that ended in an error.
    pub errors: u64,
    /// Blocked requests with a finding of each category.
    pub blocked_by_category: BTreeMap<String, u64>,
    /// Masked requests with a finding of each category.
    pub masked_by_category: BTreeMap<String, u64>,
}

/// Usage in `[from, to)` grouped by `by`, sorted by key.
pub fn usage(
    dir: &Path,
    from: OffsetDateTime,
    to: OffsetDateTime,
    by: GroupBy,
) -> Result<(Vec<UsageRow>, ReadStats), AuditError> {
    let mut rows: BTreeMap<String, UsageRow> = BTreeMap::new();
    let stats = for_each_record(dir, |r| {
        let Event::Request(q) = &r.event else {
            return Ok(());
        };
        if r.time().is_none_or(|t| t < from || t >= to) {
            return Ok(());
        }
        let key = match by {
            GroupBy::User => Some(q.user.clone()),
            GroupBy::Department => q.department.clone(),
            GroupBy::Model => q.model.clone(),
        }
        .unwrap_or_else(|| "(none)".into());
        let row = rows.entry(key.clone()).or_insert_with(|| UsageRow {
            key,
            ..UsageRow::default()
        });
        let cats = q
            .categories
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(c, _)| c.clone());
        match q.phase {
            Phase::Forward => {
                row.requests += 1;
                row.forwarded += 1;
                row.chars += q.prompt_chars;
                if q.action == Action::Masked {
                    row.masked += 1;
                    for c in cats {
                        *row.masked_by_category.entry(c).or_default() += 1;
                    }
                }
            }
            Phase::Final => {
                row.requests += 1;
                match q.action {
                    Action::Blocked => {
                        row.blocked += 1;
                        for c in cats {
                            *row.blocked_by_category.entry(c).or_default() += 1;
                        }
                    }
                    Action::RefusedQuota | Action::RefusedRegion => row.refused += 1,
                    Action::Error => row.errors += 1,
                    _ => {}
                }
            }
            Phase::Outcome => {
                row.tokens_in += q.tokens_in.unwrap_or(0);
                row.tokens_out += q.tokens_out.unwrap_or(0);
                if q.action == Action::Error {
                    row.errors += 1;
                }
            }
        }
        Ok(())
    })?;
    Ok((rows.into_values().collect(), stats))
}

/// Writes usage rows as CSV (CRLF; `blocked:<category>` / `masked:<category>` columns
/// for every category seen).
pub fn write_usage_csv(
    rows: &[UsageRow],
    by: GroupBy,
    bom: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let blocked: BTreeSet<&String> = rows
        .iter()
        .flat_map(|r| r.blocked_by_category.keys())
        .collect();
    let masked: BTreeSet<&String> = rows
        .iter()
        .flat_map(|r| r.masked_by_category.keys())
        .collect();
    let mut head: Vec<String> = [
        by.as_str(),
        "requests",
        "forwarded",
        "chars",
        "tokens_in",
        "tokens_out",
        "blocked",
        "masked",
        "refused",
        "errors",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    head.extend(blocked.iter().map(|c| format!("blocked:{c}")));
    head.extend(masked.iter().map(|c| format!("masked:{c}")));
    write_csv_row(out, head)?;
    for r in rows {
        let mut f = vec![
            r.key.clone(),
            r.requests.to_string(),
            r.forwarded.to_string(),
            r.chars.to_string(),
            r.tokens_in.to_string(),
            r.tokens_out.to_string(),
            r.blocked.to_string(),
            r.masked.to_string(),
            r.refused.to_string(),
            r.errors.to_string(),
        ];
        f.extend(blocked.iter().map(|c| {
            r.blocked_by_category
                .get(*c)
                .copied()
                .unwrap_or(0)
                .to_string()
        }));
        f.extend(masked.iter().map(|c| {
            r.masked_by_category
                .get(*c)
                .copied()
                .unwrap_or(0)
                .to_string()
        }));
        write_csv_row(out, f)?;
    }
    out.flush()
}
