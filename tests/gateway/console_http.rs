//! The administrators' console over HTTP: login and last login, lockout, CSRF, roles
//! enforced on the server, four eyes, a broken edit refused with the file unchanged,
//! an approved banned-word edit blocking the next proxied request without restart,
//! テキストを試す, and the usage CSV equal to `sekimori usage`.

use std::process::Command;

use sekimori::config::AdminConfig;

use super::chat;
use super::console_fixture::{Client, Fixture, PASSWORD};
use crate::util::post;

fn admin() -> AdminConfig {
    AdminConfig {
        listen: "127.0.0.1:0".into(),
        max_failed_logins: 3,
        ..AdminConfig::default()
    }
}

#[tokio::test]
async fn login_shows_the_last_login_and_pages_carry_strict_headers() {
    let f = Fixture::start(admin()).await;
    let mut c = Client::new(&f.url());
    // Not logged in: every page sends to the login page.
    let (s, h, _) = c.get("/").await;
    assert_eq!(s, 303);
    assert_eq!(h["location"], "/login");
    let cookie = h["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let (s, h, page) = c.get("/login").await;
    assert_eq!(s, 200);
    assert!(page.contains("<html lang=\"ja\""), "{page}");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert!(!page.contains("<script"), "no script at all");
    assert!(h.get("set-cookie").is_none(), "the session is kept");
    let before = c.csrf.clone();

    let (s, _) = c
        .post("/login", &[("user", "morikawa"), ("password", PASSWORD)])
        .await;
    assert_eq!(s, 303);
    let (s, _, page) = c.get("/").await;
    assert_eq!(s, 200);
    assert!(page.contains("初めてのログインです"), "{page}");
    assert_ne!(c.csrf, before, "a new session (and token) after login");

    // Log out, log in again: the previous login is shown.
    let (s, _) = c.post("/logout", &[]).await;
    assert_eq!(s, 303);
    let (s, _, _) = c.get("/").await;
    assert_eq!(s, 303, "logged out");
    c.get("/login").await;
    c.post("/login", &[("user", "morikawa"), ("password", PASSWORD)])
        .await;
    let (_, _, page) = c.get("/").await;
    assert!(page.contains("前回のログイン:"), "{page}");
    assert!(page.contains("JST"), "{page}");

    // English on request.
    let (s, _, _) = c.get("/lang?to=en&back=/").await;
    assert_eq!(s, 303);
    let (_, _, page) = c.get("/").await;
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(page.contains("Dashboard"));

    assert!(!f.admin_events("console_login").is_empty());
    let text = std::fs::read_to_string(f.dir.path().join("admin-accounts.json")).unwrap();
    assert!(!text.contains(PASSWORD), "only hashes are stored");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_one() {
    let f = Fixture::start(admin()).await;
    let mut c = Client::new(&f.url());
    for _ in 0..2 {
        let (s, page) = c.login("suzuki", "違うパスワード-0000").await;
        assert_eq!(s, 401);
        assert!(
            page.contains("ユーザー名またはパスワードが違います"),
            "{page}"
        );
    }
    let (s, page) = c.login("suzuki", "違うパスワード-0000").await;
    assert_eq!(s, 403);
    assert!(page.contains("ロックされています"), "{page}");
    let (s, _) = c.login("suzuki", PASSWORD).await;
    assert_eq!(s, 403, "locked: the right password does not help");
    // An unknown user is told the same as a wrong password.
    let (s, page) = c.login("nobody", PASSWORD).await;
    assert_eq!(s, 401, "{page}");
    assert_eq!(f.admin_events("console_login_failed").len(), 3);
    assert!(!f.admin_events("console_login_locked").is_empty());
    let failed = f.admin_events("console_login_failed");
    assert!(failed.iter().any(|e| e["actor"] == "(unknown)"));
    // No password in the audit log.
    for e in std::fs::read_dir(&f.audit_dir).unwrap() {
        let t = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
        assert!(!t.contains("違うパスワード") && !t.contains(PASSWORD));
    }
}

#[tokio::test]
async fn a_post_without_the_session_token_is_refused() {
    let f = Fixture::start(admin()).await;
    let mut c = f.login("morikawa").await;
    let before = std::fs::read_to_string(&f.config).unwrap();
    let form = [
        ("list", "kimitsu"),
        ("words", "極秘案件\n社外秘資料"),
        ("op", "propose"),
    ];
    let (s, page) = c
        .post(
            "/words",
            &[form[0], form[1], form[2], ("csrf", "0".repeat(64).as_str())],
        )
        .await;
    assert_eq!(s, 403);
    assert!(page.contains("CSRF"), "{page}");
    // Another session's token does not work either.
    let other = f.login("hayashi").await;
    let stolen = other.csrf.clone().unwrap();
    let (s, _) = c
        .post(
            "/words",
            &[form[0], form[1], form[2], ("csrf", stolen.as_str())],
        )
        .await;
    assert_eq!(s, 403);
    // Even the login form needs it.
    let mut fresh = Client::new(&f.url());
    let (s, _) = fresh
        .post("/login", &[("user", "morikawa"), ("password", PASSWORD)])
        .await;
    assert_eq!(s, 403);
    assert!(f.console.proposals.list().is_empty());
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), before);
}

