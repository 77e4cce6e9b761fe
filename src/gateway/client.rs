//! Plain-HTTP upstream connections driven on the request's own task.
//!
//! For `http://` upstreams (on-premises model servers on the municipal network) the
//! gateway sends a request that does not ask for a stream over a pooled HTTP/1.1
//! connection and polls that connection itself, inside the request's task, until the
//! answer has been read. There is no connection task and no channel hand-off between
//! tasks (with `reqwest`, the request goes to the connection's task and the answer comes
//! back: each hand-off can wake another worker thread, several per request), and no
//! redirect, retry or URL layers. A connection the server closed while it sat idle in the
//! pool is noticed at checkout (it is polled once) and dropped.
//!
//! `https://` upstreams and streamed requests keep going through `reqwest` (rustls with
//! certificate verification, HTTP/2 by ALPN): see [`super::upstream::forward`].

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type Conn = http1::Connection<TokioIo<TcpStream>, Full<Bytes>>;
type Sender = http1::SendRequest<Full<Bytes>>;

/// Idle connections kept per upstream `host:port` (as the `reqwest` pool).
pub const MAX_IDLE_PER_HOST: usize = 64;
/// An idle connection older than this is closed instead of reused.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Why a request could not be exchanged with the upstream.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL has no usable `host:port` (checked at configuration load; not expected).
    #[error("the upstream URL has no host")]
    BadUrl,
    /// TCP connect failed or timed out.
    #[error("connect failed: {0}")]
    Connect(std::io::Error),
    /// The HTTP exchange failed (connection reset, malformed answer, closed early).
    #[error("HTTP exchange failed: {0}")]
    Http(#[from] hyper::Error),
    /// The connection ended before the answer was complete.
    #[error("the upstream closed the connection before answering in full")]
    Closed,
    /// The answer exceeds the limit given to [`Exchange::collect`].
    #[error("the answer exceeds {0} bytes")]
    TooLarge(usize),
}

/// A connection and its request handle.
struct Live {
    sender: Sender,
    conn: Conn,
    /// The connection future has completed: never poll it again, never reuse it.
    ended: bool,
}

struct Idle {
    live: Live,
    since: Instant,
}

/// Idle upstream connections by `host:port`.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<HashMap<String, Vec<Idle>>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

/// A request whose response head has arrived; the body is still to be read.
pub struct Exchange<'p> {
    /// Status and headers.
    pub head: http::response::Parts,
    body: Incoming,
    live: Live,
    key: String,
    pool: &'p Pool,
}

impl Pool {
    /// Sends `req` (its URI absolute, `http://`) and waits for the response head,
    /// on a pooled connection or a new one (connect bounded by `connect_timeout`).
    pub async fn send(
        &self,
        mut req: Request<Full<Bytes>>,
        connect_timeout: Duration,
    ) -> Result<Exchange<'_>, ClientError> {
        let (key, path) = split_uri(req.uri())?;
        *req.uri_mut() = path;
        let mut live = match self.checkout(&key) {
            Some(l) => l,
            None => connect(&key, connect_timeout).await?,
        };
        let response = live.sender.send_request(req);
        let resp = drive(&mut live, response).await??;
        let (head, body) = resp.into_parts();
        Ok(Exchange {
            head,
            body,
            live,
            key,
            pool: self,
        })
    }

    /// The most recently used idle connection to `key` that is still open.
    fn checkout(&self, key: &str) -> Option<Live> {
        let mut idle = self.idle.lock().ok()?;
        let list = idle.get_mut(key)?;
        while let Some(mut c) = list.pop() {
            if c.since.elapsed() < IDLE_TIMEOUT && still_open(&mut c.live) {
                return Some(c.live);
            }
        }
        None
    }

    fn checkin(&self, key: String, mut live: Live) {
        // Let the connection finish the exchange (it then wants the next request).
        if !still_open(&mut live) {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            let list = idle.entry(key).or_default();
            if list.len() < MAX_IDLE_PER_HOST {
                list.push(Idle {
                    live,
                    since: Instant::now(),
                });
            }
        }
    }
}

impl std::fmt::Debug for Exchange<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("status", &self.head.status)
            .finish_non_exhaustive()
    }
}

