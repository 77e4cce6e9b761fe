//! Phase `identify`: who is calling — a trusted header from the fronting
//! application, a Sekimori API key, or anonymous when allowed.

use std::sync::Arc;

use http::{header, HeaderMap};
use sha2::{Digest, Sha256};

use super::super::errors::{CredentialConflict, Refusal};
use super::super::respond::GatewayError;
use super::super::runtime::{canonical, Principal, Runtime};
use super::super::state::ConnInfo;
use super::Ctx;

/// Identifies the caller and records user and department.
pub fn run(cx: &mut Ctx<'_>) -> Result<(), GatewayError> {
    let p = principal(&cx.rt, &cx.parts.headers, cx.parts.uri.query(), cx.conn)?;
    cx.record.user = Some(p.user.clone());
    cx.record.department = Some(p.department.clone());
    cx.principal = Some(Arc::new(p));
    Ok(())
}

/// Identifies the caller: trusted header (fronting app), Sekimori API key, or anonymous.
pub fn principal(
    rt: &Runtime,
    headers: &HeaderMap,
    query: Option<&str>,
    conn: &ConnInfo,
) -> Result<Principal, GatewayError> {
    if let Some(t) = &rt.trusted {
        let claims_user =
            headers.contains_key(&t.user_header) || headers.contains_key(&t.secret_header);
        if claims_user {
            for h in [&t.user_header, &t.department_header, &t.secret_header] {
                if headers.get_all(h).iter().count() > 1 {
                    return Err(Refusal::DuplicateIdentityHeader {
                        header: h.to_string(),
                    }
                    .into());
                }
            }
            let ip = canonical(conn.peer.ip());
            if !t.clients.iter().any(|n| n.contains(&ip)) {
                return Err(Refusal::UntrustedClient.into());
            }
            let secret = headers
                .get(&t.secret_header)
                .map(|v| v.as_bytes())
                .unwrap_or(b"");
            let d: [u8; 32] = Sha256::digest(secret).into();
            let diff = d
                .iter()
                .zip(t.secret_sha256.iter())
                .fold(0u8, |a, (x, y)| a | (x ^ y));
            if diff != 0 {
                return Err(Refusal::BadSharedSecret.into());
            }
            let get = |h: &http::HeaderName| {
                headers
                    .get(h)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && s.len() <= 256)
            };
            let user = get(&t.user_header).ok_or(Refusal::MissingUserHeader)?;
            let dept = get(&t.department_header).unwrap_or("default");
            return Ok(Principal {
                user: user.to_string(),
                department: dept.to_string(),
            });
        }
    }
    let key = presented_key(headers, query)?;
    if let Some(k) = key.filter(|k| !k.is_empty()) {
        let h: [u8; 32] = Sha256::digest(k.as_bytes()).into();
        if let Some(p) = rt.keys.get(&h) {
            return Ok(p.clone());
        }
        if !rt.allow_anonymous {
            return Err(Refusal::InvalidApiKey.into());
        }
    }
    if rt.allow_anonymous {
        return Ok(Principal {
            user: ANONYMOUS_USER.into(),
            department: "default".into(),
        });
    }
    Err(Refusal::MissingApiKey.into())
}

/// The user id of a caller admitted without identity (`[auth] allow_anonymous`).
pub const ANONYMOUS_USER: &str = "anonymous";

/// Headers that may carry a Sekimori API key (besides `Authorization: Bearer`).
const KEY_HEADERS: &[&str] = &["x-api-key", "api-key", "x-goog-api-key"];

/// The API key the caller presented, from `Authorization: Bearer`, [`KEY_HEADERS`] or a
/// `key=` query parameter. A caller who presents two different keys, or the same
/// credential header twice, is refused (400): which one counts would otherwise depend
/// on the order of the checks ("first wins"). The same key in two places is one key.
pub fn presented_key(
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Option<String>, GatewayError> {
    let conflicting =
        |c: CredentialConflict| -> GatewayError { Refusal::ConflictingCredentials(c).into() };
    let mut found: Vec<String> = Vec::new();
    for name in std::iter::once(header::AUTHORIZATION.as_str()).chain(KEY_HEADERS.iter().copied()) {
        let mut values = headers.get_all(name).iter();
        let Some(v) = values.next() else { continue };
        if values.next().is_some() {
            return Err(conflicting(CredentialConflict::HeaderTwice(
                name.to_string(),
            )));
        }
        let v = v.to_str().unwrap_or("");
        let key = if name == header::AUTHORIZATION.as_str() {
            match v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
            {
                Some(k) => k,
                None => continue,
            }
        } else {
            v
        };
        let key = key.trim();
        if !key.is_empty() {
            found.push(key.to_string());
        }
    }
    if let Some(q) = query {
        let mut keys = url::form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "key");
        if let Some((_, v)) = keys.next() {
            if keys.next().is_some() {
                return Err(conflicting(CredentialConflict::QueryTwice));
            }
            if !v.trim().is_empty() {
                found.push(v.trim().to_string());
            }
        }
    }
    found.dedup();
    if found.iter().any(|k| *k != found[0]) {
        return Err(conflicting(CredentialConflict::TwoKeys));
    }
    Ok(found.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn anonymous_when_allowed() {
        let (shared, conn) = testing::shared_and_conn();
        let mut cx = Ctx::new(
            &shared,
            &conn,
            testing::parts("POST", "/v1/chat/completions", &[]),
        );
        run(&mut cx).unwrap();
        assert_eq!(cx.record.user.as_deref(), Some("anonymous"));
        assert_eq!(cx.record.department.as_deref(), Some("default"));
    }

    #[test]
    fn two_different_keys_conflict() {
        let (shared, conn) = testing::shared_and_conn();
        let parts = testing::parts(
            "POST",
            "/v1/chat/completions",
            &[("authorization", "Bearer sk-one"), ("x-api-key", "sk-two")],
        );
        let mut cx = Ctx::new(&shared, &conn, parts);
        assert_eq!(run(&mut cx).unwrap_err().code, "conflicting_credentials");
        assert!(cx.record.user.is_none());
    }

    #[test]
    fn the_same_key_twice_is_one_key() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer sk-one".parse().unwrap());
        h.insert("x-api-key", "sk-one".parse().unwrap());
        assert_eq!(
            presented_key(&h, Some("key=sk-one")).unwrap().as_deref(),
            Some("sk-one")
        );
    }
}
