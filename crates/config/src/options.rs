//! The table of every option orrery knows: Venus's, with its defaults, and
//! orrery's own. One table drives unknown-option detection, the "ignored"
//! warnings, and the reference in the README (a test keeps them in step).

/// Where an option is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only `[Planet]` (and `[DEFAULT]`) is read; Venus does not pass it on to feeds.
    Planet,
    /// Read from the feed's or template's section, then `[Planet]`, then the default.
    Section,
    /// Only meaningful in a reading-list section.
    ReadingList,
}

/// What orrery does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Read into the typed model.
    Supported,
    /// Read into the typed model, but orrery does not act on it yet.
    NotYet(&'static str),
    /// Accepted and ignored, with the reason.
    Ignored(&'static str),
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    pub default: &'static str,
    pub scope: Scope,
    pub status: Status,
    /// True for options Venus did not have.
    pub orrery: bool,
}

const fn venus(
    name: &'static str,
    default: &'static str,
    scope: Scope,
    status: Status,
) -> OptionSpec {
    OptionSpec {
        name,
        default,
        scope,
        status,
        orrery: false,
    }
}

const fn orrery(name: &'static str, default: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        default,
        scope: Scope::Planet,
        status: Status::Supported,
        orrery: true,
    }
}

use Scope::{Planet, ReadingList, Section};
use Status::{Ignored, NotYet, Supported};

const FILTER_PROGRAMS: &str = "orrery does not run external filter programs yet";
const CACHE_LAYOUT: &str = "orrery keeps its cache in a database under cache_directory";

/// Every known option.
/// Options that orrery itself does not read but Venus's themes (and orrery's) do, such as the
/// hackergotchi `face`; they are passed to templates without a warning.
pub const TEMPLATE_OPTIONS: &[&str] = &["face", "facewidth", "faceheight", "nick"];

pub const OPTIONS: &[OptionSpec] = &[
    venus("name", "Unconfigured Planet", Planet, Supported),
    venus("link", "", Planet, Supported),
    venus("owner_name", "Anonymous Coward", Planet, Supported),
    venus("owner_email", "", Planet, Supported),
    venus("cache_directory", "cache", Planet, Supported),
    venus("output_dir", "output", Planet, Supported),
    venus("output_theme", "", Planet, Supported),
    venus("template_files", "", Planet, Supported),
    venus("template_directories", ".", Planet, Supported),
    venus("bill_of_materials", "", Planet, Supported),
    venus("filters", "", Planet, NotYet(FILTER_PROGRAMS)),
    venus("filter_directories", "", Planet, NotYet(FILTER_PROGRAMS)),
    venus("filter", "", Section, Supported),
    venus("exclude", "", Section, Supported),
    venus("items_per_page", "60", Section, Supported),
    venus(
        "days_per_page",
        "0",
        Section,
        Ignored("Venus never applied it either"),
    ),
    venus("date_format", "%B %d, %Y %I:%M %p", Planet, Supported),
    venus("new_date_format", "%B %d, %Y", Planet, Supported),
    venus(
        "encoding",
        "utf-8",
        Section,
        Ignored("output is always UTF-8, as it was in Venus"),
    ),
    venus(
        "locale",
        "",
        Section,
        Ignored("dates are formatted in English, as Venus did"),
    ),
    venus("activity_threshold", "0", Section, Supported),
    venus("new_feed_items", "0", Planet, Supported),
    venus("feed_timeout", "20", Planet, Supported),
    venus("spider_threads", "0", Planet, Supported),
    venus(
        "http_cache_directory",
        "cache/cache",
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_sources_directory",
        "cache/sources",
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_blacklist_directory",
        "cache/blacklist",
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_lists_directory",
        "cache/lists",
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus("cache_keep_entries", "10", Section, Supported),
    venus("log_level", "WARNING", Planet, Supported),
    venus(
        "log_format",
        "%(levelname)s:%(name)s:%(message)s",
        Planet,
        Ignored("orrery's log lines have their own format"),
    ),
    venus("generator", "Venus", Planet, Supported),
    venus(
        "generator_uri",
        "http://intertwingly.net/code/venus/",
        Planet,
        Supported,
    ),
    venus("feed", "", Planet, Supported),
    venus("feedtype", "", Planet, Supported),
    venus("pubsubhubbub_hub", "", Planet, Supported),
    venus(
        "pubsubhubbub_feeds",
        "atom.xml rss10.xml rss20.xml",
        Planet,
        Supported,
    ),
    venus(
        "django_autoescape",
        "on",
        Planet,
        Ignored("orrery has no Django templates"),
    ),
    venus("ignore_in_feed", "", Section, Supported),
    venus("name_type", "", Section, Supported),
    venus("title_type", "", Section, Supported),
    venus("summary_type", "", Section, Supported),
    venus("content_type", "", Section, Supported),
    venus("future_dates", "keep", Section, Supported),
    venus("xml_base", "", Section, Supported),
    venus(
        "online_accounts",
        "",
        ReadingList,
        Ignored("FOAF reading lists are not supported"),
    ),
    venus(
        "depth",
        "",
        ReadingList,
        Ignored("FOAF reading lists are not supported"),
    ),
    orrery("concurrency", "8"),
    orrery("per_host_limit", "2"),
    orrery("max_feed_bytes", "16777216"),
    orrery("max_redirects", "5"),
    orrery("allow_https_downgrade", "false"),
    orrery("allow_internal_targets", "false"),
    orrery("max_feed_share", "25"),
    OptionSpec {
        name: "publish_url",
        default: "yes",
        scope: Section,
        status: Supported,
        orrery: true,
    },
];

/// Looks an option up by its (lower-case) name.
pub fn spec(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Venus's `planet_predefined_options`: `[Planet]` options that are *not*
/// copied into every feed's options (every other `[Planet]` key is).
pub(crate) const PLANET_PREDEFINED: &[&str] = &[
    "filters",
    "name",
    "link",
    "cache_directory",
    "log_level",
    "log_format",
    "date_format",
    "new_date_format",
    "generator",
    "generator_uri",
    "owner_name",
    "owner_email",
    "output_theme",
    "output_dir",
    "spider_threads",
    "pubsubhubbub_hub",
    "pubsubhubbub_feeds",
    "new_feed_items",
    "feed_timeout",
    "cache_keep_entries",
    "template_files",
    "bill_of_materials",
    "template_directories",
    "filter_directories",
];
