//! orrery-config: reads a planet's configuration — Planet Venus `config.ini`
//! files unchanged, quirks included, or orrery's native TOML — into one
//! resolved, typed model.
//!
//! ```no_run
//! use orrery_config::{Config, LoadOptions};
//! # fn fetch(_url: &str) -> Vec<u8> { Vec::new() }
//! let opts = LoadOptions::from_current_dir()?;
//! let mut config = Config::load(&["planet.ini".into()], &opts)?;
//! // Local reading lists are already read; remote ones are the fetch stage's job.
//! for url in config.pending_reading_lists() {
//!     config.apply_reading_list(&url, &fetch(&url))?;
//! }
//! let resolved = config.resolve()?;
//! for warning in &resolved.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! println!("{} subscriptions", resolved.subscriptions.len());
//! # Ok::<(), orrery_config::Error>(())
//! ```
//!
//! FOAF reading lists (which need an RDF engine) and lists piped through a
//! filter program are reported as unsupported, never silently dropped.
//!
//! Modules: [`ini`] is the Python 2 `ConfigParser` reader; `toml_format`
//! maps TOML onto the same sections; `theme` merges a theme's `config.ini`;
//! [`reading_list`] parses OPML/CSV/INI lists; `resolve` applies Venus's
//! rules (section kinds, inheritance, defaults) to build the [`model`], with
//! `lookup` reading typed values and `warnings` reporting unused options.
//! [`edit`] changes a file's subscriptions in place. Writing an INI
//! configuration as TOML (`orrery migrate`) is Venus compatibility and lives
//! in orrery-venus, on the readers exported here.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod edit;
pub mod ini;
mod lookup;
pub mod model;
pub mod options;
pub mod reading_list;
mod resolve;
mod theme;
mod toml_format;
mod warnings;

pub use lookup::PLANET;
pub use model::*;
pub use resolve::location;
pub use toml_format::scalar_or_list;

use ini::{Ini, InterpolationError, Origin, SourceFile, SyntaxError, Value};
use toml_format::Declared;

/// Largest configuration file accepted, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        /// Kept out of the error chain: the message already includes it.
        error: std::io::Error,
    },
    #[error("{}: larger than {MAX_CONFIG_BYTES} bytes", path.display())]
    TooLarge { path: PathBuf },
    #[error("{}", join_lines(.0))]
    Syntax(Vec<SyntaxError>),
    #[error("{}: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    #[error(transparent)]
    Interpolation(#[from] InterpolationError),
    #[error("{origin}: option `{option}`: {message}")]
    Invalid {
        origin: String,
        option: String,
        message: String,
    },
    #[error("reading list {url}: {message}")]
    ReadingList { url: String, message: String },
    #[error("{0}")]
    Other(String),
}

fn join_lines(errors: &[SyntaxError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where relative paths and themes are looked up.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The working directory: configuration paths given on the command line are relative to
    /// it. Relative paths *inside* a configuration are relative to that file's directory.
    pub cwd: PathBuf,
    /// Directories holding shipped themes, searched after `cwd`.
    pub theme_dirs: Vec<PathBuf>,
    /// Names of the themes built into the program: an `output_theme` naming one of them is not
    /// reported as missing when no directory of that name exists. When the list is given, an
    /// `output_theme` found nowhere is an error ([`Error::Invalid`]); when it is empty (the
    /// caller does not know the program's themes) it is only a warning.
    pub builtin_themes: Vec<String>,
}

impl LoadOptions {
    /// The planet's own directory: that of the first configuration file. Relative paths in
    /// the configuration, and the defaults (`cache`, `output`, themes), start there, so a
    /// planet directory moved elsewhere keeps working in its new place.
    pub fn planet_dir(&self, configs: &[PathBuf]) -> PathBuf {
        configs
            .first()
            .map(|path| file_dir(&self.cwd.join(path), &self.cwd))
            .unwrap_or_else(|| self.cwd.clone())
    }

    /// Options rooted at the process's working directory.
    pub fn from_current_dir() -> Result<Self, Error> {
        let cwd = std::env::current_dir().map_err(|error| Error::Io {
            path: ".".into(),
            error,
        })?;
        Ok(Self {
            cwd,
            theme_dirs: Vec::new(),
            builtin_themes: Vec::new(),
        })
    }
}

/// Configuration files read and merged, before resolution. Holding this
/// lets the fetch stage add remote reading lists before [`Config::resolve`].
#[derive(Debug, Clone)]
pub struct Config {
    ini: Ini,
    files: Vec<Arc<SourceFile>>,
    declared: Vec<Declared>,
    theme: Option<theme::Theme>,
    /// The directory of the theme named by `output_theme`, found once here for everything
    /// that uses the theme (merging, publishing, `check`); `None` for a bundled theme.
    theme_dir: Option<PathBuf>,
    reading_lists: Vec<ReadingList>,
    /// Section name → the reading list it came from, and whether that list is remote.
    listed: HashMap<String, (String, bool)>,
    warnings: Vec<String>,
    /// The planet's directory (that of the first file): the base of the defaults.
    cwd: PathBuf,
    /// The working directory, where Venus looked for relative input files.
    workdir: PathBuf,
}

/// Reads a configuration file with the size cap; a file that is not UTF-8
/// is read as Windows-1252 (Python 2 read bytes, so Latin-1 files worked),
/// with a warning.
pub fn read_text(path: &Path, warnings: &mut Vec<String>) -> Result<String, Error> {
    let io = |error| Error::Io {
        path: path.to_owned(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            warnings.push(format!(
                "{}: not UTF-8; read as Windows-1252",
                path.display()
            ));
            encoding_rs::WINDOWS_1252
                .decode(e.as_bytes())
                .0
                .into_owned()
        }
    })
}

