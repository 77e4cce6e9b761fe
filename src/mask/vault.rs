//! The restore vault: what each caller's earlier requests masked, so an answer that
//! quotes a placeholder of an earlier turn is restored to the right value.
//!
//! Placeholders are derived per caller from the value ([`super::PlaceholderKey`]), so
//! the same person is the same placeholder in every turn. When the upstream keeps the
//! conversation (`previous_response_id`, Assistants threads, any stateful server) the
//! client does not resend earlier turns, and the answer may quote a placeholder this
//! request's table never issued. The vault keeps, per caller, each issued placeholder
//! with the full code of its value and the value itself, so:
//! - a miss in the request's table is looked up here (one decryption, only on a miss);
//! - a new placeholder is never issued that the vault holds for a *different* value of
//!   the caller (the full codes are compared, no decryption), so a placeholder means
//!   one value across the caller's whole history, never two.
//!
//! Values are held encrypted (XChaCha20-Poly1305 under a key drawn from the OS RNG at
//! start, the caller and placeholder as associated data), decrypted only to restore an
//! answer; nothing is written to disk. Bounded: entries expire after a TTL, a caller
//! keeps at most [`VaultLimits::per_caller`] entries and the vault at most
//! [`VaultLimits::max_entries`] (oldest first out). [`RestoreVault`] is the interface a
//! shared backend (several gateway instances) can implement later.
//!
//! Anonymous callers share one identity, so the gateway gives them no vault.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::inspect::Category;

/// What a restore vault keeps and answers, per caller.
pub trait RestoreVault: Send + Sync + fmt::Debug {
    /// Remembers `entries` issued for `caller`: `(placeholder, category, full code of
    /// the value, value)`.
    fn remember(&self, caller: &str, entries: &[Remembered<'_>]);

    /// The value `placeholder` stands for in `caller`'s history, if it is held.
    fn recall(&self, caller: &str, placeholder: &str) -> Option<String>;

    /// Whether `placeholder` is held for `caller` for a value whose full code is not
    /// `code` (issuing it now would give one placeholder two values).
    fn conflicts(&self, caller: &str, placeholder: &str, code: &str) -> bool;

    /// Length in bytes of the longest placeholder held for `caller` (0: none), what a
    /// streamed answer must hold back at most.
    fn max_placeholder_len(&self, caller: &str) -> usize;
}

/// One entry handed to [`RestoreVault::remember`].
#[derive(Clone, Copy)]
pub struct Remembered<'a> {
    /// The placeholder issued.
    pub placeholder: &'a str,
    /// The category of the value.
    pub category: &'a Category,
    /// The value's full keyed code (see [`super::PlaceholderKey`]).
    pub code: &'a str,
    /// The value.
    pub value: &'a str,
}

impl fmt::Debug for Remembered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Remembered")
            .field("category", &self.category.as_str())
            .finish_non_exhaustive()
    }
}

/// Bounds of an [`InMemoryVault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultLimits {
    /// How long an entry is kept after it was last issued.
    pub ttl: Duration,
    /// Most entries per caller (oldest first out).
    pub per_caller: usize,
    /// Most entries in all (oldest first out).
    pub max_entries: usize,
}

impl Default for VaultLimits {
    /// One hour, 512 per caller, 100,000 in all (about 20 MiB at most).
    fn default() -> Self {
        VaultLimits {
            ttl: Duration::from_secs(3600),
            per_caller: 512,
            max_entries: 100_000,
        }
    }
}

/// One held value.
struct Entry {
    /// Full code of the value (compared on issue, never secret: a keyed hash).
    code: String,
    nonce: [u8; 24],
    sealed: Vec<u8>,
    expires: Instant,
    /// Which queue slot is this entry's current one (older slots are stale).
    seq: u64,
}

#[derive(Default)]
struct Caller {
    entries: HashMap<String, Entry>,
    /// `(seq, placeholder)` in the order issued or refreshed.
    order: VecDeque<(u64, String)>,
    max_len: usize,
}

#[derive(Default)]
struct Inner {
    callers: HashMap<String, Caller>,
    /// `(seq, caller, placeholder)` of every slot, oldest first, for the global bound.
    order: VecDeque<(u64, String, String)>,
    live: usize,
    seq: u64,
}

/// The vault of one gateway process: in memory, encrypted, bounded.
pub struct InMemoryVault {
    cipher: XChaCha20Poly1305,
    limits: VaultLimits,
    inner: Mutex<Inner>,
}

