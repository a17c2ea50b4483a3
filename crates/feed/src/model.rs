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
    /// The Universal Feed Parser's exception class for the problem (`SAXParseException`,
    /// `CharacterEncodingOverride`, `NonXMLContentType`, `UndeclaredNamespace`...).
    pub bozo_exception_class: Option<String>,
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
    /// Atom out-of-line content: the `src` attribute as found (`value` is then empty).
    pub src: Option<String>,
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
    /// iTunes `<itunes:block>`: the feed or episode asks not to be listed.
    pub itunes_block: Option<bool>,
    /// iTunes `<itunes:explicit>`: `Some(Some(true))` for `yes`/`true`, `Some(Some(false))` for
    /// `no`/`false`/`clean`, `Some(None)` for any other text.
    pub itunes_explicit: Option<Option<bool>>,
    /// GeoRSS, `dcterms:valid`, Media RSS and Podlove data; allocated only for the feeds and
    /// entries that have some (most have none), see [`Common::ns`].
    pub namespaced: Option<Box<Namespaced>>,
    /// Elements no other field covers, under the Universal Feed Parser's key for them
    /// (`prefix_name`: `itunes_duration`, `wfw_commentrss`, `geo_lat`...), in document order.
    pub extensions: Vec<(String, Extension)>,
}

/// What GeoRSS, `dcterms:valid`, Media RSS and Podlove Simple Chapters say of a feed or entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Namespaced {
    /// Where the feed or entry is about (GeoRSS, GML).
    pub location: Option<Location>,
    /// `dcterms:valid` period: start and end.
    pub validity_start: Option<Date>,
    pub validity_end: Option<Date>,
    /// Media RSS: one per `<media:content>` (also inside `<media:group>`).
    pub media_content: Vec<MediaObject>,
    /// Media RSS: one per `<media:thumbnail>`.
    pub media_thumbnails: Vec<MediaObject>,
    /// Media RSS `<media:player>` (the last one): attributes, and its text as `content`.
    pub media_player: Option<MediaObject>,
    /// Media RSS `<media:credit>`s.
    pub media_credits: Vec<MediaObject>,
    /// Media RSS `<media:rating>`.
    pub media_rating: Option<MediaObject>,
    /// Media RSS `<media:restriction>`; `content` holds the lower-cased codes, space-separated.
    pub media_restriction: Option<MediaObject>,
    /// Media RSS `<media:license>`.
    pub media_license: Option<MediaObject>,
    /// Podlove Simple Chapters (the first `<psc:chapters>`).
    pub chapters: Option<Chapters>,
}

static NO_NAMESPACED: Namespaced = Namespaced {
    location: None,
    validity_start: None,
    validity_end: None,
    media_content: Vec::new(),
    media_thumbnails: Vec::new(),
    media_player: None,
    media_credits: Vec::new(),
    media_rating: None,
    media_restriction: None,
    media_license: None,
    chapters: None,
};

impl Common {
    /// The GeoRSS, validity, Media RSS and chapter data (empty when there is none).
    pub fn ns(&self) -> &Namespaced {
        self.namespaced.as_deref().unwrap_or(&NO_NAMESPACED)
    }

    /// The same, to fill in.
    pub fn ns_mut(&mut self) -> &mut Namespaced {
        self.namespaced.get_or_insert_with(Box::default)
    }

    /// The value of an element kept in [`Common::extensions`] under `key`.
    pub fn extension(&self, key: &str) -> Option<&Extension> {
        self.extensions
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The text of an extension element kept under `key` (not one read as attributes).
    pub fn extension_text(&self, key: &str) -> Option<&str> {
        match self.extension(key)? {
            Extension::Text(t) => Some(t),
            Extension::Attributes(_) => None,
        }
    }

    /// The first thumbnail image URL: Media RSS thumbnail, else a Media RSS image content.
    pub fn thumbnail(&self) -> Option<&str> {
        self.ns()
            .media_thumbnails
            .iter()
            .find_map(|t| t.get("url"))
            .or_else(|| {
                self.ns()
                    .media_content
                    .iter()
                    .filter(|c| {
                        c.get("medium") == Some("image")
                            || c.get("type").is_some_and(|t| t.starts_with("image/"))
                    })
                    .find_map(|c| c.get("url"))
            })
            .filter(|u| !u.is_empty())
    }

    /// How long the episode or video lasts, in seconds: `itunes:duration` (`[[h:]m:]s`), else
    /// the `duration` attribute of a Media RSS content.
    pub fn duration_seconds(&self) -> Option<u64> {
        self.extension_text("itunes_duration")
            .and_then(parse_duration)
            .or_else(|| {
                self.ns()
                    .media_content
                    .iter()
                    .find_map(|c| c.get("duration").and_then(parse_duration))
            })
    }
}

/// `[[hh:]mm:]ss[.fff]` or plain seconds, as iTunes and Media RSS write durations.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    let whole = s.split_once('.').map_or(s, |(w, _)| w);
    if whole.split(':').count() > 3 {
        return None;
    }
    let mut total: u64 = 0;
    for part in whole.split(':') {
        if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(part.parse().ok()?)?;
    }
    Some(total)
}

/// The value of an element the model has no field of its own for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// The element's text, trimmed (empty for an element holding only other elements).
    Text(String),
    /// The element's attributes (name lower-cased, value as found), when it had any.
    Attributes(Vec<(String, String)>),
}

/// A Media RSS element: its attributes, and its text where that matters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaObject {
    /// Attribute name (lower-cased) and value as found.
    pub attrs: Vec<(String, String)>,
    /// The element's text.
    pub content: Option<String>,
}

impl MediaObject {
    /// The attribute `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A geometry from GeoRSS or GML; positions are `[longitude, latitude(, altitude)]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    pub geometry: Option<Geometry>,
    /// GML `srsName` (`None` without the attribute); only for GML geometries.
    pub srs_name: Option<String>,
    /// GML `srsDimension` (2 unless given); only for GML geometries.
    pub srs_dimension: Option<u32>,
    /// The geometry came from GML (so `srs_name`/`srs_dimension` apply).
    pub gml: bool,
}

/// A GeoRSS geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Vec<f64>),
    LineString(Vec<Vec<f64>>),
    /// Rings, the first the exterior; each ring's last position equals its first.
    Polygon(Vec<Vec<Vec<f64>>>),
    /// Lower corner, upper corner.
    Box(Vec<Vec<f64>>),
}

impl Geometry {
    /// A representative position (a point, or the first position) as (latitude, longitude).
    pub fn lat_lon(&self) -> Option<(f64, f64)> {
        let p = match self {
            Geometry::Point(p) => p,
            Geometry::LineString(ps) | Geometry::Box(ps) => ps.first()?,
            Geometry::Polygon(rings) => rings.first()?.first()?,
        };
        Some((*p.get(1)?, *p.first()?))
    }
}

/// Podlove Simple Chapters of an episode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chapters {
    /// Attributes of `<psc:chapters>` (`version`).
    pub attrs: Vec<(String, String)>,
    pub chapters: Vec<Chapter>,
}

/// One `<psc:chapter>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chapter {
    /// Attributes as found (`start`, `title`, `href`, `image`).
    pub attrs: Vec<(String, String)>,
    /// `start` in seconds, when it reads `[hh:]mm:ss[.mmm]`.
    pub start_seconds: Option<f64>,
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
    /// Where a moved feed now lives (`<newLocation>` of a redirect document).
    pub newlocation: Option<String>,
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
