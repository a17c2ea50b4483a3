//! The entry blacklist, end to end: a blacklisted entry leaves the page at the next publish and
//! does not come back with its feed; taken off the list, it returns.

mod common;

use std::fs;
use std::process::Command;

use common::{run, Planet, BIN};

const FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Blog</title><id>urn:blog</id><updated>2024-05-02T00:00:00Z</updated>
  <entry><id>urn:blog:keep</id><title>A post to keep</title>
    <updated>2024-05-01T00:00:00Z</updated><content>kept</content></entry>
  <entry><id>urn:blog:spam</id><title>Buy cheap watches</title>
    <updated>2024-05-02T00:00:00Z</updated><content>spam</content></entry>
</feed>"#;

fn blacklist(planet: &Planet, args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(planet.path())
        .arg("blacklist")
        .args(args)
        .args(["-c", "planet.ini"]);
    run(&mut cmd)
}

fn page(planet: &Planet) -> String {
    fs::read_to_string(planet.output().join("index.html")).expect("index.html")
}

#[test]
fn blacklisted_entries_leave_the_page_and_stay_away() {
    let planet = Planet::new();
    let feed = planet.path().join("feeds/blog.xml");
    fs::write(&feed, FEED).expect("write feed");
    planet.subscribe(&feed.display().to_string(), "Blog");
    assert_eq!(run(&mut planet.update()).0, Some(0));
    assert!(page(&planet).contains("Buy cheap watches"));

    let (code, out, err) = blacklist(&planet, &["add", "urn:blog:spam", "--reason", "spam"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("1 stored copies deleted"), "{out}");
    let (_, listed, _) = blacklist(&planet, &["list"]);
    assert!(listed.starts_with("urn:blog:spam\t"), "{listed}");
    assert!(listed.trim_end().ends_with("\tspam"), "{listed}");

    // The feed still carries the entry and is read again (rewritten), yet the entry stays out.
    fs::write(&feed, FEED.replace("kept", "kept, edited")).expect("rewrite feed");
    assert_eq!(run(&mut planet.update()).0, Some(0));
    let html = page(&planet);
    assert!(!html.contains("Buy cheap watches"));
    assert!(html.contains("A post to keep"));

    let (code, out, _) = blacklist(&planet, &["remove", "urn:blog:spam"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("no longer blacklisted"), "{out}");
    fs::write(&feed, FEED).expect("rewrite feed");
    assert_eq!(run(&mut planet.update()).0, Some(0));
    assert!(page(&planet).contains("Buy cheap watches"));
}
