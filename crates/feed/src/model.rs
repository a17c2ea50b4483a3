//! The parsed feed: a typed model shared by storage, templates and the conformance schema.
//!
//! Field names follow the Universal Feed Parser's result keys so that its conventions (and its
//! test suite) carry over; aliases such as `description` or `guid` are not duplicated.

use chrono::{DateTime, Utc};

/// Everything understood of one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFeed {
    /// The document was not well-formed or had another problem (see `bozo_exception`).
    pub bozo: bool,
    /// Why the document is bozo.
    pub bozo_exception: Option<String>,
    /// The limit (entries, bytes, nesting) that cut the document, in plain words: what was
    /// read before it is kept, and the planet reports the feed as capped, not as broken.
    pub capped: Option<String>,
    /// Feed format code (`rss20`, `atom10`, `json11`...); empty when unknown.
    pub version: String,
    /// Character encoding actually used, lower-case.
    pub encoding: String,
    /// Namespace prefix to URI, as declared in the document (canonical prefixes for known URIs).
    pub namespaces: Vec<(String, String)>,
    /// Channel-level metadata.
    pub feed: Feed,
    /// Entries in document order.
    pub entries: Vec<Entry>,
    /// The HTTP context the document came with, if any.
    pub http: HttpContext,
}

/// The HTTP response context of a fetched document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpContext {
    /// Response headers as given (name, value).
    pub headers: Vec<(String, String)>,
    /// The document URL.
    pub href: Option<String>,
    /// HTTP status code.
    pub status: Option<u16>,
    /// `ETag` header value.
    pub etag: Option<String>,
    /// `Last-Modified` header value.
    pub modified: Option<Date>,
}

/// A date as found in the document, with its UTC interpretation when one could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    /// The text as found.
    pub raw: String,
    /// The instant it denotes, if the format was understood.
    pub parsed: Option<DateTime<Utc>>,
}

impl Date {
    /// Interprets `raw` with [`crate::date::parse_date`].
    pub fn new(raw: String) -> Date {
        let parsed = crate::date::parse_date(&raw);
        Date { raw, parsed }
    }
}

/// Human-readable text with its media type, language and base URI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextConstruct {
    /// `text/plain`, `text/html`, `application/xhtml+xml` or another declared MIME type.
    pub content_type: String,
    /// The text; markup is already sanitized and its relative URIs resolved.
    pub value: String,
    /// Effective `xml:lang`.
    pub language: Option<String>,
    /// Effective base URI, empty if none.
    pub base: String,
}

impl TextConstruct {
    /// True when `value` is markup rather than plain text.
    pub fn is_html(&self) -> bool {
        matches!(
            self.content_type.as_str(),
            "text/html" | "application/xhtml+xml"
        )
    }
}

/// An author, contributor or publisher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Home page (Atom `uri`).
    pub href: Option<String>,
}

impl Person {
    /// True when nothing at all is known about the person.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.href.is_none()
    }
}

/// A typed link (`rel` defaults to `alternate`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    /// Relation: `alternate`, `self`, `enclosure`, `related`, `license`...
    pub rel: Option<String>,
    /// MIME type of the target.
    pub content_type: Option<String>,
    /// Absolute URI (resolved against the effective base).
    pub href: Option<String>,
    pub title: Option<String>,
    pub hreflang: Option<String>,
    /// Size in bytes, as written.
    pub length: Option<String>,
}

/// A category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag {
    /// The category itself.
    pub term: Option<String>,
    /// Vocabulary URI (RSS `domain`, Atom `scheme`).
    pub scheme: Option<String>,
    /// Human-readable form of the term.
    pub label: Option<String>,
}

/// A media attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enclosure {
    pub href: Option<String>,
    /// MIME type.
    pub content_type: Option<String>,
    /// Size in bytes, as written.
    pub length: Option<String>,
}

/// The software that produced the feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generator {
    pub name: Option<String>,
    pub href: Option<String>,
    pub version: Option<String>,
}

/// The channel image (RSS `<image>`, iTunes image).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// The image URL.
    pub href: Option<String>,
    pub title: Option<String>,
    /// Page the image links to.
    pub link: Option<String>,
    /// Pixels; 0 when the feed gave something that is not a number.
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub description: Option<String>,
}

/// RSS `<textInput>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub title: Option<String>,
    pub link: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// RSS `<cloud>` (rssCloud notification endpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cloud {
    pub domain: Option<String>,
    pub port: Option<String>,
    pub path: Option<String>,
    pub registerprocedure: Option<String>,
    pub protocol: Option<String>,
}

