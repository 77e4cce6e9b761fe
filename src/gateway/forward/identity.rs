//! Who is calling through the forward proxy: a `Proxy-Authorization: Basic` login
//! (checked by a [`UserCheck`]: local argon2id users now, an LDAP bind later), or the
//! department of the listener or of the client's network. Nobody passes anonymously:
//! without any of them the answer is 407.
//!
//! Successful logins are cached for [`LOGIN_CACHE_TTL`] by a keyed hash of user and
//! password (the key is drawn at start and kept in memory), never the password, so a
//! browser that sends the header with every request costs one argon2 verification per
//! few minutes.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use ipnet::IpNet;
use sha2::Sha256;

use crate::config::forward::ForwardProxyConfig;

use super::super::runtime::{canonical, Principal};
use super::refusal::ProxyRefusal;

/// How long a verified login is remembered.
pub const LOGIN_CACHE_TTL: Duration = Duration::from_secs(300);
/// Most logins remembered at once (the cache is emptied when full).
const LOGIN_CACHE_MAX: usize = 4096;

/// A future returned by a [`UserCheck`].
pub type CheckFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<String>, String>> + Send + 'a>>;

/// Checks a user name and password; `Ok(Some(department))` when they are right,
/// `Ok(None)` when not, `Err(why)` when the check could not be made (a directory
/// unreachable: the caller gets 407 and the reason is logged, no password in it).
pub trait UserCheck: Send + Sync {
    /// Checks one login.
    fn check<'a>(&'a self, user: &'a str, password: &'a str) -> CheckFuture<'a>;
}

/// `[[forward_proxy.users]]`: local users with argon2id hashes.
pub struct LocalUsers {
    users: HashMap<String, (String, String)>,
}

impl LocalUsers {
    /// The users of `cfg` (validated: every hash is argon2id in PHC form).
    pub fn new(cfg: &ForwardProxyConfig) -> Self {
        LocalUsers {
            users: cfg
                .users
                .iter()
                .map(|u| {
                    (
                        u.name.clone(),
                        (u.department.clone(), u.password_hash.clone()),
                    )
                })
                .collect(),
        }
    }
}

/// A hash to verify unknown users against, so a wrong user name takes as long as a
/// wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2VraW1vcmlkdW1teQ$3Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenE";

impl UserCheck for LocalUsers {
    fn check<'a>(&'a self, user: &'a str, password: &'a str) -> CheckFuture<'a> {
        let found = self.users.get(user).cloned();
        let password = password.to_string();
        Box::pin(async move {
            let (dept, hash) = match found {
                Some((d, h)) => (Some(d), h),
                None => (None, DUMMY_HASH.to_string()),
            };
            let ok = tokio::task::spawn_blocking(move || verify(&hash, &password))
                .await
                .map_err(|_| "password verification failed".to_string())?;
            Ok(dept.filter(|_| ok))
        })
    }
}

