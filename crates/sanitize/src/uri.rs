//! URL checks and relative-reference resolution.
//!
//! Resolution follows Python's `urllib.parse.urljoin`, which the Universal Feed Parser uses:
//! a string operation that leaves the URL's spelling alone (no percent-encoding, no host
//! normalization), so resolved links read exactly as the feed wrote them.

use std::borrow::Cow;

/// Schemes a republished link may use; anything else is replaced by an empty link.
/// The Universal Feed Parser's list with the outputs' former additions
/// (`ftps`, `tel`, `xmpp`), so no link that was kept before is dropped: the
/// sanitizer and the outputs both ask here. `scheme` is lower case.
pub(crate) fn is_acceptable_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "file"
            | "ftp"
            | "ftps"
            | "gopher"
            | "h323"
            | "hdl"
            | "http"
            | "https"
            | "imap"
            | "magnet"
            | "mailto"
            | "mms"
            | "news"
            | "nntp"
            | "prospero"
            | "rsync"
            | "rtsp"
            | "rtspu"
            | "sftp"
            | "shttp"
            | "sip"
            | "sips"
            | "snews"
            | "svn"
            | "svn+ssh"
            | "telnet"
            | "wais"
            | "aim"
            | "callto"
            | "cvs"
            | "facetime"
            | "feed"
            | "git"
            | "gtalk"
            | "irc"
            | "ircs"
            | "irc6"
            | "itms"
            | "msnim"
            | "skype"
            | "ssh"
            | "smb"
            | "ymsg"
            | "tel"
            | "xmpp"
    )
}

/// Schemes whose URLs can be relative to a base (Python's `uses_relative`).
fn uses_relative(scheme: &str) -> bool {
    matches!(
        scheme,
        "" | "ftp"
            | "http"
            | "gopher"
            | "nntp"
            | "imap"
            | "wais"
            | "file"
            | "https"
            | "shttp"
            | "mms"
            | "prospero"
            | "rtsp"
            | "rtsps"
            | "rtspu"
            | "sftp"
            | "svn"
            | "svn+ssh"
            | "ws"
            | "wss"
    )
}

/// Schemes with an authority part (Python's `uses_netloc`).
fn uses_netloc(scheme: &str) -> bool {
    matches!(
        scheme,
        "" | "ftp"
            | "http"
            | "gopher"
            | "nntp"
            | "telnet"
            | "imap"
            | "wais"
            | "file"
            | "mms"
            | "https"
            | "shttp"
            | "snews"
            | "prospero"
            | "rtsp"
            | "rtsps"
            | "rtspu"
            | "rsync"
            | "svn"
            | "svn+ssh"
            | "sftp"
            | "nfs"
            | "git"
            | "git+ssh"
            | "ws"
            | "wss"
    )
}

/// What a browser does before parsing: trims C0 controls and spaces, drops tabs and newlines.
/// Borrows when nothing inside needs dropping, as for nearly every real URL.
fn browser_clean(url: &str) -> Cow<'_, str> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    if memchr::memchr3(b'\t', b'\n', b'\r', trimmed.as_bytes()).is_none() {
        return Cow::Borrowed(trimmed);
    }
    trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// Splits a scheme off a cleaned URL: `(lowercased scheme, rest)`, or `None` for a relative
/// reference. Same rule as browsers and Python: a letter, then letters, digits, `+-.`, then `:`.
fn split_scheme(url: &str) -> Option<(Cow<'_, str>, &str)> {
    let bytes = url.as_bytes();
    // The first byte that cannot be part of a scheme must be the first `:`.
    let colon = bytes
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))?;
    if bytes.get(colon) != Some(&b':') || !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let (scheme, rest) = (url.get(..colon)?, url.get(colon + 1..)?);
    let b = scheme.as_bytes();
    let scheme = if b.iter().any(u8::is_ascii_uppercase) {
        Cow::Owned(scheme.to_ascii_lowercase())
    } else {
        Cow::Borrowed(scheme)
    };
    Some((scheme, rest))
}

/// Where a URL appears, which decides whether `data:` images are acceptable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlUse {
    /// The image of an `img` element (`src`, `srcset`).
    Image,
    Other,
}

/// Whether a browser following `url` (already stripped of character references) stays on
/// safe ground: relative, an allowlisted scheme, or (for images only) a raster `data:` image.
pub(crate) fn is_safe(url: &str, usage: UrlUse) -> bool {
    let cleaned = browser_clean(url);
    match split_scheme(&cleaned) {
        None => true,
        Some((scheme, rest)) => {
            is_acceptable_scheme(&scheme)
                || (scheme == "data" && usage == UrlUse::Image && is_raster_image_data(rest))
        }
    }
}

