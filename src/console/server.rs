//! The console's listener: its own address (`[admin] listen`), HTTP/1.1 and HTTP/2,
//! HTTPS when `[admin] tls_cert` and `tls_key` are given, loopback by default.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use super::router;
use super::state::Console;

/// Why the console did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address could not be bound.
    #[error("the console cannot listen on {addr}: {error}; choose another [admin] listen address or stop what uses it")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        error: std::io::Error,
    },
    /// The certificate or key could not be used.
    #[error("the console's TLS certificate or key cannot be used: {0}; check [admin] tls_cert and tls_key (PEM files)")]
    Tls(String),
}

/// A running console.
#[derive(Debug)]
pub struct RunningConsole {
    /// The bound address.
    pub addr: SocketAddr,
    /// The accept loop.
    pub task: tokio::task::JoinHandle<()>,
}

impl RunningConsole {
    /// Stops accepting connections.
    pub fn stop(&self) {
        self.task.abort();
    }
}

/// A TLS acceptor from PEM files.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, StartError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect())
        .map_err(|e| StartError::Tls(format!("{}: {e}", cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| StartError::Tls(format!("{}: {e}", key.display())))?;
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StartError::Tls(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| StartError::Tls(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

/// Serves `console` on `addr` (HTTPS through `tls` when given).
pub async fn start(
    console: Arc<Console>,
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> Result<RunningConsole, StartError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|error| StartError::Bind { addr, error })?;
    let bound = listener
        .local_addr()
        .map_err(|error| StartError::Bind { addr, error })?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            };
            let console = console.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    let console = console.clone();
                    async move { Ok::<_, Infallible>(router::handle(console, peer, req).await) }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                match tls {
                    Some(acc) => {
                        let accept = tokio::time::timeout(
                            std::time::Duration::from_secs(10),
                            acc.accept(stream),
                        );
                        if let Ok(Ok(s)) = accept.await {
                            let _ = builder.serve_connection(TokioIo::new(s), svc).await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    });
    Ok(RunningConsole { addr: bound, task })
}
