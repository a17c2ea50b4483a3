//! A temporary planet of local-file feeds, and a raw HTTP client that sends
//! request targets exactly as written (a URL library would resolve `..`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use orrery_planet::Options;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Planet {
    pub dir: tempfile::TempDir,
}

impl Planet {
    /// A planet subscribed to one local Atom feed holding `titles`.
    pub fn new(extra_planet_options: &str, titles: &[&str]) -> Planet {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[Planet]\nname = Loopback Planet\nlink = http://127.0.0.1/\n\
             cache_directory = cache\noutput_dir = out\n{extra_planet_options}\n\n\
             [feed.xml]\nname = Alice\n"
        );
        std::fs::write(dir.path().join("planet.ini"), config).unwrap();
        let planet = Planet { dir };
        planet.write_feed(titles, SystemTime::now());
        planet
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn options(&self) -> Options {
        Options {
            configs: vec![PathBuf::from("planet.ini")],
            load: orrery_config::LoadOptions {
                cwd: self.path().to_owned(),
                theme_dirs: Vec::new(),
                builtin_themes: Vec::new(),
            },
        }
    }

    /// Rewrites the feed with a modification time of `mtime`: local feeds are
    /// conditional on it, to the second.
    pub fn write_feed(&self, titles: &[&str], mtime: SystemTime) {
        let entries: String = titles
            .iter()
            .enumerate()
            .map(|(i, title)| {
                format!(
                    "<entry><id>urn:test:{i}</id><title>{title}</title>\
                     <link href=\"http://example.org/{i}\"/>\
                     <updated>2024-01-0{}T00:00:00Z</updated>\
                     <content>Text of {title}</content></entry>",
                    i + 1
                )
            })
            .collect();
        let feed = format!(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <id>urn:test</id><title>Alice's feed</title>\
             <link href=\"http://example.org/\"/>\
             <updated>2024-01-01T00:00:00Z</updated>{entries}</feed>"
        );
        let path = self.path().join("feed.xml");
        std::fs::write(&path, feed).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(mtime).unwrap();
    }

    pub fn publish(&self) {
        let summary = orrery_planet::run(
            &self.options(),
            orrery_planet::Mode::Update,
            &mut orrery_planet::Quiet,
        )
        .unwrap();
        assert_eq!(summary.failed().count(), 0, "{summary:?}");
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request with `target` verbatim and reads the answer.
pub async fn request(addr: std::net::SocketAddr, method: &str, target: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head =
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .expect("answer in time")
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Reads OpenMetrics text: every sample line as `name{labels}` → value, with
/// the grammar checked line by line.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.pop(), Some("# EOF"), "OpenMetrics ends with # EOF");
    for line in lines {
        if let Some(comment) = line.strip_prefix("# ") {
            let kind = comment.split(' ').next().unwrap_or_default();
            assert!(["HELP", "TYPE", "UNIT"].contains(&kind), "comment {line:?}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name and value");
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(|c: char| c.is_ascii_digit()),
            "metric name in {line:?}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "labels in {line:?}");
        }
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("value in {line:?}"));
        samples.insert(series.to_owned(), value);
    }
    samples
}
