//! Warn acknowledgement tokens: a refused request may be resent once with
//! `X-Sekimori-Acknowledge: <token>`.
//!
//! A token is bound to the user and to the SHA-256 of the request body, is single
//! use, expires after the configured lifetime, and the store holds at most
//! [`MAX_TOKENS`] (oldest evicted). The clock is passed in, so tests need no sleeps.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::RngCore;

/// Header carrying a warn acknowledgement token.
pub const ACK_HEADER: &str = "x-sekimori-acknowledge";

/// Maximum outstanding tokens.
pub const MAX_TOKENS: usize = 10_000;

#[derive(Debug)]
struct Entry {
    user: String,
    digest: [u8; 32],
    expires: Instant,
}

/// Outstanding tokens (shared across configuration reloads).
#[derive(Debug, Default)]
pub struct AckStore {
    inner: Mutex<(HashMap<String, Entry>, VecDeque<String>)>,
}

/// Why a token was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    /// Unknown or already used.
    #[error("the token is unknown or was already used")]
    Unknown,
    /// Issued to another user.
    #[error("the token was issued to another user")]
    WrongUser,
    /// Issued for a different request body.
    #[error("the token was issued for a different request body; resend the same body")]
    WrongBody,
    /// Expired.
    #[error("the token has expired")]
    Expired,
}

impl AckStore {
    /// Issues a token for `user` and `digest`, valid for `ttl` from `now`.
    pub fn issue(&self, user: &str, digest: [u8; 32], ttl: Duration, now: Instant) -> String {
        let mut raw = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut raw);
        let token = format!("ack-{}", hex::encode(raw));
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (map, order) = &mut *g;
        while map.len() >= MAX_TOKENS {
            match order.pop_front() {
                Some(old) => {
                    map.remove(&old);
                }
                None => break,
            }
        }
        map.insert(
            token.clone(),
            Entry {
                user: user.to_string(),
                digest,
                expires: now + ttl,
            },
        );
        order.push_back(token.clone());
        token
    }

    /// Redeems a token: succeeds once for the same user and body before expiry.
    /// A token presented with the wrong user or body is not consumed.
    pub fn redeem(
        &self,
        token: &str,
        user: &str,
        digest: [u8; 32],
        now: Instant,
    ) -> Result<(), AckError> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (map, order) = &mut *g;
        let e = map.get(token).ok_or(AckError::Unknown)?;
        if e.expires <= now {
            map.remove(token);
            order.retain(|t| t != token);
            return Err(AckError::Expired);
        }
        if e.user != user {
            return Err(AckError::WrongUser);
        }
        if e.digest != digest {
            return Err(AckError::WrongBody);
        }
        map.remove(token);
        order.retain(|t| t != token);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_bound_and_expiring() {
        let s = AckStore::default();
        let t0 = Instant::now();
        let ttl = Duration::from_secs(60);
        let tok = s.issue("u", [1; 32], ttl, t0);
        assert_eq!(s.redeem(&tok, "v", [1; 32], t0), Err(AckError::WrongUser));
        assert_eq!(s.redeem(&tok, "u", [2; 32], t0), Err(AckError::WrongBody));
        assert_eq!(s.redeem(&tok, "u", [1; 32], t0), Ok(()));
        assert_eq!(s.redeem(&tok, "u", [1; 32], t0), Err(AckError::Unknown));
        let tok = s.issue("u", [1; 32], ttl, t0);
        assert_eq!(
            s.redeem(&tok, "u", [1; 32], t0 + ttl),
            Err(AckError::Expired)
        );
    }
}
