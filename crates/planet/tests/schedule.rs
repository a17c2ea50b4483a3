//! Per-feed scheduling against a real HTTP server on 127.0.0.1, counting the
//! requests it gets: freshness hints are honoured by a planet on a schedule,
//! failing feeds back off, and a one-off run fetches everything but what a
//! server asked to leave alone.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{atom, outcome, Planet, Reply, Server};
use orrery_planet::{DueReason, FeedOutcome, FeedReport, Mode, Summary};

/// The planet's interval in these tests; due times are kept to the second.
const EVERY: Duration = Duration::from_secs(1);

/// A little more than [`EVERY`] between rounds.
const PAUSE: Duration = Duration::from_millis(1100);

fn report<'a>(summary: &'a Summary, url: &str) -> &'a FeedReport {
    summary.feeds.iter().find(|f| f.url == url).unwrap()
}

fn rss_with_ttl(minutes: u32) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Slow</title>\
         <link>http://slow.example/</link><ttl>{minutes}</ttl>\
         <item><guid>urn:slow:1</guid><title>Slow one</title>\
         <pubDate>Mon, 01 Apr 2024 10:00:00 GMT</pubDate></item></channel></rss>"
    )
}

#[test]
fn a_scheduled_planet_fetches_only_what_is_due() {
    let server = Server::start();
    server.set(
        "/cached.xml",
        Reply::Hinted {
            etag: "\"c1\"".into(),
            headers: "Cache-Control: public, max-age=3600\r\n".into(),
            body: atom("cached", &[("c1", "Cached one", "2024-04-01T10:00:00Z")]),
        },
    );
    server.set(
        "/plain.xml",
        Reply::Feed {
            etag: "\"p1\"".into(),
            body: atom("plain", &[("p1", "Plain one", "2024-04-02T10:00:00Z")]),
        },
    );
    server.set(
        "/slow.xml",
        Reply::Hinted {
            etag: "\"s1\"".into(),
            headers: String::new(),
            body: rss_with_ttl(60),
        },
    );
    server.set("/failing.xml", Reply::Status(500, "Internal Server Error"));
    let [cached, plain, slow, failing] =
        ["/cached.xml", "/plain.xml", "/slow.xml", "/failing.xml"].map(|p| server.url(p));
    let planet = Planet::new(
        &[
            ("Cached", cached.clone()),
            ("Plain", plain.clone()),
            ("Slow", slow.clone()),
            ("Failing", failing.clone()),
        ],
        "",
    );

    let first = planet.fetch_due(EVERY);
    let fresh = report(&first, &cached).next_due.expect("a due time");
    assert_eq!(fresh.reason, DueReason::CacheControl);
    let left = fresh.at - Utc::now();
    assert!(
        left > chrono::Duration::seconds(3590) && left <= chrono::Duration::seconds(3600),
        "{left}"
    );
    assert_eq!(
        report(&first, &slow).next_due.map(|d| d.reason),
        Some(DueReason::Ttl)
    );
    assert_eq!(
        report(&first, &plain).next_due.map(|d| d.reason),
        Some(DueReason::Interval)
    );

    let mut rounds = 1;
    let mut last = first;
    while server.requests("/failing.xml").len() < 4 {
        assert!(rounds < 12, "the failing feed was not retried in time");
        std::thread::sleep(PAUSE);
        last = planet.fetch_due(EVERY);
        rounds += 1;
    }

    // Without hints: every round. With them: once.
    assert_eq!(server.requests("/plain.xml").len(), rounds);
    assert_eq!(server.requests("/cached.xml").len(), 1);
    assert_eq!(server.requests("/slow.xml").len(), 1);
    match outcome(&last, &cached) {
        FeedOutcome::Skipped { reason } => {
            assert!(reason.contains("not due before") && reason.contains("cache-control"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(report(&last, &cached).next_due, Some(fresh));

    // Failing: retried after one round, then after growing gaps (2 and 4
    // intervals, less up to a second as due times are kept to the second).
    let gaps = server.gaps("/failing.xml");
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    // A due time kept to the second can fall before the next round even at two
    // intervals, so the first two gaps may be equal (give or take a round's
    // jitter on a loaded machine); the third is always longer.
    let jitter = Duration::from_millis(250);
    assert!(gaps[0] <= gaps[1] + jitter && gaps[1] < gaps[2], "{gaps:?}");
    assert!(
        gaps[1] >= Duration::from_secs(1) && gaps[2] >= Duration::from_secs(3),
        "{gaps:?}"
    );
    assert!(server.requests("/failing.xml").len() < rounds);

    // Feeds not fetched keep their entries on the page.
    planet.run(Mode::Offline);
    let page = planet.index();
    assert!(
        page.contains("Cached one") && page.contains("Slow one"),
        "{page}"
    );

    // A one-off run fetches every feed, conditionally; the ttl of the last
    // copy survives the 304.
    let once = planet.run(Mode::Update);
    assert_eq!(server.requests("/cached.xml"), ["", "\"c1\""]);
    assert_eq!(server.requests("/slow.xml"), ["", "\"s1\""]);
    assert_eq!(outcome(&once, &slow), &FeedOutcome::NotModified);
    assert_eq!(
        report(&once, &slow).next_due.map(|d| d.reason),
        Some(DueReason::Ttl)
    );
    // Nothing is known about the next one-off run: no hint, no time.
    assert_eq!(report(&once, &plain).next_due, None);
    assert_eq!(server.requests("/failing.xml").len(), 5);
}

#[test]
fn retry_after_binds_one_off_runs_too() {
    let server = Server::start();
    server.set(
        "/busy.xml",
        Reply::StatusWith(503, "Service Unavailable", "Retry-After: 120\r\n"),
    );
    let busy = server.url("/busy.xml");
    let planet = Planet::new(&[("Busy", busy.clone())], "");

    let first = planet.run(Mode::Update);
    assert!(matches!(outcome(&first, &busy), FeedOutcome::Failed { .. }));
    let asked = report(&first, &busy).next_due.expect("a due time");
    assert_eq!(asked.reason, DueReason::RetryAfter);
    assert!(asked.at - Utc::now() > chrono::Duration::seconds(100));

    for summary in [planet.run(Mode::Update), planet.fetch_due(EVERY)] {
        match outcome(&summary, &busy) {
            FeedOutcome::Skipped { reason } => assert!(reason.contains("asked"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(server.requests("/busy.xml").len(), 1);
}
