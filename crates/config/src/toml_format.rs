//! orrery's native TOML format: the same options as the INI format, under
//! the same names, with explicit tables instead of section-name guessing.
//!
//! ```toml
//! [planet]                      # Venus's [Planet]
//! name = "Planet OpenStack"
//! link = "http://planet.openstack.org/"
//! template_files = ["index.html.tmpl", "atom.xml.xslt"]   # or one string
//! items_per_page = 60
//! bill_of_materials = ["images/#{face}"]
//! per_host_limit = 2            # orrery's own options sit here too
//!
//! [defaults]                    # Venus's [DEFAULT]: seen by every section
//! facewidth = 85
//!
//! [[subscription]]              # one per feed, in order
//! url = "http://www.openstack.org/blog/feed/"
//! name = "OpenStack Blog"
//! face = "openstack.png"        # any other key: passed to templates
//!
//! [template."index.html.tmpl"]  # must be listed in template_files
//! days_per_page = 7
//!
//! [filter."excerpt.py"]         # must be named in a filters list
//! width = 500
//!
//! [[reading_list]]
//! url = "https://example.org/blogroll.opml"
//! type = "opml"                 # opml, csv or config
//! ```
//!
//! Values may be strings, integers, floats, booleans, or arrays of those
//! (joined with spaces, which is how Venus's list options are written).
//! Values are never `%`-interpolated. Relative paths in a TOML file are
//! resolved against the file's directory, not the working directory.

use std::sync::Arc;

use toml::{Table, Value as TomlValue};

use crate::ini::{Ini, Origin, SourceFile, Value, DEFAULT_SECTION};
use crate::options;
use crate::reading_list::kind_of;

/// A section whose kind the TOML file states; checked against Venus's
/// classification once every file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declared {
    Template(String),
    Filter(String),
}

/// Reads a TOML configuration into `ini`, returning the declared sections.
pub(crate) fn read_toml(
    text: &str,
    file: &Arc<SourceFile>,
    ini: &mut Ini,
) -> Result<Vec<Declared>, String> {
    let table: Table = toml::from_str(text).map_err(|e| {
        // The crate's own rendering quotes the whole line, which may be huge.
        let at = e.span().map(|s| s.start).unwrap_or(0);
        let before = text.get(..at).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: {}", e.message())
    })?;
    let origin = Origin {
        file: Arc::clone(file),
        line: 0,
    };
    let mut declared = Vec::new();
    for (key, item) in &table {
        match key.as_str() {
            "planet" => {
                ini.add_section("Planet", origin.clone());
                set_all(ini, "Planet", as_table(item, "planet")?, &origin, "[planet]")?;
            }
            "defaults" => set_all(ini, DEFAULT_SECTION, as_table(item, "defaults")?, &origin, "[defaults]")?,
            "subscription" => {
                for sub in as_array_of_tables(item, "subscription")? {
                    let url = required_url(sub, "[[subscription]]")?;
                    if let Some(ct) = sub.get("content_type").and_then(TomlValue::as_str) {
                        if kind_of(ct).is_some() {
                            return Err(format!(
                                "[[subscription]] {url}: content_type {ct:?} would make it a reading list; use [[reading_list]]"
                            ));
                        }
                    }
                    ini.add_section(url, origin.clone());
                    set_all(ini, url, sub, &origin, &format!("[[subscription]] {url}"))?;
                }
            }
            "reading_list" => {
                for list in as_array_of_tables(item, "reading_list")? {
                    let url = required_url(list, "[[reading_list]]")?;
                    let kind = list
                        .get("type")
                        .and_then(TomlValue::as_str)
                        .ok_or_else(|| format!("[[reading_list]] {url}: `type` (opml, csv or config) is required"))?;
                    if !matches!(kind, "opml" | "csv" | "config") {
                        return Err(format!("[[reading_list]] {url}: type {kind:?} is not one of opml, csv, config"));
                    }
                    let mut rest = list.clone();
                    rest.remove("type");
                    rest.insert("content_type".to_owned(), TomlValue::String(kind.to_owned()));
                    set_all(ini, url, &rest, &origin, &format!("[[reading_list]] {url}"))?;
                }
            }
            "template" | "filter" => {
                for (name, section) in as_table(item, key)? {
                    let section = section
                        .as_table()
                        .ok_or_else(|| format!("[{key}.{name:?}] must be a table"))?;
                    check_section_name(name, key)?;
                    ini.add_section(name, origin.clone());
                    set_all(ini, name, section, &origin, &format!("[{key}.{name:?}]"))?;
                    declared.push(if key == "template" {
                        Declared::Template(name.clone())
                    } else {
                        Declared::Filter(name.clone())
                    });
                }
            }
            other => {
                return Err(format!(
                    "unknown top-level key `{other}` (expected planet, defaults, subscription, template, filter, reading_list)"
                ))
            }
        }
    }
    Ok(declared)
}

