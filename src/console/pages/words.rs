//! 禁止ワード: the word lists of the configuration file, edited line by line,
//! validated (empty, duplicate, matches-everything, then the whole file as
//! `check-config` does), previewed on a sample text under the pending configuration,
//! and proposed for approval (or, with `require_approval = false`, made at once).

use std::sync::Arc;

use http::StatusCode;

use super::super::apply::{self, config_path};
use super::super::edit::{self, EditError, WordListEdit};
use super::super::html::{csrf_field, esc, notice, Lang};
use super::super::proposals::{Change, Proposal};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::super::trail;
use super::super::try_text;
use super::test_text::render_result;

const ACTIONS: [&str; 4] = ["block", "warn", "mask", "log"];

fn action_select(l: Lang, id: &str, current: Option<&str>) -> String {
    let mut s = format!(
        "<select name=\"action\" id=\"{id}\"><option value=\"\">{}</option>",
        l.t("（ポリシーの既定）", "(policy default)")
    );
    for a in ACTIONS {
        let sel = if current == Some(a) { " selected" } else { "" };
        s.push_str(&format!("<option value=\"{a}\"{sel}>{a}</option>"));
    }
    s.push_str("</select>");
    s
}

fn list_form(l: Lang, csrf: &str, e: &WordListEdit, editable: bool, new: bool) -> String {
    let id = if new {
        "new".to_string()
    } else {
        e.list.clone()
    };
    let name_field = if new {
        format!(
            "<label for=\"list-new\">{}</label><input type=\"text\" id=\"list-new\" name=\"list\" value=\"{}\" pattern=\"[A-Za-z0-9_-]+\">",
            l.t("新しいリスト名（半角英数字）", "New list name (ASCII)"),
            esc(&e.list)
        )
    } else {
        format!(
            "<input type=\"hidden\" name=\"list\" value=\"{}\">",
            esc(&e.list)
        )
    };
    let words = esc(&e.words.join("\n"));
    let ro = if editable { "" } else { " readonly" };
    let buttons = if editable {
        format!(
            "<label for=\"sample-{id}\">{}</label><textarea id=\"sample-{id}\" name=\"sample\" class=\"sample\"></textarea><button type=\"submit\" name=\"op\" value=\"preview\" class=\"secondary\">{}</button> <button type=\"submit\" name=\"op\" value=\"propose\" id=\"propose-{id}\">{}</button>",
            l.t("試し読みする文（任意）", "Sample text to preview (optional)"),
            l.t("変更後の検出を試す", "Preview the change"),
            l.t("変更を提案する", "Propose the change"),
        )
    } else {
        String::new()
    };
    format!(
        "<form method=\"post\" action=\"/words\" class=\"card\" id=\"list-{id}\"><h2>{title}</h2>{csrf}{name_field}<label for=\"words-{id}\">{wl}</label><textarea id=\"words-{id}\" name=\"words\"{ro}>{words}</textarea><label for=\"action-{id}\">{al}</label>{sel}{export}<br>{buttons}</form>",
        title = if new { l.t("新しいリスト", "New list").to_string() } else { esc(&e.list) },
        csrf = csrf_field(csrf),
        wl = l.t("語（1 行に 1 語）", "Words (one per line)"),
        al = l.t("見つかったときの動作", "Action when found"),
        sel = action_select(l, &format!("action-{id}"), e.action.as_deref()),
        export = if new {
            String::new()
        } else {
            format!(
                " <a href=\"/words.txt?list={}\">{}</a>",
                esc(&percent_encoding::utf8_percent_encode(&e.list, percent_encoding::NON_ALPHANUMERIC).to_string()),
                l.t("テキストで書き出す", "Export as text")
            )
        },
    )
}

