//! Writes a Venus INI configuration as orrery's native TOML, resolving to
//! the same configuration: sections become the tables their kind calls for
//! (as Venus classifies them), values are written as the INI reader reads
//! them (TOML values are never `%`-interpolated), relative paths are
//! rewritten for the TOML file's directory (INI paths start at the working
//! directory), and comments above sections and options come along.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use orrery_config::ini::{ini_source, py_split, Ini, DEFAULT_SECTION};
use orrery_config::options::{self, Kind as ValueKind};
use orrery_config::{
    is_toml, location, read_text, Config, Error, LoadOptions, Location, ReadingListKind, PLANET,
};

/// The TOML text, and what the reader should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub toml: String,
    /// What could not be carried over exactly, for the owner to check.
    pub notes: Vec<String>,
}

/// Converts the INI file `ini_path` to the text of a TOML file to be
/// written at `toml_path` (both relative to `opts.cwd`). The INI file must
/// load and resolve: what it means is what the TOML file must mean.
pub fn ini_to_toml(
    ini_path: &Path,
    toml_path: &Path,
    opts: &LoadOptions,
) -> Result<Migration, Error> {
    let mut notes = Vec::new();
    let text = read_text(&opts.cwd.join(ini_path), &mut notes)?;
    if is_toml(ini_path, &text) {
        return Err(Error::Other(format!(
            "{} is already a TOML configuration",
            ini_path.display()
        )));
    }
    let resolved = Config::load(&[ini_path.to_owned()], opts)?.resolve()?;
    let ini_dir = opts.planet_dir(&[ini_path.to_owned()]);
    let mut ini = Ini::new();
    ini.read_str(&text, &ini_source(ini_path, &ini_dir))
        .map_err(Error::Syntax)?;

    let mut kinds: HashMap<&str, Kind> = HashMap::new();
    for template in &resolved.templates {
        kinds.insert(&template.file, Kind::Template);
    }
    for filter in &resolved.filter_sections {
        kinds.insert(&filter.name, Kind::Filter);
    }
    for list in &resolved.reading_lists {
        kinds.insert(&list.url, Kind::ReadingList(list.kind));
    }
    kinds.insert(PLANET, Kind::Planet);
    kinds.insert(DEFAULT_SECTION, Kind::Defaults);

    let comments = Comments::scan(&text);
    let mut writer = Writer {
        ini: &ini,
        rebase: Rebase::new(&ini_dir, &opts.cwd.join(toml_path)),
        comments: &comments,
        defaults: interpolated_defaults(&ini),
        out: String::new(),
        notes,
    };
    let mut order: Vec<&str> = comments.order.iter().map(String::as_str).collect();
    order.extend(
        ini.sections()
            .filter(|s| !comments.sections.contains_key(*s)),
    );
    for section in order {
        let kind = kinds.get(section).copied().unwrap_or(Kind::Subscription);
        writer.section(section, kind)?;
    }
    writer.comment_lines(&comments.trailing);
    Ok(Migration {
        toml: writer.out,
        notes: writer.notes,
    })
}

/// What a section is, as Venus decided from the whole configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Planet,
    Defaults,
    Template,
    Filter,
    ReadingList(ReadingListKind),
    Subscription,
}

/// `[DEFAULT]` values as `[defaults]` holds them: interpolated in the
/// defaults' own context (`None` when that fails, e.g. on `%(__name__)s`).
/// Sections that read such a value differently get their reading written
/// out (see [`Writer::section`]).
fn interpolated_defaults(ini: &Ini) -> Vec<(String, Option<String>, bool)> {
    ini.own_options(DEFAULT_SECTION)
        .into_iter()
        .map(|(key, raw)| {
            let interpolates = raw.text.contains("%(");
            let value = if interpolates {
                ini.get(DEFAULT_SECTION, key).ok().flatten()
            } else {
                Some(raw.text.clone())
            };
            (key.to_owned(), value, interpolates)
        })
        .collect()
}

/// Rewrites relative paths written for the INI file's directory so that they
/// name the same files from the TOML file's directory.
struct Rebase {
    cwd: PathBuf,
    /// The working directory relative to the TOML file's directory, when it
    /// is inside it; `None` means absolute paths are written.
    relative: Option<PathBuf>,
}

impl Rebase {
    fn new(cwd: &Path, toml_file: &Path) -> Self {
        let cwd = lexical(cwd);
        let dir = lexical(toml_file.parent().unwrap_or(Path::new("")));
        let relative = cwd.strip_prefix(&dir).ok().map(Path::to_owned);
        Rebase { cwd, relative }
    }

