//! Machine-readable outputs, generated in code rather than from templates
//! so that they are valid whatever the theme.

mod atom;
mod foaf;
mod jsonfeed;
mod opml;
mod rss;

use crate::model::{Channel, Enclosure, Item};
use crate::site::Site;
use crate::status;
use crate::text::html_to_text;
use crate::Error;

/// The built-in output called `name`, or `None` when there is none.
pub fn generate(name: &str, site: &Site) -> Option<Result<Vec<u8>, Error>> {
    let bytes = match name {
        "atom.xml" => atom::atom(site),
        "rss20.xml" => rss::rss20(site),
        "rss10.xml" => rss::rss10(site),
        "opml.xml" => opml::opml(site),
        "foafroll.xml" => foaf::foafroll(site),
        "feed.json" => return Some(jsonfeed::json_feed(site)),
        "status.json" => return Some(status::status_json(site)),
        _ => return None,
    };
    Some(Ok(bytes))
}

/// Plain text as it must be written where readers may take text for HTML: RSS has no flag
/// saying which (most readers render an RSS title as markup), and neither have FOAF, OPML or
/// JSON Feed in practice. Escaped once here, and once more by the XML writer, a title such as
/// `<img src=x onerror=…>` shows as that text, never as an element. Atom says `type`.
pub(crate) fn html_text(text: &str) -> String {
    crate::text::escape_html(text).into_owned()
}

/// An entry id as it must be written where readers may take text for HTML: an id that is a URL
/// in the form a URL parser gives it (`<`, `>` and quotes percent-encoded, so it still names the
/// same resource), any other id HTML-escaped like text.
pub(crate) fn text_id(id: &str) -> String {
    match url::Url::parse(id) {
        Ok(url) if url.has_host() => url.into(),
        _ => html_text(id),
    }
}

/// A URL from a feed as a URL parser writes it (see [`text_id`]); `None` when it is not one.
pub(crate) fn normalized_url(url: &str) -> Option<String> {
    url::Url::parse(url.trim()).ok().map(String::from)
}

/// The entry's title as text, empty when it has none.
fn plain_title(item: &Item) -> String {
    match (&item.title_plain, &item.title) {
        (Some(plain), _) => plain.clone(),
        (None, Some(title)) => html_to_text(title),
        (None, None) => String::new(),
    }
}

/// Venus's item title in RSS: "Channel name: title".
fn prefixed_title(channel: &Channel, item: &Item) -> String {
    let title = plain_title(item);
    if title.is_empty() {
        channel.display_name().to_owned()
    } else {
        format!("{}: {}", channel.display_name(), title)
    }
}

/// What a feed reader shows as the entry body.
fn body(item: &Item) -> Option<&str> {
    item.content.as_deref().or(item.summary.as_deref())
}

/// The entry's enclosure with its absolute URL; feeds list none without one.
fn enclosure<'a>(site: &Site, item: &'a Item) -> Option<(&'a Enclosure, String)> {
    let enc = item.enclosure.as_ref()?;
    let href = enc.href.as_deref().filter(|h| !h.trim().is_empty())?;
    Some((enc, site.absolute(href)))
}

/// Channels in the order readers expect lists of people: by name.
pub(crate) fn by_name<'a>(site: &Site<'a>) -> Vec<&'a Channel> {
    let mut channels: Vec<&Channel> = site.channels.iter().collect();
    channels.sort_by_cached_key(|c| c.display_name().to_lowercase());
    channels
}
