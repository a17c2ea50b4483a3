//! Every SQL text the store runs, kept apart from the Rust that binds it so another backend can
//! reuse or translate it in one place.
//!
//! Portability rules: numbered `?N` parameters (PostgreSQL spells them `$N`), `INTEGER` for
//! times (Unix seconds; `BIGINT` in PostgreSQL), booleans as 0/1, `INSERT ... ON CONFLICT`.

/// Schema migrations, applied in order; the database's `user_version` counts those applied.
/// Never edit a released step: append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    "CREATE TABLE feeds (
        url TEXT PRIMARY KEY NOT NULL,
        first_added INTEGER NOT NULL,
        feed_id TEXT,
        title TEXT,
        subtitle TEXT,
        site_link TEXT,
        icon TEXT,
        logo TEXT,
        format TEXT,
        feed_updated INTEGER,
        bozo TEXT,
        data TEXT,
        etag TEXT,
        last_modified TEXT,
        final_url TEXT,
        permanent_redirect TEXT,
        gone INTEGER NOT NULL DEFAULT 0,
        next_fetch_after INTEGER,
        http_status INTEGER,
        last_fetch_at INTEGER,
        last_success_at INTEGER,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        feed_url TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
        fetched_at INTEGER NOT NULL,
        http_status INTEGER,
        duration_ms INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        error TEXT
    );
    CREATE INDEX fetches_by_feed ON fetches (feed_url, id);
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        feed_url TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
        entry_id TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_changed INTEGER NOT NULL,
        updated INTEGER,
        published INTEGER,
        sort_date INTEGER NOT NULL,
        title TEXT,
        link TEXT,
        author TEXT,
        summary TEXT,
        content TEXT,
        data TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        UNIQUE (feed_url, entry_id)
    );
    CREATE INDEX entries_river ON entries (sort_date DESC, first_seen DESC, id, feed_url, entry_id);
    CREATE INDEX entries_by_feed_date ON entries (feed_url, sort_date DESC, first_seen DESC, id);
    CREATE INDEX entries_by_entry_id ON entries (entry_id, feed_url);
    CREATE TABLE blacklist (
        entry_id TEXT PRIMARY KEY NOT NULL,
        added_at INTEGER NOT NULL,
        reason TEXT
    );",
    // 2: per-feed scheduling: what set next_fetch_after (until now only Retry-After did),
    // and the RSS ttl, which a 304 does not repeat.
    "ALTER TABLE feeds ADD COLUMN next_fetch_reason TEXT;
    UPDATE feeds SET next_fetch_reason = 'retry-after' WHERE next_fetch_after IS NOT NULL;
    ALTER TABLE feeds ADD COLUMN ttl_seconds INTEGER;",
    // 3: the feeds that carried a blacklisted entry (newline-separated URLs), so that taking it
    // off the blacklist can make those feeds send it again.
    "ALTER TABLE blacklist ADD COLUMN feeds TEXT;",
];

/// Records the outcome of a fetch. `?11` (the error) is NULL on success, which resets the
/// failure count and stamps the success time; the stored metadata is left alone.
pub const UPSERT_FETCH_STATE: &str = "
    INSERT INTO feeds (url, first_added, etag, last_modified, final_url, permanent_redirect,
                       gone, next_fetch_after, http_status, last_fetch_at, last_error,
                       last_success_at, consecutive_failures, next_fetch_reason, ttl_seconds)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
            CASE WHEN ?11 IS NULL THEN ?10 END,
            CASE WHEN ?11 IS NULL THEN 0 ELSE 1 END, ?12, ?13)
    ON CONFLICT (url) DO UPDATE SET
        etag = excluded.etag,
        last_modified = excluded.last_modified,
        final_url = excluded.final_url,
        permanent_redirect = excluded.permanent_redirect,
        gone = excluded.gone,
        next_fetch_after = excluded.next_fetch_after,
        next_fetch_reason = excluded.next_fetch_reason,
        ttl_seconds = excluded.ttl_seconds,
        http_status = excluded.http_status,
        last_fetch_at = excluded.last_fetch_at,
        last_error = excluded.last_error,
        last_success_at = COALESCE(excluded.last_success_at, feeds.last_success_at),
        consecutive_failures = CASE WHEN excluded.last_error IS NULL THEN 0
                                    ELSE feeds.consecutive_failures + 1 END";

