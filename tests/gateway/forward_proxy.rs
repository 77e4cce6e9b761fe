//! The forward proxy's front: who may pass (407 without a login, never anonymous),
//! unapproved AI services refused and recorded, other hosts refused by default,
//! `never_intercept` hosts tunnelled.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::forward_support::{basic, hash, raw, start, start_text};

fn section(extra: &str) -> String {
    format!(
        r#"
[forward_proxy]
listen = "127.0.0.1:0"
contact = "情報政策課（内線1234）"
{extra}

[[forward_proxy.users]]
name = "morikawa"
department = "kosodate"
password_hash = "{}"

[[forward_proxy.clients]]
cidr = "10.99.0.0/16"
department = "kosodate"
"#,
        hash("ひみつ-pass")
    )
}

#[tokio::test]
async fn no_login_is_407_and_an_unapproved_ai_service_is_refused_and_recorded() {
    let (_gw, fwd, rec) = start(&section("")).await;
    // 127.0.0.1 is in no [[forward_proxy.clients]] network: a login is needed.
    let (s, head) = raw(
        fwd.addr,
        &["CONNECT chatgpt.com:443 HTTP/1.1", "Host: chatgpt.com:443"],
    )
    .await;
    assert_eq!(s, 407, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authenticate: basic realm=\"sekimori\""),
        "{head}"
    );
    let wrong = format!("Proxy-Authorization: {}", basic("morikawa", "wrong"));
    let (s, _) = raw(
        fwd.addr,
        &[
            "CONNECT chatgpt.com:443 HTTP/1.1",
            "Host: chatgpt.com:443",
            &wrong,
        ],
    )
    .await;
    assert_eq!(s, 407);

    let login = format!("Proxy-Authorization: {}", basic("morikawa", "ひみつ-pass"));
    let (s, head) = raw(
        fwd.addr,
        &[
            "CONNECT chatgpt.com:443 HTTP/1.1",
            "Host: chatgpt.com:443",
            &login,
        ],
    )
    .await;
    assert_eq!(s, 403, "{head}");
    assert!(head.contains("unapproved_ai_service"), "{head}");
    assert!(!head.contains("ひみつ"), "{head}");

    // A page navigation over plain http:// gets the Japanese block page.
    let (s, page) = raw(
        fwd.addr,
        &[
            "GET http://claude.ai/new HTTP/1.1",
            "Host: claude.ai",
            "Accept: text/html",
            "Sec-Fetch-Mode: navigate",
            &login,
        ],
    )
    .await;
    assert_eq!(s, 403, "{page}");
    assert!(page.contains("text/html"), "{page}");
    assert!(page.contains("承認されていない生成AIサービス"), "{page}");
    assert!(page.contains("Claude"), "{page}");
    assert!(page.contains("情報政策課（内線1234）"), "{page}");

    // A host that is neither approved nor catalogued: refused (the default).
    let (s, head) = raw(
        fwd.addr,
        &[
            "CONNECT www.example.com:443 HTTP/1.1",
            "Host: www.example.com:443",
            &login,
        ],
    )
    .await;
    assert_eq!(s, 403, "{head}");
    assert!(head.contains("host_not_allowed"), "{head}");

    let recs = rec.outcomes(5).await;
    assert_eq!(recs.len(), 5, "{recs:?}");
    let anonymous: Vec<_> = recs.iter().filter(|r| r.status == 407).collect();
    assert_eq!(anonymous.len(), 2);
    assert!(anonymous.iter().all(|r| r.user.is_none()));
    let shadow: Vec<_> = recs
        .iter()
        .filter(|r| r.error_code == Some("unapproved_ai_service"))
        .collect();
    assert_eq!(shadow.len(), 2);
    for r in &shadow {
        assert_eq!(r.user.as_deref(), Some("morikawa"));
        assert_eq!(r.department.as_deref(), Some("kosodate"));
        assert_eq!(r.front_end.as_deref(), Some("forward_proxy"));
        assert!(!r.forwarded);
    }
    let hosts: Vec<_> = shadow
        .iter()
        .filter_map(|r| r.upstream.as_deref())
        .collect();
    assert!(
        hosts.contains(&"chatgpt.com") && hosts.contains(&"claude.ai"),
        "{hosts:?}"
    );
}

