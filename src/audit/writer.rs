//! [`AuditLog`]: open/recover, the group-commit writer thread, checkpoints, retention,
//! and deferred records (written by the writer thread with its next commit).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::{self, Checkpoint, CHECKPOINTS_FILE};
use super::io::{AuditFile, AuditIo, StdIo};
use super::seal::{self, SealedContent};
use super::segment::{
    hex32, list_segments, open_line, parse_hex32, path_of, read_file, seal_parts, segment_name,
    serialize_tail, split_lines, GENESIS,
};
use super::ship::Shipper;
use super::timefmt::{format_utc, month_start};
use super::{
    AuditConfig, AuditError, AuditRecord, Event, PromptRetention, Quotas, StoredPrompt, SystemEvent,
};

/// Most appends committed by one write + fsync.
const MAX_BATCH: usize = 2048;
/// Appends waiting for the writer before `append` itself waits (back-pressure).
const QUEUE: usize = 8192;
/// How often expired segments are looked for.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// An append commits on the caller's thread, without the hand-off to the writer thread
/// and back (two thread wake-ups), when the writer is idle and recent commits' write +
/// `fdatasync` (a decaying maximum) stayed below this: a log on tmpfs or on a device
/// with a power-loss-protected write cache. A slower device keeps every commit on the writer
/// thread (group commit; the async workers never wait for a disk).
const DIRECT_COMMIT_MAX: Duration = Duration::from_micros(200);

/// Records queued by [`AuditLog::append_deferred`] are committed by the writer thread at
/// least this often (sooner when a group commit of other records comes first).
pub const DEFERRED_FLUSH_EVERY: Duration = Duration::from_millis(20);

type Reply = oneshot::Sender<Result<u64, AuditError>>;

/// Records that need not be durable before their caller goes on (a request's outcome),
/// waiting for the writer thread; serialised there, not on the caller's thread.
struct Deferred {
    /// The queue, and whether the log has shut down (no more records accepted).
    queue: Mutex<(Vec<AuditRecord>, bool)>,
    retention: PromptRetention,
    recipients: Vec<age::x25519::Recipient>,
}

impl Deferred {
    fn is_empty(&self) -> bool {
        self.queue.lock().map_or(true, |q| q.0.is_empty())
    }

    /// Takes every queued record as a ready item; `closing` refuses later ones.
    fn take(&self, closing: bool) -> Vec<Item> {
        let records = match self.queue.lock() {
            Ok(mut q) => {
                q.1 |= closing;
                std::mem::take(&mut q.0)
            }
            Err(_) => return Vec::new(),
        };
        let mut items = Vec::with_capacity(records.len());
        for rec in records {
            match prepare_prompt(self.retention, &self.recipients, rec.content) {
                Ok(prompt) => items.push(Item::new(rec.time, rec.event, prompt)),
                Err(e) => {
                    tracing::error!(error = %e, "audit log: a deferred record could not be prepared; dropped");
                }
            }
        }
        items
    }
}

/// What of a record's content is stored, by retention mode.
fn prepare_prompt(
    retention: PromptRetention,
    recipients: &[age::x25519::Recipient],
    content: Option<super::Content>,
) -> Result<Option<StoredPrompt>, AuditError> {
    let Some(c) = content else { return Ok(None) };
    Ok(match retention {
        PromptRetention::None => None,
        PromptRetention::Masked => c.masked_prompt.map(|text| StoredPrompt::Masked { text }),
        PromptRetention::Sealed => {
            if c.original_prompt.is_none() && c.response.is_none() {
                None
            } else {
                let sc = SealedContent {
                    prompt: c.original_prompt,
                    response: c.response,
                };
                Some(StoredPrompt::Sealed {
                    age: seal::seal(recipients, &sc)?,
                })
            }
        }
    })
}

struct Pending {
    item: Item,
    reply: Reply,
}

/// A record ready for the writer: time, event (for quotas) and the serialised tail.
struct Item {
    time: OffsetDateTime,
    event: Event,
    tail: Vec<u8>,
}

impl Item {
    fn new(time: OffsetDateTime, event: Event, prompt: Option<StoredPrompt>) -> Self {
        let tail = serialize_tail(&event, prompt.as_ref());
        Item { time, event, tail }
    }
    fn system(ev: SystemEvent) -> Self {
        Item::new(OffsetDateTime::now_utc(), Event::System(ev), None)
    }
}

/// Counts an append in flight until dropped (also when the caller is cancelled).
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

enum Msg {
    Append(Pending),
    Tick,
    /// Commit the deferred records.
    Flush,
    Close(oneshot::Sender<()>),
}

