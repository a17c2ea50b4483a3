//! A limit that cuts a document is named as such, not as the XML error that follows the cut.

use orrery_feed::{parse, Limits, ParseOptions};

fn rss(items: usize) -> String {
    let mut doc = String::from("<rss version=\"2.0\"><channel><title>t</title>");
    for n in 0..items {
        doc.push_str(&format!(
            "<item><guid>{n}</guid><title>item {n}</title></item>"
        ));
    }
    doc.push_str("</channel></rss>");
    doc
}

fn with(limits: Limits) -> ParseOptions {
    ParseOptions {
        limits,
        ..ParseOptions::default()
    }
}

#[test]
fn the_entry_limit_is_named_and_not_hidden_by_what_follows_the_cut() {
    let opts = with(Limits {
        max_entries: 3,
        ..Limits::default()
    });
    let cut = parse(rss(5).as_bytes(), &opts);
    assert_eq!(cut.entries.len(), 3);
    assert_eq!(cut.capped.as_deref(), Some("capped at 3 entries"));
    assert_eq!(cut.bozo_exception.as_deref(), Some("capped at 3 entries"));
    // Exactly at the limit nothing was cut.
    let full = parse(rss(3).as_bytes(), &opts);
    assert_eq!(full.entries.len(), 3);
    assert_eq!(full.capped, None);
    assert!(!full.bozo);
    // The default limit, written as people write numbers.
    let many = parse(rss(10_001).as_bytes(), &ParseOptions::default());
    assert_eq!(many.entries.len(), 10_000);
    assert_eq!(many.capped.as_deref(), Some("capped at 10,000 entries"));
}

#[test]
fn json_feed_items_beyond_the_limit_are_named_too() {
    let items: Vec<String> = (0..4)
        .map(|n| format!("{{\"id\":\"{n}\",\"content_text\":\"x\"}}"))
        .collect();
    let doc = format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{}]}}",
        items.join(",")
    );
    let opts = with(Limits {
        max_entries: 2,
        ..Limits::default()
    });
    let cut = parse(doc.as_bytes(), &opts);
    assert_eq!(cut.entries.len(), 2);
    assert_eq!(cut.capped.as_deref(), Some("capped at 2 entries"));
}

#[test]
fn byte_and_depth_limits_are_named() {
    let doc = rss(50);
    let bytes = parse(
        doc.as_bytes(),
        &with(Limits {
            max_bytes: 200,
            ..Limits::default()
        }),
    );
    assert_eq!(bytes.capped.as_deref(), Some("capped at 200 bytes"));
    let deep = format!("<rss version=\"2.0\"><channel>{}", "<x>".repeat(50));
    let depth = parse(
        deep.as_bytes(),
        &with(Limits {
            max_depth: 10,
            ..Limits::default()
        }),
    );
    assert_eq!(
        depth.capped.as_deref(),
        Some("capped at 10 nested elements")
    );
    assert_eq!(parse(doc.as_bytes(), &ParseOptions::default()).capped, None);
}
