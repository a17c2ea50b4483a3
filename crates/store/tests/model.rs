//! Random sequences of operations checked against a plain in-memory model of the rules in
//! the crate documentation.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::{at, entry, fetch, temp_store, update};
use orrery_store::{ApplyReport, EntryQuery, FeedFailure, HttpState, Store};
use proptest::prelude::*;

const FEEDS: [&str; 3] = [
    "https://one.example/feed",
    "https://two.example/feed",
    "https://three.example/feed",
];
const IDS: usize = 12;

/// Entry `n` always sorts at hour `n`, so no two distinct ids tie.
fn entry_id(n: usize) -> String {
    format!("id{n:02}")
}

#[derive(Debug, Clone)]
enum Op {
    Apply {
        feed: usize,
        /// (id number, body number); repeated ids exercise in-update duplicates.
        entries: Vec<(usize, u8)>,
        keep: Option<usize>,
    },
    Fail {
        feed: usize,
    },
    Blacklist(usize),
    Unblacklist(usize),
    Expunge {
        subscribed: Vec<usize>,
        keep: Option<usize>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (
            0..FEEDS.len(),
            prop::collection::vec((0..IDS, 0..3u8), 0..8),
            prop::option::of(0..6usize),
        )
            .prop_map(|(feed, entries, keep)| Op::Apply { feed, entries, keep }),
        1 => (0..FEEDS.len()).prop_map(|feed| Op::Fail { feed }),
        1 => (0..IDS).prop_map(Op::Blacklist),
        1 => (0..IDS).prop_map(Op::Unblacklist),
        1 => (
            prop::collection::vec(0..FEEDS.len(), 0..3),
            prop::option::of(0..6usize),
        )
            .prop_map(|(subscribed, keep)| Op::Expunge { subscribed, keep }),
    ]
}

/// What the store should hold: per feed, entry number → (first seen hour, body, row id).
#[derive(Default)]
struct Model {
    feeds: BTreeMap<usize, BTreeMap<usize, (i64, u8, i64)>>,
    blacklist: HashSet<usize>,
}

impl Model {
    /// SQLite's next `INTEGER PRIMARY KEY`: one more than the largest in use.
    fn next_row_id(&self) -> i64 {
        self.feeds
            .values()
            .flat_map(|s| s.values().map(|e| e.2))
            .max()
            .unwrap_or(0)
            + 1
    }

    fn apply(
        &mut self,
        feed: usize,
        entries: &[(usize, u8)],
        keep: Option<usize>,
        hour: i64,
    ) -> ApplyReport {
        let mut report = ApplyReport::default();
        // Duplicates within the update carry the same date: the first copy wins.
        let mut seen = HashSet::new();
        let mut accepted = Vec::new();
        for &(n, body) in entries {
            if !seen.insert(n) {
                report.duplicates += 1;
            } else if self.blacklist.contains(&n) {
                report.blacklisted += 1;
            } else {
                accepted.push((n, body));
            }
        }
        if let Some(keep) = keep {
            // The newest `keep` stay, in feed order (the order they are written in).
            let mut newest: Vec<usize> = accepted.iter().map(|&(n, _)| n).collect();
            newest.sort_by_key(|&n| std::cmp::Reverse(n));
            newest.truncate(keep);
            report.over_limit = accepted.len() - newest.len();
            accepted.retain(|(n, _)| newest.contains(n));
        }
        for (n, body) in accepted {
            let row_id = self.next_row_id();
            let stored = self.feeds.entry(feed).or_default();
            match stored.get_mut(&n) {
                None => {
                    stored.insert(n, (hour, body, row_id));
                    report.new += 1;
                }
                Some(existing) if existing.1 == body => report.unchanged += 1,
                Some(existing) => {
                    existing.1 = body;
                    report.updated += 1;
                }
            }
        }
        let stored = self.feeds.entry(feed).or_default();
        if let Some(keep) = keep {
            report.pruned = prune(stored, keep);
        }
        report
    }

    fn fail(&mut self, feed: usize) {
        self.feeds.entry(feed).or_default();
    }

    fn expunge(&mut self, subscribed: &[usize], keep: Option<usize>) -> (usize, usize, usize) {
        let (mut feeds, mut unsubscribed, mut over) = (0, 0, 0);
        self.feeds.retain(|feed, stored| {
            if subscribed.contains(feed) {
                over += keep.map_or(0, |keep| prune(stored, keep));
                true
            } else {
                feeds += 1;
                unsubscribed += stored.len();
                false
            }
        });
        (feeds, unsubscribed, over)
    }

    /// The river over `order`, as (feed, entry number, body): every stored entry newest
    /// first (ties: seen later first, then stored first); copies of one post (same number,
    /// same body) once, under the subscription listed first that has room; copies that only
    /// share a number each under their own feed.
    fn river(
        &self,
        order: &[usize],
        limit: usize,
        per_feed: Option<usize>,
    ) -> Vec<(usize, usize, u8)> {
        let mut position: HashMap<usize, usize> = HashMap::new();
        for (p, feed) in order.iter().enumerate() {
            position.entry(*feed).or_insert(p);
        }
        // (n, first seen, row id, feed, body)
        let mut rows: Vec<(usize, i64, i64, usize, u8)> = self
            .feeds
            .iter()
            .flat_map(|(feed, stored)| {
                stored
                    .iter()
                    .map(move |(n, &(first, body, row))| (*n, first, row, *feed, body))
            })
            .collect();
        rows.sort_by_key(|&(n, first, row, _, _)| {
            (std::cmp::Reverse(n), std::cmp::Reverse(first), row)
        });
        let per_feed = per_feed.unwrap_or(usize::MAX);
        let mut taken: HashMap<usize, usize> = HashMap::new();
        let mut done: HashSet<(usize, u8)> = HashSet::new();
        let mut river = Vec::new();
        for &(n, _, _, feed, body) in &rows {
            if river.len() >= limit {
                break;
            }
            if !position.contains_key(&feed) || done.contains(&(n, body)) {
                continue;
            }
            done.insert((n, body));
            let home = rows
                .iter()
                .filter(|r| r.0 == n && r.4 == body)
                .filter_map(|r| position.get(&r.3).map(|&p| (p, r.3)))
                .filter(|(_, f)| taken.get(f).copied().unwrap_or(0) < per_feed)
                .min();
            if let Some((_, home)) = home {
                *taken.entry(home).or_insert(0) += 1;
                river.push((home, n, body));
            }
        }
        river
    }
}

