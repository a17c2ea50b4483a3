//! Hostile servers and hostile documents against the real `orrery update`
//! process, measured from outside.
//!
//! Each case runs a planet with two subscriptions on one loopback server the
//! test writes byte by byte: a hostile feed and a good one. The run must exit
//! successfully within `feed_timeout` plus a margin, stay under a fixed peak
//! resident set, publish the good feed's entry, and either report the hostile
//! feed as failed with its reason (on stderr and in `status.json`) or publish
//! what could be recovered from it. Each case prints its peak RSS and wall
//! time: `cargo test -p orrery --test hostile -- --nocapture`.

#[path = "hostile/measure.rs"]
mod measure;
#[path = "hostile/server.rs"]
mod server;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use measure::Planet;
use serde_json::Value;
use server::{head, redirect, response, Conn, Server};

/// Short, so the cases that wait for the deadline keep the suite quick.
const FEED_TIMEOUT: Duration = Duration::from_secs(3);
/// The planet's `max_feed_bytes` and `max_redirects`, left at their defaults.
const MAX_FEED_BYTES_TEXT: &str = "16 MiB";
const MAX_REDIRECTS: usize = 5;
/// What the server trickles at: slower than the deadline allows to finish.
const TRICKLE: Duration = Duration::from_secs(2);

const RSS: &str = "application/rss+xml";

/// What one run may take, at most.
#[derive(Clone, Copy)]
struct Bounds {
    peak_rss: u64,
    wall: Duration,
}

/// For a hostile feed: an idle run takes about 20 MiB, and a body cut off at
/// `max_feed_bytes` (16 MiB) has a buffer of at most twice that. The time
/// allows for start-up, storing and publishing on a busy machine after the
/// deadline: that the deadline holds is the requirement, not speed.
const HOSTILE: Bounds = Bounds {
    peak_rss: 64 << 20,
    wall: FEED_TIMEOUT.saturating_add(Duration::from_secs(10)),
};

/// For a feed bringing all it may (`max_feed_bytes` of entries): every
/// stage holds its own copy and each generated feed is built in memory, so
/// memory is about ten times the document, and publishing it takes seconds.
const LARGEST: Bounds = Bounds {
    peak_rss: 256 << 20,
    wall: FEED_TIMEOUT.saturating_add(Duration::from_secs(30)),
};

/// What must become of the hostile feed.
enum Expect<'a> {
    /// It fails, with a reason containing this text.
    Fails(&'a str),
    /// It may be read, but something went wrong and the reason, containing
    /// this text, is reported.
    Reports(&'a str),
    /// It is read; these entry titles are published.
    Recovers(&'a [&'a str]),
}

/// A planet subscribed to a hostile feed and a good one, both on a server
/// where `hostile` answers every request except the good feed's.
struct Setup {
    case: String,
    good_title: String,
    planet: Planet,
    _server: Server,
}

impl Setup {
    fn new(case: &str, hostile: impl Fn(&mut Conn) + Send + Sync + 'static) -> Setup {
        let good_title = format!("Good entry beside {case}");
        let good = good_feed(&good_title);
        let server = Server::start(move |conn| {
            if conn.path == "/good" {
                conn.send(&response(
                    "200 OK",
                    &[("Content-Type", RSS)],
                    good.as_bytes(),
                ));
            } else {
                hostile(conn);
            }
        });
        let planet = Planet::new(
            &[
                (&hostile_name(case), &server.url("/hostile")),
                ("Good feed", &server.url("/good")),
            ],
            FEED_TIMEOUT,
        );
        Setup {
            case: case.to_owned(),
            good_title,
            planet,
            _server: server,
        }
    }

