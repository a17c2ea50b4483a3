//! The pipeline against a real HTTP server on 127.0.0.1: conditional
//! requests, failures that keep stored entries, edits upstream, redirects,
//! 410 Gone, and publishing offline once the server is gone.

mod common;

use std::fs;

use common::{atom, outcome, Planet, Reply, Server};
use orrery_planet::{run, FeedOutcome, Mode, Quiet};

fn entries_on_page(html: &str) -> usize {
    html.matches("class=\"entrygroup\"").count()
}

#[test]
fn update_cycle_against_a_live_server() {
    let mut server = Server::start();
    let a = server.url("/a.xml");
    let b = server.url("/b.xml");
    let missing = server.url("/missing.xml");
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"a1\"".into(),
            body: atom(
                "alpha",
                &[
                    ("a1", "Alpha one", "2024-04-01T10:00:00Z"),
                    ("a2", "Alpha two", "2024-04-02T10:00:00Z"),
                ],
            ),
        },
    );
    server.set(
        "/b.xml",
        Reply::Feed {
            etag: "\"b1\"".into(),
            body: atom(
                "beta",
                &[
                    ("b1", "Beta one", "2024-04-03T10:00:00Z"),
                    ("b2", "Beta two", "2024-04-04T10:00:00Z"),
                ],
            ),
        },
    );
    let planet = Planet::new(
        &[
            ("Alpha", a.clone()),
            ("Beta", b.clone()),
            ("Missing", missing.clone()),
        ],
        "",
    );

    // First run: everything is new; the 404 does not stop the others.
    let first = planet.run(Mode::Update);
    assert_eq!(
        outcome(&first, &a),
        &FeedOutcome::Updated {
            entries: 2,
            filtered: 0,
            new: 2,
            changed: 0,
            problem: None,
            capped: None
        }
    );
    assert_eq!(
        outcome(&first, &b),
        &FeedOutcome::Updated {
            entries: 2,
            filtered: 0,
            new: 2,
            changed: 0,
            problem: None,
            capped: None
        }
    );
    match outcome(&first, &missing) {
        FeedOutcome::Failed { reason } => assert!(reason.contains("404"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(first.new_entries(), 4);
    let html = planet.index();
    assert_eq!(entries_on_page(&html), 4);
    // Newest first.
    let order: Vec<usize> = ["Beta two", "Beta one", "Alpha two", "Alpha one"]
        .iter()
        .map(|t| html.find(t).unwrap_or_else(|| panic!("{t} missing")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(server.requests("/a.xml"), [""]);

    // Second run: the validators go back and the server answers 304.
    let second = planet.run(Mode::Update);
    assert_eq!(outcome(&second, &a), &FeedOutcome::NotModified);
    assert_eq!(outcome(&second, &b), &FeedOutcome::NotModified);
    assert_eq!(second.not_modified(), 2);
    assert_eq!(server.requests("/a.xml"), ["", "\"a1\""]);
    assert_eq!(server.requests("/b.xml"), ["", "\"b1\""]);
    assert_eq!(entries_on_page(&planet.index()), 4);

    // An entry edited upstream is rewritten in place, not duplicated.
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"a2\"".into(),
            body: atom(
                "alpha",
                &[
                    ("a1", "Alpha one, corrected", "2024-04-01T12:00:00Z"),
                    ("a2", "Alpha two", "2024-04-02T10:00:00Z"),
                ],
            ),
        },
    );
    let third = planet.run(Mode::Update);
    assert_eq!(
        outcome(&third, &a),
        &FeedOutcome::Updated {
            entries: 2,
            filtered: 0,
            new: 0,
            changed: 1,
            problem: None,
            capped: None
        }
    );
    let html = planet.index();
    assert_eq!(entries_on_page(&html), 4);
    assert!(html.contains("Alpha one, corrected"));
    assert_eq!(
        html.matches("Alpha one").count(),
        html.matches("Alpha one, corrected").count()
    );

    // A feed that turns into something else keeps its entries and says why.
    server.set(
        "/b.xml",
        Reply::Feed {
            etag: "\"b2\"".into(),
            body: "<html><body>Maintenance</body></html>".into(),
        },
    );
    let fourth = planet.run(Mode::Update);
    match outcome(&fourth, &b) {
        FeedOutcome::Failed { reason } => assert!(reason.contains("not a feed"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let html = planet.index();
    assert_eq!(entries_on_page(&html), 4);
    assert!(html.contains("Beta two"));
    // The broken copy's validator was not kept: the next run asks again with
    // the last good one, gets the broken document again and still says so.
    let fifth = planet.run(Mode::Update);
    assert!(matches!(outcome(&fifth, &b), FeedOutcome::Failed { .. }));
    assert_eq!(
        server.requests("/b.xml").last().map(String::as_str),
        Some("\"b1\"")
    );

    // With the server gone, an offline run rebuilds the outputs from the store.
    server.stop();
    fs::remove_file(planet.output().join("output/index.html")).unwrap();
    let offline = planet.run(Mode::Offline);
    assert!(offline.feeds.is_empty());
    assert_eq!(offline.published.as_ref().map(|p| p.items), Some(4));
    assert_eq!(entries_on_page(&planet.index()), 4);

    // A normal run now fails every feed but still publishes what is stored.
    let down = planet.run(Mode::Update);
    assert_eq!(down.failed().count(), 3);
    assert_eq!(entries_on_page(&planet.index()), 4);
}

#[test]
fn fetch_only_stores_without_publishing() {
    let server = Server::start();
    let a = server.url("/a.xml");
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"x\"".into(),
            body: atom("alpha", &[("a1", "Alpha one", "2024-04-01T10:00:00Z")]),
        },
    );
    let planet = Planet::new(&[("Alpha", a.clone())], "");
    let fetched = planet.run(Mode::Fetch);
    assert_eq!(fetched.new_entries(), 1);
    assert!(fetched.published.is_none());
    assert!(!planet.output().join("output/index.html").exists());
    planet.run(Mode::Offline);
    assert!(planet.index().contains("Alpha one"));
}

#[test]
fn gone_feeds_are_skipped_and_moves_reported() {
    let server = Server::start();
    let gone = server.url("/gone.xml");
    let old = server.url("/old.xml");
    server.set("/gone.xml", Reply::Status(410, "Gone"));
    server.set("/old.xml", Reply::MovedPermanently(server.url("/new.xml")));
    server.set(
        "/new.xml",
        Reply::Feed {
            etag: "\"n\"".into(),
            body: atom("new", &[("n1", "Moved entry", "2024-04-01T10:00:00Z")]),
        },
    );
    let planet = Planet::new(&[("Gone", gone.clone()), ("Old", old.clone())], "");

    let first = planet.run(Mode::Update);
    assert!(
        matches!(outcome(&first, &gone), FeedOutcome::Failed { reason } if reason.contains("410"))
    );
    let moved = first.feeds.iter().find(|f| f.url == old).unwrap();
    assert_eq!(
        moved.moved_to.as_deref(),
        Some(server.url("/new.xml").as_str())
    );
    assert!(matches!(moved.outcome, FeedOutcome::Updated { new: 1, .. }));

    let second = planet.run(Mode::Update);
    assert!(matches!(
        outcome(&second, &gone),
        FeedOutcome::Skipped { .. }
    ));
    assert_eq!(server.requests("/gone.xml").len(), 1);
}

#[test]
fn filters_future_dates_and_duplicates() {
    let server = Server::start();
    let a = server.url("/a.xml");
    let copy = server.url("/copy.xml");
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"f\"".into(),
            body: atom(
                "alpha",
                &[
                    ("keep", "Release notes", "2024-04-01T10:00:00Z"),
                    ("spam", "Buy cheap pills", "2024-04-02T10:00:00Z"),
                    ("future", "Scheduled post", "2999-01-01T00:00:00Z"),
                ],
            ),
        },
    );
    // Another subscription carrying the same post (same id, link, title, date and content).
    server.set(
        "/copy.xml",
        Reply::Feed {
            etag: "\"c\"".into(),
            body: atom(
                "alpha",
                &[("keep", "Release notes", "2024-04-01T10:00:00Z")],
            ),
        },
    );
    let planet = Planet::new(
        &[("Alpha", a.clone()), ("Copy", copy)],
        "exclude = (?i)cheap\nfuture_dates = ignore_entry",
    );
    let summary = planet.run(Mode::Update);
    assert_eq!(
        outcome(&summary, &a),
        &FeedOutcome::Updated {
            entries: 2,
            filtered: 1,
            new: 1,
            changed: 0,
            problem: None,
            capped: None
        }
    );
    let html = planet.index();
    assert_eq!(html.matches("Body of Release notes").count(), 1, "{html}");
    assert!(!html.contains("cheap pills"));
    assert!(!html.contains("Scheduled post"));
    assert_eq!(entries_on_page(&html), 1);
}

#[test]
fn per_feed_cap_and_inactivity() {
    let server = Server::start();
    let a = server.url("/a.xml");
    let entries = [
        ("1", "First", "2024-04-01T10:00:00Z"),
        ("2", "Second", "2024-04-02T10:00:00Z"),
        ("3", "Third", "2024-04-03T10:00:00Z"),
    ];
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"a\"".into(),
            body: atom("alpha", &entries),
        },
    );
    let planet = Planet::new(
        &[("Alpha", a)],
        "new_feed_items = 2\nactivity_threshold = 30",
    );
    planet.run(Mode::Update);
    let html = planet.index();
    assert_eq!(entries_on_page(&html), 2);
    assert!(html.contains("Third") && html.contains("Second") && !html.contains(">First<"));
    // The newest entry is from 2024: the feed is flagged in the sidebar.
    assert!(html.contains("title=\"no activity in 30 days\""), "{html}");
}

