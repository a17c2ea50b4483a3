//! Importing a whole Venus theme directory: templates converted, static
//! files copied, `config.ini`'s lists carried into `theme.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use orrery_render::{Error, ENGINE_EXTENSIONS, TEMPLATE_SUFFIX};

/// A theme with more files than this is refused.
const MAX_FILES: usize = 10_000;
/// Directories nested deeper than this are refused.
const MAX_DEPTH: usize = 32;
/// Static files larger than this are refused.
const MAX_STATIC_BYTES: u64 = 64 * 1024 * 1024;
const VENUS_CONFIG: &str = "config.ini";
const MANIFEST: &str = "theme.toml";

/// The `[Planet]` lists of a Venus theme's `config.ini`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VenusManifest {
    /// Venus names, e.g. `index.html.tmpl` or `atom.xml.xslt`.
    pub template_files: Vec<String>,
    pub bill_of_materials: Vec<String>,
}

/// What an import wrote, relative to the destination.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub converted: Vec<String>,
    pub copied: Vec<String>,
    /// `theme.toml`, when a manifest was given.
    pub manifest: Option<String>,
    /// Files left behind, and why.
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    template_files: Vec<&'a str>,
    bill_of_materials: &'a [String],
}

/// Converts the Venus theme in `src` into an orrery theme in `dst` (which
/// may be `src` itself: the converted files then sit beside the originals).
/// Nothing is written unless every template converts, and existing files
/// are only replaced when `overwrite` is set.
pub fn import_theme(
    src: &Path,
    dst: &Path,
    manifest: Option<&VenusManifest>,
    overwrite: bool,
) -> Result<Imported, Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let root = fs::canonicalize(src).map_err(io(src))?;
    let target = fs::canonicalize(dst).ok();
    let in_place = target.as_ref() == Some(&root);
    let mut imported = Imported::default();
    let mut writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut copies: Vec<(PathBuf, PathBuf)> = Vec::new();
    // A destination inside the source (from an earlier import) is not source.
    let skip = target.filter(|t| !in_place && t.starts_with(&root));
    for rel in walk(&root, skip.as_deref(), &mut imported.warnings)? {
        let name = rel.to_string_lossy().into_owned();
        let source = root.join(&rel);
        if name == VENUS_CONFIG || name.ends_with(".tmplc") {
            continue;
        }
        if let Some(output) = name.strip_suffix(".tmpl") {
            if rel.starts_with(super::INCLUDE_DIR) {
                continue;
            }
            let text = super::convert_file(&source, &root)?;
            let target = format!("{output}{TEMPLATE_SUFFIX}");
            writes.push((PathBuf::from(&target), text.into_bytes()));
            imported.converted.push(target);
        } else if let Some(ext) = ENGINE_EXTENSIONS.iter().find(|e| name.ends_with(**e)) {
            imported.warnings.push(format!(
                "{name}: {ext} templates are not converted; orrery generates the \
                 standard feeds (atom.xml, rss20.xml, ...) itself"
            ));
        } else if !in_place {
            let size = fs::metadata(&source).map_err(io(&source))?.len();
            if size > MAX_STATIC_BYTES {
                return Err(Error::Theme {
                    file: name,
                    message: format!("larger than {MAX_STATIC_BYTES} bytes"),
                });
            }
            copies.push((source, rel));
            imported.copied.push(name);
        }
    }
    match manifest {
        Some(m) => {
            let text = manifest_text(m)?;
            writes.push((PathBuf::from(MANIFEST), text.into_bytes()));
            imported.manifest = Some(MANIFEST.to_owned());
        }
        None => imported.warnings.push(format!(
            "no {VENUS_CONFIG}: no {MANIFEST} written, so orrery's default outputs apply"
        )),
    }
    if !overwrite {
        let targets = writes
            .iter()
            .map(|(rel, _)| rel)
            .chain(copies.iter().map(|(_, rel)| rel));
        if let Some(existing) = targets.map(|rel| dst.join(rel)).find(|p| p.exists()) {
            return Err(Error::Theme {
                file: existing.display().to_string(),
                message: "already exists".to_owned(),
            });
        }
    }
    for (rel, bytes) in writes {
        let path = dst.join(rel);
        create_parent(&path)?;
        fs::write(&path, bytes).map_err(io(&path))?;
    }
    for (source, rel) in copies {
        let path = dst.join(rel);
        create_parent(&path)?;
        fs::copy(&source, &path).map_err(io(&path))?;
    }
    Ok(imported)
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(parent) => fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

/// `theme.toml` from Venus's lists: engine extensions dropped (outputs
/// without a template are orrery's built-in feeds).
fn manifest_text(venus: &VenusManifest) -> Result<String, Error> {
    let mut outputs: Vec<&str> = Vec::new();
    for raw in &venus.template_files {
        let name = ENGINE_EXTENSIONS
            .iter()
            .find_map(|ext| raw.strip_suffix(ext))
            .unwrap_or(raw);
        if !outputs.contains(&name) {
            outputs.push(name);
        }
    }
    let manifest = Manifest {
        template_files: outputs,
        bill_of_materials: &venus.bill_of_materials,
    };
    let body = toml::to_string(&manifest).map_err(|e| Error::Theme {
        file: MANIFEST.to_owned(),
        message: e.to_string(),
    })?;
    Ok(format!("# Imported from a Planet Venus theme.\n{body}"))
}

/// Every regular file under `root`, relative, sorted; symbolic links,
/// hidden entries (version control) and the directory `skip` are left out.
fn walk(
    root: &Path,
    skip: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut pending = vec![(PathBuf::new(), 0)];
    while let Some((rel, depth)) = pending.pop() {
        let dir = root.join(&rel);
        let io = |source| Error::Io {
            path: dir.clone(),
            source,
        };
        for entry in fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let child = rel.join(&name);
            let kind = entry.file_type().map_err(io)?;
            if kind.is_dir() {
                if skip == Some(root.join(&child).as_path()) {
                    continue;
                }
                if depth + 1 > MAX_DEPTH {
                    return Err(Error::Theme {
                        file: child.display().to_string(),
                        message: format!("directories nested deeper than {MAX_DEPTH}"),
                    });
                }
                pending.push((child, depth + 1));
            } else if kind.is_file() {
                if files.len() >= MAX_FILES {
                    return Err(Error::Theme {
                        file: root.display().to_string(),
                        message: format!("more than {MAX_FILES} files"),
                    });
                }
                files.push(child);
            } else {
                warnings.push(format!("{}: not a regular file, skipped", child.display()));
            }
        }
    }
    files.sort();
    Ok(files)
}
