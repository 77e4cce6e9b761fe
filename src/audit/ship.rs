//! Optional shipping of each durable record to standard output (one JSON line) and/or a
//! syslog collector (RFC 5424 message, RFC 6587 octet counting, over TCP).
//!
//! Shipping never weakens the local chain: records are handed over only after they are
//! durable, through a bounded queue; a full queue or a failed send drops the copy and
//! counts it ([`Shipper::failures`]).

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{AuditConfig, SyslogConfig};

const QUEUE: usize = 16_384;
const RECONNECT_EVERY: Duration = Duration::from_secs(1);

/// Handle to the shipping thread.
#[derive(Clone)]
pub(crate) struct Shipper {
    tx: SyncSender<Vec<u8>>,
    failures: Arc<AtomicU64>,
}

impl Shipper {
    /// Starts shipping if configured.
    pub(crate) fn start(cfg: &AuditConfig) -> Option<Shipper> {
        if !cfg.stdout && cfg.syslog.is_none() {
            return None;
        }
        let (tx, rx) = sync_channel(QUEUE);
        let failures = Arc::new(AtomicU64::new(0));
        let f = failures.clone();
        let stdout = cfg.stdout;
        let syslog = cfg.syslog.clone();
        std::thread::Builder::new()
            .name("sekimori-audit-ship".into())
            .spawn(move || run(rx, stdout, syslog, f))
            .ok()?;
        Some(Shipper { tx, failures })
    }

    /// Queues a copy of a line (with its `\n`).
    pub(crate) fn send(&self, line: &[u8]) {
        match self.tx.try_send(line.to_vec()) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Copies dropped so far.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

fn run(
    rx: Receiver<Vec<u8>>,
    stdout: bool,
    syslog: Option<SyslogConfig>,
    failures: Arc<AtomicU64>,
) {
    let mut conn: Option<TcpStream> = None;
    let mut last_try: Option<Instant> = None;
    // Ends when the writer (the only sender) is gone.
    while let Ok(line) = rx.recv() {
        if stdout {
            let mut out = std::io::stdout().lock();
            if out.write_all(&line).and_then(|_| out.flush()).is_err() {
                failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        let Some(cfg) = &syslog else { continue };
        if conn.is_none() && last_try.is_none_or(|t| t.elapsed() >= RECONNECT_EVERY) {
            last_try = Some(Instant::now());
            match TcpStream::connect(&cfg.address) {
                Ok(s) => {
                    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                    conn = Some(s);
                }
                Err(e) => tracing::warn!(error = %e, "audit syslog: cannot connect"),
            }
        }
        let Some(s) = conn.as_mut() else {
            failures.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let frame = syslog_frame(cfg, &line);
        if let Err(e) = s.write_all(&frame) {
            tracing::warn!(error = %e, "audit syslog: send failed; reconnecting");
            failures.fetch_add(1, Ordering::Relaxed);
            conn = None;
        }
    }
}

/// `LEN SP <PRI>1 TIMESTAMP HOST sekimori PROCID audit - MSG` (RFC 5424 + RFC 6587).
pub(crate) fn syslog_frame(cfg: &SyslogConfig, line: &[u8]) -> Vec<u8> {
    let pri = u32::from(cfg.facility) * 8 + 6; // informational
    let ts = super::timefmt::format_utc(time::OffsetDateTime::now_utc());
    let host = cfg.hostname.as_deref().unwrap_or("-");
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let mut msg = format!(
        "<{pri}>1 {ts} {host} sekimori {} audit - ",
        std::process::id()
    )
    .into_bytes();
    msg.extend_from_slice(body);
    let mut frame = format!("{} ", msg.len()).into_bytes();
    frame.extend_from_slice(&msg);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_octet_counted_rfc5424() {
        let cfg = SyslogConfig {
            address: "127.0.0.1:1".into(),
            hostname: Some("gw1".into()),
            facility: 16,
        };
        let f = syslog_frame(&cfg, b"{\"seq\":1}\n");
        let s = String::from_utf8(f).unwrap();
        let (len, msg) = s.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), msg.len());
        assert!(msg.starts_with("<134>1 "), "{msg}");
        assert!(msg.ends_with(" audit - {\"seq\":1}"), "{msg}");
    }
}
