//! The console tests' fixture: Sekimori started from a configuration *file* (so edits
//! and hot reload are real) with a real audit log in a temporary directory, the
//! console on 127.0.0.1:0 over the same state, four accounts (one per role), and a
//! small cookie-keeping HTTP client that reads each page's CSRF token.

use std::path::PathBuf;
use std::sync::Arc;

use sekimori::audit::{AuditConfig, AuditLog};
use sekimori::config::AdminConfig;
use sekimori::console::accounts::{Accounts, Role};
use sekimori::console::{self, AuditAccess, Console, RunningConsole};
use sekimori::gateway::audit::AuditLogHook;
use sekimori::gateway::reload;
use sekimori::gateway::{Gateway, RunningGateway};

use crate::util::{FakeUpstream, Reply};

/// The password of every fixture account (invented).
pub const PASSWORD: &str = "架空のパスワード-2026-冬";

/// The configuration: one banned-word list that blocks, phones masked.
pub const CONFIG: &str = r#"# 関守 console test configuration (comments must survive edits)
[server]
listen = "127.0.0.1:0"
reload_poll_secs = 0

[policy]
default_action = "mask" # 既定は置き換え

[policy.actions]
my_number = "block"
kimitsu = "block"

[[detection.word_lists]]
name = "kimitsu"
words = ["極秘案件"]

[auth]
allow_anonymous = true

[[auth.keys]]
# sk-test-key
sha256 = "0d62f396c1317066f55a96086517047c737087c61eb2bf016b72e6298927b15b"
user = "tanaka"
department = "kosodate"

[[departments]]
name = "kosodate"

[[upstreams]]
name = "fake"
provider = "on_premises"
residency = "on-premises"
base_url = "{UPSTREAM}"

[[routes]]
api = "openai"
upstream = "fake"
"#;

/// Everything a console test needs.
pub struct Fixture {
    /// Keeps the files.
    pub dir: tempfile::TempDir,
    /// The configuration file.
    pub config: PathBuf,
    /// The audit directory.
    pub audit_dir: PathBuf,
    /// The recording upstream.
    pub upstream: FakeUpstream,
    /// The gateway.
    pub gw: RunningGateway,
    /// The console.
    pub console: Arc<Console>,
    /// Its listener.
    pub running: RunningConsole,
}

impl Fixture {
    /// Starts everything; accounts morikawa (管理者), hayashi (管理者), kobayashi
    /// (承認者), suzuki (監査者), ito (閲覧), all with [`PASSWORD`].
    pub async fn start(admin: AdminConfig) -> Fixture {
        let upstream = FakeUpstream::start(Reply::EchoChat).await;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("sekimori.toml");
        std::fs::write(&config, CONFIG.replace("{UPSTREAM}", &upstream.url())).unwrap();
        let audit_dir = dir.path().join("audit");
        let key = dir.path().join("audit-signing.pem");
        let acfg = AuditConfig::new(&audit_dir, &key);
        let log = Arc::new(
            tokio::task::spawn_blocking(move || AuditLog::open(&acfg))
                .await
                .unwrap()
                .unwrap(),
        );
        let p = config.clone();
        let rt = tokio::task::spawn_blocking(move || reload::build_from_file(&p))
            .await
            .unwrap()
            .unwrap();
        let gw = Gateway::new(rt)
            .audit(Arc::new(AuditLogHook::new(log.clone())))
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let accounts = dir.path().join("admin-accounts.json");
        let ap = accounts.clone();
        tokio::task::spawn_blocking(move || {
            let mut a = Accounts::load(&ap).unwrap();
            for (u, r) in [
                ("morikawa", Role::Admin),
                ("hayashi", Role::Admin),
                ("kobayashi", Role::Approver),
                ("suzuki", Role::Auditor),
                ("ito", Role::Viewer),
            ] {
                a.set(u, r, PASSWORD).unwrap();
            }
        })
        .await
        .unwrap();
        let access = AuditAccess {
            log: log.clone(),
            dir: audit_dir.clone(),
            public_key: Some(sekimori::audit::checkpoint::public_key_path(&key)),
        };
        let console = Console::new(gw.shared.clone(), admin, &accounts, access, false).unwrap();
        let running = console::start(console.clone(), "127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        Fixture {
            dir,
            config,
            audit_dir,
            upstream,
            gw,
            console,
            running,
        }
    }

