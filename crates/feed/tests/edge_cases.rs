//! Edge cases other parsers' test suites exercise, and the namespace extensions a planet shows
//! (Media RSS, iTunes, GeoRSS, Podlove chapters), each checked on a document of its own.

use orrery_feed::{parse, Extension, Geometry, ParseOptions, ParsedFeed};

fn p(doc: &str) -> ParsedFeed {
    parse(doc.as_bytes(), &ParseOptions::default())
}

fn text(t: &Option<orrery_feed::TextConstruct>) -> &str {
    t.as_ref().map_or("", |t| t.value.as_str())
}

const ATOM: &str = r#"xmlns="http://www.w3.org/2005/Atom""#;

#[test]
fn base64_content_is_decoded_only_when_strictly_valid() {
    let doc = format!(
        r#"<feed {ATOM}><entry><title>t</title>
        <content type="text/plain" mode="base64">aGVsbG8=</content>
        <summary type="text/plain" mode="base64">aGVsbG8</summary>
        <rights type="text/plain" mode="base64">aGV*sbG8=</rights></entry></feed>"#
    );
    let r = p(&doc);
    let e = &r.entries[0];
    assert_eq!(e.content[0].value, "hello");
    // Missing padding: not base64, kept as found.
    assert_eq!(text(&e.common.summary), "aGVsbG8");
    // A character outside the alphabet: kept as found.
    assert_eq!(text(&e.common.rights), "aGV*sbG8=");
}

#[test]
fn base64_split_over_lines_is_decoded() {
    let doc = format!(
        "<feed {ATOM}><entry><title>t</title>\
         <content type=\"text/plain\" mode=\"base64\">aGVs\n  bG8g\r\nd29y bGQ=</content></entry></feed>"
    );
    assert_eq!(p(&doc).entries[0].content[0].value, "hello world");
}

#[test]
fn atom_icon_and_logo_keep_their_value_with_attributes() {
    let doc = format!(
        r#"<feed {ATOM}><title>t</title>
        <icon xml:base="http://example.org/img/">favicon.ico</icon>
        <logo xml:lang="en">http://example.org/logo.png</logo></feed>"#
    );
    let r = p(&doc);
    assert_eq!(
        r.feed.icon.as_deref(),
        Some("http://example.org/img/favicon.ico")
    );
    assert_eq!(r.feed.logo.as_deref(), Some("http://example.org/logo.png"));
    assert!(r.feed.common.extensions.is_empty());
}

#[test]
fn icon_inside_source_belongs_to_the_source() {
    let doc = format!(
        r#"<feed {ATOM}><title>t</title><entry><title>e</title>
        <source><title>Origin</title><icon xml:base="http://example.com/">i.ico</icon>
        <logo>http://example.com/l.png</logo></source></entry></feed>"#
    );
    let r = p(&doc);
    let s = r.entries[0].source.as_ref().expect("source");
    assert_eq!(text(&s.common.title), "Origin");
    assert_eq!(s.icon.as_deref(), Some("http://example.com/i.ico"));
    assert_eq!(s.logo.as_deref(), Some("http://example.com/l.png"));
    assert_eq!(r.feed.icon, None);
}

#[test]
fn rss10_image_and_textinput_beside_the_channel_are_read() {
    let doc = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://example.org/"><title>Chan</title><link>http://example.org/</link>
<description>d</description><image rdf:resource="http://example.org/logo.png"/>
<textinput rdf:resource="http://example.org/search"/></channel>
<image rdf:about="http://example.org/logo.png"><title>Logo</title>
<url>http://example.org/logo.png</url><link>http://example.org/</link></image>
<item rdf:about="http://example.org/1"><title>One</title><link>http://example.org/1</link></item>
<textinput rdf:about="http://example.org/search"><title>Search</title><description>Find</description>
<name>q</name><link>http://example.org/search</link></textinput>
</rdf:RDF>"#;
    let r = p(doc);
    assert!(!r.bozo, "{:?}", r.bozo_exception);
    let img = r.feed.image.as_ref().expect("image");
    assert_eq!(img.title.as_deref(), Some("Logo"));
    assert_eq!(img.href.as_deref(), Some("http://example.org/logo.png"));
    assert_eq!(img.link.as_deref(), Some("http://example.org/"));
    let ti = r.feed.textinput.as_ref().expect("textinput");
    assert_eq!(ti.title.as_deref(), Some("Search"));
    assert_eq!(ti.description.as_deref(), Some("Find"));
    assert_eq!(ti.name.as_deref(), Some("q"));
    assert_eq!(ti.link.as_deref(), Some("http://example.org/search"));
    // The channel's own title is not overwritten by the image's or text input's.
    assert_eq!(text(&r.feed.common.title), "Chan");
    assert_eq!(text(&r.entries[0].common.title), "One");
}

