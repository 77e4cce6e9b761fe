//! ログイン, the first administrator's one-time setup page, logout and the language
//! switch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;

use super::super::accounts::{LoginResult, Role};
use super::super::html::{csrf_field, esc, notice, Lang};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::session::set_cookie;
use super::super::state::Console;
use super::super::trail;
use super::jst;

/// The login form, with an error notice.
pub fn form(r: &Req, error: Option<(StatusCode, String)>) -> Reply {
    let l = r.lang;
    let (status, msg) = match error {
        Some((s, m)) => (s, notice("error", &m)),
        None => (StatusCode::OK, String::new()),
    };
    let body = format!(
        "{msg}<form method=\"post\" action=\"/login\" class=\"card\" id=\"login\">{csrf}<label for=\"user\">{u}</label><input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" required><label for=\"password\">{p}</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required><br><button type=\"submit\" id=\"login-submit\">{b}</button></form>",
        csrf = csrf_field(&r.session.csrf),
        u = l.t("ユーザー名", "User name"),
        p = l.t("パスワード", "Password"),
        b = l.t("ログイン", "Log in"),
    );
    let mut reply = r.page(status, l.t("ログイン", "Log in"), &body);
    reply.status = status;
    reply
}

/// Checks a login (argon2id off the async workers), locks after too many failures,
/// records the attempt.
pub async fn submit(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let user = r.param("user").unwrap_or("").to_string();
    let password = r.form.get("password").cloned().unwrap_or_default();
    let cc = c.clone();
    let u = user.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let mut acc = cc.accounts();
        let known = acc.role(&u).is_some();
        let res = acc.login(
            &u,
            &password,
            time::OffsetDateTime::now_utc(),
            cc.cfg.max_failed_logins,
            Duration::from_secs(cc.cfg.lockout_secs),
        );
        (known, res)
    })
    .await;
    let log = &c.audit.log;
    match checked {
        Ok((
            _,
            Ok(LoginResult::Ok {
                role,
                previous_login,
            }),
        )) => {
            let s = c.sessions.login(
                &r.session.id,
                user.clone(),
                role,
                previous_login,
                Instant::now(),
            );
            trail::note(log, "login", &user, &[("role", role.ja().to_string())]).await;
            Reply::redirect("/").cookie(set_cookie(&s.id, c.tls))
        }
        Ok((known, Ok(LoginResult::Wrong))) => {
            let actor = if known { user.as_str() } else { "(unknown)" };
            trail::note(log, "login_failed", actor, &[]).await;
            form(
                r,
                Some((
                    StatusCode::UNAUTHORIZED,
                    l.t(
                        "ユーザー名またはパスワードが違います。",
                        "Wrong user name or password.",
                    )
                    .to_string(),
                )),
            )
        }
        Ok((_, Ok(LoginResult::Locked(until)))) => {
            trail::note(log, "login_locked", &user, &[("until", until.clone())]).await;
            let m = match l {
                Lang::Ja => format!("ログインの失敗が続いたため、このアカウントは {} までロックされています。急ぐ場合は管理者に `sekimori admin passwd` での再設定を依頼してください。", jst(&until)),
                Lang::En => format!("Too many failed logins: this account is locked until {}. If it is urgent, ask an administrator to reset it with `sekimori admin passwd`.", jst(&until)),
            };
            form(r, Some((StatusCode::FORBIDDEN, m)))
        }
        Ok((_, Err(e))) => {
            tracing::error!(target: "sekimori::console", error = %e, "login check failed");
            form(
                r,
                Some((
                    StatusCode::SERVICE_UNAVAILABLE,
                    l.t(
                        "アカウント情報を読み書きできません。サーバーのログを確認してください。",
                        "The accounts file cannot be read or written; see the server log.",
                    )
                    .to_string(),
                )),
            )
        }
        Err(_) => form(
            r,
            Some((StatusCode::SERVICE_UNAVAILABLE, "internal error".into())),
        ),
    }
}

