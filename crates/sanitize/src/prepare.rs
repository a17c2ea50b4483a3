//! The pass over the input before tokenizing. It
//!
//! - replaces every `&` by [`AMP`], so references survive tokenizing as written (see `refs`);
//! - drops `<>`, an SGML empty tag: the Universal Feed Parser removes it, and text lost there is
//!   never markup;
//! - turns `<!` openings that are neither a comment, a doctype nor a marked section into text,
//!   as well as `<![CDATA[` (feed HTML is not XML, and a browser would not honour the section)
//!   and a doctype that never ends;
//! - ends a comment a browser would never close at the next `--` followed by `>`, as the
//!   Universal Feed Parser does, or drops it with the rest of the input: left alone it would
//!   hide the rest of the fragment;
//! - cuts the attributes of a tag beyond [`MAX_ATTRIBUTES`]: the tokenizer drops duplicate
//!   attributes by comparing each with all earlier ones of its tag, so one tag with hundreds of
//!   thousands of attributes would cost quadratic time.
//!
//! Tags, comments, declarations and the content of raw-text elements are stepped over the way
//! the tokenizer reads them, so a `<!--` inside an attribute value or a `textarea` (or a script,
//! when only resolving) is not taken for a comment, nor an `<xmp>` inside a comment for a tag.
//! This pass only decides what the tokenizer sees; everything still goes through the filter
//! afterwards, so a misjudged boundary cannot let markup through.

use crate::filter::Mode;
use crate::policy;
use crate::refs::{rewrite, AMP, AMP_LEAD};

/// Attributes kept per tag; real markup stays far below.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

const AMP_LEN: usize = AMP.len_utf8();

/// Rewrites `html` for the tokenizer of a `mode` pass (see the module documentation).
pub(crate) fn prepare(html: &str, mode: Mode) -> String {
    let bytes = html.as_bytes();
    // A declaration is only one if it ends: after the last `>` it is text.
    let last_gt = memchr::memrchr(b'>', bytes);
    let mut comment_ends = None;
    let mut out = String::with_capacity(html.len() + html.len() / 16 + 16);
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memchr3(b'&', b'<', AMP_LEAD, &bytes[pos..]) {
        let i = pos + off;
        out.push_str(&html[copied..i]);
        let rest = &html[i..];
        if let Some(tag) = scan_tag(bytes, i, mode) {
            // Attributes over the limit are left out; the `>` (or the end) is kept.
            let kept_end = tag.cut.unwrap_or(tag.end);
            push_protected(&mut out, &html[i..kept_end]);
            let mut next = tag.end;
            if let Some(raw_end) = tag
                .raw_text
                .and_then(|name| raw_text_end(html, tag.end, name))
            {
                push_protected(&mut out, &html[tag.end..raw_end]);
                next = raw_end;
            }
            copied = next;
        } else if rest.starts_with('&') {
            out.push(AMP);
            copied = i + 1;
        } else if rest.starts_with(AMP) {
            out.push(char::REPLACEMENT_CHARACTER);
            copied = i + AMP_LEN;
        } else if rest.starts_with("<>") {
            copied = i + 2;
        } else if rest.starts_with("<!--") {
            let ends = comment_ends.get_or_insert_with(|| last_comment_end(html));
            copied = if is_unterminated_comment(rest, i, *ends) {
                loose_comment_end(html, i + 4).unwrap_or(html.len())
            } else {
                let end = comment_end(bytes, i);
                push_protected(&mut out, &html[i..end]);
                end
            };
        } else if rest.starts_with("<![CDATA[")
            || (rest.starts_with("<!")
                && (!opens_declaration(&rest[2..]) || last_gt.is_none_or(|gt| gt < i)))
        {
            out.push(AMP);
            out.push_str("lt;");
            copied = i + 1;
        } else if opens_bogus_comment(bytes, i) {
            // A doctype, `<![...]>`, `<?...>` or `</` not followed by a name: to the tokenizer
            // all run to the next `>`.
            let end = memchr::memchr(b'>', &bytes[i..]).map_or(html.len(), |gt| i + gt + 1);
            push_protected(&mut out, &html[i..end]);
            copied = end;
        } else {
            // A `<` starting nothing, or the lead byte of a character other than the marker.
            let len = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..len]);
            copied = i + len;
        }
        pos = copied;
    }
    out.push_str(&html[copied..]);
    out
}

/// Copies `s` with only the `&` replacement.
fn push_protected(out: &mut String, s: &str) {
    let find = |b: &[u8]| memchr::memchr2(b'&', AMP_LEAD, b);
    rewrite(out, s, find, |out, rest| {
        if rest.starts_with('&') {
            out.push(AMP);
            Some(1)
        } else {
            rest.starts_with(AMP).then(|| {
                out.push(char::REPLACEMENT_CHARACTER);
                AMP_LEN
            })
        }
    });
}

/// Start of the last `-->` or `--!>`, which ends every comment opened before it.
fn last_comment_end(html: &str) -> Option<usize> {
    html.rfind("-->").max(html.rfind("--!>"))
}

