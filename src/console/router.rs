//! One console request: the session from its cookie (a new anonymous one when there
//! is none), the language, for a POST the form (size-capped) and its CSRF token —
//! refused before anything runs when it does not match — then the page, with the
//! role checked on the server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};

use super::csrf::{origin_allowed, token_matches};
use super::html::{self, Lang};
use super::pages;
use super::request::Req;
use super::respond::Reply;
use super::session::{cookie, cookie_name, set_cookie};
use super::state::Console;

/// Largest form body accepted (the word lists and test texts are small).
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// The console's pages.
pub const PAGES: [&str; 15] = [
    "/",
    "/login",
    "/logout",
    "/setup",
    "/lang",
    "/words",
    "/approvals",
    "/test",
    "/usage",
    "/usage.csv",
    "/audit",
    "/audit/verify",
    "/history",
    "/policy",
    "/words.txt",
];

fn parse_pairs(s: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(s).into_owned().collect()
}

/// Serves one request.
pub async fn handle(
    c: Arc<Console>,
    peer: SocketAddr,
    req: http::Request<hyper::body::Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if let Some(a) = super::assets::asset(&path) {
        return a.into_response();
    }
    // Only the console's pages get a session: a browser's own requests (the icon)
    // may come without the cookie and must not replace it with a new one.
    if !PAGES.contains(&path.as_str()) {
        return Reply::html(StatusCode::NOT_FOUND, String::new()).into_response();
    }
    let headers = &parts.headers;
    let cookies = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    let now = Instant::now();
    let mut new_cookie = None;
    let session = match cookie(&cookies, cookie_name(c.tls)).and_then(|id| c.sessions.get(id, now))
    {
        Some(s) => s,
        None => {
            let s = c.sessions.create(None, now);
            new_cookie = Some(set_cookie(&s.id, c.tls));
            s
        }
    };
    let lang = cookie(&cookies, "sekimori_lang")
        .and_then(Lang::parse)
        .unwrap_or_default();
    let query = parse_pairs(parts.uri.query().unwrap_or("").as_bytes());
    let mut r = Req {
        method: parts.method.clone(),
        path,
        query,
        form: HashMap::new(),
        session,
        lang,
        peer,
    };
    let reply = if r.method == Method::POST {
        let origin = headers.get("origin").and_then(|v| v.to_str().ok());
        let host = headers.get("host").and_then(|v| v.to_str().ok());
        let read = Limited::new(body, MAX_FORM_BYTES).collect().await;
        match read {
            Err(_) => Reply::html(
                StatusCode::PAYLOAD_TOO_LARGE,
                html::page(
                    lang,
                    None,
                    &r.path,
                    "413",
                    &html::notice(
                        "error",
                        lang.t("送信された内容が大きすぎます。", "The form is too large."),
                    ),
                ),
            ),
            Ok(b) => {
                r.form = parse_pairs(&b.to_bytes());
                let token_ok =
                    token_matches(r.form.get("csrf").map(String::as_str), &r.session.csrf);
                let origin_ok = origin_allowed(origin, host);
                if !token_ok || !origin_ok {
                    tracing::warn!(target: "sekimori::console", path = %r.path, token_ok, origin_ok, new_session = new_cookie.is_some(), "form refused: CSRF check failed");
                    csrf_refused(&r)
                } else {
                    dispatch(&c, &r).await
                }
            }
        }
    } else {
        dispatch(&c, &r).await
    };
    // A page that replaced the session (login) sets its own cookie.
    let sets_session = reply
        .cookies
        .iter()
        .any(|k| k.starts_with(cookie_name(c.tls)));
    let reply = match new_cookie {
        Some(ck) if !sets_session => reply.cookie(ck),
        _ => reply,
    };
    reply.into_response()
}

fn csrf_refused(r: &Req) -> Reply {
    let l = r.lang;
    r.page(
        StatusCode::FORBIDDEN,
        l.t("フォームの有効期限切れ", "Form expired"),
        &html::notice(
            "error",
            l.t(
                "フォームの確認用トークンが一致しません（CSRF）。ページを開き直してから、もう一度送信してください。",
                "The form's security token does not match (CSRF). Reload the page and send it again.",
            ),
        ),
    )
}

async fn dispatch(c: &Arc<Console>, r: &Req) -> Reply {
    let m = &r.method;
    let p = r.path.as_str();
    // Pages open without a login.
    match (m, p) {
        (&Method::GET, "/login") => return pages::login::form(r, None),
        (&Method::POST, "/login") => return pages::login::submit(c, r).await,
        (&Method::GET, "/setup") => return pages::login::setup_form(c, r, None),
        (&Method::POST, "/setup") => return pages::login::setup_submit(c, r).await,
        (&Method::GET, "/lang") => return pages::login::switch_lang(r),
        _ => {}
    }
    let Some((_, role)) = r.user() else {
        return Reply::redirect("/login");
    };
    match (m, p) {
        (&Method::POST, "/logout") => pages::login::logout(c, r).await,
        (&Method::GET, "/") => pages::dashboard::show(c, r).await,
        (&Method::GET, "/words") if role.can_test() => pages::words::show(c, r, None),
        (&Method::POST, "/words") if role.can_edit() => pages::words::submit(c, r).await,
        (&Method::GET, "/approvals") if role.can_edit() || role.can_approve() => {
            pages::approvals::show(c, r, None)
        }
        (&Method::POST, "/approvals") if role.can_edit() || role.can_approve() => {
            pages::approvals::decide(c, r).await
        }
        (&Method::GET, "/words.txt") if role.can_test() => pages::words::export(c, r),
        (&Method::GET, "/policy") if role.can_test() => pages::policy::show(c, r, None),
        (&Method::POST, "/policy") if role.can_edit() => pages::policy::submit(c, r).await,
        (&Method::GET, "/history") if role.can_test() => pages::history::show(c, r, None),
        (&Method::POST, "/history") if role.can_edit() => pages::history::submit(c, r).await,
        (&Method::GET, "/test") if role.can_test() => pages::test_text::show(c, r, None),
        (&Method::POST, "/test") if role.can_test() => pages::test_text::submit(c, r).await,
        (&Method::GET, "/usage") if role.can_read_usage() => pages::usage::show(c, r).await,
        (&Method::GET, "/usage.csv") if role.can_read_usage() => pages::usage::csv(c, r).await,
        (&Method::GET, "/audit") if role.can_read_audit() => pages::audit_log::show(c, r).await,
        (&Method::POST, "/audit/verify") if role.can_read_audit() => {
            pages::audit_log::verify(c, r).await
        }
        // Every path here is a console page (PAGES): the role may not use it.
        _ => r.forbidden(),
    }
}
