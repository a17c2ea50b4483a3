//! Subscriptions that are local files (Venus allowed plain paths and
//! `file:` URLs; its test suite relies on them).
//!
//! The file's modification time plays the part of `Last-Modified`, and its
//! size with the modification time to the nanosecond plays the part of an
//! `ETag`, so an unchanged file is reported as not modified and need not be
//! parsed again, while a file rewritten within the same second is still seen.

use std::io::ErrorKind;
use std::path::Path;

use bytes::Bytes;
use std::io::Read;
use url::Url;

use crate::error::FetchError;
use crate::{Content, Fetched};

/// Reads the file on a blocking thread, so that the caller's deadline
/// (`feed_timeout`) can give up on it: a file on a hung network mount blocks
/// in `stat`, `open` or `read` for as long as the mount hangs, and the thread
/// is then left to it.
pub(crate) async fn read(
    path: &Path,
    max_bytes: u64,
    known_etag: Option<&str>,
    known_last_modified: Option<&str>,
) -> Result<Fetched, FetchError> {
    let path = path.to_owned();
    let etag = known_etag.map(str::to_owned);
    let last_modified = known_last_modified.map(str::to_owned);
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || {
        read_blocking(&path, max_bytes, etag.as_deref(), last_modified.as_deref())
    })
    .await
    .unwrap_or_else(|e| {
        Err(FetchError::File {
            path: shown,
            reason: format!("reading stopped: {e}"),
        })
    })
}

fn read_blocking(
    path: &Path,
    max_bytes: u64,
    known_etag: Option<&str>,
    known_last_modified: Option<&str>,
) -> Result<Fetched, FetchError> {
    let fail = |reason: String| FetchError::File {
        path: path.display().to_string(),
        reason,
    };
    let io_fail = |e: std::io::Error| fail(plain_io(&e));
    let absolute = std::path::absolute(path).map_err(io_fail)?;
    let final_url =
        Url::from_file_path(&absolute).map_err(|()| fail("not a valid file path".into()))?;
    // Opening a FIFO waits for a writer, and reading a FIFO, socket or
    // device may never end: only regular files are read, and the type is
    // known before opening.
    let kind = std::fs::metadata(&absolute).map_err(io_fail)?.file_type();
    if !kind.is_file() {
        return Err(fail(not_regular(kind)));
    }
    let file = open_nonblocking(&absolute).map_err(io_fail)?;
    // Checked again on what was opened: the path may have been replaced.
    let meta = file.metadata().map_err(io_fail)?;
    if !meta.is_file() {
        return Err(fail(not_regular(meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    let modified = meta.modified().ok();
    let last_modified = modified.map(httpdate::fmt_http_date);
    let etag = modified.map(|m| validator(meta.len(), m));
    let mut fetched = Fetched {
        status: 200,
        final_url,
        permanent_redirect: None,
        content: Content::NotModified,
        etag,
        last_modified,
        content_type: None,
        content_location: None,
        content_language: None,
        cache_control: None,
        expires: None,
    };
    // The precise validator decides when the store has one; a bare date (stored before
    // validators existed) is only trusted when no precise one is known.
    let same = |known: Option<&str>, now: Option<&str>| {
        known.is_some_and(|k| now.is_some_and(|n| n == k.trim()))
    };
    let unchanged = match known_etag {
        Some(_) => same(known_etag, fetched.etag.as_deref()),
        None => same(known_last_modified, fetched.last_modified.as_deref()),
    };
    if unchanged {
        fetched.status = 304;
        return Ok(fetched);
    }
    // The file may grow between `metadata` and the read: read at most one
    // byte past the cap to notice.
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(io_fail)?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    fetched.content = Content::Body(Bytes::from(body));
    Ok(fetched)
}

/// The common failures in plain words; the operating system's own message
/// (never a path: `std::io` leaves paths out) for the rest.
fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "no such file".to_owned(),
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::IsADirectory => "a directory, not a file".to_owned(),
        _ => e.to_string(),
    }
}

/// What a path is when it is not a regular file, for the feed's error.
fn not_regular(kind: std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_dir() {
            "a directory"
        } else {
            "something else"
        };
        format!("not a regular file: {what}")
    }
    #[cfg(not(unix))]
    {
        if kind.is_dir() {
            "not a regular file: a directory".to_owned()
        } else {
            "not a regular file".to_owned()
        }
    }
}

/// Opens for reading without waiting: on a FIFO swapped in after the type
/// check, `open` would otherwise wait for a writer. Regular files ignore the
/// flag.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// A strong validator for a local file: its size and modification time to the nanosecond.
fn validator(len: u64, modified: std::time::SystemTime) -> String {
    let since = modified
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "\"file-{len}-{}.{:09}\"",
        since.as_secs(),
        since.subsec_nanos()
    )
}
