//! Venus's regular-expression filters (`filter` and `exclude`, its
//! `regexp_sifter`): an entry is kept only if its title and content match
//! every `filter` and no `exclude`. The `[Planet]` rules apply to every feed,
//! a subscription's own rules after them.

use std::collections::HashMap;

use orrery_config::{Normalization, PlanetConfig};
use orrery_store::NewEntry;
use regex::{Regex, RegexBuilder};

/// Compiled size allowed for one expression; a configuration is trusted more
/// than a feed, but one typo should not eat the machine's memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// An expression in the configuration that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: option `{option}`: invalid regular expression: {source}")]
pub struct FilterError {
    pub origin: String,
    pub option: &'static str,
    #[source]
    pub source: regex::Error,
}

#[derive(Debug, Clone)]
enum Rule {
    Require(Regex),
    Exclude(Regex),
}

/// The rules of every subscription, compiled once per run.
#[derive(Debug, Default)]
pub struct Filters {
    by_feed: HashMap<String, Vec<Rule>>,
}

impl Filters {
    pub fn compile(config: &PlanetConfig) -> Result<Self, FilterError> {
        let mut cache: HashMap<String, Regex> = HashMap::new();
        let planet_rules = rules(&config.planet.normalization, "[Planet]", &mut cache)?;
        let mut by_feed = HashMap::new();
        for sub in &config.subscriptions {
            let mut all = planet_rules.clone();
            // Subscriptions inherit the [Planet] expressions; those are applied once.
            let own = &sub.normalization;
            let planet = &config.planet.normalization;
            let extra = Normalization {
                filter: own
                    .filter
                    .clone()
                    .filter(|f| Some(f) != planet.filter.as_ref()),
                exclude: own
                    .exclude
                    .clone()
                    .filter(|x| Some(x) != planet.exclude.as_ref()),
                ..Normalization::default()
            };
            all.extend(rules(&extra, &sub.origin, &mut cache)?);
            by_feed.insert(sub.url.clone(), all);
        }
        Ok(Filters { by_feed })
    }

    /// Whether the entry of subscription `feed_url` survives the filters.
    pub fn keeps(&self, feed_url: &str, entry: &NewEntry) -> bool {
        let Some(rules) = self.by_feed.get(feed_url).filter(|r| !r.is_empty()) else {
            return true;
        };
        let text = entry_text(entry);
        rules.iter().all(|rule| match rule {
            Rule::Require(re) => re.is_match(&text),
            Rule::Exclude(re) => !re.is_match(&text),
        })
    }
}

fn rules(
    norm: &Normalization,
    origin: &str,
    cache: &mut HashMap<String, Regex>,
) -> Result<Vec<Rule>, FilterError> {
    let mut out = Vec::new();
    if let Some(pattern) = norm.filter.as_deref() {
        out.push(Rule::Require(compiled(pattern, origin, "filter", cache)?));
    }
    if let Some(pattern) = norm.exclude.as_deref() {
        out.push(Rule::Exclude(compiled(pattern, origin, "exclude", cache)?));
    }
    Ok(out)
}

fn compiled(
    pattern: &str,
    origin: &str,
    option: &'static str,
    cache: &mut HashMap<String, Regex>,
) -> Result<Regex, FilterError> {
    if let Some(re) = cache.get(pattern) {
        return Ok(re.clone());
    }
    let re = RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|source| FilterError {
            origin: origin.to_owned(),
            option,
            source,
        })?;
    cache.insert(pattern.to_owned(), re.clone());
    Ok(re)
}

/// What the expressions are matched against: the title and the body, as
/// Venus's sifter did (markup included).
fn entry_text(entry: &NewEntry) -> String {
    [
        entry.title.as_deref(),
        entry.summary.as_deref(),
        entry.content.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}