impl fmt::Debug for InMemoryVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryVault")
            .field("limits", &self.limits)
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl InMemoryVault {
    /// An empty vault with a fresh key from the OS RNG.
    pub fn new(limits: VaultLimits) -> Result<Self, super::KeyError> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(super::KeyError::from)?;
        Ok(InMemoryVault {
            cipher: XChaCha20Poly1305::new(&key.into()),
            limits,
            inner: Mutex::new(Inner::default()),
        })
    }

    /// Entries held (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.lock().live
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent maps (no partial updates
        // that matter for safety): go on with them.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn aad(caller: &str, placeholder: &str) -> Vec<u8> {
        let mut aad = Vec::with_capacity(caller.len() + placeholder.len() + 1);
        aad.extend_from_slice(caller.as_bytes());
        aad.push(0);
        aad.extend_from_slice(placeholder.as_bytes());
        aad
    }

    /// The live entry of `caller` for `placeholder`, dropping it if expired.
    fn live<'i>(
        inner: &'i mut Inner,
        caller: &str,
        placeholder: &str,
        now: Instant,
    ) -> Option<&'i Entry> {
        let c = inner.callers.get_mut(caller)?;
        if c.entries.get(placeholder)?.expires <= now {
            c.entries.remove(placeholder);
            inner.live -= 1;
            return None;
        }
        inner.callers.get(caller)?.entries.get(placeholder)
    }

    /// Drops the caller's oldest entries beyond its bound and the vault's oldest
    /// beyond the global bound. A queue also never grows past twice its bound with
    /// slots of refreshed entries: then its oldest slot goes, live or not.
    fn evict(&self, inner: &mut Inner, caller: &str) {
        if let Some(c) = inner.callers.get_mut(caller) {
            while c.entries.len() > self.limits.per_caller
                || c.order.len() > 2 * self.limits.per_caller
            {
                let Some((seq, ph)) = c.order.pop_front() else {
                    break;
                };
                if c.entries.get(&ph).is_some_and(|e| e.seq == seq) {
                    c.entries.remove(&ph);
                    inner.live -= 1;
                }
            }
        }
        while inner.live > self.limits.max_entries
            || inner.order.len() > 2 * self.limits.max_entries
        {
            let Some((seq, who, ph)) = inner.order.pop_front() else {
                break;
            };
            let Some(c) = inner.callers.get_mut(&who) else {
                continue;
            };
            if c.entries.get(&ph).is_some_and(|e| e.seq == seq) {
                c.entries.remove(&ph);
                inner.live -= 1;
            }
            if c.entries.is_empty() {
                inner.callers.remove(&who);
            }
        }
    }
}

