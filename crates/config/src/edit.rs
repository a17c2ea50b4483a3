//! Changing the subscriptions of a configuration file in place. The owner's
//! file is edited, not rewritten: an INI file gets sections appended or cut
//! out as text, a TOML file is edited with `toml_edit`; comments and layout
//! stay as the owner wrote them either way.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::Path;

use url::Url;

use crate::ini::{ini_source, Ini, DEFAULT_SECTION};
use crate::{is_toml, Error, MAX_CONFIG_BYTES};

/// A subscription to add: the feed's URL and the name shown on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub url: String,
    pub name: String,
}

/// A subscription that was not added, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub url: String,
    pub reason: String,
}

/// The edited text and what went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub text: String,
    /// The subscriptions added, in the order given.
    pub added: Vec<NewSubscription>,
    /// Subscriptions already present (under this or an equivalent URL), or
    /// that the file's format cannot hold.
    pub skipped: Vec<Skipped>,
}

/// Whether two subscription URLs name the same feed (`HTTP://A:80/x` is `http://a/x`).
pub fn same_feed(a: &str, b: &str) -> bool {
    feed_key(a) == feed_key(b)
}

/// What [`same_feed`] compares: the URL as the URL standard writes it, or
/// the text itself when it is not a URL.
fn feed_key(url: &str) -> String {
    let url = url.trim();
    Url::parse(url).map_or_else(|_| url.to_owned(), String::from)
}

/// Reads a configuration file to edit it: it must be UTF-8, so that writing
/// it back changes nothing but the edit.
pub fn read_for_edit(path: &Path) -> Result<String, Error> {
    let io = |error| Error::Io {
        path: path.to_owned(),
        error,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
        });
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::Other(format!(
            "{}: not UTF-8; convert it before editing it with orrery",
            path.display()
        ))
    })
}