#[test]
fn one_run_at_a_time() {
    let planet = Planet::new(&[], "");
    fs::create_dir_all(planet.output().join("cache")).unwrap();
    let _held = orrery_store::PlanetLock::acquire(
        planet.output().join("cache").join(orrery_store::LOCK_FILE),
    )
    .unwrap();
    let err = run(&planet.options(), Mode::Offline, &mut Quiet).unwrap_err();
    assert!(
        matches!(
            err,
            orrery_planet::Error::Store(orrery_store::Error::Locked { .. })
        ),
        "{err}"
    );
    assert!(!err.is_config());
}

#[test]
fn broken_configuration_is_a_config_error() {
    let planet = Planet::new(&[], "exclude = (unclosed");
    let err = run(&planet.options(), Mode::Update, &mut Quiet).unwrap_err();
    assert!(err.is_config(), "{err}");
}

#[test]
fn remote_reading_list_with_cached_fallback() {
    let server = Server::start();
    let list = server.url("/list.opml");
    server.set(
        "/a.xml",
        Reply::Feed {
            etag: "\"a\"".into(),
            body: atom("alpha", &[("1", "Listed entry", "2024-04-01T10:00:00Z")]),
        },
    );
    let opml = format!(
        "<opml version=\"1.0\"><body><outline text=\"Alpha\" type=\"rss\" xmlUrl=\"{}\"/></body></opml>",
        server.url("/a.xml")
    );
    server.set(
        "/list.opml",
        Reply::Feed {
            etag: "\"l\"".into(),
            body: opml,
        },
    );
    // The list's feed is on loopback, which only an intranet planet lets a list reach.
    let planet = Planet::with_sections(
        "allow_internal_targets = yes",
        &format!("\n[{list}]\ncontent_type = opml\n"),
    );

    let first = planet.run(Mode::Update);
    assert_eq!(first.feeds.len(), 1);
    assert_eq!(first.feeds[0].url, server.url("/a.xml"));
    assert!(planet.index().contains("Listed entry"));

    // The list's server fails: the cached copy keeps the subscriptions.
    server.set("/list.opml", Reply::Status(500, "Internal Server Error"));
    let second = planet.run(Mode::Update);
    assert_eq!(
        outcome(&second, &server.url("/a.xml")),
        &FeedOutcome::NotModified
    );
    assert!(
        second.warnings.iter().any(|w| w.contains("cached")),
        "{:?}",
        second.warnings
    );
}