impl RestoreVault for InMemoryVault {
    fn remember(&self, caller: &str, entries: &[Remembered<'_>]) {
        if entries.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut inner = self.lock();
        for r in entries {
            let mut nonce = [0u8; 24];
            if getrandom::getrandom(&mut nonce).is_err() {
                // No nonce, no entry: the answer keeps the placeholder (never wrong).
                continue;
            }
            let aad = Self::aad(caller, r.placeholder);
            let Ok(sealed) = self.cipher.encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: r.value.as_bytes(),
                    aad: &aad,
                },
            ) else {
                continue;
            };
            inner.seq += 1;
            let seq = inner.seq;
            let c = inner.callers.entry(caller.to_string()).or_default();
            let fresh = c
                .entries
                .insert(
                    r.placeholder.to_string(),
                    Entry {
                        code: r.code.to_string(),
                        nonce,
                        sealed,
                        expires: now + self.limits.ttl,
                        seq,
                    },
                )
                .is_none();
            c.order.push_back((seq, r.placeholder.to_string()));
            c.max_len = c.max_len.max(r.placeholder.len());
            if fresh {
                inner.live += 1;
            }
            inner
                .order
                .push_back((seq, caller.to_string(), r.placeholder.to_string()));
        }
        self.evict(&mut inner, caller);
    }

    fn recall(&self, caller: &str, placeholder: &str) -> Option<String> {
        let mut inner = self.lock();
        let e = Self::live(&mut inner, caller, placeholder, Instant::now())?;
        let aad = Self::aad(caller, placeholder);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(&e.nonce),
                Payload {
                    msg: &e.sealed,
                    aad: &aad,
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    fn conflicts(&self, caller: &str, placeholder: &str, code: &str) -> bool {
        let mut inner = self.lock();
        Self::live(&mut inner, caller, placeholder, Instant::now()).is_some_and(|e| e.code != code)
    }

    fn max_placeholder_len(&self, caller: &str) -> usize {
        self.lock().callers.get(caller).map_or(0, |c| c.max_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(limits: VaultLimits) -> InMemoryVault {
        InMemoryVault::new(limits).unwrap()
    }

    fn put(v: &InMemoryVault, caller: &str, ph: &str, code: &str, value: &str) {
        v.remember(
            caller,
            &[Remembered {
                placeholder: ph,
                category: &Category::Name,
                code,
                value,
            }],
        );
    }

    #[test]
    fn recalls_per_caller_and_detects_conflicts() {
        let v = vault(VaultLimits::default());
        put(&v, "u1", "〔氏名-AAAAAA〕", "AAAAAA1", "森川陽菜");
        assert_eq!(
            v.recall("u1", "〔氏名-AAAAAA〕").as_deref(),
            Some("森川陽菜")
        );
        assert_eq!(v.recall("u2", "〔氏名-AAAAAA〕"), None);
        assert_eq!(v.recall("u1", "〔氏名-BBBBBB〕"), None);
        assert!(!v.conflicts("u1", "〔氏名-AAAAAA〕", "AAAAAA1"));
        assert!(v.conflicts("u1", "〔氏名-AAAAAA〕", "AAAAAA2"));
        assert!(!v.conflicts("u2", "〔氏名-AAAAAA〕", "AAAAAA2"));
        assert_eq!(v.max_placeholder_len("u1"), "〔氏名-AAAAAA〕".len());
        assert_eq!(v.max_placeholder_len("u2"), 0);
    }

    #[test]
    fn values_are_not_held_in_clear() {
        let v = vault(VaultLimits::default());
        put(&v, "u1", "〔氏名-AAAAAA〕", "C", "森川陽菜");
        let needle = "森川陽菜".as_bytes();
        {
            let inner = v.lock();
            let e = &inner.callers["u1"].entries["〔氏名-AAAAAA〕"];
            assert!(!e.sealed.windows(needle.len()).any(|w| w == needle));
        }
        assert!(!format!("{v:?}").contains("森川"));
    }

    #[test]
    fn entries_expire() {
        let v = vault(VaultLimits {
            ttl: Duration::from_millis(0),
            ..VaultLimits::default()
        });
        put(&v, "u1", "〔氏名-AAAAAA〕", "C", "森川陽菜");
        assert_eq!(v.recall("u1", "〔氏名-AAAAAA〕"), None);
        assert!(!v.conflicts("u1", "〔氏名-AAAAAA〕", "D"));
    }

    #[test]
    fn bounded_per_caller_and_in_all() {
        let v = vault(VaultLimits {
            per_caller: 3,
            max_entries: 5,
            ..VaultLimits::default()
        });
        for i in 0..10 {
            put(&v, "u1", &format!("〔氏名-{i}〕"), "C", "x");
        }
        assert_eq!(v.len(), 3);
        assert!(v.recall("u1", "〔氏名-9〕").is_some());
        assert!(v.recall("u1", "〔氏名-6〕").is_none());
        for i in 0..10 {
            put(&v, &format!("c{i}"), "〔氏名-A〕", "C", "x");
        }
        assert!(v.len() <= 5, "{}", v.len());
        assert!(v.recall("c9", "〔氏名-A〕").is_some());
        assert!(v.recall("c0", "〔氏名-A〕").is_none());
        // Re-issuing refreshes an entry without counting it twice.
        for _ in 0..10 {
            put(&v, "c9", "〔氏名-A〕", "C", "x");
        }
        assert!(v.len() <= 5);
        assert!(v.recall("c9", "〔氏名-A〕").is_some());
    }

    #[test]
    fn tables_restore_from_the_vault_and_never_reuse_its_placeholders() {
        use crate::mask::{PlaceholderKey, Placeholders, StreamRestorer};
        use std::sync::Arc;
        let key = PlaceholderKey::from_bytes([9; 32]);
        let v: Arc<dyn RestoreVault> = Arc::new(vault(VaultLimits::default()));
        // Turn 1 masks one person and remembers it.
        let mut t1 = Placeholders::for_caller(&key, "u1").with_vault(v.clone(), "u1");
        let p1 = t1.placeholder_for(&Category::Name, "森川陽菜");
        t1.remember_in(v.as_ref(), "u1");
        // Turn 2 masks someone else; its answer quotes turn 1's placeholder.
        let mut t2 = Placeholders::for_caller(&key, "u1").with_vault(v.clone(), "u1");
        let p2 = t2.placeholder_for(&Category::Name, "北村悠真");
        assert_eq!(t2.len(), 1);
        let answer = format!("{p1}さんと{p2}さん");
        assert_eq!(t2.restore(&answer), "森川陽菜さんと北村悠真さん");
        // Streamed, split inside the earlier placeholder.
        let mut r = StreamRestorer::new(&t2);
        let cut = answer.char_indices().nth(3).unwrap().0;
        let mut out = r.push(&answer[..cut]);
        out.push_str(&r.push(&answer[cut..]));
        out.push_str(&r.finish());
        assert_eq!(out, "森川陽菜さんと北村悠真さん");
        // Another caller's table neither restores it nor is bothered by it.
        let t3 = Placeholders::for_caller(&key, "u2").with_vault(v.clone(), "u2");
        assert!(t3.is_empty());
        // A placeholder the vault holds for another value is never issued again.
        let mut t4 = Placeholders::for_caller(&key, "u3");
        let taken = t4.placeholder_for(&Category::Name, "佐伯美咲");
        v.remember(
            "u3",
            &[Remembered {
                placeholder: &taken,
                category: &Category::Name,
                code: "SOME-OTHER-VALUE",
                value: "別人",
            }],
        );
        let mut t5 = Placeholders::for_caller(&key, "u3").with_vault(v.clone(), "u3");
        let fresh = t5.placeholder_for(&Category::Name, "佐伯美咲");
        assert_ne!(fresh, taken);
        assert_eq!(t5.restore(&fresh), "佐伯美咲");
        assert_eq!(t5.restore(&taken), "別人");
    }
}
