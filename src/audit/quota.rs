//! Monthly quotas per user and per department, in characters and/or tokens,
//! optionally per model. Months are JST calendar months.
//!
//! Usage is fed by [`super::AuditLog`] itself from every durable request record
//! (`forward`: prompt characters; `outcome`: tokens in + out), and rebuilt from the
//! current month's records when the log is opened, so counters survive restarts and
//! never disagree with the log. The gateway only calls [`Quotas::check`].
//!
//! Boundaries: characters are checked before forwarding, `used + requested <= limit`
//! passes. Tokens are only known afterwards: a request passes while `used < limit`.
//! Concurrent requests checked before either is recorded may overshoot a cap by at
//! most the requests in flight.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use time::{Month, OffsetDateTime};

use super::timefmt::{format_jst, jst_month, next_month_start};
use super::{Event, Phase, StoredRecord};

/// Whom a rule limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaScope {
    /// Each user (or the named one).
    User,
    /// Each department (or the named one).
    Department,
}

impl QuotaScope {
    fn as_str(self) -> &'static str {
        match self {
            QuotaScope::User => "user",
            QuotaScope::Department => "department",
        }
    }
}

/// The unit of a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuotaUnit {
    /// Prompt characters forwarded.
    Chars,
    /// Tokens in + out reported by upstreams.
    Tokens,
}

/// One quota rule (`[[audit.quotas]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaRule {
    /// `user` or `department`.
    pub scope: QuotaScope,
    /// A specific user or department; absent: the default for every one without a
    /// specific rule (for the same `model`).
    #[serde(default)]
    pub name: Option<String>,
    /// Only requests to this model count and are limited; absent: all models.
    #[serde(default)]
    pub model: Option<String>,
    /// Monthly character cap.
    #[serde(default)]
    pub monthly_chars: Option<u64>,
    /// Monthly token cap.
    #[serde(default)]
    pub monthly_tokens: Option<u64>,
}

impl QuotaRule {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.monthly_chars.is_none() && self.monthly_tokens.is_none() {
            return Err("set monthly_chars and/or monthly_tokens".into());
        }
        Ok(())
    }
}

/// A request refused by a quota: which cap, how much is used, when it resets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// User or department cap.
    pub scope: QuotaScope,
    /// The user or department.
    pub subject: String,
    /// The model the cap is limited to, if any.
    pub model: Option<String>,
    /// Characters or tokens.
    pub unit: QuotaUnit,
    /// Used this month.
    pub used: u64,
    /// Asked for by this request (characters; 0 for tokens).
    pub requested: u64,
    /// The cap.
    pub limit: u64,
    /// 00:00 JST on the first of next month.
    pub resets_at: OffsetDateTime,
}

impl QuotaExceeded {
    /// Machine code for the gateway's error body: `quota_user_chars`, ….
    pub fn code(&self) -> String {
        let unit = match self.unit {
            QuotaUnit::Chars => "chars",
            QuotaUnit::Tokens => "tokens",
        };
        format!("quota_{}_{unit}", self.scope.as_str())
    }
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            QuotaUnit::Chars => "character",
            QuotaUnit::Tokens => "token",
        };
        write!(
            f,
            "monthly {unit} quota of {} `{}`",
            self.scope.as_str(),
            self.subject
        )?;
        if let Some(m) = &self.model {
            write!(f, " for model `{m}`")?;
        }
        write!(f, " exhausted: used {}", self.used)?;
        if self.requested > 0 {
            write!(f, " + requested {}", self.requested)?;
        }
        write!(
            f,
            " exceeds the limit of {}; resets {} JST",
            self.limit,
            format_jst(self.resets_at)
        )
    }
}

impl std::error::Error for QuotaExceeded {}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Used {
    chars: u64,
    tokens: u64,
}

type Key = (QuotaScope, String, Option<String>);

#[derive(Debug)]
struct State {
    month: Option<(i32, Month)>,
    used: HashMap<Key, Used>,
}

/// Monthly quota counters. Cheap to clone (shared state).
#[derive(Clone, Debug)]
pub struct Quotas {
    rules: Arc<Vec<QuotaRule>>,
    state: Arc<Mutex<State>>,
}

