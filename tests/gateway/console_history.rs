//! 設定履歴: a change keeps the version before it; restoring that version is itself a
//! four-eyes change, after which the gateway runs the old configuration again.

use sekimori::config::AdminConfig;

use super::chat;
use super::console_fixture::Fixture;
use crate::util::post;

#[tokio::test]
async fn a_kept_version_is_restored_after_approval() {
    let f = Fixture::start(AdminConfig {
        listen: "127.0.0.1:0".into(),
        ..AdminConfig::default()
    })
    .await;
    let original = std::fs::read_to_string(&f.config).unwrap();
    let prompt = chat("社外秘資料の件");
    let mut adm = f.login("morikawa").await;
    let mut appr = f.login("kobayashi").await;
    let (_, _, page) = adm.get("/history").await;
    assert!(page.contains("id=\"no-versions\""), "{page}");

    adm.get("/words").await;
    adm.post(
        "/words",
        &[
            ("list", "kimitsu"),
            ("words", "極秘案件\n社外秘資料"),
            ("op", "propose"),
        ],
    )
    .await;
    appr.get("/approvals").await;
    let (s, _) = appr
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &prompt, &[]).await.0,
        403
    );

    let (_, _, page) = adm.get("/history").await;
    let name = page
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (s, _, page) = adm.get(&format!("/history?show={name}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("<span class=\"add\">+ words = [&quot;極秘案件&quot;]</span>"),
        "{page}"
    );
    // A name outside the history directory is not read.
    let (_, _, page) = adm.get("/history?show=..%2Fsekimori.toml").await;
    assert!(page.contains("その版はありません"), "{page}");

    let (s, page) = adm.post("/history", &[("version", &name)]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("変更案 #2"), "{page}");
    assert_ne!(
        std::fs::read_to_string(&f.config).unwrap(),
        original,
        "not before approval"
    );
    let (_, _, page) = appr.get("/approvals").await;
    assert!(
        page.contains(
            "<span class=\"del\">- words = [&quot;極秘案件&quot;, &quot;社外秘資料&quot;]</span>"
        ),
        "{page}"
    );
    let (s, page) = appr
        .post("/approvals", &[("id", "2"), ("op", "approve")])
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), original);
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &prompt, &[]).await.0,
        200
    );
    // The auditor may look, not restore.
    let mut aud = f.login("suzuki").await;
    assert_eq!(aud.get("/history").await.0, 200);
    assert_eq!(aud.post("/history", &[("version", &name)]).await.0, 403);
    let approved = f.admin_events("console_change_approved");
    assert_eq!(approved.len(), 2);
    assert!(approved[1]["detail"]["subject"]
        .as_str()
        .unwrap()
        .starts_with("restore "));
}
