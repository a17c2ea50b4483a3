//! `orrery import-opml` and `orrery export-opml`, with the real binary on
//! real files (and a loopback server for a list on the web).

#[allow(dead_code)] // the shared planet builder is not used here
mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

use common::{orrery_in, run};
use quick_xml::events::Event;
use quick_xml::XmlVersion;
use serde_json::Value;

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Blogroll</title></head><body>
  <outline text="Friends">
    <outline type="rss" text="Tom &amp; Jerry" xmlUrl="http://tj.example/feed?a=1&amp;b=2"/>
    <outline type="rss" title="Caf&#233; 100% %(x)s ; late" xmlUrl="https://cafe.example/atom"/>
  </outline>
  <outline type="rss" text="Again, another spelling" xmlUrl="HTTP://TJ.EXAMPLE:80/feed?a=1&amp;b=2"/>
  <outline type="rss" text="Already here" xmlUrl="http://old.example/feed"/>
  <outline type="rss" text="A local file" xmlUrl="/etc/passwd"/>
</body></opml>"#;

const INI: &str = "# My planet\n[Planet]\nname = Mine ; the name\n\n# An old friend\n[http://old.example/feed]\nname = Old\n";

/// (URL, name) of each subscription `orrery config` resolves.
fn subscriptions(dir: &Path, config: &str) -> Vec<(String, String)> {
    let (code, stdout, stderr) = run(orrery_in(dir).args(["config", "--json", "-c", config]));
    assert_eq!(code, Some(0), "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    value["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let url = s["url"].as_str().unwrap().to_owned();
            let name = s["name"].as_str().unwrap_or(&url).to_owned();
            (url, name)
        })
        .collect()
}

#[test]
fn import_into_an_ini_file_keeps_it_and_skips_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("planet.ini"), INI).unwrap();
    fs::write(dir.path().join("list.opml"), OPML).unwrap();
    let import = |extra: &[&str]| {
        let mut cmd = orrery_in(dir.path());
        cmd.args(["import-opml", "list.opml", "-c", "planet.ini"])
            .args(extra);
        run(&mut cmd)
    };

    let (code, dry, stderr) = import(&["--dry-run"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("planet.ini")).unwrap(),
        INI
    );
    assert!(
        dry.contains("would add http://tj.example/feed?a=1&b=2 as \"Tom & Jerry\""),
        "{dry}"
    );

    let (code, stdout, stderr) = import(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, dry.replace("would add", "added"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "added http://tj.example/feed?a=1&b=2 as \"Tom & Jerry\"",
            "added https://cafe.example/atom as \"Café 100% %(x)s ; late\"",
            "skipped /etc/passwd: not an http(s) URL",
            "skipped HTTP://TJ.EXAMPLE:80/feed?a=1&b=2: repeats http://tj.example/feed?a=1&b=2",
            "skipped http://old.example/feed: already subscribed",
            "2 added, 3 skipped",
        ]
    );
    let text = fs::read_to_string(dir.path().join("planet.ini")).unwrap();
    assert!(text.starts_with(INI), "{text}");
    assert_eq!(
        subscriptions(dir.path(), "planet.ini"),
        [
            ("http://old.example/feed".to_owned(), "Old".to_owned()),
            (
                "http://tj.example/feed?a=1&b=2".to_owned(),
                "Tom & Jerry".to_owned()
            ),
            // What an INI value cannot hold: `%(` and a space before `;`.
            (
                "https://cafe.example/atom".to_owned(),
                "Café 100% % (x)s; late".to_owned()
            ),
        ]
    );

    let (code, again, _) = import(&[]);
    assert_eq!(code, Some(0));
    assert!(again.ends_with("0 added, 5 skipped\n"), "{again}");
    assert_eq!(
        fs::read_to_string(dir.path().join("planet.ini")).unwrap(),
        text
    );
}

