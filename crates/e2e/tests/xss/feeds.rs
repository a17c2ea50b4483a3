//! Writes a planet whose feeds carry every vector in every field a planet
//! republishes: one RSS 2.0, one Atom and one JSON Feed document per vector,
//! each entry carrying the vector in one field (feed-level fields carry it
//! too), and a Venus INI file subscribing to all of them.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context;
use quick_xml::events::Event;
use serde_json::json;

use crate::corpus::Vector;

/// One date for every entry: the tests do not care about order.
const DATE_822: &str = "Thu, 01 Jan 2026 12:00:00 GMT";
const DATE_3339: &str = "2026-01-01T12:00:00Z";

/// What was written: the entries expected on the page, by marker.
pub struct Written {
    /// `mark-ID.FIELD` for every entry, found in its untouched title or content.
    pub markers: Vec<String>,
    /// Placements skipped, with the reason (e.g. not well-formed as XHTML).
    pub skipped: Vec<String>,
}

/// Writes `feeds/` and `planet.ini` into `dir`.
pub fn write_planet(dir: &Path, vectors: &[Vector], origin: &str) -> anyhow::Result<Written> {
    let feeds = dir.join("feeds");
    fs::create_dir_all(&feeds).context("creating feeds/")?;
    let mut ini = format!(
        "[Planet]\nname = XSS corpus\nlink = {origin}/\nowner_name = Corpus\n\
         output_dir = output\ncache_directory = cache\noutput_theme = classic_fancy\n\
         items_per_page = 100000\nlog_level = ERROR\n\n"
    );
    let mut written = Written {
        markers: Vec::new(),
        skipped: Vec::new(),
    };
    for vector in vectors {
        let encoding = vector.declared_encoding();
        let p = |field: &str| vector.payload(origin, field);
        let documents = [
            ("rss.xml", rss(vector, &p, encoding, &mut written)),
            ("atom.xml", atom(vector, &p, encoding, &mut written)),
        ];
        for (suffix, text) in documents {
            let name = format!("{}.{suffix}", vector.id);
            fs::write(feeds.join(&name), text).with_context(|| format!("writing {name}"))?;
            writeln!(ini, "[feeds/{name}]\nname = {} {suffix}\n", vector.id)?;
        }
        if encoding.is_none() {
            let name = format!("{}.json", vector.id);
            fs::write(feeds.join(&name), json_feed(vector, &p, &mut written)?)?;
            writeln!(ini, "[feeds/{name}]\nname = {} json\n", vector.id)?;
        }
    }
    fs::write(dir.join("planet.ini"), ini).context("writing planet.ini")?;
    Ok(written)
}

