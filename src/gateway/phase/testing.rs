//! Helpers for the phases' unit tests: the embedded default configuration (anonymous
//! callers, the demo upstream), no audit log, a loopback connection.

use std::sync::Arc;

use super::super::hooks::NoAudit;
use super::super::runtime::Runtime;
use super::super::state::{ConnInfo, Shared};
use super::Ctx;

/// Shared state over the embedded default configuration, and a connection from 127.0.0.1.
pub fn shared_and_conn() -> (Shared, ConnInfo) {
    let rt = Runtime::build(crate::config::embedded_default(), None).expect("default config");
    let shared = Shared::new(rt, Arc::new(NoAudit), 1).expect("shared state");
    let conn = ConnInfo::new("127.0.0.1:40000".parse().unwrap(), Arc::default());
    (shared, conn)
}

/// A request head.
pub fn parts(method: &str, path: &str, headers: &[(&str, &str)]) -> http::request::Parts {
    let mut b = http::Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

/// A context for a POST to `path`, routed.
pub fn routed<'a>(shared: &'a Shared, conn: &'a ConnInfo, path: &str) -> Ctx<'a> {
    let mut cx = Ctx::new(shared, conn, parts("POST", path, &[]));
    super::route::run(&mut cx).expect("route");
    cx
}

/// A context that went through every phase up to `mask` with one user message, as an
/// anonymous caller of the chat API.
pub async fn masked<'a>(shared: &'a Shared, conn: &'a ConnInfo, text: &str) -> Ctx<'a> {
    let mut cx = routed(shared, conn, "/v1/chat/completions");
    super::identify::run(&mut cx).expect("identify");
    cx.value = serde_json::json!({"model": "m", "messages": [{"role": "user", "content": text}]});
    super::authorize::run(&mut cx).expect("authorize");
    super::inspect::run(&mut cx).await.expect("inspect");
    super::decide::run(&mut cx).expect("decide");
    super::mask::run(&mut cx).expect("mask");
    cx
}
