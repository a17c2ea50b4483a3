//! `orrery add` and `orrery remove`: subscribe to a site or a feed, and
//! unsubscribe, by editing the configuration file in place. The INI file is
//! changed textually (a section appended or cut out), so its comments and
//! layout stay as the owner wrote them; TOML files are edited with
//! `toml_edit`, which keeps them too.

use std::cell::RefCell;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use orrery_config::ini::{ini_source, Ini};
use orrery_feed::{ParseOptions, ParsedFeed};
use orrery_fetch::{Content, FetchConfig, FetchRequest, Fetcher};
use url::Url;

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

#[derive(clap::Args)]
pub struct AddArgs {
    /// A feed's URL, or a site's (its feed is then discovered).
    url: String,
    /// The name shown on the page [default: the feed's title].
    #[arg(long)]
    name: Option<String>,
    /// The configuration file to change (Venus INI, or TOML by extension).
    #[arg(long = "config", short = 'c', default_value = "config.ini")]
    config: PathBuf,
}

#[derive(clap::Args)]
pub struct RemoveArgs {
    /// The subscription's feed URL, as written in the configuration.
    url: String,
    /// The configuration file to change.
    #[arg(long = "config", short = 'c', default_value = "config.ini")]
    config: PathBuf,
}

pub fn run_add(args: AddArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fetcher = Fetcher::new(FetchConfig::default())?;
    let found = runtime.block_on(discover(&fetcher, &args.url))?;
    let name = args
        .name
        .or(found.title)
        .unwrap_or_else(|| found.url.clone());
    subscribe(&args.config, &found.url, &name)?;
    println!("subscribed to {} as {name:?}", found.url);
    Ok(ExitCode::SUCCESS)
}

pub fn run_remove(args: RemoveArgs) -> anyhow::Result<ExitCode> {
    unsubscribe(&args.config, &args.url)?;
    println!("unsubscribed from {}", args.url);
    Ok(ExitCode::SUCCESS)
}

/// A feed worth subscribing to.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    /// The feed's title, as plain text.
    pub title: Option<String>,
}

/// Finds the feed behind `url`: the document itself when it is a feed,
/// else a feed its page announces, else one at a usual place on the site.
pub async fn discover(fetcher: &Fetcher, url: &str) -> anyhow::Result<Found> {
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
    for candidate in candidates {
        let Ok(doc) = fetch(fetcher, candidate.as_str()).await else {
            continue;
        };
        if let Some(feed) = as_feed(&doc) {
            let url = doc.permanent.unwrap_or_else(|| candidate.to_string());
            return Ok(Found {
                url,
                title: title(&feed),
            });
        }
    }
    bail!("{url} is not a feed, and no feed was found on that site")
}

struct Document {
    body: Vec<u8>,
    final_url: Url,
    /// Where the document has moved for good.
    permanent: Option<String>,
    content_type: Option<String>,
}

async fn fetch(fetcher: &Fetcher, url: &str) -> anyhow::Result<Document> {
    let outcome = fetcher.fetch_one(FetchRequest::new((), url)).await;
    let fetched = outcome.result.with_context(|| format!("fetching {url}"))?;
    let Content::Body(body) = fetched.content else {
        bail!("{url}: no document (HTTP {})", fetched.status);
    };
    if !(200..300).contains(&fetched.status) {
        bail!("{url}: HTTP {}", fetched.status);
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

/// Whether two subscription URLs name the same feed.
fn same_feed(a: &str, b: &str) -> bool {
    match (Url::parse(a.trim()), Url::parse(b.trim())) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

fn read_config(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    fs::File::open(path)
        .and_then(|f| {
            f.take(orrery_config::MAX_CONFIG_BYTES)
                .read_to_string(&mut text)
        })
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(text)
}

/// Replaces the file through a sibling temporary file, so a crash never
/// leaves half a configuration.
fn write_config(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".orrery-new");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// Adds a subscription to the configuration file; refuses a duplicate.
pub fn subscribe(path: &Path, url: &str, name: &str) -> anyhow::Result<()> {
    let text = read_config(path)?;
    let name = one_line(name);
    let updated = if is_toml(path) {
        toml_add(&text, url, &name)?
    } else {
        ini_add(&text, path, url, &name)?
    };
    write_config(path, &updated)
}

/// Removes every section of the subscription `url`.
pub fn unsubscribe(path: &Path, url: &str) -> anyhow::Result<()> {
    let text = read_config(path)?;
    let updated = if is_toml(path) {
        toml_remove(&text, url)?
    } else {
        ini_remove(&text, url)?
    };
    write_config(path, &updated)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ini_add(text: &str, path: &Path, url: &str, name: &str) -> anyhow::Result<String> {
    if url.contains(['[', ']', '\n', '\r']) || url.trim() != url || url.is_empty() {
        bail!("{url:?} cannot be a section name of an INI file");
    }
    let mut ini = Ini::new();
    let cwd = std::env::current_dir()?;
    if let Err(errors) = ini.read_str(text, &ini_source(path, &cwd)) {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        bail!("{}", lines.join("\n"));
    }
    if let Some(existing) = ini.sections().find(|s| same_feed(s, url)) {
        bail!("already subscribed: [{existing}]");
    }
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("\n[{url}]\nname = {}\n", ini_value(name)));
    Ok(out)
}

/// A value as Python 2's ConfigParser reads it back: it expands `%(`
/// until none is left, so no value can keep one (a space is put in), and
/// whitespace before a `;` would start an inline comment (it is dropped).
fn ini_value(value: &str) -> String {
    let value = value.replace("%(", "% (");
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ';' {
            while out.ends_with([' ', '\t']) {
                out.pop();
            }
        }
        out.push(c);
    }
    out
}

/// Cuts out each `[url]` section: its header and option lines, and the
/// blank line after it; comments before the next section stay.
fn ini_remove(text: &str, url: &str) -> anyhow::Result<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = |line: &str| -> Option<String> {
        let rest = line.strip_prefix('[')?;
        rest.find(']').map(|end| rest[..end].to_owned())
    };
    let mut keep = vec![true; lines.len()];
    let mut removed = 0;
    let mut i = 0;
    while i < lines.len() {
        match header(lines[i]) {
            Some(section) if same_feed(&section, url) => {
                removed += 1;
                let mut end = i + 1;
                while end < lines.len() && header(lines[end]).is_none() {
                    end += 1;
                }
                // Trailing comments and blank lines introduce what follows.
                let mut last = end;
                while last > i + 1 && is_comment_or_blank(lines[last - 1]) {
                    last -= 1;
                }
                // One blank line goes with the section: after it, else before.
                let mut first = i;
                if last < end && lines[last].trim().is_empty() {
                    last += 1;
                } else if i > 0 && lines[i - 1].trim().is_empty() && keep[i - 1] {
                    first -= 1;
                }
                keep[first..last].iter_mut().for_each(|k| *k = false);
                i = end;
            }
            _ => i += 1,
        }
    }
    if removed == 0 {
        bail!("not subscribed to {url}");
    }
    Ok(lines
        .iter()
        .zip(keep)
        .filter_map(|(line, keep)| keep.then_some(*line))
        .collect())
}

fn is_comment_or_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || line.starts_with(['#', ';'])
}

