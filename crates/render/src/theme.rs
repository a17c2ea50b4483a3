//! Finding a theme and the files in it.
//!
//! As in Venus, a directory named like the theme next to the configuration
//! shadows the bundled theme of that name. The bundled themes are compiled
//! into the binary so a single executable can publish anywhere.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use include_dir::{include_dir, Dir};
use serde::Deserialize;

use crate::Error;

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../themes");

/// Templates and manifests larger than this are refused.
const MAX_TEXT_FILE: u64 = 4 * 1024 * 1024;
/// Templates and static files every theme can fall back on.
const COMMON: &str = "common";
const MANIFEST: &str = "theme.toml";
/// Suffix of template files: `index.html.jinja` renders `index.html`.
pub const TEMPLATE_SUFFIX: &str = ".jinja";

/// Outputs of a theme that has no manifest.
const DEFAULT_OUTPUTS: &[&str] = &[
    "index.html",
    "atom.xml",
    "rss20.xml",
    "rss10.xml",
    "opml.xml",
    "foafroll.xml",
    "feed.json",
    "status.html",
    "status.json",
];

/// A theme ready to publish with.
#[derive(Debug, Clone)]
pub struct Theme {
    name: String,
    root: Root,
    manifest: Manifest,
}

#[derive(Debug, Clone)]
enum Root {
    Dir(PathBuf),
    Bundled(&'static Dir<'static>),
}

/// `theme.toml`: what a theme publishes and which static files it needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    template_files: Vec<String>,
    #[serde(default)]
    bill_of_materials: Vec<String>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            template_files: DEFAULT_OUTPUTS.iter().map(|s| (*s).to_owned()).collect(),
            bill_of_materials: Vec::new(),
        }
    }
}

/// Where a theme file was found.
pub(crate) enum Source {
    File(PathBuf),
    Bundled(&'static [u8]),
}

impl Theme {
    /// Looks `name` up as Venus does: a directory of that name in
    /// `config_dir` first, then the bundled themes.
    pub fn locate(name: &str, config_dir: Option<&Path>) -> Result<Theme, Error> {
        if let Some(dir) = config_dir.map(|d| d.join(name)).filter(|d| d.is_dir()) {
            return Theme::from_dir(&dir);
        }
        Theme::bundled(name)
    }

    /// A theme in its own directory.
    pub fn from_dir(dir: &Path) -> Result<Theme, Error> {
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let root = Root::Dir(dir.to_path_buf());
        let manifest = read_manifest(&root)?;
        Ok(Theme {
            name,
            root,
            manifest,
        })
    }

    /// One of the themes compiled into the binary.
    pub fn bundled(name: &str) -> Result<Theme, Error> {
        let dir = safe_relative(name)
            .filter(|_| name != COMMON)
            .and_then(|rel| BUNDLED.get_dir(rel))
            .ok_or_else(|| Error::UnknownTheme(name.to_owned()))?;
        let root = Root::Bundled(dir);
        let manifest = read_manifest(&root)?;
        Ok(Theme {
            name: name.to_owned(),
            root,
            manifest,
        })
    }

    /// Names of the bundled themes.
    pub fn bundled_names() -> Vec<&'static str> {
        BUNDLED
            .dirs()
            .filter_map(|d| d.path().to_str())
            .filter(|n| *n != COMMON)
            .collect()
    }

