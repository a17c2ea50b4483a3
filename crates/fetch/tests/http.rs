//! The fetcher against a real HTTP server on 127.0.0.1.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use orrery_fetch::{
    Content, FetchConfig, FetchError, FetchRequest, Fetched, Fetcher, Source, Stage, TargetKind,
};
use support::{head, redirect, response, Server, Step, FEED};

const TIMEOUT: Duration = Duration::from_secs(1);
/// Scheduling slack allowed past a deadline on a shared, busy machine.
const SLACK: Duration = Duration::from_millis(700);
const CAP: u64 = 64 * 1024;

fn config() -> FetchConfig {
    FetchConfig {
        user_agent: FetchConfig::user_agent_for(Some("https://planet.example/")),
        feed_timeout: TIMEOUT,
        max_body_bytes: CAP,
        ..FetchConfig::default()
    }
}

fn fetcher() -> Fetcher {
    Fetcher::new(config()).unwrap()
}

async fn get(fetcher: &Fetcher, url: &str) -> Result<Fetched, FetchError> {
    fetcher.fetch_one(FetchRequest::new((), url)).await.result
}

fn body(fetched: &Fetched) -> &[u8] {
    match &fetched.content {
        Content::Body(b) => b,
        other => panic!("expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn etag_then_not_modified_with_validators_sent() {
    let server = Server::start(|req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            response(304, &[("ETag", "\"v1\"")], b"")
        } else {
            let headers = [
                ("ETag", "\"v1\""),
                ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("Content-Type", "application/atom+xml; charset=utf-8"),
                ("Content-Location", "http://example.org/feed"),
                ("Content-Language", "fr"),
                ("Cache-Control", "max-age=600"),
                ("Expires", "Wed, 21 Oct 2015 07:38:00 GMT"),
            ];
            response(200, &headers, FEED.as_bytes())
        }
    })
    .await;
    let f = fetcher();
    let first = get(&f, &server.url("/feed")).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(body(&first), FEED.as_bytes());
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.last_modified.as_deref(),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(
        first.content_location.as_deref(),
        Some("http://example.org/feed")
    );
    assert_eq!(first.content_language.as_deref(), Some("fr"));
    assert_eq!(first.cache_control.as_deref(), Some("max-age=600"));
    assert_eq!(
        first.expires,
        Some(httpdate::parse_http_date("Wed, 21 Oct 2015 07:38:00 GMT").unwrap())
    );
    assert_eq!(first.final_url.as_str(), server.url("/feed"));
    assert_eq!(first.permanent_redirect, None);

    let second = f
        .fetch_one(FetchRequest {
            key: (),
            url: server.url("/feed"),
            etag: first.etag.clone(),
            last_modified: first.last_modified.clone(),
            source: Source::Owner,
        })
        .await
        .result
        .unwrap();
    assert_eq!(second.status, 304);
    assert_eq!(second.content, Content::NotModified);
    assert_eq!(second.etag.as_deref(), Some("\"v1\""));
    // The 304 did not repeat Last-Modified: the stored one is kept.
    assert_eq!(second.last_modified, first.last_modified);

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("if-none-match"), None);
    assert_eq!(seen[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        seen[1].header("if-modified-since"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
}

#[tokio::test]
async fn last_modified_alone_gives_not_modified() {
    const DATE: &str = "Tue, 01 Jul 2025 10:00:00 GMT";
    let server = Server::start(|req| match req.header("if-modified-since") {
        Some(DATE) => response(304, &[], b""),
        _ => response(200, &[("Last-Modified", DATE)], FEED.as_bytes()),
    })
    .await;
    let f = fetcher();
    let first = get(&f, &server.url("/")).await.unwrap();
    assert_eq!(first.etag, None);
    let mut again = FetchRequest::new((), server.url("/"));
    again.last_modified = first.last_modified;
    let second = f.fetch_one(again).await.result.unwrap();
    assert_eq!(second.content, Content::NotModified);
    assert_eq!(second.last_modified.as_deref(), Some(DATE));
    assert_eq!(server.seen()[1].header("if-none-match"), None);
}

#[tokio::test]
async fn sends_user_agent_and_accepts_compression() {
    let server = Server::start(|_| response(200, &[], FEED.as_bytes())).await;
    get(&fetcher(), &server.url("/")).await.unwrap();
    let seen = &server.seen()[0];
    let ua = format!(
        "orrery/{} (+https://planet.example/)",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(seen.header("user-agent"), Some(ua.as_str()));
    let encodings = seen.header("accept-encoding").unwrap_or_default();
    for enc in ["gzip", "br", "deflate"] {
        assert!(encodings.contains(enc), "{encodings}");
    }
    assert!(seen
        .header("accept")
        .is_some_and(|a| a.contains("application/atom+xml")));
}

/// A server where `/r/<status>/<rest>` answers `<status>` with `Location:
/// /<rest>`, so a test spells out a redirect chain in its URL.
async fn chain_server() -> Server {
    Server::start(|req| {
        let Some(rest) = req.path.strip_prefix("/r/") else {
            return response(200, &[], FEED.as_bytes());
        };
        let (status, next) = rest.split_once('/').unwrap();
        redirect(status.parse().unwrap(), &format!("/{next}"))
    })
    .await
}

#[tokio::test]
async fn permanent_redirects_are_recorded_temporary_ones_not() {
    let server = chain_server().await;
    let f = fetcher();
    // (chain, expected permanent_redirect)
    let cases = [
        ("/r/301/feed", Some("/feed")),
        ("/r/308/feed", Some("/feed")),
        ("/r/302/feed", None),
        ("/r/303/feed", None),
        ("/r/307/feed", None),
        // Both hops permanent: the final target.
        ("/r/301/r/308/feed", Some("/feed")),
        // The subscription moved for good to a URL that redirects temporarily.
        ("/r/301/r/302/feed", Some("/r/302/feed")),
        // A temporary hop first: whatever follows is not about the subscription.
        ("/r/307/r/301/feed", None),
    ];
    for (path, expected) in cases {
        let fetched = get(&f, &server.url(path)).await.unwrap();
        assert_eq!(fetched.final_url.as_str(), server.url("/feed"), "{path}");
        assert_eq!(body(&fetched), FEED.as_bytes(), "{path}");
        assert_eq!(
            fetched.permanent_redirect.map(String::from),
            expected.map(|p| server.url(p)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn redirect_loop_and_too_many_redirects() {
    let server = chain_server().await;
    let f = fetcher();
    // Revisiting a path is not a loop when the URLs differ.
    let fetched = get(&f, &server.url("/r/302/r/302/feed")).await.unwrap();
    assert_eq!(fetched.final_url.as_str(), server.url("/feed"));

    let looping = Server::start(|req| {
        let next = if req.path == "/a" { "/b" } else { "/a" };
        redirect(302, next)
    })
    .await;
    let err = get(&f, &looping.url("/a")).await.unwrap_err();
    assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("redirect loop at {}", looping.url("/a"))
    );

    let endless = Server::start(|req| {
        let n: u32 = req.path.trim_start_matches('/').parse().unwrap_or(0);
        redirect(301, &format!("/{}", n + 1))
    })
    .await;
    let few = Fetcher::new(FetchConfig {
        max_redirects: 3,
        ..config()
    })
    .unwrap();
    let err = get(&few, &endless.url("/0")).await.unwrap_err();
    assert_eq!(err.to_string(), "more than 3 redirects");
    // The first request and exactly three redirect hops.
    assert_eq!(endless.seen().len(), 4);
}

#[tokio::test]
async fn redirects_to_other_schemes_are_refused() {
    for target in [
        "file:///etc/passwd",
        "ftp://127.0.0.1/feed",
        "data:text/plain,hello",
        "javascript:alert(1)",
    ] {
        let server = Server::start(move |_| redirect(301, target)).await;
        let err = get(&fetcher(), &server.url("/")).await.unwrap_err();
        assert!(
            matches!(err, FetchError::RedirectScheme { .. }),
            "{target}: {err}"
        );
        assert!(err
            .to_string()
            .starts_with("redirect to a non-HTTP URL refused"));
    }
    let server = Server::start(|_| response(302, &[], b"")).await;
    let err = get(&fetcher(), &server.url("/")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTP 302 redirect without a usable Location header"
    );
}

#[tokio::test]
async fn redirect_to_another_internal_host_or_port_is_refused() {
    let other = Server::start(|_| response(200, &[], FEED.as_bytes())).await;
    let other_port = url::Url::parse(&other.url("/")).unwrap().port().unwrap();
    let server = Server::start(move |req| match req.path.as_str() {
        "/to-127-0-0-2" => redirect(302, "http://127.0.0.2:9/feed"),
        "/to-mapped" => redirect(302, "http://[::ffff:169.254.169.254]/latest"),
        "/to-localhost" => redirect(301, &format!("http://localhost:{}/feed", req_port(req))),
        "/to-other-port" => redirect(302, &format!("http://127.0.0.1:{other_port}/feed")),
        "/to-same-origin" => redirect(302, &format!("http://127.0.0.1:{}/feed", req_port(req))),
        _ => response(200, &[], FEED.as_bytes()),
    })
    .await;
    let f = fetcher();
    let allow = "set allow_internal_targets = yes to allow";
    for (path, expected) in [
        (
            "/to-127-0-0-2",
            format!("refused: redirect to 127.0.0.2, an internal address; {allow}"),
        ),
        (
            "/to-mapped",
            format!("refused: redirect to [::ffff:a9fe:a9fe], an internal address; {allow}"),
        ),
        (
            "/to-localhost",
            "refused: redirect to localhost, which resolves to internal address ".to_owned(),
        ),
        (
            "/to-other-port",
            format!("refused: redirect to 127.0.0.1, an internal address; {allow}"),
        ),
    ] {
        let err = get(&f, &server.url(path)).await.unwrap_err();
        assert!(
            matches!(
                err,
                FetchError::InternalTarget {
                    kind: TargetKind::Redirect,
                    ..
                }
            ),
            "{path}: {err:?}"
        );
        assert!(err.to_string().starts_with(&expected), "{path}: {err}");
        assert!(err.to_string().ends_with(allow), "{path}: {err}");
    }
    // Only the subscription's own address was contacted.
    assert!(server.seen().iter().all(|s| s.host() == "127.0.0.1"));
    assert!(other.seen().is_empty());
    // The subscription's own scheme, host and port stay trusted.
    let same = get(&f, &server.url("/to-same-origin")).await.unwrap();
    assert_eq!(body(&same), FEED.as_bytes());

    // An intranet planet may allow it.
    let open = Fetcher::new(FetchConfig {
        allow_internal_targets: true,
        ..config()
    })
    .unwrap();
    let fetched = get(&open, &server.url("/to-localhost")).await.unwrap();
    assert_eq!(fetched.final_url.host_str(), Some("localhost"));
    assert_eq!(body(&fetched), FEED.as_bytes());
    get(&open, &server.url("/to-other-port")).await.unwrap();
    assert_eq!(other.seen().len(), 1);
}

/// A feed named by a reading list or found by discovery is judged from its
/// first request; the owner's own URL is not.
#[tokio::test]
async fn list_and_discovered_feeds_are_judged_from_the_first_request() {
    let server = Server::start(|_| response(200, &[], FEED.as_bytes())).await;
    let f = fetcher();
    for (source, kind) in [
        (Source::List, TargetKind::ListFeed),
        (Source::Discovered, TargetKind::DiscoveredFeed),
    ] {
        let by_address = server.url("/feed");
        let by_name = by_address.replace("127.0.0.1", "localhost");
        for (url, host) in [(by_address, "127.0.0.1"), (by_name, "localhost")] {
            let req = FetchRequest::new((), url.clone()).from(source);
            let err = f.fetch_one(req).await.result.unwrap_err();
            assert!(
                matches!(&err, FetchError::InternalTarget { kind: k, .. } if *k == kind),
                "{url}: {err:?}"
            );
            let expected = format!("refused: {kind} {host}, ");
            assert!(err.to_string().starts_with(&expected), "{err}");
        }
    }
    assert!(server.seen().is_empty());
    get(&f, &server.url("/feed")).await.unwrap();
    assert_eq!(server.seen().len(), 1);

    let open = Fetcher::new(FetchConfig {
        allow_internal_targets: true,
        ..config()
    })
    .unwrap();
    let req = FetchRequest::new((), server.url("/feed")).from(Source::List);
    open.fetch_one(req).await.result.unwrap();
    assert_eq!(server.seen().len(), 2);
}

fn req_port(req: &support::Seen) -> String {
    let host = req.header("host").unwrap_or_default();
    host.rsplit_once(':')
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn error_statuses_are_named() {
    let server = Server::start(|req| match req.path.as_str() {
        "/404" => response(404, &[], b"nope"),
        "/500" => response(500, &[], b"oops"),
        "/403" => response(403, &[], b""),
        _ => response(418, &[], b""),
    })
    .await;
    let f = fetcher();
    for (path, text) in [
        ("/404", "HTTP 404 Not Found"),
        ("/500", "HTTP 500 Internal Server Error"),
        ("/403", "HTTP 403 Forbidden"),
        ("/418", "HTTP 418 I'm a teapot"),
    ] {
        let err = get(&f, &server.url(path)).await.unwrap_err();
        assert_eq!(err.to_string(), text);
        assert_eq!(err.retry_after(), None);
    }
}

#[tokio::test]
async fn gone_is_reported_without_body() {
    let server = Server::start(|_| response(410, &[], b"gone")).await;
    let fetched = get(&fetcher(), &server.url("/")).await.unwrap();
    assert_eq!(fetched.status, 410);
    assert_eq!(fetched.content, Content::Gone);
}

#[tokio::test]
async fn long_retry_after_defers_the_host() {
    let server = Server::start(|req| match req.path.as_str() {
        "/busy" => response(429, &[("Retry-After", "120")], b""),
        _ => response(200, &[], FEED.as_bytes()),
    })
    .await;
    let f = fetcher();
    let err = get(&f, &server.url("/busy")).await.unwrap_err();
    assert_eq!(err.to_string(), "HTTP 429 Too Many Requests");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));

    // Another feed on the same host is not requested at all in this run.
    let err = get(&f, &server.url("/other")).await.unwrap_err();
    assert!(matches!(err, FetchError::Deferred { .. }), "{err}");
    assert_eq!(err.to_string(), "host asked us to wait 120 s");
    assert_eq!(server.seen().len(), 1);

    // The same server under another name is another host.
    let other = get(&f, &server.url_on("localhost", "/other")).await;
    assert!(other.is_ok(), "{other:?}");
}

#[tokio::test]
async fn short_retry_after_is_waited_out() {
    let server = Server::start(|req| match req.path.as_str() {
        "/busy" => response(503, &[("Retry-After", "1")], b""),
        _ => response(200, &[], FEED.as_bytes()),
    })
    .await;
    let f = Fetcher::new(FetchConfig {
        feed_timeout: Duration::from_secs(2),
        ..config()
    })
    .unwrap();
    let err = get(&f, &server.url("/busy")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    let start = Instant::now();
    let fetched = get(&f, &server.url("/other")).await.unwrap();
    assert_eq!(body(&fetched), FEED.as_bytes());
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        enc.write_all(data).unwrap();
    }
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn compressed_bodies_are_decompressed() {
    let server = Server::start(|req| {
        let (encoding, data) = match req.path.as_str() {
            "/gzip" => ("gzip", gzip(FEED.as_bytes())),
            "/br" => ("br", brotli(FEED.as_bytes())),
            _ => ("deflate", deflate(FEED.as_bytes())),
        };
        assert_ne!(data, FEED.as_bytes());
        response(200, &[("Content-Encoding", encoding)], &data)
    })
    .await;
    let f = fetcher();
    for path in ["/gzip", "/br", "/deflate"] {
        let fetched = get(&f, &server.url(path)).await.unwrap();
        assert_eq!(body(&fetched), FEED.as_bytes(), "{path}");
    }
}

#[tokio::test]
async fn corrupt_gzip_is_a_decode_error() {
    let server = Server::start(|_| {
        response(
            200,
            &[("Content-Encoding", "gzip")],
            b"\x1f\x8b\x08\0garbage-not-deflate",
        )
    })
    .await;
    let err = get(&fetcher(), &server.url("/")).await.unwrap_err();
    assert!(matches!(err, FetchError::Decode { .. }), "{err}");
}

/// An endless gzip stream of zeros: each chunk is a sync-flushed deflate
/// block standing for 1 MiB of zeros in about 1 KiB, so the client sees an
/// unbounded decompressed body while little crosses the wire.
fn endless_gzip_of_zeros() -> Step {
    let mut encoder = flate2::Compress::new(flate2::Compression::fast(), false);
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let zeros = vec![0u8; 1 << 20];
    Step::Stream(Box::new(move || {
        let before = encoder.total_in();
        while encoder.total_in() - before < zeros.len() as u64 {
            let done = (encoder.total_in() - before) as usize;
            out.reserve(64 << 10);
            encoder
                .compress_vec(&zeros[done..], &mut out, flate2::FlushCompress::Sync)
                .unwrap();
        }
        Some(std::mem::take(&mut out))
    }))
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    let server = Server::start(|_| {
        let mut head = head(200, &[("Content-Encoding", "gzip")]);
        head.extend_from_slice(b"\r\n");
        vec![Step::Send(head), endless_gzip_of_zeros()]
    })
    .await;
    let start = Instant::now();
    let err = get(&fetcher(), &server.url("/")).await.unwrap_err();
    // Were the cap counted before decompression, or not at all, this would
    // run into the deadline instead.
    assert!(matches!(err, FetchError::TooLarge { limit: CAP }), "{err}");
    assert_eq!(err.to_string(), "body larger than 64 KiB");
    assert!(start.elapsed() < TIMEOUT, "{:?}", start.elapsed());
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let server = Server::start(|req| {
        if req.path == "/declared" {
            let mut head = head(200, &[]);
            head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", CAP + 1).as_bytes());
            // Declared too large: refused before the body is read.
            return vec![Step::Send(head), Step::Hang];
        }
        // No length: the body ends when the connection closes, and never does.
        let mut head = head(200, &[]);
        head.extend_from_slice(b"\r\n");
        vec![
            Step::Send(head),
            Step::Stream(Box::new(|| Some(vec![b'x'; 4096]))),
        ]
    })
    .await;
    let f = fetcher();
    for path in ["/declared", "/streamed"] {
        let err = get(&f, &server.url(path)).await.unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: CAP }),
            "{path}: {err}"
        );
    }
    // Exactly at the cap is fine.
    let exact = Server::start(|_| response(200, &[], &vec![b'x'; CAP as usize])).await;
    let fetched = get(&f, &exact.url("/")).await.unwrap();
    assert_eq!(body(&fetched).len() as u64, CAP);
}

fn assert_deadline(err: &FetchError, stage: Stage, elapsed: Duration) {
    assert!(
        matches!(err, FetchError::Timeout { after, stage: s } if *after == TIMEOUT && *s == stage),
        "{err}"
    );
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");
    assert!(elapsed < TIMEOUT + SLACK, "{elapsed:?}");
}

#[tokio::test]
async fn stall_mid_body_hits_the_total_deadline() {
    let server = Server::start(|_| {
        let mut bytes = head(200, &[]);
        bytes.extend_from_slice(b"Content-Length: 1000\r\n\r\n<?xml version=");
        vec![Step::Send(bytes), Step::Hang]
    })
    .await;
    let outcome = fetcher()
        .fetch_one(FetchRequest::new((), server.url("/")))
        .await;
    let err = outcome.result.unwrap_err();
    assert_deadline(&err, Stage::Body, outcome.elapsed);
    assert_eq!(err.to_string(), "timed out after 1 s reading the body");
}

#[tokio::test]
async fn silent_server_hits_the_deadline() {
    let server = Server::start(|_| vec![Step::Hang]).await;
    let outcome = fetcher()
        .fetch_one(FetchRequest::new((), server.url("/")))
        .await;
    let err = outcome.result.unwrap_err();
    assert_deadline(&err, Stage::Response, outcome.elapsed);
    assert_eq!(
        err.to_string(),
        "timed out after 1 s waiting for the response"
    );
}

#[tokio::test]
async fn trickling_headers_hit_the_total_deadline() {
    // One byte every 50 ms: no single read is slow, the whole is.
    let server = Server::start(|_| {
        let mut bytes = head(200, &[("X-Padding", &"p".repeat(100))]);
        bytes.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        bytes
            .into_iter()
            .flat_map(|b| [Step::Send(vec![b]), Step::Sleep(Duration::from_millis(50))])
            .collect()
    })
    .await;
    let outcome = fetcher()
        .fetch_one(FetchRequest::new((), server.url("/")))
        .await;
    assert_deadline(
        &outcome.result.unwrap_err(),
        Stage::Response,
        outcome.elapsed,
    );
}

#[tokio::test]
async fn trickling_body_hits_the_total_deadline() {
    let server = Server::start(|_| {
        let mut head = head(200, &[]);
        head.extend_from_slice(b"Content-Length: 100\r\n\r\n");
        let mut steps = vec![Step::Send(head)];
        for _ in 0..100 {
            steps.push(Step::Send(b"x".to_vec()));
            steps.push(Step::Sleep(Duration::from_millis(50)));
        }
        steps
    })
    .await;
    let outcome = fetcher()
        .fetch_one(FetchRequest::new((), server.url("/")))
        .await;
    assert_deadline(&outcome.result.unwrap_err(), Stage::Body, outcome.elapsed);
}

#[tokio::test]
async fn concurrency_limits_are_respected() {
    let server = Server::start(|_| {
        let mut steps = vec![Step::Sleep(Duration::from_millis(150))];
        steps.extend(response(200, &[], FEED.as_bytes()));
        steps
    })
    .await;
    let f = Fetcher::new(FetchConfig {
        concurrency: 3,
        per_host_limit: 2,
        ..config()
    })
    .unwrap();
    let mut requests = Vec::new();
    for i in 0..8 {
        requests.push(FetchRequest::new(i, server.url(&format!("/{i}"))));
        requests.push(FetchRequest::new(100 + i, server.url_on("localhost", "/")));
    }
    let outcomes: Vec<_> = f.fetch_all(requests).collect().await;
    assert_eq!(outcomes.len(), 16);
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    // Parallel, but never more than the limits.
    assert_eq!(server.max_in_flight("127.0.0.1"), 2);
    assert_eq!(server.max_in_flight("localhost"), 2);
    assert_eq!(server.max_in_flight_total(), 3);
}

#[tokio::test]
async fn one_failing_feed_does_not_affect_the_others() {
    let server = Server::start(|req| match req.path.as_str() {
        "/broken" => response(404, &[], b""),
        "/hang" => vec![Step::Hang],
        path => response(200, &[], path.as_bytes()),
    })
    .await;
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut requests: Vec<_> = (0..10)
        .map(|i| FetchRequest::new(format!("ok{i}"), server.url(&format!("/ok{i}"))))
        .collect();
    requests.push(FetchRequest::new("broken".into(), server.url("/broken")));
    requests.push(FetchRequest::new("hang".into(), server.url("/hang")));
    requests.push(FetchRequest::new(
        "refused".into(),
        format!("http://127.0.0.1:{closed_port}/"),
    ));
    requests.push(FetchRequest::new("ftp".into(), "ftp://example.org/feed"));
    requests.push(FetchRequest::new("bad".into(), "http://exa mple.org/"));
    let outcomes: Vec<_> = Fetcher::new(FetchConfig {
        per_host_limit: 4,
        ..config()
    })
    .unwrap()
    .fetch_all(requests)
    .collect()
    .await;
    assert_eq!(outcomes.len(), 15);
    for o in outcomes {
        match o.key.as_str() {
            "broken" => assert_eq!(o.result.unwrap_err().to_string(), "HTTP 404 Not Found"),
            "hang" => assert!(matches!(o.result, Err(FetchError::Timeout { .. }))),
            "refused" => assert_eq!(o.result.unwrap_err().to_string(), "connection refused"),
            "ftp" => assert!(matches!(
                o.result,
                Err(FetchError::UnsupportedScheme { .. })
            )),
            "bad" => assert!(matches!(o.result, Err(FetchError::InvalidUrl { .. }))),
            key => {
                let fetched = o.result.unwrap();
                assert_eq!(body(&fetched), format!("/{key}").as_bytes());
            }
        }
    }
}

#[tokio::test]
async fn server_closing_early_is_reported() {
    let server = Server::start(|req| {
        if req.path == "/nothing" {
            return vec![];
        }
        let mut bytes = head(200, &[]);
        bytes.extend_from_slice(b"Content-Length: 1000\r\n\r\nshort");
        vec![Step::Send(bytes)]
    })
    .await;
    let f = fetcher();
    for path in ["/nothing", "/short"] {
        let err = get(&f, &server.url(path)).await.unwrap_err();
        assert!(
            matches!(err, FetchError::ConnectionClosed),
            "{path} must fail fast and say why: {err}"
        );
    }
}

#[tokio::test]
async fn malformed_responses_are_named() {
    let server = Server::start(|req| {
        if req.path == "/garbage" {
            return vec![Step::Send(b"SMTP ready\r\n\r\n".to_vec())];
        }
        // Far more header bytes than any feed needs.
        let mut bytes = head(200, &[]);
        for i in 0..20_000 {
            bytes.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "f".repeat(40)).as_bytes());
        }
        bytes.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        vec![Step::Send(bytes)]
    })
    .await;
    let f = fetcher();
    let err = get(&f, &server.url("/garbage")).await.unwrap_err();
    assert!(matches!(err, FetchError::BadResponse { .. }), "{err}");
    let err = get(&f, &server.url("/huge-headers")).await.unwrap_err();
    assert!(matches!(err, FetchError::BadResponse { .. }), "{err}");
    assert!(
        err.to_string().starts_with("invalid HTTP response: "),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_host_is_a_dns_error() {
    // `.invalid` never resolves (RFC 6761).
    let err = get(&fetcher(), "http://nonexistent.invalid/feed")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Dns { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("DNS lookup for nonexistent.invalid failed: "),
        "{err}"
    );
}
