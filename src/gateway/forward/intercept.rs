//! TLS interception of a `CONNECT` tunnel: the browser gets a leaf certificate for
//! the host from the municipality's CA ([`super::ca`]) and speaks HTTP/1.1 or h2 (by
//! ALPN) inside; each request goes to [`super::door`] (approved hosts) or gets the
//! block page (unapproved AI services: the attempt was recorded when the tunnel was
//! asked for).

use std::convert::Infallible;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

use super::super::boxed;
use super::super::runtime::Principal;
use super::super::state::ConnInfo;
use super::door::{self, Target};
use super::listener::renderer;
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
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
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
    let svc = service_fn(move |req| {
        let (proxy, conn, principal, target, inside) = (
            proxy.clone(),
            conn.clone(),
            principal.clone(),
            target.clone(),
            inside.clone(),
        );
        async move {
            let r = match inside {
                Inside::Approved => door::handle(proxy, conn, principal, target, req).await,
                Inside::Refused(why) => {
                    let render = renderer(req.headers());
                    let id = uuid::Uuid::now_v7().to_string();
                    boxed::full(render(with_contact(why.into(), &proxy.contact), None, &id))
                }
            };
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
    if let Err(e) = builder.serve_connection(TokioIo::new(stream), svc).await {
        tracing::debug!(target: "sekimori::forward", error = %e, "intercepted connection ended with an error");
    }
}
