//! Plain-HTTP upstream connections (`sekimori::gateway::client`): kept and reused
//! between requests, replaced when the upstream closed them while idle, and a refused
//! connection is a 502 with nothing else sent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::{chat, BASE};
use crate::util::{post, start_gateway, start_gateway_workers};

/// The answer, quoting the first placeholder of the request (`〔電話-…〕`).
fn answer(placeholder: &str) -> String {
    format!(
        r#"{{"id":"x","object":"chat.completion","choices":[{{"index":0,"message":{{"role":"assistant","content":"ok {placeholder}"}},"finish_reason":"stop"}}]}}"#
    )
}

/// A minimal HTTP/1.1 upstream: counts connections, answers every request with
/// [`answer`], and after `close_after` requests on a connection closes it (without
/// announcing it, as a server's idle timeout does), then reports on `closed`.
struct RawUpstream {
    url: String,
    connections: Arc<AtomicUsize>,
    closed: mpsc::UnboundedReceiver<()>,
}

async fn raw_upstream(close_after: usize) -> RawUpstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let (tx, closed) = mpsc::unbounded_channel();
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut stream = stream;
                for _ in 0..close_after {
                    if !answer_one(&mut stream).await {
                        return;
                    }
                }
                drop(stream);
                let _ = tx.send(());
            });
        }
    });
    RawUpstream {
        url,
        connections,
        closed,
    }
}

/// Reads one request (head + Content-Length body) and answers it; false at EOF.
async fn answer_one(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + len]);
    let answer = answer(&crate::util::first_placeholder(&body));
    let resp = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
        answer.len()
    );
    stream.write_all(resp.as_bytes()).await.is_ok()
}

#[tokio::test]
async fn connections_are_reused_between_requests() {
    let up = raw_upstream(usize::MAX).await;
    let gw = start_gateway(BASE, &up.url).await;
    for i in 0..5 {
        let (status, _, v) =
            post(&gw, "/v1/chat/completions", &chat("電話090-1234-5678"), &[]).await;
        assert_eq!(status, 200, "request {i}: {v}");
        let content = v["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(content, "ok 090-1234-5678", "restored");
    }
    assert_eq!(
        up.connections.load(Ordering::SeqCst),
        1,
        "one kept-alive connection"
    );
}

#[tokio::test]
async fn a_connection_the_upstream_closed_while_idle_is_replaced() {
    let mut up = raw_upstream(1).await;
    let gw = start_gateway(BASE, &up.url).await;
    for i in 0..3 {
        let (status, _, v) = post(&gw, "/v1/chat/completions", &chat("こんにちは"), &[]).await;
        assert_eq!(status, 200, "request {i}: {v}");
        // The upstream has closed that connection before the next request is sent.
        up.closed.recv().await.unwrap();
    }
    assert_eq!(up.connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_connection_is_a_502() {
    // Bind and drop: nothing listens on that port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let gw = start_gateway(BASE, &format!("http://{addr}")).await;
    let (status, _, v) = post(&gw, "/v1/chat/completions", &chat("こんにちは"), &[]).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["error"]["code"], "upstream_unreachable", "{v}");
}

#[tokio::test]
async fn worker_threads_each_keep_their_own_connections() {
    // `sekimori serve` serves from one thread per core, each with its own listening
    // socket and pool: every client connection lands on one of them, and an upstream
    // connection is only reused by the worker that opened it.
    let up = raw_upstream(usize::MAX).await;
    let gw = start_gateway_workers(BASE, &up.url, 2).await;
    for i in 0..12 {
        // A new client connection each time (the kernel spreads them over the sockets).
        let (status, _, v) =
            post(&gw, "/v1/chat/completions", &chat("電話090-1234-5678"), &[]).await;
        assert_eq!(status, 200, "request {i}: {v}");
        let content = v["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(content, "ok 090-1234-5678", "restored");
    }
    let opened = up.connections.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&opened),
        "at most one kept-alive upstream connection per worker, got {opened}"
    );
    let addr = gw.addr;
    gw.shutdown().await;
    // Every worker's socket is closed once shutdown returns.
    for _ in 0..4 {
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "nothing listens after shutdown"
        );
    }
}
