//! Planet Venus's template-variable tests (its `tests/data/filter/tmpl`),
//! run against the variables orrery's templates see.
//!
//! Each `.xml` case is a spliced feed, Venus's equivalent of a selection:
//! entries carrying an `atom:source`. Here every entry goes through the
//! parser, normalization and the store-to-template mapping; every distinct
//! source becomes one subscription (Venus wrote a subscription's state into
//! `planet:*` children: `planet:name` is its name, `planet:message` its last
//! fetch error, any other one an option), and the whole is published with a
//! theme whose only template writes out the variables it is given. Each
//! `.ini` case is a configuration published by the whole pipeline
//! (offline, no feeds) with the same theme. The `Expect:` header of each
//! case is then evaluated against those variables.
//!
//! Where orrery means to differ from Venus the case is listed in
//! [`EXPECTED_DIFFERENCES`] (and in docs/venus-differences.md); such a case
//! must keep failing, every other one must pass.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use orrery_config::{LoadOptions, Location, Normalization, Subscription};
use orrery_feed::{Feed, ParseOptions, ParsedFeed};
use orrery_render::{render_site, Planet, Theme};
use orrery_store::{FeedHealth, HttpState, StoredEntry, StoredFeed};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::{item, subscription_channel};
use crate::normalize::{feed_metadata, take_entries};
use crate::{run, Mode, Options, Quiet};

/// Cases whose expectation orrery deliberately does not meet, and why.
/// None at present: every case gives Venus's values.
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[];

/// The variables a template saw: top level, `Items[i]`, `Channels[i]`.
#[derive(Debug, Default)]
struct Vars {
    top: BTreeMap<String, String>,
    items: Vec<BTreeMap<String, String>>,
    channels: Vec<BTreeMap<String, String>>,
}

/// A theme whose one output lists every string variable as
/// `scope|index|key|length|value` records (length in characters, so values
/// may hold any text).
const DUMP_TEMPLATE: &str = r#"{%- macro dump(scope, index, vars) -%}
{%- for key, value in vars|items -%}
{%- if value is string -%}
{{ scope }}|{{ index }}|{{ key }}|{{ value|length }}|{{ value }}
{% endif -%}
{%- endfor -%}
{%- endmacro -%}
{{- dump("top", 0, {"name": name, "link": link, "owner_name": owner_name,
    "owner_email": owner_email, "generator": generator,
    "pubsubhubbub_hub": pubsubhubbub_hub, "feed": feed, "feedtype": feedtype,
    "date": date, "date_iso": date_iso, "date_822": date_822}) -}}
{%- for item in Items -%}{{ dump("Items", loop.index0, item) }}{%- endfor -%}
{%- for channel in Channels -%}{{ dump("Channels", loop.index0, channel) }}{%- endfor -%}
"#;
const DUMP_OUTPUT: &str = "vars.txt";
const DUMP_THEME: &str = "venus-vars";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/venus-tmpl")
}

/// The instant the cases are published at (and the first-seen time of undated entries).
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2006-06-01T00:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

fn write_dump_theme(dir: &Path) -> Theme {
    let theme = dir.join(DUMP_THEME);
    fs::create_dir_all(&theme).unwrap();
    fs::write(
        theme.join("theme.toml"),
        format!("template_files = [\"{DUMP_OUTPUT}\"]\n"),
    )
    .unwrap();
    fs::write(theme.join(format!("{DUMP_OUTPUT}.jinja")), DUMP_TEMPLATE).unwrap();
    Theme::from_dir(&theme).unwrap()
}

fn read_dump(path: &Path) -> Result<Vars, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut vars = Vars::default();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let mut fields = rest.splitn(5, '|');
        let (Some(scope), Some(index), Some(key), Some(len), Some(tail)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(format!("malformed dump near {rest:?}"));
        };
        let index: usize = index.parse().map_err(|_| format!("bad index {index:?}"))?;
        let len: usize = len.parse().map_err(|_| format!("bad length {len:?}"))?;
        let end = tail.char_indices().nth(len).map_or(tail.len(), |(i, _)| i);
        let value = tail[..end].to_owned();
        rest = tail[end..]
            .strip_prefix('\n')
            .ok_or("dump record without its newline")?;
        let map = match scope {
            "top" => &mut vars.top,
            "Items" | "Channels" => {
                let list = if scope == "Items" {
                    &mut vars.items
                } else {
                    &mut vars.channels
                };
                if list.len() <= index {
                    list.resize_with(index + 1, BTreeMap::new);
                }
                &mut list[index]
            }
            other => return Err(format!("unknown scope {other}")),
        };
        map.insert(key.to_owned(), value);
    }
    Ok(vars)
}

