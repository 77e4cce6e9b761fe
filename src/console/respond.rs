//! Console responses: every one with the strict security headers (CSP without inline
//! script or style, no framing, no sniffing, no referrer to other sites, no caching), and the session
//! cookie when it was created or replaced. (`Referrer-Policy: same-origin`, not
//! `no-referrer`: under the latter browsers send `Origin: null` with a form, and the
//! `Origin` check of [`super::csrf`] needs the real one.)

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// The Content-Security-Policy of every console answer: only the console's own
/// embedded stylesheet; no script at all; forms post only to the console.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A console answer under construction.
#[derive(Debug)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Bytes,
    /// Where to go (303 See Other).
    pub location: Option<String>,
    /// `Content-Disposition`, for downloads.
    pub disposition: Option<String>,
    /// Extra `Set-Cookie` headers.
    pub cookies: Vec<String>,
    /// Whether it may be cached (the embedded assets).
    pub cacheable: bool,
}

impl Reply {
    /// An HTML page.
    pub fn html(status: StatusCode, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: Bytes::from(body),
            location: None,
            disposition: None,
            cookies: Vec::new(),
            cacheable: false,
        }
    }

    /// 303 to `to`.
    pub fn redirect(to: &str) -> Reply {
        let mut r = Reply::html(StatusCode::SEE_OTHER, String::new());
        r.location = Some(to.to_string());
        r
    }

    /// A download.
    pub fn file(content_type: &'static str, name: &str, body: Vec<u8>) -> Reply {
        let mut r = Reply::html(StatusCode::OK, String::new());
        r.content_type = content_type;
        r.body = Bytes::from(body);
        r.disposition = Some(format!("attachment; filename=\"{name}\""));
        r
    }

    /// Adds a `Set-Cookie`.
    pub fn cookie(mut self, c: String) -> Reply {
        self.cookies.push(c);
        self
    }

    /// The HTTP response with the security headers.
    pub fn into_response(self) -> Response<Full<Bytes>> {
        let mut b = Response::builder()
            .status(self.status)
            .header("content-type", self.content_type)
            .header("content-security-policy", CSP)
            .header("x-content-type-options", "nosniff")
            .header("x-frame-options", "DENY")
            .header("referrer-policy", "same-origin")
            .header("cross-origin-opener-policy", "same-origin")
            .header(
                "cache-control",
                if self.cacheable {
                    "public, max-age=3600"
                } else {
                    "no-store"
                },
            );
        if let Some(l) = &self.location {
            b = b.header("location", l.as_str());
        }
        if let Some(d) = &self.disposition {
            b = b.header("content-disposition", d.as_str());
        }
        for c in &self.cookies {
            if let Ok(v) = HeaderValue::from_str(c) {
                b = b.header("set-cookie", v);
            }
        }
        b.body(Full::new(self.body))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}
