//! The Prometheus metrics of the updates, in the OpenMetrics text format.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use orrery_planet::{FeedOutcome, FeedReport, Observer, Summary};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::schedule::{backing_off, not_due};

/// What `/metrics` answers with.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(&'static str, &'static str)>;

/// How an update ended, as the `result` label says it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UpdateResult {
    Ok,
    Failed,
    /// Another run held the planet's lock.
    Busy,
}

impl UpdateResult {
    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Busy => "busy",
        }
    }
}

pub(crate) struct Metrics {
    registry: Registry,
    feeds: Family<Labels, Gauge>,
    not_due: Counter,
    fetch_seconds: Histogram,
    entries_added: Counter,
    entries_changed: Counter,
    updates: Family<Labels, Counter>,
    publishes: Counter,
    last_update: Gauge<f64, AtomicU64>,
    last_update_seconds: Gauge<f64, AtomicU64>,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::default();
        let feeds = Family::<Labels, Gauge>::default();
        let not_due = Counter::default();
        // 10 ms to about 40 s: local files to slow servers at the fetch deadline.
        let fetch_seconds = Histogram::new(exponential_buckets(0.01, 2.0, 13));
        let entries_added = Counter::default();
        let entries_changed = Counter::default();
        let updates = Family::<Labels, Counter>::default();
        let publishes = Counter::default();
        let last_update = Gauge::<f64, AtomicU64>::default();
        let last_update_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "orrery_feeds",
            "Subscriptions by what the last round did with them",
            feeds.clone(),
        );
        registry.register(
            "orrery_feeds_not_due",
            "Fetches saved: feeds a round left alone because they were not due",
            not_due.clone(),
        );
        registry.register(
            "orrery_fetch_duration_seconds",
            "Time to fetch one feed",
            fetch_seconds.clone(),
        );
        registry.register(
            "orrery_entries_added",
            "Entries stored for the first time",
            entries_added.clone(),
        );
        registry.register(
            "orrery_entries_changed",
            "Entries edited upstream and rewritten",
            entries_changed.clone(),
        );
        registry.register("orrery_updates", "Updates run, by result", updates.clone());
        registry.register(
            "orrery_publishes",
            "Times the site was rebuilt",
            publishes.clone(),
        );
        registry.register(
            "orrery_last_update_timestamp_seconds",
            "When the last successful update finished, in Unix time",
            last_update.clone(),
        );
        registry.register(
            "orrery_last_update_duration_seconds",
            "How long the last successful update took",
            last_update_seconds.clone(),
        );
        Self {
            registry,
            feeds,
            not_due,
            fetch_seconds,
            entries_added,
            entries_changed,
            updates,
            publishes,
            last_update,
            last_update_seconds,
        }
    }

    /// The exposition text.
    pub(crate) fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }

    /// Counts what a round brought.
    pub(crate) fn fetched(&self, summary: &Summary) {
        let backing_off = summary.feeds.iter().filter(|f| backing_off(f)).count();
        let failing = summary.failed().count() + backing_off;
        let not_due = summary.feeds.iter().filter(|f| not_due(f)).count();
        let skipped = summary
            .skipped()
            .count()
            .saturating_sub(not_due + backing_off);
        let ok = summary
            .feeds
            .len()
            .saturating_sub(failing + skipped + not_due);
        self.not_due
            .inc_by(u64::try_from(not_due).unwrap_or(u64::MAX));
        for (state, n) in [
            ("ok", ok),
            ("failing", failing),
            ("skipped", skipped),
            ("not_due", not_due),
        ] {
            self.feeds
                .get_or_create(&vec![("state", state)])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
        self.entries_added
            .inc_by(u64::try_from(summary.new_entries()).unwrap_or(u64::MAX));
        self.entries_changed
            .inc_by(u64::try_from(summary.changed_entries()).unwrap_or(u64::MAX));
    }

    pub(crate) fn published(&self) {
        self.publishes.inc();
    }

    pub(crate) fn update_done(&self, result: UpdateResult, took: Duration) {
        self.updates
            .get_or_create(&vec![("result", result.label())])
            .inc();
        if let UpdateResult::Ok = result {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            self.last_update.set(now.as_secs_f64());
            self.last_update_seconds.set(took.as_secs_f64());
        }
    }
}

impl Observer for &Metrics {
    fn feed_done(&mut self, report: &FeedReport) {
        // A skipped feed was not fetched: its zero time is not a latency.
        if !matches!(report.outcome, FeedOutcome::Skipped { .. }) {
            self.fetch_seconds.observe(report.elapsed.as_secs_f64());
        }
    }
}
