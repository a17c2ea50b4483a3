//! `orrery expunge`: retention. Forgets feeds no longer subscribed, with
//! their entries, and keeps the newest `cache_keep_entries` entries of each
//! feed.

use std::process::ExitCode;

use super::update::{plural, PlanetArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    planet: PlanetArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.planet.options()?;
    super::preflight(&options)?;
    match orrery_planet::expunge(&options) {
        Ok(done) => {
            if args.planet.chatty() {
                let report = &done.report;
                let kept = done
                    .kept_per_feed
                    .map_or("no limit per feed".to_owned(), |n| {
                        format!("newest {} kept per feed", plural(n, "entry", "entries"))
                    });
                println!(
                    "expunged {} ({}) and {} ({kept})",
                    plural(
                        report.feeds_removed,
                        "unsubscribed feed",
                        "unsubscribed feeds"
                    ),
                    plural(report.entries_unsubscribed, "entry", "entries"),
                    plural(report.entries_over_limit, "older entry", "older entries")
                );
                for warning in &done.warnings {
                    println!("warning: {warning}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) if err.is_config() => Err(anyhow::anyhow!("{err}")),
        Err(err) => {
            eprintln!("orrery: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}
