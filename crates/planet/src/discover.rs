//! Feed discovery: the feed behind a site's address, found the way feed
//! readers do (the document itself, a feed its page announces, a feed at a
//! usual place), and single documents fetched for the commands that take a
//! URL (`add`, `import-opml`). It belongs to the pipeline because it fetches
//! and parses as a run does, with the same address policy.

use std::cell::RefCell;
use std::io::Read as _;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use orrery_config::reading_list::MAX_LIST_BYTES;
use orrery_feed::{ParseOptions, ParsedFeed};
use orrery_fetch::{Content, FetchConfig, FetchError, FetchRequest, Fetcher, SetupError, Source};
use url::Url;

/// Why no feed or document was had.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("fetching {url}")]
    Fetch {
        url: String,
        #[source]
        source: FetchError,
    },
    /// An answer without a document to read.
    #[error("{0}")]
    Status(String),
    /// Neither the document nor any candidate was a feed; `refused` tells
    /// the first candidate the address policy refused, with why.
    #[error("{}", not_a_feed(url, refused.as_deref()))]
    NotAFeed {
        url: String,
        refused: Option<String>,
    },
    #[error("reading {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{list}: larger than {MAX_LIST_BYTES} bytes")]
    TooLarge { list: String },
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Runtime(std::io::Error),
}

fn not_a_feed(url: &str, refused: Option<&str>) -> String {
    match refused {
        Some(refused) => {
            format!("{url} is not a feed; the feed its page names was refused: {refused}")
        }
        None => format!("{url} is not a feed, and no feed was found on that site"),
    }
}

/// Where feeds usually live when a page does not announce its own.
const COMMON_PATHS: &[&str] = &[
    "feed",
    "rss",
    "atom.xml",
    "index.xml",
    "feed.xml",
    "rss.xml",
];
/// Announced feeds tried at most, so a hostile page cannot make us fetch
/// without end.
const MAX_ANNOUNCED: usize = 8;
/// MIME types of `<link rel="alternate">` that announce a feed.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// A feed worth subscribing to.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    /// The feed's title, as plain text.
    pub title: Option<String>,
}

/// Who wrote a URL found while discovering from `given`: the owner for the
/// URL's own scheme, host and port, the page for anything else.
fn source_of(candidate: &Url, given: Option<&Url>) -> Source {
    match given {
        Some(given) if given.origin() == candidate.origin() => Source::Owner,
        _ => Source::Discovered,
    }
}

/// Finds the feed behind `url`: the document itself when it is a feed,
/// else a feed its page announces, else one at a usual place on the site.
/// `url` is the owner's, trusted for its own scheme, host and port; a feed
/// found elsewhere is fetched only at a public address unless the fetcher
/// allows internal targets.
pub async fn discover(fetcher: &Fetcher, url: &str) -> Result<Found, DiscoverError> {
    let given = Url::parse(url).ok();
    let page = fetch(fetcher, url).await?;
    if let Some(feed) = as_feed(&page) {
        let url = page.permanent.unwrap_or_else(|| url.to_owned());
        return Ok(Found {
            url,
            title: title(&feed),
        });
    }
    let scan = scan_html(&String::from_utf8_lossy(&page.body));
    let base = scan
        .base
        .as_deref()
        .and_then(|b| page.final_url.join(b).ok())
        .unwrap_or_else(|| page.final_url.clone());
    let mut candidates: Vec<Url> = Vec::new();
    let announced = scan.feeds.iter().filter_map(|href| base.join(href).ok());
    let usual = COMMON_PATHS.iter().flat_map(|path| {
        [
            page.final_url.join(path),
            page.final_url.join(&format!("/{path}")),
        ]
        .into_iter()
        .flatten()
    });
    for candidate in announced.take(MAX_ANNOUNCED).chain(usual) {
        let http = matches!(candidate.scheme(), "http" | "https");
        if http && !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
    }
    let mut refused = None;
    for candidate in candidates {
        let source = source_of(&candidate, given.as_ref());
        let doc = match fetch_from(fetcher, candidate.as_str(), source).await {
            Ok(doc) => doc,
            Err(DiscoverError::Fetch {
                source: e @ FetchError::InternalTarget { .. },
                ..
            }) => {
                refused.get_or_insert_with(|| format!("{candidate}: {e}"));
                continue;
            }
            Err(_) => continue,
        };
        if let Some(feed) = as_feed(&doc) {
            let url = doc.permanent.unwrap_or_else(|| candidate.to_string());
            return Ok(Found {
                url,
                title: title(&feed),
            });
        }
    }
    Err(DiscoverError::NotAFeed {
        url: url.to_owned(),
        refused,
    })
}

