//! `sekimori audit verify`: checks every segment's hash chain, sequence numbers,
//! segment boundaries, recorded retention deletions and signed checkpoints, and names
//! the first modified, missing, reordered or truncated record by file and line.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use ed25519_dalek::VerifyingKey;

use super::checkpoint::{self, Checkpoint, CHECKPOINTS_FILE};
use super::segment::{
    hex32, json_error, list_segments, open_line, parse_hex32, path_of, read_file, split_lines,
    LineError, GENESIS,
};
use super::{AuditError, Event, SystemEvent};

/// Kinds of problems, from tampering or loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A record's bytes do not match its hash, or its `prev` does not match.
    Modified,
    /// Records are missing (a deleted line, a deleted segment).
    Missing,
    /// Records are out of order or duplicated.
    Reordered,
    /// The log (or a segment) ends before records known to exist.
    Truncated,
    /// A line is not a record at all.
    Malformed,
    /// The oldest segments are gone without a `retention_deleted` record.
    UnrecordedDeletion,
    /// A checkpoint is malformed or its signature is invalid (forged or altered).
    BadCheckpoint,
    /// A checkpoint is valid but the record it attests differs (log rewritten).
    CheckpointMismatch,
}

impl ProblemKind {
    /// Short name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Modified => "modified",
            ProblemKind::Missing => "missing",
            ProblemKind::Reordered => "reordered",
            ProblemKind::Truncated => "truncated",
            ProblemKind::Malformed => "malformed",
            ProblemKind::UnrecordedDeletion => "unrecorded-deletion",
            ProblemKind::BadCheckpoint => "bad-checkpoint",
            ProblemKind::CheckpointMismatch => "checkpoint-mismatch",
        }
    }
}

/// One problem, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// File name inside the audit directory.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// What kind.
    pub kind: ProblemKind,
    /// Explanation.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file,
            self.line,
            self.kind.as_str(),
            self.detail
        )
    }
}

/// The result of a verification.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Segments read.
    pub segments: usize,
    /// Records that verified.
    pub records: u64,
    /// First sequence number present.
    pub first_seq: u64,
    /// Last sequence number that verified.
    pub last_seq: u64,
    /// Its hash.
    pub last_hash: String,
    /// Its time.
    pub last_time: String,
    /// Checkpoints in `checkpoints.jsonl`.
    pub checkpoints: usize,
    /// Checkpoints whose signature and attested record both verified.
    pub checkpoints_verified: usize,
    /// In-chain checkpoint copies whose signature and attested record verified.
    pub checkpoints_verified_in_chain: usize,
    /// Checkpoints about records deleted by retention (signature checked only).
    pub checkpoints_expired: usize,
    /// Gaps accepted because a `retention_deleted` record covers them.
    pub deletions_accepted: usize,
    /// Whether the last record is a `shutdown` (else: running or crashed).
    pub clean_shutdown: bool,
    /// Whether signatures were checked against keys recorded in the log itself
    /// (no `--public-key` given): weaker than an independently held key.
    pub keys_from_log: bool,
    /// Problems, the first one found first. Empty: intact.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether the log is intact.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

struct Seen {
    hash: [u8; 32],
    file: String,
    line: u64,
}

/// Verifies the audit directory `dir`. `trusted` keys, when given, are the only ones
/// accepted for checkpoints; otherwise keys from `startup` records are used.
pub fn verify_dir(dir: &Path, trusted: &[VerifyingKey]) -> Result<Report, AuditError> {
    verify_dir_with(dir, &dir.join(CHECKPOINTS_FILE), trusted)
}