/// The audit log. Cheap to clone; `Send + Sync`.
///
/// One writer thread owns the files. [`AuditLog::append`] queues a record and resolves
/// once the batch holding it is written and `fdatasync`ed: the record is then durable
/// and its sequence number is returned.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("healthy", &self.is_healthy())
            .finish_non_exhaustive()
    }
}

struct Inner {
    tx: mpsc::Sender<Msg>,
    /// The writer's state, shared with the writer thread for direct commits.
    direct: Arc<Mutex<Writer>>,
    /// Set while commits are fast enough to be made directly ([`DIRECT_COMMIT_MAX`]).
    fast: Arc<AtomicBool>,
    /// Appends in flight (direct or queued).
    appending: AtomicUsize,
    healthy: Arc<AtomicBool>,
    quotas: Quotas,
    deferred: Arc<Deferred>,
    writer: Mutex<Option<JoinHandle<()>>>,
    timer_stop: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    shipper: Option<Shipper>,
    _lock: File,
}

impl AuditLog {
    /// Opens (or creates) the log in `cfg.dir`: takes the directory lock, loads or
    /// creates the signing key, cuts a torn tail left by a crash (recording it),
    /// rebuilds this month's quota counters, writes a durable `startup` record and
    /// deletes expired segments.
    ///
    /// Blocking (reads the newest segments, fsyncs): call it before serving, or from
    /// `tokio::task::spawn_blocking`.
    pub fn open(cfg: &AuditConfig) -> Result<AuditLog, AuditError> {
        Self::open_with_io(cfg, Arc::new(StdIo))
    }

    /// [`AuditLog::open`] with another [`AuditIo`] (fault injection in tests).
    pub fn open_with_io(cfg: &AuditConfig, io: Arc<dyn AuditIo>) -> Result<AuditLog, AuditError> {
        cfg.validate()?;
        let recipients = seal::parse_recipients(&cfg.sealed_recipients)?;
        let dir = cfg.dir.clone();
        std::fs::create_dir_all(&dir).map_err(|e| AuditError::io("create", &dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Best effort: only the gateway's user should read the log.
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        let lock = take_lock(&dir)?;
        let key = checkpoint::load_or_generate(&cfg.signing_key)?;
        let tail = recover(&dir)?;
        let unrecorded = check_against_checkpoints(&dir, &tail)?;

        let now = OffsetDateTime::now_utc();
        let quotas = Quotas::new(cfg.quotas.clone());
        rebuild_quotas(&dir, &quotas, now)?;

        let seg = match &tail.seg_name {
            Some(name) => {
                let p = path_of(&dir, name);
                Some(
                    io.open_append(&p)
                        .map_err(|e| AuditError::io("open", p, e))?,
                )
            }
            None => None,
        };
        let healthy = Arc::new(AtomicBool::new(true));
        let deferred = Arc::new(Deferred {
            queue: Mutex::new((Vec::new(), false)),
            retention: cfg.prompt_retention,
            recipients,
        });
        let shipper = Shipper::start(cfg);
        let vk = key.verifying_key();
        let mut init = Vec::new();
        // First: its copy must be the record right after the one it attests.
        if let Some(ev) = unrecorded {
            init.push(Item::system(ev));
        }
        if let Some(ev) = tail.truncated.clone() {
            init.push(Item::system(ev));
        }
        init.push(Item::system(SystemEvent::Startup {
            version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            key_id: checkpoint::key_id(&vk),
            public_key: checkpoint::public_key_b64(&vk),
        }));
        let writer = Writer {
            dir: dir.clone(),
            io,
            key_id: checkpoint::key_id(&vk),
            key,
            seg_name: tail.seg_name,
            seg,
            seg_len: tail.seg_len,
            seg_records: tail.seg_records,
            next_seq: tail.next_seq,
            last_hash: tail.last_hash,
            ckpt_file: None,
            since_ckpt: 0,
            last_ckpt: Instant::now(),
            every_records: cfg.checkpoint_every_records,
            every: Duration::from_secs(cfg.checkpoint_every_seconds),
            seg_max: cfg.segment_max_bytes,
            retention_days: cfg.retention_days,
            last_retention: Instant::now(),
            healthy: healthy.clone(),
            broken: false,
            failure: None,
            quotas: quotas.clone(),
            shipper: shipper.clone(),
            closed: false,
            commit_avg: None,
            fast: Arc::new(AtomicBool::new(false)),
            deferred: deferred.clone(),
        };
        let fast = writer.fast.clone();
        let writer = Arc::new(Mutex::new(writer));
        let direct = writer.clone();
        let (tx, rx) = mpsc::channel(QUEUE);
        let (init_tx, init_rx) = std::sync::mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("sekimori-audit".into())
            .spawn(move || Writer::run(&writer, rx, init, init_tx))
            .map_err(|e| AuditError::io("start writer thread for", &dir, e))?;
        match init_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = handle.join();
                return Err(e);
            }
            Err(_) => return Err(AuditError::Closed),
        }
        let timer_stop = start_timer(
            tx.clone(),
            cfg.checkpoint_every_seconds.clamp(1, 60),
            deferred.clone(),
        );
        Ok(AuditLog {
            inner: Arc::new(Inner {
                tx,
                direct,
                fast,
                appending: AtomicUsize::new(0),
                healthy,
                quotas,
                deferred,
                writer: Mutex::new(Some(handle)),
                timer_stop: Mutex::new(timer_stop),
                shipper,
                _lock: lock,
            }),
        })
    }

