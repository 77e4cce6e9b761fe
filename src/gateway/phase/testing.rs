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
