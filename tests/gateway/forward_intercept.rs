//! Approved AI hosts through the forward proxy: intercepted with the Sekimori CA,
//! inspected by the reverse proxy's phases, the upstream verified against its own
//! CA. A Rust client (reqwest through `Proxy::all`, trusting the Sekimori CA): masked
//! text arrives, the answer comes back restored (JSON, HTML, SSE; h2 and HTTP/1.1),
//! blocked text never arrives and the block page names categories, not values; an
//! unapproved AI host answers with the block page and is recorded.

use serde_json::{json, Value};

use super::forward_support::{hash, start, Recorder};
use super::forward_tls::{self, Site};

const HOST: &str = "chat.approved.test";
const PHONE: &str = "090-1234-5678";
const MY_NUMBER: &str = "123456789018";

struct Setup {
    site: Site,
    _gw: sekimori::gateway::RunningGateway,
    proxy: std::net::SocketAddr,
    rec: std::sync::Arc<Recorder>,
    sekimori_ca: Vec<u8>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let site = forward_tls::start(HOST).await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = sekimori::gateway::forward::ca::init(dir.path()).unwrap();
    let section = format!(
        r#"
[forward_proxy]
listen = "127.0.0.1:0"
approved = ["{HOST}", "wrong-name.approved.test"]
contact = "情報政策課（内線1234）"
ca_cert = "{}"
ca_key = "{}"
extra_roots = ["{}"]

[forward_proxy.resolve]
"{HOST}" = "{}"
"wrong-name.approved.test" = "{}"

[[forward_proxy.users]]
name = "morikawa"
department = "kosodate"
password_hash = "{}"
"#,
        cert.display(),
        key.display(),
        site.ca_pem.display(),
        site.addr,
        site.addr,
        hash("ひみつ-pass"),
    );
    let (gw, fwd, rec) = start(&section).await;
    let proxy = fwd.addr;
    std::mem::forget(fwd);
    Setup {
        site,
        _gw: gw,
        proxy,
        rec,
        sekimori_ca: std::fs::read(&cert).unwrap(),
        _dir: dir,
    }
}

fn browser(s: &Setup, http1: bool) -> reqwest::Client {
    let proxy = reqwest::Proxy::all(format!("http://{}", s.proxy))
        .unwrap()
        .basic_auth("morikawa", "ひみつ-pass");
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&s.sekimori_ca).unwrap())
        .proxy(proxy);
    if http1 {
        b = b.http1_only();
    }
    b.build().unwrap()
}

