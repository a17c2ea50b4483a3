//! Choosing what the river shows (Venus's splice, venus.md §1.8) and mapping
//! the store's records to the publishing model.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use orrery_config::{PlanetConfig, Subscription};
use orrery_render::{public_url, scrub_urls, Channel, Enclosure, Item};
use orrery_store::{EntryQuery, IdCollision, Store, StoredEntry, StoredFeed};
use sha2::{Digest, Sha256};

use crate::normalize::{EntryExtras, FeedExtras};

/// The river and the subscription list, ready to publish.
pub struct Selection {
    /// Every subscription in configuration order, fetched or not.
    pub channels: Vec<Channel>,
    /// Newest first.
    pub items: Vec<Item>,
}

/// The newest `items_per_page` entries across subscribed feeds (at most
/// `new_feed_items` from one feed, a flooding feed cut to its `max_feed_share`, each post
/// once even when two subscriptions carry it), and every subscription's state, with
/// nothing secret of the subscription URLs.
pub fn select(
    config: &PlanetConfig,
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Selection, orrery_store::Error> {
    let urls: Vec<String> = config.subscriptions.iter().map(|s| s.url.clone()).collect();
    let limit = usize::try_from(config.items_to_splice()).unwrap_or(usize::MAX);
    let per_feed = usize::try_from(config.planet.new_feed_items)
        .ok()
        .filter(|&n| n > 0);
    let share = (config.planet.max_feed_share < 100)
        .then(|| usize::try_from(config.feed_share()).unwrap_or(usize::MAX));
    let entries = store.newest_entries(&EntryQuery {
        subscriptions: &urls,
        limit,
        per_feed_limit: per_feed,
        share_limit: share,
    })?;
    let collisions = store.id_collisions(&urls)?;

    let mut stored: HashMap<String, StoredFeed> = store
        .feeds()?
        .into_iter()
        .map(|f| (f.url.clone(), f))
        .collect();
    let mut channels: Vec<Channel> = config
        .subscriptions
        .iter()
        .map(|sub| subscription_channel(sub, stored.remove(&sub.url).as_ref(), now))
        .collect();
    note_collisions(&mut channels, &urls, &collisions);
    let index: HashMap<&str, usize> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect();
    let mut items: Vec<Item> = entries
        .into_iter()
        .filter_map(|entry| {
            let channel = *index.get(entry.feed_url.as_str())?;
            Some(item(channel, entry))
        })
        .collect();
    qualify_shared_ids(&mut items, &urls);
    Ok(Selection { channels, items })
}

/// Notes on each feed's status which other subscriptions use some of its entry ids for
/// other posts: both are shown, but the owner may want to know (a generator numbering its
/// posts 1, 2, 3, or a feed copying another's ids).
fn note_collisions(channels: &mut [Channel], urls: &[String], collisions: &[IdCollision]) {
    let names: HashMap<&str, String> = urls
        .iter()
        .zip(channels.iter())
        .map(|(url, c)| (url.as_str(), c.display_name().to_owned()))
        .collect();
    for collision in collisions {
        let Some(position) = urls.iter().position(|u| *u == collision.feed_url) else {
            continue;
        };
        let other = names
            .get(collision.other_feed_url.as_str())
            .cloned()
            .unwrap_or_default();
        let ids = if collision.shared_ids == 1 {
            "1 entry id".to_owned()
        } else {
            format!("{} entry ids", collision.shared_ids)
        };
        if let Some(channel) = channels.get_mut(position) {
            channel.notes.push(format!(
                "shares {ids} with {other} for other posts (e.g. {:?}); each is shown under its own feed",
                collision.example_id
            ));
        }
    }
}

/// Makes the ids of entries shown under two feeds with one id distinct in the outputs: each
/// copy's id gains its feed's mark, so that no reader of the planet's feeds takes one for an
/// edit of the other.
fn qualify_shared_ids(items: &mut [Item], urls: &[String]) {
    let mut feeds_by_id: HashMap<&str, HashSet<usize>> = HashMap::new();
    for item in items.iter() {
        feeds_by_id
            .entry(item.id.as_str())
            .or_default()
            .insert(item.channel);
    }
    let shared: HashSet<String> = feeds_by_id
        .into_iter()
        .filter(|(_, feeds)| feeds.len() > 1)
        .map(|(id, _)| id.to_owned())
        .collect();
    for item in items.iter_mut().filter(|i| shared.contains(&i.id)) {
        let feed = urls.get(item.channel).map_or("", String::as_str);
        let digest = Sha256::digest(feed.as_bytes());
        let mark: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        item.id = format!("{}#feed-{mark}", item.id);
    }
}

/// One subscription as templates see it: its configuration, overlaid with
/// what the last fetch stored.
fn subscription_channel(
    sub: &Subscription,
    feed: Option<&StoredFeed>,
    now: DateTime<Utc>,
) -> Channel {
    let mut channel = channel(&sub.url, sub.name.as_deref(), feed);
    // The URL is fetched as written; what is published is never secret.
    channel.url = if sub.publish_url {
        public_url(&sub.url).into_owned()
    } else {
        String::new()
    };
    channel.message = channel.message.map(|m| scrub_urls(&m).into_owned());
    channel.permanent_redirect = channel
        .permanent_redirect
        .map(|u| public_url(&u).into_owned());
    if !sub.publish_url {
        // The redirect target is the same private address, moved.
        channel.permanent_redirect = None;
    }
    channel.reading_list = sub.reading_list.as_deref().map(published_list);
    channel.options = sub
        .options
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if channel.message.is_none() {
        channel.message = inactivity(sub.activity_threshold, feed, now);
    }
    if let Some(feed) = feed {
        add_activity(&mut channel, feed, now);
    }
    channel
}

/// A reading list as published: a web address without its secrets, or a
/// local list's file name only (the machine's layout is nobody's business).
fn published_list(list: &str) -> String {
    match url::Url::parse(list) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => public_url(list).into_owned(),
        _ => std::path::Path::new(list)
            .file_name()
            .map_or_else(|| list.to_owned(), |n| n.to_string_lossy().into_owned()),
    }
}

