//! The state every request sees: [`Shared`] (surviving configuration reloads) and the
//! per-connection facts ([`ConnInfo`]). Owned by [`super::server`], read by the
//! request phases, the upstream client and [`super::reload`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;

use super::client::Pool;
use super::hooks::AuditHook;
use super::inspections::Inspections;
use super::metrics::Metrics;
use super::runtime::Runtime;
use super::warn::AckStore;
use crate::mask::{InMemoryVault, RestoreVault, VaultLimits};

/// State shared by all requests, surviving configuration reloads.
pub struct Shared {
    /// The live configuration snapshot.
    pub runtime: ArcSwap<Runtime>,
    /// Outstanding warn tokens.
    pub acks: AckStore,
    /// Metrics.
    pub metrics: Metrics,
    /// The audit log.
    pub audit: Arc<dyn AuditHook>,
    /// Upstream HTTP client (rustls, certificate verification on, pooled).
    pub client: reqwest::Client,
    /// Reload generation (incremented on each successful reload).
    pub generation: AtomicU64,
    /// Inspections running on the async workers (see `phase::inspect::INLINE_INSPECT_BYTES`).
    pub inspecting_inline: AtomicUsize,
    /// How many inspections may run on the async workers at once: 1 on a shared
    /// multi-threaded runtime, one per worker with `Gateway::start_workers`.
    pub inline_limit: usize,
    /// The bound on inspections in flight and waiting (`server.max_inspections_*`).
    pub inspections: Inspections,
    /// Process start, for uptime.
    pub started: Instant,
    /// What each caller's earlier requests masked (see `crate::mask::vault`).
    pub vault: Arc<dyn RestoreVault>,
}

impl Shared {
    /// Shared state over `runtime`, writing to `audit`, with `inline_limit`
    /// inspections allowed on the async workers at once.
    pub fn new(
        runtime: Runtime,
        audit: Arc<dyn AuditHook>,
        inline_limit: usize,
    ) -> Result<Self, StateError> {
        // Draw the placeholder key now rather than on the first masked request.
        crate::mask::PlaceholderKey::process();
        let vault = Arc::new(InMemoryVault::new(VaultLimits::default())?);
        let inspections = Inspections::from_config(&runtime.config.server);
        Ok(Shared {
            runtime: ArcSwap::from_pointee(runtime),
            acks: AckStore::default(),
            metrics: Metrics::default(),
            audit,
            client: super::transport::upstream_client()?,
            generation: AtomicU64::new(0),
            inspecting_inline: AtomicUsize::new(0),
            inline_limit,
            inspections,
            started: Instant::now(),
            vault,
        })
    }
}

/// Why the shared state could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The upstream HTTP client could not be built (TLS roots, resolver).
    #[error("the upstream HTTP client cannot be built: {0}")]
    Client(#[from] reqwest::Error),
    /// No key for the restore vault.
    #[error(transparent)]
    VaultKey(#[from] crate::mask::KeyError),
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// Per-connection facts the handler needs.
#[derive(Clone, Debug)]
pub struct ConnInfo {
    /// Peer address.
    pub peer: SocketAddr,
    /// Set when a request head carried both Content-Length and Transfer-Encoding.
    pub smuggling: Arc<AtomicBool>,
    /// Requests in flight on this connection (idle timer paused while > 0).
    pub in_flight: Arc<AtomicUsize>,
    /// Pooled plain-HTTP upstream connections of the accept loop this connection came
    /// from (see [`super::client`]): a pooled socket is driven by the runtime that
    /// opened it, so each worker keeps its own.
    pub pool: Arc<Pool>,
}

impl ConnInfo {
    /// A connection from `peer` using upstream `pool`.
    pub fn new(peer: SocketAddr, pool: Arc<Pool>) -> Self {
        ConnInfo {
            peer,
            smuggling: Arc::new(AtomicBool::new(false)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            pool,
        }
    }
}
