//! The variables templates see, named and shaped as in Venus.
//!
//! Markup fields (entry titles, content and summaries, entry and feed
//! rights) were sanitized upstream and are marked safe; everything else is
//! plain text that the template engine escapes.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use minijinja::Value;

use crate::dates::{self, DateFormat};
use crate::model::{Channel, Item, Planet};
use crate::site::Site;
use crate::status;
use crate::text::{absolute, css_id, html_to_text, xml_safe};

type Map = BTreeMap<String, Value>;

fn text(s: &str) -> Value {
    Value::from(xml_safe(s).into_owned())
}

fn markup(s: &str) -> Value {
    Value::from_safe_string(xml_safe(s).into_owned())
}

fn put(map: &mut Map, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        map.insert(key.to_owned(), text(v));
    }
}

/// `key`, `key_iso` and `key_822`, as Venus exposes every date.
fn put_date(map: &mut Map, key: &str, date: Option<&DateTime<Utc>>, format: &DateFormat) {
    if let Some(d) = date {
        map.insert(key.to_owned(), text(&format.format(d)));
        map.insert(format!("{key}_iso"), text(&dates::iso(d)));
        map.insert(format!("{key}_822"), text(&dates::rfc822(d)));
    }
}

/// Venus's (feedparser's) `author`: "Name (email)", or whichever is known.
pub(crate) fn author_line(name: Option<&str>, email: Option<&str>) -> Option<String> {
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    let email = email.map(str::trim).filter(|s| !s.is_empty());
    match (name, email) {
        (Some(n), Some(e)) => Some(format!("{n} ({e})")),
        (Some(n), None) => Some(n.to_owned()),
        (None, Some(e)) => Some(e.to_owned()),
        (None, None) => None,
    }
}

/// Template variables of every output; only `url` and `fullurl` differ.
pub struct Context {
    top: Map,
}

impl Context {
    pub fn new(site: &Site, outputs: &[String]) -> Context {
        let planet = site.planet;
        // Each channel's variables exist once, shared by the channel lists
        // and by every item of the channel.
        let channels: Vec<Arc<Map>> = site
            .channels
            .iter()
            .map(|c| Arc::new(channel_vars(planet, c, &site.date_format)))
            .collect();
        let items = item_list(site, &channels);

        let mut sorted: Vec<&Arc<Map>> = channels.iter().collect();
        sorted.sort_by_cached_key(|m| {
            m.get("name")
                .and_then(|v| v.as_str().map(str::to_lowercase))
                .unwrap_or_default()
        });
        let sorted: Value = sorted
            .into_iter()
            .map(|m| Value::from_dyn_object(Arc::clone(m)))
            .collect();

        let mut top = Map::new();
        // Every [Planet] option is visible; the named variables below win.
        for (k, v) in &planet.options {
            top.insert(k.clone(), text(v));
        }
        let config: Map = planet
            .options
            .iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        top.insert("Config".into(), Value::from_object(config));
        top.insert("name".into(), text(&planet.name));
        put(&mut top, "link", Some(&planet.link));
        put(&mut top, "owner_name", Some(&planet.owner_name));
        put(&mut top, "owner_email", Some(&planet.owner_email));
        put(&mut top, "generator", Some(&planet.generator_uri));
        put(&mut top, "generator_name", Some(&planet.generator));
        put(
            &mut top,
            "pubsubhubbub_hub",
            planet.pubsubhubbub_hub.as_deref(),
        );
        let language = planet.options.get("language").map_or("en", String::as_str);
        top.insert("language".into(), text(language));
        if let Some((feed, feedtype)) = site.feed(outputs) {
            top.insert("feed".into(), text(&feed));
            top.insert("feedtype".into(), text(&feedtype));
        }
        put_date(&mut top, "date", Some(&planet.now), &site.date_format);
        top.insert("outputs".into(), outputs.iter().map(|o| text(o)).collect());
        top.insert("feed_links".into(), feed_links(outputs));
        top.insert("Channels".into(), sorted.clone());
        top.insert("channels".into(), sorted);
        top.insert("Items".into(), items.clone());
        top.insert("items".into(), items);
        Context { top }
    }

    /// The variables for rendering `output` (e.g. `index.html`).
    pub fn for_output(&self, site: &Site, output: &str) -> Value {
        let mut map = self.top.clone();
        let stem = output.rsplit_once('.').map_or(output, |(stem, _)| stem);
        map.insert("url".into(), text(&site.url_of(stem)));
        map.insert("fullurl".into(), text(&site.url_of(output)));
        Value::from_object(map)
    }
}

