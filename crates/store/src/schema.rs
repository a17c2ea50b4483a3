//! Connection settings and schema migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::sql::MIGRATIONS;
use crate::Error;

/// Distinct statements the store prepares; all stay cached.
const STATEMENT_CACHE: usize = 32;

/// SQLite's page cache, in KiB (its default is 2000). Writes go one feed at a
/// time and reads follow indexes, so a larger cache bought no speed in the
/// 1000-feed benchmark; it was only memory held for the whole run, and pages
/// the operating system caches anyway.
const PAGE_CACHE_KIB: i64 = 512;

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the database file, creating it if needed, with the settings the crash-safety
/// guarantees rely on, and brings its schema up to date.
pub fn open(path: &Path) -> Result<Connection, Error> {
    let sqlite = |source| Error::sqlite(path, source);
    // No SQLITE_OPEN_URI: a configured path is a path, never a `file:` URI with options.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
        .map_err(sqlite)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::NoWal {
            path: path.to_path_buf(),
            mode,
        });
    }
    // In WAL mode NORMAL never corrupts the database; a power loss may only undo the last
    // commits, which the next run fetches again.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(sqlite)?;
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)
        .map_err(sqlite)?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Applies the migrations the database has not seen, each in its own transaction together
/// with the version bump, so an interrupted upgrade resumes where it stopped.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let sqlite = |source| Error::sqlite(path, source);
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        // Read inside the write transaction: a concurrent opener may have migrated meanwhile.
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sqlite)?;
        if version > supported {
            return Err(Error::SchemaTooNew {
                path: path.to_path_buf(),
                found: version,
                supported,
            });
        }
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|applied| MIGRATIONS.get(applied))
        else {
            return Ok(());
        };
        tx.execute_batch(step).map_err(sqlite)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::DateTime;

    use crate::{DueReason, FeedFailure, FetchRecord, HttpState, SqliteStore, Store};

    /// A database left by the first schema, where only `Retry-After` set the next fetch time.
    #[test]
    fn version_1_retry_after_times_keep_their_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(crate::sql::MIGRATIONS[0]).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO feeds (url, first_added, next_fetch_after) VALUES ('a', 0, 3600);
             INSERT INTO feeds (url, first_added) VALUES ('b', 0);",
        )
        .unwrap();
        drop(old);

        let store = SqliteStore::open_file(&path).unwrap();
        let waiting = store.feed("a").unwrap().unwrap().http;
        assert_eq!(waiting.next_fetch_after.map(|t| t.timestamp()), Some(3600));
        assert_eq!(waiting.next_fetch_reason, Some(DueReason::RetryAfter));
        let free = store.feed("b").unwrap().unwrap().http;
        assert_eq!(
            (free.next_fetch_after, free.next_fetch_reason),
            (None, None)
        );
    }

    #[test]
    fn schedule_state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open_file(dir.path().join("planet.db")).unwrap();
        let http = HttpState {
            next_fetch_after: DateTime::from_timestamp(7200, 0),
            next_fetch_reason: Some(DueReason::Backoff),
            feed_ttl: Some(Duration::from_secs(5400)),
            ..HttpState::default()
        };
        let failure = FeedFailure {
            url: "a".into(),
            error: "HTTP 500".into(),
            http: http.clone(),
            fetch: FetchRecord {
                at: DateTime::from_timestamp(3600, 0).unwrap(),
                http_status: Some(500),
                duration_ms: 1,
                bytes: 0,
            },
        };
        store.record_failure(&failure).unwrap();
        store.record_failure(&failure).unwrap();
        let stored = store.feed("a").unwrap().unwrap();
        assert_eq!(stored.http, http);
        assert_eq!(stored.health.consecutive_failures, 2);
    }
}
