//! The store's behaviour, against the [`Store`] trait only: every backend runs these
//! functions on a fresh, empty store of its own (`tests/sqlite.rs` for SQLite, through
//! `backend_suite!`).
#![allow(dead_code)] // each test binary uses its own subset

use orrery_store::{
    ApplyReport, EntryQuery, ExpungeReport, FeedFailure, HttpState, Store, StoredEntry,
    MAX_ENTRY_BYTES, MAX_ERROR_BYTES, MAX_ID_BYTES,
};

use crate::common::{at, entry, fetch, subscriptions, update};

/// Defines one `#[test]` per suite function, each on the fresh store `$fresh` makes (an
/// expression; what it returns must live as long as the test and deref to the store).
#[macro_export]
macro_rules! backend_suite {
    ($fresh:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let mut fresh = $fresh;
                $crate::suite::$name(&mut *fresh);
            }
        )*
    };
}

pub const A: &str = "https://a.example/feed";
pub const B: &str = "https://b.example/feed";
pub const C: &str = "https://c.example/feed";

pub fn all_entries(store: &dyn Store, urls: &[&str]) -> Vec<StoredEntry> {
    let subscribed = subscriptions(urls);
    store
        .newest_entries(&EntryQuery {
            subscriptions: &subscribed,
            limit: usize::MAX,
            per_feed_limit: None,
            share_limit: None,
        })
        .unwrap()
}

pub fn ids(entries: &[StoredEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.id.as_str()).collect()
}

pub fn failure(url: &str, hours: i64, error: &str) -> FeedFailure {
    FeedFailure {
        url: url.to_owned(),
        error: error.to_owned(),
        http: HttpState {
            etag: Some("\"v1\"".to_owned()),
            ..HttpState::default()
        },
        fetch: orrery_store::FetchRecord {
            http_status: Some(500),
            ..fetch(hours)
        },
    }
}

pub fn counts_new_unchanged_and_edited_entries_and_keeps_first_seen(store: &mut dyn Store) {
    let first = vec![
        entry("e1", Some(1), "one"),
        entry("e2", Some(2), "two"),
        entry("e3", Some(3), "three"),
    ];
    let report = store.apply_feed(&update(A, 10, first.clone())).unwrap();
    assert_eq!(
        report,
        ApplyReport {
            new: 3,
            ..ApplyReport::default()
        }
    );

    let report = store.apply_feed(&update(A, 11, first.clone())).unwrap();
    assert_eq!(
        report,
        ApplyReport {
            unchanged: 3,
            ..ApplyReport::default()
        }
    );

    // e2 edited, e3 gone from the feed, e4 new.
    let second = vec![
        entry("e1", Some(1), "one"),
        entry("e2", Some(2), "two, corrected"),
        entry("e4", Some(4), "four"),
    ];
    let report = store.apply_feed(&update(A, 12, second)).unwrap();
    assert_eq!(
        report,
        ApplyReport {
            new: 1,
            updated: 1,
            unchanged: 1,
            ..ApplyReport::default()
        }
    );

    let stored = all_entries(store, &[A]);
    assert_eq!(ids(&stored), ["e4", "e3", "e2", "e1"]);
    let e2 = stored.iter().find(|entry| entry.id == "e2").unwrap();
    assert_eq!(e2.content.as_deref(), Some("two, corrected"));
    assert_eq!(e2.data["content"], "two, corrected");
    assert_eq!(e2.first_seen, at(10));
    assert_eq!(e2.last_changed, at(12));
    let e4 = stored.iter().find(|entry| entry.id == "e4").unwrap();
    assert_eq!((e4.first_seen, e4.last_changed), (at(12), at(12)));
}