/// Metadata that feeds, entries and entry sources all carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Common {
    pub title: Option<TextConstruct>,
    /// Feed tagline / RSS channel description (also iTunes subtitle).
    pub subtitle: Option<TextConstruct>,
    /// Href of the alternate (HTML) link.
    pub link: Option<String>,
    pub links: Vec<Link>,
    /// Atom id / RSS guid / RDF `about`, as found.
    pub id: Option<String>,
    /// Display string of the (last) author, `Name (email)` style.
    pub author: Option<String>,
    pub author_detail: Option<Person>,
    pub authors: Vec<Person>,
    pub contributors: Vec<Person>,
    /// Display string of the publisher (`dc:publisher`, `webMaster`).
    pub publisher: Option<String>,
    pub publisher_detail: Option<Person>,
    pub updated: Option<Date>,
    pub published: Option<Date>,
    pub created: Option<Date>,
    pub rights: Option<TextConstruct>,
    /// RSS description / Atom summary of an entry; a copy of the first content when absent.
    pub summary: Option<TextConstruct>,
    pub tags: Vec<Tag>,
    /// License URI.
    pub license: Option<String>,
    /// Effective language (`xml:lang`, `<language>`, HTTP `Content-Language`).
    pub language: Option<String>,
}

/// Channel-level metadata (or the metadata of an entry's source feed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feed {
    pub common: Common,
    /// Where the feed lives (set for an entry's RSS `<source url>`).
    pub href: Option<String>,
    /// Atom 0.3 `<info>`.
    pub info: Option<TextConstruct>,
    pub generator: Option<String>,
    pub generator_detail: Option<Generator>,
    pub image: Option<Image>,
    /// Small square image URL.
    pub icon: Option<String>,
    /// Larger banner image URL.
    pub logo: Option<String>,
    /// URL of the format's documentation (RSS `<docs>`).
    pub docs: Option<String>,
    /// Minutes the feed may be cached (RSS `<ttl>`), as written.
    pub ttl: Option<String>,
    pub textinput: Option<TextInput>,
    pub cloud: Option<Cloud>,
}

/// One entry (RSS item, Atom entry, JSON Feed item).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub common: Common,
    /// Full content; several when the item has several (Atom content, `content:encoded`...).
    pub content: Vec<TextConstruct>,
    pub enclosures: Vec<Enclosure>,
    /// The feed the entry was copied from.
    pub source: Option<Box<Feed>>,
    /// URL of the comments page.
    pub comments: Option<String>,
    /// The RSS guid is also the permalink.
    pub guidislink: Option<bool>,
    /// Episode artwork (iTunes `<itunes:image>`).
    pub image: Option<Image>,
    pub expired: Option<Date>,
}

impl Entry {
    /// An identifier that stays the same across fetches: the entry's id, else its link, else a
    /// digest of its title and content. Feeds that omit ids still need entries deduplicated.
    pub fn stable_id(&self) -> String {
        if let Some(id) = self.common.id.as_deref().filter(|s| !s.is_empty()) {
            return id.to_string();
        }
        if let Some(link) = self.common.link.as_deref().filter(|s| !s.is_empty()) {
            return link.to_string();
        }
        let mut h = Fnv64::default();
        if let Some(t) = &self.common.title {
            h.write(t.value.as_bytes());
        }
        h.write(&[0]);
        if let Some(c) = self.content.first().or(self.common.summary.as_ref()) {
            h.write(c.value.as_bytes());
        }
        format!("urn:orrery:entry:{:016x}", h.0)
    }

    /// The best date for ordering: updated, else published, else created.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        [
            &self.common.updated,
            &self.common.published,
            &self.common.created,
        ]
        .into_iter()
        .flatten()
        .find_map(|d| d.parsed)
    }
}

/// FNV-1a: a stable, dependency-free digest (std's hasher is not stable across releases).
struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_id_prefers_id_then_link_then_digest() {
        let mut e = Entry::default();
        e.common.title = Some(TextConstruct {
            value: "t".into(),
            ..Default::default()
        });
        let digest = e.stable_id();
        assert!(digest.starts_with("urn:orrery:entry:"));
        assert_eq!(digest, e.clone().stable_id());
        e.common.summary = Some(TextConstruct {
            value: "other".into(),
            ..Default::default()
        });
        assert_ne!(digest, e.stable_id());
        e.common.link = Some("http://example.org/1".into());
        assert_eq!(e.stable_id(), "http://example.org/1");
        e.common.id = Some("urn:x".into());
        assert_eq!(e.stable_id(), "urn:x");
    }
}
