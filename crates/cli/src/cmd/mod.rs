//! One module per subcommand.

pub mod add;
pub mod blacklist;
pub mod check;
pub mod config;
pub mod expunge;
pub mod fetch;
pub mod init;
pub mod migrate;
pub mod opml;
pub mod parse;
pub mod serve;
pub mod theme;
pub mod update;

use std::path::{Path, PathBuf};

/// Which planet a command works on: its configuration files and where extra themes are.
#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Configuration files (Venus INI or TOML); later ones override earlier ones
    /// [default: the first of planet.ini, config.ini, planet.toml, config.toml found in the
    /// working directory].
    #[arg(long = "config", short = 'c', global = true)]
    config: Vec<std::path::PathBuf>,
    /// A directory of themes, searched after the working directory.
    #[arg(long = "theme-dir", global = true)]
    theme_dirs: Vec<std::path::PathBuf>,
}

impl ConfigArgs {
    /// The pipeline's options for this planet.
    pub fn options(&self) -> anyhow::Result<orrery_planet::Options> {
        let load = load_options(&self.theme_dirs)?;
        Ok(orrery_planet::Options {
            configs: config_files(&self.config, &load.cwd)?,
            load,
        })
    }
}

/// The names a planet's configuration is looked for under, in this order, when no `--config`
/// is given: `orrery init` writes the first; Venus's documentation used the second.
pub const DEFAULT_CONFIG_NAMES: &[&str] =
    &["planet.ini", "config.ini", "planet.toml", "config.toml"];

/// The configuration files a command reads: those given, else the first of
/// [`DEFAULT_CONFIG_NAMES`] found in `cwd`. Every command uses this one rule.
pub fn config_files(given: &[PathBuf], cwd: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    match DEFAULT_CONFIG_NAMES.iter().find(|name| cwd.join(name).is_file()) {
        Some(name) => Ok(vec![PathBuf::from(name)]),
        None => anyhow::bail!(
            "no configuration file in {}: none of {} exists (give one with --config, or create a planet with `orrery init DIR`)",
            cwd.display(),
            DEFAULT_CONFIG_NAMES.join(", ")
        ),
    }
}

/// [`config_files`] for the commands that read or change one file.
pub fn config_file(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let given: Vec<PathBuf> = given.map(Path::to_owned).into_iter().collect();
    let mut files = config_files(&given, &cwd)?;
    Ok(files.remove(0))
}

/// How configurations are loaded from the command line: relative to the working directory, with
/// the themes built into this binary known to exist.
pub fn load_options(
    theme_dirs: &[std::path::PathBuf],
) -> anyhow::Result<orrery_config::LoadOptions> {
    let mut load = orrery_config::LoadOptions::from_current_dir()?;
    load.theme_dirs = theme_dirs.to_vec();
    load.builtin_themes = orrery_render::Theme::bundled_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    Ok(load)
}

/// `--output FILE` of the commands that write one document, and the deprecated `-o FILE`
/// (`-o` means `--offline` in `update` and `check`, as Venus's `planet.py -o`).
#[derive(clap::Args)]
pub struct OutputArgs {
    /// Where to write it [default: standard output].
    #[arg(long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The former spelling of --output.
    #[arg(
        short = 'o',
        value_name = "FILE",
        hide = true,
        conflicts_with = "output"
    )]
    output_short: Option<PathBuf>,
}

impl OutputArgs {
    /// The file asked for, with a notice when it was given the deprecated way.
    pub fn path(self) -> Option<PathBuf> {
        if self.output_short.is_some() {
            eprintln!(
                "orrery: warning: `-o FILE` is deprecated here, write `--output FILE` (`-o` means --offline in update and check)"
            );
        }
        self.output.or(self.output_short)
    }
}

/// Prints the configuration warnings every command shows (misspelt or unknown options,
/// malformed lines), on standard error.
pub fn show_attention(attention: &[String]) {
    for warning in attention {
        eprintln!("orrery: warning: {warning}");
    }
}

/// Loads and resolves the planet's configuration as a run would (without the network), for
/// the commands that do not otherwise: a broken configuration stops them with its file and
/// line, and its warnings are shown.
pub fn preflight(options: &orrery_planet::Options) -> anyhow::Result<()> {
    let resolved = orrery_config::Config::load(&options.configs, &options.load)?.resolve()?;
    show_attention(&resolved.attention);
    Ok(())
}
