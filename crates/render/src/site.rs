//! The validated input of one publishing run, shared by every output.

use crate::dates::DateFormat;
use crate::model::{Channel, Item, Planet};
use crate::text::absolute;
use crate::Error;

pub struct Site<'a> {
    pub planet: &'a Planet,
    pub channels: &'a [Channel],
    /// The published items, newest first: at most `items_per_page`, each
    /// with a channel.
    pub items: Vec<&'a Item>,
    pub date_format: DateFormat,
    pub new_date_format: DateFormat,
    /// Items dropped because their channel index was out of range.
    pub orphans: usize,
}

impl<'a> Site<'a> {
    pub fn new(
        planet: &'a Planet,
        channels: &'a [Channel],
        items: &'a [Item],
    ) -> Result<Self, Error> {
        let (mut valid, orphans): (Vec<&Item>, Vec<&Item>) =
            items.iter().partition(|i| i.channel < channels.len());
        // Day and channel grouping only make sense newest first; the sort is
        // stable so equal dates keep the order they were given in.
        valid.sort_by_key(|item| std::cmp::Reverse(item.date));
        Ok(Site {
            planet,
            channels,
            items: valid.into_iter().take(planet.items_per_page).collect(),
            date_format: DateFormat::new(&planet.date_format)?,
            new_date_format: DateFormat::new(&planet.new_date_format)?,
            orphans: orphans.len(),
        })
    }

    pub fn channel(&self, item: &Item) -> Option<&'a Channel> {
        self.channels.get(item.channel)
    }

    /// The public URL of an output file (the file name itself when the
    /// planet has no `link`).
    pub fn url_of(&self, name: &str) -> String {
        absolute(&self.planet.link, name)
    }

    /// Makes a link found in a feed absolute against the planet's URL.
    pub fn absolute(&self, href: &str) -> String {
        absolute(&self.planet.link, href)
    }

    /// The planet's own feed and its type, as Venus derives them: the
    /// `feed` option, else the first output whose name mentions atom or rss
    /// (only when `link` is set); the type is the `feedtype` option, else
    /// `rss` when the feed's file name says so and `atom` otherwise.
    pub fn feed(&self, outputs: &[String]) -> Option<(String, String)> {
        let option = |key: &str| {
            self.planet
                .options
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let feed = match option("feed") {
            Some(feed) => self.absolute(feed),
            None if self.planet.link.is_empty() => return None,
            None => outputs
                .iter()
                .find(|o| o.contains("atom") || o.contains("rss"))
                .map(|o| self.url_of(o))?,
        };
        let feedtype = match option("feedtype") {
            Some(t) => t.to_owned(),
            // The file name decides, not a host that happens to say "rss".
            None if feed.rsplit('/').next().is_some_and(|f| f.contains("rss")) => "rss".to_owned(),
            None => "atom".to_owned(),
        };
        Some((feed, feedtype))
    }

    /// A stable identifier for the planet's feeds: its URL, or a URN made
    /// from its name when it has none.
    pub fn id(&self) -> String {
        if self.planet.link.is_empty() {
            let name: String =
                url::form_urlencoded::byte_serialize(self.planet.name.as_bytes()).collect();
            format!("urn:orrery:planet:{name}")
        } else {
            self.planet.link.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn feed_of(link: &str, options: &[(&str, &str)], outputs: &[&str]) -> Option<(String, String)> {
        let mut planet = Planet::new("p", Utc::now());
        planet.link = link.to_owned();
        for (k, v) in options {
            planet.options.insert((*k).to_owned(), (*v).to_owned());
        }
        let outputs: Vec<String> = outputs.iter().map(|o| (*o).to_owned()).collect();
        Site::new(&planet, &[], &[]).ok()?.feed(&outputs)
    }

    #[test]
    fn the_planets_own_feed() {
        let pair = |f: &str, t: &str| Some((f.to_owned(), t.to_owned()));
        // Venus's tmpl case feed_feed.ini: the option wins, even without `link`.
        assert_eq!(
            feed_of("", &[("feed", "http://example.com/atom.xml")], &[]),
            pair("http://example.com/atom.xml", "atom")
        );
        assert_eq!(
            feed_of(
                "http://p.example/",
                &[],
                &["index.html", "rss20.xml", "atom.xml"]
            ),
            pair("http://p.example/rss20.xml", "rss")
        );
        assert_eq!(feed_of("", &[], &["atom.xml"]), None);
        assert_eq!(feed_of("http://p.example/", &[], &["index.html"]), None);
        // The file name decides the type, not the host; the option overrides both.
        assert_eq!(
            feed_of("http://rss.example/", &[], &["atom.xml"]),
            pair("http://rss.example/atom.xml", "atom")
        );
        assert_eq!(
            feed_of(
                "http://p.example/",
                &[("feed", "x.xml"), ("feedtype", "rss")],
                &[]
            ),
            pair("http://p.example/x.xml", "rss")
        );
    }
}