#[tokio::test]
async fn a_never_intercept_host_is_tunnelled_and_other_hosts_can_be() {
    // A loopback "TLS site" that echoes what it gets.
    let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo_addr = echo.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..4 {
            let Ok((mut s, _)) = echo.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut b = [0u8; 64];
                while let Ok(n) = s.read(&mut b).await {
                    if n == 0 || s.write_all(&b[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let extra = format!(
        "never_intercept = [\"login.example.jp\"]\nother_hosts = \"tunnel\"\n\n[forward_proxy.resolve]\n\"login.example.jp\" = \"{echo_addr}\"\n\"other.example.jp\" = \"{echo_addr}\"\n"
    );
    let (_gw, fwd, _rec) = start(&section(&extra)).await;
    let login = format!("Proxy-Authorization: {}", basic("morikawa", "ひみつ-pass"));
    for host in ["login.example.jp", "other.example.jp"] {
        let mut s = TcpStream::connect(fwd.addr).await.unwrap();
        s.write_all(
            format!("CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n{login}\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
            assert_eq!(s.read(&mut b).await.unwrap(), 1);
            head.push(b[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        s.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        s.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
    }
    // A tunnel goes to port 443 only.
    let (s, _) = raw(
        fwd.addr,
        &[
            "CONNECT other.example.jp:22 HTTP/1.1",
            "Host: other.example.jp:22",
            &login,
        ],
    )
    .await;
    assert_eq!(s, 403);
}

/// Reads a response head byte by byte (bounded).
async fn head_of(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
        match s.read(&mut b).await {
            Ok(1) => head.push(b[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn an_open_tunnel_keeps_its_connection_slot() {
    let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo_addr = echo.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..4 {
            let Ok((s, _)) = echo.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let (mut r, mut w) = s.into_split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    let text = format!(
        "{}\n{}",
        super::BASE.replace("max_body_bytes = 65536", "max_body_bytes = 65536\nmax_connections = 1"),
        section(&format!(
            "never_intercept = [\"login.example.jp\"]\n\n[forward_proxy.resolve]\n\"login.example.jp\" = \"{echo_addr}\"\n"
        ))
    );
    let (_gw, fwd, _rec) = start_text(&text).await;
    let login = format!("Proxy-Authorization: {}", basic("morikawa", "ひみつ-pass"));
    let connect = format!(
        "CONNECT login.example.jp:443 HTTP/1.1\r\nHost: login.example.jp:443\r\n{login}\r\n\r\n"
    );
    let mut tunnel = TcpStream::connect(fwd.addr).await.unwrap();
    tunnel.write_all(connect.as_bytes()).await.unwrap();
    assert!(head_of(&mut tunnel).await.starts_with("HTTP/1.1 200"));
    tunnel.write_all(b"ping").await.unwrap();
    let mut got = [0u8; 4];
    tunnel.read_exact(&mut got).await.unwrap();

    // The tunnel holds the only slot: a second connection is closed unanswered.
    let mut second = TcpStream::connect(fwd.addr).await.unwrap();
    let _ = second.write_all(connect.as_bytes()).await;
    assert_eq!(head_of(&mut second).await, "");

    // Closed, the slot is free again.
    drop(tunnel);
    let mut ok = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let mut s = TcpStream::connect(fwd.addr).await.unwrap();
        let _ = s.write_all(connect.as_bytes()).await;
        if head_of(&mut s).await.starts_with("HTTP/1.1 200") {
            ok = true;
            break;
        }
    }
    assert!(ok, "the slot was not given back");
}
