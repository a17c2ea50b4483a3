//! URI joining with the Universal Feed Parser's semantics: absolute references are kept verbatim
//! (no normalization), relative ones are resolved per RFC 3986, and only well-known schemes are
//! accepted as base URIs.

use url::Url;

const ACCEPTABLE_SCHEMES: &[&str] = &[
    "file", "ftp", "gopher", "h323", "hdl", "http", "https", "imap", "magnet", "mailto", "mms",
    "news", "nntp", "prospero", "rsync", "rtsp", "rtspu", "sftp", "shttp", "sip", "sips", "snews",
    "svn", "svn+ssh", "telnet", "wais", "aim", "callto", "cvs", "facetime", "feed", "git", "gtalk",
    "irc", "ircs", "irc6", "itms", "msnim", "skype", "ssh", "smb", "ymsg",
];

/// The scheme of `uri`, if it starts with one.
fn scheme(uri: &str) -> Option<&str> {
    let colon = uri.find(':')?;
    let s = &uri[..colon];
    let mut bytes = s.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic() && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
        .then_some(s)
}

/// Collapses `scheme:///path` to `scheme://path` (feeds write `http:///example.org`).
fn fix_slashes(uri: &str) -> std::borrow::Cow<'_, str> {
    if let Some(s) = scheme(uri) {
        let rest = &uri[s.len() + 1..];
        if let Some(after) = rest.strip_prefix("//") {
            if after.starts_with('/') {
                return format!("{s}://{}", after.trim_start_matches('/')).into();
            }
        }
    }
    uri.into()
}

/// Resolves `uri` against `base`.
pub(crate) fn join(base: &str, uri: &str) -> String {
    let uri = fix_slashes(uri.trim());
    if base.is_empty() {
        return uri.into_owned();
    }
    if uri.is_empty() {
        return base.to_string();
    }
    if scheme(&uri).is_some() {
        return uri.into_owned();
    }
    match Url::parse(base).and_then(|b| b.join(&uri)) {
        Ok(u) => u.into(),
        Err(_) => uri.into_owned(),
    }
}

/// Joins like [`join`] but returns an empty string unless the result has an acceptable scheme.
pub(crate) fn safe_absolute(base: &str, rel: &str) -> String {
    if base.is_empty() {
        return rel.to_string();
    }
    if rel.is_empty() {
        return match scheme(base) {
            None => base.to_string(),
            Some(s) if ACCEPTABLE_SCHEMES.contains(&s) => base.to_string(),
            Some(_) => String::new(),
        };
    }
    let joined = join(base, rel);
    let s = joined.trim().split(':').next().unwrap_or("");
    if ACCEPTABLE_SCHEMES.contains(&s) {
        joined
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_urljoin() {
        assert_eq!(join("http://a/b/c", "d"), "http://a/b/d");
        assert_eq!(join("http://a/b/c", "/d"), "http://a/d");
        assert_eq!(
            join("http://a/b/c", "http://example.com"),
            "http://example.com"
        );
        assert_eq!(join("", "rel"), "rel");
        assert_eq!(join("http://a/b", ""), "http://a/b");
        assert_eq!(join("http://a/", "http:///x/y"), "http://x/y");
    }

    #[test]
    fn rejects_unsafe_schemes() {
        assert_eq!(safe_absolute("http://a/", "javascript:alert(1)"), "");
        assert_eq!(safe_absolute("http://a/b", "c"), "http://a/c");
        assert_eq!(safe_absolute("javascript:x", ""), "");
    }
}
