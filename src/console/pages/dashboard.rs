//! ダッシュボード: requests, blocks, masks and warnings by category and department
//! for today and this month (JST), from the audit log; the log's status (writable,
//! last signed checkpoint, last verification); pending changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use http::StatusCode;
use time::OffsetDateTime;

use crate::audit::export::for_each_record;
use crate::audit::timefmt::{month_start, JST};
use crate::audit::{Action, Event, Phase};

use super::super::html::{esc, notice, Lang};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::jst;

/// Counts over one period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests (forward and final records).
    pub requests: u64,
    /// Blocked.
    pub blocked: u64,
    /// Forwarded masked.
    pub masked: u64,
    /// Warned (refused once with a token) or forwarded after acknowledgement.
    pub warned: u64,
    /// Requests with a finding, by category.
    pub by_category: BTreeMap<String, u64>,
    /// Requests, by department.
    pub by_department: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, q: &crate::audit::RequestEvent) {
        self.requests += 1;
        match q.action {
            Action::Blocked => self.blocked += 1,
            Action::Masked => self.masked += 1,
            Action::Warned | Action::Acknowledged => self.warned += 1,
            _ => {}
        }
        for (c, n) in &q.categories {
            if *n > 0 {
                *self.by_category.entry(c.clone()).or_default() += 1;
            }
        }
        let d = q.department.clone().unwrap_or_else(|| "(none)".into());
        *self.by_department.entry(d).or_default() += 1;
    }
}

/// Today's and this month's counts (JST) from the log in `dir`.
pub fn counts(dir: &Path, now: OffsetDateTime) -> (Counts, Counts) {
    let today = now.to_offset(JST).replace_time(time::Time::MIDNIGHT);
    let month = month_start(now);
    let (mut d, mut m) = (Counts::default(), Counts::default());
    let _ = for_each_record(dir, |r| {
        let Event::Request(q) = &r.event else {
            return Ok(());
        };
        if !matches!(q.phase, Phase::Forward | Phase::Final) {
            return Ok(());
        }
        let Some(t) = r.time() else { return Ok(()) };
        if t >= month {
            m.add(q);
        }
        if t >= today {
            d.add(q);
        }
        Ok(())
    });
    (d, m)
}

fn last_checkpoint(dir: &Path) -> Option<(u64, String)> {
    let text = std::fs::read_to_string(dir.join("checkpoints.jsonl")).ok()?;
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let v: serde_json::Value = serde_json::from_str(last).ok()?;
    let seq = v.get("seq").and_then(|s| s.as_u64())?;
    let at = v
        .get("time")
        .or_else(|| v.get("signed_at"))
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_string();
    Some((seq, at))
}

fn table(l: Lang, title: &str, map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return format!(
            "<h3>{}</h3><p class=\"muted\">{}</p>",
            esc(title),
            l.t("なし", "none")
        );
    }
    let mut s = format!("<h3>{}</h3><table><tbody>", esc(title));
    for (k, n) in map {
        s.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(k)
        ));
    }
    s.push_str("</tbody></table>");
    s
}

fn period(l: Lang, id: &str, title: &str, c: &Counts) -> String {
    format!(
        "<section class=\"card\" id=\"{id}\"><h2>{}</h2><div class=\"grid\"><div class=\"stat\"><div>{}</div><div class=\"n\" data-k=\"requests\">{}</div></div><div class=\"stat\"><div>{}</div><div class=\"n\" data-k=\"blocked\">{}</div></div><div class=\"stat\"><div>{}</div><div class=\"n\" data-k=\"masked\">{}</div></div><div class=\"stat\"><div>{}</div><div class=\"n\" data-k=\"warned\">{}</div></div></div>{}{}</section>",
        esc(title),
        l.t("リクエスト", "Requests"),
        c.requests,
        l.t("ブロック", "Blocked"),
        c.blocked,
        l.t("マスク", "Masked"),
        c.masked,
        l.t("警告", "Warned"),
        c.warned,
        table(l, l.t("分類別（検出のあったリクエスト）", "By category (requests with a finding)"), &c.by_category),
        table(l, l.t("所属別", "By department"), &c.by_department),
    )
}

/// The dashboard.
pub async fn show(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let mut body = String::new();
    if r.session.show_previous_login {
        c.sessions.previous_login_shown(&r.session.id);
        let m = match (&r.session.previous_login, l) {
            (Some(p), Lang::Ja) => format!("前回のログイン: {}", jst(p)),
            (Some(p), Lang::En) => format!("Last login: {}", jst(p)),
            (None, _) => l
                .t("初めてのログインです。", "This is your first login.")
                .into(),
        };
        body.push_str(&notice("info", &m).replace("<p ", "<p id=\"last-login\" "));
    }
    let dir = c.audit.dir.clone();
    let (today, month) =
        tokio::task::spawn_blocking(move || counts(&dir, OffsetDateTime::now_utc()))
            .await
            .unwrap_or_default();
    body.push_str(&period(l, "today", l.t("今日", "Today"), &today));
    body.push_str(&period(l, "month", l.t("今月", "This month"), &month));
    let healthy = c.audit.log.is_healthy();
    let ckpt = last_checkpoint(&c.audit.dir);
    let verify = c
        .last_verify
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    body.push_str(&format!(
        "<section class=\"card\" id=\"audit-status\"><h2>{}</h2><table><tbody><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr></tbody></table></section>",
        l.t("監査ログ", "Audit log"),
        l.t("書き込み", "Writable"),
        if healthy { l.t("正常", "yes") } else { l.t("書き込めません（リクエストは 503 で止まります）", "NO (requests are refused with 503)") },
        l.t("最後の署名チェックポイント", "Last signed checkpoint"),
        ckpt.map_or_else(|| l.t("まだありません", "none yet").to_string(), |(s, t)| format!("#{s} {}", esc(&jst(&t)))),
        l.t("最後の検証", "Last verification"),
        verify.as_ref().map_or_else(|| l.t("未実施（監査者が監査ログの画面から実行）", "not run (an auditor runs it from the audit log page)").to_string(), |v| format!("{} — {}", esc(&jst(&v.at)), if v.ok { l.t("改ざんなし", "intact") } else { l.t("問題あり", "PROBLEMS") })),
        l.t("承認待ちの変更", "Changes awaiting approval"),
        c.proposals.list().len(),
    ));
    r.page(StatusCode::OK, l.t("ダッシュボード", "Dashboard"), &body)
}
