//! OAuth2 access tokens of a Vertex AI upstream, minted from a service-account key
//! file with the JWT bearer grant (RFC 7523): an RS256 JWT (`jsonwebtoken`) signed with
//! the key's private key, exchanged at the key's `token_uri` (or the configured
//! `token_url`) over the gateway's HTTP client.
//!
//! A token is cached and refreshed before it expires (five minutes early, or half its
//! lifetime if that is shorter); concurrent requests wait for one exchange. Neither
//! the private key nor a token is ever logged or put in an error message: the
//! [`std::fmt::Debug`] output names the service account only.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderValue;
use serde::Deserialize;

/// The scope requested for Vertex AI.
pub const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Google's token endpoint, when the key file names none.
pub const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// Lifetime asked for in the JWT (Google's maximum).
const JWT_LIFETIME_SECS: u64 = 3600;
/// How long before expiry a token is refreshed (at most).
const REFRESH_EARLY_SECS: u64 = 300;

/// The fields of a service-account key file that are used.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: String,
    private_key: String,
    private_key_id: Option<String>,
    token_uri: Option<String>,
}

/// Why no token could be had (no key material, no token, no prompt text).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The JWT could not be signed.
    #[error(
        "the service-account JWT for upstream '{upstream}' could not be signed; check the key file"
    )]
    Sign {
        /// Upstream name.
        upstream: String,
    },
    /// The token endpoint could not be reached or did not answer in time.
    #[error("the token endpoint of upstream '{upstream}' could not be reached ({why})")]
    Unreachable {
        /// Upstream name.
        upstream: String,
        /// The transport's reason (no URL query, no secret).
        why: String,
    },
    /// The token endpoint refused the grant or answered something else.
    #[error("the token endpoint of upstream '{upstream}' refused the grant (HTTP {status}); check that the service account exists, is enabled and its key is valid")]
    Refused {
        /// Upstream name.
        upstream: String,
        /// The endpoint's status.
        status: u16,
    },
}

struct Cached {
    value: HeaderValue,
    refresh_at: Instant,
}

/// Access tokens of one service account.
pub struct TokenSource {
    email: String,
    key: jsonwebtoken::EncodingKey,
    key_id: Option<String>,
    token_url: String,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("service_account", &self.email)
            .finish_non_exhaustive()
    }
}

/// Whether a token endpoint URL may be used: https, or http to a loopback address
/// (a test endpoint on the same machine).
fn acceptable_token_url(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => true,
        "http" => match u.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        },
        _ => false,
    }
}

