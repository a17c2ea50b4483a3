//! Why a fetch failed, in words a planet administrator can act on.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use crate::guard::ResolveError;

/// The part of the exchange that was running when the deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Connecting, sending the request, waiting for headers or following redirects.
    Response,
    /// Reading the response body.
    Body,
    /// Reading a local file.
    File,
}

/// The stage a fetch has reached, kept outside its future so that it can
/// still be read after a deadline dropped the future.
#[derive(Debug)]
pub(crate) struct Progress(AtomicU8);

impl Progress {
    pub(crate) fn new(stage: Stage) -> Self {
        Self(AtomicU8::new(stage as u8))
    }

    pub(crate) fn set(&self, stage: Stage) {
        self.0.store(stage as u8, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> Stage {
        match self.0.load(Ordering::Relaxed) {
            x if x == Stage::Body as u8 => Stage::Body,
            x if x == Stage::File as u8 => Stage::File,
            _ => Stage::Response,
        }
    }
}

/// What kind of URL was refused for leading to an internal address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A redirect hop that left the subscription's own scheme, host and port.
    Redirect,
    /// A feed added by a remote reading list.
    ListFeed,
    /// A feed found by discovery on a page.
    DiscoveredFeed,
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Redirect => "redirect to",
            Self::ListFeed => "list-added feed at",
            Self::DiscoveredFeed => "discovered feed at",
        })
    }
}

/// "127.0.0.1, an internal address", or, for a name, what it resolved to.
fn internal(host: &str, address: &std::net::IpAddr) -> String {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if literal.parse::<std::net::IpAddr>().is_ok() {
        format!("{host}, an internal address")
    } else {
        format!("{host}, which resolves to internal address {address}")
    }
}

/// A failed fetch. `Display` names the reason in plain words; the variants
/// let the caller decide how to schedule the next attempt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unsupported URL scheme \"{scheme}:\" (only http, https and local files)")]
    UnsupportedScheme { scheme: String },
    #[error("timed out after {} {stage}", secs(.after))]
    Timeout { after: Duration, stage: Stage },
    #[error("DNS lookup for {host} failed: {reason}")]
    Dns { host: String, reason: String },
    #[error("connection refused")]
    ConnectionRefused,
    #[error("connection closed by the server before the response was complete")]
    ConnectionClosed,
    #[error("{0}")]
    Tls(TlsProblem),
    #[error("invalid HTTP response: {reason}")]
    BadResponse { reason: String },
    #[error("{}", status_line(.status))]
    Status {
        status: u16,
        /// From `Retry-After` on 429 and 503 responses.
        retry_after: Option<Duration>,
    },
    #[error("redirect loop at {url}")]
    RedirectLoop { url: String },
    #[error("more than {max} redirects")]
    TooManyRedirects { max: usize },
    #[error("HTTP {status} redirect without a usable Location header")]
    BadRedirect { status: u16 },
    #[error("redirect to a non-HTTP URL refused: {url}")]
    RedirectScheme { url: String },
    #[error("redirect from https to plain http refused: {url}")]
    Downgrade { url: String },
    /// A URL the owner did not write (a redirect target, a feed named by a
    /// remote reading list or found by discovery) leads to an address outside
    /// the public Internet.
    #[error("refused: {kind} {}; set allow_internal_targets = yes to allow", internal(.host, .address))]
    InternalTarget {
        kind: TargetKind,
        /// The URL's host as written (a name or an address literal).
        host: String,
        /// The internal address it is, or resolved to.
        address: std::net::IpAddr,
    },
    #[error("body larger than {}", size(.limit))]
    TooLarge { limit: u64 },
    #[error("body could not be decompressed: {reason}")]
    Decode { reason: String },
    #[error("host asked us to wait {} s", .wait.as_secs_f64().ceil())]
    Deferred { wait: Duration },
    /// The message leaves the path out: the caller knows which subscription
    /// it asked for, and the message may be published (a status page) where
    /// the machine's directory layout has no business.
    #[error("cannot read the file: {reason}")]
    File {
        /// The path as the request gave it.
        path: String,
        reason: String,
    },
    #[error("network error: {reason}")]
    Network { reason: String },
}

/// Failure to set up the HTTP client, such as unusable extra CA certificates.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct SetupError(pub(crate) String);

impl SetupError {
    /// Keeps the whole source chain: reqwest's top-level message alone
    /// ("builder error") hides the cause.
    pub(crate) fn from_chain(context: &str, err: &(dyn StdError + 'static)) -> Self {
        let mut text = context.to_owned();
        let mut cur = Some(err);
        while let Some(e) = cur {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cur = e.source();
        }
        Self(text)
    }
}

/// TLS failures worth telling apart: each one has a different fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    WrongHost,
    Expired,
    UnknownIssuer,
    Other(String),
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Response => "waiting for the response",
            Self::Body => "reading the body",
            Self::File => "reading the file",
        })
    }
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongHost => f.write_str("TLS certificate not valid for host"),
            Self::Expired => f.write_str("TLS certificate expired or not yet valid"),
            Self::UnknownIssuer => f.write_str("TLS certificate issued by an unknown authority"),
            Self::Other(detail) => write!(f, "TLS handshake failed: {detail}"),
        }
    }
}

