//! Uninspected tunnels (`never_intercept` hosts, `other_hosts = "tunnel"`): bytes
//! copied both ways until either side closes or nothing moves for the idle timeout.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connects to `addr` within `timeout`.
pub async fn connect(addr: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let s = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// The address to connect to for `host:port`: the `[forward_proxy.resolve]` override
/// when there is one, otherwise the name itself (resolved by the system).
pub fn target(
    resolve: &std::collections::HashMap<String, SocketAddr>,
    host: &str,
    port: u16,
) -> String {
    match resolve.get(host) {
        Some(a) => a.to_string(),
        None if host.contains(':') => format!("[{host}]:{port}"),
        None => format!("{host}:{port}"),
    }
}

/// Copies between `a` and `b` until both directions end, or nothing moves for `idle`.
pub async fn pipe<A, B>(a: A, b: B, idle: Duration)
where
    A: AsyncRead + AsyncWrite + Send + 'static,
    B: AsyncRead + AsyncWrite + Send + 'static,
{
    let started = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let up = one_way(ar, bw, last.clone(), started);
    let down = one_way(br, aw, last.clone(), started);
    let both = async { tokio::join!(up, down) };
    let watchdog = async {
        let tick = (idle / 4).max(Duration::from_millis(100));
        loop {
            tokio::time::sleep(tick).await;
            let quiet = started
                .elapsed()
                .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
            if quiet >= idle {
                return;
            }
        }
    };
    tokio::select! {
        _ = both => {}
        _ = watchdog => {
            tracing::debug!(target: "sekimori::forward", "idle tunnel closed");
        }
    }
}

async fn one_way<R, W>(mut r: R, mut w: W, last: Arc<AtomicU64>, started: Instant)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if w.write_all(&buf[..n]).await.is_err() {
            break;
        }
        last.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
    let _ = w.shutdown().await;
}
