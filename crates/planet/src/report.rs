//! What a run did, feed by feed: the material of the one-screen summary and
//! of progress display.

use std::path::PathBuf;
use std::time::Duration;

/// How one subscription fared in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOutcome {
    /// A new copy was read and stored.
    Updated {
        /// Entries in the document after normalization.
        entries: usize,
        /// Entries removed by `filter`/`exclude`.
        filtered: usize,
        new: usize,
        /// Entries edited upstream, rewritten in place.
        changed: usize,
        /// What could not be kept of this copy, in plain words.
        problem: Option<String>,
        /// The limit that cut the document ("capped at 10,000 entries"): what came before it
        /// was read and stored.
        capped: Option<String>,
    },
    /// The server (or file) said nothing changed.
    NotModified,
    /// The fetch, the parse or the store failed; stored entries are kept.
    Failed { reason: String },
    /// Not fetched on purpose (gone for good, or the server asked to wait).
    Skipped { reason: String },
}

/// One subscription's line in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedReport {
    /// The subscription as configured.
    pub url: String,
    /// The configured display name, if any.
    pub name: Option<String>,
    pub outcome: FeedOutcome,
    /// Where the feed moved for good (a 301/308 redirect): the subscription
    /// should be updated.
    pub moved_to: Option<String>,
    pub elapsed: Duration,
    /// When the feed is due again and why, as recorded (`None`: at the next run).
    pub next_due: Option<crate::Due>,
}

/// What publishing produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    pub output_dir: PathBuf,
    /// Files written, relative to `output_dir`.
    pub written: Vec<String>,
    /// Entries on the river.
    pub items: usize,
    /// Problems that did not stop publishing (a missing static file...).
    pub warnings: Vec<String>,
}

/// The whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The planet's name.
    pub planet: String,
    /// One per subscription considered, in the order they completed.
    pub feeds: Vec<FeedReport>,
    /// `None` when the run did not publish (`fetch`).
    pub published: Option<Published>,
    /// Configuration notices (ignored options, unusable reading lists...).
    pub warnings: Vec<String>,
    /// The notices about likely mistakes (misspelt options, malformed lines), also in
    /// `warnings`: shown by every run, on a terminal or not.
    pub attention: Vec<String>,
}

impl Summary {
    fn count(&self, pred: impl Fn(&FeedOutcome) -> bool) -> usize {
        self.feeds.iter().filter(|f| pred(&f.outcome)).count()
    }

    pub fn updated(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::Updated { .. }))
    }

    pub fn not_modified(&self) -> usize {
        self.count(|o| matches!(o, FeedOutcome::NotModified))
    }

    pub fn failed(&self) -> impl Iterator<Item = &FeedReport> {
        self.feeds
            .iter()
            .filter(|f| matches!(f.outcome, FeedOutcome::Failed { .. }))
    }

    pub fn skipped(&self) -> impl Iterator<Item = &FeedReport> {
        self.feeds
            .iter()
            .filter(|f| matches!(f.outcome, FeedOutcome::Skipped { .. }))
    }

    /// The feeds a limit cut, with the limit.
    pub fn capped(&self) -> impl Iterator<Item = (&FeedReport, &str)> {
        self.feeds.iter().filter_map(|f| match &f.outcome {
            FeedOutcome::Updated {
                capped: Some(limit),
                ..
            } => Some((f, limit.as_str())),
            _ => None,
        })
    }

    pub fn moved(&self) -> impl Iterator<Item = &FeedReport> {
        self.feeds.iter().filter(|f| f.moved_to.is_some())
    }

    /// Entries stored for the first time in this run.
    pub fn new_entries(&self) -> usize {
        self.feeds
            .iter()
            .map(|f| match f.outcome {
                FeedOutcome::Updated { new, .. } => new,
                _ => 0,
            })
            .sum()
    }

    /// Entries edited upstream and rewritten in this run.
    pub fn changed_entries(&self) -> usize {
        self.feeds
            .iter()
            .map(|f| match f.outcome {
                FeedOutcome::Updated { changed, .. } => changed,
                _ => 0,
            })
            .sum()
    }
}

/// Follows a run as it goes (a progress bar, a log). Every method has a
/// do-nothing default.
pub trait Observer {
    /// `feeds` subscriptions are about to be fetched.
    fn fetching(&mut self, _feeds: usize) {}
    /// One subscription is done (fetched, failed or skipped).
    fn feed_done(&mut self, _report: &FeedReport) {}
    /// Fetching is over; publishing (if any) starts.
    fn fetched(&mut self) {}
}

/// An [`Observer`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Observer for Quiet {}
