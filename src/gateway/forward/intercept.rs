//! TLS interception of a `CONNECT` tunnel: the browser gets a leaf certificate for
//! the host from the municipality's CA ([`super::ca`]) and speaks HTTP/1.1 or h2 (by
//! ALPN) inside; each request goes to [`super::door`] (approved hosts) or gets the
//! block page (unapproved AI services: the attempt was recorded when the tunnel was
//! asked for). A connection on which nothing moved for `server.idle_timeout_secs`
//! while no request is being handled is closed.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

use super::super::boxed;
use super::super::runtime::Principal;
use super::super::state::ConnInfo;
use super::door::{self, Target};
use super::page::renderer;
use super::page::with_contact;
use super::refusal::ProxyRefusal;
use super::ForwardProxy;

/// What the tunnel's requests get.
#[derive(Clone, Debug)]
pub enum Inside {
    /// Inspected and forwarded.
    Approved,
    /// The block page for this refusal.
    Refused(ProxyRefusal),
}

/// Serves the intercepted tunnel `io` (the upgraded `CONNECT` connection) with
/// `tls` (the host's leaf).
pub async fn serve<I>(
    proxy: Arc<ForwardProxy>,
    conn: ConnInfo,
    principal: Arc<Principal>,
    target: Arc<Target>,
    tls: Arc<rustls::ServerConfig>,
    io: I,
    inside: Inside,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let accept = tokio_rustls::TlsAcceptor::from(tls).accept(io);
    let stream = match tokio::time::timeout(proxy.header_timeout, accept).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            // Typically a browser that does not trust the CA yet.
            tracing::info!(target: "sekimori::forward", host = %target.host, error = %e, "TLS handshake with the browser failed (is the Sekimori CA trusted?)");
            return;
        }
        Err(_) => return,
    };
    let header_timeout = proxy.header_timeout;
    let idle = proxy.idle_timeout;
    let started = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let in_flight = conn.in_flight.clone();
    let stream = Touched {
        inner: stream,
        last: last.clone(),
        started,
    };
    let svc = service_fn(move |req| {
        let (proxy, conn, principal, target, inside) = (
            proxy.clone(),
            conn.clone(),
            principal.clone(),
            target.clone(),
            inside.clone(),
        );
        async move {
            let in_flight = conn.in_flight.clone();
            in_flight.fetch_add(1, Ordering::SeqCst);
            let r = match inside {
                Inside::Approved => door::handle(proxy, conn, principal, target, req).await,
                Inside::Refused(why) => {
                    let render = renderer(req.headers());
                    let id = uuid::Uuid::now_v7().to_string();
                    boxed::full(render(with_contact(why.into(), &proxy.contact), None, &id))
                }
            };
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, Infallible>(r)
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
        .max_header_list_size(64 * 1024);
    let served = builder.serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(served);
    // Closed when nothing moved for the idle timeout and no request is being handled.
    let tick = (idle / 4).max(Duration::from_millis(100));
    loop {
        tokio::select! {
            r = served.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(target: "sekimori::forward", error = %e, "intercepted connection ended with an error");
                }
                return;
            }
            _ = tokio::time::sleep(tick) => {
                let quiet = started.elapsed().saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
                if in_flight.load(Ordering::SeqCst) == 0 && quiet >= idle {
                    tracing::debug!(target: "sekimori::forward", "idle intercepted connection closed");
                    return;
                }
            }
        }
    }
}

/// The browser's TLS stream with its last activity recorded.
struct Touched<I> {
    inner: I,
    last: Arc<AtomicU64>,
    started: Instant,
}

impl<I> Touched<I> {
    fn touch(&self) {
        self.last
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Touched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Touched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
