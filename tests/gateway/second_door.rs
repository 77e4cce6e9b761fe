//! A second, minimal front door over the same pipeline: a "test a text" call that runs
//! identify, read, parse, inspect and decide with its own route and its own renderer
//! (a small JSON verdict), and records the outcome through the same audit hook.
//! Nothing is forwarded.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use sekimori::config;
use sekimori::gateway::boxed::{self, Body};
use sekimori::gateway::hooks::{
    AuditError, AuditHook, ForwardRecord, HookFuture, Outcome, OutcomeRecord, PromptText,
};
use sekimori::gateway::phase::{self, Ctx};
use sekimori::gateway::respond::{json_response, GatewayError};
use sekimori::gateway::route::Api;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::state::{ConnInfo, Shared};
use sekimori::gateway::{Gateway, RunningGateway};

use super::BASE;
use crate::util::{client, FakeUpstream, Reply};

/// Keeps what the pipeline recorded.
#[derive(Default)]
struct Recorder {
    forwards: Mutex<Vec<ForwardRecord>>,
    outcomes: Mutex<Vec<OutcomeRecord>>,
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

/// The door's renderer: a refusal as a verdict, not in an API's error shape.
fn render_verdict(e: GatewayError, _api: Option<Api>, request_id: &str) -> Response<Full<Bytes>> {
    let verdict = match e.outcome {
        Outcome::Blocked => "blocked",
        Outcome::Warned => "warned",
        _ => "refused",
    };
    json_response(
        e.status,
        &json!({"verdict": verdict, "code": e.code, "request_id": request_id}),
    )
}

/// The door's phases: the reverse proxy's identify/read/parse/inspect/decide, with
/// its own route (no API) and its own answer; the outcome is recorded by `finish`.
async fn test_text(
    cx: &mut Ctx<'_>,
    body: hyper::body::Incoming,
) -> Result<Response<Body>, GatewayError> {
    phase::identify::run(cx)?;
    phase::read::run(cx, body).await?;
    phase::parse::run(cx)?;
    phase::inspect::run(cx).await?;
    phase::decide::run(cx)?;
    let found: Vec<&str> = cx.locations.iter().map(|l| l.category.as_str()).collect();
    Ok(boxed::full(json_response(
        StatusCode::OK,
        &json!({"verdict": "pass", "found": found, "request_id": cx.request_id()}),
    )))
}

async fn door(
    shared: Arc<Shared>,
    conn: ConnInfo,
    req: Request<hyper::body::Incoming>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let mut cx = Ctx::new(&shared, &conn, parts);
    cx.record.front_end = Some("admin-test_text".into());
    let result = test_text(&mut cx, body).await;
    phase::finish::run(cx, result, render_verdict)
}

/// Serves the door on 127.0.0.1:0 over the gateway's shared state.
async fn start_door(shared: Arc<Shared>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let conn = ConnInfo::new(peer, Arc::default());
                let svc = service_fn(move |req| {
                    let shared = shared.clone();
                    let conn = conn.clone();
                    async move { Ok::<_, Infallible>(door(shared, conn, req).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

async fn start_gateway(upstream: &str, audit: Arc<dyn AuditHook>) -> RunningGateway {
    let text = BASE.replace("{UPSTREAM}", upstream);
    let p = std::path::Path::new("t.toml");
    let cfg = config::load_str(&text, p, &|_| None).unwrap();
    cfg.validate(&text, p).unwrap();
    let rt = tokio::task::spawn_blocking(move || Runtime::build(cfg, None))
        .await
        .unwrap()
        .unwrap();
    Gateway::new(rt)
        .audit(audit)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn ask(addr: SocketAddr, text: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = client()
        .post(format!("http://{addr}/admin/test-text"))
        .header("content-type", "application/json")
        .body(json!({"text": text}).to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn outcomes(rec: &Recorder, n: usize) -> Vec<OutcomeRecord> {
    // Outcomes are written off the response path: wait for them (bounded).
    for _ in 0..200 {
        if rec.outcomes.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    rec.outcomes.lock().unwrap().clone()
}

#[tokio::test]
async fn a_test_text_door_runs_the_same_phases_and_records_the_outcome() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let rec = Arc::new(Recorder::default());
    let gw = start_gateway(&up.url(), rec.clone()).await;
    let door = start_door(gw.shared.clone()).await;

    // My Number is blocked by the policy (BASE): the verdict says so, by code.
    let (s, v) = ask(
        door,
        "森川陽菜のマイナンバーは123456789018です",
        &[("authorization", "Bearer sk-test-key")],
    )
    .await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["code"], "blocked_personal_data");
    let blocked_id = v["request_id"].as_str().unwrap().to_string();

    // A phone number is masked by the policy, not refused: the text passes, and the
    // verdict names what would be masked.
    let (s, v) = ask(door, "森川陽菜の電話は090-1234-5678です", &[]).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["verdict"], "pass");
    assert!(
        v["found"].as_array().unwrap().iter().any(|c| c == "phone"),
        "{v}"
    );
    let passed_id = v["request_id"].as_str().unwrap().to_string();

    // A refusal before inspection comes from the same catalogue.
    let (s, v) = ask(
        door,
        "こんにちは",
        &[("authorization", "Bearer sk-one"), ("x-api-key", "sk-two")],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["verdict"], "refused");
    assert_eq!(v["code"], "conflicting_credentials");

    let recs = outcomes(&rec, 3).await;
    assert_eq!(recs.len(), 3);
    let blocked = recs.iter().find(|r| r.request_id == blocked_id).unwrap();
    assert_eq!(blocked.outcome, Outcome::Blocked);
    assert_eq!(blocked.status, 403);
    assert_eq!(blocked.error_code, Some("blocked_personal_data"));
    assert_eq!(blocked.user.as_deref(), Some("tanaka"));
    assert_eq!(blocked.department.as_deref(), Some("kosodate"));
    assert_eq!(blocked.front_end.as_deref(), Some("admin-test_text"));
    assert_eq!(blocked.categories, vec!["my_number".to_string()]);
    assert!(blocked.findings.iter().any(|f| f.category == "my_number"));
    assert_eq!(
        blocked.chars_inspected,
        "森川陽菜のマイナンバーは123456789018です".chars().count()
    );
    assert!(!blocked.forwarded);
    assert_eq!(blocked.upstream, None);

    let passed = recs.iter().find(|r| r.request_id == passed_id).unwrap();
    assert_eq!(passed.status, 200);
    assert_eq!(passed.error_code, None);
    assert_eq!(passed.user.as_deref(), Some("anonymous"));
    assert!(!passed.forwarded, "the door never forwards");
    assert!(passed.findings.is_empty(), "only refusals list findings");

    let refused = recs
        .iter()
        .find(|r| r.error_code == Some("conflicting_credentials"))
        .unwrap();
    assert_eq!(refused.outcome, Outcome::Refused);
    assert_eq!(refused.status, 400);
    assert_eq!(refused.user, None);

    // Nothing was forwarded and nothing left for an upstream.
    assert!(rec.forwards.lock().unwrap().is_empty());
    assert!(up.received().is_empty());

    // The reverse proxy on the same state still answers as before.
    let (s, _, v) = crate::util::post(
        &gw,
        "/v1/chat/completions",
        &super::chat("マイナンバー123456789018"),
        &[],
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(v["error"]["code"], "blocked_personal_data");
}
