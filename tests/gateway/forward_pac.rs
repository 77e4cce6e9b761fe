//! PAC files: served on the proxy listener (`/proxy.pac` by client network,
//! `/pac/{department}.pac`) and printed by `sekimori pac`; their `FindProxyForURL`
//! evaluated with Node on sample URLs: AI hosts go to Sekimori, the rest to the
//! configured fallback.

use std::process::Command;

use super::forward_support::start;

const SECTION: &str = r#"
[forward_proxy]
listen = "127.0.0.1:0"
approved = ["chat.example.lg.jp", "*.openai.azure.com"]
pac_fallback = "PROXY proxy.city.local:8080"

[[forward_proxy.clients]]
cidr = "127.0.0.0/8"
department = "kosodate"
"#;

/// `FindProxyForURL(url, host)` of `pac` for each URL, evaluated by Node with the
/// PAC helper functions browsers provide.
fn evaluate(pac: &str, urls: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proxy.pac");
    std::fs::write(&file, pac).unwrap();
    let harness = r#"
const fs = require('fs');
function dnsDomainIs(host, domain) { return host.length >= domain.length && host.substring(host.length - domain.length) === domain; }
function shExpMatch(str, pattern) {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(str);
}
function isPlainHostName(host) { return host.indexOf('.') < 0; }
function localHostOrDomainIs(host, hostdom) { return host === hostdom || hostdom.lastIndexOf(host + '.', 0) === 0; }
eval(fs.readFileSync(process.argv[1], 'utf8'));
for (const u of JSON.parse(process.argv[2])) {
  console.log(FindProxyForURL(u, new URL(u).hostname));
}
"#;
    let out = Command::new("node")
        .arg("-e")
        .arg(harness)
        .arg(&file)
        .arg(serde_json::to_string(urls).unwrap())
        .output()
        .expect("node (Debian package nodejs) evaluates the PAC files");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_pac_sends_ai_hosts_to_sekimori_and_the_rest_to_the_fallback() {
    let (_gw, fwd, _rec) = start(SECTION).await;
    let c = crate::util::client();
    let r = c
        .get(format!("http://{}/proxy.pac", fwd.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/x-ns-proxy-autoconfig"
    );
    let pac = r.text().await.unwrap();
    assert!(pac.contains("department \"kosodate\""), "{pac}");
    let sekimori = format!("PROXY {}", fwd.addr);
    let cases = [
        ("https://chatgpt.com/", sekimori.as_str()),
        ("https://chat.openai.com/c/1", sekimori.as_str()),
        ("https://claude.ai/new", sekimori.as_str()),
        ("https://gemini.google.com/app", sekimori.as_str()),
        ("https://www.perplexity.ai/", sekimori.as_str()),
        ("https://chat.example.lg.jp/chat", sekimori.as_str()),
        (
            "https://city.openai.azure.com/openai/deployments/x",
            sekimori.as_str(),
        ),
        ("https://openai.azure.com/", sekimori.as_str()),
        (
            "https://www.google.com/search?q=x",
            "PROXY proxy.city.local:8080",
        ),
        ("https://notchatgpt.com/", "PROXY proxy.city.local:8080"),
        ("http://intranet.city.local/", "PROXY proxy.city.local:8080"),
    ];
    let urls: Vec<&str> = cases.iter().map(|(u, _)| *u).collect();
    let got = evaluate(&pac, &urls);
    assert_eq!(got.len(), cases.len(), "{got:?}");
    for ((url, want), got) in cases.iter().zip(&got) {
        assert_eq!(got, want, "{url}");
    }

    // Per department by name; an unknown one is 404.
    let r = c
        .get(format!("http://{}/pac/default.pac", fwd.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("department \"default\""));
    let r = c
        .get(format!("http://{}/pac/nosuch.pac", fwd.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[test]
fn sekimori_pac_prints_a_departments_pac() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sekimori.toml");
    std::fs::write(
        &cfg,
        "[[departments]]\nname = \"kosodate\"\n\n[forward_proxy]\npac_proxy = \"sekimori.city.local:3128\"\napproved = [\"chat.example.lg.jp\"]\n",
    )
    .unwrap();
    let run = |dept: &str| {
        Command::new(env!("CARGO_BIN_EXE_sekimori"))
            .args(["pac", "--config"])
            .arg(&cfg)
            .args(["--department", dept])
            .env_clear()
            .output()
            .unwrap()
    };
    let out = run("kosodate");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pac = String::from_utf8(out.stdout).unwrap();
    let got = evaluate(
        &pac,
        &["https://chat.example.lg.jp/", "https://example.com/"],
    );
    assert_eq!(got, ["PROXY sekimori.city.local:3128", "DIRECT"]);
    let out = run("somu");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'somu'"));
}
