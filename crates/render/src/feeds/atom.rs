//! Atom 1.0, one `atom:source` per entry so readers can credit each blog.

use crate::dates::rfc3339;
use crate::model::{Channel, Item};
use crate::site::Site;
use crate::xml::Xml;

const ATOM: &str = "http://www.w3.org/2005/Atom";

pub fn atom(site: &Site) -> Vec<u8> {
    let planet = site.planet;
    let mut x = Xml::new();
    x.start("feed", &[("xmlns", ATOM)]);
    x.leaf("title", &[], &planet.name);
    x.leaf("updated", &[], &rfc3339(&planet.now));
    let uri: &[(&str, &str)] = if planet.generator_uri.is_empty() {
        &[]
    } else {
        &[("uri", &planet.generator_uri)]
    };
    x.leaf("generator", uri, &planet.generator);
    person(
        &mut x,
        Some(&planet.owner_name),
        Some(&planet.owner_email),
        None,
    );
    x.leaf("id", &[], &site.id());
    // No relative self link when the planet has no `link`: a self link must be absolute.
    if !planet.link.trim().is_empty() {
        let own = site.url_of("atom.xml");
        x.empty(
            "link",
            &[
                ("rel", "self"),
                ("href", &own),
                ("type", "application/atom+xml"),
            ],
        );
    }
    if !planet.link.is_empty() {
        x.empty(
            "link",
            &[
                ("rel", "alternate"),
                ("href", &planet.link),
                ("type", "text/html"),
            ],
        );
    }
    if let Some(hub) = planet.pubsubhubbub_hub.as_deref() {
        x.empty("link", &[("rel", "hub"), ("href", hub)]);
    }
    for item in &site.items {
        if let Some(channel) = site.channel(item) {
            entry(&mut x, site, channel, item);
        }
    }
    x.finish()
}

fn entry(x: &mut Xml, site: &Site, channel: &Channel, item: &Item) {
    x.start("entry", &[]);
    x.leaf("id", &[], &atom_id(&item.id));
    x.leaf(
        "title",
        &[("type", "html")],
        item.title.as_deref().unwrap_or(""),
    );
    if let Some(link) = &item.link {
        let href = site.absolute(link);
        x.empty(
            "link",
            &[("rel", "alternate"), ("href", &href), ("type", "text/html")],
        );
    }
    // Atom requires the enclosure's URL.
    if let Some((enc, href)) = super::enclosure(site, item) {
        let length = enc.length.map(|l| l.to_string());
        let mut attrs = vec![("rel", "enclosure"), ("href", href.as_str())];
        attrs.extend(enc.mime_type.as_deref().map(|t| ("type", t)));
        attrs.extend(length.as_deref().map(|l| ("length", l)));
        x.empty("link", &attrs);
    }
    x.leaf(
        "updated",
        &[],
        &rfc3339(item.updated.as_ref().unwrap_or(&item.date)),
    );
    if let Some(published) = &item.published {
        x.leaf("published", &[], &rfc3339(published));
    }
    person(
        x,
        item.author_name.as_deref(),
        item.author_email.as_deref(),
        item.author_uri.as_deref(),
    );
    for term in &item.categories {
        x.empty("category", &[("term", term)]);
    }
    if let Some(rights) = &item.rights {
        x.leaf("rights", &[("type", "html")], rights);
    }
    if let Some(summary) = item.summary.as_deref().filter(|_| item.content.is_some()) {
        x.leaf("summary", &[("type", "html")], summary);
    }
    if let Some(body) = super::body(item) {
        let mut attrs = vec![("type", "html")];
        let lang = item
            .content_language
            .as_deref()
            .or(item.summary_language.as_deref());
        attrs.extend(lang.map(|l| ("xml:lang", l)));
        x.leaf("content", &attrs, body);
    }
    source(x, site, channel);
    x.end();
}

fn source(x: &mut Xml, site: &Site, channel: &Channel) {
    x.start("source", &[]);
    x.leaf(
        "id",
        &[],
        &atom_id(
            channel
                .id
                .as_deref()
                .or(Some(channel.url.as_str()).filter(|u| !u.is_empty()))
                .unwrap_or(channel.display_name()),
        ),
    );
    x.leaf(
        "title",
        &[],
        channel.title.as_deref().unwrap_or(channel.display_name()),
    );
    x.opt_leaf("subtitle", channel.subtitle.as_deref());
    if !channel.url.is_empty() {
        let url = site.absolute(&channel.url);
        x.empty("link", &[("rel", "self"), ("href", &url)]);
    }
    if let Some(link) = channel.link.as_deref().filter(|l| !l.is_empty()) {
        let href = site.absolute(link);
        x.empty(
            "link",
            &[("rel", "alternate"), ("href", &href), ("type", "text/html")],
        );
    }
    if let Some(updated) = &channel.last_updated {
        x.leaf("updated", &[], &rfc3339(updated));
    }
    person(
        x,
        channel.author_name.as_deref(),
        channel.author_email.as_deref(),
        None,
    );
    x.opt_leaf("icon", channel.icon.as_deref());
    x.opt_leaf("logo", channel.logo.as_deref());
    if let Some(rights) = channel.rights.as_deref().filter(|r| !r.trim().is_empty()) {
        x.leaf("rights", &[("type", "html")], rights);
    }
    x.end();
}

/// An `atom:author`; Atom requires a name, so the address stands in for a
/// missing one.
fn person(x: &mut Xml, name: Option<&str>, email: Option<&str>, uri: Option<&str>) {
    let email = email.filter(|e| !e.trim().is_empty());
    let Some(name) = name.filter(|n| !n.trim().is_empty()).or(email) else {
        return;
    };
    x.start("author", &[]);
    x.leaf("name", &[], name);
    x.opt_leaf("email", email);
    x.opt_leaf("uri", uri);
    x.end();
}

/// An Atom id must be an IRI. Feeds carry ids such as `202 at http://example.org` (Drupal's
/// guids); those are replaced by a name-based `urn:uuid:` made from the id itself, so the same
/// entry keeps the same Atom id on every run.
fn atom_id(id: &str) -> std::borrow::Cow<'_, str> {
    let is_iri =
        !id.chars().any(|c| c.is_whitespace() || c.is_control()) && url::Url::parse(id).is_ok();
    if is_iri {
        return id.into();
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // RFC 9562 version 8 (custom).
    let uuid = uuid::Builder::from_custom_bytes(b).into_uuid();
    uuid.urn().to_string().into()
}

#[cfg(test)]
mod tests {
    use super::atom_id;

    #[test]
    fn iris_are_kept_and_other_ids_become_stable_uuids() {
        assert_eq!(atom_id("tag:example.org,2004:1"), "tag:example.org,2004:1");
        assert_eq!(
            atom_id("http://example.org/?p=1"),
            "http://example.org/?p=1"
        );
        let made = atom_id("202 at http://blog.example.org");
        assert!(made.starts_with("urn:uuid:"), "{made}");
        assert_eq!(made.len(), "urn:uuid:".len() + 36);
        assert_eq!(made, atom_id("202 at http://blog.example.org"));
        assert_ne!(made, atom_id("203 at http://blog.example.org"));
        assert!(atom_id("just-a-guid").starts_with("urn:uuid:"));
    }
}
