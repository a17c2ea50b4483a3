//! A reader for INI files with the exact semantics of Python 2's
//! `ConfigParser.ConfigParser`, the parser Planet Venus used.
//!
//! Written by hand on purpose: no INI crate reproduces Python 2's rules, and
//! existing `config.ini` files depend on them. What it reproduces:
//!
//! - `[Section]` headers match `\[([^\]]+)\]` at the start of a line (anything
//!   after the `]` is ignored); section names are case-sensitive and not trimmed.
//! - `[DEFAULT]` values are visible in every section.
//! - `key = value` and `key: value`; the key is everything before the first `=`
//!   or `:`, right-trimmed and ASCII-lower-cased; the value is trimmed.
//! - A line starting with whitespace continues the previous value (joined with
//!   `\n`), blank lines inside a value are skipped; it is only a continuation
//!   after an option line, otherwise the line is a syntax error.
//! - Lines starting with `#` or `;` in column 0, and lines whose first word is
//!   `rem`/`REM` (starting in column 0), are comments.
//! - Inline comments: only the *first* `;` of a value is considered, and it
//!   starts a comment only when the character before it is whitespace (when it
//!   is the first character, Python looks at the value's last character).
//! - A value of exactly `""` is the empty string.
//! - Duplicate sections merge, a repeated key replaces the earlier value, and
//!   reading several files merges them in order.
//! - `%(name)s` interpolation happens on read, only when the value contains
//!   `%(`; names are looked up (lower-cased) in the section, then `[DEFAULT]`;
//!   `%(__name__)s` is the section name; `%%` is `%`; the expansion is redone
//!   until no `%(` is left, at most 10 times. A lone `%`, as in a URL's `%20`,
//!   is left alone when the value has no `%(`.
//!
//! Deliberate differences: a UTF-8 byte order mark is skipped (Python 2 would
//! reject the file), interpolated values are capped at [`MAX_VALUE_LEN`]
//! bytes, and `%` directives other than `%(name)s` and `%%` in an interpolated
//! value are errors (Python applied `str % dict` to them with surprising results).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

/// Python's `ConfigParser.MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;
/// Cap on an interpolated value, so that `a = %(b)s%(b)s` chains cannot
/// grow a value exponentially.
pub const MAX_VALUE_LEN: usize = 64 * 1024;
/// The section every other section inherits from.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// A configuration file, and the directory its relative paths are resolved against.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Base for relative paths in this file's values: the file's own directory (Venus used
    /// the working directory, the same for a planet run from its own directory).
    pub base_dir: PathBuf,
}

/// Where a value or section was written: file and 1-based line (0 when the
/// value did not come from a line, e.g. a reading-list entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<SourceFile>,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.path.display())
        } else {
            write!(f, "{}:{}", self.file.path.display(), self.line)
        }
    }
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub origin: Origin,
    /// Literal values are never interpolated (TOML values, reading-list entries).
    pub literal: bool,
}

/// A section: its options in first-insertion order.
#[derive(Debug, Clone, Default)]
pub struct Section {
    entries: Vec<(String, Value)>,
    origin: Option<Origin>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn set(&mut self, key: String, value: Value) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Where the section header was first seen.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }
}

/// A syntax error: Python's `MissingSectionHeaderError` or `ParsingError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub origin: Origin,
    pub message: String,
}

impl std::error::Error for SyntaxError {}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Python's `InterpolationMissingOptionError`, `InterpolationDepthError`, and
/// the `%` formatting errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    pub section: String,
    pub option: String,
    pub origin: Origin,
    pub message: String,
}

impl std::error::Error for InterpolationError {}

impl fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: option `{}` in section [{}]: {}",
            self.origin, self.option, self.section, self.message
        )
    }
}

/// The merged content of one or more INI files.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    defaults: Section,
    /// In order of first appearance.
    sections: IndexMap<String, Section>,
    /// Lines read as Python read them, but that do not say what they seem to.
    warnings: Vec<SyntaxError>,
}

