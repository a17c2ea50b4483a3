//! The planet's memory: subscribed feeds with their fetch state and health, the entries read
//! from them, and a blacklist of entry ids, in one SQLite file in the cache directory.
//!
//! # How it is used
//!
//! The pipeline sees the [`Store`] trait only. A run opens the planet's store (for SQLite,
//! [`SqliteStore::open`], which also takes the planet's lock), reads each feed's
//! [`HttpState`] for the conditional request, and after fetching and parsing hands the
//! results to [`Store::apply_feed`] (or [`Store::record_failure`]) through a [`Batcher`],
//! which groups many feeds in one transaction. The publisher then reads
//! [`Store::newest_entries`] and [`Store::feeds`].
//!
//! # Rules
//!
//! - An entry is identified by its feed's subscription URL and its id. An entry seen again
//!   with the same content hash is not rewritten; an edited one is rewritten in place and
//!   keeps its first-seen time, so it is never duplicated.
//! - An entry without a sort date sorts by its first-seen time, so undated posts do not jump
//!   to the top on every fetch.
//! - A failed fetch keeps the feed's entries and metadata; only the health changes.
//! - Copies of one post reached through several subscriptions (same id, date, title, link,
//!   summary and content) are shown once, under the subscription listed first. Entries that
//!   only share an id are different posts: each is shown under its own feed, so no feed can
//!   hide or replace another's posts by reusing its ids ([`Store::id_collisions`] names them).
//! - No feed floods the river: one that would hold more than its share is cut to it, and never
//!   pushes another subscription's newest entry off the page ([`EntryQuery::share_limit`]).
//! - A blacklisted id is never stored, and blacklisting deletes the stored copies.
//!
//! # Crash safety
//!
//! Every write (one feed update, one expunge, one blacklist change) is atomic, in
//! write-ahead-log mode; in a batch each is a savepoint of the batch's transaction, so a run
//! killed at any moment leaves each feed either as it was before its update or as it was
//! after it (a killed batch is undone as a whole).
//!
//! # Another database
//!
//! A second backend implements [`Store`] (and runs the crate's test suite, `tests/suite`,
//! which takes the trait). All SQLite's SQL lives in one module and sticks to what SQLite and
//! PostgreSQL share (`ON CONFLICT` upserts, numbered parameters, integer times); the
//! filtering and de-duplication of the river is done in Rust over a narrow indexed scan, not
//! in dialect-specific SQL. A PostgreSQL backend would run the same statements with
//! `tokio-postgres` (`?N` becomes `$N`, `INTEGER` becomes `BIGINT`, the 0/1 flag `BOOLEAN`,
//! `INTEGER PRIMARY KEY` an identity column), keep the schema version in a table instead of
//! `PRAGMA user_version`, and replace the lock file by its own claim on the planet (or on
//! each feed, for workers sharing the fetching). The value types need no change.

mod convert;
mod error;
mod incoming;
mod interface;
mod lock;
mod model;
mod river;
mod schema;
mod sql;
mod store;

pub use error::{DatabaseError, Error};
pub use incoming::{MAX_ENTRY_BYTES, MAX_ID_BYTES};
pub use interface::{BatchPolicy, Batcher, Store};
pub use lock::PlanetLock;
pub use model::{
    ApplyReport, BlacklistEntry, DueReason, EntryQuery, ExpungeReport, FeedFailure, FeedHealth,
    FeedMetadata, FeedUpdate, FetchLogEntry, FetchRecord, HttpState, IdCollision, NewEntry,
    StoredEntry, StoredFeed,
};
pub use store::{
    check_file, damage, move_aside, salvage_blacklist, Health, Repair, SqliteStore, FETCH_HISTORY,
    MAX_ERROR_BYTES,
};

/// File name of the database inside the planet's cache directory.
pub const DATABASE_FILE: &str = "orrery.db";

/// File name of the run lock inside the planet's cache directory.
pub const LOCK_FILE: &str = "orrery.lock";

/// Schema version this build creates and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: usize = sql::MIGRATIONS.len();
