//! テキストを試す: paste a text, choose a department, see each finding highlighted
//! with its category, the policy's action and the rule or list that fired, and the
//! text as the upstream would receive it.

use std::sync::Arc;

use http::StatusCode;

use crate::gateway::runtime::Runtime;
use crate::inspect::Category;
use crate::policy::Action;

use super::super::html::{csrf_field, esc, Lang};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::super::trail;
use super::super::try_text::{self, TestResult, Verdict};

/// Longest text tested (characters).
pub const MAX_TEST_CHARS: usize = 20_000;

fn action_label(l: Lang, a: Action) -> &'static str {
    match a {
        Action::Block => l.t("ブロック", "block"),
        Action::Mask => l.t("マスク", "mask"),
        Action::Warn => l.t("警告", "warn"),
        Action::Log => l.t("記録のみ", "log only"),
    }
}

fn category_label(l: Lang, c: &str) -> String {
    let cat = Category::from_name(c);
    if cat.is_builtin() {
        l.t(cat.label_ja(), cat.label_en()).to_string()
    } else {
        format!("{}: {c}", l.t("禁止ワード", "word list"))
    }
}

/// The text with every finding in a `<mark>` (class by action, title naming category
/// and rule), then the table of findings, the verdict and the masked text.
pub fn render_result(l: Lang, text: &str, res: &TestResult) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::from("<div class=\"highlighted\" id=\"highlighted\">");
    let mut at = 0usize;
    for f in &res.findings {
        if f.char_start < at || f.char_end > chars.len() || f.char_start >= f.char_end {
            continue; // overlapping finding: listed in the table only
        }
        out.push_str(&esc(&chars[at..f.char_start].iter().collect::<String>()));
        out.push_str(&format!(
            "<mark class=\"a-{}\" data-category=\"{}\" title=\"{} / {} / {}\">{}<span class=\"tag\">{}</span></mark>",
            f.action.as_str(),
            esc(&f.category),
            esc(&category_label(l, &f.category)),
            esc(f.detector),
            esc(f.reason),
            esc(&chars[f.char_start..f.char_end].iter().collect::<String>()),
            esc(&category_label(l, &f.category)),
        ));
        at = f.char_end;
    }
    out.push_str(&esc(&chars[at.min(chars.len())..]
        .iter()
        .collect::<String>()));
    out.push_str("</div>");
    let (cls, v) = match &res.verdict {
        Verdict::Pass => (
            "ok",
            l.t("そのまま送信されます", "Sent as it is").to_string(),
        ),
        Verdict::Masked => (
            "ok",
            l.t("マスクして送信されます", "Sent masked").to_string(),
        ),
        Verdict::Blocked => (
            "bad",
            l.t(
                "ブロックされます（何も送信されません）",
                "Blocked (nothing is sent)",
            )
            .to_string(),
        ),
        Verdict::Warned => (
            "bad",
            l.t(
                "警告されます（確認後に送信）",
                "Warned (sent after acknowledgement)",
            )
            .to_string(),
        ),
        Verdict::Refused(code) => ("bad", format!("{}: {code}", l.t("拒否されます", "Refused"))),
    };
    out.push_str(&format!(
        "<p>{}: <span class=\"verdict {cls}\" id=\"verdict\">{}</span></p>",
        l.t("判定", "Verdict"),
        esc(&v)
    ));
    if !res.findings.is_empty() {
        out.push_str(&format!(
            "<table id=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l.t("位置（文字）", "Position (chars)"),
            l.t("分類", "Category"),
            l.t("動作", "Action"),
            l.t("検出した規則・リスト", "Rule or list that fired"),
            l.t("理由", "Reason"),
        ));
        for f in &res.findings {
            out.push_str(&format!(
                "<tr><td>{}–{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                f.char_start,
                f.char_end,
                esc(&category_label(l, &f.category)),
                action_label(l, f.action),
                esc(f.detector),
                esc(f.reason),
            ));
        }
        out.push_str("</tbody></table>");
    }
    if let Some(m) = &res.masked {
        out.push_str(&format!(
            "<h2>{}</h2><div class=\"highlighted\" id=\"masked\">{}</div>",
            l.t("上流に送られる本文", "What the upstream receives"),
            esc(m)
        ));
    }
    out
}

fn departments(rt: &Runtime) -> Vec<String> {
    let mut d: Vec<String> = vec!["default".into()];
    d.extend(rt.config.departments.iter().map(|d| d.name.clone()));
    d
}

/// The form, with a result.
pub fn show(c: &Console, r: &Req, result: Option<(String, String, TestResult)>) -> Reply {
    let l = r.lang;
    let rt = c.shared.runtime.load();
    let (text, dept) = result
        .as_ref()
        .map(|(t, d, _)| (t.clone(), d.clone()))
        .unwrap_or_default();
    let opts: String = departments(&rt)
        .iter()
        .map(|d| {
            let sel = if *d == dept { " selected" } else { "" };
            format!("<option value=\"{0}\"{sel}>{0}</option>", esc(d))
        })
        .collect();
    let mut body = format!(
        "<p>{intro}</p><form method=\"post\" action=\"/test\" class=\"card\" id=\"test-form\">{csrf}<label for=\"department\">{dl}</label><select id=\"department\" name=\"department\">{opts}</select><label for=\"text\">{tl}</label><textarea id=\"text\" name=\"text\" required>{text}</textarea><br><button type=\"submit\" id=\"test-submit\">{b}</button></form>",
        intro = l.t("ゲートウェイと同じ検査・判定をこのテキストに行います。何も送信されず、テキストは記録されません。", "Runs the gateway's own inspection and decision on this text. Nothing is sent and the text is not recorded."),
        csrf = csrf_field(&r.session.csrf),
        dl = l.t("所属（ポリシー）", "Department (policy)"),
        tl = l.t("テキスト", "Text"),
        text = esc(&text),
        b = l.t("試す", "Test"),
    );
    if let Some((t, _, res)) = &result {
        body.push_str(&format!("<h2>{}</h2>", l.t("結果", "Result")));
        body.push_str(&render_result(l, t, res));
    }
    r.page(StatusCode::OK, l.t("テキストを試す", "Test a text"), &body)
}

/// Runs the test.
pub async fn submit(c: &Arc<Console>, r: &Req) -> Reply {
    let text: String = r
        .form
        .get("text")
        .map(|t| t.chars().take(MAX_TEST_CHARS).collect())
        .unwrap_or_default();
    let rt = c.shared.runtime.load_full();
    let dept = r
        .param("department")
        .filter(|d| departments(&rt).iter().any(|x| x == d))
        .unwrap_or("default")
        .to_string();
    let user = r.user().map(|(u, _)| u.to_string()).unwrap_or_default();
    let res = try_text::run(&c.shared, rt, &user, &dept, &text).await;
    trail::note(
        &c.audit.log,
        "test_text",
        &user,
        &[
            ("department", dept.clone()),
            ("chars", text.chars().count().to_string()),
            ("findings", res.findings.len().to_string()),
        ],
    )
    .await;
    show(c, r, Some((text, dept, res)))
}
