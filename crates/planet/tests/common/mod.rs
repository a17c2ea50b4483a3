//! A minimal HTTP server on 127.0.0.1 that counts requests, and a temporary
//! planet subscribed to it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use orrery_config::LoadOptions;
use orrery_planet::{run, FeedOutcome, Mode, Options, Quiet, Summary};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What the server answers for one path.
#[derive(Clone)]
pub enum Reply {
    Feed {
        etag: String,
        body: String,
    },
    /// Bytes as they are, with the given Content-Type (for lying charsets).
    Raw {
        content_type: &'static str,
        body: Vec<u8>,
    },
    Status(u16, &'static str),
    /// A status with extra header lines (each ending in CRLF).
    StatusWith(u16, &'static str, &'static str),
    MovedPermanently(String),
    /// Like `Feed`, with extra header lines (each ending in CRLF) on the 200
    /// and the 304: freshness hints.
    Hinted {
        etag: String,
        headers: String,
        body: String,
    },
}

#[derive(Default)]
struct State {
    replies: HashMap<String, Reply>,
    /// Per path: the `If-None-Match` of every request (empty when absent).
    requests: HashMap<String, Vec<String>>,
    /// Per path: when each request arrived.
    times: HashMap<String, Vec<Instant>>,
}

/// A minimal HTTP/1.1 server: one request per connection.
pub struct Server {
    addr: String,
    state: Arc<Mutex<State>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let state = Arc::new(Mutex::new(State::default()));
        let (stop_tx, stop_rx) = oneshot::channel();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let shared = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx
                    .send(listener.local_addr().unwrap().to_string())
                    .unwrap();
                let serve = async {
                    loop {
                        let (socket, _) = listener.accept().await.unwrap();
                        tokio::spawn(answer(socket, Arc::clone(&shared)));
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            addr,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .replies
            .insert(path.to_owned(), reply);
    }

    pub fn requests(&self, path: &str) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .requests
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    /// The gaps between the requests for `path`.
    pub fn gaps(&self, path: &str) -> Vec<Duration> {
        let state = self.state.lock().unwrap();
        let times = state.times.get(path).cloned().unwrap_or_default();
        times.windows(2).map(|w| w[1] - w[0]).collect()
    }

    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn answer(mut socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let if_none_match = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("if-none-match"))
        })
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let reply = {
        let mut state = state.lock().unwrap();
        state
            .requests
            .entry(path.clone())
            .or_default()
            .push(if_none_match.clone());
        state
            .times
            .entry(path.clone())
            .or_default()
            .push(Instant::now());
        state.replies.get(&path).cloned()
    };
    if let Some(Reply::Raw { content_type, body }) = &reply {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.write_all(body).await;
        let _ = socket.shutdown().await;
        return;
    }
    let response = match reply {
        None | Some(Reply::Raw { .. }) => status_line(404, "Not Found", ""),
        Some(Reply::Status(code, reason)) => status_line(code, reason, ""),
        Some(Reply::StatusWith(code, reason, headers)) => status_line(code, reason, headers),
        Some(Reply::MovedPermanently(to)) => {
            status_line(301, "Moved Permanently", &format!("Location: {to}\r\n"))
        }
        Some(Reply::Feed { etag, body }) => feed(&etag, "", &body, &if_none_match),
        Some(Reply::Hinted {
            etag,
            headers,
            body,
        }) => feed(&etag, &headers, &body, &if_none_match),
    };
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

fn status_line(code: u16, reason: &str, extra: &str) -> String {
    format!("HTTP/1.1 {code} {reason}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
}

/// An Atom feed with `(id, title, date)` entries.
fn feed(etag: &str, headers: &str, body: &str, if_none_match: &str) -> String {
    if etag == if_none_match {
        return format!(
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n{headers}Connection: close\r\n\r\n"
        );
    }
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nETag: {etag}\r\n\
         {headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

pub fn atom(name: &str, entries: &[(&str, &str, &str)]) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{name}</title><id>urn:feed:{name}</id><updated>2024-05-01T00:00:00Z</updated>\
         <link href=\"http://{name}.example/\"/><author><name>{name} author</name></author>"
    );
    for (id, title, date) in entries {
        doc.push_str(&format!(
            "<entry><id>urn:entry:{id}</id><title>{title}</title><updated>{date}</updated>\
             <link href=\"http://{name}.example/{id}\"/><content type=\"html\">&lt;p&gt;Body of {title}&lt;/p&gt;</content></entry>"
        ));
    }
    doc.push_str("</feed>");
    doc
}

pub struct Planet {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Planet {
    pub fn new(feeds: &[(&str, String)], extra: &str) -> Planet {
        let mut sections = String::new();
        for (name, url) in feeds {
            sections.push_str(&format!("\n[{url}]\nname = {name}\n"));
        }
        Planet::with_sections(extra, &sections)
    }

    pub fn with_sections(extra: &str, sections: &str) -> Planet {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let mut ini = format!(
            "[Planet]\nname = Test Planet\nlink = http://planet.example/\noutput_theme = classic_fancy\n\
             cache_directory = cache\noutput_dir = output\nitems_per_page = 20\n{extra}\n"
        );
        ini.push_str(sections);
        fs::write(root.join("planet.ini"), ini).unwrap();
        Planet { _dir: dir, root }
    }

    pub fn options(&self) -> Options {
        Options {
            configs: vec![PathBuf::from("planet.ini")],
            load: LoadOptions {
                cwd: self.root.clone(),
                theme_dirs: Vec::new(),
                builtin_themes: Vec::new(),
            },
        }
    }

    pub fn run(&self, mode: Mode) -> Summary {
        run(&self.options(), mode, &mut Quiet).unwrap()
    }

    /// A round of a planet updated every `interval`.
    pub fn fetch_due(&self, interval: Duration) -> Summary {
        orrery_planet::fetch_due(&self.options(), interval, &mut Quiet).unwrap()
    }

    pub fn index(&self) -> String {
        fs::read_to_string(self.root.join("output/index.html")).unwrap()
    }

    pub fn output(&self) -> &Path {
        &self.root
    }
}

pub fn outcome<'a>(summary: &'a Summary, url: &str) -> &'a FeedOutcome {
    &summary
        .feeds
        .iter()
        .find(|f| f.url == url)
        .unwrap_or_else(|| panic!("no report for {url}"))
        .outcome
}