pub fn any_stored_field_change_counts_as_an_edit(store: &mut dyn Store) {
    let original = orrery_store::NewEntry {
        summary: Some("ab".to_owned()),
        ..entry("e1", Some(1), "cd")
    };
    let variants = [
        orrery_store::NewEntry {
            title: None,
            ..original.clone()
        },
        orrery_store::NewEntry {
            sort_date: Some(at(2)),
            ..original.clone()
        },
        orrery_store::NewEntry {
            data: serde_json::json!({ "id": "e1", "extra": true }),
            ..original.clone()
        },
        // Bytes moved from one field to the next must not hash the same.
        orrery_store::NewEntry {
            summary: Some("a".to_owned()),
            content: Some("bcd".to_owned()),
            ..original.clone()
        },
    ];
    store
        .apply_feed(&update(A, 0, vec![original.clone()]))
        .unwrap();
    for (hours, variant) in (1..).step_by(2).zip(variants) {
        let report = store.apply_feed(&update(A, hours, vec![variant])).unwrap();
        assert_eq!(report.updated, 1, "variant at hour {hours}");
        let report = store
            .apply_feed(&update(A, hours + 1, vec![original.clone()]))
            .unwrap();
        assert_eq!(report.updated, 1, "original after hour {hours}");
    }
}

pub fn an_undated_entry_sorts_by_first_seen_and_stays_there(store: &mut dyn Store) {
    store
        .apply_feed(&update(A, 5, vec![entry("undated", None, "x")]))
        .unwrap();
    store
        .apply_feed(&update(
            A,
            50,
            vec![entry("undated", None, "x"), entry("dated", Some(20), "y")],
        ))
        .unwrap();
    let stored = all_entries(store, &[A]);
    assert_eq!(ids(&stored), ["dated", "undated"]);
    assert_eq!(stored.get(1).unwrap().sort_date, at(5));
}

pub fn a_failure_keeps_entries_and_metadata_and_is_shown_in_health(store: &mut dyn Store) {
    store
        .apply_feed(&update(A, 1, vec![entry("e1", Some(1), "x")]))
        .unwrap();
    store.record_failure(&failure(A, 2, "500: boom")).unwrap();
    store.record_failure(&failure(A, 3, "timed out")).unwrap();

    assert_eq!(ids(&all_entries(store, &[A])), ["e1"]);
    let feed = store.feed(A).unwrap().unwrap();
    assert_eq!(
        feed.metadata.title.as_deref(),
        Some("feed https://a.example/feed")
    );
    assert_eq!(feed.health.last_error.as_deref(), Some("timed out"));
    assert_eq!(feed.health.consecutive_failures, 2);
    assert_eq!(feed.health.last_http_status, Some(500));
    assert_eq!(feed.health.last_fetch_at, Some(at(3)));
    assert_eq!(feed.health.last_success_at, Some(at(1)));
    assert_eq!(feed.health.first_added, at(1));
    assert_eq!(feed.health.entry_count, 1);
    assert_eq!(feed.health.newest_entry, Some(at(1)));

    // A 304 carries no metadata: the stored metadata stays, the failure streak ends.
    let mut not_modified = update(A, 4, Vec::new());
    not_modified.metadata = None;
    not_modified.fetch.http_status = Some(304);
    store.apply_feed(&not_modified).unwrap();
    let feed = store.feed(A).unwrap().unwrap();
    assert_eq!(feed.metadata.format.as_deref(), Some("atom10"));
    assert_eq!(feed.metadata.data["title"], "feed https://a.example/feed");
    assert_eq!(feed.health.last_error, None);
    assert_eq!(feed.health.consecutive_failures, 0);
    assert_eq!(feed.health.last_success_at, Some(at(4)));
    assert_eq!(feed.health.last_http_status, Some(304));

    let history = store.recent_fetches(A, 10).unwrap();
    let errors: Vec<Option<&str>> = history.iter().map(|f| f.error.as_deref()).collect();
    assert_eq!(errors, [None, Some("timed out"), Some("500: boom"), None]);
}

pub fn a_feed_that_never_succeeded_has_empty_metadata(store: &mut dyn Store) {
    let mut gone = failure(A, 1, "410: gone");
    gone.http.gone = true;
    gone.http.final_url = Some("https://a.example/new".to_owned());
    store.record_failure(&gone).unwrap();
    let feed = store.feed(A).unwrap().unwrap();
    assert_eq!(feed.metadata, orrery_store::FeedMetadata::default());
    assert_eq!(feed.http, gone.http);
    assert_eq!(feed.health.last_success_at, None);
    assert!(store.feed(B).unwrap().is_none());
}