    /// Updates the planet, prints the figures and checks what every case
    /// must hold.
    fn update(&self, bounds: Bounds, expect: &Expect) {
        let case = &self.case;
        let run = self.planet.update();
        let stderr = &run.stderr;
        let name = hostile_name(case);
        let reported = stderr.lines().find(|l| l.contains(&name));
        let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
        println!(
            "{case}: peak RSS {:.1} MiB, wall {:.2} s ({})",
            mib(run.peak_rss_bytes),
            run.wall.as_secs_f64(),
            reported.map_or("read", |l| l.split_once("): ").map_or(l, |(_, why)| why))
        );
        assert!(run.status.success(), "{case}: {:?}\n{stderr}", run.status);
        assert!(run.wall <= bounds.wall, "{case}: took {:?}", run.wall);
        assert!(
            run.peak_rss_bytes <= bounds.peak_rss,
            "{case}: peak RSS {:.1} MiB",
            mib(run.peak_rss_bytes)
        );
        let index = self.planet.output("index.html");
        assert!(
            index.contains(&self.good_title),
            "{case}: good entry missing"
        );
        let status: Value = serde_json::from_str(&self.planet.output("status.json"))
            .unwrap_or_else(|e| panic!("{case}: status.json: {e}"));
        assert_eq!(subscription(&status, "Good feed")["ok"], true, "{case}");
        let hostile = subscription(&status, &name);
        match expect {
            Expect::Fails(reason) | Expect::Reports(reason) => {
                let line = reported.unwrap_or_else(|| panic!("{case}: not reported:\n{stderr}"));
                assert!(line.contains(reason), "{case}: {line}");
                let problem = hostile["problem"].as_str().unwrap_or_default();
                assert!(
                    problem.contains(reason),
                    "{case}: status.json says {problem:?}"
                );
                if matches!(expect, Expect::Fails(_)) {
                    assert_eq!(hostile["ok"], false, "{case}");
                }
            }
            Expect::Recovers(titles) => {
                assert_eq!(reported, None, "{case}");
                assert_eq!(hostile["ok"], true, "{case}: {hostile}");
                for title in *titles {
                    assert!(index.contains(title), "{case}: {title:?} not published");
                }
            }
        }
    }
}

fn hostile_name(case: &str) -> String {
    format!("Hostile {case}")
}

/// Runs one case within the [`HOSTILE`] bounds; returns the planet for
/// more checks.
fn run(case: &str, expect: Expect, hostile: impl Fn(&mut Conn) + Send + Sync + 'static) -> Planet {
    let setup = Setup::new(case, hostile);
    setup.update(HOSTILE, &expect);
    setup.planet
}

fn subscription<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["subscriptions"]
        .as_array()
        .and_then(|subs| subs.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("{name} missing from status.json: {status}"))
}

/// An RSS 2.0 document around `items`, with `prolog` (declaration, DTD)
/// before the root.
fn rss(prolog: &str, items: &str) -> String {
    format!(
        "{prolog}<rss version=\"2.0\"><channel><title>Hostile</title>\
         <link>http://hostile.example/</link><description>d</description>{items}</channel></rss>"
    )
}

fn item(title: &str, description: &str) -> String {
    let slug: String = title.chars().filter(char::is_ascii_alphanumeric).collect();
    format!(
        "<item><title>{title}</title><link>http://hostile.example/{slug}</link>\
         <guid>urn:hostile:{slug}</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>\
         <description>{description}</description></item>"
    )
}

fn good_feed(title: &str) -> String {
    rss("", &item(title, "fine"))
}

/// A 200 response carrying `body` as a feed.
fn serve_feed(body: impl Into<Vec<u8>>) -> impl Fn(&mut Conn) + Send + Sync + 'static {
    let body = body.into();
    move |conn| {
        conn.send(&response("200 OK", &[("Content-Type", RSS)], &body));
    }
}

/// A head announcing a body of unknown length, ended by closing.
fn open_ended_head(extra: &[(&str, &str)]) -> Vec<u8> {
    let mut headers = vec![("Content-Type", RSS)];
    headers.extend_from_slice(extra);
    let mut out = head("200 OK", &headers);
    out.extend_from_slice(b"\r\n");
    out
}

fn timed_out(stage: &str) -> String {
    format!("timed out after {} s {stage}", FEED_TIMEOUT.as_secs())
}

fn too_large() -> String {
    format!("body larger than {MAX_FEED_BYTES_TEXT}")
}

// ---------------------------------------------------------------- servers

#[test]
fn endless_body() {
    run("endless body", Expect::Fails(&too_large()), |conn| {
        let start = open_ended_head(&[]);
        let items = item("again", "and again").repeat(1000);
        if conn.send(&start) && conn.send(rss("", "").as_bytes()) {
            while conn.send(items.as_bytes()) {}
        }
    });
}

