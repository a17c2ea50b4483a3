//! Character-encoding detection and decoding, as XML (byte order marks, the declaration's
//! `encoding`) and HTTP (RFC 3023 media types and `charset`) define it, with the Universal Feed
//! Parser's fallbacks for documents that lie about their encoding.
//!
//! The candidates are tried in order: what RFC 3023 says applies, the XML declaration, the byte
//! order mark, a statistical guess, then UTF-8, windows-1252 and ISO 8859-2. The first one that
//! decodes the whole document without error wins; if it is not the one RFC 3023 designated, the
//! document is flagged ("bozo") with the reason, as it is when the media type is not XML.

mod codec;

use std::borrow::Cow;

use codec::Codec;

/// A document decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<T = String> {
    /// The text, in UTF-8, without its byte order mark. An XML declaration is left in place;
    /// its `encoding` no longer applies.
    pub text: T,
    /// The encoding actually used, named as the Universal Feed Parser names it: lower case as
    /// declared (`utf-8`, `iso-8859-1`, `us-ascii`, `gb18030`, `utf-16le`...), or spelled as the
    /// `chardet` library spells its guesses (`Big5`, `EUC-KR`, `SHIFT_JIS`...) when guessed.
    pub encoding: String,
    /// Why the document is "bozo" as far as its encoding goes, if it is.
    pub bozo: Option<String>,
}

/// Decodes `bytes`. `content_type` is the HTTP `Content-Type` header value when the document
/// was fetched over HTTP (`None` for a local file, where only the document speaks).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let d = decode_borrowed(bytes, content_type);
    Decoded {
        text: d.text.into_owned(),
        encoding: d.encoding,
        bozo: d.bozo,
    }
}

/// Like [`decode`], but a document that is already UTF-8 (most feeds) is borrowed, not copied.
pub(crate) fn decode_borrowed<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> Decoded<Cow<'a, str>> {
    let (bom, body) = sniff_bom(bytes);
    // The declaration can only be read once the document is known to decode as its BOM says.
    let mut bom_text = bom.and_then(|name| Codec::for_name(name)?.decode(body));
    let declared = match (&bom_text, bom) {
        (Some(text), _) => declared_encoding(text.as_bytes()),
        (None, None) => declared_encoding(body),
        (None, Some(_)) => None,
    };
    let mut xml_encoding = declared.map(|e| e.to_lowercase()).unwrap_or_default();
    if let Some(bom) = bom {
        if UNICODE_FAMILY_NAMES.contains(&xml_encoding.as_str()) {
            xml_encoding = bom.to_owned();
        }
    }
    if xml_encoding == "gb2312" {
        xml_encoding = "gb18030".to_owned();
    }

    let (designated, not_xml) = match content_type {
        None => (or_default(&xml_encoding, "utf-8"), None),
        Some(header) => {
            let media = MediaType::parse(header);
            let not_xml = (!media.is_xml()).then(|| format!("{header} is not an XML media type"));
            (media.designated_encoding(&xml_encoding), not_xml)
        }
    };

    let candidates = [
        Some(designated.clone()),
        Some(xml_encoding),
        bom.map(str::to_owned),
        None, // the statistical guess, only computed if it comes to that
        Some("utf-8".to_owned()),
        Some("windows-1252".to_owned()),
    ];
    let mut tried: Vec<String> = Vec::with_capacity(candidates.len());
    let mut decoded = None;
    for candidate in candidates {
        let name = candidate.unwrap_or_else(|| guess(body).to_owned());
        if name.is_empty() || tried.contains(&name) {
            continue;
        }
        let text = if Some(name.as_str()) == bom && bom_text.is_some() {
            bom_text.take()
        } else {
            Codec::for_name(&name).and_then(|codec| codec.decode(body))
        };
        if let Some(text) = text {
            decoded = Some((text, name));
            break;
        }
        tried.push(name);
    }
    // The last resort cannot fail: ISO 8859-2 assigns every byte.
    let (text, encoding) = decoded.unwrap_or_else(|| {
        let (text, _) = encoding_rs::ISO_8859_2.decode_without_bom_handling(body);
        (text, "iso-8859-2".to_owned())
    });
    let bozo = if encoding == designated {
        not_xml
    } else {
        Some(format!(
            "document declared as {designated}, but parsed as {encoding}"
        ))
    };
    Decoded {
        text,
        encoding,
        bozo,
    }
}

