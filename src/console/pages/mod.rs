//! The console's pages, one file each; each takes the [`super::state::Console`] and
//! the parsed [`super::request::Req`] and returns a [`super::respond::Reply`]. Role
//! checks happen before (in [`super::router`]); pages that write also check again.

pub mod approvals;
pub mod audit_log;
pub mod dashboard;
pub mod history;
pub mod login;
pub mod policy;
pub mod test_text;
pub mod usage;
pub mod words;

use crate::audit::timefmt::{format_jst, parse_rfc3339};

/// An RFC 3339 time as JST for people (`2026-12-08 10:12:39 JST`).
pub fn jst(rfc3339: &str) -> String {
    parse_rfc3339(rfc3339).map_or_else(|| rfc3339.to_string(), |t| format!("{} JST", format_jst(t)))
}
