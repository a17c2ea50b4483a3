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

/// Which planet a command works on: its configuration files and where extra themes are.
#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Configuration files (Venus INI or TOML); later ones override earlier ones.
    #[arg(
        long = "config",
        short = 'c',
        default_value = "config.ini",
        global = true
    )]
    config: Vec<std::path::PathBuf>,
    /// A directory of themes, searched after the working directory.
    #[arg(long = "theme-dir", global = true)]
    theme_dirs: Vec<std::path::PathBuf>,
}

impl ConfigArgs {
    /// The pipeline's options for this planet.
    pub fn options(&self) -> anyhow::Result<orrery_planet::Options> {
        Ok(orrery_planet::Options {
            configs: self.config.clone(),
            load: load_options(&self.theme_dirs)?,
        })
    }
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
