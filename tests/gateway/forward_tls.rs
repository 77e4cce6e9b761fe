//! An HTTPS "approved AI" site for the forward-proxy tests: a test CA (trusted by
//! Sekimori only through `[forward_proxy] extra_roots`), a leaf for the site's name,
//! and a loopback server (HTTP/1.1 and h2 by ALPN) that records what it received and
//! echoes the prompt back as JSON, HTML or SSE.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// What the site received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub content_type: String,
    pub body: String,
}

/// The site.
pub struct Site {
    pub addr: SocketAddr,
    /// The test CA's certificate (PEM file).
    pub ca_pem: PathBuf,
    seen: Arc<Mutex<Vec<Seen>>>,
    _dir: tempfile::TempDir,
}

impl Site {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The text to echo: the `prompt` of a JSON body, the last user message of a chat,
/// the `q` of a form, or the whole body.
fn prompt_of(ct: &str, body: &str) -> String {
    if ct.starts_with("application/json") {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        if let Some(p) = v["prompt"].as_str() {
            return p.to_string();
        }
        if let Some(p) = v["messages"][0]["content"].as_str() {
            return p.to_string();
        }
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            if k == "q" {
                return v.into_owned();
            }
        }
    }
    body.to_string()
}

type Out = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn answer(seen: Arc<Mutex<Vec<Seen>>>, req: Request<Incoming>) -> Response<Out> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let ct = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = String::from_utf8_lossy(&body).into_owned();
    seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        content_type: ct.clone(),
        body: text.clone(),
    });
    let p = prompt_of(&ct, &text);
    let (ctype, out): (&str, Out) = match parts.uri.path() {
        "/page" => (
            "text/html; charset=utf-8",
            Full::new(Bytes::from(format!("<html><body><p>受付: {p}</p></body></html>"))).boxed(),
        ),
        "/v1/chat/completions" => (
            "application/json",
            Full::new(Bytes::from(
                json!({"id": "c1", "object": "chat.completion", "model": "m",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": format!("了解: {p}")}}]})
                .to_string(),
            ))
            .boxed(),
        ),
        "/sse" => {
            // The event cut in the middle of the text: the proxy holds a split placeholder.
            let ev = format!("data: {}\n\n", json!({"delta": p}));
            let cut = ev.char_indices().map(|(i, _)| i).nth(ev.chars().count() - 6).unwrap();
            let (a, b) = ev.split_at(cut);
            let frames = vec![
                Ok::<_, Infallible>(Frame::data(Bytes::from(a.to_string()))),
                Ok(Frame::data(Bytes::from(b.to_string()))),
            ];
            ("text/event-stream", StreamBody::new(futures_util::stream::iter(frames)).boxed())
        }
        _ => (
            "application/json",
            Full::new(Bytes::from(json!({"answer": format!("受付: {p}")}).to_string())).boxed(),
        ),
    };
    Response::builder()
        .header("content-type", ctype)
        .header("alt-svc", "h3=\":443\"; ma=86400")
        .body(out)
        .unwrap()
}

/// Starts the site with a certificate for `name`.
pub async fn start(name: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "test upstream CA");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec![name.to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let ca_pem = dir.path().join("upstream-ca.pem");
    std::fs::write(&ca_pem, ca_cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, seen) = (acceptor.clone(), s.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| {
                    let seen = seen.clone();
                    async move { Ok::<_, Infallible>(answer(seen, req).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    Site {
        addr,
        ca_pem,
        seen,
        _dir: dir,
    }
}