pub const UPDATE_METADATA: &str = "
    UPDATE feeds SET feed_id = ?2, title = ?3, subtitle = ?4, site_link = ?5, icon = ?6,
                     logo = ?7, format = ?8, feed_updated = ?9, bozo = ?10, data = ?11
    WHERE url = ?1";

pub const INSERT_FETCH: &str = "
    INSERT INTO fetches (feed_url, fetched_at, http_status, duration_ms, bytes, error)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Keeps the newest `?2` fetch records of feed `?1`.
pub const TRIM_FETCHES: &str = "
    DELETE FROM fetches WHERE feed_url = ?1 AND id NOT IN (
        SELECT id FROM fetches WHERE feed_url = ?1 ORDER BY id DESC LIMIT ?2)";

pub const SELECT_FETCHES: &str = "
    SELECT fetched_at, http_status, duration_ms, bytes, error
    FROM fetches WHERE feed_url = ?1 ORDER BY id DESC LIMIT ?2";

pub const SELECT_ENTRY_STATE: &str = "
    SELECT id, first_seen, content_hash FROM entries WHERE feed_url = ?1 AND entry_id = ?2";

pub const INSERT_ENTRY: &str = "
    INSERT INTO entries (feed_url, entry_id, first_seen, last_changed, updated, published,
                         sort_date, title, link, author, summary, content, data, content_hash)
    VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/// Rewrites an edited entry in place; `first_seen` is deliberately not touched.
pub const UPDATE_ENTRY: &str = "
    UPDATE entries SET last_changed = ?2, updated = ?3, published = ?4, sort_date = ?5,
                       title = ?6, link = ?7, author = ?8, summary = ?9, content = ?10,
                       data = ?11, content_hash = ?12
    WHERE id = ?1";

/// Deletes the entries of feed `?1` beyond `?2` bytes of stored text, counted from the newest
/// in the order the planet shows them, after the entries of the current document (ids in the
/// JSON array `?3`), which always stay: deleting one of those would bring it back as new on
/// the next fetch.
pub const PRUNE_FEED_BYTES: &str = "
    DELETE FROM entries WHERE id IN (
        SELECT id FROM (
            SELECT id, current,
                   SUM(COALESCE(octet_length(title), 0) + COALESCE(octet_length(summary), 0)
                       + COALESCE(octet_length(content), 0) + octet_length(data))
                       OVER newest AS running
            FROM (SELECT *, entry_id IN (SELECT value FROM json_each(?3)) AS current
                  FROM entries WHERE feed_url = ?1)
            WINDOW newest AS (ORDER BY current DESC, sort_date DESC, first_seen DESC, id
                              ROWS UNBOUNDED PRECEDING))
        WHERE running > ?2 AND NOT current)";

/// Says why a stored copy is incomplete, without counting it as a failed fetch.
pub const NOTE_FEED_PROBLEM: &str = "UPDATE feeds SET last_error = ?2 WHERE url = ?1";

/// Keeps the newest `?2` entries of feed `?1`, in the order the planet shows them.
pub const PRUNE_FEED_ENTRIES: &str = "
    DELETE FROM entries WHERE feed_url = ?1 AND id NOT IN (
        SELECT id FROM entries WHERE feed_url = ?1
        ORDER BY sort_date DESC, first_seen DESC, id LIMIT ?2)";

pub const IS_BLACKLISTED: &str = "SELECT 1 FROM blacklist WHERE entry_id = ?1";

pub const INSERT_BLACKLIST: &str = "
    INSERT INTO blacklist (entry_id, added_at, reason) VALUES (?1, ?2, ?3)
    ON CONFLICT (entry_id) DO UPDATE SET reason = excluded.reason";

pub const DELETE_BLACKLIST: &str = "DELETE FROM blacklist WHERE entry_id = ?1";

pub const SELECT_BLACKLIST_FEEDS: &str = "SELECT feeds FROM blacklist WHERE entry_id = ?1";

pub const UPDATE_BLACKLIST_FEEDS: &str = "UPDATE blacklist SET feeds = ?2 WHERE entry_id = ?1";

pub const SELECT_FEEDS_OF_ENTRY: &str =
    "SELECT DISTINCT feed_url FROM entries WHERE entry_id = ?1 ORDER BY feed_url";

