//! 利用状況: usage per user, department or model for a month (JST), the same figures
//! as `sekimori usage` (both call `audit::export::usage`), and its CSV download for
//! Excel on a Japanese PC (UTF-8 BOM, CRLF).

use std::sync::Arc;

use http::StatusCode;
use time::OffsetDateTime;

use crate::audit::export::{self, GroupBy, UsageRow};
use crate::audit::timefmt::{parse_month, JST};

use super::super::html::{esc, notice};
use super::super::request::Req;
use super::super::respond::Reply;
use super::super::state::Console;
use super::super::trail;

fn params(r: &Req) -> (String, GroupBy) {
    let now = OffsetDateTime::now_utc().to_offset(JST);
    let month = r
        .param("month")
        .filter(|m| parse_month(m).is_ok())
        .map_or_else(
            || format!("{:04}-{:02}", now.year(), u8::from(now.month())),
            str::to_string,
        );
    let by = match r.param("by") {
        Some("department") => GroupBy::Department,
        Some("model") => GroupBy::Model,
        _ => GroupBy::User,
    };
    (month, by)
}

async fn rows(c: &Console, month: &str, by: GroupBy) -> Result<Vec<UsageRow>, String> {
    let (from, to) = parse_month(month)?;
    let dir = c.audit.dir.clone();
    tokio::task::spawn_blocking(move || export::usage(&dir, from, to, by))
        .await
        .map_err(|_| "reading the audit log failed".to_string())?
        .map(|(rows, _)| rows)
        .map_err(|e| e.to_string())
}

/// The usage table.
pub async fn show(c: &Arc<Console>, r: &Req) -> Reply {
    let l = r.lang;
    let (month, by) = params(r);
    let opt = |v: &str, label: &str| {
        let sel = if by.as_str() == v { " selected" } else { "" };
        format!("<option value=\"{v}\"{sel}>{label}</option>")
    };
    let mut body = format!(
        "<form method=\"get\" action=\"/usage\" class=\"card\"><label for=\"month\">{ml}</label><input type=\"month\" id=\"month\" name=\"month\" value=\"{month}\"><label for=\"by\">{bl}</label><select id=\"by\" name=\"by\">{o1}{o2}{o3}</select><br><button type=\"submit\">{show}</button> <a id=\"csv\" href=\"/usage.csv?month={month}&amp;by={b}\">{csv}</a></form>",
        ml = l.t("月（JST）", "Month (JST)"),
        month = esc(&month),
        bl = l.t("集計単位", "Group by"),
        o1 = opt("user", l.t("利用者", "user")),
        o2 = opt("department", l.t("所属", "department")),
        o3 = opt("model", l.t("モデル", "model")),
        show = l.t("表示", "Show"),
        b = by.as_str(),
        csv = l.t("CSV をダウンロード（Excel 用）", "Download CSV (for Excel)"),
    );
    match rows(c, &month, by).await {
        Err(e) => body.push_str(&notice("error", &e)),
        Ok(rows) => {
            body.push_str(&format!(
                "<table id=\"usage\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                esc(by.as_str()),
                l.t("リクエスト", "requests"),
                l.t("転送", "forwarded"),
                l.t("文字数", "chars"),
                l.t("入力トークン", "tokens in"),
                l.t("出力トークン", "tokens out"),
                l.t("ブロック", "blocked"),
                l.t("マスク", "masked"),
                l.t("拒否", "refused"),
                l.t("エラー", "errors"),
            ));
            for row in &rows {
                body.push_str(&format!(
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&row.key), row.requests, row.forwarded, row.chars, row.tokens_in, row.tokens_out, row.blocked, row.masked, row.refused, row.errors
                ));
            }
            body.push_str("</tbody></table>");
        }
    }
    r.page(StatusCode::OK, l.t("利用状況", "Usage"), &body)
}

/// The CSV download: `sekimori usage --month M --by B --bom` byte for byte.
pub async fn csv(c: &Arc<Console>, r: &Req) -> Reply {
    let (month, by) = params(r);
    match rows(c, &month, by).await {
        Ok(rows) => {
            let mut out = Vec::new();
            if export::write_usage_csv(&rows, by, true, &mut out).is_err() {
                return r.page(StatusCode::INTERNAL_SERVER_ERROR, "CSV", "");
            }
            let user = r.user().map(|(u, _)| u.to_string()).unwrap_or_default();
            trail::note(
                &c.audit.log,
                "usage_csv",
                &user,
                &[("month", month.clone()), ("by", by.as_str().into())],
            )
            .await;
            Reply::file(
                "text/csv; charset=utf-8",
                &format!("sekimori-usage-{month}-{}.csv", by.as_str()),
                out,
            )
        }
        Err(e) => r.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "CSV",
            &notice("error", &e),
        ),
    }
}
