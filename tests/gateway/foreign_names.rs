//! Issue 13 on the gateway: foreign residents' names in Latin letters and Hangul are
//! masked on the way up and restored in the answer; companies, places and English
//! headings that look like names are forwarded as written. Invented values only.

use super::{chat, BASE};
use crate::util::{post, start_gateway, FakeUpstream, Reply};

#[tokio::test]
async fn latin_and_hangul_names_are_masked_and_restored() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for (text, name) in [
        ("相談者はTran Van Minhです。案内文を作って", "Tran Van Minh"),
        (
            "1,SOUZA MARIA LUCIA,転入\nこの表を要約して",
            "SOUZA MARIA LUCIA",
        ),
        (
            "Please reply to Nguyen Thi Lan by Friday.",
            "Nguyen Thi Lan",
        ),
        ("転入届 Lê Thị Hồng の書き方", "Lê Thị Hồng"),
        ("Ｍａｒｙ　Ｂｒｏｗｎ様への返信", "Ｍａｒｙ　Ｂｒｏｗｎ"),
        ("申請者 김민준 の件を要約して", "김민준"),
        ("T. Nakano に転送して", "T. Nakano"),
    ] {
        let before = up.received().len();
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 200, "{text}: {v}");
        let sent = &up.received()[before].body;
        assert!(!sent.contains(name), "{name} masked: {sent}");
        let answer = v["choices"][0]["message"]["content"].as_str().unwrap_or("");
        assert!(answer.contains(name), "{name} restored: {answer}");
    }
}

#[tokio::test]
async fn name_shaped_companies_and_places_are_forwarded() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for text in [
        "Toyota Motor の決算を要約して",
        "Ho Chi Minh City への出張計画を作って",
        "Please Send The Report by Friday.",
        "Da Nang と San Francisco の時差は？",
        "韓国語で「안녕하세요」は何と言う？",
    ] {
        let before = up.received().len();
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 200, "{text}: {v}");
        let sent = &up.received()[before].body;
        assert!(!sent.contains('〔'), "nothing masked in {text:?}: {sent}");
    }
}
