//! The administrators' console (管理コンソール, issue 18): a separate listener
//! (`[admin]`, default `127.0.0.1:8788`) with server-rendered pages in Japanese (English
//! switchable), every asset embedded, a strict Content-Security-Policy and no script.
//!
//! | file | concern |
//! |---|---|
//! | [`server`] | listener, optional TLS |
//! | [`router`] | session cookie, CSRF check of every POST, dispatch with role checks |
//! | [`session`] | sessions, idle expiry, cookie attributes |
//! | [`csrf`] | tokens, constant-time comparison, `Origin` check |
//! | [`accounts`] | roles, argon2id hashes, lockout, last login (accounts file) |
//! | [`state`] | [`Console`]: what every request sees; the one-time setup link |
//! | [`edit`] | word-list edits with `toml_edit`, validation, atomic write, history |
//! | [`policy_edit`] | actions per category × department, model allow lists |
//! | [`apply`] | a change made: validated, recorded, written, reloaded |
//! | [`proposals`] | four-eyes changes (proposer ≠ approver) |
//! | [`diff`] | line diff of configuration versions |
//! | [`try_text`] | テキストを試す through the gateway's inspect/decide/mask phases |
//! | [`trail`] | every console action as an audit-chain record |
//! | [`html`], [`respond`], [`assets`] | page frame and escaping, headers, the stylesheet |
//! | [`pages`] | one file per page |
//!
//! Roles ([`accounts::Role`]), enforced in [`router`]: 管理者 proposes changes, tests
//! texts, reads usage; 承認者 approves another person's change, tests texts; 監査者
//! reads the audit log and usage and verifies the chain, never edits; 閲覧 sees the
//! dashboard.

pub mod accounts;
pub mod apply;
pub mod assets;
pub mod csrf;
pub mod diff;
pub mod edit;
pub mod html;
pub mod pages;
pub mod policy_edit;
pub mod proposals;
pub mod request;
pub mod respond;
pub mod router;
pub mod server;
pub mod session;
pub mod state;
pub mod trail;
pub mod try_text;

pub use server::{start, RunningConsole, StartError};
pub use state::{AuditAccess, Console};
