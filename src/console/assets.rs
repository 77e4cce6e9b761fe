//! The console's assets, embedded in the binary (no CDN: an LGWAN segment has no
//! internet). Only a stylesheet: the pages need no script.

use http::StatusCode;

use super::respond::Reply;

/// The stylesheet.
pub const CONSOLE_CSS: &str = include_str!("assets/console.css");

/// The asset at `path`, if there is one.
pub fn asset(path: &str) -> Option<Reply> {
    match path {
        "/assets/console.css" => {
            let mut r = Reply::html(StatusCode::OK, CONSOLE_CSS.to_string());
            r.content_type = "text/css; charset=utf-8";
            r.cacheable = true;
            Some(r)
        }
        _ => None,
    }
}
