//! The feed status page and status.json tell a blog's author, for every
//! outcome of a fetch, what happened in plain words, and never let a
//! server's text into the markup.

mod common;

use std::fs;

use common::at;
use orrery_render::{render_site, Channel, Planet, Theme};
use serde_json::Value;

/// Error text as a hostile server or feed could make it.
const HOSTILE_ERROR: &str = "not a feed (<script>alert(1)</script> & \"x\")";

fn channel(url: &str, name: &str) -> Channel {
    Channel {
        url: url.into(),
        name: name.into(),
        ..Channel::default()
    }
}

/// One subscription per outcome the pipeline can leave behind.
fn channels() -> Vec<Channel> {
    vec![
        Channel {
            link: Some("http://ok.example/".into()),
            http_status: Some(200),
            last_fetch: Some(at(27, 8, 0)),
            last_new_entry: Some(at(26, 9, 30)),
            entries_stored: Some(12),
            ..channel("http://ok.example/atom", "Fine")
        },
        Channel {
            http_status: Some(304),
            last_fetch: Some(at(27, 8, 0)),
            last_new_entry: Some(at(20, 7, 0)),
            entries_stored: Some(3),
            ..channel("http://same.example/rss", "Unchanged")
        },
        Channel {
            http_status: Some(200),
            message: Some(HOSTILE_ERROR.into()),
            last_fetch: Some(at(27, 8, 0)),
            last_new_entry: Some(at(25, 6, 0)),
            entries_stored: Some(4),
            ..channel("http://broken.example/feed", "Broken")
        },
        Channel {
            http_status: Some(404),
            message: Some("HTTP 404 Not Found".into()),
            last_fetch: Some(at(27, 8, 0)),
            entries_stored: Some(0),
            ..channel("http://missing.example/feed", "Missing")
        },
        Channel {
            http_status: Some(410),
            message: Some(
                "gone: the server answered 410 Gone; it will not be fetched again".into(),
            ),
            last_fetch: Some(at(1, 0, 0)),
            entries_stored: Some(2),
            ..channel("http://gone.example/feed", "Gone")
        },
        Channel {
            http_status: Some(429),
            message: Some(
                "HTTP 429 Too Many Requests; next attempt not before 2016-08-27 09:00 UTC".into(),
            ),
            last_fetch: Some(at(27, 7, 0)),
            entries_stored: Some(1),
            ..channel("http://busy.example/feed", "Busy")
        },
        Channel {
            http_status: Some(200),
            last_fetch: Some(at(27, 8, 0)),
            permanent_redirect: Some("https://new.example/feed?a=1&b=2".into()),
            entries_stored: Some(1),
            ..channel("http://old.example/feed", "Moved")
        },
        Channel {
            message: Some("cannot read the file: no such file".into()),
            last_fetch: Some(at(27, 8, 0)),
            entries_stored: Some(0),
            ..channel("feeds/local.xml", "Local")
        },
        Channel {
            message: Some("not fetched yet".into()),
            ..channel("https://new.example/feed", "Newcomer")
        },
    ]
}

struct Published {
    json: Value,
    html: String,
    _dir: tempfile::TempDir,
}

fn publish() -> Published {
    let dir = tempfile::tempdir().unwrap();
    let mut planet = Planet::new("Status <Test>", at(27, 8, 3));
    planet.link = "http://planet.example/".into();
    let theme = Theme::bundled("orrery").unwrap();
    render_site(&planet, &channels(), &[], &theme, dir.path()).unwrap();
    let read = |name: &str| fs::read_to_string(dir.path().join(name)).unwrap();
    Published {
        json: serde_json::from_str(&read("status.json")).unwrap(),
        html: read("status.html"),
        _dir: dir,
    }
}

fn subscription<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from status.json"))
}