    fn path(&self, path: &str) -> String {
        if Path::new(path).is_absolute() {
            return path.to_owned();
        }
        let rebased = match &self.relative {
            Some(rel) if rel.as_os_str().is_empty() => return path.to_owned(),
            Some(rel) if path == "." => rel.clone(),
            Some(rel) => rel.join(path),
            None if path == "." => self.cwd.clone(),
            None => self.cwd.join(path),
        };
        rebased.to_string_lossy().into_owned()
    }

    /// A section name, when it is a relative local path.
    fn location(&self, name: &str) -> String {
        match location(name, Path::new("")) {
            Location::File(path) if path.is_relative() => self.path(name),
            _ => name.to_owned(),
        }
    }
}

/// `.` and `..` taken out without looking at the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The comments of an INI file, by what follows them.
#[derive(Default)]
struct Comments {
    /// Section names in order of first appearance, `DEFAULT` included.
    order: Vec<String>,
    sections: HashMap<String, Vec<String>>,
    options: HashMap<(String, String), Vec<String>>,
    /// Comments at the ends of option lines (Venus's ` ; ...`).
    inline: HashMap<(String, String), String>,
    trailing: Vec<String>,
}

impl Comments {
    /// Follows the INI reader's line rules (see [`crate::ini`]) only as far
    /// as needed to tell comments, headers and option lines apart.
    fn scan(text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut found = Comments::default();
        let mut pending: Vec<String> = Vec::new();
        let mut gap = false;
        let mut section: Option<String> = None;
        for line in text.split_inclusive('\n') {
            let first = line.chars().next().unwrap_or('\n');
            let rem = matches!(first, 'r' | 'R')
                && line
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("rem"));
            if line.trim().is_empty() {
                gap = true;
            } else if first == '#' || first == ';' || rem {
                if gap && (!pending.is_empty() || section.is_some()) {
                    pending.push(String::new());
                }
                gap = false;
                pending.push(toml_comment(line, rem));
            } else if first.is_whitespace() {
                // A continuation line of a value.
            } else if let Some(name) = header(line) {
                if gap && !pending.is_empty() {
                    pending.push(String::new());
                }
                let above = found.sections.entry(name.to_owned()).or_insert_with(|| {
                    found.order.push(name.to_owned());
                    Vec::new()
                });
                above.append(&mut pending);
                gap = false;
                section = Some(name.to_owned());
            } else if let (Some(section), Some((key, inline))) = (&section, option(line)) {
                if gap && !pending.is_empty() {
                    pending.push(String::new());
                }
                let at = (section.clone(), key);
                found
                    .options
                    .entry(at.clone())
                    .or_default()
                    .append(&mut pending);
                match inline {
                    Some(comment) => found.inline.insert(at, comment),
                    None => found.inline.remove(&at),
                };
                gap = false;
            }
        }
        found.trailing = pending;
        found
    }
}

/// `[name]` at the start of a line, as the INI reader matches it.
fn header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.find(']')?;
    (end > 0).then(|| &rest[..end])
}

/// An option line's key and its inline comment, if any.
fn option(line: &str) -> Option<(String, Option<String>)> {
    let sep = line.find([':', '='])?;
    let key = line[..sep].trim_end().to_ascii_lowercase();
    let value = line[sep + 1..].trim_start();
    let value = value.split('\n').next().unwrap_or("");
    let inline = value.find(';').and_then(|pos| {
        let before = if pos == 0 {
            value.chars().next_back()
        } else {
            value[..pos].chars().next_back()
        };
        before
            .filter(|c| c.is_whitespace())
            .map(|_| clean(value[pos + 1..].trim()))
            .filter(|c| !c.is_empty())
    });
    Some((key, inline))
}

/// An INI comment line as a TOML comment.
fn toml_comment(line: &str, rem: bool) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    if rem {
        return format!("# {}", clean(line));
    }
    format!("#{}", clean(line.get(1..).unwrap_or("")))
}

/// TOML comments may hold no control characters but the tab: the others
/// (a value's line breaks) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c != '\t' && c.is_control() { ' ' } else { c })
        .collect()
}

fn toml_key(key: &str) -> String {
    toml_edit::Key::new(key).to_string()
}

fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string()
}

