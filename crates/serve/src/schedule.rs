//! The update loop: a round fetches the feeds that are due, one round at a
//! time, and the site is rebuilt only when a round changed something a page
//! shows. The next round starts when the earliest feed is due, but never
//! sooner than one interval after the last round started.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use orrery_planet::{DueReason, FeedOutcome, FeedReport, Options, Quiet, Summary};
use tokio::sync::{oneshot, watch};

use crate::metrics::UpdateResult;
use crate::{Health, Shared};

/// How long a shutdown waits for a running update before abandoning it.
const GRACE: Duration = Duration::from_secs(10);

/// Longest wait between rounds when no feed is due sooner (or the interval,
/// when longer): each round reads the configuration again, so a feed newly
/// subscribed waits at most this long.
const MAX_IDLE: Duration = Duration::from_secs(60 * 60);

/// What the previous fetch left, to tell whether the pages must change.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    feeds: BTreeSet<String>,
    failing: BTreeSet<String>,
}

impl Seen {
    /// A feed not fetched in this round keeps the state it had: one that
    /// fails and waits for its back-off is still failing.
    fn of(summary: &Summary, previous: Option<&Seen>) -> Self {
        let was_failing = |url: &String| previous.is_some_and(|p| p.failing.contains(url));
        Self {
            feeds: summary.feeds.iter().map(|f| f.url.clone()).collect(),
            failing: summary
                .feeds
                .iter()
                .filter(|f| match f.outcome {
                    FeedOutcome::Failed { .. } => true,
                    FeedOutcome::Skipped { .. } => was_failing(&f.url) || backing_off(f),
                    _ => false,
                })
                .map(|f| f.url.clone())
                .collect(),
        }
    }
}

/// What one round left for the next.
#[derive(Debug, Default)]
struct Round {
    seen: Option<Seen>,
    /// When the earliest feed is due; `None`: as soon as allowed.
    due: Option<DateTime<Utc>>,
}

/// Runs a round now and then whenever feeds are due (see [`next_round`])
/// until `stop` turns true.
pub(crate) async fn run(
    options: Options,
    every: Duration,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut seen: Option<Seen> = None;
    let mut next = Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next.into()) => {}
            () = stopped(&mut stop) => return,
        }
        let started = Instant::now();
        let (tx, rx) = oneshot::channel();
        let (opts, state, previous) = (options.clone(), Arc::clone(&shared), seen.take());
        // A thread of its own, not the runtime's blocking pool: the pipeline
        // cannot be interrupted, and an abandoned update must not hold up
        // the runtime's shutdown.
        let spawned = std::thread::Builder::new()
            .name("orrery-update".into())
            .spawn(move || {
                let _ = tx.send(update(&opts, every, &state, previous));
            });
        if let Err(err) = spawned {
            shared.set_health(Health::Failed(format!("cannot start an update: {err}")));
            next = next_round(started, Instant::now(), every, None);
            continue;
        }
        let mut rx = rx;
        tokio::select! {
            done = &mut rx => {
                let round = done.unwrap_or_default();
                seen = round.seen;
                let until_due = round
                    .due
                    .map(|due| (due - Utc::now()).to_std().unwrap_or(Duration::ZERO));
                next = next_round(started, Instant::now(), every, until_due);
            }
            () = stopped(&mut stop) => {
                if tokio::time::timeout(GRACE, rx).await.is_err() {
                    tracing::warn!("shutting down during an update; it is abandoned");
                }
                return;
            }
        }
    }
}

/// When the round after one that ran from `started` to `ended` starts: when
/// the earliest feed is due (`until_due` after `ended`; `None`: at once),
/// but not sooner than one interval after `started` (after `ended`, when the
/// round took longer than that, so rounds never run back to back) and not
/// later than [`MAX_IDLE`] (or one interval) after `started`.
fn next_round(
    started: Instant,
    ended: Instant,
    every: Duration,
    until_due: Option<Duration>,
) -> Instant {
    let soonest = if ended.duration_since(started) > every {
        later(ended, every)
    } else {
        later(started, every)
    };
    let latest = soonest.max(started + MAX_IDLE);
    until_due
        .map_or(soonest, |wait| later(ended, wait))
        .clamp(soonest, latest)
}

/// `at + wait`; a wait past what the clock holds (`--every` accepts any humantime duration)
/// is a century, as good as never.
fn later(at: Instant, wait: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    at.checked_add(wait)
        .or_else(|| at.checked_add(CENTURY))
        .unwrap_or(at)
}

