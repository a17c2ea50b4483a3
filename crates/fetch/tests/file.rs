//! Subscriptions that are local files.

use std::time::Duration;

use orrery_fetch::{Content, FetchConfig, FetchError, FetchRequest, Fetched, Fetcher};

const FEED: &[u8] = b"<rss version=\"2.0\"><channel><title>t</title></channel></rss>";

fn fetcher(max_body_bytes: u64) -> Fetcher {
    Fetcher::new(FetchConfig {
        feed_timeout: Duration::from_secs(2),
        max_body_bytes,
        ..FetchConfig::default()
    })
    .unwrap()
}

async fn get(f: &Fetcher, req: FetchRequest<()>) -> Result<Fetched, FetchError> {
    f.fetch_one(req).await.result
}

#[tokio::test]
async fn paths_and_file_urls_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, FEED).unwrap();
    let url = url::Url::from_file_path(&path).unwrap();
    let f = fetcher(1024);
    for location in [path.display().to_string(), url.to_string()] {
        let fetched = get(&f, FetchRequest::new((), location.clone()))
            .await
            .unwrap();
        assert_eq!(fetched.status, 200, "{location}");
        assert_eq!(fetched.content, Content::Body(FEED.into()), "{location}");
        assert_eq!(fetched.final_url, url, "{location}");
        let meta = std::fs::metadata(&path).unwrap();
        let mtime = meta.modified().unwrap();
        let since = mtime.duration_since(std::time::UNIX_EPOCH).unwrap();
        let expected = format!(
            "\"file-{}-{}.{:09}\"",
            meta.len(),
            since.as_secs(),
            since.subsec_nanos()
        );
        assert_eq!(
            fetched.etag.as_deref(),
            Some(expected.as_str()),
            "{location}"
        );
        assert_eq!(
            fetched.last_modified,
            Some(httpdate::fmt_http_date(mtime)),
            "{location}"
        );
    }
}

#[tokio::test]
async fn relative_paths_resolve_against_the_working_directory() {
    // The crate's own manifest is a file that is always there.
    let fetched = get(&fetcher(1 << 20), FetchRequest::new((), "Cargo.toml"))
        .await
        .unwrap();
    let expected = std::fs::read("Cargo.toml").unwrap();
    assert_eq!(fetched.content, Content::Body(expected.into()));
    assert!(fetched.final_url.path().ends_with("/Cargo.toml"));
}

#[tokio::test]
async fn unchanged_file_is_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, FEED).unwrap();
    let f = fetcher(1024);
    let location = path.display().to_string();
    let first = get(&f, FetchRequest::new((), location.clone()))
        .await
        .unwrap();

    let mut again = FetchRequest::new((), location.clone());
    again.last_modified = first.last_modified.clone();
    again.etag = first.etag.clone();
    let second = get(&f, again.clone()).await.unwrap();
    assert_eq!(second.status, 304);
    assert_eq!(second.content, Content::NotModified);

    // Touching the file (to a different second) makes it current again.
    let later = std::fs::metadata(&path).unwrap().modified().unwrap() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let third = get(&f, again).await.unwrap();
    assert_eq!(third.content, Content::Body(FEED.into()));
    assert_ne!(third.last_modified, first.last_modified);
}

#[tokio::test]
async fn file_rewritten_within_the_same_second_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    let second_start = std::time::UNIX_EPOCH + Duration::from_secs(1_714_910_400);
    let set_mtime = |t| {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    };
    std::fs::write(&path, FEED).unwrap();
    set_mtime(second_start);
    let f = fetcher(4096);
    let location = path.display().to_string();
    let first = get(&f, FetchRequest::new((), location.clone()))
        .await
        .unwrap();

    // Same second, new content: the date alone could not tell.
    let edited = [FEED, b"<!-- edited -->"].concat();
    std::fs::write(&path, &edited).unwrap();
    set_mtime(second_start + Duration::from_millis(900));
    let mut again = FetchRequest::new((), location);
    again.last_modified = first.last_modified.clone();
    again.etag = first.etag.clone();
    let second = get(&f, again).await.unwrap();
    assert_eq!(second.last_modified, first.last_modified);
    assert_eq!(second.content, Content::Body(edited.into()));
}

#[tokio::test]
async fn oversized_missing_and_special_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xml");
    std::fs::write(&path, vec![b'x'; 2048]).unwrap();
    let f = fetcher(1024);

    let err = get(&f, FetchRequest::new((), path.display().to_string()))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "body larger than 1 KiB");

    let missing = dir.path().join("missing.xml");
    let err = get(&f, FetchRequest::new((), missing.display().to_string()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::File { .. }), "{err}");
    // The message may be published: it names no path of the machine.
    assert_eq!(err.to_string(), "cannot read the file: no such file");

    let err = get(&f, FetchRequest::new((), dir.path().display().to_string()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::File { .. }), "{err}");
}

#[tokio::test]
async fn other_schemes_and_empty_locations_are_refused() {
    let f = fetcher(1024);
    for (location, text) in [
        (
            "ftp://example.org/feed.xml",
            "unsupported URL scheme \"ftp:\" (only http, https and local files)",
        ),
        (
            "gopher://example.org/",
            "unsupported URL scheme \"gopher:\" (only http, https and local files)",
        ),
        ("  ", "invalid URL \"\": empty"),
    ] {
        let err = get(&f, FetchRequest::new((), location)).await.unwrap_err();
        assert_eq!(err.to_string(), text);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_or_a_device_is_refused_without_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.xml");
    let c_path = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: mkfifo on a path string owned here.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    let f = fetcher(1024);
    for (location, what) in [
        (fifo.display().to_string(), "a named pipe (FIFO)"),
        ("/dev/zero".to_owned(), "a device"),
    ] {
        // Opening the FIFO would wait for a writer that never comes: the
        // guard only keeps a regression from hanging the suite.
        let err = tokio::time::timeout(
            Duration::from_secs(30),
            get(&f, FetchRequest::new((), location.clone())),
        )
        .await
        .expect("refused without waiting")
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot read the file: not a regular file: {what}"),
            "{location}"
        );
    }
}