    /// Appends a record and returns its sequence number once it is durable.
    ///
    /// An error means the record is **not** in the log: the gateway must answer 503 and
    /// forward nothing. System events are refused ([`AuditError::Reserved`]).
    pub async fn append(&self, rec: AuditRecord) -> Result<u64, AuditError> {
        if let Event::System(_) = rec.event {
            return Err(AuditError::Reserved("system"));
        }
        let prompt = self.prepare_prompt(rec.content)?;
        let item = Item::new(rec.time, rec.event, prompt);
        // Direct commit: nothing queued for the writer thread, which is idle (the lock
        // is free), and commits are fast. The same `commit` runs, so the record is
        // durable when this returns, exactly as through the thread.
        // Only while no other append is in flight: under load the writer thread's group
        // commit (one write and sync for many records) is cheaper than one each.
        let alone = self.inner.appending.fetch_add(1, Ordering::AcqRel) == 0;
        let _in_flight = InFlight(&self.inner.appending);
        if alone
            && self.inner.fast.load(Ordering::Relaxed)
            && self.inner.tx.capacity() == self.inner.tx.max_capacity()
        {
            match self.inner.direct.try_lock() {
                Ok(mut w) => {
                    if w.closed {
                        return Err(AuditError::Closed);
                    }
                    let r = w.commit(vec![item]);
                    w.maybe_checkpoint(false);
                    return match r {
                        Ok(seqs) => seqs.last().copied().ok_or(AuditError::Closed),
                        Err(e) => Err(AuditError::Unavailable(e)),
                    };
                }
                // A commit panicked: the log is not trustworthy any more.
                Err(TryLockError::Poisoned(_)) => return Err(AuditError::Closed),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let (reply, rx) = oneshot::channel();
        let msg = Msg::Append(Pending { item, reply });
        self.inner
            .tx
            .send(msg)
            .await
            .map_err(|_| AuditError::Closed)?;
        rx.await.map_err(|_| AuditError::Closed)?
    }

    /// Queues a record that need not be durable before the caller goes on (a request's
    /// outcome; the forward record is durable already). It is serialised and committed
    /// by the writer thread, with its next group commit or within
    /// [`DEFERRED_FLUSH_EVERY`], and before the `shutdown` record at [`AuditLog::close`];
    /// no task, write or sync of its own. A crash can lose the records of that last
    /// interval (the requests' `forward` records are in the log).
    pub fn append_deferred(&self, rec: AuditRecord) -> Result<(), AuditError> {
        if let Event::System(_) = rec.event {
            return Err(AuditError::Reserved("system"));
        }
        let many = {
            let Ok(mut q) = self.inner.deferred.queue.lock() else {
                return Err(AuditError::Closed);
            };
            if q.1 {
                return Err(AuditError::Closed);
            }
            q.0.push(rec);
            q.0.len() >= MAX_BATCH
        };
        if many {
            // Best effort: the timer sends one too.
            let _ = self.inner.tx.try_send(Msg::Flush);
        }
        Ok(())
    }

    /// What this log keeps of prompts (callers need not copy what is not kept).
    pub fn prompt_retention(&self) -> PromptRetention {
        self.inner.deferred.retention
    }

    /// False after a failed write until a later write succeeds.
    pub fn is_healthy(&self) -> bool {
        self.inner.healthy.load(Ordering::SeqCst) && !self.inner.tx.is_closed()
    }

    /// The quota counters fed by this log.
    pub fn quotas(&self) -> Quotas {
        self.inner.quotas.clone()
    }

    /// Records not shipped to syslog/stdout (queue full or send failed). The local log
    /// is unaffected by these.
    pub fn shipping_failures(&self) -> u64 {
        self.inner.shipper.as_ref().map_or(0, Shipper::failures)
    }

    /// Writes a `shutdown` record and a final checkpoint, then stops the writer.
    /// Appends after `close` fail with [`AuditError::Closed`]. Idempotent.
    pub async fn close(&self) {
        if let Ok(mut g) = self.inner.timer_stop.lock() {
            g.take();
        }
        let (tx, rx) = oneshot::channel();
        if self.inner.tx.send(Msg::Close(tx)).await.is_ok() {
            let _ = rx.await;
        }
        let handle = self.inner.writer.lock().ok().and_then(|mut g| g.take());
        if let Some(h) = handle {
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
    }

    fn prepare_prompt(
        &self,
        content: Option<super::Content>,
    ) -> Result<Option<StoredPrompt>, AuditError> {
        prepare_prompt(
            self.inner.deferred.retention,
            &self.inner.deferred.recipients,
            content,
        )
    }
}

impl Drop for Inner {
    /// Dropping the last handle without [`AuditLog::close`] still stops the writer
    /// cleanly (shutdown record, final checkpoint) before the directory lock is released.
    fn drop(&mut self) {
        if let Ok(mut g) = self.timer_stop.lock() {
            g.take();
        }
        let (tx, _rx) = oneshot::channel();
        if self.tx.try_send(Msg::Close(tx)).is_ok() {
            if let Some(h) = self.writer.lock().ok().and_then(|mut g| g.take()) {
                let _ = h.join();
            }
        }
    }
}

fn take_lock(dir: &Path) -> Result<File, AuditError> {
    let p = dir.join(".lock");
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(|e| AuditError::io("open", &p, e))?;
    // std's advisory lock (flock on Unix); stable since Rust 1.89.
    let locked = f.try_lock();
    match locked {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(AuditError::Locked(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(AuditError::io("lock", p, e)),
    }
}

fn start_timer(
    tx: mpsc::Sender<Msg>,
    secs: u64,
    deferred: Arc<Deferred>,
) -> Option<std::sync::mpsc::Sender<()>> {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("sekimori-audit-tick".into())
        .spawn(move || {
            // Ends when the stop sender is dropped (close, or the log is dropped) or the
            // writer is gone. Wakes every DEFERRED_FLUSH_EVERY; messages the writer only
            // when deferred records wait, and every `secs` for checkpoints.
            let every = Duration::from_secs(secs);
            let mut last_tick = Instant::now();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stop_rx.recv_timeout(DEFERRED_FLUSH_EVERY)
            {
                if !deferred.is_empty() && tx.try_send(Msg::Flush).is_err() && tx.is_closed() {
                    break;
                }
                if last_tick.elapsed() >= every {
                    last_tick = Instant::now();
                    if tx.blocking_send(Msg::Tick).is_err() {
                        break;
                    }
                }
            }
        });
    spawned.ok().map(|_| stop_tx)
}

/// Where the log ends after recovery.
#[derive(Debug)]
struct Tail {
    seg_name: Option<String>,
    seg_len: u64,
    seg_records: u64,
    next_seq: u64,
    last_hash: [u8; 32],
    truncated: Option<SystemEvent>,
}

/// Reads the last segment, cuts a torn tail (keeping the cut bytes under
/// `recovered/`), and returns where to continue.
fn recover(dir: &Path) -> Result<Tail, AuditError> {
    let segs = list_segments(dir)?;
    let Some((first_seq, name)) = segs.last().cloned() else {
        return Ok(Tail {
            seg_name: None,
            seg_len: 0,
            seg_records: 0,
            next_seq: 1,
            last_hash: GENESIS,
            truncated: None,
        });
    };
    let path = path_of(dir, &name);
    let bytes = read_file(&path)?;
    let (lines, _torn) = split_lines(&bytes);
    let corrupt = |line: usize, reason: String| AuditError::Corrupt {
        file: name.clone(),
        line: line as u64,
        reason,
    };
    let mut good_end = 0usize;
    let mut count = 0u64;
    let mut last: Option<([u8; 32], u64)> = None;
    let mut bad_at: Option<usize> = None;
    for (i, (off, line)) in lines.iter().enumerate() {
        match open_line(line) {
            Ok((h, r)) => {
                if let Some(b) = bad_at {
                    return Err(corrupt(
                        b,
                        format!("damaged line followed by a valid record at line {}", i + 1),
                    ));
                }
                let (want_seq, want_prev) = match last {
                    Some((ph, ps)) => (ps + 1, Some(ph)),
                    None => (first_seq, None),
                };
                if r.seq != want_seq {
                    return Err(corrupt(
                        i + 1,
                        format!("expected seq {want_seq}, found {}", r.seq),
                    ));
                }
                if let Some(ph) = want_prev {
                    if parse_hex32(&r.prev) != Some(ph) {
                        return Err(corrupt(
                            i + 1,
                            "prev hash does not match the line before".into(),
                        ));
                    }
                }
                last = Some((h, r.seq));
                good_end = off + line.len() + 1;
                count += 1;
            }
            Err(_) => {
                bad_at.get_or_insert(i + 1);
            }
        }
    }
    let mut truncated = None;
    if bytes.len() > good_end {
        let cut = &bytes[good_end..];
        let digest = hex::encode(Sha256::digest(cut));
        let rdir = dir.join("recovered");
        std::fs::create_dir_all(&rdir).map_err(|e| AuditError::io("create", &rdir, e))?;
        let keep = rdir.join(format!("{name}.{good_end}.tail"));
        std::fs::write(&keep, cut)
            .and_then(|_| File::open(&keep)?.sync_all())
            .map_err(|e| AuditError::io("write", &keep, e))?;
        let f = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| AuditError::io("open", &path, e))?;
        f.set_len(good_end as u64)
            .and_then(|_| f.sync_all())
            .map_err(|e| AuditError::io("truncate", &path, e))?;
        tracing::warn!(
            segment = %name,
            offset = good_end,
            bytes = cut.len(),
            "audit log: cut a torn tail left by a crash; the cut bytes are kept under recovered/"
        );
        truncated = Some(SystemEvent::TailTruncated {
            segment: name.clone(),
            offset: good_end as u64,
            discarded_bytes: cut.len() as u64,
            discarded_sha256: digest,
        });
    }
    let (next_seq, last_hash) = match last {
        Some((h, s)) => (s + 1, h),
        None => previous_end(dir, &segs, first_seq)?,
    };
    Ok(Tail {
        seg_name: Some(name),
        seg_len: good_end as u64,
        seg_records: count,
        next_seq,
        last_hash,
        truncated,
    })
}

/// End of the segment before an empty last segment starting at `first_seq`.
fn previous_end(
    dir: &Path,
    segs: &[(u64, String)],
    first_seq: u64,
) -> Result<(u64, [u8; 32]), AuditError> {
    if segs.len() < 2 {
        return if first_seq == 1 {
            Ok((1, GENESIS))
        } else {
            Err(AuditError::Corrupt {
                file: segment_name(first_seq),
                line: 1,
                reason: "the only segment is empty but does not start at seq 1".into(),
            })
        };
    }
    let (_, prev_name) = &segs[segs.len() - 2];
    let bytes = read_file(&path_of(dir, prev_name))?;
    let (lines, _) = split_lines(&bytes);
    let Some((_, line)) = lines.last() else {
        return Err(AuditError::Corrupt {
            file: prev_name.clone(),
            line: 1,
            reason: "segment is empty".into(),
        });
    };
    let (h, r) = open_line(line).map_err(|e| AuditError::Corrupt {
        file: prev_name.clone(),
        line: lines.len() as u64,
        reason: e.to_string(),
    })?;
    if r.seq + 1 != first_seq {
        return Err(AuditError::Corrupt {
            file: segment_name(first_seq),
            line: 1,
            reason: format!("previous segment ends at seq {}", r.seq),
        });
    }
    Ok((first_seq, h))
}

/// Refuses to continue a log shorter than its last signed checkpoint (deleted or
/// truncated segments): appending would hide the loss.
///
/// When the last checkpoint attests the last record, its in-chain copy was not written
/// (the gateway stopped between appending it to `checkpoints.jsonl` and recording it):
/// returns the copy to record first, so that `audit verify` finds both.
fn check_against_checkpoints(dir: &Path, tail: &Tail) -> Result<Option<SystemEvent>, AuditError> {
    let p = dir.join(CHECKPOINTS_FILE);
    let Ok(bytes) = std::fs::read(&p) else {
        return Ok(None);
    };
    let (lines, _) = split_lines(&bytes);
    let last = lines
        .iter()
        .rev()
        .find_map(|(_, l)| serde_json::from_slice::<Checkpoint>(l).ok());
    if let Some(c) = last {
        if c.seq >= tail.next_seq {
            return Err(AuditError::Corrupt {
                file: CHECKPOINTS_FILE.into(),
                line: lines.len() as u64,
                reason: format!(
                    "checkpoint attests seq {} but the log ends at seq {}: records were removed",
                    c.seq,
                    tail.next_seq - 1
                ),
            });
        }
        if c.seq + 1 == tail.next_seq && parse_hex32(&c.hash) == Some(tail.last_hash) {
            return Ok(Some(SystemEvent::Checkpoint {
                covers_seq: c.seq,
                covers_hash: c.hash,
                signed_at: c.time,
                segment: c.segment,
                key_id: c.key_id,
                signature: c.sig,
            }));
        }
    }
    Ok(None)
}

/// Feeds this JST month's request records to the quota counters, newest segment first.
fn rebuild_quotas(dir: &Path, quotas: &Quotas, now: OffsetDateTime) -> Result<(), AuditError> {
    let start = month_start(now);
    for (_, name) in list_segments(dir)?.iter().rev() {
        let bytes = read_file(&path_of(dir, name))?;
        let (lines, _) = split_lines(&bytes);
        let mut older = false;
        for (_, line) in lines {
            if let Ok((_, r)) = open_line(line) {
                match r.time() {
                    Some(t) if t >= start => quotas.observe(&r),
                    _ => older = true,
                }
            }
        }
        if older {
            break;
        }
    }
    Ok(())
}

struct Writer {
    dir: PathBuf,
    io: Arc<dyn AuditIo>,
    key: SigningKey,
    key_id: String,
    seg_name: Option<String>,
    seg: Option<Box<dyn AuditFile>>,
    /// Length of the segment known to be durable.
    seg_len: u64,
    seg_records: u64,
    next_seq: u64,
    last_hash: [u8; 32],
    ckpt_file: Option<Box<dyn AuditFile>>,
    since_ckpt: u64,
    last_ckpt: Instant,
    every_records: u64,
    every: Duration,
    seg_max: u64,
    retention_days: u32,
    last_retention: Instant,
    healthy: Arc<AtomicBool>,
    /// A write failed: the segment must be cut back to `seg_len` before writing.
    broken: bool,
    /// (since, refused appends, first error) while failing.
    failure: Option<(String, u64, String)>,
    quotas: Quotas,
    shipper: Option<Shipper>,
    /// Set by `shutdown`: direct appends are refused from then on.
    closed: bool,
    /// Decaying maximum of a commit's write + sync (×7/8 per commit).
    commit_avg: Option<Duration>,
    /// Published: `commit_avg` below [`DIRECT_COMMIT_MAX`].
    fast: Arc<AtomicBool>,
    /// Records queued by [`AuditLog::append_deferred`].
    deferred: Arc<Deferred>,
}

impl Writer {
    fn run(
        shared: &Mutex<Writer>,
        mut rx: mpsc::Receiver<Msg>,
        init: Vec<Item>,
        init_tx: std::sync::mpsc::Sender<Result<(), AuditError>>,
    ) {
        // A poisoned lock (a direct commit panicked) ends the writer: appends then fail.
        let Ok(mut this) = shared.lock() else { return };
        if let Err(e) = this.commit(init) {
            let _ = init_tx.send(Err(AuditError::Unavailable(e)));
            return;
        }
        let _ = init_tx.send(Ok(()));
        this.sweep_retention(OffsetDateTime::now_utc());
        drop(this);
        let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.blocking_recv() {
            let mut control = Vec::new();
            let mut take = |m: Msg, batch: &mut Vec<Pending>| match m {
                Msg::Append(p) => batch.push(p),
                other => control.push(other),
            };
            take(first, &mut batch);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(m) => take(m, &mut batch),
                    Err(_) => break,
                }
            }
            let Ok(mut this) = shared.lock() else { return };
            if !batch.is_empty() {
                this.flush(std::mem::take(&mut batch));
            }
            for c in control {
                match c {
                    Msg::Tick => this.on_tick(),
                    Msg::Flush => this.flush_deferred(),
                    Msg::Close(reply) => {
                        this.shutdown();
                        let _ = reply.send(());
                        return;
                    }
                    Msg::Append(_) => {}
                }
            }
        }
        // Every handle dropped without close(): still end cleanly.
        if let Ok(mut this) = shared.lock() {
            this.shutdown();
        }
    }

    /// Commits the deferred records, if any (writer thread).
    fn flush_deferred(&mut self) {
        let items = self.deferred.take(false);
        if !items.is_empty() {
            // A failure is logged and counted by `commit`.
            let _ = self.commit(items);
            self.maybe_checkpoint(false);
        }
    }

    fn flush(&mut self, batch: Vec<Pending>) {
        // Deferred records ride along with this group commit.
        let mut items = self.deferred.take(false);
        let ahead = items.len();
        let replies: Vec<Reply> = batch
            .into_iter()
            .map(|p| {
                items.push(p.item);
                p.reply
            })
            .collect();
        match self.commit(items) {
            Ok(seqs) => {
                for (r, s) in replies.into_iter().zip(seqs.into_iter().skip(ahead)) {
                    let _ = r.send(Ok(s));
                }
            }
            Err(e) => {
                for r in replies {
                    let _ = r.send(Err(AuditError::Unavailable(e.clone())));
                }
            }
        }
        self.maybe_checkpoint(false);
    }

    fn on_tick(&mut self) {
        if self.broken {
            // Try to get back to a clean state; health returns with the next write.
            let _ = self.repair();
        }
        self.maybe_checkpoint(false);
        if self.last_retention.elapsed() >= RETENTION_EVERY {
            self.sweep_retention(OffsetDateTime::now_utc());
        }
    }

    fn shutdown(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.fast.store(false, Ordering::Relaxed);
        let ev = SystemEvent::Shutdown {
            reason: "close".into(),
        };
        let mut items = self.deferred.take(true);
        items.push(Item::system(ev));
        let _ = self.commit(items);
        self.maybe_checkpoint(true);
    }

    fn repair(&mut self) -> Result<(), String> {
        if !self.broken {
            return Ok(());
        }
        if let Some(name) = &self.seg_name {
            let p = path_of(&self.dir, name);
            let mut f = self.io.open_append(&p).map_err(|e| e.to_string())?;
            f.truncate(self.seg_len).map_err(|e| e.to_string())?;
            self.seg = Some(f);
        }
        self.broken = false;
        Ok(())
    }

    fn rotate(&mut self, first_seq: u64) -> std::io::Result<()> {
        let name = segment_name(first_seq);
        let p = path_of(&self.dir, &name);
        let f = self.io.open_append(&p)?;
        self.io.sync_dir(&self.dir)?;
        self.seg = Some(f);
        self.seg_name = Some(name);
        self.seg_len = 0;
        self.seg_records = 0;
        Ok(())
    }

    /// Writes `items` as one batch (one write, one fsync). Returns their sequence
    /// numbers, or the error text (no record of the batch is then in the log).
    fn commit(&mut self, items: Vec<Item>) -> Result<Vec<u64>, String> {
        let n = items.len() as u64;
        if let Err(e) = self.repair() {
            return Err(self.fail(e, n));
        }
        let mut all: Vec<Item> = Vec::with_capacity(items.len() + 1);
        let skip = if let Some((since, count, error)) = &self.failure {
            let ev = SystemEvent::WriteRecovered {
                failed_since: since.clone(),
                failed_appends: *count,
                error: error.clone(),
            };
            all.push(Item::system(ev));
            1
        } else {
            0
        };
        all.extend(items);
        let mut buf = Vec::with_capacity(all.iter().map(|i| i.tail.len() + 200).sum());
        let mut done = Vec::with_capacity(all.len());
        let mut hash = self.last_hash;
        for (i, item) in all.into_iter().enumerate() {
            let seq = self.next_seq + i as u64;
            let (h, line) = seal_parts(seq, &format_utc(item.time), &hash, &item.tail);
            hash = h;
            let start = buf.len();
            buf.extend_from_slice(&line);
            done.push((seq, item, start..buf.len()));
        }
        let need_rotate = self.seg.is_none()
            || (self.seg_records > 0 && self.seg_len + buf.len() as u64 > self.seg_max);
        if need_rotate {
            if let Err(e) = self.rotate(self.next_seq) {
                self.broken = true;
                return Err(self.fail(format!("cannot create a new segment: {e}"), n));
            }
        }
        let t0 = Instant::now();
        let res = match self.seg.as_mut() {
            Some(f) => f.append(&buf).and_then(|_| f.sync()),
            None => Err(std::io::Error::other("no segment open")),
        };
        if res.is_ok() {
            // A decaying maximum, not a mean: one slow sync keeps commits on the writer
            // thread for the next few dozen, so a device whose syncs are only sometimes
            // fast (a shared virtual disk) never gets direct commits.
            let took = t0.elapsed();
            let recent = match self.commit_avg {
                Some(prev) => took.max(prev * 7 / 8),
                None => took,
            };
            self.commit_avg = Some(recent);
            self.fast.store(
                recent < DIRECT_COMMIT_MAX && !self.closed,
                Ordering::Relaxed,
            );
        }
        if let Err(e) = res {
            self.broken = true;
            return Err(self.fail(format!("write or fsync failed: {e}"), n));
        }
        self.seg_len += buf.len() as u64;
        self.seg_records += done.len() as u64;
        self.next_seq += done.len() as u64;
        self.last_hash = hash;
        if self.failure.take().is_some() {
            tracing::info!("audit log writable again");
        }
        self.healthy.store(true, Ordering::SeqCst);
        let mut seqs = Vec::with_capacity(done.len());
        for (i, (seq, item, range)) in done.into_iter().enumerate() {
            self.quotas.observe_event(&item.event, item.time);
            if let Some(s) = &self.shipper {
                s.send(&buf[range]);
            }
            if !matches!(item.event, Event::System(SystemEvent::Checkpoint { .. })) {
                self.since_ckpt += 1;
            }
            if i >= skip {
                seqs.push(seq);
            }
        }
        Ok(seqs)
    }

    fn fail(&mut self, error: String, refused: u64) -> String {
        self.healthy.store(false, Ordering::SeqCst);
        tracing::error!(error = %error, "audit log write failed; refusing requests");
        let f = self
            .failure
            .get_or_insert_with(|| (format_utc(OffsetDateTime::now_utc()), 0, error.clone()));
        f.1 += refused;
        error
    }

    fn maybe_checkpoint(&mut self, force: bool) {
        if self.since_ckpt == 0 || self.next_seq <= 1 || self.broken {
            return;
        }
        if !force && self.since_ckpt < self.every_records && self.last_ckpt.elapsed() < self.every {
            return;
        }
        let Some(segment) = self.seg_name.clone() else {
            return;
        };
        let seq = self.next_seq - 1;
        let hash = hex32(&self.last_hash);
        let time = format_utc(OffsetDateTime::now_utc());
        let c = Checkpoint::sign(&self.key, seq, &hash, &time, &segment);
        let mut line = serde_json::to_vec(&c).unwrap_or_default();
        line.push(b'\n');
        if let Err(e) = self.write_checkpoint(&line) {
            self.ckpt_file = None;
            tracing::error!(error = %e, "audit log: cannot write checkpoints.jsonl; will retry");
            return;
        }
        self.since_ckpt = 0;
        self.last_ckpt = Instant::now();
        let ev = SystemEvent::Checkpoint {
            covers_seq: seq,
            covers_hash: hash,
            signed_at: c.time,
            segment: c.segment,
            key_id: self.key_id.clone(),
            signature: c.sig,
        };
        let _ = self.commit(vec![Item::system(ev)]);
    }

    fn write_checkpoint(&mut self, line: &[u8]) -> std::io::Result<()> {
        let p = self.dir.join(CHECKPOINTS_FILE);
        if self.ckpt_file.is_none() {
            self.ckpt_file = Some(self.io.open_append(&p)?);
            self.io.sync_dir(&self.dir)?;
        }
        let before = std::fs::metadata(&p).map(|m| m.len());
        match self.ckpt_file.as_mut() {
            Some(f) => f.append(line).and_then(|_| f.sync()).inspect_err(|_| {
                // Undo a partial line: a line without its in-chain copy fails verification.
                if let Ok(len) = before {
                    let _ = f.truncate(len);
                }
            }),
            None => Ok(()),
        }
    }

    /// Deletes expired segments, oldest first, never the current one; each deletion is
    /// recorded durably before the file is removed.
    fn sweep_retention(&mut self, now: OffsetDateTime) {
        self.last_retention = Instant::now();
        let cutoff = now - time::Duration::days(i64::from(self.retention_days));
        let segs = match list_segments(&self.dir) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "audit retention: cannot list segments");
                return;
            }
        };
        for (first_seq, name) in segs {
            if Some(&name) == self.seg_name.as_ref() {
                break;
            }
            let path = path_of(&self.dir, &name);
            let Ok(bytes) = read_file(&path) else { break };
            let (lines, _) = split_lines(&bytes);
            let Some(Ok((h, last))) = lines.last().map(|(_, l)| open_line(l)) else {
                tracing::warn!(segment = %name, "audit retention: last line invalid; segment kept, run verify");
                break;
            };
            if last.time().is_none_or(|t| t >= cutoff) {
                break;
            }
            let ev = SystemEvent::RetentionDeleted {
                segment: name.clone(),
                first_seq,
                last_seq: last.seq,
                last_hash: hex32(&h),
                last_time: last.time.clone(),
            };
            if self.commit(vec![Item::system(ev)]).is_err() {
                break;
            }
            if let Err(e) = self
                .io
                .remove(&path)
                .and_then(|_| self.io.sync_dir(&self.dir))
            {
                tracing::warn!(segment = %name, error = %e, "audit retention: cannot delete segment");
                break;
            }
            tracing::info!(segment = %name, "audit retention: deleted expired segment");
        }
    }
}