/// Declared names that only say "some UTF-16/UTF-32": the byte order mark tells which.
const UNICODE_FAMILY_NAMES: [&str; 14] = [
    "u16",
    "utf-16",
    "utf16",
    "utf_16",
    "u32",
    "utf-32",
    "utf32",
    "utf_32",
    "iso-10646-ucs-2",
    "iso-10646-ucs-4",
    "csucs4",
    "csunicode",
    "ucs-2",
    "ucs-4",
];

fn or_default(value: &str, default: &str) -> String {
    if value.is_empty() { default } else { value }.to_owned()
}

/// The encoding a byte order mark (or, without one, the bytes of `<?xm`) announces, and the
/// document without its byte order mark.
fn sniff_bom(bytes: &[u8]) -> (Option<&'static str>, &[u8]) {
    const MARKS: [(&[u8], &str, bool); 9] = [
        (b"\x00\x00\xfe\xff", "utf-32be", true),
        (b"\xff\xfe\x00\x00", "utf-32le", true),
        (b"\xfe\xff", "utf-16be", true),
        (b"\xff\xfe", "utf-16le", true),
        (b"\xef\xbb\xbf", "utf-8", true),
        (b"\x00\x3c\x00\x3f", "utf-16be", false),
        (b"\x3c\x00\x3f\x00", "utf-16le", false),
        (b"\x00\x00\x00\x3c", "utf-32be", false),
        (b"\x3c\x00\x00\x00", "utf-32le", false),
    ];
    for (mark, name, strip) in MARKS {
        if let Some(rest) = bytes.strip_prefix(mark) {
            return (Some(name), if strip { rest } else { bytes });
        }
    }
    (None, bytes)
}

/// The `encoding` pseudo-attribute of a processing instruction opening the document, read the
/// way the reference does: on the first line, the last `encoding="..."` followed by `?>`.
fn declared_encoding(text: &[u8]) -> Option<String> {
    if !text.starts_with(b"<?") {
        return None;
    }
    let line = &text[..memchr::memchr(b'\n', text).unwrap_or(text.len())];
    let close = memchr::memmem::rfind(line, b"?>")?;
    let is_quote = |b: &u8| *b == b'"' || *b == b'\'';
    memchr::memmem::rfind_iter(line, b"encoding=").find_map(|at| {
        let value_start = at + b"encoding=".len() + 1;
        if !line.get(value_start - 1).is_some_and(is_quote) {
            return None;
        }
        let value = line.get(value_start..)?;
        let len = value.iter().position(is_quote)?;
        (value_start + len < close).then(|| String::from_utf8_lossy(&value[..len]).into_owned())
    })
}

/// The parts of an HTTP `Content-Type` that decide the encoding.
struct MediaType {
    /// Lower-case `type/subtype`.
    essence: String,
    /// The `charset` parameter, lower case, unquoted; empty if absent.
    charset: String,
}

impl MediaType {
    fn parse(header: &str) -> MediaType {
        let mut chunks = header.split(';');
        let essence = chunks.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut charset = String::new();
        for chunk in chunks {
            let (key, value) = chunk.split_once('=').unwrap_or((chunk, ""));
            if key.trim().eq_ignore_ascii_case("charset") {
                charset = value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_lowercase();
            }
        }
        if charset == "gb2312" {
            charset = "gb18030".to_owned();
        }
        MediaType { essence, charset }
    }

    fn is_application_xml(&self) -> bool {
        matches!(
            self.essence.as_str(),
            "application/xml" | "application/xml-dtd" | "application/xml-external-parsed-entity"
        ) || (self.essence.starts_with("application/") && self.essence.ends_with("+xml"))
    }

    fn is_text_xml(&self) -> bool {
        matches!(
            self.essence.as_str(),
            "text/xml" | "text/xml-external-parsed-entity"
        ) || (self.essence.starts_with("text/") && self.essence.ends_with("+xml"))
    }

    fn is_xml(&self) -> bool {
        self.is_application_xml() || self.is_text_xml()
    }

