//! What a browser sees when the forward proxy refuses: for a page navigation an HTML
//! page in Japanese and English naming the categories and where they were found (never
//! the values) and whom to ask; for `fetch`/XHR a JSON error. Both are renderers of
//! the phases' [`super::super::phase::finish::Render`] shape.

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response};
use http_body_util::Full;
use serde_json::{json, Value};

use super::super::phase::finish::Render;
use super::super::respond::GatewayError;
use super::super::route::Api;

/// Whether a request is a page navigation (`Sec-Fetch-Mode: navigate`, or HTML
/// accepted and no `Sec-Fetch-Mode` from an older browser).
pub fn is_navigation(headers: &HeaderMap) -> bool {
    let get = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    match headers.get("sec-fetch-mode") {
        Some(_) => get("sec-fetch-mode") == "navigate",
        None => get("accept").contains("text/html"),
    }
}

/// Adds the contact text to the error's details (shown by both renderers).
pub fn with_contact(mut e: GatewayError, contact: &str) -> GatewayError {
    if contact.is_empty() {
        return e;
    }
    match &mut e.details {
        Some(Value::Object(m)) => {
            m.insert("contact".into(), Value::String(contact.to_string()));
        }
        _ => e.details = Some(json!({"contact": contact})),
    }
    e
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The renderer for a request: the page for navigations, JSON otherwise.
pub fn renderer(headers: &HeaderMap) -> Render {
    if is_navigation(headers) {
        render_page
    } else {
        render_json
    }
}

/// The block page.
pub fn render_page(e: GatewayError, _api: Option<Api>, request_id: &str) -> Response<Full<Bytes>> {
    let contact = e
        .details
        .as_ref()
        .and_then(|d| d.get("contact"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let contact_ja = if contact.is_empty() {
        "情報システムの担当者にお問い合わせください。".to_string()
    } else {
        format!("お問い合わせ先: {}", escape(contact))
    };
    let contact_en = if contact.is_empty() {
        "Ask your information-systems staff.".to_string()
    } else {
        format!("Contact: {}", escape(contact))
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\">\
<title>関守 Sekimori: 送信できません / Not sent</title>\
<style>body{{font-family:sans-serif;max-width:42em;margin:3em auto;padding:0 1em;line-height:1.6}}\
h1{{font-size:1.4em;color:#8a1c1c}}.en{{color:#444}}code{{background:#eee;padding:0 .2em}}</style></head>\
<body><h1>送信できません（関守）</h1>\
<p id=\"message-ja\">{ja}</p><p id=\"contact-ja\">{contact_ja}</p>\
<hr><h1 class=\"en\" lang=\"en\">Not sent (Sekimori)</h1>\
<p id=\"message-en\" class=\"en\" lang=\"en\">{en}</p><p class=\"en\" lang=\"en\">{contact_en}</p>\
<p><small>code <code id=\"code\">{code}</code> · request <code id=\"request-id\">{rid}</code></small></p>\
</body></html>\n",
        ja = escape(&e.message_ja),
        en = escape(&e.message_en),
        code = e.code,
        rid = escape(request_id),
    );
    let mut r = Response::new(Full::new(Bytes::from(html)));
    *r.status_mut() = e.status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The JSON error for `fetch`/XHR.
pub fn render_json(e: GatewayError, _api: Option<Api>, request_id: &str) -> Response<Full<Bytes>> {
    let mut err = json!({
        "code": e.code,
        "message": e.message(),
        "message_ja": e.message_ja,
        "message_en": e.message_en,
        "request_id": request_id,
    });
    if let (Some(Value::Object(d)), Some(o)) = (&e.details, err.as_object_mut()) {
        for (k, v) in d {
            o.insert(k.clone(), v.clone());
        }
    }
    let mut r = Response::new(Full::new(Bytes::from(json!({ "error": err }).to_string())));
    *r.status_mut() = e.status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::super::refusal::ProxyRefusal;
    use super::*;

    #[test]
    fn navigation_or_fetch() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(is_navigation(&h(&[("sec-fetch-mode", "navigate")])));
        assert!(!is_navigation(&h(&[
            ("sec-fetch-mode", "cors"),
            ("accept", "text/html")
        ])));
        assert!(is_navigation(&h(&[("accept", "text/html,*/*")])));
        assert!(!is_navigation(&h(&[("accept", "application/json")])));
    }

    #[tokio::test]
    async fn the_page_escapes_and_names_the_contact() {
        let e = with_contact(
            ProxyRefusal::UnapprovedAi {
                service: "ChatGPT".into(),
                host: "chatgpt.com".into(),
            }
            .into(),
            "情報政策課 <内線1234>",
        );
        let r = render_page(e.clone(), None, "rid-1");
        assert_eq!(r.status().as_u16(), 403);
        let body = http_body_util::BodyExt::collect(r.into_body())
            .await
            .unwrap()
            .to_bytes();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("承認されていない生成AIサービス"), "{html}");
        assert!(html.contains("情報政策課 &lt;内線1234&gt;"), "{html}");
        let r = render_json(e, None, "rid-1");
        let body = http_body_util::BodyExt::collect(r.into_body())
            .await
            .unwrap()
            .to_bytes();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "unapproved_ai_service");
        assert_eq!(v["error"]["contact"], "情報政策課 <内線1234>");
    }
}
