//! The accept loop: HTTP/1 connections with a deadline for every request
//! head, a bound on the read buffer, and a bound on open connections.
//!
//! A connection that sends nothing, or only part of a request head, is
//! closed when [`Limits::header_timeout`] passes; the same deadline runs
//! between the requests of a kept-alive connection, so an idle connection is
//! closed as well. At [`Limits::max_connections`] open, a new connection
//! closes the oldest one that is not in the middle of answering a request:
//! a flood of silent connections then costs each other their place, never a
//! visitor who asks for a page. With every connection busy the new one is
//! closed at once.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// How much the server lets its visitors hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most; past it the oldest idle one is closed.
    pub max_connections: usize,
    /// Time allowed for a request head to arrive, from the connection's
    /// start or the end of its previous answer.
    pub header_timeout: Duration,
    /// Bytes a connection may buffer while reading a request, and the
    /// longest request head (larger ones are answered 431).
    pub max_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            max_buffer: 64 * 1024,
        }
    }
}

/// The smallest read buffer hyper accepts.
pub const MIN_BUFFER: usize = 8192;

/// How long open requests may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(10);

/// One open connection, as the accept loop sees it.
struct Conn {
    /// Requests being answered right now.
    busy: AtomicUsize,
    /// Told when the connection is to be dropped for a newer one.
    evict: Notify,
}

/// The open connections, oldest first (ids only grow).
#[derive(Default)]
struct Table {
    next: u64,
    open: BTreeMap<u64, Arc<Conn>>,
    /// Most connections open at once since the table was last empty.
    peak: usize,
}

/// Connections open at once past which their going is worth giving memory
/// back for: a visitor or two leave nothing to trim.
const CROWD: usize = 64;

impl Table {
    fn lock(table: &Mutex<Table>) -> std::sync::MutexGuard<'_, Table> {
        table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes its connection from the table when the connection's task ends,
/// however it ends.
struct Registered {
    table: Arc<Mutex<Table>>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let crowd_gone = {
            let mut table = Table::lock(&self.table);
            table.open.remove(&self.id);
            let gone = table.open.is_empty() && table.peak >= CROWD;
            if table.open.is_empty() {
                table.peak = 0;
            }
            gone
        };
        if crowd_gone {
            crate::memory::release_free_memory();
        }
    }
}

/// Counts a request as being answered while alive.
struct Busy(Arc<Conn>);

impl Busy {
    fn new(conn: &Arc<Conn>) -> Busy {
        conn.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(conn))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves `router` on `listener` until `stopped` turns true, then stops
/// accepting and gives open requests [`DRAIN`] to finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let table = Arc::new(Mutex::new(Table::default()));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            () = crate::schedule::stopped(&mut stopped) => break,
        };
        let stream = match stream {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors, mostly: waiting lets the header
                // deadline close some.
                tracing::warn!("accepting a connection: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(registered) = admit(&table, limits.max_connections) else {
            tracing::warn!(
                "{} connections open, all answering: closing a new one",
                limits.max_connections
            );
            drop(stream);
            continue;
        };
        tokio::spawn(connection(
            stream,
            router.clone(),
            limits,
            registered,
            stopped.clone(),
        ));
    }
    drop(listener);
    let deadline = tokio::time::Instant::now() + DRAIN;
    while !Table::lock(&table).open.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Makes room for one more connection and registers it; `None` when every
/// open connection is answering a request.
fn admit(table: &Arc<Mutex<Table>>, max: usize) -> Option<(Registered, Arc<Conn>)> {
    let mut guard = Table::lock(table);
    if guard.open.len() >= max.max(1) {
        let idle = guard
            .open
            .iter()
            .find(|(_, conn)| conn.busy.load(Ordering::SeqCst) == 0)
            .map(|(&id, _)| id)?;
        if let Some(conn) = guard.open.remove(&idle) {
            // A stored permit: the task sees it even if not yet waiting.
            conn.evict.notify_one();
        }
    }
    let id = guard.next;
    guard.next += 1;
    let conn = Arc::new(Conn {
        busy: AtomicUsize::new(0),
        evict: Notify::new(),
    });
    guard.open.insert(id, Arc::clone(&conn));
    guard.peak = guard.peak.max(guard.open.len());
    Some((
        Registered {
            table: Arc::clone(table),
            id,
        },
        conn,
    ))
}

async fn connection(
    stream: TcpStream,
    router: Router,
    limits: Limits,
    (registered, conn): (Registered, Arc<Conn>),
    mut stopped: watch::Receiver<bool>,
) {
    let _registered = registered;
    let _ = stream.set_nodelay(true);
    let requests = Arc::clone(&conn);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let busy = Busy::new(&requests);
        let router = router.clone();
        async move {
            let response: Result<Response<Body>, Infallible> = router.oneshot(request).await;
            drop(busy);
            response
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_buffer.max(MIN_BUFFER))
        .max_header_size(limits.max_buffer.max(MIN_BUFFER))
        .keep_alive(true);
    let served = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(served);
    tokio::select! {
        result = served.as_mut() => {
            if let Err(err) = result {
                tracing::debug!("connection: {err}");
            }
        }
        () = conn.evict.notified() => {}
        () = crate::schedule::stopped(&mut stopped) => {
            served.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, served).await;
        }
    }
}
