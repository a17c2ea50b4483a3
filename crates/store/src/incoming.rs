//! Screening of the entries of one update before they reach the database: size limits,
//! duplicate ids within the update, and the content hash that decides whether a stored entry
//! must be rewritten.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::NewEntry;

/// Longest accepted entry id. Ids are keys; a megabyte-long one is an attack, not an id.
pub const MAX_ID_BYTES: usize = 4096;

/// Largest accepted entry (text fields plus the JSON data). Real posts with full content stay
/// well below; the limit keeps one hostile entry from bloating the database.
pub const MAX_ENTRY_BYTES: usize = 4 * 1024 * 1024;

/// An entry that passed screening, with its serialized data and content hash.
pub struct Screened<'a> {
    pub entry: &'a NewEntry,
    pub data: String,
    pub hash: String,
}

/// The outcome of [`screen`].
pub struct Screening<'a> {
    /// In input order, one per id.
    pub accepted: Vec<Screened<'a>>,
    /// Empty or overlong ids.
    pub rejected: usize,
    /// Entries over [`MAX_ENTRY_BYTES`].
    pub oversized: usize,
    pub duplicates: usize,
}

/// Drops invalid and oversized entries and keeps one entry per id: the most recently updated
/// (or published) copy, the first one on a tie, as Venus does.
pub fn screen(entries: &[NewEntry]) -> Screening<'_> {
    let mut screening = Screening {
        accepted: Vec::with_capacity(entries.len()),
        rejected: 0,
        oversized: 0,
        duplicates: 0,
    };
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for entry in entries {
        if entry.id.is_empty() || entry.id.len() > MAX_ID_BYTES {
            screening.rejected += 1;
            continue;
        }
        let data = entry.data.to_string();
        if entry_size(entry, &data) > MAX_ENTRY_BYTES {
            screening.oversized += 1;
            continue;
        }
        let screened = Screened {
            entry,
            hash: content_hash(entry, &data),
            data,
        };
        match position.get(entry.id.as_str()) {
            None => {
                position.insert(&entry.id, screening.accepted.len());
                screening.accepted.push(screened);
            }
            Some(&index) => {
                screening.duplicates += 1;
                if let Some(kept) = screening.accepted.get_mut(index) {
                    if recency(entry) > recency(kept.entry) {
                        *kept = screened;
                    }
                }
            }
        }
    }
    screening
}

fn recency(entry: &NewEntry) -> Option<chrono::DateTime<chrono::Utc>> {
    entry.updated.or(entry.published)
}

fn text_fields(entry: &NewEntry) -> [Option<&str>; 5] {
    [
        entry.title.as_deref(),
        entry.link.as_deref(),
        entry.author.as_deref(),
        entry.summary.as_deref(),
        entry.content.as_deref(),
    ]
}

fn entry_size(entry: &NewEntry, data: &str) -> usize {
    text_fields(entry)
        .iter()
        .flatten()
        .map(|text| text.len())
        .fold(data.len(), usize::saturating_add)
}

/// SHA-256 over every stored field except the id, each length-prefixed so that moving bytes
/// from one field to the next changes the hash. The hash is persisted, so this encoding must
/// stay stable (changing it only costs one rewrite of every entry).
fn content_hash(entry: &NewEntry, data: &str) -> String {
    let mut hasher = Sha256::new();
    for date in [entry.updated, entry.published, entry.sort_date] {
        let seconds = date.map(|date| date.timestamp().to_le_bytes());
        feed_field(&mut hasher, seconds.as_ref().map(|bytes| bytes.as_slice()));
    }
    for text in text_fields(entry) {
        feed_field(&mut hasher, text.map(str::as_bytes));
    }
    feed_field(&mut hasher, Some(data.as_bytes()));
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn feed_field(hasher: &mut Sha256, field: Option<&[u8]>) {
    match field {
        None => hasher.update([0u8]),
        Some(bytes) => {
            hasher.update([1u8]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
}
