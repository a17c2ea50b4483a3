//! `orrery check`: lints a configuration and, unless `--offline`, fetches
//! every feed once. Exit status 0: no problems; 1: problems found (listed);
//! 2: the configuration could not be read.

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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.planet.options()?;
    let report = orrery_serve::check::check(&options, args.offline)?;
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
