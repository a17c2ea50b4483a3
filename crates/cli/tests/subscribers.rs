//! One subscriber against another, with the real binary: no feed can hide, forge or crowd out
//! another's posts, and no secret of a subscription URL is published.

#[allow(dead_code)]
mod common;
#[allow(dead_code)]
#[path = "hostile/server.rs"]
mod server;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{orrery_in, run};
use serde_json::Value;

/// A planet whose feeds are files in its own directory.
struct Planet {
    dir: tempfile::TempDir,
    sections: String,
}

impl Planet {
    fn new(planet_options: &str) -> Planet {
        let dir = tempfile::tempdir().expect("temp dir");
        let sections = format!(
            "[Planet]\nname = Subscribers\nlink = http://planet.example.org/\n\
             cache_directory = cache\noutput_dir = output\nlog_level = ERROR\n{planet_options}\n"
        );
        Planet { dir, sections }
    }

    /// Writes `xml` as `feeds/{file}` and subscribes to it as `name`.
    fn feed(&mut self, file: &str, name: &str, xml: &str) {
        let feeds = self.dir.path().join("feeds");
        fs::create_dir_all(&feeds).expect("feeds dir");
        fs::write(feeds.join(file), xml).expect("write feed");
        self.subscribe(&format!("feeds/{file}"), name, "");
    }

    fn subscribe(&mut self, url: &str, name: &str, options: &str) {
        let _ = write!(self.sections, "\n[{url}]\nname = {name}\n{options}");
    }

    /// `orrery update`; returns its standard output.
    fn update(&self) -> String {
        fs::write(self.dir.path().join("planet.ini"), &self.sections).expect("write planet.ini");
        let (code, stdout, stderr) =
            run(orrery_in(self.dir.path()).args(["update", "-v", "-c", "planet.ini"]));
        assert_eq!(code, Some(0), "update failed:\n{stdout}\n{stderr}");
        stdout
    }

    fn output(&self, file: &str) -> String {
        fs::read_to_string(self.dir.path().join("output").join(file)).expect("read output")
    }

    /// The river as (blog name, title, content) from `feed.json`, newest first.
    fn river(&self) -> Vec<(String, String, String)> {
        let feed: Value = serde_json::from_str(&self.output("feed.json")).expect("feed.json");
        feed["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                (
                    text(&item["_source"]["name"]),
                    text(&item["title"]),
                    text(&item["content_html"]),
                )
            })
            .collect()
    }
}

