//! A small HTTP/1.1 server on 127.0.0.1 written on raw sockets, so that tests
//! can make it misbehave byte by byte: stall, trickle, lie about lengths.

#![allow(dead_code)] // Each test binary uses a different part of it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Host header without its port.
    pub fn host(&self) -> String {
        let host = self.header("host").unwrap_or_default();
        host.rsplit_once(':').map_or(host, |(h, _)| h).to_owned()
    }
}

/// What the server does, in order, after reading a request.
pub enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
    /// Keep the connection open and never send anything more.
    Hang,
    /// Write chunks from the generator until it returns `None` or the client
    /// goes away.
    Stream(Box<dyn FnMut() -> Option<Vec<u8>> + Send>),
}

type Handler = dyn Fn(&Seen) -> Vec<Step> + Send + Sync;

#[derive(Default)]
struct Counts {
    now: HashMap<String, usize>,
    max: HashMap<String, usize>,
    total_now: usize,
    total_max: usize,
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    counts: Mutex<Counts>,
}

pub struct Server {
    pub addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Server {
    pub async fn start(handler: impl Fn(&Seen) -> Vec<Step> + Send + Sync + 'static) -> Server {
        Self::start_with(None, handler).await
    }

    /// An HTTPS server presenting tests/data/server.pem (issued by
    /// tests/data/ca.pem for "localhost" only).
    pub async fn start_tls(handler: impl Fn(&Seen) -> Vec<Step> + Send + Sync + 'static) -> Server {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
        let certs = CertificateDer::pem_file_iter(format!("{data}server.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(format!("{data}server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Self::start_with(Some(TlsAcceptor::from(Arc::new(config))), handler).await
    }

    async fn start_with(
        tls: Option<TlsAcceptor>,
        handler: impl Fn(&Seen) -> Vec<Step> + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = tokio::spawn({
            let state = Arc::clone(&state);
            async move {
                while let Ok((socket, _)) = listener.accept().await {
                    let state = Arc::clone(&state);
                    let handler = Arc::clone(&handler);
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        match tls {
                            None => serve(socket, state, handler).await,
                            Some(tls) => {
                                // A client that rejects the certificate ends here.
                                if let Ok(stream) = tls.accept(socket).await {
                                    serve(stream, state, handler).await;
                                }
                            }
                        }
                    });
                }
            }
        });
        Server {
            addr,
            state,
            accept,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.addr.port())
    }

    pub fn url_on(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    pub fn https_url_on(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr.port())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Most requests that were in progress at once for one Host.
    pub fn max_in_flight(&self, host: &str) -> usize {
        let counts = self.state.counts.lock().unwrap();
        counts.max.get(host).copied().unwrap_or(0)
    }

    /// Most requests that were in progress at once over all hosts.
    pub fn max_in_flight_total(&self) -> usize {
        self.state.counts.lock().unwrap().total_max
    }
}

/// Decrements the in-flight count however the connection ends.
struct InFlight {
    state: Arc<State>,
    host: String,
}

impl InFlight {
    fn enter(state: &Arc<State>, host: String) -> Self {
        let mut c = state.counts.lock().unwrap();
        let now = c.now.entry(host.clone()).or_default();
        *now += 1;
        let now = *now;
        let max = c.max.entry(host.clone()).or_default();
        *max = (*max).max(now);
        c.total_now += 1;
        c.total_max = c.total_max.max(c.total_now);
        InFlight {
            state: Arc::clone(state),
            host,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut c = self.state.counts.lock().unwrap();
        if let Some(n) = c.now.get_mut(&self.host) {
            *n -= 1;
        }
        c.total_now -= 1;
    }
}

async fn serve<S>(mut socket: S, state: Arc<State>, handler: Arc<Handler>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Some(seen) = read_request(&mut socket).await else {
        // What a real server does with a TLS handshake or other garbage.
        let _ = socket
            .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            .await;
        return;
    };
    state.seen.lock().unwrap().push(seen.clone());
    let _in_flight = InFlight::enter(&state, seen.host());
    for step in handler(&seen) {
        match step {
            Step::Send(bytes) => {
                if socket.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
            Step::Hang => std::future::pending::<()>().await,
            Step::Stream(mut next) => {
                while let Some(chunk) = next() {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
    let _ = socket.shutdown().await;
}

async fn read_request<S: AsyncRead + Unpin>(socket: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if !buf[0].is_ascii_uppercase() {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Seen { path, headers })
}

/// A complete response with `Content-Length` and `Connection: close`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<Step> {
    let mut bytes = head(status, headers);
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body);
    vec![Step::Send(bytes)]
}

/// Status line and headers, without the blank line that ends them.
pub fn head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.into_bytes()
}

pub fn redirect(status: u16, location: &str) -> Vec<Step> {
    response(status, &[("Location", location)], b"")
}

pub const FEED: &str =
    r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#;
