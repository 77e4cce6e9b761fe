//! Listener and connections; the state every request sees is [`super::state`].

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use super::client::Pool;
use super::hooks::{AuditHook, NoAudit};
use super::runtime::Runtime;
use super::state::{ConnInfo, Shared};

/// Builder for a gateway.
pub struct Gateway {
    runtime: Runtime,
    audit: Arc<dyn AuditHook>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").finish_non_exhaustive()
    }
}

/// A gateway serving on a socket.
#[derive(Debug)]
pub struct RunningGateway {
    /// The bound address.
    pub addr: SocketAddr,
    /// Shared state (reload, metrics).
    pub shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Gateway {
    /// A gateway over a compiled configuration, without an audit log.
    pub fn new(runtime: Runtime) -> Self {
        Gateway {
            runtime,
            audit: Arc::new(NoAudit),
        }
    }

    /// Sets the audit hook.
    pub fn audit(mut self, audit: Arc<dyn AuditHook>) -> Self {
        self.audit = audit;
        self
    }

    fn into_shared(self, inline_limit: usize) -> io::Result<Arc<Shared>> {
        Shared::new(self.runtime, self.audit, inline_limit)
            .map(Arc::new)
            .map_err(io::Error::other)
    }

    /// Binds `addr` (use port 0 in tests) and starts serving in the background, on
    /// the runtime this is called from.
    pub async fn start(self, addr: SocketAddr) -> io::Result<RunningGateway> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = self.into_shared(1)?;
        let slots = connection_slots(&shared);
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            shared.clone(),
            slots,
            Arc::new(Pool::default()),
            rx,
        ));
        tracing::info!(target: "sekimori::gateway", %addr, "listening");
        Ok(RunningGateway {
            addr,
            shared,
            shutdown: tx,
            task,
        })
    }

    /// Binds `addr` once per worker and serves from `workers` threads (0: one per
    /// CPU core), thread per core: each thread runs its own single-threaded runtime
    /// with its own listening socket (`SO_REUSEPORT`, the kernel spreads new
    /// connections over them) and its own upstream connection pool, so a request is
    /// read, inspected, forwarded and answered on one thread, with no hand-off
    /// between threads. State that outlives a request (configuration, metrics, warn
    /// tokens, the audit log, the connection limit) is shared.
    ///
    /// Every socket is bound and every runtime built before this returns, so a bind
    /// error is reported here and no socket is left listening without a worker.
    /// Where `SO_REUSEPORT` is not available this is [`Gateway::start`].
    pub async fn start_workers(
        self,
        addr: SocketAddr,
        workers: usize,
    ) -> io::Result<RunningGateway> {
        #[cfg(not(all(unix, not(target_os = "solaris"), not(target_os = "illumos"))))]
        {
            let _ = workers;
            return self.start(addr).await;
        }
        #[cfg(all(unix, not(target_os = "solaris"), not(target_os = "illumos")))]
        {
            let workers = match workers {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            };
            let mut bound = addr;
            let mut sockets = Vec::with_capacity(workers);
            for _ in 0..workers {
                let socket = if bound.is_ipv4() {
                    tokio::net::TcpSocket::new_v4()?
                } else {
                    tokio::net::TcpSocket::new_v6()?
                };
                socket.set_reuseaddr(true)?;
                socket.set_reuseport(true)?;
                socket.bind(bound)?;
                let listener = socket.listen(1024)?;
                // Port 0 is resolved by the first bind; the others join that port.
                bound = listener.local_addr()?;
                sockets.push(listener.into_std()?);
            }
            // A worker's blocking pool never needs more threads than scans may run at
            // once (each scanning thread keeps its own lattice and allocator heap).
            let scan_threads = super::inspections::resolve_limit(
                self.runtime.config.server.max_inspections_in_flight,
            );
            let mut runtimes = Vec::with_capacity(workers);
            for _ in 0..workers {
                runtimes.push(
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .max_blocking_threads(scan_threads.max(1))
                        .build()?,
                );
            }
            let shared = self.into_shared(workers)?;
            let slots = connection_slots(&shared);
            let (tx, rx) = watch::channel(false);
            let mut ended = Vec::with_capacity(workers);
            for (i, (socket, rt)) in sockets.into_iter().zip(runtimes).enumerate() {
                let (shared, slots, stop) = (shared.clone(), slots.clone(), rx.clone());
                let (done, done_rx) = tokio::sync::oneshot::channel::<()>();
                std::thread::Builder::new()
                    .name(format!("sekimori-worker-{i}"))
                    .spawn(move || {
                        rt.block_on(async move {
                            match TcpListener::from_std(socket) {
                                Ok(listener) => {
                                    let pool = Arc::new(Pool::default());
                                    accept_loop(listener, shared, slots, pool, stop).await;
                                }
                                Err(e) => {
                                    tracing::error!(target: "sekimori::gateway", worker = i, error = %e, "worker cannot take its listening socket");
                                }
                            }
                        });
                        drop(done);
                    })?;
                ended.push(done_rx);
            }
            let task = tokio::spawn(async move {
                for e in ended {
                    let _ = e.await;
                }
            });
            tracing::info!(target: "sekimori::gateway", addr = %bound, workers, "listening");
            Ok(RunningGateway {
                addr: bound,
                shared,
                shutdown: tx,
                task,
            })
        }
    }
}

