//! One conditional GET over HTTP(S), redirects followed by hand.
//!
//! reqwest's own redirect handling is switched off: the fetcher needs to see
//! every hop to tell permanent moves from temporary ones, to refuse non-HTTP
//! targets, and to send hops to other hosts through the SSRF guard.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::BytesMut;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Certificate, Client, Response, StatusCode};
use url::{Host, Url};

use crate::error::{FetchError, Progress, SetupError, Stage, TargetKind};
use crate::guard::{is_public, Resolver};
use crate::limits::MAX_RETRY_AFTER;
use crate::{Content, FetchConfig, Fetched, Source};

/// Feed formats first, anything else accepted: many servers label feeds
/// `text/html` or `application/octet-stream`.
const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, \
                      application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5";

/// Header count limit for HTTP/1 responses. Header bytes are bounded by
/// hyper's read buffer (about 400 KiB), which reqwest does not expose.
const MAX_HEADERS: usize = 100;
/// Header list size limit for HTTP/2 responses.
const MAX_HEADER_LIST_BYTES: u32 = 64 * 1024;

#[derive(Debug)]
pub(crate) struct HttpClient {
    /// For the owner's subscription on its own scheme, host and port: its
    /// addresses are whatever the owner configured, internal or not.
    trusted: Client,
    /// For everything else: public addresses only, unless the configuration
    /// allows internal ones.
    guarded: Client,
    guard_literals: bool,
    max_redirects: usize,
    max_body: u64,
    allow_https_downgrade: bool,
}

/// The validators sent with the request, from the previous successful fetch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Validators<'a> {
    pub(crate) etag: Option<&'a str>,
    pub(crate) last_modified: Option<&'a str>,
}

impl HttpClient {
    pub(crate) fn new(config: &FetchConfig) -> Result<Self, SetupError> {
        let trusted = build(config, false)?;
        let guarded = if config.allow_internal_targets {
            trusted.clone()
        } else {
            build(config, true)?
        };
        Ok(Self {
            trusted,
            guarded,
            guard_literals: !config.allow_internal_targets,
            max_redirects: config.max_redirects,
            max_body: config.max_body_bytes,
            allow_https_downgrade: config.allow_https_downgrade,
        })
    }

