//! Parses the small feeds in `tests/data/` and checks the results; the expected values are what
//! the Universal Feed Parser 6.0.14 reports for the same files.

use orrery_feed::{parse, HtmlMode, Limits, ParseOptions, ParsedFeed};

fn parse_file(name: &str) -> ParsedFeed {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&bytes, &ParseOptions::default())
}

fn text(t: &Option<orrery_feed::TextConstruct>) -> &str {
    t.as_ref().map_or("", |t| t.value.as_str())
}

#[test]
fn rss20() {
    let p = parse_file("rss20.xml");
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.version, "rss20");
    assert_eq!(p.encoding, "utf-8");
    let f = &p.feed;
    assert_eq!(text(&f.common.title), "Example & Co");
    assert_eq!(f.common.link.as_deref(), Some("http://example.org/"));
    let sub = f.common.subtitle.as_ref().unwrap();
    assert_eq!(sub.content_type, "text/html");
    assert!(sub.value.contains("things"));
    assert_eq!(f.common.language.as_deref(), Some("en-us"));
    assert_eq!(
        f.common.publisher.as_deref(),
        Some("Ops Team (ops@example.org)")
    );
    let publisher = f.common.publisher_detail.as_ref().unwrap();
    assert_eq!(publisher.name.as_deref(), Some("Ops Team"));
    assert_eq!(publisher.email.as_deref(), Some("ops@example.org"));
    let img = f.image.as_ref().unwrap();
    assert_eq!((img.width, img.height), (Some(88), Some(31)));
    assert_eq!(img.href.as_deref(), Some("/logo.png"));
    assert_eq!(f.ttl.as_deref(), Some("60"));

    assert_eq!(p.entries.len(), 2);
    let e = &p.entries[0];
    assert_eq!(e.common.id.as_deref(), Some("urn:example:1"));
    assert_eq!(e.guidislink, Some(false));
    assert_eq!(
        e.common.link.as_deref(),
        Some("http://example.org/2024/first")
    );
    assert_eq!(
        e.common.published.as_ref().map(|d| d.raw.as_str()),
        Some("Tue, 10 Jun 2003 04:00:00 GMT")
    );
    let author = e.common.author_detail.as_ref().unwrap();
    assert_eq!(author.name.as_deref(), Some("Jane Doe"));
    assert_eq!(author.email.as_deref(), Some("jane@example.org"));
    assert_eq!(e.common.tags[0].term.as_deref(), Some("News"));
    assert_eq!(
        e.common.tags[0].scheme.as_deref(),
        Some("http://example.org/cats")
    );
    assert_eq!(e.enclosures.len(), 1);
    assert_eq!(e.enclosures[0].length.as_deref(), Some("1234"));
    assert_eq!(text(&e.common.summary), "Plain summary");
    assert_eq!(e.content[0].content_type, "text/html");
    assert!(e.content[0].value.contains("Full"));

    let e = &p.entries[1];
    assert_eq!(e.guidislink, Some(true));
    assert_eq!(
        e.common.link.as_deref(),
        Some("http://example.org/2024/second")
    );
    assert_eq!(e.common.author.as_deref(), Some("Bob"));
    assert_eq!(
        e.common.updated.as_ref().map(|d| d.raw.as_str()),
        Some("2003-06-11T04:00:00Z")
    );
}

