//! Phase `headers`: the forwarded headers (the allow list's values, their forms,
//! personal data in them), checked before the body is read.

use super::super::errors::Refusal;
use super::super::headers;
use super::super::respond::GatewayError;
use super::Ctx;

/// Refuses a forwarded header whose value is not of its form.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    headers::check(&cx.parts.headers)
        .and_then(|()| headers::inspect(&cx.rt.engine, &cx.parts.headers))
        .map_err(Refusal::BadHeader)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn no_forwarded_headers_pass() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = Ctx::new(
            &shared,
            &conn,
            testing::parts("POST", "/v1/chat/completions", &[]),
        );
        assert!(run(&mut cx).is_ok());
    }
}
