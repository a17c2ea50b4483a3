//! One run at a time per planet. Two overlapping runs would not corrupt the database (SQLite
//! serializes writers), but they would fetch every feed twice and race on the output files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// Longest pid text read back from a lock file; the file is ours, but may have been replaced.
const MAX_PID_BYTES: u64 = 32;

/// An exclusive advisory lock on a file, held until dropped. The operating system releases it
/// when the process dies, so a killed run never leaves a stale lock behind.
#[derive(Debug)]
pub struct PlanetLock {
    // Holding the open file is what holds the lock.
    _file: File,
    path: PathBuf,
}

impl PlanetLock {
    /// Takes the lock without waiting, creating the file if needed, and writes this process's
    /// id into it so that a refused run can say who holds the lock.
    pub fn acquire(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let io_error = |source| Error::LockIo {
            path: path.clone(),
            source,
        };
        // No truncation on open: the holder's pid must survive until we own the lock.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = holder_pid(&mut file);
                return Err(Error::Locked { path, pid });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        file.set_len(0).map_err(io_error)?;
        writeln!(file, "{}", std::process::id()).map_err(io_error)?;
        Ok(PlanetLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The pid the holder wrote, if it has written one yet.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.take(MAX_PID_BYTES).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