#[tokio::test]
async fn roles_are_enforced_on_the_server() {
    let f = Fixture::start(admin()).await;
    let mut auditor = f.login("suzuki").await;
    // The auditor reads the audit log and usage, and sees no edit form…
    assert_eq!(auditor.get("/audit").await.0, 200);
    assert_eq!(auditor.get("/usage").await.0, 200);
    let (s, _, page) = auditor.get("/words").await;
    assert_eq!(s, 200);
    assert!(!page.contains("value=\"propose\""), "{page}");
    // …and a hand-made edit is refused.
    let (s, _) = auditor
        .post(
            "/words",
            &[
                ("list", "kimitsu"),
                ("words", "極秘案件\n社外秘資料"),
                ("op", "propose"),
            ],
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = auditor
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 403);
    // The viewer sees the dashboard only.
    let mut viewer = f.login("ito").await;
    assert_eq!(viewer.get("/").await.0, 200);
    for p in [
        "/words",
        "/test",
        "/usage",
        "/usage.csv",
        "/audit",
        "/approvals",
    ] {
        assert_eq!(viewer.get(p).await.0, 403, "{p}");
    }
    // An administrator does not read the audit log.
    let mut adm = f.login("morikawa").await;
    assert_eq!(adm.get("/audit").await.0, 403);
    assert!(f.console.proposals.list().is_empty());
}

#[tokio::test]
async fn a_broken_edit_is_refused_and_the_file_is_unchanged() {
    let f = Fixture::start(admin()).await;
    let before = std::fs::read_to_string(&f.config).unwrap();
    let mut c = f.login("morikawa").await;
    c.get("/words").await;
    for (words, want) in [
        ("極秘案件\n\n社外秘", "空"),
        ("極秘案件\n極秘案件", "重複"),
        ("極秘案件\nの", "一致"),
    ] {
        let (s, page) = c
            .post(
                "/words",
                &[("list", "kimitsu"), ("words", words), ("op", "propose")],
            )
            .await;
        assert_eq!(s, 422, "{words}");
        assert!(page.contains(want), "{want}: {page}");
    }
    // A list name that the configuration refuses (a built-in category).
    let (s, _) = c
        .post(
            "/words",
            &[("list", "phone"), ("words", "社外秘"), ("op", "propose")],
        )
        .await;
    assert_eq!(s, 422);
    // A change the whole-file validation refuses: the file must be left alone even
    // though the edit itself is fine. Break the file underneath the console first.
    assert!(f.console.proposals.list().is_empty());
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), before);
    let broken = before.replace("default_action = \"mask\"", "default_action = \"explode\"");
    std::fs::write(&f.config, &broken).unwrap();
    let (s, page) = c
        .post(
            "/words",
            &[
                ("list", "kimitsu"),
                ("words", "極秘案件\n社外秘資料"),
                ("op", "propose"),
            ],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("nothing was written"), "{page}");
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), broken);
    assert!(f.console.proposals.list().is_empty());
}

