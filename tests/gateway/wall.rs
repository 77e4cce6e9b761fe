//! Issue 12 ("Seal the wall") regressions on the gateway side: each case asserts what
//! the recording upstream received (nothing, for a refusal). Invented values only.

use serde_json::json;

use super::{chat, BASE};
use crate::util::{client, numbered, post, start_gateway, FakeUpstream, Reply};

/// A My Number of the issue's example form with a valid check digit (invented).
const MY_NUMBER: u64 = 123_456_789_018;

/// Class 13: a second, different key in another header, or the same credential
/// header twice, is refused; the same key in two places is one key.
#[tokio::test]
async fn conflicting_credentials_are_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let no_anon = BASE.replace("allow_anonymous = true", "allow_anonymous = false");
    let gw = start_gateway(&no_anon, &up.url()).await;
    let body =
        json!({"model": "allowed-model", "messages": [{"role": "user", "content": "こんにちは"}]})
            .to_string();
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let refused: &[Headers] = &[
        &[
            ("authorization", "Bearer sk-test-key"),
            ("x-api-key", "sk-other-key"),
        ],
        &[("x-api-key", "sk-other-key"), ("api-key", "sk-test-key")],
        &[
            ("authorization", "Bearer sk-test-key"),
            ("authorization", "Bearer sk-test-key"),
        ],
        &[("api-key", "sk-test-key"), ("api-key", "sk-other-key")],
    ];
    for headers in refused {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &body, headers).await;
        assert_eq!(status, 400, "{headers:?}: {v}");
        assert_eq!(v["error"]["code"], "conflicting_credentials", "{v}");
        assert!(!v.to_string().contains("sk-"), "no key in the message: {v}");
    }
    // A key in the header and a different one in the query.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions?key=sk-other-key",
        &body,
        &[("authorization", "Bearer sk-test-key")],
    )
    .await;
    assert_eq!(status, 400, "{v}");
    assert!(up.received().is_empty(), "nothing forwarded");
    // The same key twice is one credential.
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &body,
        &[
            ("authorization", "Bearer sk-test-key"),
            ("x-api-key", "sk-test-key"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(up.received().len(), 1);
}

/// Class 15: a request without Content-Type is refused (415), as the README documents.
#[tokio::test]
async fn missing_content_type_is_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let resp = client()
        .post(format!("http://{}/v1/chat/completions", gw.addr))
        .body(chat("こんにちは"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "missing_content_type", "{v}");
    assert!(up.received().is_empty());
}

/// Class 11: invisible Unicode tag characters are refused, literal or escaped,
/// in values and keys.
#[tokio::test]
async fn tag_characters_are_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let hidden: String = "call me"
        .chars()
        .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
        .collect();
    let bodies = [
        chat(&format!("こんにちは{hidden}")),
        // JSON escapes of U+E0041 (a surrogate pair).
        r#"{"model":"m","messages":[{"role":"user","content":"hi\udb40\udc41"}]}"#.to_string(),
        json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
               "metadata": {format!("k{hidden}"): "v"}})
        .to_string(),
    ];
    for body in &bodies {
        let (status, _, v) = post(&gw, "/v1/chat/completions", body, &[]).await;
        assert_eq!(status, 400, "{v}");
        assert_eq!(v["error"]["code"], "tag_characters", "{v}");
    }
    assert!(up.received().is_empty());
}

