//! Politeness: how many requests run at once, per host and overall, and
//! which hosts asked us (with `Retry-After`) to come back later.
//!
//! Planets often subscribe to dozens of feeds on one host (wordpress.com,
//! blogspot.com, medium.com); without a per-host limit a run looks like an
//! attack, and one `429` is usually followed by many more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest back-off honoured; a `Retry-After` of a year is taken as a week.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug)]
struct Host {
    permits: Arc<Semaphore>,
    not_before: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Limits {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Host>>,
}

/// Held while a request runs; dropping it lets the next one in.
#[derive(Debug)]
pub(crate) struct Slot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    pub(crate) fn new(global: usize, per_host: usize) -> Self {
        Self {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free slot for `host`. If the host asked for a pause that
    /// ends within `patience`, waits it out; a longer pause is returned as
    /// `Err(remaining)` so the caller can defer the feed instead of hanging.
    ///
    /// The host permit is taken before the global one (always in that order,
    /// so no two requests can wait on each other), which also means a request
    /// stuck behind a busy host does not hold a global slot.
    pub(crate) async fn acquire(&self, host: &str, patience: Duration) -> Result<Slot, Duration> {
        let permits = self.with_host(host, |h| Arc::clone(&h.permits));
        // The semaphores are never closed, so acquisition cannot fail.
        let host_permit = permits.acquire_owned().await.map_err(|_| Duration::ZERO)?;
        if let Some(until) = self.with_host(host, |h| h.not_before) {
            let remaining = until.saturating_duration_since(Instant::now());
            if remaining > patience {
                return Err(remaining);
            }
            tokio::time::sleep_until(until).await;
        }
        let global = Arc::clone(&self.global)
            .acquire_owned()
            .await
            .map_err(|_| Duration::ZERO)?;
        Ok(Slot {
            _host: host_permit,
            _global: global,
        })
    }

    /// Records that `host` asked us to wait `wait` before the next request.
    pub(crate) fn back_off(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_RETRY_AFTER);
        self.with_host(host, |h| {
            h.not_before = Some(h.not_before.map_or(until, |t| t.max(until)));
        });
    }

    fn with_host<T>(&self, host: &str, f: impl FnOnce(&mut Host) -> T) -> T {
        // A panic while holding this lock cannot leave the map inconsistent.
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = hosts.entry(host.to_owned()).or_insert_with(|| Host {
            permits: Arc::new(Semaphore::new(self.per_host)),
            not_before: None,
        });
        f(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn short_back_off_is_waited_out_long_one_is_refused() {
        let limits = Limits::new(4, 1);
        limits.back_off("a.example", Duration::from_secs(2));
        let start = Instant::now();
        let slot = limits.acquire("a.example", Duration::from_secs(5)).await;
        assert!(slot.is_ok());
        assert!(start.elapsed() >= Duration::from_secs(2));
        drop(slot);

        limits.back_off("a.example", Duration::from_secs(60));
        let refused = limits.acquire("a.example", Duration::from_secs(5)).await;
        assert!(matches!(refused, Err(d) if d > Duration::from_secs(55)));
        // Other hosts are not affected.
        assert!(limits.acquire("b.example", Duration::ZERO).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn per_host_permits_are_exclusive() {
        let limits = Limits::new(4, 1);
        let first = limits.acquire("a.example", Duration::ZERO).await.unwrap();
        let second = tokio::time::timeout(
            Duration::from_secs(1),
            limits.acquire("a.example", Duration::ZERO),
        )
        .await;
        assert!(second.is_err(), "second request to the same host must wait");
        drop(first);
        assert!(limits.acquire("a.example", Duration::ZERO).await.is_ok());
    }
}
