//! Phase `parse`: strict JSON (no duplicate keys, no lone surrogates, bounded
//! nesting), no invisible Unicode tag characters; whether a stream is asked for.

use crate::payload::request as payload;

use super::super::errors::Refusal;
use super::super::respond::GatewayError;
use super::Ctx;

/// Parses [`Ctx::body`] into [`Ctx::value`].
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let value = payload::parse_strict(&cx.body).map_err(Refusal::BadJson)?;
    if let Some(place) = payload::find_tag_characters(&value) {
        return Err(Refusal::TagCharacters {
            place: place.to_string(),
        }
        .into());
    }
    // A front door without an API route (a "test a text" call) has no stream path; a
    // token count is answered as JSON whatever its body says.
    let route = cx.route.as_ref();
    cx.stream = (payload::wants_stream(&value) || route.is_some_and(|r| r.stream_path))
        && !route.is_some_and(|r| r.count_tokens);
    cx.value = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn strict_json_and_stream() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = testing::routed(&shared, &conn, "/v1/chat/completions");
        cx.body = bytes::Bytes::from_static(br#"{"a":1,"a":2}"#);
        assert_eq!(run(&mut cx).unwrap_err().code, "duplicate_key");
        cx.body = bytes::Bytes::from_static(br#"{"model":"m","stream":true,"messages":[]}"#);
        run(&mut cx).unwrap();
        assert!(cx.stream);
        assert_eq!(cx.value["model"], "m");
    }
}