/// Class 3: JSON numbers are inspected as their decimal text.
#[tokio::test]
async fn numbers_are_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model": "m",
        "messages": [{"role": "user", "content": "登録内容を確認して"}],
        "metadata": {"kojin_bangou": MY_NUMBER}});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("my_number"), "{v}");
    assert!(!v.to_string().contains(&MY_NUMBER.to_string()), "{v}");
    assert!(up.received().is_empty());
    // Ordinary settings pass untouched, as numbers.
    let body = json!({"model": "m", "max_tokens": 1024, "temperature": 0.2, "seed": 20_241_001,
        "messages": [{"role": "user", "content": "こんにちは"}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: serde_json::Value = serde_json::from_str(&up.received()[0].body).unwrap();
    assert_eq!(sent["max_tokens"], 1024);
    assert_eq!(sent["seed"], 20_241_001);
}

/// Class 14: embeddings sent as token ids cannot be inspected and are refused.
#[tokio::test]
async fn token_id_embeddings_are_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for input in [json!([1234, 5678]), json!([[1234, 5678], [91, 12]])] {
        let body = json!({"model": "m", "input": input});
        let (status, _, v) = post(&gw, "/v1/embeddings", &body.to_string(), &[]).await;
        assert_eq!(status, 403, "{v}");
        assert_eq!(v["error"]["code"], "uninspectable_content", "{v}");
        assert!(v.to_string().contains("token_ids"), "{v}");
    }
    assert!(up.received().is_empty());
    // Text input is inspected as before.
    let body = json!({"model": "m", "input": ["こんにちは", "090-1234-5678"]});
    let (status, _, v) = post(&gw, "/v1/embeddings", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    assert!(!up.received()[0].body.contains("090-1234-5678"));
}

/// Class 1: plain text under a binary-looking key (an Anthropic text document's
/// `data`, a long `url` field in tool input) is inspected, not skipped.
#[tokio::test]
async fn text_under_binary_keys_is_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    // An invented resident list, long enough to pass the old 2 KiB skip.
    let list: String = (0..120)
        .map(|i| format!("No.{i} contact 090-1234-{:04}\n", 1000 + i))
        .collect();
    assert!(list.len() > 2048);
    let body = json!({"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": list}},
        {"type": "text", "text": "要約して"}]}]});
    let (status, _, v) = post(&gw, "/v1/messages", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent = &up.received()[0].body;
    assert!(!sent.contains("090-1234-1000"), "{sent}");
    assert!(sent.contains("〔電話"), "{sent}");
}

/// Class 7: personal data in the URL (a Gemini model segment, a query parameter) is
/// refused and never forwarded or written to the audit record.
#[tokio::test]
async fn personal_data_in_the_url_is_refused() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let gemini =
        json!({"contents": [{"role": "user", "parts": [{"text": "こんにちは"}]}]}).to_string();
    let chat_body = chat("こんにちは");
    let cases = [
        (
            "/v1beta/models/090-1234-5678:generateContent",
            gemini.as_str(),
        ),
        (
            "/v1/chat/completions?note=taro.kaku%40example.com",
            chat_body.as_str(),
        ),
        (
            "/v1/chat/completions?memo=%E6%A5%B5%E7%A7%98%E6%A1%88%E4%BB%B6",
            chat_body.as_str(),
        ),
    ];
    for (path, body) in cases {
        let (status, _, v) = post(&gw, path, body, &[]).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["sekimori"]["code"], "personal_data_in_url", "{v}");
        let text = v.to_string();
        assert!(
            !text.contains("1234-5678") && !text.contains("taro.kaku"),
            "{v}"
        );
    }
    assert!(up.received().is_empty());
    // Ordinary paths and parameters pass.
    let (status, _, v) = post(
        &gw,
        "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
        &chat_body,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

/// Class 6: a My Number or phone whose digit groups are split by line breaks, control
/// characters or stray symbols (a pasted form) is found as the number it is.
#[tokio::test]
async fn digit_groups_split_by_gaps_are_found() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    for text in [
        "個人番号\n1234\n5678\n9018\nを登録",
        "個人番号 1234\r\n5678\r\n9018",
        "番号 1234\t5678\t9018 です",
        "番号は1234\u{0}5678\u{7f}9018",
        "1|2|3|4|5|6|7|8|9|0|1|8",
    ] {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 403, "{text:?}: {v}");
        assert!(v.to_string().contains("my_number"), "{v}");
    }
    assert!(up.received().is_empty(), "nothing forwarded");
    for (i, text) in [
        "連絡先 090と1234と5678",
        "連絡先 03/1234/5678",
        "連絡先 090_1234_5678",
        "連絡先 090〜1234〜5678",
        "連絡先 090-1234\n5678",
    ]
    .into_iter()
    .enumerate()
    {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 200, "{text:?}: {v}");
        let sent = &up.received()[i].body;
        assert!(numbered(sent).contains("〔電話1〕"), "{text:?}: {sent}");
        assert!(!sent.contains("5678"), "{text:?}: {sent}");
    }
    // Dates, an IP address and a tab-separated table row pass untouched.
    let text = "2024/01/15 に 192.168.100.200 を確認。件数\t123456\t789012";
    let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: serde_json::Value = serde_json::from_str(&up.received()[5].body).unwrap();
    assert_eq!(sent["messages"][0]["content"], text);
}