/// The lists, with a notice or a preview above them.
pub fn show(c: &Console, r: &Req, top: Option<(StatusCode, String)>) -> Reply {
    let l = r.lang;
    let editable = r.user().is_some_and(|(_, role)| role.can_edit());
    let (status, mut body) = top.unwrap_or((StatusCode::OK, String::new()));
    let path = config_path(c);
    let text = path
        .as_ref()
        .ok()
        .and_then(|p| std::fs::read_to_string(p).ok());
    match (&path, &text) {
        (Err(e), _) => body.push_str(&notice("info", &e.to_string())),
        (Ok(p), None) => body.push_str(&notice(
            "error",
            &format!(
                "{}: {}",
                l.t(
                    "設定ファイルを読めません",
                    "cannot read the configuration file"
                ),
                p.display()
            ),
        )),
        (Ok(_), Some(_)) => {}
    }
    if c.cfg.require_approval && editable {
        body.push_str(&format!(
            "<p class=\"muted\">{}</p>",
            l.t("変更は別の承認者が承認してから設定ファイルに書き込まれます。", "A change is written to the configuration file after another person (承認者) approves it.")
        ));
    }
    let lists = text.as_deref().map(edit::word_lists).unwrap_or_default();
    for e in &lists {
        body.push_str(&list_form(
            l,
            &r.session.csrf,
            e,
            editable && text.is_some(),
            false,
        ));
    }
    if lists.is_empty() {
        body.push_str(&format!(
            "<p class=\"muted\">{}</p>",
            l.t(
                "設定ファイルに禁止ワードのリストはまだありません。",
                "The configuration file has no word list yet."
            )
        ));
    }
    if editable && text.is_some() {
        let blank = WordListEdit {
            list: String::new(),
            words: Vec::new(),
            action: Some("block".into()),
        };
        body.push_str(&list_form(l, &r.session.csrf, &blank, true, true));
    }
    if let Some(t) = &text {
        let ro = if editable { "" } else { " readonly" };
        let button = if editable {
            format!(
                "<br><button type=\"submit\" id=\"propose-allow\">{}</button>",
                l.t("変更を提案する", "Propose the change")
            )
        } else {
            String::new()
        };
        body.push_str(&format!(
            "<form method=\"post\" action=\"/words\" class=\"card\" id=\"allow\"><h2>{}</h2><p class=\"muted\">{}</p>{}<input type=\"hidden\" name=\"kind\" value=\"allow\"><label for=\"words-allow\">{}</label><textarea id=\"words-allow\" name=\"words\"{ro}>{}</textarea> <a href=\"/words.txt?list=allow\">{}</a>{button}</form>",
            l.t("許可ワード", "Allowed words"),
            l.t("ここに書いた語は検出されません（公共施設名、役職名など）。", "Terms here are never flagged (public facilities, officials' titles)."),
            csrf_field(&r.session.csrf),
            l.t("語（1 行に 1 語）", "Words (one per line)"),
            esc(&edit::allow_words(t).join("\n")),
            l.t("テキストで書き出す", "Export as text"),
        ));
    }
    r.page(status, l.t("禁止ワード", "Banned words"), &body)
}

fn parse_edit(r: &Req) -> WordListEdit {
    let raw = r.form.get("words").cloned().unwrap_or_default();
    let lines: Vec<&str> = raw.lines().collect();
    // Blank lines at the ends are layout; a blank line inside is reported.
    let first = lines
        .iter()
        .position(|w| !w.trim().is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|w| !w.trim().is_empty())
        .map_or(first, |i| i + 1);
    WordListEdit {
        list: r.param("list").unwrap_or("").to_string(),
        words: lines[first..last.max(first)]
            .iter()
            .map(|w| w.trim().to_string())
            .collect(),
        action: r.param("action").map(str::to_string),
    }
}

fn refused(c: &Console, r: &Req, e: &EditError) -> Reply {
    show(
        c,
        r,
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            notice("error", &e.to_string()),
        )),
    )
}

/// Preview or propose (or make) a change.
pub async fn submit(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let Some((user, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    if !role.can_edit() {
        return r.forbidden();
    }
    let e = parse_edit(r);
    if r.param("kind") == Some("allow") {
        return submit_allow(c, r, user, e.words).await;
    }
    if let Err(err) = edit::check_words(&e) {
        return refused(c, r, &err);
    }
    let path = match config_path(c) {
        Ok(p) => p,
        Err(err) => return refused(c, r, &err),
    };
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(error) => return refused(c, r, &EditError::Io { path, error }),
    };
    let new_text = match edit::apply(&old, &e) {
        Ok(t) => t,
        Err(err) => return refused(c, r, &err),
    };
    let (vt, vp) = (new_text.clone(), path.clone());
    let built = tokio::task::spawn_blocking(move || edit::validate(&vt, &vp)).await;
    let pending = match built {
        Ok(Ok(rt)) => Arc::new(rt),
        Ok(Err(err)) => return refused(c, r, &err),
        Err(_) => return refused(c, r, &EditError::NotEditable("validation panicked".into())),
    };
    let before = edit::word_lists(&old)
        .into_iter()
        .find(|x| x.list == e.list);
    let proposal = Proposal {
        id: 0,
        proposer: user.to_string(),
        created: crate::audit::timefmt::format_utc(time::OffsetDateTime::now_utc()),
        before: before.as_ref().map(|b| b.words.clone()).unwrap_or_default(),
        before_action: before.and_then(|b| b.action),
        change: Change::Words(e.clone()),
        base_digest: edit::digest(&old),
        new_digest: edit::digest(&new_text),
        new_text,
    };
    if r.param("op") == Some("preview") {
        let sample = r.form.get("sample").cloned().unwrap_or_default();
        let mut top = notice(
            "ok",
            l.t(
                "変更後の設定は有効です（まだ何も書き込まれていません）。",
                "The changed configuration is valid (nothing written yet).",
            ),
        );
        if !sample.trim().is_empty() {
            let res = try_text::run(&c.shared, pending, user, "default", &sample).await;
            top.push_str(&format!(
                "<section class=\"card\" id=\"preview\"><h2>{}</h2>{}</section>",
                l.t(
                    "変更後の検出（所属 default）",
                    "Detection after the change (department default)"
                ),
                render_result(l, &sample, &res)
            ));
        }
        return show(c, r, Some((StatusCode::OK, top)));
    }
    let (added, removed) = proposal.diff();
    if c.cfg.require_approval {
        if let Err(err) = trail::record(
            &c.audit.log,
            "change_proposed",
            user,
            &[
                ("list", e.list.clone()),
                ("words_added", added.len().to_string()),
                ("words_removed", removed.len().to_string()),
                ("old_digest", proposal.base_digest.clone()),
                ("new_digest", proposal.new_digest.clone()),
            ],
        )
        .await
        {
            return show(
                c,
                r,
                Some((
                    StatusCode::SERVICE_UNAVAILABLE,
                    notice("error", &err.to_string()),
                )),
            );
        }
        let id = c.proposals.add(proposal);
        let m = match l {
            Lang::Ja => format!("変更案 #{id} を提案しました。別の承認者の承認後に反映されます。"),
            Lang::En => format!(
                "Change #{id} proposed. It applies once another person (承認者) approves it."
            ),
        };
        return super::approvals::show(c, r, Some((StatusCode::OK, notice("ok", &m))));
    }
    match apply::apply(c, &proposal, user, "change_applied").await {
        Ok(_) => show(
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
        Err(err) => show(
            c,
            r,
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                notice("error", &err.to_string()),
            )),
        ),
    }
}

