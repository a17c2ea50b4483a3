//! orrery-feed: a liberal feed parser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF, JSON Feed).
//!
//! Bytes in (plus an optional document URL and HTTP headers), a feed model out; no I/O, so the
//! parser can be fuzzed and reused. Results follow the Universal Feed Parser's conventions so
//! that its test suite applies unchanged: a broken document still yields everything that can be
//! recovered, flagged `bozo` with a reason.
//!
//! Besides the core model (titles, links, people, dates, content, enclosures...), feeds and
//! entries carry what video and podcast feeds add ([`Common::thumbnail`],
//! [`Common::duration_seconds`], `itunes_explicit`, Media RSS objects, [`Location`],
//! [`Chapters`]) and every other element under the Universal Feed Parser's key for it
//! ([`Common::extensions`]). [`ParsedFeed::to_schema_json`] writes the conformance schema v2.

pub mod date;
pub mod encoding;
mod entities;
mod fields;
mod handler;
mod json;
pub mod model;
mod namespaces;
mod people;
mod schema;
mod text;
mod uri;
mod xml;

pub use model::{
    Chapter, Chapters, Cloud, Common, Date, Enclosure, Entry, Extension, Feed, Generator, Geometry,
    HttpContext, Image, Link, Location, MediaObject, Namespaced, ParsedFeed, Person, Tag,
    TextConstruct, TextInput,
};

/// Resource limits; exceeding one stops parsing cleanly and marks the result bozo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of input considered; the rest is ignored.
    pub max_bytes: usize,
    /// Maximum element nesting.
    pub max_depth: usize,
    /// Maximum number of entries kept.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 20,
            max_depth: 512,
            max_entries: 10_000,
        }
    }
}

/// Where the document came from, and how to treat it.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The document's URL: base for relative URIs.
    pub url: Option<String>,
    /// HTTP response headers (`Content-Type`, `Content-Location`, `Content-Language`, `ETag`,
    /// `Last-Modified`...).
    pub headers: Vec<(String, String)>,
    pub limits: Limits,
    /// What is done to HTML in text constructs.
    pub html: HtmlMode,
}

/// What the parser does to HTML in text constructs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HtmlMode {
    /// Relative URIs resolved, then sanitized for republishing.
    #[default]
    Sanitize,
    /// Relative URIs resolved, markup otherwise kept: for callers that sanitize later or trust
    /// the source.
    ResolveUris,
    /// Kept exactly as found: for callers that do both themselves.
    AsIs,
}

impl ParseOptions {
    /// The first header named `name` (case-insensitive).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a feed document.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> ParsedFeed {
    let mut result = ParsedFeed {
        http: http_context(opts),
        ..ParsedFeed::default()
    };
    if bytes.is_empty() {
        return result;
    }
    // Why the document is bozo, with feedparser's exception class for it; the first wins.
    let mut bozo: Option<(String, &'static str)> = None;
    let mut capped: Option<String> = None;
    let bytes = if bytes.len() > opts.limits.max_bytes {
        bozo = Some((
            format!(
                "document larger than {} bytes; rest ignored",
                opts.limits.max_bytes
            ),
            "LimitExceeded",
        ));
        capped = Some(format!(
            "capped at {} bytes",
            thousands(opts.limits.max_bytes)
        ));
        &bytes[..opts.limits.max_bytes]
    } else {
        bytes
    };
    let content_type = opts.header("content-type");
    let is_json = json::looks_like_json(bytes, content_type);
    let text = if is_json {
        // JSON Feed is UTF-8 by definition; XML's charset rules do not apply.
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        if matches!(text, std::borrow::Cow::Owned(_)) {
            bozo.get_or_insert_with(|| {
                (
                    "JSON document is not valid UTF-8".to_string(),
                    "UnicodeDecodeError",
                )
            });
        }
        result.encoding = "utf-8".to_string();
        text
    } else {
        let decoded = encoding::decode_borrowed(bytes, content_type);
        if let Some(b) = decoded.bozo {
            let class = if b.ends_with("is not an XML media type") {
                "NonXMLContentType"
            } else {
                "CharacterEncodingOverride"
            };
            bozo.get_or_insert((b, class));
        }
        result.encoding = decoded.encoding;
        decoded.text
    };

    let contentloc = opts.header("content-location").unwrap_or("");
    let href = opts.url.as_deref().unwrap_or("");
    let mut base = uri::safe_absolute(href, contentloc);
    if base.is_empty() {
        base = uri::safe_absolute(contentloc, "");
    }
    if base.is_empty() {
        base = href.to_string();
    }
    let lang = opts.header("content-language");

    if is_json {
        match json::parse(&text, &base, opts) {
            Ok((version, feed, entries, items)) => {
                if items > opts.limits.max_entries {
                    capped = Some(format!(
                        "capped at {} entries",
                        thousands(opts.limits.max_entries)
                    ));
                }
                result.version = version;
                result.feed = feed;
                result.entries = entries;
            }
            Err(e) => {
                bozo.get_or_insert((e, "JSONDecodeError"));
            }
        }
    } else {
        let utf8 = result.encoding == "utf-8";
        let mut h = handler::Handler::new(&base, lang, utf8, opts);
        let outcome = xml::read(&text, opts.limits.max_depth, &mut h);
        if let Some(limit) = h.limit_hit.take() {
            // The reader stopped at the cut: what follows (unclosed elements) is not the
            // document's fault.
            bozo = Some((limit.clone(), "LimitExceeded"));
            capped = Some(limit);
        } else if let Some(b) = outcome.bozo {
            let class = if b.contains("undeclared namespace prefix") {
                "UndeclaredNamespace"
            } else {
                "SAXParseException"
            };
            bozo.get_or_insert((b, class));
        }
        capped = capped.or(outcome.capped);
        result.version = if outcome.netscape_doctype {
            "rss091n".to_string()
        } else {
            std::mem::take(&mut h.version)
        };
        result.namespaces = std::mem::take(&mut h.namespaces);
        result.feed = std::mem::take(&mut h.feed);
        result.entries = std::mem::take(&mut h.entries);
    }
    result.bozo = bozo.is_some();
    if let Some((message, class)) = bozo {
        result.bozo_exception = Some(message);
        result.bozo_exception_class = Some(class.to_string());
    }
    result.capped = capped;
    result
}

/// `n` with thousands separated by commas, as a person writes it ("10,000").
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Prepares HTML from a feed as `mode` asks: relative URIs resolved against `base`, then
/// sanitized.
fn html(markup: String, base: &str, mode: HtmlMode) -> String {
    let base = Some(base).filter(|b| !b.is_empty());
    match (mode, base) {
        (HtmlMode::Sanitize, base) => orrery_sanitize::sanitize_html(&markup, base),
        (HtmlMode::ResolveUris, Some(base)) => {
            orrery_sanitize::resolve_relative_uris(&markup, base)
        }
        (HtmlMode::ResolveUris, None) | (HtmlMode::AsIs, _) => markup,
    }
}

fn http_context(opts: &ParseOptions) -> HttpContext {
    HttpContext {
        headers: opts.headers.clone(),
        href: opts.url.clone(),
        status: None,
        etag: opts.header("etag").map(str::to_string),
        modified: opts
            .header("last-modified")
            .filter(|v| !v.trim().is_empty())
            .map(|v| Date::new(v.to_string())),
    }
}