#[tokio::test]
async fn masked_text_arrives_and_the_answer_is_restored_over_h2_and_http1() {
    let s = setup().await;
    let prompt = format!("森川陽菜さんの電話は{PHONE}です");
    for (i, http1) in [false, true].into_iter().enumerate() {
        let resp = browser(&s, http1)
            .post(format!("https://{HOST}/api/chat"))
            .json(&json!({"prompt": prompt, "conversation": "c-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let want = if http1 {
            reqwest::Version::HTTP_11
        } else {
            reqwest::Version::HTTP_2
        };
        assert_eq!(resp.version(), want);
        assert!(
            resp.headers().get("alt-svc").is_none(),
            "Alt-Svc is stripped"
        );
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["answer"], format!("受付: {prompt}"), "restored");
        let seen = s.site.seen();
        assert_eq!(seen.len(), i + 1);
        let got = &seen[i].body;
        assert!(!got.contains(PHONE) && !got.contains("森川陽菜"), "{got}");
        assert!(got.contains("〔電話-") && got.contains("〔氏名-"), "{got}");
        assert!(got.contains("\"conversation\":\"c-1\""), "{got}");
    }
    // Recorded before it left, as the reverse proxy records.
    let fwd = s.rec.forwards.lock().unwrap().clone();
    assert_eq!(fwd.len(), 2);
    assert_eq!(fwd[0].upstream, HOST);
    assert_eq!((fwd[0].api, fwd[0].endpoint), ("web", "json"));
    assert_eq!(fwd[0].user, "morikawa");
    assert!(fwd[0].masked >= 2);
    let outs = s.rec.outcomes(2).await;
    assert!(
        outs.iter().all(|o| o.forwarded && o.status == 200),
        "{outs:?}"
    );
}

#[tokio::test]
async fn forms_html_sse_and_known_api_shapes_are_inspected_and_restored() {
    let s = setup().await;
    let c = browser(&s, false);
    let text = format!("森川陽菜（{PHONE}）");

    // A form posted from a page; the answer is HTML.
    let page = c
        .post(format!("https://{HOST}/page"))
        .form(&[("q", text.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("受付: {text}")), "{page}");
    let seen = s.site.seen();
    assert!(seen[0]
        .content_type
        .starts_with("application/x-www-form-urlencoded"));
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(seen[0].body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(sent[0].0, "q");
    assert!(
        sent[0].1.contains("〔電話-") && !sent[0].1.contains(PHONE),
        "{sent:?}"
    );

    // A stream, a placeholder cut between two chunks.
    let sse = c
        .post(format!("https://{HOST}/sse"))
        .json(&json!({"prompt": text}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(sse, format!("data: {}\n\n", json!({"delta": text})));

    // A known API shape by path: the chat completions body as the reverse proxy reads it.
    let v: Value = c
        .post(format!("https://{HOST}/v1/chat/completions"))
        .json(&json!({"model": "m", "messages": [{"role": "user", "content": text}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["choices"][0]["message"]["content"],
        format!("了解: {text}")
    );
    let seen = s.site.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| !r.body.contains(PHONE)), "{seen:?}");
    let fwd = s.rec.forwards.lock().unwrap().clone();
    assert_eq!(
        (fwd[2].api, fwd[2].endpoint),
        ("openai", "chat.completions")
    );

    // A GET without a body goes through; a body that cannot be inspected does not.
    let r = c
        .get(format!("https://{HOST}/assets/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let last = s.site.seen().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("GET", "/assets/app.js")
    );
    let fwd = s.rec.forwards.lock().unwrap().clone();
    assert_eq!(
        (fwd[3].api, fwd[3].endpoint, fwd[3].chars_inspected),
        ("web", "url", 0)
    );
    let r = c
        .post(format!("https://{HOST}/upload"))
        .header("content-type", "application/octet-stream")
        .body(PHONE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert!(s.site.seen().iter().all(|r| r.path != "/upload"));
}

#[tokio::test]
async fn blocked_text_never_arrives_and_the_page_names_categories_not_values() {
    let s = setup().await;
    let c = browser(&s, false);
    let prompt = format!("森川陽菜の個人番号は{MY_NUMBER}です");
    let r = c
        .post(format!("https://{HOST}/page"))
        .header("accept", "text/html")
        .header("sec-fetch-mode", "navigate")
        .form(&[("q", prompt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("個人番号"), "{page}");
    assert!(page.contains("情報政策課（内線1234）"), "{page}");
    assert!(page.contains("lang=\"en\""), "{page}");
    assert!(
        !page.contains(MY_NUMBER) && !page.contains("森川陽菜"),
        "{page}"
    );

    // The same from fetch: a JSON error.
    let r = c
        .post(format!("https://{HOST}/api/chat"))
        .header("sec-fetch-mode", "cors")
        .json(&json!({"prompt": prompt}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "blocked_personal_data");
    assert!(!v.to_string().contains(MY_NUMBER));
    // A WebSocket upgrade is not inspected frame by frame yet: refused.
    let r = browser(&s, true)
        .get(format!("https://{HOST}/ws"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "websocket_not_inspected");
    assert!(s.site.seen().is_empty(), "nothing reached the site");
    assert!(s.rec.forwards.lock().unwrap().is_empty());
    let outs = s.rec.outcomes(3).await;
    let blocked = outs
        .iter()
        .filter(|o| o.error_code == Some("blocked_personal_data"))
        .count();
    assert_eq!(blocked, 2, "{outs:?}");
    assert!(outs
        .iter()
        .any(|o| o.error_code == Some("websocket_not_inspected")));
    assert!(outs.iter().all(|o| o.upstream.as_deref() == Some(HOST)));
}

#[tokio::test]
async fn an_unapproved_ai_host_shows_the_block_page_and_the_origin_is_verified() {
    let s = setup().await;
    let c = browser(&s, false);
    let r = c
        .get("https://chatgpt.com/")
        .header("accept", "text/html")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("ChatGPT") && page.contains("承認されていない"),
        "{page}"
    );
    let outs = s.rec.outcomes(1).await;
    let shadow = outs
        .iter()
        .find(|o| o.error_code == Some("unapproved_ai_service"))
        .expect("recorded");
    assert_eq!(shadow.upstream.as_deref(), Some("chatgpt.com"));
    assert_eq!(shadow.user.as_deref(), Some("morikawa"));
    assert_eq!(shadow.department.as_deref(), Some("kosodate"));

    // The site's certificate does not name this host: verification fails, 502.
    let r = c
        .post("https://wrong-name.approved.test/api/chat")
        .json(&json!({"prompt": "こんにちは"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "origin_unreachable");
}

#[tokio::test]
async fn a_warned_fetch_is_sent_once_with_its_acknowledgement_token() {
    let s = setup().await;
    let c = browser(&s, false);
    // 極秘案件 is a `warn` word list in BASE.
    let body = json!({"prompt": "極秘案件の進め方を教えて"});
    let r = c
        .post(format!("https://{HOST}/api/chat"))
        .header("sec-fetch-mode", "cors")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "warning_requires_acknowledgement");
    let token = v["error"]["acknowledge_token"]
        .as_str()
        .unwrap()
        .to_string();
    let header = v["error"]["acknowledge_header"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(s.site.seen().is_empty());

    let send = |t: &str| {
        c.post(format!("https://{HOST}/api/chat"))
            .header(header.as_str(), t)
            .json(&body)
            .send()
    };
    let r = send(&token).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.site.seen().len(), 1);
    // Single use.
    let r = send(&token).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(s.site.seen().len(), 1);
    let fwd = s.rec.forwards.lock().unwrap().clone();
    assert!(fwd[0].acknowledged_warning);
}

#[tokio::test]
async fn multipart_text_fields_are_masked_and_binary_files_refused() {
    let s = setup().await;
    let c = browser(&s, false);
    let b = "sekimoriBoundary42";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n森川陽菜の電話は{PHONE}\r\n--{b}\r\nContent-Disposition: form-data; name=\"memo\"; filename=\"memo.txt\"\r\nContent-Type: text/plain\r\n\r\n連絡先 {PHONE}\r\n--{b}--\r\n"
    );
    let r = c
        .post(format!("https://{HOST}/upload-text"))
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen = s.site.seen();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].body.contains(PHONE), "{}", seen[0].body);
    assert_eq!(
        seen[0].body.matches("〔電話-").count(),
        2,
        "{}",
        seen[0].body
    );
    assert!(seen[0].body.contains("filename=\"memo.txt\""));
    let fwd = s.rec.forwards.lock().unwrap().clone();
    assert_eq!(fwd[0].endpoint, "multipart");

    let png = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{1}PNG\r\n--{b}--\r\n"
    );
    let r = c
        .post(format!("https://{HOST}/upload-image"))
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(s.site.seen().len(), 1);
}
