//! The feed status page, end to end: feeds served by a real HTTP server on
//! 127.0.0.1 and local files, stored in a real SQLite store over several
//! runs, published as status.html and status.json.

mod common;

use std::fs;
use std::path::Path;

use orrery_planet::{FeedOutcome, Mode, Summary};
use serde_json::Value;

use common::{outcome, Reply, Server};

/// A feed served with a validator, so a second run gets a 304.
fn feed(body: String) -> Reply {
    Reply::Feed {
        etag: "\"v1\"".into(),
        body,
    }
}

/// An Atom feed with one entry per id.
fn atom(name: &str, ids: &[&str]) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{name}</title><id>urn:feed:{name}</id><updated>2024-05-01T00:00:00Z</updated>\
         <link href=\"http://{name}.example/\"/>"
    );
    for id in ids {
        doc.push_str(&format!(
            "<entry><id>urn:entry:{id}</id><title>Post {id}</title>\
             <updated>2024-04-0{}T12:00:00Z</updated><link href=\"http://{name}.example/{id}\"/>\
             <content type=\"html\">&lt;p&gt;Body of {id}&lt;/p&gt;</content></entry>",
            id.len() % 9 + 1
        ));
    }
    doc.push_str("</feed>");
    doc
}

/// A planet in a temporary directory, with the status page's accessors.
struct Planet(common::Planet);

impl Planet {
    fn new(sections: &[(&str, String)]) -> Planet {
        let mut ini = String::new();
        for (name, location) in sections {
            ini.push_str(&format!("\n[{location}]\nname = {name}\n"));
        }
        Planet(common::Planet::with_sections("", &ini))
    }

    fn root(&self) -> &Path {
        self.0.output()
    }

    fn run(&self) -> Summary {
        self.0.run(Mode::Update)
    }

    fn output(&self, name: &str) -> String {
        fs::read_to_string(self.root().join("output").join(name)).unwrap()
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.output("status.json")).unwrap()
    }

    /// Fails when a published status file names the planet's directory,
    /// however it is spelled.
    fn assert_no_absolute_path(&self) {
        let real = fs::canonicalize(self.root()).unwrap();
        for name in ["status.html", "status.json", "index.html"] {
            let text = self.output(name);
            for dir in [self.root(), real.as_path()] {
                let dir = dir.display().to_string();
                assert!(!text.contains(&dir), "{name} names {dir}:\n{text}");
            }
        }
    }
}

fn subscription<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from status.json"))
}

#[test]
fn a_feed_that_worked_then_failed_keeps_its_history() {
    let server = Server::start();
    server.set("/blog", feed(atom("blog", &["a", "b"])));
    server.set("/old", Reply::MovedPermanently(server.url("/new")));
    server.set("/new", feed(atom("moved", &["m"])));
    server.set("/gone", Reply::Status(410, "Gone"));
    let blog = server.url("/blog");
    let planet = Planet::new(&[
        ("Blog", blog.clone()),
        ("Moved", server.url("/old")),
        ("Gone", server.url("/gone")),
    ]);

    let first = planet.run();
    assert!(matches!(
        outcome(&first, &blog),
        FeedOutcome::Updated { new: 2, .. }
    ));
    let status = planet.status();
    let seen = subscription(&status, "Blog")["last_fetch"].clone();
    assert!(seen.is_string());
    // "Last new entry" is the newest post's own date, not when it was fetched.
    let newest = subscription(&status, "Blog")["last_new_entry"].clone();
    assert_eq!(newest, "2024-04-02T12:00:00Z");
    assert_ne!(newest, seen);

    server.set("/blog", Reply::Status(500, "Internal Server Error"));
    // Times are stored to the second: let the second run start in another one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = planet.run();
    assert!(matches!(
        outcome(&second, &blog),
        FeedOutcome::Failed { .. }
    ));
    assert!(matches!(
        outcome(&second, &server.url("/gone")),
        FeedOutcome::Skipped { .. }
    ));

    let status = planet.status();
    let failing = subscription(&status, "Blog");
    assert_eq!(failing["ok"], false);
    assert_eq!(failing["http_status"], 500);
    assert_eq!(
        failing["problem"],
        "HTTP 500 Internal Server Error (the server or a proxy in front of it is failing)"
    );
    assert_eq!(failing["entries_stored"], 2);
    // The entries of the first run are still the newest the planet has seen.
    assert_eq!(failing["last_new_entry"], newest);
    assert_ne!(failing["last_fetch"], seen);

    let moved = subscription(&status, "Moved");
    assert_eq!(moved["ok"], true);
    assert_eq!(
        moved["permanent_redirect"].as_str(),
        Some(server.url("/new").as_str())
    );
    let gone = subscription(&status, "Gone");
    assert_eq!(gone["ok"], false);
    assert_eq!(gone["http_status"], 410);
    assert!(gone["problem"]
        .as_str()
        .unwrap()
        .starts_with("gone: the server answered 410 Gone"));

    let html = planet.output("status.html");
    assert!(html.contains(
        "HTTP 500 Internal Server Error (the server or a proxy in front of it is failing)"
    ));
    assert!(html.contains("2 of 3 subscriptions have a problem."));
    planet.assert_no_absolute_path();
}

