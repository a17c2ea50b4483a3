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

/// Refuses a `dir` that is a symbolic link to nothing, by name.
pub fn check_dangling(dir: &Path) -> Result<(), Error> {
    match crate::dangling_link(dir) {
        Some(target) => Err(Error::DanglingLink {
            path: dir.to_path_buf(),
            target,
        }),
        None => Ok(()),
    }
}

/// A writer that keeps the error of a failed write, for callers (minijinja)
/// that replace it with their own.
pub struct Remember<W> {
    inner: W,
    pub error: Option<io::Error>,
}

impl<W: Write> Remember<W> {
    pub fn new(inner: W) -> Self {
        Remember { inner, error: None }
    }
}

impl<W: Write> Write for Remember<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .write(buf)
            .inspect_err(|e| self.error = Some(copy(e)))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner
            .flush()
            .inspect_err(|e| self.error = Some(copy(e)))
    }
}

/// The same error again (`io::Error` is not `Clone`).
fn copy(e: &io::Error) -> io::Error {
    e.raw_os_error().map_or_else(
        || io::Error::new(e.kind(), e.to_string()),
        io::Error::from_raw_os_error,
    )
}

/// Creates a temporary file in the directory of `target`.
fn temp_beside(target: &Path) -> Result<NamedTempFile, Error> {
    let dir = target.parent().unwrap_or(Path::new("."));
    check_dangling(dir)?;
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

/// The list of the files the last publishing wrote, in the output directory: the files a run
/// may remove when the next one no longer writes them (a theme switched, a face dropped).
/// Files orrery did not write are never on it, so never removed.
pub const MANIFEST: &str = ".orrery.written";

/// Removes the files the previous run wrote (by `dir`'s manifest) that `now` does not hold,
/// then records `now` as the manifest. Returns the files removed, relative to `dir`.
pub fn replace_manifest(dir: &Path, now: &[String]) -> Result<Vec<String>, Error> {
    let previous = fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let mut removed = Vec::new();
    for rel in previous.lines() {
        if rel.is_empty() || now.iter().any(|n| n == rel) {
            continue;
        }
        let Some(path) = crate::theme::safe_relative(rel) else {
            continue;
        };
        let target = dir.join(&path);
        let is_file = fs::symlink_metadata(&target).is_ok_and(|m| m.is_file());
        if is_file && fs::remove_file(&target).is_ok() {
            removed.push(rel.to_owned());
            // Directories left empty go too (never `dir` itself).
            let mut parent = target.parent();
            while let Some(p) = parent.filter(|p| *p != dir && p.starts_with(dir)) {
                if fs::remove_dir(p).is_err() {
                    break;
                }
                parent = p.parent();
            }
        }
    }
    let mut staged = Staged::new(dir, Path::new(MANIFEST))?;
    let mut text = String::new();
    for rel in now {
        text.push_str(rel);
        text.push('\n');
    }
    staged
        .writer()
        .write_all(text.as_bytes())
        .map_err(|e| staged.write_error(e))?;
    staged.publish()?;
    Ok(removed)
}

#[cfg(all(test, target_os = "linux"))]
mod full_disk {
    use super::*;

    /// `/dev/full` fails every write with ENOSPC, as a full disk does.
    #[test]
    fn a_full_disk_is_named_with_the_file() {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut writer = Remember::new(full);
        assert!(writer.write_all(b"<html>").is_err());
        let kept = writer.error.take().expect("the write's error is kept");
        assert_eq!(kept.kind(), io::ErrorKind::StorageFull);
        let message = io_error(Path::new("/srv/out/index.html"))(kept).to_string();
        assert_eq!(message, "/srv/out/index.html: no space left on device");
    }

    #[test]
    fn a_dangling_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        let message = check_dangling(&link).unwrap_err().to_string();
        assert!(message.contains("a dangling symbolic link"), "{message}");
        assert!(message.contains("gone, which does not exist"), "{message}");
        check_dangling(dir.path()).unwrap();
    }
}
