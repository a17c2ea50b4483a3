//! Plain values exchanged with the store. They mirror what a planet needs to remember, not the
//! parser's model: the pipeline maps between the two, so either side can change alone.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Feed-level data from the last successful parse.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedMetadata {
    /// The feed's own id (Atom `id`, or what the parser chose).
    pub feed_id: Option<String>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// The site the feed describes (the alternate link).
    pub site_link: Option<String>,
    pub icon: Option<String>,
    pub logo: Option<String>,
    /// Format and version as the parser names it, e.g. `atom10` or `rss20`.
    pub format: Option<String>,
    /// The feed's own updated date.
    pub updated: Option<DateTime<Utc>>,
    /// Why the parser considered the document malformed, if it did.
    pub bozo: Option<String>,
    /// Every feed-level value the templates may use, as the pipeline normalized it.
    pub data: Value,
}

/// What the next conditional request needs, and what the last responses said about the feed.
/// It is written whole on every fetch: the pipeline reads it with [`crate::Store::feed`], fetches,
/// and hands back the updated copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the document was finally read from, after redirects.
    pub final_url: Option<String>,
    /// Target of a permanent (301/308) redirect, reported so the subscription can be updated.
    pub permanent_redirect: Option<String>,
    /// The server answered 410 Gone: the feed is no longer fetched until this is cleared.
    pub gone: bool,
    /// Earliest time the feed should be fetched again; see `next_fetch_reason`.
    pub next_fetch_after: Option<DateTime<Utc>>,
    /// What set `next_fetch_after`; `None` exactly when it is `None`.
    pub next_fetch_reason: Option<DueReason>,
    /// The RSS `<ttl>` of the last copy read, remembered because a 304 carries no document.
    pub feed_ttl: Option<std::time::Duration>,
}

/// What decided a feed's next due time. It is shown on the status page, and it says who must
/// honour the time: a server's explicit request binds every run, the other reasons bind only
/// a planet that runs on a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DueReason {
    /// `Retry-After` on a 429 or 503: the server asked to wait.
    RetryAfter,
    /// `Cache-Control: max-age` or `s-maxage`.
    CacheControl,
    /// An `Expires` date.
    Expires,
    /// The RSS `<ttl>` element.
    Ttl,
    /// The feed keeps failing: fetched less often until it works again.
    Backoff,
    /// No hint: the planet's update interval.
    Interval,
}

impl DueReason {
    /// The stable name kept in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryAfter => "retry-after",
            Self::CacheControl => "cache-control",
            Self::Expires => "expires",
            Self::Ttl => "ttl",
            Self::Backoff => "back-off",
            Self::Interval => "interval",
        }
    }

    /// The reason named by [`DueReason::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::RetryAfter,
            Self::CacheControl,
            Self::Expires,
            Self::Ttl,
            Self::Backoff,
            Self::Interval,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == name)
    }
}

/// One fetch attempt, kept in a bounded per-feed history for the health page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRecord {
    /// When the fetch started. Entries first seen in this fetch get this as `first_seen`.
    pub at: DateTime<Utc>,
    /// HTTP status of the final response; `None` when no response came (DNS, timeout, file).
    pub http_status: Option<u16>,
    pub duration_ms: u64,
    /// Bytes of the (decompressed) body.
    pub bytes: u64,
}

/// An entry as the pipeline hands it over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewEntry {
    /// Stable id from the parser; entries are identified by (feed url, id).
    pub id: String,
    pub updated: Option<DateTime<Utc>>,
    pub published: Option<DateTime<Utc>>,
    /// The date the planet sorts on, chosen by the pipeline (future-date policy...). `None`
    /// makes the store use the entry's first-seen time, so an undated entry keeps its place
    /// instead of jumping to the top on every fetch.
    pub sort_date: Option<DateTime<Utc>>,
    pub title: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: Option<String>,
    /// The whole normalized entry for templates.
    pub data: Value,
}