#[tokio::test]
async fn an_approved_banned_word_blocks_the_next_request_without_restart() {
    let f = Fixture::start(admin()).await;
    let prompt = chat("来週の社外秘資料について要約して");
    let (s, _, _) = post(&f.gw, "/v1/chat/completions", &prompt, &[]).await;
    assert_eq!(s, 200, "not banned yet");

    let mut adm = f.login("morikawa").await;
    adm.get("/words").await;
    // Preview on a sample under the pending configuration: nothing written.
    let before = std::fs::read_to_string(&f.config).unwrap();
    let (s, page) = adm
        .post(
            "/words",
            &[
                ("list", "kimitsu"),
                ("words", "極秘案件\n社外秘資料"),
                ("action", "block"),
                ("op", "preview"),
                ("sample", "社外秘資料を共有します"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"preview\""), "{page}");
    assert!(page.contains("data-category=\"kimitsu\""), "{page}");
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), before);

    let (s, page) = adm
        .post(
            "/words",
            &[
                ("list", "kimitsu"),
                ("words", "極秘案件\n社外秘資料"),
                ("action", "block"),
                ("op", "propose"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("変更案 #1"), "{page}");
    assert_eq!(
        std::fs::read_to_string(&f.config).unwrap(),
        before,
        "not before approval"
    );
    // The proposer cannot approve (not an approver), nor can a second 管理者.
    let (s, _) = adm
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 403);

    let mut appr = f.login("kobayashi").await;
    let (s, _, page) = appr.get("/approvals").await;
    assert_eq!(s, 200);
    assert!(page.contains("社外秘資料"), "{page}");
    let (s, page) = appr
        .post("/approvals", &[("id", "1"), ("op", "approve")])
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("承認し"), "{page}");

    let after = std::fs::read_to_string(&f.config).unwrap();
    assert!(after.contains("社外秘資料"));
    assert!(
        after.contains("# 既定は置き換え"),
        "comments survive: {after}"
    );
    let hist = sekimori::console::edit::history_dir(&f.config);
    let kept: Vec<_> = std::fs::read_dir(&hist).unwrap().collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read_to_string(kept[0].as_ref().unwrap().path()).unwrap(),
        before
    );

    let (s, _, v) = post(&f.gw, "/v1/chat/completions", &prompt, &[]).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(f.upstream.received().len(), 1, "the second one never left");

    let approved = f.admin_events("console_change_approved");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["actor"], "kobayashi");
    assert_eq!(approved[0]["detail"]["proposer"], "morikawa");
    assert_eq!(
        approved[0]["detail"]["new_digest"],
        sekimori::console::edit::digest(&after)
    );
    assert_eq!(
        approved[0]["detail"]["old_digest"],
        sekimori::console::edit::digest(&before)
    );
    let reloads: Vec<_> = std::fs::read_dir(&f.audit_dir)
        .unwrap()
        .flat_map(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.contains("config_reload") && l.contains("console:kobayashi"))
        .collect();
    assert_eq!(reloads.len(), 1);
    // No banned word in the audit log's admin records.
    for e in f.admin_events("console_change_proposed") {
        assert!(!e.to_string().contains("社外秘資料"));
    }
}

