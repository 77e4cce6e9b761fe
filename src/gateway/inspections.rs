//! The bound on inspection work in flight: at most `server.max_inspections_in_flight`
//! scans run at once (on the workers and the blocking pool together), at most
//! `server.max_inspections_queued` requests wait for one, each for at most
//! `server.inspection_queue_wait_ms`; any other request is refused with 503 and
//! `Retry-After` (`Refusal::Overloaded`) before its text is scanned or forwarded.
//!
//! Without it an overload (bodies arriving faster than the cores can scan them) piles
//! scans onto the blocking pool, up to 512 threads each holding its own lattice and
//! allocator heap: 470 MiB of RSS was measured. The limits are read when the gateway
//! starts; a reload does not change them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a request got no inspection slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// Every slot is busy and the queue is full.
    QueueFull,
    /// The request waited the whole queue wait bound.
    WaitedTooLong,
}

/// A running inspection's slot; dropping it frees the slot. Move it into the blocking
/// task so the slot stays taken while the scan runs even if the client went away.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    running: Arc<AtomicUsize>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The inspection slots and queue, with their counters for `/metrics`.
#[derive(Debug)]
pub struct Inspections {
    slots: Arc<Semaphore>,
    limit: usize,
    max_queued: usize,
    wait: Duration,
    queued: AtomicUsize,
    running: Arc<AtomicUsize>,
    refused_full: AtomicU64,
    refused_wait: AtomicU64,
}

/// Slots when `max_inspections_in_flight` is 0: two per CPU core.
pub fn default_in_flight() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The slots `server.max_inspections_in_flight = in_flight` gives (0: [`default_in_flight`]).
pub fn resolve_limit(in_flight: usize) -> usize {
    if in_flight == 0 {
        default_in_flight()
    } else {
        in_flight
    }
}

impl Inspections {
    /// `in_flight` slots (0: [`default_in_flight`]), `max_queued` waiting requests,
    /// each waiting at most `wait`.
    pub fn new(in_flight: usize, max_queued: usize, wait: Duration) -> Self {
        let limit = resolve_limit(in_flight);
        Inspections {
            slots: Arc::new(Semaphore::new(limit)),
            limit,
            max_queued,
            wait,
            queued: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            refused_full: AtomicU64::new(0),
            refused_wait: AtomicU64::new(0),
        }
    }

    /// From the `[server]` settings.
    pub fn from_config(s: &crate::config::ServerConfig) -> Self {
        Self::new(
            s.max_inspections_in_flight,
            s.max_inspections_queued,
            Duration::from_millis(s.inspection_queue_wait_ms),
        )
    }

    /// How many inspections may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Inspections running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Takes a slot now if one is free, else waits in the queue (bounded in length and
    /// time); counts a refusal.
    pub async fn acquire(&self) -> Result<Slot, Full> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => self.wait_for_slot().await?,
        };
        self.running.fetch_add(1, Ordering::Relaxed);
        Ok(Slot {
            _permit: permit,
            running: self.running.clone(),
        })
    }

    async fn wait_for_slot(&self) -> Result<OwnedSemaphorePermit, Full> {
        let joined = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
                (n < self.max_queued).then_some(n + 1)
            })
            .is_ok();
        if !joined {
            self.refused_full.fetch_add(1, Ordering::Relaxed);
            return Err(Full::QueueFull);
        }
        // Leaves the queue however the wait ends (also when the request is dropped).
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _leave = Leave(&self.queued);
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            // The semaphore is never closed; a closed one refuses like a full queue.
            Ok(Err(_)) => {
                self.refused_full.fetch_add(1, Ordering::Relaxed);
                Err(Full::QueueFull)
            }
            Err(_) => {
                self.refused_wait.fetch_add(1, Ordering::Relaxed);
                Err(Full::WaitedTooLong)
            }
        }
    }

    /// The Prometheus text of the counters and gauges.
    pub fn render(&self, s: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            s,
            "# HELP sekimori_inspections_in_flight Inspections running now.\n# TYPE sekimori_inspections_in_flight gauge\nsekimori_inspections_in_flight {}\n\
             # HELP sekimori_inspections_limit Inspections allowed at once (server.max_inspections_in_flight).\n# TYPE sekimori_inspections_limit gauge\nsekimori_inspections_limit {}\n\
             # HELP sekimori_inspections_queued Requests waiting for an inspection slot.\n# TYPE sekimori_inspections_queued gauge\nsekimori_inspections_queued {}\n\
             # HELP sekimori_inspections_refused_total Requests refused with 503 for want of an inspection slot, by reason.\n# TYPE sekimori_inspections_refused_total counter\n\
             sekimori_inspections_refused_total{{reason=\"queue_full\"}} {}\nsekimori_inspections_refused_total{{reason=\"queue_wait\"}} {}\n",
            self.running(),
            self.limit,
            self.queued.load(Ordering::Relaxed),
            self.refused_full.load(Ordering::Relaxed),
            self.refused_wait.load(Ordering::Relaxed),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_slot_no_queue_refuses_the_second() {
        let q = Inspections::new(1, 0, Duration::from_millis(50));
        let a = q.acquire().await.unwrap();
        assert_eq!(q.running(), 1);
        assert_eq!(q.acquire().await.unwrap_err(), Full::QueueFull);
        drop(a);
        assert_eq!(q.running(), 0);
        let _b = q.acquire().await.unwrap();
        let mut s = String::new();
        q.render(&mut s);
        assert!(s.contains("sekimori_inspections_refused_total{reason=\"queue_full\"} 1"));
        assert!(s.contains("sekimori_inspections_in_flight 1"), "{s}");
    }

    #[tokio::test]
    async fn a_queued_request_gets_the_freed_slot_or_gives_up_in_time() {
        let q = Arc::new(Inspections::new(1, 1, Duration::from_millis(200)));
        let a = q.acquire().await.unwrap();
        let waiter = {
            let q = q.clone();
            tokio::spawn(async move { q.acquire().await.map(drop) })
        };
        // The queue holds one: a third is refused at once.
        for _ in 0..100 {
            if q.queued.load(Ordering::Relaxed) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert_eq!(q.acquire().await.unwrap_err(), Full::QueueFull);
        drop(a);
        assert!(waiter.await.unwrap().is_ok());
        // Held slot, queue free: the waiter gives up after the wait bound.
        let _a = q.acquire().await.unwrap();
        let t = std::time::Instant::now();
        assert_eq!(q.acquire().await.unwrap_err(), Full::WaitedTooLong);
        assert!(t.elapsed() >= Duration::from_millis(190));
        assert_eq!(q.queued.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn zero_means_two_per_core() {
        let q = Inspections::new(0, 0, Duration::ZERO);
        assert_eq!(q.limit(), default_in_flight());
        assert!(q.limit() >= 2);
    }
}
