//! orrery-planet: the planet pipeline, from configuration to published site.
//!
//! ```text
//! config ─► fetch (concurrent, conditional) ─► parse ─► normalize ─► filter ─► store
//!                                                                               │
//!                              output_dir ◄─ render ◄─ select ◄─────────────────┘
//! ```
//!
//! [`run`] does it all ([`Mode::Update`]), or only the fetching half
//! ([`Mode::Fetch`]) or only the publishing half ([`Mode::Offline`], Venus's
//! `-o`). [`expunge`] applies retention. Every entry point holds the
//! planet's lock (one run at a time) for its whole length.
//!
//! A feed that fails (network, HTTP status, unparsable document) keeps its
//! stored entries and gets a reason on the status page; the run carries on
//! and still publishes. Only a broken configuration, an unusable store or a
//! failure to write the outputs stops a run.
//!
//! # Scheduling
//!
//! Every fetch records when the feed is due again, and why ([`Due`]): after
//! its `Cache-Control` max-age, `Expires` or RSS `ttl`, its server's
//! `Retry-After`, or a back-off while it fails (up to [`MAX_BACKOFF_FACTOR`]
//! intervals), never sooner than the planet's interval nor later than
//! [`MAX_DELAY`] (or the interval, when longer). [`fetch_due`], for a planet
//! updated on a schedule, fetches only the feeds due. [`run`] is a one-off
//! run (cron): as in Venus it fetches every feed, except those gone (410) and
//! those whose server asked to wait (`Retry-After`). A feed not fetched keeps
//! its entries on the page.

pub mod check;
pub mod discover;
mod filter;
mod harvest;
mod lists;
mod normalize;
mod publish;
mod rebase;
mod report;
mod schedule;
mod select;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use orrery_config::{LoadOptions, PlanetConfig};
use orrery_store::{ExpungeReport, Store};

pub use filter::FilterError;
pub use harvest::fetch_config;
pub use orrery_store::{DueReason, Repair};
pub use report::{FeedOutcome, FeedReport, Observer, Published, Quiet, Summary};
pub use schedule::{Due, MAX_BACKOFF_FACTOR, MAX_DELAY};

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] orrery_config::Error),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Store(#[from] orrery_store::Error),
    #[error(transparent)]
    Fetch(#[from] orrery_fetch::SetupError),
    #[error("publishing: {0}")]
    Render(#[from] orrery_render::Error),
    #[error("cannot start the fetching runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// The configuration is at fault (as opposed to the machine or the store):
    /// fixing the file is the way out.
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_) | Error::Filter(_))
    }
}

/// Which configuration to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read in order; later files override earlier ones.
    pub configs: Vec<PathBuf>,
    pub load: LoadOptions,
}

/// Which part of the pipeline to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fetch, store and publish.
    Update,
    /// Fetch and store only.
    Fetch,
    /// Publish from the store without fetching.
    Offline,
}

/// The configuration as a run would see it, remote reading lists applied
/// from their cached copies (nothing is fetched), for `orrery config`.
pub fn load_config(options: &Options) -> Result<PlanetConfig, Error> {
    lists::load(options, false)
}

/// Runs the pipeline. Feed failures are in the returned [`Summary`], not errors.
pub fn run(options: &Options, mode: Mode, observer: &mut dyn Observer) -> Result<Summary, Error> {
    run_on(options, mode, None, observer)
}

/// Fetches and stores the feeds that are due, for a planet updated every
/// `interval`: the others are reported as skipped, with their due time.
pub fn fetch_due(
    options: &Options,
    interval: Duration,
    observer: &mut dyn Observer,
) -> Result<Summary, Error> {
    run_on(options, Mode::Fetch, Some(interval), observer)
}

/// [`run`], on a schedule of `interval` when there is one.
fn run_on(
    options: &Options,
    mode: Mode,
    interval: Option<Duration>,
    observer: &mut dyn Observer,
) -> Result<Summary, Error> {
    let config = lists::load(options, mode != Mode::Offline)?;
    let filters = Arc::new(filter::Filters::compile(&config)?);
    let mut store = open_store(&config)?;
    let mut summary = Summary {
        planet: config.planet.name.clone(),
        warnings: config.warnings.clone(),
        attention: config.attention.clone(),
        ..Summary::default()
    };
    if mode != Mode::Offline {
        summary.feeds = harvest::harvest(&config, filters, &mut *store, observer, interval)?;
    }
    if mode != Mode::Fetch {
        summary.published = Some(publish::publish(&config, &*store, Utc::now())?);
    }
    Ok(summary)
}

/// What [`expunge`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expunged {
    pub report: ExpungeReport,
    /// Entries kept per feed (`None`: no limit).
    pub kept_per_feed: Option<usize>,
    pub warnings: Vec<String>,
}

/// Venus's expunge: forgets feeds no longer subscribed (with their entries)
/// and keeps the newest `cache_keep_entries` entries of each feed (0 keeps all).
pub fn expunge(options: &Options) -> Result<Expunged, Error> {
    let config = lists::load(options, false)?;
    let mut store = open_store(&config)?;
    let urls: Vec<String> = config.subscriptions.iter().map(|s| s.url.clone()).collect();
    let limits: BTreeSet<u32> = config
        .subscriptions
        .iter()
        .map(|s| s.cache_keep_entries)
        .collect();
    let mut warnings = Vec::new();
    // The store applies one limit to every feed; with differing per-feed
    // limits the largest is used, so no feed loses more than it asked.
    let keep = if limits.contains(&0) {
        None
    } else {
        limits.last().and_then(|&n| usize::try_from(n).ok())
    };
    if limits.len() > 1 {
        warnings.push(format!(
            "cache_keep_entries differs between feeds; every feed keeps {}",
            keep.map_or("all its entries".to_owned(), |n| format!(
                "its newest {n} entries"
            ))
        ));
    }
    let report = store.expunge(&urls, keep)?;
    Ok(Expunged {
        report,
        kept_per_feed: keep,
        warnings,
    })
}

/// Runs `f` on the planet's store, under the planet's lock: for maintenance such as the entry
/// blacklist, which must not race an update.
pub fn with_store<T>(
    options: &Options,
    f: impl FnOnce(&mut dyn Store) -> Result<T, orrery_store::Error>,
) -> Result<T, Error> {
    let config = lists::load(options, false)?;
    let mut store = open_store(&config)?;
    Ok(f(&mut *store)?)
}

/// Opens the planet's store in its cache directory, which takes the planet's lock (held
/// until the store is dropped). The one place that chooses the backend.
fn open_store(config: &PlanetConfig) -> Result<Box<dyn Store>, Error> {
    let dir = &config.planet.cache_directory;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source: dangling(dir).unwrap_or(source),
    })?;
    let store = orrery_store::SqliteStore::open(dir)?;
    // A damaged store is not used: a run would publish from it, or write into it.
    store.quick_check()?;
    Ok(Box::new(store))
}

/// Why creating `dir` failed when it is a symbolic link to nothing.
fn dangling(dir: &std::path::Path) -> Option<std::io::Error> {
    let target = orrery_render::dangling_link(dir)?;
    Some(std::io::Error::other(format!(
        "a dangling symbolic link (to {}, which does not exist)",
        target.display()
    )))
}

/// Under the planet's lock: checks the store fully, and when it is damaged moves it aside and
/// starts a new one, keeping the blacklist as far as it can be read.
pub fn repair_store(options: &Options) -> Result<Repair, Error> {
    let config = lists::load(options, false)?;
    Ok(orrery_store::SqliteStore::repair(
        &config.planet.cache_directory,
    )?)
}
