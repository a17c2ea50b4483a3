//! `orrery serve`: previews the published planet over HTTP, with `/healthz`
//! and `/metrics`; with `--every` it also keeps the planet up to date.
//! Stops cleanly on Ctrl-C and SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use orrery_serve::{ServeOptions, Server};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    planet: super::ConfigArgs,
    /// Address to listen on. Only this machine can connect unless another
    /// address is given here.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Update the planet in rounds at most this often (`30m`, `1h`), each
    /// fetching only the feeds due (their caching hints, failure back-off);
    /// without it the published files are only served.
    #[arg(long, value_parser = orrery_serve::parse_interval)]
    every: Option<Duration>,
    /// Open connections at most; past it a new connection closes the
    /// oldest one that is not answering a request.
    #[arg(long, default_value_t = orrery_serve::Limits::default().max_connections)]
    max_connections: usize,
    /// Time a connection has to send a request head, from its opening or
    /// from its previous answer (`10s`, `1m`); silent and idle connections
    /// are closed after it.
    #[arg(long, default_value = "10s", value_parser = orrery_serve::parse_interval)]
    header_timeout: Duration,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file (or journald, or a pipe) gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
    let planet = args.planet.options()?;
    super::preflight(&planet)?;
    let limits = orrery_serve::Limits {
        max_connections: fit_descriptors(args.max_connections.max(1)),
        header_timeout: args.header_timeout,
        ..orrery_serve::Limits::default()
    };
    let options = ServeOptions {
        planet,
        listen: args.listen,
        every: args.every,
        limits,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = Server::bind(options).await?;
        let addr = server.local_addr()?;
        if !addr.ip().is_loopback() {
            eprintln!("orrery: warning: listening on {addr}: reachable from other machines");
        }
        eprintln!(
            "orrery: serving {} at http://{addr}/ ({})",
            server.output_dir().display(),
            match args.every {
                Some(every) => format!("updating every {}", humantime::format_duration(every)),
                None => "not updating; run orrery update to refresh".to_owned(),
            }
        );
        server.run(orrery_serve::shutdown_signal()).await?;
        eprintln!("orrery: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Descriptors kept for the store, the published files and the fetcher.
const SPARE_DESCRIPTORS: u64 = 128;

/// Raises the soft limit on open files to the hard one and returns
/// `wanted`, lowered if needed so that the connections cannot use up the
/// descriptors: at the limit, accepting would fail and new visitors would
/// wait in the kernel's queue instead of being let in.
#[cfg(unix)]
fn fit_descriptors(wanted: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    let available = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return wanted;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
        limit.rlim_cur
    };
    let room =
        usize::try_from(available.saturating_sub(SPARE_DESCRIPTORS).max(16)).unwrap_or(usize::MAX);
    if wanted > room {
        eprintln!(
            "orrery: warning: at most {room} connections at once: the limit on open files is {available}"
        );
    }
    wanted.min(room)
}

#[cfg(not(unix))]
fn fit_descriptors(wanted: usize) -> usize {
    wanted
}
