//! The FOAF roll: the planet as a group of people and their weblogs.

use crate::site::Site;
use crate::xml::Xml;

use super::html_text;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const RSS1: &str = "http://purl.org/rss/1.0/";
const DC: &str = "http://purl.org/dc/elements/1.1/";

pub fn foafroll(site: &Site) -> Vec<u8> {
    let planet = site.planet;
    let mut x = Xml::new();
    x.start(
        "rdf:RDF",
        &[
            ("xmlns:rdf", RDF),
            ("xmlns:rdfs", RDFS),
            ("xmlns:foaf", FOAF),
            ("xmlns:rss", RSS1),
            ("xmlns:dc", DC),
        ],
    );
    x.start("foaf:Group", &[]);
    x.leaf("foaf:name", &[], &html_text(&planet.name));
    if !planet.link.is_empty() {
        x.empty("foaf:homepage", &[("rdf:resource", &planet.link)]);
    }
    x.empty(
        "rdfs:seeAlso",
        &[("rdf:resource", &site.url_of("foafroll.xml"))],
    );
    for channel in super::by_name(site) {
        let link = channel
            .link
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(|l| site.absolute(l));
        // A subscription published without its address (`publish_url = no`) has no channel.
        let feed = (!channel.url.is_empty()).then(|| site.absolute(&channel.url));
        let Some(about) = link.as_deref().or(feed.as_deref()) else {
            continue;
        };
        x.start("foaf:member", &[]);
        x.start("foaf:Agent", &[]);
        x.leaf("foaf:name", &[], &html_text(channel.display_name()));
        x.start("foaf:weblog", &[]);
        x.start("foaf:Document", &[("rdf:about", about)]);
        x.opt_leaf(
            "dc:title",
            channel.title.as_deref().map(html_text).as_deref(),
        );
        if let Some(feed) = &feed {
            x.start("rdfs:seeAlso", &[]);
            x.empty("rss:channel", &[("rdf:about", feed)]);
            x.end();
        }
        x.end();
        x.end();
        x.end();
        x.end();
    }
    x.finish()
}
