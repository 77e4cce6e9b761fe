//! ポリシー: a department's action and model allow list changed in the console,
//! approved by a second person, apply to that department's next request only.

use sekimori::config::AdminConfig;

use super::chat;
use super::console_fixture::Fixture;
use crate::util::post;

const KEY: (&str, &str) = ("authorization", "Bearer sk-test-key");

#[tokio::test]
async fn a_department_policy_change_applies_after_approval() {
    let f = Fixture::start(AdminConfig {
        listen: "127.0.0.1:0".into(),
        ..AdminConfig::default()
    })
    .await;
    let phone = chat("折り返しは090-1234-5678へ");
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &phone, &[KEY]).await.0,
        200
    );

    let mut adm = f.login("morikawa").await;
    let (s, _, page) = adm.get("/policy").await;
    assert_eq!(s, 200);
    assert!(page.contains("name=\"a.0.phone\""), "{page}");
    // Only the cells sent differently from the file are changes; none is refused.
    let (s, page) = adm.post("/policy", &[("a._.phone", "")]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("変更がありません"), "{page}");
    let (s, page) = adm.post("/policy", &[("a.0.phone", "explode")]).await;
    assert_eq!(s, 422, "{page}");
    let (s, page) = adm
        .post(
            "/policy",
            &[("a.0.phone", "block"), ("m.0", "m, allowed-model")],
        )
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("変更案 #1"), "{page}");
    assert!(page.contains("kosodate.phone: — → block"), "{page}");
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &phone, &[KEY]).await.0,
        200,
        "not before approval"
    );

    let mut appr = f.login("kobayashi").await;
    appr.get("/approvals").await;
    let (s, page) = appr
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 200, "{page}");
    let (s, _, v) = post(&f.gw, "/v1/chat/completions", &phone, &[KEY]).await;
    assert_eq!(s, 403, "{v}");
    // Other callers keep the organisation's policy (phones masked).
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &phone, &[]).await.0,
        200
    );
    // The model list took effect too.
    let other_model = serde_json::json!({"model": "gpt-x", "messages": [{"role": "user", "content": "こんにちは"}]}).to_string();
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &other_model, &[KEY])
            .await
            .0,
        403
    );
    let text = std::fs::read_to_string(&f.config).unwrap();
    assert!(
        text.contains("models = [\"m\", \"allowed-model\"]"),
        "{text}"
    );
    assert!(text.contains("# 既定は置き換え"), "{text}");
    // The auditor sees the table but cannot send it.
    let mut aud = f.login("suzuki").await;
    let (_, _, page) = aud.get("/policy").await;
    assert!(page.contains("disabled"), "{page}");
    assert_eq!(aud.post("/policy", &[("a.0.phone", "log")]).await.0, 403);
}