/// The result of one successful fetch (including 304 Not Modified), applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedUpdate {
    /// The subscription URL, as configured.
    pub url: String,
    /// `None` keeps the stored metadata (a 304 has none).
    pub metadata: Option<FeedMetadata>,
    pub http: HttpState,
    pub fetch: FetchRecord,
    pub entries: Vec<NewEntry>,
    /// Keep only this many entries of the feed, newest by sort date (`cache_keep_entries`).
    /// Incoming entries that would be dropped at once are not written at all, so a feed
    /// serving more entries than the limit does not churn its oldest ones on every fetch.
    pub keep: Option<usize>,
    /// Keep the feed's entries up to this many bytes of stored text, deleting the oldest ones
    /// that are no longer in the document (those that are always stay: deleted, they would
    /// come back as new on every fetch). A feed cannot grow the store, and the page, run after
    /// run.
    pub keep_bytes: Option<u64>,
}

/// A failed fetch or parse. The feed's stored entries and metadata stay as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFailure {
    pub url: String,
    /// Human-readable reason shown on the health page (truncated to a bounded length).
    pub error: String,
    pub http: HttpState,
    pub fetch: FetchRecord,
}

/// What [`crate::Store::apply_feed`] did with the incoming entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub new: usize,
    /// Stored before, content changed: rewritten in place, first-seen time kept.
    pub updated: usize,
    /// Stored before with the same content hash: not rewritten.
    pub unchanged: usize,
    /// Ids on the blacklist.
    pub blacklisted: usize,
    /// Empty or oversized id.
    pub rejected: usize,
    /// Entries over [`crate::MAX_ENTRY_BYTES`], not stored. The feed's health says so.
    pub oversized: usize,
    /// Later copies of an id already present in the same update.
    pub duplicates: usize,
    /// Incoming entries beyond `keep` that were not written.
    pub over_limit: usize,
    /// Stored entries deleted to respect `keep` and `keep_bytes`.
    pub pruned: usize,
}

impl ApplyReport {
    /// What the feed's health shows when part of the copy could not be stored.
    pub fn problem(&self) -> Option<String> {
        let n = self.oversized;
        (n > 0).then(|| {
            let entries = if n == 1 { "entry" } else { "entries" };
            let limit = crate::MAX_ENTRY_BYTES >> 20;
            format!("{n} {entries} larger than {limit} MiB not stored")
        })
    }
}

/// Health of a feed as the sidebar and the health page show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedHealth {
    /// The first fetch of this subscription, successful or not.
    pub first_added: DateTime<Utc>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_http_status: Option<u16>,
    /// Set by the last fetch when it failed, cleared by a success.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub entry_count: u64,
    /// Sort date of the newest stored entry.
    pub newest_entry: Option<DateTime<Utc>>,
    /// When the feed last brought an entry not stored before: a feed can be fetched without
    /// fault for months and bring nothing new. Edits keep an entry's first-seen time, so an
    /// edited old post does not count as new; entries deleted by retention no longer count.
    /// `None` when no entry is stored.
    pub last_new_entry: Option<DateTime<Utc>>,
}

/// A feed as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFeed {
    pub url: String,
    /// All `None`/`Null` until a fetch succeeded.
    pub metadata: FeedMetadata,
    pub http: HttpState,
    pub health: FeedHealth,
}

/// One row of a feed's fetch history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLogEntry {
    pub record: FetchRecord,
    /// `None` for a successful fetch.
    pub error: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub feed_url: String,
    pub id: String,
    pub first_seen: DateTime<Utc>,
    /// Last time the content changed (equals `first_seen` until an edit arrives).
    pub last_changed: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    pub published: Option<DateTime<Utc>>,
    pub sort_date: DateTime<Utc>,
    pub title: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub data: Value,
}

/// Which entries [`crate::Store::newest_entries`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryQuery<'a> {
    /// Subscription URLs in configuration order. Entries of other feeds are left out, and the
    /// order breaks ties between copies of one entry reached through several subscriptions.
    pub subscriptions: &'a [String],
    /// At most this many entries in total.
    pub limit: usize,
    /// At most this many entries from any one feed.
    pub per_feed_limit: Option<usize>,
    /// A feed's share of the river once it would hold more: such a flooding feed is cut to
    /// this many entries ahead of everyone else's, and never pushes another subscription's
    /// newest entry off the river. `None`: no share is kept.
    pub share_limit: Option<usize>,
}

