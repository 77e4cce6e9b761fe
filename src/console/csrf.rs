//! CSRF protection: every form carries its session's random token in a hidden field;
//! a POST whose token differs from the session's is refused before anything else runs.
//! The cookie is also `SameSite=Strict`, and a POST with an `Origin` of another site
//! is refused.

use rand::RngCore;

/// 32 random bytes from the operating system, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Whether `given` equals `expected`, compared in constant time.
pub fn token_matches(given: Option<&str>, expected: &str) -> bool {
    let Some(given) = given else { return false };
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    if a.len() != b.len() || b.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether an `Origin` header (if any) names this console (`host` as in the `Host`
/// header).
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>) -> bool {
    match (origin, host) {
        (None, _) => true,
        (Some(o), Some(h)) => {
            let rest = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"));
            rest == Some(h)
        }
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert!(token_matches(Some(&t), &t));
        assert!(!token_matches(Some(&t[..63]), &t));
        assert!(!token_matches(None, &t));
        assert!(!token_matches(Some(""), ""));
        assert!(origin_allowed(None, Some("127.0.0.1:8788")));
        assert!(origin_allowed(
            Some("http://127.0.0.1:8788"),
            Some("127.0.0.1:8788")
        ));
        assert!(!origin_allowed(
            Some("https://evil.example"),
            Some("127.0.0.1:8788")
        ));
    }
}
