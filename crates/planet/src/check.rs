//! `orrery check`: what is wrong with a planet's configuration, found before
//! a run stumbles on it. Options orrery does not act on, the same feed
//! subscribed twice, face images missing or not of the configured size and,
//! online, feeds that cannot be fetched, are not feeds, or have moved.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::Options;
use futures_util::StreamExt;
use orrery_config::{Config, Location, PlanetConfig, Subscription};
use orrery_fetch::{Content, FetchRequest, Fetched, Fetcher};
use serde::Serialize;

/// Where the bundled themes (and Venus's) expect faces when the
/// configuration's `bill_of_materials` names no `#{face}` pattern.
const DEFAULT_FACE_PATTERN: &str = "images/#{face}";

/// Why the check could not be carried out at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] orrery_config::Error),
    #[error(transparent)]
    Fetch(#[from] orrery_fetch::SetupError),
    #[error("cannot start the fetching runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Store(#[from] orrery_store::Error),
}

/// The kinds of problem found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A notice of the configuration reader: an unknown or ignored option...
    Config,
    /// The same feed (by normalized URL) subscribed more than once.
    Duplicate,
    MissingFace,
    /// A face image whose size differs from `facewidth`/`faceheight`, or
    /// that is not a readable image.
    FaceSize,
    Unreachable,
    NotAFeed,
    /// The feed redirects permanently: the subscription should be updated.
    Moved,
    /// The feed declares neither an id nor a link, so Venus themes start no
    /// heading for it and its posts show under the previous blog's name.
    Anonymous,
    /// The planet's database fails SQLite's integrity check.
    Store,
}

impl Kind {
    /// Worth knowing, but not a fault of the configuration: printed as a note, not counted
    /// as a problem (an anonymous feed is the feed's choice, and the `orrery` theme does not
    /// depend on its id or link).
    pub fn is_note(self) -> bool {
        matches!(self, Self::Anonymous)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Config => "config",
            Self::Duplicate => "duplicate",
            Self::MissingFace => "missing face",
            Self::FaceSize => "face size",
            Self::Unreachable => "unreachable",
            Self::NotAFeed => "not a feed",
            Self::Moved => "moved",
            Self::Anonymous => "anonymous",
            Self::Store => "store",
        })
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The subscription (or file, for configuration notices) concerned.
    pub subject: String,
    pub message: String,
    /// What to write instead, when it is known (the new URL of a moved feed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Everything found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub subscriptions: usize,
    /// Feeds fetched; 0 offline.
    pub fetched: usize,
    /// Remote reading lists not read (offline), whose feeds were not checked.
    pub unread_reading_lists: Vec<String>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems() == 0
    }

    /// Findings that are problems, not notes.
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| !f.kind.is_note()).count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            if finding.kind.is_note() {
                write!(f, "note: ")?;
            }
            write!(
                f,
                "{}: {}: {}",
                finding.kind, finding.subject, finding.message
            )?;
            match &finding.fix {
                Some(fix) => writeln!(f, " (use {fix})")?,
                None => writeln!(f)?,
            }
        }
        for list in &self.unread_reading_lists {
            writeln!(
                f,
                "note: reading list {list} not read offline; its feeds were not checked"
            )?;
        }
        writeln!(
            f,
            "{}, {} fetched: {}",
            match self.subscriptions {
                1 => "1 subscription".to_owned(),
                n => format!("{n} subscriptions"),
            },
            self.fetched,
            match self.problems() {
                0 => "no problems".to_owned(),
                1 => "1 problem".to_owned(),
                n => format!("{n} problems"),
            }
        )
    }
}

