//! 許可ワード and list export: an approved allow-list change stops a term being
//! masked; lists download as text (UTF-8 BOM, CRLF).

use sekimori::config::AdminConfig;

use super::chat;
use super::console_fixture::Fixture;
use crate::util::post;

#[tokio::test]
async fn an_approved_allow_word_is_no_longer_masked_and_lists_export() {
    let f = Fixture::start(AdminConfig {
        listen: "127.0.0.1:0".into(),
        ..AdminConfig::default()
    })
    .await;
    let prompt = chat("森川陽菜さんへの挨拶文を作って");
    post(&f.gw, "/v1/chat/completions", &prompt, &[]).await;
    assert!(
        !f.upstream.received()[0].body.contains("森川陽菜"),
        "a name is masked before"
    );

    let mut adm = f.login("morikawa").await;
    adm.get("/words").await;
    let (s, page) = adm
        .post(
            "/words",
            &[("kind", "allow"), ("words", "森川陽菜\n森川陽菜")],
        )
        .await;
    assert_eq!(s, 422, "duplicate: {page}");
    let (s, page) = adm
        .post("/words", &[("kind", "allow"), ("words", "森川陽菜\n")])
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("許可ワード"), "{page}");
    let mut appr = f.login("kobayashi").await;
    appr.get("/approvals").await;
    let (s, page) = appr
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 200, "{page}");
    let text = std::fs::read_to_string(&f.config).unwrap();
    assert!(text.contains("allow_words = [\"森川陽菜\"]"), "{text}");
    post(&f.gw, "/v1/chat/completions", &prompt, &[]).await;
    assert!(
        f.upstream.received()[1].body.contains("森川陽菜"),
        "allowed: sent as written"
    );

    let (s, h, bytes) = adm.get_bytes("/words.txt?list=kimitsu").await;
    assert_eq!(s, 200);
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .contains("sekimori-kimitsu.txt"));
    assert_eq!(bytes, "\u{feff}極秘案件\r\n".as_bytes());
    let (_, _, bytes) = adm.get_bytes("/words.txt?list=allow").await;
    assert_eq!(bytes, "\u{feff}森川陽菜\r\n".as_bytes());
    assert_eq!(adm.get_bytes("/words.txt?list=nothing").await.0, 404);
    let mut viewer = f.login("ito").await;
    assert_eq!(viewer.get_bytes("/words.txt?list=kimitsu").await.0, 403);
}
