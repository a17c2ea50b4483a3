//! Small text transformations on already-sanitized HTML and on URLs.

use std::borrow::Cow;

use url::Url;

/// Removes the characters XML 1.0 forbids (most C0 controls, U+FFFE,
/// U+FFFF), so every output parses whatever the feeds contained.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// Escapes text for HTML content and quoted attribute values. `'` becomes
/// a numeric reference because HTML 4 has no `&apos;`.
pub fn escape_html(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A piece of HTML as the tag scanner sees it.
enum Token<'a> {
    Text(&'a str),
    /// A start or end tag, raw, including `<` and `>`.
    Tag(&'a str),
    /// A comment, doctype or processing instruction.
    Other(&'a str),
}

/// Splits HTML into text and tags, honouring quoted attribute values so a
/// `>` inside one does not end the tag. Never fails: unterminated
/// constructs extend to the end of the input.
fn tokens(html: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = html;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        if bytes[0] == b'<' {
            let next = bytes.get(1).copied().unwrap_or(b' ');
            let after = bytes.get(2).copied().unwrap_or(b' ');
            if next == b'!' || next == b'?' {
                let end = if rest.starts_with("<!--") {
                    rest.find("-->").map_or(rest.len(), |i| i + 3)
                } else {
                    rest.find('>').map_or(rest.len(), |i| i + 1)
                };
                let (tok, tail) = rest.split_at(end);
                rest = tail;
                return Some(Token::Other(tok));
            }
            if next.is_ascii_alphabetic() || (next == b'/' && after.is_ascii_alphabetic()) {
                let end = tag_end(bytes);
                let (tok, tail) = rest.split_at(end);
                rest = tail;
                return Some(Token::Tag(tok));
            }
        }
        // Text runs to the next '<' that is not the one we stand on.
        let skip = usize::from(bytes[0] == b'<');
        let end = rest[skip..].find('<').map_or(rest.len(), |i| i + skip);
        let (tok, tail) = rest.split_at(end);
        rest = tail;
        Some(Token::Text(tok))
    })
}

/// Length of the tag starting at `bytes[0] == b'<'`, through its `>`.
fn tag_end(bytes: &[u8]) -> usize {
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return i + 1,
            b'=' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if let Some(&q @ (b'"' | b'\'')) = bytes.get(i) {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The text of a fragment of HTML: tags dropped, entities decoded.
/// Venus's `title_plain`.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for token in tokens(html) {
        if let Token::Text(text) = token {
            decode_entities(text, &mut out);
        }
    }
    xml_safe(out.trim()).into_owned()
}

fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        // Entity names are short; a bounded search keeps this linear.
        let semi = tail.char_indices().take(40).find(|&(_, c)| c == ';');
        let decoded = semi.and_then(|(i, _)| Some((i, decode_entity(&tail[..i])?)));
        match decoded {
            Some((len, c)) => {
                out.push_str(&c);
                rest = &tail[len + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
}

fn decode_entity(name: &str) -> Option<Cow<'static, str>> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(|c| Cow::Owned(c.to_string()));
    }
    quick_xml::escape::resolve_html5_entity(name).map(Cow::Borrowed)
}

/// Adds `loading="lazy"` to every `<img>` lacking a `loading` attribute, so
/// long rivers of posts do not fetch every picture up front.
pub fn lazy_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    for token in tokens(html) {
        match token {
            Token::Tag(tag) if is_img(tag) && !has_attribute(tag, "loading") => {
                out.push_str(&tag[..4]);
                out.push_str(" loading=\"lazy\"");
                out.push_str(&tag[4..]);
            }
            Token::Tag(s) | Token::Text(s) | Token::Other(s) => out.push_str(s),
        }
    }
    out
}