fn subscription(url: &str, planet: &BTreeMap<String, String>) -> Subscription {
    let mut options = planet.clone();
    let name = options.remove("name");
    options.remove("message");
    Subscription {
        url: url.to_owned(),
        location: Location::File(PathBuf::from(url)),
        name,
        normalization: Normalization::default().into(),
        activity_threshold: 0,
        cache_keep_entries: 0,
        publish_url: true,
        filters: Vec::new(),
        options: options.into(),
        origin: "venus-tmpl".into(),
        reading_list: None,
        from_remote_list: false,
    }
}

/// The `planet:*` children of each entry's `atom:source`, in entry order.
/// (The parser keeps no foreign elements of a source, and Venus's cases
/// use the `planet` prefix without always declaring it.)
fn planet_elements(doc: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = Reader::from_reader(doc);
    let mut per_entry = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if e.local_name().as_ref() == b"entry" && path.len() == 1 {
                    per_entry.push(BTreeMap::new());
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let in_source =
                    path.len() == 4 && path[1].ends_with("entry") && path[2].ends_with("source");
                let key = path.last().and_then(|n| n.strip_prefix("planet:"));
                let text = t.xml10_content().unwrap_or_default();
                if let (true, Some(key), Some(map)) = (in_source, key, per_entry.last_mut()) {
                    map.insert(key.to_owned(), text.trim().to_owned());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            // Some cases are deliberately ill-formed; the parser copes, and
            // what was read so far is all the planet:* values there are.
            Err(_) => break,
        }
        buf.clear();
    }
    per_entry
}

/// A spliced feed through parse → normalize → select's mapping → a theme.
fn feed_case(doc: &[u8], scratch: &Path, theme: &Theme) -> Result<Vars, String> {
    let now = now();
    let parsed = orrery_feed::parse(doc, &ParseOptions::default());
    let planet_values = planet_elements(doc);
    // Channels keyed by (source, planet:* values), in order of first use.
    let mut sources: Vec<(Option<&Feed>, BTreeMap<String, String>)> = Vec::new();
    let mut subs = Vec::new();
    let mut channels = Vec::new();
    let mut items = Vec::new();
    for (index, entry) in parsed.entries.iter().enumerate() {
        let planet = planet_values.get(index).cloned().unwrap_or_default();
        let key = (entry.source.as_deref(), planet);
        let channel = match sources.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let url = format!("source-{}", sources.len() + 1);
                let sub = subscription(&url, &key.1);
                let stored = key.0.map(|source| StoredFeed {
                    url: url.clone(),
                    metadata: feed_metadata(&ParsedFeed {
                        feed: source.clone(),
                        ..ParsedFeed::default()
                    }),
                    http: HttpState::default(),
                    health: FeedHealth {
                        first_added: now,
                        last_fetch_at: Some(now),
                        last_success_at: Some(now),
                        last_http_status: None,
                        last_error: key.1.get("message").cloned(),
                        consecutive_failures: 0,
                        entry_count: 0,
                        newest_entry: None,
                        last_new_entry: None,
                    },
                });
                channels.push(subscription_channel(&sub, stored.as_ref(), now));
                subs.push(sub);
                sources.push(key);
                sources.len() - 1
            }
        };
        // One entry at a time, so each keeps its own source's subscription.
        let mut single = ParsedFeed {
            feed: parsed.feed.clone(),
            entries: vec![entry.clone()],
            ..ParsedFeed::default()
        };
        let sub = &subs[channel];
        for new in take_entries(&mut single, sub, now) {
            items.push(item(
                channel,
                StoredEntry {
                    feed_url: sub.url.clone(),
                    id: new.id,
                    first_seen: now,
                    last_changed: now,
                    updated: new.updated,
                    published: new.published,
                    sort_date: new.sort_date.unwrap_or(now),
                    title: new.title,
                    link: new.link,
                    author: new.author,
                    summary: new.summary,
                    content: new.content,
                    data: new.data,
                },
            ));
        }
    }
    let out = scratch.join("output");
    render_site(
        &Planet::new("test planet", now),
        &channels,
        &items,
        theme,
        &out,
    )
    .map_err(|e| e.to_string())?;
    read_dump(&out.join(DUMP_OUTPUT))
}

