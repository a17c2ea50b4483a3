//! Venus's normalization of a parsed feed (venus.md §1.6), producing what the
//! store keeps: one [`NewEntry`] per entry and the feed's [`FeedMetadata`].
//!
//! Text constructs are stored as sanitized HTML whatever their declared type,
//! so publishing never has to guess: plain text is escaped, markup was
//! sanitized by the parser (or is sanitized here when a `*_type` override
//! declares plain text to be HTML).

use chrono::{DateTime, Utc};
use orrery_config::{FutureDates, Subscription};
use orrery_feed::{Common, Date, Entry, Feed, ParsedFeed, Person, TextConstruct};
use orrery_store::{FeedMetadata, NewEntry};
use serde::{Deserialize, Serialize};

/// Entry fields the store has no column for, kept in [`NewEntry::data`] for publishing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryExtras {
    pub author_email: Option<String>,
    pub author_uri: Option<String>,
    pub title_language: Option<String>,
    pub summary_language: Option<String>,
    pub content_language: Option<String>,
    pub enclosure: Option<EnclosureData>,
    pub categories: Vec<String>,
    /// Sanitized HTML.
    pub rights: Option<String>,
    /// Media of the entry: picture, player, duration (video and podcast feeds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaData>,
}

/// What video and podcast feeds say about an entry's media (Media RSS, iTunes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaData {
    /// Picture of the entry: Media RSS thumbnail, else the episode image.
    pub image: Option<String>,
    /// Page or embed that plays the media (`media:player`).
    pub player: Option<String>,
    /// Length in seconds (`itunes:duration`, a Media RSS `duration`).
    pub duration: Option<u64>,
    /// iTunes explicit flag: `Some(true)` explicit, `Some(false)` clean.
    pub explicit: Option<bool>,
    /// (latitude, longitude) from GeoRSS or GML.
    pub location: Option<(f64, f64)>,
}

impl MediaData {
    fn of(entry: &Entry) -> Option<MediaData> {
        let c = &entry.common;
        let m = MediaData {
            image: nonempty(c.thumbnail())
                .or_else(|| nonempty(entry.image.as_ref().and_then(|i| i.href.as_deref()))),
            player: c
                .ns()
                .media_player
                .as_ref()
                .and_then(|p| nonempty(p.get("url"))),
            duration: c.duration_seconds(),
            explicit: c.itunes_explicit.flatten(),
            location: c
                .ns()
                .location
                .as_ref()
                .and_then(|l| l.geometry.as_ref())
                .and_then(|g| g.lat_lon()),
        };
        (m != MediaData::default()).then_some(m)
    }
}

/// A podcast-style attachment as stored. Without `href` it is still shown
/// to templates (Venus exposes its type and length) but written into no
/// output feed, where a URL is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnclosureData {
    pub href: Option<String>,
    pub mime_type: Option<String>,
    pub length: Option<u64>,
}

/// Feed fields the store has no column for, kept in [`FeedMetadata::data`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedExtras {
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    /// Sanitized HTML, as Venus exposes the feed's rights to templates.
    pub rights_html: Option<String>,
    /// Plain text: what stores written before `rights_html` hold. Read only.
    #[serde(rename = "rights", skip_serializing)]
    pub legacy_rights: Option<String>,
    pub language: Option<String>,
    /// The limit that cut the last copy read, for the status page.
    pub capped: Option<String>,
}

impl FeedExtras {
    /// The feed's rights as sanitized HTML, however they were stored.
    pub fn rights(&self) -> Option<String> {
        self.rights_html
            .clone()
            .or_else(|| self.legacy_rights.as_deref().map(escape))
    }
}

