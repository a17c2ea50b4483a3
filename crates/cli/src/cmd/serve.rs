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
    let options = ServeOptions {
        planet,
        listen: args.listen,
        every: args.every,
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
