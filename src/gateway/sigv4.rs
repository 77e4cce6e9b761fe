//! AWS Signature Version 4 for Bedrock upstreams, with the `aws-sigv4` crate.
//!
//! The gateway rewrites every body it forwards (masked text, re-serialized JSON), so a
//! client's own signature could never be passed on: Sekimori holds the upstream's AWS
//! credentials and signs each request itself, for service `bedrock` in the region of
//! the upstream host (`bedrock-runtime.ap-northeast-1.amazonaws.com` →
//! `ap-northeast-1`). The path is signed as it is sent (the model id percent-encoded
//! once, as the AWS SDKs send it; the crate encodes it a second time for the canonical
//! request, as SigV4 for services other than S3 wants). The body is handed to the
//! signer only as its SHA-256, so no prompt text can reach the crate's trace output.

use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

/// The SigV4 service name of the Bedrock runtime.
pub const SERVICE: &str = "bedrock";

/// Why a request could not be signed (carries no credential and no body text).
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The crate refused the request or the parameters.
    #[error("the request to upstream '{upstream}' could not be SigV4-signed ({why}); check its base_url and AWS credentials")]
    Signing {
        /// Upstream name.
        upstream: String,
        /// The crate's reason (about the URL or parameters, never a secret).
        why: String,
    },
}

/// AWS credentials and region of one Bedrock upstream.
#[derive(Clone)]
pub struct AwsSigner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    region: String,
}

impl std::fmt::Debug for AwsSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never prints the secret or the session token.
        f.debug_struct("AwsSigner")
            .field("region", &self.region)
            .field("session_token", &self.session_token.is_some())
            .finish_non_exhaustive()
    }
}

impl AwsSigner {
    /// A signer for `region` with long-term (`session_token` `None`) or temporary
    /// credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        region: impl Into<String>,
    ) -> Self {
        AwsSigner {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            region: region.into(),
        }
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The headers that sign `method url` with `headers` (all of which are signed, with
    /// the `host` of `url`) and `body` at `time`: `x-amz-date`, `authorization`, and
    /// `x-amz-security-token` with temporary credentials. Add them to the request as
    /// they are.
    pub fn sign(
        &self,
        upstream: &str,
        method: &str,
        url: &str,
        headers: &HeaderMap,
        body: &[u8],
        time: SystemTime,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, SignError> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let fail = |why: String| SignError::Signing {
            upstream: upstream.to_string(),
            why,
        };
        let creds = aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
            None,
            "sekimori-config",
        );
        let identity = creds.into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| fail(e.to_string()))?
            .into();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
            .collect();
        let digest = hex::encode(Sha256::digest(body));
        let request = SignableRequest::new(
            method,
            url,
            pairs.into_iter(),
            SignableBody::Precomputed(digest),
        )
        .map_err(|e| fail(e.to_string()))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| fail(e.to_string()))?
            .into_parts();
        let mut out = Vec::new();
        for (name, value) in instructions.headers() {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| fail("a signing header name is invalid".into()))?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| fail("a signing header value is invalid".into()))?;
            value.set_sensitive(true);
            out.push((name, value));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn signer(token: Option<&str>) -> AwsSigner {
        AwsSigner::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token.map(str::to_string),
            "ap-northeast-1",
        )
    }

    #[test]
    fn signs_with_the_host_region_and_the_encoded_path() {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let t = UNIX_EPOCH + Duration::from_secs(1_765_000_000);
        let url = "https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/jp.anthropic.claude-3-haiku-20240307-v1%3A0/converse";
        let out = signer(Some("SESSIONTOKEN"))
            .sign("u", "POST", url, &h, br#"{"messages":[]}"#, t)
            .unwrap();
        let get = |n: &str| {
            out.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.to_str().unwrap().to_string())
        };
        let auth = get("authorization").unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251206/ap-northeast-1/bedrock/aws4_request"),
            "{auth}"
        );
        assert!(
            auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"),
            "{auth}"
        );
        assert_eq!(get("x-amz-security-token").as_deref(), Some("SESSIONTOKEN"));
        assert_eq!(get("x-amz-date").as_deref(), Some("20251206T054640Z"));
        // The same request signed twice gives the same signature; another body another.
        let again = signer(Some("SESSIONTOKEN"))
            .sign("u", "POST", url, &h, br#"{"messages":[]}"#, t)
            .unwrap();
        assert_eq!(out, again);
        let other = signer(Some("SESSIONTOKEN"))
            .sign("u", "POST", url, &h, br#"{"messages":[1]}"#, t)
            .unwrap();
        assert_ne!(out, other);
        assert!(!format!("{:?}", signer(Some("SESSIONTOKEN"))).contains("SESSIONTOKEN"));
        assert!(!format!("{:?}", signer(None)).contains("EXAMPLEKEY"));
    }
}