/// What the status page tells beyond the last fetch: the date of the feed's newest entry,
/// and, when it is not to be fetched for a while, until when and why, so that "not fetched
/// this time" is not mistaken for a fault of the planet.
fn add_activity(channel: &mut Channel, feed: &StoredFeed, now: DateTime<Utc>) {
    // The date of the newest post, as a reader means "last new entry"; the time it was
    // first seen would make an old post found late look recent.
    channel.last_new_entry = feed.health.newest_entry;
    let due = feed.http.next_fetch_after.filter(|due| *due > now);
    channel.next_fetch = due;
    channel.next_fetch_reason = due
        .and(feed.http.next_fetch_reason)
        .map(|reason| reason.as_str().to_owned());
    if let (Some(message), Some(due)) = (channel.message.as_mut(), due) {
        message.push_str(&format!(
            "; next attempt not before {}",
            due.format("%Y-%m-%d %H:%M UTC")
        ));
    }
}

/// Venus's `activity_threshold`: a feed whose newest entry is older than
/// this many days is flagged.
fn inactivity(days: u32, feed: Option<&StoredFeed>, now: DateTime<Utc>) -> Option<String> {
    if days == 0 {
        return None;
    }
    let newest = feed.and_then(|f| f.health.newest_entry);
    // A threshold reaching back before the calendar's start never triggers.
    let cutoff = now.checked_sub_signed(Duration::days(i64::from(days)))?;
    match newest {
        Some(newest) if newest >= cutoff => None,
        // A feed never fetched has no activity to judge yet.
        None if feed.is_none() => None,
        _ => Some(format!("no activity in {days} days")),
    }
}

fn channel(url: &str, name: Option<&str>, feed: Option<&StoredFeed>) -> Channel {
    let mut channel = Channel {
        url: url.to_owned(),
        name: name.unwrap_or_default().to_owned(),
        ..Channel::default()
    };
    let Some(feed) = feed else {
        channel.message = Some("not fetched yet".to_owned());
        return channel;
    };
    let meta = &feed.metadata;
    let extras: FeedExtras = serde_json::from_value(meta.data.clone()).unwrap_or_default();
    let public = |u: &Option<String>| u.as_deref().map(|u| public_url(u).into_owned());
    channel.link = public(&meta.site_link);
    channel.title = meta.title.clone();
    channel.subtitle = meta.subtitle.clone();
    channel.id = meta.feed_id.clone();
    channel.rights = extras.rights();
    channel.author_name = extras.author_name;
    channel.author_email = extras.author_email;
    channel.icon = public(&meta.icon);
    channel.logo = public(&meta.logo);
    channel.last_updated = meta.updated;
    channel.message = feed.health.last_error.clone();
    channel.http_status = feed.health.last_http_status;
    channel.last_fetch = feed.health.last_fetch_at;
    channel.entries_stored = Some(feed.health.entry_count);
    channel.permanent_redirect = feed.http.permanent_redirect.clone();
    channel
        .notes
        .extend(extras.capped.map(|limit| format!("ok, {limit}")));
    channel
}

fn item(channel: usize, entry: StoredEntry) -> Item {
    let extras: EntryExtras = serde_json::from_value(entry.data).unwrap_or_default();
    Item {
        channel,
        // An id that is a URL is published like one.
        id: public_url(&entry.id).into_owned(),
        title: entry.title,
        title_plain: None,
        title_language: extras.title_language,
        content: entry.content,
        content_language: extras.content_language,
        summary: entry.summary,
        summary_language: extras.summary_language,
        author_name: entry.author,
        author_email: extras.author_email,
        author_uri: extras.author_uri,
        link: entry.link.map(|l| public_url(&l).into_owned()),
        published: entry.published,
        updated: entry.updated,
        date: entry.sort_date,
        enclosure: extras.enclosure.map(|e| Enclosure {
            href: e.href.map(|h| public_url(&h).into_owned()),
            mime_type: e.mime_type,
            length: e.length,
        }),
        categories: extras.categories,
        rights: extras.rights,
        image: extras.media.as_ref().and_then(|m| m.image.clone()),
        player: extras.media.as_ref().and_then(|m| m.player.clone()),
        duration: extras.media.as_ref().and_then(|m| m.duration),
        explicit: extras.media.as_ref().and_then(|m| m.explicit),
        location: extras.media.as_ref().and_then(|m| m.location),
    }
}

#[cfg(test)]
mod venus_tmpl;