/// Whether the comment opened at `at` (`rest` starts there) runs to the end of the input in a
/// browser.
fn is_unterminated_comment(rest: &str, at: usize, last_end: Option<usize>) -> bool {
    let after = &rest[4..];
    let abrupt = after.starts_with('>') || after.starts_with("->");
    !abrupt && last_end.is_none_or(|end| end < at + 4)
}

/// Where the comment opened at `at` ends for the tokenizer: after the first `-->` (which may
/// share the opening's dashes, as in `<!-->`) or `--!>`. The end is known to exist.
fn comment_end(b: &[u8], at: usize) -> usize {
    let mut from = at + 2;
    while let Some(off) = b.get(from..).and_then(|s| memchr::memmem::find(s, b"--")) {
        let dashes = from + off;
        match (b.get(dashes + 2), b.get(dashes + 3)) {
            (Some(b'>'), _) => return dashes + 3,
            (Some(b'!'), Some(b'>')) if dashes >= at + 4 => return dashes + 4,
            _ => from = dashes + 1,
        }
    }
    b.len()
}

/// Whether the `<` at `at` opens a token that runs to the next `>`: a declaration (those that
/// are not are escaped before this is asked), a processing instruction, or an end tag without a
/// name, all of which the tokenizer reads as comments or a doctype.
fn opens_bogus_comment(b: &[u8], at: usize) -> bool {
    match (b.get(at + 1), b.get(at + 2)) {
        (Some(b'!' | b'?'), _) => true,
        (Some(b'/'), Some(next)) => *next != b'>' && !next.is_ascii_alphabetic(),
        _ => false,
    }
}

fn loose_comment_end(html: &str, from: usize) -> Option<usize> {
    let dashes = from + html.get(from..)?.find("--")?;
    let gt = dashes + 2 + html.get(dashes + 2..)?.find('>')?;
    Some(gt + 1)
}

fn opens_declaration(after_bang: &str) -> bool {
    let b = after_bang.as_bytes();
    after_bang.starts_with("--")
        || after_bang.starts_with('[')
        || b.get(..7)
            .is_some_and(|d| d.eq_ignore_ascii_case(b"doctype"))
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

struct ScannedTag {
    /// Where the `>` closing the tag is (or the end of the input).
    end: usize,
    /// Where the first attribute over the limit starts, if any.
    cut: Option<usize>,
    /// For a start tag of an element whose content is raw text: its name.
    raw_text: Option<&'static str>,
}

/// Elements whose content the tokenizer of a `mode` pass reads as text, up to their end tag.
/// (`title` is left out: inside SVG it holds markup, whose tags must get the attribute cap.)
fn raw_text_name(name: &[u8], mode: Mode) -> Option<&'static str> {
    [
        "script",
        "style",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "textarea",
        "plaintext",
    ]
    .into_iter()
    .find(|raw| raw.as_bytes().eq_ignore_ascii_case(name))
    .filter(|raw| !(mode == Mode::Sanitize && policy::content_read_as_markup(raw)))
}

/// Where the raw text after a `name` start tag ending at `tag_end` stops: at `</name`, or the
/// end of the input (always, for `plaintext`).
fn raw_text_end(html: &str, tag_end: usize, name: &str) -> Option<usize> {
    let content = html.get(tag_end..)?;
    if name == "plaintext" {
        return Some(html.len());
    }
    let bytes = content.as_bytes();
    let mut from = 0;
    while let Some(off) = memchr::memmem::find(&bytes[from..], b"</") {
        let at = from + off;
        let candidate = bytes.get(at + 2..at + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) {
            return Some(tag_end + at);
        }
        from = at + 2;
    }
    Some(html.len())
}