pub fn fetch_history_and_error_text_are_bounded(store: &mut dyn Store) {
    let long_error = "é".repeat(MAX_ERROR_BYTES); // two bytes each
    for hour in 0..(orrery_store::FETCH_HISTORY as i64 + 5) {
        store
            .record_failure(&failure(A, hour, &long_error))
            .unwrap();
    }
    let history = store.recent_fetches(A, usize::MAX).unwrap();
    assert_eq!(history.len(), orrery_store::FETCH_HISTORY);
    assert_eq!(
        history.first().unwrap().record.at,
        at(orrery_store::FETCH_HISTORY as i64 + 4)
    );
    let stored = store.feed(A).unwrap().unwrap().health.last_error.unwrap();
    assert_eq!(stored.len(), MAX_ERROR_BYTES);
    assert!(long_error.starts_with(&stored));
}

pub fn invalid_oversized_and_duplicate_entries_are_screened(store: &mut dyn Store) {
    let mut older_copy = entry("dup", Some(1), "old copy");
    older_copy.updated = Some(at(1));
    let mut newer_copy = entry("dup", Some(1), "new copy");
    newer_copy.updated = Some(at(9));
    let mut tie = entry(
        "dup",
        Some(1),
        "as recent as the kept copy, later in the feed",
    );
    tie.updated = Some(at(9));
    let entries = vec![
        entry("", Some(1), "no id"),
        entry(&"i".repeat(MAX_ID_BYTES + 1), Some(1), "huge id"),
        entry("big", Some(1), &"x".repeat(MAX_ENTRY_BYTES)),
        older_copy,
        newer_copy,
        tie,
    ];
    let report = store.apply_feed(&update(A, 0, entries)).unwrap();
    assert_eq!(
        report,
        ApplyReport {
            new: 1,
            rejected: 2,
            oversized: 1,
            duplicates: 2,
            ..ApplyReport::default()
        }
    );
    let stored = all_entries(store, &[A]);
    assert_eq!(ids(&stored), ["dup"]);
    assert_eq!(stored.first().unwrap().content.as_deref(), Some("new copy"));
    // The dropped entry is said on the feed's health, without counting as a failure.
    let health = store.feed(A).unwrap().unwrap().health;
    assert_eq!(
        health.last_error.as_deref(),
        Some("1 entry larger than 4 MiB not stored")
    );
    assert_eq!(health.consecutive_failures, 0);
    // The next copy without it clears the note.
    store.apply_feed(&update(A, 1, Vec::new())).unwrap();
    assert_eq!(store.feed(A).unwrap().unwrap().health.last_error, None);
}

pub fn keep_bytes_bounds_what_a_feed_keeps_run_after_run(store: &mut dyn Store) {
    let body = "x".repeat(1000);
    let size = |store: &dyn Store| -> usize {
        all_entries(store, &[A])
            .iter()
            .map(|e| e.content.as_deref().map_or(0, str::len))
            .sum()
    };
    for run in 0..5_i64 {
        let entries = (0..3)
            .map(|n| entry(&format!("r{run}e{n}"), Some(run * 10 + n), &body))
            .collect();
        let mut next = update(A, run, entries);
        next.keep_bytes = Some(7000);
        store.apply_feed(&next).unwrap();
        // Each entry costs its 1000-byte body plus title and JSON data: at
        // most six fit, and the newest ones are the ones kept.
        let stored = all_entries(store, &[A]);
        assert!(size(store) <= 7000, "run {run}: {} bytes", size(store));
        assert_eq!(
            ids(&stored).first().copied(),
            Some(format!("r{run}e2").as_str())
        );
    }
    let stored = all_entries(store, &[A]);
    assert!((3..=6).contains(&stored.len()), "{}", stored.len());
    // However small the budget, the entries of the current document stay, and
    // fetching the same document again finds nothing new: no churn.
    let document = vec![
        entry("last", Some(99), &body),
        entry("older", Some(98), &body),
    ];
    for (hours, new) in [(9, 2), (10, 0)] {
        let mut tiny = update(A, hours, document.clone());
        tiny.keep_bytes = Some(1);
        let report = store.apply_feed(&tiny).unwrap();
        assert_eq!(report.new, new, "fetch at {hours}h");
        assert_eq!(ids(&all_entries(store, &[A])), ["last", "older"]);
    }
}