/// An RSS 2.0 document with `items` as (guid, link, title, description, pubDate).
fn rss(title: &str, items: &[(String, String, String, String, Option<String>)]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{title}</title>\
         <link>http://{title}.example/</link>\n"
    );
    for (guid, link, title, body, date) in items {
        let _ = write!(
            xml,
            "<item><guid isPermaLink=\"false\">{guid}</guid><link>{link}</link>\
             <title>{title}</title><description>{body}</description>"
        );
        if let Some(date) = date {
            let _ = write!(xml, "<pubDate>{date}</pubDate>");
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    xml
}

type Item = (String, String, String, String, Option<String>);

fn victim_posts() -> Vec<Item> {
    (1..=5)
        .map(|n| {
            (
                format!("https://victim.example/posts/{n}"),
                format!("https://victim.example/posts/{n}"),
                format!("Victim post {n}"),
                format!("victim content {n}"),
                Some(format!("Mon, 0{n} Nov 2026 10:00:00 GMT")),
            )
        })
        .collect()
}

#[test]
fn a_feed_reusing_another_feeds_ids_neither_replaces_nor_hides_its_posts() {
    let victim = victim_posts();
    // Listed before the victim: same id, link, title and date with forged content; the same
    // id only; and the same id, link and title with forged content dated 1970.
    let forged: Vec<Item> = victim
        .iter()
        .map(|(id, link, title, _, date)| {
            (
                id.clone(),
                link.clone(),
                title.clone(),
                "FORGED".into(),
                date.clone(),
            )
        })
        .collect();
    let same_id: Vec<Item> = victim
        .iter()
        .enumerate()
        .map(|(n, (id, ..))| {
            (
                id.clone(),
                format!("https://other.example/{n}"),
                format!("Other post {n}"),
                "other content".into(),
                Some("Sun, 01 Nov 2026 09:00:00 GMT".into()),
            )
        })
        .collect();
    let ancient: Vec<Item> = victim
        .iter()
        .map(|(id, link, title, _, _)| {
            let date = Some("Thu, 01 Jan 1970 00:00:00 GMT".to_owned());
            (
                id.clone(),
                link.clone(),
                title.clone(),
                "FORGED 1970".into(),
                date,
            )
        })
        .collect();
    let mut planet = Planet::new("items_per_page = 60");
    planet.feed("forger.xml", "Forger", &rss("forger", &forged));
    planet.feed("other.xml", "Other", &rss("other", &same_id));
    planet.feed("ancient.xml", "Ancient", &rss("ancient", &ancient));
    planet.feed("victim.xml", "Victim", &rss("victim", &victim));
    planet.update();

    let river = planet.river();
    for n in 1..=5 {
        let shown: Vec<&(String, String, String)> = river
            .iter()
            .filter(|(_, title, _)| title == &format!("Victim post {n}"))
            .collect();
        assert!(
            shown
                .iter()
                .any(|(blog, _, body)| blog == "Victim"
                    && body.contains(&format!("victim content {n}"))),
            "victim post {n} missing: {river:?}"
        );
        // Under the victim's name, only the victim's content.
        for (blog, _, body) in &shown {
            if blog == "Victim" {
                assert!(
                    !body.contains("FORGED"),
                    "forged content under the victim: {body}"
                );
            } else {
                assert!(
                    body.contains("FORGED"),
                    "{blog} shows the victim's post as its own"
                );
            }
        }
    }
    // Every feed's posts are there, each under its own name.
    assert_eq!(river.iter().filter(|(b, ..)| b == "Other").count(), 5);
    assert_eq!(river.len(), 20, "{river:?}");
    // The collision is on the status page, for both sides.
    let status: Value = serde_json::from_str(&planet.output("status.json")).expect("status.json");
    for name in ["Victim", "Forger", "Other", "Ancient"] {
        let sub = status["subscriptions"]
            .as_array()
            .expect("subscriptions")
            .iter()
            .find(|s| s["name"] == name)
            .expect("subscription listed");
        let notes = sub["notes"].to_string();
        assert!(notes.contains("shares 5 entry ids"), "{name}: {notes}");
        assert_eq!(sub["ok"], true);
    }
    assert!(planet
        .output("status.html")
        .contains("shares 5 entry ids with Victim"));
    // Readers of the planet's own feeds see distinct ids.
    let atom = planet.output("atom.xml");
    assert_eq!(
        atom.matches("<id>https://victim.example/posts/1</id>")
            .count(),
        0
    );
    assert_eq!(
        atom.matches("https://victim.example/posts/1#feed-").count(),
        4
    );
}

#[test]
fn two_blogs_numbering_their_posts_alike_are_both_shown() {
    let numbered = |blog: &str| -> Vec<Item> {
        (1..=10)
            .map(|n| {
                (
                    n.to_string(),
                    format!("https://{blog}.example/{n}"),
                    format!("{blog} {n}"),
                    format!("{blog} body {n}"),
                    Some(format!("Tue, {:02} Nov 2026 08:00:00 GMT", n + 10)),
                )
            })
            .collect()
    };
    let mut planet = Planet::new("");
    planet.feed("one.xml", "One", &rss("one", &numbered("one")));
    planet.feed("two.xml", "Two", &rss("two", &numbered("two")));
    planet.update();
    let river = planet.river();
    assert_eq!(river.len(), 20, "{river:?}");
    for (blog, title, body) in &river {
        let own = blog.to_lowercase();
        assert!(
            title.starts_with(&own) && body.contains(&own),
            "{blog}: {title} / {body}"
        );
    }
}

#[test]
fn a_post_republished_identically_by_an_aggregator_is_shown_once() {
    let posts = victim_posts();
    let mut planet = Planet::new("");
    planet.feed("aggregator.xml", "Aggregator", &rss("aggregator", &posts));
    planet.feed("blog.xml", "Blog", &rss("blog", &posts));
    planet.update();
    let river = planet.river();
    assert_eq!(river.len(), 5, "{river:?}");
    for n in 1..=5 {
        let title = format!("Victim post {n}");
        assert_eq!(river.iter().filter(|(_, t, _)| *t == title).count(), 1);
    }
    // Same posts, so no collision to report.
    assert!(!planet.output("status.json").contains("shares"));
}

#[test]
fn a_flooding_feed_pushes_no_other_feeds_newest_entry_off_the_page() {
    let mut planet = Planet::new("max_feed_bytes = 33554432");
    // 30 blogs, three posts each, over the last month.
    for blog in 0..30 {
        let posts: Vec<Item> = (0..3)
            .map(|k| {
                let day = 25 - k * 8;
                (
                    format!("b{blog}-{k}"),
                    format!("https://blog{blog}.example/{k}"),
                    format!("Blog {blog} post {k}"),
                    format!("body {blog} {k}"),
                    Some(format!("Wed, {day:02} Nov 2026 {:02}:00:00 GMT", blog % 24)),
                )
            })
            .collect();
        planet.feed(
            &format!("blog{blog}.xml"),
            &format!("Blog {blog}"),
            &rss("blog", &posts),
        );
    }
    let newest = |river: &[(String, String, String)]| -> Vec<usize> {
        (0..30)
            .filter(|blog| {
                river
                    .iter()
                    .any(|(_, t, _)| *t == format!("Blog {blog} post 0"))
            })
            .collect()
    };
    planet.update();
    let before = planet.river();
    assert_eq!(before.len(), 60);
    assert_eq!(
        newest(&before).len(),
        30,
        "every blog's newest post is on the page"
    );

    // One feed of 100,000 undated items: each counts as new, dated now.
    let mut flood = String::from("<rss version=\"2.0\"><channel><title>Flood</title>\n");
    for n in 0..100_000 {
        let _ = writeln!(
            flood,
            "<item><guid>f{n}</guid><title>flood {n}</title></item>"
        );
    }
    flood.push_str("</channel></rss>\n");
    planet.feed("flood.xml", "Flood", &flood);
    let summary = planet.update();

    let after = planet.river();
    assert_eq!(after.len(), 60);
    assert_eq!(newest(&after), newest(&before), "{after:?}");
    let flooded = after.iter().filter(|(b, ..)| b == "Flood").count();
    assert!(
        (1..=15).contains(&flooded),
        "the flood holds {flooded} of 60"
    );
    // The parser's cap is named as such, in the summary and on the status page.
    assert!(
        summary.contains("Flood (feeds/flood.xml): ok, capped at 10,000 entries"),
        "{summary}"
    );
    let status = planet.output("status.html");
    assert!(status.contains("ok, capped at 10,000 entries"), "{status}");
    assert!(!status.contains("unclosed"));
}

#[test]
fn credentials_and_secret_parameters_are_used_for_fetching_and_never_published() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let server = server::Server::start(move |conn| {
        log.lock().unwrap().push(conn.head.clone());
        let body = rss(
            "private",
            &[(
                "https://private.example/1?sig=SIGVALUE42".into(),
                "https://private.example/1?auth=AUTHVALUE42&page=1".into(),
                "Members-only post".into(),
                "members content".into(),
                Some("Mon, 02 Nov 2026 10:00:00 GMT".into()),
            )],
        );
        conn.send(&server::response(
            "200 OK",
            &[("Content-Type", "application/rss+xml")],
            body.as_bytes(),
        ));
    });
    let port = server.port();
    let mut planet = Planet::new("");
    planet.subscribe(
        &format!("http://reader:s3cr3tpass@127.0.0.1:{port}/f.xml?private_token=T0K3NVALUE"),
        "Private",
        "",
    );
    planet.subscribe(
        &format!("http://127.0.0.1:{port}/unlisted-address.xml"),
        "Unlisted",
        "publish_url = no\n",
    );
    planet.update();

    let heads = seen.lock().unwrap().clone();
    let private = heads
        .iter()
        .find(|h| h.contains("/f.xml"))
        .expect("the private feed was fetched");
    assert!(private.contains("private_token=T0K3NVALUE"), "{private}");
    assert!(
        private.contains("cmVhZGVyOnMzY3IzdHBhc3M="),
        "the credentials were sent: {private}"
    );
    assert!(heads.iter().any(|h| h.contains("/unlisted-address.xml")));
    assert!(planet.output("index.html").contains("Members-only post"));

    let mut checked = 0;
    for entry in fs::read_dir(planet.dir.path().join("output")).expect("output dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            checked += 1;
            assert_no_secret(&path);
        }
    }
    assert!(checked >= 8, "only {checked} outputs");
    // What is not secret stays.
    assert!(planet
        .output("opml.xml")
        .contains(&format!("127.0.0.1:{port}/f.xml")));
    assert!(planet.output("index.html").contains("page=1"));
}

fn assert_no_secret(path: &Path) {
    let text = String::from_utf8_lossy(&fs::read(path).expect("read output")).into_owned();
    for secret in [
        "s3cr3tpass",
        "reader:",
        "T0K3NVALUE",
        "SIGVALUE42",
        "AUTHVALUE42",
        "unlisted-address",
    ] {
        assert!(
            !text.contains(secret),
            "{} publishes {secret}",
            path.display()
        );
    }
}
