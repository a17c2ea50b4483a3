//! Static checks of the published feeds: well-formed XML 1.0 with no
//! forbidden character, no dangerous link, and the HTML they carry
//! collected so the browser can look at it as a feed reader would.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::Value;

/// Problems found in one output document, and the HTML it carries.
#[derive(Default)]
pub struct FeedScan {
    pub problems: Vec<String>,
    pub html: Vec<String>,
    /// Every text value (element text that is not HTML, attribute values), as a reader gets
    /// it after XML decoding: many readers render such text as HTML anyway.
    pub texts: Vec<String>,
}

/// Whether `text`, read as HTML, makes an element: a tag opens at `<` followed by a letter
/// (the HTML tokenizer's tag-open state), whatever follows.
pub fn makes_element(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && w[1].is_ascii_alphabetic())
}

/// Characters XML 1.0 allows (production 2, `Char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A URL a reader would follow or load that runs script or a document.
pub fn dangerous_url(url: &str) -> bool {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ' && *c != '\u{ad}')
        .flat_map(char::to_lowercase)
        .collect();
    [
        "javascript:",
        "vbscript:",
        "livescript:",
        "jscript:",
        "mocha:",
        "data:",
    ]
    .iter()
    .any(|s| squeezed.starts_with(s))
}

/// Elements of RSS 1.0/2.0 and Atom whose text is a URL.
const URL_ELEMENTS: [&str; 9] = [
    "link", "url", "uri", "icon", "logo", "comments", "docs", "image", "guid",
];
/// Attributes of those formats that hold a URL.
const URL_ATTRIBUTES: [&str; 6] = [
    "href",
    "url",
    "src",
    "rdf:about",
    "rdf:resource",
    "xml:base",
];

/// Checks an XML feed (Atom, RSS 2.0, RSS 1.0).
pub fn xml_feed(name: &str, text: &str) -> FeedScan {
    let mut scan = FeedScan::default();
    if let Some((line, c)) = text
        .lines()
        .enumerate()
        .find_map(|(n, l)| l.chars().find(|c| !xml_char(*c)).map(|c| (n + 1, c)))
    {
        scan.problems.push(format!(
            "{name}:{line}: character U+{:04X} is not allowed in XML 1.0",
            c as u32
        ));
    }
    let mut reader = Reader::from_str(text);
    // Open elements: local name, and whether their text is HTML.
    let mut stack: Vec<(String, Markup)> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                scan.problems.push(format!(
                    "{name}: not well-formed at byte {}: {e}",
                    reader.error_position()
                ));
                break;
            }
        };
        match event {
            Event::Eof => break,
            Event::Start(start) => {
                check_attributes(name, &start, &mut scan);
                let kind = html_kind(&start, stack.last().map(|(_, k)| *k));
                if kind == Markup::Xhtml && stack.last().map(|(_, k)| *k) != Some(Markup::Xhtml) {
                    // The XHTML payload is the markup inside this element: read it raw.
                    let end = start.to_end().into_owned();
                    match reader.read_text(end.name()) {
                        Ok(inner) => scan
                            .html
                            .push(String::from_utf8_lossy(&inner.into_inner()).into_owned()),
                        Err(e) => scan.problems.push(format!("{name}: not well-formed: {e}")),
                    }
                    continue;
                }
                // A guid that says it is no permalink is an identifier, not a link.
                let not_link = start
                    .try_get_attribute("isPermaLink")
                    .ok()
                    .flatten()
                    .is_some_and(|a| &*a.value == b"false");
                let element = if not_link {
                    String::new()
                } else {
                    local(&start)
                };
                stack.push((element, kind));
                texts.push(String::new());
            }
            Event::Empty(start) => check_attributes(name, &start, &mut scan),
            Event::End(_) => {
                let (element, kind) = stack.pop().unwrap_or_default();
                let text = texts.pop().unwrap_or_default();
                if kind == Markup::Escaped && !text.trim().is_empty() {
                    scan.html.push(text.clone());
                } else if kind == Markup::None && !text.trim().is_empty() {
                    scan.texts.push(text.clone());
                }
                if URL_ELEMENTS.contains(&element.as_str()) && dangerous_url(&text) {
                    scan.problems
                        .push(format!("{name}: <{element}> holds a dangerous URL: {text}"));
                }
            }
            Event::Text(t) => match t.xml10_content() {
                Ok(s) => append(&mut texts, &s),
                Err(e) => scan.problems.push(format!("{name}: text: {e}")),
            },
            Event::GeneralRef(r) => {
                let entity = String::from_utf8_lossy(&r).into_owned();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_xml_entity(&entity).map(str::to_owned),
                };
                match resolved {
                    Some(s) => append(&mut texts, &s),
                    None => scan
                        .problems
                        .push(format!("{name}: undefined entity &{entity};")),
                }
            }
            Event::CData(c) => {
                append(&mut texts, &String::from_utf8_lossy(&c));
            }
            _ => {}
        }
    }
    scan
}