/// XML-escapes text for element content and double-quoted attributes.
fn x(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A CDATA section holding `s` exactly, `]]>` included.
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn mark(vector: &Vector, field: &str) -> String {
    format!("mark-{}.{field}", vector.id)
}

fn rss(
    vector: &Vector,
    p: &dyn Fn(&str) -> String,
    encoding: Option<&str>,
    written: &mut Written,
) -> String {
    let id = &vector.id;
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"{}\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n\
         <title>{}</title>\n<link>{}</link>\n<description>{}</description>\n\
         <managingEditor>{}</managingEditor>\n\
         <image><url>{}</url><title>logo</title><link>http://example.com/</link></image>\n",
        encoding.unwrap_or("utf-8"),
        x(&p("rss.channel-title")),
        x(&p("rss.channel-link")),
        x(&p("rss.channel-description")),
        x(&p("rss.channel-editor")),
        x(&p("rss.channel-image")),
    );
    for field in [
        "description",
        "description-cdata",
        "content-encoded",
        "title",
        "link",
        "guid",
        "enclosure",
        "category",
        "creator",
        "author",
        "comments",
        "source",
    ] {
        let full = format!("rss.{field}");
        let payload = p(&full);
        let marker = mark(vector, &full);
        written.markers.push(marker.clone());
        let (mut title, mut body) = (x(&marker), x(&format!("<p>{marker}</p>")));
        let mut extra = String::new();
        let mut link = format!("<link>http://example.com/{id}/{field}</link>");
        let guid = format!("<guid isPermaLink=\"false\">urn:e2e:{id}:rss:{field}</guid>");
        match field {
            "description" => body = x(&payload),
            "description-cdata" => body = cdata(&payload),
            "content-encoded" => {
                extra = format!("<content:encoded>{}</content:encoded>", cdata(&payload))
            }
            "title" => title = x(&payload),
            "link" => link = format!("<link>{}</link>", x(&payload)),
            "guid" => link = format!("<guid isPermaLink=\"true\">{}</guid>", x(&payload)),
            "enclosure" => {
                extra = format!(
                    "<enclosure url=\"{}\" type=\"audio/mpeg\" length=\"1\"/>",
                    x(&payload)
                )
            }
            "category" => extra = format!("<category>{}</category>", x(&payload)),
            "creator" => extra = format!("<dc:creator>{}</dc:creator>", x(&payload)),
            "author" => extra = format!("<author>{}</author>", x(&payload)),
            "comments" => extra = format!("<comments>{}</comments>", x(&payload)),
            _ => extra = format!("<source url=\"{0}\">{0}</source>", x(&payload)),
        }
        let guid = if field == "guid" { "" } else { &guid };
        let _ = write!(
            out,
            "<item>\n<title>{title}</title>\n{link}\n{guid}\n<pubDate>{DATE_822}</pubDate>\n\
             <description>{body}</description>\n{extra}\n</item>\n"
        );
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn atom(
    vector: &Vector,
    p: &dyn Fn(&str) -> String,
    encoding: Option<&str>,
    written: &mut Written,
) -> String {
    let id = &vector.id;
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"{}\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title type=\"html\">{}</title>\n<subtitle type=\"html\">{}</subtitle>\n\
         <link rel=\"alternate\" href=\"{}\"/>\n<id>urn:e2e:{id}:atom</id>\n<updated>{DATE_3339}</updated>\n\
         <author><name>{}</name><uri>{}</uri></author>\n<icon>{}</icon>\n<logo>{}</logo>\n\
         <rights type=\"html\">{}</rights>\n",
        encoding.unwrap_or("utf-8"),
        x(&p("atom.feed-title")),
        x(&p("atom.feed-subtitle")),
        x(&p("atom.feed-link")),
        x(&p("atom.feed-author-name")),
        x(&p("atom.feed-author-uri")),
        x(&p("atom.feed-icon")),
        x(&p("atom.feed-logo")),
        x(&p("atom.feed-rights")),
    );
    for field in [
        "content-html",
        "content-xhtml",
        "content-text",
        "content-src",
        "summary-html",
        "title-html",
        "title-text",
        "author-name",
        "author-uri",
        "author-email",
        "link",
        "link-enclosure",
        "category",
        "rights",
        "xml-base",
        "id",
    ] {
        let full = format!("atom.{field}");
        let payload = p(&full);
        let marker = mark(vector, &full);
        let mut title = format!("<title>{}</title>", x(&marker));
        let mut body = format!(
            "<content type=\"html\">{}</content>",
            x(&format!("<p>{marker}</p>"))
        );
        let mut link =
            format!("<link rel=\"alternate\" href=\"http://example.com/{id}/{field}\"/>");
        let mut entry_id = format!("<id>urn:e2e:{id}:atom:{field}</id>");
        let mut extra = String::new();
        let mut base = String::new();
        match field {
            "content-html" => body = format!("<content type=\"html\">{}</content>", x(&payload)),
            "content-xhtml" => {
                let fragment =
                    format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{payload}</div>");
                if !well_formed(&fragment) {
                    written.skipped.push(format!("{full}: not well-formed XML"));
                    continue;
                }
                body = format!("<content type=\"xhtml\">{fragment}</content>");
            }
            "content-text" => body = format!("<content type=\"text\">{}</content>", x(&payload)),
            "content-src" => {
                body = format!(
                    "<content type=\"text/html\" src=\"{}\"/><summary>{}</summary>",
                    x(&payload),
                    x(&marker)
                )
            }
            "summary-html" => body = format!("<summary type=\"html\">{}</summary>", x(&payload)),
            "title-html" => title = format!("<title type=\"html\">{}</title>", x(&payload)),
            "title-text" => title = format!("<title type=\"text\">{}</title>", x(&payload)),
            "author-name" => extra = format!("<author><name>{}</name></author>", x(&payload)),
            "author-uri" => {
                extra = format!("<author><name>n</name><uri>{}</uri></author>", x(&payload))
            }
            "author-email" => {
                extra = format!(
                    "<author><name>n</name><email>{}</email></author>",
                    x(&payload)
                )
            }
            "link" => link = format!("<link rel=\"alternate\" href=\"{}\"/>", x(&payload)),
            "link-enclosure" => {
                extra = format!(
                    "<link rel=\"enclosure\" type=\"audio/mpeg\" length=\"1\" href=\"{}\"/>",
                    x(&payload)
                )
            }
            "category" => extra = format!("<category term=\"{0}\" label=\"{0}\"/>", x(&payload)),
            "rights" => extra = format!("<rights type=\"html\">{}</rights>", x(&payload)),
            "xml-base" => {
                base = format!(" xml:base=\"{}\"", x(&payload));
                link = "<link rel=\"alternate\" href=\"relative/link\"/>".to_owned();
                body = format!(
                    "<content type=\"html\">{}</content>",
                    x(&format!(
                        "<p>{marker} <a href=\"rel\">rel</a><img src=\"rel.png\" alt=\"\"></p>"
                    ))
                );
            }
            _ => entry_id = format!("<id>{}</id>", x(&payload)),
        }
        written.markers.push(marker);
        let _ = write!(
            out,
            "<entry{base}>\n{title}\n{link}\n{entry_id}\n<updated>{DATE_3339}</updated>\n{body}\n{extra}\n</entry>\n"
        );
    }
    out.push_str("</feed>\n");
    out
}

fn json_feed(
    vector: &Vector,
    p: &dyn Fn(&str) -> String,
    written: &mut Written,
) -> anyhow::Result<String> {
    let id = &vector.id;
    let mut items = Vec::new();
    for field in [
        "content_html",
        "content_text",
        "summary",
        "title",
        "url",
        "external_url",
        "image",
        "banner_image",
        "author-name",
        "author-url",
        "attachment",
        "tags",
        "id",
    ] {
        let full = format!("json.{field}");
        let payload = p(&full);
        let marker = mark(vector, &full);
        written.markers.push(marker.clone());
        let mut item = json!({
            "id": format!("urn:e2e:{id}:json:{field}"),
            "url": format!("http://example.com/{id}/{field}"),
            "title": marker,
            "content_html": format!("<p>{marker}</p>"),
            "date_published": DATE_3339,
        });
        match field {
            "content_html" => item["content_html"] = json!(payload),
            "content_text" => {
                item.as_object_mut().map(|o| o.remove("content_html"));
                item["content_text"] = json!(payload);
            }
            "summary" => item["summary"] = json!(payload),
            "title" => item["title"] = json!(payload),
            "url" | "external_url" | "image" | "banner_image" | "id" => {
                item[field] = json!(payload)
            }
            "author-name" => item["authors"] = json!([{ "name": payload }]),
            "author-url" => {
                item["authors"] = json!([{ "name": "n", "url": payload, "avatar": payload }])
            }
            "attachment" => {
                item["attachments"] =
                    json!([{ "url": payload, "mime_type": "audio/mpeg", "title": payload }])
            }
            _ => item["tags"] = json!([payload]),
        }
        items.push(item);
    }
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": p("json.feed-title"),
        "home_page_url": p("json.feed-home"),
        "feed_url": p("json.feed-url"),
        "description": p("json.feed-description"),
        "icon": p("json.feed-icon"),
        "favicon": p("json.feed-favicon"),
        "authors": [{ "name": p("json.feed-author-name"), "url": p("json.feed-author-url") }],
        "items": items,
    });
    Ok(serde_json::to_string_pretty(&feed)?)
}

/// Whether `xml` is one well-formed element (for Atom's inline XHTML).
fn well_formed(xml: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return true,
            Ok(Event::GeneralRef(r)) => {
                // Only XML's own entities and character references are defined.
                let name: &[u8] = &r;
                if !name.starts_with(b"#")
                    && ![&b"lt"[..], b"gt", b"amp", b"quot", b"apos"].contains(&name)
                {
                    return false;
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}