/// Checks the configuration; with `offline` false, also fetches remote
/// reading lists and every feed once, as a run would.
pub fn check(options: &Options, offline: bool) -> Result<Report, Error> {
    let mut config = Config::load(&options.configs, &options.load)?;
    let mut findings = Vec::new();
    let pending = config.pending_reading_lists();
    let mut online = None;
    if !offline {
        let settings = config.resolve()?;
        let fetcher = Fetcher::new(crate::fetch_config(&settings))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        for (url, result) in fetch(
            &runtime,
            &fetcher,
            pending.iter().map(|u| (u.clone(), u.as_str())),
        ) {
            let applied = match result {
                Ok(fetched) => body(&fetched)
                    .ok_or_else(|| format!("HTTP {}", fetched.status))
                    .and_then(|b| {
                        config
                            .apply_reading_list(&url, b)
                            .map_err(|e| e.to_string())
                    }),
                Err(why) => Err(why),
            };
            if let Err(message) = applied {
                findings.push(finding(Kind::Unreachable, &url, message));
            }
        }
        online = Some((runtime, fetcher));
    }
    let resolved = config.resolve()?;
    findings.extend(resolved.warnings.iter().map(|w| Finding {
        kind: Kind::Config,
        subject: w.split(": ").next().unwrap_or_default().to_owned(),
        message: w.split_once(": ").map_or(w.as_str(), |(_, m)| m).to_owned(),
        fix: None,
    }));
    if resolved.planet.link.trim().is_empty() {
        let at = config
            .ini()
            .raw("Planet", "link")
            .map(|v| v.origin.to_string())
            .unwrap_or_else(|| {
                options
                    .configs
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            });
        findings.push(finding(
            Kind::Config,
            &at,
            "option `link` is empty: the published feeds get no link to the site and no self \
             link; set it to the planet's public URL",
        ));
    }
    findings.extend(duplicates(&resolved.subscriptions));
    findings.extend(faces(&config, &resolved));
    let database = resolved
        .planet
        .cache_directory
        .join(orrery_store::DATABASE_FILE);
    if let orrery_store::Health::Damaged(problems) = orrery_store::check_file(&database)? {
        let message = format!("fails the {}", orrery_store::damage(&problems));
        findings.push(Finding {
            kind: Kind::Store,
            subject: database.display().to_string(),
            message,
            fix: Some("orrery check --repair".to_owned()),
        });
    }
    let mut fetched = 0;
    if let Some((runtime, fetcher)) = &online {
        let feeds = feeds(runtime, fetcher, &resolved.subscriptions);
        fetched = feeds.0;
        findings.extend(feeds.1);
    }
    // Not dropped, which would wait for a thread stuck on a hung mount.
    if let Some((runtime, _)) = online {
        runtime.shutdown_background();
    }
    Ok(Report {
        subscriptions: resolved.subscriptions.len(),
        fetched,
        unread_reading_lists: if offline { pending } else { Vec::new() },
        findings,
    })
}

fn finding(kind: Kind, subject: &str, message: impl Into<String>) -> Finding {
    Finding {
        kind,
        subject: subject.to_owned(),
        message: message.into(),
        fix: None,
    }
}

/// The identity of a subscription: URLs as the URL standard normalizes them
/// (case of scheme and host, default port, dot segments, escapes) without
/// the fragment, which is never sent; files by path.
fn normalized(sub: &Subscription) -> String {
    match &sub.location {
        Location::Http(text) => match url::Url::parse(text) {
            Ok(mut url) => {
                url.set_fragment(None);
                url.to_string()
            }
            Err(_) => text.clone(),
        },
        Location::File(path) => format!("file:{}", path.display()),
        Location::Unsupported(text) => text.clone(),
    }
}

fn duplicates(subs: &[Subscription]) -> Vec<Finding> {
    let mut groups: BTreeMap<String, Vec<&Subscription>> = BTreeMap::new();
    for sub in subs {
        groups.entry(normalized(sub)).or_default().push(sub);
    }
    let mut found = Vec::new();
    for (key, group) in groups {
        if group.len() < 2 {
            continue;
        }
        let places: Vec<String> = group
            .iter()
            .map(|s| format!("[{}] at {}", s.url, s.origin))
            .collect();
        found.push(finding(
            Kind::Duplicate,
            &key,
            format!("subscribed {} times: {}", group.len(), places.join(", ")),
        ));
    }
    found
}

