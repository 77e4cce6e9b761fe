//! Phase `quota`: the monthly caps of the user and the department (characters,
//! tokens), kept by the audit hook.

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::Ctx;

/// Refuses a request over a monthly cap.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let principal = cx.principal("quota")?;
    cx.shared
        .audit
        .check_quota(
            &principal.user,
            &principal.department,
            cx.record.model.as_deref(),
            cx.record.chars_inspected as u64,
        )
        .map_err(Refusal::Quota)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn no_audit_hook_has_no_quota() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        assert_eq!(run(&mut cx).unwrap_err().code, "pipeline_order");
        super::super::identify::run(&mut cx).unwrap();
        assert!(run(&mut cx).is_ok());
    }
}
