//! Figures (run by hand, release build):
//! `cargo test --release --test integration forward_figures -- --ignored --nocapture`.
//! The latency an intercepted request adds (warm leaf cache, one kept-alive h2
//! connection) against the reverse proxy's hop in the same run, and the cost of a
//! first handshake to a new host (leaf minted, new TLS both sides).

use std::time::{Duration, Instant};

use serde_json::json;

use super::forward_support::{hash, start_text};
use super::forward_tls;
use super::BASE;
use crate::util::{FakeUpstream, Reply};

const N: usize = 300;

fn pct(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[v.len() * 99 / 100]))
}

async fn time<F, Fut>(mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        f().await;
    }
    let mut v = Vec::with_capacity(N);
    for _ in 0..N {
        let t = Instant::now();
        f().await;
        v.push(t.elapsed());
    }
    pct(v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "figures: run by hand in a release build"]
async fn figures_intercepted_request_and_first_handshake() {
    let host = "chat.approved.test";
    let site = forward_tls::start(host).await;
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = sekimori::gateway::forward::ca::init(dir.path()).unwrap();
    let mut resolve = String::new();
    for i in 0..40 {
        resolve.push_str(&format!("\"h{i}.approved.test\" = \"{}\"\n", site.addr));
    }
    let text = format!(
        r#"{}
[forward_proxy]
listen = "127.0.0.1:0"
approved = ["{host}", "*.approved.test"]
ca_cert = "{}"
ca_key = "{}"
extra_roots = ["{}"]

[forward_proxy.resolve]
"{host}" = "{}"
{resolve}
[[forward_proxy.users]]
name = "morikawa"
department = "kosodate"
password_hash = "{}"
"#,
        BASE.replace("{UPSTREAM}", &up.url()),
        cert.display(),
        key.display(),
        site.ca_pem.display(),
        site.addr,
        hash("pw"),
    );
    let (gw, fwd, _rec) = start_text(&text).await;
    let sekimori_ca = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let site_ca = reqwest::Certificate::from_pem(&std::fs::read(&site.ca_pem).unwrap()).unwrap();
    let through = || {
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(sekimori_ca.clone())
            .proxy(
                reqwest::Proxy::all(format!("http://{}", fwd.addr))
                    .unwrap()
                    .basic_auth("morikawa", "pw"),
            )
            .build()
            .unwrap()
    };
    let direct = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(site_ca)
        .resolve(host, site.addr)
        .no_proxy()
        .build()
        .unwrap();
    let body =
        json!({"prompt": "森川陽菜さんの電話は090-1234-5678です。折り返しの連絡をお願いします。"});
    let chat = super::chat("森川陽菜さんの電話は090-1234-5678です。折り返しの連絡をお願いします。");
    let url = format!("https://{host}:{}/api/chat", site.addr.port());
    let via = through();
    let plain = crate::util::client();

    let site_direct = time(|| async {
        direct
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    })
    .await;
    let site_via = time(|| async {
        let r = via
            .post(format!("https://{host}/api/chat"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    })
    .await;
    let up_direct = time(|| async {
        plain
            .post(format!("{}/v1/chat/completions", up.url()))
            .header("content-type", "application/json")
            .body(chat.clone())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    })
    .await;
    let up_via = time(|| async {
        let r = plain
            .post(format!("http://{}/v1/chat/completions", gw.addr))
            .header("content-type", "application/json")
            .body(chat.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    })
    .await;

    // First request to a new host: a new client (CONNECT, TLS to the proxy with a
    // freshly minted leaf, TLS to the site), against a new client to a host whose leaf
    // is cached.
    let mut first = Vec::new();
    for i in 0..40 {
        let c = through();
        let t = Instant::now();
        let r = c
            .post(format!("https://h{i}.approved.test/api/chat"))
            .json(&body)
            .send()
            .await
            .unwrap();
        r.bytes().await.unwrap();
        first.push(t.elapsed());
    }
    let mut cached = Vec::new();
    for _ in 0..40 {
        let c = through();
        let t = Instant::now();
        c.post(format!("https://{host}/api/chat"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        cached.push(t.elapsed());
    }
    let ca = sekimori::gateway::forward::ca::Ca::load(&cert, &key, 1024).unwrap();
    let t = Instant::now();
    for i in 0..200 {
        ca.server_config(&format!("m{i}.example.jp")).unwrap();
    }
    let mint = t.elapsed().as_secs_f64() * 1000.0 / 200.0;

    let (a, b) = (site_via.0 - site_direct.0, site_via.1 - site_direct.1);
    let (c, d) = (up_via.0 - up_direct.0, up_via.1 - up_direct.1);
    eprintln!("N={N} requests each, p50 / p99 ms");
    eprintln!(
        "approved site direct (h2, TLS)            {:.2} / {:.2}",
        site_direct.0, site_direct.1
    );
    eprintln!(
        "approved site through the forward proxy   {:.2} / {:.2}  (added {a:.2} / {b:.2})",
        site_via.0, site_via.1
    );
    eprintln!(
        "fake upstream direct (HTTP/1.1)           {:.2} / {:.2}",
        up_direct.0, up_direct.1
    );
    eprintln!(
        "fake upstream through the reverse proxy   {:.2} / {:.2}  (added {c:.2} / {d:.2})",
        up_via.0, up_via.1
    );
    let (f, g) = pct(first);
    let (h, k) = pct(cached);
    eprintln!("new client, new host (leaf minted)        {f:.2} / {g:.2}");
    eprintln!("new client, cached leaf                   {h:.2} / {k:.2}");
    eprintln!("leaf minting alone                        {mint:.2} ms per host");
}
