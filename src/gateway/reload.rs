//! Hot reload: SIGHUP or a changed config/dictionary file rebuilds the runtime off
//! the request path and publishes it atomically. A broken new configuration is
//! refused, its error logged, and the old one stays live.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::config::{self, ConfigError};

use super::hooks::ReloadRecord;
use super::runtime::Runtime;
use super::state::Shared;

/// Loads, validates and compiles `path` (blocking: builds the engine).
pub fn build_from_file(path: &Path) -> Result<Runtime, ConfigError> {
    let text = std::fs::read_to_string(path).ok();
    let cfg = config::load_file(path)?;
    let mut rt = Runtime::build(cfg, Some(path.to_path_buf()))?;
    rt.source_text = text;
    Ok(rt)
}

fn digest(text: Option<&str>) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.unwrap_or("").as_bytes()))
}

/// What a reload changed, for the audit log: top-level sections whose value differs,
/// file digests, API keys added and removed (by user and key id, never the key).
fn reload_record(actor: &str, old: &Runtime, new: &Runtime) -> ReloadRecord {
    let parse = |t: Option<&str>| {
        t.and_then(|t| t.parse::<toml::Table>().ok())
            .unwrap_or_default()
    };
    let (a, b) = (
        parse(old.source_text.as_deref()),
        parse(new.source_text.as_deref()),
    );
    let mut changed: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    changed.sort();
    changed.dedup();
    let id = |h: &[u8; 32]| hex::encode(&h[..8]);
    let keys_added = new
        .keys
        .iter()
        .filter(|(h, _)| !old.keys.contains_key(*h))
        .map(|(h, p)| (p.user.clone(), id(h)))
        .collect();
    let keys_removed = old
        .keys
        .iter()
        .filter(|(h, _)| !new.keys.contains_key(*h))
        .map(|(h, p)| (p.user.clone(), id(h)))
        .collect();
    ReloadRecord {
        actor: actor.to_string(),
        changed,
        old_digest: digest(old.source_text.as_deref()),
        new_digest: digest(new.source_text.as_deref()),
        keys_added,
        keys_removed,
    }
}

/// Reloads from the live snapshot's source file. On success the new snapshot is
/// published and the reload recorded in the audit log (`actor`: `SIGHUP`,
/// `file-watch`, `api`); on error the old one stays and the error is returned (and
/// logged).
pub async fn reload(shared: &Arc<Shared>, actor: &str) -> Result<(), ConfigError> {
    let Some(path) = shared.runtime.load().source.clone() else {
        return Ok(()); // embedded default: nothing to reload
    };
    let p = path.clone();
    let built = tokio::task::spawn_blocking(move || build_from_file(&p))
        .await
        .unwrap_or_else(|_| {
            Err(ConfigError {
                file: path.clone(),
                line: None,
                column: None,
                key: None,
                reason: "building the new configuration panicked".into(),
                fix: "report this as a bug; the old configuration stays in use".into(),
            })
        });
    match built {
        Ok(rt) => {
            let old = &shared.runtime.load().config.server;
            let new = &rt.config.server;
            if old.listen != new.listen
                || old.max_connections != new.max_connections
                || old.workers != new.workers
                || old.reload_poll_secs != new.reload_poll_secs
            {
                tracing::warn!(target: "sekimori::reload", "server.listen, max_connections, workers and reload_poll_secs take effect at the next restart; everything else applies now");
            }
            let record = reload_record(actor, &shared.runtime.load(), &rt);
            shared.runtime.store(Arc::new(rt));
            shared.audit.record_reload(&record).await;
            let g = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
            shared.metrics.reload("ok");
            tracing::info!(target: "sekimori::reload", file = %path.display(), generation = g, "configuration reloaded");
            Ok(())
        }
        Err(e) => {
            shared.metrics.reload("error");
            tracing::error!(target: "sekimori::reload", error = %e, "new configuration refused; the previous one stays in use");
            Err(e)
        }
    }
}

fn mtimes(files: &[PathBuf]) -> Vec<Option<SystemTime>> {
    files
        .iter()
        .map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
        .collect()
}

fn watched(shared: &Shared) -> Vec<PathBuf> {
    let rt = shared.runtime.load();
    let Some(src) = rt.source.clone() else {
        return Vec::new();
    };
    let base = src
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut v = vec![src];
    v.extend(rt.config.watched_files(&base));
    v
}

/// Spawns the watcher: SIGHUP (Unix) and mtime polling every `poll` (zero: no polling).
pub fn spawn_watcher(shared: Arc<Shared>, poll: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut files = watched(&shared);
        let mut seen = mtimes(&files);
        let tick = if poll.is_zero() {
            Duration::from_secs(3600)
        } else {
            poll
        };
        loop {
            #[cfg(unix)]
            let signalled = async {
                match hup.as_mut() {
                    Some(h) => h.recv().await.is_some(),
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let signalled = std::future::pending::<bool>();
            let by_signal = tokio::select! {
                s = signalled => s,
                _ = tokio::time::sleep(tick) => false,
            };
            let now = mtimes(&files);
            if by_signal || (!poll.is_zero() && now != seen) {
                if by_signal {
                    tracing::info!(target: "sekimori::reload", "SIGHUP: reloading");
                }
                let actor = if by_signal { "SIGHUP" } else { "file-watch" };
                let _ = reload(&shared, actor).await;
                files = watched(&shared);
                seen = mtimes(&files);
            }
        }
    })
}