    /// The console's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// A client logged in as `user`.
    pub async fn login(&self, user: &str) -> Client {
        let mut c = Client::new(&self.url());
        let (s, _) = c.login(user, PASSWORD).await;
        assert_eq!(s, 303, "login of {user}");
        c
    }

    /// The admin events named `name` in the audit log, as JSON.
    pub fn admin_events(&self, name: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.audit_dir).unwrap() {
            let p = e.unwrap().path();
            if !p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("audit-")
            {
                continue;
            }
            for line in std::fs::read_to_string(&p).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if v["event"]["name"] == name {
                    out.push(v["event"].clone());
                }
            }
        }
        out
    }
}

/// A console client: keeps the session cookie, follows no redirect, remembers the
/// last page's CSRF token.
pub struct Client {
    base: String,
    http: reqwest::Client,
    cookie: Option<String>,
    /// The CSRF token of the last page read.
    pub csrf: Option<String>,
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_of(page: &str) -> Option<String> {
    let i = page.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(page[i..].split('"').next()?.to_string())
}

impl Client {
    /// A client without a session.
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
            csrf: None,
        }
    }

    fn keep(&mut self, h: &reqwest::header::HeaderMap) {
        for v in h.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            if v.starts_with("sekimori_console=") || v.starts_with("sekimori_lang=") {
                let kv = v.split(';').next().unwrap().to_string();
                let name = kv.split('=').next().unwrap().to_string();
                let mut parts: Vec<String> = self
                    .cookie
                    .take()
                    .map(|c| {
                        c.split("; ")
                            .filter(|p| !p.starts_with(&format!("{name}=")))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                parts.push(kv);
                self.cookie = Some(parts.join("; "));
            }
        }
    }

    /// GET: (status, headers, body); the page's CSRF token is kept.
    pub async fn get(&mut self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let mut rq = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            rq = rq.header("cookie", c);
        }
        let resp = rq.send().await.unwrap();
        let (s, h) = (resp.status().as_u16(), resp.headers().clone());
        self.keep(&h);
        let body = resp.text().await.unwrap();
        if let Some(t) = csrf_of(&body) {
            self.csrf = Some(t);
        }
        (s, h, body)
    }

    /// GET as bytes.
    pub async fn get_bytes(&mut self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut rq = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            rq = rq.header("cookie", c);
        }
        let resp = rq.send().await.unwrap();
        let (s, h) = (resp.status().as_u16(), resp.headers().clone());
        (s, h, resp.bytes().await.unwrap().to_vec())
    }

    /// POSTs a form with the kept CSRF token (unless `fields` has one).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            if let Some(t) = &self.csrf {
                form.push(("csrf".into(), t.clone()));
            }
        }
        let mut rq = self.http.post(format!("{}{path}", self.base)).form(&form);
        if let Some(c) = &self.cookie {
            rq = rq.header("cookie", c);
        }
        let resp = rq.send().await.unwrap();
        let s = resp.status().as_u16();
        let h = resp.headers().clone();
        self.keep(&h);
        let body = resp.text().await.unwrap();
        if let Some(t) = csrf_of(&body) {
            self.csrf = Some(t);
        }
        (s, body)
    }

    /// Opens the login page, then logs in.
    pub async fn login(&mut self, user: &str, password: &str) -> (u16, String) {
        let (s, _, _) = self.get("/login").await;
        assert_eq!(s, 200);
        let r = self
            .post("/login", &[("user", user), ("password", password)])
            .await;
        if r.0 == 303 {
            // The session changed: read the new one's token.
            let (s, _, _) = self.get("/").await;
            assert_eq!(s, 200);
        }
        r
    }
}
