//! Feed health: why a blog's posts may be missing, in words its author
//! understands, for the status page and for monitoring (status.json).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::dates::rfc3339;
use crate::model::Channel;
use crate::site::Site;
use crate::Error;

/// What an HTTP error status usually means for a feed, for readers who do
/// not know the codes by heart.
fn meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        400 => "the server did not understand the request",
        401 => "the feed needs a password",
        403 => "the server refuses to give the feed to the planet",
        404 => "there is no feed at this address",
        406 => "the server refuses every format the planet accepts",
        408 => "the server gave up waiting",
        410 => "the feed was removed for good",
        429 => "the server says the planet asks too often",
        500 | 502 | 504 => "the server or a proxy in front of it is failing",
        503 => "the server is overloaded or down for maintenance",
        _ => return None,
    })
}

/// A message that starts with a bare status line ("HTTP 404 Not Found",
/// possibly followed by "; ...") gets the status's meaning after that line.
fn explain(message: &str, code: u16) -> Option<String> {
    let meaning = meaning(code)?;
    let rest = message.strip_prefix(&format!("HTTP {code}"))?;
    let (line, tail) = rest.split_at(rest.find(';').unwrap_or(rest.len()));
    if line.contains(':') || !(line.is_empty() || line.starts_with(' ')) {
        return None;
    }
    Some(format!("HTTP {code}{line} ({meaning}){tail}"))
}

/// What is wrong with a subscription, or `None` when nothing is.
pub fn problem(c: &Channel) -> Option<String> {
    let message = c
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let code = c.http_status.filter(|&code| code >= 400);
    match (message, code) {
        (Some(message), Some(code)) => {
            Some(explain(message, code).unwrap_or_else(|| message.to_owned()))
        }
        (Some(message), None) => Some(message.to_owned()),
        (None, Some(code)) => {
            let line = format!("HTTP {code}");
            Some(explain(&line, code).unwrap_or(line))
        }
        (None, None) => None,
    }
}

/// The path as written in the configuration when the subscription is a
/// local file: it has no URL scheme (Venus's rule, as the configuration
/// applies it) or the `file:` scheme. Such a subscription must not be
/// published as a link: joined with the planet's address, as relative
/// links are, it would lead nowhere.
pub(crate) fn local_file(c: &Channel) -> Option<&str> {
    let url = c.url.trim();
    if url.is_empty() {
        return None;
    }
    // A one-letter scheme is a Windows drive.
    match crate::links::scheme(url).filter(|s| s.len() > 1) {
        None => Some(url),
        Some(s) if s.eq_ignore_ascii_case("file") => Some(url),
        Some(_) => None,
    }
}

#[derive(Serialize)]
struct Status<'a> {
    name: &'a str,
    generated: String,
    subscriptions: Vec<Subscription<'a>>,
}

#[derive(Serialize)]
struct Subscription<'a> {
    name: &'a str,
    /// The subscription as written in the configuration, less its secrets; absent when it is
    /// not published.
    #[serde(skip_serializing_if = "str::is_empty")]
    url: &'a str,
    /// `url` is a local file, not a web address.
    file: bool,
    link: Option<&'a str>,
    ok: bool,
    problem: Option<String>,
    http_status: Option<u16>,
    last_fetch: Option<String>,
    last_new_entry: Option<String>,
    /// Not before this time, for this reason; absent: at the next run.
    next_fetch: Option<String>,
    next_fetch_reason: Option<&'a str>,
    entries_stored: Option<u64>,
    permanent_redirect: Option<&'a str>,
    /// The reading list that added the subscription; absent for the owner's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    reading_list: Option<&'a str>,
    /// Healthy, but worth knowing: a limit that cut the feed, ids shared with another feed.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

fn when(date: Option<&DateTime<Utc>>) -> Option<String> {
    date.map(rfc3339)
}

pub fn status_json(site: &Site) -> Result<Vec<u8>, Error> {
    let subscriptions = crate::feeds::by_name(site)
        .into_iter()
        .map(|c| {
            let problem = problem(c);
            Subscription {
                name: c.display_name(),
                url: &c.url,
                file: local_file(c).is_some(),
                link: c.link.as_deref(),
                ok: problem.is_none(),
                problem,
                http_status: c.http_status,
                last_fetch: when(c.last_fetch.as_ref()),
                last_new_entry: when(c.last_new_entry.as_ref()),
                next_fetch: when(c.next_fetch.as_ref()),
                next_fetch_reason: c.next_fetch_reason.as_deref(),
                entries_stored: c.entries_stored,
                permanent_redirect: c.permanent_redirect.as_deref(),
                reading_list: c.reading_list.as_deref(),
                notes: &c.notes,
            }
        })
        .collect();
    let status = Status {
        name: &site.planet.name,
        generated: rfc3339(&site.planet.now),
        subscriptions,
    };
    let mut bytes = serde_json::to_vec_pretty(&status).map_err(Error::Json)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_in_plain_words() {
        let mut c = Channel {
            http_status: Some(200),
            ..Channel::default()
        };
        assert_eq!(problem(&c), None);
        c.http_status = Some(304);
        assert_eq!(problem(&c), None);
        c.http_status = Some(410);
        assert_eq!(
            problem(&c).as_deref(),
            Some("HTTP 410 (the feed was removed for good)")
        );
        c.http_status = Some(599);
        assert_eq!(problem(&c).as_deref(), Some("HTTP 599"));
        c.http_status = Some(404);
        c.message = Some("HTTP 404 Not Found".into());
        assert_eq!(
            problem(&c).as_deref(),
            Some("HTTP 404 Not Found (there is no feed at this address)")
        );
        c.http_status = Some(429);
        c.message = Some("HTTP 429 Too Many Requests; next attempt not before 08:00".into());
        assert_eq!(
            problem(&c).as_deref(),
            Some(
                "HTTP 429 Too Many Requests (the server says the planet asks too often); \
                 next attempt not before 08:00"
            )
        );
        // A message that already explains itself is left alone.
        c.message = Some("HTTP 429: slow down".into());
        assert_eq!(problem(&c).as_deref(), Some("HTTP 429: slow down"));
        c.message = Some("HTTP 4290 nonsense".into());
        assert_eq!(problem(&c).as_deref(), Some("HTTP 4290 nonsense"));
        c.http_status = None;
        c.message = Some(" timed out after 20 s ".into());
        assert_eq!(problem(&c).as_deref(), Some("timed out after 20 s"));
    }

    #[test]
    fn local_files_are_told_from_web_addresses() {
        let file = |url: &str| {
            let c = Channel {
                url: url.into(),
                ..Channel::default()
            };
            local_file(&c).map(str::to_owned)
        };
        assert_eq!(file("feeds/a.xml").as_deref(), Some("feeds/a.xml"));
        assert_eq!(
            file("/srv/feeds/a.xml").as_deref(),
            Some("/srv/feeds/a.xml")
        );
        assert_eq!(file("FILE:///a.xml").as_deref(), Some("FILE:///a.xml"));
        assert_eq!(file("c:/feeds/a.xml").as_deref(), Some("c:/feeds/a.xml"));
        assert_eq!(file("feeds/a:b.xml").as_deref(), Some("feeds/a:b.xml"));
        assert_eq!(file("http://example.org/feed"), None);
        assert_eq!(file("HTTPS://example.org/feed"), None);
        assert_eq!(file("gopher://example.org/"), None);
    }
}
