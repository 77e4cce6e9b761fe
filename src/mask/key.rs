//! The secret placeholders are derived from: [`PlaceholderKey`], 32 bytes from the
//! operating system's RNG, drawn once per process and never written anywhere.
//!
//! A placeholder is `〔label-CODE〕`, where `CODE` is the start of
//! HMAC-SHA256(caller key, category ‖ 0 ‖ value) in Crockford base32, and the caller
//! key is HMAC-SHA256(process key, "sekimori placeholder caller" ‖ 0 ‖ caller). So the
//! same value gets the same placeholder in every request of one caller, other callers
//! see other codes, and without the key nobody can tell which value a code stands for.

use std::fmt;
use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::inspect::Category;

type HmacSha256 = Hmac<Sha256>;

/// Crockford's base32 alphabet: digits and capitals without `I`, `L`, `O`, `U`.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The operating system's random number generator could not give a key.
#[derive(Debug, thiserror::Error)]
#[error(
    "the operating system's random number generator is unavailable ({0}); \
     placeholders cannot be keyed: check that /dev/urandom (or getrandom(2)) is usable"
)]
pub struct KeyError(getrandom::Error);

impl From<getrandom::Error> for KeyError {
    fn from(e: getrandom::Error) -> Self {
        KeyError(e)
    }
}

/// The process-wide secret placeholders are derived from. Its `Debug` output never
/// shows the bytes.
#[derive(Clone)]
pub struct PlaceholderKey([u8; 32]);

impl fmt::Debug for PlaceholderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlaceholderKey(..)")
    }
}

impl PlaceholderKey {
    /// A fresh key from the operating system's RNG.
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(KeyError)?;
        Ok(PlaceholderKey(bytes))
    }

    /// A key from known bytes (tests, or a deployment that shares one key).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        PlaceholderKey(bytes)
    }

    /// The key of this process, drawn on first use (the gateway draws it at start).
    ///
    /// # Panics
    /// If the operating system's RNG is unavailable; nothing can be masked safely then.
    pub fn process() -> &'static PlaceholderKey {
        static KEY: OnceLock<PlaceholderKey> = OnceLock::new();
        KEY.get_or_init(|| PlaceholderKey::generate().unwrap_or_else(|e| panic!("{e}")))
    }

    /// The key of one caller (a user id), derived from this key.
    pub(crate) fn for_caller(&self, caller: &str) -> CallerKey {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"sekimori placeholder caller\0");
        mac.update(caller.as_bytes());
        CallerKey(mac.finalize().into_bytes().into())
    }
}

/// The key placeholders of one caller are derived from.
#[derive(Clone)]
pub(crate) struct CallerKey([u8; 32]);

impl CallerKey {
    /// The code for `value` of `category`: 51 base32 characters, of which a
    /// placeholder uses the first few.
    pub(crate) fn code(&self, category: &Category, value: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(category.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        base32(&mac.finalize().into_bytes())
    }
}

/// `bytes` in Crockford base32, most significant bit first, without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_depend_on_key_caller_category_and_value() {
        let a = PlaceholderKey::from_bytes([1; 32]);
        let b = PlaceholderKey::from_bytes([2; 32]);
        let code = |k: &PlaceholderKey, caller: &str, c: &Category, v: &str| {
            k.for_caller(caller).code(c, v)
        };
        let base = code(&a, "u1", &Category::Name, "森川陽菜");
        assert_eq!(base.len(), 52);
        assert!(base.bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(base, code(&a, "u1", &Category::Name, "森川陽菜"));
        for other in [
            code(&b, "u1", &Category::Name, "森川陽菜"),
            code(&a, "u2", &Category::Name, "森川陽菜"),
            code(&a, "u1", &Category::Address, "森川陽菜"),
            code(&a, "u1", &Category::Name, "森川陽太"),
        ] {
            assert_ne!(base[..6], other[..6]);
        }
    }

    #[test]
    fn base32_is_crockford() {
        assert_eq!(base32(&[0xff]), "ZW");
        assert_eq!(base32(&[0, 0, 0, 0, 0]), "00000000");
        assert_eq!(
            format!("{:?}", PlaceholderKey::from_bytes([7; 32])),
            "PlaceholderKey(..)"
        );
    }
}