/// The HTML row of subscription `name`.
fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!(">{name}<"))
        .unwrap_or_else(|| panic!("{name} missing from status.html"));
    let start = html[..start].rfind("<tr").unwrap();
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn every_outcome_has_a_reason_in_plain_words() {
    let out = publish();
    let expected = [
        ("Fine", true, None),
        ("Unchanged", true, None),
        ("Broken", false, Some(HOSTILE_ERROR)),
        (
            "Missing",
            false,
            Some("HTTP 404 Not Found (there is no feed at this address)"),
        ),
        (
            "Gone",
            false,
            Some("gone: the server answered 410 Gone; it will not be fetched again"),
        ),
        (
            "Busy",
            false,
            Some(
                "HTTP 429 Too Many Requests (the server says the planet asks too often); \
                 next attempt not before 2016-08-27 09:00 UTC",
            ),
        ),
        ("Moved", true, None),
        ("Local", false, Some("cannot read the file: no such file")),
        ("Newcomer", false, Some("not fetched yet")),
    ];
    assert_eq!(
        out.json["subscriptions"].as_array().unwrap().len(),
        expected.len()
    );
    for (name, ok, problem) in expected {
        let s = subscription(&out.json, name);
        assert_eq!(s["ok"], ok, "{name}");
        assert_eq!(s["problem"].as_str(), problem, "{name}");
        let state = row(&out.html, name);
        match problem {
            Some(_) => assert!(state.contains("<tr class=\"failing\">"), "{state}"),
            None => assert!(state.contains("<tr class=\"ok\">"), "{state}"),
        }
    }
    assert!(out.html.contains("6 of 9 subscriptions have a problem."));
    assert!(row(&out.html, "Unchanged").contains("OK, unchanged since the previous fetch"));
    assert!(row(&out.html, "Unchanged").contains("<td data-label=\"HTTP\">304 not modified</td>"));
    assert!(row(&out.html, "Missing")
        .contains("<td data-label=\"State\" class=\"state\">HTTP 404 Not Found (there is no feed at this address)"));
}

#[test]
fn dates_counts_and_redirects_are_listed() {
    let out = publish();
    let fine = subscription(&out.json, "Fine");
    assert_eq!(fine["last_fetch"], "2016-08-27T08:00:00Z");
    assert_eq!(fine["last_new_entry"], "2016-08-26T09:30:00Z");
    assert_eq!(fine["entries_stored"], 12);
    assert_eq!(fine["http_status"], 200);
    let fine = row(&out.html, "Fine");
    assert!(fine
        .contains("<time datetime=\"2016-08-26T09:30:00+00:00\">August 26, 2016 09:30 AM</time>"));
    assert!(fine.contains("<a href=\"http://ok.example/\">Fine</a>"));

    let newcomer = subscription(&out.json, "Newcomer");
    assert_eq!(newcomer["last_fetch"], Value::Null);
    assert_eq!(newcomer["last_new_entry"], Value::Null);
    let newcomer = row(&out.html, "Newcomer");
    assert!(newcomer.contains("<td data-label=\"Last fetch\">never</td>"));
    assert!(newcomer.contains("<td data-label=\"Last new entry\">none yet</td>"));

    let moved = subscription(&out.json, "Moved");
    assert_eq!(
        moved["permanent_redirect"],
        "https://new.example/feed?a=1&b=2"
    );
    assert!(row(&out.html, "Moved").contains(
        "<a href=\"https://new.example/feed?a=1&amp;b=2\">https://new.example/feed?a=1&amp;b=2</a>"
    ));
}

#[test]
fn server_text_is_escaped() {
    let out = publish();
    assert!(!out.html.contains("<script"));
    assert!(row(&out.html, "Broken")
        .contains("not a feed (&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;)"));
    assert!(out
        .html
        .contains("<title>Feed status: Status &lt;Test&gt;</title>"));
}

#[test]
fn local_files_are_named_as_written_in_the_configuration() {
    let out = publish();
    let local = subscription(&out.json, "Local");
    assert_eq!(local["url"], "feeds/local.xml");
    assert_eq!(local["file"], true);
    assert_eq!(local["http_status"], Value::Null);
    for web in ["Fine", "Newcomer"] {
        assert_eq!(subscription(&out.json, web)["file"], false, "{web}");
    }
    // Joined with the planet's address, the path would make a link to nowhere.
    let local = row(&out.html, "Local");
    assert!(
        local.contains("<code title=\"local file\">feeds/local.xml</code>"),
        "{local}"
    );
    assert!(!local.contains("href"), "{local}");
    assert!(
        local.contains("<td data-label=\"HTTP\">local file</td>"),
        "{local}"
    );
    assert!(row(&out.html, "Fine").contains("<a href=\"http://ok.example/atom\">"));
}
