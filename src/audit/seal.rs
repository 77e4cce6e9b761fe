//! Sealed prompt retention: original prompt and response encrypted with `age` to the
//! auditors' X25519 public keys. The gateway host holds no identity and cannot decrypt.

use std::io::{Read, Write};
use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::AuditError;

/// The sealed plaintext.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedContent {
    /// The prompt as received.
    #[serde(default)]
    pub prompt: Option<String>,
    /// The upstream's response.
    #[serde(default)]
    pub response: Option<String>,
}

impl std::fmt::Debug for SealedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedContent { .. }")
    }
}

/// Parses `age1…` recipients.
pub fn parse_recipients(keys: &[String]) -> Result<Vec<age::x25519::Recipient>, AuditError> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            k.trim().parse::<age::x25519::Recipient>().map_err(|_| {
                AuditError::Config(format!(
                    "audit.sealed_recipients[{i}] is not an age X25519 public key (age1…)"
                ))
            })
        })
        .collect()
}

/// Encrypts `content` to `recipients`; returns base64 of the binary age file.
pub fn seal(
    recipients: &[age::x25519::Recipient],
    content: &SealedContent,
) -> Result<String, AuditError> {
    let plain = serde_json::to_vec(content).map_err(|e| AuditError::Seal(e.to_string()))?;
    let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| AuditError::Seal(format!("cannot encrypt to the recipients ({e})")))?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| AuditError::Seal(e.to_string()))?;
    w.write_all(&plain)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| AuditError::Seal(e.to_string()))?;
    Ok(B64.encode(out))
}

/// Auditor identities for unsealing.
pub struct Identities(Vec<Box<dyn age::Identity>>);

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identities({})", self.0.len())
    }
}

impl Identities {
    /// Reads an age identity file (`AGE-SECRET-KEY-1…` lines).
    pub fn from_file(path: &Path) -> Result<Self, AuditError> {
        let file =
            age::IdentityFile::from_file(path.to_string_lossy().into_owned()).map_err(|e| {
                AuditError::Seal(format!("cannot read identity {}: {e}", path.display()))
            })?;
        let ids = file
            .into_identities()
            .map_err(|e| AuditError::Seal(format!("bad identity {}: {e}", path.display())))?;
        Ok(Identities(ids))
    }

    /// From parsed X25519 identities.
    pub fn from_x25519(ids: Vec<age::x25519::Identity>) -> Self {
        Identities(
            ids.into_iter()
                .map(|i| Box::new(i) as Box<dyn age::Identity>)
                .collect(),
        )
    }

    /// Decrypts what [`seal`] produced.
    pub fn unseal(&self, b64: &str) -> Result<SealedContent, AuditError> {
        let bytes = B64
            .decode(b64)
            .map_err(|_| AuditError::Seal("sealed field is not base64".into()))?;
        let dec = age::Decryptor::new_buffered(&bytes[..])
            .map_err(|e| AuditError::Seal(format!("not an age file ({e})")))?;
        let mut r = dec
            .decrypt(self.0.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|e| AuditError::Seal(format!("cannot decrypt with this identity ({e})")))?;
        let mut plain = Vec::new();
        r.read_to_end(&mut plain)
            .map_err(|e| AuditError::Seal(e.to_string()))?;
        serde_json::from_slice(&plain).map_err(|e| AuditError::Seal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_unseal_round_trip_and_wrong_identity_fails() {
        let a = age::x25519::Identity::generate();
        let b = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let c = SealedContent {
            prompt: Some("山田太郎さんの件".into()),
            response: Some("回答".into()),
        };
        let s = seal(&[a.to_public(), b.to_public()], &c).unwrap();
        assert!(!s.contains("山田"));
        assert_eq!(Identities::from_x25519(vec![b]).unseal(&s).unwrap(), c);
        assert!(Identities::from_x25519(vec![other]).unseal(&s).is_err());
        assert!(parse_recipients(&["age1nope".into()]).is_err());
    }
}
