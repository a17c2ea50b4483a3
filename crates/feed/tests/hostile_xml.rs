//! Attacks on the XML path: entity expansion, external resources, extreme shapes, broken bytes.
//!
//! Every case must return without panicking, read no file, open no connection, and produce
//! output whose size is bounded by the input's. Times are printed, not asserted (beyond a
//! generous sanity cap), so that a slow machine does not fail the suite.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use orrery_feed::{parse, Limits, ParseOptions, ParsedFeed};

/// A parse taking longer than this is a hang, not a slow machine.
const SANITY_CAP: Duration = Duration::from_secs(60);

/// Parses `bytes`, printing how long it took and the process's peak memory so far.
fn timed(label: &str, bytes: &[u8], opts: &ParseOptions) -> ParsedFeed {
    let start = Instant::now();
    let parsed = parse(bytes, opts);
    let took = start.elapsed();
    println!(
        "{label}: {} input bytes, {took:?}, peak RSS {}",
        bytes.len(),
        peak_rss()
    );
    assert!(took < SANITY_CAP, "{label}: parsing took {took:?}");
    parsed
}

fn parse_default(label: &str, bytes: &[u8]) -> ParsedFeed {
    timed(label, bytes, &ParseOptions::default())
}

/// The process's high-water resident set, where the platform reports it.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Everything the parser produced, as text: a stand-in for "any output field".
fn dump(parsed: &ParsedFeed) -> String {
    format!("{parsed:?}")
}

fn title(parsed: &ParsedFeed) -> Option<&str> {
    parsed.feed.common.title.as_ref().map(|t| t.value.as_str())
}

fn assert_bozo(label: &str, parsed: &ParsedFeed) {
    assert!(parsed.bozo, "{label}: not flagged bozo");
    let reason = parsed.bozo_exception.as_deref().unwrap_or("");
    assert!(!reason.trim().is_empty(), "{label}: bozo without a reason");
}

/// Output may grow a little over the input (escaping in the dump, a few defaults) but never by
/// more than a small factor: that is what entity-expansion attacks try to break.
fn assert_bounded(label: &str, input: &[u8], parsed: &ParsedFeed) {
    let out = dump(parsed).len();
    println!(
        "{label}: output {out} bytes for {} input bytes",
        input.len()
    );
    assert!(
        out <= input.len() * 8 + 64 * 1024,
        "{label}: {out} output bytes from {} input bytes",
        input.len()
    );
}

fn rss_with_title(doctype: &str, title: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?>\n{doctype}\n<rss version=\"2.0\"><channel><title>{title}</title>\
         <item><title>kept</title><description>{title}</description></item></channel></rss>"
    )
    .into_bytes()
}

