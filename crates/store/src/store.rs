//! The SQLite backend: every write outside a batch is one immediate transaction, a batch is
//! one transaction with a savepoint per write, and a read that needs several statements runs
//! them in one snapshot.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use crate::convert::{json, opt_seconds, opt_time, opt_unsigned, seconds, time, to_i64, unsigned};
use crate::incoming::{screen, Screened};
use crate::{
    schema, sql, ApplyReport, BlacklistEntry, DueReason, EntryQuery, Error, ExpungeReport,
    FeedFailure, FeedHealth, FeedMetadata, FeedUpdate, FetchLogEntry, FetchRecord, HttpState,
    IdCollision, PlanetLock, Store, StoredEntry, StoredFeed, DATABASE_FILE, LOCK_FILE,
};

/// Fetch records kept per feed: enough to see a pattern on the health page.
pub const FETCH_HISTORY: usize = 20;

/// Longest error message kept; servers and libraries can produce arbitrarily long ones.
pub const MAX_ERROR_BYTES: usize = 2048;

/// SQLite's own default `wal_autocheckpoint`, in pages.
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// A planet's SQLite database, one file in its cache directory. Writes take `&mut self` so
/// one handle never interleaves them.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Held as long as the store is open, when it was opened for a planet.
    _lock: Option<PlanetLock>,
    /// A batch is open: writes are savepoints inside its transaction.
    batch: bool,
    /// Checkpoints are held back until [`Store::finish_batches`].
    deferred: bool,
}