    /// RFC 3023: `application/*xml` defers to the document before defaulting to UTF-8, while
    /// `text/*` ignores the document and defaults to US-ASCII. Any other type leaves the charset aside, like a local file.
    fn designated_encoding(&self, xml_encoding: &str) -> String {
        if self.is_application_xml() {
            or_default(&self.charset, &or_default(xml_encoding, "utf-8"))
        } else if self.essence.starts_with("text/") {
            or_default(&self.charset, "us-ascii")
        } else {
            or_default(xml_encoding, "utf-8")
        }
    }
}

/// Fewer non-ASCII bytes than this are too little evidence for a statistical guess: the fixed
/// fallbacks do at least as well on a stray character or two.
const MIN_GUESS_EVIDENCE: usize = 16;

/// A statistical guess at a legacy encoding, spelled as `chardet` spells it; empty (no
/// candidate) when the document has too few non-ASCII bytes to tell.
fn guess(body: &[u8]) -> &'static str {
    if body
        .iter()
        .filter(|b| !b.is_ascii())
        .take(MIN_GUESS_EVIDENCE)
        .count()
        < MIN_GUESS_EVIDENCE
    {
        return "";
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    match encoding.name() {
        "UTF-8" => "utf-8",
        "GBK" | "gb18030" => "GB2312",
        "KOI8-U" | "KOI8-R" => "KOI8-R",
        "Shift_JIS" => "SHIFT_JIS",
        "windows-874" => "TIS-620",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_and_markers() {
        assert_eq!(
            sniff_bom(b"\xef\xbb\xbf<a/>"),
            (Some("utf-8"), &b"<a/>"[..])
        );
        assert_eq!(
            sniff_bom(b"\xff\xfe\x00\x00<"),
            (Some("utf-32le"), &b"<"[..])
        );
        assert_eq!(
            sniff_bom(b"\xff\xfe<\x00"),
            (Some("utf-16le"), &b"<\x00"[..])
        );
        assert_eq!(
            sniff_bom(b"<\x00?\x00"),
            (Some("utf-16le"), &b"<\x00?\x00"[..])
        );
        assert_eq!(
            sniff_bom(b"\x00\x00\x00<"),
            (Some("utf-32be"), &b"\x00\x00\x00<"[..])
        );
        assert_eq!(sniff_bom(b"<rss>"), (None, &b"<rss>"[..]));
    }

    #[test]
    fn declaration_reading() {
        let d = |s: &[u8]| declared_encoding(s);
        assert_eq!(
            d(b"<?xml version='1.0' encoding='ISO-8859-1'?>\n<a/>").as_deref(),
            Some("ISO-8859-1")
        );
        assert_eq!(
            d(b"<?xml encoding=\"big5\" ?><rss/>").as_deref(),
            Some("big5")
        );
        // Not at the very start, not on the first line, unterminated, or spaced: not read.
        assert_eq!(d(b" <?xml encoding='big5'?>"), None);
        assert_eq!(d(b"<?xml version='1.0'\n encoding='big5'?>"), None);
        assert_eq!(d(b"<?xml encoding='big5'"), None);
        assert_eq!(d(b"<?xml encoding = 'big5'?>"), None);
    }

    #[test]
    fn content_type_parameters() {
        let m = MediaType::parse("Application/Atom+XML; Charset = \"UTF-8\"");
        assert_eq!(
            (m.essence.as_str(), m.charset.as_str()),
            ("application/atom+xml", "utf-8")
        );
        assert!(m.is_xml());
        let m = MediaType::parse("text/xml; charset:iso-8859-1");
        assert_eq!(m.charset, "");
        assert_eq!(m.designated_encoding("iso-8859-1"), "us-ascii");
        let m = MediaType::parse("text/html");
        assert!(!m.is_xml());
        assert_eq!(
            MediaType::parse("text/xml;charset='gb2312'").charset,
            "gb18030"
        );
    }

    #[test]
    fn guesses_use_chardet_spelling() {
        // "한국어 문서입니다" repeated, in EUC-KR.
        let text = "한국어 문서입니다. ".repeat(8);
        let (korean, _, _) = encoding_rs::EUC_KR.encode(&text);
        assert_eq!(guess(&korean), "EUC-KR");
        let accents = "àéîõü ".repeat(4);
        assert_eq!(guess(accents.as_bytes()), "utf-8");
        assert_eq!(guess("plain ascii and é".as_bytes()), "");
    }
}