/// The machine-readable outputs, for `<link rel=alternate>` and "follow"
/// lists: `href` (relative), `type`, `label`, and `alternate` for the
/// feeds of the entries themselves.
fn feed_links(outputs: &[String]) -> Value {
    const KNOWN: &[(&str, &str, &str, bool)] = &[
        ("atom.xml", "application/atom+xml", "Atom", true),
        ("rss20.xml", "application/rss+xml", "RSS 2.0", true),
        ("feed.json", "application/feed+json", "JSON Feed", true),
        ("rss10.xml", "application/rdf+xml", "RSS 1.0", false),
        ("opml.xml", "text/x-opml", "OPML", false),
        ("foafroll.xml", "application/rdf+xml", "FOAF", false),
        ("status.html", "text/html", "Feed status", false),
    ];
    outputs
        .iter()
        .filter_map(|o| KNOWN.iter().find(|k| k.0 == o.as_str()))
        .map(|&(href, mime, label, alternate)| {
            let mut m = Map::new();
            m.insert("href".into(), Value::from(href));
            m.insert("type".into(), Value::from(mime));
            m.insert("label".into(), Value::from(label));
            m.insert("alternate".into(), Value::from(alternate));
            Value::from_object(m)
        })
        .collect()
}

fn channel_vars(planet: &Planet, c: &Channel, format: &DateFormat) -> Map {
    let mut m = Map::new();
    for (k, v) in &c.options {
        m.insert(k.clone(), text(v));
    }
    let name = c.display_name();
    m.insert("name".into(), text(name));
    m.insert("css-id".into(), text(&css_id(name)));
    m.insert("css_id".into(), text(&css_id(name)));
    // Empty for a subscription published without its address (`publish_url = no`).
    if !c.url.is_empty() {
        m.insert("url".into(), text(&absolute(&planet.link, &c.url)));
    }
    let link = c.link.as_deref().filter(|l| !l.is_empty());
    // Venus's source id: the feed's id, else its link. A feed with neither has
    // none, so a Venus theme starts no new channel group for it, as Venus did.
    put(
        &mut m,
        "id",
        c.id.as_deref().filter(|i| !i.is_empty()).or(link),
    );
    put(
        &mut m,
        "link",
        link.map(|l| absolute(&planet.link, l)).as_deref(),
    );
    put(&mut m, "title", c.title.as_deref());
    put(&mut m, "title_plain", c.title.as_deref());
    put(&mut m, "subtitle", c.subtitle.as_deref());
    let author = author_line(c.author_name.as_deref(), c.author_email.as_deref());
    put(&mut m, "author", author.as_deref());
    put(&mut m, "author_name", c.author_name.as_deref());
    put(&mut m, "author_email", c.author_email.as_deref());
    put(&mut m, "icon", c.icon.as_deref());
    put(&mut m, "logo", c.logo.as_deref());
    if let Some(rights) = c.rights.as_deref().filter(|r| !r.is_empty()) {
        m.insert("rights".into(), markup(rights));
    }
    put(&mut m, "message", c.message.as_deref());
    if let Some(code) = c.http_status {
        m.insert("http_status".into(), Value::from(code.to_string()));
    }
    put_date(&mut m, "last_updated", c.last_updated.as_ref(), format);
    // Health, for status pages.
    put_date(&mut m, "last_fetch", c.last_fetch.as_ref(), format);
    put_date(&mut m, "last_new_entry", c.last_new_entry.as_ref(), format);
    put_date(&mut m, "next_fetch", c.next_fetch.as_ref(), format);
    put(&mut m, "next_fetch_reason", c.next_fetch_reason.as_deref());
    if let Some(n) = c.entries_stored {
        m.insert("entries_stored".into(), Value::from(n));
    }
    put(
        &mut m,
        "permanent_redirect",
        c.permanent_redirect.as_deref(),
    );
    put(&mut m, "problem", status::problem(c).as_deref());
    put(&mut m, "reading_list", c.reading_list.as_deref());
    if !c.notes.is_empty() {
        m.insert(
            "notes".into(),
            Value::from(c.notes.iter().map(|n| text(n)).collect::<Vec<_>>()),
        );
    }
    put(&mut m, "file", status::local_file(c));
    m
}

