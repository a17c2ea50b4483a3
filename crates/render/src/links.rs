//! Links from feeds end up in `href` and `src` attributes of the page and
//! of the output feeds. The parser keeps absolute links as the feed wrote
//! them, so a feed can hand over `javascript:` or `data:` URLs; here every
//! such link of the published model is dropped before any output sees it.

use std::borrow::Cow;

use crate::model::{Channel, Enclosure, Item};

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
    // Anything without a scheme is relative and safe; the schemes are the sanitizer's.
    scheme(&squeezed).is_none_or(orrery_sanitize::is_acceptable_scheme)
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
            // The one allowlist is the union of the outputs' and the sanitizer's.
            "tel:+15551234",
            "xmpp:a@example.com",
            "ftps://example.com/f",
            "gopher://example.com/",
            "SSH://example.com",
        ] {
            assert!(is_safe_link(good), "{good:?} refused");
        }
    }
}

/// Query parameters never published: their name holds one of these (in any case).
const SECRET_PARAMETERS: [&str; 7] = [
    "token", "key", "secret", "password", "passwd", "auth", "sig",
];

/// `url` as it may be published: without user info (`user:pass@`) and without query parameters
/// whose name looks secret (`private_token`, `api_key`, `sig`...). Used for fetching as written,
/// a subscription URL is published only in this form. Text that is not a URL with a host (a
/// local path) is returned as it is.
pub fn public_url(url: &str) -> Cow<'_, str> {
    let Ok(mut parsed) = url::Url::parse(url.trim()) else {
        return Cow::Borrowed(url);
    };
    if !parsed.has_host() {
        return Cow::Borrowed(url);
    }
    let mut changed = false;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Both only fail for URLs without a host, excluded above.
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        changed = true;
    }
    if let Some(query) = parsed.query() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                let name = url::form_urlencoded::parse(name.as_bytes())
                    .next()
                    .map(|(name, _)| name.to_lowercase())
                    .unwrap_or_default();
                !SECRET_PARAMETERS.iter().any(|secret| name.contains(secret))
            })
            .collect();
        if kept.len() != query.split('&').count() {
            let kept = kept.join("&");
            parsed.set_query(Some(kept.as_str()).filter(|q| !q.is_empty()));
            changed = true;
        }
    }
    if changed {
        Cow::Owned(parsed.into())
    } else {
        Cow::Borrowed(url)
    }
}

/// `text` (an error message, a note) with every `http`/`https` URL in it made public.
pub fn scrub_urls(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(start) = find_url(rest) {
        let end = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .map_or(rest.len(), |n| start + n);
        // A message may close a parenthesis or end a sentence right after the URL.
        let end = start
            + rest[start..end]
                .trim_end_matches([')', '.', ',', ';'])
                .len();
        let public = public_url(&rest[start..end]);
        changed |= matches!(public, Cow::Owned(_));
        out.push_str(&rest[..start]);
        out.push_str(&public);
        rest = &rest[end..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn find_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    [lower.find("http://"), lower.find("https://")]
        .into_iter()
        .flatten()
        .min()
}

#[cfg(test)]
mod public_url_tests {
    use super::{public_url, scrub_urls};

    #[test]
    fn user_info_and_secret_parameters_are_removed() {
        assert_eq!(
            public_url("http://u:pass@127.0.0.1:8080/f.xml?private_token=T&page=2"),
            "http://127.0.0.1:8080/f.xml?page=2"
        );
        assert_eq!(
            public_url("https://x.example/feed?API_KEY=1&Sig=2&auth=3&passwd=4&a=b%20c"),
            "https://x.example/feed?a=b%20c"
        );
        assert_eq!(
            public_url("https://x.example/feed?token=1"),
            "https://x.example/feed"
        );
        assert_eq!(
            public_url("https://x.example/feed?a=1"),
            "https://x.example/feed?a=1"
        );
        assert_eq!(public_url("/srv/feeds/a.xml"), "/srv/feeds/a.xml");
    }

    #[test]
    fn messages_lose_the_secrets_of_the_urls_they_name() {
        assert_eq!(
            scrub_urls("redirect to https://u:p@h.example/x?key=9 refused (loop)."),
            "redirect to https://h.example/x refused (loop)."
        );
        assert_eq!(
            scrub_urls("HTTP 404 at http://h.example/a"),
            "HTTP 404 at http://h.example/a"
        );
    }
}
