//! Which stored entries the river shows.
//!
//! Two rules keep one subscription from hiding, forging or crowding out another's posts:
//!
//! - **Same post, or not.** Copies of an entry in several subscriptions are one post only when
//!   they agree on id, date, title, link, summary and content (a planet republished by another,
//!   a blog listed twice): shown once, under the subscription listed first that still has room.
//!   Copies that only share an id are different posts, each shown under its own feed; a copy
//!   can neither replace another (its content differs) nor hide it (a copy dated 1970 is simply
//!   another post, far down the river).
//! - **A share of the page.** When one feed would hold more than `share_limit` of the river, it
//!   is a flooding feed: every other subscription keeps the entries it would have with the
//!   flooding feeds left out, first of all its newest one, and the flooding feeds get at most
//!   their share ahead of those, and the rest only where room is left.
//!
//! The common case (no feed over its share) is one scan of the river index, stopping at the
//! limit, as before.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use crate::{sql, EntryQuery};

/// One entry the scan chose.
#[derive(Debug, Clone, Copy)]
struct Pick {
    row_id: i64,
    /// The entry's place in the river order: sorting picks by it restores that order.
    rank: usize,
    /// The subscription it is shown under (its place in the configuration).
    position: usize,
    /// The lowest row id among the copies of this post: two picks with the same key are the
    /// same post.
    post: i64,
}

/// The row ids of the river's entries, in its order.
pub(crate) fn choose(conn: &Connection, query: &EntryQuery<'_>) -> rusqlite::Result<Vec<i64>> {
    let mut positions: HashMap<&str, usize> = HashMap::new();
    for (position, url) in query.subscriptions.iter().enumerate() {
        positions.entry(url.as_str()).or_insert(position);
    }
    let per_feed = query.per_feed_limit.unwrap_or(usize::MAX);
    let all = scan(conn, &positions, query.limit, per_feed, &HashSet::new())?;
    let Some(share) = query.share_limit else {
        return Ok(all.iter().map(|p| p.row_id).collect());
    };
    let mut held: HashMap<usize, usize> = HashMap::new();
    for pick in &all {
        *held.entry(pick.position).or_default() += 1;
    }
    let flooding: HashSet<usize> = held
        .into_iter()
        .filter(|&(_, n)| n > share)
        .map(|(position, _)| position)
        .collect();
    if flooding.is_empty() {
        return Ok(all.iter().map(|p| p.row_id).collect());
    }
    // What everyone else would have without the flooding feeds.
    let others = scan(conn, &positions, query.limit, per_feed, &flooding)?;
    let mut first_seen_feed = HashSet::new();
    let (newest, rest): (Vec<Pick>, Vec<Pick>) = others
        .into_iter()
        .partition(|pick| first_seen_feed.insert(pick.position));
    // The flooding feeds' entries are a prefix of theirs in `all`, newest first.
    let mut taken: HashMap<usize, usize> = HashMap::new();
    let (within, beyond): (Vec<Pick>, Vec<Pick>) = all
        .into_iter()
        .filter(|pick| flooding.contains(&pick.position))
        .partition(|pick| {
            let n = taken.entry(pick.position).or_default();
            *n += 1;
            *n <= share
        });
    let mut second: Vec<Pick> = rest.into_iter().chain(within).collect();
    second.sort_by_key(|pick| pick.rank);
    let mut posts = HashSet::new();
    let mut chosen: Vec<Pick> = newest
        .into_iter()
        .chain(second)
        .chain(beyond)
        .filter(|pick| posts.insert(pick.post))
        .take(query.limit)
        .collect();
    chosen.sort_by_key(|pick| pick.rank);
    Ok(chosen.iter().map(|p| p.row_id).collect())
}

/// Up to `limit` entries in river order, at most `per_feed` from one subscription, each post
/// once, leaving out the subscriptions at `excluded` positions.
fn scan(
    conn: &Connection,
    positions: &HashMap<&str, usize>,
    limit: usize,
    per_feed: usize,
    excluded: &HashSet<usize>,
) -> rusqlite::Result<Vec<Pick>> {
    let mut picks = Vec::new();
    let mut taken: HashMap<usize, usize> = HashMap::new();
    // Rows already accounted for as a copy of a post chosen (or passed over) earlier.
    let mut copies_seen: HashSet<i64> = HashSet::new();
    let mut river = conn.prepare_cached(sql::SELECT_RIVER)?;
    let mut same_post = conn.prepare_cached(sql::SELECT_SAME_POST)?;
    let mut rows = river.query([])?;
    let mut rank = 0;
    while picks.len() < limit {
        let Some(row) = rows.next()? else { break };
        rank += 1;
        let row_id: i64 = row.get(0)?;
        if copies_seen.remove(&row_id) {
            continue;
        }
        let feed_url: String = row.get(1)?;
        let Some(&position) = positions.get(feed_url.as_str()) else {
            continue;
        };
        // The post's copies in subscribed feeds, this one included.
        let mut group = vec![(row_id, position)];
        let mut others = same_post.query([row_id])?;
        while let Some(copy) = others.next()? {
            let copy_url: String = copy.get(1)?;
            if let Some(&copy_position) = positions.get(copy_url.as_str()) {
                group.push((copy.get(0)?, copy_position));
            }
        }
        let post = group.iter().map(|&(id, _)| id).min().unwrap_or(row_id);
        copies_seen.extend(group.iter().map(|&(id, _)| id).filter(|&id| id != row_id));
        // Shown under the subscription listed first that is in the scan and has room.
        let home = group
            .iter()
            .filter(|(_, p)| !excluded.contains(p))
            .filter(|(_, p)| taken.get(p).copied().unwrap_or(0) < per_feed)
            .min_by_key(|&&(_, p)| p)
            .copied();
        let Some((chosen, position)) = home else {
            continue;
        };
        *taken.entry(position).or_default() += 1;
        picks.push(Pick {
            row_id: chosen,
            rank,
            position,
            post,
        });
    }
    Ok(picks)
}
