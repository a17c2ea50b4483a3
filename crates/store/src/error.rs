//! The one error type of the crate.

use std::path::PathBuf;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused the operation (I/O, corruption, a busy database past the timeout...).
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

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

    /// The lock file could not be created or locked.
    #[error("lock file {path}: {source}")]
    LockIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn holder_suffix(pid: Option<u32>) -> String {
    pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
}
