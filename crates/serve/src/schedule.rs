//! The update loop: fetch every interval, one update at a time, and rebuild
//! the site only when the fetch changed something a page shows.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orrery_planet::{FeedOutcome, Mode, Options, Quiet, Summary};
use tokio::sync::{oneshot, watch};
use tokio::time::MissedTickBehavior;

use crate::metrics::UpdateResult;
use crate::{Health, Shared};

/// How long a shutdown waits for a running update before abandoning it.
const GRACE: Duration = Duration::from_secs(10);

/// What the previous fetch left, to tell whether the pages must change.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    feeds: BTreeSet<String>,
    failing: BTreeSet<String>,
}

impl Seen {
    fn of(summary: &Summary) -> Self {
        Self {
            feeds: summary.feeds.iter().map(|f| f.url.clone()).collect(),
            failing: summary.failed().map(|f| f.url.clone()).collect(),
        }
    }
}

/// Runs an update now and then every `every` until `stop` turns true.
pub(crate) async fn run(
    options: Options,
    every: Duration,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every);
    // An update longer than the interval delays the next one instead of
    // starting another right behind it.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut seen: Option<Seen> = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stopped(&mut stop) => return,
        }
        let (tx, rx) = oneshot::channel();
        let (opts, state, previous) = (options.clone(), Arc::clone(&shared), seen.take());
        // A thread of its own, not the runtime's blocking pool: the pipeline
        // cannot be interrupted, and an abandoned update must not hold up
        // the runtime's shutdown.
        let spawned = std::thread::Builder::new()
            .name("orrery-update".into())
            .spawn(move || {
                let _ = tx.send(update(&opts, &state, previous));
            });
        if let Err(err) = spawned {
            shared.set_health(Health::Failed(format!("cannot start an update: {err}")));
            continue;
        }
        let mut rx = rx;
        tokio::select! {
            done = &mut rx => seen = done.unwrap_or_default(),
            () = stopped(&mut stop) => {
                if tokio::time::timeout(GRACE, rx).await.is_err() {
                    tracing::warn!("shutting down during an update; it is abandoned");
                }
                return;
            }
        }
    }
}

/// Completes once a stop has been asked for.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard returned must not live across an await: it is not `Send`.
    let _ = stop.wait_for(|s| *s).await;
}

/// One update: fetch, then publish when needed. Returns what the fetch saw,
/// or `None` when it did not complete.
fn update(options: &Options, shared: &Shared, previous: Option<Seen>) -> Option<Seen> {
    let started = Instant::now();
    let result =
        orrery_planet::run(options, Mode::Fetch, &mut &shared.metrics).and_then(|summary| {
            shared.metrics.fetched(&summary);
            let seen = Seen::of(&summary);
            let publish = needs_publishing(&summary, previous.as_ref(), &seen);
            if publish {
                orrery_planet::run(options, Mode::Offline, &mut Quiet)?;
                shared.metrics.published();
            }
            tracing::info!(
                "updated {} feeds: {} new copies, {} failed, {} new entries; {}",
                summary.feeds.len(),
                summary.updated(),
                seen.failing.len(),
                summary.new_entries(),
                if publish {
                    "published"
                } else {
                    "nothing to publish"
                }
            );
            // Each failure once, when it starts, not at every interval.
            let known = previous.as_ref().map(|p| &p.failing);
            for feed in summary.failed() {
                if let FeedOutcome::Failed { reason } = &feed.outcome {
                    if !known.is_some_and(|k| k.contains(&feed.url)) {
                        tracing::warn!("{}: {reason}", feed.url);
                    }
                }
            }
            Ok(seen)
        });
    let took = started.elapsed();
    match result {
        Ok(seen) => {
            shared.metrics.update_done(UpdateResult::Ok, took);
            shared.set_health(Health::Ok);
            Some(seen)
        }
        Err(orrery_planet::Error::Store(orrery_store::Error::Locked { .. })) => {
            // Another run (cron, a manual update) is doing the work.
            shared.metrics.update_done(UpdateResult::Busy, took);
            tracing::info!("update skipped: another run holds the planet's lock");
            previous
        }
        Err(err) => {
            shared.metrics.update_done(UpdateResult::Failed, took);
            tracing::warn!("update failed: {err}");
            shared.set_health(Health::Failed(err.to_string()));
            None
        }
    }
}

/// Pages show entries, feed metadata and feed health: any new copy of a feed
/// or a change in which feeds fail is worth a rebuild; only 304s and
/// unchanged files are not. The first update always publishes.
fn needs_publishing(summary: &Summary, previous: Option<&Seen>, seen: &Seen) -> bool {
    summary.updated() > 0 || previous != Some(seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_planet::FeedReport;

    fn report(url: &str, outcome: FeedOutcome) -> FeedReport {
        FeedReport {
            url: url.into(),
            name: None,
            outcome,
            moved_to: None,
            elapsed: Duration::ZERO,
        }
    }

    fn summary(feeds: Vec<FeedReport>) -> Summary {
        Summary {
            feeds,
            ..Summary::default()
        }
    }

    #[test]
    fn publishes_only_on_change() {
        let quiet = summary(vec![
            report("a", FeedOutcome::NotModified),
            report("b", FeedOutcome::NotModified),
        ]);
        let seen = Seen::of(&quiet);
        assert!(needs_publishing(&quiet, None, &seen), "first update");
        assert!(!needs_publishing(&quiet, Some(&seen), &seen));

        let updated = summary(vec![
            report(
                "a",
                FeedOutcome::Updated {
                    entries: 1,
                    filtered: 0,
                    new: 0,
                    changed: 0,
                },
            ),
            report("b", FeedOutcome::NotModified),
        ]);
        assert!(needs_publishing(&updated, Some(&seen), &Seen::of(&updated)));

        let failing = summary(vec![
            report("a", FeedOutcome::NotModified),
            report("b", FeedOutcome::Failed { reason: "x".into() }),
        ]);
        assert!(needs_publishing(&failing, Some(&seen), &Seen::of(&failing)));

        let fewer = summary(vec![report("a", FeedOutcome::NotModified)]);
        assert!(needs_publishing(&fewer, Some(&seen), &Seen::of(&fewer)));
    }
}