fn is_raster_image_data(rest: &str) -> bool {
    let Some(media_end) = rest.find([';', ',']) else {
        return false;
    };
    matches!(
        rest[..media_end].to_ascii_lowercase().as_str(),
        "image/png" | "image/gif" | "image/jpeg" | "image/webp"
    )
}

/// Resolves `rel` against `base` like the Universal Feed Parser: an empty base leaves `rel`
/// alone, an empty `rel` means the base itself, and a result outside the acceptable schemes
/// becomes `None`.
pub(crate) fn resolve<'a>(base: &'a str, rel: &'a str) -> Option<Cow<'a, str>> {
    if base.is_empty() {
        return Some(Cow::Borrowed(rel));
    }
    let joined = if rel.is_empty() {
        Cow::Borrowed(base)
    } else {
        match collapse_authority_slashes(rel) {
            Cow::Borrowed(rel) => urljoin(base, rel),
            Cow::Owned(rel) => Cow::Owned(urljoin(base, &rel).into_owned()),
        }
    };
    let cleaned = browser_clean(&joined);
    let scheme_ok = split_scheme(&cleaned).is_some_and(|(scheme, _)| is_acceptable_scheme(&scheme));
    // A browser's URL parser drops every tab and line break, wherever it stands; dropping them
    // here too keeps the output a fixed point (a second pass would otherwise see a different URL).
    let joined = if joined.contains(['\t', '\n', '\r']) {
        Cow::Owned(joined.replace(['\t', '\n', '\r'], ""))
    } else {
        joined
    };
    scheme_ok.then_some(joined)
}

/// `http:////example.com/` → `http://example.com/`: extra slashes after `scheme://` are a
/// common feed mistake that would otherwise yield an empty host.
fn collapse_authority_slashes(url: &str) -> Cow<'_, str> {
    if let Some((scheme, rest)) = url.split_once("://") {
        let valid = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid && rest.starts_with('/') {
            return format!("{scheme}://{}", rest.trim_start_matches('/')).into();
        }
    }
    url.into()
}