impl SqliteStore {
    /// Opens the store of the planet whose cache directory is `dir` (which must exist):
    /// takes the planet's lock ([`LOCK_FILE`], [`Error::Locked`] while another run holds
    /// it), then opens (creating if needed) [`DATABASE_FILE`] and migrates its schema. The
    /// lock is released when the store is dropped.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let dir = dir.as_ref();
        let lock = PlanetLock::acquire(dir.join(LOCK_FILE))?;
        let mut store = SqliteStore::open_file(dir.join(DATABASE_FILE))?;
        store._lock = Some(lock);
        Ok(store)
    }

    /// Opens (creating if needed) the database file at `path` without taking any lock: for
    /// tools that read, and for tests. A planet run opens its store with [`SqliteStore::open`].
    pub fn open_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let conn = schema::open(&path)?;
        Ok(SqliteStore {
            conn,
            path,
            _lock: None,
            batch: false,
            deferred: false,
        })
    }

    /// Holds write-ahead-log checkpoints back while `deferred`, and checkpoints (truncating
    /// the log) when they are let go again.
    ///
    /// SQLite checkpoints every 1000 pages by default, on the committing thread: a cold run
    /// writing a hundred megabytes stops the writer a hundred times to copy pages it may
    /// write again moments later. Deferring them for one harvest copies each page once, at
    /// the end (1000 feeds: 3.0 s down to 2.4 s). A run that dies meanwhile leaves a longer
    /// log, which the next open replays as it replays any.
    fn defer_checkpoints(&mut self, deferred: bool) -> Result<(), Error> {
        let result = if deferred {
            self.conn.pragma_update(None, "wal_autocheckpoint", 0)
        } else {
            self.conn
                .pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT)
                .and_then(|()| {
                    // Busy (a reader holds an old snapshot) is not an error: the log is then
                    // checkpointed later, by the next commit past the threshold.
                    self.conn
                        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                })
        };
        self.deferred = deferred;
        result.map_err(|source| self.error(source))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write<T>(
        &mut self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        if self.batch {
            // Inside a batch: a savepoint, so that a write that fails is undone alone.
            let conn = &self.conn;
            let result = conn.execute_batch("SAVEPOINT feed").and_then(|()| {
                let value = work(conn);
                let end = match value {
                    Ok(_) => conn.execute_batch("RELEASE feed"),
                    Err(_) => conn.execute_batch("ROLLBACK TO feed; RELEASE feed"),
                };
                match (value, end) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Err(err), _) | (Ok(_), Err(err)) => Err(err),
                }
            });
            return result.map_err(|source| self.error(source));
        }
        let result = (|| {
            // Immediate: take the write lock up front, so a concurrent writer makes us wait
            // (busy timeout) instead of failing half-way with a lock upgrade error.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|source| self.error(source))
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, Error> {
        work(&self.conn).map_err(|source| self.error(source))
    }

    fn error(&self, source: rusqlite::Error) -> Error {
        Error::sqlite(&self.path, source)
    }
}

impl Store for SqliteStore {
    /// Stores the result of a successful fetch: fetch state, metadata, entries and retention,
    /// all or nothing.
    fn apply_feed(&mut self, update: &FeedUpdate) -> Result<ApplyReport, Error> {
        let screening = screen(&update.entries);
        let now = seconds(update.fetch.at);
        self.write(|tx| {
            record_fetch(tx, &update.url, &update.http, &update.fetch, None)?;
            if let Some(metadata) = &update.metadata {
                write_metadata(tx, &update.url, metadata)?;
            }
            let mut report = ApplyReport {
                rejected: screening.rejected,
                oversized: screening.oversized,
                duplicates: screening.duplicates,
                ..ApplyReport::default()
            };
            let mut plans = Vec::with_capacity(screening.accepted.len());
            for screened in screening.accepted {
                if is_blacklisted(tx, &screened.entry.id)? {
                    report.blacklisted += 1;
                } else {
                    plans.push(plan(tx, &update.url, now, screened)?);
                }
            }
            if let Some(keep) = update.keep {
                report.over_limit = drop_beyond(&mut plans, keep);
            }
            for plan in &plans {
                match write_entry(tx, &update.url, now, plan)? {
                    Written::New => report.new += 1,
                    Written::Updated => report.updated += 1,
                    Written::Unchanged => report.unchanged += 1,
                }
            }
            if let Some(keep) = update.keep {
                report.pruned = prune_feed(tx, &update.url, keep)?;
            }
            if let Some(note) = report.problem() {
                tx.prepare_cached(sql::NOTE_FEED_PROBLEM)?
                    .execute(params![update.url, note])?;
            }
            if let Some(budget) = update
                .keep_bytes
                .filter(|_| report.new + report.updated > 0)
            {
                let current: Vec<&str> = update.entries.iter().map(|e| e.id.as_str()).collect();
                report.pruned += tx.prepare_cached(sql::PRUNE_FEED_BYTES)?.execute(params![
                    update.url,
                    i64::try_from(budget).unwrap_or(i64::MAX),
                    serde_json::to_string(&current).unwrap_or_default()
                ])?;
            }
            Ok(report)
        })
    }

    /// Records a failed fetch or parse; the feed's entries and metadata are kept, so its
    /// posts stay on the page while the health page shows the error.
    fn record_failure(&mut self, failure: &FeedFailure) -> Result<(), Error> {
        let error = truncate(&failure.error, MAX_ERROR_BYTES);
        self.write(|tx| record_fetch(tx, &failure.url, &failure.http, &failure.fetch, Some(error)))
    }

    /// Removes feeds no longer subscribed, with their entries and history, and (with `keep`)
    /// the entries of subscribed feeds beyond the newest `keep`, like Venus's expunge.
    fn expunge(
        &mut self,
        subscriptions: &[String],
        keep: Option<usize>,
    ) -> Result<ExpungeReport, Error> {
        let subscribed: HashSet<&str> = subscriptions.iter().map(String::as_str).collect();
        self.write(|tx| {
            let mut report = ExpungeReport::default();
            let stored: Vec<String> = tx
                .prepare_cached(sql::SELECT_FEED_URLS)?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for url in &stored {
                if subscribed.contains(url.as_str()) {
                    if let Some(keep) = keep {
                        report.entries_over_limit += prune_feed(tx, url, keep)?;
                    }
                } else {
                    let count: i64 = tx
                        .prepare_cached(sql::COUNT_FEED_ENTRIES)?
                        .query_row([url], |row| row.get(0))?;
                    tx.prepare_cached(sql::DELETE_FEED)?.execute([url])?;
                    report.feeds_removed += 1;
                    report.entries_unsubscribed += usize::try_from(count).unwrap_or(0);
                }
            }
            Ok(report)
        })
    }

    /// Blacklists an entry id: stored copies are deleted (their number is returned) and the
    /// id is never stored again.
    fn blacklist_add(&mut self, entry_id: &str, reason: Option<&str>) -> Result<usize, Error> {
        self.write(|tx| {
            let feeds: Vec<String> = tx
                .prepare_cached(sql::SELECT_FEEDS_OF_ENTRY)?
                .query_map([entry_id], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tx.prepare_cached(sql::INSERT_BLACKLIST)?.execute(params![
                entry_id,
                seconds(Utc::now()),
                reason
            ])?;
            // Blacklisted again: the feeds seen now join those recorded before.
            let mut all: Vec<String> = tx
                .prepare_cached(sql::SELECT_BLACKLIST_FEEDS)?
                .query_row([entry_id], |row| row.get::<_, Option<String>>(0))?
                .map(|text| text.lines().map(str::to_owned).collect())
                .unwrap_or_default();
            for feed in feeds {
                if !all.contains(&feed) {
                    all.push(feed);
                }
            }
            tx.prepare_cached(sql::UPDATE_BLACKLIST_FEEDS)?
                .execute(params![entry_id, all.join("\n")])?;
            tx.prepare_cached(sql::DELETE_ENTRIES_BY_ID)?
                .execute([entry_id])
        })
    }

    /// Returns whether the id was blacklisted. Its entries come back with the next fetch: the
    /// feeds that carried it forget their validators (`ETag`, `Last-Modified`), so that fetch
    /// is a full GET and not a 304 (every feed, for an id no stored copy of which was seen).
    fn blacklist_remove(&mut self, entry_id: &str) -> Result<bool, Error> {
        self.write(|tx| {
            let feeds: Option<Option<String>> = tx
                .prepare_cached(sql::SELECT_BLACKLIST_FEEDS)?
                .query_row([entry_id], |row| row.get(0))
                .optional()?;
            let Some(feeds) = feeds else {
                return Ok(false);
            };
            let known: Vec<&str> = feeds
                .as_deref()
                .map(|list| list.lines().filter(|l| !l.is_empty()).collect())
                .unwrap_or_default();
            if known.is_empty() {
                // Blacklisted before any copy was stored (or before feeds were recorded): any
                // feed may be holding it back.
                tx.prepare_cached(sql::CLEAR_ALL_VALIDATORS)?.execute([])?;
            }
            for url in known {
                tx.prepare_cached(sql::CLEAR_VALIDATORS)?.execute([url])?;
            }
            tx.prepare_cached(sql::DELETE_BLACKLIST)?
                .execute([entry_id])?;
            Ok(true)
        })
    }

    fn blacklist(&self) -> Result<Vec<BlacklistEntry>, Error> {
        self.read(|conn| {
            conn.prepare_cached(sql::SELECT_BLACKLIST)?
                .query_map([], |row| {
                    Ok(BlacklistEntry {
                        entry_id: row.get(0)?,
                        added_at: time(row, 1)?,
                        reason: row.get(2)?,
                    })
                })?
                .collect()
        })
    }

    /// The planet's river: newest first by sort date, then most recently seen, then feed
    /// order, from the subscribed feeds only.
    ///
    /// Each entry id appears once. Of several copies (an aggregated planet republishing a
    /// subscribed blog), the copy from the subscription listed first wins: deterministic from
    /// the first run on, and the planet's owner chooses by ordering the list.
    fn newest_entries(&self, query: &EntryQuery<'_>) -> Result<Vec<StoredEntry>, Error> {
        self.read(|conn| {
            // One snapshot for the scans and the lookups, even while a run writes (inside
            // a batch the batch's transaction is that snapshot).
            let own = if conn.is_autocommit() {
                Some(conn.unchecked_transaction()?)
            } else {
                None
            };
            let snapshot: &Connection = own.as_deref().unwrap_or(conn);
            let chosen = crate::river::choose(snapshot, query)?;
            let mut select = snapshot.prepare_cached(sql::SELECT_ENTRY)?;
            chosen
                .into_iter()
                .map(|row_id| select.query_row([row_id], entry_from_row))
                .collect()
        })
    }

    /// Pairs of `subscriptions` whose feeds use one entry id for different posts (both
    /// directions: each feed's status names the other).
    fn id_collisions(&self, subscriptions: &[String]) -> Result<Vec<IdCollision>, Error> {
        let subscribed: HashSet<&str> = subscriptions.iter().map(String::as_str).collect();
        self.read(|conn| {
            let mut collisions = Vec::new();
            let mut statement = conn.prepare_cached(sql::SELECT_ID_COLLISIONS)?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let feed_url: String = row.get(0)?;
                let other_feed_url: String = row.get(1)?;
                if subscribed.contains(feed_url.as_str())
                    && subscribed.contains(other_feed_url.as_str())
                {
                    collisions.push(IdCollision {
                        feed_url,
                        other_feed_url,
                        shared_ids: unsigned(row, 2)?,
                        example_id: row.get(3)?,
                    });
                }
            }
            Ok(collisions)
        })
    }

    fn feed(&self, url: &str) -> Result<Option<StoredFeed>, Error> {
        self.read(|conn| {
            conn.prepare_cached(sql::SELECT_FEED)?
                .query_row([url], feed_from_row)
                .optional()
        })
    }

    /// Every stored feed, by URL, with its health, for the sidebar and the health page.
    fn feeds(&self) -> Result<Vec<StoredFeed>, Error> {
        self.read(|conn| {
            conn.prepare_cached(sql::SELECT_FEEDS)?
                .query_map([], feed_from_row)?
                .collect()
        })
    }

    /// The feed's last `limit` fetches (at most [`FETCH_HISTORY`] are kept), newest first.
    fn recent_fetches(&self, url: &str, limit: usize) -> Result<Vec<FetchLogEntry>, Error> {
        self.read(|conn| {
            conn.prepare_cached(sql::SELECT_FETCHES)?
                .query_map(params![url, to_i64(limit)], |row| {
                    Ok(FetchLogEntry {
                        record: FetchRecord {
                            at: time(row, 0)?,
                            http_status: opt_unsigned(row, 1)?,
                            duration_ms: unsigned(row, 2)?,
                            bytes: unsigned(row, 3)?,
                        },
                        error: row.get(4)?,
                    })
                })?
                .collect()
        })
    }

    /// SQLite's quick check (the structure of every page, without matching indexes to their
    /// tables): [`Error::Corrupt`] when it finds damage. Every run starts with it, so that a
    /// damaged store stops the run before anything is fetched or published.
    fn quick_check(&self) -> Result<(), Error> {
        let mut problems = self.read(|conn| {
            conn.prepare(sql::QUICK_CHECK)?
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        problems.retain(|line| line != "ok");
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::Corrupt {
            path: self.path.clone(),
            detail: damage(&problems),
        })
    }

    /// SQLite's structural check plus foreign keys; an empty list means healthy.
    fn integrity_check(&self) -> Result<Vec<String>, Error> {
        self.read(problems)
    }

    fn begin_batch(&mut self) -> Result<(), Error> {
        if self.batch {
            return Ok(());
        }
        if !self.deferred {
            self.defer_checkpoints(true)?;
        }
        // Immediate, as for a single write: the write lock is taken up front.
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|source| self.error(source))?;
        self.batch = true;
        Ok(())
    }

    fn commit_batch(&mut self) -> Result<(), Error> {
        if !std::mem::replace(&mut self.batch, false) {
            return Ok(());
        }
        self.conn.execute_batch("COMMIT").map_err(|source| {
            // A commit that failed may leave the transaction open (busy): undo it, so the
            // batch is gone as a whole and the connection is usable again.
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.error(source)
        })
    }

    fn finish_batches(&mut self) -> Result<(), Error> {
        let committed = self.commit_batch();
        let checkpointed = if self.deferred {
            self.defer_checkpoints(false)
        } else {
            Ok(())
        };
        committed.and(checkpointed)
    }
}

/// Updates the fetch state of `url` (creating the feed row) and appends to its history.
fn record_fetch(
    tx: &Connection,
    url: &str,
    http: &HttpState,
    fetch: &FetchRecord,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    let at = seconds(fetch.at);
    tx.prepare_cached(sql::UPSERT_FETCH_STATE)?
        .execute(params![
            url,
            at,
            http.etag,
            http.last_modified,
            http.final_url,
            http.permanent_redirect,
            http.gone,
            opt_seconds(http.next_fetch_after),
            fetch.http_status,
            at,
            error,
            http.next_fetch_reason.map(DueReason::as_str),
            http.feed_ttl.map(|ttl| to_i64(ttl.as_secs())),
        ])?;
    tx.prepare_cached(sql::INSERT_FETCH)?.execute(params![
        url,
        at,
        fetch.http_status,
        to_i64(fetch.duration_ms),
        to_i64(fetch.bytes),
        error,
    ])?;
    tx.prepare_cached(sql::TRIM_FETCHES)?
        .execute(params![url, to_i64(FETCH_HISTORY)])?;
    Ok(())
}

fn write_metadata(tx: &Connection, url: &str, meta: &FeedMetadata) -> rusqlite::Result<()> {
    let data = (!meta.data.is_null()).then(|| meta.data.to_string());
    tx.prepare_cached(sql::UPDATE_METADATA)?.execute(params![
        url,
        meta.feed_id,
        meta.title,
        meta.subtitle,
        meta.site_link,
        meta.icon,
        meta.logo,
        meta.format,
        opt_seconds(meta.updated),
        meta.bozo,
        data,
    ])?;
    Ok(())
}

fn is_blacklisted(tx: &Connection, entry_id: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(sql::IS_BLACKLISTED)?.exists([entry_id])
}

/// A stored entry's identity and content hash.
struct Existing {
    row_id: i64,
    first_seen: i64,
    hash: String,
}

/// An incoming entry together with what the store already knows about it.
struct Plan<'a> {
    screened: Screened<'a>,
    existing: Option<Existing>,
    /// The sort date it will be stored with: its own, or its first-seen time.
    sort_date: i64,
    first_seen: i64,
}

