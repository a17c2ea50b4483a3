//! OPML 2.0: the subscription list, so others can follow the same blogs.

use crate::dates::rfc822;
use crate::site::Site;
use crate::xml::Xml;

use super::html_text;

pub fn opml(site: &Site) -> Vec<u8> {
    let planet = site.planet;
    let now = rfc822(&planet.now);
    let mut x = Xml::new();
    x.start("opml", &[("version", "2.0")]);
    x.start("head", &[]);
    x.leaf("title", &[], &html_text(&planet.name));
    x.leaf("dateCreated", &[], &now);
    x.leaf("dateModified", &[], &now);
    x.opt_leaf("ownerName", Some(&html_text(&planet.owner_name)));
    x.opt_leaf("ownerEmail", Some(&planet.owner_email));
    x.leaf("docs", &[], "http://opml.org/spec2.opml");
    x.end();
    x.start("body", &[]);
    for channel in super::by_name(site) {
        // Published without its address (`publish_url = no`): nothing to follow.
        if channel.url.is_empty() {
            continue;
        }
        let name = html_text(channel.display_name());
        let name = name.as_str();
        let xml_url = site.absolute(&channel.url);
        let html_url = channel
            .link
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(|l| site.absolute(l));
        let mut attrs = vec![
            ("type", "rss"),
            ("text", name),
            ("title", name),
            ("xmlUrl", xml_url.as_str()),
        ];
        attrs.extend(html_url.as_deref().map(|h| ("htmlUrl", h)));
        x.empty("outline", &attrs);
    }
    x.finish()
}