#[test]
fn a_server_asking_to_wait_is_told_apart_from_a_broken_one() {
    let server = Server::start();
    server.set(
        "/busy",
        Reply::StatusWith(429, "Too Many Requests", "Retry-After: 7200\r\n"),
    );
    let busy = server.url("/busy");
    let planet = Planet::new(&[("Busy", busy.clone())]);

    assert!(matches!(
        outcome(&planet.run(), &busy),
        FeedOutcome::Failed { .. }
    ));
    assert!(matches!(
        outcome(&planet.run(), &busy),
        FeedOutcome::Skipped { .. }
    ));
    let status = planet.status();
    let problem = subscription(&status, "Busy")["problem"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        problem.starts_with(
            "HTTP 429 Too Many Requests (the server says the planet asks too often); \
             next attempt not before "
        ),
        "{problem}"
    );
    assert!(planet.output("status.html").contains(&problem));
    let busy = subscription(&status, "Busy");
    assert_eq!(busy["next_fetch_reason"], "retry-after");
    let next = chrono::DateTime::parse_from_rfc3339(busy["next_fetch"].as_str().unwrap()).unwrap();
    let wait = next.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(wait > chrono::Duration::minutes(110), "{wait}");
    assert!(planet.output("status.html").contains("(retry-after)"));
}

#[test]
fn local_files_are_named_as_in_the_configuration() {
    let server = Server::start();
    server.set("/blog", feed(atom("blog", &["a"])));
    let planet = Planet::new(&[
        ("Local", "feeds/local.xml".to_owned()),
        ("Missing", "feeds/missing.xml".to_owned()),
        ("Blog", server.url("/blog")),
    ]);
    fs::create_dir(planet.root().join("feeds")).unwrap();
    // Relative links, which must not be resolved against the file's path.
    fs::write(
        planet.root().join("feeds/local.xml"),
        atom("local", &["l1", "l2"]).replace("http://local.example/", "site/"),
    )
    .unwrap();

    let first = planet.run();
    match outcome(&first, "feeds/missing.xml") {
        FeedOutcome::Failed { reason } => assert_eq!(reason, "cannot read the file: no such file"),
        other => panic!("{other:?}"),
    }
    // The file is unchanged the second time.
    let second = planet.run();
    assert_eq!(
        outcome(&second, "feeds/local.xml"),
        &FeedOutcome::NotModified
    );

    let status = planet.status();
    let local = subscription(&status, "Local");
    assert_eq!(local["url"], "feeds/local.xml");
    assert_eq!(local["file"], true);
    assert_eq!(local["ok"], true);
    assert_eq!(local["entries_stored"], 2);
    assert!(local["last_new_entry"].is_string());
    let missing = subscription(&status, "Missing");
    assert_eq!(missing["url"], "feeds/missing.xml");
    assert_eq!(missing["file"], true);
    assert_eq!(missing["problem"], "cannot read the file: no such file");
    assert_eq!(subscription(&status, "Blog")["file"], false);

    let html = planet.output("status.html");
    assert!(html.contains("<code title=\"local file\">feeds/missing.xml</code>"));
    assert!(!html.contains("href=\"http://planet.example/feeds/"));
    assert!(html.contains("cannot read the file: no such file"));
    planet.assert_no_absolute_path();
    for name in ["index.html", "status.html", "atom.xml"] {
        let text = planet.output(name);
        assert!(!text.contains("file://"), "{name}: {text}");
    }
}