/// Python 2 `str.isspace()` on one byte-string character.
fn is_py_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Python 2 `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python 2 `str.split()` with no argument.
pub fn py_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|w| !w.is_empty())
}

impl Ini {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `text` and merges it into this document, like `ConfigParser.read`.
    /// All malformed lines are reported, as Python does, but at most 20.
    pub fn read_str(&mut self, text: &str, file: &Arc<SourceFile>) -> Result<(), Vec<SyntaxError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut errors = Vec::new();
        // None: no section yet; Some(None): DEFAULT; Some(Some(i)): sections[i].
        let mut current: Option<Option<usize>> = None;
        // The option a continuation line extends, and the lines collected so far.
        let mut pending: Option<(String, Vec<String>, Value)> = None;

        for (number, line) in text.split_inclusive('\n').enumerate() {
            let line_no = number + 1;
            let origin = Origin {
                file: Arc::clone(file),
                line: line_no,
            };
            let first = line.chars().next().unwrap_or('\n');
            if py_strip(line).is_empty() || first == '#' || first == ';' {
                continue;
            }
            if matches!(first, 'r' | 'R')
                && py_split(line)
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("rem"))
            {
                continue;
            }
            if is_py_space(first) && current.is_some() {
                if let Some((_, lines, _)) = pending.as_mut() {
                    let value = py_strip(line);
                    if !value.is_empty() {
                        lines.push(value.to_owned());
                    }
                    continue;
                }
            }
            if let Some(name) = section_header(line) {
                self.flush(current, pending.take());
                current = Some(if name == DEFAULT_SECTION {
                    None
                } else {
                    Some(self.ensure_section(name, origin))
                });
                continue;
            }
            if current.is_none() {
                errors.push(SyntaxError {
                    origin,
                    message: format!("file contains no section headers: {:?}", excerpt(line)),
                });
                break;
            }
            match option_line(line) {
                Some((key, value)) => {
                    if line.starts_with('[') {
                        let section = match current {
                            Some(Some(i)) => self
                                .sections
                                .get_index(i)
                                .map_or(DEFAULT_SECTION, |(name, _)| name.as_str()),
                            _ => DEFAULT_SECTION,
                        };
                        self.warnings.push(SyntaxError {
                            origin: origin.clone(),
                            message: format!(
                                "{:?} looks like a section header missing its `]`; it is read as option `{key}` of [{section}], and the lines after it change [{section}]",
                                excerpt(line)
                            ),
                        });
                    }
                    self.flush(current, pending.take());
                    pending = Some((
                        key,
                        vec![value],
                        Value {
                            text: String::new(),
                            origin,
                            literal: false,
                        },
                    ));
                }
                None => {
                    if errors.len() < 20 {
                        errors.push(SyntaxError {
                            origin,
                            message: format!(
                                "not a section, option or comment: {:?}",
                                line.trim_end()
                            ),
                        });
                    }
                }
            }
        }
        self.flush(current, pending.take());
        // A document is read once, then only looked up: a planet's thousand
        // feed sections of one option each would otherwise keep room for four.
        self.sections.shrink_to_fit();
        for section in self.sections.values_mut() {
            section.entries.shrink_to_fit();
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn flush(
        &mut self,
        current: Option<Option<usize>>,
        pending: Option<(String, Vec<String>, Value)>,
    ) {
        if let (Some(section), Some((key, lines, mut value))) = (current, pending) {
            value.text = lines.join("\n");
            self.section_mut(section).set(key, value);
        }
    }

    fn section_mut(&mut self, section: Option<usize>) -> &mut Section {
        match section.and_then(|i| self.sections.get_index_mut(i)) {
            Some((_, s)) => s,
            None => &mut self.defaults,
        }
    }

    fn ensure_section(&mut self, name: &str, origin: Origin) -> usize {
        if let Some(i) = self.sections.get_index_of(name) {
            return i;
        }
        self.sections
            .insert_full(
                name.to_owned(),
                Section {
                    entries: Vec::new(),
                    origin: Some(origin),
                },
            )
            .0
    }

    /// Adds an empty section if it does not exist (`add_section` without the error).
    pub fn add_section(&mut self, name: &str, origin: Origin) {
        if name != DEFAULT_SECTION {
            self.ensure_section(name, origin);
        }
    }

    /// Sets a value, creating the section if needed (`DEFAULT` sets a default).
    /// The key is lower-cased, as `ConfigParser.set` does.
    pub fn set(&mut self, section: &str, key: &str, value: Value) {
        let key = key.to_ascii_lowercase();
        if section == DEFAULT_SECTION {
            self.defaults.set(key, value);
        } else {
            let origin = value.origin.clone();
            let i = self.ensure_section(section, origin);
            self.section_mut(Some(i)).set(key, value);
        }
    }

    /// Merges `other` on top of this document, as reading it after this one would.
    pub fn merge(&mut self, other: Ini) {
        self.warnings.extend(other.warnings);
        for (key, value) in other.defaults.entries {
            self.defaults.set(key, value);
        }
        for (name, section) in other.sections {
            let origin = section.origin.unwrap_or_else(|| {
                section
                    .entries
                    .first()
                    .map(|(_, v)| v.origin.clone())
                    .unwrap_or_else(empty_origin)
            });
            let i = self.ensure_section(&name, origin);
            let target = self.section_mut(Some(i));
            for (key, value) in section.entries {
                target.set(key, value);
            }
        }
    }

    /// Section names in order of first appearance (without `DEFAULT`).
    /// Malformed lines that were read anyway (as Python's `ConfigParser` read them).
    pub fn syntax_warnings(&self) -> &[SyntaxError] {
        &self.warnings
    }

    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }

    /// How many sections there are (without `DEFAULT`).
    pub fn section_count(&self) -> usize {
        self.sections.len()
    }

    pub fn has_section(&self, name: &str) -> bool {
        self.sections.contains_key(name)
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.get(name)
    }

    /// `has_option`: true when the section or `[DEFAULT]` has the key.
    pub fn has_option(&self, section: &str, key: &str) -> bool {
        self.raw(section, key).is_some()
    }

    /// The stored value, before interpolation: the section's, else `[DEFAULT]`'s.
    pub fn raw(&self, section: &str, key: &str) -> Option<&Value> {
        let key = key.to_ascii_lowercase();
        let own = if section == DEFAULT_SECTION {
            None
        } else {
            self.section(section)?.get(&key)
        };
        own.or_else(|| self.defaults.get(&key))
    }

    /// The options written in a section itself (`DEFAULT` gives the defaults).
    pub fn own_options(&self, section: &str) -> Vec<(&str, &Value)> {
        let entries = if section == DEFAULT_SECTION {
            Some(&self.defaults.entries)
        } else {
            self.section(section).map(|s| &s.entries)
        };
        entries
            .map(|e| e.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    }

    /// Option names of a section: its own, then inherited defaults (`options()`).
    pub fn options(&self, section: &str) -> Vec<&str> {
        let Some(own) = self.section(section) else {
            return Vec::new();
        };
        let own: Vec<&str> = own.entries.iter().map(|(k, _)| k.as_str()).collect();
        let inherited = self
            .defaults
            .entries
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !own.contains(k))
            .collect::<Vec<_>>();
        own.into_iter().chain(inherited).collect()
    }

    /// `get(section, option)`: the interpolated value, or `None` when absent.
    pub fn get(&self, section: &str, key: &str) -> Result<Option<String>, InterpolationError> {
        match self.raw(section, key) {
            None => Ok(None),
            Some(v) if v.literal => Ok(Some(v.text.clone())),
            Some(v) => self.interpolate(section, key, v).map(Some),
        }
    }

    fn lookup_for_interpolation(&self, section: &str, key: &str) -> Option<&str> {
        if key == "__name__" && section != DEFAULT_SECTION {
            return self
                .sections
                .get_key_value(section)
                .map(|(n, _)| n.as_str());
        }
        self.raw(section, key).map(|v| v.text.as_str())
    }

    fn interpolate(
        &self,
        section: &str,
        key: &str,
        raw: &Value,
    ) -> Result<String, InterpolationError> {
        let error = |message: String| InterpolationError {
            section: section.to_owned(),
            option: key.to_owned(),
            origin: raw.origin.clone(),
            message,
        };
        let mut value = raw.text.clone();
        let mut depth = MAX_INTERPOLATION_DEPTH;
        while depth > 0 && value.contains("%(") {
            depth -= 1;
            value = percent_format(&value, |name| self.lookup_for_interpolation(section, name))
                .map_err(error)?;
            if value.len() > MAX_VALUE_LEN {
                return Err(error(format!(
                    "interpolated value exceeds {MAX_VALUE_LEN} bytes"
                )));
            }
        }
        if value.contains("%(") {
            return Err(error(format!(
                "value interpolation too deeply recursive (more than {MAX_INTERPOLATION_DEPTH} levels)"
            )));
        }
        Ok(value)
    }
}

/// A line as quoted in an error: without its newline, at most 80 characters.
fn excerpt(line: &str) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

fn empty_origin() -> Origin {
    Origin {
        file: Arc::new(SourceFile {
            path: PathBuf::new(),
            base_dir: PathBuf::new(),
        }),
        line: 0,
    }
}

/// `SECTCRE = r'\[(?P<header>[^]]+)\]'`, applied with `match` (anchored at the start only).
fn section_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.find(']')?;
    (end > 0).then(|| &rest[..end])
}

/// `OPTCRE`: `(?P<option>[^:=\s][^:=]*)\s*(?P<vi>[:=])\s*(?P<value>.*)$`,
/// followed by Python 2's inline-comment and `""` handling.
fn option_line(line: &str) -> Option<(String, String)> {
    let first = line.chars().next()?;
    if first == ':' || first == '=' || is_py_space(first) {
        return None;
    }
    let sep = line.find([':', '='])?;
    let key = line[..sep]
        .trim_end_matches(is_py_space)
        .to_ascii_lowercase();
    let after = line[sep + 1..].trim_start_matches(is_py_space);
    // `.*$`: everything up to the line's newline (`.` does not match `\n`).
    let mut value = after.split('\n').next().unwrap_or("");
    if let Some(pos) = value.find(';') {
        // `optval[pos-1]`: with pos == 0 Python indexes -1, the last character.
        let before = if pos == 0 {
            value.chars().next_back()
        } else {
            value[..pos].chars().next_back()
        };
        if before.is_some_and(is_py_space) {
            value = &value[..pos];
        }
    }
    let value = py_strip(value);
    let value = if value == "\"\"" { "" } else { value };
    Some((key, value.to_owned()))
}

/// Python's `str % mapping` restricted to `%(name)s` and `%%`, with names
/// lower-cased as `ConfigParser._interpolate` does before formatting.
fn percent_format<'a>(
    value: &str,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        if let Some(after) = tail.strip_prefix('%') {
            out.push('%');
            rest = after;
        } else if let Some(inner) = tail.strip_prefix('(') {
            let close = inner
                .find(')')
                .ok_or_else(|| "unclosed `%(` in value".to_owned())?;
            let name = inner[..close].to_ascii_lowercase();
            let after = inner[close + 1..]
                .strip_prefix('s')
                .ok_or_else(|| format!("`%({name})` must be followed by `s`"))?;
            let replacement = lookup(&name).ok_or_else(|| {
                format!(
                    "bad interpolation: `%({name})s` names no option of this section or [DEFAULT]"
                )
            })?;
            out.push_str(replacement);
            if out.len() > MAX_VALUE_LEN {
                return Err(format!("interpolated value exceeds {MAX_VALUE_LEN} bytes"));
            }
            rest = after;
        } else {
            return Err(
                "a lone `%` in a value that uses `%(name)s` interpolation; write `%%`".to_owned(),
            );
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Builds a [`SourceFile`] for an INI file whose relative paths start at `base` (the file's
/// directory).
pub fn ini_source(path: &Path, base: &Path) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        path: path.to_owned(),
        base_dir: base.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Ini {
        let mut ini = Ini::new();
        ini.read_str(text, &ini_source(Path::new("t.ini"), Path::new("/")))
            .unwrap();
        ini
    }

    fn get(ini: &Ini, s: &str, k: &str) -> Option<String> {
        ini.get(s, k).unwrap()
    }

    #[test]
    fn inline_semicolon_rules_of_python2() {
        let ini = parse("[s]\na = x ; c\nb = x;y ; z\nc = ;x \nd = ;x\ne = \"\"\n");
        assert_eq!(get(&ini, "s", "a").as_deref(), Some("x"));
        // Only the first `;` is examined; it is not preceded by a space.
        assert_eq!(get(&ini, "s", "b").as_deref(), Some("x;y ; z"));
        // pos 0: Python looks at the last character of the value.
        assert_eq!(get(&ini, "s", "c").as_deref(), Some(""));
        assert_eq!(get(&ini, "s", "d").as_deref(), Some(";x"));
        assert_eq!(get(&ini, "s", "e").as_deref(), Some(""));
    }

    #[test]
    fn comments_rem_and_continuations() {
        let ini = parse("rem hello\n[s]\nREM = ignored\nlist:\n  a\n\n  # b\n; c\n  c\n");
        assert!(!ini.has_option("s", "rem"));
        assert_eq!(get(&ini, "s", "list").as_deref(), Some("\na\n# b\nc"));
    }

    #[test]
    fn interpolation_python2_rules() {
        let ini = parse("[DEFAULT]\nroot = /x\n[s]\nA = %(ROOT)s/%(b)s\nb = y\nurl = a%20b\nn = %(__name__)s\nbad = %(nope)s\nloop = %(loop)s\n");
        assert_eq!(get(&ini, "s", "a").as_deref(), Some("/x/y"));
        assert_eq!(get(&ini, "s", "url").as_deref(), Some("a%20b"));
        assert_eq!(get(&ini, "s", "n").as_deref(), Some("s"));
        assert!(ini.get("s", "bad").is_err());
        assert!(ini
            .get("s", "loop")
            .unwrap_err()
            .message
            .contains("recursive"));
    }

    #[test]
    fn errors_name_the_line() {
        let mut ini = Ini::new();
        let err = ini
            .read_str("key = v\n", &ini_source(Path::new("x.ini"), Path::new("/")))
            .unwrap_err();
        assert_eq!(err[0].origin.line, 1);
        let err = ini
            .read_str(
                "[s]\na = 1\n  \nbogus\n",
                &ini_source(Path::new("x.ini"), Path::new("/")),
            )
            .unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "x.ini:4: not a section, option or comment: \"bogus\""
        );
    }

    #[test]
    fn exponential_interpolation_is_capped() {
        let mut text = String::from("[s]\na0 = xxxxxxxxxxxxxxxx\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i} = %(a{p})s%(a{p})s%(a{p})s%(a{p})s%(a{p})s%(a{p})s\n"
            ));
        }
        let ini = parse(&text);
        assert!(ini.get("s", "a9").is_err());
    }
}
