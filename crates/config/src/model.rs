//! The resolved, typed configuration: what the rest of orrery reads.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Everything a planet run needs, with Venus's defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanetConfig {
    pub planet: Planet,
    /// In section order, as Venus lists them.
    pub subscriptions: Vec<Subscription>,
    pub templates: Vec<Template>,
    /// Sections holding parameters for filters (named in a `filters` list).
    pub filter_sections: Vec<NamedSection>,
    pub reading_lists: Vec<ReadingList>,
    /// Options orrery ignores, unknown options and other notices, each once.
    pub warnings: Vec<String>,
}

impl PlanetConfig {
    /// Number of entries to splice: Venus takes the largest `items_per_page`
    /// over all templates, or the planet's when there are none.
    pub fn items_to_splice(&self) -> u32 {
        self.templates
            .iter()
            .map(|t| t.items_per_page)
            .max()
            .unwrap_or(self.planet.items_per_page)
    }
}

/// `[Planet]` settings. Paths are absolute: resolved against the working
/// directory for INI files (Venus's behaviour, so existing cron lines keep
/// working) and against the file's directory for TOML files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planet {
    pub name: String,
    pub link: String,
    pub owner_name: String,
    pub owner_email: String,
    pub generator: String,
    pub generator_uri: String,
    /// The planet's own feed: `feed`, else `link` joined with the first
    /// template whose output name contains `atom` or `rss`.
    pub feed: Option<String>,
    /// `feedtype`, else `atom`/`rss` guessed from `feed`.
    pub feedtype: Option<String>,
    pub cache_directory: PathBuf,
    pub output_dir: PathBuf,
    pub output_theme: Option<String>,
    /// The theme directory found for `output_theme`, if any.
    pub theme_dir: Option<PathBuf>,
    /// Theme templates first, then the user's (Venus's theme merge).
    pub template_files: Vec<String>,
    pub template_directories: Vec<PathBuf>,
    /// `#{option}` entries expanded once per subscription having that option.
    pub bill_of_materials: Vec<String>,
    pub filters: Vec<String>,
    pub filter_directories: Vec<PathBuf>,
    pub items_per_page: u32,
    pub days_per_page: u32,
    pub date_format: String,
    pub new_date_format: String,
    pub encoding: String,
    pub locale: Option<String>,
    pub activity_threshold: u32,
    /// Most entries one feed may contribute to the output; 0 is no limit.
    pub new_feed_items: u32,
    /// Per-request timeout, in seconds.
    pub feed_timeout: u32,
    pub spider_threads: u32,
    pub cache_keep_entries: u32,
    pub http_cache_directory: PathBuf,
    pub cache_sources_directory: PathBuf,
    pub cache_blacklist_directory: PathBuf,
    pub cache_lists_directory: PathBuf,
    pub log_level: LogLevel,
    pub log_format: String,
    pub pubsubhubbub_hub: Option<String>,
    pub pubsubhubbub_feeds: Vec<String>,
    pub django_autoescape: bool,
    /// Planet-wide defaults of the per-feed normalization overrides.
    pub normalization: Normalization,
    pub fetch: FetchPolicy,
    /// Every `[Planet]` option as written (interpolated), for templates.
    pub options: BTreeMap<String, String>,
}

/// orrery's fetching limits (not in Venus).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchPolicy {
    /// `concurrency`: feeds fetched at once. Default: `spider_threads` when
    /// positive, else 8 (Venus's 0 meant "one at a time"; orrery never needs that).
    pub concurrency: u32,
    /// `per_host_limit`: requests in flight to one host, so a planet of
    /// many blogs on one hosting service does not hammer it. Default 2.
    pub per_host_limit: u32,
    /// `max_feed_bytes`: a response body larger than this is an error.
    /// Default 16 MiB (Venus had no limit).
    pub max_feed_bytes: u64,
    /// `max_redirects`: redirects followed per fetch. Default 5.
    pub max_redirects: u32,
    /// `allow_https_downgrade`: follow a redirect from https to http.
    /// Default false.
    pub allow_https_downgrade: bool,
}

/// Venus's log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

/// The normalization overrides (venus.md §1.6), per feed or planet-wide.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Normalization {
    /// Element names removed from feed and entries before normalizing.
    pub ignore_in_feed: Vec<String>,
    pub name_type: Option<String>,
    pub title_type: Option<String>,
    pub summary_type: Option<String>,
    /// Entry content type override (`text`, `html`, `xhtml` or a MIME type).
    pub content_type: Option<String>,
    pub future_dates: FutureDates,
    pub xml_base: Option<String>,
    /// Regular expression an entry's text must contain.
    pub filter: Option<String>,
    /// Regular expression an entry's text must not contain.
    pub exclude: Option<String>,
}

/// What to do with entries dated in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FutureDates {
    #[default]
    Keep,
    IgnoreDate,
    IgnoreEntry,
}

/// One feed to fetch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription {
    /// The section name as written: the feed's URL or a local path.
    pub url: String,
    pub location: Location,
    /// Display name; when absent the feed's title is used.
    pub name: Option<String>,
    /// Effective overrides: the section's, else `[Planet]`'s, else defaults.
    pub normalization: Normalization,
    pub activity_threshold: u32,
    pub cache_keep_entries: u32,
    /// The filter-program chain: `[Planet]` filters, then the feed's.
    pub filters: Vec<String>,
    /// Venus's `feed_options`: inherited `[Planet]` options (except the
    /// planet-only ones) overlaid with the section's own; what templates see
    /// as `channel_*` and `planet:*`.
    pub options: BTreeMap<String, String>,
    /// Where the subscription came from: `file:line`, or the reading list.
    pub origin: String,
}

/// Where a subscription's feed is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Location {
    /// An `http` or `https` URL.
    Http(String),
    /// A local file (Venus accepted paths and `file:` URLs).
    File(PathBuf),
    /// A URL with a scheme orrery does not fetch.
    Unsupported(String),
}

/// An output template section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    /// The file name as listed in `template_files`, e.g. `index.html.tmpl`.
    pub file: String,
    pub items_per_page: u32,
    pub days_per_page: u32,
    pub encoding: String,
    /// Filters applied to the template's output (pipe and tee syntax kept as written).
    pub filters: Vec<String>,
    pub options: BTreeMap<String, String>,
}

/// A section passed through as parameters (filter sections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedSection {
    pub name: String,
    pub options: BTreeMap<String, String>,
}

/// A reading list section and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadingList {
    /// The section name: a URL or a path.
    pub url: String,
    pub kind: ReadingListKind,
    /// The local file, when `url` is not an http(s) URL.
    pub path: Option<PathBuf>,
    pub state: ReadingListState,
}

/// A reading list's format, from its `content_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingListKind {
    Opml,
    Csv,
    /// Another INI file's subscription sections.
    Config,
    /// Needs an RDF engine; not supported.
    Foaf,
    /// Venus piped the list through a filter program; not supported.
    Filter,
}

impl fmt::Display for ReadingListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Opml => "opml",
            Self::Csv => "csv",
            Self::Config => "config",
            Self::Foaf => "foaf",
            Self::Filter => "filter",
        })
    }
}

/// Whether a reading list's subscriptions are part of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum ReadingListState {
    /// Read; this many subscriptions came from it.
    Loaded(usize),
    /// A remote list not fetched yet: the fetch stage calls
    /// [`crate::Config::apply_reading_list`].
    Pending,
    /// Could not be used; the reason.
    Failed(String),
    /// A format orrery does not read.
    Unsupported,
}