/// Class 2: nothing is skipped by key name — values under `status`, `category` or an
/// id key inside tool input the model reads are inspected.
#[tokio::test]
async fn values_under_structural_keys_are_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "確認して"},
        {"type": "tool_use", "id": "toolu_01", "name": "lookup",
         "input": {"status": format!("taro@example.com {MY_NUMBER}")}}]}]});
    let (status, _, v) = post(&gw, "/v1/messages", &body.to_string(), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("my_number"), "{v}");
    assert!(up.received().is_empty());
    // A short token under a structural key is inspected too, and masked.
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "分類して"}],
        "metadata": {"category": "taro.kaku@example.com", "id": "090-1234-5678"}});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent = &up.received()[0].body;
    assert!(
        !sent.contains("taro.kaku") && !sent.contains("1234-5678"),
        "{sent}"
    );
    let sent: serde_json::Value = serde_json::from_str(sent).unwrap();
    assert_eq!(sent["model"], "m", "settings without data pass unchanged");
    assert_eq!(sent["messages"][0]["role"], "user");
}

/// Class 4: tool-call arguments holding JSON are read as JSON, whatever the escaping,
/// and masked values are written back in the same escaping.
#[tokio::test]
async fn nested_json_in_arguments_is_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    // Python's json.dumps: every non-ASCII character escaped.
    let escaped = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{:04x}", c as u32)
                }
            })
            .collect()
    };
    let args = format!(
        r#"{{"memo": "{}", "tel": "090-1234-5678"}}"#,
        escaped("森川陽菜さんに連絡")
    );
    let call = |args: &str| {
        json!({"model": "m", "messages": [
            {"role": "user", "content": "予定を登録して"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "register", "arguments": args}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]})
        .to_string()
    };
    let (status, _, v) = post(&gw, "/v1/chat/completions", &call(&args), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: serde_json::Value = serde_json::from_str(&up.received()[0].body).unwrap();
    let fwd = sent["messages"][1]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fwd.is_ascii(), "re-encoded with escapes as it came: {fwd}");
    assert!(fwd.starts_with(r#"{"memo": ""#), "spacing kept: {fwd}");
    let inner: serde_json::Value = serde_json::from_str(&fwd).unwrap();
    let memo = inner["memo"].as_str().unwrap();
    assert!(
        !memo.contains("森川") && numbered(memo).contains("〔氏名1〕"),
        "{memo}"
    );
    assert_eq!(numbered(inner["tel"].as_str().unwrap()), "〔電話1〕");
    // A My Number in escaped arguments is refused.
    let args = format!(r#"{{"{}": {MY_NUMBER}}}"#, escaped("番号"));
    let (status, _, v) = post(&gw, "/v1/chat/completions", &call(&args), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(up.received().len(), 1);
}

/// Class 5: a number split across two messages or two content parts is one number.
#[tokio::test]
async fn numbers_split_across_parts_are_found() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "個人番号は123456"},
        {"role": "user", "content": "789018です"}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("my_number"), "{v}");
    let body = json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "電話は090-1234"},
        {"type": "text", "text": "-5678です"}]}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
    let sent: serde_json::Value = serde_json::from_str(&up.received()[0].body).unwrap();
    let parts = &sent["messages"][0]["content"];
    let (a, b) = (
        parts[0]["text"].as_str().unwrap(),
        parts[1]["text"].as_str().unwrap(),
    );
    assert!(!a.contains("1234") && !b.contains("5678"), "{a} | {b}");
    assert!(a.contains("〔電話") && b.contains("〔電話"), "{a} | {b}");
    // Settings between the messages do not make numbers: a seed and a count.
    let body = json!({"model": "m", "seed": 12_345_678, "n": 1,
        "messages": [{"role": "user", "content": "9018件"}]});
    let (status, _, v) = post(&gw, "/v1/chat/completions", &body.to_string(), &[]).await;
    assert_eq!(status, 200, "{v}");
}

