//! Behaviour of the store on real SQLite files: the shared suite (`tests/suite`) on
//! [`SqliteStore`], and what only SQLite has (its file, its log, its damage, other handles).

mod common;
mod suite;

use common::{entry, fresh_store, temp_store, update};
use orrery_store::{Error, SqliteStore, Store, SCHEMA_VERSION};
use suite::{all_entries, ids, A, B, C};

backend_suite!(fresh_store();
    counts_new_unchanged_and_edited_entries_and_keeps_first_seen,
    any_stored_field_change_counts_as_an_edit,
    an_undated_entry_sorts_by_first_seen_and_stays_there,
    a_failure_keeps_entries_and_metadata_and_is_shown_in_health,
    a_feed_that_never_succeeded_has_empty_metadata,
    fetch_history_and_error_text_are_bounded,
    invalid_oversized_and_duplicate_entries_are_screened,
    keep_bytes_bounds_what_a_feed_keeps_run_after_run,
    keep_stores_only_the_newest_entries_without_churn,
    expunge_removes_unsubscribed_feeds_and_applies_the_limit,
    blacklisted_ids_are_never_stored_and_removed_when_added,
    newest_entries_are_ordered_filtered_and_limited,
    the_same_post_reached_through_two_subscriptions_is_returned_once,
    a_reused_id_neither_replaces_nor_hides_the_other_feeds_post,
    a_flooding_feed_keeps_its_share_and_pushes_no_newest_entry_off,
    integrity_holds_after_many_updates,
    text_and_data_round_trip_exactly,
    a_batch_stores_what_single_writes_store,
    the_batcher_commits_by_count_and_by_time,
);

#[test]
fn open_creates_the_schema_in_wal_mode_and_reopens_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    {
        let mut store = SqliteStore::open_file(&path).unwrap();
        store
            .apply_feed(&update(A, 0, vec![entry("a1", Some(1), "x")]))
            .unwrap();
    }
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, i64::try_from(SCHEMA_VERSION).unwrap());
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(raw);

    let store = SqliteStore::open_file(&path).unwrap();
    assert_eq!(ids(&all_entries(&store, &[A])), ["a1"]);
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    drop(SqliteStore::open_file(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", 999).unwrap();
    drop(raw);
    match SqliteStore::open_file(&path) {
        Err(Error::SchemaTooNew { found: 999, .. }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x5a_u8; 8192]).unwrap();
    let error = SqliteStore::open_file(&path).unwrap_err();
    assert!(matches!(error, Error::Corrupt { .. }), "{error:?}");
    assert!(error.is_corrupt());
    assert!(error.to_string().contains("garbage.db"), "{error}");
    assert!(
        error.to_string().contains("orrery check --repair"),
        "{error}"
    );
    assert!(matches!(
        orrery_store::check_file(&path).unwrap(),
        orrery_store::Health::Damaged(_)
    ));
}

#[test]
fn a_second_handle_sees_committed_updates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    let mut writer = SqliteStore::open_file(&path).unwrap();
    let reader = SqliteStore::open_file(&path).unwrap();
    assert!(all_entries(&reader, &[A]).is_empty());
    writer
        .apply_feed(&update(A, 0, vec![entry("e1", Some(1), "x")]))
        .unwrap();
    assert_eq!(ids(&all_entries(&reader, &[A])), ["e1"]);
    assert_eq!(reader.feeds().unwrap().len(), 1);
}

#[test]
fn integrity_check_reports_dangling_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    let mut store = SqliteStore::open_file(&path).unwrap();
    store
        .apply_feed(&update(A, 0, vec![entry("e1", Some(1), "x")]))
        .unwrap();
    // Another tool deleting a feed without foreign keys leaves its entries behind.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "foreign_keys", "OFF").unwrap();
    raw.execute("DELETE FROM feeds WHERE url = ?1", [A])
        .unwrap();
    drop(raw);
    let problems = store.integrity_check().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("entries row") && p.ends_with("feeds")),
        "{problems:?}"
    );
}