pub fn keep_stores_only_the_newest_entries_without_churn(store: &mut dyn Store) {
    let feed: Vec<_> = (1..=10)
        .map(|n| entry(&format!("e{n}"), Some(n), "x"))
        .collect();
    let mut first = update(A, 100, feed.clone());
    first.keep = Some(3);
    let report = store.apply_feed(&first).unwrap();
    assert_eq!((report.new, report.over_limit, report.pruned), (3, 7, 0));
    assert_eq!(ids(&all_entries(store, &[A])), ["e10", "e9", "e8"]);

    let mut again = update(A, 101, feed.clone());
    again.keep = Some(3);
    let report = store.apply_feed(&again).unwrap();
    assert_eq!((report.new, report.unchanged, report.over_limit), (0, 3, 7));

    // Two newer entries arrive; the feed now only carries e6..e12.
    let mut later: Vec<_> = (6..=12)
        .map(|n| entry(&format!("e{n}"), Some(n), "x"))
        .collect();
    later.reverse();
    let mut third = update(A, 102, later);
    third.keep = Some(3);
    let report = store.apply_feed(&third).unwrap();
    assert_eq!(
        (
            report.new,
            report.unchanged,
            report.over_limit,
            report.pruned
        ),
        (2, 1, 4, 2)
    );
    assert_eq!(ids(&all_entries(store, &[A])), ["e12", "e11", "e10"]);
}

pub fn expunge_removes_unsubscribed_feeds_and_applies_the_limit(store: &mut dyn Store) {
    for (url, prefix) in [(A, "a"), (B, "b")] {
        let entries = (1..=4)
            .map(|n| entry(&format!("{prefix}{n}"), Some(n), "x"))
            .collect();
        store.apply_feed(&update(url, 0, entries)).unwrap();
    }
    store.record_failure(&failure(C, 0, "dns")).unwrap();

    let report = store.expunge(&subscriptions(&[A]), Some(2)).unwrap();
    assert_eq!(
        report,
        ExpungeReport {
            feeds_removed: 2,
            entries_unsubscribed: 4,
            entries_over_limit: 2,
        }
    );
    let urls: Vec<String> = store.feeds().unwrap().into_iter().map(|f| f.url).collect();
    assert_eq!(urls, [A]);
    assert_eq!(ids(&all_entries(store, &[A, B])), ["a4", "a3"]);
    assert!(store.recent_fetches(B, 10).unwrap().is_empty());

    let report = store.expunge(&subscriptions(&[A]), None).unwrap();
    assert_eq!(report, ExpungeReport::default());
    assert!(store.integrity_check().unwrap().is_empty());
}

pub fn blacklisted_ids_are_never_stored_and_removed_when_added(store: &mut dyn Store) {
    store.blacklist_add("spam", Some("advert")).unwrap();
    let report = store
        .apply_feed(&update(
            A,
            0,
            vec![entry("spam", Some(1), "x"), entry("ham", Some(1), "y")],
        ))
        .unwrap();
    assert_eq!((report.new, report.blacklisted), (1, 1));

    store
        .apply_feed(&update(B, 0, vec![entry("ham", Some(1), "y")]))
        .unwrap();
    assert_eq!(store.blacklist_add("ham", None).unwrap(), 2);
    assert!(all_entries(store, &[A, B]).is_empty());
    let listed: Vec<String> = store
        .blacklist()
        .unwrap()
        .into_iter()
        .map(|b| b.entry_id)
        .collect();
    assert_eq!(listed, ["ham", "spam"]);
    assert_eq!(
        store.blacklist().unwrap().last().unwrap().reason.as_deref(),
        Some("advert")
    );

    assert!(store.blacklist_remove("spam").unwrap());
    assert!(!store.blacklist_remove("spam").unwrap());
    let report = store
        .apply_feed(&update(A, 1, vec![entry("spam", Some(1), "x")]))
        .unwrap();
    assert_eq!(report.new, 1);
}

