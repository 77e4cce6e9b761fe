//! Console sessions: random ids in an HttpOnly, SameSite=Strict cookie (Secure and
//! `__Host-` under TLS), kept in memory, ended after `idle` without a request. Every
//! visitor gets one (the login form's CSRF token lives in it); logging in replaces it
//! with a new id, so an id seen before login is worthless after.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::accounts::Role;
use super::csrf::random_token;

/// Most sessions kept; beyond it the least recently used anonymous ones go first.
pub const MAX_SESSIONS: usize = 10_000;

/// One session.
#[derive(Clone, Debug)]
pub struct Session {
    /// The cookie value.
    pub id: String,
    /// The logged-in user and role (None: not logged in).
    pub user: Option<(String, Role)>,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    /// The login before this one (shown after login).
    pub previous_login: Option<String>,
    /// Whether the previous-login notice is still to be shown.
    pub show_previous_login: bool,
    last_seen: Instant,
}

/// The session store.
#[derive(Debug)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    idle: Duration,
}

impl Sessions {
    /// Sessions ending after `idle` without a request.
    pub fn new(idle: Duration) -> Self {
        Sessions {
            map: Mutex::new(HashMap::new()),
            idle,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The live session `id` (its idle timer restarted), or None when unknown or
    /// expired (an expired one is removed).
    pub fn get(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.lock();
        let s = map.get_mut(id)?;
        if now.duration_since(s.last_seen) > self.idle {
            map.remove(id);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// A new session (anonymous, or logged in as `user`).
    pub fn create(&self, user: Option<(String, Role)>, now: Instant) -> Session {
        let s = Session {
            id: random_token(),
            user,
            csrf: random_token(),
            previous_login: None,
            show_previous_login: false,
            last_seen: now,
        };
        let mut map = self.lock();
        if map.len() >= MAX_SESSIONS {
            let idle = self.idle;
            map.retain(|_, v| now.duration_since(v.last_seen) <= idle);
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map
                    .values()
                    .filter(|v| v.user.is_none())
                    .min_by_key(|v| v.last_seen)
                    .map(|v| v.id.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(s.id.clone(), s.clone());
        s
    }

    /// Replaces session `id` by a new logged-in one; returns the new one.
    pub fn login(
        &self,
        id: &str,
        user: String,
        role: Role,
        previous_login: Option<String>,
        now: Instant,
    ) -> Session {
        self.remove(id);
        let mut s = self.create(Some((user, role)), now);
        s.previous_login = previous_login;
        s.show_previous_login = true;
        self.lock().insert(s.id.clone(), s.clone());
        s
    }

    /// Marks the previous-login notice as shown.
    pub fn previous_login_shown(&self, id: &str) {
        if let Some(s) = self.lock().get_mut(id) {
            s.show_previous_login = false;
        }
    }

    /// Ends session `id`.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }
}

/// The cookie's name: `__Host-` prefixed under TLS (the browser then insists on
/// Secure, Path=/ and no Domain).
pub fn cookie_name(tls: bool) -> &'static str {
    if tls {
        "__Host-sekimori_console"
    } else {
        "sekimori_console"
    }
}

/// The `Set-Cookie` value carrying session `id`.
pub fn set_cookie(id: &str, tls: bool) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(tls)
    )
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_login_changes_the_id() {
        let s = Sessions::new(Duration::from_secs(60));
        let t0 = Instant::now();
        let a = s.create(None, t0);
        assert!(s.get(&a.id, t0 + Duration::from_secs(30)).is_some());
        // 30 s later again: the idle timer restarted at the last request.
        assert!(s.get(&a.id, t0 + Duration::from_secs(80)).is_some());
        assert!(s.get(&a.id, t0 + Duration::from_secs(200)).is_none());
        let b = s.create(None, t0);
        let c = s.login(&b.id, "morikawa".into(), Role::Admin, None, t0);
        assert_ne!(b.id, c.id);
        assert!(s.get(&b.id, t0).is_none());
        assert_eq!(s.get(&c.id, t0).unwrap().user.unwrap().0, "morikawa");
        assert_eq!(
            cookie("a=1; sekimori_console=xyz; b=2", "sekimori_console"),
            Some("xyz")
        );
        assert!(set_cookie("x", true).starts_with("__Host-"));
        assert!(set_cookie("x", true).contains("Secure"));
        assert!(set_cookie("x", false).contains("HttpOnly; SameSite=Strict"));
    }
}
