//! The console over HTTPS (`[admin] tls_cert` / `tls_key`): the session cookie is
//! `__Host-` prefixed and `Secure`, and a login works. The certificate is made with
//! `openssl` (skipped, with a message, where it is not installed).

use std::process::Command;
use std::sync::Arc;

use sekimori::config::AdminConfig;
use sekimori::console::accounts::{Accounts, Role};
use sekimori::console::{self, Console};

use super::console_fixture::{Fixture, PASSWORD};

#[tokio::test]
async fn the_console_over_tls_sets_secure_host_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    if !made.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("SKIP the_console_over_tls_sets_secure_host_cookies: openssl could not make a certificate");
        return;
    }
    let f = Fixture::start(AdminConfig::default()).await;
    let accounts = dir.path().join("a.json");
    let ap = accounts.clone();
    tokio::task::spawn_blocking(move || {
        Accounts::load(&ap)
            .unwrap()
            .set("morikawa", Role::Admin, PASSWORD)
            .unwrap()
    })
    .await
    .unwrap();
    let acceptor = console::server::tls_acceptor(&cert, &key).unwrap();
    let c: Arc<Console> = Console::new(
        f.gw.shared.clone(),
        AdminConfig::default(),
        &accounts,
        f.console.audit.clone(),
        true,
    )
    .unwrap();
    let run = console::start(c, "127.0.0.1:0".parse().unwrap(), Some(acceptor))
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("https://{}", run.addr);
    let resp = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-sekimori_console="), "{cookie}");
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let page = resp.text().await.unwrap();
    let csrf = super::console_fixture::csrf_of(&page).unwrap();
    let kv = cookie.split(';').next().unwrap().to_string();
    let resp = http
        .post(format!("{base}/login"))
        .header("cookie", &kv)
        .form(&[
            ("user", "morikawa"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let new = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        new.starts_with("__Host-sekimori_console=") && new.contains("Secure"),
        "{new}"
    );
    // Plain HTTP to the TLS port gets no page.
    let plain = reqwest::Client::builder().no_proxy().build().unwrap();
    assert!(plain
        .get(format!("http://{}/login", run.addr))
        .send()
        .await
        .is_err());
    run.stop();
}