/// A URL split the way `urllib.parse.urlsplit` does.
struct Parts<'a> {
    scheme: Cow<'a, str>,
    netloc: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split<'a>(url: &'a str, default_scheme: &'a str) -> Parts<'a> {
    let (scheme, mut rest) = match split_scheme(url) {
        Some((scheme, rest)) => (scheme, rest),
        None => (Cow::Borrowed(default_scheme), url),
    };
    let mut netloc = None;
    if let Some(after) = rest.strip_prefix("//") {
        let end = after
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(after.len());
        netloc = Some(&after[..end]);
        rest = &after[end..];
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Parts {
        scheme,
        netloc,
        path,
        query,
        fragment,
    }
}

fn unsplit(
    scheme: &str,
    netloc: Option<&str>,
    path: &str,
    query: Option<&str>,
    fragment: Option<&str>,
) -> String {
    let netloc = netloc.unwrap_or_default();
    let mut out = String::with_capacity(scheme.len() + netloc.len() + path.len() + 16);
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if !netloc.is_empty() || (!scheme.is_empty() && uses_netloc(scheme) && !path.starts_with("//"))
    {
        out.push_str("//");
        out.push_str(netloc);
        if !path.is_empty() && !path.starts_with('/') {
            out.push('/');
        }
    }
    out.push_str(path);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `urllib.parse.urljoin(base, url)`.
fn urljoin<'a>(base: &str, url: &'a str) -> Cow<'a, str> {
    // Most links are absolute: settle those on their scheme before splitting anything else.
    let base_scheme = split_scheme(base).map(|(scheme, _)| scheme);
    let base_scheme = base_scheme.as_deref().unwrap_or_default();
    let own_scheme = split_scheme(url).map(|(scheme, _)| scheme);
    let scheme = own_scheme.as_deref().unwrap_or(base_scheme);
    if scheme != base_scheme || !uses_relative(scheme) {
        return Cow::Borrowed(url);
    }
    let b = split(base, "");
    let u = split(url, &b.scheme);
    let mut netloc = u.netloc;
    if uses_netloc(&u.scheme) {
        if u.netloc.is_some_and(|n| !n.is_empty()) {
            // Joining the parts again gives `url` back unless it needs normalizing.
            let same = matches!(own_scheme, Some(Cow::Borrowed(_)))
                && u.query != Some("")
                && u.fragment != Some("");
            if same {
                return Cow::Borrowed(url);
            }
            return unsplit(&u.scheme, u.netloc, u.path, u.query, u.fragment).into();
        }
        netloc = b.netloc;
    }
    if u.path.is_empty() {
        let query = if u.query.is_some_and(|q| !q.is_empty()) {
            u.query
        } else {
            b.query
        };
        return unsplit(&u.scheme, netloc, b.path, query, u.fragment).into();
    }
    let mut segments: Vec<&str> = Vec::new();
    if u.path.starts_with('/') {
        segments.extend(u.path.split('/'));
    } else {
        let mut base_parts: Vec<&str> = b.path.split('/').collect();
        if base_parts.last().is_some_and(|last| !last.is_empty()) {
            base_parts.pop();
        }
        segments.extend(base_parts);
        segments.extend(u.path.split('/'));
        // Empty inner segments (`a//b`) collapse, as in Python.
        let last = segments.len().saturating_sub(1);
        let mut i = 0;
        segments.retain(|s| {
            let keep = i == 0 || i == last || !s.is_empty();
            i += 1;
            keep
        });
    }
    let mut resolved: Vec<&str> = Vec::with_capacity(segments.len());
    for seg in &segments {
        match *seg {
            ".." => {
                resolved.pop();
            }
            "." => {}
            s => resolved.push(s),
        }
    }
    if matches!(segments.last(), Some(&"." | &"..")) {
        resolved.push("");
    }
    let path = resolved.join("/");
    let path = if path.is_empty() { "/" } else { path.as_str() };
    unsplit(&u.scheme, netloc, path, u.query, u.fragment).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_keeps_what_either_former_list_kept() {
        for scheme in ["http", "tel", "xmpp", "ftps", "gopher", "svn+ssh"] {
            assert!(is_acceptable_scheme(scheme), "{scheme}");
            assert!(
                crate::is_acceptable_scheme(&scheme.to_ascii_uppercase()),
                "{scheme}"
            );
        }
        for scheme in ["javascript", "data", "vbscript"] {
            assert!(!crate::is_acceptable_scheme(scheme), "{scheme}");
        }
    }

    #[test]
    fn joins_like_urljoin() {
        let base = "http://a/b/c/d;p?q";
        // RFC 3986 section 5.4 examples, as urljoin answers them.
        for (rel, want) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            ("./../g", "http://a/b/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("https://x/y", "https://x/y"),
            // Same scheme with an authority: kept as written unless urljoin normalizes it.
            ("http://x/y?", "http://x/y"),
            ("http://x/y#", "http://x/y"),
            ("HTTP://x/Y", "http://x/Y"),
            ("http://x/y?q#f", "http://x/y?q#f"),
            ("http://x", "http://x"),
        ] {
            assert_eq!(urljoin(base, rel), want, "{rel}");
        }
        assert_eq!(
            urljoin("http://any.test/", "\u{c0}"),
            "http://any.test/\u{c0}"
        );
    }

    #[test]
    fn resolve_rejects_bad_schemes_and_fixes_slashes() {
        assert_eq!(resolve("http://e.test/", "javascript:alert(1)"), None);
        assert_eq!(resolve("", "x.html").as_deref(), Some("x.html"));
        assert_eq!(
            resolve("http://e.test/d/", "").as_deref(),
            Some("http://e.test/d/")
        );
        assert_eq!(
            resolve("http://e.test/", "http:////x.test/a").as_deref(),
            Some("http://x.test/a")
        );
    }

    #[test]
    fn safety_sees_through_whitespace_and_case() {
        assert!(!is_safe(" JaVaScRiPt:alert(1)", UrlUse::Other));
        assert!(!is_safe("java\tscript:alert(1)", UrlUse::Other));
        assert!(!is_safe("\u{1}javascript:alert(1)", UrlUse::Other));
        assert!(!is_safe("vbscript:msgbox", UrlUse::Other));
        assert!(!is_safe("data:text/html,<script>", UrlUse::Image));
        assert!(!is_safe(
            "data:image/svg+xml,<svg onload=alert(1)>",
            UrlUse::Image
        ));
        assert!(!is_safe("data:image/png;base64,AAAA", UrlUse::Other));
        assert!(is_safe("data:image/png;base64,AAAA", UrlUse::Image));
        assert!(is_safe("/relative?x=javascript:1", UrlUse::Other));
        assert!(is_safe("HTTPS://example.com/", UrlUse::Other));
    }
}
