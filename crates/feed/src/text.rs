//! Text clean-ups applied to every element value, as the Universal Feed Parser does them:
//! HTML sniffing for RSS descriptions, windows-1252 control-character repair, double-encoded
//! UTF-8 repair and lenient base64.

use markup5ever::data::NAMED_ENTITIES;

/// Elements an HTML fragment may contain for text to count as HTML (the sanitizer's allow list).
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "datagrid",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "event-source",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "m",
    "map",
    "menu",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "section",
    "select",
    "small",
    "sound",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
];

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Guesses whether RSS text declared (or defaulted) as plain is really HTML: it must contain an
/// end tag or an entity, and only known HTML elements and entities.
pub(crate) fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut has_end_tag_or_entity = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' => {
                let mut j = i + 1;
                let closing = b.get(j) == Some(&b'/');
                if closing {
                    j += 1;
                }
                let start = j;
                while j < b.len() && is_word(b[j]) {
                    j += 1;
                }
                if j > start {
                    let name = s[start..j].to_ascii_lowercase();
                    if !HTML_ELEMENTS.contains(&name.as_str()) {
                        return false;
                    }
                    if closing && b.get(j) == Some(&b'>') {
                        has_end_tag_or_entity = true;
                    }
                }
                i = j.max(i + 1);
            }
            b'&' => {
                let mut j = i + 1;
                let numeric = b.get(j) == Some(&b'#');
                if numeric {
                    j += 1;
                }
                let start = j;
                while j < b.len() && is_word(b[j]) {
                    j += 1;
                }
                if j > start && b.get(j) == Some(&b';') {
                    has_end_tag_or_entity = true;
                    if !numeric {
                        let key = format!("{};", &s[start..j]);
                        if !NAMED_ENTITIES.contains_key(key.as_str()) {
                            return false;
                        }
                    }
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
    has_end_tag_or_entity
}

/// Maps C1 control characters to the windows-1252 characters they almost always stand for.
pub(crate) fn repair_cp1252(s: String) -> String {
    // U+0080..U+009F are encoded as C2 80..C2 9F.
    let has_c1 = memchr::memchr_iter(0xC2, s.as_bytes()).any(|i| {
        s.as_bytes()
            .get(i + 1)
            .is_some_and(|b| (0x80..=0x9F).contains(b))
    });
    if !has_c1 {
        return s;
    }
    s.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(b @ 0x80..=0x9f) => {
                let buf = [b];
                let (cow, _, had_errors) = encoding_rs::WINDOWS_1252.decode(&buf);
                if had_errors {
                    c
                } else {
                    cow.chars().next().unwrap_or(c)
                }
            }
            _ => c,
        })
        .collect()
}

/// Repairs UTF-8 that was decoded as Latin-1 somewhere upstream ("Ã©" for "é").
pub(crate) fn repair_double_utf8(s: String) -> String {
    let b = s.as_bytes();
    // Only text made entirely of U+0000..U+00FF (lead bytes C2/C3) can be such mojibake. Every
    // value passes here, so the scan takes the maximum of whole chunks, which vectorizes.
    let mut non_ascii = false;
    for chunk in b.chunks(64) {
        let max = chunk.iter().fold(0, |m, &x| m.max(x));
        if max >= 0xC4 {
            return s;
        }
        non_ascii |= max >= 0x80;
    }
    if !non_ascii {
        return s;
    }
    // Cheap rejection: the first non-ASCII character must be a UTF-8 lead byte followed by a
    // continuation byte, as characters.
    let mut chars = s.chars().skip_while(char::is_ascii);
    let lead = chars.next().map_or(0, u32::from);
    let next = chars.next().map_or(0, u32::from);
    if !(0xC2..=0xF4).contains(&lead) || !(0x80..=0xBF).contains(&next) {
        return s;
    }
    let bytes: Vec<u8> = s
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    String::from_utf8(bytes).unwrap_or(s)
}

/// Decodes base64 strictly: only the alphabet and whitespace (line breaks), padding to a
/// multiple of four, nothing after the padding; `None` when the text is not such base64 or does
/// not decode to UTF-8, and the caller keeps the text as found.
pub(crate) fn decode_base64(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut count = 0usize;
    let mut pads = 0usize;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pads += 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        if pads > 0 {
            return None;
        }
        count += 1;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Whole quads, or a last one of two or three characters padded to four.
    if count == 0 || !matches!((count % 4, pads), (0, 0) | (2, 2) | (3, 1)) {
        return None;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_html() {
        assert!(looks_like_html("<b>bold</b>"));
        assert!(looks_like_html("AT&amp;T"));
        assert!(!looks_like_html("a < b"));
        assert!(!looks_like_html("<foo>x</foo>"));
        assert!(!looks_like_html("&bogus; <b>x</b>"));
        assert!(!looks_like_html("plain"));
    }

    #[test]
    fn repairs() {
        assert_eq!(repair_cp1252("\u{93}q\u{94}".into()), "\u{201c}q\u{201d}");
        assert_eq!(repair_double_utf8("caf\u{c3}\u{a9}".into()), "caf\u{e9}");
        assert_eq!(repair_double_utf8("caf\u{e9}".into()), "caf\u{e9}");
        assert_eq!(
            decode_base64("PGI+aGk8L2I+\n").as_deref(),
            Some("<b>hi</b>")
        );
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_base64("aGVsbG8"), None);
        assert_eq!(decode_base64("aGV*sbG8="), None);
        assert_eq!(decode_base64("Zm9v=YmFy"), None);
        assert_eq!(decode_base64("Zm9v===="), None);
    }
}