/// Keeps the `keep` highest entry numbers (the newest sort dates).
fn prune(stored: &mut BTreeMap<usize, (i64, u8, i64)>, keep: usize) -> usize {
    let excess = stored.len().saturating_sub(keep);
    let doomed: Vec<usize> = stored.keys().take(excess).copied().collect();
    for n in &doomed {
        stored.remove(n);
    }
    doomed.len()
}

fn body(n: usize, version: u8) -> String {
    format!("entry {n} version {version}")
}

fn store_river(
    store: &dyn Store,
    order: &[usize],
    limit: usize,
    per_feed: Option<usize>,
) -> Vec<(usize, usize, u8)> {
    let subscriptions: Vec<String> = order.iter().map(|&f| FEEDS[f].to_owned()).collect();
    store
        .newest_entries(&EntryQuery {
            subscriptions: &subscriptions,
            limit,
            per_feed_limit: per_feed,
            share_limit: None,
        })
        .unwrap()
        .into_iter()
        .map(|e| {
            let feed = FEEDS.iter().position(|url| *url == e.feed_url).unwrap();
            let n: usize = e.id.trim_start_matches("id").parse().unwrap();
            let version = (0..3u8)
                .find(|&v| e.content.as_deref() == Some(&body(n, v)))
                .unwrap();
            (feed, n, version)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn store_follows_the_model(
        ops in prop::collection::vec(op(), 1..25),
        order in Just([0usize, 1, 2]).prop_shuffle(),
        limit in 0..20usize,
        per_feed in prop::option::of(1..5usize),
    ) {
        let (_dir, mut store) = temp_store();
        let mut model = Model::default();
        for (hour, op) in (0..).zip(&ops) {
            match op {
                Op::Apply { feed, entries, keep } => {
                    let new_entries = entries
                        .iter()
                        .map(|&(n, v)| entry(&entry_id(n), Some(i64::try_from(n).unwrap()), &body(n, v)))
                        .collect();
                    let mut next = update(FEEDS[*feed], hour, new_entries);
                    next.keep = *keep;
                    let got = store.apply_feed(&next).unwrap();
                    prop_assert_eq!(got, model.apply(*feed, entries, *keep, hour));
                }
                Op::Fail { feed } => {
                    store.record_failure(&FeedFailure {
                        url: FEEDS[*feed].to_owned(),
                        error: "down".to_owned(),
                        http: HttpState::default(),
                        fetch: fetch(hour),
                    }).unwrap();
                    model.fail(*feed);
                }
                Op::Blacklist(n) => {
                    let removed = store.blacklist_add(&entry_id(*n), None).unwrap();
                    let expected = model.feeds.values_mut().filter_map(|s| s.remove(n)).count();
                    model.blacklist.insert(*n);
                    prop_assert_eq!(removed, expected);
                }
                Op::Unblacklist(n) => {
                    prop_assert_eq!(store.blacklist_remove(&entry_id(*n)).unwrap(), model.blacklist.remove(n));
                }
                Op::Expunge { subscribed, keep } => {
                    let urls: Vec<String> = subscribed.iter().map(|&f| FEEDS[f].to_owned()).collect();
                    let got = store.expunge(&urls, *keep).unwrap();
                    let (feeds, unsubscribed, over) = model.expunge(subscribed, *keep);
                    prop_assert_eq!(
                        (got.feeds_removed, got.entries_unsubscribed, got.entries_over_limit),
                        (feeds, unsubscribed, over)
                    );
                }
            }
            prop_assert_eq!(
                store_river(&store, &order, limit, per_feed),
                model.river(&order, limit, per_feed)
            );
        }
        for feed in store.feeds().unwrap() {
            let index = FEEDS.iter().position(|url| *url == feed.url).unwrap();
            let stored = model.feeds.get(&index).cloned().unwrap_or_default();
            prop_assert_eq!(usize::try_from(feed.health.entry_count).unwrap(), stored.len());
        }
        // First-seen times survive edits.
        let all: Vec<String> = FEEDS.iter().map(|u| (*u).to_owned()).collect();
        for e in store.newest_entries(&EntryQuery { subscriptions: &all, limit: usize::MAX, per_feed_limit: None, share_limit: None }).unwrap() {
            let feed = FEEDS.iter().position(|url| *url == e.feed_url).unwrap();
            let n: usize = e.id.trim_start_matches("id").parse().unwrap();
            let first_seen = model.feeds.get(&feed).and_then(|s| s.get(&n)).map(|s| s.0);
            prop_assert_eq!(Some(e.first_seen), first_seen.map(at));
        }
        prop_assert!(store.integrity_check().unwrap().is_empty());
    }
}
