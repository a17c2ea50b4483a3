//! orrery-venus: what a planet moving from Planet Venus needs once, kept
//! apart from the pipeline that runs every time.
//!
//! [`migrate`] writes a Venus INI configuration as orrery's native TOML;
//! [`htmltmpl`] converts Venus's htmltmpl templates (`*.tmpl`) into
//! MiniJinja and imports a whole Venus theme directory as an orrery theme;
//! [`venus_manifest`] reads the lists of a Venus theme's `config.ini` for
//! that import. Reading Venus INI files itself is the configuration's
//! (orrery-config), since every run does it.

pub mod htmltmpl;
pub mod migrate;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use orrery_config::ini::{ini_source, Ini};

pub use htmltmpl::{import_theme, Imported, VenusManifest};

/// Why a Venus theme's `config.ini` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file's INI syntax errors, one a line.
    #[error("{0}")]
    Syntax(String),
    #[error(transparent)]
    Interpolation(#[from] orrery_config::ini::InterpolationError),
    #[error(transparent)]
    Cwd(std::io::Error),
}

/// `template_files` and `bill_of_materials` of the theme's `config.ini`,
/// read with Venus's INI rules; `None` when the directory has none.
pub fn venus_manifest(dir: &Path) -> Result<Option<VenusManifest>, ManifestError> {
    let path = dir.join("config.ini");
    if !path.is_file() {
        return Ok(None);
    }
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|f| {
            f.take(orrery_config::MAX_CONFIG_BYTES)
                .read_to_string(&mut text)
        })
        .map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
    let mut ini = Ini::new();
    let cwd = std::env::current_dir().map_err(ManifestError::Cwd)?;
    if let Err(errors) = ini.read_str(&text, &ini_source(&path, &cwd)) {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(ManifestError::Syntax(lines.join("\n")));
    }
    let list = |key: &str| -> Result<Vec<String>, ManifestError> {
        let value = ini.get("Planet", key)?.unwrap_or_default();
        Ok(value.split_whitespace().map(str::to_owned).collect())
    };
    Ok(Some(VenusManifest {
        template_files: list("template_files")?,
        bill_of_materials: list("bill_of_materials")?,
    }))
}