impl TokenSource {
    /// Reads a service-account key file; `token_url` overrides its `token_uri`.
    /// The error says what is wrong without quoting the file.
    pub fn from_file(path: &Path, token_url: Option<&str>) -> Result<TokenSource, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let key: KeyFile = serde_json::from_str(&text).map_err(|_| {
            format!(
                "{} is not a service-account key file (JSON with client_email and private_key)",
                path.display()
            )
        })?;
        if key.kind.as_deref().is_some_and(|k| k != "service_account") {
            return Err(format!("{} is not of type service_account", path.display()));
        }
        let encoding = jsonwebtoken::EncodingKey::from_rsa_pem(key.private_key.as_bytes())
            .map_err(|_| {
                format!(
                    "the private_key of {} is not an RSA key in PEM",
                    path.display()
                )
            })?;
        let token_url = token_url
            .map(str::to_string)
            .or(key.token_uri)
            .unwrap_or_else(|| DEFAULT_TOKEN_URL.to_string());
        if !acceptable_token_url(&token_url) {
            return Err(
                "the token endpoint must be an https:// URL (http:// only on loopback)".into(),
            );
        }
        Ok(TokenSource {
            email: key.client_email,
            key: encoding,
            key_id: key.private_key_id,
            token_url,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// The service account's e-mail.
    pub fn service_account(&self) -> &str {
        &self.email
    }

    /// The signed JWT asserting the service account, issued at `now` (Unix seconds).
    pub fn assertion(&self, now: u64) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = self.key_id.clone();
        let claims = serde_json::json!({
            "iss": self.email,
            "scope": SCOPE,
            "aud": self.token_url,
            "iat": now,
            "exp": now + JWT_LIFETIME_SECS,
        });
        jsonwebtoken::encode(&header, &claims, &self.key)
    }

    /// `Bearer <access token>` for a request now: the cached token, or a new one.
    pub async fn bearer(
        &self,
        client: &reqwest::Client,
        upstream: &str,
    ) -> Result<HeaderValue, TokenError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(c.value.clone());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let jwt = self.assertion(now).map_err(|_| TokenError::Sign {
            upstream: upstream.to_string(),
        })?;
        let unreachable = |why: String| TokenError::Unreachable {
            upstream: upstream.to_string(),
            why,
        };
        let resp = client
            .post(&self.token_url)
            .timeout(Duration::from_secs(30))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", jwt.as_str()),
            ])
            .send()
            .await
            .map_err(|e| {
                unreachable(if e.is_timeout() {
                    "timed out".into()
                } else {
                    "connection failed".into()
                })
            })?;
        let status = resp.status().as_u16();
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
            expires_in: Option<u64>,
        }
        let refused = || TokenError::Refused {
            upstream: upstream.to_string(),
            status,
        };
        if !resp.status().is_success() {
            return Err(refused());
        }
        let token: Token = resp.json().await.map_err(|_| refused())?;
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.access_token))
            .map_err(|_| refused())?;
        value.set_sensitive(true);
        let life = token.expires_in.unwrap_or(JWT_LIFETIME_SECS);
        let early = REFRESH_EARLY_SECS.min(life / 2);
        *cache = Some(Cached {
            value: value.clone(),
            refresh_at: Instant::now() + Duration::from_secs(life - early),
        });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../tests/fixtures/vertex/test-sa-key.pem");
    const PUBLIC: &str = include_str!("../../tests/fixtures/vertex/test-sa-key.pub.pem");

    fn key_file(dir: &Path, token_uri: &str) -> std::path::PathBuf {
        let p = dir.join("sa.json");
        let v = serde_json::json!({
            "type": "service_account", "project_id": "sekimori-test",
            "private_key_id": "kid-1", "private_key": KEY,
            "client_email": "sekimori@sekimori-test.iam.gserviceaccount.com",
            "token_uri": token_uri,
        });
        std::fs::write(&p, v.to_string()).unwrap();
        p
    }

    #[test]
    fn the_assertion_is_an_rs256_jwt_for_the_token_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let ts = TokenSource::from_file(&key_file(dir.path(), DEFAULT_TOKEN_URL), None).unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let jwt = ts.assertion(now).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[DEFAULT_TOKEN_URL]);
        v.set_issuer(&["sekimori@sekimori-test.iam.gserviceaccount.com"]);
        let d = jsonwebtoken::decode::<serde_json::Value>(
            &jwt,
            &jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).unwrap(),
            &v,
        )
        .unwrap();
        assert_eq!(d.claims["scope"], SCOPE);
        assert_eq!(d.header.kid.as_deref(), Some("kid-1"));
        assert!(!format!("{ts:?}").contains("PRIVATE"));
    }

    #[test]
    fn bad_key_files_and_endpoints_are_refused_without_quoting_them() {
        let dir = tempfile::tempdir().unwrap();
        for uri in ["http://oauth2.example.jp/token", "ftp://127.0.0.1/token"] {
            let e = TokenSource::from_file(&key_file(dir.path(), uri), None).unwrap_err();
            assert!(e.contains("https://"), "{e}");
        }
        assert!(
            TokenSource::from_file(&key_file(dir.path(), "http://127.0.0.1:9/token"), None).is_ok()
        );
        let p = dir.path().join("bad.json");
        std::fs::write(
            &p,
            r#"{"client_email":"a@b","private_key":"not a key SECRETPART"}"#,
        )
        .unwrap();
        let e = TokenSource::from_file(&p, None).unwrap_err();
        assert!(!e.contains("SECRETPART"), "{e}");
    }
}
