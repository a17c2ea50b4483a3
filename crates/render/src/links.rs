//! Links from feeds end up in `href` and `src` attributes of the page and
//! of the output feeds. The parser keeps absolute links as the feed wrote
//! them, so a feed can hand over `javascript:` or `data:` URLs; here every
//! such link of the published model is dropped before any output sees it.

use std::borrow::Cow;

use crate::model::{Channel, Enclosure, Item};

/// Schemes a link may have; anything without a scheme is relative and safe.
const SCHEMES: [&str; 13] = [
    "http", "https", "ftp", "ftps", "mailto", "file", "news", "nntp", "irc", "ircs", "xmpp", "tel",
    "magnet",
];

/// Whether a browser following `url` would stay out of script and inline
/// documents. Read as a URL parser reads it: surrounding controls and
/// spaces are ignored, tabs and newlines inside are removed, case is folded.
pub fn is_safe_link(url: &str) -> bool {
    let squeezed: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    // A colon after a path, query or fragment character starts no scheme.
    scheme(&squeezed).is_none_or(|scheme| SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
}

/// The scheme `url` starts with: the text before its first `:`, when that
/// text is a scheme name (a letter, then letters, digits, `+`, `-`, `.`).
pub(crate) fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then_some(scheme)
}

/// An entry id fit to stand where RSS 1.0 wants a link: URNs, tags and safe
/// links are kept; any other id becomes a URN, which no reader follows.
pub fn safe_identifier(id: &str) -> Cow<'_, str> {
    let lower = id.trim_start().to_ascii_lowercase();
    if lower.starts_with("urn:") || lower.starts_with("tag:") || is_safe_link(id) {
        return Cow::Borrowed(id);
    }
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Cow::Owned(format!("urn:orrery:entry:{encoded}"))
}

fn keep(link: &Option<String>) -> Option<String> {
    link.as_ref().filter(|l| is_safe_link(l)).cloned()
}

fn channel_is_clean(c: &Channel) -> bool {
    [&c.link, &c.icon, &c.logo, &c.permanent_redirect]
        .into_iter()
        .all(|l| l.as_deref().is_none_or(is_safe_link))
}

fn item_is_clean(i: &Item) -> bool {
    [&i.link, &i.author_uri, &i.image, &i.player]
        .into_iter()
        .all(|l| l.as_deref().is_none_or(is_safe_link))
        && i.enclosure
            .as_ref()
            .and_then(|e| e.href.as_deref())
            .is_none_or(is_safe_link)
}

/// `channels` without unsafe links (borrowed when there are none).
pub fn channels(channels: &[Channel]) -> Cow<'_, [Channel]> {
    if channels.iter().all(channel_is_clean) {
        return Cow::Borrowed(channels);
    }
    Cow::Owned(
        channels
            .iter()
            .map(|c| Channel {
                link: keep(&c.link),
                icon: keep(&c.icon),
                logo: keep(&c.logo),
                permanent_redirect: keep(&c.permanent_redirect),
                ..c.clone()
            })
            .collect(),
    )
}

/// `items` without unsafe links (borrowed when there are none).
pub fn items(items: &[Item]) -> Cow<'_, [Item]> {
    if items.iter().all(item_is_clean) {
        return Cow::Borrowed(items);
    }
    Cow::Owned(
        items
            .iter()
            .map(|i| Item {
                link: keep(&i.link),
                author_uri: keep(&i.author_uri),
                image: keep(&i.image),
                player: keep(&i.player),
                enclosure: i.enclosure.clone().map(|e| Enclosure {
                    href: keep(&e.href),
                    ..e
                }),
                ..i.clone()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::{is_safe_link, safe_identifier};

    #[test]
    fn identifiers_that_would_run_become_urns() {
        assert_eq!(
            safe_identifier("tag:example.com,2016:1"),
            "tag:example.com,2016:1"
        );
        assert_eq!(safe_identifier("http://a.example/1"), "http://a.example/1");
        assert_eq!(
            safe_identifier("javascript:alert(1)"),
            "urn:orrery:entry:javascript%3Aalert%281%29"
        );
    }

    #[test]
    fn script_and_inline_documents_are_refused_however_spelled() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "jav\nascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:image/svg+xml,<svg onload=alert(1)>",
            "livescript:x",
        ] {
            assert!(!is_safe_link(bad), "{bad:?} passed");
        }
    }

    #[test]
    fn web_links_and_relative_ones_pass() {
        for good in [
            "http://example.com/a:b",
            "HTTPS://example.com/",
            "mailto:a@example.com",
            "feeds/blog.xml",
            "/path?q=a:b",
            "#frag:x",
            "&#106;avascript:x",
            "",
        ] {
            assert!(is_safe_link(good), "{good:?} refused");
        }
    }
}
