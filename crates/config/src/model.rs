//! The resolved, typed configuration: what the rest of orrery reads.

use std::cmp::Ordering;
use std::collections::{btree_map, BTreeMap};
use std::fmt;
use std::iter::Peekable;
use std::path::PathBuf;
use std::slice;
use std::sync::Arc;

use serde::{Serialize, Serializer};

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
    /// The warnings about likely mistakes in the owner's files (unknown or misspelt options,
    /// malformed lines), also in `warnings`: every command shows these.
    pub attention: Vec<String>,
}

impl PlanetConfig {
    /// Number of entries to splice: Venus takes the largest `items_per_page`
    /// over all templates, or the planet's when there are none.
    /// The most entries one feed may hold on the page once it would hold more.
    pub fn feed_share(&self) -> u32 {
        let page = u64::from(self.items_to_splice());
        let share = (page * u64::from(self.planet.max_feed_share)).div_ceil(100);
        u32::try_from(share).unwrap_or(u32::MAX).max(1)
    }

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
    /// Where a theme directory named by a relative `output_theme` is looked for: the directory
    /// of the file that set it (the planet's directory when none did).
    pub theme_base: PathBuf,
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
    /// Percent of the page (`items_per_page`) one feed may hold once it would hold more
    /// (1 to 100; 100 lets one feed fill the page, as Venus did).
    pub max_feed_share: u32,
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
    /// `allow_internal_targets`: let redirect targets and feeds added by
    /// remote reading lists reach loopback, private and other internal
    /// addresses. Default false; for intranet planets.
    pub allow_internal_targets: bool,
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
    /// Shared with every subscription that overrides nothing.
    pub normalization: Arc<Normalization>,
    pub activity_threshold: u32,
    pub cache_keep_entries: u32,
    /// `publish_url = no`: the feed's URL appears in no output (the OPML, FOAF, the sidebar,
    /// the status page), for subscriptions whose address is private.
    pub publish_url: bool,
    /// The filter-program chain: `[Planet]` filters, then the feed's.
    pub filters: Vec<String>,
    /// Venus's `feed_options`: inherited `[Planet]` options (except the
    /// planet-only ones) overlaid with the section's own; what templates see
    /// as `channel_*` and `planet:*`.
    pub options: SectionOptions,
    /// Where the subscription came from: `file:line`, or the reading list.
    pub origin: String,
    /// The reading list that added it, if one did (shown as "from list").
    pub reading_list: Option<String>,
    /// Added by a remote reading list: a third party's URL, fetched only at
    /// public addresses unless `allow_internal_targets` is set.
    pub from_remote_list: bool,
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
    pub options: SectionOptions,
}

/// A section passed through as parameters (filter sections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedSection {
    pub name: String,
    pub options: SectionOptions,
}

/// A section's options as Venus resolves them: those inherited from
/// `[Planet]`, overlaid with the section's own. A planet of a thousand feeds
/// would otherwise hold a thousand copies of the inherited ones, so they are
/// held once and shared; each section keeps only what it sets. Reads like a
/// sorted map of option names to values.
#[derive(Debug, Clone, Default)]
pub struct SectionOptions {
    inherited: Arc<BTreeMap<String, String>>,
    /// Sorted by name, each name once.
    own: Box<[(String, String)]>,
}

impl SectionOptions {
    /// The section's own options over the shared inherited ones.
    pub(crate) fn new(
        inherited: Arc<BTreeMap<String, String>>,
        own: BTreeMap<String, String>,
    ) -> Self {
        Self {
            inherited,
            own: own.into_iter().collect(),
        }
    }

    /// The section's value, else the inherited one.
    pub fn get(&self, key: &str) -> Option<&String> {
        match self.own.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => self.own.get(i).map(|(_, v)| v),
            Err(_) => self.inherited.get(key),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every option once, sorted by name.
    pub fn iter(&self) -> SectionOptionsIter<'_> {
        SectionOptionsIter {
            inherited: self.inherited.iter().peekable(),
            own: self.own.iter().peekable(),
        }
    }
}

/// A section's options when nothing is inherited.
impl From<BTreeMap<String, String>> for SectionOptions {
    fn from(own: BTreeMap<String, String>) -> Self {
        Self::new(Arc::default(), own)
    }
}

/// Equal when they read the same, however the values are held.
impl PartialEq for SectionOptions {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SectionOptions {}

/// As the map it reads as.
impl Serialize for SectionOptions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// The options of a [`SectionOptions`] in name order: the two sorted lists merged,
/// the section's value replacing an inherited one of the same name.
#[derive(Debug, Clone)]
pub struct SectionOptionsIter<'a> {
    inherited: Peekable<btree_map::Iter<'a, String, String>>,
    own: Peekable<slice::Iter<'a, (String, String)>>,
}

impl<'a> Iterator for SectionOptionsIter<'a> {
    type Item = (&'a String, &'a String);

    fn next(&mut self) -> Option<Self::Item> {
        let order = match (self.inherited.peek(), self.own.peek()) {
            (None, None) => return None,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((inherited, _)), Some((own, _))) => inherited.cmp(&own),
        };
        if order == Ordering::Less {
            return self.inherited.next();
        }
        if order == Ordering::Equal {
            self.inherited.next();
        }
        self.own.next().map(|(k, v)| (k, v))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Options read exactly as the one map Venus built: a copy of the
        /// inherited options with the section's inserted over them.
        #[test]
        fn options_read_as_the_overlaid_map(
            inherited in prop::collection::btree_map("[a-e]{1,2}", "[0-9]{0,2}", 0..8),
            own in prop::collection::btree_map("[a-e]{1,2}", "[x-z]{0,2}", 0..8),
        ) {
            let mut overlaid = inherited.clone();
            overlaid.extend(own.clone());
            let options = SectionOptions::new(Arc::new(inherited), own);
            prop_assert!(options.iter().eq(overlaid.iter()));
            for key in ["a", "b", "cc", "e", "f"] {
                prop_assert_eq!(options.get(key), overlaid.get(key));
                prop_assert_eq!(options.contains_key(key), overlaid.contains_key(key));
            }
            prop_assert_eq!(
                serde_json::to_string(&options).unwrap(),
                serde_json::to_string(&overlaid).unwrap()
            );
            prop_assert_eq!(&options, &SectionOptions::from(overlaid));
        }
    }
}
