//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

use serde::Serialize;

use crate::dates::rfc3339;
use crate::site::Site;
use crate::text::xml_safe;
use crate::Error;

use super::html_text;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    authors: Vec<Author>,
    items: Vec<Entry>,
}

#[derive(Serialize)]
struct Author {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Entry {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    content_html: String,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    /// The blog the entry comes from (a JSON Feed extension).
    _source: Source,
}

#[derive(Serialize)]
struct Source {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<String>,
}

#[derive(Serialize)]
struct Attachment {
    url: String,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

pub fn json_feed(site: &Site) -> Result<Vec<u8>, Error> {
    let planet = site.planet;
    let items = site
        .items
        .iter()
        .filter_map(|item| Some((item, site.channel(item)?)))
        .map(|(item, channel)| Entry {
            id: super::text_id(&item.id),
            url: item.link.as_deref().map(|l| site.absolute(l)),
            title: html_text(&super::plain_title(item)),
            content_html: xml_safe(super::body(item).unwrap_or("")).into_owned(),
            date_published: rfc3339(item.published.as_ref().unwrap_or(&item.date)),
            date_modified: item.updated.as_ref().map(rfc3339),
            authors: item
                .author_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .map(|n| Author {
                    name: Some(html_text(n)),
                    url: item.author_uri.as_deref().and_then(super::normalized_url),
                })
                .into_iter()
                .collect(),
            tags: item.categories.iter().map(|t| html_text(t)).collect(),
            language: item.content_language.as_deref().map(str::to_owned),
            attachments: super::enclosure(site, item)
                .into_iter()
                .map(|(e, url)| Attachment {
                    url,
                    mime_type: e
                        .mime_type
                        .as_deref()
                        .unwrap_or("application/octet-stream")
                        .to_owned(),
                    size_in_bytes: e.length,
                })
                .collect(),
            _source: Source {
                name: html_text(channel.display_name()),
                feed_url: (!channel.url.is_empty()).then(|| site.absolute(&channel.url)),
                home_page_url: channel
                    .link
                    .as_deref()
                    .filter(|l| !l.is_empty())
                    .map(|l| site.absolute(l)),
            },
        })
        .collect();
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: html_text(&planet.name),
        home_page_url: Some(planet.link.as_str()).filter(|l| !l.is_empty()),
        feed_url: site.url_of("feed.json"),
        language: planet.options.get("language").map(String::as_str),
        authors: vec![Author {
            name: Some(html_text(&planet.owner_name)),
            url: Some(&planet.owner_email)
                .filter(|e| !e.is_empty())
                .map(|e| format!("mailto:{e}")),
        }],
        items,
    };
    let mut bytes = serde_json::to_vec_pretty(&feed).map_err(Error::Json)?;
    bytes.push(b'\n');
    Ok(bytes)
}