/// Removes the elements named by `ignore_in_feed` from the feed and its
/// entries, as Venus does before normalizing (e.g. a feed whose `updated`
/// dates change on every fetch, or whose ids are not stable).
pub fn apply_ignore_in_feed(parsed: &mut ParsedFeed, names: &[String]) {
    for name in names {
        let name = name.trim().to_ascii_lowercase();
        strip_common(&mut parsed.feed.common, &name);
        for entry in &mut parsed.entries {
            strip_common(&mut entry.common, &name);
            match name.as_str() {
                "content" => entry.content.clear(),
                "xml:lang" | "lang" => {
                    for content in &mut entry.content {
                        content.language = None;
                    }
                }
                "enclosure" => entry.enclosures.clear(),
                _ => {}
            }
        }
        if matches!(name.as_str(), "xml:lang" | "lang") {
            if let Some(info) = &mut parsed.feed.info {
                info.language = None;
            }
        }
    }
}

fn strip_common(common: &mut Common, name: &str) {
    match name {
        "author" => {
            common.author = None;
            common.author_detail = None;
            common.authors.clear();
        }
        "contributor" => common.contributors.clear(),
        "id" => common.id = None,
        "updated" => common.updated = None,
        "published" => common.published = None,
        "created" => common.created = None,
        "title" => common.title = None,
        "summary" => common.summary = None,
        "rights" => common.rights = None,
        "category" => common.tags.clear(),
        "link" => {
            common.link = None;
            common.links.clear();
        }
        "xml:lang" | "lang" => {
            common.language = None;
            let texts = [
                &mut common.title,
                &mut common.subtitle,
                &mut common.summary,
                &mut common.rights,
            ];
            for text in texts.into_iter().flatten() {
                text.language = None;
            }
        }
        _ => {}
    }
}

/// The feed-level data to store.
pub fn feed_metadata(parsed: &ParsedFeed) -> FeedMetadata {
    let feed = &parsed.feed;
    let common = &feed.common;
    let author = person(common);
    let extras = FeedExtras {
        author_name: author.and_then(|p| nonempty(p.name.as_deref())),
        author_email: author.and_then(|p| nonempty(p.email.as_deref())),
        rights_html: common
            .rights
            .as_ref()
            .map(|r| to_html(r, None))
            .filter(|r| !r.trim().is_empty()),
        legacy_rights: None,
        language: nonempty(common.language.as_deref()),
        capped: parsed.capped.clone(),
    };
    FeedMetadata {
        feed_id: nonempty(common.id.as_deref()).or_else(|| nonempty(common.link.as_deref())),
        title: common
            .title
            .as_ref()
            .map(plain_text)
            .filter(|t| !t.is_empty()),
        subtitle: common
            .subtitle
            .as_ref()
            .map(plain_text)
            .filter(|t| !t.is_empty()),
        site_link: nonempty(common.link.as_deref()),
        icon: nonempty(feed.icon.as_deref()),
        logo: nonempty(feed.logo.as_deref()).or_else(|| {
            feed.image
                .as_ref()
                .and_then(|i| nonempty(i.href.as_deref()))
        }),
        format: nonempty(Some(parsed.version.as_str())),
        updated: date(&common.updated),
        bozo: parsed.bozo_exception.clone(),
        data: serde_json::to_value(extras).unwrap_or_default(),
    }
}

/// Normalizes every entry of `parsed`, taking them out of it: each parsed
/// entry is freed once converted, so a big document is never held twice.
/// Entries dropped by `future_dates = ignore_entry` are left out. `now` is the
/// fetch time.
pub fn take_entries(
    parsed: &mut ParsedFeed,
    sub: &Subscription,
    now: DateTime<Utc>,
) -> Vec<NewEntry> {
    std::mem::take(&mut parsed.entries)
        .into_iter()
        .filter_map(|entry| entry_of(&entry, &parsed.feed, sub, now))
        .collect()
}

