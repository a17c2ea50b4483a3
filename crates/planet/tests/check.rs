//! `check` against a temporary configuration and a loopback HTTP server
//! started here: a feed, a 404, a permanent redirect and an HTML page.

use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use orrery_planet::check::{check, Error, Finding, Kind};
use orrery_planet::Options;

/// A 48x32 PNG (its header says so; `file` agrees).
const FACE: &[u8] = include_bytes!("data/face-48x32.png");

const FEED: &str = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
    <id>urn:check</id><title>Checked</title><updated>2024-01-01T00:00:00Z</updated>\
    <entry><id>urn:check:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated></entry>\
    </feed>";

/// A feed that names neither its id nor its site.
const ANONYMOUS: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>\
    <title>Nameless</title><link/><item><title>Post</title></item></channel></rss>";

const PAGE: &str = "<!DOCTYPE html><html><head><title>A blog</title></head>\
    <body><p>Welcome to my blog.</p></body></html>";

/// The feed server; it stops with the runtime when dropped.
struct Site {
    origin: String,
    _runtime: tokio::runtime::Runtime,
}

impl Site {
    fn start() -> Site {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = Router::new()
            .route(
                "/feed.xml",
                get(|| async { ([(header::CONTENT_TYPE, "application/atom+xml")], FEED) }),
            )
            .route(
                "/old.xml",
                get(|| async { Redirect::permanent("/feed.xml") }),
            )
            .route(
                "/anonymous.xml",
                get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], ANONYMOUS) }),
            )
            .route(
                "/page.html",
                get(|| async { ([(header::CONTENT_TYPE, "text/html")], PAGE) }),
            )
            .fallback(|| async { StatusCode::NOT_FOUND.into_response() });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Site {
            origin,
            _runtime: runtime,
        }
    }
}

fn write_config(dir: &Path, text: &str) -> Options {
    std::fs::write(dir.join("planet.ini"), text).unwrap();
    Options {
        configs: vec![PathBuf::from("planet.ini")],
        load: orrery_config::LoadOptions {
            cwd: dir.to_owned(),
            theme_dirs: Vec::new(),
            builtin_themes: Vec::new(),
        },
    }
}

fn planet(extra: &str) -> String {
    format!(
        "[Planet]\nname = Checked\nlink = http://127.0.0.1/\ncache_directory = cache\n\
         output_dir = out\ntemplate_directories = theme\n\
         bill_of_materials = images/#{{face}}\n{extra}\n"
    )
}

fn with_face(dir: &Path) {
    std::fs::create_dir_all(dir.join("theme/images")).unwrap();
    std::fs::write(dir.join("theme/images/alice.png"), FACE).unwrap();
}

fn of_kind(findings: &[Finding], kind: Kind) -> Vec<&Finding> {
    findings.iter().filter(|f| f.kind == kind).collect()
}

