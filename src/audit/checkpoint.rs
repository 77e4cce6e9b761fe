//! Ed25519-signed checkpoints and the signing key.
//!
//! A checkpoint line in `checkpoints.jsonl`:
//! `{"v":1,"seq":N,"hash":"<hex>","time":"<RFC 3339 UTC>","segment":"audit-….jsonl","key_id":"<hex>","sig":"<base64>"}`.
//! The signature covers [`signed_message`].

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AuditError;

/// File name of the checkpoint list inside the audit directory.
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";

/// One signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version (1).
    pub v: u32,
    /// Sequence number attested.
    pub seq: u64,
    /// Hash of record `seq` (hex).
    pub hash: String,
    /// Signing time, RFC 3339 UTC.
    pub time: String,
    /// Segment holding record `seq`.
    pub segment: String,
    /// Id of the signing key.
    pub key_id: String,
    /// Base64 Ed25519 signature of [`signed_message`].
    pub sig: String,
}

/// The exact bytes signed: four `name=value` lines after a domain-separation line.
pub fn signed_message(seq: u64, hash: &str, time: &str, segment: &str) -> Vec<u8> {
    format!(
        "sekimori-audit-checkpoint-v1\nseq={seq}\nhash={hash}\ntime={time}\nsegment={segment}\n"
    )
    .into_bytes()
}

/// Key id: hex of the first 8 bytes of SHA-256 of the 32-byte public key.
pub fn key_id(vk: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(vk.as_bytes())[..8])
}

impl Checkpoint {
    /// Signs a checkpoint.
    pub fn sign(key: &SigningKey, seq: u64, hash: &str, time: &str, segment: &str) -> Self {
        let sig = key.sign(&signed_message(seq, hash, time, segment));
        Checkpoint {
            v: 1,
            seq,
            hash: hash.to_string(),
            time: time.to_string(),
            segment: segment.to_string(),
            key_id: key_id(&key.verifying_key()),
            sig: B64.encode(sig.to_bytes()),
        }
    }

    /// Whether the signature is valid under `vk`.
    pub fn verify(&self, vk: &VerifyingKey) -> bool {
        let Ok(bytes) = B64.decode(&self.sig) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        vk.verify(
            &signed_message(self.seq, &self.hash, &self.time, &self.segment),
            &sig,
        )
        .is_ok()
    }
}

/// Path of the public key written next to the private key.
pub fn public_key_path(private: &Path) -> PathBuf {
    let mut s = private.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Loads the signing key, or creates it (mode 0600) with its public key beside it.
pub fn load_or_generate(path: &Path) -> Result<SigningKey, AuditError> {
    let err = |reason: String| AuditError::Key {
        path: path.to_path_buf(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(pem) => SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| err(format!("not an Ed25519 PKCS#8 PEM private key ({e})"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| err(format!("cannot encode new key ({e})")))?;
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| err(format!("cannot create its directory ({e})")))?;
            }
            write_new(path, pem.as_bytes(), 0o600)
                .map_err(|e| err(format!("cannot write new key ({e})")))?;
            let pub_pem = key
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .map_err(|e| err(format!("cannot encode public key ({e})")))?;
            let pub_path = public_key_path(path);
            std::fs::write(&pub_path, pub_pem.as_bytes())
                .map_err(|e| err(format!("cannot write {} ({e})", pub_path.display())))?;
            Ok(key)
        }
        Err(e) => Err(err(format!("cannot read ({e})"))),
    }
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
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
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Reads an Ed25519 public key: SPKI PEM (`-----BEGIN PUBLIC KEY-----`) or the base64
/// of the raw 32 bytes.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, AuditError> {
    let err = |reason: String| AuditError::Key {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read ({e})")))?;
    parse_public_key(&text).ok_or_else(|| err("not an Ed25519 public key (PEM or base64)".into()))
}

/// Parses SPKI PEM or base64 of the raw 32 bytes.
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    if let Ok(vk) = VerifyingKey::from_public_key_pem(text.trim()) {
        return Some(vk);
    }
    let raw = B64.decode(text.trim()).ok()?;
    let arr: [u8; 32] = raw.try_into().ok()?;
    VerifyingKey::from_bytes(&arr).ok()
}

/// Base64 of the raw public key, as recorded in `startup` records.
pub fn public_key_b64(vk: &VerifyingKey) -> String {
    B64.encode(vk.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_signs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k/signing.pem");
        let k1 = load_or_generate(&p).unwrap();
        let k2 = load_or_generate(&p).unwrap();
        assert_eq!(k1.to_bytes(), k2.to_bytes());
        let vk = read_public_key(&public_key_path(&p)).unwrap();
        assert_eq!(vk, k1.verifying_key());
        let c = Checkpoint::sign(&k1, 5, &"ab".repeat(32), "2026-01-01T00:00:00.000Z", "s");
        assert!(c.verify(&vk));
        let forged = Checkpoint {
            seq: 6,
            ..c.clone()
        };
        assert!(!forged.verify(&vk));
        assert!(parse_public_key(&public_key_b64(&vk)).is_some());
    }
}