#[test]
fn atom10() {
    let p = parse_file("atom10.xml");
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.version, "atom10");
    let f = &p.feed;
    assert_eq!(f.common.language.as_deref(), Some("en"));
    let title = f.common.title.as_ref().unwrap();
    assert_eq!(title.base, "http://example.org/blog/");
    assert_eq!(title.language.as_deref(), Some("en"));
    assert_eq!(
        f.common.link.as_deref(),
        Some("http://example.org/blog/index.html")
    );
    assert_eq!(f.common.links[1].rel.as_deref(), Some("self"));
    assert_eq!(
        f.common.links[1].content_type.as_deref(),
        Some("application/atom+xml")
    );
    let generator = f.generator_detail.as_ref().unwrap();
    assert_eq!(generator.name.as_deref(), Some("Gen"));
    assert_eq!(generator.href.as_deref(), Some("http://example.org/gen"));
    assert_eq!(generator.version.as_deref(), Some("1.0"));

    let e = &p.entries[0];
    let title = e.common.title.as_ref().unwrap();
    assert_eq!(title.content_type, "application/xhtml+xml");
    assert_eq!(title.language.as_deref(), Some("fr"));
    assert!(title.value.starts_with("Un <b>"), "{}", title.value);
    assert_eq!(
        e.common.link.as_deref(),
        Some("http://example.org/blog/2005/07/entry")
    );
    assert_eq!(e.common.author.as_deref(), Some("Mark (mark@example.org)"));
    assert_eq!(
        e.common.authors[0].href.as_deref(),
        Some("http://example.org/mark")
    );
    assert_eq!(e.common.contributors[0].name.as_deref(), Some("Sam"));
    assert_eq!(e.common.tags[0].label.as_deref(), Some("Technology"));
    assert_eq!(e.enclosures[0].length.as_deref(), Some("1337"));
    let content = &e.content[0];
    assert_eq!(content.base, "http://example.org/other/");
    assert!(content.value.starts_with("<p>See "), "{}", content.value);
    assert!(content.value.contains("&amp; that"));
    assert_eq!(text(&e.common.summary), content.value);
    let source = e.source.as_ref().unwrap();
    assert_eq!(source.common.id.as_deref(), Some("urn:src"));
    assert_eq!(text(&source.common.title), "Source feed");
}

#[test]
fn rss10() {
    let p = parse_file("rss10.rdf");
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.version, "rss10");
    assert_eq!(p.feed.common.publisher.as_deref(), Some("Example Press"));
    let e = &p.entries[0];
    assert_eq!(e.common.id.as_deref(), Some("http://example.org/item/1"));
    assert_eq!(e.common.tags[0].term.as_deref(), Some("Topic"));
    assert_eq!(
        e.common.updated.as_ref().map(|d| d.raw.as_str()),
        Some("2002-09-29T23:40:06-05:00")
    );
}

#[test]
fn atom03_base64_and_escaped() {
    let p = parse_file("atom03.xml");
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.version, "atom03");
    assert_eq!(text(&p.feed.common.subtitle), "Old style");
    assert_eq!(text(&p.feed.info), "<p>info</p>");
    let e = &p.entries[0];
    assert_eq!(e.content[0].value, "<p>Hello</p>");
    assert_eq!(text(&e.common.summary), "<p>Hello</p>");
}

#[test]
fn broken_documents_still_yield_entries() {
    let p = parse_file("broken.xml");
    assert!(p.bozo);
    assert!(p.bozo_exception.as_deref().unwrap_or("").contains("entity"));
    assert_eq!(p.version, "rss20");
    assert_eq!(text(&p.feed.common.title), "Broken \u{a0} feed");
    let titles: Vec<&str> = p.entries.iter().map(|e| text(&e.common.title)).collect();
    assert_eq!(titles, ["One", "Two \u{2026}", "Three"]);
}

#[test]
fn json_feed() {
    let p = parse_file("feed.json");
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.version, "json11");
    assert_eq!(text(&p.feed.common.title), "JSON Example");
    assert_eq!(p.feed.common.author.as_deref(), Some("Ann"));
    let e = &p.entries[0];
    assert_eq!(e.common.link.as_deref(), Some("https://example.org/1"));
    assert_eq!(e.enclosures[0].length.as_deref(), Some("99"));
    assert!(e
        .common
        .published
        .as_ref()
        .is_some_and(|d| d.raw == "2020-01-02T03:04:05Z"));

    // Served with its own media type, it is not "bozo" for not being XML.
    let path = format!("{}/tests/data/feed.json", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let opts = ParseOptions {
        headers: vec![("Content-Type".into(), "application/feed+json".into())],
        ..ParseOptions::default()
    };
    let p = parse(&bytes, &opts);
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    assert_eq!(p.encoding, "utf-8");
}

