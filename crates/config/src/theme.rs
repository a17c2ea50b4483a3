//! Venus's theme merge: a theme is a directory with a `config.ini` that is
//! read *before* the user's configuration, so the user's values win, with
//! three list options combined instead of replaced.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ini::{py_split, Ini, Origin, SourceFile, Value};
use crate::Error;

/// The outcome of merging a theme.
#[derive(Debug, Clone)]
pub(crate) struct Theme {
    /// Venus's search order: the user's directories, the theme directory,
    /// each configuration file's directory, then the theme's own
    /// `template_directories` (relative to the theme directory).
    pub template_directories: Vec<PathBuf>,
}

/// Finds `name` the way Venus does: first relative to the working directory
/// (so a local copy shadows a shipped theme), then in each of `search`. Any
/// directory of that name is the theme: a Venus one has a `config.ini` to
/// merge, a native one a `theme.toml` (or nothing, for the default outputs).
pub(crate) fn find(name: &str, cwd: &Path, search: &[PathBuf]) -> Option<PathBuf> {
    std::iter::once(cwd)
        .chain(search.iter().map(PathBuf::as_path))
        .map(|base| cwd.join(base).join(name))
        .find(|dir| dir.is_dir())
}

/// Merges the theme in `dir` under `user`, returning the merged document.
/// `user_dirs` are the user's `template_directories`, already resolved.
pub(crate) fn merge(
    dir: &Path,
    user: Ini,
    user_dirs: Vec<PathBuf>,
    config_dirs: &[PathBuf],
    cwd: &Path,
    warnings: &mut Vec<String>,
) -> Result<(Ini, Theme), Error> {
    let theme_file = dir.join("config.ini");
    let source = Arc::new(SourceFile {
        path: theme_file.clone(),
        base_dir: cwd.to_owned(),
    });
    let text = crate::read_text(&theme_file, warnings)?;
    let mut theme = Ini::new();
    theme.read_str(&text, &source).map_err(Error::Syntax)?;

    let mut dirs = user_dirs;
    for extra in std::iter::once(dir.to_owned()).chain(config_dirs.iter().cloned()) {
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
    }
    for own in list(&theme, "template_directories")? {
        let joined = dir.join(own);
        if !dirs.contains(&joined) {
            dirs.push(joined);
        }
    }

    let mut bom = list(&theme, "bill_of_materials")?;
    let mut templates = list(&theme, "template_files")?;
    for item in list(&user, "bill_of_materials")? {
        if !bom.contains(&item) {
            bom.push(item);
        }
    }
    templates.extend(list(&user, "template_files")?);
    let mut merged = theme;
    merged.merge(user);

    let origin = Origin {
        file: source,
        line: 0,
    };
    for (key, items) in [("bill_of_materials", bom), ("template_files", templates)] {
        merged.set(
            "Planet",
            key,
            Value {
                text: items.join(" "),
                origin: origin.clone(),
                literal: true,
            },
        );
    }
    Ok((
        merged,
        Theme {
            template_directories: dirs,
        },
    ))
}

/// A `[Planet]` list option of one document, split on whitespace.
fn list(ini: &Ini, key: &str) -> Result<Vec<String>, Error> {
    Ok(ini
        .get("Planet", key)?
        .map(|v| py_split(&v).map(str::to_owned).collect())
        .unwrap_or_default())
}
