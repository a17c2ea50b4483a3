//! orrery-fetch: fetches a planet's feeds concurrently, politely and within
//! hard limits.
//!
//! The caller hands over a list of [`FetchRequest`]s carrying the validators
//! (`ETag`, `Last-Modified`) stored after the previous run and receives one
//! [`FetchOutcome`] per request, with the validators to store for the next run.
//! HTTP state lives with the caller; a [`Fetcher`] only remembers, for the
//! length of its life, which hosts asked it to slow down.
//!
//! # Limits
//!
//! * [`FetchConfig::feed_timeout`] is a total deadline per feed covering DNS,
//!   connect, TLS, every redirect hop and the whole body, not a per-read
//!   timeout, so a server trickling one byte a second cannot hold a run.
//! * [`FetchConfig::max_body_bytes`] caps the body *after* decompression; a
//!   gzip or brotli bomb is cut off at the cap.
//! * [`FetchConfig::concurrency`] requests run at once overall and at most
//!   [`FetchConfig::per_host_limit`] per subscription host (redirect targets
//!   on other hosts are not counted separately).
//! * A `429` or `503` with `Retry-After` pauses the host for the rest of the
//!   run: later feeds on it wait if the pause ends within `feed_timeout`,
//!   otherwise they fail at once with [`FetchError::Deferred`].
//!
//! # Redirects and private addresses
//!
//! Redirects are followed by hand, at most [`FetchConfig::max_redirects`],
//! and only to `http:` and `https:` URLs. Loops are reported as such. A run of
//! `301`/`308` responses starting at the subscription URL is reported as
//! [`Fetched::permanent_redirect`] so the caller can update the subscription;
//! `302`, `303` and `307` are followed but never recorded.
//!
//! Every URL is judged by who wrote it ([`Source`]). A subscription the
//! owner wrote is trusted wherever it points, for its own scheme, host and
//! port: planets on an intranet and test servers on loopback must work.
//! Everything else is refused when it leads outside the public Internet
//! (loopback, RFC 1918 private, link-local including cloud metadata at
//! `169.254.169.254`, carrier-grade NAT, `0.0.0.0`, `::`, unique-local
//! `fc00::/7`, documentation, multicast; IPv4 embedded in IPv6 is judged by
//! the IPv4 part, see [`is_public`]): a redirect hop to another host or
//! another port, and, from the very first request, a feed added by a remote
//! reading list ([`Source::List`]) or found by discovery
//! ([`Source::Discovered`]). This stops a feed server or a list's author from
//! using the planet to probe the network it runs in. Addresses are checked in
//! the resolver that feeds the connection, so a host cannot pass the check
//! and then resolve elsewhere (DNS rebinding); address literals are checked
//! before any connection. Set [`FetchConfig::allow_internal_targets`] for a
//! planet whose feeds live on internal hosts.
//!
//! # Local files
//!
//! A subscription that is a path or a `file:` URL is read from disk with the
//! same size cap and deadline. Its modification time, formatted as an HTTP
//! date, stands in for `Last-Modified` (one-second resolution), so an
//! unchanged file comes back as not modified. Redirects never lead to files.

mod error;
mod file;
mod guard;
mod http;
mod limits;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::stream::{FuturesUnordered, Stream};
use url::Url;

pub use error::{FetchError, SetupError, Stage, TargetKind, TlsProblem};

use error::Progress;
pub use guard::is_public;

use http::{HttpClient, Validators};
use limits::Limits;

/// How a [`Fetcher`] behaves. `Default` gives the values a public planet
/// should start from.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Sent with every request; see [`FetchConfig::user_agent_for`].
    pub user_agent: String,
    /// Total time allowed for one feed, redirects and body included.
    pub feed_timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body_bytes: u64,
    /// Redirect hops followed before giving up.
    pub max_redirects: usize,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host_limit: usize,
    /// Let URLs the owner did not write (redirect targets, list-added and
    /// discovered feeds) reach internal addresses. Off by default; see the
    /// crate documentation.
    pub allow_internal_targets: bool,
    /// Follow redirects from `https:` to plain `http:`. Off by default: the
    /// downgrade would expose the request and let a network attacker answer.
    pub allow_https_downgrade: bool,
    /// PEM certificates of extra certificate authorities to trust, for feeds
    /// served with a private CA (intranet planets).
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: Self::user_agent_for(None),
            feed_timeout: Duration::from_secs(20),
            max_body_bytes: 8 * 1024 * 1024,
            max_redirects: 10,
            concurrency: 16,
            // Two keeps a planet with many feeds on one blog host reasonably
            // fast without looking like a flood.
            per_host_limit: 2,
            allow_internal_targets: false,
            allow_https_downgrade: false,
            extra_ca_pem: None,
        }
    }
}

