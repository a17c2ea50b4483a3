//! A loopback HTTP server whose every byte is written by the test.
//!
//! No HTTP library sits in between, so a case can send what no well-behaved
//! server would: trickled headers, endless bodies, broken framing.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a blocked read or a pause looks at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// A request head longer than this is not read further.
const MAX_HEAD: usize = 64 * 1024;

/// One accepted connection, its request path already read.
pub struct Conn {
    stream: TcpStream,
    pub path: String,
    /// The request line and headers, as received.
    pub head: String,
    stop: Arc<AtomicBool>,
}

impl Conn {
    /// Writes `bytes`; false once the client has gone or the server stops.
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        self.write_all(bytes).is_ok()
    }

    /// Waits `time`; false if the server stops meanwhile.
    pub fn pause(&self, time: Duration) -> bool {
        let until = Instant::now() + time;
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
        true
    }

    /// Sends `bytes` one at a time, `every` apart, then keeps the connection
    /// open without a word until the client leaves.
    pub fn trickle(&mut self, bytes: &[u8], every: Duration) {
        for byte in bytes {
            if !self.send(std::slice::from_ref(byte)) || !self.pause(every) {
                return;
            }
        }
        self.hold();
    }

    /// Keeps the connection open, answering nothing, until the client closes
    /// it or the server stops.
    pub fn hold(&mut self) {
        let mut buf = [0u8; 1024];
        while !self.stop.load(Ordering::Relaxed) {
            match self.stream.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return,
            }
        }
    }
}

/// Writes straight to the socket, failing once the server stops, so that an
/// encoder can stream a body.
impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(ErrorKind::BrokenPipe.into());
        }
        self.stream.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// A whole response with `Content-Length`, closing the connection after it.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = head(status, headers);
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A status line and headers, plus `Connection: close`, without the blank
/// line that ends the head.
pub fn head(status: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.into_bytes()
}

/// `302 Found` to `location`.
pub fn redirect(conn: &mut Conn, location: &str) {
    conn.send(&response("302 Found", &[("Location", location)], b""));
}

type Handler = dyn Fn(&mut Conn) + Send + Sync;

/// Serves every connection on its own thread with `handler`. Dropping the
/// server stops the accept loop and tells open connections to end.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(handler: impl Fn(&mut Conn) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let stop = Arc::clone(&stop);
            let connections = Arc::clone(&connections);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::Relaxed);
                    let handler = Arc::clone(&handler);
                    let stop = Arc::clone(&stop);
                    thread::spawn(move || serve(stream, &*handler, stop));
                }
            })
        };
        Server {
            addr,
            stop,
            connections,
            accept: Some(accept),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, stop: Arc<AtomicBool>) {
    if stream.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let mut conn = Conn {
        stream,
        path: String::new(),
        head: String::new(),
        stop,
    };
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        if conn.stop.load(Ordering::Relaxed) {
            return;
        }
        match conn.stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    conn.path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    conn.head = head.into_owned();
    handler(&mut conn);
    let _ = conn.stream.flush();
    let _ = conn.stream.shutdown(std::net::Shutdown::Both);
}