/// 10 GiB of zeros, gzip-compressed as they are sent: the stream goes on
/// for as long as the client reads.
#[test]
fn gzip_bomb() {
    run("gzip bomb", Expect::Fails(&too_large()), |conn| {
        if !conn.send(&open_ended_head(&[("Content-Encoding", "gzip")])) {
            return;
        }
        let zeros = vec![0u8; 1 << 20];
        let mut gzip = GzEncoder::new(conn, Compression::best());
        for _ in 0..10 * 1024 {
            if gzip.write_all(&zeros).and_then(|()| gzip.flush()).is_err() {
                return;
            }
        }
        let _ = gzip.finish();
    });
}

#[test]
fn trickled_headers() {
    run(
        "trickled headers",
        Expect::Fails(&timed_out("waiting for the response")),
        |conn| {
            let head = format!("HTTP/1.1 200 OK\r\nX-Slow: {}", "z".repeat(1000));
            conn.trickle(head.as_bytes(), TRICKLE);
        },
    );
}

#[test]
fn trickled_body() {
    run(
        "trickled body",
        Expect::Fails(&timed_out("reading the body")),
        |conn| {
            let body = good_feed("Never finished");
            let head = head("200 OK", &[("Content-Length", &body.len().to_string())]);
            if conn.send(&head) && conn.send(b"\r\n") {
                conn.trickle(body.as_bytes(), TRICKLE);
            }
        },
    );
}

#[test]
fn never_answers() {
    run(
        "never answers",
        Expect::Fails(&timed_out("waiting for the response")),
        Conn::hold,
    );
}

#[test]
fn redirect_loop() {
    run("redirect loop", Expect::Fails("redirect loop"), |conn| {
        let next = if conn.path == "/hostile" {
            "/hostile/again"
        } else {
            "/hostile"
        };
        redirect(conn, next);
    });
}

#[test]
fn long_redirect_chain() {
    let hops = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hops);
    let reason = format!("more than {MAX_REDIRECTS} redirects");
    run("long redirect chain", Expect::Fails(&reason), move |conn| {
        let n = seen.fetch_add(1, Ordering::Relaxed);
        redirect(conn, &format!("/chain/{}", n + 1));
    });
    // The subscription's URL and then one request per redirect followed.
    assert_eq!(hops.load(Ordering::Relaxed), 1 + MAX_REDIRECTS);
}

#[test]
fn redirects_to_other_schemes() {
    let passwd = std::fs::read("/etc/passwd").unwrap_or_default();
    let first_line = passwd.split(|&b| b == b'\n').next().unwrap_or_default();
    for (case, target) in [
        ("redirect to file", "file:///etc/passwd"),
        ("redirect to gopher", "gopher://127.0.0.1:70/1"),
        ("redirect to ftp", "ftp://127.0.0.1/feed.xml"),
        (
            "redirect to data",
            "data:application/rss+xml,%3Crss%20version%3D%222.0%22%3E%3C%2Frss%3E",
        ),
    ] {
        let planet = run(
            case,
            Expect::Fails("redirect to a non-HTTP URL refused"),
            move |conn| redirect(conn, target),
        );
        if !first_line.is_empty() {
            assert_eq!(planet.find_anywhere(first_line), None, "{case}");
        }
    }
}

/// A redirect from the subscription's host to another host on a private
/// address. The subscription itself is on loopback, which is allowed (the
/// owner wrote it); only the hop is judged. A redirect from a public host
/// cannot be staged on loopback, but the same check applies to every hop.
#[test]
fn redirects_to_private_addresses() {
    let witness = Server::start(|conn| {
        conn.send(&response("200 OK", &[("Content-Type", RSS)], b""));
    });
    let port = witness.port();
    for (case, target) in [
        (
            "redirect to localhost",
            format!("http://localhost:{port}/feed"),
        ),
        (
            "redirect to a mapped loopback address",
            format!("http://[::ffff:127.0.0.1]:{port}/feed"),
        ),
        (
            "redirect to cloud metadata",
            "http://169.254.169.254/latest/meta-data/".to_owned(),
        ),
    ] {
        run(case, Expect::Fails("refused: redirect to "), move |conn| {
            redirect(conn, &target)
        });
    }
    assert_eq!(witness.connections(), 0, "a private address was contacted");
}

