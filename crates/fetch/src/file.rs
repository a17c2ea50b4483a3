//! Subscriptions that are local files (Venus allowed plain paths and
//! `file:` URLs; its test suite relies on them).
//!
//! The file's modification time plays the part of `Last-Modified`, so an
//! unchanged file is reported as not modified and need not be parsed again.

use std::path::Path;

use bytes::Bytes;
use tokio::io::AsyncReadExt;
use url::Url;

use crate::error::FetchError;
use crate::{Content, Fetched};

pub(crate) async fn read(
    path: &Path,
    max_bytes: u64,
    known_last_modified: Option<&str>,
) -> Result<Fetched, FetchError> {
    let fail = |reason: String| FetchError::File {
        path: path.display().to_string(),
        reason,
    };
    let absolute = std::path::absolute(path).map_err(|e| fail(e.to_string()))?;
    let final_url =
        Url::from_file_path(&absolute).map_err(|()| fail("not a valid file path".into()))?;
    let file = tokio::fs::File::open(&absolute)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let meta = file.metadata().await.map_err(|e| fail(e.to_string()))?;
    // A FIFO or device would block or never end.
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    if meta.len() > max_bytes {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    let last_modified = meta.modified().ok().map(httpdate::fmt_http_date);
    let mut fetched = Fetched {
        status: 200,
        final_url,
        permanent_redirect: None,
        content: Content::NotModified,
        etag: None,
        last_modified,
        content_type: None,
        content_location: None,
        content_language: None,
        cache_control: None,
        expires: None,
    };
    let unchanged = known_last_modified.is_some_and(|known| {
        fetched
            .last_modified
            .as_deref()
            .is_some_and(|now| now == known.trim())
    });
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
        .map_err(|e| fail(e.to_string()))?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    fetched.content = Content::Body(Bytes::from(body));
    Ok(fetched)
}