/// [`verify_dir`] against a checkpoint list kept elsewhere (the copy on write-once
/// storage), which an attacker on the gateway host cannot rewrite.
pub fn verify_dir_with(
    dir: &Path,
    checkpoints: &Path,
    trusted: &[VerifyingKey],
) -> Result<Report, AuditError> {
    let ckpt_name = if checkpoints == dir.join(CHECKPOINTS_FILE) {
        CHECKPOINTS_FILE.to_string()
    } else {
        checkpoints.display().to_string()
    };
    let mut rep = Report {
        keys_from_log: trusted.is_empty(),
        ..Report::default()
    };
    let mut keys: HashMap<String, VerifyingKey> = trusted
        .iter()
        .map(|k| (checkpoint::key_id(k), *k))
        .collect();

    // Checkpoints first: which sequence numbers to remember.
    let mut ckpts: Vec<(u64, Checkpoint)> = Vec::new();
    let cpath = checkpoints;
    let mut ckpt_problems = Vec::new();
    if cpath.exists() {
        let bytes = read_file(cpath)?;
        let (lines, torn) = split_lines(&bytes);
        for (i, (_, l)) in lines.iter().enumerate() {
            match serde_json::from_slice::<Checkpoint>(l) {
                Ok(c) => ckpts.push((i as u64 + 1, c)),
                Err(e) => ckpt_problems.push(Problem {
                    file: ckpt_name.clone(),
                    line: i as u64 + 1,
                    kind: ProblemKind::BadCheckpoint,
                    detail: format!("not a checkpoint ({})", json_error(&e)),
                }),
            }
        }
        if torn.is_some() {
            ckpt_problems.push(Problem {
                file: ckpt_name.clone(),
                line: lines.len() as u64 + 1,
                kind: ProblemKind::Truncated,
                detail: "incomplete last line".into(),
            });
        }
    }
    rep.checkpoints = ckpts.len();
    let wanted: std::collections::HashSet<u64> = ckpts.iter().map(|(_, c)| c.seq).collect();
    let mut seen: HashMap<u64, Seen> = HashMap::new();

    let segs = list_segments(dir)?;
    rep.segments = segs.len();
    let mut chain: Option<Problem> = None;
    let mut expected: Option<u64> = None;
    let mut prev_hash = GENESIS;
    let mut gap: Option<(String, u64, String)> = None;
    let mut deletions: Vec<(u64, String)> = Vec::new();
    let mut last_file = String::new();
    let mut last_lines = 0u64;
    let mut prev_loc: Option<(String, u64)> = None;
    'segs: for (idx, (name_seq, name)) in segs.iter().enumerate() {
        let bytes = read_file(&path_of(dir, name))?;
        let (lines, torn) = split_lines(&bytes);
        let problem = |line: u64, kind, detail: String| Problem {
            file: name.clone(),
            line,
            kind,
            detail,
        };
        if lines.is_empty() && torn.is_none() && idx + 1 < segs.len() {
            chain = Some(problem(1, ProblemKind::Missing, "segment is empty".into()));
            break;
        }
        for (i, (_, line)) in lines.iter().enumerate() {
            let ln = i as u64 + 1;
            let (h, r) = match open_line(line) {
                Ok(x) => x,
                Err(e) => {
                    let kind = match e {
                        LineError::Malformed(_) => ProblemKind::Malformed,
                        _ => ProblemKind::Modified,
                    };
                    chain = Some(problem(ln, kind, e.to_string()));
                    break 'segs;
                }
            };
            if i == 0 && r.seq != *name_seq {
                let (kind, what) = if r.seq > *name_seq {
                    (ProblemKind::Missing, "its first record(s) were deleted")
                } else {
                    (
                        ProblemKind::Reordered,
                        "records were moved or the file renamed",
                    )
                };
                chain = Some(problem(
                    ln,
                    kind,
                    format!(
                        "segment named for seq {name_seq} starts with seq {}: {what}",
                        r.seq
                    ),
                ));
                break 'segs;
            }
            match expected {
                None => {
                    rep.first_seq = r.seq;
                    if r.seq == 1 {
                        if parse_hex32(&r.prev) != Some(GENESIS) {
                            chain = Some(problem(
                                ln,
                                ProblemKind::Modified,
                                "first record must have an all-zero prev".into(),
                            ));
                            break 'segs;
                        }
                    } else {
                        gap = Some((name.clone(), r.seq, r.prev.clone()));
                    }
                }
                Some(e) if r.seq == e => {
                    if parse_hex32(&r.prev) != Some(prev_hash) {
                        let detail = if i == 0 {
                            format!(
                                "prev does not match the last record of {last_file}: \
                                 that record was altered or the segment replaced"
                            )
                        } else {
                            format!(
                                "prev does not match line {}: that record was altered \
                                 (hash recomputed), removed or replaced",
                                ln - 1
                            )
                        };
                        chain = Some(problem(ln, ProblemKind::Modified, detail));
                        break 'segs;
                    }
                }
                Some(e) if r.seq > e => {
                    chain = Some(if i == 0 {
                        Problem {
                            file: last_file.clone(),
                            line: last_lines + 1,
                            kind: ProblemKind::Truncated,
                            detail: format!(
                                "segment ends at seq {} but {name} starts at seq {}: records \
                                 {e}..{} missing (segment truncated or deleted)",
                                e - 1,
                                r.seq,
                                r.seq - 1
                            ),
                        }
                    } else if let Some(later) = lines[i + 1..]
                        .iter()
                        .position(|(_, l)| open_line(l).is_ok_and(|(_, x)| x.seq == e))
                    {
                        problem(
                            ln,
                            ProblemKind::Reordered,
                            format!(
                                "expected seq {e}, found {}; seq {e} is at line {}: records \
                                 reordered",
                                r.seq,
                                ln + 1 + later as u64
                            ),
                        )
                    } else {
                        problem(
                            ln,
                            ProblemKind::Missing,
                            format!("expected seq {e}, found {}: record(s) deleted", r.seq),
                        )
                    });
                    break 'segs;
                }
                Some(e) => {
                    chain = Some(problem(
                        ln,
                        ProblemKind::Reordered,
                        format!(
                            "expected seq {e}, found {}: records reordered or duplicated",
                            r.seq
                        ),
                    ));
                    break 'segs;
                }
            }
            match &r.event {
                Event::System(SystemEvent::Startup {
                    key_id, public_key, ..
                }) if trusted.is_empty() => {
                    if let Some(k) = checkpoint::parse_public_key(public_key) {
                        keys.insert(key_id.clone(), k);
                    }
                }
                Event::System(SystemEvent::Checkpoint {
                    covers_seq,
                    covers_hash,
                    signed_at,
                    segment,
                    key_id,
                    signature,
                }) => {
                    // The in-chain copy of a checkpoint must attest the record before it
                    // and carry a valid signature (a backup of checkpoints.jsonl).
                    let c = Checkpoint {
                        v: 1,
                        seq: *covers_seq,
                        hash: covers_hash.clone(),
                        time: signed_at.clone(),
                        segment: segment.clone(),
                        key_id: key_id.clone(),
                        sig: signature.clone(),
                    };
                    // Unknown key (its startup record deleted by retention): not checked.
                    let signed = keys.get(key_id).map(|k| c.verify(k));
                    let same_hash = parse_hex32(covers_hash).is_some()
                        && parse_hex32(covers_hash) == parse_hex32(&r.prev);
                    let bad = if signed == Some(false) {
                        Some(problem(
                            ln,
                            ProblemKind::BadCheckpoint,
                            "in-chain checkpoint signature invalid: forged or altered".into(),
                        ))
                    } else if *covers_seq + 1 != r.seq {
                        Some(problem(
                            ln,
                            ProblemKind::BadCheckpoint,
                            format!("in-chain checkpoint attests seq {covers_seq}, not the record before it"),
                        ))
                    } else if !same_hash {
                        Some(match (&prev_loc, signed) {
                            (Some((f, l)), Some(true)) => Problem {
                                file: f.clone(),
                                line: *l,
                                kind: ProblemKind::CheckpointMismatch,
                                detail: format!(
                                    "record seq {covers_seq} differs from what the signed \
                                     checkpoint at {name}:{ln} attests: the log was rewritten"
                                ),
                            },
                            _ => problem(
                                ln,
                                ProblemKind::BadCheckpoint,
                                "in-chain checkpoint does not match the record before it".into(),
                            ),
                        })
                    } else {
                        None
                    };
                    if bad.is_some() {
                        chain = bad;
                        break 'segs;
                    }
                    if signed == Some(true) {
                        rep.checkpoints_verified_in_chain += 1;
                    }
                }
                Event::System(SystemEvent::RetentionDeleted {
                    last_seq,
                    last_hash,
                    ..
                }) => deletions.push((*last_seq, last_hash.clone())),
                _ => {}
            }
            match &r.event {
                Event::System(SystemEvent::Checkpoint { .. }) => {}
                ev => {
                    rep.clean_shutdown = matches!(ev, Event::System(SystemEvent::Shutdown { .. }))
                }
            }
            if wanted.contains(&r.seq) {
                seen.insert(
                    r.seq,
                    Seen {
                        hash: h,
                        file: name.clone(),
                        line: ln,
                    },
                );
            }
            prev_loc = Some((name.clone(), ln));
            rep.records += 1;
            rep.last_seq = r.seq;
            rep.last_time = r.time.clone();
            prev_hash = h;
            expected = Some(r.seq + 1);
        }
        last_file = name.clone();
        last_lines = lines.len() as u64;
        if torn.is_some() {
            chain = Some(problem(
                last_lines + 1,
                ProblemKind::Truncated,
                "incomplete last line (torn write or truncated file)".into(),
            ));
            break;
        }
    }
    rep.last_hash = hex32(&prev_hash);
    let mut problems: Vec<Problem> = chain.into_iter().collect();

    if let Some((file, first, prev)) = gap {
        if deletions.iter().any(|(s, h)| *s + 1 == first && *h == prev) {
            rep.deletions_accepted += 1;
        } else {
            problems.push(Problem {
                file,
                line: 1,
                kind: ProblemKind::UnrecordedDeletion,
                detail: format!(
                    "log starts at seq {first} but no retention_deleted record covers the \
                     records before it (segments deleted without record)"
                ),
            });
        }
    }
    let walked_all = problems.is_empty();
    problems.extend(ckpt_problems);
    for (line, c) in &ckpts {
        let bad = |detail: String| Problem {
            file: ckpt_name.clone(),
            line: *line,
            kind: ProblemKind::BadCheckpoint,
            detail,
        };
        let Some(vk) = keys.get(&c.key_id) else {
            problems.push(bad(format!("signed by unknown key {}", c.key_id)));
            continue;
        };
        if !c.verify(vk) {
            problems.push(bad(format!(
                "signature invalid for seq {}: checkpoint forged or altered",
                c.seq
            )));
            continue;
        }
        if let Some(s) = seen.get(&c.seq) {
            if parse_hex32(&c.hash) == Some(s.hash) {
                rep.checkpoints_verified += 1;
            } else {
                problems.push(Problem {
                    file: s.file.clone(),
                    line: s.line,
                    kind: ProblemKind::CheckpointMismatch,
                    detail: format!(
                        "record seq {} differs from what {ckpt_name}:{line} attests: \
                         the log was rewritten",
                        c.seq
                    ),
                });
            }
        } else if c.seq < rep.first_seq && walked_all {
            rep.checkpoints_expired += 1;
        } else if walked_all && c.seq > rep.last_seq {
            problems.push(Problem {
                file: if last_file.is_empty() {
                    "(no segments)".to_string()
                } else {
                    last_file.clone()
                },
                line: last_lines + 1,
                kind: ProblemKind::Truncated,
                detail: format!(
                    "log ends at seq {} but {ckpt_name}:{line} attests seq {}: \
                     records after it were removed",
                    rep.last_seq, c.seq
                ),
            });
        }
    }
    // One truncation message is enough.
    let mut seen_trunc = false;
    problems.retain(|p| {
        if p.kind == ProblemKind::Truncated && p.file != ckpt_name {
            let keep = !seen_trunc;
            seen_trunc = true;
            keep
        } else {
            true
        }
    });
    rep.problems = problems;
    Ok(rep)
}
