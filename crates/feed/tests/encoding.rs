// Encoding detection on documents of the Universal Feed Parser's test suite (tests/data/encoding,
// copied unmodified). Each expectation restates the document's own `Expect:` header; documents
// that were served over HTTP name their Content-Type in a `Header:` line, passed on here.

use orrery_feed::encoding::{decode, Decoded};
use proptest::prelude::*;

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/encoding/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `Content-type:` of the document's `Header:` line, if it has one.
fn content_type(bytes: &[u8]) -> Option<String> {
    let ascii: String = bytes
        .iter()
        .take(2048)
        .filter(|b| **b != 0)
        .map(|&b| char::from(b))
        .collect();
    let line = ascii.lines().find(|l| l.starts_with("Header:"))?;
    let (_, value) = line.split_once("Content-type:")?;
    Some(value.trim().to_owned())
}

fn decode_file(name: &str) -> Decoded {
    let bytes = load(name);
    decode(&bytes, content_type(&bytes).as_deref())
}

#[track_caller]
fn check(name: &str, encoding: &str, bozo: bool, contains: &str) {
    let d = decode_file(name);
    assert_eq!(d.encoding, encoding, "{name}: encoding");
    assert_eq!(d.bozo.is_some(), bozo, "{name}: bozo {:?}", d.bozo);
    assert!(d.text.contains(contains), "{name}: text lacks {contains:?}");
    assert!(
        !d.text.starts_with('\u{feff}'),
        "{name}: byte order mark kept"
    );
}

#[test]
fn byte_order_marks_and_unicode_autodetection() {
    check(
        "utf-8-bom.xml",
        "utf-8",
        false,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    );
    check("utf-16le-bom.xml", "utf-16le", false, "Wellformed UTF-16");
    // No byte order mark: the bytes of `<?` tell UTF-32BE, the declaration says "utf-32".
    check("utf-32be-autodetect.xml", "utf-32be", false, "<rss>");
    check("utf_32.xml", "utf-32be", false, "<rss>");
}

#[test]
fn declaration_and_http_charset() {
    check("euc-kr.xml", "euc-kr", false, "<title>\u{b144}</title>");
    // application/*+xml defers to the declaration.
    check(
        "http_application_atom_xml_encoding.xml",
        "iso-8859-1",
        false,
        "<feed",
    );
    // gb2312 is read as its superset.
    check(
        "http_application_atom_xml_gb2312_charset.xml",
        "gb18030",
        false,
        "<feed",
    );
    // text/*+xml ignores the declaration: US-ASCII unless the charset says otherwise.
    check(
        "http_text_atom_xml_encoding.xml",
        "us-ascii",
        false,
        "<feed",
    );
    check(
        "http_text_xml_charset_overrides_encoding_2.xml",
        "windows-1252",
        false,
        "This is a \u{a3}\u{201c}test.\u{201d}",
    );
}

#[test]
fn wrong_or_unknown_encodings_are_flagged() {
    let d = decode_file("bozo_bogus_encoding.xml");
    assert_eq!(d.encoding, "utf-8");
    assert_eq!(
        d.bozo.as_deref(),
        Some("document declared as bogus, but parsed as utf-8")
    );

    let d = decode_file("bozo_http_text_plain.xml");
    assert_eq!(d.encoding, "us-ascii");
    assert_eq!(
        d.bozo.as_deref(),
        Some("text/plain is not an XML media type")
    );

    // A UTF-8 byte order mark before bytes that are not UTF-8.
    check(
        "bozo_invalid-bytes-with-bom.xml",
        "windows-1252",
        true,
        "Espa\u{f1}a",
    );

    // Too little to guess from; windows-1252 lacks 0x9D, ISO 8859-2 takes every byte.
    check(
        "bozo_linenoise.xml",
        "iso-8859-2",
        true,
        "\u{e2}\u{80}\u{99}<>\u{e2}\u{80}\u{9d}\u{160}",
    );
}

#[test]
fn undeclared_legacy_encoding_is_guessed() {
    let d = decode_file("koi8r.xml");
    assert_eq!(d.encoding, "KOI8-R");
    assert_eq!(
        d.bozo.as_deref(),
        Some("document declared as utf-8, but parsed as KOI8-R")
    );
    assert!(d
        .text
        .contains("<title>Как пережить новогоднюю ночь</title>"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_decode_within_bounds(
        prefix in proptest::sample::select(vec![
            &b""[..], b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff",
            b"\xff\xfe\x00\x00", b"<\x00?\x00", b"\x00\x00\x00<", b"<?xml encoding='utf-32'?>",
        ]),
        tail in proptest::collection::vec(any::<u8>(), 0..512),
        content_type in proptest::option::of("(text|application)/[a-z+]{0,12}(; ?charset=[a-z0-9-]{0,12})?"),
    ) {
        let bytes = [prefix, &tail[..]].concat();
        let d = decode(&bytes, content_type.as_deref());
        prop_assert!(d.text.len() <= 4 * bytes.len());
        prop_assert!(!d.encoding.is_empty());
    }

    #[test]
    fn declared_unicode_documents_round_trip(text in "[a-zA-Z0-9 <>/\u{e9}\u{4e2d}\u{1f600}]{0,64}") {
        let doc = format!("<?xml version='1.0' encoding='utf-16'?><a>{text}</a>");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&utf16, None);
        prop_assert_eq!(d.encoding, "utf-16le");
        prop_assert_eq!(d.bozo, None);
        prop_assert_eq!(d.text, doc);
    }
}
