//! `sekimori audit verify`: checks every segment's hash chain, sequence numbers,
//! segment boundaries, recorded retention deletions and signed checkpoints, and names
//! the first modified, missing, reordered or truncated record by file and line.

use std::collections::{BTreeMap, HashMap};
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
    /// A checkpoint is in the chain but not in `checkpoints.jsonl` (a line or the whole
    /// file deleted), or in the file without its in-chain copy (a line added, or the
    /// gateway stopped between writing the two).
    CheckpointMissing,
    /// A checkpoint is in both, but the two copies differ (sequence, hash, time, segment,
    /// key or signature): one of them was altered.
    CheckpointDiffers,
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
            ProblemKind::CheckpointMissing => "checkpoint-missing",
            ProblemKind::CheckpointDiffers => "checkpoint-differs",
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
    /// In-chain checkpoints newer than the last line of a checkpoint list given with
    /// [`verify_dir_with`] (a copy kept elsewhere, which may lag behind): not compared.
    pub checkpoints_not_in_copy: usize,
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

/// An in-chain checkpoint copy that passed its own checks, and where it is.
struct InChain {
    c: Checkpoint,
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
    let is_copy = checkpoints != dir.join(CHECKPOINTS_FILE);
    let ckpt_name = if is_copy {
        checkpoints.display().to_string()
    } else {
        CHECKPOINTS_FILE.to_string()
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
    let file_present = cpath.exists();
    if file_present {
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
    // The attested records and the records after them (where the in-chain copies belong).
    let wanted: std::collections::HashSet<u64> = ckpts
        .iter()
        .flat_map(|(_, c)| [c.seq, c.seq.saturating_add(1)])
        .collect();
    let mut seen: HashMap<u64, Seen> = HashMap::new();
    let mut in_chain: BTreeMap<u64, InChain> = BTreeMap::new();

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
                    in_chain.insert(
                        *covers_seq,
                        InChain {
                            c,
                            file: name.clone(),
                            line: ln,
                        },
                    );
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
    problems.extend(compare_checkpoints(
        &ckpts,
        &in_chain,
        &seen,
        &Compare {
            ckpt_name: &ckpt_name,
            file_present,
            is_copy,
            walked_all,
            last_file: &last_file,
            last_lines,
        },
        &mut rep,
    ));
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

/// What [`compare_checkpoints`] needs to know about the walk.
struct Compare<'a> {
    ckpt_name: &'a str,
    file_present: bool,
    is_copy: bool,
    walked_all: bool,
    last_file: &'a str,
    last_lines: u64,
}

/// The checkpoint list and the chain's in-chain copies must hold the same checkpoints:
/// the writer appends each one to the list, then records its copy as the next record.
/// Problems name files, lines and sequence numbers, never record content.
fn compare_checkpoints(
    ckpts: &[(u64, Checkpoint)],
    in_chain: &BTreeMap<u64, InChain>,
    seen: &HashMap<u64, Seen>,
    k: &Compare<'_>,
    rep: &mut Report,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = k.ckpt_name;
    if !k.file_present {
        if let Some((seq, first)) = in_chain.iter().next() {
            problems.push(Problem {
                file: first.file.clone(),
                line: first.line,
                kind: ProblemKind::CheckpointMissing,
                detail: format!(
                    "{name} does not exist, but the chain holds {} checkpoint record(s), the \
                     first here (attesting seq {seq}): the file was deleted or moved; restore \
                     it from its write-once copy (or pass --checkpoints COPY)",
                    in_chain.len()
                ),
            });
        }
        return problems;
    }
    let mut by_seq: BTreeMap<u64, u64> = BTreeMap::new();
    for (line, c) in ckpts {
        if let Some(first) = by_seq.get(&c.seq) {
            problems.push(Problem {
                file: name.to_string(),
                line: *line,
                kind: ProblemKind::BadCheckpoint,
                detail: format!(
                    "second checkpoint for seq {} (first at line {first})",
                    c.seq
                ),
            });
            continue;
        }
        by_seq.insert(c.seq, *line);
        if let Some(ic) = in_chain.get(&c.seq) {
            let differs: Vec<&str> = [
                ("hash", ic.c.hash != c.hash),
                ("time", ic.c.time != c.time),
                ("segment", ic.c.segment != c.segment),
                ("key", ic.c.key_id != c.key_id),
                ("signature", ic.c.sig != c.sig),
            ]
            .into_iter()
            .filter_map(|(f, d)| d.then_some(f))
            .collect();
            if !differs.is_empty() {
                problems.push(Problem {
                    file: ic.file.clone(),
                    line: ic.line,
                    kind: ProblemKind::CheckpointDiffers,
                    detail: format!(
                        "in-chain checkpoint for seq {} differs from {name}:{line} in {}: one \
                         of the two was altered",
                        c.seq,
                        differs.join(", ")
                    ),
                });
            }
            continue;
        }
        let copy_seq = c.seq.saturating_add(1);
        if let Some(s) = seen.get(&copy_seq) {
            problems.push(Problem {
                file: s.file.clone(),
                line: s.line,
                kind: ProblemKind::CheckpointMissing,
                detail: format!(
                    "record seq {copy_seq} should be the in-chain copy of the checkpoint at \
                     {name}:{line} (seq {}) but is another record: the line was added to \
                     {name}, or the gateway stopped between writing it and recording it",
                    c.seq
                ),
            });
        } else if k.walked_all && c.seq == rep.last_seq {
            // The last record was deleted: the copy would be the record after `seq`.
            problems.push(Problem {
                file: if k.last_file.is_empty() {
                    "(no segments)".to_string()
                } else {
                    k.last_file.to_string()
                },
                line: k.last_lines + 1,
                kind: ProblemKind::Truncated,
                detail: format!(
                    "log ends at seq {}, the record {name}:{line} attests, without the in-chain \
                     copy of that checkpoint (seq {copy_seq}): the last record(s) were removed",
                    c.seq
                ),
            });
        }
        // Otherwise: the copy was deleted by retention, lies beyond a truncation (reported
        // above), or after a chain problem (reported above).
    }
    let copy_last = by_seq.keys().next_back().copied();
    for (seq, ic) in in_chain {
        if by_seq.contains_key(seq) {
            continue;
        }
        if k.is_copy && copy_last.is_none_or(|last| *seq > last) {
            rep.checkpoints_not_in_copy += 1;
            continue;
        }
        problems.push(Problem {
            file: ic.file.clone(),
            line: ic.line,
            kind: ProblemKind::CheckpointMissing,
            detail: format!(
                "in-chain checkpoint for seq {seq} has no line in {name}: a line was deleted \
                 from it; restore it from its write-once copy"
            ),
        });
    }
    problems
}