fn entry_of(
    entry: &Entry,
    feed: &Feed,
    sub: &Subscription,
    now: DateTime<Utc>,
) -> Option<NewEntry> {
    let norm = &sub.normalization;
    let common = &entry.common;
    let mut updated = date(&common.updated);
    let mut published = date(&common.published);
    let mut created = date(&common.created);
    match norm.future_dates {
        FutureDates::Keep => {}
        FutureDates::IgnoreDate => {
            for d in [&mut updated, &mut published, &mut created] {
                if d.is_some_and(|d| d > now) {
                    *d = None;
                }
            }
        }
        // Only entries dated in the future go (Venus's version dropped every dated entry).
        FutureDates::IgnoreEntry => {
            if [updated, published, created]
                .into_iter()
                .flatten()
                .any(|d| d > now)
            {
                return None;
            }
        }
    }

    let (author, author_email, author_uri) = author_of(entry, feed, sub);
    // The first enclosure with a URL, else the first at all.
    let enclosure = entry
        .enclosures
        .iter()
        .find(|e| nonempty(e.href.as_deref()).is_some())
        .or_else(|| entry.enclosures.first())
        .map(|e| EnclosureData {
            href: nonempty(e.href.as_deref()),
            mime_type: nonempty(e.content_type.as_deref()),
            length: e.length.as_deref().and_then(|l| l.trim().parse().ok()),
        })
        .filter(|e| *e != EnclosureData::default())
        .or_else(|| media_enclosure(entry));
    let content = entry.content.first();
    let extras = EntryExtras {
        author_email,
        author_uri,
        title_language: language(common.title.as_ref(), common),
        summary_language: language(common.summary.as_ref(), common),
        content_language: language(content, common),
        enclosure,
        categories: common
            .tags
            .iter()
            .filter_map(|t| nonempty(t.label.as_deref()).or_else(|| nonempty(t.term.as_deref())))
            .collect(),
        rights: common.rights.as_ref().map(|r| to_html(r, None)),
        media: MediaData::of(entry),
    };
    Some(NewEntry {
        id: entry.stable_id(),
        updated,
        published,
        // None: the store uses the first-seen time, so an undated post keeps its place.
        sort_date: updated.or(published).or(created),
        title: common
            .title
            .as_ref()
            .map(|t| to_html(t, norm.title_type.as_deref())),
        link: nonempty(common.link.as_deref()),
        author,
        summary: common
            .summary
            .as_ref()
            .map(|s| to_html(s, norm.summary_type.as_deref())),
        content: content.map(|c| to_html(c, norm.content_type.as_deref())),
        data: serde_json::to_value(extras).unwrap_or_default(),
    })
}

/// Without an enclosure, the first audio or video `media:content` stands for one (podcasts
/// written with Media RSS only).
fn media_enclosure(entry: &Entry) -> Option<EnclosureData> {
    entry
        .common
        .ns()
        .media_content
        .iter()
        .find(|m| {
            let medium = m.get("medium").unwrap_or("");
            let kind = m.get("type").unwrap_or("");
            nonempty(m.get("url")).is_some()
                && (matches!(medium, "audio" | "video")
                    || kind.starts_with("audio/")
                    || kind.starts_with("video/"))
        })
        .map(|m| EnclosureData {
            href: nonempty(m.get("url")),
            mime_type: nonempty(m.get("type")),
            length: m.get("filesize").and_then(|l| l.trim().parse().ok()),
        })
}

