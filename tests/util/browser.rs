//! A minimal Chrome DevTools-protocol driver for end-to-end tests with a real browser
//! (Debian's `chromium`, headless). Generic: nothing in it knows Sekimori's pages, so
//! any test (the console, the forward proxy) can drive a page with it.
//!
//! ```ignore
//! let Some(mut b) = Browser::launch_or_skip("my_test").await else { return };
//! b.navigate("http://127.0.0.1:8788/login").await?;
//! b.fill("#user", "morikawa").await?;
//! b.click_and_wait("#login-submit").await?;       // a form submit: waits for the next page
//! assert!(b.text("h1").await?.contains("ダッシュボード"));
//! b.screenshot("console-dashboard").await?;        // target/test-artifacts/console-dashboard.png
//! ```
//!
//! How it works: `chromium --headless --remote-debugging-port=0 --user-data-dir=<tmp>`
//! writes the port it chose to `<tmp>/DevToolsActivePort`; the driver connects to the
//! browser's WebSocket there, opens one page target, attaches to it with a flat
//! session, and sends commands (`Page.navigate`, `Runtime.evaluate`,
//! `Page.captureScreenshot`, `Browser.setDownloadBehavior`) tagged with that session.
//! Events are read and dropped; waiting is done by polling the page with
//! `Runtime.evaluate`, every wait bounded in time.
//!
//! The browser: `$SEKIMORI_CHROMIUM`, else `/usr/bin/chromium`. When it is missing the
//! test prints a skip message and passes — unless `SEKIMORI_REQUIRE_BROWSER=1`
//! (set by `.ci/run`), when it fails. Install with `apt-get install chromium
//! fonts-noto-cjk` (the fonts make Japanese render in screenshots).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long one wait (a page load, a condition, a command's answer) may take.
pub const WAIT: Duration = Duration::from_secs(30);

/// A headless browser with one page.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: String,
}

/// Where screenshots and other artifacts go: `$SEKIMORI_TEST_ARTIFACTS`, else
/// `target/test-artifacts` in the repository.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("SEKIMORI_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts"))
}

/// The browser executable.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("SEKIMORI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

impl Browser {
    /// Launches the browser, or — when it is not installed — prints why `test` is
    /// skipped and returns None (panics instead under `SEKIMORI_REQUIRE_BROWSER=1`).
    pub async fn launch_or_skip(test: &str) -> Option<Browser> {
        let path = chromium_path();
        if !path.exists() {
            let msg = format!(
                "SKIP {test}: no browser at {} (apt-get install chromium fonts-noto-cjk, or set SEKIMORI_CHROMIUM)",
                path.display()
            );
            if std::env::var("SEKIMORI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("{msg}; SEKIMORI_REQUIRE_BROWSER=1 requires it");
            }
            eprintln!("{msg}");
            return None;
        }
        Some(
            Browser::launch(&path)
                .await
                .unwrap_or_else(|e| panic!("{test}: cannot drive {}: {e}", path.display())),
        )
    }

