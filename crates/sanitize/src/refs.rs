//! Character references, kept as written.
//!
//! The tokenizer decodes character references, but republished markup is expected to keep them
//! as the author wrote them (`&nbsp;`, `&#8217;`), the way the Universal Feed Parser does. So,
//! before tokenizing, every `&` is swapped for a marker character the tokenizer treats as plain
//! text (see `prepare`); the writers here turn each marker back into a reference when it starts a well-formed
//! one and into `&amp;` otherwise, and [`decode`] resolves them when a value's meaning matters
//! (URL schemes, CSS).

use std::borrow::Cow;

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Stands for a `&` of the input. A noncharacter, so no real text needs it; any occurrence in
/// the input is replaced by U+FFFD before tokenizing.
pub(crate) const AMP: char = '\u{FDD0}';
const AMP_LEN: usize = AMP.len_utf8();

/// A reference found right after a marker.
enum Ref<'a> {
    /// `#…;` or `#x…;`, normalized: lowercase, C1 code points mapped to what Windows-1252 means.
    Numeric { text: Cow<'a, str>, len: usize },
    /// A known entity name; `len` includes the `;` when present.
    Named { name: &'a str, len: usize },
}

/// For `b` starting with `#`: whether the reference is hexadecimal, where its digits start, and
/// how many there are.
fn numeric_digits(b: &[u8]) -> (bool, usize, usize) {
    let (hex, start) = match b.get(1) {
        Some(b'x' | b'X') => (true, 2),
        _ => (false, 1),
    };
    let digits = digit_run(b.get(start..).unwrap_or_default(), hex);
    (hex, start, digits)
}

/// How many hexadecimal (`hex`) or decimal digits `b` starts with.
fn digit_run(b: &[u8], hex: bool) -> usize {
    b.iter()
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count()
}

/// Parses the reference after a marker (`s` starts right after it), for text content.
fn text_ref(s: &str) -> Option<Ref<'_>> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start, digits) = numeric_digits(b);
        let end = start + digits;
        if digits == 0 || b.get(end) != Some(&b';') {
            return None;
        }
        let raw = &s[start..end];
        let value = u32::from_str_radix(raw, if hex { 16 } else { 10 }).ok();
        let text = match value.and_then(c1_replacement) {
            Some(c) => Cow::Owned(format!("x{:x}", u32::from(c))),
            None if hex => Cow::Owned(format!("x{}", raw.to_ascii_lowercase())),
            None => Cow::Borrowed(raw),
        };
        return Some(Ref::Numeric { text, len: end + 1 });
    }
    let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 || !b[0].is_ascii_alphabetic() {
        return None;
    }
    let name = &s[..name_len];
    if b.get(name_len) == Some(&b';') {
        let key = &s[..=name_len];
        let known = is_common_entity(name) || NAMED_ENTITIES.contains_key(key);
        return known.then_some(Ref::Named {
            name,
            len: name_len + 1,
        });
    }
    // Legacy names a browser accepts without `;` (`&copy 2003`); written back with one.
    match NAMED_ENTITIES.get(name) {
        Some(&(cp, _)) if cp != 0 => Some(Ref::Named {
            name,
            len: name_len,
        }),
        _ => None,
    }
}

/// The references most text uses, known without a table lookup (the table hashes its key).
fn is_common_entity(name: &str) -> bool {
    matches!(name, "quot" | "amp" | "lt" | "gt" | "nbsp" | "apos")
}

fn c1_replacement(value: u32) -> Option<char> {
    let index = usize::try_from(value.checked_sub(0x80)?).ok()?;
    C1_REPLACEMENTS.get(index).copied().flatten()
}

/// First byte of [`AMP`] in UTF-8. Byte searches stop at it and check for the whole marker
/// (a few other characters, U+F000 to U+FFFF, share it).
pub(crate) const AMP_LEAD: u8 = 0xEF;

