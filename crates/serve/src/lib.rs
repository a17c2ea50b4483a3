//! orrery-serve: a planet as a long-running service.
//!
//! [`Server`] serves the published `output_dir` over HTTP for preview, with
//! `/healthz` and a Prometheus `/metrics`, and with an update interval keeps
//! the planet fresh by itself. It knows HTTP and the planet (`orrery_planet`)
//! and nothing of feeds or fetching.
//!
//! # Scheduling
//!
//! With an interval, the planet is updated in rounds, one at a time. A round
//! fetches only the feeds that are due: each fetch records when its feed is
//! due again, from `Cache-Control`, `Expires`, the RSS `ttl`, `Retry-After`
//! and a back-off for failing feeds, never sooner than one interval and never
//! later than a day or one interval, whichever is longer (the rules are in
//! `orrery_planet`'s scheduling). The next round starts when the earliest feed
//! is due, but not sooner than one interval after the last one started, and at
//! least hourly (or every interval, when longer) so that new subscriptions are
//! picked up. The site is rebuilt only when a feed brought a
//! new copy or a feed started or stopped failing; a feed not due keeps its
//! entries and its failing state.

mod listen;
mod memory;
mod metrics;
mod schedule;
mod site;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use listen::{Limits, MIN_BUFFER};
use metrics::Metrics;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] orrery_config::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("serving: {0}")]
    Serve(std::io::Error),
}

/// What to serve and how often to update.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub planet: orrery_planet::Options,
    pub listen: SocketAddr,
    /// Update the planet this often; `None` only serves what is published.
    pub every: Option<Duration>,
    /// What visitors may hold: connections, time to send a request, buffer.
    pub limits: Limits,
}

/// Shortest update interval accepted: anything shorter is a typo, and would
/// fetch other people's feeds in a loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// Reads an interval such as `30m`, `1h` or `1h 30m`.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let every = humantime::parse_duration(text.trim()).map_err(|e| format!("{text:?}: {e}"))?;
    if every < MIN_INTERVAL {
        return Err(format!(
            "{text:?}: shorter than {}",
            humantime::format_duration(MIN_INTERVAL)
        ));
    }
    Ok(every)
}

/// The state of the updates, for `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Health {
    /// No updates are run: healthy when something has been published.
    ServingOnly,
    /// The first update has not finished yet.
    Starting,
    Ok,
    Failed(String),
}

/// What the request handlers and the scheduler share.
struct Shared {
    output_dir: PathBuf,
    health: Mutex<Health>,
    metrics: Metrics,
}

impl Shared {
    fn health(&self) -> Health {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_health(&self, health: Health) {
        *self.health.lock().unwrap_or_else(PoisonError::into_inner) = health;
    }
}

/// A bound server, not yet answering.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    options: ServeOptions,
}

impl Server {
    /// Reads the configuration (for `output_dir`) and binds the address; port
    /// 0 picks a free port, see [`Server::local_addr`].
    pub async fn bind(options: ServeOptions) -> Result<Server, Error> {
        let config = orrery_config::load(&options.planet.configs, &options.planet.load)?;
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: options.listen,
                source,
            })?;
        let health = if options.every.is_some() {
            Health::Starting
        } else {
            Health::ServingOnly
        };
        let shared = Arc::new(Shared {
            output_dir: config.planet.output_dir,
            health: Mutex::new(health),
            metrics: Metrics::new(),
        });
        Ok(Server {
            listener,
            shared,
            options,
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.listener.local_addr().map_err(Error::Serve)
    }

    /// The published directory being served.
    pub fn output_dir(&self) -> &std::path::Path {
        &self.shared.output_dir
    }

    /// Serves (and updates, with an interval) until `shutdown` completes,
    /// then stops accepting, lets open requests finish (for a while) and waits a little
    /// for a running update before abandoning it. An abandoned update loses
    /// nothing: each feed is stored in its own transaction.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let scheduler = self.options.every.map(|every| {
            tokio::spawn(schedule::run(
                self.options.planet.clone(),
                every,
                Arc::clone(&self.shared),
                stop_rx.clone(),
            ))
        });
        listen::serve(
            self.listener,
            site::router(Arc::clone(&self.shared)),
            self.options.limits,
            stop_rx,
        )
        .await;
        if let Some(scheduler) = scheduler {
            let _ = scheduler.await;
        }
        Ok(())
    }
}

/// Completes on Ctrl-C, or on SIGTERM on Unix: what `orrery serve` stops on.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_interval(" 1h "), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_interval("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("500ms").is_err());
        assert!(parse_interval("soon").is_err());
        assert!(parse_interval("").is_err());
    }
}
