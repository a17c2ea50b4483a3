//! The generated feeds and lists parse, and say what they should.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use orrery_render::{render_site, Theme};
use serde_json::Value;

fn publish() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let theme = Theme::bundled("classic_fancy").unwrap();
    render_site(&planet(), &channels(), &items(), &theme, out.path()).unwrap();
    out
}

const PUBLISHED: usize = 10;

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn no_output_contains_characters_xml_forbids() {
    let out = publish();
    for name in files(out.path()) {
        let Ok(text) = fs::read_to_string(out.path().join(&name)) else {
            continue;
        };
        let bad = forbidden_char(&text);
        assert_eq!(bad, None, "{name}");
    }
}

#[test]
fn atom_has_one_source_per_entry() {
    let out = publish();
    let names = xml_elements(&out.path().join("atom.xml"));
    assert_eq!(names[0], "feed");
    assert_eq!(count(&names, "entry"), PUBLISHED);
    assert_eq!(count(&names, "source"), PUBLISHED);
    let atom = read(out.path(), "atom.xml");
    assert!(atom.contains("<link rel=\"self\" href=\"http://planet.example/atom.xml\""));
    // The first entry's source is Alice's feed, with its id, title and site.
    let first = &atom[atom.find("<entry>").unwrap()..atom.find("</entry>").unwrap()];
    let source = &first[first.find("<source>").unwrap()..];
    assert!(source.contains("<id>http://a.example/feed.xml</id>"));
    assert!(source.contains("<title>Alice&apos;s blog</title>"));
    assert!(source.contains("<link rel=\"alternate\" href=\"http://a.example/\""));
    // The title travels as escaped HTML, the control characters gone.
    assert!(
        first.contains("<title type=\"html\">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; sanitized</title>")
    );
    assert!(atom.contains("<link rel=\"enclosure\" href=\"http://x.example/1.mp3\" type=\"audio/mpeg\" length=\"100\"/>"));
    // An enclosure without a URL is not written: Atom requires `href`.
    assert_eq!(atom.matches("rel=\"enclosure\"").count(), 1);
    // A feed's rights are markup: escaped once, typed as HTML, XML-safe.
    assert!(
        source.contains("<rights type=\"html\">&amp;copy; 2016 &lt;i&gt;Alice&lt;/i&gt;</rights>")
    );
    assert!(atom.contains("<category term=\"rust &amp; &lt;xml&gt;\"/>"));
}

#[test]
fn rss20_follows_venus() {
    let out = publish();
    let names = xml_elements(&out.path().join("rss20.xml"));
    assert_eq!(count(&names, "item"), PUBLISHED);
    assert_eq!(count(&names, "atom:link"), 1);
    let rss = read(out.path(), "rss20.xml");
    // "channel name: title", plain text, HTML-escaped: readers render RSS titles as HTML.
    assert!(rss.contains("<title>Bob &amp;amp; &amp;quot;Co&amp;quot;: Post 5</title>"));
    assert!(rss.contains("<guid isPermaLink=\"true\">http://x.example/5</guid>"));
    assert!(rss.contains("<guid isPermaLink=\"false\">http://x.example/1</guid>"));
    assert!(rss.contains("<description>&lt;p&gt;Body of post 5.&lt;/p&gt;</description>"));
    assert!(rss.contains(
        "<author>m@x.example (Mallory &amp;lt;img src=x onerror=alert(2)&amp;gt;)</author>"
    ));
    assert!(rss.contains("<pubDate>Thu, 25 Aug 2016 10:00:00 +0000</pubDate>"));
    assert!(rss.contains(
        "<enclosure url=\"http://x.example/1.mp3\" length=\"100\" type=\"audio/mpeg\"/>"
    ));
    assert_eq!(count(&names, "enclosure"), 1);
}

#[test]
fn rss10_lists_every_item_in_its_sequence() {
    let out = publish();
    let names = xml_elements(&out.path().join("rss10.xml"));
    assert_eq!(names[0], "rdf:RDF");
    assert_eq!(count(&names, "item"), PUBLISHED);
    assert_eq!(count(&names, "rdf:li"), PUBLISHED);
}