fn plan<'a>(
    tx: &Connection,
    url: &str,
    now: i64,
    screened: Screened<'a>,
) -> rusqlite::Result<Plan<'a>> {
    let existing = tx
        .prepare_cached(sql::SELECT_ENTRY_STATE)?
        .query_row([url, screened.entry.id.as_str()], |row| {
            Ok(Existing {
                row_id: row.get(0)?,
                first_seen: row.get(1)?,
                hash: row.get(2)?,
            })
        })
        .optional()?;
    let first_seen = existing
        .as_ref()
        .map_or(now, |existing| existing.first_seen);
    Ok(Plan {
        sort_date: opt_seconds(screened.entry.sort_date).unwrap_or(first_seen),
        first_seen,
        screened,
        existing,
    })
}

/// Drops the plans that retention would delete right after writing them (all but the newest
/// `keep`, in the river's order), keeping the others in feed order. Returns how many went.
fn drop_beyond(plans: &mut Vec<Plan<'_>>, keep: usize) -> usize {
    if plans.len() <= keep {
        return 0;
    }
    // On equal dates the entry earlier in the feed ranks first, as it would when read back
    // (ties are broken by storage order).
    let mut ranked: Vec<(std::cmp::Reverse<(i64, i64)>, usize)> = plans
        .iter()
        .enumerate()
        .map(|(index, plan)| (std::cmp::Reverse((plan.sort_date, plan.first_seen)), index))
        .collect();
    ranked.sort_unstable();
    let mut kept = vec![false; plans.len()];
    for (_, index) in ranked.iter().take(keep) {
        if let Some(flag) = kept.get_mut(*index) {
            *flag = true;
        }
    }
    let before = plans.len();
    let mut flags = kept.into_iter();
    plans.retain(|_| flags.next().unwrap_or(false));
    before - plans.len()
}

