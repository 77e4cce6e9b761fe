//! An approved host reached with plain `http://` through the forward proxy
//! (absolute-form requests): inspected, masked and restored like an intercepted one,
//! with the proxy login not passed on.

use serde_json::Value;

use super::forward_support::{hash, start};
use crate::util::{FakeUpstream, Reply};

#[tokio::test]
async fn an_absolute_form_request_to_an_approved_host_is_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let section = format!(
        r#"
[forward_proxy]
listen = "127.0.0.1:0"
approved = ["plain.approved.test"]

[forward_proxy.resolve]
"plain.approved.test" = "{}"

[[forward_proxy.users]]
name = "morikawa"
department = "kosodate"
password_hash = "{}"
"#,
        up.addr,
        hash("ひみつ-pass")
    );
    let (_gw, fwd, rec) = start(&section).await;
    let c = reqwest::Client::builder()
        .proxy(
            reqwest::Proxy::http(format!("http://{}", fwd.addr))
                .unwrap()
                .basic_auth("morikawa", "ひみつ-pass"),
        )
        .build()
        .unwrap();
    let text = "森川陽菜さん（090-1234-5678）に連絡";
    let r = c
        .post("http://plain.approved.test/v1/chat/completions")
        .header("content-type", "application/json")
        .body(super::chat(text))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .contains(text),
        "{v}"
    );
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert!(!got[0].body.contains("090-1234-5678"), "{}", got[0].body);
    assert!(got[0].header("proxy-authorization").is_none());
    assert_eq!(got[0].header("host"), Some("plain.approved.test"));
    let fwd = rec.forwards.lock().unwrap().clone();
    assert_eq!(fwd[0].upstream, "plain.approved.test");
    assert_eq!(fwd[0].endpoint, "chat.completions");
}
