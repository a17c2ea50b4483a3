//! Which addresses a URL the owner did not write may reach, with the real
//! binary against loopback servers: feeds named by a remote reading list,
//! redirect targets and feeds found by `orrery add` are refused at internal
//! addresses unless the owner allows them, and a list adds feeds and nothing
//! else.

#[allow(dead_code)]
mod common;
#[allow(dead_code)]
#[path = "hostile/server.rs"]
mod server;

use std::fs;
use std::io::Write as _;

use common::{orrery_in, run, Planet};
use serde_json::Value;
use server::{redirect, response, Server};

const ATOM: &str = "application/atom+xml";

fn atom(title: &str, entry: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{title}</title>\
         <id>urn:{title}</id><updated>2024-04-01T10:00:00Z</updated>\
         <entry><id>urn:{title}:1</id><title>{entry}</title><updated>2024-04-01T10:00:00Z</updated>\
         <content>{entry}</content></entry></feed>"
    )
}

/// A service on loopback that must not be reached: it answers like a feed,
/// so that reaching it would show on the page, and counts connections.
fn internal_service() -> Server {
    let body = atom("Internal", "Internal admin secret");
    Server::start(move |conn| {
        conn.send(&response(
            "200 OK",
            &[("Content-Type", ATOM)],
            body.as_bytes(),
        ));
    })
}

/// Appends raw INI text to the planet's configuration.
fn append(planet: &Planet, text: &str) {
    let mut ini = fs::OpenOptions::new()
        .append(true)
        .open(planet.path().join("planet.ini"))
        .expect("open planet.ini");
    writeln!(ini, "{text}").expect("append to planet.ini");
}

/// Sets an option in `[Planet]` (the first section of the file).
fn planet_option(planet: &Planet, line: &str) {
    let path = planet.path().join("planet.ini");
    let text = fs::read_to_string(&path).expect("read planet.ini");
    let text = text.replacen("[Planet]\n", &format!("[Planet]\n{line}\n"), 1);
    fs::write(&path, text).expect("write planet.ini");
}

/// `orrery update --verbose`: exit code and everything it printed.
fn update(planet: &Planet) -> (Option<i32>, String) {
    let mut cmd = orrery_in(planet.path());
    cmd.args(["update", "--verbose", "-c", "planet.ini"]);
    let (code, stdout, stderr) = run(&mut cmd);
    (code, format!("{stdout}{stderr}"))
}