impl Exchange<'_> {
    /// Reads the whole body (at most `limit` bytes), then returns the connection to the
    /// pool when it can carry another request.
    pub async fn collect(self, limit: usize) -> Result<Vec<u8>, ClientError> {
        let Exchange {
            head: _,
            mut body,
            mut live,
            key,
            pool,
        } = self;
        let read = async {
            let mut buf = Vec::new();
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame?.into_data() {
                    if buf.len() + data.len() > limit {
                        return Err(ClientError::TooLarge(limit));
                    }
                    buf.extend_from_slice(&data);
                }
            }
            Ok(buf)
        };
        let buf = drive(&mut live, read).await??;
        pool.checkin(key, live);
        Ok(buf)
    }

    /// The body as a stream of chunks; the connection is handed to a task of its own
    /// (it is not reused).
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Send + 'static {
        let Live { conn, ended, .. } = self.live;
        if !ended {
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
        self.body.into_data_stream()
    }
}

/// `host:port` (port 80 by default) and the origin-form path of an absolute `http://` URI.
fn split_uri(uri: &Uri) -> Result<(String, Uri), ClientError> {
    let auth = uri.authority().ok_or(ClientError::BadUrl)?;
    let key = format!("{}:{}", auth.host(), auth.port_u16().unwrap_or(80));
    let path = uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .parse::<Uri>()
        .map_err(|_| ClientError::BadUrl)?;
    Ok((key, path))
}

async fn connect(key: &str, timeout: Duration) -> Result<Live, ClientError> {
    let stream = tokio::time::timeout(timeout, TcpStream::connect(key))
        .await
        .map_err(|_| ClientError::Connect(std::io::ErrorKind::TimedOut.into()))?
        .map_err(ClientError::Connect)?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = http1::Builder::new()
        .max_buf_size(1024 * 1024)
        .handshake(TokioIo::new(stream))
        .await?;
    Ok(Live {
        sender,
        conn,
        ended: false,
    })
}

/// Polls the connection once, without a waker: false if it has ended (the server closed
/// it, or it broke) or cannot take a request now.
fn still_open(live: &mut Live) -> bool {
    if live.ended || live.sender.is_closed() {
        return false;
    }
    let mut quiet = Context::from_waker(Waker::noop());
    match Pin::new(&mut live.conn).poll(&mut quiet) {
        Poll::Ready(_) => {
            live.ended = true;
            false
        }
        Poll::Pending => live.sender.is_ready(),
    }
}

/// Runs `fut` (the response head, or the body) to completion while driving the
/// connection on this task. Only the connection's I/O wakes the task: `fut` is polled
/// without a waker, since nothing but the connection can complete it.
async fn drive<F: Future>(live: &mut Live, fut: F) -> Result<F::Output, ClientError> {
    let mut fut = std::pin::pin!(fut);
    let mut failure: Option<hyper::Error> = None;
    std::future::poll_fn(|cx| {
        let mut quiet = Context::from_waker(Waker::noop());
        // Bounded: each round either completes `fut`, ends the connection, or leaves
        // the connection waiting for I/O (its waker registered).
        for _ in 0..4 {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut quiet) {
                return Poll::Ready(Ok(v));
            }
            if live.ended {
                return Poll::Ready(Err(failure
                    .take()
                    .map_or(ClientError::Closed, ClientError::Http)));
            }
            match Pin::new(&mut live.conn).poll(cx) {
                Poll::Pending => {
                    return match fut.as_mut().poll(&mut quiet) {
                        Poll::Ready(v) => Poll::Ready(Ok(v)),
                        Poll::Pending => Poll::Pending,
                    };
                }
                Poll::Ready(r) => {
                    live.ended = true;
                    failure = r.err();
                }
            }
        }
        // The connection kept completing work without `fut` finishing: poll again soon.
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// Request headers for the hot path: copied from a prepared map (see
/// [`super::upstream`]); kept here so both clients send the same set.
pub fn request(uri: Uri, headers: HeaderMap, body: Bytes) -> Request<Full<Bytes>> {
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_uri_table() {
        let cases = [
            (
                "http://127.0.0.1:8000/v1/chat/completions",
                "127.0.0.1:8000",
                "/v1/chat/completions",
            ),
            (
                "http://llm.local/v1/x?api-version=1",
                "llm.local:80",
                "/v1/x?api-version=1",
            ),
            ("http://[::1]:9/a", "[::1]:9", "/a"),
        ];
        for (uri, key, path) in cases {
            let (k, p) = split_uri(&uri.parse().unwrap()).unwrap();
            assert_eq!((k.as_str(), p.to_string().as_str()), (key, path), "{uri}");
        }
    }
}
