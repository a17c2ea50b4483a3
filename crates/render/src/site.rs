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

    /// The planet's own feed and its type, as Venus derives them: the first
    /// output whose name mentions atom or rss, and only when `link` is set.
    pub fn feed(&self, outputs: &[String]) -> Option<(String, &'static str)> {
        if self.planet.link.is_empty() {
            return None;
        }
        outputs.iter().find_map(|o| {
            let kind = if o.contains("atom") {
                "atom"
            } else if o.contains("rss") {
                "rss"
            } else {
                return None;
            };
            Some((self.url_of(o), kind))
        })
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
