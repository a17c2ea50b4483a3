//! Hostile input must never panic, hang or be rejected outright.

use orrery_feed::{parse, ParseOptions};
use proptest::prelude::*;

/// Fragments that exercise the tricky paths: broken markup, references, namespaces, CDATA.
const PIECES: &[&str] = &[
    "<rss version=\"2.0\">",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<title>",
    "</title>",
    "<content type=\"xhtml\">",
    "<content type=\"html\">",
    "</content>",
    "<div>",
    "</div>",
    "<b>",
    "</i>",
    "<link href=\"/x\"/>",
    "<link>",
    "</link>",
    "&amp;",
    "&nbsp;",
    "&#x1F600;",
    "&#0;",
    "&bogus;",
    "&",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE x [<!ENTITY e \"v\">]>",
    "&e;",
    "<x:y>",
    "</x:y>",
    "xmlns:x=\"u\"",
    "\"",
    "'",
    "<author>",
    "</author>",
    "<name>",
    "</name>",
    "a@b.cc",
    "<svg>",
    "</svg>",
    "<description>",
    "</description>",
    "xml:base=\"http://a/b/\"",
    "<summary>",
    "</summary>",
    "<source>",
    "</source>",
    "<image>",
    "</image>",
    "<width>",
    "</width>",
    "<guid>",
    "</guid>",
    "mode=\"base64\"",
    "é",
    "\u{85}",
    "\r\n",
    " ",
    ">",
    "<",
    "/>",
    "{",
    "}",
    "[",
    "]",
];

proptest! {
    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes, &ParseOptions::default());
    }

    #[test]
    fn arbitrary_markup(idx in proptest::collection::vec(0..PIECES.len(), 0..80)) {
        let doc: String = idx.iter().map(|&i| PIECES[i]).collect();
        let p = parse(doc.as_bytes(), &ParseOptions::default());
        let _ = p.to_schema_json();
    }
}

#[test]
fn quadratic_traps_stay_cheap() {
    // Many attributes, namespace declarations and duplicate-checked categories in one place.
    let mut doc = String::from("<rss><channel><item");
    for i in 0..50_000 {
        doc.push_str(&format!(" a{i}=\"v\" xmlns:p{i}=\"urn:{i}\""));
    }
    doc.push('>');
    for i in 0..20_000 {
        doc.push_str(&format!("<category>c{i}</category>"));
    }
    doc.push_str("</item></channel></rss>");
    let start = std::time::Instant::now();
    let p = parse(doc.as_bytes(), &ParseOptions::default());
    assert!(p.bozo);
    assert_eq!(p.entries.len(), 1);
    assert!(p.entries[0].common.tags.len() <= 1024);
    assert!(p.namespaces.len() <= 256);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}
