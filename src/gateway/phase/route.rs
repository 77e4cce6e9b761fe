//! Phase `route`: which API and endpoint the path names; API calls are POST.

use std::sync::Arc;

use http::Method;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::super::route::{self, RouteError};
use super::Ctx;

/// Classifies the path and records the front end.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let route = match route::classify(cx.parts.uri.path()) {
        Ok(r) => r,
        Err(RouteError::BadPath(why)) => {
            return Err(Refusal::BadPath {
                why: why.to_string(),
            }
            .into())
        }
        Err(RouteError::Unknown) => return Err(Refusal::UnknownRoute.into()),
    };
    cx.record.front_end = Some(format!("{}-{}", route.api.as_str(), route.endpoint_name()));
    cx.route = Some(Arc::new(route));
    if cx.parts.method != Method::POST {
        return Err(Refusal::MethodNotAllowed.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn routes_and_refuses() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = Ctx::new(
            &shared,
            &conn,
            testing::parts("POST", "/v1/chat/completions", &[]),
        );
        run(&mut cx).unwrap();
        assert_eq!(
            cx.record.front_end.as_deref(),
            Some("openai-chat.completions")
        );

        let mut cx = Ctx::new(
            &shared,
            &conn,
            testing::parts("GET", "/v1/chat/completions", &[]),
        );
        assert_eq!(run(&mut cx).unwrap_err().code, "method_not_allowed");
        assert!(
            cx.route.is_some(),
            "the route is known even when the method is refused"
        );

        let mut cx = Ctx::new(&shared, &conn, testing::parts("POST", "/nowhere", &[]));
        assert_eq!(run(&mut cx).unwrap_err().code, "unknown_route");
    }
}