#[test]
fn opml_and_foaf_list_every_subscription() {
    let out = publish();
    let opml = read(out.path(), "opml.xml");
    assert_eq!(
        count(&xml_elements(&out.path().join("opml.xml")), "outline"),
        3
    );
    for channel in channels() {
        assert!(
            opml.contains(&format!("xmlUrl=\"{}\"", channel.url)),
            "{}",
            channel.url
        );
    }
    assert!(opml.contains("htmlUrl=\"http://b.example/\""));
    assert!(opml.contains("text=\"Alice &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;\""));
    let foaf = xml_elements(&out.path().join("foafroll.xml"));
    assert_eq!(count(&foaf, "foaf:member"), 3);
    assert_eq!(count(&foaf, "rss:channel"), 3);
}

#[test]
fn json_feed_has_the_required_fields() {
    let out = publish();
    let feed: Value = serde_json::from_str(&read(out.path(), "feed.json")).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    // Text, HTML-escaped, as in every format without a text/HTML flag.
    assert_eq!(
        feed["title"],
        "Planet &lt;Test&gt; &amp; &quot;Friends&quot;"
    );
    assert_eq!(feed["feed_url"], "http://planet.example/feed.json");
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), PUBLISHED);
    for item in items {
        assert!(item["id"].is_string());
        assert!(item["content_html"].is_string());
        assert!(item["date_published"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(items[0]["title"], "Bold &amp; sanitized");
    assert_eq!(
        items[0]["_source"]["name"],
        HOSTILE_NAME.replace('<', "&lt;").replace('>', "&gt;")
    );
    assert_eq!(items[1]["url"], "http://planet.example/posts/1.html");
    assert_eq!(items[1]["attachments"][0]["size_in_bytes"], 100);
    // JSON Feed requires an attachment's URL.
    assert!(items[2].get("attachments").is_none(), "{}", items[2]);
}

#[test]
fn status_reports_health_of_every_subscription() {
    let out = publish();
    let status: Value = serde_json::from_str(&read(out.path(), "status.json")).unwrap();
    let subs = status["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 3);
    let gone = subs.iter().find(|s| s["name"] == "Gone Blog").unwrap();
    assert_eq!(gone["ok"], false);
    assert_eq!(gone["problem"], FAILURE);
    assert_eq!(gone["http_status"], 410);
    let bob = subs
        .iter()
        .find(|s| s["url"] == "http://b.example/atom")
        .unwrap();
    assert_eq!(bob["ok"], true);
    assert_eq!(bob["entries_stored"], 5);
    assert_eq!(bob["last_fetch"], "2016-08-27T08:00:00Z");
    assert_eq!(bob["permanent_redirect"], "https://b.example/atom.xml");

    let html = read(out.path(), "status.html");
    assert!(html.contains("1 of 3 subscriptions have a problem."));
    assert!(html.contains(
        "<td data-label=\"State\" class=\"state\">HTTP 410: the feed is gone &lt;forever&gt;"
    ));
    assert!(html.contains("August 27, 2016 08:00 AM"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever text feeds and configurations contain, every XML output is
    /// well-formed and the JSON outputs parse.
    #[test]
    fn any_text_gives_well_formed_outputs(
        name in proptest::prelude::any::<String>(),
        title in proptest::prelude::any::<String>(),
        content in proptest::prelude::any::<String>(),
        id in "[\\x00-\\x20<>&\"']{0,8}",
    ) {
        let mut channels = channels();
        channels[0].name = name.clone();
        channels[1].title = Some(title.clone());
        let mut items = items();
        items[1].title = Some(title);
        items[1].content = Some(content);
        items[1].author_name = Some(name);
        items[1].id = id.clone();
        items[1].link = Some(id);
        let out = tempfile::tempdir().unwrap();
        let theme = Theme::bundled("orrery").unwrap();
        render_site(&planet(), &channels, &items, &theme, out.path()).unwrap();
        for xml in ["atom.xml", "rss20.xml", "rss10.xml", "opml.xml", "foafroll.xml"] {
            xml_elements(&out.path().join(xml));
            proptest::prop_assert_eq!(forbidden_char(&read(out.path(), xml)), None);
        }
        for json in ["feed.json", "status.json"] {
            serde_json::from_str::<Value>(&read(out.path(), json)).unwrap();
        }
    }
}
