//! A loopback HTTP server that serves a published planet and doubles as the
//! beacon: a request for `/hit?v=ID` is recorded, so a payload that runs
//! in the page can be told apart from one that only sat there.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tiny_http::{Header, Request, Response};

/// The path a payload requests when it runs.
pub const BEACON_PATH: &str = "/hit";

/// Serves files under a root directory on `127.0.0.1`; stops when dropped.
pub struct Server {
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds a free loopback port. `root` need not exist yet: the port is
    /// often needed to write the files it will serve.
    pub fn start(root: &Path) -> anyhow::Result<Self> {
        let http = tiny_http::Server::http("127.0.0.1:0").map_err(|e| anyhow::anyhow!("{e}"))?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| anyhow::anyhow!("server bound to a non-IP address"))?;
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (root, hits, stop) = (root.to_path_buf(), Arc::clone(&hits), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match http.recv_timeout(Duration::from_millis(50)) {
                        Ok(Some(request)) => answer(request, &root, &hits),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        };
        Ok(Self {
            port,
            hits,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URL a payload identified by `id` fetches when it runs.
    pub fn beacon_url(&self, id: &str) -> String {
        format!("{}{BEACON_PATH}?v={id}", self.origin())
    }

    /// The `v` values received so far, in order of arrival.
    pub fn hits(&self) -> Vec<String> {
        self.hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(request: Request, root: &Path, hits: &Mutex<Vec<String>>) {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = if path == BEACON_PATH {
        let id = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("v="))
            .unwrap_or(query);
        hits.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(id.to_owned());
        Response::from_data(Vec::new()).with_status_code(204)
    } else {
        match file_of(root, path).and_then(|p| fs::read(&p).ok().map(|body| (p, body))) {
            Some((p, body)) => {
                with_header(Response::from_data(body), "Content-Type", content_type(&p))
            }
            None => Response::from_data(b"not found".to_vec()).with_status_code(404),
        }
    };
    // The beacon must also hear payloads running in opaque origins (srcdoc, data:).
    let _ = request.respond(with_header(response, "Access-Control-Allow-Origin", "*"));
}

/// The file a URL path names under `root`, refusing anything that climbs out.
fn file_of(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn with_header<R: std::io::Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    match Header::from_bytes(name, value) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "xml" => "application/xml",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}
