//! A small planet built in memory, with hostile strings where feeds and
//! configurations can put them, and helpers to read the outputs back.

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use orrery_render::{Channel, Enclosure, Item, Planet};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

pub const HOSTILE_NAME: &str = "Alice <script>alert(1)</script>";
pub const HOSTILE_AUTHOR: &str = "Mallory <img src=x onerror=alert(2)>";
pub const FAILURE: &str = "HTTP 410: the feed is gone <forever> & \"ever\"";

pub fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 8, day, hour, minute, 0)
        .single()
        .unwrap()
}

pub fn planet() -> Planet {
    let mut planet = Planet::new("Planet <Test> & \"Friends\"", at(27, 8, 3));
    planet.link = "http://planet.example/".into();
    planet.owner_name = "Owner <o@x>".into();
    planet.owner_email = "owner@planet.example".into();
    planet
}

fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Three subscriptions; the third one is failing. Their order here is not
/// alphabetical, so sorting by name is visible.
pub fn channels() -> Vec<Channel> {
    vec![
        Channel {
            url: "http://b.example/atom".into(),
            name: "Bob & \"Co\"".into(),
            link: Some("http://b.example/".into()),
            title: Some("Bob's <b>blog</b>".into()),
            http_status: Some(200),
            last_fetch: Some(at(27, 8, 0)),
            last_new_entry: Some(at(26, 9, 0)),
            entries_stored: Some(5),
            permanent_redirect: Some("https://b.example/atom.xml".into()),
            ..Channel::default()
        },
        Channel {
            url: "http://a.example/feed.xml".into(),
            name: HOSTILE_NAME.into(),
            link: Some("http://a.example/".into()),
            title: Some("Alice's blog".into()),
            rights: Some("&copy; 2016 <i>Alice</i>\u{b}".into()),
            http_status: Some(200),
            options: options(&[
                ("face", "alice.png"),
                ("facewidth", "85"),
                ("faceheight", "80"),
            ]),
            ..Channel::default()
        },
        Channel {
            url: "http://gone.example/rss".into(),
            name: "Gone Blog".into(),
            message: Some(FAILURE.into()),
            http_status: Some(410),
            options: options(&[("face", "missing.png")]),
            ..Channel::default()
        },
    ]
}

pub const BOB: usize = 0;
pub const ALICE: usize = 1;

fn item(n: usize, channel: usize, date: DateTime<Utc>) -> Item {
    Item {
        channel,
        id: format!("http://x.example/{n}"),
        title: Some(format!("Post {n}")),
        content: Some(format!("<p>Body of post {n}.</p>")),
        author_name: Some(format!("Author {n}")),
        link: Some(format!("http://x.example/{n}")),
        published: Some(date),
        updated: Some(date),
        date,
        ..Item::default()
    }
}

/// Ten items over three days, newest first, plus one whose channel does
/// not exist (it must be left out).
pub fn items() -> Vec<Item> {
    let mut items = vec![
        item(0, ALICE, at(26, 15, 49)),
        item(1, ALICE, at(26, 12, 0)),
        item(2, BOB, at(26, 9, 0)),
        item(3, ALICE, at(26, 7, 0)),
        item(4, ALICE, at(25, 22, 0)),
        item(5, BOB, at(25, 10, 0)),
        item(6, BOB, at(25, 8, 0)),
        item(7, BOB, at(24, 23, 0)),
        item(8, BOB, at(24, 1, 0)),
        item(9, ALICE, at(24, 0, 30)),
    ];
    items[0].title = Some("<b>Bold</b> &amp; sanitized\u{0}\u{b}".into());
    items[0].author_name = Some(HOSTILE_AUTHOR.into());
    items[0].author_email = Some("m@x.example".into());
    items[0].content =
        Some(r#"<p>Picture: <img src="http://x.example/a.png" alt="a"></p><pre>wide</pre>"#.into());
    items[1].link = Some("posts/1.html".into());
    items[1].enclosure = Some(Enclosure {
        href: Some("http://x.example/1.mp3".into()),
        mime_type: Some("audio/mpeg".into()),
        length: Some(100),
    });
    items[2].title = None;
    items[2].author_name = None;
    // No URL: templates see its type and length, feeds leave it out.
    items[2].enclosure = Some(Enclosure {
        href: None,
        mime_type: Some("audio/ogg".into()),
        length: Some(7),
    });
    items[3].categories = vec!["rust & <xml>".into()];
    let mut orphan = item(10, 99, at(26, 16, 0));
    orphan.title = Some("Orphan".into());
    items.insert(0, orphan);
    items
}

/// Names of all elements (start or empty) in document order; panics if the
/// document is not well-formed XML or uses an undefined entity.
pub fn xml_elements(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut reader = Reader::from_str(&text);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for attr in e.attributes() {
                    attr.unwrap()
                        .normalized_value(XmlVersion::default())
                        .unwrap();
                }
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::GeneralRef(r)) => {
                let known =
                    r.is_char_ref() || matches!(&*r, b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                assert!(known, "{}: undefined entity {:?}", path.display(), r);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{}: not well-formed: {e}", path.display()),
        }
    }
    names
}

pub fn count(names: &[String], name: &str) -> usize {
    names.iter().filter(|n| *n == name).count()
}

/// The first character XML 1.0 does not allow, if any.
pub fn forbidden_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The text of the elements `<tag>` (or `<tag ...>`) in `html`, in order,
/// with inner tags removed.
pub fn texts_of(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let body_start = after.find('>').unwrap() + 1;
        let end = after.find(&close).unwrap();
        out.push(strip_tags(&after[body_start..end]));
        rest = &after[end..];
    }
    out
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}
