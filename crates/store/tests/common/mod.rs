//! Builders shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use chrono::{DateTime, TimeZone, Utc};
use orrery_store::{FeedMetadata, FeedUpdate, FetchRecord, HttpState, NewEntry, SqliteStore};
use serde_json::json;
use tempfile::TempDir;

/// A store in a fresh temporary directory; keep the `TempDir` alive as long as the store.
pub fn temp_store() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).expect("open store");
    (dir, store)
}

/// A store in a fresh temporary directory, deleted with it: what the suite runs on.
pub struct TempStore {
    pub store: SqliteStore,
    pub dir: TempDir,
}

pub fn fresh_store() -> TempStore {
    let (dir, store) = temp_store();
    TempStore { store, dir }
}

impl std::ops::Deref for TempStore {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

impl std::ops::DerefMut for TempStore {
    fn deref_mut(&mut self) -> &mut SqliteStore {
        &mut self.store
    }
}

/// A fixed point in time, `hours` after 2024-01-01T00:00:00Z.
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(hours)
}

pub fn entry(id: &str, sort_hours: Option<i64>, body: &str) -> NewEntry {
    NewEntry {
        id: id.to_owned(),
        updated: sort_hours.map(at),
        published: None,
        sort_date: sort_hours.map(at),
        title: Some(format!("title of {id}")),
        link: Some(format!("https://example.org/{id}")),
        author: Some("Ann Author".to_owned()),
        summary: None,
        content: Some(body.to_owned()),
        data: json!({ "id": id, "content": body }),
    }
}

pub fn fetch(hours: i64) -> FetchRecord {
    FetchRecord {
        at: at(hours),
        http_status: Some(200),
        duration_ms: 120,
        bytes: 4096,
    }
}

pub fn metadata(title: &str) -> FeedMetadata {
    FeedMetadata {
        feed_id: Some("urn:feed".to_owned()),
        title: Some(title.to_owned()),
        site_link: Some("https://example.org/".to_owned()),
        format: Some("atom10".to_owned()),
        data: json!({ "title": title }),
        ..FeedMetadata::default()
    }
}

pub fn update(url: &str, fetched_hours: i64, entries: Vec<NewEntry>) -> FeedUpdate {
    FeedUpdate {
        url: url.to_owned(),
        metadata: Some(metadata(&format!("feed {url}"))),
        http: HttpState {
            etag: Some("\"v1\"".to_owned()),
            ..HttpState::default()
        },
        fetch: fetch(fetched_hours),
        entries,
        keep: None,
        keep_bytes: None,
    }
}

pub fn subscriptions(urls: &[&str]) -> Vec<String> {
    urls.iter().map(|url| (*url).to_owned()).collect()
}