/// Class 7 (headers): the allow-listed client headers reach the upstream only when
/// their values are of their form; a phone number in `anthropic-beta` is refused
/// (400 bad_header, naming the header, never the value) and nothing is forwarded.
#[tokio::test]
async fn forwarded_headers_are_checked() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = json!({"model": "m", "max_tokens": 100,
        "messages": [{"role": "user", "content": "こんにちは"}]})
    .to_string();
    let refused: &[(&str, &str)] = &[
        ("anthropic-beta", "090-1234-5678"),
        ("anthropic-beta", "prompt-caching-2024-07-31,090-1234-5678"),
        ("anthropic-beta", "tel-090-1234-5678"),
        ("anthropic-beta", "morikawa.hina@example.jp"),
        ("anthropic-version", "090-1234-5678"),
        ("anthropic-version", "2023-06-01 morikawa"),
        ("accept", "text/html"),
        ("accept", "application/json; memo=123456789018"),
    ];
    for (name, value) in refused {
        let (status, _, v) = post(&gw, "/v1/messages", &body, &[(name, value)]).await;
        assert_eq!(status, 400, "{name}: {value}: {v}");
        assert_eq!(v["sekimori"]["code"], "bad_header", "{v}");
        let text = v.to_string();
        assert!(text.contains(name), "names the header: {v}");
        assert!(
            !text.contains("1234-5678") && !text.contains("morikawa") && !text.contains("memo"),
            "never the value: {v}"
        );
    }
    assert!(up.received().is_empty(), "nothing forwarded");

    // Valid values are forwarded unchanged.
    let anthropic = [
        ("anthropic-version", "2023-06-01"),
        (
            "anthropic-beta",
            "prompt-caching-2024-07-31,max-tokens-3-5-sonnet-2024-07-15, context-1m-2025-08-07",
        ),
        ("accept", "application/json"),
    ];
    let (status, _, v) = post(&gw, "/v1/messages", &body, &anthropic).await;
    assert_eq!(status, 200, "{v}");
    let got = &up.received()[0];
    for (name, value) in anthropic {
        assert_eq!(got.header(name), Some(value), "{name}");
    }
    let accept = "application/json, text/plain, */*;q=0.8";
    let (status, _, v) = post(
        &gw,
        "/v1/chat/completions",
        &chat("こんにちは"),
        &[("accept", accept)],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let got = &up.received()[1];
    assert_eq!(got.header("accept"), Some(accept));
    assert_eq!(got.header("anthropic-beta"), None);
}

/// Class 8: a name in romaji, with a combining mark inside it, or with its surname
/// split off by spaces, markup, ruby or a reading is masked whole: the upstream never
/// receives the surname (invented names).
#[tokio::test]
async fn split_and_romaji_names_are_masked_whole() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let cases: &[(&str, &[&str])] = &[
        ("申請者 MORIKAWA Hina 様の件", &["MORIKAWA", "Hina"]),
        (
            "氏名：ＭＯＲＩＫＡＷＡ　ＨＩＮＡ",
            &["ＭＯＲＩＫＡＷＡ", "ＨＩＮＡ"],
        ),
        ("森川\u{301}陽菜さんの件", &["森川", "陽菜"]),
        ("森 川 陽菜さんの件", &["森 川", "陽菜"]),
        ("森<b>川</b>陽菜さんの件", &["森", "川</b>", "陽菜"]),
        ("森川(もりかわ)陽菜さんの件", &["森川", "もりかわ", "陽菜"]),
        (
            "<ruby>森川<rt>もりかわ</rt></ruby>陽菜さんの件",
            &["森川", "もりかわ", "陽菜"],
        ),
    ];
    for (i, (text, leaks)) in cases.iter().enumerate() {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 200, "{text:?}: {v}");
        let sent: serde_json::Value = serde_json::from_str(&up.received()[i].body).unwrap();
        let content = sent["messages"][0]["content"].as_str().unwrap().to_string();
        assert!(
            numbered(&content).contains("〔氏名1〕"),
            "{text:?}: {content}"
        );
        for leak in *leaks {
            assert!(
                !content.contains(leak),
                "{text:?}: {leak} leaked in {content}"
            );
        }
    }
    // Hard negatives pass untouched.
    let n = cases.len();
    for (k, text) in [
        "NHK WORLD と TOKYO STATION の案内",
        "HONDA CIVIC と TOYOTA Motor",
    ]
    .into_iter()
    .enumerate()
    {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat(text), &[]).await;
        assert_eq!(status, 200, "{v}");
        let sent: serde_json::Value = serde_json::from_str(&up.received()[n + k].body).unwrap();
        assert_eq!(sent["messages"][0]["content"], text);
    }
}