fn output(planet: &Planet, file: &str) -> String {
    fs::read_to_string(planet.output().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The status.json entry of the subscription whose URL is `url`.
fn status_of(planet: &Planet, url: &str) -> Value {
    let status: Value = serde_json::from_str(&output(planet, "status.json")).expect("status.json");
    status["subscriptions"]
        .as_array()
        .and_then(|subs| subs.iter().find(|s| s["url"] == url))
        .cloned()
        .unwrap_or_else(|| panic!("{url} missing from status.json: {status}"))
}

#[test]
fn a_remote_list_cannot_reach_a_loopback_service() {
    let internal = internal_service();
    let internal_feed = internal.url("/internal-admin");
    let list = {
        let opml = format!(
            "<opml version=\"1.0\"><body><outline text=\"Admin\" type=\"rss\" xmlUrl=\"{internal_feed}\"/></body></opml>"
        );
        let own = atom("Own", "Owner entry one");
        Server::start(move |conn| {
            let reply = match conn.path.as_str() {
                "/list.opml" => response(
                    "200 OK",
                    &[("Content-Type", "text/x-opml")],
                    opml.as_bytes(),
                ),
                _ => response("200 OK", &[("Content-Type", ATOM)], own.as_bytes()),
            };
            conn.send(&reply);
        })
    };
    let planet = Planet::new();
    planet.subscribe(&list.url("/own.xml"), "Own");
    append(
        &planet,
        &format!("[{}]\ncontent_type = opml\n", list.url("/list.opml")),
    );

    let (code, stderr) = update(&planet);
    assert_eq!(
        internal.connections(),
        0,
        "the list's feed was requested: {stderr}"
    );
    let index = output(&planet, "index.html");
    assert!(index.contains("Owner entry one"), "{index}");
    assert!(!index.contains("Internal admin secret"), "{index}");
    let expected = "refused: list-added feed at 127.0.0.1, an internal address; \
                    set allow_internal_targets = yes to allow";
    assert!(stderr.contains(expected), "code {code:?}: {stderr}");
    let status = status_of(&planet, &internal_feed);
    assert_eq!(status["ok"], false, "{status}");
    assert!(
        status["problem"]
            .as_str()
            .unwrap_or_default()
            .contains(expected),
        "{status}"
    );
    assert_eq!(status["reading_list"], list.url("/list.opml"), "{status}");
    // The owner's own subscription came from no list.
    assert!(status_of(&planet, &list.url("/own.xml"))
        .get("reading_list")
        .is_none());
    let html = output(&planet, "status.html");
    assert!(
        html.contains(&format!("from list: {}", list.url("/list.opml"))),
        "{html}"
    );

    // An intranet planet allows it explicitly.
    planet_option(&planet, "allow_internal_targets = yes");
    let (_, stderr) = update(&planet);
    assert!(internal.connections() > 0, "{stderr}");
    assert!(output(&planet, "index.html").contains("Internal admin secret"));
}

#[test]
fn a_redirect_to_another_port_or_an_internal_name_is_refused() {
    let internal = internal_service();
    let port = internal.port();
    let own = atom("Own", "Owner entry one");
    let site = Server::start(move |conn| match conn.path.as_str() {
        "/by-name" => redirect(conn, &format!("http://localhost:{port}/feed")),
        "/by-address" => redirect(conn, &format!("http://127.0.0.1:{port}/feed")),
        "/by-mapped" => redirect(conn, &format!("http://[::ffff:127.0.0.1]:{port}/feed")),
        _ => {
            conn.send(&response(
                "200 OK",
                &[("Content-Type", ATOM)],
                own.as_bytes(),
            ));
        }
    });
    let planet = Planet::new();
    planet.subscribe(&site.url("/own.xml"), "Own");
    for path in ["/by-name", "/by-address", "/by-mapped"] {
        planet.subscribe(&site.url(path), path);
    }

    let (_, stderr) = update(&planet);
    assert_eq!(internal.connections(), 0, "{stderr}");
    assert!(output(&planet, "index.html").contains("Owner entry one"));
    for (path, refused) in [
        (
            "/by-name",
            "refused: redirect to localhost, which resolves to internal address ",
        ),
        (
            "/by-address",
            "refused: redirect to 127.0.0.1, an internal address",
        ),
        (
            "/by-mapped",
            "refused: redirect to [::ffff:7f00:1], an internal address",
        ),
    ] {
        let status = status_of(&planet, &site.url(path));
        let problem = status["problem"].as_str().unwrap_or_default();
        assert!(problem.starts_with(refused), "{path}: {status}");
        assert!(stderr.contains(refused), "{path}: {stderr}");
    }

    planet_option(&planet, "allow_internal_targets = yes");
    update(&planet);
    assert!(internal.connections() >= 3);
}

#[test]
fn a_remote_ini_list_adds_feeds_and_nothing_else() {
    let feed = atom("Listed", "An entry from the listed feed");
    let port_holder = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let base = std::sync::Arc::clone(&port_holder);
    let server = Server::start(move |conn| {
        let reply = match conn.path.as_str() {
            "/list.ini" => {
                let base = base.get().cloned().unwrap_or_default();
                let list = format!(
                    "[Planet]\nname = Evil\noutput_dir = /tmp/evil\n\n\
                     [{base}/listed.xml]\nname = Listed feed\noutput_dir = /tmp/evil\n"
                );
                response("200 OK", &[("Content-Type", "text/plain")], list.as_bytes())
            }
            _ => response("200 OK", &[("Content-Type", ATOM)], feed.as_bytes()),
        };
        conn.send(&reply);
    });
    port_holder.set(server.url("")).unwrap();
    let list = server.url("/list.ini");
    let planet = Planet::new();
    // The list's feed is on loopback too: allowed here, so that it is published.
    planet_option(&planet, "allow_internal_targets = yes");
    append(&planet, &format!("[{list}]\ncontent_type = config\n"));

    let (code, stderr) = update(&planet);
    assert_eq!(code, Some(0), "{stderr}");
    let index = output(&planet, "index.html");
    assert!(index.contains("An entry from the listed feed"), "{index}");
    assert!(index.contains("<title>Test planet"), "{index}");
    assert!(!index.contains("Evil"), "{index}");
    assert!(
        stderr.contains(&format!(
            "reading list {list}: its [Planet] section is ignored"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "reading list {list}: option \"output_dir\" of \"{}\" ignored",
            server.url("/listed.xml")
        )),
        "{stderr}"
    );
    assert!(!std::path::Path::new("/tmp/evil").exists());

    let (code, stdout, stderr) = run(orrery_in(planet.path()).args(["config", "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("  name: Test planet\n"), "{stdout}");
    assert!(!stdout.contains("Evil"), "{stdout}");
    assert!(
        stderr.contains(&format!(
            "warning: reading list {list}: its [Planet] section is ignored"
        )),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("reading_list: {list}\n")),
        "{stdout}"
    );
    let status = status_of(&planet, &server.url("/listed.xml"));
    assert_eq!(status["reading_list"], list.as_str(), "{status}");
    assert_eq!(status["name"], "Listed feed", "{status}");
}

#[test]
fn add_refuses_a_discovered_feed_at_an_internal_address() {
    let internal = internal_service();
    let feed = internal.url("/feed.xml");
    let page = format!(
        "<html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"{feed}\"></head><body>hi</body></html>"
    );
    let site = Server::start(move |conn| {
        let reply = match conn.path.as_str() {
            "/" => response("200 OK", &[("Content-Type", "text/html")], page.as_bytes()),
            _ => response("404 Not Found", &[], b""),
        };
        conn.send(&reply);
    });
    let planet = Planet::new();
    let before = fs::read_to_string(planet.path().join("planet.ini")).unwrap();
    let add = |extra: &[&str]| {
        let mut cmd = orrery_in(planet.path());
        cmd.args(["add", &site.url("/"), "-c", "planet.ini"])
            .args(extra);
        run(&mut cmd)
    };

    let (code, stdout, stderr) = add(&[]);
    assert_ne!(code, Some(0), "{stdout}");
    assert!(
        stderr.contains(&format!(
            "{feed}: refused: discovered feed at 127.0.0.1, an internal address; \
             pass --allow-internal to subscribe to it"
        )),
        "{stderr}"
    );
    assert_eq!(internal.connections(), 0);
    assert_eq!(
        fs::read_to_string(planet.path().join("planet.ini")).unwrap(),
        before
    );

    let (code, stdout, stderr) = add(&["--allow-internal"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(&format!("found feed {feed} (address 127.0.0.1, internal)")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("subscribed to {feed}")),
        "{stdout}"
    );
    assert!(internal.connections() > 0);
    let after = fs::read_to_string(planet.path().join("planet.ini")).unwrap();
    assert!(after.contains(&format!("[{feed}]")), "{after}");
}