/// The connection limit (`server.max_connections`), shared by every accept loop.
fn connection_slots(shared: &Shared) -> Arc<Semaphore> {
    Arc::new(Semaphore::new(
        shared.runtime.load().config.server.max_connections,
    ))
}

impl RunningGateway {
    /// Stops accepting and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Waits until the accept loop ends (after [`Self::shutdown`] from elsewhere or a fatal error).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    slots: Arc<Semaphore>,
    pool: Arc<Pool>,
    mut stop: watch::Receiver<bool>,
) {
    let limit = shared.runtime.load().config.server.max_connections;
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.changed() => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(target: "sekimori::gateway", error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let rt = shared.runtime.load();
        if !rt.client_allowed(peer.ip()) {
            tracing::warn!(target: "sekimori::gateway", client = %peer.ip(), "connection refused: client address not in server.allowed_clients");
            drop(stream);
            continue;
        }
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(target: "sekimori::gateway", limit, "connection refused: server.max_connections reached");
            drop(stream);
            continue;
        };
        let header_timeout = Duration::from_secs(rt.config.server.header_read_timeout_secs);
        let idle = Duration::from_secs(rt.config.server.idle_timeout_secs);
        drop(rt);
        let shared = shared.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, shared, pool, header_timeout, idle).await;
            drop(permit);
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    pool: Arc<Pool>,
    header_timeout: Duration,
    idle: Duration,
) {
    let _ = stream.set_nodelay(true);
    let info = ConnInfo::new(peer, pool);
    let started = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let io = Watched {
        inner: stream,
        sniff: Sniffer::default(),
        smuggling: info.smuggling.clone(),
        last: last.clone(),
        started,
    };
    let svc_info = info.clone();
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        let info = svc_info.clone();
        async move {
            info.in_flight.fetch_add(1, Ordering::SeqCst);
            let r = super::handler::handle(shared, &info, req).await;
            info.in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, std::convert::Infallible>(r)
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(100)
        .max_header_list_size(64 * 1024)
        .max_send_buf_size(1024 * 1024);
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    let tick = (idle / 4).max(Duration::from_millis(100));
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(target: "sekimori::gateway", error = %e, "connection ended with an error");
                }
                return;
            }
            _ = tokio::time::sleep(tick) => {
                let idle_for = started.elapsed().saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
                if info.in_flight.load(Ordering::SeqCst) == 0 && idle_for >= idle {
                    tracing::debug!(target: "sekimori::gateway", client = %peer.ip(), "idle connection closed");
                    return;
                }
            }
        }
    }
}