/// Two subscriptions whose feeds use one entry id for different posts: both are shown,
/// each under its own feed, and the status page of each says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCollision {
    pub feed_url: String,
    pub other_feed_url: String,
    /// How many ids the two feeds share with different content.
    pub shared_ids: usize,
    /// One of them, for the owner to look up.
    pub example_id: String,
}

/// What [`crate::Store::expunge`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpungeReport {
    /// Feeds no longer subscribed, removed with their history.
    pub feeds_removed: usize,
    /// Entries of those feeds.
    pub entries_unsubscribed: usize,
    /// Entries of subscribed feeds beyond the per-feed limit.
    pub entries_over_limit: usize,
}

/// A blacklisted entry id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistEntry {
    pub entry_id: String,
    pub added_at: DateTime<Utc>,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::Value;

    use super::*;
    use crate::Store;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, hour, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn fetch(hour: u32) -> FetchRecord {
        FetchRecord {
            at: at(hour),
            http_status: Some(200),
            duration_ms: 1,
            bytes: 1,
        }
    }

    fn update(url: &str, hour: u32, ids: &[&str]) -> FeedUpdate {
        FeedUpdate {
            url: url.to_owned(),
            metadata: None,
            http: HttpState::default(),
            fetch: fetch(hour),
            entries: ids
                .iter()
                .map(|id| NewEntry {
                    id: (*id).to_owned(),
                    // Dated long before they were fetched: the first-seen time must win.
                    sort_date: Some(at(0)),
                    content: Some(format!("body of {id}")),
                    data: Value::Null,
                    ..NewEntry::default()
                })
                .collect(),
            keep: None,
            keep_bytes: None,
        }
    }

    #[test]
    fn last_new_entry_is_when_an_unseen_entry_last_arrived() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::SqliteStore::open_file(dir.path().join("orrery.db")).unwrap();
        assert!(store.feeds().unwrap().is_empty());

        store.apply_feed(&update("a", 1, &["1", "2"])).unwrap();
        store.apply_feed(&update("b", 2, &["x"])).unwrap();
        store.apply_feed(&update("a", 3, &["1", "2", "3"])).unwrap();
        // Seen again, or edited: nothing new.
        store.apply_feed(&update("a", 4, &["1", "2", "3"])).unwrap();
        let mut edited = update("a", 5, &["3"]);
        edited.entries[0].content = Some("edited".into());
        store.apply_feed(&edited).unwrap();
        // A failure keeps what was known.
        store
            .record_failure(&FeedFailure {
                url: "b".into(),
                error: "connection refused".into(),
                http: HttpState::default(),
                fetch: fetch(6),
            })
            .unwrap();
        store.apply_feed(&update("empty", 6, &[])).unwrap();

        let mut waiting = update("c", 7, &["c1"]);
        waiting.http.next_fetch_after = Some(at(9));
        store.apply_feed(&waiting).unwrap();

        let feeds: HashMap<String, StoredFeed> = store
            .feeds()
            .unwrap()
            .into_iter()
            .map(|f| (f.url.clone(), f))
            .collect();
        let last = |url: &str| feeds.get(url).and_then(|f| f.health.last_new_entry);
        let next = |url: &str| feeds.get(url).and_then(|f| f.http.next_fetch_after);
        assert_eq!(last("a"), Some(at(3)));
        assert_eq!(last("b"), Some(at(2)));
        assert_eq!(last("c"), Some(at(7)));
        assert_eq!(
            feeds
                .get("empty")
                .map(|f| (f.health.last_new_entry, f.http.next_fetch_after)),
            Some((None, None))
        );
        assert_eq!(next("c"), Some(at(9)));
        assert_eq!(next("a"), None);
        assert_eq!(feeds.len(), 4);
    }

    #[test]
    fn due_reasons_round_trip_through_their_names() {
        let all = [
            DueReason::RetryAfter,
            DueReason::CacheControl,
            DueReason::Expires,
            DueReason::Ttl,
            DueReason::Backoff,
            DueReason::Interval,
        ];
        for reason in all {
            assert_eq!(DueReason::from_name(reason.as_str()), Some(reason));
        }
        let names: std::collections::HashSet<_> = all.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(DueReason::from_name("soon"), None);
    }
}
