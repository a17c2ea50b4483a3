//! `orrery fetch`: fetch and store every feed without publishing (a later
//! `orrery update --offline` publishes).

use std::process::ExitCode;

use orrery_planet::Mode;

use super::update::{run_mode, PlanetArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    planet: PlanetArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    run_mode(&args.planet, Mode::Fetch)
}