#[test]
fn billion_laughs_does_not_expand() {
    let mut doctype = String::from("<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..=9 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        doctype.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    doctype.push(']');
    doctype.push('>');
    let doc = rss_with_title(&doctype, "&lol9;");
    let parsed = parse_default("billion laughs", &doc);
    assert_bounded("billion laughs", &doc, &parsed);
    assert_bozo("billion laughs", &parsed);
    assert_eq!(parsed.entries.len(), 1, "the item is still recovered");
}

#[test]
fn one_big_entity_used_many_times_is_bounded() {
    let big = "a".repeat(1000);
    let doctype = format!("<!DOCTYPE rss [<!ENTITY big \"{big}\">]>");
    let doc = rss_with_title(&doctype, &"&big;".repeat(100_000));
    let parsed = parse_default("quadratic blow-up in text", &doc);
    assert_bounded("quadratic blow-up in text", &doc, &parsed);
    assert_bozo("quadratic blow-up in text", &parsed);
    assert_eq!(parsed.entries.len(), 1, "the item is still recovered");
    // Bounded, not refused: references within the budget are still expanded.
    let expanded = title(&parsed).unwrap_or("");
    assert!(
        expanded.starts_with(&big.repeat(100)),
        "{} bytes",
        expanded.len()
    );
}

#[test]
fn one_big_entity_used_many_times_in_an_attribute_is_bounded() {
    let big = "a".repeat(1000);
    let refs = "&big;".repeat(100_000);
    let doc = format!(
        "<!DOCTYPE feed [<!ENTITY big \"{big}\">]>\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
         <entry><title>kept</title><link rel=\"alternate\" href=\"http://x/{refs}\"/>\
         <category term=\"{refs}\"/></entry></feed>"
    )
    .into_bytes();
    let parsed = parse_default("quadratic blow-up in attributes", &doc);
    assert_bounded("quadratic blow-up in attributes", &doc, &parsed);
    assert_bozo("quadratic blow-up in attributes", &parsed);
    assert_eq!(parsed.entries.len(), 1, "the entry is still recovered");
}

/// A file whose content must never show up in a parse result; removed when dropped.
struct SecretFile {
    path: std::path::PathBuf,
    marker: String,
}

impl SecretFile {
    fn new() -> SecretFile {
        let marker = format!("SECRET-{}-do-not-read", std::process::id());
        let path = std::env::temp_dir().join(format!("orrery-hostile-{marker}.txt"));
        std::fs::write(&path, &marker).expect("write secret file");
        SecretFile { path, marker }
    }

    fn url(&self) -> String {
        format!("file://{}", self.path.display())
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn external_entities_and_dtds_read_no_file() {
    let secret = SecretFile::new();
    let (secret_url, marker) = (secret.url(), secret.marker.clone());
    let passwd = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
        .filter(|l| !l.is_empty());
    let cases = [
        (
            "external general entity",
            format!("<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"{secret_url}\">]>"),
            "&xxe;".to_string(),
        ),
        (
            "external entity to /etc/passwd",
            "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>".to_string(),
            "&xxe;".to_string(),
        ),
        (
            "public external entity",
            format!("<!DOCTYPE rss [<!ENTITY xxe PUBLIC \"-//x//y\" \"{secret_url}\">]>"),
            "&xxe;".to_string(),
        ),
        (
            "external DTD",
            format!("<!DOCTYPE rss SYSTEM \"{secret_url}\">"),
            "plain".to_string(),
        ),
        (
            "parameter entity",
            format!("<!DOCTYPE rss [<!ENTITY % p SYSTEM \"{secret_url}\"> %p;]>"),
            "&p;".to_string(),
        ),
        (
            "parameter entity defining a general one",
            format!(
                "<!DOCTYPE rss [<!ENTITY % f SYSTEM \"{secret_url}\">\
                 <!ENTITY % d \"<!ENTITY e '%f;'>\"> %d;]>"
            ),
            "&e;".to_string(),
        ),
        (
            "XInclude",
            String::new(),
            format!(
                "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" \
                 href=\"{secret_url}\" parse=\"text\"/>"
            ),
        ),
    ];
    for (label, doctype, body) in cases {
        let doc = rss_with_title(&doctype, &body);
        let parsed = parse_default(label, &doc);
        let out = dump(&parsed);
        assert!(!out.contains(&marker), "{label}: file content leaked");
        if let Some(line) = &passwd {
            assert!(!out.contains(line.as_str()), "{label}: /etc/passwd leaked");
        }
        assert_eq!(
            parsed.entries.len(),
            1,
            "{label}: the item is still recovered"
        );
    }
}

#[test]
fn external_resources_open_no_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}/x", listener.local_addr().expect("addr"));
    let cases = [
        (
            "external entity over HTTP",
            format!("<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"{url}\">]>"),
            "&xxe;".to_string(),
        ),
        (
            "external DTD over HTTP",
            format!("<!DOCTYPE rss PUBLIC \"-//x//y\" \"{url}\">"),
            "plain".to_string(),
        ),
        (
            "parameter entity over HTTP",
            format!("<!DOCTYPE rss [<!ENTITY % p SYSTEM \"{url}\"> %p;]>"),
            "text".to_string(),
        ),
        (
            "XInclude over HTTP",
            String::new(),
            format!("<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"{url}\"/>"),
        ),
        (
            "stylesheet and schema location",
            format!(
                "<?xml-stylesheet type=\"text/xsl\" href=\"{url}\"?>\
                 <!DOCTYPE rss SYSTEM \"{url}\">"
            ),
            "plain".to_string(),
        ),
    ];
    for (label, doctype, body) in cases {
        let doc = rss_with_title(&doctype, &body);
        let parsed = parse_default(label, &doc);
        assert_eq!(
            parsed.entries.len(),
            1,
            "{label}: the item is still recovered"
        );
        // A connection attempt completes its handshake in the kernel, so it would be waiting.
        match listener.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Ok((_, peer)) => panic!("{label}: the parser connected to {url} from {peer}"),
            Err(e) => panic!("accept: {e}"),
        }
    }
}

#[test]
fn deep_nesting_is_cut_off() {
    let depth = 100_000;
    let cases = [
        ("bare elements", "<a>".repeat(depth), "</a>".repeat(depth)),
        (
            "xhtml content",
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>kept</title>\
                 <content type=\"xhtml\">{}",
                "<div>".repeat(depth)
            ),
            format!("{}</content></entry></feed>", "</div>".repeat(depth)),
        ),
        (
            "unclosed rss items",
            format!("<rss><channel>{}", "<item><title>x</title>".repeat(depth)),
            String::new(),
        ),
    ];
    for (label, open, close) in cases {
        let doc = format!("{open}{close}").into_bytes();
        let parsed = parse_default(label, &doc);
        assert_bozo(label, &parsed);
        assert_bounded(label, &doc, &parsed);
    }
}

