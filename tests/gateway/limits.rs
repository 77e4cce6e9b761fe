//! Limits and bad input: each is a clear error and nothing is forwarded.

use std::io::Write;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{chat, BASE};
use crate::util::{client, post, start_gateway, FakeUpstream, Reply};

async fn post_bytes(
    addr: std::net::SocketAddr,
    path: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = client().post(format!("http://{addr}{path}")).body(body);
    if !headers.iter().any(|(k, _)| *k == "content-type") {
        req = req.header("content-type", "application/json");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let s = r.status().as_u16();
    let t = r.text().await.unwrap();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn bad_input_table() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let deep = format!("{{\"messages\":{}{}}}", "[".repeat(200), "]".repeat(200));
    let big = chat(&"あ".repeat(30_000));
    let bomb = gzip(&vec![b' '; 60_000]);
    type Case<'a> = (
        &'a str,
        &'a str,
        Vec<u8>,
        Vec<(&'a str, &'a str)>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "unknown route",
            "/v1/files",
            b"{}".to_vec(),
            vec![],
            404,
            "unknown_route",
        ),
        (
            "bad path",
            "/v1/chat%252Fcompletions",
            b"{}".to_vec(),
            vec![],
            400,
            "bad_path",
        ),
        (
            "malformed",
            "/v1/chat/completions",
            b"{\"model\":".to_vec(),
            vec![],
            400,
            "malformed_json",
        ),
        (
            "not utf-8",
            "/v1/chat/completions",
            b"{\"model\":\"\xff\"}".to_vec(),
            vec![],
            400,
            "invalid_utf8",
        ),
        (
            "duplicate keys",
            "/v1/chat/completions",
            br#"{"model":"m","messages":[],"messages":[{"role":"user","content":"x"}]}"#.to_vec(),
            vec![],
            400,
            "duplicate_key",
        ),
        (
            "lone surrogate",
            "/v1/chat/completions",
            br#"{"model":"m","messages":[{"role":"user","content":"\ud800"}]}"#.to_vec(),
            vec![],
            400,
            "lone_surrogate",
        ),
        (
            "too deep",
            "/v1/chat/completions",
            deep.into_bytes(),
            vec![],
            400,
            "nesting_too_deep",
        ),
        (
            "too large",
            "/v1/chat/completions",
            big.into_bytes(),
            vec![],
            413,
            "body_too_large",
        ),
        (
            "unknown encoding",
            "/v1/chat/completions",
            b"{}".to_vec(),
            vec![("content-encoding", "compress")],
            415,
            "unsupported_encoding",
        ),
        (
            "corrupt gzip",
            "/v1/chat/completions",
            b"not gzip".to_vec(),
            vec![("content-encoding", "gzip")],
            400,
            "corrupt_encoding",
        ),
        (
            "ratio bomb",
            "/v1/chat/completions",
            bomb,
            vec![("content-encoding", "gzip")],
            413,
            "decompression_ratio",
        ),
        (
            "charset",
            "/v1/chat/completions",
            b"{}".to_vec(),
            vec![("content-type", "application/json; charset=shift_jis")],
            415,
            "unsupported_charset",
        ),
    ];
    for (name, path, body, headers, status, code) in cases {
        let (s, v) = post_bytes(gw.addr, path, body, &headers).await;
        assert_eq!(s, status, "{name}: {v}");
        assert_eq!(v["error"]["code"], code, "{name}: {v}");
    }
    assert!(up.received().is_empty(), "nothing may be forwarded");
}

#[tokio::test]
async fn compressed_bodies_are_decoded_and_inspected() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = chat("電話は090-1234-5678");
    let raw = body.as_bytes();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(raw).unwrap();
    }
    let zstd = zstd::encode_all(raw, 3).unwrap();
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(raw).unwrap();
    let deflate = deflate.finish().unwrap();
    let cases = [
        ("gzip", gzip(raw)),
        ("br", br),
        ("zstd", zstd),
        ("deflate", deflate),
    ];
    for (i, (enc, data)) in cases.into_iter().enumerate() {
        let (s, v) = post_bytes(
            gw.addr,
            "/v1/chat/completions",
            data,
            &[("content-encoding", enc)],
        )
        .await;
        assert_eq!(s, 200, "{enc}: {v}");
        let got = up.received();
        assert!(
            crate::util::numbered(&got[i].body).contains("〔電話1〕"),
            "{enc}: {}",
            got[i].body
        );
        assert!(got[i].header("content-encoding").is_none());
    }
}

async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    // Bounded: the server closes the connection (asserted by read_to_end returning).
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out))
        .await
        .expect("the server must close the connection")
        .unwrap();
    String::from_utf8_lossy(&out).to_string()
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_refused_and_closed() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    let body = chat("こんにちは");
    let req = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        body.len(),
        body.len(),
        body
    );
    let resp = raw_exchange(gw.addr, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(
        resp.contains("content_length_with_transfer_encoding"),
        "{resp}"
    );
    assert!(
        resp.to_ascii_lowercase().contains("connection: close"),
        "{resp}"
    );
    assert!(up.received().is_empty());
}

#[tokio::test]
async fn slow_headers_are_cut_off() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let cfg = BASE.replace(
        "max_body_bytes = 65536",
        "max_body_bytes = 65536\nheader_read_timeout_secs = 1",
    );
    let gw = start_gateway(&cfg, &up.url()).await;
    // Half a request head, never finished: the server must close (read_to_end returns).
    let resp = raw_exchange(
        gw.addr,
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n",
    )
    .await;
    assert!(!resp.contains("200 OK"), "{resp}");
    assert!(up.received().is_empty());
}

#[tokio::test]
async fn early_content_length_check() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let gw = start_gateway(BASE, &up.url()).await;
    // Announce more than the cap: refused from the header alone.
    let req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{";
    let resp = raw_exchange(gw.addr, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
    let _ = post(&gw, "/v1/chat/completions", &chat("x"), &[]).await;
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let up = FakeUpstream::start(Reply::EchoChat).await;
    let cfg = BASE.replace(
        "max_body_bytes = 65536",
        "max_body_bytes = 65536\nidle_timeout_secs = 1\nheader_read_timeout_secs = 60",
    );
    let gw = start_gateway(&cfg, &up.url()).await;
    let body = chat("こんにちは");
    let req = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        body
    );
    // One complete keep-alive exchange, then silence: the server must close.
    let resp = raw_exchange(gw.addr, req.as_bytes()).await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(up.received().len(), 1);
}
