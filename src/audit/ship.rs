//! Optional shipping of each durable record to standard output (one JSON line) and/or a
//! syslog collector (RFC 5424 message, octet counting of RFC 6587/5425, over TCP or
//! TLS with the collector's certificate checked against a configured CA).
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

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use super::{AuditConfig, AuditError, SyslogConfig};

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

/// TLS client configuration and server name for the collector.
pub(crate) fn tls_config(
    cfg: &SyslogConfig,
) -> Result<(Arc<rustls::ClientConfig>, ServerName<'static>), AuditError> {
    let bad = |m: String| AuditError::Config(format!("audit.syslog: {m}"));
    let ca = cfg
        .ca_file
        .as_deref()
        .ok_or_else(|| bad("tls = true needs ca_file (PEM of the collector's CA)".into()))?;
    let pem = std::fs::read(ca).map_err(|e| bad(format!("cannot read {}: {e}", ca.display())))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| bad(format!("{}: bad PEM ({e})", ca.display())))?;
        roots
            .add(cert)
            .map_err(|e| bad(format!("{}: bad certificate ({e})", ca.display())))?;
    }
    if roots.is_empty() {
        return Err(bad(format!("{}: no certificate found", ca.display())));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(format!("TLS setup failed ({e})")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let host = match &cfg.server_name {
        Some(n) => n.clone(),
        None => cfg
            .address
            .rsplit_once(':')
            .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']').to_string())
            .ok_or_else(|| bad("address must be host:port".into()))?,
    };
    let name = ServerName::try_from(host).map_err(|e| bad(format!("bad server name ({e})")))?;
    Ok((Arc::new(config), name))
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    fn send(&mut self, frame: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(frame),
            Conn::Tls(s) => s.write_all(frame).and_then(|_| s.flush()),
        }
    }
}

fn connect(cfg: &SyslogConfig) -> Result<Conn, String> {
    let s = TcpStream::connect(&cfg.address).map_err(|e| e.to_string())?;
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if !cfg.tls {
        return Ok(Conn::Plain(s));
    }
    let (config, name) = tls_config(cfg).map_err(|e| e.to_string())?;
    let conn = rustls::ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(conn, s))))
}

fn run(
    rx: Receiver<Vec<u8>>,
    stdout: bool,
    syslog: Option<SyslogConfig>,
    failures: Arc<AtomicU64>,
) {
    let mut conn: Option<Conn> = None;
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
            match connect(cfg) {
                Ok(c) => conn = Some(c),
                Err(e) => tracing::warn!(error = %e, "audit syslog: cannot connect"),
            }
        }
        let Some(s) = conn.as_mut() else {
            failures.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let frame = syslog_frame(cfg, &line);
        if let Err(e) = s.send(&frame) {
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
            tls: false,
            ca_file: None,
            server_name: None,
        };
        let f = syslog_frame(&cfg, b"{\"seq\":1}\n");
        let s = String::from_utf8(f).unwrap();
        let (len, msg) = s.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), msg.len());
        assert!(msg.starts_with("<134>1 "), "{msg}");
        assert!(msg.ends_with(" audit - {\"seq\":1}"), "{msg}");
    }

    #[test]
    fn tls_needs_a_readable_ca() {
        let mut cfg = SyslogConfig {
            address: "syslog.example.lg.jp:6514".into(),
            hostname: None,
            facility: 16,
            tls: true,
            ca_file: None,
            server_name: None,
        };
        assert!(tls_config(&cfg).is_err());
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("ca.pem");
        std::fs::write(&p, "not a pem").unwrap();
        cfg.ca_file = Some(p);
        assert!(tls_config(&cfg)
            .unwrap_err()
            .to_string()
            .contains("no certificate"));
    }

    #[test]
    fn records_reach_a_tcp_collector() {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let t = tempfile::tempdir().unwrap();
        let mut cfg = AuditConfig::new(t.path().join("a"), t.path().join("k.pem"));
        cfg.syslog = Some(SyslogConfig {
            address: addr,
            hostname: Some("gw1".into()),
            facility: 16,
            tls: false,
            ca_file: None,
            server_name: None,
        });
        let log = crate::audit::AuditLog::open(&cfg).unwrap();
        let (mut sock, _) = listener.accept().unwrap();
        // Bounded read: the startup record's frame; the timeout only guards a hang.
        sock.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        for _ in 0..100 {
            let n = sock.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
            if got.windows(9).any(|w| w == b"\"startup\"") || n == 0 {
                break;
            }
        }
        let s = String::from_utf8(got).unwrap();
        assert!(s.contains("<134>1 ") && s.contains("\"startup\""), "{s}");
        drop(log);
    }
}
