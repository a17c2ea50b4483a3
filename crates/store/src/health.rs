//! What the status page needs beyond the fetch state: when the planet last picked up a post
//! it had not seen before, and when it will try the feed again. A feed can be fetched without
//! fault for months and still bring nothing new; this is how its author tells "the planet
//! cannot read my feed" from "the planet reads it but sees no new post".

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::convert::opt_time;
use crate::{Error, Store};

/// One row per stored feed. `url` is the primary key, so `next_fetch_after` is one value per
/// group. The entries side reads only the `entries_by_feed_date` index.
const FEED_ACTIVITY: &str = "
    SELECT f.url, f.next_fetch_after, MAX(e.first_seen), f.next_fetch_reason
    FROM feeds f LEFT JOIN entries e ON e.feed_url = f.url
    GROUP BY f.url";

/// A feed's activity, for the status page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedActivity {
    /// When the feed last brought an entry not stored before. Edits keep an entry's
    /// first-seen time, so an edited old post does not count as new; entries deleted by
    /// retention no longer count. `None` when no entry is stored.
    pub last_new_entry: Option<DateTime<Utc>>,
    /// The earliest time the feed is to be fetched again, when something set one.
    pub next_fetch_after: Option<DateTime<Utc>>,
    /// What set `next_fetch_after`, as the store keeps it (`cache-control`, `back-off`...).
    pub next_fetch_reason: Option<String>,
}

impl Store {
    /// Every stored feed's activity, keyed by subscription URL.
    pub fn feed_activity(&self) -> Result<HashMap<String, FeedActivity>, Error> {
        self.read(query)
    }
}

fn query(conn: &Connection) -> rusqlite::Result<HashMap<String, FeedActivity>> {
    conn.prepare(FEED_ACTIVITY)?
        .query_map([], |row| {
            let activity = FeedActivity {
                next_fetch_after: opt_time(row, 1)?,
                last_new_entry: opt_time(row, 2)?,
                next_fetch_reason: row.get(3)?,
            };
            Ok((row.get::<_, String>(0)?, activity))
        })?
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::Value;

    use super::*;
    use crate::{FeedFailure, FeedUpdate, FetchRecord, HttpState, NewEntry};

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
        let mut store = Store::open(dir.path().join("orrery.db")).unwrap();
        assert!(store.feed_activity().unwrap().is_empty());

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

        let activity = store.feed_activity().unwrap();
        let last = |url: &str| activity.get(url).and_then(|a| a.last_new_entry);
        assert_eq!(last("a"), Some(at(3)));
        assert_eq!(last("b"), Some(at(2)));
        assert_eq!(last("c"), Some(at(7)));
        assert_eq!(activity.get("empty"), Some(&FeedActivity::default()));
        assert_eq!(
            activity.get("c").and_then(|a| a.next_fetch_after),
            Some(at(9))
        );
        assert_eq!(activity.get("a").and_then(|a| a.next_fetch_after), None);
        assert_eq!(activity.len(), 4);
    }
}