/// Whether `password` matches the argon2 PHC `hash`.
pub fn verify(hash: &str, password: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// An argon2id hash (default parameters, random salt) of `password`, for
/// `sekimori proxy-user hash`.
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// The compiled identity rules of one listener.
pub struct Identity {
    department: Option<String>,
    networks: Vec<(IpNet, String)>,
    require_login: bool,
    users: Arc<dyn UserCheck>,
    cache_key: [u8; 32],
    cache: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
}

impl Identity {
    /// The rules of `cfg`, logins checked by `users`.
    pub fn new(cfg: &ForwardProxyConfig, users: Arc<dyn UserCheck>) -> Self {
        let mut cache_key = [0u8; 32];
        getrandom::getrandom(&mut cache_key).expect("operating system randomness");
        Identity {
            department: cfg.department.clone(),
            networks: cfg
                .clients
                .iter()
                .filter_map(|c| {
                    let net = c
                        .cidr
                        .parse::<IpNet>()
                        .ok()
                        .or_else(|| c.cidr.parse::<IpAddr>().ok().map(IpNet::from))?;
                    Some((net, c.department.clone()))
                })
                .collect(),
            require_login: cfg.require_login,
            users,
            cache_key,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Who is calling from `peer` with `headers`.
    pub async fn identify(
        &self,
        headers: &HeaderMap,
        peer: IpAddr,
    ) -> Result<Principal, ProxyRefusal> {
        let mut values = headers.get_all(http::header::PROXY_AUTHORIZATION).iter();
        if let Some(v) = values.next() {
            if values.next().is_some() {
                return Err(ProxyRefusal::LoginRequired { wrong: true });
            }
            let (user, password) = basic_credentials(v.as_bytes())
                .ok_or(ProxyRefusal::LoginRequired { wrong: true })?;
            return self.login(&user, &password).await;
        }
        if self.require_login {
            return Err(ProxyRefusal::LoginRequired { wrong: false });
        }
        let ip = canonical(peer);
        let department = self.department.clone().or_else(|| {
            self.networks
                .iter()
                .find(|(n, _)| n.contains(&ip))
                .map(|(_, d)| d.clone())
        });
        match department {
            Some(department) => Ok(Principal {
                user: ip.to_string(),
                department,
            }),
            None => Err(ProxyRefusal::LoginRequired { wrong: false }),
        }
    }

    async fn login(&self, user: &str, password: &str) -> Result<Principal, ProxyRefusal> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.cache_key).expect("any key length");
        mac.update(user.as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        let now = Instant::now();
        if let Some((p, at)) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            if now.duration_since(*at) < LOGIN_CACHE_TTL {
                return Ok(p.clone());
            }
        }
        match self.users.check(user, password).await {
            Ok(Some(department)) => {
                let p = Principal {
                    user: user.to_string(),
                    department,
                };
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                if cache.len() >= LOGIN_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(key, (p.clone(), now));
                Ok(p)
            }
            Ok(None) => {
                tracing::info!(target: "sekimori::forward", "proxy login refused: unknown user or wrong password");
                Err(ProxyRefusal::LoginRequired { wrong: true })
            }
            Err(why) => {
                tracing::warn!(target: "sekimori::forward", reason = %why, "proxy login could not be checked");
                Err(ProxyRefusal::LoginRequired { wrong: true })
            }
        }
    }
}

/// User and password of a `Basic` credential (`Basic base64(user:password)`).
pub fn basic_credentials(value: &[u8]) -> Option<(String, String)> {
    let v = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    (!user.is_empty()).then(|| (user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::forward::{ClientNetworkConfig, ProxyUserConfig};

    fn basic(user: &str, pw: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
        h.insert(
            http::header::PROXY_AUTHORIZATION,
            format!("Basic {token}").parse().unwrap(),
        );
        h
    }

    fn identity(require_login: bool) -> Identity {
        let cfg = ForwardProxyConfig {
            clients: vec![ClientNetworkConfig {
                cidr: "10.1.0.0/16".into(),
                department: "kosodate".into(),
            }],
            users: vec![ProxyUserConfig {
                name: "morikawa".into(),
                department: "zeimu".into(),
                password_hash: hash_password("正しい-pass").unwrap(),
            }],
            require_login,
            ..Default::default()
        };
        Identity::new(&cfg, Arc::new(LocalUsers::new(&cfg)))
    }

    #[tokio::test]
    async fn login_network_or_407() {
        let id = identity(false);
        let lan: IpAddr = "10.1.2.3".parse().unwrap();
        let other: IpAddr = "192.168.0.9".parse().unwrap();
        let p = id.identify(&HeaderMap::new(), lan).await.unwrap();
        assert_eq!(
            (p.user.as_str(), p.department.as_str()),
            ("10.1.2.3", "kosodate")
        );
        let p = id
            .identify(&basic("morikawa", "正しい-pass"), other)
            .await
            .unwrap();
        assert_eq!(
            (p.user.as_str(), p.department.as_str()),
            ("morikawa", "zeimu")
        );
        // Cached: the same login again is answered without a verification.
        let p = id
            .identify(&basic("morikawa", "正しい-pass"), lan)
            .await
            .unwrap();
        assert_eq!(p.department, "zeimu");
        for h in [basic("morikawa", "wrong"), basic("nobody", "正しい-pass")] {
            assert!(matches!(
                id.identify(&h, lan).await,
                Err(ProxyRefusal::LoginRequired { wrong: true })
            ));
        }
        assert!(matches!(
            id.identify(&HeaderMap::new(), other).await,
            Err(ProxyRefusal::LoginRequired { wrong: false })
        ));
        let strict = identity(true);
        assert!(strict.identify(&HeaderMap::new(), lan).await.is_err());
    }

    #[test]
    fn basic_credentials_table() {
        assert_eq!(
            basic_credentials(b"Basic bW9yaWthd2E6cDpx"),
            Some(("morikawa".into(), "p:q".into()))
        );
        assert_eq!(basic_credentials(b"Bearer abc"), None);
        assert_eq!(basic_credentials(b"Basic !!!"), None);
        assert_eq!(basic_credentials(b"Basic OnB3"), None, "no user");
    }
}
