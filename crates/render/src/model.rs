//! The publishing view of a planet: what the earlier stages hand over.
//!
//! These types are deliberately independent of configuration, fetching and
//! storage so that publishing can be driven (and tested) from memory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use orrery_config::options;

/// The `[Planet]` section as publishing needs it.
#[derive(Debug, Clone)]
pub struct Planet {
    pub name: String,
    /// Public URL of the site; relative links in the output are joined with it.
    pub link: String,
    pub owner_name: String,
    pub owner_email: String,
    /// Shown as the `generator` name in feeds.
    pub generator: String,
    /// Exposed to templates as `generator`, as Venus does.
    pub generator_uri: String,
    pub date_format: String,
    pub new_date_format: String,
    /// At most this many items are published.
    pub items_per_page: usize,
    /// Outputs added to the theme's own list (Venus appends, never replaces).
    pub template_files: Vec<String>,
    /// Extra static files; `#{key}` expands once per channel having `key`.
    pub bill_of_materials: Vec<String>,
    /// Searched before the theme for templates and static files (usually the
    /// directory of the configuration file).
    pub template_directories: Vec<PathBuf>,
    pub pubsubhubbub_hub: Option<String>,
    /// Every `[Planet]` option as written; templates can read any of them.
    pub options: BTreeMap<String, String>,
    /// The generation time ("Last updated").
    pub now: DateTime<Utc>,
}

impl Planet {
    /// A planet with the defaults of the option table, generated at `now`.
    pub fn new(name: impl Into<String>, now: DateTime<Utc>) -> Self {
        Planet {
            name: name.into(),
            link: String::new(),
            owner_name: options::default("owner_name").to_owned(),
            owner_email: String::new(),
            // The table's default names Venus (its themes print it); the
            // feeds orrery writes name orrery unless the owner says otherwise.
            generator: "orrery".to_owned(),
            generator_uri: String::new(),
            date_format: options::default("date_format").to_owned(),
            new_date_format: options::default("new_date_format").to_owned(),
            items_per_page: options::default("items_per_page").parse().unwrap_or(60),
            template_files: Vec::new(),
            bill_of_materials: Vec::new(),
            template_directories: Vec::new(),
            pubsubhubbub_hub: None,
            options: BTreeMap::new(),
            now,
        }
    }
}

/// One subscription, whether its last fetch worked or not.
#[derive(Debug, Clone, Default)]
pub struct Channel {
    /// The subscription (feed) URL as published: without user info or secret query
    /// parameters, empty when the subscription is not to be published (`publish_url = no`).
    pub url: String,
    /// The configured display name; falls back to the feed title when empty.
    pub name: String,
    /// The site's home page.
    pub link: Option<String>,
    /// The feed's own title, as plain text.
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// The feed's id (Atom) or link; `url` is used when absent.
    pub id: Option<String>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub icon: Option<String>,
    pub logo: Option<String>,
    /// Sanitized HTML.
    pub rights: Option<String>,
    /// Why the subscription is failing, in plain words; `None` when healthy.
    pub message: Option<String>,
    pub http_status: Option<u16>,
    /// The feed's own `updated` date.
    pub last_updated: Option<DateTime<Utc>>,
    /// Every per-subscription option (`face`, `facewidth`, `nick`...), as
    /// Venus exposes them all to templates.
    pub options: BTreeMap<String, String>,
    /// When the feed was last fetched, successfully or not.
    pub last_fetch: Option<DateTime<Utc>>,
    /// When the feed last produced an entry not seen before.
    pub last_new_entry: Option<DateTime<Utc>>,
    /// When the planet means to fetch the feed again (its server's caching hints, its `ttl`,
    /// a back-off after failures), and why; `None`: at the next run.
    pub next_fetch: Option<DateTime<Utc>>,
    pub next_fetch_reason: Option<String>,
    pub entries_stored: Option<u64>,
    /// The new location announced by a permanent redirect (301/308).
    pub permanent_redirect: Option<String>,
    /// The reading list that added the subscription, as published (a URL
    /// without secrets, or a local list's file name); `None`: the owner's own.
    pub reading_list: Option<String>,
    /// What the status page tells of a healthy feed: a limit that cut its last copy ("capped
    /// at 10,000 entries"), entry ids it shares with another subscription.
    pub notes: Vec<String>,
}

impl Channel {
    /// The name shown to readers: the configured one, else the feed title,
    /// else the URL.
    pub fn display_name(&self) -> &str {
        [Some(self.name.as_str()), self.title.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or(if self.url.is_empty() {
                "unnamed feed"
            } else {
                &self.url
            })
    }

    /// The hackergotchi file name, from the `face` option.
    pub fn face(&self) -> Option<&str> {
        self.options
            .get("face")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// One published entry. Markup fields are already sanitized HTML.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Index into the channel slice given to [`crate::render_site`].
    pub channel: usize,
    pub id: String,
    /// Sanitized HTML.
    pub title: Option<String>,
    /// Plain text; derived from `title` when absent.
    pub title_plain: Option<String>,
    pub title_language: Option<String>,
    /// Sanitized HTML.
    pub content: Option<String>,
    pub content_language: Option<String>,
    /// Sanitized HTML; published instead of `content` when that is absent.
    pub summary: Option<String>,
    pub summary_language: Option<String>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author_uri: Option<String>,
    /// The permalink.
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The date the item is sorted and shown by.
    pub date: DateTime<Utc>,
    pub enclosure: Option<Enclosure>,
    pub categories: Vec<String>,
    /// Sanitized HTML.
    pub rights: Option<String>,
    /// Picture of the entry (a video's thumbnail, an episode's image).
    pub image: Option<String>,
    /// Page that plays the entry's media.
    pub player: Option<String>,
    /// Length of the entry's media, in seconds.
    pub duration: Option<u64>,
    /// Explicit (`true`) or clean (`false`), as the podcast says.
    pub explicit: Option<bool>,
    /// (latitude, longitude) the entry is about.
    pub location: Option<(f64, f64)>,
}

/// A podcast-style attachment. One without `href` still gives templates
/// its type and length, as in Venus, but no output feed lists it.
#[derive(Debug, Clone, Default)]
pub struct Enclosure {
    pub href: Option<String>,
    pub mime_type: Option<String>,
    pub length: Option<u64>,
}

/// What a publishing run did, including problems that did not stop it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Outputs written, relative to the output directory.
    pub written: Vec<String>,
    /// Static files copied, relative to the output directory.
    pub copied: Vec<String>,
    /// Files the previous publishing wrote and this one did not (a theme's stylesheet after
    /// switching themes), removed; relative to the output directory.
    pub removed: Vec<String>,
    /// Problems worth telling the owner about (a missing face image, an
    /// output no template or generator knows).
    pub warnings: Vec<String>,
}
