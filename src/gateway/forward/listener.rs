//! The forward-proxy listener: HTTP/1.1 proxy semantics over TCP. `CONNECT host:port`
//! opens a tunnel (intercepted, refused or passed through by destination);
//! absolute-form `http://…` requests are handled per destination the same way; the
//! proxy's own paths (PAC files) are origin-form. Client networks, the connection
//! limit and the head timeout are those of the reverse proxy (`[server]`).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::super::boxed::{self, Body};
use super::super::phase::{self, finish::Render, Ctx};
use super::super::respond::GatewayError;
use super::super::runtime::Principal;
use super::super::state::ConnInfo;
use super::catalogue::{normalize_host, Destination};
use super::door::{self, Target};
use super::intercept::{self, Inside};
use super::page::{render_json, renderer, with_contact};
use super::refusal::ProxyRefusal;
use super::{tunnel, ForwardProxy, OtherHosts};

/// The realm of the 407 challenge.
pub const REALM: &str = "Basic realm=\"Sekimori\", charset=\"UTF-8\"";

/// A forward proxy serving on a socket.
#[derive(Debug)]
pub struct RunningForwardProxy {
    /// The bound address.
    pub addr: SocketAddr,
    /// The proxy's state.
    pub proxy: Arc<ForwardProxy>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningForwardProxy {
    /// Stops accepting and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Binds `addr` (port 0 in tests) and serves `proxy` in the background.
pub async fn start(proxy: Arc<ForwardProxy>, addr: SocketAddr) -> io::Result<RunningForwardProxy> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = watch::channel(false);
    let slots = Arc::new(Semaphore::new(
        proxy.shared.runtime.load().config.server.max_connections,
    ));
    let _ = proxy.bound.set(addr);
    let task = tokio::spawn(accept_loop(listener, proxy.clone(), slots, rx));
    tracing::info!(target: "sekimori::forward", %addr, "forward proxy listening");
    Ok(RunningForwardProxy {
        addr,
        proxy,
        shutdown: tx,
        task,
    })
}

async fn accept_loop(
    listener: TcpListener,
    proxy: Arc<ForwardProxy>,
    slots: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.changed() => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(target: "sekimori::forward", error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if !proxy.client_allowed(peer.ip()) {
            tracing::warn!(target: "sekimori::forward", client = %peer.ip(), "connection refused: client address not allowed");
            continue;
        }
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(target: "sekimori::forward", "connection refused: server.max_connections reached");
            continue;
        };
        let proxy = proxy.clone();
        tokio::spawn(serve(stream, peer, proxy, Arc::new(permit)));
    }
}

/// A connection's place under `server.max_connections`, held by the connection and
/// by every tunnel opened on it (a tunnel outlives its `CONNECT` exchange).
type Slot = Arc<tokio::sync::OwnedSemaphorePermit>;

async fn serve(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    proxy: Arc<ForwardProxy>,
    slot: Slot,
) {
    let _ = stream.set_nodelay(true);
    let conn = ConnInfo::new(peer, Arc::default());
    let header_timeout = proxy.header_timeout;
    let svc = service_fn(move |req| {
        let proxy = proxy.clone();
        let conn = conn.clone();
        let slot = slot.clone();
        async move { Ok::<_, Infallible>(handle(proxy, conn, req, slot).await) }
    });
    let r = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(stream), svc)
        .with_upgrades()
        .await;
    if let Err(e) = r {
        tracing::debug!(target: "sekimori::forward", error = %e, "proxy connection ended with an error");
    }
}

/// Records `e` as the outcome of a request to `host` by `principal` and renders it.
pub fn refuse(
    proxy: &ForwardProxy,
    conn: &ConnInfo,
    parts: http::request::Parts,
    principal: Option<&Principal>,
    host: Option<&str>,
    e: GatewayError,
    render: Render,
) -> Response<Body> {
    let login = e.status == StatusCode::PROXY_AUTHENTICATION_REQUIRED;
    let mut cx = Ctx::new(&proxy.shared, conn, parts);
    cx.record.front_end = Some("forward_proxy".into());
    cx.record.upstream = host.map(str::to_string);
    if let Some(p) = principal {
        cx.record.user = Some(p.user.clone());
        cx.record.department = Some(p.department.clone());
    }
    let mut r = phase::finish::run(cx, Err(with_contact(e, &proxy.contact)), render);
    if login {
        r.headers_mut()
            .insert(header::PROXY_AUTHENTICATE, HeaderValue::from_static(REALM));
    }
    r
}

