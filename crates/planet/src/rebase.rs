//! The one sanitizing pass. The pipeline parses with HTML kept as found, each
//! text construct carrying the base in scope where it was read (the document's
//! URL and its `xml:base`); here every construct gets the base the subscription's
//! `xml_base` option asks for, and its markup is resolved against that base and
//! sanitized, once.

use orrery_config::Normalization;
use orrery_feed::{Entry, ParsedFeed, TextConstruct};

/// The base `xml_base` asks text constructs to be read against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlBase {
    /// The base in scope in the document (no option).
    Document,
    /// One absolute URL for every construct: an explicit value, or the feed's
    /// alternate link (`feed_alternate`).
    Url(String),
    /// Each entry's alternate link (`entry_alternate`); the feed's own
    /// constructs keep the document's base.
    EntryAlternate,
}

impl XmlBase {
    /// What `norm` asks of a document fetched from `fetched_url` (empty for a
    /// local file). An explicit URL is joined onto the fetched one; an option
    /// that names no usable URL leaves the document's base.
    pub(crate) fn of(norm: &Normalization, parsed: &ParsedFeed, fetched_url: &str) -> XmlBase {
        let Some(option) = norm
            .xml_base
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        else {
            return XmlBase::Document;
        };
        let base = match option {
            "entry_alternate" => return XmlBase::EntryAlternate,
            "feed_alternate" => match nonempty(parsed.feed.common.link.as_deref()) {
                Some(link) => link,
                None => return XmlBase::Document,
            },
            other => other,
        };
        match url::Url::parse(fetched_url).and_then(|u| u.join(base)) {
            Ok(joined) => XmlBase::Url(joined.to_string()),
            Err(_) => url::Url::parse(base).map_or(XmlBase::Document, |u| XmlBase::Url(u.into())),
        }
    }
}

/// Gives the feed's and every entry's text constructs their base, then
/// sanitizes the markup among them against it (see [`sanitize_text`]).
pub(crate) fn sanitize_document(parsed: &mut ParsedFeed, xml_base: &XmlBase) {
    let feed_base = match xml_base {
        XmlBase::Url(url) => Some(url.as_str()),
        XmlBase::Document | XmlBase::EntryAlternate => None,
    };
    let common = &mut parsed.feed.common;
    let texts = [
        &mut common.title,
        &mut common.subtitle,
        &mut common.summary,
        &mut common.rights,
    ];
    for text in texts.into_iter().flatten() {
        sanitize_text(text, feed_base);
    }
    if let Some(info) = &mut parsed.feed.info {
        sanitize_text(info, feed_base);
    }
    for entry in &mut parsed.entries {
        sanitize_entry(entry, xml_base);
    }
}

/// One entry's constructs, against the base `xml_base` chooses for it.
pub(crate) fn sanitize_entry(entry: &mut Entry, xml_base: &XmlBase) {
    let alternate;
    let base = match xml_base {
        XmlBase::Document => None,
        XmlBase::Url(url) => Some(url.as_str()),
        XmlBase::EntryAlternate => {
            alternate = nonempty(entry.common.link.as_deref()).map(str::to_owned);
            alternate.as_deref()
        }
    };
    let common = &mut entry.common;
    let texts = [
        &mut common.title,
        &mut common.subtitle,
        &mut common.summary,
        &mut common.rights,
    ];
    for text in texts.into_iter().flatten() {
        sanitize_text(text, base);
    }
    for text in &mut entry.content {
        sanitize_text(text, base);
    }
}

