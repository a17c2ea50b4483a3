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
use tokio::io::AsyncReadExt;
use url::Url;

use crate::error::FetchError;
use crate::{Content, Fetched};

pub(crate) async fn read(
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
    let file = tokio::fs::File::open(&absolute).await.map_err(io_fail)?;
    let meta = file.metadata().await.map_err(io_fail)?;
    // A FIFO or device would block or never end.
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
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
        .await
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