/// A fetched document.
pub struct Document {
    pub body: Vec<u8>,
    final_url: Url,
    /// Where the document has moved for good.
    permanent: Option<String>,
    content_type: Option<String>,
}

/// Fetches `url`, the owner's; anything but a successful response with a body is an error.
pub async fn fetch(fetcher: &Fetcher, url: &str) -> Result<Document, DiscoverError> {
    fetch_from(fetcher, url, Source::Owner).await
}

async fn fetch_from(
    fetcher: &Fetcher,
    url: &str,
    source: Source,
) -> Result<Document, DiscoverError> {
    let outcome = fetcher
        .fetch_one(FetchRequest::new((), url).from(source))
        .await;
    let fetched = outcome.result.map_err(|source| DiscoverError::Fetch {
        url: url.to_owned(),
        source,
    })?;
    let Content::Body(body) = fetched.content else {
        return Err(DiscoverError::Status(format!(
            "{url}: no document (HTTP {})",
            fetched.status
        )));
    };
    if !(200..300).contains(&fetched.status) {
        return Err(DiscoverError::Status(format!(
            "{url}: HTTP {}",
            fetched.status
        )));
    }
    Ok(Document {
        body: body.to_vec(),
        final_url: fetched.final_url,
        permanent: fetched.permanent_redirect.map(String::from),
        content_type: fetched.content_type,
    })
}

/// The document as a feed, when the parser recognised a feed format in it.
fn as_feed(doc: &Document) -> Option<ParsedFeed> {
    let opts = ParseOptions {
        url: Some(doc.final_url.to_string()),
        headers: doc
            .content_type
            .iter()
            .map(|t| ("Content-Type".to_owned(), t.clone()))
            .collect(),
        ..ParseOptions::default()
    };
    let parsed = orrery_feed::parse(&doc.body, &opts);
    (!parsed.version.is_empty()).then_some(parsed)
}