#[test]
fn control_character_in_title_sets_bozo_and_keeps_the_text() {
    let r = p("<rss version=\"2.0\"><channel><title>a\u{1}b</title></channel></rss>");
    assert!(r.bozo);
    assert_eq!(r.bozo_exception_class.as_deref(), Some("SAXParseException"));
    assert!(r.bozo_exception.as_deref().unwrap_or("").contains("U+0001"));
    assert_eq!(text(&r.feed.common.title), "a\u{1}b");
    // Tab, line feed and carriage return are allowed.
    let ok = p("<rss version=\"2.0\"><channel><title>a\tb\r\nc</title></channel></rss>");
    assert!(!ok.bozo, "{:?}", ok.bozo_exception);
}

#[test]
fn years_past_9999_are_written_without_a_sign() {
    let r = p(
        r#"<rss version="2.0"><channel><title>t</title><item><title>x</title>
        <pubDate>9999-12-31T23:59:59-05:00</pubDate></item></channel></rss>"#,
    );
    let json = r.to_schema_json();
    assert_eq!(
        json["entries"][0]["published_parsed"],
        "10000-01-01T04:59:59Z"
    );
    let ordinary = p(r#"<rss version="2.0"><channel><item><title>x</title>
        <pubDate>Sat, 01 Jan 2005 10:00:00 GMT</pubDate></item></channel></rss>"#);
    assert_eq!(
        ordinary.to_schema_json()["entries"][0]["published_parsed"],
        "2005-01-01T10:00:00Z"
    );
}

#[test]
fn youtube_style_media_group() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:yt="http://www.youtube.com/xml/schemas/2015"
      xmlns:media="http://search.yahoo.com/mrss/"><title>Channel</title>
      <entry><id>yt:video:abc</id><yt:videoId>abc</yt:videoId><title>A video</title>
      <link rel="alternate" href="https://www.youtube.com/watch?v=abc"/>
      <media:group><media:title>A video</media:title>
        <media:content url="https://www.youtube.com/v/abc" type="application/x-shockwave-flash" width="640" height="390"/>
        <media:thumbnail url="https://i.example.com/abc.jpg" width="480" height="360"/>
        <media:description>What the video shows.</media:description>
        <media:community><media:starRating count="3" average="5.00" min="1" max="5"/></media:community>
      </media:group></entry></feed>"#;
    let r = p(doc);
    assert!(!r.bozo, "{:?}", r.bozo_exception);
    let e = &r.entries[0].common;
    assert_eq!(e.thumbnail(), Some("https://i.example.com/abc.jpg"));
    assert_eq!(text(&e.summary), "What the video shows.");
    assert_eq!(e.ns().media_content.len(), 1);
    assert_eq!(e.ns().media_content[0].get("width"), Some("640"));
    assert_eq!(e.extension_text("yt_videoid"), Some("abc"));
    match e.extension("media_starrating") {
        Some(Extension::Attributes(a)) => {
            assert!(a.contains(&("average".to_string(), "5.00".to_string())))
        }
        other => panic!("media_starrating: {other:?}"),
    }
    // media:group itself is no key of its own.
    assert!(e.extension("media_group").is_none());
    let json = r.to_schema_json();
    assert_eq!(json["schema"], 2);
    assert_eq!(
        json["entries"][0]["media_thumbnail"][0]["url"],
        "https://i.example.com/abc.jpg"
    );
}

