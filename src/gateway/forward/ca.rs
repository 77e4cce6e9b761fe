//! The municipality's interception CA: created once by `sekimori ca init` (the key
//! file mode 0600, the certificate to distribute to the browsers), loaded by the
//! forward proxy, which mints a leaf certificate per intercepted host on demand and
//! keeps a bounded number of them ready as TLS server configurations (h2 and
//! HTTP/1.1 by ALPN).
//!
//! The CA's subject is fixed ([`CA_COMMON_NAME`]), so the issuer of the leaves is
//! rebuilt from the key alone; a certificate and key that do not belong together are
//! refused when loading.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The CA certificate's common name.
pub const CA_COMMON_NAME: &str = "Sekimori interception CA";
/// File name of the CA certificate written by [`init`].
pub const CA_CERT_FILE: &str = "sekimori-ca.pem";
/// File name of the CA key written by [`init`].
pub const CA_KEY_FILE: &str = "sekimori-ca.key";
/// Validity of a minted leaf; leaves older than half of it are minted again.
const LEAF_VALIDITY: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why the CA could not be created or used.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// A file could not be read or written.
    #[error("{path}: {why}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        why: String,
    },
    /// [`init`] would overwrite an existing CA.
    #[error("{0} exists already; keep the CA the browsers trust, or remove it first to create a new one")]
    Exists(PathBuf),
    /// The certificate and key do not belong together, or are not a Sekimori CA.
    #[error("{0}: the certificate does not belong to the key (or is not PEM); use the pair written by `sekimori ca init`")]
    Mismatch(PathBuf),
    /// Certificate generation failed.
    #[error("certificate generation failed: {0}")]
    Generate(String),
}

fn gen(e: impl std::fmt::Display) -> CaError {
    CaError::Generate(e.to_string())
}

fn ca_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_COMMON_NAME);
    dn.push(DnType::OrganizationName, "Sekimori");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

fn random_serial() -> SerialNumber {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("operating system randomness");
    b[0] &= 0x7f;
    SerialNumber::from_slice(&b)
}

/// Creates a CA in `dir`: [`CA_CERT_FILE`] (mode 0644) and [`CA_KEY_FILE`] (mode
/// 0600). Returns the two paths. Never overwrites.
pub fn init(dir: &Path) -> Result<(PathBuf, PathBuf), CaError> {
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    for p in [&cert_path, &key_path] {
        if p.exists() {
            return Err(CaError::Exists(p.clone()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| CaError::File {
        path: dir.to_path_buf(),
        why: e.to_string(),
    })?;
    let key = KeyPair::generate().map_err(gen)?;
    let mut params = ca_params();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    params.serial_number = Some(random_serial());
    let cert = params.self_signed(&key).map_err(gen)?;
    write_file(&key_path, key.serialize_pem().as_bytes(), 0o600)?;
    write_file(&cert_path, cert.pem().as_bytes(), 0o644)?;
    Ok((cert_path, key_path))
}

fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), CaError> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o.open(path).map_err(|e| CaError::File {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(|e| CaError::File {
            path: path.to_path_buf(),
            why: e.to_string(),
        })
}

/// A loaded CA minting leaf certificates.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    ca_der: CertificateDer<'static>,
    leaf_key: KeyPair,
    cache: Mutex<HashMap<String, (Arc<rustls::ServerConfig>, Instant)>>,
    cache_max: usize,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

impl Ca {
    /// Loads the pair written by [`init`], keeping up to `cache_max` leaves.
    pub fn load(cert_path: &Path, key_path: &Path, cache_max: usize) -> Result<Ca, CaError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| CaError::File {
                path: p.to_path_buf(),
                why: e.to_string(),
            })
        };
        let cert_pem = read(cert_path)?;
        let key = KeyPair::from_pem(&read(key_path)?)
            .map_err(|_| CaError::Mismatch(key_path.to_path_buf()))?;
        let ca_der = rustls_pemfile_first(&cert_pem)
            .ok_or_else(|| CaError::Mismatch(cert_path.to_path_buf()))?;
        let pk = key.public_key_raw();
        if pk.is_empty() || !ca_der.windows(pk.len()).any(|w| w == pk) {
            return Err(CaError::Mismatch(cert_path.to_path_buf()));
        }
        Ok(Ca {
            issuer: Issuer::new(ca_params(), key),
            ca_der: CertificateDer::from(ca_der),
            leaf_key: KeyPair::generate().map_err(gen)?,
            cache: Mutex::new(HashMap::new()),
            cache_max: cache_max.max(1),
        })
    }

    /// The TLS server configuration presenting a leaf for `host` (minted now, or
    /// from the cache).
    pub fn server_config(&self, host: &str) -> Result<Arc<rustls::ServerConfig>, CaError> {
        let now = Instant::now();
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((c, at)) = cache.get(host) {
                if now.duration_since(*at) < LEAF_VALIDITY / 2 {
                    return Ok(c.clone());
                }
            }
        }
        let cfg = Arc::new(self.mint(host)?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= self.cache_max && !cache.contains_key(host) {
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(host.to_string(), (cfg.clone(), now));
        Ok(cfg)
    }

    /// How many leaves are cached.
    pub fn cached(&self) -> usize {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn mint(&self, host: &str) -> Result<rustls::ServerConfig, CaError> {
        let mut params = CertificateParams::new(vec![host.to_string()]).map_err(gen)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, host);
        params.distinguished_name = dn;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now + time::Duration::seconds(LEAF_VALIDITY.as_secs() as i64);
        params.serial_number = Some(random_serial());
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let leaf = params
            .signed_by(&self.leaf_key, &self.issuer)
            .map_err(gen)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.serialize_der()));
        let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(gen)?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), self.ca_der.clone()], key)
        .map_err(gen)?;
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(cfg)
    }
}

/// The DER of the first `CERTIFICATE` block of a PEM text.
fn rustls_pemfile_first(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let start = pem.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = start + pem[start..].find("-----END CERTIFICATE-----")?;
    let b64: String = pem[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_a_private_key_and_leaves_are_cached_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = init(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(init(dir.path()), Err(CaError::Exists(_))));
        let ca = Ca::load(&cert, &key, 2).unwrap();
        let a = ca.server_config("a.example.jp").unwrap();
        let again = ca.server_config("a.example.jp").unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        ca.server_config("b.example.jp").unwrap();
        ca.server_config("c.example.jp").unwrap();
        assert_eq!(ca.cached(), 2);
        assert_eq!(a.alpn_protocols[0], b"h2");

        // Another CA's certificate with this key is refused.
        let other = tempfile::tempdir().unwrap();
        let (cert2, _) = init(other.path()).unwrap();
        assert!(matches!(
            Ca::load(&cert2, &key, 2),
            Err(CaError::Mismatch(_))
        ));
    }
}