/// A configuration through the whole pipeline, published offline.
fn config_case(ini: &Path, scratch: &Path) -> Result<Vars, String> {
    let overlay = scratch.join("overlay.ini");
    fs::write(
        &overlay,
        format!(
            "[Planet]\noutput_theme = {DUMP_THEME}\noutput_dir = output\ncache_directory = cache\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let options = Options {
        configs: vec![ini.to_path_buf(), overlay],
        load: LoadOptions {
            cwd: scratch.to_path_buf(),
            theme_dirs: Vec::new(),
            builtin_themes: Vec::new(),
        },
    };
    run(&options, Mode::Offline, &mut Quiet).map_err(|e| e.to_string())?;
    read_dump(&scratch.join("output").join(DUMP_OUTPUT))
}

/// The `Expect:` line of a case: an XML comment header for feeds, `;`
/// comment lines for configurations.
fn expectation(text: &str) -> Option<String> {
    let start = text.find("Expect:")? + "Expect:".len();
    let line = text[start..].lines().next()?;
    let line = line.split("-->").next()?;
    Some(line.trim().to_owned())
}

/// A clause of Venus's `Expect:` language (Python 2 expressions), in the
/// forms its tmpl cases use.
#[derive(Debug, PartialEq)]
enum Clause {
    Equals(VarPath, String),
    Absent(VarPath),
}

/// `Items[i]['key']`, `Channels[i]['key']` or a top-level `key`.
#[derive(Debug, PartialEq)]
enum VarPath {
    Top(String),
    Items(usize, String),
    Channels(usize, String),
}

fn parse_expectation(expect: &str) -> Result<Vec<Clause>, String> {
    expect
        .split(" and ")
        .map(|c| parse_clause(c.trim()))
        .collect()
}

fn parse_clause(clause: &str) -> Result<Clause, String> {
    if let Some(negated) = clause.strip_prefix("not ") {
        let (path, key) = negated
            .strip_suffix("')")
            .and_then(|s| s.split_once(".has_key('"))
            .ok_or_else(|| format!("unsupported clause {clause:?}"))?;
        return Ok(Clause::Absent(parse_path(&format!("{path}['{key}']"))?));
    }
    let (path, literal) = clause
        .split_once(" == ")
        .ok_or_else(|| format!("unsupported clause {clause:?}"))?;
    Ok(Clause::Equals(parse_path(path)?, parse_literal(literal)?))
}

fn parse_path(path: &str) -> Result<VarPath, String> {
    let bad = || format!("unsupported path {path:?}");
    let Some((list, rest)) = path.split_once('[') else {
        return Ok(VarPath::Top(path.to_owned()));
    };
    let (index, rest) = rest.split_once("]['").ok_or_else(bad)?;
    let key = rest.strip_suffix("']").ok_or_else(bad)?;
    let index: usize = index.parse().map_err(|_| bad())?;
    match list {
        "Items" => Ok(VarPath::Items(index, key.to_owned())),
        "Channels" => Ok(VarPath::Channels(index, key.to_owned())),
        _ => Err(bad()),
    }
}

/// A Python 2 string literal. Without `u`, `\xNN` is a byte: tmpl values
/// are UTF-8 byte strings.
fn parse_literal(literal: &str) -> Result<String, String> {
    let bad = || format!("unsupported literal {literal:?}");
    let (unicode, quoted) = match literal.strip_prefix('u') {
        Some(rest) => (true, rest),
        None => (false, literal),
    };
    let body = quoted
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .ok_or_else(bad)?;
    let mut bytes = Vec::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let code = u8::from_str_radix(&hex, 16).map_err(|_| bad())?;
                if unicode {
                    let mut utf8 = [0; 4];
                    bytes.extend_from_slice(char::from(code).encode_utf8(&mut utf8).as_bytes());
                } else {
                    bytes.push(code);
                }
            }
            Some(c @ ('\\' | '\'')) => bytes.push(c as u8),
            _ => return Err(bad()),
        }
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