pub fn newest_entries_are_ordered_filtered_and_limited(store: &mut dyn Store) {
    store
        .apply_feed(&update(
            A,
            100,
            vec![
                entry("a-tie-1", Some(5), "x"),
                entry("a-tie-2", Some(5), "x"),
                entry("a-old", Some(1), "x"),
                entry("a-new", Some(9), "x"),
            ],
        ))
        .unwrap();
    store
        .apply_feed(&update(B, 200, vec![entry("b-tie", Some(5), "x")]))
        .unwrap();
    store
        .apply_feed(&update(C, 0, vec![entry("c-newest", Some(50), "x")]))
        .unwrap();

    // Equal sort dates: most recently seen first, then feed order.
    assert_eq!(
        ids(&all_entries(store, &[A, B])),
        ["a-new", "b-tie", "a-tie-1", "a-tie-2", "a-old"]
    );
    let subscribed = subscriptions(&[A, B, C]);
    let limited = store
        .newest_entries(&EntryQuery {
            subscriptions: &subscribed,
            limit: 3,
            per_feed_limit: Some(1),
            share_limit: None,
        })
        .unwrap();
    assert_eq!(ids(&limited), ["c-newest", "a-new", "b-tie"]);
    assert!(all_entries(store, &[]).is_empty());
    assert!(all_entries(store, &["https://unknown.example/"]).is_empty());
}

pub fn the_same_post_reached_through_two_subscriptions_is_returned_once(store: &mut dyn Store) {
    // B is a planet republishing A's post, identically, a day later.
    store
        .apply_feed(&update(A, 10, vec![entry("post", Some(1), "text")]))
        .unwrap();
    store
        .apply_feed(&update(
            B,
            34,
            vec![entry("post", Some(1), "text"), entry("b-own", Some(2), "b")],
        ))
        .unwrap();

    let pair = |id: &str, url: &str| (id.to_owned(), url.to_owned());
    assert_eq!(from(store, &[A, B]), [pair("b-own", B), pair("post", A)]);
    assert_eq!(from(store, &[B, A]), [pair("b-own", B), pair("post", B)]);
    // Listed twice, a subscription still yields each entry once.
    assert_eq!(from(store, &[B, A, B]), [pair("b-own", B), pair("post", B)]);
    // Unsubscribed copies never hide subscribed ones.
    assert_eq!(from(store, &[A]), [pair("post", A)]);
    assert!(store
        .id_collisions(&subscriptions(&[A, B]))
        .unwrap()
        .is_empty());
}

fn from(store: &dyn Store, order: &[&str]) -> Vec<(String, String)> {
    all_entries(store, order)
        .into_iter()
        .map(|e| (e.id, e.feed_url))
        .collect()
}

pub fn a_reused_id_neither_replaces_nor_hides_the_other_feeds_post(store: &mut dyn Store) {
    store
        .apply_feed(&update(B, 10, vec![entry("victim-post", Some(5), "real")]))
        .unwrap();
    // A, listed first, reuses the id: once with forged content, once dated 1970.
    store
        .apply_feed(&update(
            A,
            11,
            vec![entry("victim-post", Some(5), "forged")],
        ))
        .unwrap();
    let mut old = entry("victim-post", Some(-500_000), "real");
    old.updated = Some(at(-500_000));
    store.apply_feed(&update(C, 12, vec![old])).unwrap();

    let river = all_entries(store, &[A, C, B]);
    let shown: Vec<(&str, Option<&str>)> = river
        .iter()
        .map(|e| (e.feed_url.as_str(), e.content.as_deref()))
        .collect();
    assert_eq!(
        shown,
        [(A, Some("forged")), (B, Some("real")), (C, Some("real"))]
    );
    // On a short page the 1970 copy is the one left out, not the victim's post.
    let short = store
        .newest_entries(&EntryQuery {
            subscriptions: &subscriptions(&[C, A, B]),
            limit: 2,
            per_feed_limit: None,
            share_limit: None,
        })
        .unwrap();
    assert!(short
        .iter()
        .any(|e| e.feed_url == B && e.content.as_deref() == Some("real")));

    let collisions = store.id_collisions(&subscriptions(&[A, B, C])).unwrap();
    let pairs: Vec<(&str, &str, usize)> = collisions
        .iter()
        .map(|c| (c.feed_url.as_str(), c.other_feed_url.as_str(), c.shared_ids))
        .collect();
    assert_eq!(
        pairs,
        [
            (A, B, 1),
            (A, C, 1),
            (B, A, 1),
            (B, C, 1),
            (C, A, 1),
            (C, B, 1)
        ]
    );
    assert_eq!(collisions[0].example_id, "victim-post");
    // Only subscribed feeds are named.
    assert_eq!(store.id_collisions(&subscriptions(&[A])).unwrap(), []);
}

