//! orrery-sanitize: makes feed HTML safe to republish on a planet's own domain.
//!
//! Relative URIs are resolved against the content's base, then everything active is removed
//! (scripts, event handlers, dangerous URL schemes, style expressions, embedded documents)
//! while harmless markup is kept, in one streaming pass over html5ever's spec-compliant
//! tokenizer.
//!
//! ```
//! let html = r#"<p onclick="steal()">Hi, <a href="/about">me</a><script>steal()</script>"#;
//! assert_eq!(
//!     orrery_sanitize::sanitize_html(html, Some("http://example.com/blog/")),
//!     r#"<p>Hi, <a href="http://example.com/about">me</a></p>"#
//! );
//! ```
//!
//! # Why not an off-the-shelf sanitizer's output
//!
//! Planets have always republished what the Universal Feed Parser (Planet Venus' parser)
//! makes of feed HTML, and its test suite pins that output down to the byte: attributes sorted
//! and double-quoted, void elements written `<br />`, character references kept as the author
//! wrote them, `style` filtered property by property. A tree-building sanitizer such as
//! ammonia reserializes differently, and builds a DOM first; a token-level filter keeps the
//! familiar output and streams.
//!
//! # What gets through
//!
//! - Elements and attributes on the Universal Feed Parser's allowlists (HTML, SVG with its
//!   camel-case spellings restored, MathML), plus `bdi bdo mark picture rp rt ruby summary wbr`
//!   and `srcset`/`sizes`. Everything else is dropped while its text is kept, except `script`,
//!   `style` and `applet`, whose text goes too.
//! - The content of `script`, `style` and `applet` is read as markup, as in the Universal Feed
//!   Parser: its tags go through the allowlists like any others, and text is dropped while the
//!   start tags of these three elements outnumber their end tags, or are outnumbered by them
//!   (after a stray `</script>`, the next script's source up to a nested `<script>` is shown
//!   as escaped text). The content of `iframe noembed noframes`, fallback markup that a browser
//!   hides, is likewise sanitized as markup once the element is dropped.
//! - Other elements whose content a browser reads as text (`xmp noscript textarea title
//!   plaintext`) are tokenized that way, so nothing inside them is ever written as markup: it
//!   is written as escaped text (inside the element for the allowed `textarea` and
//!   `noscript`).
//! - `<>`, an SGML empty tag, is dropped, as in the Universal Feed Parser.
//! - Every URL-bearing attribute (`href src srcset action background cite longdesc lowsrc
//!   dynsrc usemap poster icon data datasrc ping xlink:href xml:base altimg`, SVG animation
//!   values) is checked on its decoded value, as a browser would read it through entities,
//!   whitespace, control characters and case: only relative URLs and an allowlist of schemes
//!   (http, https, mailto, ftp, ...) pass. `data:` passes only as a PNG, GIF, JPEG or WebP
//!   image in `img`/`source` (`src`, `srcset`). A rejected `href` becomes `href=""`, as in
//!   the Universal Feed Parser; other rejected URL attributes are dropped.
//! - `on*` attributes never pass; SVG `attributeName` may not target `href`, and animation
//!   values (`to from by values`) may not hold script URLs.
//! - Comments are kept unless they could be read differently by a browser (conditional
//!   comments, `--` inside); doctypes and processing instructions are dropped.
//! - Elements left open are closed at the end, end tags of elements not open are dropped, and
//!   nesting is limited to [`MAX_DEPTH`] elements, so a fragment cannot affect the page
//!   around it. A comment a browser would never close ends at the next `--...>` instead (as
//!   in the Universal Feed Parser) or, without one, is dropped with the rest of the input.
//! - Character references are kept as written (`&nbsp;`, `&#8217;`); a stray `&` becomes
//!   `&amp;` and every `<` in text `&lt;`. Attributes are sorted by name and double-quoted.
//!
//! # Limits
//!
//! Input beyond [`MAX_INPUT_BYTES`] is ignored, tags keep at most 256 attributes (the
//! tokenizer's duplicate check is quadratic), and the output is linear in the input.

mod attrs;
mod css;
mod filter;
mod policy;
mod prepare;
mod refs;
mod uri;

use filter::Mode;

/// Deepest element nesting written out; deeper start tags are dropped (their text is kept).
pub const MAX_DEPTH: usize = 256;

/// Longest input examined; anything beyond is cut off (at a character boundary) before
/// processing. Feed content this large is not prose.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// Resolves relative URIs in `html` against `base` (when given and not empty), then sanitizes
/// it. The result is trimmed of surrounding whitespace, as the Universal Feed Parser does.
pub fn sanitize_html(html: &str, base: Option<&str>) -> String {
    let out = filter::run(html, base.unwrap_or_default(), Mode::Sanitize);
    trim_owned(out)
}

/// Resolves relative URIs in URI-bearing attributes of `html` against `base`, without
/// sanitizing: every element and attribute is kept (except names that cannot be written back,
/// such as `<a"b>`) and serialized as [`sanitize_html`] does. Not safe to republish as is.
pub fn resolve_relative_uris(html: &str, base: &str) -> String {
    filter::run(html, base, Mode::ResolveOnly)
}

/// Whether a link with this scheme may be republished (ASCII case-insensitive): the Universal
/// Feed Parser's allowlist, which the parser, the sanitizer and the outputs share.
pub fn is_acceptable_scheme(scheme: &str) -> bool {
    if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
        uri::is_acceptable_scheme(&scheme.to_ascii_lowercase())
    } else {
        uri::is_acceptable_scheme(scheme)
    }
}

fn trim_owned(mut s: String) -> String {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s
}
