//! How one upstream is reached beyond its URL: its own TLS client when it connects to
//! a fixed address (`connect_to`) or trusts extra roots (`ca_file`), the SigV4
//! signer of a Bedrock upstream with AWS credentials, and the OAuth2 token source of a
//! Vertex upstream with a service account. Built with the configuration
//! snapshot ([`super::runtime::Runtime::build`]), never on the request path.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::UpstreamConfig;

use super::gcp_token::TokenSource;
use super::sigv4::AwsSigner;

/// A configuration problem of one upstream's transport: the key, what is wrong, and
/// how to fix it (no credential value in any of them).
#[derive(Debug)]
pub struct TransportError {
    /// The key at fault (`aws_secret_access_key`, `connect_to`, …).
    pub key: &'static str,
    /// What is wrong.
    pub reason: String,
    /// How to fix it.
    pub fix: String,
}

fn err(key: &'static str, reason: impl Into<String>, fix: impl Into<String>) -> TransportError {
    TransportError {
        key,
        reason: reason.into(),
        fix: fix.into(),
    }
}

/// What [`build`] makes for one upstream.
#[derive(Debug, Default)]
pub struct Transport {
    /// The upstream's own client (`connect_to`, `ca_file`); `None`: the shared one.
    pub client: Option<reqwest::Client>,
    /// The SigV4 signer (Bedrock with AWS credentials).
    pub signer: Option<Arc<AwsSigner>>,
    /// OAuth2 access tokens from a service account (Vertex).
    pub google: Option<Arc<TokenSource>>,
}

/// Builds the transport of `u`; `base` is the configuration file's directory.
pub fn build(u: &UpstreamConfig, base: &Path) -> Result<Transport, TransportError> {
    Ok(Transport {
        client: client(u, base)?,
        signer: signer(u)?,
        google: google(u, base)?,
    })
}

fn google(u: &UpstreamConfig, base: &Path) -> Result<Option<Arc<TokenSource>>, TransportError> {
    let Some(file) = &u.service_account_file else {
        if u.token_url.is_some() {
            return Err(err(
                "token_url",
                "token_url is set without service_account_file",
                "add service_account_file or remove token_url",
            ));
        }
        return Ok(None);
    };
    if u.provider != "vertex" {
        return Err(err(
            "service_account_file",
            format!(
                "a service account is set on an upstream with provider = \"{}\"",
                u.provider
            ),
            "set service_account_file only on provider = \"vertex\" upstreams",
        ));
    }
    if u.api_key.is_some() {
        return Err(err(
            "api_key",
            "both api_key and service_account_file are set",
            "keep service_account_file (Vertex takes OAuth2 access tokens)",
        ));
    }
    TokenSource::from_file(&base.join(file), u.token_url.as_deref())
        .map(|t| Some(Arc::new(t)))
        .map_err(|why| {
            err(
                "service_account_file",
                why,
                "download a JSON key of the service account (IAM → Service accounts → Keys) and give its path",
            )
        })
}

fn signer(u: &UpstreamConfig) -> Result<Option<Arc<AwsSigner>>, TransportError> {
    let any = u.aws_access_key_id.is_some()
        || u.aws_secret_access_key.is_some()
        || u.aws_session_token.is_some();
    if !any {
        return Ok(None);
    }
    if u.provider != "bedrock" {
        return Err(err(
            "aws_access_key_id",
            format!(
                "AWS credentials are set on an upstream with provider = \"{}\"",
                u.provider
            ),
            "set aws_* keys only on provider = \"bedrock\" upstreams",
        ));
    }
    if u.api_key.is_some() {
        return Err(err(
            "api_key",
            "both a Bedrock API key (api_key) and AWS credentials (aws_*) are set",
            "keep one: api_key for a Bedrock API key, or aws_access_key_id and aws_secret_access_key for SigV4",
        ));
    }
    let (Some(id), Some(secret)) = (&u.aws_access_key_id, &u.aws_secret_access_key) else {
        return Err(err(
            "aws_secret_access_key",
            "aws_access_key_id and aws_secret_access_key must be set together",
            "set both, e.g. \"${AWS_ACCESS_KEY_ID}\" and \"${AWS_SECRET_ACCESS_KEY}\"",
        ));
    };
    if id.is_empty() || secret.is_empty() {
        return Err(err(
            "aws_access_key_id",
            "an AWS credential is empty",
            "check the environment variables the configuration names",
        ));
    }
    let host = url::Url::parse(&u.base_url)
        .ok()
        .and_then(|x| x.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let Some((_, region)) = crate::region::BEDROCK_HOSTS
        .iter()
        .find(|(h, _)| *h == host)
    else {
        return Err(err(
            "base_url",
            "the Bedrock host names no region in Japan to sign for",
            "use https://bedrock-runtime.ap-northeast-1.amazonaws.com or ap-northeast-3",
        ));
    };
    Ok(Some(Arc::new(AwsSigner::new(
        id.clone(),
        secret.clone(),
        u.aws_session_token.clone().filter(|t| !t.is_empty()),
        *region,
    ))))
}

/// Loopback and private addresses (RFC 1918, IPv6 unique local): where an interface
/// endpoint inside the municipality's network can be.
fn private_or_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private())
                || (v6.segments()[0] & 0xfe00) == 0xfc00
        }
    }
}