fn toml_add(text: &str, url: &str, name: &str) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    let list = doc
        .entry("subscription")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .context("`subscription` is not a list of [[subscription]] tables")?;
    let known = |t: &toml_edit::Table| t.get("url").and_then(|v| v.as_str()).map(str::to_owned);
    if let Some(existing) = list.iter().filter_map(known).find(|u| same_feed(u, url)) {
        bail!("already subscribed: {existing}");
    }
    let mut table = toml_edit::Table::new();
    table.insert("url", toml_edit::value(url));
    table.insert("name", toml_edit::value(name));
    list.push(table);
    Ok(doc.to_string())
}

fn toml_remove(text: &str, url: &str) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    let list = doc
        .get_mut("subscription")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
        .with_context(|| format!("not subscribed to {url}"))?;
    let before = list.len();
    list.retain(|t| {
        !t.get("url")
            .and_then(|v| v.as_str())
            .is_some_and(|u| same_feed(u, url))
    });
    if list.len() == before {
        bail!("not subscribed to {url}");
    }
    Ok(doc.to_string())
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

    fn discover_blocking(url: &str) -> anyhow::Result<Found> {
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

    const INI: &str = "# My planet\n[Planet]\nname = Test ; a comment\n\n# Alice\n[http://a.example/feed]\nname = Alice\n\n# Bob writes about cats.\n[http://b.example/feed]\nname = Bob\n";

    #[test]
    fn ini_sections_are_appended_and_cut_out_textually() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planet.ini");
        fs::write(&path, INI).unwrap();
        let name = "Carol's 100% %(weird) ; blog";
        subscribe(&path, "http://c.example/feed", name).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(INI), "{text}");

        // Read back with Venus's rules, the name is what was given but for
        // what Venus cannot keep: `%(` and whitespace before `;`.
        let mut ini = Ini::new();
        ini.read_str(&text, &ini_source(&path, dir.path())).unwrap();
        assert_eq!(
            ini.get("http://c.example/feed", "name").unwrap().as_deref(),
            Some("Carol's 100% % (weird); blog")
        );

        let err = subscribe(&path, "HTTP://C.EXAMPLE:80/feed", "again").unwrap_err();
        assert!(err.to_string().contains("already subscribed"), "{err}");

        unsubscribe(&path, "http://c.example/feed").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), INI);
        unsubscribe(&path, "http://a.example/feed").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "# My planet\n[Planet]\nname = Test ; a comment\n\n# Alice\n# Bob writes about cats.\n[http://b.example/feed]\nname = Bob\n"
        );
        let err = unsubscribe(&path, "http://a.example/feed").unwrap_err();
        assert!(err.to_string().contains("not subscribed"), "{err}");
        assert!(subscribe(&path, "http://[::1]/feed", "v6").is_err());
    }

    #[test]
    fn toml_subscriptions_keep_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planet.toml");
        let original = "# settings\n[planet]\nname = \"T\" # inline\n\n[[subscription]]\nurl = \"http://a.example/feed\"\nname = \"Alice\"\n";
        fs::write(&path, original).unwrap();
        subscribe(&path, "http://b.example/feed", "Bob \"B\"").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "{text}");
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        assert_eq!(doc["subscription"][1]["name"].as_str(), Some("Bob \"B\""));
        assert!(subscribe(&path, "http://b.example/feed", "x").is_err());
        unsubscribe(&path, "http://b.example/feed").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), original);
    }
}
