//! Loading the configuration, remote reading lists included: each list is
//! fetched before the configuration is resolved, and its last good copy is
//! kept in `cache_lists_directory` for the runs where the fetch fails (or
//! that do not fetch), as Venus did.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use orrery_config::reading_list::MAX_LIST_BYTES;
use orrery_config::{Config, PlanetConfig};
use orrery_fetch::{Content, FetchRequest, Fetcher};

use crate::harvest::fetch_config;
use crate::{Error, Options};

/// Longest cache file name kept readable; longer ones are cut and hashed.
const MAX_NAME: usize = 120;

/// Reads the configuration files and the reading lists they name. With
/// `fetch` false (offline runs, expunge) only cached copies are used.
pub(crate) fn load(options: &Options, fetch: bool) -> Result<PlanetConfig, Error> {
    let mut config = Config::load(&options.configs, &options.load)?;
    let pending = config.pending_reading_lists();
    if pending.is_empty() {
        return Ok(config.resolve()?);
    }
    // The [Planet] settings (cache directory, fetch limits) do not depend on the lists.
    let settings = config.resolve()?;
    let dir = settings.planet.cache_lists_directory.clone();
    let mut fetched = if fetch {
        fetch_lists(&settings, &pending)?
    } else {
        HashMap::new()
    };
    let mut warnings = Vec::new();
    for url in pending {
        let cache = dir.join(file_name(&url));
        let fresh = fetched.remove(&url);
        let applied = match fresh {
            Some(Ok(bytes)) => match config.apply_reading_list(&url, &bytes) {
                Ok(_) => {
                    if let Err(e) = save(&dir, &cache, &bytes) {
                        warnings.push(format!("reading list {url}: not cached: {e}"));
                    }
                    true
                }
                Err(e) => {
                    warnings.push(format!("{e}"));
                    false
                }
            },
            Some(Err(why)) => {
                warnings.push(format!("reading list {url}: {why}"));
                false
            }
            None => false,
        };
        if !applied {
            match read_cached(&cache) {
                Some(bytes) if config.apply_reading_list(&url, &bytes).is_ok() => {
                    if fetch {
                        warnings.push(format!(
                            "reading list {url}: using the copy cached in {}",
                            cache.display()
                        ));
                    }
                }
                _ => warnings.push(format!(
                    "reading list {url}: no usable copy; its subscriptions are left out"
                )),
            }
        }
    }
    let mut resolved = config.resolve()?;
    resolved.warnings.extend(warnings);
    Ok(resolved)
}

/// Fetches the lists concurrently: URL to body, or why there is none.
fn fetch_lists(
    settings: &PlanetConfig,
    urls: &[String],
) -> Result<HashMap<String, Result<Vec<u8>, String>>, Error> {
    let mut config = fetch_config(settings);
    config.max_body_bytes = u64::try_from(MAX_LIST_BYTES).unwrap_or(u64::MAX);
    let fetcher = Fetcher::new(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let requests = urls
        .iter()
        .map(|url| FetchRequest::new(url.clone(), url.clone()));
    let outcomes: Vec<_> = runtime.block_on(fetcher.fetch_all(requests).collect());
    Ok(outcomes
        .into_iter()
        .map(|outcome| {
            let body = match outcome.result {
                Ok(fetched) => match fetched.content {
                    Content::Body(bytes) => Ok(bytes.to_vec()),
                    Content::NotModified | Content::Gone => Err(format!("HTTP {}", fetched.status)),
                },
                Err(e) => Err(e.to_string()),
            };
            (outcome.key, body)
        })
        .collect())
}

/// Written beside the target and renamed, so a crash never leaves half a list.
fn save(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let temp = target.with_extension("tmp");
    fs::write(&temp, bytes)?;
    fs::rename(&temp, target)
}

fn read_cached(path: &Path) -> Option<Vec<u8>> {
    let file = fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_LIST_BYTES).unwrap_or(u64::MAX);
    file.take(limit).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// A file name for a URL: Venus's style (scheme dropped, separators made
/// commas), with a hash appended when it had to be cut.
fn file_name(url: &str) -> PathBuf {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut name = String::with_capacity(rest.len());
    for c in rest.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            ','
        };
        if !(c == ',' && name.ends_with(',')) {
            name.push(c);
        }
    }
    let mut name = name.trim_matches(|c| c == ',' || c == '.').to_owned();
    if name.len() > MAX_NAME {
        name.truncate(MAX_NAME);
        name.push_str(&format!(",{:016x}", fnv1a(url.as_bytes())));
    }
    if name.is_empty() {
        name = format!("{:016x}", fnv1a(url.as_bytes()));
    }
    PathBuf::from(name)
}

/// A hash that stays the same across builds (std's does not promise to).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_names() {
        assert_eq!(
            file_name("http://example.org/lists/planet.opml?x=1"),
            Path::new("example.org,lists,planet.opml,x,1")
        );
        let long = format!("http://example.org/{}", "a".repeat(500));
        let name = file_name(&long);
        assert!(name.as_os_str().len() < 150);
        assert_ne!(name, file_name(&format!("{long}b")));
        assert!(!file_name("http://../").as_os_str().is_empty());
    }
}