impl FetchError {
    /// How long the server asked us to stay away, if it said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            Self::Deferred { wait } => Some(*wait),
            _ => None,
        }
    }

    /// Turns a reqwest error into the most specific reason found along its
    /// source chain. reqwest's own message ("error sending request for url")
    /// says nothing useful, so it is never shown alone.
    pub(crate) fn from_reqwest(err: &reqwest::Error, stage: Stage) -> Self {
        let mut innermost = err.to_string();
        let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
        while let Some(e) = cur {
            if let Some(found) = Self::recognise(e) {
                return found;
            }
            innermost = e.to_string();
            // `io::Error::source` skips its own payload, so look inside first.
            cur = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
                Some(inner) => Some(inner as &(dyn StdError + 'static)),
                None => e.source(),
            };
        }
        if err.is_decode() {
            Self::Decode { reason: innermost }
        } else if stage == Stage::Body && err.is_body() {
            Self::Network {
                reason: format!("while reading the body: {innermost}"),
            }
        } else {
            Self::Network { reason: innermost }
        }
    }

    fn recognise(e: &(dyn StdError + 'static)) -> Option<Self> {
        if let Some(r) = e.downcast_ref::<ResolveError>() {
            return Some(match r {
                ResolveError::Lookup { host, source } => Self::Dns {
                    host: host.clone(),
                    reason: source.to_string(),
                },
                ResolveError::Private { host, address } => Self::InternalTarget {
                    kind: TargetKind::Redirect,
                    host: host.clone(),
                    address: *address,
                },
            });
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() {
                return Some(Self::ConnectionClosed);
            }
            if h.is_parse() || h.is_parse_status() {
                return Some(Self::BadResponse {
                    reason: h.to_string(),
                });
            }
            // Broken chunked framing reaches us as a body error of hyper's
            // wrapping an invalid-input I/O error, which reqwest would label
            // a decoding failure.
            if let Some(io) = h.source().and_then(|s| s.downcast_ref::<io::Error>()) {
                if matches!(
                    io.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
                ) {
                    return Some(Self::BadResponse {
                        reason: format!("broken body framing ({io})"),
                    });
                }
            }
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(Self::Tls(tls_problem(t)));
        }
        let io = e.downcast_ref::<io::Error>()?;
        match io.kind() {
            io::ErrorKind::ConnectionRefused => Some(Self::ConnectionRefused),
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof => Some(Self::ConnectionClosed),
            _ => None,
        }
    }
}

fn tls_problem(e: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::WrongHost,
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => TlsProblem::Expired,
            C::UnknownIssuer => TlsProblem::UnknownIssuer,
            _ => TlsProblem::Other(e.to_string()),
        },
        _ => TlsProblem::Other(e.to_string()),
    }
}

fn status_line(status: &u16) -> String {
    let reason = reqwest::StatusCode::from_u16(*status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => format!("HTTP {status} {r}"),
        None => format!("HTTP {status}"),
    }
}

/// "20 s", "1.5 s".
fn secs(d: &Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// "8 MiB", "512 KiB", "1000 bytes".
fn size(bytes: &u64) -> String {
    let bytes = *bytes;
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_plainly() {
        let cases = [
            (
                FetchError::Timeout {
                    after: Duration::from_secs(20),
                    stage: Stage::Response,
                },
                "timed out after 20 s waiting for the response",
            ),
            (
                FetchError::Timeout {
                    after: Duration::from_millis(1500),
                    stage: Stage::Body,
                },
                "timed out after 1.5 s reading the body",
            ),
            (
                FetchError::Status {
                    status: 404,
                    retry_after: None,
                },
                "HTTP 404 Not Found",
            ),
            (
                FetchError::Status {
                    status: 599,
                    retry_after: None,
                },
                "HTTP 599",
            ),
            (
                FetchError::TooLarge {
                    limit: 8 * 1024 * 1024,
                },
                "body larger than 8 MiB",
            ),
            (
                FetchError::TooLarge { limit: 1000 },
                "body larger than 1000 bytes",
            ),
            (
                FetchError::Deferred {
                    wait: Duration::from_millis(119_200),
                },
                "host asked us to wait 120 s",
            ),
            (
                FetchError::Tls(TlsProblem::WrongHost),
                "TLS certificate not valid for host",
            ),
            (FetchError::ConnectionRefused, "connection refused"),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }
}
