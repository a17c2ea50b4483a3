//! Character and entity references: XML's predefined five, numeric references, and HTML's named
//! entities (feeds use `&nbsp;` and friends without declaring them).

use markup5ever::data::NAMED_ENTITIES;

/// How a reference was resolved.
pub(crate) enum Resolved {
    /// XML-predefined or numeric: well-formed.
    Xml(char),
    /// An HTML entity XML does not know: usable, but the document is not well-formed.
    Html(String),
    /// Unknown: keep the text as written.
    Unknown,
}

/// Resolves the reference `name` (the part between `&` and `;`).
pub(crate) fn resolve(name: &str) -> Resolved {
    match name {
        "lt" => return Resolved::Xml('<'),
        "gt" => return Resolved::Xml('>'),
        "amp" => return Resolved::Xml('&'),
        "quot" => return Resolved::Xml('"'),
        "apos" => return Resolved::Xml('\''),
        _ => {}
    }
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        return match code.and_then(char::from_u32) {
            Some(c) if c != '\0' => Resolved::Xml(c),
            _ => Resolved::Unknown,
        };
    }
    if name.is_empty() || name.len() > 40 {
        return Resolved::Unknown;
    }
    // HTML 4 meant the angle brackets U+2329/U+232A; HTML 5 remapped them. Feeds predate HTML 5.
    match name {
        "lang" => return Resolved::Html('\u{2329}'.to_string()),
        "rang" => return Resolved::Html('\u{232a}'.to_string()),
        _ => {}
    }
    let mut key = String::with_capacity(name.len() + 1);
    key.push_str(name);
    key.push(';');
    match NAMED_ENTITIES.get(key.as_str()) {
        Some(&(a, b)) => {
            let mut s = String::new();
            s.extend(char::from_u32(a));
            if b != 0 {
                s.extend(char::from_u32(b));
            }
            Resolved::Html(s)
        }
        None => Resolved::Unknown,
    }
}

/// Decodes references in `raw` (an attribute value or text run) into `out`. Returns false when a
/// reference was not XML-legal (HTML entity, unknown entity or bare `&`).
pub(crate) fn unescape_into(
    raw: &str,
    out: &mut String,
    extra: &dyn Fn(&str) -> Option<String>,
) -> bool {
    let mut ok = true;
    let mut rest = raw;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.bytes().take(48).position(|b| b == b';').filter(|&i| {
            i > 0
                && after[..i]
                    .bytes()
                    .all(|b| b == b'#' || b.is_ascii_alphanumeric())
        });
        match end {
            Some(i) => {
                let name = &after[..i];
                match resolve(name) {
                    Resolved::Xml(c) => out.push(c),
                    Resolved::Html(s) => {
                        ok = false;
                        out.push_str(&s);
                    }
                    Resolved::Unknown => match extra(name) {
                        Some(s) => out.push_str(&s),
                        None => {
                            ok = false;
                            out.push('&');
                            out.push_str(name);
                            out.push(';');
                        }
                    },
                }
                rest = &after[i + 1..];
            }
            None => {
                ok = false;
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(s: &str) -> (String, bool) {
        let mut out = String::new();
        let ok = unescape_into(s, &mut out, &|_| None);
        (out, ok)
    }

    #[test]
    fn references() {
        assert_eq!(un("a &amp; b &#38; &#x26;"), ("a & b & &".into(), true));
        assert_eq!(un("&nbsp;&eacute;"), ("\u{a0}\u{e9}".into(), false));
        assert_eq!(un("AT&T"), ("AT&T".into(), false));
        assert_eq!(un("&bogus;"), ("&bogus;".into(), false));
        assert_eq!(un("&#0;&#xD800;"), ("&#0;&#xD800;".into(), false));
    }
}
