//! 監査ログ: search by time, user, department, action and category — the newest
//! matching records, never a prompt, a value or a sealed text — and verification of
//! the hash chain and signed checkpoints.

use std::sync::Arc;

use http::StatusCode;

use crate::audit::export::{for_each_record, Filter};
use crate::audit::timefmt::{format_utc, parse_cli_time};
use crate::audit::verify::verify_dir;
use crate::audit::{checkpoint, AdminEvent, Event, StoredRecord};

use super::super::html::csrf_field;
use super::super::html::{esc, notice};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::{Console, VerifySummary};
use super::super::trail;
use super::jst;

/// Records shown at most (the newest).
pub const MAX_SHOWN: usize = 200;

fn row(r: &StoredRecord) -> String {
    let (kind, who, dept, what, cats, status) = match &r.event {
        Event::Request(q) => (
            "request",
            q.user.clone(),
            q.department.clone().unwrap_or_default(),
            format!("{:?} {}", q.phase, q.action).to_lowercase(),
            q.categories
                .iter()
                .map(|(c, n)| format!("{c}×{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            q.status.map(|s| s.to_string()).unwrap_or_default(),
        ),
        Event::Admin(a) => {
            let (actor, name, detail) = match a {
                AdminEvent::ConfigReload { actor, changed, .. } => (
                    actor.clone(),
                    "config_reload".to_string(),
                    changed.join(" "),
                ),
                AdminEvent::KeyIssued { actor, subject, .. } => {
                    (actor.clone(), "key_issued".into(), subject.clone())
                }
                AdminEvent::KeyRevoked { actor, subject, .. } => {
                    (actor.clone(), "key_revoked".into(), subject.clone())
                }
                AdminEvent::Other {
                    name,
                    actor,
                    detail,
                } => (
                    actor.clone(),
                    name.clone(),
                    detail
                        .iter()
                        .filter(|(k, _)| !k.ends_with("digest"))
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            };
            ("admin", actor, String::new(), name, detail, String::new())
        }
        Event::System(_) => (
            "system",
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    format!(
        "<tr><td class=\"num\">{}</td><td>{}</td><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        r.seq,
        esc(&jst(&r.time)),
        esc(&who),
        esc(&dept),
        esc(&what),
        esc(&cats),
        esc(&status)
    )
}

/// The search form and the newest matching records.
pub async fn show(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let mut f = Filter {
        include_admin: true,
        ..Filter::default()
    };
    let mut problems = Vec::new();
    for (k, slot) in [("from", &mut f.from), ("to", &mut f.to)] {
        if let Some(v) = r.param(k) {
            match parse_cli_time(v) {
                Ok(t) => *slot = Some(t),
                Err(e) => problems.push(e),
            }
        }
    }
    f.user = r.param("user").map(str::to_string);
    f.department = r.param("department").map(str::to_string);
    f.category = r.param("category").map(str::to_string);
    if let Some(a) = r.param("action") {
        match a.parse() {
            Ok(a) => f.action = Some(a),
            Err(e) => problems.push(e),
        }
    }
    let val = |k: &str| esc(r.param(k).unwrap_or(""));
    let mut body = format!(
        "<form method=\"get\" action=\"/audit\" class=\"card\" id=\"audit-search\"><label for=\"from\">{fl}</label><input type=\"date\" id=\"from\" name=\"from\" value=\"{from}\"><label for=\"to\">{tl}</label><input type=\"date\" id=\"to\" name=\"to\" value=\"{to}\"><label for=\"user\">{ul}</label><input type=\"text\" id=\"user\" name=\"user\" value=\"{user}\"><label for=\"department\">{dl}</label><input type=\"text\" id=\"department\" name=\"department\" value=\"{dept}\"><label for=\"action\">{al}</label><input type=\"text\" id=\"action\" name=\"action\" value=\"{action}\" placeholder=\"blocked, masked, …\"><label for=\"category\">{cl}</label><input type=\"text\" id=\"category\" name=\"category\" value=\"{cat}\" placeholder=\"phone, my_number, …\"><br><button type=\"submit\">{sl}</button></form><form method=\"post\" action=\"/audit/verify\" class=\"card\">{csrf}<button type=\"submit\" id=\"verify\">{vl}</button></form>",
        fl = l.t("開始日（JST）", "From (JST date)"),
        tl = l.t("終了日（この日を含まない）", "To (exclusive)"),
        ul = l.t("利用者", "User"),
        dl = l.t("所属", "Department"),
        al = l.t("動作", "Action"),
        cl = l.t("分類", "Category"),
        sl = l.t("検索", "Search"),
        vl = l.t("チェーンを検証する", "Verify the chain"),
        from = val("from"), to = val("to"), user = val("user"), dept = val("department"), action = val("action"), cat = val("category"),
        csrf = csrf_field(&r.session.csrf),
    );
    if let Some(v) = c
        .last_verify
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    {
        let m = if v.ok {
            format!(
                "{} {} — {} {} / {} {}",
                l.t("検証結果: 改ざんなし", "Verification: intact"),
                jst(&v.at),
                v.records,
                l.t("件", "records"),
                v.checkpoints_verified,
                l.t("チェックポイント", "checkpoints")
            )
        } else {
            format!(
                "{} {} — {}",
                l.t("検証結果: 問題あり", "Verification: PROBLEMS"),
                jst(&v.at),
                v.problems.join(", ")
            )
        };
        body.push_str(
            &notice(if v.ok { "ok" } else { "error" }, &m)
                .replace("<p ", "<p id=\"verify-result\" "),
        );
    }
    for p in &problems {
        body.push_str(&notice("error", p));
    }
    let dir = c.audit.dir.clone();
    let found = tokio::task::spawn_blocking(move || {
        let mut ring: std::collections::VecDeque<String> = std::collections::VecDeque::new();
        let mut n = 0u64;
        let _ = for_each_record(&dir, |rec| {
            if f.matches(rec) {
                n += 1;
                if ring.len() == MAX_SHOWN {
                    ring.pop_front();
                }
                ring.push_back(row(rec));
            }
            Ok(())
        });
        (n, ring)
    })
    .await
    .unwrap_or_default();
    body.push_str(&format!(
        "<p>{}: {}</p><table id=\"records\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l.t("一致した記録（新しい順に最大 200 件表示）", "Matching records (newest 200 shown)"),
        found.0,
        l.t("時刻", "Time"),
        l.t("種類", "Type"),
        l.t("利用者・操作者", "User / actor"),
        l.t("所属", "Department"),
        l.t("内容", "What"),
        l.t("分類・詳細", "Categories / detail"),
        l.t("状態", "Status"),
    ));
    for row in found.1.iter().rev() {
        body.push_str(row);
    }
    body.push_str("</tbody></table>");
    let user = r.user().map(|(u, _)| u.to_string()).unwrap_or_default();
    trail::note(
        &c.audit.log,
        "audit_search",
        &user,
        &[("matches", found.0.to_string())],
    )
    .await;
    r.page(StatusCode::OK, l.t("監査ログ", "Audit log"), &body)
}

/// Verifies the chain and the signed checkpoints (against the signing key's public
/// half when it is readable), keeps the summary for the dashboard.
pub async fn verify(c: &Arc<Console>, r: &Req) -> Reply {
    let dir = c.audit.dir.clone();
    let key = c.audit.public_key.clone();
    let rep = tokio::task::spawn_blocking(move || {
        let trusted: Vec<_> = key
            .and_then(|k| checkpoint::read_public_key(&k).ok())
            .into_iter()
            .collect();
        verify_dir(&dir, &trusted)
    })
    .await;
    let summary = match rep {
        Ok(Ok(rep)) => VerifySummary {
            at: format_utc(time::OffsetDateTime::now_utc()),
            ok: rep.ok(),
            records: rep.records,
            checkpoints_verified: rep.checkpoints_verified,
            problems: rep
                .problems
                .iter()
                .map(|p| p.kind.as_str().to_string())
                .collect(),
        },
        Ok(Err(e)) => VerifySummary {
            at: format_utc(time::OffsetDateTime::now_utc()),
            ok: false,
            records: 0,
            checkpoints_verified: 0,
            problems: vec![e.to_string()],
        },
        Err(_) => return r.page(StatusCode::INTERNAL_SERVER_ERROR, "verify", ""),
    };
    let user = r.user().map(|(u, _)| u.to_string()).unwrap_or_default();
    trail::note(
        &c.audit.log,
        "audit_verify",
        &user,
        &[
            ("ok", summary.ok.to_string()),
            ("records", summary.records.to_string()),
        ],
    )
    .await;
    *c.last_verify.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary);
    Reply::redirect("/audit")
}