/// Copies `s` to `out`, except where `find` stops: there `replace` gets the rest of `s`, writes
/// a replacement for its start and returns how many bytes that replaced, or returns `None` to
/// keep the character. `find` must only stop at character boundaries.
///
/// Unchanged runs are copied whole, so the cost stays near a `memcpy` for ordinary text.
pub(crate) fn rewrite(
    out: &mut String,
    s: &str,
    find: impl Fn(&[u8]) -> Option<usize>,
    mut replace: impl FnMut(&mut String, &str) -> Option<usize>,
) {
    let bytes = s.as_bytes();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = bytes.get(pos..).and_then(&find) {
        let at = pos + off;
        let (Some(head), Some(rest)) = (s.get(copied..at), s.get(at..)) else {
            break;
        };
        out.push_str(head);
        copied = at;
        match replace(out, rest) {
            Some(used) => {
                copied = at + used;
                pos = copied;
            }
            None => pos = at + 1,
        }
    }
    out.push_str(s.get(copied..).unwrap_or_default());
}

/// Position of the first of the bytes `set` accepts; for the short strings of attribute values.
fn find_any(bytes: &[u8], set: fn(u8) -> bool) -> Option<usize> {
    bytes.iter().position(|&b| set(b))
}

/// Writes text content: references kept as written, stray `&` and every `<` escaped.
pub(crate) fn write_text(out: &mut String, s: &str) {
    let find = |b: &[u8]| memchr::memchr2(b'<', AMP_LEAD, b);
    rewrite(out, s, find, |out, rest| {
        if rest.starts_with('<') {
            out.push_str("&lt;");
            return Some(1);
        }
        let after = rest.strip_prefix(AMP)?;
        let used = match text_ref(after) {
            Some(Ref::Numeric { text, len }) => {
                out.push_str("&#");
                out.push_str(&text);
                out.push(';');
                len
            }
            Some(Ref::Named { name, len }) => {
                out.push('&');
                out.push_str(name);
                out.push(';');
                len
            }
            None => {
                out.push_str("&amp;");
                0
            }
        };
        Some(AMP_LEN + used)
    });
}

/// Writes raw-text element content unchanged (only for output that is not sanitized).
pub(crate) fn write_raw(out: &mut String, s: &str) {
    let find = |b: &[u8]| memchr::memchr(AMP_LEAD, b);
    rewrite(out, s, find, |out, rest| {
        rest.starts_with(AMP).then(|| {
            out.push('&');
            AMP_LEN
        })
    });
}

/// Writes an attribute value as written: references that look complete are kept, everything
/// else that could end the value or start markup is escaped. The value is always written
/// inside double quotes.
pub(crate) fn write_attr_as_written(out: &mut String, s: &str) {
    let find = |b: &[u8]| find_any(b, |c| matches!(c, AMP_LEAD | b'"' | b'<' | b'>'));
    rewrite(out, s, find, |out, rest| {
        match rest.as_bytes().first() {
            Some(b'"') => out.push_str("&quot;"),
            Some(b'<') => out.push_str("&lt;"),
            Some(b'>') => out.push_str("&gt;"),
            _ => {
                let after = rest.strip_prefix(AMP)?;
                out.push_str(if looks_like_ref(after) { "&" } else { "&amp;" });
                return Some(AMP_LEN);
            }
        }
        Some(1)
    });
}

/// `#123;`, `#x1f;` or `name;`: what counts as an intact reference inside an attribute.
fn looks_like_ref(s: &str) -> bool {
    let b = s.as_bytes();
    let (body, hex) = match b {
        [b'#', b'x', rest @ ..] => (rest, true),
        [b'#', rest @ ..] => (rest, false),
        _ => {
            let len = s
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                .map_or(s.len(), |(i, _)| i);
            return len > 0 && b.get(len) == Some(&b';');
        }
    };
    let digits = digit_run(body, hex);
    digits > 0 && body.get(digits) == Some(&b';')
}

/// Writes an already decoded value as a double-quoted attribute value.
pub(crate) fn write_attr_escaped(out: &mut String, s: &str) {
    let find = |b: &[u8]| find_any(b, |c| matches!(c, b'&' | b'"' | b'<' | b'>'));
    rewrite(out, s, find, |out, rest| {
        out.push_str(match rest.as_bytes().first() {
            Some(b'&') => "&amp;",
            Some(b'"') => "&quot;",
            Some(b'<') => "&lt;",
            _ => "&gt;",
        });
        Some(1)
    });
}

