//! Operations endpoints (`/healthz`, `/readyz`, `/metrics`), answered before the API
//! phases and without an outcome record.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{header, Method, Response, StatusCode};
use serde_json::json;

use super::super::boxed::{self, Body};
use super::super::respond::json_response;
use super::super::state::Shared;

/// The answer of an operations endpoint, or `None` for any other request.
pub fn answer(shared: &Shared, method: &Method, path: &str) -> Option<Response<Body>> {
    if method != Method::GET {
        return None;
    }
    match path {
        "/healthz" => Some(boxed::full(json_response(
            StatusCode::OK,
            &json!({"status": "ok"}),
        ))),
        "/readyz" => {
            let ready = shared.audit.ready();
            let status = if ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            Some(boxed::full(json_response(
                status,
                &json!({"ready": ready, "audit": ready, "engine": true,
                        "config_generation": shared.generation.load(Ordering::Relaxed)}),
            )))
        }
        "/metrics" => {
            let mut text = shared.metrics.render();
            shared.inspections.render(&mut text);
            let mut r = Response::new(boxed::full_body(Bytes::from(text)));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            Some(r)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn only_get_of_the_three_paths_is_answered() {
        let (shared, _conn) = testing::shared_and_conn();
        assert_eq!(
            answer(&shared, &Method::GET, "/healthz").map(|r| r.status()),
            Some(StatusCode::OK)
        );
        assert!(answer(&shared, &Method::POST, "/healthz").is_none());
        assert!(answer(&shared, &Method::GET, "/v1/chat/completions").is_none());
    }
}