fn as_table<'a>(item: &'a TomlValue, what: &str) -> Result<&'a Table, String> {
    item.as_table()
        .ok_or_else(|| format!("`{what}` must be a table"))
}

fn as_array_of_tables<'a>(item: &'a TomlValue, what: &str) -> Result<Vec<&'a Table>, String> {
    let array = item
        .as_array()
        .ok_or_else(|| format!("`{what}` must be an array of tables: [[{what}]]"))?;
    array
        .iter()
        .map(|v| {
            v.as_table()
                .ok_or_else(|| format!("each [[{what}]] must be a table"))
        })
        .collect()
}

fn required_url<'a>(table: &'a Table, what: &str) -> Result<&'a str, String> {
    let url = table
        .get("url")
        .and_then(TomlValue::as_str)
        .ok_or_else(|| format!("{what} without a `url` string"))?;
    check_section_name(url, what)?;
    Ok(url)
}

fn check_section_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty()
        || name == "Planet"
        || name == DEFAULT_SECTION
        || name.chars().any(char::is_control)
    {
        return Err(format!("{what}: {name:?} cannot be used as a section name"));
    }
    Ok(())
}

fn set_all(
    ini: &mut Ini,
    section: &str,
    table: &Table,
    origin: &Origin,
    what: &str,
) -> Result<(), String> {
    for (key, value) in table {
        if section != "Planet" && section != DEFAULT_SECTION && key == "url" {
            continue;
        }
        if value.is_array() && options::spec(key).is_some_and(|s| !s.kind.is_list()) {
            return Err(format!("{what}: `{key}`: takes one value, not a list"));
        }
        let text = scalar_or_list(value).map_err(|e| format!("{what}: `{key}`: {e}"))?;
        ini.set(
            section,
            key,
            Value {
                text,
                origin: origin.clone(),
                literal: true,
            },
        );
    }
    Ok(())
}

pub fn scalar_or_list(value: &TomlValue) -> Result<String, String> {
    match value {
        TomlValue::Array(items) => {
            let mut words = Vec::with_capacity(items.len());
            for item in items {
                let word = scalar(item)?;
                if word.is_empty() || word.chars().any(char::is_whitespace) {
                    return Err(format!(
                        "list item {word:?} is empty or contains whitespace"
                    ));
                }
                words.push(word);
            }
            Ok(words.join(" "))
        }
        other => scalar(other),
    }
}

fn scalar(value: &TomlValue) -> Result<String, String> {
    match value {
        TomlValue::String(s) => Ok(s.clone()),
        TomlValue::Integer(i) => Ok(i.to_string()),
        TomlValue::Float(f) => Ok(f.to_string()),
        TomlValue::Boolean(b) => Ok(b.to_string()),
        TomlValue::Datetime(_) => Err("dates are not option values".to_owned()),
        TomlValue::Array(_) => Err("nested arrays are not allowed".to_owned()),
        TomlValue::Table(_) => Err("tables are not allowed here".to_owned()),
    }
}