/// The entry's author, else the feed's, else the subscription's configured name.
fn author_of(
    entry: &Entry,
    feed: &Feed,
    sub: &Subscription,
) -> (Option<String>, Option<String>, Option<String>) {
    let name_of = |common: &Common| {
        person(common)
            .and_then(|p| nonempty(p.name.as_deref()))
            .or_else(|| nonempty(common.author.as_deref()).filter(|_| person(common).is_none()))
    };
    let html_names = sub
        .normalization
        .name_type
        .as_deref()
        .is_some_and(is_html_type);
    let clean = |name: String| {
        if html_names {
            html_to_text(&name)
        } else {
            name
        }
    };
    if let Some(name) = name_of(&entry.common) {
        let p = person(&entry.common);
        return (
            Some(clean(name)),
            p.and_then(|p| nonempty(p.email.as_deref())),
            p.and_then(|p| nonempty(p.href.as_deref())),
        );
    }
    if let Some(name) = name_of(&feed.common) {
        let p = person(&feed.common);
        return (
            Some(clean(name)),
            p.and_then(|p| nonempty(p.email.as_deref())),
            p.and_then(|p| nonempty(p.href.as_deref())),
        );
    }
    // A nameless author still has an address and a home page worth keeping.
    let p = person(&entry.common);
    (
        sub.name.as_deref().and_then(|n| nonempty(Some(n))),
        p.and_then(|p| nonempty(p.email.as_deref())),
        p.and_then(|p| nonempty(p.href.as_deref())),
    )
}

fn person(common: &Common) -> Option<&Person> {
    common
        .author_detail
        .as_ref()
        .or_else(|| common.authors.first())
        .filter(|p| !p.is_empty())
}

fn language(text: Option<&TextConstruct>, common: &Common) -> Option<String> {
    text.and_then(|t| nonempty(t.language.as_deref()))
        .or_else(|| nonempty(common.language.as_deref()))
}