    /// The files of a bundled theme, relative to the theme, so `orrery
    /// init` can give a planet its own copy to change.
    pub fn bundled_files(name: &str) -> Result<Vec<(PathBuf, &'static [u8])>, Error> {
        let Root::Bundled(dir) = Theme::bundled(name)?.root else {
            return Err(Error::UnknownTheme(name.to_owned()));
        };
        let mut files = Vec::new();
        let mut pending = vec![dir];
        while let Some(current) = pending.pop() {
            pending.extend(current.dirs());
            for file in current.files() {
                if let Ok(rel) = file.path().strip_prefix(dir.path()) {
                    files.push((rel.to_path_buf(), file.contents()));
                }
            }
        }
        files.sort();
        Ok(files)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn template_files(&self) -> &[String] {
        &self.manifest.template_files
    }

    pub(crate) fn bill_of_materials(&self) -> &[String] {
        &self.manifest.bill_of_materials
    }

    /// Finds `rel` in `dirs` (the planet's own directories), then in the
    /// theme, then among the common files.
    pub(crate) fn find(&self, dirs: &[PathBuf], rel: &str) -> Option<Source> {
        let rel = safe_relative(rel)?;
        dirs.iter()
            .map(|d| d.join(&rel))
            .find(|p| p.is_file())
            .map(Source::File)
            .or_else(|| find_in(&self.root, &rel))
            .or_else(|| {
                let common = Path::new(COMMON).join(&rel);
                BUNDLED
                    .get_file(common)
                    .map(|f| Source::Bundled(f.contents()))
            })
    }

    /// The text of a template, or `None` when no search place has it.
    pub(crate) fn read_template(
        &self,
        dirs: &[PathBuf],
        name: &str,
    ) -> Result<Option<String>, Error> {
        match self.find(dirs, name) {
            None => Ok(None),
            Some(source) => read_text(&source, name).map(Some),
        }
    }
}

fn find_in(root: &Root, rel: &Path) -> Option<Source> {
    match root {
        Root::Dir(dir) => Some(dir.join(rel))
            .filter(|p| p.is_file())
            .map(Source::File),
        Root::Bundled(dir) => {
            let path = dir.path().join(rel);
            dir.get_file(path).map(|f| Source::Bundled(f.contents()))
        }
    }
}

fn read_manifest(root: &Root) -> Result<Manifest, Error> {
    let Some(source) = find_in(root, Path::new(MANIFEST)) else {
        return Ok(Manifest::default());
    };
    let text = read_text(&source, MANIFEST)?;
    toml::from_str(&text).map_err(|e| Error::Theme {
        file: MANIFEST.to_owned(),
        message: e.to_string(),
    })
}

fn read_text(source: &Source, name: &str) -> Result<String, Error> {
    let bytes = match source {
        Source::Bundled(bytes) => bytes.to_vec(),
        Source::File(path) => {
            let io = |source| Error::Io {
                path: path.clone(),
                source,
            };
            let file = fs::File::open(path).map_err(io)?;
            let mut bytes = Vec::new();
            file.take(MAX_TEXT_FILE + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            if bytes.len() as u64 > MAX_TEXT_FILE {
                return Err(Error::Theme {
                    file: name.to_owned(),
                    message: format!("larger than {MAX_TEXT_FILE} bytes"),
                });
            }
            bytes
        }
    };
    String::from_utf8(bytes).map_err(|_| Error::Theme {
        file: name.to_owned(),
        message: "not UTF-8".to_owned(),
    })
}

/// `rel` as a path that stays inside whatever directory it is joined to:
/// relative, no `..`, no root or drive, not empty.
pub(crate) fn safe_relative(rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    let ok = !rel.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && path.components().any(|c| matches!(c, Component::Normal(_)));
    ok.then(|| {
        path.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_cannot_escape() {
        assert_eq!(
            safe_relative("images/a.png"),
            Some(PathBuf::from("images/a.png"))
        );
        assert_eq!(safe_relative("./a.png"), Some(PathBuf::from("a.png")));
        for bad in ["", ".", "../a", "a/../../b", "/etc/passwd", "a/.."] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn bundled_themes_are_complete() {
        let mut names = Theme::bundled_names();
        names.sort_unstable();
        assert_eq!(names, ["classic_fancy", "orrery"]);
        for name in names {
            let theme = Theme::bundled(name).unwrap();
            for file in theme
                .bill_of_materials()
                .iter()
                .filter(|f| !f.contains("#{"))
            {
                assert!(theme.find(&[], file).is_some(), "{name}: {file}");
            }
        }
        assert!(Theme::bundled("common").is_err());
        let files = Theme::bundled_files("classic_fancy").unwrap();
        let names: Vec<_> = files.iter().map(|(p, _)| p.to_str().unwrap()).collect();
        assert!(names.contains(&"index.html.jinja"), "{names:?}");
        assert!(names.contains(&"images/feed-icon-10x10.svg"), "{names:?}");
        assert!(names.contains(&"theme.toml"), "{names:?}");
        assert!(Theme::bundled("../themes").is_err());
    }
}