    /// Fetches `start`, following up to `max_redirects` redirects, and
    /// records its stage in `progress` for the caller's deadline to report.
    pub(crate) async fn get(
        &self,
        start: &Url,
        validators: Validators<'_>,
        source: Source,
        progress: &Progress,
    ) -> Result<Fetched, FetchError> {
        let conditional = conditional_headers(validators);
        let mut url = start.clone();
        url.set_fragment(None);
        let mut visited = vec![url.clone()];
        let mut permanent_redirect = None;
        let mut only_permanent_so_far = true;
        loop {
            // The first request is judged as its source; every later one is a redirect.
            let kind = match (visited.len(), source) {
                (1, Source::List) => TargetKind::ListFeed,
                (1, Source::Discovered) => TargetKind::DiscoveredFeed,
                _ => TargetKind::Redirect,
            };
            let client = self.client_for(&url, start, source, kind)?;
            progress.set(Stage::Response);
            let response = client
                .get(url.clone())
                .headers(conditional.clone())
                .send()
                .await
                .map_err(|e| match FetchError::from_reqwest(&e, Stage::Response) {
                    FetchError::InternalTarget { host, address, .. } => {
                        FetchError::InternalTarget {
                            kind,
                            host,
                            address,
                        }
                    }
                    other => other,
                })?;
            let status = response.status();
            if !is_followed_redirect(status) {
                return self
                    .finish(response, url, permanent_redirect, validators, progress)
                    .await;
            }
            let next = redirect_target(&response, &url)?;
            // A feed that was fetched privately must not be sent on in the clear.
            if url.scheme() == "https" && next.scheme() == "http" && !self.allow_https_downgrade {
                return Err(FetchError::Downgrade {
                    url: next.to_string(),
                });
            }
            if visited.contains(&next) {
                return Err(FetchError::RedirectLoop {
                    url: next.to_string(),
                });
            }
            if visited.len() > self.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    max: self.max_redirects,
                });
            }
            // Only an unbroken run of permanent moves from the subscription
            // URL says that the subscription itself moved: after a temporary
            // hop, a later 301 is about the temporary target, not about us.
            let permanent = matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            only_permanent_so_far &= permanent;
            if only_permanent_so_far {
                permanent_redirect = Some(next.clone());
            }
            visited.push(next.clone());
            url = next;
        }
    }

    /// The trusted client for the owner's URL on its own scheme, host and
    /// port (the URL's origin), the guarded one for anything else. IP
    /// literals never reach a resolver, so they are checked here.
    fn client_for(
        &self,
        url: &Url,
        start: &Url,
        source: Source,
        kind: TargetKind,
    ) -> Result<&Client, FetchError> {
        if source == Source::Owner && url.origin() == start.origin() {
            return Ok(&self.trusted);
        }
        if self.guard_literals {
            let ip: Option<std::net::IpAddr> = match url.host() {
                Some(Host::Ipv4(v4)) => Some(v4.into()),
                Some(Host::Ipv6(v6)) => Some(v6.into()),
                _ => None,
            };
            if let Some(address) = ip.filter(|ip| !is_public(*ip)) {
                return Err(FetchError::InternalTarget {
                    kind,
                    host: url.host_str().unwrap_or_default().to_owned(),
                    address,
                });
            }
        }
        Ok(&self.guarded)
    }

    async fn finish(
        &self,
        mut response: Response,
        final_url: Url,
        permanent_redirect: Option<Url>,
        sent: Validators<'_>,
        progress: &Progress,
    ) -> Result<Fetched, FetchError> {
        let status = response.status();
        let headers = response.headers();
        let text = |name: HeaderName| header_text(headers, name);
        let mut fetched = Fetched {
            status: status.as_u16(),
            final_url,
            permanent_redirect,
            content: Content::NotModified,
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
            content_type: text(header::CONTENT_TYPE),
            content_location: text(header::CONTENT_LOCATION),
            content_language: text(header::CONTENT_LANGUAGE),
            cache_control: text(header::CACHE_CONTROL),
            expires: text(header::EXPIRES).and_then(|v| httpdate::parse_http_date(&v).ok()),
        };
        match status {
            StatusCode::NOT_MODIFIED => {
                // A 304 need not repeat the validators; keep the ones that
                // still describe the cached copy.
                fetched.etag = fetched.etag.or_else(|| sent.etag.map(str::to_owned));
                fetched.last_modified = fetched
                    .last_modified
                    .or_else(|| sent.last_modified.map(str::to_owned));
            }
            StatusCode::GONE => fetched.content = Content::Gone,
            s if s.is_success() => {
                progress.set(Stage::Body);
                fetched.content = Content::Body(self.read_body(&mut response).await?.freeze());
            }
            s => {
                let retry_after = match s {
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                        text(header::RETRY_AFTER)
                            .and_then(|v| parse_retry_after(&v, SystemTime::now()))
                    }
                    _ => None,
                };
                return Err(FetchError::Status {
                    status: s.as_u16(),
                    retry_after,
                });
            }
        }
        Ok(fetched)
    }

    /// Reads the body chunk by chunk as reqwest decompresses it, so the cap
    /// applies to the decompressed size and a compression bomb stops after
    /// `max_body` bytes.
    async fn read_body(&self, response: &mut Response) -> Result<BytesMut, FetchError> {
        let too_large = || FetchError::TooLarge {
            limit: self.max_body,
        };
        let declared = response.content_length().unwrap_or(0);
        if declared > self.max_body {
            return Err(too_large());
        }
        let mut body = BytesMut::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(&e, Stage::Body))?
        {
            let len = u64::try_from(body.len() + chunk.len()).unwrap_or(u64::MAX);
            if len > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// Builds a client that trusts the system's certificate authorities plus the
/// configured extra ones. A machine without a CA store (minimal containers)
/// falls back to the Mozilla roots bundled at build time rather than failing
/// every HTTPS feed.
fn build(config: &FetchConfig, public_only: bool) -> Result<Client, SetupError> {
    let extra = match &config.extra_ca_pem {
        Some(pem) => {
            let certs = Certificate::from_pem_bundle(pem)
                .map_err(|e| SetupError::from_chain("extra CA certificates", &e))?;
            if certs.is_empty() {
                return Err(SetupError("no certificate in the extra CA PEM".into()));
            }
            certs
        }
        None => Vec::new(),
    };
    let builder = || {
        let mut defaults = HeaderMap::new();
        defaults.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        Client::builder()
            .user_agent(config.user_agent.as_str())
            .default_headers(defaults)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .dns_resolver(Arc::new(Resolver { public_only }))
            .http1_max_headers(MAX_HEADERS)
            .http2_max_header_list_size(MAX_HEADER_LIST_BYTES)
            .gzip(true)
            .brotli(true)
            .deflate(true)
    };
    builder()
        .tls_certs_merge(extra.clone())
        .build()
        .or_else(|system| {
            tracing::warn!("system certificate store unusable ({system}); using bundled roots");
            let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .filter_map(|der| Certificate::from_der(der).ok());
            builder().tls_certs_only(bundled.chain(extra)).build()
        })
        .map_err(|e| SetupError::from_chain("TLS", &e))
}

/// `If-None-Match` and `If-Modified-Since`, sent on every hop: the stored
/// validators belong to the final URL, which the server decides.
fn conditional_headers(v: Validators<'_>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let pairs = [
        (header::IF_NONE_MATCH, v.etag),
        (header::IF_MODIFIED_SINCE, v.last_modified),
    ];
    for (name, value) in pairs {
        // A stored value that is not a valid header (control characters) is
        // skipped: an unconditional GET is the safe fallback.
        if let Some(value) = value.and_then(|s| HeaderValue::from_str(s.trim()).ok()) {
            headers.insert(name, value);
        }
    }
    headers
}

fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

fn redirect_target(response: &Response, base: &Url) -> Result<Url, FetchError> {
    let bad = || FetchError::BadRedirect {
        status: response.status().as_u16(),
    };
    let location = header_text(response.headers(), header::LOCATION).ok_or_else(bad)?;
    let mut next = base.join(&location).map_err(|_| bad())?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(FetchError::RedirectScheme {
            url: next.to_string(),
        });
    }
    next.set_fragment(None);
    Ok(next)
}

/// A header's value as text, if present, non-empty and valid UTF-8.
fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    let value = headers.get(name)?;
    let text = std::str::from_utf8(value.as_bytes()).ok()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let when = httpdate::parse_http_date(value).ok()?;
            when.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now),
            Some(Duration::from_secs(120))
        );
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("99999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn invalid_stored_validators_are_not_sent() {
        let headers = conditional_headers(Validators {
            etag: Some("\"a\"\r\nX-Evil: 1"),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT"),
        });
        assert!(headers.get(header::IF_NONE_MATCH).is_none());
        assert_eq!(
            headers.get(header::IF_MODIFIED_SINCE).unwrap(),
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
    }
}
