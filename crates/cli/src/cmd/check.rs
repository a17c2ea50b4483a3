//! `orrery check`: lints a configuration and, unless `--offline`, fetches
//! every feed once. Exit status 0: no problems; 1: problems found (listed);
//! 2: the configuration could not be read. The planet's store is checked
//! too (SQLite's integrity check); `--repair` moves a damaged one aside.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    planet: super::ConfigArgs,
    /// Print the report as JSON, for scripts.
    #[arg(long)]
    json: bool,
    /// Check the configuration only; fetch nothing.
    #[arg(long, short = 'o')]
    offline: bool,
    /// Check the store only, and if it is damaged move it aside (to
    /// `orrery.db.corrupt-TIMESTAMP`) and start a new one, keeping the
    /// blacklist when it can be read; the next update refetches every feed.
    #[arg(long, conflicts_with_all = ["json", "offline"])]
    repair: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.planet.options()?;
    if args.repair {
        return repair(&options);
    }
    let report = orrery_planet::check::check(&options, args.offline)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn repair(options: &orrery_planet::Options) -> anyhow::Result<ExitCode> {
    match orrery_planet::repair_store(options)? {
        orrery_planet::Repair::Missing { path } => {
            println!("{}: no store yet; nothing to repair", path.display());
        }
        orrery_planet::Repair::Healthy { path } => {
            println!(
                "{}: passes the integrity check; nothing to repair",
                path.display()
            );
        }
        orrery_planet::Repair::MovedAside {
            path,
            aside,
            problems,
            blacklisted,
        } => {
            for problem in &problems {
                println!("store: {}: {problem}", path.display());
            }
            println!(
                "moved the damaged store to {}\nstarted a new store at {} (blacklist: {blacklisted} ids kept)\nthe next `orrery update` refetches every feed; entries the feeds no longer carry are gone",
                aside.display(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