    /// Launches `chromium` headless with a fresh profile and opens one blank page.
    pub async fn launch(chromium: &Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=ja-JP",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start: {e}"))?;
        let port_file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let (port, path) = loop {
            if let Ok(t) = std::fs::read_to_string(&port_file) {
                let mut lines = t.lines();
                if let (Some(p), Some(path)) = (lines.next(), lines.next()) {
                    break (p.trim().to_string(), path.trim().to_string());
                }
            }
            if started.elapsed() > WAIT {
                return Err("no DevToolsActivePort within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            next_id: 0,
            session: String::new(),
        };
        let t = b
            .send("Target.createTarget", json!({"url": "about:blank"}))
            .await?;
        let target = t["targetId"].as_str().ok_or("no targetId")?.to_string();
        let a = b
            .send(
                "Target.attachToTarget",
                json!({"targetId": target, "flatten": true}),
            )
            .await?;
        b.session = a["sessionId"].as_str().ok_or("no sessionId")?.to_string();
        b.call("Page.enable", json!({})).await?;
        b.call("Runtime.enable", json!({})).await?;
        Ok(b)
    }

    async fn raw(&mut self, method: &str, params: Value, session: bool) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if session {
            msg["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .await
            .map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(left, self.ws.next())
                .await
                .map_err(|_| format!("{method}: no answer within 30 s"))?;
            let Some(Ok(m)) = next else {
                return Err(format!("{method}: the browser closed the connection"));
            };
            let Ok(text) = m.into_text() else { continue };
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if v["id"].as_u64() == Some(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v["result"].clone());
            }
        }
    }

    /// A browser-level command (no page session).
    pub async fn send(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.raw(method, params, false).await
    }

    /// A command to the page.
    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.raw(method, params, true).await
    }

    /// Evaluates a JavaScript expression in the page (promises awaited) and returns
    /// its value; a thrown exception is an error.
    pub async fn eval(&mut self, expr: &str) -> Result<Value, String> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("script error: {e}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Polls `cond` (a JavaScript expression) until it is true, at most [`WAIT`].
    pub async fn wait_for(&mut self, cond: &str) -> Result<(), String> {
        let deadline = Instant::now() + WAIT;
        loop {
            // During a navigation the context may be gone: that is "not yet".
            if let Ok(Value::Bool(true)) = self.eval(&format!("!!({cond})")).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("waited 30 s for `{cond}`"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Marks the current document, so that a wait can tell a new one from it.
    async fn mark(&mut self) -> Result<(), String> {
        self.eval("window.__driverOld = true").await.map(drop)
    }

    async fn wait_new_page(&mut self) -> Result<(), String> {
        self.wait_for("!window.__driverOld && document.readyState === 'complete'")
            .await
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn navigate(&mut self, url: &str) -> Result<(), String> {
        let _ = self.mark().await;
        let r = self.call("Page.navigate", json!({"url": url})).await?;
        if let Some(e) = r.get("errorText").and_then(|e| e.as_str()) {
            return Err(format!("navigating to {url}: {e}"));
        }
        self.wait_new_page().await
    }

    /// Sets the value of the form field matching `selector` (input or textarea).
    pub async fn fill(&mut self, selector: &str, value: &str) -> Result<(), String> {
        let js = format!(
            "(() => {{ const e = document.querySelector({s}); if (!e) throw new Error('no ' + {s}); e.value = {v}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()",
            s = json!(selector),
            v = json!(value)
        );
        self.eval(&js).await.map(drop)
    }

    /// Clicks the element matching `selector` (nothing waited for).
    pub async fn click(&mut self, selector: &str) -> Result<(), String> {
        let js = format!(
            "(() => {{ const e = document.querySelector({s}); if (!e) throw new Error('no ' + {s}); e.click(); return true; }})()",
            s = json!(selector)
        );
        self.eval(&js).await.map(drop)
    }

    /// Clicks (a submit button, a link) and waits for the page that follows.
    pub async fn click_and_wait(&mut self, selector: &str) -> Result<(), String> {
        self.mark().await?;
        self.click(selector).await?;
        self.wait_new_page().await
    }

    /// The text of the first element matching `selector` (`innerText`; empty if none).
    pub async fn text(&mut self, selector: &str) -> Result<String, String> {
        let js = format!(
            "(() => {{ const e = document.querySelector({}); return e ? e.innerText : ''; }})()",
            json!(selector)
        );
        Ok(self.eval(&js).await?.as_str().unwrap_or("").to_string())
    }

    /// The page's URL.
    pub async fn url(&mut self) -> Result<String, String> {
        Ok(self
            .eval("location.href")
            .await?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    /// Lets downloads go to `dir` (for a link with `Content-Disposition: attachment`).
    pub async fn allow_downloads(&mut self, dir: &Path) -> Result<(), String> {
        self.send(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": dir.display().to_string()}),
        )
        .await
        .map(drop)
    }

    /// Waits (bounded) for a finished download in `dir` and returns its path.
    pub async fn wait_download(&mut self, dir: &Path) -> Result<PathBuf, String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    let p = e.path();
                    let n = p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_string();
                    if !n.ends_with(".crdownload") && !n.starts_with('.') {
                        return Ok(p);
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no download in {} within 30 s", dir.display()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the page as `<artifacts_dir>/<name>.png` and returns the path.
    pub async fn screenshot(&mut self, name: &str) -> Result<PathBuf, String> {
        let r = self
            .call(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true}),
            )
            .await?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap_or(""))
            .map_err(|e| format!("screenshot: {e}"))?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, data).map_err(|e| e.to_string())?;
        Ok(path)
    }

    /// Closes the browser.
    pub async fn close(mut self) {
        let _ = self.send("Browser.close", json!({})).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.kill().await;
    }
}