/// Resolves the references of a protected value, roughly as a browser does in attributes, to
/// learn what it means. Values written from the result are fully escaped again, so a browser
/// sees exactly the decoded string.
pub(crate) fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains(AMP) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let find = |b: &[u8]| memchr::memchr(AMP_LEAD, b);
    rewrite(&mut out, s, find, |out, rest| {
        let after = rest.strip_prefix(AMP)?;
        Some(match decode_one(after) {
            (Some(c), used) => {
                out.push(c);
                AMP_LEN + used
            }
            (None, _) => {
                out.push('&');
                AMP_LEN
            }
        })
    });
    Cow::Owned(out)
}

fn decode_one(s: &str) -> (Option<char>, usize) {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start, digits) = numeric_digits(b);
        if digits == 0 {
            return (None, 0);
        }
        let end = start + digits;
        // Overlong numbers saturate to an invalid code point, as in a browser.
        let value =
            u32::from_str_radix(&s[start..end], if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let c = match value {
            0 => char::REPLACEMENT_CHARACTER,
            _ => c1_replacement(value)
                .or_else(|| char::from_u32(value))
                .unwrap_or(char::REPLACEMENT_CHARACTER),
        };
        let used = if b.get(end) == Some(&b';') {
            end + 1
        } else {
            end
        };
        return (Some(c), used);
    }
    let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 {
        return (None, 0);
    }
    let lookup = |key: &str| {
        NAMED_ENTITIES
            .get(key)
            .filter(|&&(cp, _)| cp != 0)
            .and_then(|&(cp, _)| char::from_u32(cp))
    };
    if b.get(name_len) == Some(&b';') {
        if let Some(c) = lookup(&s[..=name_len]) {
            return (Some(c), name_len + 1);
        }
    } else if b.get(name_len) != Some(&b'=') {
        if let Some(c) = lookup(&s[..name_len]) {
            return (Some(c), name_len);
        }
    }
    (None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Mode;

    fn protect(s: &str) -> String {
        crate::prepare::prepare(s, Mode::Sanitize)
    }

    fn text(s: &str) -> String {
        let mut out = String::new();
        write_text(&mut out, &protect(s));
        out
    }

    fn attr(s: &str) -> String {
        let mut out = String::new();
        write_attr_as_written(&mut out, &protect(s));
        out
    }

    #[test]
    fn text_keeps_references_as_written() {
        assert_eq!(text("&nbsp;&#8217;&#X41;&amp;"), "&nbsp;&#8217;&#x41;&amp;");
        assert_eq!(text("AT&T & co"), "AT&amp;T &amp; co");
        assert_eq!(text("&copy 2003"), "&copy; 2003");
        assert_eq!(text("&bogus; &#65 x"), "&amp;bogus; &amp;#65 x");
        // Windows-1252 meaning for C1 references, as browsers decode them.
        assert_eq!(text("&#150;"), "&#x2013;");
        assert_eq!(text("a < b > c"), "a &lt; b > c");
    }

    #[test]
    fn common_entities_are_entities() {
        for name in ["quot", "amp", "lt", "gt", "nbsp", "apos"] {
            assert!(is_common_entity(name));
            assert!(NAMED_ENTITIES.contains_key(format!("{name};").as_str()));
        }
    }

    #[test]
    fn attribute_escaping() {
        assert_eq!(
            attr("a&b &amp; &#8217; <\">"),
            "a&amp;b &amp; &#8217; &lt;&quot;&gt;"
        );
    }

    #[test]
    fn decoding_sees_obfuscated_schemes() {
        assert_eq!(decode(&protect("jav&#x09;ascript:")), "jav\tascript:");
        assert_eq!(decode(&protect("&#106;avascript")), "javascript");
        assert_eq!(decode(&protect("&#0000106avascript")), "javascript");
        assert_eq!(decode(&protect("a&amp;b&lt")), "a&b<");
        assert_eq!(decode(&protect("&#99999999999;")), "\u{FFFD}");
        assert_eq!(decode(&protect("?a=1&copy=2")), "?a=1&copy=2");
    }
}