fn item_list(site: &Site, channels: &[Arc<Map>]) -> Value {
    let planet = site.planet;
    let day_format = &site.new_date_format;
    let mut previous: Option<(String, usize)> = None;
    let mut list = Vec::with_capacity(site.items.len());
    for item in &site.items {
        let Some(channel) = channels.get(item.channel) else {
            continue;
        };
        let mut m = Map::new();
        for (k, v) in channel.iter() {
            m.insert(format!("channel_{k}"), v.clone());
        }
        m.insert(
            "channel".into(),
            Value::from_dyn_object(Arc::clone(channel)),
        );
        let day = day_format.format(&item.date);
        let new_day = previous.as_ref().is_none_or(|(d, _)| *d != day);
        let new_source = previous.as_ref().is_none_or(|(_, c)| *c != item.channel);
        if new_day {
            m.insert("new_date".into(), text(&day));
        }
        // Venus's value is the source's id; the group starts whenever the
        // subscription changes, even between two feeds sharing an id.
        if new_day || new_source {
            if let Some(source) = channel.get("id") {
                m.insert("new_channel".into(), source.clone());
            }
        }
        previous = Some((day, item.channel));
        item_vars(planet, item, &site.date_format, &mut m);
        list.push(Value::from_object(m));
    }
    Value::from(list)
}

/// `h:mm:ss`, or `m:ss` under an hour.
fn format_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn item_vars(planet: &Planet, item: &Item, format: &DateFormat, m: &mut Map) {
    m.insert("id".into(), text(&item.id));
    if let Some(title) = item.title.as_deref().filter(|t| !t.trim().is_empty()) {
        m.insert("title".into(), markup(title));
        let plain = item
            .title_plain
            .clone()
            .unwrap_or_else(|| html_to_text(title));
        m.insert("title_plain".into(), text(&plain));
    }
    put(m, "title_language", item.title_language.as_deref());
    let content = item.content.as_deref().or(item.summary.as_deref());
    if let Some(content) = content {
        m.insert("content".into(), markup(content));
    }
    put(m, "content_language", item.content_language.as_deref());
    if let Some(summary) = item.summary.as_deref() {
        m.insert("summary".into(), markup(summary));
    }
    put(m, "summary_language", item.summary_language.as_deref());
    let author = author_line(item.author_name.as_deref(), item.author_email.as_deref());
    put(m, "author", author.as_deref());
    put(m, "author_name", item.author_name.as_deref());
    put(m, "author_email", item.author_email.as_deref());
    put(m, "author_uri", item.author_uri.as_deref());
    let link = item.link.as_deref().map(|l| absolute(&planet.link, l));
    put(m, "link", link.as_deref());
    let permalink = link.as_deref() == Some(item.id.as_str());
    m.insert(
        "guid_isPermaLink".into(),
        Value::from(permalink.to_string()),
    );
    put_date(m, "date", Some(&item.date), format);
    put_date(m, "updated", item.updated.as_ref(), format);
    put_date(m, "published", item.published.as_ref(), format);
    if let Some(enc) = &item.enclosure {
        let href = enc.href.as_deref().map(|h| absolute(&planet.link, h));
        put(m, "enclosure_href", href.as_deref());
        put(m, "enclosure_type", enc.mime_type.as_deref());
        if let Some(len) = enc.length {
            m.insert("enclosure_length".into(), Value::from(len.to_string()));
        }
    }
    if let Some(rights) = item.rights.as_deref() {
        m.insert("rights".into(), markup(rights));
    }
    // Media of video and podcast entries (names of orrery's own; Venus has none).
    let image = item.image.as_deref().map(|h| absolute(&planet.link, h));
    put(m, "media_image", image.as_deref());
    let player = item.player.as_deref().map(|h| absolute(&planet.link, h));
    put(m, "media_player", player.as_deref());
    if let Some(d) = item.duration {
        m.insert("media_duration".into(), text(&format_duration(d)));
        m.insert("media_duration_iso".into(), text(&format!("PT{d}S")));
    }
    if let Some(e) = item.explicit {
        m.insert("media_explicit".into(), Value::from(e));
    }
    if let Some((lat, lon)) = item.location {
        m.insert("geo_lat".into(), text(&lat.to_string()));
        m.insert("geo_long".into(), text(&lon.to_string()));
    }
    let categories: Value = item.categories.iter().map(|c| text(c)).collect();
    m.insert("categories".into(), categories);
}