fn date(d: &Option<Date>) -> Option<DateTime<Utc>> {
    d.as_ref().and_then(|d| d.parsed)
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn is_html_type(t: &str) -> bool {
    matches!(
        t.trim().to_ascii_lowercase().as_str(),
        "html" | "xhtml" | "text/html" | "application/xhtml+xml"
    )
}

/// A text construct as sanitized HTML. `override_type` is a `*_type` option:
/// it says what the feed *meant*, whatever it declared.
pub fn to_html(text: &TextConstruct, override_type: Option<&str>) -> String {
    let as_html = match override_type.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => is_html_type(t),
        None => text.is_html(),
    };
    match (as_html, text.is_html()) {
        (true, true) => text.value.clone(),
        (true, false) => {
            let base = Some(text.base.as_str()).filter(|b| !b.is_empty());
            orrery_sanitize::sanitize_html(&text.value, base)
        }
        (false, _) => escape(&text.value),
    }
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// A text construct as plain text (feed titles and the like).
fn plain_text(text: &TextConstruct) -> String {
    if text.is_html() {
        html_to_text(&text.value)
    } else {
        text.value.trim().to_owned()
    }
}

/// Tags dropped, entities decoded, whitespace collapsed.
fn html_to_text(html: &str) -> String {
    let mut stripped = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (c, in_tag) {
            ('<', false) => in_tag = true,
            ('>', true) => {
                in_tag = false;
                stripped.push(' ');
            }
            (c, false) => stripped.push(c),
            _ => {}
        }
    }
    let decoded =
        quick_xml::escape::unescape_with(&stripped, quick_xml::escape::resolve_html5_entity)
            .map_or_else(|_| stripped.clone(), |d| d.into_owned());
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_config::Normalization;

    fn entries(parsed: &ParsedFeed, sub: &Subscription, now: DateTime<Utc>) -> Vec<NewEntry> {
        take_entries(&mut parsed.clone(), sub, now)
    }

    fn text(value: &str, content_type: &str) -> TextConstruct {
        TextConstruct {
            content_type: content_type.into(),
            value: value.into(),
            ..Default::default()
        }
    }

    #[test]
    fn type_overrides() {
        assert_eq!(to_html(&text("a < b", "text/plain"), None), "a &lt; b");
        assert_eq!(to_html(&text("<b>x</b>", "text/html"), None), "<b>x</b>");
        // A feed declaring HTML as text: the override makes it markup, sanitized.
        assert_eq!(
            to_html(&text("<b onclick='x()'>x</b>", "text/plain"), Some("html")),
            "<b>x</b>"
        );
        assert_eq!(
            to_html(&text("<b>x</b>", "text/html"), Some("text")),
            "&lt;b&gt;x&lt;/b&gt;"
        );
    }

    fn subscription(name: Option<&str>, future_dates: FutureDates) -> Subscription {
        Subscription {
            url: "http://example.org/feed".into(),
            location: orrery_config::Location::Http("http://example.org/feed".into()),
            name: name.map(str::to_owned),
            normalization: Normalization {
                future_dates,
                ..Normalization::default()
            }
            .into(),
            activity_threshold: 0,
            cache_keep_entries: 10,
            publish_url: true,
            filters: Vec::new(),
            options: Default::default(),
            origin: "test".into(),
            reading_list: None,
            from_remote_list: false,
        }
    }

    fn parse(doc: &str) -> ParsedFeed {
        orrery_feed::parse(doc.as_bytes(), &orrery_feed::ParseOptions::default())
    }

    fn now() -> DateTime<Utc> {
        "2024-06-01T00:00:00Z".parse().unwrap()
    }

    const FEED: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
        <entry><id>past</id><title>Past</title><updated>2024-05-01T00:00:00Z</updated></entry>
        <entry><id>future</id><title>Future</title><updated>2030-01-01T00:00:00Z</updated>
          <published>2024-05-02T00:00:00Z</published></entry>
        <entry><id>undated</id><title>Undated</title></entry></feed>"#;

    fn ids(entries: &[NewEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn future_dates_policies() {
        let parsed = parse(FEED);
        let keep = entries(&parsed, &subscription(None, FutureDates::Keep), now());
        assert_eq!(ids(&keep), ["past", "future", "undated"]);
        assert_eq!(keep[1].sort_date, "2030-01-01T00:00:00Z".parse().ok());
        // Undated entries sort by their first-seen time, which the store supplies.
        assert_eq!(keep[2].sort_date, None);

        let ignore_date = entries(&parsed, &subscription(None, FutureDates::IgnoreDate), now());
        assert_eq!(ids(&ignore_date), ["past", "future", "undated"]);
        assert_eq!(ignore_date[1].updated, None);
        assert_eq!(
            ignore_date[1].sort_date,
            "2024-05-02T00:00:00Z".parse().ok()
        );

        let ignore_entry = entries(
            &parsed,
            &subscription(None, FutureDates::IgnoreEntry),
            now(),
        );
        assert_eq!(ids(&ignore_entry), ["past", "undated"]);
    }

    #[test]
    fn author_falls_back_to_feed_then_subscription() {
        let doc = |feed_author: &str| {
            format!(
                r#"<feed xmlns="http://www.w3.org/2005/Atom">{feed_author}
                <entry><id>1</id><author><name>Entry Author</name><email>e@example.org</email></author></entry>
                <entry><id>2</id></entry></feed>"#
            )
        };
        let sub = subscription(Some("Configured Name"), FutureDates::Keep);
        let with_feed_author = entries(
            &parse(&doc("<author><name>Feed Author</name></author>")),
            &sub,
            now(),
        );
        assert_eq!(with_feed_author[0].author.as_deref(), Some("Entry Author"));
        let extras: EntryExtras = serde_json::from_value(with_feed_author[0].data.clone()).unwrap();
        assert_eq!(extras.author_email.as_deref(), Some("e@example.org"));
        assert_eq!(with_feed_author[1].author.as_deref(), Some("Feed Author"));
        let without = entries(&parse(&doc("")), &sub, now());
        assert_eq!(without[1].author.as_deref(), Some("Configured Name"));
    }

    #[test]
    fn ignore_in_feed_removes_elements() {
        let mut parsed = parse(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><author><name>A</name></author>
            <entry><id>x</id><link href="http://example.org/x"/><title>T</title>
            <updated>2024-05-01T00:00:00Z</updated></entry></feed>"#,
        );
        apply_ignore_in_feed(
            &mut parsed,
            &[
                "id".into(),
                "updated".into(),
                "author".into(),
                "xml:lang".into(),
            ],
        );
        let out = entries(&parsed, &subscription(None, FutureDates::Keep), now());
        assert_eq!(out[0].id, "http://example.org/x");
        assert_eq!(out[0].updated, None);
        assert_eq!(out[0].author, None);
        let extras: EntryExtras = serde_json::from_value(out[0].data.clone()).unwrap();
        assert_eq!(extras.title_language, None);
    }

    #[test]
    fn an_enclosure_without_a_url_keeps_its_type_and_length() {
        let parsed = parse(
            r#"<feed xmlns="http://www.w3.org/2005/Atom">
            <entry><id>1</id><link rel="enclosure" type="audio/mpeg" length="100"/>
              <link rel="enclosure" href="http://example.org/a.ogg" type="audio/ogg"/></entry>
            <entry><id>2</id><link rel="enclosure" type="audio/mpeg" length=" 5 "/></entry>
            </feed>"#,
        );
        let out = entries(&parsed, &subscription(None, FutureDates::Keep), now());
        let enclosure = |i: usize| {
            serde_json::from_value::<EntryExtras>(out[i].data.clone())
                .unwrap()
                .enclosure
        };
        // One with a URL is preferred.
        assert_eq!(
            enclosure(0),
            Some(EnclosureData {
                href: Some("http://example.org/a.ogg".into()),
                mime_type: Some("audio/ogg".into()),
                length: None,
            })
        );
        assert_eq!(
            enclosure(1),
            Some(EnclosureData {
                href: None,
                mime_type: Some("audio/mpeg".into()),
                length: Some(5),
            })
        );
        // An RSS enclosure with nothing in it is no enclosure.
        let rss = parse(
            r#"<rss version="2.0"><channel><item><guid>1</guid><enclosure/></item>
            </channel></rss>"#,
        );
        let out = entries(&rss, &subscription(None, FutureDates::Keep), now());
        let extras: EntryExtras = serde_json::from_value(out[0].data.clone()).unwrap();
        assert_eq!(extras.enclosure, None);
    }

    #[test]
    fn feed_rights_are_sanitized_markup() {
        let rights = |element: &str| {
            let doc = format!(r#"<feed xmlns="http://www.w3.org/2005/Atom">{element}</feed>"#);
            let meta = feed_metadata(&parse(&doc));
            serde_json::from_value::<FeedExtras>(meta.data)
                .unwrap()
                .rights()
        };
        // Venus's tmpl case source_rights.xml.
        assert_eq!(
            rights(r#"<rights type="html">&amp;copy; 2006</rights>"#).as_deref(),
            Some("&copy; 2006")
        );
        assert_eq!(
            rights(r#"<rights type="html">&lt;b onclick="x()"&gt;A&lt;/b&gt;</rights>"#).as_deref(),
            Some("<b>A</b>")
        );
        assert_eq!(
            rights("<rights>a &lt; b &amp; c</rights>").as_deref(),
            Some("a &lt; b &amp; c")
        );
        assert_eq!(rights("<rights> </rights>"), None);
    }

    #[test]
    fn plain_text_rights_of_older_stores_are_escaped() {
        let old: FeedExtras =
            serde_json::from_value(serde_json::json!({"rights": "<script>x</script> & co"}))
                .unwrap();
        assert_eq!(
            old.rights().as_deref(),
            Some("&lt;script&gt;x&lt;/script&gt; &amp; co")
        );
        // Written back, only the markup form is kept.
        let new = FeedExtras {
            rights_html: Some("<b>A</b>".into()),
            ..old
        };
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json.get("rights"), None);
        let read: FeedExtras = serde_json::from_value(json).unwrap();
        assert_eq!(read.rights().as_deref(), Some("<b>A</b>"));
    }

    #[test]
    fn plain_text_of_markup() {
        assert_eq!(
            html_to_text("A <b>very</b>\n bad &amp; d&eacute;j&agrave;"),
            "A very bad & déjà"
        );
    }
}