#[test]
fn document_url_and_headers() {
    let bytes = br#"<rss version="2.0"><channel><item><link>/a</link><description>&lt;a href="b"&gt;x&lt;/a&gt;</description></item></channel></rss>"#;
    let opts = ParseOptions {
        url: Some("http://example.org/feeds/rss".into()),
        headers: vec![
            ("Content-Location".into(), "http://example.com/base/".into()),
            ("Content-Language".into(), "de".into()),
            ("ETag".into(), "\"xyz\"".into()),
            (
                "Last-Modified".into(),
                "Wed, 21 Oct 2015 07:28:00 GMT".into(),
            ),
        ],
        ..ParseOptions::default()
    };
    let p = parse(bytes, &opts);
    assert_eq!(
        p.entries[0].common.link.as_deref(),
        Some("http://example.com/a")
    );
    assert_eq!(p.feed.common.language.as_deref(), Some("de"));
    assert_eq!(p.http.etag.as_deref(), Some("\"xyz\""));
    assert_eq!(p.http.href.as_deref(), Some("http://example.org/feeds/rss"));
    let summary = p.entries[0].common.summary.as_ref().unwrap();
    assert_eq!(summary.base, "http://example.com/base/");
    assert_eq!(summary.language.as_deref(), Some("de"));
    let json = p.to_schema_json();
    assert_eq!(json["etag"], "\"xyz\"");
    assert_eq!(json["modified"], "Wed, 21 Oct 2015 07:28:00 GMT");
}

#[test]
fn limits_stop_cleanly() {
    let mut doc = String::from("<rss><channel>");
    for i in 0..50 {
        doc.push_str(&format!("<item><title>{i}</title></item>"));
    }
    doc.push_str("</channel></rss>");
    let opts = ParseOptions {
        limits: Limits {
            max_entries: 10,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let p = parse(doc.as_bytes(), &opts);
    assert_eq!(p.entries.len(), 10);
    assert!(p.bozo);

    let deep = "<a>".repeat(100_000);
    let p = parse(deep.as_bytes(), &ParseOptions::default());
    assert!(p.bozo);
    assert!(p.bozo_exception.unwrap().contains("nested"));

    let opts = ParseOptions {
        limits: Limits {
            max_bytes: 12,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let p = parse(doc.as_bytes(), &opts);
    assert!(p.bozo);
    assert!(p.entries.is_empty());
}

#[test]
fn schema_json_shape() {
    let p = parse_file("rss20.xml");
    let v = p.to_schema_json();
    assert_eq!(v["bozo"], false);
    assert_eq!(v["feed"]["title_detail"]["type"], "text/plain");
    assert_eq!(
        v["feed"]["title_detail"]["language"],
        serde_json::Value::Null
    );
    assert_eq!(v["entries"][0]["published_parsed"], "2003-06-10T04:00:00Z");
    assert_eq!(v["entries"][0]["tags"][0]["label"], serde_json::Value::Null);
    assert_eq!(v["entries"][0]["enclosures"][0]["type"], "audio/mpeg");
    assert!(v["entries"][1].get("summary").is_none());
}

#[test]
fn precedence_rules() {
    // A second description-like element in an item is read as content (feedparser's rule for
    // itunes:summary after description), and the model can move across threads.
    let doc = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><item><description>short</description><itunes:summary>long &lt;b&gt;form&lt;/b&gt;</itunes:summary>
<title>first</title><media:title xmlns:media="http://search.yahoo.com/mrss/">nested</media:title></item></channel></rss>"#;
    let p = parse(doc, &ParseOptions::default());
    assert!(!p.bozo, "{:?}", p.bozo_exception);
    let e = &p.entries[0];
    assert_eq!(text(&e.common.summary), "short");
    assert_eq!(e.content.len(), 1);
    assert_eq!(e.content[0].content_type, "text/html");
    assert!(e.content[0].value.contains("form"));
    assert_eq!(text(&e.common.title), "first");

    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    assert_send_sync(&p);
}

#[test]
fn html_is_resolved_and_sanitized_unless_opted_out() {
    let doc = br#"<rss version="2.0"><channel><item><description>&lt;a href="/x"&gt;a&lt;/a&gt;&lt;script&gt;bad()&lt;/script&gt;</description></item></channel></rss>"#;
    let mut opts = ParseOptions {
        url: Some("http://example.org/feed".into()),
        ..ParseOptions::default()
    };
    let clean = parse(doc, &opts);
    let summary = text(&clean.entries[0].common.summary);
    assert!(summary.contains("http://example.org/x"), "{summary}");
    assert!(!summary.contains("script"), "{summary}");

    opts.html = HtmlMode::ResolveUris;
    let resolved = parse(doc, &opts);
    let summary = text(&resolved.entries[0].common.summary);
    assert!(summary.contains("http://example.org/x"), "{summary}");
    assert!(summary.contains("<script>bad()</script>"), "{summary}");

    opts.html = HtmlMode::AsIs;
    let raw = parse(doc, &opts);
    let summary = text(&raw.entries[0].common.summary);
    assert_eq!(summary, r#"<a href="/x">a</a><script>bad()</script>"#);
}
