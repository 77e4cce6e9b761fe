//! ポリシー: the action for each category, organisation-wide and per department, and
//! each department's model allow list, in one table; a changed cell becomes a
//! proposal (validated as `check-config` does, approved by another person).

use std::sync::Arc;

use http::StatusCode;

use super::super::apply::{self, config_path, Submitted};
use super::super::edit::{self, EditError};
use super::super::html::{csrf_field, esc, notice, Lang};
use super::super::policy_edit::{self, Current, Setting};
use super::super::proposals::{Change, Proposal};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;

const ACTIONS: [&str; 4] = ["block", "warn", "mask", "log"];

fn cell(name: &str, current: Option<&str>, inherit: &str, editable: bool) -> String {
    let dis = if editable { "" } else { " disabled" };
    let mut s = format!(
        "<select name=\"{}\"{dis}><option value=\"\">{}</option>",
        esc(name),
        esc(inherit)
    );
    for a in ACTIONS {
        let sel = if current == Some(a) { " selected" } else { "" };
        s.push_str(&format!("<option value=\"{a}\"{sel}>{a}</option>"));
    }
    s.push_str("</select>");
    s
}

fn read(c: &Console) -> Result<(String, Current), EditError> {
    let path = config_path(c)?;
    let text = std::fs::read_to_string(&path).map_err(|error| EditError::Io {
        path: path.clone(),
        error,
    })?;
    let cur = policy_edit::current(&text, &path)?;
    Ok((text, cur))
}

/// The table.
pub fn show(c: &Console, r: &Req, top: Option<(StatusCode, String)>) -> Reply {
    let l = r.lang;
    let editable = r.user().is_some_and(|(_, role)| role.can_edit());
    let (status, mut body) = top.unwrap_or((StatusCode::OK, String::new()));
    let (_, cur) = match read(c) {
        Ok(x) => x,
        Err(e) => {
            body.push_str(&notice("info", &e.to_string()));
            return r.page(status, l.t("ポリシー", "Policy"), &body);
        }
    };
    let inherit_global = format!("{} ({})", l.t("既定", "default"), cur.default_action);
    let inherit_dept = l.t("全体に従う", "as policy").to_string();
    body.push_str(&format!(
        "<p class=\"muted\">{}</p><form method=\"post\" action=\"/policy\" class=\"card\" id=\"policy\">{}<table><thead><tr><th>{}</th><th>{}</th>",
        l.t("分類ごとの動作（全体と所属ごと）と、所属ごとに使えるモデル。空欄は上位の設定に従います。", "The action per category (organisation-wide and per department) and the models each department may use. Empty cells follow the level above."),
        csrf_field(&r.session.csrf),
        l.t("分類", "Category"),
        l.t("全体", "Everyone"),
    ));
    for (d, _) in &cur.departments {
        body.push_str(&format!("<th>{}</th>", esc(d)));
    }
    body.push_str("</tr></thead><tbody>");
    for cat in &cur.categories {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td>",
            esc(cat),
            cell(
                &format!("a._.{cat}"),
                cur.action(None, cat),
                &inherit_global,
                editable
            )
        ));
        for (i, (d, _)) in cur.departments.iter().enumerate() {
            body.push_str(&format!(
                "<td>{}</td>",
                cell(
                    &format!("a.{i}.{cat}"),
                    cur.action(Some(d), cat),
                    &inherit_dept,
                    editable
                )
            ));
        }
        body.push_str("</tr>");
    }
    body.push_str(&format!(
        "<tr><th>{}</th><td class=\"muted\">—</td>",
        l.t(
            "使えるモデル（カンマ区切り、空欄はすべて）",
            "Models (comma-separated; empty: all)"
        )
    ));
    for (i, (d, _)) in cur.departments.iter().enumerate() {
        let m = cur.models.get(d).map(|m| m.join(", ")).unwrap_or_default();
        let ro = if editable { "" } else { " readonly" };
        body.push_str(&format!(
            "<td><input type=\"text\" name=\"m.{i}\" value=\"{}\"{ro}></td>",
            esc(&m)
        ));
    }
    body.push_str("</tr></tbody></table>");
    if editable {
        body.push_str(&format!(
            "<button type=\"submit\" id=\"policy-submit\">{}</button>",
            l.t("変更を提案する", "Propose the change")
        ));
    }
    body.push_str("</form>");
    r.page(status, l.t("ポリシー", "Policy"), &body)
}