/// When the earliest of the feeds is due: a feed without a recorded time is
/// due at once, unless it was skipped (gone for good).
fn earliest_due(summary: &Summary) -> Option<DateTime<Utc>> {
    summary
        .feeds
        .iter()
        .filter_map(|feed| match (&feed.outcome, feed.next_due) {
            (_, Some(due)) => Some(due.at),
            (FeedOutcome::Skipped { .. }, None) => None,
            (_, None) => Some(DateTime::<Utc>::MIN_UTC),
        })
        .min()
}

/// Skipped only because its time has not come: not gone, nor asked to wait, nor failing and
/// waiting for its back-off (see [`backing_off`]).
pub(crate) fn not_due(feed: &FeedReport) -> bool {
    matches!(feed.outcome, FeedOutcome::Skipped { .. })
        && feed.next_due.is_some_and(|due| {
            due.reason != DueReason::RetryAfter && due.reason != DueReason::Backoff
        })
}

/// Skipped because it keeps failing and waits for its back-off: still a failing feed.
pub(crate) fn backing_off(feed: &FeedReport) -> bool {
    matches!(feed.outcome, FeedOutcome::Skipped { .. })
        && feed
            .next_due
            .is_some_and(|due| due.reason == DueReason::Backoff)
}

/// Completes once a stop has been asked for.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard returned must not live across an await: it is not `Send`.
    let _ = stop.wait_for(|s| *s).await;
}

