//! Feed health: why a blog's posts may be missing, in words its author
//! understands, for the status page and for monitoring (status.json).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::dates::rfc3339;
use crate::model::Channel;
use crate::site::Site;
use crate::Error;

/// The standard phrase of the HTTP statuses feeds commonly answer with.
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        301 => "moved permanently",
        302 => "found elsewhere (temporary redirect)",
        304 => "not modified",
        307 => "temporary redirect",
        308 => "permanent redirect",
        400 => "bad request",
        401 => "authentication required",
        403 => "access forbidden",
        404 => "not found",
        406 => "not acceptable",
        408 => "request timeout",
        410 => "gone for good",
        429 => "too many requests",
        500 => "server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => return None,
    })
}

/// What is wrong with a subscription, or `None` when nothing is.
pub fn problem(c: &Channel) -> Option<String> {
    if let Some(message) = c
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        return Some(message.to_owned());
    }
    match c.http_status {
        Some(code) if code >= 400 => Some(match reason_phrase(code) {
            Some(phrase) => format!("HTTP {code}: {phrase}"),
            None => format!("HTTP {code}"),
        }),
        _ => None,
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
    url: &'a str,
    link: Option<&'a str>,
    ok: bool,
    problem: Option<String>,
    http_status: Option<u16>,
    last_fetch: Option<String>,
    last_new_entry: Option<String>,
    entries_stored: Option<u64>,
    permanent_redirect: Option<&'a str>,
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
                link: c.link.as_deref(),
                ok: problem.is_none(),
                problem,
                http_status: c.http_status,
                last_fetch: when(c.last_fetch.as_ref()),
                last_new_entry: when(c.last_new_entry.as_ref()),
                entries_stored: c.entries_stored,
                permanent_redirect: c.permanent_redirect.as_deref(),
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
        c.http_status = Some(410);
        assert_eq!(problem(&c).as_deref(), Some("HTTP 410: gone for good"));
        c.http_status = Some(599);
        assert_eq!(problem(&c).as_deref(), Some("HTTP 599"));
        c.message = Some("timed out after 20 s".into());
        assert_eq!(problem(&c).as_deref(), Some("timed out after 20 s"));
    }
}
