//! Reading lists: OPML, CSV or INI documents that contribute subscriptions.
//!
//! Only parsing lives here; where the bytes come from (a local file read at
//! load time, or a fetch by the fetch stage, with its own cache policy) is the
//! caller's business.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use quick_xml::escape::resolve_html5_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;

use crate::ini::{Ini, SourceFile};
use crate::model::ReadingListKind;

/// Largest reading list accepted, in bytes.
pub const MAX_LIST_BYTES: usize = 8 * 1024 * 1024;
/// Most subscriptions one reading list may contribute.
pub const MAX_LIST_ENTRIES: usize = 20_000;

/// One subscription found in a reading list: its section name and options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub section: String,
    pub options: Vec<(String, String)>,
}

/// The subscriptions of a reading list, and what was skipped in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedList {
    pub entries: Vec<ListEntry>,
    pub warnings: Vec<String>,
}

/// The reading-list kind named by a section's `content_type`, in Venus's
/// order of tests; `None` when the section is not a reading list.
pub fn kind_of(content_type: &str) -> Option<ReadingListKind> {
    if content_type.contains("opml") {
        Some(ReadingListKind::Opml)
    } else if content_type.contains("foaf") {
        Some(ReadingListKind::Foaf)
    } else if content_type.contains("csv") {
        Some(ReadingListKind::Csv)
    } else if content_type.contains("config") {
        Some(ReadingListKind::Config)
    } else if content_type.contains('.') {
        Some(ReadingListKind::Filter)
    } else {
        None
    }
}

/// Turns a reading list's bytes into subscriptions. `name` is used in messages.
pub fn parse(kind: ReadingListKind, bytes: &[u8], name: &str) -> Result<ParsedList, String> {
    if bytes.len() > MAX_LIST_BYTES {
        return Err(format!(
            "reading list {name} is larger than {MAX_LIST_BYTES} bytes"
        ));
    }
    let mut list = match kind {
        ReadingListKind::Opml => parse_opml(&decode_xml(bytes))?,
        ReadingListKind::Csv => parse_csv(bytes)?,
        ReadingListKind::Config => parse_config(&decode_text(bytes), name)?,
        ReadingListKind::Foaf | ReadingListKind::Filter => {
            return Err(format!("{kind} reading lists are not supported"));
        }
    };
    if list.entries.len() > MAX_LIST_ENTRIES {
        list.warnings.push(format!(
            "reading list {name} has {} subscriptions; only the first {MAX_LIST_ENTRIES} are used",
            list.entries.len()
        ));
        list.entries.truncate(MAX_LIST_ENTRIES);
    }
    Ok(list)
}

/// UTF-8 when valid, else Windows-1252 (Venus's repair of Latin-1 input).
fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Decodes an XML document by its byte order mark, then its declared
/// encoding, then as UTF-8 with the Windows-1252 fallback.
fn decode_xml(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let declared = Some(head.as_ref()).and_then(|h| {
        let decl = h.strip_prefix("<?xml")?.split("?>").next()?;
        let at = decl.find("encoding")?;
        let rest = decl[at + "encoding".len()..]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let label = rest[1..].split(quote).next()?;
        encoding_rs::Encoding::for_label(label.as_bytes())
    });
    match declared {
        Some(enc) if enc != encoding_rs::UTF_8 => {
            enc.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => decode_text(bytes),
    }
}

/// Venus's OPML reader: `outline` elements whose `type` is absent, `rss` or
/// `atom` (WordPress's `type="link"` without `url` counts as `rss`), feed URL in
/// `xmlUrl` (any letter case), name in `text` else `title`. The first
/// outline for a URL wins. No DTD is read and no custom entity is expanded.
fn parse_opml(text: &str) -> Result<ParsedList, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut list = ParsedList::default();
    let mut seen = HashSet::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                if e.name().as_ref() == b"outline" {
                    if let Some(entry) = outline(&e) {
                        if seen.insert(entry.section.clone()) {
                            list.entries.push(entry);
                        }
                        if list.entries.len() > MAX_LIST_ENTRIES {
                            break;
                        }
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                let at = reader.error_position();
                if list.entries.is_empty() {
                    return Err(format!("not well-formed OPML at byte {at}: {err}"));
                }
                list.warnings.push(format!(
                    "OPML is not well-formed at byte {at} ({err}); outlines after it are ignored"
                ));
                break;
            }
        }
    }
    Ok(list)
}

