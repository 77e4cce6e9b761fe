//! Server-rendered HTML: an escaping helper, the two languages, and the page frame
//! (navigation by role, language switch, the session's CSRF token in every form).
//! Pages are plain functions returning `String`; every value that is not a literal
//! of this crate goes through [`esc`].

use super::accounts::Role;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The console's language: Japanese first, English switchable (cookie `sekimori_lang`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// 日本語 (default).
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// `ja` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses `ja` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The Japanese or the English text.
    pub fn t<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// A role's name in this language.
    pub fn role(self, r: Role) -> &'static str {
        match self {
            Lang::Ja => r.ja(),
            Lang::En => r.en(),
        }
    }
}

/// Who is looking at a page (for the navigation and the forms).
#[derive(Clone, Debug)]
pub struct Viewer<'a> {
    /// Login name.
    pub user: &'a str,
    /// Role.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf: &'a str,
    /// The language.
    pub lang: Lang,
}

/// A hidden CSRF field for a form.
pub fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

/// A whole page: `<html lang>`, the stylesheet, the navigation for `viewer` (none on
/// the login pages), the title and `body` (already HTML).
pub fn page(
    lang: Lang,
    viewer: Option<&Viewer<'_>>,
    path: &str,
    title: &str,
    body: &str,
) -> String {
    let mut nav = String::new();
    if let Some(v) = viewer {
        let l = v.lang;
        let mut items: Vec<(&str, &str)> = vec![("/", l.t("ダッシュボード", "Dashboard"))];
        if v.role.can_test() {
            items.push(("/words", l.t("禁止ワード", "Banned words")));
            items.push(("/policy", l.t("ポリシー", "Policy")));
            items.push(("/test", l.t("テキストを試す", "Test a text")));
        }
        if v.role.can_edit() || v.role.can_approve() {
            items.push(("/approvals", l.t("承認", "Approvals")));
        }
        if v.role.can_test() {
            items.push(("/history", l.t("設定履歴", "History")));
        }
        if v.role.can_read_usage() {
            items.push(("/usage", l.t("利用状況", "Usage")));
        }
        if v.role.can_read_audit() {
            items.push(("/audit", l.t("監査ログ", "Audit log")));
        }
        nav.push_str("<nav><ul>");
        for (href, label) in items {
            let cur = if href == path {
                " aria-current=\"page\""
            } else {
                ""
            };
            nav.push_str(&format!("<li><a href=\"{href}\"{cur}>{label}</a></li>"));
        }
        nav.push_str("</ul>");
        nav.push_str(&format!(
            "<form method=\"post\" action=\"/logout\" class=\"logout\">{}<span class=\"who\">{} ({})</span> <button type=\"submit\">{}</button></form>",
            csrf_field(v.csrf),
            esc(v.user),
            l.role(v.role),
            l.t("ログアウト", "Log out")
        ));
        nav.push_str("</nav>");
    }
    let other = match lang {
        Lang::Ja => ("en", "English"),
        Lang::En => ("ja", "日本語"),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — 関守 Sekimori</title><link rel=\"stylesheet\" href=\"/assets/console.css\"></head><body><header><span class=\"brand\">関守 Sekimori</span> <span class=\"sub\">{sub}</span> <a class=\"lang\" href=\"/lang?to={o}&amp;back={back}\">{olabel}</a></header>{nav}<main><h1>{title}</h1>\n{body}\n</main></body></html>\n",
        code = lang.code(),
        title = esc(title),
        sub = lang.t("管理コンソール", "administrators' console"),
        o = other.0,
        olabel = other.1,
        back = esc(&percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string()),
    )
}

/// A notice box: `kind` is `ok`, `error` or `info`; `text` is escaped.
pub fn notice(kind: &str, text: &str) -> String {
    format!(
        "<p class=\"notice {kind}\" role=\"status\">{}</p>",
        esc(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>\"森川\"&'</script>"),
            "&lt;script&gt;&quot;森川&quot;&amp;&#39;&lt;/script&gt;"
        );
        let p = page(Lang::Ja, None, "/x\"<", "<b>", "");
        assert!(p.contains("lang=\"ja\""));
        assert!(p.contains("&lt;b&gt;"));
        assert!(!p.contains("/x\"<"));
    }
}
