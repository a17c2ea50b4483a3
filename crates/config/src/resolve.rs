//! Venus's rules on top of the merged document (venus:planet/config.py):
//! which section is what, how options are looked up and inherited, and the
//! defaults; the result is the typed [`PlanetConfig`].

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;

use crate::ini::py_split;
use crate::lookup::{invalid, Lookup, PLANET};
use crate::model::*;
use crate::options::{self, PLANET_PREDEFINED};
use crate::toml_format::Declared;
use crate::warnings::{option_warnings, Warnings};
use crate::{Config, Error};

/// Where a section name points: an http(s) URL, a local file (a path, relative
/// to `base`, or a `file:` URL), or an unsupported scheme.
pub fn location(name: &str, base: &Path) -> Location {
    let scheme_len = name.find(':').filter(|&i| i > 1).filter(|&i| {
        let scheme = &name[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(len) = scheme_len else {
        return Location::File(base.join(name));
    };
    match name[..len].to_ascii_lowercase().as_str() {
        "http" | "https" => Location::Http(name.to_owned()),
        "file" => url::Url::parse(name)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .map_or_else(|| Location::Unsupported(name.to_owned()), Location::File),
        _ => Location::Unsupported(name.to_owned()),
    }
}

/// Python 2 `urllib.quote(s)`: everything but letters, digits, `_.-/` is %-escaped.
fn py_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `os.path.splitext(os.path.basename(path))[0]`.
fn stem(path: &str) -> &str {
    let base = path.rsplit('/').next().unwrap_or(path);
    let leading = base.len() - base.trim_start_matches('.').len();
    match base[leading..].rfind('.') {
        Some(i) => &base[..leading + i],
        None => base,
    }
}

/// `urlparse.urljoin(base, name)` for the planet's feed URL.
fn urljoin(base: &str, name: &str) -> String {
    match url::Url::parse(base).and_then(|b| b.join(name)) {
        Ok(u) => u.to_string(),
        Err(_) => match base.rfind('/') {
            Some(i) => format!("{}{name}", &base[..=i]),
            None => name.to_owned(),
        },
    }
}

/// Venus's `expand`: an item `pre#{option}post` becomes one item per
/// subscription whose options have a non-empty `option`.
fn expand(items: Vec<String>, subscriptions: &[Subscription]) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        match wildcard(&item) {
            Some((pre, var, post)) => {
                for sub in subscriptions {
                    if let Some(value) = sub.options.get(var).filter(|v| !v.is_empty()) {
                        out.push(format!("{pre}{value}{post}"));
                    }
                }
            }
            None => out.push(item),
        }
    }
    out
}

/// Venus's `^(.*)#{(\w+)}(.*)$` (Python 2's `\w` is ASCII): the prefix, the
/// option name and the suffix of an item, at its last `#{name}` since the
/// prefix is greedy. Not a regular expression: compiling one took 300 KB of
/// heap, close to all that a planet of a thousand feeds holds.
fn wildcard(item: &str) -> Option<(&str, &str, &str)> {
    item.rmatch_indices("#{").find_map(|(at, _)| {
        let rest = &item[at + 2..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let word = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        word.then(|| (&item[..at], name, &rest[end + 1..]))
    })
}

fn log_level(text: &str) -> Option<LogLevel> {
    Some(match text.trim().to_ascii_uppercase().as_str() {
        "DEBUG" => LogLevel::Debug,
        "INFO" => LogLevel::Info,
        "WARNING" | "WARN" => LogLevel::Warning,
        "ERROR" => LogLevel::Error,
        "CRITICAL" | "FATAL" => LogLevel::Critical,
        _ => return None,
    })
}

/// The section kinds, decided as Venus's `subscriptions()` does.
pub(crate) struct Kinds {
    pub(crate) template_files: Vec<String>,
    pub(crate) filter_names: Vec<String>,
    pub(crate) reading_lists: HashSet<String>,
}

impl Kinds {
    fn is_subscription(&self, section: &str) -> bool {
        section != PLANET
            && !self.template_files.iter().any(|t| t == section)
            && !self.filter_names.iter().any(|f| f == section)
            && !self.reading_lists.contains(section)
    }
}

pub(crate) fn resolve(config: &Config) -> Result<PlanetConfig, Error> {
    let ini = &config.ini;
    let look = Lookup {
        ini,
        cwd: &config.cwd,
    };
    let mut warnings = Warnings::default();
    for w in &config.warnings {
        warnings.push(w.clone());
    }

    let template_files = look.list(None, "template_files")?;
    if let Some(bad) = template_files.iter().find(|t| t.contains("#{")) {
        let value = ini.raw(PLANET, "template_files");
        return Err(Error::Invalid {
            origin: value.map(|v| v.origin.to_string()).unwrap_or_default(),
            option: "template_files".into(),
            message: format!(
                "{bad:?}: #{{...}} expansion is not allowed here (Venus recursed forever on it)"
            ),
        });
    }
    let planet_filters = look.list(None, "filters")?;
    let planet_normalization = normalization(&look, None, &mut warnings)?;
    let mut filter_names = planet_filters.clone();
    if let Some(f) = &planet_normalization.filter {
        filter_names.push(format!("regexp_sifter.py?require={}", py_quote(f)));
    }
    if let Some(x) = &planet_normalization.exclude {
        filter_names.push(format!("regexp_sifter.py?exclude={}", py_quote(x)));
    }
    for template in &template_files {
        if let Some(filters) = ini.get(template, "filters")? {
            filter_names.extend(py_split(&filters).map(str::to_owned));
        }
    }
    let kinds = Kinds {
        template_files: template_files.clone(),
        filter_names,
        reading_lists: config.reading_lists.iter().map(|l| l.url.clone()).collect(),
    };
    check_declared(config, &kinds)?;

    // Venus's planet_options(): every [Planet] option, log_format raw.
    let mut planet_options = BTreeMap::new();
    for key in ini.options(PLANET) {
        let value = match ini.raw(PLANET, key) {
            Some(raw) if key == "log_format" => raw.text.clone(),
            _ => ini.get(PLANET, key)?.unwrap_or_default(),
        };
        planet_options.insert(key.to_owned(), value);
    }
    let inherited: Arc<BTreeMap<String, String>> = Arc::new(
        planet_options
            .iter()
            .filter(|(k, _)| {
                !PLANET_PREDEFINED.contains(&k.as_str())
                    && !options::spec(k).is_some_and(|s| s.orrery)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let section_options = |section: &str| -> Result<SectionOptions, Error> {
        let mut own = BTreeMap::new();
        for key in ini.options(section) {
            own.insert(key.to_owned(), ini.get(section, key)?.unwrap_or_default());
        }
        Ok(SectionOptions::new(Arc::clone(&inherited), own))
    };
    let shared_normalization = Arc::new(planet_normalization.clone());

    // Every listed template is one, with or without a section of its own.
    let mut templates = Vec::new();
    for file in &template_files {
        templates.push(Template {
            file: file.clone(),
            items_per_page: look.uint(Some(file), "items_per_page")?,
            days_per_page: look.uint(Some(file), "days_per_page")?,
            encoding: look.string(Some(file), "encoding")?,
            filters: ini
                .get(file, "filters")?
                .map(|f| py_split(&f).map(str::to_owned).collect())
                .unwrap_or_default(),
            options: section_options(file)?,
        });
    }
    let mut subscriptions = Vec::with_capacity(ini.section_count());
    let mut filter_sections = Vec::new();
    for section in ini.sections() {
        if kinds.template_files.iter().any(|t| t == section) {
            continue;
        } else if kinds.filter_names.iter().any(|f| f == section) {
            filter_sections.push(NamedSection {
                name: section.to_owned(),
                options: section_options(section)?,
            });
        } else if kinds.is_subscription(section) {
            let base = ini
                .section(section)
                .and_then(|s| s.origin())
                .map(|o| o.file.base_dir.clone());
            let (location, moved) = config.input(section, base.as_deref().unwrap_or(&config.cwd));
            if let Some(warning) = moved {
                warnings.push(warning);
            }
            if let Location::Unsupported(url) = &location {
                warnings.push(format!(
                    "subscription {url}: only http, https and local files are fetched; skipped"
                ));
            }
            let mut filters = planet_filters.clone();
            if let Some(own) = ini.get(section, "filters")? {
                filters.extend(py_split(&own).map(str::to_owned));
            }
            let listed = config.listed.get(section);
            let origin = match listed {
                Some((list, _)) => format!("reading list {list}"),
                None => ini
                    .section(section)
                    .and_then(|s| s.origin())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            };
            subscriptions.push(Subscription {
                url: section.to_owned(),
                location,
                name: ini.get(section, "name")?,
                normalization: match normalization(&look, Some(section), &mut warnings)? {
                    same if same == *shared_normalization => Arc::clone(&shared_normalization),
                    own => Arc::new(own),
                },
                activity_threshold: look.uint(Some(section), "activity_threshold")?,
                cache_keep_entries: look.uint(Some(section), "cache_keep_entries")?,
                publish_url: look.bool_in(Some(section), "publish_url")?,
                filters,
                options: section_options(section)?,
                origin,
                reading_list: listed.map(|(list, _)| list.clone()),
                from_remote_list: listed.is_some_and(|(_, remote)| *remote),
            });
        }
    }

    let link = look.string(None, "link")?;
    let feed = match look.get(None, "feed")? {
        Some((feed, _)) => Some(feed).filter(|f| !f.is_empty()),
        None if !link.is_empty() => template_files
            .iter()
            .map(|t| stem(t))
            .find(|name| name.contains("atom") || name.contains("rss"))
            .map(|name| urljoin(&link, name)),
        None => None,
    };
    let feedtype = match look.nonempty(None, "feedtype")? {
        Some(t) => Some(t),
        None => feed.as_deref().and_then(|f| {
            if f.contains("atom") {
                Some("atom".to_owned())
            } else if f.contains("rss") {
                Some("rss".to_owned())
            } else {
                None
            }
        }),
    };
    let log_level = match look.get(None, "log_level")? {
        None => LogLevel::Warning,
        Some((text, value)) => log_level(&text).ok_or_else(|| {
            invalid(
                value,
                "log_level",
                format!("{text:?} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
            )
        })?,
    };
    let cache_directory = look.path("cache_directory")?;
    let under_cache = |key: &str, default: &str| -> Result<PathBuf, Error> {
        Ok(cache_directory.join(
            look.nonempty(None, key)?
                .unwrap_or_else(|| default.to_owned()),
        ))
    };
    let spider_threads = look.uint(None, "spider_threads")?;
    let fetch = FetchPolicy {
        // Venus's spider_threads, when set, stands for orrery's concurrency.
        concurrency: if spider_threads > 0 {
            look.uint_or(None, "concurrency", spider_threads)?
        } else {
            look.uint(None, "concurrency")?
        }
        .max(1),
        per_host_limit: look.uint(None, "per_host_limit")?.max(1),
        max_feed_bytes: match look.u64("max_feed_bytes")? {
            0 => {
                let value = ini.raw(PLANET, "max_feed_bytes");
                return Err(Error::Invalid {
                    origin: value.map(|v| v.origin.to_string()).unwrap_or_default(),
                    option: "max_feed_bytes".into(),
                    message: "must be at least 1 (no feed would fit)".into(),
                });
            }
            n => n,
        },
        max_redirects: look.uint(None, "max_redirects")?,
        allow_https_downgrade: look.bool("allow_https_downgrade")?,
        allow_internal_targets: look.bool("allow_internal_targets")?,
    };
    let template_directories = match &config.theme {
        Some(theme) => theme.template_directories.clone(),
        None => look.paths("template_directories")?,
    };

    let planet = Planet {
        name: look.string(None, "name")?,
        link,
        owner_name: look.string(None, "owner_name")?,
        owner_email: look.string(None, "owner_email")?,
        generator: look.string(None, "generator")?,
        generator_uri: look.string(None, "generator_uri")?,
        feed,
        feedtype,
        output_dir: look.path("output_dir")?,
        output_theme: look.nonempty(None, "output_theme")?,
        theme_dir: config.theme_dir.clone(),
        theme_base: config.theme_base(),
        template_files,
        template_directories,
        bill_of_materials: expand(look.list(None, "bill_of_materials")?, &subscriptions),
        filters: planet_filters,
        filter_directories: look.paths("filter_directories")?,
        items_per_page: look.uint(None, "items_per_page")?,
        days_per_page: look.uint(None, "days_per_page")?,
        date_format: strftime(&look, "date_format")?,
        new_date_format: strftime(&look, "new_date_format")?,
        encoding: look.string(None, "encoding")?,
        locale: look.nonempty(None, "locale")?,
        activity_threshold: look.uint(None, "activity_threshold")?,
        new_feed_items: look.uint(None, "new_feed_items")?,
        max_feed_share: look.uint(None, "max_feed_share")?.clamp(1, 100),
        feed_timeout: at_least(&look, "feed_timeout", 1)?,
        spider_threads,
        cache_keep_entries: look.uint(None, "cache_keep_entries")?,
        http_cache_directory: under_cache("http_cache_directory", "cache")?,
        cache_sources_directory: under_cache("cache_sources_directory", "sources")?,
        cache_blacklist_directory: under_cache("cache_blacklist_directory", "blacklist")?,
        // Venus does not put a configured lists directory under the cache.
        cache_lists_directory: match look.get(None, "cache_lists_directory")? {
            Some((dir, value)) => value.origin.file.base_dir.join(dir),
            None => cache_directory.join("lists"),
        },
        cache_directory,
        log_level,
        log_format: look.string(None, "log_format")?,
        pubsubhubbub_hub: look.nonempty(None, "pubsubhubbub_hub")?,
        pubsubhubbub_feeds: expand(look.list(None, "pubsubhubbub_feeds")?, &subscriptions),
        django_autoescape: look.bool("django_autoescape")?,
        normalization: planet_normalization,
        fetch,
        options: planet_options,
    };

    option_warnings(config, &kinds, &mut warnings);
    Ok(PlanetConfig {
        planet,
        subscriptions,
        templates,
        filter_sections,
        reading_lists: config.reading_lists.clone(),
        warnings: warnings.list,
        attention: warnings.attention,
    })
}

/// A strftime pattern (`date_format`, `new_date_format`), checked as the pages will use it:
/// every `%` directive known, and not empty (a date would vanish from the page).
fn strftime(look: &Lookup<'_>, key: &str) -> Result<String, Error> {
    let default = options::default(key);
    let Some((text, value)) = look.get(None, key)? else {
        return Ok(default.to_owned());
    };
    if text.trim().is_empty() {
        return Err(invalid(
            value,
            key,
            format!("is empty: dates would show as nothing (Venus's default is {default:?})"),
        ));
    }
    let bad = chrono::format::StrftimeItems::new(&text)
        .any(|item| matches!(item, chrono::format::Item::Error));
    if bad {
        return Err(invalid(
            value,
            key,
            format!("{text:?} is not a valid strftime pattern (an unknown `%` directive; write `%%` for a percent sign)"),
        ));
    }
    Ok(text)
}

/// A whole number option of `[Planet]` with a lower bound.
fn at_least(look: &Lookup<'_>, key: &str, min: u32) -> Result<u32, Error> {
    let n = look.uint(None, key)?;
    match look.get(None, key)? {
        Some((_, value)) if n < min => Err(invalid(value, key, format!("must be at least {min}"))),
        _ => Ok(n),
    }
}

/// The normalization overrides of a section (or the planet's, for `None`).
fn normalization(
    look: &Lookup<'_>,
    section: Option<&str>,
    warnings: &mut Warnings,
) -> Result<Normalization, Error> {
    let future_dates = match look.get(section, "future_dates")? {
        None => FutureDates::Keep,
        Some((text, value)) => match text.trim() {
            "ignore_date" => FutureDates::IgnoreDate,
            "ignore_entry" => FutureDates::IgnoreEntry,
            "keep" => FutureDates::Keep,
            other => {
                return Err(invalid(
                    value,
                    "future_dates",
                    format!("{other:?} is not keep, ignore_date or ignore_entry"),
                ))
            }
        },
    };
    let mut regex = |key: &str| -> Result<Option<String>, Error> {
        let pattern = look.nonempty(section, key)?;
        if let Some(p) = &pattern {
            if let Err(e) = Regex::new(p) {
                warnings.push(format!(
                    "{key} regular expression {p:?} is not supported by orrery: {e}"
                ));
            }
        }
        Ok(pattern)
    };
    let filter = regex("filter")?;
    let exclude = regex("exclude")?;
    Ok(Normalization {
        ignore_in_feed: look.list(section, "ignore_in_feed")?,
        name_type: look.nonempty(section, "name_type")?,
        title_type: look.nonempty(section, "title_type")?,
        summary_type: look.nonempty(section, "summary_type")?,
        content_type: look.nonempty(section, "content_type")?,
        future_dates,
        xml_base: look.nonempty(section, "xml_base")?,
        filter,
        exclude,
    })
}

/// TOML files state section kinds; they must agree with Venus's classification.
fn check_declared(config: &Config, kinds: &Kinds) -> Result<(), Error> {
    for declared in &config.declared {
        let (name, ok, what) = match declared {
            Declared::Template(name) => (
                name,
                kinds.template_files.contains(name),
                "listed in planet.template_files",
            ),
            Declared::Filter(name) => (
                name,
                kinds.filter_names.contains(name),
                "named in a filters list",
            ),
        };
        if !ok {
            return Err(Error::Other(format!(
                "section {name:?} is declared in TOML but not {what}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Items are whitespace-split words, so they never hold the newline
        /// that `.` would not match.
        #[test]
        fn wildcard_matches_venus_pattern(item in "(#\\{|[#{}a_Z9é.-]){0,12}") {
            let venus = Regex::new(r"^(.*)#\{([A-Za-z0-9_]+)\}(.*)$").unwrap();
            let expected = venus.captures(&item).map(|c| {
                (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str(), c.get(3).unwrap().as_str())
            });
            prop_assert_eq!(wildcard(&item), expected);
        }
    }
}