/// Face images named by a `face` option: found where publishing looks for
/// them, and of the size the templates will give them.
fn faces(config: &Config, resolved: &PlanetConfig) -> Vec<Finding> {
    let planet = &resolved.planet;
    let mut patterns: Vec<String> = config
        .ini()
        .get("Planet", "bill_of_materials")
        .ok()
        .flatten()
        .map(|text| {
            text.split_whitespace()
                .filter(|p| p.contains("#{face}"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if patterns.is_empty() {
        patterns.push(DEFAULT_FACE_PATTERN.to_owned());
    }
    let mut dirs = planet.template_directories.clone();
    dirs.extend(planet.theme_dir.clone());
    let mut found = Vec::new();
    for sub in &resolved.subscriptions {
        let Some(face) = sub
            .options
            .get("face")
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        else {
            continue;
        };
        for pattern in &patterns {
            let rel = pattern.replace("#{face}", face);
            if rel.contains("#{") {
                continue;
            }
            let Some(rel) = inside(&rel) else {
                found.push(finding(
                    Kind::MissingFace,
                    &sub.url,
                    format!("face {rel:?} is not a relative path inside the theme"),
                ));
                continue;
            };
            match dirs.iter().map(|d| d.join(&rel)).find(|p| p.is_file()) {
                None => found.push(finding(
                    Kind::MissingFace,
                    &sub.url,
                    format!(
                        "face {} not found in {}",
                        rel.display(),
                        if dirs.is_empty() {
                            "any template directory (none configured)".to_owned()
                        } else {
                            dirs.iter()
                                .map(|d| d.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                )),
                Some(path) => found.extend(face_size(sub, &path)),
            }
        }
    }
    found
}

/// `rel` when it cannot leave the directory it is joined to.
fn inside(rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| path.to_owned())
}

/// Compares the image's header dimensions with `facewidth`/`faceheight`.
fn face_size(sub: &Subscription, path: &Path) -> Option<Finding> {
    let size = match imagesize::size(path) {
        Ok(size) => size,
        Err(err) => {
            return Some(finding(
                Kind::FaceSize,
                &sub.url,
                format!("face {}: not a readable image ({err})", path.display()),
            ))
        }
    };
    let wanted = |key: &str| {
        sub.options
            .get(key)
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    let (width, height) = (wanted("facewidth"), wanted("faceheight"));
    let differs =
        width.is_some_and(|w| w != size.width) || height.is_some_and(|h| h != size.height);
    differs.then(|| {
        let show = |v: Option<usize>| v.map_or("any".to_owned(), |v| v.to_string());
        finding(
            Kind::FaceSize,
            &sub.url,
            format!(
                "face {} is {}x{}, facewidth/faceheight say {}x{}",
                path.display(),
                size.width,
                size.height,
                show(width),
                show(height)
            ),
        )
    })
}

/// Fetches every feed once: how many were fetched, and what was wrong.
fn feeds(
    runtime: &tokio::runtime::Runtime,
    fetcher: &Fetcher,
    subs: &[Subscription],
) -> (usize, Vec<Finding>) {
    let mut found = Vec::new();
    let mut targets = Vec::new();
    for sub in subs {
        match &sub.location {
            Location::Http(url) => targets.push((sub.url.clone(), url.clone())),
            Location::File(path) => targets.push((sub.url.clone(), path.display().to_string())),
            Location::Unsupported(url) => found.push(finding(
                Kind::Unreachable,
                &sub.url,
                format!("unsupported URL {url:?} (only http, https and local files)"),
            )),
        }
    }
    let count = targets.len();
    let requests = targets.iter().map(|(key, url)| (key.clone(), url.as_str()));
    for (url, result) in fetch(runtime, fetcher, requests) {
        match result {
            Err(why) => found.push(finding(Kind::Unreachable, &url, why)),
            Ok(fetched) => found.extend(judge(&url, &fetched)),
        }
    }
    (count, found)
}

/// What is wrong with one fetched feed.
fn judge(url: &str, fetched: &Fetched) -> Vec<Finding> {
    let mut found = Vec::new();
    if let Some(to) = &fetched.permanent_redirect {
        found.push(Finding {
            fix: Some(to.to_string()),
            ..finding(
                Kind::Moved,
                url,
                format!("redirects permanently to {to}; update the subscription"),
            )
        });
    }
    match &fetched.content {
        Content::Gone => found.push(finding(
            Kind::Unreachable,
            url,
            "gone: the server answered 410 Gone; remove the subscription",
        )),
        Content::NotModified => {}
        Content::Body(body) => {
            let headers = [("content-type", &fetched.content_type)]
                .into_iter()
                .filter_map(|(name, value)| value.as_ref().map(|v| (name.to_owned(), v.clone())))
                .collect();
            let options = orrery_feed::ParseOptions {
                url: Some(fetched.final_url.to_string()),
                headers,
                ..orrery_feed::ParseOptions::default()
            };
            let parsed = orrery_feed::parse(body, &options);
            if parsed.version.is_empty() && parsed.entries.is_empty() {
                let why = parsed
                    .bozo_exception
                    .as_deref()
                    .unwrap_or("no feed elements found");
                found.push(finding(Kind::NotAFeed, url, format!("not a feed ({why})")));
            } else if [&parsed.feed.common.id, &parsed.feed.common.link]
                .iter()
                .all(|v| v.as_deref().is_none_or(|v| v.trim().is_empty()))
            {
                found.push(finding(
                    Kind::Anonymous,
                    url,
                    "the feed has neither an id nor a link: Venus themes such as classic_fancy \
                     start no heading for it, so its posts appear under the previous blog's name",
                ));
            }
        }
    }
    found
}

fn body(fetched: &Fetched) -> Option<&[u8]> {
    match &fetched.content {
        Content::Body(bytes) => Some(bytes),
        Content::NotModified | Content::Gone => None,
    }
}

/// Fetches `(key, url)` pairs concurrently: each key with its answer or
/// why there is none.
fn fetch<'a>(
    runtime: &tokio::runtime::Runtime,
    fetcher: &Fetcher,
    requests: impl Iterator<Item = (String, &'a str)>,
) -> Vec<(String, Result<Fetched, String>)> {
    let requests: Vec<FetchRequest<String>> = requests
        .map(|(key, url)| FetchRequest::new(key, url))
        .collect();
    let outcomes: Vec<_> = runtime.block_on(fetcher.fetch_all(requests).collect());
    outcomes
        .into_iter()
        .map(|o| (o.key, o.result.map_err(|e| e.to_string())))
        .collect()
}
