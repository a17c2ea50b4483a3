//! The table of every option orrery knows: Venus's, with its defaults, and
//! orrery's own. One table drives unknown-option detection, the "ignored"
//! warnings, the defaults and readings of the resolver, the value types the
//! TOML reader accepts, what `migrate` writes as a number, a list or a path,
//! and the reference in the README (tests keep them in step).

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

/// How a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A whole number from 0 to `u32::MAX`.
    Count,
    /// A whole number of bytes (`u64`).
    Bytes,
    /// A boolean: on/off, true/false, yes/no, 1/0.
    Flag,
    /// Words separated by whitespace (a TOML array).
    Words,
    /// One path, relative to the file that sets it.
    Path,
    /// Paths separated by whitespace, each relative to the file that sets them.
    Paths,
    /// A directory under `cache_directory` (Venus's cache layout).
    UnderCache,
    /// A strftime format.
    Format,
    /// A log level name.
    Level,
}

impl Kind {
    /// Venus splits the value into words (TOML writes it as an array).
    pub fn is_list(self) -> bool {
        matches!(self, Kind::Words | Kind::Paths)
    }

    /// The value is a number.
    pub fn is_number(self) -> bool {
        matches!(self, Kind::Count | Kind::Bytes)
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub name: &'static str,
    /// The value used when the option is not set, as it would be written.
    pub default: &'static str,
    pub kind: Kind,
    pub scope: Scope,
    pub status: Status,
    /// True for options Venus did not have.
    pub orrery: bool,
}

const fn venus(
    name: &'static str,
    default: &'static str,
    kind: Kind,
    scope: Scope,
    status: Status,
) -> OptionSpec {
    OptionSpec {
        name,
        default,
        kind,
        scope,
        status,
        orrery: false,
    }
}

const fn orrery(name: &'static str, default: &'static str, kind: Kind) -> OptionSpec {
    OptionSpec {
        name,
        default,
        kind,
        scope: Scope::Planet,
        status: Status::Supported,
        orrery: true,
    }
}

use Kind::{Bytes, Count, Flag, Format, Level, Path, Paths, Text, UnderCache, Words};
use Scope::{Planet, ReadingList, Section};
use Status::{Ignored, NotYet, Supported};

const FILTER_PROGRAMS: &str = "orrery does not run external filter programs yet";
const CACHE_LAYOUT: &str = "orrery keeps its cache in a database under cache_directory";

/// Options that orrery itself does not read but Venus's themes (and orrery's) do, such as the
/// hackergotchi `face`; they are passed to templates without a warning.
pub const TEMPLATE_OPTIONS: &[&str] = &["face", "facewidth", "faceheight", "nick"];

/// Every known option.
pub const OPTIONS: &[OptionSpec] = &[
    venus("name", "Unconfigured Planet", Text, Planet, Supported),
    venus("link", "", Text, Planet, Supported),
    venus("owner_name", "Anonymous Coward", Text, Planet, Supported),
    venus("owner_email", "", Text, Planet, Supported),
    venus("cache_directory", "cache", Path, Planet, Supported),
    venus("output_dir", "output", Path, Planet, Supported),
    venus("output_theme", "", Text, Planet, Supported),
    venus("template_files", "", Words, Planet, Supported),
    venus("template_directories", ".", Paths, Planet, Supported),
    venus("bill_of_materials", "", Words, Planet, Supported),
    venus("filters", "", Words, Planet, NotYet(FILTER_PROGRAMS)),
    venus(
        "filter_directories",
        "",
        Paths,
        Planet,
        NotYet(FILTER_PROGRAMS),
    ),
    venus("filter", "", Text, Section, Supported),
    venus("exclude", "", Text, Section, Supported),
    venus("items_per_page", "60", Count, Section, Supported),
    venus(
        "days_per_page",
        "0",
        Count,
        Section,
        Ignored("Venus never applied it either"),
    ),
    venus(
        "date_format",
        "%B %d, %Y %I:%M %p",
        Format,
        Planet,
        Supported,
    ),
    venus("new_date_format", "%B %d, %Y", Format, Planet, Supported),
    venus(
        "encoding",
        "utf-8",
        Text,
        Section,
        Ignored("output is always UTF-8, as it was in Venus"),
    ),
    venus(
        "locale",
        "",
        Text,
        Section,
        Ignored("dates are formatted in English, as Venus did"),
    ),
    venus("activity_threshold", "0", Count, Section, Supported),
    venus("new_feed_items", "0", Count, Planet, Supported),
    venus("feed_timeout", "20", Count, Planet, Supported),
    venus("spider_threads", "0", Count, Planet, Supported),
    venus(
        "http_cache_directory",
        "cache/cache",
        UnderCache,
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_sources_directory",
        "cache/sources",
        UnderCache,
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_blacklist_directory",
        "cache/blacklist",
        UnderCache,
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus(
        "cache_lists_directory",
        "cache/lists",
        Path,
        Planet,
        Ignored(CACHE_LAYOUT),
    ),
    venus("cache_keep_entries", "10", Count, Section, Supported),
    venus("log_level", "WARNING", Level, Planet, Supported),
    venus(
        "log_format",
        "%(levelname)s:%(name)s:%(message)s",
        Text,
        Planet,
        Ignored("orrery's log lines have their own format"),
    ),
    venus("generator", "Venus", Text, Planet, Supported),
    venus(
        "generator_uri",
        "http://intertwingly.net/code/venus/",
        Text,
        Planet,
        Supported,
    ),
    venus("feed", "", Text, Planet, Supported),
    venus("feedtype", "", Text, Planet, Supported),
    venus("pubsubhubbub_hub", "", Text, Planet, Supported),
    venus(
        "pubsubhubbub_feeds",
        "atom.xml rss10.xml rss20.xml",
        Words,
        Planet,
        Supported,
    ),
    venus(
        "django_autoescape",
        "on",
        Flag,
        Planet,
        Ignored("orrery has no Django templates"),
    ),
    venus("ignore_in_feed", "", Words, Section, Supported),
    venus("name_type", "", Text, Section, Supported),
    venus("title_type", "", Text, Section, Supported),
    venus("summary_type", "", Text, Section, Supported),
    venus("content_type", "", Text, Section, Supported),
    venus("future_dates", "keep", Text, Section, Supported),
    venus("xml_base", "", Text, Section, Supported),
    venus(
        "online_accounts",
        "",
        Text,
        ReadingList,
        Ignored("FOAF reading lists are not supported"),
    ),
    venus(
        "depth",
        "",
        Count,
        ReadingList,
        Ignored("FOAF reading lists are not supported"),
    ),
    orrery("concurrency", "8", Count),
    orrery("per_host_limit", "2", Count),
    orrery("max_feed_bytes", "16777216", Bytes),
    orrery("max_redirects", "5", Count),
    orrery("allow_https_downgrade", "false", Flag),
    orrery("allow_internal_targets", "false", Flag),
    orrery("max_feed_share", "25", Count),
    OptionSpec {
        name: "publish_url",
        default: "yes",
        kind: Flag,
        scope: Section,
        status: Supported,
        orrery: true,
    },
];

/// Looks an option up by its (lower-case) name.
pub fn spec(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The kind of a known option; options only templates read are text.
pub fn kind(name: &str) -> Kind {
    spec(name).map_or(Kind::Text, |s| s.kind)
}

/// The default of an option orrery reads. Every such option is in the table:
/// a name missing from it is a mistake in orrery, caught by the tests (debug
/// builds); a release build reads it as unset.
pub fn default(name: &str) -> &'static str {
    let spec = spec(name);
    debug_assert!(spec.is_some(), "option {name:?} is not in the table");
    spec.map_or("", |s| s.default)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_reads_as_its_kind() {
        for option in OPTIONS {
            let d = option.default;
            let reads = match option.kind {
                Kind::Count => d.is_empty() || d.parse::<u32>().is_ok(),
                Kind::Bytes => d.parse::<u64>().is_ok(),
                Kind::Flag => crate::lookup::flag(d).is_some(),
                Kind::Format => !d.is_empty(),
                Kind::Level => ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].contains(&d),
                Kind::Text | Kind::Words | Kind::Path | Kind::Paths | Kind::UnderCache => true,
            };
            assert!(
                reads,
                "{}: default {d:?} is not a {:?}",
                option.name, option.kind
            );
        }
    }

    #[test]
    fn names_are_unique_and_lower_case() {
        for (i, option) in OPTIONS.iter().enumerate() {
            assert_eq!(option.name, option.name.to_ascii_lowercase());
            assert!(
                OPTIONS[..i].iter().all(|o| o.name != option.name),
                "{} twice",
                option.name
            );
        }
    }

    #[test]
    fn the_resolver_reads_defaults_from_the_table() {
        let dir = std::env::temp_dir().join(format!("orrery-options-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("planet.ini");
        std::fs::write(&path, "[Planet]\n").unwrap();
        let config = crate::load(
            &[path],
            &crate::LoadOptions {
                cwd: dir.clone(),
                theme_dirs: Vec::new(),
                builtin_themes: Vec::new(),
            },
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let p = &config.planet;
        assert_eq!(p.name, spec("name").unwrap().default);
        assert_eq!(p.owner_name, spec("owner_name").unwrap().default);
        assert_eq!(p.date_format, spec("date_format").unwrap().default);
        assert_eq!(p.new_date_format, spec("new_date_format").unwrap().default);
        assert_eq!(
            p.items_per_page.to_string(),
            spec("items_per_page").unwrap().default
        );
        assert_eq!(
            p.feed_timeout.to_string(),
            spec("feed_timeout").unwrap().default
        );
        assert_eq!(
            p.fetch.max_feed_bytes.to_string(),
            spec("max_feed_bytes").unwrap().default
        );
        assert_eq!(
            p.fetch.per_host_limit.to_string(),
            spec("per_host_limit").unwrap().default
        );
        assert_eq!(
            p.cache_keep_entries.to_string(),
            spec("cache_keep_entries").unwrap().default
        );
    }
}
