//! `orrery migrate`: write a Venus INI configuration as orrery's native TOML
//! (see [`orrery_config::migrate`]).

use std::path::PathBuf;
use std::process::ExitCode;

use orrery_config::{edit, migrate};

#[derive(clap::Args)]
pub struct Args {
    /// The Venus INI configuration to convert.
    #[arg(long = "config", short = 'c', default_value = "config.ini")]
    config: PathBuf,
    /// Where to write the TOML file [default: standard output, for a file in
    /// the working directory].
    #[arg(long = "output", short = 'o')]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    /// A directory of themes, searched after the working directory.
    #[arg(long = "theme-dir")]
    theme_dirs: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = super::load_options(&args.theme_dirs)?;
    if let Some(path) = &args.output {
        let canonical = (path.canonicalize(), args.config.canonicalize());
        if matches!(canonical, (Ok(a), Ok(b)) if a == b) {
            anyhow::bail!("{} is the configuration being migrated", path.display());
        }
        if !args.force && opts.cwd.join(path).exists() {
            anyhow::bail!("{} exists; use --force to replace it", path.display());
        }
    }
    // On standard output, paths are written for a file in the working directory.
    let toml_path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("planet.toml"));
    let migration = migrate::ini_to_toml(&args.config, &toml_path, &opts)?;
    for note in &migration.notes {
        eprintln!("note: {note}");
    }
    match &args.output {
        Some(path) => {
            edit::replace_file(path, migration.toml.as_bytes())?;
            eprintln!(
                "wrote {}; check it with `orrery config -c {}`",
                path.display(),
                path.display()
            );
        }
        None => print!("{}", migration.toml),
    }
    Ok(ExitCode::SUCCESS)
}