fn title(feed: &ParsedFeed) -> Option<String> {
    let title = feed.feed.common.title.as_ref()?;
    let text = if title.content_type.contains("html") {
        scan_html(&title.value).text
    } else {
        title.value.clone()
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// What a page says about its feeds (and its text, for feed titles).
#[derive(Default)]
struct Scan {
    /// `href`s of `<link rel="alternate">` with a feed type, in order.
    feeds: Vec<String>,
    /// `<base href>`.
    base: Option<String>,
    text: String,
    /// Inside `<script>` or `<style>`, whose text is not markup.
    raw: bool,
}

struct Sink(RefCell<Scan>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut scan = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = &*tag.name;
                if matches!(name, "script" | "style") {
                    scan.raw = tag.kind == TagKind::StartTag && !tag.self_closing;
                    return TokenSinkResult::Continue;
                }
                if scan.raw || tag.kind != TagKind::StartTag {
                    return TokenSinkResult::Continue;
                }
                let attr = |key: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| &*a.name.local == key)
                        .map(|a| a.value.trim().to_owned())
                };
                match name {
                    "base" if scan.base.is_none() => scan.base = attr("href"),
                    "link" => {
                        let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                        let kind = attr("type").unwrap_or_default().to_ascii_lowercase();
                        let kind = kind.split(';').next().unwrap_or_default().trim();
                        let alternate = rel.split_ascii_whitespace().any(|r| r == "alternate");
                        if alternate && FEED_TYPES.contains(&kind) {
                            if let Some(href) = attr("href").filter(|h| !h.is_empty()) {
                                scan.feeds.push(href);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Token::CharacterTokens(text) if !scan.raw => scan.text.push_str(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn scan_html(html: &str) -> Scan {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(
        Sink(RefCell::new(Scan::default())),
        TokenizerOpts::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// A reading list's bytes, from a file or the web (an http(s) URL, fetched
/// as the owner's), at most [`MAX_LIST_BYTES`] of them.
pub fn read_list(source: &str) -> Result<Vec<u8>, DiscoverError> {
    let lower = source.to_ascii_lowercase();
    let bytes = if lower.starts_with("http://") || lower.starts_with("https://") {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(DiscoverError::Runtime)?;
        let fetcher = Fetcher::new(FetchConfig::default())?;
        runtime.block_on(fetch(&fetcher, source))?.body
    } else {
        let mut bytes = Vec::new();
        std::fs::File::open(source)
            .and_then(|f| f.take(MAX_LIST_BYTES as u64 + 1).read_to_end(&mut bytes))
            .map_err(|e| DiscoverError::Read {
                path: source.to_owned(),
                source: e,
            })?;
        bytes
    };
    if bytes.len() > MAX_LIST_BYTES {
        return Err(DiscoverError::TooLarge {
            list: source.to_owned(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;

    const ATOM: &str = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Test &amp;amp; &lt;b&gt;Blog&lt;/b&gt;</title><id>urn:t</id><updated>2024-01-01T00:00:00Z</updated></feed>"#;
    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Usual place</title><link>http://x/</link></channel></rss>"#;

    /// A loopback HTTP server answering `routes` (path, content type, body),
    /// 404 elsewhere; it stops after a bounded number of requests.
    fn serve(routes: Vec<(&'static str, &'static str, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let reply = match routes.iter().find(|(p, _, _)| *p == path) {
                    Some((_, kind, body)) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
                };
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        base
    }

    fn discover_blocking(url: &str) -> Result<Found, DiscoverError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let fetcher = Fetcher::new(FetchConfig::default()).unwrap();
        runtime.block_on(discover(&fetcher, url))
    }

    #[test]
    fn a_page_announcing_its_feed() {
        let page = r#"<html><head><script>var s = '<link rel="alternate" type="application/rss+xml" href="/trap">';</script>
            <link rel="stylesheet" href="/style.css">
            <LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="atom"></head><body>hi</body></html>"#;
        let base = serve(vec![
            ("/blog/", "text/html", page.to_owned()),
            ("/blog/atom", "application/atom+xml", ATOM.to_owned()),
            ("/trap", "application/rss+xml", RSS.to_owned()),
        ]);
        let found = discover_blocking(&format!("{base}/blog/")).unwrap();
        assert_eq!(found.url, format!("{base}/blog/atom"));
        assert_eq!(found.title.as_deref(), Some("Test & Blog"));
    }

    #[test]
    fn a_feed_given_directly_and_a_feed_at_a_usual_place() {
        let base = serve(vec![
            ("/", "text/html", "<p>no links here</p>".to_owned()),
            ("/index.xml", "application/rss+xml", RSS.to_owned()),
        ]);
        let direct = discover_blocking(&format!("{base}/index.xml")).unwrap();
        assert_eq!(direct.url, format!("{base}/index.xml"));
        let usual = discover_blocking(&format!("{base}/")).unwrap();
        assert_eq!(usual.url, format!("{base}/index.xml"));
        assert_eq!(usual.title.as_deref(), Some("Usual place"));
    }

    #[test]
    fn a_site_without_feeds_is_an_error() {
        let base = serve(vec![("/", "text/html", "<p>nothing</p>".to_owned())]);
        let err = discover_blocking(&format!("{base}/")).unwrap_err();
        assert!(err.to_string().contains("no feed was found"), "{err}");
    }
}
