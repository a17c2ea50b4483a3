//! The one error type of the crate.

use std::path::PathBuf;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database refused the operation (I/O, a busy database past the timeout...).
    #[error("database {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: DatabaseError,
    },

    /// The file is damaged: SQLite's check failed, or it met a malformed page or a file that
    /// is not a database. Nothing is written to it; the way out is to move it aside.
    #[error(
        "database {path} is damaged ({detail}); nothing was changed. To start a new store \
         that the next update refills from the feeds, run `orrery check --repair` (it moves \
         the damaged file aside and keeps the blacklist when it can still be read)"
    )]
    Corrupt { path: PathBuf, detail: String },

    /// The file was written by a newer orrery; opening it could lose data.
    #[error(
        "database {path} has schema version {found}, newer than the {supported} this orrery \
         understands; upgrade orrery"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// SQLite could not switch to write-ahead logging (e.g. a network file system), which the
    /// crash-safety guarantees rely on.
    #[error("database {path}: journal mode is {mode:?}, write-ahead logging (wal) is required")]
    NoWal { path: PathBuf, mode: String },

    /// Another process holds the planet lock.
    #[error("{path} is locked by another orrery run{}", holder_suffix(*.pid))]
    Locked { path: PathBuf, pid: Option<u32> },

    /// A file of the store could not be moved or read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The lock file could not be created or locked.
    #[error("lock file {path}: {source}")]
    LockIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The database file is damaged (see [`Error::Corrupt`]).
    pub fn is_corrupt(&self) -> bool {
        matches!(self, Error::Corrupt { .. })
    }

    /// An SQLite failure on `path`, as [`Error::Corrupt`] when it says the file is damaged.
    pub(crate) fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> Error {
        let damaged = matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        );
        if damaged {
            Error::Corrupt {
                path: path.to_path_buf(),
                detail: source.to_string(),
            }
        } else {
            Error::Database {
                path: path.to_path_buf(),
                source: DatabaseError(source),
            }
        }
    }
}

/// What the database library said, kept opaque so that the library is not part of this
/// crate's interface (another backend has other errors): it displays as the library's
/// message and its [`std::error::Error::source`] chain is the library's.
#[derive(Debug)]
pub struct DatabaseError(rusqlite::Error);

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

fn holder_suffix(pid: Option<u32>) -> String {
    pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
}