/// Replaces (or creates) a file through a temporary file in the same
/// directory, renamed over it once complete, so that a crash or a full disk
/// never leaves half a file. An existing file's permissions are kept, and a
/// symbolic link stays one: the file it points to is replaced.
pub fn replace_file(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let io = |error| Error::Io {
        path: path.to_owned(),
        error,
    };
    let target = std::fs::canonicalize(path);
    let path = target.as_deref().unwrap_or(path);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let existing = std::fs::metadata(path).ok();
    let mut builder = tempfile::Builder::new();
    builder.prefix(".orrery-");
    // A new file is created as any program creates one (the umask
    // decides), not private as a temporary file is.
    #[cfg(unix)]
    if existing.is_none() {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(contents).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if let Some(meta) = existing {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Adds subscriptions to the text of the configuration file `path` (named
/// for messages and to tell INI from TOML). Subscriptions already present,
/// or repeated in `new`, are skipped and reported, not an error.
pub fn add_subscriptions(text: &str, path: &Path, new: &[NewSubscription]) -> Result<Added, Error> {
    if is_toml(path, text) {
        toml_add(text, path, new)
    } else {
        ini_add(text, path, new)
    }
}

/// Removes every section of the subscription `url` (or an equivalent URL).
pub fn remove_subscription(text: &str, path: &Path, url: &str) -> Result<String, Error> {
    if is_toml(path, text) {
        toml_remove(text, path, url)
    } else {
        ini_remove(text, url)
    }
}

/// Names are one line: a line break cannot be written back in either format.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a URL cannot be a subscription's section name, if it cannot.
fn unusable(url: &str, ini: bool) -> Option<&'static str> {
    if url.is_empty() || url.trim() != url || url.chars().any(char::is_control) {
        Some("not a usable URL (empty, control characters or surrounding spaces)")
    } else if url == "Planet" || url == DEFAULT_SECTION {
        Some("a reserved section name")
    } else if ini && url.contains(['[', ']']) {
        Some("brackets cannot be written in an INI section name")
    } else {
        None
    }
}

/// Sorts `new` into what to add and what to skip, given the URLs present.
fn plan<'a>(
    new: &'a [NewSubscription],
    present: &[String],
    ini: bool,
) -> (Vec<&'a NewSubscription>, Vec<Skipped>) {
    // Feed key → the URL as written, and whether the file already has it.
    let mut known: HashMap<String, (&str, bool)> = present
        .iter()
        .map(|url| (feed_key(url), (url.as_str(), true)))
        .collect();
    let mut add: Vec<&NewSubscription> = Vec::new();
    let mut skipped = Vec::new();
    for sub in new {
        let key = feed_key(&sub.url);
        let reason = match (known.get(&key), unusable(&sub.url, ini)) {
            (_, Some(why)) => why.to_owned(),
            (Some((u, true)), None) if *u == sub.url => "already subscribed".to_owned(),
            (Some((u, true)), None) => format!("already subscribed as {u}"),
            (Some((u, false)), None) => format!("repeats {u}"),
            (None, None) => {
                known.insert(key, (&sub.url, false));
                add.push(sub);
                continue;
            }
        };
        skipped.push(Skipped {
            url: sub.url.clone(),
            reason,
        });
    }
    (add, skipped)
}

fn ini_add(text: &str, path: &Path, new: &[NewSubscription]) -> Result<Added, Error> {
    let mut ini = Ini::new();
    ini.read_str(text, &ini_source(path, Path::new("")))
        .map_err(Error::Syntax)?;
    let present: Vec<String> = ini.sections().map(str::to_owned).collect();
    let (add, skipped) = plan(new, &present, true);
    let mut out = text.to_owned();
    for sub in &add {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        let name = ini_value(&one_line(&sub.name));
        out.push_str(&format!("\n[{}]\nname = {name}\n", sub.url));
    }
    Ok(Added {
        text: out,
        added: add.into_iter().cloned().collect(),
        skipped,
    })
}

/// A value as Python 2's ConfigParser reads it back: it expands `%(`
/// until none is left, so no value can keep one (a space is put in), and
/// whitespace before a `;` would start an inline comment (it is dropped).
fn ini_value(value: &str) -> String {
    let value = value.replace("%(", "% (");
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ';' {
            while out.ends_with([' ', '\t']) {
                out.pop();
            }
        }
        out.push(c);
    }
    out
}

/// Cuts out each `[url]` section: its header and option lines, and the
/// blank line after it; comments before the next section stay.
fn ini_remove(text: &str, url: &str) -> Result<String, Error> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = |line: &str| -> Option<String> {
        let rest = line.strip_prefix('[')?;
        rest.find(']').map(|end| rest[..end].to_owned())
    };
    let mut keep = vec![true; lines.len()];
    let mut removed = 0;
    let mut i = 0;
    while i < lines.len() {
        match lines.get(i).and_then(|l| header(l)) {
            // The planet's own settings are no subscription.
            Some(section)
                if section != "Planet"
                    && section != DEFAULT_SECTION
                    && same_feed(&section, url) =>
            {
                removed += 1;
                let mut end = i + 1;
                while lines.get(end).is_some_and(|l| header(l).is_none()) {
                    end += 1;
                }
                // Trailing comments and blank lines introduce what follows.
                let mut last = end;
                while last > i + 1 && lines.get(last - 1).is_some_and(|l| is_comment_or_blank(l)) {
                    last -= 1;
                }
                // One blank line goes with the section: after it, else before.
                let mut first = i;
                if last < end && lines.get(last).is_some_and(|l| l.trim().is_empty()) {
                    last += 1;
                } else if i > 0
                    && lines.get(i - 1).is_some_and(|l| l.trim().is_empty())
                    && keep.get(i - 1) == Some(&true)
                {
                    first -= 1;
                }
                keep.iter_mut()
                    .take(last)
                    .skip(first)
                    .for_each(|k| *k = false);
                i = end;
            }
            _ => i += 1,
        }
    }
    if removed == 0 {
        return Err(Error::Other(format!("not subscribed to {url}")));
    }
    Ok(lines
        .iter()
        .zip(keep)
        .filter_map(|(line, keep)| keep.then_some(*line))
        .collect())
}

fn is_comment_or_blank(line: &str) -> bool {
    line.trim().is_empty() || line.starts_with(['#', ';'])
}

fn toml_document(text: &str, path: &Path) -> Result<toml_edit::DocumentMut, Error> {
    text.parse().map_err(|e: toml_edit::TomlError| Error::Toml {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })
}

fn not_a_list(path: &Path) -> Error {
    Error::Toml {
        path: path.to_owned(),
        message: "`subscription` is not a list of [[subscription]] tables".to_owned(),
    }
}

fn table_url(table: &toml_edit::Table) -> Option<&str> {
    table.get("url").and_then(|v| v.as_str())
}

fn toml_add(text: &str, path: &Path, new: &[NewSubscription]) -> Result<Added, Error> {
    let mut doc = toml_document(text, path)?;
    let list = doc
        .entry("subscription")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| not_a_list(path))?;
    let present: Vec<String> = list
        .iter()
        .filter_map(table_url)
        .map(str::to_owned)
        .collect();
    let (add, skipped) = plan(new, &present, false);
    for sub in &add {
        let mut table = toml_edit::Table::new();
        table.insert("url", toml_edit::value(sub.url.as_str()));
        table.insert("name", toml_edit::value(one_line(&sub.name)));
        list.push(table);
    }
    Ok(Added {
        text: doc.to_string(),
        added: add.into_iter().cloned().collect(),
        skipped,
    })
}