#[test]
fn finds_every_kind_of_problem() {
    let site = Site::start();
    let o = &site.origin;
    let dir = tempfile::tempdir().unwrap();
    with_face(dir.path());
    let config = format!(
        "{}\n[{o}/feed.xml]\nface = alice.png\nfacewidth = 64\nfaceheight = 64\n\n\
         [{o}/missing.xml]\n\n[{o}/old.xml]\n\n[{o}/page.html]\n\n[{o}/anonymous.xml]\n\n\
         [{}/./feed.xml#top]\nface = bob.png\n",
        planet("frobnicate = yes"),
        // The same URL as the first, spelt differently.
        o.to_uppercase(),
    );
    let options = write_config(dir.path(), &config);
    let report = check(&options, false).unwrap();
    let f = &report.findings;
    assert_eq!(report.subscriptions, 6);
    assert_eq!(report.fetched, 6);

    let config = of_kind(f, Kind::Config);
    assert_eq!(config.len(), 1, "{f:#?}");
    assert!(config[0].message.contains("frobnicate"));

    let duplicate = of_kind(f, Kind::Duplicate);
    assert_eq!(duplicate.len(), 1, "{f:#?}");
    assert_eq!(duplicate[0].subject, format!("{o}/feed.xml"));
    assert!(duplicate[0].message.contains("2 times"));

    let size = of_kind(f, Kind::FaceSize);
    assert_eq!(size.len(), 1, "{f:#?}");
    assert!(size[0].message.contains("48x32"), "{}", size[0].message);
    assert!(size[0].message.contains("64x64"), "{}", size[0].message);

    let missing = of_kind(f, Kind::MissingFace);
    assert_eq!(missing.len(), 1, "{f:#?}");
    assert!(missing[0].message.contains("bob.png"));

    let unreachable = of_kind(f, Kind::Unreachable);
    assert_eq!(unreachable.len(), 1, "{f:#?}");
    assert_eq!(unreachable[0].subject, format!("{o}/missing.xml"));
    assert!(
        unreachable[0].message.contains("404"),
        "{}",
        unreachable[0].message
    );

    let moved = of_kind(f, Kind::Moved);
    assert_eq!(moved.len(), 1, "{f:#?}");
    assert_eq!(moved[0].subject, format!("{o}/old.xml"));
    assert_eq!(
        moved[0].fix.as_deref(),
        Some(format!("{o}/feed.xml").as_str())
    );

    let not_feed = of_kind(f, Kind::NotAFeed);
    assert_eq!(not_feed.len(), 1, "{f:#?}");
    assert_eq!(not_feed[0].subject, format!("{o}/page.html"));

    let anonymous = of_kind(f, Kind::Anonymous);
    assert_eq!(anonymous.len(), 1, "{f:#?}");
    assert_eq!(anonymous[0].subject, format!("{o}/anonymous.xml"));
    assert_eq!(f.len(), 8, "{f:#?}");

    let json = serde_json::to_value(&report).unwrap();
    let moved = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "moved")
        .unwrap();
    assert_eq!(moved["fix"], format!("{o}/feed.xml"));
    let text = report.to_string();
    assert!(
        text.ends_with("6 subscriptions, 6 fetched: 7 problems\n"),
        "{text}"
    );
    // The anonymous feed is a note, not a problem.
    assert!(
        text.contains(&format!("note: anonymous: {o}/anonymous.xml")),
        "{text}"
    );
}

#[test]
fn a_sound_planet_has_no_problems() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    with_face(dir.path());
    let config = format!(
        "{}\n[{}/feed.xml]\nface = alice.png\nfacewidth = 48\nfaceheight = 32\n",
        planet(""),
        site.origin
    );
    let report = check(&write_config(dir.path(), &config), false).unwrap();
    assert!(report.is_clean(), "{:#?}", report.findings);
    assert_eq!(report.fetched, 1);
    assert!(report.to_string().contains("no problems"));
}

#[test]
fn offline_checks_only_the_configuration() {
    // Nothing listens at this address: offline, it is never asked.
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "{}\n[http://127.0.0.1:9/a.xml]\n\n[http://127.0.0.1:9/a.xml#x]\nface = ../../etc/passwd\n",
        planet("")
    );
    let report = check(&write_config(dir.path(), &config), true).unwrap();
    assert_eq!(report.fetched, 0);
    let kinds: Vec<Kind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Duplicate, Kind::MissingFace],
        "{:#?}",
        report.findings
    );
    assert!(report.findings[1].message.contains("not a relative path"));
}

#[test]
fn an_unreadable_configuration_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        configs: vec![PathBuf::from("absent.ini")],
        load: orrery_config::LoadOptions {
            cwd: dir.path().to_owned(),
            theme_dirs: Vec::new(),
            builtin_themes: Vec::new(),
        },
    };
    assert!(matches!(check(&options, true), Err(Error::Config(_))));
    let broken = write_config(dir.path(), "no section header\n");
    assert!(matches!(check(&broken, true), Err(Error::Config(_))));
}