/// The settings the form changes.
fn changes(r: &Req, cur: &Current) -> Vec<Setting> {
    let mut out = Vec::new();
    let cols: Vec<(String, Option<String>)> = std::iter::once(("_".to_string(), None))
        .chain(
            cur.departments
                .iter()
                .enumerate()
                .map(|(i, (d, _))| (i.to_string(), Some(d.clone()))),
        )
        .collect();
    for cat in &cur.categories {
        for (key, dept) in &cols {
            let Some(v) = r.form.get(&format!("a.{key}.{cat}")) else {
                continue;
            };
            let new = Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
            if new.as_deref() != cur.action(dept.as_deref(), cat) {
                out.push(Setting::Action {
                    department: dept.clone(),
                    category: cat.clone(),
                    action: new,
                });
            }
        }
    }
    for (i, (d, _)) in cur.departments.iter().enumerate() {
        let Some(v) = r.form.get(&format!("m.{i}")) else {
            continue;
        };
        let models: Vec<String> = v
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        if Some(&models) != cur.models.get(d) {
            out.push(Setting::Models {
                department: d.clone(),
                models,
            });
        }
    }
    out
}

/// Proposes (or makes) the changed settings.
pub async fn submit(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let Some((user, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    if !role.can_edit() {
        return r.forbidden();
    }
    let refused = |e: &dyn std::fmt::Display| {
        show(
            c,
            r,
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                notice("error", &e.to_string()),
            )),
        )
    };
    let (old, cur) = match read(c) {
        Ok(x) => x,
        Err(e) => return refused(&e),
    };
    let settings = changes(r, &cur);
    if let Err(e) = policy_edit::check(&settings) {
        return refused(&e);
    }
    let new_text = match policy_edit::apply(&old, &settings) {
        Ok(t) => t,
        Err(e) => return refused(&e),
    };
    let path = match config_path(c) {
        Ok(p) => p,
        Err(e) => return refused(&e),
    };
    let vt = new_text.clone();
    match tokio::task::spawn_blocking(move || edit::validate(&vt, &path).map(drop)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return refused(&e),
        Err(_) => return refused(&"validation failed"),
    }
    let described = settings.iter().map(|s| s.describe(&cur)).collect();
    let p = Proposal {
        id: 0,
        proposer: user.to_string(),
        created: crate::audit::timefmt::format_utc(time::OffsetDateTime::now_utc()),
        change: Change::Policy {
            settings,
            described,
        },
        before: Vec::new(),
        before_action: None,
        base_digest: edit::digest(&old),
        new_digest: edit::digest(&new_text),
        new_text,
    };
    match apply::submit(c, p).await {
        Ok(Submitted::Proposed(id)) => {
            let m = match l {
                Lang::Ja => format!("変更案 #{id}（ポリシー）を提案しました。別の承認者の承認後に反映されます。"),
                Lang::En => format!("Change #{id} (policy) proposed. It applies once another person (承認者) approves it."),
            };
            super::approvals::show(c, r, Some((StatusCode::OK, notice("ok", &m))))
        }
        Ok(Submitted::Applied) => show(
            c,
            r,
            Some((
                StatusCode::OK,
                notice(
                    "ok",
                    l.t(
                        "変更を書き込み、ゲートウェイに反映しました。",
                        "The change was written and the gateway uses it now.",
                    ),
                ),
            )),
        ),
        Err(e) => refused(&e),
    }
}