impl FetchConfig {
    /// `orrery/VERSION (+LINK)`: names the software and, through the planet's
    /// link, whom a feed's owner can contact about the traffic.
    pub fn user_agent_for(planet_link: Option<&str>) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match planet_link.map(str::trim).filter(|l| !l.is_empty()) {
            Some(link) => format!("orrery/{version} (+{link})"),
            None => format!("orrery/{version}"),
        }
    }
}

/// Who wrote a URL, which decides the addresses it may lead to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// The planet's owner (the configuration, the command line): trusted for
    /// its own scheme, host and port, whatever address that is.
    #[default]
    Owner,
    /// A remote reading list: public addresses only, from the first request.
    List,
    /// Discovery on a page (`<link rel="alternate">`): public addresses only,
    /// from the first request.
    Discovered,
}

/// One feed to fetch.
#[derive(Debug, Clone)]
pub struct FetchRequest<K> {
    /// The caller's identifier, returned untouched in the outcome.
    pub key: K,
    /// An `http:`/`https:` URL, a `file:` URL or a local path.
    pub url: String,
    /// `ETag` from the previous successful fetch.
    pub etag: Option<String>,
    /// `Last-Modified` from the previous successful fetch, verbatim.
    pub last_modified: Option<String>,
    /// Who wrote `url`.
    pub source: Source,
}

impl<K> FetchRequest<K> {
    /// A request without stored validators.
    pub fn new(key: K, url: impl Into<String>) -> Self {
        Self {
            key,
            url: url.into(),
            etag: None,
            last_modified: None,
            source: Source::Owner,
        }
    }

    /// The same request, written by `source`.
    #[must_use]
    pub fn from(mut self, source: Source) -> Self {
        self.source = source;
        self
    }
}

/// What the server sent in place of the feed, when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The feed document, decompressed.
    Body(Bytes),
    /// `304 Not Modified`: the stored copy is current.
    NotModified,
    /// `410 Gone`: the publisher says the feed is gone for good.
    Gone,
}

/// A fetch that reached the server (or file) and got a usable answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Status of the final response (200 for a file, 304 when unchanged).
    pub status: u16,
    /// URL of the final response, after redirects; the base for relative links.
    pub final_url: Url,
    /// Where the subscription has moved for good, if it did (see crate docs).
    pub permanent_redirect: Option<Url>,
    pub content: Content,
    /// Validators to store and send next time. On a 304 without them, the
    /// ones sent are returned.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Headers the feed parser needs: encoding from `Content-Type`, base URL
    /// from `Content-Location`, default language from `Content-Language`.
    pub content_type: Option<String>,
    pub content_location: Option<String>,
    pub content_language: Option<String>,
    /// Freshness hints for scheduling the next fetch.
    pub cache_control: Option<String>,
    pub expires: Option<SystemTime>,
}

/// The result for one [`FetchRequest`].
#[derive(Debug)]
pub struct FetchOutcome<K> {
    pub key: K,
    /// Time spent fetching, not counting the wait for a free slot.
    pub elapsed: Duration,
    pub result: Result<Fetched, FetchError>,
}

/// Fetches feeds. Cheap to clone; clones share limits and host back-offs.
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: FetchConfig,
    http: HttpClient,
    limits: Limits,
}