#[test]
fn broken_chunked_encoding() {
    run(
        "broken chunked encoding",
        Expect::Fails("broken body framing"),
        |conn| {
            let mut out = open_ended_head(&[("Transfer-Encoding", "chunked")]);
            out.extend_from_slice(
                b"10\r\n<rss version=\"2.0\r\nZZZZ; not a size\r\n<channel>\r\n0\r\n\r\n",
            );
            conn.send(&out);
        },
    );
}

#[test]
fn feed_labelled_as_an_image() {
    let title = "Recovered entry labelled png";
    let body = rss("", &item(title, "fine"));
    run(
        "feed labelled png",
        Expect::Recovers(&[title]),
        move |conn| {
            conn.send(&response(
                "200 OK",
                &[("Content-Type", "image/png")],
                body.as_bytes(),
            ));
        },
    );
}

#[test]
fn binary_junk_labelled_as_an_image() {
    let mut junk = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u32 = 0x9e37_79b9;
    junk.extend((0..64 * 1024).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x.to_le_bytes()[0]
    }));
    run("binary junk", Expect::Fails("not a feed"), move |conn| {
        conn.send(&response("200 OK", &[("Content-Type", "image/png")], &junk));
    });
}

/// 1 MiB of headers: a thousand lines, then one line alone.
#[test]
fn huge_headers() {
    let line = "a".repeat(1024);
    let many: String = (0..1024)
        .map(|i| format!("X-Pad-{i}: {line}\r\n"))
        .collect();
    let one = format!("X-Huge: {}\r\n", "a".repeat(1 << 20));
    for (case, headers) in [
        ("a thousand header lines", many),
        ("one huge header line", one),
    ] {
        run(case, Expect::Fails("invalid HTTP response"), move |conn| {
            let mut out = head("200 OK", &[("Content-Type", RSS)]);
            out.extend_from_slice(headers.as_bytes());
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(good_feed("Behind huge headers").as_bytes());
            conn.send(&out);
        });
    }
}

/// A 50 MiB document on one line, sent without a length.
#[test]
fn fifty_megabyte_line() {
    run("50 MiB line", Expect::Fails(&too_large()), |conn| {
        let start = b"<rss version=\"2.0\"><channel><title>Long</title><item><title>";
        let chunk = "x".repeat(1 << 20);
        if conn.send(&open_ended_head(&[])) && conn.send(start) {
            for _ in 0..50 {
                if !conn.send(chunk.as_bytes()) {
                    return;
                }
            }
            conn.send(b"</title></item></channel></rss>");
        }
    });
}

// ------------------------------------------------------------------- XML

#[test]
fn billion_laughs() {
    let title = "Recovered entry billion laughs";
    let mut dtd = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{level} \"{refs}\">"));
    }
    dtd.push_str("]>");
    let body = rss(&dtd, &item(title, "&lol9;"));
    let planet = run(
        "billion laughs",
        Expect::Recovers(&[title]),
        serve_feed(body),
    );
    // One level of expansion would already write `lol` ten times in a row.
    assert_eq!(planet.find_anywhere("lol".repeat(10).as_bytes()), None);
}

#[test]
fn quadratic_blowup() {
    let title = "Recovered entry quadratic blowup";
    let dtd = format!("<!DOCTYPE rss [<!ENTITY a \"{}\">]>", "A".repeat(100_000));
    let body = rss(&dtd, &item(title, &"&a;".repeat(50_000)));
    let size = body.len();
    let planet = run(
        "quadratic blowup",
        Expect::Recovers(&[title]),
        serve_feed(body),
    );
    // Plain-text entities are expanded within a budget of the document's own
    // size (docs/parsing.md); unbounded, this entry would hold 5 GB of `A`.
    let index = planet.output("index.html");
    let expanded = index.bytes().filter(|&b| b == b'A').count();
    assert!(expanded <= size, "{expanded} bytes of expansion");
}

/// A file only this test knows, with a unique content to look for.
struct Secret {
    _dir: tempfile::TempDir,
    url: String,
    content: String,
}