enum Written {
    New,
    Updated,
    Unchanged,
}

fn write_entry(tx: &Connection, url: &str, now: i64, plan: &Plan<'_>) -> rusqlite::Result<Written> {
    let entry = plan.screened.entry;
    match &plan.existing {
        Some(existing) if existing.hash == plan.screened.hash => Ok(Written::Unchanged),
        Some(existing) => {
            tx.prepare_cached(sql::UPDATE_ENTRY)?.execute(params![
                existing.row_id,
                now,
                opt_seconds(entry.updated),
                opt_seconds(entry.published),
                plan.sort_date,
                entry.title,
                entry.link,
                entry.author,
                entry.summary,
                entry.content,
                plan.screened.data,
                plan.screened.hash,
            ])?;
            Ok(Written::Updated)
        }
        None => {
            tx.prepare_cached(sql::INSERT_ENTRY)?.execute(params![
                url,
                entry.id,
                now,
                opt_seconds(entry.updated),
                opt_seconds(entry.published),
                plan.sort_date,
                entry.title,
                entry.link,
                entry.author,
                entry.summary,
                entry.content,
                plan.screened.data,
                plan.screened.hash,
            ])?;
            Ok(Written::New)
        }
    }
}

fn prune_feed(tx: &Connection, url: &str, keep: usize) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql::PRUNE_FEED_ENTRIES)?
        .execute(params![url, to_i64(keep)])
}

