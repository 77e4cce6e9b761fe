//! 承認: pending changes with what they add and remove; a 承認者 other than the
//! proposer approves (the change is then made) or rejects; the proposer may withdraw.

use std::sync::Arc;

use http::StatusCode;

use super::super::apply;
use super::super::diff;
use super::super::html::{csrf_field, esc, notice, Lang};
use super::super::proposals::Change;
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::super::trail;
use super::jst;

/// The pending changes, with a notice above.
pub fn show(c: &Console, r: &Req, top: Option<(StatusCode, String)>) -> Reply {
    let l = r.lang;
    let (status, mut body) = top.unwrap_or((StatusCode::OK, String::new()));
    let Some((me, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    let list = c.proposals.list();
    if list.is_empty() {
        body.push_str(&format!(
            "<p class=\"muted\" id=\"no-proposals\">{}</p>",
            l.t("承認待ちの変更はありません。", "No change awaits approval.")
        ));
    }
    for p in list {
        let (added, removed) = p.diff();
        let words = |w: &[String]| {
            if w.is_empty() {
                "—".to_string()
            } else {
                w.iter()
                    .map(|x| format!("<code>{}</code>", esc(x)))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        let own = p.proposer == me;
        let (action_old, action_new, extra) = match &p.change {
            Change::Words(e) => (
                p.before_action.clone().unwrap_or_else(|| "—".into()),
                e.action.clone().unwrap_or_else(|| "—".into()),
                String::new(),
            ),
            Change::AllowWords(_) => ("—".into(), "—".into(), String::new()),
            Change::Policy { described, .. } => (
                "—".into(),
                "—".into(),
                format!(
                    "<ul class=\"settings\">{}</ul>",
                    described
                        .iter()
                        .map(|d| format!("<li><code>{}</code></li>", esc(d)))
                        .collect::<String>()
                ),
            ),
            Change::Restore { .. } => (
                "—".into(),
                "—".into(),
                c.current_text()
                    .map(|cur| diff::to_html(&cur, &p.new_text))
                    .unwrap_or_default(),
            ),
        };
        let mut buttons = String::new();
        if role.can_approve() {
            let dis = if own { " disabled" } else { "" };
            buttons.push_str(&format!(
                "<button type=\"submit\" name=\"op\" value=\"approve\" id=\"approve-{id}\"{dis}>{}</button> <button type=\"submit\" name=\"op\" value=\"reject\" class=\"secondary\">{}</button>",
                l.t("承認して反映", "Approve and apply"),
                l.t("却下", "Reject"),
                id = p.id,
            ));
            if own {
                buttons.push_str(&format!(
                    " <span class=\"muted\">{}</span>",
                    l.t(
                        "自分の変更案は承認できません",
                        "you cannot approve your own change"
                    )
                ));
            }
        } else if own {
            buttons.push_str(&format!("<button type=\"submit\" name=\"op\" value=\"withdraw\" class=\"secondary\">{}</button>", l.t("取り下げ", "Withdraw")));
        }
        body.push_str(&format!(
            "<form method=\"post\" action=\"/approvals\" class=\"card\" id=\"proposal-{id}\">{csrf}<input type=\"hidden\" name=\"id\" value=\"{id}\"><h2>#{id} {list}</h2><table><tbody><tr><th>{pl}</th><td>{proposer} ({created})</td></tr><tr><th>{al}</th><td>{added}</td></tr><tr><th>{rl}</th><td>{removed}</td></tr><tr><th>{actl}</th><td>{a0} → {a1}</td></tr><tr><th>{dl}</th><td><code>{d0}</code> → <code>{d1}</code></td></tr></tbody></table>{extra}{buttons}</form>",
            id = p.id,
            csrf = csrf_field(&r.session.csrf),
            list = esc(&p.subject()),
            pl = l.t("提案者", "Proposed by"),
            proposer = esc(&p.proposer),
            created = esc(&jst(&p.created)),
            al = l.t("追加する語", "Words added"),
            added = words(&added),
            rl = l.t("削除する語", "Words removed"),
            removed = words(&removed),
            actl = l.t("動作", "Action"),
            a0 = esc(&action_old),
            a1 = esc(&action_new),
            dl = l.t("設定ファイルの SHA-256", "Configuration file SHA-256"),
            d0 = &p.base_digest[..12],
            d1 = &p.new_digest[..12],
        ));
    }
    r.page(status, l.t("承認", "Approvals"), &body)
}

/// Approve, reject or withdraw.
pub async fn decide(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let Some((me, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    let id: u64 = r.param("id").and_then(|s| s.parse().ok()).unwrap_or(0);
    let op = r.param("op").unwrap_or("");
    let err = |status: StatusCode, m: String| show(c, r, Some((status, notice("error", &m))));
    match op {
        "approve" if role.can_approve() => {
            let p = match c.proposals.take_for_approval(id, me) {
                Ok(p) => p,
                Err(e) => {
                    trail::note(
                        &c.audit.log,
                        "approval_refused",
                        me,
                        &[("proposal", id.to_string()), ("reason", format!("{e:?}"))],
                    )
                    .await;
                    return err(StatusCode::FORBIDDEN, e.to_string());
                }
            };
            match apply::apply(c, &p, me, "change_approved").await {
                Ok(_) => {
                    let m = match l {
                        Lang::Ja => format!("変更 #{} を承認し、設定ファイルに書き込みました。ゲートウェイは新しい設定で動作しています。", p.id),
                        Lang::En => format!("Change #{} approved and written; the gateway runs the new configuration.", p.id),
                    };
                    show(c, r, Some((StatusCode::OK, notice("ok", &m))))
                }
                Err(e) => {
                    trail::note(
                        &c.audit.log,
                        "change_failed",
                        me,
                        &[("proposal", p.id.to_string())],
                    )
                    .await;
                    err(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
                }
            }
        }
        "reject" if role.can_approve() => decline(c, r, id, me, "change_rejected").await,
        "withdraw" if role.can_edit() => {
            if c.proposals
                .list()
                .iter()
                .any(|p| p.id == id && p.proposer != me)
            {
                return r.forbidden();
            }
            decline(c, r, id, me, "change_withdrawn").await
        }
        _ => r.forbidden(),
    }
}

async fn decline(c: &Arc<Console>, r: &Req, id: u64, me: &str, action: &str) -> Reply {
    match c.proposals.take(id) {
        Ok(p) => {
            trail::note(
                &c.audit.log,
                action,
                me,
                &[
                    ("proposal", p.id.to_string()),
                    ("proposer", p.proposer.clone()),
                    ("subject", p.subject()),
                ],
            )
            .await;
            show(
                c,
                r,
                Some((
                    StatusCode::OK,
                    notice(
                        "ok",
                        r.lang.t(
                            "変更案を取り消しました。設定ファイルは変わっていません。",
                            "The change was dropped; the configuration file is unchanged.",
                        ),
                    ),
                )),
            )
        }
        Err(e) => show(
            c,
            r,
            Some((StatusCode::NOT_FOUND, notice("error", &e.to_string()))),
        ),
    }
}
