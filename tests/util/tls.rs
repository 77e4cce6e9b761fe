//! A TLS fake upstream on 127.0.0.1 for providers the region guard only lets Sekimori
//! reach over https at their real host names (Bedrock, Vertex): a throwaway CA issues
//! a certificate for that host, the gateway is configured with `connect_to` (this
//! server's address) and `ca_file` (the CA), and the handler sees each request with
//! its raw URI, headers and body.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request as the TLS fake saw it.
#[derive(Clone, Debug)]
pub struct TlsRequest {
    /// Method.
    pub method: String,
    /// Path and query exactly as sent.
    pub uri: String,
    /// Headers (lowercase names), in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl TlsRequest {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The handler's answer future.
pub type Answering = Pin<Box<dyn Future<Output = Response<Full<Bytes>>> + Send>>;
/// Answers one request.
pub type Handler = Arc<dyn Fn(TlsRequest) -> Answering + Send + Sync>;

/// A running TLS fake.
pub struct TlsFake {
    /// Its address (for `connect_to`).
    pub addr: SocketAddr,
    /// The CA's certificate file (for `ca_file`).
    pub ca_file: tempfile::NamedTempFile,
}

impl TlsFake {
    /// Serves `host` on 127.0.0.1:0 with a certificate from a new CA.
    pub async fn start(host: &str, handler: Handler) -> TlsFake {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Sekimori test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec![host.to_string()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let ca_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(ca_file.path(), ca_cert.pem()).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let handler = handler.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let handler = handler.clone();
                        async move {
                            let method = req.method().to_string();
                            let uri = req
                                .uri()
                                .path_and_query()
                                .map(|p| p.as_str().to_string())
                                .unwrap_or_default();
                            let headers = req
                                .headers()
                                .iter()
                                .map(|(k, v)| {
                                    (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                                })
                                .collect();
                            let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
                            Ok::<_, Infallible>(
                                handler(TlsRequest {
                                    method,
                                    uri,
                                    headers,
                                    body,
                                })
                                .await,
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        TlsFake { addr, ca_file }
    }

    /// The `connect_to` and `ca_file` lines of an `[[upstreams]]` table.
    pub fn upstream_lines(&self) -> String {
        format!(
            "connect_to = \"{}\"\nca_file = \"{}\"\n",
            self.addr,
            self.ca_file.path().display()
        )
    }
}
