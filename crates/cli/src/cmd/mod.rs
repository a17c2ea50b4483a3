//! One module per subcommand.

pub mod add;
pub mod blacklist;
pub mod check;
pub mod config;
pub mod expunge;
pub mod fetch;
pub mod init;
pub mod parse;
pub mod serve;
pub mod theme;
pub mod update;

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