/// Rebases `text` onto `base` (joined onto the base it was read with, so an
/// absolute `base` replaces it) and, when it is markup, resolves its relative
/// URIs against the result and sanitizes it: what the parser's default mode
/// does while parsing. Plain text is left as it is.
pub(crate) fn sanitize_text(text: &mut TextConstruct, base: Option<&str>) {
    if let Some(base) = base {
        let joined = url::Url::parse(&text.base)
            .and_then(|b| b.join(base))
            .map(String::from)
            .unwrap_or_else(|_| base.to_owned());
        text.base = joined;
    }
    if text.is_html() {
        let base = Some(text.base.as_str()).filter(|b| !b.is_empty());
        text.value = orrery_sanitize::sanitize_html(&text.value, base);
    }
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_feed::{HtmlMode, ParseOptions};

    fn parse(doc: &str, html: HtmlMode) -> ParsedFeed {
        let options = ParseOptions {
            url: Some("http://example.org/feeds/f.xml".into()),
            html,
            ..ParseOptions::default()
        };
        orrery_feed::parse(doc.as_bytes(), &options)
    }

    fn norm(xml_base: &str) -> Normalization {
        Normalization {
            xml_base: Some(xml_base.into()),
            ..Normalization::default()
        }
    }

    const DOC: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://doc.example/d/">
        <title type="html">&lt;b onclick="x()"&gt;F&lt;/b&gt;</title>
        <link rel="alternate" href="http://site.example/blog/"/>
        <entry><id>1</id><link rel="alternate" href="http://site.example/2024/one.html"/>
          <title type="html">&lt;a href="t.html"&gt;T&lt;/a&gt;</title>
          <content type="html">&lt;img src="pic.png"&gt;&lt;script&gt;bad()&lt;/script&gt;</content></entry>
        <entry><id>2</id><content type="html">&lt;img src="pic.png"&gt;</content></entry>
        </feed>"#;

    #[test]
    fn the_document_base_gives_what_the_parser_gives() {
        let mut raw = parse(DOC, HtmlMode::AsIs);
        assert!(raw.entries[0].content[0].value.contains("<script>"));
        let xml_base = XmlBase::of(&Normalization::default(), &raw, "");
        sanitize_document(&mut raw, &xml_base);
        let sanitized = parse(DOC, HtmlMode::Sanitize);
        assert_eq!(format!("{:?}", raw.feed), format!("{:?}", sanitized.feed));
        assert_eq!(
            format!("{:?}", raw.entries),
            format!("{:?}", sanitized.entries)
        );
    }

    #[test]
    fn entry_alternate_rebases_each_entry_on_its_link() {
        let mut raw = parse(DOC, HtmlMode::AsIs);
        let xml_base = XmlBase::of(&norm(" entry_alternate "), &raw, "http://example.org/");
        assert_eq!(xml_base, XmlBase::EntryAlternate);
        sanitize_document(&mut raw, &xml_base);
        let first = &raw.entries[0];
        assert_eq!(
            first.content[0].value,
            r#"<img src="http://site.example/2024/pic.png" />"#
        );
        assert_eq!(first.content[0].base, "http://site.example/2024/one.html");
        assert!(first
            .common
            .title
            .as_ref()
            .unwrap()
            .value
            .contains("http://site.example/2024/t.html"));
        // Without an alternate link the document's base stands.
        assert_eq!(
            raw.entries[1].content[0].value,
            r#"<img src="http://doc.example/d/pic.png" />"#
        );
        // The feed's own constructs keep the document's base, sanitized.
        assert_eq!(raw.feed.common.title.as_ref().unwrap().value, "<b>F</b>");
    }

    #[test]
    fn feed_alternate_and_urls_rebase_everything() {
        let raw = parse(DOC, HtmlMode::AsIs);
        let fetched = "http://example.org/feeds/f.xml";
        assert_eq!(
            XmlBase::of(&norm("feed_alternate"), &raw, fetched),
            XmlBase::Url("http://site.example/blog/".into())
        );
        assert_eq!(
            XmlBase::of(&norm("../media/"), &raw, fetched),
            XmlBase::Url("http://example.org/media/".into())
        );
        assert_eq!(
            XmlBase::of(&norm("http://cdn.example/"), &raw, ""),
            XmlBase::Url("http://cdn.example/".into())
        );
        // A relative value with nothing to join it onto names no base.
        assert_eq!(XmlBase::of(&norm("media/"), &raw, ""), XmlBase::Document);
        let mut rebased = raw.clone();
        sanitize_document(&mut rebased, &XmlBase::Url("http://cdn.example/x/".into()));
        for entry in &rebased.entries {
            assert_eq!(
                entry.content[0].value,
                r#"<img src="http://cdn.example/x/pic.png" />"#
            );
        }
    }
}