/// Where a subscription's document lives.
enum Target {
    Http(Url),
    File(PathBuf),
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Self, SetupError> {
        // reqwest is built without a default crypto provider (the default one
        // needs a long C build); ring is installed unless the program already
        // chose one, in which case that one is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = HttpClient::new(&config)?;
        let limits = Limits::new(config.concurrency, config.per_host_limit);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                limits,
            }),
        })
    }

    /// Fetches every request concurrently within the configured limits and
    /// yields outcomes as they complete. Dropping the stream cancels the
    /// fetches still running.
    pub fn fetch_all<K>(
        &self,
        requests: impl IntoIterator<Item = FetchRequest<K>>,
    ) -> impl Stream<Item = FetchOutcome<K>> + Send + 'static
    where
        K: Send + 'static,
    {
        requests
            .into_iter()
            .map(|req| {
                let this = self.clone();
                async move { this.fetch_one(req).await }
            })
            .collect::<FuturesUnordered<_>>()
    }

    /// Fetches one feed, waiting for a free slot first.
    pub async fn fetch_one<K>(&self, req: FetchRequest<K>) -> FetchOutcome<K> {
        let (elapsed, result) = match target(&req.url) {
            Ok(Target::Http(url)) => {
                let validators = Validators {
                    etag: req.etag.as_deref(),
                    last_modified: req.last_modified.as_deref(),
                };
                self.fetch_http(&url, validators, req.source).await
            }
            Ok(Target::File(path)) => {
                let config = &self.inner.config;
                let progress = Progress::new(Stage::File);
                let read = file::read(
                    &path,
                    config.max_body_bytes,
                    req.etag.as_deref(),
                    req.last_modified.as_deref(),
                );
                timed(config.feed_timeout, &progress, read).await
            }
            Err(e) => (Duration::ZERO, Err(e)),
        };
        match &result {
            Ok(f) => tracing::debug!(url = %req.url, status = f.status, ?elapsed, "fetched"),
            Err(e) => tracing::debug!(url = %req.url, error = %e, ?elapsed, "fetch failed"),
        }
        FetchOutcome {
            key: req.key,
            elapsed,
            result,
        }
    }

    async fn fetch_http(
        &self,
        url: &Url,
        validators: Validators<'_>,
        source: Source,
    ) -> (Duration, Result<Fetched, FetchError>) {
        let inner = &*self.inner;
        let host = url.host_str().unwrap_or_default();
        let timeout = inner.config.feed_timeout;
        let _slot = match inner.limits.acquire(host, timeout).await {
            Ok(slot) => slot,
            Err(wait) => return (Duration::ZERO, Err(FetchError::Deferred { wait })),
        };
        let progress = Progress::new(Stage::Response);
        let (elapsed, result) = timed(
            timeout,
            &progress,
            inner.http.get(url, validators, source, &progress),
        )
        .await;
        // Recorded for the subscription's host, the one requests queue on,
        // even when the answer came from a redirect target.
        if let Err(FetchError::Status {
            retry_after: Some(wait),
            ..
        }) = &result
        {
            inner.limits.back_off(host, *wait);
        }
        (elapsed, result)
    }
}

/// Runs `work` under a total deadline; `progress` (updated by `work`) tells
/// what a timeout interrupted.
async fn timed(
    deadline: Duration,
    progress: &Progress,
    work: impl std::future::Future<Output = Result<Fetched, FetchError>>,
) -> (Duration, Result<Fetched, FetchError>) {
    let started = tokio::time::Instant::now();
    let result = match tokio::time::timeout(deadline, work).await {
        Ok(result) => result,
        Err(_) => Err(FetchError::Timeout {
            after: deadline,
            stage: progress.get(),
        }),
    };
    (started.elapsed(), result)
}

/// Classifies a subscription location. Anything that does not parse as an
/// absolute URL is taken as a local path, like Venus did.
fn target(location: &str) -> Result<Target, FetchError> {
    let location = location.trim();
    let invalid = |reason: &str| FetchError::InvalidUrl {
        url: location.to_owned(),
        reason: reason.to_owned(),
    };
    if location.is_empty() {
        return Err(invalid("empty"));
    }
    match Url::parse(location) {
        Ok(url) => match url.scheme() {
            "http" | "https" => Ok(Target::Http(url)),
            "file" => url
                .to_file_path()
                .map(Target::File)
                .map_err(|()| invalid("not a local file")),
            // A Windows drive letter ("C:\feeds\a.xml") parses as a scheme.
            s if s.len() == 1 => Ok(Target::File(PathBuf::from(location))),
            s => Err(FetchError::UnsupportedScheme {
                scheme: s.to_owned(),
            }),
        },
        Err(url::ParseError::RelativeUrlWithoutBase) => Ok(Target::File(PathBuf::from(location))),
        Err(e) => Err(invalid(&e.to_string())),
    }
}