fn lookup<'v>(vars: &'v Vars, path: &VarPath) -> Option<&'v String> {
    match path {
        VarPath::Top(key) => vars.top.get(key),
        VarPath::Items(i, key) => vars.items.get(*i)?.get(key),
        VarPath::Channels(i, key) => vars.channels.get(*i)?.get(key),
    }
}

/// Every clause that does not hold, described.
fn check(vars: &Vars, clauses: &[Clause]) -> Vec<String> {
    clauses
        .iter()
        .filter_map(|clause| match clause {
            Clause::Equals(path, want) => match lookup(vars, path) {
                Some(got) if got == want => None,
                Some(got) => Some(format!("{path:?}: {got:?}, Venus {want:?}")),
                None => Some(format!("{path:?}: absent, Venus {want:?}")),
            },
            Clause::Absent(path) => lookup(vars, path)
                .map(|got| format!("{path:?}: {got:?}, Venus has no such variable")),
        })
        .collect()
}

/// Runs one case; `Err` describes how orrery disagrees with Venus.
fn run_case(path: &Path) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    let expect = expectation(&text).ok_or("no Expect: header")?;
    let clauses = parse_expectation(&expect)?;
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let theme = write_dump_theme(scratch.path());
    let vars = if path.extension().is_some_and(|e| e == "ini") {
        config_case(path, scratch.path())?
    } else {
        feed_case(&bytes, scratch.path(), &theme)?
    };
    let failures = check(&vars, &clauses);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

#[test]
fn venus_tmpl_cases() {
    let mut files: Vec<PathBuf> = fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "ini"))
        .collect();
    files.sort();
    let mut passed = BTreeMap::from([("xml", 0), ("ini", 0)]);
    let mut totals = BTreeMap::from([("xml", 0), ("ini", 0)]);
    let mut regressions = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let kind = if name.ends_with(".ini") { "ini" } else { "xml" };
        *totals.get_mut(kind).unwrap() += 1;
        let difference = EXPECTED_DIFFERENCES.iter().find(|(n, _)| *n == name);
        match (run_case(path), difference) {
            (Ok(()), None) => {
                *passed.get_mut(kind).unwrap() += 1;
                println!("pass        {name}");
            }
            (Ok(()), Some(_)) => {
                println!("PASS?       {name}: listed as a difference but now agrees with Venus");
                regressions.push(name);
            }
            (Err(why), Some((_, reason))) => {
                println!("difference  {name}: {why} ({reason})");
            }
            (Err(why), None) => {
                println!("FAIL        {name}: {why}");
                regressions.push(name);
            }
        }
    }
    println!(
        "Venus tmpl cases: {}/{} agree; tmpl-config cases: {}/{} agree",
        passed["xml"], totals["xml"], passed["ini"], totals["ini"]
    );
    // The whole corpus must be there: 46 feeds and 6 configurations.
    assert_eq!((totals["xml"], totals["ini"]), (46, 6));
    assert!(regressions.is_empty(), "cases out of line: {regressions:?}");
}

#[test]
fn expectation_language() {
    let clauses = parse_expectation(
        "Items[0]['new_channel'] == 'http://example.com/' and not Items[1].has_key('new_channel') \
         and feed == 'x' and Channels[2]['name'] == 'Se\\xc3\\xb1or' and name == u'D\\xe9tente'",
    )
    .unwrap();
    assert_eq!(
        clauses,
        [
            Clause::Equals(
                VarPath::Items(0, "new_channel".into()),
                "http://example.com/".into()
            ),
            Clause::Absent(VarPath::Items(1, "new_channel".into())),
            Clause::Equals(VarPath::Top("feed".into()), "x".into()),
            Clause::Equals(VarPath::Channels(2, "name".into()), "Se\u{f1}or".into()),
            Clause::Equals(VarPath::Top("name".into()), "D\u{e9}tente".into()),
        ]
    );
    assert!(parse_expectation("Items[0]['x'] in 'y'").is_err());
    assert!(parse_literal("'\\xc3'").is_err());
}
