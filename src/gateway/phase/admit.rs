//! Phase `admit`: a request head that carried both `Content-Length` and
//! `Transfer-Encoding` (seen by the connection's sniffer) is refused and the
//! connection closed.

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::Ctx;

/// Refuses a smuggling attempt.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    if cx.conn.smuggling.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Refusal::Smuggling.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn smuggling_is_refused_and_closes() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = Ctx::new(
            &shared,
            &conn,
            testing::parts("POST", "/v1/chat/completions", &[]),
        );
        assert!(run(&mut cx).is_ok());
        conn.smuggling
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let e = run(&mut cx).unwrap_err();
        assert_eq!(e.code, "content_length_with_transfer_encoding");
        assert!(e.close);
    }
}