fn is_img(tag: &str) -> bool {
    let b = tag.as_bytes();
    b.len() > 4
        && b[1..4].eq_ignore_ascii_case(b"img")
        && matches!(b[4], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>')
}

/// Whether a raw tag has the attribute `name` (outside quoted values).
fn has_attribute(tag: &str, name: &str) -> bool {
    let b = tag.as_bytes();
    let mut i = 1;
    let mut prev_space = false;
    while i < b.len() {
        match b[i] {
            b'=' => {
                i = i + 1 + quoted_len(&b[i + 1..]);
                prev_space = false;
                continue;
            }
            c if c.is_ascii_whitespace() || c == b'/' => prev_space = true,
            _ if prev_space => {
                let end = b[i..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/'))
                    .map_or(b.len(), |p| i + p);
                if b[i..end].eq_ignore_ascii_case(name.as_bytes()) {
                    return true;
                }
                i = end;
                prev_space = false;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Length of an attribute value (after `=`), quoted or not.
fn quoted_len(b: &[u8]) -> usize {
    let ws = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    match b.get(ws) {
        Some(&q @ (b'"' | b'\'')) => {
            let body = b[ws + 1..].iter().position(|&c| c == q);
            ws + 1 + body.map_or(b.len() - ws - 1, |p| p + 1)
        }
        _ => {
            ws + b[ws..]
                .iter()
                .take_while(|c| !c.is_ascii_whitespace() && **c != b'>')
                .count()
        }
    }
}

/// `href` made absolute against `base` when it is relative and `base` is a
/// URL; otherwise `href` unchanged.
pub fn absolute(base: &str, href: &str) -> String {
    if Url::parse(href).is_ok() {
        return href.to_owned();
    }
    match Url::parse(base).and_then(|b| b.join(href)) {
        Ok(url) => url.into(),
        Err(_) => href.to_owned(),
    }
}

/// Venus's `css-id`: the name lower-cased, non-word characters as `-`.
pub fn css_id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_xml_characters_are_removed() {
        assert_eq!(
            xml_safe("a\u{0}b\u{c}c\u{FFFE}d\te\u{1F600}"),
            "abcd\te\u{1F600}"
        );
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_escaping() {
        assert_eq!(escape_html("a/b"), "a/b");
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn text_of_html() {
        // Venus tmpl cases title_html.xml and title_xhtml.xml.
        assert_eq!(html_to_text("D&eacute;tente"), "D\u{e9}tente");
        assert_eq!(html_to_text("A <b>very</b> bad day"), "A very bad day");
        assert_eq!(
            html_to_text("AT&amp;T &#65;&#x42; &bogus; & x"),
            "AT&T AB &bogus; & x"
        );
        assert_eq!(html_to_text("<a title='x>y'>link</a> 1 < 2"), "link 1 < 2");
        assert_eq!(html_to_text("<!-- c --> t <unterminated"), "t");
        assert_eq!(html_to_text("\u{e9}t\u{e9} <b>x</b>"), "\u{e9}t\u{e9} x");
    }

    #[test]
    fn images_become_lazy() {
        assert_eq!(
            lazy_images(r#"<p><img src="a.png"><IMG/></p>"#),
            r#"<p><img loading="lazy" src="a.png"><IMG loading="lazy"/></p>"#
        );
        let eager = r#"<img src="a" loading="eager">"#;
        assert_eq!(lazy_images(eager), eager);
    }

    #[test]
    fn lazy_images_ignore_markup_inside_attribute_values() {
        // An attribute value that looks like a tag must not be touched, or
        // the inserted quotes would end the value early.
        let html = r#"<a title="<img onerror=x >">t</a><img alt='loading=1'>"#;
        assert_eq!(
            lazy_images(html),
            r#"<a title="<img onerror=x >">t</a><img loading="lazy" alt='loading=1'>"#
        );
        assert_eq!(lazy_images("<imgx> <img"), "<imgx> <img");
        assert_eq!(lazy_images("\u{e9}<img>"), "\u{e9}<img loading=\"lazy\">");
    }

    #[test]
    fn urls_are_joined_with_the_base() {
        assert_eq!(
            absolute("http://planet.example/", "a/b.html"),
            "http://planet.example/a/b.html"
        );
        assert_eq!(
            absolute("http://planet.example/", "https://x.example/"),
            "https://x.example/"
        );
        assert_eq!(absolute("", "a/b.html"), "a/b.html");
    }

    proptest::proptest! {
        #[test]
        fn scanning_any_text_is_lossless_and_never_panics(s in "(<|>|img|IMG|=|\"|'|/|!--|-->|&|;|#x?[0-9a-f]{0,7}|[a-z ]|\\PC)*") {
            let lazy = lazy_images(&s);
            proptest::prop_assert_eq!(lazy.replace(" loading=\"lazy\"", ""), s.replace(" loading=\"lazy\"", ""));
            let _ = html_to_text(&s);
            let _ = escape_html(&s);
        }
    }

    #[test]
    fn css_ids() {
        assert_eq!(css_id("Daniel P. Berrangé"), "daniel-p--berrangé");
    }
}