#[test]
fn podcast_episode() {
    let doc = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
      xmlns:psc="http://podlove.org/simple-chapters" xmlns:georss="http://www.georss.org/georss">
      <channel><title>Cast</title><itunes:explicit>clean</itunes:explicit><itunes:block> yes </itunes:block>
      <item><title>Episode 1</title>
        <enclosure url="http://example.org/1.mp3" type="audio/mpeg" length="1234"/>
        <itunes:duration> 1:02:03 </itunes:duration><itunes:explicit>yes</itunes:explicit>
        <itunes:image href="http://example.org/1.jpg"/>
        <georss:point>45.256 -71.92</georss:point>
        <psc:chapters version="1.2"><psc:chapter start="00:00:00" title="Hello"/>
          <psc:chapter start="01:02.500" title="Topic"/><psc:chapter start="1:2" title="Bad"/></psc:chapters>
      </item></channel></rss>"#;
    let r = p(doc);
    assert!(!r.bozo, "{:?}", r.bozo_exception);
    let f = &r.feed.common;
    assert_eq!(f.itunes_explicit, Some(Some(false)));
    assert_eq!(
        f.itunes_block,
        Some(false),
        "no trimming: ' yes ' is not yes"
    );
    let e = &r.entries[0];
    assert_eq!(e.common.extension_text("itunes_duration"), Some("1:02:03"));
    assert_eq!(e.common.duration_seconds(), Some(3723));
    assert_eq!(e.common.itunes_explicit, Some(Some(true)));
    assert_eq!(
        e.image.as_ref().and_then(|i| i.href.as_deref()),
        Some("http://example.org/1.jpg")
    );
    let geo = e
        .common
        .ns()
        .location
        .as_ref()
        .and_then(|l| l.geometry.as_ref());
    assert_eq!(geo, Some(&Geometry::Point(vec![-71.92, 45.256])));
    let ch = e.common.ns().chapters.as_ref().expect("chapters");
    assert_eq!(ch.chapters.len(), 3);
    assert_eq!(ch.chapters[0].start_seconds, Some(0.0));
    assert_eq!(ch.chapters[1].start_seconds, Some(62.5));
    assert_eq!(ch.chapters[2].start_seconds, None);
    assert_eq!(e.enclosures.len(), 1);
}

#[test]
fn other_elements_are_kept_under_feedparser_keys() {
    let doc = r#"<rss version="2.0" xmlns:MadeUp="http://example.com/madeup"
      xmlns:wfw="http://wellformedweb.org/CommentAPI/" xml:base="http://example.org/blog/">
      <channel><title>t</title><MadeUp:Element>feed level</MadeUp:Element>
      <item><title>x</title><MadeUp:Element> test </MadeUp:Element>
      <MadeUp:Deep><MadeUp:Element>deeper</MadeUp:Element></MadeUp:Deep>
      <MadeUp:Thing a="1" b="2">dropped</MadeUp:Thing>
      <wfw:commentRss>comments/1.rss</wfw:commentRss></item></channel></rss>"#;
    let r = p(doc);
    assert_eq!(
        r.feed.common.extension_text("madeup_element"),
        Some("feed level")
    );
    let e = &r.entries[0].common;
    // The least deeply nested occurrence wins.
    assert_eq!(e.extension_text("madeup_element"), Some("test"));
    assert_eq!(e.extension_text("madeup_deep"), Some(""));
    assert_eq!(
        e.extension("madeup_thing"),
        Some(&Extension::Attributes(vec![
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string())
        ]))
    );
    assert_eq!(
        e.extension_text("wfw_commentrss"),
        Some("http://example.org/blog/comments/1.rss")
    );
}

#[test]
fn extension_keys_are_bounded() {
    let mut doc =
        String::from("<rss version=\"2.0\" xmlns:x=\"http://example.com/x\"><channel><item>");
    for i in 0..5000 {
        doc.push_str(&format!("<x:e{i}>v</x:e{i}><media:thumbnail xmlns:media=\"http://search.yahoo.com/mrss/\" url=\"u{i}\"/>"));
    }
    doc.push_str("</item></channel></rss>");
    let r = p(&doc);
    let e = &r.entries[0].common;
    assert!(e.extensions.len() <= 256, "{}", e.extensions.len());
    assert!(e.ns().media_thumbnails.len() <= 256);
    assert!(!e.extensions.is_empty());
}
