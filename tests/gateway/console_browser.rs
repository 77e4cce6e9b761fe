//! The console in a real browser (headless Chromium over the DevTools protocol,
//! `tests/util/browser.rs`): log in, propose a banned word, approve it as a second
//! user, see the gateway block a prompt with it, test a text and see the highlight,
//! download the usage CSV. Screenshots go to `target/test-artifacts/console-*.png`.

use sekimori::config::AdminConfig;

use super::chat;
use super::console_fixture::{Fixture, PASSWORD};
use crate::util::browser::Browser;
use crate::util::post;

async fn login(b: &mut Browser, base: &str, user: &str) {
    b.navigate(&format!("{base}/login")).await.unwrap();
    b.fill("#user", user).await.unwrap();
    b.fill("#password", PASSWORD).await.unwrap();
    b.click_and_wait("#login-submit").await.unwrap();
    let h1 = b.text("h1").await.unwrap();
    if !h1.contains("ダッシュボード") {
        let main = b.text("main").await.unwrap();
        let url = b.url().await.unwrap();
        panic!("{user} not logged in: {url}: {main}");
    }
}

async fn logout(b: &mut Browser) {
    b.click_and_wait("form.logout button").await.unwrap();
}

#[tokio::test]
async fn the_console_in_a_real_browser() {
    let Some(mut b) = Browser::launch_or_skip("the_console_in_a_real_browser").await else {
        return;
    };
    let f = Fixture::start(AdminConfig {
        listen: "127.0.0.1:0".into(),
        ..AdminConfig::default()
    })
    .await;
    let base = f.url();
    let prompt = chat("社外秘資料の要約をお願いします");
    assert_eq!(
        post(&f.gw, "/v1/chat/completions", &prompt, &[]).await.0,
        200
    );

    // 管理者 proposes a banned word.
    login(&mut b, &base, "morikawa").await;
    assert!(b.text("#last-login").await.unwrap().contains("初めて"));
    b.screenshot("console-1-dashboard").await.unwrap();
    b.navigate(&format!("{base}/words")).await.unwrap();
    b.fill("#words-kimitsu", "極秘案件\n社外秘資料")
        .await
        .unwrap();
    b.eval("document.querySelector('#action-kimitsu').value = 'block'")
        .await
        .unwrap();
    b.click_and_wait("#propose-kimitsu").await.unwrap();
    let body = b.text("main").await.unwrap();
    assert!(body.contains("変更案 #1 を提案しました"), "{body}");
    b.screenshot("console-2-proposed").await.unwrap();
    logout(&mut b).await;

    // A different person, 承認者, approves: written and live at once.
    login(&mut b, &base, "kobayashi").await;
    b.navigate(&format!("{base}/approvals")).await.unwrap();
    assert!(b.text("#proposal-1").await.unwrap().contains("社外秘資料"));
    b.screenshot("console-3-approval").await.unwrap();
    b.click_and_wait("#approve-1").await.unwrap();
    let body = b.text("main").await.unwrap();
    assert!(body.contains("承認し"), "{body}");
    assert!(std::fs::read_to_string(&f.config)
        .unwrap()
        .contains("社外秘資料"));

    // The gateway blocks the prompt now, without a restart.
    let (s, _, v) = post(&f.gw, "/v1/chat/completions", &prompt, &[]).await;
    assert_eq!(s, 403, "{v}");

    // テキストを試す highlights the word and names the list.
    b.navigate(&format!("{base}/test")).await.unwrap();
    b.fill("#text", "森川陽菜さん（090-1234-5678）に社外秘資料を送付")
        .await
        .unwrap();
    b.click_and_wait("#test-submit").await.unwrap();
    let marks = b
        .eval("[...document.querySelectorAll('#highlighted mark')].map(m => m.dataset.category).join(',')")
        .await
        .unwrap();
    let marks = marks.as_str().unwrap();
    assert!(marks.contains("kimitsu"), "{marks}");
    assert!(marks.contains("phone"), "{marks}");
    assert!(b.text("#verdict").await.unwrap().contains("ブロック"));
    let shot = b.screenshot("console-4-test-text").await.unwrap();
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    logout(&mut b).await;

    // 監査者 downloads the usage CSV.
    login(&mut b, &base, "suzuki").await;
    b.navigate(&format!("{base}/usage")).await.unwrap();
    b.screenshot("console-5-usage").await.unwrap();
    let dl = tempfile::tempdir().unwrap();
    b.allow_downloads(dl.path()).await.unwrap();
    b.click("#csv").await.unwrap();
    let file = b.wait_download(dl.path()).await.unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("\r\n"));
    assert!(text.contains("anonymous,2,"), "{text}");
    b.close().await;
}