fn truncate(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<StoredEntry> {
    Ok(StoredEntry {
        feed_url: row.get(0)?,
        id: row.get(1)?,
        first_seen: time(row, 2)?,
        last_changed: time(row, 3)?,
        updated: opt_time(row, 4)?,
        published: opt_time(row, 5)?,
        sort_date: time(row, 6)?,
        title: row.get(7)?,
        link: row.get(8)?,
        author: row.get(9)?,
        summary: row.get(10)?,
        content: row.get(11)?,
        data: json(row, 12)?,
    })
}

fn feed_from_row(row: &Row<'_>) -> rusqlite::Result<StoredFeed> {
    Ok(StoredFeed {
        url: row.get(0)?,
        metadata: FeedMetadata {
            feed_id: row.get(1)?,
            title: row.get(2)?,
            subtitle: row.get(3)?,
            site_link: row.get(4)?,
            icon: row.get(5)?,
            logo: row.get(6)?,
            format: row.get(7)?,
            updated: opt_time(row, 8)?,
            bozo: row.get(9)?,
            data: json(row, 10)?,
        },
        http: HttpState {
            etag: row.get(11)?,
            last_modified: row.get(12)?,
            final_url: row.get(13)?,
            permanent_redirect: row.get(14)?,
            gone: row.get(15)?,
            next_fetch_after: opt_time(row, 16)?,
            // A name this build does not know (a later version wrote it) is no reason.
            next_fetch_reason: row
                .get::<_, Option<String>>(25)?
                .as_deref()
                .and_then(DueReason::from_name),
            feed_ttl: opt_unsigned(row, 26)?.map(std::time::Duration::from_secs),
        },
        health: FeedHealth {
            first_added: time(row, 17)?,
            last_fetch_at: opt_time(row, 18)?,
            last_success_at: opt_time(row, 19)?,
            last_http_status: opt_unsigned(row, 20)?,
            last_error: row.get(21)?,
            consecutive_failures: unsigned(row, 22)?,
            entry_count: unsigned(row, 23)?,
            newest_entry: opt_time(row, 24)?,
            last_new_entry: opt_time(row, 27)?,
        },
    })
}

/// The first line of a failed check, and how many more there are.
pub fn damage(problems: &[String]) -> String {
    let first = problems.first().map_or("", String::as_str);
    match problems.len() {
        0 | 1 => format!("integrity check: {first}"),
        n => format!("integrity check: {first}, and {} more", n - 1),
    }
}

/// SQLite's structural check and, on a sound structure, the foreign key check (whose
/// answers mean nothing on damaged pages); empty when healthy.
fn problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut problems: Vec<String> = conn
        .prepare(sql::INTEGRITY_CHECK)?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    problems.retain(|line| line != "ok");
    if problems.is_empty() {
        problems = conn
            .prepare(sql::FOREIGN_KEY_CHECK)?
            .query_map([], |row| {
                Ok(format!(
                    "{} row {} refers to a missing {}",
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                    row.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(problems)
}

/// The file as it is: never created, migrated or written.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// What [`SqliteStore::repair`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// There is no store yet.
    Missing {
        path: PathBuf,
    },
    Healthy {
        path: PathBuf,
    },
    /// The damaged store was moved to `aside`; a new one holds the `blacklisted` ids that
    /// could still be read. The next update refetches every feed.
    MovedAside {
        path: PathBuf,
        aside: PathBuf,
        problems: Vec<String>,
        blacklisted: usize,
    },
}

impl SqliteStore {
    /// Under the planet's lock, for the planet whose cache directory is `dir`: checks the
    /// database fully, and when it is damaged moves it aside ([`move_aside`]) and starts a
    /// new one, keeping the blacklist as far as it can be read.
    pub fn repair(dir: &Path) -> Result<Repair, Error> {
        let path = dir.join(DATABASE_FILE);
        if !path.exists() {
            return Ok(Repair::Missing { path });
        }
        let _lock = PlanetLock::acquire(dir.join(LOCK_FILE))?;
        let problems = match check_file(&path)? {
            Health::Missing => return Ok(Repair::Missing { path }),
            Health::Healthy => return Ok(Repair::Healthy { path }),
            Health::Damaged(problems) => problems,
        };
        let blacklist = salvage_blacklist(&path);
        let aside = move_aside(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let mut store = SqliteStore::open_file(&path)?;
        let mut blacklisted = 0;
        for (id, reason) in &blacklist {
            store.blacklist_add(id, reason.as_deref())?;
            blacklisted += 1;
        }
        Ok(Repair::MovedAside {
            path,
            aside,
            problems,
            blacklisted,
        })
    }
}

/// What [`check_file`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// No database yet: nothing to check.
    Missing,
    Healthy,
    /// The problems SQLite reported (or why the file cannot be read as a database).
    Damaged(Vec<String>),
}

/// Runs SQLite's full integrity check and the foreign key check on the file at `path`,
/// opened read-only (never created or migrated), for `orrery check`.
pub fn check_file(path: &Path) -> Result<Health, Error> {
    if !path.exists() {
        return Ok(Health::Missing);
    }
    let result = (|| -> rusqlite::Result<Vec<String>> {
        let conn = open_read_only(path)?;
        problems(&conn)
    })();
    match result {
        Ok(problems) if problems.is_empty() => Ok(Health::Healthy),
        Ok(problems) => Ok(Health::Damaged(problems)),
        Err(source) => match Error::sqlite(path, source) {
            Error::Corrupt { detail, .. } => Ok(Health::Damaged(vec![detail])),
            other => Err(other),
        },
    }
}

/// The blacklist of a possibly damaged database, as far as it can be read: the one thing in
/// the store that refetching cannot bring back.
pub fn salvage_blacklist(path: &Path) -> Vec<(String, Option<String>)> {
    let read = || -> rusqlite::Result<Vec<(String, Option<String>)>> {
        let conn = open_read_only(path)?;
        let mut statement = conn.prepare(sql::SALVAGE_BLACKLIST)?;
        let mut rows = statement.query([])?;
        let mut found = Vec::new();
        // Row by row: what comes before a damaged page is kept.
        while let Ok(Some(row)) = rows.next() {
            if let Ok(id) = row.get::<_, String>(0) {
                found.push((id, row.get::<_, Option<String>>(1).ok().flatten()));
            }
        }
        Ok(found)
    };
    read().unwrap_or_default()
}

/// Renames the database at `path` (with its write-ahead log and shared-memory files) to
/// `NAME.corrupt-TIMESTAMP`, so that the next open starts a new one; returns the new name.
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{stamp}"));
    let aside = PathBuf::from(aside);
    for suffix in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut to = aside.as_os_str().to_owned();
        to.push(suffix);
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    std::fs::rename(path, &aside)?;
    Ok(aside)
}