impl Secret {
    fn new() -> Secret {
        let dir = tempfile::tempdir().expect("temp dir");
        let content = format!("secret held in {}", dir.path().display());
        let path = dir.path().join("secret.txt");
        std::fs::write(&path, &content).expect("write secret");
        let url = format!("file://{}", path.display());
        Secret {
            _dir: dir,
            url,
            content,
        }
    }
}

#[test]
fn external_entity_to_a_file() {
    let secret = Secret::new();
    let url = &secret.url;
    let title = "Recovered entry external file";
    let dtd = format!(
        "<!DOCTYPE rss SYSTEM \"{url}\" [<!ENTITY xxe SYSTEM \"{url}\">\
         <!ENTITY % pe SYSTEM \"{url}\"> %pe;]>"
    );
    let items = item(title, "&xxe;") + &item("Entity in the title &xxe;", "x");
    let body = rss(&dtd, &items);
    let planet = run(
        "external file entity",
        Expect::Recovers(&[title]),
        serve_feed(body),
    );
    assert_eq!(planet.find_anywhere(secret.content.as_bytes()), None);
}

#[test]
fn external_entity_to_a_listener() {
    let witness = Server::start(|conn| {
        conn.send(&response("200 OK", &[], b"<!ENTITY leak \"leaked\">"));
    });
    let url = witness.url("/dtd");
    let title = "Recovered entry external listener";
    let dtd = format!(
        "<?xml-stylesheet type=\"text/xsl\" href=\"{url}\"?>\
         <!DOCTYPE rss SYSTEM \"{url}\" [<!ENTITY ext SYSTEM \"{url}\">\
         <!ENTITY % pe SYSTEM \"{url}\"> %pe;]>"
    );
    let body = rss(&dtd, &item(title, "&ext; &leak;"));
    let planet = run(
        "external entity to a listener",
        Expect::Recovers(&[title]),
        serve_feed(body),
    );
    assert_eq!(witness.connections(), 0, "the listener was contacted");
    assert_eq!(planet.find_anywhere(b"leaked"), None);
}

#[test]
fn xinclude() {
    let secret = Secret::new();
    let witness = Server::start(|conn| {
        conn.send(&response("200 OK", &[], b"included"));
    });
    let title = "Recovered entry xinclude";
    let include = |href: &str| {
        format!(
            "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"{href}\" parse=\"text\"/>"
        )
    };
    let description = include(&secret.url) + &include(&witness.url("/inc"));
    let items = item(title, "fine") + &item("Second xinclude entry", &description);
    let body = rss("", &items);
    let planet = run("xinclude", Expect::Recovers(&[title]), serve_feed(body));
    assert_eq!(planet.find_anywhere(secret.content.as_bytes()), None);
    assert_eq!(witness.connections(), 0, "the listener was contacted");
}

#[test]
fn deep_nesting() {
    let title = "Recovered entry deep nesting";
    let depth = 100_000;
    let deep = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    let items = item(title, "fine") + &item("Deep", &deep);
    run(
        "100000-deep nesting",
        Expect::Recovers(&[title]),
        serve_feed(rss("", &items)),
    );
}

#[test]
fn nul_bytes() {
    let title = "Recovered entry NUL bytes";
    let items = item(title, "fine") + &item("Zero\0in the title", "and\0in\0the body");
    let planet = run(
        "NUL bytes",
        Expect::Recovers(&[title]),
        serve_feed(rss("", &items)),
    );
    assert_eq!(planet.find_published(b"\0"), None);
}

#[test]
fn invalid_utf8() {
    let title = "Recovered entry invalid UTF-8";
    let mut body = rss(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        &(item(title, "fine") + &item("Broken BROKEN", "BROKEN bytes")),
    )
    .into_bytes();
    // Replace each marker with bytes no UTF-8 decoder accepts.
    let marker = b"BROKEN";
    while let Some(at) = body.windows(marker.len()).position(|w| w == marker) {
        body.splice(at..at + marker.len(), *b"\xff\xfe\xc3\x28\x80\xbf");
    }
    let planet = run(
        "invalid UTF-8",
        Expect::Recovers(&[title]),
        serve_feed(body),
    );
    let atom = planet.output_bytes("atom.xml");
    assert!(std::str::from_utf8(&atom).is_ok(), "atom.xml is not UTF-8");
}

