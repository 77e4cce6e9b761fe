//! Helpers of the forward-proxy tests (`forward_*.rs`): a gateway with a recording
//! audit hook and a `[forward_proxy]` section, the proxy on 127.0.0.1:0, raw proxy
//! requests, and waiting for outcome records.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use sekimori::config;
use sekimori::gateway::forward::{self, ForwardProxy, RunningForwardProxy};
use sekimori::gateway::hooks::{
    AuditError, AuditHook, ForwardRecord, HookFuture, OutcomeRecord, PromptText,
};
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::{Gateway, RunningGateway};

use super::BASE;

/// Keeps what the pipeline recorded.
#[derive(Default)]
pub struct Recorder {
    pub forwards: Mutex<Vec<ForwardRecord>>,
    pub outcomes: Mutex<Vec<OutcomeRecord>>,
}

impl AuditHook for Recorder {
    fn record_before_forward<'a>(
        &'a self,
        r: &'a ForwardRecord,
        _prompt: PromptText<'a>,
    ) -> HookFuture<'a, Result<(), AuditError>> {
        Box::pin(async move {
            self.forwards.lock().unwrap().push(r.clone());
            Ok(())
        })
    }
    fn record_outcome<'a>(&'a self, r: &'a OutcomeRecord) -> HookFuture<'a, ()> {
        Box::pin(async move {
            self.outcomes.lock().unwrap().push(r.clone());
        })
    }
    fn ready(&self) -> bool {
        true
    }
}

impl Recorder {
    /// Waits (bounded) until `n` outcomes are recorded and returns them.
    pub async fn outcomes(&self, n: usize) -> Vec<OutcomeRecord> {
        for _ in 0..300 {
            if self.outcomes.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.outcomes.lock().unwrap().clone()
    }
}

/// The gateway of `BASE` plus `forward` (a `[forward_proxy]` section) and the forward
/// proxy over it, both on 127.0.0.1:0, recording into the returned recorder.
pub async fn start(forward: &str) -> (RunningGateway, RunningForwardProxy, Arc<Recorder>) {
    start_text(&format!("{BASE}\n{forward}")).await
}

/// Like [`start`] over the whole configuration `text` (`{UPSTREAM}` unused).
pub async fn start_text(text: &str) -> (RunningGateway, RunningForwardProxy, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    let (gw, fwd) = start_with_audit(text, rec.clone()).await;
    (gw, fwd, rec)
}

/// Like [`start_text`], recording into `audit`.
pub async fn start_with_audit(
    text: &str,
    audit: Arc<dyn AuditHook>,
) -> (RunningGateway, RunningForwardProxy) {
    let text = text.replace("{UPSTREAM}", "http://127.0.0.1:9");
    let p = std::path::Path::new("t.toml");
    let cfg = config::load_str(&text, p, &|_| None).unwrap_or_else(|e| panic!("{e}"));
    cfg.validate(&text, p).unwrap_or_else(|e| panic!("{e}"));
    let fp = cfg
        .forward_proxy
        .clone()
        .expect("a [forward_proxy] section");
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap();
    let gw = Gateway::new(rt)
        .audit(audit)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let proxy =
        Arc::new(ForwardProxy::new(gw.shared.clone(), &fp).unwrap_or_else(|e| panic!("{e}")));
    let fwd = forward::start(proxy, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (gw, fwd)
}

/// An argon2id hash of `password` for a `[[forward_proxy.users]]` entry.
pub fn hash(password: &str) -> String {
    sekimori::gateway::forward::identity::hash_password(password).unwrap()
}

/// `Proxy-Authorization` value for `user:password`.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Sends `head` (a request head, `\r\n` line ends added) to the proxy and returns the
/// response head and whatever body arrives until the connection is idle 300 ms.
pub async fn raw(proxy: SocketAddr, head: &[&str]) -> (u16, String) {
    let mut s = TcpStream::connect(proxy).await.unwrap();
    let mut req = head.join("\r\n");
    req.push_str("\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    for _ in 0..100 {
        match tokio::time::timeout(Duration::from_millis(300), s.read(&mut chunk)).await {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}
