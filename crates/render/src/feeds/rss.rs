//! RSS 2.0 and RSS 1.0 (RDF), as Venus's common theme published them.

use crate::dates::{iso, rfc822};
use crate::site::Site;
use crate::xml::Xml;

use super::html_text;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RSS1: &str = "http://purl.org/rss/1.0/";

pub fn rss20(site: &Site) -> Vec<u8> {
    let planet = site.planet;
    let mut x = Xml::new();
    x.start(
        "rss",
        &[("version", "2.0"), ("xmlns:atom", ATOM), ("xmlns:dc", DC)],
    );
    x.start("channel", &[]);
    x.leaf("title", &[], &html_text(&planet.name));
    // Without the planet's `link` there is no address to give: no empty `<link>`, no
    // relative self link (`orrery check` asks for a `link`).
    let linked = !planet.link.trim().is_empty();
    if linked {
        x.leaf("link", &[], &site.url_of(""));
    }
    x.leaf(
        "description",
        &[],
        &if linked {
            html_text(&format!("{} - {}", planet.name, planet.link))
        } else {
            html_text(&planet.name)
        },
    );
    x.opt_leaf(
        "language",
        planet.options.get("language").map(String::as_str),
    );
    x.leaf("lastBuildDate", &[], &rfc822(&planet.now));
    x.leaf("generator", &[], &planet.generator);
    if linked {
        let own = site.url_of("rss20.xml");
        x.empty(
            "atom:link",
            &[
                ("rel", "self"),
                ("href", &own),
                ("type", "application/rss+xml"),
            ],
        );
    }
    if let Some(hub) = planet.pubsubhubbub_hub.as_deref() {
        x.empty("atom:link", &[("rel", "hub"), ("href", hub)]);
    }
    for item in &site.items {
        let Some(channel) = site.channel(item) else {
            continue;
        };
        let link = item.link.as_deref().map(|l| site.absolute(l));
        x.start("item", &[]);
        x.leaf(
            "title",
            &[],
            &html_text(&super::prefixed_title(channel, item)),
        );
        let permalink = if link.as_deref() == Some(item.id.as_str()) {
            "true"
        } else {
            "false"
        };
        x.leaf(
            "guid",
            &[("isPermaLink", permalink)],
            &super::text_id(&item.id),
        );
        x.opt_leaf("link", link.as_deref());
        // The HTML travels escaped, as RSS 2.0 readers expect.
        x.opt_leaf("description", super::body(item));
        x.leaf("pubDate", &[], &rfc822(&item.date));
        let email = item
            .author_email
            .as_deref()
            .filter(|e| !e.trim().is_empty());
        let name = item.author_name.as_deref().filter(|n| !n.trim().is_empty());
        match (email, name) {
            (Some(e), Some(n)) => x.leaf("author", &[], &html_text(&format!("{e} ({n})"))),
            (Some(e), None) => x.leaf("author", &[], &html_text(e)),
            (None, Some(n)) => x.leaf("dc:creator", &[], &html_text(n)),
            (None, None) => {}
        }
        for term in &item.categories {
            x.leaf("category", &[], &html_text(term));
        }
        // RSS requires the enclosure's URL.
        if let Some((enc, url)) = super::enclosure(site, item) {
            let length = enc.length.unwrap_or(0).to_string();
            let mime = enc
                .mime_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            x.empty(
                "enclosure",
                &[("url", &url), ("length", &length), ("type", mime)],
            );
        }
        x.end();
    }
    x.finish()
}

pub fn rss10(site: &Site) -> Vec<u8> {
    let planet = site.planet;
    let about = |item: &crate::model::Item| {
        item.link.as_deref().map_or_else(
            || crate::links::safe_identifier(&item.id).into_owned(),
            |l| site.absolute(l),
        )
    };
    let mut x = Xml::new();
    x.start(
        "rdf:RDF",
        &[
            ("xmlns:rdf", RDF),
            ("xmlns:dc", DC),
            ("xmlns:content", CONTENT),
            ("xmlns", RSS1),
        ],
    );
    let home = site.url_of("");
    x.start("channel", &[("rdf:about", &home)]);
    x.leaf("title", &[], &html_text(&planet.name));
    if !planet.link.trim().is_empty() {
        x.leaf("link", &[], &home);
    }
    x.leaf(
        "description",
        &[],
        &html_text(&format!("{} - {}", planet.name, planet.link)),
    );
    x.start("items", &[]);
    x.start("rdf:Seq", &[]);
    for item in &site.items {
        x.empty("rdf:li", &[("rdf:resource", &about(item))]);
    }
    x.end();
    x.end();
    x.end();
    for item in &site.items {
        let Some(channel) = site.channel(item) else {
            continue;
        };
        x.start("item", &[("rdf:about", &about(item))]);
        x.leaf(
            "title",
            &[],
            &html_text(&super::prefixed_title(channel, item)),
        );
        x.leaf("link", &[], &about(item));
        x.opt_leaf("content:encoded", super::body(item));
        x.leaf("dc:date", &[], &iso(&item.date));
        x.opt_leaf(
            "dc:creator",
            item.author_name.as_deref().map(html_text).as_deref(),
        );
        x.end();
    }
    x.finish()
}