#[test]
fn deferred_checkpoints_happen_when_let_go() {
    let (dir, mut store) = temp_store();
    let wal = dir
        .path()
        .join(format!("{}-wal", orrery_store::DATABASE_FILE));
    let wal_bytes = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    // Past SQLite's default threshold of 1000 pages (4 MB), over several batches:
    // nothing is checkpointed yet.
    let body = "x".repeat(64 << 10);
    for n in 0..100 {
        if n % 10 == 0 {
            store.commit_batch().unwrap();
            store.begin_batch().unwrap();
        }
        let url = format!("https://example.org/{n}");
        store
            .apply_feed(&update(&url, 0, vec![entry("e", Some(1), &body)]))
            .unwrap();
    }
    store.commit_batch().unwrap();
    assert!(wal_bytes() > 6 << 20, "{} bytes", wal_bytes());
    store.finish_batches().unwrap();
    assert_eq!(wal_bytes(), 0);
    assert_eq!(all_entries(&store, &["https://example.org/99"]).len(), 1);
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn damaged_pages_are_found_and_the_store_can_be_moved_aside() {
    let (dir, mut store) = temp_store();
    let path = store.path().to_path_buf();
    let body = "x".repeat(2000);
    let entries = (0..200_i64)
        .map(|n| entry(&format!("e{n}"), Some(n), &body))
        .collect();
    store.apply_feed(&update(A, 1, entries)).unwrap();
    store.blacklist_add("gone", Some("asked")).unwrap();
    store.quick_check().unwrap();
    assert_eq!(
        orrery_store::check_file(&path).unwrap(),
        orrery_store::Health::Healthy
    );
    drop(store);

    let mut bytes = std::fs::read(&path).unwrap();
    let pages = bytes.len() / 4096;
    assert!(pages > 20, "{pages} pages");
    for page in [pages / 3, pages / 2, 2 * pages / 3] {
        bytes[page * 4096..(page + 1) * 4096].fill(0x5a);
    }
    std::fs::write(&path, &bytes).unwrap();

    // It still opens (the damage is in the middle), but the quick check refuses it.
    let store = SqliteStore::open_file(&path).unwrap();
    let error = store.quick_check().unwrap_err();
    assert!(error.is_corrupt(), "{error:?}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    drop(store);
    let orrery_store::Health::Damaged(problems) = orrery_store::check_file(&path).unwrap() else {
        panic!("the full check passed a damaged file");
    };
    assert!(!problems.is_empty());

    assert_eq!(
        orrery_store::salvage_blacklist(&path),
        vec![("gone".to_owned(), Some("asked".to_owned()))]
    );
    let aside = orrery_store::move_aside(&path).unwrap();
    assert!(!path.exists() && aside.exists());
    assert!(aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("orrery.db.corrupt-"));
    assert_eq!(aside.parent(), Some(dir.path()));
    let fresh = SqliteStore::open_file(&path).unwrap();
    fresh.quick_check().unwrap();
    assert_eq!(
        orrery_store::check_file(&path).unwrap(),
        orrery_store::Health::Healthy
    );
}

#[test]
fn a_batch_is_seen_by_other_handles_once_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    let mut writer = SqliteStore::open_file(&path).unwrap();
    let reader = SqliteStore::open_file(&path).unwrap();
    writer.begin_batch().unwrap();
    writer
        .apply_feed(&update(A, 0, vec![entry("e1", Some(1), "x")]))
        .unwrap();
    assert!(all_entries(&reader, &[A]).is_empty());
    assert!(reader.feed(A).unwrap().is_none());
    writer.commit_batch().unwrap();
    assert_eq!(ids(&all_entries(&reader, &[A])), ["e1"]);
}

/// A run that dies in a batch (its connection closed without a commit) leaves the store as
/// it was before the batch.
#[test]
fn an_uncommitted_batch_is_undone_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    let mut store = SqliteStore::open_file(&path).unwrap();
    store
        .apply_feed(&update(A, 0, vec![entry("kept", Some(1), "x")]))
        .unwrap();
    store.begin_batch().unwrap();
    store
        .apply_feed(&update(A, 1, vec![entry("lost", Some(2), "y")]))
        .unwrap();
    store
        .apply_feed(&update(B, 1, vec![entry("lost-too", Some(2), "y")]))
        .unwrap();
    drop(store);
    let store = SqliteStore::open_file(&path).unwrap();
    assert_eq!(ids(&all_entries(&store, &[A, B])), ["kept"]);
    assert!(store.feed(B).unwrap().is_none());
    assert_eq!(store.recent_fetches(A, 10).unwrap().len(), 1);
    assert!(store.integrity_check().unwrap().is_empty());
}

/// One feed's write failing inside a batch is undone alone: the feeds before and after it
/// in the batch are stored.
#[test]
fn a_failed_write_in_a_batch_is_undone_alone() {
    let (dir, mut store) = temp_store();
    let raw = rusqlite::Connection::open(dir.path().join(orrery_store::DATABASE_FILE)).unwrap();
    raw.execute_batch(
        "CREATE TRIGGER poison BEFORE INSERT ON entries WHEN NEW.entry_id = 'poison'
         BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END;",
    )
    .unwrap();
    drop(raw);
    store.begin_batch().unwrap();
    store
        .apply_feed(&update(A, 0, vec![entry("a1", Some(1), "a")]))
        .unwrap();
    let error = store
        .apply_feed(&update(
            B,
            0,
            vec![entry("b1", Some(1), "b"), entry("poison", Some(2), "p")],
        ))
        .unwrap_err();
    assert!(error.to_string().contains("poisoned entry"), "{error}");
    assert!(!error.is_corrupt());
    store
        .apply_feed(&update(C, 0, vec![entry("c1", Some(1), "c")]))
        .unwrap();
    store.commit_batch().unwrap();
    assert_eq!(ids(&all_entries(&store, &[A, B, C])), ["a1", "c1"]);
    assert!(store.feed(B).unwrap().is_none());
    assert!(store.feed(C).unwrap().is_some());
}

/// The planet's store holds the planet's lock for as long as it is open.
#[test]
fn opening_a_planet_store_takes_the_planet_lock() {
    let dir = tempfile::tempdir().unwrap();
    let first = SqliteStore::open(dir.path()).unwrap();
    let error = SqliteStore::open(dir.path()).unwrap_err();
    assert!(matches!(error, Error::Locked { .. }), "{error:?}");
    assert!(
        error.to_string().contains(orrery_store::LOCK_FILE),
        "{error}"
    );
    // Reading the file without the lock is still possible (tools, status pages).
    let reader = SqliteStore::open_file(dir.path().join(orrery_store::DATABASE_FILE)).unwrap();
    assert!(reader.feeds().unwrap().is_empty());
    drop(first);
    SqliteStore::open(dir.path()).unwrap();
}

/// The library's error is wrapped: its message is kept, its type is not part of the API.
#[test]
fn database_errors_keep_the_message_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.db");
    let mut store = SqliteStore::open_file(&path).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("DROP TABLE blacklist").unwrap();
    drop(raw);
    let error = store.blacklist_add("x", None).unwrap_err();
    assert!(matches!(error, Error::Database { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("planet.db") && message.contains("blacklist"),
        "{message}"
    );
    assert!(std::error::Error::source(&error).is_some());
}