/// The first administrator's page, reached through the one-time link.
pub fn setup_form(c: &Console, r: &Req, error: Option<String>) -> Reply {
    let l = r.lang;
    let token = r.param("token").unwrap_or("");
    if !c.setup_token_valid(token) {
        return r.page(
            StatusCode::FORBIDDEN,
            l.t("リンクが無効です", "Link not valid"),
            &notice("error", l.t(
                "このリンクは使用済みか期限切れです。管理者がいなければ `sekimori serve` を再起動すると新しいリンクが表示されます。`sekimori admin passwd USER --role 管理者` でも作れます。",
                "This link was used or has expired. Without an administrator, restarting `sekimori serve` prints a new one; `sekimori admin passwd USER --role 管理者` also creates one.",
            )),
        );
    }
    let msg = error.map(|e| notice("error", &e)).unwrap_or_default();
    let body = format!(
        "{msg}<p>{intro}</p><form method=\"post\" action=\"/setup\" class=\"card\" id=\"setup\">{csrf}<input type=\"hidden\" name=\"token\" value=\"{token}\"><label for=\"user\">{u}</label><input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" required><label for=\"password\">{p}</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required><label for=\"password2\">{p2}</label><input type=\"password\" id=\"password2\" name=\"password2\" autocomplete=\"new-password\" required><br><button type=\"submit\">{b}</button></form>",
        intro = l.t("最初の管理者アカウントを作成します（12 文字以上のパスワード）。このリンクは一度だけ使えます。", "Create the first administrator account (a password of at least 12 characters). This link works once."),
        csrf = csrf_field(&r.session.csrf),
        token = esc(token),
        u = l.t("ユーザー名", "User name"),
        p = l.t("パスワード", "Password"),
        p2 = l.t("パスワード（確認）", "Password again"),
        b = l.t("作成してログイン", "Create and log in"),
    );
    r.page(
        StatusCode::OK,
        l.t("最初の管理者", "First administrator"),
        &body,
    )
}

/// Creates the first administrator and logs them in; the link is then used up.
pub async fn setup_submit(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let token = r.param("token").unwrap_or("").to_string();
    if !c.setup_token_valid(&token) {
        return setup_form(c, r, None);
    }
    let user = r.param("user").unwrap_or("").to_string();
    let p1 = r.form.get("password").cloned().unwrap_or_default();
    if Some(&p1) != r.form.get("password2") {
        return setup_form(
            c,
            r,
            Some(
                l.t("パスワードが一致しません。", "The passwords differ.")
                    .into(),
            ),
        );
    }
    let cc = c.clone();
    let u = user.clone();
    let made = tokio::task::spawn_blocking(move || {
        let mut acc = cc.accounts();
        if acc.has_admin() {
            return Ok(false);
        }
        acc.set(&u, Role::Admin, &p1).map(|()| true)
    })
    .await;
    match made {
        Ok(Ok(true)) => {
            c.consume_setup_token();
            trail::note(&c.audit.log, "first_admin_created", &user, &[]).await;
            let s = c
                .sessions
                .login(&r.session.id, user, Role::Admin, None, Instant::now());
            Reply::redirect("/").cookie(set_cookie(&s.id, c.tls))
        }
        Ok(Ok(false)) => {
            c.consume_setup_token();
            setup_form(c, r, None)
        }
        Ok(Err(e)) => setup_form(c, r, Some(e.to_string())),
        Err(_) => setup_form(c, r, Some("internal error".into())),
    }
}

/// Ends the session.
pub async fn logout(c: &Console, r: &Req) -> Reply {
    if let Some((u, _)) = r.user() {
        trail::note(&c.audit.log, "logout", u, &[]).await;
    }
    c.sessions.remove(&r.session.id);
    Reply::redirect("/login")
}

/// Sets the language cookie and goes back to the page.
pub fn switch_lang(r: &Req) -> Reply {
    let to = r.param("to").and_then(Lang::parse).unwrap_or_default();
    let back = r
        .param("back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or("/");
    Reply::redirect(back).cookie(format!(
        "sekimori_lang={}; Path=/; HttpOnly; SameSite=Strict",
        to.code()
    ))
}