async fn handle(
    proxy: Arc<ForwardProxy>,
    conn: ConnInfo,
    req: Request<Incoming>,
    slot: Slot,
) -> Response<Body> {
    if req.method() == Method::CONNECT {
        return connect(proxy, conn, req, slot).await;
    }
    if req.uri().authority().is_none() {
        if let Some(r) = own_path(&proxy, &conn, &req) {
            return r;
        }
    }
    let (parts, body) = req.into_parts();
    let render = renderer(&parts.headers);
    let Some(host) = parts
        .uri
        .host()
        .filter(|_| parts.uri.scheme_str() == Some("http"))
        .map(normalize_host)
    else {
        return refuse(
            &proxy,
            &conn,
            parts,
            None,
            None,
            ProxyRefusal::BadTarget.into(),
            render,
        );
    };
    let principal = match proxy
        .identity
        .identify(&parts.headers, conn.peer.ip())
        .await
    {
        Ok(p) => p,
        Err(e) => return refuse(&proxy, &conn, parts, None, Some(&host), e.into(), render),
    };
    let port = parts.uri.port_u16().unwrap_or(80);
    let dest = proxy.hosts.classify(&host);
    let pass = match &dest {
        Destination::NeverIntercept => true,
        Destination::Other => proxy.other_hosts == OtherHosts::Tunnel,
        _ => false,
    };
    if dest == Destination::Approved {
        let target = Arc::new(Target {
            host,
            port,
            https: false,
        });
        let req = Request::from_parts(parts, body);
        return door::handle(proxy.clone(), conn, Arc::new(principal), target, req).await;
    }
    if pass {
        return pass_http(&proxy, parts, body, &host).await;
    }
    let e: GatewayError = match dest {
        Destination::Unapproved(service) => ProxyRefusal::UnapprovedAi {
            service,
            host: host.clone(),
        }
        .into(),
        _ => ProxyRefusal::OtherHost { host: host.clone() }.into(),
    };
    refuse(
        &proxy,
        &conn,
        parts,
        Some(&principal),
        Some(&host),
        e,
        render,
    )
}

/// The proxy's own paths (origin-form): `GET /proxy.pac`, `GET /pac/{department}.pac`.
fn own_path(
    proxy: &ForwardProxy,
    conn: &ConnInfo,
    req: &Request<Incoming>,
) -> Option<Response<Body>> {
    if req.method() != Method::GET {
        return None;
    }
    let path = req.uri().path();
    let department = if path == "/proxy.pac" {
        proxy.network_department(conn.peer.ip())
    } else {
        let d = path.strip_prefix("/pac/")?.strip_suffix(".pac")?;
        let d = percent_encoding::percent_decode_str(d)
            .decode_utf8()
            .ok()?
            .into_owned();
        if !proxy.knows_department(&d) {
            let mut r = Response::new(http_body_util::Full::new(bytes::Bytes::from_static(
                b"unknown department\n",
            )));
            *r.status_mut() = StatusCode::NOT_FOUND;
            return Some(boxed::full(r));
        }
        d
    };
    // Without `pac_proxy`: the proxy as this browser reached it (the PAC URL's host).
    let reached = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.rsplit_once(':').is_some_and(|(n, p)| {
                p.parse::<u16>().is_ok()
                    && !n.is_empty()
                    && n.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-[]:".contains(&b))
            })
        })
        .map(str::to_string)
        .unwrap_or_else(|| proxy.bound().to_string());
    let body = proxy.pac(&department, &reached);
    let mut r = Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(super::pac::CONTENT_TYPE),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=300"),
    );
    Some(boxed::full(r))
}

/// A plain `http://` request to a host that is passed uninspected.
async fn pass_http(
    proxy: &ForwardProxy,
    parts: http::request::Parts,
    body: Incoming,
    host: &str,
) -> Response<Body> {
    let l = proxy.shared.runtime.load().limits.clone();
    let body =
        match super::super::body::read_limited(body, l.max_body_bytes, l.body_read_timeout).await {
            Ok(b) => b,
            Err(r) => return boxed::full(render_json(r.into(), None, "-")),
        };
    let url = parts.uri.to_string();
    let sent = super::origin::send(
        &proxy.origin,
        parts.method.clone(),
        &url,
        &parts.headers,
        body,
        host,
    )
    .await;
    let r = match sent {
        Ok(resp) => super::origin::answer(resp, Arc::default(), None, None, host).await,
        Err(e) => Err(e),
    };
    r.unwrap_or_else(|e| boxed::full(render_json(e.into(), None, "-")))
}

