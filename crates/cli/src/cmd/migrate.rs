//! `orrery migrate`: write a Venus INI configuration as orrery's native TOML
//! (see [`orrery_venus::migrate`]).

use std::path::PathBuf;
use std::process::ExitCode;

use orrery_config::edit;
use orrery_venus::migrate;

#[derive(clap::Args)]
pub struct Args {
    /// The Venus INI configuration to convert [default: planet.ini or config.ini, the first
    /// found].
    #[arg(long = "config", short = 'c')]
    config: Option<PathBuf>,
    /// The TOML file (paths in it are written for its directory; on standard output, for
    /// the working directory).
    #[command(flatten)]
    output: super::OutputArgs,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    /// A directory of themes, searched after the working directory.
    #[arg(long = "theme-dir")]
    theme_dirs: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.path();
    let opts = super::load_options(&args.theme_dirs)?;
    let config = match &args.config {
        Some(path) => path.clone(),
        None => super::DEFAULT_CONFIG_NAMES
            .iter()
            .filter(|name| name.ends_with(".ini"))
            .map(PathBuf::from)
            .find(|name| opts.cwd.join(name).is_file())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no planet.ini or config.ini in {}; give the INI file with --config",
                    opts.cwd.display()
                )
            })?,
    };
    if let Some(path) = &output {
        let canonical = (path.canonicalize(), config.canonicalize());
        if matches!(canonical, (Ok(a), Ok(b)) if a == b) {
            anyhow::bail!("{} is the configuration being migrated", path.display());
        }
        if !args.force && opts.cwd.join(path).exists() {
            anyhow::bail!("{} exists; use --force to replace it", path.display());
        }
    }
    // On standard output, paths are written for a file in the working directory.
    let toml_path = output
        .clone()
        .unwrap_or_else(|| PathBuf::from("planet.toml"));
    let migration = migrate::ini_to_toml(&config, &toml_path, &opts)?;
    for note in &migration.notes {
        eprintln!("note: {note}");
    }
    match &output {
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
