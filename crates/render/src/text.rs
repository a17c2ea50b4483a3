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
    /// A comment, doctype, processing instruction or other bogus comment.
    Other(&'a str),
}

/// Splits HTML into text, tags and comments at the places the HTML
/// tokenizer does in its data state (quoted and unquoted attribute values,
/// `<!-->`, `--!>`, bogus comments such as `</ x>`), so that nothing inside
/// an attribute value or a comment is taken for a tag. Never fails:
/// unterminated constructs extend to the end of the input.
fn tokens(html: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = html;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (kind, len) = next_token(rest.as_bytes());
        // Every boundary is at an ASCII byte; the fallback only keeps this total.
        let (tok, tail) = rest.split_at_checked(len).unwrap_or((rest, ""));
        rest = tail;
        Some(kind(tok))
    })
}

/// The kind and byte length of the token `b` starts with.
fn next_token<'a>(b: &[u8]) -> (fn(&'a str) -> Token<'a>, usize) {
    if b.first() == Some(&b'<') {
        match (b.get(1), b.get(2)) {
            (Some(c), _) if c.is_ascii_alphabetic() => return (Token::Tag, tag_end(b, |_| {})),
            (Some(b'/'), Some(c)) if c.is_ascii_alphabetic() => {
                return (Token::Tag, tag_end(b, |_| {}))
            }
            (Some(b'!'), _) if b.starts_with(b"<!--") => return (Token::Other, comment_end(b)),
            // `</>` vanishes; `<!x`, `<?x` and `</` + anything else are
            // bogus comments. All end at the first `>`.
            (Some(b'!' | b'?'), _) | (Some(b'/'), Some(_)) => {
                return (Token::Other, find(b, b">", 2).map_or(b.len(), |i| i + 1))
            }
            _ => {}
        }
    }
    // Text runs to the next '<' that is not the one we stand on.
    let skip = usize::from(b.first() == Some(&b'<'));
    let end = b
        .iter()
        .skip(skip)
        .position(|&c| c == b'<')
        .map_or(b.len(), |i| i + skip);
    (Token::Text, end)
}

/// Position of `pattern` in `b` at or after `from`.
fn find(b: &[u8], pattern: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(pattern.len())
        .position(|w| w == pattern)
        .map(|i| i + from)
}

/// Length of the comment `b` starts with (`<!--`): it ends at the first
/// `-->` (even `<!-->` and `<!--->`) or `--!>`.
fn comment_end(b: &[u8]) -> usize {
    let dashes = find(b, b"-->", 2).map(|i| i + 3);
    let bang = find(b, b"--!>", 4).map(|i| i + 4);
    match (dashes, bang) {
        (Some(d), Some(e)) => d.min(e),
        (Some(end), None) | (None, Some(end)) => end,
        (None, None) => b.len(),
    }
}

/// Where the HTML tokenizer is inside a tag.
#[derive(Clone, Copy)]
enum TagState {
    Name,
    BeforeAttribute,
    /// In an attribute name that began at this byte.
    Attribute(usize),
    AfterAttribute,
    BeforeValue,
    Quoted(u8),
    Unquoted,
    AfterQuoted,
    SelfClosing,
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Length of the tag `b` starts with (`<` or `</`, then a name), through
/// its `>`, following the tokenizer's tag states; `attribute` is given each
/// attribute name as written.
fn tag_end(b: &[u8], mut attribute: impl FnMut(&[u8])) -> usize {
    use TagState::*;
    let name_start = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    let mut state = Name;
    for (i, &c) in b.iter().enumerate().skip(name_start) {
        state = match state {
            Name | Unquoted if is_space(c) => BeforeAttribute,
            Name | Unquoted => match c {
                b'>' => return i + 1,
                b'/' if matches!(state, Name) => SelfClosing,
                _ => state,
            },
            BeforeAttribute | AfterAttribute if is_space(c) => state,
            BeforeAttribute | AfterAttribute | AfterQuoted | SelfClosing => match c {
                b'>' => return i + 1,
                b'/' => SelfClosing,
                b'=' if matches!(state, AfterAttribute) => BeforeValue,
                // A new attribute; an `=` here is the first letter of its name.
                _ if is_space(c) => BeforeAttribute,
                _ => Attribute(i),
            },
            Attribute(start) => {
                let name_ends = is_space(c) || matches!(c, b'/' | b'>' | b'=');
                if name_ends {
                    attribute(b.get(start..i).unwrap_or_default());
                }
                match c {
                    b'>' => return i + 1,
                    b'/' => SelfClosing,
                    b'=' => BeforeValue,
                    _ if is_space(c) => AfterAttribute,
                    _ => state,
                }
            }
            BeforeValue => match c {
                b'>' => return i + 1,
                b'"' | b'\'' => Quoted(c),
                _ if is_space(c) => BeforeValue,
                _ => Unquoted,
            },
            Quoted(q) if c == q => AfterQuoted,
            Quoted(_) => state,
        };
    }
    b.len()
}

/// The text of a fragment of HTML, on one line: tags dropped, entities
/// decoded, a line break or block boundary read as a space (`a<br>b` is
/// "a b", as a reader sees it) and whitespace collapsed. Venus's
/// `title_plain`, and the plain text of names and titles.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for token in tokens(html) {
        match token {
            Token::Text(text) => decode_entities(text, &mut out),
            Token::Tag(tag) if breaks_text(tag) => out.push(' '),
            Token::Tag(_) | Token::Other(_) => {}
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    xml_safe(&collapsed).into_owned()
}

/// Whether a tag (raw, with `<`) ends a line of text: `br` and the block elements.
fn breaks_text(tag: &str) -> bool {
    const BLOCKS: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ];
    let name = tag.trim_start_matches(['<', '/']);
    let end = name
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(name.len());
    let name = &name[..end];
    BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name))
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

