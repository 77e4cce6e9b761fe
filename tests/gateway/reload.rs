//! Hot reload: a valid change is applied, a broken one is refused and the old
//! configuration stays live. Reloads are triggered directly (no timers, no sleeps).

use sekimori::gateway::reload;
use sekimori::gateway::runtime::Runtime;
use sekimori::gateway::Gateway;

use super::{chat, BASE};
use crate::util::{post, FakeUpstream, Reply};

#[tokio::test]
async fn broken_config_keeps_the_old_one() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sekimori.toml");
    let good = BASE.replace("{UPSTREAM}", &up.url());
    std::fs::write(&path, &good).unwrap();
    let p = path.clone();
    let rt = tokio::task::spawn_blocking(move || reload::build_from_file(&p))
        .await
        .unwrap()
        .unwrap();
    let gw = Gateway::new(rt)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();

    // Phone numbers are masked.
    let (s, _, _) = post(&gw, "/v1/chat/completions", &chat("090-1234-5678"), &[]).await;
    assert_eq!(s, 200);
    assert!(crate::util::numbered(&up.received()[0].body).contains("〔電話1〕"));

    // A broken file: refused with file and line, old config stays.
    let broken = good.replace(
        "default_action = \"mask\"",
        "default_action = \"mask\"\nsurprise = true",
    );
    std::fs::write(&path, &broken).unwrap();
    let err = reload::reload(&gw.shared, "api").await.unwrap_err();
    let want = good
        .lines()
        .position(|l| l.contains("default_action"))
        .unwrap()
        + 2;
    assert_eq!(err.line, Some(want as u32));
    assert!(err.to_string().contains("surprise"), "{err}");
    let (s, _, _) = post(&gw, "/v1/chat/completions", &chat("090-1234-5678"), &[]).await;
    assert_eq!(s, 200);
    assert!(crate::util::numbered(&up.received()[1].body).contains("〔電話1〕"));

    // A valid change applies: phones now blocked.
    let stricter = good.replace(
        "my_number = \"block\"",
        "my_number = \"block\"\nphone = \"block\"",
    );
    std::fs::write(&path, &stricter).unwrap();
    reload::reload(&gw.shared, "api").await.unwrap();
    let (s, _, v) = post(&gw, "/v1/chat/completions", &chat("090-1234-5678"), &[]).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(up.received().len(), 2);
    assert_eq!(
        gw.shared
            .generation
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    let _ = Runtime::build; // the snapshot type is public for embedding
}