/// A value in the TOML form that reads back to `text`: a number or boolean
/// when it is written as one, an array of the words of a list option, else
/// a string; only a list option's spacing may change.
fn toml_value(key: &str, text: &str) -> String {
    if text.parse::<i64>().is_ok_and(|n| n.to_string() == text) || text == "true" || text == "false"
    {
        return text.to_owned();
    }
    let words: Vec<&str> = py_split(text).collect();
    let as_array = options::kind(key).is_list()
        && !words.is_empty()
        && words.iter().all(|w| !w.chars().any(char::is_whitespace));
    if as_array {
        let items: Vec<String> = words.iter().map(|w| toml_string(w)).collect();
        format!("[{}]", items.join(", "))
    } else {
        toml_string(text)
    }
}

struct Writer<'a> {
    ini: &'a Ini,
    rebase: Rebase,
    comments: &'a Comments,
    defaults: Vec<(String, Option<String>, bool)>,
    out: String,
    notes: Vec<String>,
}

impl Writer<'_> {
    fn comment_lines(&mut self, lines: &[String]) {
        for line in lines {
            if line.is_empty() {
                if !self.out.is_empty() && !self.out.ends_with("\n\n") {
                    self.out.push('\n');
                }
            } else {
                self.out.push_str(line);
                self.out.push('\n');
            }
        }
    }

    fn line(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
    }

    /// A value as the INI reader gives it to `section`: interpolated, but
    /// `[Planet]`'s `log_format`, which Venus reads raw.
    fn value(&self, section: &str, key: &str) -> Result<Option<String>, Error> {
        if section == PLANET && key == "log_format" {
            return Ok(self.ini.raw(section, key).map(|v| v.text.clone()));
        }
        Ok(self.ini.get(section, key)?)
    }

    fn section(&mut self, name: &str, kind: Kind) -> Result<(), Error> {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        let above = self
            .comments
            .sections
            .get(name)
            .cloned()
            .unwrap_or_default();
        if let Kind::ReadingList(list @ (ReadingListKind::Filter | ReadingListKind::Foaf)) = kind {
            self.notes.push(format!(
                "[{name}]: {list} reading lists are not supported and have no TOML form; written as a comment"
            ));
            self.comment_lines(&above);
            self.line(&format!("# [{}]", clean(name)));
            for (key, value) in self.ini.own_options(name) {
                self.line(&format!("# {} = {}", clean(key), clean(&value.text)));
            }
            return Ok(());
        }
        self.comment_lines(&above);
        let mut reserved: &[&str] = &[];
        match kind {
            Kind::Planet => self.line("[planet]"),
            Kind::Defaults => self.line("[defaults]"),
            Kind::Template => self.line(&format!("[template.{}]", toml_key(name))),
            Kind::Filter => self.line(&format!("[filter.{}]", toml_key(name))),
            Kind::ReadingList(list) => {
                self.line("[[reading_list]]");
                let url = self.rebase.location(name);
                self.line(&format!("url = {}", toml_string(&url)));
                self.line(&format!("type = {}", toml_string(&list.to_string())));
                reserved = &["url", "type", "content_type"];
            }
            Kind::Subscription => {
                self.line("[[subscription]]");
                let url = self.rebase.location(name);
                self.line(&format!("url = {}", toml_string(&url)));
                reserved = &["url"];
            }
        }
        let own: Vec<String> = self
            .ini
            .own_options(name)
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect();
        for key in &own {
            let at = (name.to_owned(), key.clone());
            let above = self.comments.options.get(&at).cloned().unwrap_or_default();
            self.comment_lines(&above);
            let value = if kind == Kind::Defaults {
                match self.defaults.iter().find(|(k, _, _)| k == key) {
                    Some((_, Some(value), _)) => value.clone(),
                    _ => continue,
                }
            } else {
                match self.value(name, key) {
                    Ok(value) => value.unwrap_or_default(),
                    Err(err) if matches!(kind, Kind::ReadingList(_)) => {
                        self.notes
                            .push(format!("{err}; copied as written (nothing reads it)"));
                        self.ini
                            .raw(name, key)
                            .map(|v| v.text.clone())
                            .unwrap_or_default()
                    }
                    Err(err) => return Err(err),
                }
            };
            if reserved.contains(&key.as_str()) {
                if key != "content_type" {
                    self.notes.push(format!(
                        "[{name}]: option `{key}` has no place in TOML (it names the section there); written as a comment"
                    ));
                    self.line(&format!("# {key} = {}", clean(&value)));
                }
                continue;
            }
            let inline = self.comments.inline.get(&at).cloned();
            self.option(kind, key, &value, inline.as_deref());
        }
        // Interpolated defaults that read differently here are written out.
        for (key, default, interpolates) in self.defaults.clone() {
            if !interpolates || kind == Kind::Defaults || own.contains(&key) {
                continue;
            }
            let value = match self.value(name, &key) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(_) if matches!(kind, Kind::ReadingList(_)) => continue,
                Err(err) => return Err(err),
            };
            if default.as_ref() != Some(&value) {
                self.line(&format!("# [DEFAULT] {key}, as read in this section"));
                self.option(kind, &key, &value, None);
            }
        }
        Ok(())
    }

    fn option(&mut self, kind: Kind, key: &str, value: &str, inline: Option<&str>) {
        let planet_level = matches!(kind, Kind::Planet | Kind::Defaults);
        let value = if planet_level && options::kind(key) == ValueKind::Path && !value.is_empty() {
            self.rebase.path(value)
        } else if planet_level && options::kind(key) == ValueKind::Paths {
            py_split(value)
                .map(|p| self.rebase.path(p))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            value.to_owned()
        };
        let mut line = format!("{} = {}", toml_key(key), toml_value(key, &value));
        if let Some(comment) = inline {
            line.push_str(" # ");
            line.push_str(comment);
        }
        self.line(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        for (key, text, form) in [
            ("items_per_page", "60", "60"),
            ("items_per_page", "060", "\"060\""),
            (
                "items_per_page",
                "99999999999999999999",
                "\"99999999999999999999\"",
            ),
            ("django_autoescape", "false", "false"),
            ("django_autoescape", "off", "\"off\""),
            (
                "template_files",
                "a.tmpl b.xslt",
                "[\"a.tmpl\", \"b.xslt\"]",
            ),
            (
                "template_files",
                "\na.tmpl\n  b.xslt",
                "[\"a.tmpl\", \"b.xslt\"]",
            ),
            ("template_files", "a\u{a0}b c", ""),
            ("name", "a b", "\"a b\""),
            ("name", "quote \" back\\slash \u{7f} '''", ""),
        ] {
            let written = toml_value(key, text);
            if !form.is_empty() {
                assert_eq!(written, form, "{text:?}");
            }
            let table: toml::Table = toml::from_str(&format!("v = {written}")).unwrap();
            let read = orrery_config::scalar_or_list(&table["v"]).unwrap();
            if options::kind(key).is_list() {
                assert_eq!(
                    py_split(&read).collect::<Vec<_>>(),
                    py_split(text).collect::<Vec<_>>()
                );
            } else {
                assert_eq!(read, text, "{written}");
            }
        }
    }
    #[test]
    fn paths_are_rebased_onto_the_toml_directory() {
        let same = Rebase::new(Path::new("/p"), Path::new("/p/./planet.toml"));
        assert_eq!(same.path("cache"), "cache");
        let above = Rebase::new(Path::new("/p/q"), Path::new("/p/q/../planet.toml"));
        assert_eq!(above.path("cache"), "q/cache");
        assert_eq!(above.path("."), "q");
        assert_eq!(above.path("/abs"), "/abs");
        let elsewhere = Rebase::new(Path::new("/p"), Path::new("/r/planet.toml"));
        assert_eq!(elsewhere.path("cache"), "/p/cache");
        assert_eq!(elsewhere.location("feeds/a.xml"), "/p/feeds/a.xml");
        assert_eq!(elsewhere.location("http://x/a.xml"), "http://x/a.xml");
    }

    #[test]
    fn comments_attach_to_what_follows() {
        let text = "# top\n\n# planet\n[Planet]\nname = x ; inline\n\n# about y\nrem also\ny = 1\n  more\n[a]\n# trailing\n";
        let found = Comments::scan(text);
        assert_eq!(found.order, ["Planet", "a"]);
        assert_eq!(found.sections["Planet"], ["# top", "", "# planet"]);
        assert_eq!(found.sections["a"], [""; 0]);
        let at = |s: &str, k: &str| (s.to_owned(), k.to_owned());
        assert_eq!(
            found.options[&at("Planet", "y")],
            ["", "# about y", "# rem also"]
        );
        assert_eq!(found.inline[&at("Planet", "name")], "inline");
        assert_eq!(found.trailing, ["# trailing"]);
    }
}
