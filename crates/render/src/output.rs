//! Writing into the output directory so that readers never see a half
//! written file: each file goes to a temporary name beside its target and
//! is renamed over it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::theme::Source;
use crate::Error;

/// Temporary files start with this, so an interrupted run's leftovers are
/// recognisable.
const TEMP_PREFIX: &str = ".orrery-";

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Removes the temporary files an interrupted run left in `dir` and its
/// subdirectories (two levels, as outputs are written), so they never pile up
/// in the published site. Only this program's own names are touched; the
/// caller holds the planet's lock, so no other run is writing them.
pub fn remove_leftovers(dir: &Path) -> usize {
    fn sweep(dir: &Path, depth: usize) -> usize {
        let Ok(entries) = fs::read_dir(dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() && depth > 0 {
                removed += sweep(&path, depth - 1);
            } else if kind.is_file()
                && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && fs::remove_file(&path).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }
    sweep(dir, 2)
}

/// Creates a temporary file in the directory of `target`.
fn temp_beside(target: &Path) -> Result<NamedTempFile, Error> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(io_error(dir))
}

/// Publishes a finished temporary file as `target`, readable by the web
/// server (temporary files are created private).
fn publish(temp: NamedTempFile, target: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = fs::Permissions::from_mode(0o644);
        fs::set_permissions(temp.path(), perms).map_err(io_error(temp.path()))?;
    }
    temp.as_file().sync_all().map_err(io_error(target))?;
    temp.persist(target).map_err(|e| Error::Io {
        path: target.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// An output being written to a temporary file beside its target. Outputs
/// are staged one at a time, so only one is ever held in memory, and all are
/// published only once every one has been written: a failing template leaves
/// the previous site whole. Dropping it removes the temporary file.
pub struct Staged {
    temp: io::BufWriter<NamedTempFile>,
    target: PathBuf,
}

impl Staged {
    /// Starts `dir/rel`.
    pub fn new(dir: &Path, rel: &Path) -> Result<Self, Error> {
        let target = dir.join(rel);
        let temp = io::BufWriter::new(temp_beside(&target)?);
        Ok(Self { temp, target })
    }

    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.temp
    }

    /// The error for a failed write into this output.
    pub fn write_error(&self, source: io::Error) -> Error {
        io_error(&self.target)(source)
    }

    /// Renames the finished file over its target.
    pub fn publish(self) -> Result<(), Error> {
        let Self { temp, target } = self;
        let temp = temp
            .into_inner()
            .map_err(|e| io_error(&target)(e.into_error()))?;
        publish(temp, &target)
    }
}

/// Copies a static file to `dir/rel` atomically.
pub fn copy_atomic(source: &Source, dir: &Path, rel: &Path) -> Result<(), Error> {
    let target = dir.join(rel);
    let mut temp = temp_beside(&target)?;
    match source {
        Source::Bundled(bytes) => temp.write_all(bytes).map_err(io_error(&target))?,
        Source::File(path) => {
            let mut file = fs::File::open(path).map_err(io_error(path))?;
            io::copy(&mut file, &mut temp).map_err(io_error(path))?;
        }
    }
    publish(temp, &target)
}