/// UTF-8 bytes under false labels. A wrong single-byte label garbles the
/// accented letters only; a UTF-16 declaration without a byte order mark,
/// read as ASCII, turns the whole document into noise, and the feed is
/// reported as not a feed, as the Universal Feed Parser does.
#[test]
fn lying_encoding_declarations() {
    let items = |case: &str| item(&format!("Recovered entry {case}"), "caf\u{e9} na\u{ef}ve");
    let latin1 = "declaration says latin-1";
    let body = rss(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
        &items(latin1),
    );
    let title = format!("Recovered entry {latin1}");
    run(latin1, Expect::Recovers(&[&title]), serve_feed(body));

    let sjis = "header says shift_jis";
    let body = rss("", &items(sjis));
    let title = format!("Recovered entry {sjis}");
    run(sjis, Expect::Recovers(&[&title]), move |conn| {
        let label = [("Content-Type", "application/rss+xml; charset=shift_jis")];
        conn.send(&response("200 OK", &label, body.as_bytes()));
    });

    let utf16 = "declaration says UTF-16";
    let mut body = rss("<?xml version=\"1.0\" encoding=\"UTF-16\"?>", &items(utf16));
    // An odd length cannot be UTF-16 at all and would be read as UTF-8.
    if body.len() % 2 == 1 {
        body.push(' ');
    }
    run(utf16, Expect::Fails("not a feed"), serve_feed(body));
}

#[test]
fn truncated_document() {
    let title = "Recovered entry truncated";
    let whole = rss(
        "",
        &(item(title, "fine") + &item("Cut short", "half of it")),
    );
    let cut = whole.find("half").expect("marker");
    run(
        "truncated document",
        Expect::Recovers(&[title]),
        serve_feed(&whole.as_bytes()[..cut]),
    );
}

/// The largest document the defaults accept, on one line: fourteen entries
/// of 1 MiB each, so that every stage (parse, sanitize, store, publish)
/// carries the most one fetch can bring.
#[test]
fn largest_accepted_document() {
    let filler = "y".repeat(1 << 20);
    let titles: Vec<String> = (0..14)
        .map(|i| format!("Recovered entry {i} of the largest document"))
        .collect();
    let items: String = titles.iter().map(|t| item(t, &filler)).collect();
    let body = rss("", &items);
    assert!(
        body.len() < 16 << 20,
        "the document must fit max_feed_bytes"
    );
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    Setup::new("largest accepted document", serve_feed(body))
        .update(LARGEST, &Expect::Recovers(&titles));
}

/// Entries just under the store's 4 MiB limit, four new ones per fetch: each
/// fetch stays within `max_feed_bytes`, and so must what the feed keeps, or
/// the store and every published page would grow run after run.
#[test]
fn huge_entries_do_not_accumulate() {
    let fetches = AtomicUsize::new(0);
    let filler = "y".repeat(3800 << 10);
    let setup = Setup::new("huge entries, run after run", move |conn| {
        let run = fetches.fetch_add(1, Ordering::Relaxed);
        let items: String = (0..4)
            .map(|i| item(&format!("Huge entry {i} of run {run}"), &filler))
            .collect();
        conn.send(&response(
            "200 OK",
            &[("Content-Type", RSS)],
            rss("", &items).as_bytes(),
        ));
    });
    for run in 0..3 {
        let newest = format!("Huge entry 3 of run {run}");
        setup.update(LARGEST, &Expect::Recovers(&[newest.as_str()]));
    }
    let index = setup.planet.output("index.html");
    assert!(
        !index.contains("of run 0"),
        "run 0's entries are still published"
    );
}

/// One entry over the store's 4 MiB entry limit is dropped, and that is said
/// on stderr and on the status page, though the feed itself was read.
#[test]
fn oversized_entry_is_reported() {
    let title = "Oversized entry";
    let body = rss("", &item(title, &"y".repeat(15 << 20)));
    // A document near `max_feed_bytes`: the bounds of the largest accepted one.
    Setup::new("15 MiB entry", serve_feed(body)).update(LARGEST, &Expect::Reports("4 MiB"));
}