impl Quotas {
    /// Counters for `rules`, all zero.
    pub fn new(rules: Vec<QuotaRule>) -> Self {
        Quotas {
            rules: Arc::new(rules),
            state: Arc::new(Mutex::new(State {
                month: None,
                used: HashMap::new(),
            })),
        }
    }

    /// Checks a request of `chars` prompt characters now.
    pub fn check(
        &self,
        user: &str,
        department: Option<&str>,
        model: Option<&str>,
        chars: u64,
    ) -> Result<(), QuotaExceeded> {
        self.check_at(user, department, model, chars, OffsetDateTime::now_utc())
    }

    /// [`Quotas::check`] at a given instant (tests, replays).
    pub fn check_at(
        &self,
        user: &str,
        department: Option<&str>,
        model: Option<&str>,
        chars: u64,
        now: OffsetDateTime,
    ) -> Result<(), QuotaExceeded> {
        let mut st = self.lock();
        roll(&mut st, now);
        let subjects = [
            (QuotaScope::User, Some(user)),
            (QuotaScope::Department, department),
        ];
        for (scope, subject) in subjects {
            let Some(subject) = subject else { continue };
            for rule in self.effective_rules(scope, subject, model) {
                let used = st
                    .used
                    .get(&(scope, subject.to_string(), rule.model.clone()))
                    .copied()
                    .unwrap_or_default();
                let exceeded = |unit, used, requested, limit| QuotaExceeded {
                    scope,
                    subject: subject.to_string(),
                    model: rule.model.clone(),
                    unit,
                    used,
                    requested,
                    limit,
                    resets_at: next_month_start(now),
                };
                if let Some(limit) = rule.monthly_chars {
                    if used.chars.saturating_add(chars) > limit {
                        return Err(exceeded(QuotaUnit::Chars, used.chars, chars, limit));
                    }
                }
                if let Some(limit) = rule.monthly_tokens {
                    if used.tokens >= limit {
                        return Err(exceeded(QuotaUnit::Tokens, used.tokens, 0, limit));
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds usage at `at` (ignored if `at` is in an earlier month than the counters).
    pub fn add_at(
        &self,
        user: &str,
        department: Option<&str>,
        model: Option<&str>,
        chars: u64,
        tokens: u64,
        at: OffsetDateTime,
    ) {
        let mut st = self.lock();
        let m = jst_month(at);
        match st.month {
            Some(cur) if m < cur => return,
            Some(cur) if m == cur => {}
            _ => roll(&mut st, at),
        }
        let subjects = [
            (QuotaScope::User, Some(user)),
            (QuotaScope::Department, department),
        ];
        for (scope, subject) in subjects {
            let Some(subject) = subject else { continue };
            let models = [None, model.map(str::to_string)];
            for (i, mk) in models.into_iter().enumerate() {
                if i == 1 && mk.is_none() {
                    continue;
                }
                let u = st.used.entry((scope, subject.to_string(), mk)).or_default();
                u.chars = u.chars.saturating_add(chars);
                u.tokens = u.tokens.saturating_add(tokens);
            }
        }
    }

    /// Used `(chars, tokens)` this month for a scope, subject and model filter.
    pub fn used(&self, scope: QuotaScope, subject: &str, model: Option<&str>) -> (u64, u64) {
        let st = self.lock();
        let u = st
            .used
            .get(&(scope, subject.to_string(), model.map(str::to_string)))
            .copied()
            .unwrap_or_default();
        (u.chars, u.tokens)
    }

    /// Feeds one durable record.
    pub(crate) fn observe(&self, rec: &StoredRecord) {
        if let Some(t) = rec.time() {
            self.observe_event(&rec.event, t);
        }
    }

    /// Feeds one durable event of time `t`.
    pub(crate) fn observe_event(&self, event: &Event, t: OffsetDateTime) {
        let Event::Request(r) = event else {
            return;
        };
        let (chars, tokens) = match r.phase {
            Phase::Forward => (r.prompt_chars, 0),
            Phase::Outcome => (0, r.tokens_in.unwrap_or(0) + r.tokens_out.unwrap_or(0)),
            Phase::Final => return,
        };
        if chars == 0 && tokens == 0 {
            return;
        }
        self.add_at(
            &r.user,
            r.department.as_deref(),
            r.model.as_deref(),
            chars,
            tokens,
            t,
        );
    }

    /// Rules that apply: per (scope, model filter), the subject's own rule if any,
    /// else the default one.
    fn effective_rules<'a>(
        &'a self,
        scope: QuotaScope,
        subject: &str,
        model: Option<&str>,
    ) -> Vec<&'a QuotaRule> {
        let applies = |r: &&QuotaRule| {
            r.scope == scope && r.model.as_deref().is_none_or(|m| Some(m) == model)
        };
        let specific: Vec<&QuotaRule> = self
            .rules
            .iter()
            .filter(applies)
            .filter(|r| r.name.as_deref() == Some(subject))
            .collect();
        let mut out = specific.clone();
        for r in self
            .rules
            .iter()
            .filter(applies)
            .filter(|r| r.name.is_none())
        {
            if !specific.iter().any(|s| s.model == r.model) {
                out.push(r);
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves counters consistent (plain adds).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn roll(st: &mut State, now: OffsetDateTime) {
    let m = jst_month(now);
    if st.month.is_none_or(|cur| m > cur) {
        st.month = Some(m);
        st.used.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn rule(
        scope: QuotaScope,
        name: Option<&str>,
        model: Option<&str>,
        c: Option<u64>,
        t: Option<u64>,
    ) -> QuotaRule {
        QuotaRule {
            scope,
            name: name.map(Into::into),
            model: model.map(Into::into),
            monthly_chars: c,
            monthly_tokens: t,
        }
    }

    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        u64,
        Option<(&'a str, u64, u64)>,
    );

    #[test]
    fn boundaries_table() {
        use QuotaScope::*;
        let now = datetime!(2026-11-25 10:00 UTC);
        let q = Quotas::new(vec![
            rule(User, None, None, Some(1000), None),
            rule(User, Some("vip"), None, Some(5000), None),
            rule(Department, None, None, None, Some(300)),
            rule(User, None, Some("big"), Some(100), None),
        ]);
        q.add_at("u1", Some("d1"), Some("small"), 900, 0, now);
        q.add_at("vip", Some("d2"), Some("big"), 90, 299, now);
        // (user, dept, model, chars, expected Err(code, used, limit) or Ok)
        let cases: [Case; 8] = [
            ("u1", Some("d1"), Some("small"), 100, None), // exactly at the cap
            (
                "u1",
                Some("d1"),
                Some("small"),
                101,
                Some(("quota_user_chars", 900, 1000)),
            ),
            ("vip", Some("d2"), Some("small"), 4910, None), // own rule overrides default
            (
                "vip",
                Some("d2"),
                Some("small"),
                4911,
                Some(("quota_user_chars", 90, 5000)),
            ),
            ("vip", Some("d2"), Some("big"), 10, None), // per-model: 90 + 10 = 100
            (
                "vip",
                Some("d2"),
                Some("big"),
                11,
                Some(("quota_user_chars", 90, 100)),
            ),
            ("u2", Some("d2"), None, 1, None), // d2 at 299 < 300 tokens
            ("u2", None, None, 1000, None),
        ];
        for (i, (u, d, m, c, want)) in cases.into_iter().enumerate() {
            let got = q.check_at(u, d, m, c, now);
            match (got, want) {
                (Ok(()), None) => {}
                (Err(e), Some((code, used, limit))) => {
                    assert_eq!(
                        (e.code().as_str(), e.used, e.limit),
                        (code, used, limit),
                        "case {i}"
                    );
                    assert_eq!(e.resets_at, datetime!(2026-12-01 00:00 +9));
                }
                (got, want) => panic!("case {i}: got {got:?}, want {want:?}"),
            }
        }
        q.add_at("x", Some("d2"), None, 0, 1, now);
        let e = q.check_at("u2", Some("d2"), None, 1, now).unwrap_err();
        assert_eq!(
            (e.code().as_str(), e.used, e.limit),
            ("quota_department_tokens", 300, 300)
        );
        assert!(e.to_string().contains("2026-12-01 00:00:00 JST"), "{e}");
        // A new JST month resets everything.
        assert!(q
            .check_at("u2", Some("d2"), None, 1, datetime!(2026-11-30 15:00 UTC))
            .is_ok());
        // Usage from an earlier month is ignored.
        q.add_at("u1", None, None, 5000, 0, now);
        assert_eq!(q.used(User, "u1", None), (0, 0));
    }
}