/// Detects a request head carrying both `Content-Length` and `Transfer-Encoding`
/// (hyper silently drops one; RFC 9112 §6.1 lets us reject and close instead).
/// Looks at the first bytes of each line only; a blank line ends a head.
#[derive(Debug, Default)]
struct Sniffer {
    prefix: [u8; 20],
    len: usize,
    cl: bool,
    te: bool,
}

impl Sniffer {
    /// Feeds bytes read from the connection; true when a head has both headers. Jumps
    /// from newline to newline (`memchr`) and keeps only the first bytes of each line:
    /// a body is passed over, not walked byte by byte (2.4% of a request's
    /// instructions were this loop over the body).
    fn feed(&mut self, mut bytes: &[u8]) -> bool {
        let mut hit = false;
        loop {
            let newline = memchr::memchr(b'\n', bytes);
            let segment = &bytes[..newline.unwrap_or(bytes.len())];
            let take = segment.len().min(self.prefix.len() - self.len);
            self.prefix[self.len..self.len + take].copy_from_slice(&segment[..take]);
            self.len += take;
            let Some(i) = newline else {
                return hit;
            };
            bytes = &bytes[i + 1..];
            {
                let line = &self.prefix[..self.len];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.is_empty() {
                    self.cl = false;
                    self.te = false;
                } else if line.len() >= 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                    self.cl = true;
                } else if line.len() >= 18 && line[..18].eq_ignore_ascii_case(b"transfer-encoding:")
                {
                    self.te = true;
                }
                hit |= self.cl && self.te;
                self.len = 0;
            }
        }
    }
}

/// The TCP stream with activity tracking and the smuggling sniffer.
struct Watched {
    inner: TcpStream,
    sniff: Sniffer,
    smuggling: Arc<AtomicBool>,
    last: Arc<AtomicU64>,
    started: Instant,
}

impl Watched {
    fn touch(&self) {
        self.last
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let new = &buf.filled()[before..];
            if !new.is_empty() {
                let this = &mut *self;
                if this.sniff.feed(new) {
                    this.smuggling.store(true, Ordering::SeqCst);
                }
                this.touch();
            }
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            if n > 0 {
                self.touch();
            }
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = r {
            if n > 0 {
                self.touch();
            }
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::Sniffer;

    #[test]
    fn sniffer_table() {
        let cases: &[(&[u8], bool)] = &[
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", true),
            (b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", true),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", false),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", false),
        ];
        for (input, want) in cases {
            let mut s = Sniffer::default();
            // Byte by byte, to show splits do not matter.
            let hit = input
                .iter()
                .fold(false, |h, b| s.feed(std::slice::from_ref(b)) | h);
            assert_eq!(hit, *want, "{}", String::from_utf8_lossy(input));
            // Whole, and in every two-piece split.
            assert_eq!(Sniffer::default().feed(input), *want);
            for cut in 0..input.len() {
                let mut s = Sniffer::default();
                let hit = s.feed(&input[..cut]) | s.feed(&input[cut..]);
                assert_eq!(hit, *want, "split at {cut}");
            }
        }
        // Long header lines and a long body: only the first bytes of a line count.
        let mut long = b"POST / HTTP/1.1\r\nX-Pad: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 5000));
        long.extend_from_slice(
            b"\r\nContent-Length: 5\r\nX-Content-Length: 1\r\ntransfer-encoding: chunked\r\n\r\n",
        );
        assert!(Sniffer::default().feed(&long));
        let mut body = b"POST / HTTP/1.1\r\nContent-Length: 9000\r\n\r\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 9000));
        body.extend_from_slice(b"\ntransfer-encoding: chunked\n");
        // The blank line ends the head: a TE line in the body is no hit.
        assert!(!Sniffer::default().feed(&body));
    }
}
