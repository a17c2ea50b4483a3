//! What the pipeline needs of a store, whatever keeps the data.
//!
//! One object-safe trait, so the pipeline holds a `&mut dyn Store` and never learns which
//! database is behind it. It is synchronous: the SQLite backend is, and the pipeline calls
//! the store from one writer thread. A PostgreSQL backend would keep a runtime of its own
//! (or grow an async twin of this trait when fetch workers on several machines need it);
//! the value types at this boundary ([`FeedUpdate`], [`StoredEntry`]...) would not change.

use std::time::{Duration, Instant};

use crate::{
    ApplyReport, BlacklistEntry, EntryQuery, Error, ExpungeReport, FeedFailure, FeedUpdate,
    FetchLogEntry, IdCollision, StoredEntry, StoredFeed,
};

/// A planet's store: feeds with their fetch state and health, their entries, and the
/// blacklist of entry ids. Opening one (a backend's own constructor) takes whatever stops
/// two runs of the planet from overlapping.
///
/// Every write is atomic. Outside a batch it is durable when it returns; inside one
/// ([`Store::begin_batch`]) the feed writes are durable together at
/// [`Store::commit_batch`], which is what makes a harvest cheap: one commit for many feeds.
pub trait Store {
    /// One feed's stored state, if it was ever fetched.
    fn feed(&self, url: &str) -> Result<Option<StoredFeed>, Error>;

    /// Every stored feed, by URL, with its health, for the sidebar and the health page.
    fn feeds(&self) -> Result<Vec<StoredFeed>, Error>;

    /// The feed's last `limit` fetches (at most [`crate::FETCH_HISTORY`] are kept), newest
    /// first.
    fn recent_fetches(&self, url: &str, limit: usize) -> Result<Vec<FetchLogEntry>, Error>;

    /// The planet's river: newest first by sort date, then most recently seen, then feed
    /// order, from the subscribed feeds only, each post once (the copy of the subscription
    /// listed first), no feed beyond its share.
    fn newest_entries(&self, query: &EntryQuery<'_>) -> Result<Vec<StoredEntry>, Error>;

    /// Pairs of `subscriptions` whose feeds use one entry id for different posts (both
    /// directions: each feed's status names the other).
    fn id_collisions(&self, subscriptions: &[String]) -> Result<Vec<IdCollision>, Error>;

    /// Stores the result of a successful fetch: fetch state, metadata, entries and retention,
    /// all or nothing.
    fn apply_feed(&mut self, update: &FeedUpdate) -> Result<ApplyReport, Error>;

    /// Records a failed fetch or parse; the feed's entries and metadata are kept.
    fn record_failure(&mut self, failure: &FeedFailure) -> Result<(), Error>;

    /// Starts a batch: the writes that follow are each still atomic (one that fails leaves
    /// no trace and the batch goes on), but become durable, and visible to other readers,
    /// only together at [`Store::commit_batch`]. A process that dies meanwhile loses the
    /// batch, never part of a feed's write. Does nothing when a batch is open.
    fn begin_batch(&mut self) -> Result<(), Error>;

    /// Makes the open batch durable (does nothing without one). On an error the whole
    /// batch is undone: none of its writes happened.
    fn commit_batch(&mut self) -> Result<(), Error>;

    /// A harvest's batches are over: commits any open batch and does the upkeep the backend
    /// held back meanwhile (SQLite checkpoints its write-ahead log).
    fn finish_batches(&mut self) -> Result<(), Error>;

    /// Removes feeds no longer subscribed, with their entries and history, and (with `keep`)
    /// the entries of subscribed feeds beyond the newest `keep`, like Venus's expunge.
    fn expunge(
        &mut self,
        subscriptions: &[String],
        keep: Option<usize>,
    ) -> Result<ExpungeReport, Error>;

    /// Blacklists an entry id: stored copies are deleted (their number is returned) and the
    /// id is never stored again.
    fn blacklist_add(&mut self, entry_id: &str, reason: Option<&str>) -> Result<usize, Error>;

    /// Returns whether the id was blacklisted. Its entries come back with the next fetch,
    /// which is a full GET for the feeds that carried it.
    fn blacklist_remove(&mut self, entry_id: &str) -> Result<bool, Error>;

    fn blacklist(&self) -> Result<Vec<BlacklistEntry>, Error>;

    /// A quick structural check: [`Error::Corrupt`] when the store is damaged. Every run
    /// starts with it, so a damaged store stops the run before anything is fetched.
    fn quick_check(&self) -> Result<(), Error>;

    /// The backend's full consistency check; an empty list means healthy.
    fn integrity_check(&self) -> Result<Vec<String>, Error>;
}

/// When a [`Batcher`] commits: after `max_feeds` feed writes or once its batch has been
/// open `max_delay`, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPolicy {
    pub max_feeds: usize,
    pub max_delay: Duration,
}

impl Default for BatchPolicy {
    /// A commit costs the same for one feed as for a hundred (the pages shared by every
    /// feed, the feeds table and the indexes' upper levels, are written once per commit),
    /// so batches are large; the delay bounds how stale a reader's view of a running
    /// harvest gets, and how long the writer keeps others' writes waiting.
    fn default() -> Self {
        BatchPolicy {
            max_feeds: 200,
            max_delay: Duration::from_secs(2),
        }
    }
}

/// Feed writes grouped into batches by a [`BatchPolicy`], over any [`Store`].
///
/// The caller writes through it and asks [`Batcher::due`] when to [`Batcher::commit`];
/// nothing written is durable before that commit returns, so the caller reports a feed as
/// stored only then.
pub struct Batcher<'s> {
    store: &'s mut dyn Store,
    policy: BatchPolicy,
    opened: Option<Instant>,
    feeds: usize,
}

impl<'s> Batcher<'s> {
    pub fn new(store: &'s mut dyn Store, policy: BatchPolicy) -> Self {
        Batcher {
            store,
            policy,
            opened: None,
            feeds: 0,
        }
    }

    fn open(&mut self) -> Result<(), Error> {
        if self.opened.is_none() {
            self.store.begin_batch()?;
            self.opened = Some(Instant::now());
            self.feeds = 0;
        }
        Ok(())
    }

    pub fn apply_feed(&mut self, update: &FeedUpdate) -> Result<ApplyReport, Error> {
        self.open()?;
        self.feeds += 1;
        self.store.apply_feed(update)
    }

    pub fn record_failure(&mut self, failure: &FeedFailure) -> Result<(), Error> {
        self.open()?;
        self.feeds += 1;
        self.store.record_failure(failure)
    }

    /// The store, for reads (which see the open batch's writes).
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Whether a batch is open with writes not yet durable.
    pub fn pending(&self) -> bool {
        self.opened.is_some()
    }

    /// How long until the open batch is due by time (`None` without one).
    pub fn due_in(&self) -> Option<Duration> {
        self.opened
            .map(|at| self.policy.max_delay.saturating_sub(at.elapsed()))
    }

    /// Whether the policy says to commit now.
    pub fn due(&self) -> bool {
        self.feeds >= self.policy.max_feeds || self.due_in() == Some(Duration::ZERO)
    }

    /// Commits the open batch (if any).
    pub fn commit(&mut self) -> Result<(), Error> {
        if self.opened.take().is_some() {
            self.feeds = 0;
            self.store.commit_batch()?;
        }
        Ok(())
    }

    /// Commits what is open and lets the store do its deferred upkeep.
    pub fn finish(mut self) -> Result<(), Error> {
        self.opened = None;
        self.store.finish_batches()
    }
}