/// 50 MB in one text node or one attribute: cut at the byte limit by default, parsed whole
/// when the caller raises it.
#[test]
fn fifty_megabyte_single_node() {
    const SIZE: usize = 50 << 20;
    let filler = "a".repeat(SIZE);
    let text_doc = format!("<rss version=\"2.0\"><channel><title>{filler}</title></channel></rss>");
    let attr_doc = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
         <link rel=\"alternate\" href=\"http://example.org/{filler}\"/></feed>"
    );
    drop(filler);
    for (label, doc) in [
        ("50 MB text node", &text_doc),
        ("50 MB attribute", &attr_doc),
    ] {
        let parsed = parse_default(label, doc.as_bytes());
        assert_bozo(label, &parsed);
        assert!(
            parsed
                .bozo_exception
                .as_deref()
                .is_some_and(|r| r.contains("larger than")),
            "{label}: {:?}",
            parsed.bozo_exception
        );
        assert_bounded(label, doc.as_bytes(), &parsed);
    }
    let roomy = ParseOptions {
        limits: Limits {
            max_bytes: 64 << 20,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let parsed = timed("50 MB text node, limit raised", text_doc.as_bytes(), &roomy);
    assert!(!parsed.bozo, "{:?}", parsed.bozo_exception);
    assert_eq!(title(&parsed).map(str::len), Some(SIZE));
    let parsed = timed("50 MB attribute, limit raised", attr_doc.as_bytes(), &roomy);
    assert_bounded(
        "50 MB attribute, limit raised",
        attr_doc.as_bytes(),
        &parsed,
    );
    let link = parsed.feed.common.link.as_deref().unwrap_or("");
    assert!(
        link.len() > SIZE,
        "the long link is kept: {} bytes",
        link.len()
    );
}

/// Every prefix of a real feed parses, and every entry complete in the prefix is recovered.
#[test]
fn every_prefix_of_a_real_feed() {
    for (name, doc, close) in [
        (
            "rss20.xml",
            &include_bytes!("data/rss20.xml")[..],
            &b"</item>"[..],
        ),
        (
            "atom10.xml",
            &include_bytes!("data/atom10.xml")[..],
            b"</entry>",
        ),
    ] {
        let full = parse(doc, &ParseOptions::default());
        assert!(!full.bozo, "{name}: {:?}", full.bozo_exception);
        let titles: Vec<_> = full
            .entries
            .iter()
            .map(|e| e.common.title.clone())
            .collect();
        assert!(!titles.is_empty(), "{name} has entries");
        let root_end = doc
            .iter()
            .rposition(|&b| b == b'>')
            .expect("document ends with a tag");
        for len in 0..doc.len() {
            let prefix = &doc[..len];
            let parsed = parse(prefix, &ParseOptions::default());
            if len > 0 && len <= root_end {
                assert_bozo(&format!("{name}[..{len}]"), &parsed);
            }
            let complete = prefix.windows(close.len()).filter(|w| *w == close).count();
            assert!(
                parsed.entries.len() >= complete && parsed.entries.len() <= titles.len(),
                "{name}[..{len}]: {} entries, {complete} complete",
                parsed.entries.len()
            );
            for (i, entry) in parsed.entries.iter().take(complete).enumerate() {
                assert_eq!(entry.common.title, titles[i], "{name}[..{len}] entry {i}");
            }
        }
    }
}

#[test]
fn nul_bytes() {
    let cases: [(&str, &[u8]); 4] = [
        ("NUL in text", b"<rss><channel><title>a\0b</title><item><title>kept</title></item></channel></rss>"),
        ("NUL in a tag name", b"<rss><channel><ti\0tle>a</ti\0tle><item><title>kept</title></item></channel></rss>"),
        ("NUL in an attribute", b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>kept</title><link href=\"http://x/\0y\"/></entry></feed>"),
        ("NUL everywhere", b"\0<\0r\0s\0s\0>\0<item><title>kept</title></item>"),
    ];
    for (label, doc) in cases {
        let parsed = parse_default(label, doc);
        assert_bozo(label, &parsed);
        assert_bounded(label, doc, &parsed);
    }
    // A document that is all NULs.
    let zeros = vec![0u8; 1 << 20];
    let parsed = parse_default("1 MiB of NUL", &zeros);
    assert_bozo("1 MiB of NUL", &parsed);
    assert!(parsed.entries.is_empty());
}

#[test]
fn invalid_utf8_is_flagged_and_recovered() {
    let mut doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
        <title>caf"
        .to_vec();
    doc.extend_from_slice(b"\xC3\x28 \xFF\xFE \xED\xA0\x80 \xF4\x90\x80\x80");
    doc.extend_from_slice(b"</title><item><title>kept</title></item></channel></rss>");
    let parsed = parse_default("invalid UTF-8", &doc);
    assert_bozo("invalid UTF-8", &parsed);
    assert_eq!(parsed.entries.len(), 1);
    assert!(title(&parsed).is_some_and(|t| t.starts_with("caf")));
}

#[test]
fn lying_encoding_declarations() {
    let body = "<rss version=\"2.0\"><channel><title>caf\u{e9}</title>\
                <item><title>kept</title></item></channel></rss>";
    for decl in [
        "utf-16",
        "utf-32",
        "ucs-4",
        "x-no-such-charset",
        "ebcdic-cp-us",
        "utf-7",
    ] {
        let doc = format!("<?xml version=\"1.0\" encoding=\"{decl}\"?>{body}");
        let label = format!("declares {decl}, is UTF-8");
        let parsed = parse_default(&label, doc.as_bytes());
        assert_bounded(&label, doc.as_bytes(), &parsed);
        assert_eq!(parsed.entries.len(), 1, "{label}: {parsed:?}");
    }
    // Declared ASCII but containing 8-bit bytes, and declared via HTTP contrary to the document.
    let doc = format!("<?xml version=\"1.0\" encoding=\"us-ascii\"?>{body}");
    let parsed = parse_default("declares us-ascii", doc.as_bytes());
    assert_eq!(parsed.entries.len(), 1);
    let opts = ParseOptions {
        headers: vec![(
            "Content-Type".to_string(),
            "application/xml; charset=utf-16be".to_string(),
        )],
        ..ParseOptions::default()
    };
    let parsed = timed("HTTP says utf-16be, body is UTF-8", doc.as_bytes(), &opts);
    assert_bounded("HTTP says utf-16be", doc.as_bytes(), &parsed);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn utf32(text: &str, big_endian: bool) -> Vec<u8> {
    text.chars()
        .flat_map(|c| {
            let c = u32::from(c);
            if big_endian {
                c.to_be_bytes()
            } else {
                c.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn byte_order_marks() {
    let expected = "H\u{e9}llo \u{2713} \u{1F600}";
    let doc = format!(
        "\u{feff}<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{expected}</title>\
         <item><title>kept</title></item></channel></rss>"
    );
    let cases = [
        ("UTF-8 BOM", doc.clone().into_bytes()),
        ("UTF-16LE BOM", utf16(&doc, false)),
        ("UTF-16BE BOM", utf16(&doc, true)),
        ("UTF-32LE BOM", utf32(&doc, false)),
        ("UTF-32BE BOM", utf32(&doc, true)),
    ];
    for (label, bytes) in cases {
        let parsed = parse_default(label, &bytes);
        assert_eq!(title(&parsed), Some(expected), "{label}: {parsed:?}");
        assert_eq!(parsed.entries.len(), 1, "{label}");
    }
    // A BOM that contradicts the declaration, and a BOM alone or cut in half.
    let mut liar = b"\xFF\xFE".to_vec();
    liar.extend_from_slice(doc.trim_start_matches('\u{feff}').as_bytes());
    let parsed = parse_default("UTF-16LE BOM before UTF-8 bytes", &liar);
    assert_bounded("UTF-16LE BOM before UTF-8 bytes", &liar, &parsed);
    for bom in [
        &b"\xEF\xBB\xBF"[..],
        b"\xEF\xBB",
        b"\xFF\xFE",
        b"\xFE",
        b"\x00\x00\xFE\xFF",
        b"\xFF\xFE\x00",
    ] {
        let parsed = parse_default("BOM only", bom);
        assert!(parsed.entries.is_empty());
    }
}

#[test]
fn huge_numbers_of_attributes_and_namespaces() {
    let n = 100_000;
    let attrs: String = (0..n).map(|i| format!(" a{i}=\"v{i}\"")).collect();
    let duplicate_attrs = " a=\"v\"".repeat(n);
    let namespaces: String = (0..n)
        .map(|i| format!(" xmlns:p{i}=\"http://example.org/ns/{i}\""))
        .collect();
    let cases = [
        ("distinct attributes", format!("<rss{attrs}><channel><item{attrs}><title>kept</title></item></channel></rss>")),
        ("duplicate attributes", format!("<rss{duplicate_attrs}><channel><item><title{duplicate_attrs}>kept</title></item></channel></rss>")),
        ("namespace declarations", format!("<rss{namespaces}><channel><item{namespaces}><title>kept</title></item></channel></rss>")),
    ];
    for (label, doc) in cases {
        let parsed = parse_default(label, doc.as_bytes());
        assert_bozo(label, &parsed);
        assert_bounded(label, doc.as_bytes(), &parsed);
        assert!(
            parsed.namespaces.len() <= 1024,
            "{label}: {} namespaces kept",
            parsed.namespaces.len()
        );
        assert_eq!(parsed.entries.len(), 1, "{label}: the item is recovered");
    }
}