/// The directory of a configuration file (given absolute): the base of its relative paths.
fn file_dir(absolute: &Path, cwd: &Path) -> PathBuf {
    absolute
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_owned)
        .unwrap_or_else(|| cwd.to_owned())
}

/// Whether a configuration file is TOML: by its extension, else by its first tables.
pub fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => true,
        Some("ini" | "conf" | "cfg") => false,
        // Sniff: TOML's planet table is lower-case, Venus's is `[Planet]`.
        _ => text
            .lines()
            .map(str::trim)
            .any(|l| l == "[planet]" || l.starts_with("[[subscription]]")),
    }
}

impl Config {
    /// Reads `paths` in order (later files override earlier ones), merges the
    /// theme named by `output_theme`, and reads local reading lists.
    pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Self, Error> {
        if paths.is_empty() {
            return Err(Error::Other("no configuration file given".to_owned()));
        }
        let mut ini = Ini::new();
        let mut files = Vec::new();
        let mut declared = Vec::new();
        let mut warnings = Vec::new();
        for path in paths {
            let absolute = opts.cwd.join(path);
            let text = read_text(&absolute, &mut warnings)?;
            let base = file_dir(&absolute, &opts.cwd);
            if is_toml(path, &text) {
                let file = Arc::new(SourceFile {
                    path: path.clone(),
                    base_dir: base,
                });
                let found = toml_format::read_toml(&text, &file, &mut ini).map_err(|message| {
                    Error::Toml {
                        path: path.clone(),
                        message,
                    }
                })?;
                declared.extend(found);
                files.push(file);
            } else {
                let file = ini::ini_source(path, &base);
                ini.read_str(&text, &file).map_err(Error::Syntax)?;
                files.push(file);
            }
        }
        if !ini.has_section("Planet") {
            return Err(Error::Other(format!(
                "{}: no [Planet] section (Venus requires one)",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut config = Config {
            ini,
            files,
            declared,
            theme: None,
            theme_dir: None,
            reading_lists: Vec::new(),
            listed: HashMap::new(),
            warnings: Vec::new(),
            cwd: opts.planet_dir(paths),
            workdir: opts.cwd.clone(),
        };
        config.merge_theme(opts, &mut warnings)?;
        config.warnings = warnings;
        config.find_reading_lists()?;
        Ok(config)
    }

    fn merge_theme(&mut self, opts: &LoadOptions, warnings: &mut Vec<String>) -> Result<(), Error> {
        let Some(name) = self
            .ini
            .get("Planet", "output_theme")?
            .filter(|n| !n.is_empty())
        else {
            return Ok(());
        };
        let base = self.theme_base();
        let Some(dir) = theme::find(&name, &base, &opts.theme_dirs) else {
            // A bundled theme, or a Venus-style path to one (`/srv/venus/themes/classic_fancy`):
            // publishing takes those from the program.
            let basename = Path::new(&name)
                .file_name()
                .and_then(|b| b.to_str())
                .unwrap_or_default()
                .to_owned();
            if opts.builtin_themes.contains(&name) || opts.builtin_themes.contains(&basename) {
                return Ok(());
            }
            let why = format!(
                "unable to find theme {name} (no {name} directory beside the configuration or in the theme directories)"
            );
            if opts.builtin_themes.is_empty() {
                // The caller does not know the program's own themes: only a notice.
                warnings.push(why);
                return Ok(());
            }
            let origin = self
                .ini
                .raw("Planet", "output_theme")
                .map(|v| v.origin.to_string())
                .unwrap_or_default();
            return Err(Error::Invalid {
                origin,
                option: "output_theme".into(),
                message: format!(
                    "no theme {name:?}: not a bundled theme ({}) nor a directory beside the configuration or in a --theme-dir",
                    opts.builtin_themes.join(", ")
                ),
            });
        };
        if !dir.join("config.ini").is_file() {
            // A native theme (`theme.toml`, or none): nothing to merge.
            self.theme_dir = Some(dir);
            return Ok(());
        }
        let user_dirs = lookup::template_directories(&self.ini, &self.cwd)?;
        let config_dirs: Vec<PathBuf> = self.files.iter().map(|f| f.base_dir.clone()).collect();
        let (merged, theme) = theme::merge(
            &dir,
            std::mem::take(&mut self.ini),
            user_dirs,
            &config_dirs,
            &self.cwd,
            warnings,
        )?;
        self.ini = merged;
        self.theme_dir = Some(dir);
        self.theme = Some(theme);
        Ok(())
    }

    fn find_reading_lists(&mut self) -> Result<(), Error> {
        let names: Vec<String> = self
            .ini
            .sections()
            .filter(|s| *s != "Planet")
            .map(str::to_owned)
            .collect();
        for section in names {
            let Some(content_type) = self.ini.get(&section, "content_type")? else {
                continue;
            };
            let Some(kind) = reading_list::kind_of(&content_type) else {
                continue;
            };
            let base = self
                .ini
                .section(&section)
                .and_then(|s| s.origin())
                .map(|o| o.file.base_dir.clone());
            let (found, moved) = self.input(&section, base.as_deref().unwrap_or(&self.cwd));
            self.warnings.extend(moved);
            let path = match found {
                Location::File(p) => Some(p),
                Location::Http(_) => None,
                Location::Unsupported(_) => {
                    self.push_list(
                        section,
                        kind,
                        None,
                        ReadingListState::Failed("unsupported URL scheme".into()),
                    );
                    continue;
                }
            };
            if matches!(kind, ReadingListKind::Foaf | ReadingListKind::Filter) {
                self.push_list(section, kind, path, ReadingListState::Unsupported);
                continue;
            }
            let state = match &path {
                None => ReadingListState::Pending,
                Some(p) => match read_bytes(p)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| reading_list::parse(kind, &bytes, &section))
                {
                    Ok(list) => {
                        let base = base.clone().unwrap_or_else(|| self.cwd.clone());
                        ReadingListState::Loaded(self.add_list_entries(&section, list, Some(base)))
                    }
                    Err(message) => ReadingListState::Failed(message),
                },
            };
            self.push_list(section, kind, path, state);
        }
        Ok(())
    }

    fn push_list(
        &mut self,
        url: String,
        kind: ReadingListKind,
        path: Option<PathBuf>,
        state: ReadingListState,
    ) {
        match &state {
            ReadingListState::Unsupported => self.warnings.push(format!(
                "reading list {url}: {kind} reading lists are not supported; skipped"
            )),
            ReadingListState::Failed(why) => self
                .warnings
                .push(format!("reading list {url}: unusable: {why}")),
            _ => {}
        }
        self.reading_lists.push(ReadingList {
            url,
            kind,
            path,
            state,
        });
    }

    /// Merges a list's subscriptions as Venus does (a later read: the list's
    /// values override the same sections' values), refusing what a list
    /// must not do: local files from remote lists, nested lists, reserved names.
    /// `local_base` is where a local list's relative feed paths start; `None`
    /// for a remote list.
    fn add_list_entries(
        &mut self,
        list_url: &str,
        list: reading_list::ParsedList,
        local_base: Option<PathBuf>,
    ) -> usize {
        self.warnings.extend(
            list.warnings
                .into_iter()
                .map(|w| format!("reading list {list_url}: {w}")),
        );
        let local = local_base.is_some();
        let file = Arc::new(SourceFile {
            path: PathBuf::from(list_url),
            base_dir: local_base.unwrap_or_else(|| self.cwd.clone()),
        });
        let origin = Origin { file, line: 0 };
        let mut added = 0;
        for entry in list.entries {
            let refused = if entry.section == "Planet" || entry.section == ini::DEFAULT_SECTION {
                Some("a reserved section name")
            } else if !local
                && !matches!(
                    resolve::location(&entry.section, &self.cwd),
                    Location::Http(_)
                )
            {
                Some("a remote reading list may only list http(s) feeds")
            } else if entry
                .options
                .iter()
                .any(|(k, v)| k == "content_type" && reading_list::kind_of(v).is_some())
            {
                Some("nested reading lists are not followed")
            } else {
                None
            };
            if let Some(why) = refused {
                self.warnings.push(format!(
                    "reading list {list_url}: entry {:?} skipped: {why}",
                    entry.section
                ));
                continue;
            }
            if !self.ini.has_section(&entry.section) {
                self.ini.add_section(&entry.section, origin.clone());
                self.listed
                    .insert(entry.section.clone(), (list_url.to_owned(), !local));
            }
            for (key, text) in entry.options {
                // A remote list adds feeds and nothing else: planet-wide
                // options (other than a feed's own `name`) are not its to set.
                let planet_wide = options::spec(&key)
                    .is_some_and(|s| s.scope == options::Scope::Planet && s.name != "name");
                if !local && planet_wide {
                    self.warnings.push(format!(
                        "reading list {list_url}: option {key:?} of {:?} ignored: a reading list cannot set planet-wide options",
                        entry.section
                    ));
                    continue;
                }
                self.ini.set(
                    &entry.section,
                    &key,
                    Value {
                        text,
                        origin: origin.clone(),
                        literal: true,
                    },
                );
            }
            added += 1;
        }
        added
    }

    /// Where a section name points, as [`resolve::location`] says, except that a relative
    /// local file found only relative to the working directory (where Venus looked) is taken
    /// from there, with a warning.
    pub(crate) fn input(&self, name: &str, base: &Path) -> (Location, Option<String>) {
        let found = resolve::location(name, base);
        if let Location::File(path) = &found {
            let legacy = self.workdir.join(name);
            if Path::new(name).is_relative()
                && base != self.workdir
                && !path.exists()
                && legacy.exists()
            {
                let warning = format!(
                    "{name}: not found beside the configuration ({}); read from the working directory, as Venus did; write its path relative to the configuration file",
                    path.display()
                );
                return (Location::File(legacy), Some(warning));
            }
        }
        (found, None)
    }

    /// The directory a relative `output_theme` starts from: that of the file setting it.
    pub(crate) fn theme_base(&self) -> PathBuf {
        self.ini
            .raw("Planet", "output_theme")
            .filter(|v| self.files.iter().any(|f| Arc::ptr_eq(f, &v.origin.file)))
            .map(|v| v.origin.file.base_dir.clone())
            .unwrap_or_else(|| self.cwd.clone())
    }

    /// URLs of reading lists still to be fetched.
    pub fn pending_reading_lists(&self) -> Vec<String> {
        self.reading_lists
            .iter()
            .filter(|l| l.state == ReadingListState::Pending)
            .map(|l| l.url.clone())
            .collect()
    }

    /// Every reading list and its state.
    pub fn reading_lists(&self) -> &[ReadingList] {
        &self.reading_lists
    }

    /// Adds the subscriptions of a fetched reading list (`url` as returned by
    /// [`Config::pending_reading_lists`]); returns how many were added. On a
    /// parse error the list is marked failed and the error returned, so the
    /// caller may retry with a cached copy.
    pub fn apply_reading_list(&mut self, url: &str, bytes: &[u8]) -> Result<usize, Error> {
        let index = self
            .reading_lists
            .iter()
            .position(|l| {
                l.url == url && l.path.is_none() && l.state != ReadingListState::Unsupported
            })
            .filter(|_| matches!(resolve::location(url, &self.cwd), Location::Http(_)))
            .ok_or_else(|| Error::ReadingList {
                url: url.to_owned(),
                message: "not a remote reading list".into(),
            })?;
        let kind = self
            .reading_lists
            .get(index)
            .map(|l| l.kind)
            .unwrap_or(ReadingListKind::Opml);
        let parsed = reading_list::parse(kind, bytes, url);
        let (state, result) = match parsed {
            Ok(list) => {
                let n = self.add_list_entries(url, list, None);
                (ReadingListState::Loaded(n), Ok(n))
            }
            Err(message) => (
                ReadingListState::Failed(message.clone()),
                Err(Error::ReadingList {
                    url: url.to_owned(),
                    message,
                }),
            ),
        };
        if let Some(list) = self.reading_lists.get_mut(index) {
            list.state = state;
        }
        result
    }

    /// Applies Venus's rules and defaults: the typed model.
    pub fn resolve(&self) -> Result<PlanetConfig, Error> {
        resolve::resolve(self)
    }

    /// The merged document, for callers that need raw option access.
    pub fn ini(&self) -> &Ini {
        &self.ini
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |error| Error::Io {
        path: path.to_owned(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    let limit = reading_list::MAX_LIST_BYTES as u64;
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(Error::Other(format!(
            "{}: larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Loads and resolves in one step, for configurations without remote reading lists
/// (those stay [`ReadingListState::Pending`]).
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<PlanetConfig, Error> {
    Config::load(paths, opts)?.resolve()
}