/// Forgets a feed's validators: its next fetch is a full GET, never a 304, so entries it
/// still carries are read again.
pub const CLEAR_VALIDATORS: &str =
    "UPDATE feeds SET etag = NULL, last_modified = NULL WHERE url = ?1";

pub const CLEAR_ALL_VALIDATORS: &str = "UPDATE feeds SET etag = NULL, last_modified = NULL";

pub const SELECT_BLACKLIST: &str =
    "SELECT entry_id, added_at, reason FROM blacklist ORDER BY entry_id";

pub const DELETE_ENTRIES_BY_ID: &str = "DELETE FROM entries WHERE entry_id = ?1";

pub const SELECT_FEED_URLS: &str = "SELECT url FROM feeds";

pub const COUNT_FEED_ENTRIES: &str = "SELECT COUNT(*) FROM entries WHERE feed_url = ?1";

pub const DELETE_FEED: &str = "DELETE FROM feeds WHERE url = ?1";

/// Columns read by `Store::feed`/`Store::feeds`, in the order the row mapper expects.
macro_rules! feed_columns {
    () => {
        "f.url, f.feed_id, f.title, f.subtitle, f.site_link, f.icon, f.logo, f.format,
         f.feed_updated, f.bozo, f.data, f.etag, f.last_modified, f.final_url,
         f.permanent_redirect, f.gone, f.next_fetch_after, f.first_added, f.last_fetch_at,
         f.last_success_at, f.http_status, f.last_error, f.consecutive_failures,
         (SELECT COUNT(*) FROM entries e WHERE e.feed_url = f.url),
         (SELECT MAX(e.sort_date) FROM entries e WHERE e.feed_url = f.url),
         f.next_fetch_reason, f.ttl_seconds,
         (SELECT MAX(e.first_seen) FROM entries e WHERE e.feed_url = f.url)"
    };
}

pub const SELECT_FEED: &str = concat!("SELECT ", feed_columns!(), " FROM feeds f WHERE f.url = ?1");

pub const SELECT_FEEDS: &str = concat!("SELECT ", feed_columns!(), " FROM feeds f ORDER BY f.url");

/// Every entry in the river's order, narrow enough to be read from the index alone; the
/// caller filters and stops early, then reads the chosen rows with [`SELECT_ENTRY`].
pub const SELECT_RIVER: &str = "
    SELECT id, feed_url, entry_id FROM entries
    ORDER BY sort_date DESC, first_seen DESC, id";

/// The other copies of entry row `?1` that are the same post: same id, sort date, title,
/// link, summary and content (`IS` compares NULLs as equal; PostgreSQL spells it
/// `IS NOT DISTINCT FROM`).
pub const SELECT_SAME_POST: &str = "
    SELECT b.id, b.feed_url FROM entries a
    JOIN entries b ON b.entry_id = a.entry_id AND b.id <> a.id
    WHERE a.id = ?1 AND b.sort_date = a.sort_date AND b.title IS a.title AND b.link IS a.link
      AND b.summary IS a.summary AND b.content IS a.content";

/// Pairs of feeds using one entry id for different posts, with how many ids and one of them.
pub const SELECT_ID_COLLISIONS: &str = "
    SELECT a.feed_url, b.feed_url, COUNT(*), MIN(a.entry_id) FROM entries a
    JOIN entries b ON b.entry_id = a.entry_id AND b.feed_url <> a.feed_url
    WHERE NOT (b.sort_date = a.sort_date AND b.title IS a.title AND b.link IS a.link
               AND b.summary IS a.summary AND b.content IS a.content)
    GROUP BY a.feed_url, b.feed_url ORDER BY a.feed_url, b.feed_url";

pub const SELECT_ENTRY: &str = "
    SELECT feed_url, entry_id, first_seen, last_changed, updated, published, sort_date, title,
           link, author, summary, content, data
    FROM entries WHERE id = ?1";

/// SQLite's own consistency checks (`orrery check`); no portable equivalent exists.
pub const INTEGRITY_CHECK: &str = "PRAGMA integrity_check";

pub const QUICK_CHECK: &str = "PRAGMA quick_check";

pub const SALVAGE_BLACKLIST: &str = "SELECT entry_id, reason FROM blacklist";

pub const FOREIGN_KEY_CHECK: &str = "PRAGMA foreign_key_check";