pub fn a_flooding_feed_keeps_its_share_and_pushes_no_newest_entry_off(store: &mut dyn Store) {
    // B and C post now and then; A posts 50 entries newer than all of theirs.
    store
        .apply_feed(&update(
            B,
            1,
            (0..4)
                .map(|n| entry(&format!("b{n}"), Some(n), "b"))
                .collect(),
        ))
        .unwrap();
    store
        .apply_feed(&update(
            C,
            1,
            (0..4)
                .map(|n| entry(&format!("c{n}"), Some(10 + n), "c"))
                .collect(),
        ))
        .unwrap();
    store
        .apply_feed(&update(
            A,
            1,
            (0..50)
                .map(|n| entry(&format!("a{n}"), Some(100 + n), "a"))
                .collect(),
        ))
        .unwrap();
    let subscribed = subscriptions(&[A, B, C]);
    let river = |limit: usize, share: Option<usize>| -> Vec<String> {
        store
            .newest_entries(&EntryQuery {
                subscriptions: &subscribed,
                limit,
                per_feed_limit: None,
                share_limit: share,
            })
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    // Without a share, A fills the page.
    assert!(river(10, None).iter().all(|id| id.starts_with('a')));
    // With a share of 3 out of 10: A's newest 3 first, then B's and C's entries, newest
    // first, A's again only where room is left; the order is the river's.
    assert_eq!(
        river(10, Some(3)),
        ["a49", "a48", "a47", "c3", "c2", "c1", "c0", "b3", "b2", "b1"]
    );
    // On a short page, the newest entry each other feed had there without A stays.
    // (Without A, a page of 5 shows c3 to c0 and b3.)
    assert_eq!(river(5, Some(3)), ["a49", "a48", "a47", "c3", "b3"]);
    // With room to spare, the flooding feed fills it.
    let long = river(30, Some(3));
    assert_eq!(long.len(), 30);
    assert_eq!(long.iter().filter(|id| id.starts_with('a')).count(), 22);
    assert_eq!(long.first().map(String::as_str), Some("a49"));
    // A share no feed exceeds changes nothing.
    assert_eq!(river(10, Some(10)), river(10, None));
}

pub fn integrity_holds_after_many_updates(store: &mut dyn Store) {
    for round in 0..60_i64 {
        for (feed, url) in [A, B, C].into_iter().enumerate() {
            let entries = (0..25_i64)
                .map(|n| {
                    // Every third entry changes each round; ids overlap across feeds.
                    let body = if n % 3 == 0 {
                        format!("r{round}")
                    } else {
                        "same".into()
                    };
                    entry(&format!("e{}", n + feed as i64 * 10), Some(n), &body)
                })
                .collect();
            let mut next = update(url, round, entries);
            next.keep = Some(20);
            store.apply_feed(&next).unwrap();
        }
        if round % 10 == 0 {
            store.record_failure(&failure(B, round, "flaky")).unwrap();
            store.blacklist_add(&format!("e{round}"), None).unwrap();
        }
    }
    store.expunge(&subscriptions(&[A, C]), Some(15)).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    let counts: Vec<u64> = store
        .feeds()
        .unwrap()
        .iter()
        .map(|f| f.health.entry_count)
        .collect();
    assert_eq!(counts, [15, 15]);
}

pub fn text_and_data_round_trip_exactly(store: &mut dyn Store) {
    let mut odd = entry(
        "tag:x,2024:\u{0}id/é?a=1&b=2",
        Some(-100_000),
        "nul \u{0} byte, emoji 🪐, rtl \u{202e}",
    );
    odd.published = Some(at(-200_000));
    odd.summary = Some(String::new());
    odd.data = serde_json::json!({
        "nested": { "list": [1, 2.5, null, true, "🪐"] },
        "html": "<p title=\"q\">&amp;</p>",
    });
    store.apply_feed(&update(A, 0, vec![odd.clone()])).unwrap();
    let stored = all_entries(store, &[A]);
    let got = stored.first().unwrap();
    assert_eq!(got.id, odd.id);
    assert_eq!(got.content, odd.content);
    assert_eq!(got.summary.as_deref(), Some(""));
    assert_eq!(got.data, odd.data);
    assert_eq!(
        (got.sort_date, got.published),
        (at(-100_000), at(-200_000).into())
    );
    let report = store.apply_feed(&update(A, 1, vec![odd])).unwrap();
    assert_eq!(report.unchanged, 1);
}

/// Writes in a batch read what the batch wrote before them, report what they would report
/// one by one, and are all there once it is committed.
pub fn a_batch_stores_what_single_writes_store(store: &mut dyn Store) {
    let entries = vec![entry("e1", Some(1), "one"), entry("e2", Some(2), "two")];
    store.begin_batch().unwrap();
    // A second begin is harmless: the batch stays one.
    store.begin_batch().unwrap();
    let first = store.apply_feed(&update(A, 1, entries.clone())).unwrap();
    store.record_failure(&failure(B, 1, "timed out")).unwrap();
    let again = store.apply_feed(&update(A, 2, entries)).unwrap();
    assert_eq!(
        store.feed(B).unwrap().unwrap().health.consecutive_failures,
        1
    );
    store.commit_batch().unwrap();
    // Nothing open: a commit does nothing.
    store.commit_batch().unwrap();
    assert_eq!((first.new, again.unchanged), (2, 2));
    assert_eq!(ids(&all_entries(store, &[A, B])), ["e2", "e1"]);
    let feed = store.feed(A).unwrap().unwrap();
    assert_eq!(feed.health.last_success_at, Some(at(2)));
    assert_eq!(store.recent_fetches(A, 10).unwrap().len(), 2);

    // After the batch, writes are single again and durable at once.
    store
        .apply_feed(&update(C, 3, vec![entry("c1", Some(3), "c")]))
        .unwrap();
    assert_eq!(ids(&all_entries(store, &[C])), ["c1"]);
    store.finish_batches().unwrap();
    assert!(store.integrity_check().unwrap().is_empty());
}

/// The batcher commits after its number of feeds or its delay, whichever comes first.
pub fn the_batcher_commits_by_count_and_by_time(store: &mut dyn Store) {
    let policy = orrery_store::BatchPolicy {
        max_feeds: 2,
        max_delay: std::time::Duration::from_secs(3600),
    };
    let mut batcher = orrery_store::Batcher::new(store, policy);
    assert!(!batcher.pending() && !batcher.due() && batcher.due_in().is_none());
    batcher
        .apply_feed(&update(A, 1, vec![entry("a1", Some(1), "a")]))
        .unwrap();
    assert!(batcher.pending() && !batcher.due());
    assert!(batcher.due_in().unwrap() > std::time::Duration::from_secs(3000));
    batcher.record_failure(&failure(B, 1, "down")).unwrap();
    assert!(batcher.due());
    batcher.commit().unwrap();
    assert!(!batcher.pending() && !batcher.due());
    batcher.finish().unwrap();

    let by_time = orrery_store::BatchPolicy {
        max_feeds: 1000,
        max_delay: std::time::Duration::ZERO,
    };
    let mut batcher = orrery_store::Batcher::new(store, by_time);
    batcher
        .apply_feed(&update(C, 2, vec![entry("c1", Some(2), "c")]))
        .unwrap();
    assert!(batcher.due());
    batcher.finish().unwrap();
    assert_eq!(ids(&all_entries(store, &[A, B, C])), ["c1", "a1"]);
    assert_eq!(
        store.feed(B).unwrap().unwrap().health.consecutive_failures,
        1
    );
}