fn client(u: &UpstreamConfig, base: &Path) -> Result<Option<reqwest::Client>, TransportError> {
    if u.connect_to.is_none() && u.ca_file.is_none() {
        return Ok(None);
    }
    let mut b = upstream_client_builder();
    if let Some(addr) = &u.connect_to {
        let sa: SocketAddr = addr.parse().map_err(|_| {
            err(
                "connect_to",
                format!("'{addr}' is not an IP:port"),
                "write e.g. connect_to = \"10.0.12.34:443\"",
            )
        })?;
        if !private_or_loopback(sa.ip()) {
            return Err(err(
                "connect_to",
                format!("'{addr}' is not a loopback or private address"),
                "connect_to is for an endpoint inside your network; for a public endpoint leave it out and let DNS answer",
            ));
        }
        let host = url::Url::parse(&u.base_url)
            .ok()
            .and_then(|x| x.host_str().map(str::to_string))
            .ok_or_else(|| err("base_url", "base_url has no host", "write https://host"))?;
        b = b.resolve(&host, sa);
    }
    if let Some(file) = &u.ca_file {
        let path = base.join(file);
        let pem = std::fs::read(&path).map_err(|e| {
            err(
                "ca_file",
                format!("cannot read {}: {e}", path.display()),
                "give the path of a PEM file (relative to the configuration file)",
            )
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                err(
                    "ca_file",
                    format!("{} holds no PEM certificate", path.display()),
                    "use a file of -----BEGIN CERTIFICATE----- blocks",
                )
            })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map(Some).map_err(|e| {
        err(
            "ca_file",
            format!("the upstream's TLS client cannot be built: {e}"),
            "check ca_file and connect_to",
        )
    })
}

/// Builds the upstream client: rustls with the platform roots, verification always on,
/// HTTP/1.1 and HTTP/2 (ALPN), pooled, no redirects, no proxy from the environment.
pub fn upstream_client() -> Result<reqwest::Client, reqwest::Error> {
    upstream_client_builder().build()
}

/// The settings of [`upstream_client`], for an upstream that needs its own client
/// (`connect_to`, `ca_file`).
pub fn upstream_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .https_only(false) // http:// is allowed only for on-premises/loopback, checked at config load
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_secs(
            crate::config::DEFAULT_CONNECT_TIMEOUT_SECS,
        ))
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .user_agent(concat!("sekimori/", env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bedrock() -> UpstreamConfig {
        UpstreamConfig {
            name: "b".into(),
            provider: "bedrock".into(),
            base_url: "https://bedrock-runtime.ap-northeast-3.amazonaws.com".into(),
            ..Default::default()
        }
    }

    #[test]
    fn credentials_and_addresses_are_checked() {
        let base = Path::new(".");
        let t = build(&bedrock(), base).unwrap();
        assert!(t.client.is_none() && t.signer.is_none());

        let mut u = bedrock();
        u.aws_access_key_id = Some("AKIDEXAMPLE".into());
        u.aws_secret_access_key = Some("SECRETEXAMPLE".into());
        u.aws_session_token = Some("TOKENEXAMPLE".into());
        let t = build(&u, base).unwrap();
        assert_eq!(t.signer.as_ref().unwrap().region(), "ap-northeast-3");

        type Change = Box<dyn Fn(&mut UpstreamConfig)>;
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|u| u.aws_secret_access_key = None),
                "aws_secret_access_key",
            ),
            (Box::new(|u| u.api_key = Some("k".into())), "api_key"),
            (
                Box::new(|u| u.provider = "azure_openai".into()),
                "aws_access_key_id",
            ),
            (
                Box::new(|u| u.connect_to = Some("203.0.113.5:443".into())),
                "connect_to",
            ),
            (
                Box::new(|u| u.connect_to = Some("localhost:443".into())),
                "connect_to",
            ),
            (
                Box::new(|u| u.ca_file = Some("/nonexistent/ca.pem".into())),
                "ca_file",
            ),
        ];
        for (change, key) in cases {
            let mut v = u.clone();
            change(&mut v);
            let e = build(&v, base).unwrap_err();
            assert_eq!(e.key, key);
            let all = format!("{} {}", e.reason, e.fix);
            assert!(
                !all.contains("SECRETEXAMPLE") && !all.contains("TOKENEXAMPLE"),
                "{all}"
            );
        }
        let mut v = u.clone();
        v.connect_to = Some("127.0.0.1:8443".into());
        assert!(build(&v, base).unwrap().client.is_some());
        v.connect_to = Some("[fd00::5]:443".into());
        assert!(build(&v, base).unwrap().client.is_some());
    }
}
