//! `orrery config`: print the resolved planet configuration.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print as JSON.
    #[arg(long)]
    json: bool,
    /// Configuration files (Venus INI or TOML); later ones override earlier ones.
    #[arg(long = "config", short = 'c')]
    config: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let _ = (args.json, args.config);
    anyhow::bail!("not implemented yet")
}