async fn submit_allow(c: &Arc<Console>, r: &Req, user: &str, words: Vec<String>) -> Reply {
    let l = r.lang;
    let err = |e: &dyn std::fmt::Display| {
        show(
            c,
            r,
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                notice("error", &e.to_string()),
            )),
        )
    };
    if let Err(e) = edit::check_allow(&words) {
        return err(&e);
    }
    let path = match config_path(c) {
        Ok(p) => p,
        Err(e) => return err(&e),
    };
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(error) => return err(&EditError::Io { path, error }),
    };
    let new_text = match edit::apply_allow(&old, &words) {
        Ok(t) => t,
        Err(e) => return err(&e),
    };
    let vt = new_text.clone();
    match tokio::task::spawn_blocking(move || edit::validate(&vt, &path).map(drop)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return err(&e),
        Err(_) => return err(&"validation failed"),
    }
    let p = Proposal {
        id: 0,
        proposer: user.to_string(),
        created: crate::audit::timefmt::format_utc(time::OffsetDateTime::now_utc()),
        before: edit::allow_words(&old),
        before_action: None,
        change: Change::AllowWords(words),
        base_digest: edit::digest(&old),
        new_digest: edit::digest(&new_text),
        new_text,
    };
    match apply::submit(c, p).await {
        Ok(apply::Submitted::Proposed(id)) => {
            let m = match l {
                Lang::Ja => format!("変更案 #{id}（許可ワード）を提案しました。別の承認者の承認後に反映されます。"),
                Lang::En => format!("Change #{id} (allowed words) proposed. It applies once another person (承認者) approves it."),
            };
            super::approvals::show(c, r, Some((StatusCode::OK, notice("ok", &m))))
        }
        Ok(apply::Submitted::Applied) => show(
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
        Err(e) => err(&e),
    }
}

/// A list as text for download (one word per line, UTF-8 with BOM, CRLF: Notepad and
/// Excel on a Japanese PC read it); `list=allow` is the allow list.
pub fn export(c: &Console, r: &Req) -> Reply {
    let name = r.param("list").unwrap_or("");
    let Some(text) = c.current_text() else {
        return r.page(StatusCode::NOT_FOUND, "", "");
    };
    let words = if name == "allow" {
        Some(edit::allow_words(&text))
    } else {
        edit::word_lists(&text)
            .into_iter()
            .find(|x| x.list == name)
            .map(|x| x.words)
    };
    let Some(words) = words else {
        return r.page(
            StatusCode::NOT_FOUND,
            r.lang.t("リストがありません", "No such list"),
            "",
        );
    };
    let mut out = String::from("\u{feff}");
    for w in &words {
        out.push_str(w);
        out.push_str("\r\n");
    }
    let file = if name == "allow" {
        "allow_words".to_string()
    } else {
        name.to_string()
    };
    Reply::file(
        "text/plain; charset=utf-8",
        &format!("sekimori-{file}.txt"),
        out.into_bytes(),
    )
}