/// `host:port` of a `CONNECT` target.
fn connect_target(uri: &http::Uri) -> Option<(String, u16)> {
    let auth = uri.authority()?;
    Some((normalize_host(auth.host()), auth.port_u16()?))
}

async fn connect(
    proxy: Arc<ForwardProxy>,
    conn: ConnInfo,
    mut req: Request<Incoming>,
    slot: Slot,
) -> Response<Body> {
    let on_upgrade = hyper::upgrade::on(&mut req);
    let (parts, _body) = req.into_parts();
    let Some((host, port)) = connect_target(&parts.uri) else {
        return refuse(
            &proxy,
            &conn,
            parts,
            None,
            None,
            ProxyRefusal::BadTarget.into(),
            render_json,
        );
    };
    let principal = match proxy
        .identity
        .identify(&parts.headers, conn.peer.ip())
        .await
    {
        Ok(p) => p,
        Err(e) => {
            return refuse(
                &proxy,
                &conn,
                parts,
                None,
                Some(&host),
                e.into(),
                render_json,
            )
        }
    };
    let refused = |e: GatewayError| {
        refuse(
            &proxy,
            &conn,
            parts.clone_head(),
            Some(&principal),
            Some(&host),
            e,
            render_json,
        )
    };
    let dest = proxy.hosts.classify(&host);
    let pass = match &dest {
        Destination::NeverIntercept => true,
        Destination::Other => proxy.other_hosts == OtherHosts::Tunnel,
        _ => false,
    };
    if pass {
        if port != 443 {
            return refused(ProxyRefusal::PortNotAllowed { port }.into());
        }
        let target = tunnel::target(&proxy.resolve, &host, port);
        let upstream = match tunnel::connect(&target, proxy.connect_timeout).await {
            Ok(s) => s,
            Err(e) => {
                tracing::info!(target: "sekimori::forward", %host, error = %e, "tunnel target unreachable");
                return refused(ProxyRefusal::OriginUnreachable { host: host.clone() }.into());
            }
        };
        let idle = proxy.idle_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            match on_upgrade.await {
                Ok(up) => tunnel::pipe(TokioIo::new(up), upstream, idle).await,
                Err(e) => {
                    tracing::debug!(target: "sekimori::forward", error = %e, "upgrade failed")
                }
            }
        });
        return boxed::full(Response::new(
            http_body_util::Full::new(bytes::Bytes::new()),
        ));
    }
    let inside = match dest {
        Destination::Approved => Inside::Approved,
        Destination::Unapproved(service) => Inside::Refused(ProxyRefusal::UnapprovedAi {
            service,
            host: host.clone(),
        }),
        _ => return refused(ProxyRefusal::OtherHost { host: host.clone() }.into()),
    };
    let Some(ca) = proxy.ca.clone() else {
        return refused(match inside {
            Inside::Refused(why) => why.into(),
            Inside::Approved => ProxyRefusal::NoInterceptionCa { host: host.clone() }.into(),
        });
    };
    let tls = match ca.server_config(&host) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(target: "sekimori::forward", %host, error = %e, "cannot mint a certificate");
            return refused(ProxyRefusal::NoInterceptionCa { host: host.clone() }.into());
        }
    };
    if let Inside::Refused(why) = &inside {
        // Recorded once per tunnel; every request inside gets the block page.
        drop(refused(why.clone().into()));
    }
    let target = Arc::new(Target {
        host,
        port,
        https: true,
    });
    let principal = Arc::new(principal);
    tokio::spawn(async move {
        let _slot = slot;
        match on_upgrade.await {
            Ok(up) => {
                intercept::serve(
                    proxy,
                    conn,
                    principal,
                    target,
                    tls,
                    TokioIo::new(up),
                    inside,
                )
                .await
            }
            Err(e) => tracing::debug!(target: "sekimori::forward", error = %e, "upgrade failed"),
        }
    });
    boxed::full(Response::new(
        http_body_util::Full::new(bytes::Bytes::new()),
    ))
}

/// A copy of a request head (method, URI, version, headers).
trait CloneHead {
    fn clone_head(&self) -> http::request::Parts;
}

impl CloneHead for http::request::Parts {
    fn clone_head(&self) -> http::request::Parts {
        let mut b = Request::builder()
            .method(self.method.clone())
            .uri(self.uri.clone())
            .version(self.version);
        if let Some(h) = b.headers_mut() {
            *h = self.headers.clone();
        }
        b.body(()).expect("a copied head is valid").into_parts().0
    }
}
