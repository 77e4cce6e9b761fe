//! 設定履歴: the versions of the configuration file kept before each console change
//! (`<config>.history/`), each with its difference to the file in use; a 管理者 may
//! propose restoring one, which goes through the same validation and four-eyes
//! approval as any other change.

use std::sync::Arc;

use http::StatusCode;

use super::super::apply::{self, config_path};
use super::super::diff;
use super::super::edit::{self, history_dir};
use super::super::html::{csrf_field, esc, notice, Lang};
use super::super::proposals::{Change, Proposal};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::super::trail;

/// A kept version's file name, if `name` is one (no path, `.toml`).
fn valid_name(name: &str) -> bool {
    name.ends_with(".toml")
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

fn versions(c: &Console) -> Vec<String> {
    let Ok(path) = config_path(c) else {
        return Vec::new();
    };
    let mut v: Vec<String> = std::fs::read_dir(history_dir(&path))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| valid_name(n))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.reverse();
    v
}

fn read_version(c: &Console, name: &str) -> Option<String> {
    if !valid_name(name) || !versions(c).iter().any(|v| v == name) {
        return None;
    }
    let path = config_path(c).ok()?;
    std::fs::read_to_string(history_dir(&path).join(name)).ok()
}

/// The kept versions; with `?show=NAME`, what restoring it would change.
pub fn show(c: &Console, r: &Req, top: Option<(StatusCode, String)>) -> Reply {
    let l = r.lang;
    let (status, mut body) = top.unwrap_or((StatusCode::OK, String::new()));
    let editable = r.user().is_some_and(|(_, role)| role.can_edit());
    if let Err(e) = config_path(c) {
        body.push_str(&notice("info", &e.to_string()));
    }
    let list = versions(c);
    if list.is_empty() {
        body.push_str(&format!(
            "<p class=\"muted\" id=\"no-versions\">{}</p>",
            l.t("コンソールからの変更はまだありません（変更のたびに直前の版がここに残ります）。", "No change was made from the console yet (each change keeps the version before it here).")
        ));
    } else {
        body.push_str(&format!(
            "<table id=\"versions\"><thead><tr><th>{}</th><th>SHA-256</th><th></th></tr></thead><tbody>",
            l.t("この版が置き換えられた時刻（UTC）", "Replaced at (UTC)")
        ));
        for v in &list {
            let (stamp, digest) = v
                .trim_end_matches(".toml")
                .split_once('-')
                .unwrap_or((v, ""));
            let restore = if editable {
                format!(
                    "<form method=\"post\" action=\"/history\">{}<input type=\"hidden\" name=\"version\" value=\"{}\"><button type=\"submit\" class=\"secondary\">{}</button></form>",
                    csrf_field(&r.session.csrf),
                    esc(v),
                    l.t("この版に戻す（提案）", "Propose restoring it")
                )
            } else {
                String::new()
            };
            body.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td><a href=\"/history?show={}\">{}</a> {restore}</td></tr>",
                esc(stamp),
                esc(digest),
                esc(v),
                l.t("差分", "Difference"),
            ));
        }
        body.push_str("</tbody></table>");
    }
    if let Some(name) = r.query.get("show") {
        match (read_version(c, name), c.current_text()) {
            (Some(old), Some(cur)) => body.push_str(&format!(
                "<section class=\"card\" id=\"diff\"><h2>{}: {}</h2>{}</section>",
                l.t("この版に戻すと", "Restoring"),
                esc(name),
                diff::to_html(&cur, &old)
            )),
            _ => body.push_str(&notice(
                "error",
                l.t("その版はありません。", "No such version."),
            )),
        }
    }
    r.page(status, l.t("設定履歴", "Configuration history"), &body)
}

/// Proposes restoring a kept version (or restores it, without required approval).
pub async fn submit(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let Some((user, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    if !role.can_edit() {
        return r.forbidden();
    }
    let name = r.param("version").unwrap_or("").to_string();
    let (Some(text), Some(cur), Ok(path)) =
        (read_version(c, &name), c.current_text(), config_path(c))
    else {
        return show(
            c,
            r,
            Some((
                StatusCode::NOT_FOUND,
                notice("error", l.t("その版はありません。", "No such version.")),
            )),
        );
    };
    let (vt, vp) = (text.clone(), path.clone());
    match tokio::task::spawn_blocking(move || edit::validate(&vt, &vp).map(drop)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return show(
                c,
                r,
                Some((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    notice("error", &e.to_string()),
                )),
            )
        }
        Err(_) => {
            return show(
                c,
                r,
                Some((
                    StatusCode::INTERNAL_SERVER_ERROR,
                    notice("error", "validation failed"),
                )),
            )
        }
    }
    let p = Proposal {
        id: 0,
        proposer: user.to_string(),
        created: crate::audit::timefmt::format_utc(time::OffsetDateTime::now_utc()),
        change: Change::Restore {
            version: name.clone(),
        },
        before: Vec::new(),
        before_action: None,
        base_digest: edit::digest(&cur),
        new_digest: edit::digest(&text),
        new_text: text,
    };
    if !c.cfg.require_approval {
        return match apply::apply(c, &p, user, "change_applied").await {
            Ok(_) => show(
                c,
                r,
                Some((
                    StatusCode::OK,
                    notice("ok", l.t("その版に戻しました。", "Restored.")),
                )),
            ),
            Err(e) => show(
                c,
                r,
                Some((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    notice("error", &e.to_string()),
                )),
            ),
        };
    }
    if let Err(e) = trail::record(
        &c.audit.log,
        "change_proposed",
        user,
        &[
            ("subject", p.subject()),
            ("old_digest", p.base_digest.clone()),
            ("new_digest", p.new_digest.clone()),
        ],
    )
    .await
    {
        return show(
            c,
            r,
            Some((
                StatusCode::SERVICE_UNAVAILABLE,
                notice("error", &e.to_string()),
            )),
        );
    }
    let id = c.proposals.add(p);
    let m = match l {
        Lang::Ja => format!("変更案 #{id}（{name} に戻す）を提案しました。別の承認者の承認後に反映されます。"),
        Lang::En => format!("Change #{id} (restore {name}) proposed. It applies once another person (承認者) approves it."),
    };
    super::approvals::show(c, r, Some((StatusCode::OK, notice("ok", &m))))
}