/// Adds `loading="lazy"` to every `<img>` start tag lacking a `loading`
/// attribute, so a long river of posts does not fetch every picture up
/// front. Only the text right after `<img` changes, at a place the HTML
/// tokenizer reads as the start of the tag's attributes; the inserted text
/// holds no `<`, `>` or `&`, so it can neither open nor close markup.
pub fn lazy_images(html: &str) -> String {
    const NAME_END: usize = "<img".len();
    let mut out = String::with_capacity(html.len() + 64);
    for token in tokens(html) {
        match token {
            Token::Tag(tag) if is_img(tag) && !has_attribute(tag, "loading") => {
                let (name, attributes) = tag.split_at(NAME_END);
                out.push_str(name);
                out.push_str(" loading=\"lazy\"");
                out.push_str(attributes);
            }
            Token::Tag(s) | Token::Text(s) | Token::Other(s) => out.push_str(s),
        }
    }
    out
}

/// Whether a raw tag is an `img` start tag.
fn is_img(tag: &str) -> bool {
    let b = tag.as_bytes();
    b.get(1..4).is_some_and(|n| n.eq_ignore_ascii_case(b"img"))
        && b.get(4)
            .is_some_and(|&c| is_space(c) || matches!(c, b'/' | b'>'))
}

/// Whether a raw tag has the attribute `name` (ASCII case-insensitive, as
/// HTML compares them).
fn has_attribute(tag: &str, name: &str) -> bool {
    let mut found = false;
    tag_end(tag.as_bytes(), |a| {
        found |= a.eq_ignore_ascii_case(name.as_bytes())
    });
    found
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
    use std::cell::RefCell;

    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token as H, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };

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
        // Line breaks and blocks are a space; whitespace collapses; inline tags join.
        assert_eq!(html_to_text("a<br>b"), "a b");
        assert_eq!(html_to_text("a<BR/>b</p><p>c"), "a b c");
        assert_eq!(html_to_text("x<b>y</b>z"), "xyz");
        // The plain text normalizing stores (its former test, unchanged).
        assert_eq!(
            html_to_text("A <b>very</b>\n bad &amp; d&eacute;j&agrave;"),
            "A very bad & d\u{e9}j\u{e0}"
        );
    }

    #[test]
    fn images_become_lazy() {
        assert_eq!(
            lazy_images(r#"<p><img src="a.png"><IMG/></p>"#),
            r#"<p><img loading="lazy" src="a.png"><IMG loading="lazy"/></p>"#
        );
        assert_eq!(lazy_images("<img\nsrc=a>"), "<img loading=\"lazy\"\nsrc=a>");
        for eager in [
            r#"<img src="a" loading="eager">"#,
            "<IMG LOADING=eager>",
            "<img/loading=eager>",
        ] {
            assert_eq!(lazy_images(eager), eager);
        }
    }

    #[test]
    fn lazy_images_ignore_markup_inside_attribute_values_and_comments() {
        // Text that looks like a tag inside an attribute value or a comment
        // must not be touched, or the inserted quotes would end the value.
        for html in [
            r#"<a title="<img onerror=x >">t</a>"#,
            "<p title='<img src=x onerror=alert(1)>'>x</p>",
            // `<img` is an attribute name here, not a tag.
            r#"<a title="x" <img>"#,
            // An unquoted value may begin with `=` and hold a quote: the
            // tag ends at the first `>`, and the `<img` after it sits
            // inside the next tag's quoted value.
            r#"<a x=="> <b title="<x y=1><img onmouseover=alert(1) src=2>">"#,
            "<!-- <img src=1> -->",
            "</ <img src=1>",
            "<!x <img src=1>",
            "<imgx> <img",
            "<img",
        ] {
            assert_eq!(lazy_images(html), html);
        }
        assert_eq!(
            lazy_images(r#"<img alt="&quot;><script>alert(1)</script>">"#),
            r#"<img loading="lazy" alt="&quot;><script>alert(1)</script>">"#
        );
        assert_eq!(
            lazy_images("<img alt='loading=1'>"),
            "<img loading=\"lazy\" alt='loading=1'>"
        );
        // Comments end where HTML ends them.
        for (html, lazy) in [
            ("<!--><img>", "<!--><img loading=\"lazy\">"),
            ("<!--x--!><img>", "<!--x--!><img loading=\"lazy\">"),
            ("</><img>", "</><img loading=\"lazy\">"),
            ("\u{e9}<img>", "\u{e9}<img loading=\"lazy\">"),
        ] {
            assert_eq!(lazy_images(html), lazy);
        }
    }

    /// What the HTML tokenizer of a browser (html5ever's, in its data
    /// state) reads: adjacent text joined, parse errors left out.
    #[derive(Debug, PartialEq)]
    enum Read {
        Text(String),
        Tag(TagKind, String, bool, Vec<(String, String)>),
        Other(String),
    }

    struct Reader(RefCell<Vec<Read>>);

    impl TokenSink for Reader {
        type Handle = ();

        fn process_token(&self, token: H, _line: u64) -> TokenSinkResult<()> {
            let mut read = self.0.borrow_mut();
            let item = match token {
                H::CharacterTokens(text) => {
                    if let Some(Read::Text(previous)) = read.last_mut() {
                        previous.push_str(&text);
                        return TokenSinkResult::Continue;
                    }
                    Read::Text(text.to_string())
                }
                H::NullCharacterToken => Read::Other("NUL".into()),
                H::TagToken(tag) => {
                    let attributes = tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    Read::Tag(tag.kind, tag.name.to_string(), tag.self_closing, attributes)
                }
                H::CommentToken(text) => Read::Other(format!("comment {text}")),
                H::DoctypeToken(d) => Read::Other(format!("{d:?}")),
                H::ParseError(_) | H::EOFToken => return TokenSinkResult::Continue,
            };
            read.push(item);
            TokenSinkResult::Continue
        }
    }

    fn browser_reads(html: &str) -> Vec<Read> {
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(html));
        let tokenizer = Tokenizer::new(Reader(RefCell::default()), TokenizerOpts::default());
        let _ = tokenizer.feed(&input);
        tokenizer.end();
        tokenizer.sink.0.take()
    }

    /// A browser reads `lazy` exactly as `html`, except that every `img`
    /// start tag without a `loading` attribute has `loading="lazy"` first.
    fn only_images_gained_loading(html: &str, lazy: &str) -> Result<(), String> {
        let before = browser_reads(html);
        let after = browser_reads(lazy);
        if before.len() != after.len() {
            return Err(format!("{before:?} became {after:?}"));
        }
        for (b, a) in before.into_iter().zip(after) {
            let expected = match b {
                Read::Tag(TagKind::StartTag, name, closing, mut attributes)
                    if name == "img" && !attributes.iter().any(|(n, _)| n == "loading") =>
                {
                    attributes.insert(0, ("loading".into(), "lazy".into()));
                    Read::Tag(TagKind::StartTag, name, closing, attributes)
                }
                other => other,
            };
            if expected != a {
                return Err(format!("expected {expected:?}, read {a:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn a_browser_reads_the_lazy_markup_as_the_original_plus_loading() {
        for html in [
            r#"<a x=="> <b title="<x y=1><img onmouseover=alert(1) src=2>">"#,
            "<p><img src=a.png><img/src=b><img\tloading=eager></p><!--x--!><img>",
            "<a b='<img'><img c=\"'\"></a></ <img src=1>",
            // An `=` that starts an attribute name opens no value, so
            // these quotes are not quotes and each tag ends at its `>`.
            r#"<a ="><img>""#,
            r#"<a b="x"="><img>""#,
            r#"<a b/="><img>""#,
            r#"<a b=c"><img>""#,
            r#"</a="><img>""#,
        ] {
            only_images_gained_loading(html, &lazy_images(html)).unwrap();
        }
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

    /// Strings made of the pieces HTML's tag and comment states turn on.
    fn html_soup() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const PIECES: &[&str] = &[
            "<img", "<IMG ", "<img/", "<a ", "<b x", "</", "</a>", "<!--", "-->", "--!>", "<!",
            "<?", "<", ">", "=", "\"", "'", "/", " ", "\t", "\n", "\r", "\u{c}", "x", "src",
            "loading", "LOADING", "&", ";", "&quot;", "&#", "\u{e9}",
        ];
        let piece = prop_oneof![
            6 => proptest::sample::select(PIECES).prop_map(str::to_owned),
            1 => "\\PC",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        #[test]
        fn a_browser_reads_any_rewrite_as_the_original_plus_loading(s in html_soup()) {
            let lazy = lazy_images(&s);
            if let Err(why) = only_images_gained_loading(&s, &lazy) {
                proptest::prop_assert!(false, "{:?}: {}", s, why);
            }
            let _ = html_to_text(&s);
            let _ = escape_html(&s);
        }
    }

    #[test]
    fn css_ids() {
        assert_eq!(css_id("Daniel P. Berrangé"), "daniel-p--berrangé");
    }
}
