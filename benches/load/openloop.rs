//! A small open-loop HTTP/1.1 load client for `benches/load/hop.sh`: POSTs one body at a
//! fixed rate over a fixed number of keep-alive connections and prints the latency
//! percentiles as one JSON line.
//!
//! Open loop, as wrk2 does it (wrk2 is not in Debian; oha needs a long `cargo install`):
//! connection `k` of `n` sends requests `k, k+n, k+2n, …`, request `i` being due at
//! `start + i / rate`. Its latency is measured from when it was *due*, not from when it
//! was sent, so a stall that delays later requests counts against all of them
//! (no coordinated omission). The request bytes are built once; the answer is read by
//! `Content-Length` or chunked framing, so the client costs a few µs per request.
//! Everything is bounded: the run ends after `--duration` seconds, a request that takes
//! more than `--timeout` seconds counts as an error, and the connection is reopened.
//!
//! Run: `cargo bench --bench openloop -- --url http://127.0.0.1:18903/v1/chat/completions
//! --body body.json --rate 1000 --duration 10 --connections 16`.

#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Clone)]
struct Args {
    host: String,
    path: String,
    body: Vec<u8>,
    rate: f64,
    duration: Duration,
    connections: usize,
    timeout: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut body = None;
    let mut rate = 1000.0;
    let mut duration = 10.0;
    let mut connections = 16;
    let mut timeout = 10.0;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--url" => url = Some(val()?),
            "--body" => body = Some(std::fs::read(val()?).map_err(|e| e.to_string())?),
            "--rate" => rate = val()?.parse().map_err(|_| "bad --rate")?,
            "--duration" => duration = val()?.parse().map_err(|_| "bad --duration")?,
            "--connections" => connections = val()?.parse().map_err(|_| "bad --connections")?,
            "--timeout" => timeout = val()?.parse().map_err(|_| "bad --timeout")?,
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let url = url.ok_or("--url is required")?;
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs (loopback)")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if !(rate > 0.0 && duration > 0.0 && connections > 0 && connections <= 4096) {
        return Err("rate, duration and connections (≤ 4096) must be positive".into());
    }
    Ok(Args {
        host: host.to_string(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        body: body.ok_or("--body is required")?,
        rate,
        duration: Duration::from_secs_f64(duration),
        connections,
        timeout: Duration::from_secs_f64(timeout),
    })
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    non_2xx: u64,
    errors: u64,
}

/// Reads one answer; returns its status.
async fn read_answer(s: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    buf.clear();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("head"))?;
    let status: u16 = head
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad("status"))?;
    let lower = head.to_ascii_lowercase();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = lower
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    let mut body = buf.split_off(head_end);
    match (length, chunked) {
        (Some(len), _) => {
            while body.len() < len {
                let n = s.read(&mut chunk).await?;
                if n == 0 {
                    return Err(bad("closed in body"));
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        (None, true) => {
            // Until the last chunk's `0\r\n\r\n` (answers here have no trailers).
            while !body.ends_with(b"0\r\n\r\n") {
                let n = s.read(&mut chunk).await?;
                if n == 0 {
                    return Err(bad("closed in chunked body"));
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        (None, false) => return Err(bad("no framing")),
    }
    Ok(status)
}

async fn connection(args: Arc<Args>, k: usize, start: Instant, tally: Arc<Mutex<Tally>>) {
    let request = {
        let mut r = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            args.path,
            args.host,
            args.body.len()
        )
        .into_bytes();
        r.extend_from_slice(&args.body);
        r
    };
    let period = 1.0 / args.rate;
    let end = start + args.duration;
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::with_capacity(65536);
    let mut local = Tally::default();
    let mut i = k;
    loop {
        let due = start + Duration::from_secs_f64(i as f64 * period);
        if due >= end {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let attempt = async {
            if stream.is_none() {
                let s = TcpStream::connect(&args.host).await?;
                s.set_nodelay(true)?;
                stream = Some(s);
            }
            let s = stream.as_mut().expect("connected");
            s.write_all(&request).await?;
            read_answer(s, &mut buf).await
        };
        let result = tokio::time::timeout(args.timeout, attempt).await;
        match result {
            Ok(Ok(status)) => {
                local
                    .latencies_us
                    .push(u64::try_from(due.elapsed().as_micros()).unwrap_or(u64::MAX));
                if !(200..300).contains(&status) {
                    local.non_2xx += 1;
                }
            }
            _ => {
                local.errors += 1;
                stream = None;
            }
        }
        i += args.connections;
    }
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    t.latencies_us.extend(local.latencies_us);
    t.non_2xx += local.non_2xx;
    t.errors += local.errors;
}

fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("openloop: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let tally = Arc::new(Mutex::new(Tally::default()));
    let began = Instant::now();
    rt.block_on(async {
        // Start slightly in the future so every connection is scheduled from one origin.
        let start = Instant::now() + Duration::from_millis(20);
        let tasks: Vec<_> = (0..args.connections)
            .map(|k| tokio::spawn(connection(args.clone(), k, start, tally.clone())))
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    });
    let elapsed = began.elapsed().as_secs_f64();
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    t.latencies_us.sort_unstable();
    let n = t.latencies_us.len();
    let pct = |p: f64| -> f64 {
        if n == 0 {
            return f64::NAN;
        }
        let idx = ((p / 100.0) * n as f64).ceil() as usize;
        t.latencies_us[idx.clamp(1, n) - 1] as f64 / 1000.0
    };
    println!(
        "{{\"requests\":{n},\"rate\":{:.1},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"p999_ms\":{:.3},\"max_ms\":{:.3},\"non_2xx\":{},\"errors\":{}}}",
        n as f64 / elapsed,
        pct(50.0),
        pct(90.0),
        pct(99.0),
        pct(99.9),
        pct(100.0),
        t.non_2xx,
        t.errors
    );
}