fn outline(e: &BytesStart<'_>) -> Option<ListEntry> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    for attr in e.attributes().flatten() {
        // An undefined entity is kept as written, as Venus's SGML fallback did.
        let value =
            match attr.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_html5_entity) {
                Ok(v) => v.into_owned(),
                Err(_) => String::from_utf8_lossy(&attr.value).into_owned(),
            };
        attrs.push((
            String::from_utf8_lossy(attr.key.as_ref()).into_owned(),
            value,
        ));
    }
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(kind) = get("type") {
        let wordpress_link = kind == "link" && get("url").is_none();
        if !wordpress_link && !matches!(kind.to_ascii_lowercase().as_str(), "rss" | "atom") {
            return None;
        }
    }
    let url = match get("xmlUrl").filter(|v| !v.trim().is_empty()) {
        Some(url) => url,
        None => attrs
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case("xmlurl") && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())?,
    };
    let name = get("text")
        .filter(|t| !t.trim().is_empty())
        .or_else(|| get("title").filter(|t| !t.trim().is_empty()))?;
    if url.chars().any(char::is_control) {
        return None;
    }
    Some(ListEntry {
        section: url.to_owned(),
        options: vec![("name".to_owned(), unescape_again(name))],
    })
}

/// Venus unescapes the (already XML-unescaped) name a second time: `&name;`
/// and `&#N;`/`&#xN;` references are replaced, an unknown `&name;` becomes
/// `name`.
fn unescape_again(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        let reference = tail.find(';').map(|semi| &tail[..semi]).filter(|r| {
            let body = r.strip_prefix('#').unwrap_or(r);
            !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        match reference {
            Some(r) => {
                out.push_str(&resolve_reference(r));
                rest = &tail[r.len() + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve_reference(r: &str) -> String {
    let numeric = r
        .strip_prefix("#x")
        .or_else(|| r.strip_prefix("#X"))
        .map(|hex| u32::from_str_radix(hex, 16))
        .or_else(|| r.strip_prefix('#').map(str::parse::<u32>));
    match numeric {
        Some(Ok(n)) => char::from_u32(n)
            .map(String::from)
            .unwrap_or_else(|| r.to_owned()),
        Some(Err(_)) => r.to_owned(),
        None => resolve_html5_entity(r)
            .map(str::to_owned)
            .unwrap_or_else(|| r.to_owned()),
    }
}

/// Venus's CSV reader: the header row names the options, the first column is
/// the section name, empty cells are skipped, a repeated row merges into the
/// first.
fn parse_csv(bytes: &[u8]) -> Result<ParsedList, String> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("CSV header: {e}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let mut list = ParsedList::default();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("CSV: {e}"))?;
        let Some(section) = record.get(0).filter(|s| !s.is_empty()) else {
            list.warnings
                .push("CSV reading list: a row without a first column was skipped".to_owned());
            continue;
        };
        if section.chars().any(char::is_control) {
            list.warnings.push(format!(
                "CSV reading list: row {section:?} skipped (control characters)"
            ));
            continue;
        }
        let index = *index_of.entry(section.to_owned()).or_insert_with(|| {
            list.entries.push(ListEntry {
                section: section.to_owned(),
                options: Vec::new(),
            });
            list.entries.len() - 1
        });
        let Some(entry) = list.entries.get_mut(index) else {
            continue;
        };
        for (key, value) in headers.iter().zip(record.iter()).skip(1) {
            if value.is_empty() {
                continue;
            }
            match entry.options.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.to_owned(),
                None => entry.options.push((key.clone(), value.to_owned())),
            }
        }
        if list.entries.len() > MAX_LIST_ENTRIES {
            break;
        }
    }
    Ok(list)
}

/// An INI reading list: its subscription sections, values interpolated in
/// the list's own context. `[Planet]` and `[DEFAULT]` are not taken: a list
/// may come from another host and must not redirect the planet's output.
fn parse_config(text: &str, name: &str) -> Result<ParsedList, String> {
    let mut ini = Ini::new();
    let file = Arc::new(SourceFile {
        path: name.into(),
        base_dir: Default::default(),
    });
    ini.read_str(text, &file).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let mut list = ParsedList::default();
    if ini.has_section("Planet") {
        // The caller prefixes the list's name.
        list.warnings
            .push("its [Planet] section is ignored: a reading list only adds feeds".to_owned());
    }
    for section in ini.sections().filter(|s| *s != "Planet") {
        let mut options = Vec::new();
        for key in ini.options(section) {
            let value = ini
                .get(section, key)
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            options.push((key.to_owned(), value));
        }
        list.entries.push(ListEntry {
            section: section.to_owned(),
            options,
        });
    }
    Ok(list)
}

/// A feed outline of an OPML document written by [`write_opml`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// The name shown for the feed (`text` and `title`).
    pub text: String,
    pub xml_url: String,
    /// The site's page, when known.
    pub html_url: Option<String>,
}

/// An OPML 2.0 subscription list that [`parse`] reads back to the same
/// URLs and names (names without `&name;` sequences, which Venus's reader
/// unescapes a second time).
pub fn write_opml(title: &str, outlines: &[Outline]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n",
    );
    out.push_str(&format!("    <title>{}</title>\n", xml_escape(title)));
    out.push_str("  </head>\n  <body>\n");
    for outline in outlines {
        let text = xml_escape(&outline.text);
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{text}\" title=\"{text}\" xmlUrl=\"{}\"",
            xml_escape(&outline.xml_url)
        ));
        if let Some(html) = &outline.html_url {
            out.push_str(&format!(" htmlUrl=\"{}\"", xml_escape(html)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// Escapes text for an attribute or element. White space other than the
/// space is written as a reference, which attribute normalization keeps;
/// characters XML 1.0 cannot carry at all are left out.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opml_quirks() {
        let opml = r#"<?xml version="1.0"?><opml><body>
            <outline type="link" xmlurl="http://a/feed" text="A &amp;amp; B"/>
            <outline type="html" xmlUrl="http://b/feed" text="skipped"/>
            <outline xmlUrl="http://c/feed" text=" " title="Title C"/>
            <outline xmlUrl="http://a/feed" text="second"/>
            <outline xmlUrl="http://d/feed"/>
            <outline type="Atom" xmlUrl="http://e/feed" text="&eacute;&#233;&unknownthing;"/>
        </body></opml>"#;
        let list = parse(ReadingListKind::Opml, opml.as_bytes(), "t").unwrap();
        let got: Vec<(&str, &str)> = list
            .entries
            .iter()
            .map(|e| (e.section.as_str(), e.options[0].1.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("http://a/feed", "A & B"),
                ("http://c/feed", "Title C"),
                ("http://e/feed", "ééunknownthing")
            ]
        );
    }

    #[test]
    fn opml_latin1_declared() {
        let mut bytes = b"<?xml version='1.0' encoding='iso-8859-1'?><opml><body><outline xmlUrl='http://x/' text='Caf".to_vec();
        bytes.extend_from_slice(b"\xe9'/></body></opml>");
        let list = parse(ReadingListKind::Opml, &bytes, "t").unwrap();
        assert_eq!(list.entries[0].options[0].1, "Café");
    }

    #[test]
    fn broken_opml_is_an_error_without_outlines() {
        assert!(parse(ReadingListKind::Opml, b"<opml><body><outline xmlUrl=", "t").is_err());
    }

    #[test]
    fn foaf_is_unsupported() {
        assert!(parse(ReadingListKind::Foaf, b"", "t")
            .unwrap_err()
            .contains("not supported"));
    }

    #[test]
    fn written_opml_reads_back() {
        let outlines = vec![
            Outline {
                text: "Tom & Jerry <\"cartoons\"> caf\u{e9}\ttab\u{1}".to_owned(),
                xml_url: "http://a.example/feed?x=1&y=2".to_owned(),
                html_url: Some("http://a.example/".to_owned()),
            },
            Outline {
                text: "B".to_owned(),
                xml_url: "https://b.example/atom".to_owned(),
                html_url: None,
            },
        ];
        let opml = write_opml("Planet <&>", &outlines);
        let list = parse(ReadingListKind::Opml, opml.as_bytes(), "t").unwrap();
        let got: Vec<(&str, &str)> = list
            .entries
            .iter()
            .map(|e| (e.section.as_str(), e.options[0].1.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "http://a.example/feed?x=1&y=2",
                    "Tom & Jerry <\"cartoons\"> caf\u{e9}\ttab"
                ),
                ("https://b.example/atom", "B")
            ]
        );
        assert!(list.warnings.is_empty());
    }
}