#[tokio::test]
async fn the_proposer_cannot_approve_their_own_change() {
    let mut admin = admin();
    admin.require_approval = true;
    let f = Fixture::start(admin).await;
    // An approver who also proposes cannot be both: proposals come from 管理者, so
    // test the store's rule through a proposal made in the approver's name.
    let mut adm = f.login("morikawa").await;
    adm.get("/words").await;
    adm.post(
        "/words",
        &[
            ("list", "kimitsu"),
            ("words", "極秘案件\n内部資料Z"),
            ("op", "propose"),
        ],
    )
    .await;
    let p = f.console.proposals.list().pop().unwrap();
    assert_eq!(
        f.console
            .proposals
            .take_for_approval(p.id, "morikawa")
            .unwrap_err(),
        sekimori::console::proposals::DecisionError::OwnProposal
    );
    // Still pending; a different approver may.
    assert_eq!(f.console.proposals.list().len(), 1);
    let mut appr = f.login("kobayashi").await;
    let (_, _, page) = appr.get("/approvals").await;
    assert!(page.contains(&format!("id=\"approve-{}\"", p.id)), "{page}");
    assert!(!page.contains("disabled"), "{page}");
    // The proposer sees no approve button, only withdraw.
    let (_, _, page) = adm.get("/approvals").await;
    assert!(!page.contains("value=\"approve\""), "{page}");
    assert!(page.contains("value=\"withdraw\""), "{page}");
    let (s, _) = adm
        .post(
            "/approvals",
            &[("id", &p.id.to_string()), ("op", "approve")],
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(f.console.proposals.list().len(), 1);
}

#[tokio::test]
async fn test_a_text_highlights_findings_with_the_rule_that_fired() {
    let f = Fixture::start(admin()).await;
    let mut c = f.login("kobayashi").await;
    c.get("/test").await;
    let (s, page) = c
        .post(
            "/test",
            &[
                ("department", "default"),
                ("text", "森川陽菜さんの電話は090-1234-5678です"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("data-category=\"phone\""), "{page}");
    assert!(page.contains("<code>phone"), "the rule is named: {page}");
    assert!(page.contains("id=\"masked\""), "{page}");
    assert!(page.contains("〔電話-"), "{page}");
    let (_, page) = c
        .post(
            "/test",
            &[
                ("department", "default"),
                ("text", "極秘案件の資料です <script>alert(1)</script>"),
            ],
        )
        .await;
    assert!(page.contains("ブロックされます"), "{page}");
    assert!(page.contains("data-category=\"kimitsu\""), "{page}");
    assert!(page.contains("&lt;script&gt;"), "escaped");
    assert!(!page.contains("<script>"));
    // Recorded as a console action, without the text; not as a request.
    let ev = f.admin_events("console_test_text");
    assert_eq!(ev.len(), 2);
    assert!(!ev[0].to_string().contains("090-1234-5678"));
    assert!(f.upstream.received().is_empty());
}

#[tokio::test]
async fn the_usage_csv_has_the_figures_of_sekimori_usage() {
    let f = Fixture::start(admin()).await;
    for text in [
        "こんにちは",
        "電話は090-1234-5678です",
        "個人番号は123456789018です",
    ] {
        post(&f.gw, "/v1/chat/completions", &chat(text), &[]).await;
    }
    let month = {
        let now = time::OffsetDateTime::now_utc().to_offset(sekimori::audit::timefmt::JST);
        format!("{:04}-{:02}", now.year(), u8::from(now.month()))
    };
    let cli = |by: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_sekimori"))
            .args([
                "usage",
                f.audit_dir.to_str().unwrap(),
                "--month",
                &month,
                "--by",
                by,
                "--bom",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // Outcome records are written off the response path: wait until three requests
    // are counted (bounded).
    for _ in 0..100 {
        let t = String::from_utf8(cli("user")).unwrap();
        if t.contains("anonymous,3,") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut c = f.login("suzuki").await;
    for by in ["user", "department", "model"] {
        let (s, h, bytes) = c
            .get_bytes(&format!("/usage.csv?month={month}&by={by}"))
            .await;
        assert_eq!(s, 200);
        assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(h["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"));
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM");
        assert_eq!(
            bytes,
            cli(by),
            "by {by}: the console's CSV is `sekimori usage --bom`"
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\r\n"), "CRLF");
        let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let head = rd.headers().unwrap().clone();
        assert_eq!(&head[0], by);
        let rows: Vec<_> = rd.records().map(|r| r.unwrap()).collect();
        if by == "user" {
            assert_eq!(rows.len(), 1);
            assert_eq!(&rows[0][0], "anonymous");
            let col = |n: &str| head.iter().position(|h| h == n).unwrap();
            assert_eq!(&rows[0][col("requests")], "3");
            assert_eq!(&rows[0][col("blocked")], "1");
            assert_eq!(&rows[0][col("masked")], "1");
        }
    }
    let (s, _, page) = c.get(&format!("/usage?month={month}&by=user")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("<td>anonymous</td><td class=\"num\">3</td>"),
        "{page}"
    );
    // The dashboard counts the same requests; the auditor verifies the chain.
    let (_, _, page) = c.get("/").await;
    assert!(page.contains("data-k=\"requests\">3<"), "{page}");
    let (s, _) = c.post("/audit/verify", &[]).await;
    assert_eq!(s, 303);
    let (_, _, page) = c.get("/audit?action=blocked").await;
    assert!(page.contains("id=\"verify-result\""), "{page}");
    assert!(page.contains("改ざんなし"), "{page}");
    assert!(page.contains("my_number×1"), "{page}");
    assert!(!page.contains("123456789018"), "never values");
}

#[tokio::test]
async fn the_first_administrator_link_works_once() {
    let f = Fixture::start(admin()).await;
    // Accounts exist: no link.
    assert!(f.console.first_admin_token().is_none());
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("none.json");
    let c2 = sekimori::console::Console::new(
        f.gw.shared.clone(),
        admin(),
        &empty,
        f.console.audit.clone(),
        false,
    )
    .unwrap();
    let run = sekimori::console::start(c2.clone(), "127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let token = c2.first_admin_token().unwrap();
    let mut c = Client::new(&format!("http://{}", run.addr));
    assert_eq!(c.get("/setup?token=0000").await.0, 403);
    let (s, _, _) = c.get(&format!("/setup?token={token}")).await;
    assert_eq!(s, 200);
    let (s, _) = c
        .post(
            "/setup",
            &[
                ("token", &token),
                ("user", "tanaka"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, _, page) = c.get("/").await;
    assert_eq!(s, 200, "logged in");
    assert!(page.contains("tanaka (管理者)"), "{page}");
    // Used up.
    let mut other = Client::new(&format!("http://{}", run.addr));
    assert_eq!(other.get(&format!("/setup?token={token}")).await.0, 403);
    assert!(c2.first_admin_token().is_none());
    run.stop();
}