#[test]
fn xml_base_feed_alternate() {
    let server = Server::start();
    let body = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>S</title>\
        <link rel=\"alternate\" href=\"http://site.example/blog/\"/>\
        <entry><id>urn:x</id><title>Pictures</title><updated>2024-04-01T10:00:00Z</updated>\
        <content type=\"html\">&lt;img src=\"pic.png\"&gt;</content></entry></feed>";
    server.set(
        "/feeds/s.xml",
        Reply::Feed {
            etag: "\"s\"".into(),
            body: body.into(),
        },
    );
    let url = server.url("/feeds/s.xml");

    let plain = Planet::new(&[("S", url.clone())], "");
    plain.run(Mode::Update);
    assert!(
        plain.index().contains(&server.url("/feeds/pic.png")),
        "{}",
        plain.index()
    );

    let rebased = Planet::new(&[("S", url)], "xml_base = feed_alternate");
    rebased.run(Mode::Update);
    assert!(
        rebased.index().contains("http://site.example/blog/pic.png"),
        "{}",
        rebased.index()
    );
}

#[test]
fn xml_base_entry_alternate_resolves_against_each_entry_link() {
    let server = Server::start();
    let body = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>S</title>\
        <link rel=\"alternate\" href=\"http://site.example/blog/\"/>\
        <entry><id>urn:one</id><title>One</title><updated>2024-04-01T10:00:00Z</updated>\
        <link rel=\"alternate\" href=\"http://site.example/2024/04/one.html\"/>\
        <content type=\"html\">&lt;img src=\"one.png\"&gt; &lt;a href=\"../more.html\"&gt;more&lt;/a&gt;</content></entry>\
        <entry><id>urn:two</id><title>Two</title><updated>2024-04-02T10:00:00Z</updated>\
        <link rel=\"alternate\" href=\"http://other.example/posts/two/\"/>\
        <content type=\"html\">&lt;img src=\"two.png\"&gt;</content></entry></feed>";
    server.set(
        "/feeds/s.xml",
        Reply::Feed {
            etag: "\"s\"".into(),
            body: body.into(),
        },
    );
    let planet = Planet::new(
        &[("S", server.url("/feeds/s.xml"))],
        "xml_base = entry_alternate",
    );
    let summary = planet.run(Mode::Update);
    assert!(
        !summary
            .warnings
            .iter()
            .any(|w| w.contains("entry_alternate")),
        "{:?}",
        summary.warnings
    );
    let index = planet.index();
    for href in [
        "src=\"http://site.example/2024/04/one.png\"",
        "href=\"http://site.example/2024/more.html\"",
        "src=\"http://other.example/posts/two/two.png\"",
    ] {
        assert!(index.contains(href), "{href} not in {index}");
    }
    assert!(!index.contains(&server.url("/feeds/one.png")), "{index}");
}

#[test]
fn a_lying_charset_header_still_yields_the_entries() {
    let server = Server::start();
    let url = server.url("/latin.xml");
    // ISO-8859-1 bytes, declared so in the document, served as UTF-8.
    let mut body = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n\
        <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Caf\xe9</title><id>urn:latin</id>\
        <updated>2024-05-01T00:00:00Z</updated><entry><id>urn:latin:1</id>"
        .to_vec();
    body.extend_from_slice(
        b"<title>Cr\xe8me br\xfbl\xe9e</title><updated>2024-05-01T00:00:00Z</updated></entry></feed>",
    );
    server.set(
        "/latin.xml",
        Reply::Raw {
            content_type: "application/atom+xml; charset=utf-8",
            body,
        },
    );
    let planet = Planet::new(&[("Latin", url.clone())], "");
    let summary = planet.run(Mode::Update);
    assert!(
        matches!(outcome(&summary, &url), FeedOutcome::Updated { new: 1, .. }),
        "{:?}",
        outcome(&summary, &url)
    );
    assert!(planet.index().contains("Crème brûlée"));
}