fn toml_remove(text: &str, path: &Path, url: &str) -> Result<String, Error> {
    let not_subscribed = || Error::Other(format!("not subscribed to {url}"));
    let mut doc = toml_document(text, path)?;
    let list = match doc.get_mut("subscription") {
        None => return Err(not_subscribed()),
        Some(item) => item
            .as_array_of_tables_mut()
            .ok_or_else(|| not_a_list(path))?,
    };
    let before = list.len();
    list.retain(|t| !table_url(t).is_some_and(|u| same_feed(u, url)));
    if list.len() == before {
        return Err(not_subscribed());
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(url: &str, name: &str) -> NewSubscription {
        NewSubscription {
            url: url.to_owned(),
            name: name.to_owned(),
        }
    }

    const INI: &str = "# My planet\n[Planet]\nname = Test ; a comment\n\n# Alice\n[http://a.example/feed]\nname = Alice\n\n# Bob writes about cats.\n[http://b.example/feed]\nname = Bob\n";

    #[test]
    fn ini_sections_are_appended_and_cut_out_textually() {
        let path = Path::new("planet.ini");
        let name = "Carol's 100% %(weird) ; blog";
        let added = add_subscriptions(INI, path, &[sub("http://c.example/feed", name)]).unwrap();
        assert_eq!(added.added, [sub("http://c.example/feed", name)]);
        assert!(added.text.starts_with(INI), "{}", added.text);

        // Read back with Venus's rules, the name is what was given but for
        // what Venus cannot keep: `%(` and whitespace before `;`.
        let mut ini = Ini::new();
        ini.read_str(&added.text, &ini_source(path, Path::new("/")))
            .unwrap();
        assert_eq!(
            ini.get("http://c.example/feed", "name").unwrap().as_deref(),
            Some("Carol's 100% % (weird); blog")
        );

        let again = add_subscriptions(
            &added.text,
            path,
            &[
                sub("HTTP://C.EXAMPLE:80/feed", "again"),
                sub("http://[::1]/feed", "v6"),
                sub("http://d.example/", "D"),
                sub("http://d.example", "D twice"),
            ],
        )
        .unwrap();
        assert_eq!(again.added, [sub("http://d.example/", "D")]);
        let reasons: Vec<&str> = again.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "already subscribed as http://c.example/feed",
                "brackets cannot be written in an INI section name",
                "repeats http://d.example/",
            ]
        );

        let text = remove_subscription(&added.text, path, "http://c.example/feed").unwrap();
        assert_eq!(text, INI);
        let text = remove_subscription(&text, path, "http://a.example/feed").unwrap();
        assert_eq!(
            text,
            "# My planet\n[Planet]\nname = Test ; a comment\n\n# Alice\n# Bob writes about cats.\n[http://b.example/feed]\nname = Bob\n"
        );
        let err = remove_subscription(&text, path, "http://a.example/feed").unwrap_err();
        assert!(err.to_string().contains("not subscribed"), "{err}");
    }

    #[test]
    fn removing_never_cuts_the_planet_settings() {
        let path = Path::new("planet.ini");
        let text = format!("{INI}[DEFAULT]\nx = 1\n");
        for section in ["Planet", "DEFAULT"] {
            let err = remove_subscription(&text, path, section).unwrap_err();
            assert!(err.to_string().contains("not subscribed"), "{err}");
        }
    }

    #[test]
    fn toml_subscriptions_keep_the_rest_of_the_file() {
        let path = Path::new("planet.toml");
        let original = "# settings\n[planet]\nname = \"T\" # inline\n\n[[subscription]]\nurl = \"http://a.example/feed\"\nname = \"Alice\"\n";
        let added = add_subscriptions(
            original,
            path,
            &[
                sub("http://b.example/feed", "Bob \"B\"\n"),
                sub("http://a.example/feed", "Alice again"),
                sub("Planet", "reserved"),
            ],
        )
        .unwrap();
        assert!(added.text.starts_with(original), "{}", added.text);
        assert_eq!(added.skipped.len(), 2);
        let doc: toml_edit::DocumentMut = added.text.parse().unwrap();
        assert_eq!(doc["subscription"][1]["name"].as_str(), Some("Bob \"B\""));
        let text = remove_subscription(&added.text, path, "http://b.example/feed").unwrap();
        assert_eq!(text, original);
        assert!(remove_subscription("[planet]\n", path, "http://b.example/feed").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let usual = dir.path().join("usual");
        std::fs::write(&usual, b"x").unwrap();
        let path = dir.path().join("planet.opml");
        replace_file(&path, b"<opml/>").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&path), mode(&usual));
    }

    #[test]
    fn files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planet.ini");
        replace_file(&path, b"[Planet]\n").unwrap();
        replace_file(&path, b"[Planet]\nname = x\n").unwrap();
        assert_eq!(read_for_edit(&path).unwrap(), "[Planet]\nname = x\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            let link = dir.path().join("link.ini");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            replace_file(&link, b"[Planet]\nname = y\n").unwrap();
            assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
            assert_eq!(read_for_edit(&path).unwrap(), "[Planet]\nname = y\n");
        }
        std::fs::write(&path, b"[Planet]\nname = caf\xe9\n").unwrap();
        assert!(read_for_edit(&path).is_err());
    }
}
