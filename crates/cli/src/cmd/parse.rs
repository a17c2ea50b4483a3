//! `orrery parse`: parse one feed file.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the full result as JSON (the conformance schema).
    #[arg(long)]
    json: bool,
    /// The document's URL, as if it had been fetched from there.
    #[arg(long)]
    url: Option<String>,
    /// An HTTP response header, `Name: value`, as if the file had been fetched.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// The feed file.
    file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let _ = (args.json, args.url, args.headers, args.file);
    anyhow::bail!("not implemented yet")
}