/// Adds text to the innermost open element's.
fn append(texts: &mut [String], s: &str) {
    if let Some(buf) = texts.last_mut() {
        buf.push_str(s);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
enum Markup {
    #[default]
    None,
    /// The element's text is escaped HTML.
    Escaped,
    /// The element's children are XHTML markup.
    Xhtml,
}

/// Whether a feed reader would read this element's content as HTML.
fn html_kind(start: &BytesStart, parent: Option<Markup>) -> Markup {
    if parent == Some(Markup::Xhtml) {
        return Markup::Xhtml;
    }
    let local = local(start);
    let kind = start
        .try_get_attribute("type")
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        });
    match (local.as_str(), kind.as_deref()) {
        (_, Some("html" | "text/html")) => Markup::Escaped,
        (_, Some("xhtml" | "application/xhtml+xml")) => Markup::Xhtml,
        // RSS: description and content:encoded are HTML. Titles are text: a
        // reader that renders them as HTML is open to any feed, not just this one.
        ("description" | "encoded", _) => Markup::Escaped,
        _ => Markup::None,
    }
}

fn local(start: &BytesStart) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

fn check_attributes(name: &str, start: &BytesStart, scan: &mut FeedScan) {
    for attr in start.attributes() {
        match attr {
            Ok(attr) => {
                let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_default();
                if URL_ATTRIBUTES.contains(&key.as_str()) && dangerous_url(&value) {
                    scan.problems
                        .push(format!("{name}: {key}=\"{value}\" is a dangerous URL"));
                }
                scan.texts.push(value);
            }
            Err(e) => scan.problems.push(format!("{name}: bad attribute: {e}")),
        }
    }
}

/// URL-valued members of JSON Feed 1.0/1.1.
const JSON_URLS: [&str; 9] = [
    "url",
    "external_url",
    "home_page_url",
    "feed_url",
    "next_url",
    "icon",
    "favicon",
    "image",
    "banner_image",
];

/// Checks a JSON Feed: parses, collects `content_html`, and checks URLs.
pub fn json_feed(name: &str, text: &str) -> FeedScan {
    let mut scan = FeedScan::default();
    match serde_json::from_str::<Value>(text) {
        Ok(value) => walk_json(name, &value, &mut scan),
        Err(e) => scan.problems.push(format!("{name}: not JSON: {e}")),
    }
    scan
}

fn walk_json(name: &str, value: &Value, scan: &mut FeedScan) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let (k, Value::String(s)) = (key.as_str(), v) {
                    if k != "content_html" {
                        scan.texts.push(s.clone());
                    }
                }
                match (key.as_str(), v) {
                    ("content_html", Value::String(s)) => scan.html.push(s.clone()),
                    (k, Value::String(s))
                        if (JSON_URLS.contains(&k) || k == "avatar") && dangerous_url(s) =>
                    {
                        scan.problems
                            .push(format!("{name}: \"{k}\": \"{s}\" is a dangerous URL"))
                    }
                    _ => walk_json(name, v, scan),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk_json(name, v, scan)),
        _ => {}
    }
}

/// Raw markup that must never appear in republished HTML, whatever a
/// browser would make of it: tags that open a script, a document or a
/// redirection.
pub fn raw_active_tags(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "<script", "<base", "<meta", "<iframe", "<frame", "<object", "<embed", "<applet", "<link",
        "<style",
    ] {
        let mut from = 0;
        while let Some(at) = lower
            .get(from..)
            .and_then(|rest| rest.find(tag))
            .map(|i| i + from)
        {
            from = at + tag.len();
            let next = lower.as_bytes().get(from).copied().unwrap_or(b'>');
            if next.is_ascii_whitespace() || next == b'>' || next == b'/' {
                let end = html.len().min(at + 120);
                let snippet: String = html
                    .get(at..)
                    .unwrap_or_default()
                    .chars()
                    .take(end - at)
                    .collect();
                found.push(snippet);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scripts_forbidden_characters_and_bad_links() {
        let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>\
            <content type=\"html\">&lt;script&gt;x&lt;/script&gt;</content>\
            <link href=\" java&#9;script:x\"/><title>\u{1}</title></entry></feed>";
        let scan = xml_feed("f", feed);
        assert_eq!(scan.html, ["<script>x</script>"]);
        assert_eq!(raw_active_tags(&scan.html[0]).len(), 1);
        assert!(
            scan.problems.iter().any(|p| p.contains("U+0001")),
            "{:?}",
            scan.problems
        );
        assert!(
            scan.problems.iter().any(|p| p.contains("dangerous URL")),
            "{:?}",
            scan.problems
        );
        assert!(raw_active_tags("<p>&lt;script&gt; <scripts></p>").is_empty());
    }

    #[test]
    fn text_values_are_read_as_a_reader_that_takes_them_for_html_would() {
        let once = xml_feed(
            "f",
            "<rss><item><title>&lt;img src=x onerror=y&gt;</title></item></rss>",
        );
        assert_eq!(once.texts, ["<img src=x onerror=y>"]);
        assert!(makes_element(&once.texts[0]));
        let twice = xml_feed(
            "f",
            "<rss><item><title>&amp;lt;img src=x&amp;gt;</title>\
             <description>&lt;p&gt;html&lt;/p&gt;</description></item></rss>",
        );
        assert_eq!(twice.texts, ["&lt;img src=x&gt;"]);
        assert!(!makes_element(&twice.texts[0]));
        assert!(!makes_element("a < b, 1<2"));
        let json = json_feed(
            "j",
            r#"{"items":[{"title":"<b>x</b>","content_html":"<p>y</p>"}]}"#,
        );
        assert_eq!(json.texts, ["<b>x</b>"]);
    }

    #[test]
    fn reads_inline_xhtml_as_markup() {
        let feed =
            "<feed><entry><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">\
            <b>x</b></div></content></entry></feed>";
        let scan = xml_feed("f", feed);
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
        assert_eq!(scan.html.len(), 1);
        assert!(scan.html[0].contains("<b>x</b>"));
    }
}