#[test]
fn import_into_a_toml_file() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "# settings\n[planet]\nname = \"T\" # inline\n\n[[subscription]]\nurl = \"http://old.example/feed\"\nname = \"Old\"\n";
    fs::write(dir.path().join("planet.toml"), toml).unwrap();
    fs::write(dir.path().join("list.opml"), OPML).unwrap();
    let (code, stdout, stderr) =
        run(orrery_in(dir.path()).args(["import-opml", "list.opml", "-c", "planet.toml"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.ends_with("2 added, 3 skipped\n"), "{stdout}");
    let text = fs::read_to_string(dir.path().join("planet.toml")).unwrap();
    assert!(text.starts_with(toml), "{text}");
    let subs = subscriptions(dir.path(), "planet.toml");
    assert_eq!(subs.len(), 3);
    // TOML holds any name.
    assert_eq!(subs[2].1, "Café 100% %(x)s ; late");
}

/// Serves `body` to every request, for as long as the test runs.
fn serve(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/x-opml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    base
}

#[test]
fn import_from_the_web() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("planet.ini"), INI).unwrap();
    let url = format!("{}/blogroll.opml", serve(OPML));
    let (code, stdout, stderr) =
        run(orrery_in(dir.path()).args(["import-opml", &url, "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.ends_with("2 added, 3 skipped\n"), "{stdout}");
    assert_eq!(subscriptions(dir.path(), "planet.ini").len(), 3);

    let (code, _, stderr) =
        run(orrery_in(dir.path()).args(["import-opml", "missing.opml", "-c", "planet.ini"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("missing.opml"), "{stderr}");
}

/// (xmlUrl, text) of each outline, reading the document with a strict XML parser.
fn outlines(opml: &str) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_str(opml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == b"outline" => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                found.push((attr("xmlUrl").unwrap(), attr("text").unwrap()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// Planet OpenStack's 272 subscriptions go out as OPML and come back in,
/// into an empty planet, as the same list.
#[test]
fn export_and_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let ini =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/tests/data/openstack/planet.ini");
    fs::copy(ini, dir.path().join("planet.ini")).unwrap();
    let original = subscriptions(dir.path(), "planet.ini");
    assert!(original.len() > 200);

    let (code, exported, stderr) =
        run(orrery_in(dir.path()).args(["export-opml", "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(outlines(&exported), original);

    fs::write(dir.path().join("empty.ini"), "[Planet]\nname = Empty\n").unwrap();
    let (code, _, stderr) =
        run(orrery_in(dir.path()).args(["export-opml", "-c", "planet.ini", "-o", "out.opml"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("out.opml")).unwrap(),
        exported
    );
    let (code, stdout, stderr) =
        run(orrery_in(dir.path()).args(["import-opml", "out.opml", "-c", "empty.ini"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.ends_with(&format!("{} added, 0 skipped\n", original.len())),
        "{stdout}"
    );
    assert_eq!(subscriptions(dir.path(), "empty.ini"), original);
}

#[test]
fn export_escapes_and_knows_site_links() {
    let dir = tempfile::tempdir().unwrap();
    let ini = "[Planet]\nname = <Planet> & \"friends\"\n\n\
               [http://a.example/feed?x=1&y=2]\nname = Tom & <Jerry> \"quoted\"\nlink = http://a.example/?p=1&q=2\n\n\
               [http://b.example/feed]\n";
    fs::write(dir.path().join("planet.ini"), ini).unwrap();
    let (code, opml, stderr) = run(orrery_in(dir.path()).args(["export-opml", "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        outlines(&opml),
        [
            (
                "http://a.example/feed?x=1&y=2".to_owned(),
                "Tom & <Jerry> \"quoted\"".to_owned()
            ),
            // No name: the URL stands in.
            (
                "http://b.example/feed".to_owned(),
                "http://b.example/feed".to_owned()
            ),
        ]
    );
    assert!(
        opml.contains("htmlUrl=\"http://a.example/?p=1&amp;q=2\""),
        "{opml}"
    );
    assert!(
        opml.contains("<title>&lt;Planet&gt; &amp; &quot;friends&quot;</title>"),
        "{opml}"
    );
    assert!(opml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"));
}

#[test]
fn export_refuses_to_write_over_its_configuration() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("planet.ini"), INI).unwrap();
    let (code, _, stderr) =
        run(orrery_in(dir.path()).args(["export-opml", "-c", "planet.ini", "-o", "planet.ini"]));
    assert_ne!(code, Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("planet.ini")).unwrap(),
        INI
    );
}
