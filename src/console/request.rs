//! A parsed console request ([`Req`]): what every page handler reads — method, path,
//! query and form fields, the session, the language — and the page frame it answers in.

use std::collections::HashMap;
use std::net::SocketAddr;

use http::{Method, StatusCode};

use super::accounts::Role;
use super::html::{self, Lang, Viewer};
use super::respond::Reply;
use super::session::Session;

/// A parsed console request.
#[derive(Debug)]
pub struct Req {
    /// Method.
    pub method: Method,
    /// Path.
    pub path: String,
    /// Query parameters.
    pub query: HashMap<String, String>,
    /// Form fields of a POST.
    pub form: HashMap<String, String>,
    /// The session.
    pub session: Session,
    /// The language.
    pub lang: Lang,
    /// The peer.
    pub peer: SocketAddr,
}

impl Req {
    /// A query parameter or form field (form first), trimmed; empty is None.
    pub fn param(&self, k: &str) -> Option<&str> {
        self.form
            .get(k)
            .or_else(|| self.query.get(k))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The logged-in user and role.
    pub fn user(&self) -> Option<(&str, Role)> {
        self.session.user.as_ref().map(|(u, r)| (u.as_str(), *r))
    }

    /// The page frame's view of the user (None when not logged in).
    pub fn viewer(&self) -> Option<Viewer<'_>> {
        self.user().map(|(user, role)| Viewer {
            user,
            role,
            csrf: &self.session.csrf,
            lang: self.lang,
        })
    }

    /// A full page for this request's user.
    pub fn page(&self, status: StatusCode, title: &str, body: &str) -> Reply {
        let v = self.viewer();
        Reply::html(
            status,
            html::page(self.lang, v.as_ref(), &self.path, title, body),
        )
    }

    /// The 403 page: the role may not do this.
    pub fn forbidden(&self) -> Reply {
        let l = self.lang;
        self.page(
            StatusCode::FORBIDDEN,
            l.t("権限がありません", "Not allowed"),
            &html::notice(
                "error",
                l.t(
                    "この操作はあなたの役割では行えません。必要なら管理者に役割の変更を依頼してください。",
                    "Your role may not do this. Ask an administrator for another role if you need it.",
                ),
            ),
        )
    }
}