/// One round: fetch what is due, then publish when needed. Returns what the
/// fetch saw (`None` when it did not complete) and when to come back.
fn update(options: &Options, every: Duration, shared: &Shared, previous: Option<Seen>) -> Round {
    let started = Instant::now();
    let result =
        orrery_planet::fetch_due(options, every, &mut &shared.metrics).and_then(|summary| {
            shared.metrics.fetched(&summary);
            let seen = Seen::of(&summary, previous.as_ref());
            let publish = needs_publishing(&summary, previous.as_ref(), &seen);
            if publish {
                orrery_planet::run(options, orrery_planet::Mode::Offline, &mut Quiet)?;
                shared.metrics.published();
            }
            tracing::info!(
                "updated {} feeds: {} new copies, {} failed, {} new entries, {} not due; {}",
                summary.feeds.len(),
                summary.updated(),
                seen.failing.len(),
                summary.new_entries(),
                summary.feeds.iter().filter(|f| not_due(f)).count(),
                if publish {
                    "published"
                } else {
                    "nothing to publish"
                }
            );
            // Each failure once, when it starts, not at every round.
            let known = previous.as_ref().map(|p| &p.failing);
            for feed in summary.failed() {
                if let FeedOutcome::Failed { reason } = &feed.outcome {
                    if !known.is_some_and(|k| k.contains(&feed.url)) {
                        tracing::warn!("{}: {reason}", feed.url);
                    }
                }
            }
            Ok(Round {
                seen: Some(seen),
                due: earliest_due(&summary),
            })
        });
    let took = started.elapsed();
    match result {
        Ok(round) => {
            shared.metrics.update_done(UpdateResult::Ok, took);
            shared.set_health(Health::Ok);
            round
        }
        Err(orrery_planet::Error::Store(orrery_store::Error::Locked { .. })) => {
            // Another run (cron, a manual update) is doing the work.
            shared.metrics.update_done(UpdateResult::Busy, took);
            tracing::info!("update skipped: another run holds the planet's lock");
            Round {
                seen: previous,
                due: None,
            }
        }
        Err(err) => {
            shared.metrics.update_done(UpdateResult::Failed, took);
            tracing::warn!("update failed: {err}");
            shared.set_health(Health::Failed(err.to_string()));
            Round::default()
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
    use orrery_planet::Due;

    fn report(url: &str, outcome: FeedOutcome) -> FeedReport {
        FeedReport {
            url: url.into(),
            name: None,
            outcome,
            moved_to: None,
            elapsed: Duration::ZERO,
            next_due: None,
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
        let seen = Seen::of(&quiet, None);
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
                    problem: None,
                    capped: None,
                },
            ),
            report("b", FeedOutcome::NotModified),
        ]);
        assert!(needs_publishing(
            &updated,
            Some(&seen),
            &Seen::of(&updated, Some(&seen))
        ));

        let failing = summary(vec![
            report("a", FeedOutcome::NotModified),
            report("b", FeedOutcome::Failed { reason: "x".into() }),
        ]);
        assert!(needs_publishing(
            &failing,
            Some(&seen),
            &Seen::of(&failing, Some(&seen))
        ));

        let fewer = summary(vec![report("a", FeedOutcome::NotModified)]);
        assert!(needs_publishing(
            &fewer,
            Some(&seen),
            &Seen::of(&fewer, Some(&seen))
        ));
    }

    fn waiting(url: &str, reason: DueReason) -> FeedReport {
        FeedReport {
            next_due: Some(Due {
                at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                reason,
            }),
            ..report(
                url,
                FeedOutcome::Skipped {
                    reason: "later".into(),
                },
            )
        }
    }

    #[test]
    fn a_failing_feed_waiting_for_its_back_off_is_still_failing() {
        let failing = summary(vec![
            report("a", FeedOutcome::NotModified),
            report("b", FeedOutcome::Failed { reason: "x".into() }),
        ]);
        let before = Seen::of(&failing, None);
        let waiting = summary(vec![
            report("a", FeedOutcome::NotModified),
            waiting("b", DueReason::Backoff),
        ]);
        let after = Seen::of(&waiting, Some(&before));
        assert_eq!(after, before);
        assert!(!needs_publishing(&waiting, Some(&before), &after));
        // Without a previous round (a restarted server), the back-off itself says it fails.
        assert_eq!(Seen::of(&waiting, None), before);
    }

    #[test]
    fn not_due_is_told_from_other_skips() {
        assert!(not_due(&waiting("a", DueReason::CacheControl)));
        // A feed waiting for its back-off is failing, not merely not due.
        assert!(!not_due(&waiting("a", DueReason::Backoff)));
        assert!(backing_off(&waiting("a", DueReason::Backoff)));
        assert!(!backing_off(&waiting("a", DueReason::CacheControl)));
        assert!(!not_due(&waiting("a", DueReason::RetryAfter)));
        let gone = report(
            "a",
            FeedOutcome::Skipped {
                reason: "410".into(),
            },
        );
        assert!(!not_due(&gone));
        assert!(!not_due(&report("a", FeedOutcome::NotModified)));
    }

    #[test]
    fn the_earliest_due_feed_sets_the_next_round() {
        let later = waiting("a", DueReason::CacheControl);
        let sooner = FeedReport {
            next_due: Some(Due {
                at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                reason: DueReason::Interval,
            }),
            ..report("b", FeedOutcome::NotModified)
        };
        let gone = report(
            "c",
            FeedOutcome::Skipped {
                reason: "410".into(),
            },
        );
        let both = summary(vec![later.clone(), sooner.clone(), gone.clone()]);
        assert_eq!(earliest_due(&both), sooner.next_due.map(|d| d.at));
        assert_eq!(earliest_due(&summary(vec![gone.clone()])), None);
        // A feed with no time recorded (its store write failed) is due at once.
        let unrecorded = report("d", FeedOutcome::Failed { reason: "x".into() });
        assert_eq!(
            earliest_due(&summary(vec![later, unrecorded])),
            Some(DateTime::<Utc>::MIN_UTC)
        );
    }

    #[test]
    fn rounds_start_at_the_earliest_due_time_within_bounds() {
        let every = Duration::from_secs(30);
        let start = Instant::now();
        let ended = start + Duration::from_secs(5);
        let at = |s: u64| start + Duration::from_secs(s);
        // Due long ago, or unknown: one interval after the start.
        assert_eq!(
            next_round(start, ended, every, Some(Duration::ZERO)),
            at(30)
        );
        assert_eq!(next_round(start, ended, every, None), at(30));
        // Due later: then.
        assert_eq!(
            next_round(start, ended, every, Some(Duration::from_secs(100))),
            at(105)
        );
        // Due in a day: no later than MAX_IDLE.
        assert_eq!(
            next_round(start, ended, every, Some(Duration::from_secs(86_400))),
            start + MAX_IDLE
        );
        // A round longer than the interval: a full interval of rest after it.
        let long = start + Duration::from_secs(45);
        assert_eq!(next_round(start, long, every, None), at(75));
        // An interval longer than MAX_IDLE is the only bound.
        let daily = Duration::from_secs(86_400);
        assert_eq!(
            next_round(start, ended, daily, Some(Duration::from_secs(999_999))),
            start + daily
        );
    }

    #[test]
    fn an_interval_of_ages_does_not_overflow_the_clock() {
        let every = crate::parse_interval("500000000000y").unwrap();
        let start = Instant::now();
        let ended = start + Duration::from_secs(5);
        for until_due in [None, Some(every), Some(Duration::MAX)] {
            assert!(next_round(start, ended, every, until_due) > start + MAX_IDLE);
        }
        let long = start + Duration::from_secs(45);
        assert!(next_round(start, long, every, None) > long);
    }
}
