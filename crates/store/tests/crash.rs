//! A run killed with SIGKILL in the middle of a write (or of a batch of writes) leaves a
//! consistent store holding, for every feed, either the state before or the state after the
//! interrupted update.
//!
//! The test binary re-runs itself as the writer: `writer_child` only does work when the
//! environment variable below names a database.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{at, entry, update};
use orrery_store::{EntryQuery, SqliteStore, Store};

const CHILD_DB: &str = "ORRERY_STORE_CRASH_CHILD_DB";
/// Set (to anything) for a writer that writes each version to two feeds in one batch.
const CHILD_BATCHED: &str = "ORRERY_STORE_CRASH_CHILD_BATCHED";
const URL: &str = "https://crash.example/feed";
/// The second feed of a batched writer.
const URL2: &str = "https://crash.example/other";
const ENTRIES: usize = 2000;

/// Version `v` of the feed: every entry and the feed title carry `v`, with enough content
/// that one update takes a while and grows the write-ahead log past a checkpoint.
fn version(v: u64) -> orrery_store::FeedUpdate {
    version_of(URL, v)
}

fn version_of(url: &str, v: u64) -> orrery_store::FeedUpdate {
    let body = format!("version {v} ").repeat(200);
    let entries = (0..ENTRIES)
        .map(|n| entry(&format!("e{n}"), Some(i64::try_from(n).unwrap()), &body))
        .collect();
    let mut next = update(url, i64::try_from(v).unwrap(), entries);
    if let Some(metadata) = next.metadata.as_mut() {
        metadata.title = Some(format!("version {v}"));
    }
    next
}

#[test]
#[ignore = "writer role of the killed_mid_* tests; run by them"]
fn writer_child() {
    let Some(path) = std::env::var_os(CHILD_DB) else {
        return;
    };
    let mut store = SqliteStore::open_file(path).unwrap();
    let batched = std::env::var_os(CHILD_BATCHED).is_some();
    for v in 1.. {
        println!("begin {v}");
        if batched {
            store.begin_batch().unwrap();
            store.apply_feed(&version_of(URL, v)).unwrap();
            store.apply_feed(&version_of(URL2, v)).unwrap();
            store.commit_batch().unwrap();
        } else {
            store.apply_feed(&version(v)).unwrap();
        }
        println!("committed {v}");
    }
}

#[test]
fn killed_mid_transaction_leaves_before_or_after() {
    killed_writer_leaves_before_or_after(false);
}

/// A batch of two feeds killed part-way: both feeds hold the same version, the one before
/// the batch or the one after it.
#[test]
fn killed_mid_batch_leaves_every_feed_before_or_after() {
    let (_dir, store, found) = killed_writer_leaves_before_or_after(true);
    let title = store.feed(URL2).unwrap().unwrap().metadata.title.unwrap();
    assert_eq!(title, format!("version {found}"));
}

/// Runs the writer, kills it part-way through an update (a batch, when `batched`), checks the
/// store and the first feed, and returns the store (with its directory) and the version found.
fn killed_writer_leaves_before_or_after(batched: bool) -> (tempfile::TempDir, SqliteStore, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(orrery_store::DATABASE_FILE);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "writer_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, &path)
        .envs(batched.then_some((CHILD_BATCHED, "1")))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Let two updates commit, then kill the writer part-way through a later one.
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(120))
            .expect("writer stopped or hung before committing twice");
        if line == "committed 2" {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    let progress: Vec<String> = lines.try_iter().collect();
    let committed = progress
        .iter()
        .filter_map(|line| line.strip_prefix("committed "))
        .filter_map(|v| v.parse::<u64>().ok())
        .max()
        .unwrap_or(2);
    let killed_mid_write = progress
        .last()
        .is_some_and(|line| line.starts_with("begin"));
    eprintln!("writer killed after committing version {committed}; mid-write: {killed_mid_write}");

    let store = SqliteStore::open_file(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    let title = store.feed(URL).unwrap().unwrap().metadata.title.unwrap();
    let found: u64 = title.strip_prefix("version ").unwrap().parse().unwrap();
    // The last update may have committed just before the kill without saying so.
    assert!(
        found == committed || found == committed + 1,
        "store holds version {found}, writer reported {committed}"
    );
    let subscribed = vec![URL.to_owned()];
    let entries = store
        .newest_entries(&EntryQuery {
            subscriptions: &subscribed,
            limit: usize::MAX,
            per_feed_limit: None,
            share_limit: None,
        })
        .unwrap();
    assert_eq!(entries.len(), ENTRIES);
    let expected = format!("version {found} ");
    assert!(entries.iter().all(|e| e
        .content
        .as_deref()
        .is_some_and(|c| c.starts_with(&expected))));
    let feed = store.feed(URL).unwrap().unwrap();
    assert_eq!(
        feed.health.last_fetch_at,
        Some(at(i64::try_from(found).unwrap()))
    );
    (dir, store, found)
}