/// Follows the tokenizer's tag states from the `<` at `start`; `None` if no tag opens there.
fn scan_tag(b: &[u8], start: usize, mode: Mode) -> Option<ScannedTag> {
    let end_tag = b.get(start + 1) == Some(&b'/');
    let name_at = start + 1 + usize::from(end_tag);
    if b.get(start) != Some(&b'<') || !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let len = b.len();
    let mut i = name_at;
    while i < len && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let raw_text = if end_tag {
        None
    } else {
        raw_text_name(&b[name_at..i], mode)
    };
    let mut count = 0;
    let mut cut = None;
    loop {
        while i < len && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= len || b[i] == b'>' {
            let end = if i < len { i } else { len };
            return Some(ScannedTag { end, cut, raw_text });
        }
        count += 1;
        if count > MAX_ATTRIBUTES && cut.is_none() {
            cut = Some(i);
        }
        // Attribute name; its first character may be `=`.
        i += 1;
        while i < len && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        while i < len && is_space(b[i]) {
            i += 1;
        }
        if i >= len || b[i] != b'=' {
            continue;
        }
        i += 1;
        while i < len && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                i = memchr::memchr(quote, &b[i + 1..]).map_or(len, |q| i + 1 + q + 1);
            }
            _ => {
                while i < len && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(s: &str) -> String {
        super::prepare(s, Mode::Sanitize)
    }

    fn visible(s: &str) -> String {
        prepare(s).replace(AMP, "&")
    }

    fn attrs(n: usize) -> String {
        (0..n).map(|i| format!(" a{i}=\"v>{i}\"")).collect()
    }

    #[test]
    fn replaces_ampersands_everywhere() {
        assert_eq!(
            prepare("a&b<p title='&'>&</p>"),
            "a\u{FDD0}b<p title='\u{FDD0}'>\u{FDD0}</p>"
        );
        assert_eq!(
            prepare("\u{FDD0}é<b x=\"\u{FDD0}\">"),
            "\u{FFFD}é<b x=\"\u{FFFD}\">"
        );
        assert_eq!(
            prepare("<script>a&&b</script>"),
            "<script>a\u{FDD0}\u{FDD0}b</script>"
        );
    }

    #[test]
    fn escapes_declarations_that_are_not() {
        assert_eq!(visible("<!foo>"), "&lt;!foo>");
        assert_eq!(visible("<!-- x -->"), "<!-- x -->");
        assert_eq!(visible("<!DOCTYPE html>"), "<!DOCTYPE html>");
        assert_eq!(visible("<![CDATA[x"), "&lt;![CDATA[x");
        assert_eq!(visible("<!DOCTYPE ~"), "&lt;!DOCTYPE ~");
        assert_eq!(visible("a <> b"), "a  b");
    }

    #[test]
    fn fallback_markup_is_markup_only_when_sanitizing() {
        let html = "<iframe><p title='a' a=b></p></iframe>";
        let scan = |mode| scan_tag(html.as_bytes(), 0, mode).and_then(|tag| tag.raw_text);
        assert_eq!(scan(Mode::Sanitize), None);
        assert_eq!(scan(Mode::ResolveOnly), Some("iframe"));
    }

    #[test]
    fn ends_comments_a_browser_would_not() {
        assert_eq!(visible("safe<!-- x"), "safe");
        assert_eq!(visible("sa<!-- -- x >fe"), "safe");
        assert_eq!(visible("<!-- a --> <!-- b"), "<!-- a --> ");
        assert_eq!(visible("<!-->x"), "<!-->x");
        // Not comments: inside an attribute value, inside raw text.
        assert_eq!(
            visible("<a title=\"<!--\">x</a>y"),
            "<a title=\"<!--\">x</a>y"
        );
        assert_eq!(
            visible("<TEXTAREA>a<!--b</textarea><p>c</p>"),
            "<TEXTAREA>a<!--b</textarea><p>c</p>"
        );
    }

    #[test]
    fn steps_over_comments_and_declarations_as_the_tokenizer_reads_them() {
        // Nothing inside them is a tag: no raw text starts there, and the tag after them is
        // still capped.
        let wide = format!("<p{}>", attrs(MAX_ATTRIBUTES + 1));
        let capped = format!("<p{} >", attrs(MAX_ATTRIBUTES));
        for opening in [
            "<!--<xmp>-->",
            "<!--->",
            "<!---<xmp>-- --!>",
            "<?<xmp>",
            "</3<xmp>",
            "<![x<xmp>",
            "<!DOCTYPE <xmp>",
        ] {
            assert_eq!(
                visible(&format!("{opening}{wide}")),
                format!("{opening}{capped}"),
                "{opening}"
            );
        }
        // Their text is left as written; only `&` is replaced.
        assert_eq!(visible("<!--a<>b--><?c<>d"), "<!--a<>b--><?c<>d");
        assert_eq!(prepare("<!--&--></ &>"), "<!--\u{FDD0}--></ \u{FDD0}>");
    }

    #[test]
    fn scripts_hold_markup_only_when_sanitizing() {
        let html = "<SCRIPT>a<!--b</script><p>c</p>";
        assert_eq!(visible(html), "<SCRIPT>a");
        assert_eq!(super::prepare(html, Mode::ResolveOnly), html);
        let html = format!("<style><p{}>", attrs(MAX_ATTRIBUTES + 1));
        assert_eq!(
            visible(&html),
            format!("<style><p{} >", attrs(MAX_ATTRIBUTES))
        );
    }

    #[test]
    fn leaves_ordinary_tags_alone() {
        let html = format!("<p{}>x</p><a href='>' b=c/>", attrs(MAX_ATTRIBUTES));
        assert_eq!(prepare(&html), html);
    }

    #[test]
    fn cuts_attributes_beyond_the_limit() {
        let html = format!("<p{}>x</p>", attrs(MAX_ATTRIBUTES + 1000));
        assert_eq!(
            prepare(&html),
            format!("<p{} >x</p>", attrs(MAX_ATTRIBUTES))
        );
        let html = format!("</p{}", attrs(MAX_ATTRIBUTES + 1));
        assert_eq!(prepare(&html), format!("</p{} ", attrs(MAX_ATTRIBUTES)));
    }
}
