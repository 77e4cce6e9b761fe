//! Issue 13 item 5 on the gateway: phones of every format and My Number context, as a
//! client sees them — what the recording upstream received and what came back.
//! Invented values only.

use super::{chat, BASE};
use crate::util::{post, start_gateway, FakeUpstream, Reply};

/// A reference number with a valid My Number check digit (invented).
const NUMBER: &str = "914168818043";

/// A 12-digit number under a reference label, with no My Number context, is
/// forwarded as it is; under a My Number label or with no context at all, it is
/// blocked (fail closed).
#[tokio::test]
async fn reference_numbers_pass_and_my_numbers_are_blocked() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for text in [
        format!("受付番号：{NUMBER} の申請状況を要約して"),
        format!("送り状番号は{NUMBER}です。配達状況の問い合わせ文を作って"),
        format!("受付番号,件名\n{NUMBER},転入届\n"),
    ] {
        let before = up.received().len();
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(&text), &[]).await;
        assert_eq!(status, 200, "{text:?}: {v}");
        let got = up.received();
        assert_eq!(got.len(), before + 1);
        assert!(got[before].body.contains(NUMBER), "forwarded as written");
    }
    for text in [
        format!("個人番号：{NUMBER} の確認"),
        format!("マイナンバーカードの受付番号は{NUMBER}"),
        format!("この番号 {NUMBER} を確認して"),
    ] {
        let before = up.received().len();
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(&text), &[]).await;
        assert_eq!(status, 403, "{text:?}: {v}");
        assert!(v.to_string().contains("my_number"), "{v}");
        assert!(
            !v.to_string().contains(NUMBER),
            "no value in the error: {v}"
        );
        assert_eq!(up.received().len(), before, "nothing forwarded");
    }
}

/// Foreign, toll-free, navi-dial and CSV-cell phones are masked on the way up and
/// restored in the answer; a customer number under its column header is not a phone.
#[tokio::test]
async fn phones_of_every_format_are_masked_and_restored() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for phone in [
        "+1 415 555 0132",
        "+49 30 1234567",
        "+84 28 3823 4567",
        "0120-123-456",
        "0570-123-456",
        "03-1234-5678（内線123）",
    ] {
        let text = format!("連絡先は {phone} です。案内文を作って");
        let before = up.received().len();
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(&text), &[]).await;
        assert_eq!(status, 200, "{phone}: {v}");
        let sent = &up.received()[before].body;
        assert!(!sent.contains(phone), "{phone} masked: {sent}");
        let answer = v["choices"][0]["message"]["content"].as_str().unwrap_or("");
        assert!(answer.contains(phone), "{phone} restored: {answer}");
    }
    let csv = "顧客番号,区分,電話\n0312345678,一般,なし\n0398765432,一般,090-1234-5678\n";
    let before = up.received().len();
    let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(csv), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent = &up.received()[before].body;
    assert!(
        sent.contains("0312345678") && sent.contains("0398765432"),
        "customer numbers forwarded: {sent}"
    );
    assert!(!sent.contains("090-1234-5678"), "the phone masked: {sent}");
}
