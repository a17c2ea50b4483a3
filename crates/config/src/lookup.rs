//! Option lookup with Venus's precedence (venus:planet/config.py `get`) and
//! the typed readings of values.

use std::path::{Path, PathBuf};

use crate::ini::{py_split, Ini, Value};
use crate::{options, Error};

pub const PLANET: &str = "Planet";

/// Option lookup with Venus's precedence.
pub(crate) struct Lookup<'a> {
    pub(crate) ini: &'a Ini,
    pub(crate) cwd: &'a Path,
}

pub(crate) fn invalid(value: &Value, option: &str, message: String) -> Error {
    Error::Invalid {
        origin: value.origin.to_string(),
        option: option.to_owned(),
        message,
    }
}

impl<'a> Lookup<'a> {
    /// Venus's `get(section, option, default)`: the section (which sees
    /// `[DEFAULT]`), then `[Planet]`; `log_format` is read raw.
    pub(crate) fn get(
        &self,
        section: Option<&str>,
        key: &str,
    ) -> Result<Option<(String, &'a Value)>, Error> {
        if let Some(section) = section {
            if let Some(value) = self.ini.raw(section, key) {
                return Ok(Some((
                    self.ini.get(section, key)?.unwrap_or_default(),
                    value,
                )));
            }
        }
        match self.ini.raw(PLANET, key) {
            Some(value) if key == "log_format" => Ok(Some((value.text.clone(), value))),
            Some(value) => Ok(Some((
                self.ini.get(PLANET, key)?.unwrap_or_default(),
                value,
            ))),
            None => Ok(None),
        }
    }

    /// A text option, else its default in the table.
    pub(crate) fn string(&self, section: Option<&str>, key: &str) -> Result<String, Error> {
        Ok(self
            .get(section, key)?
            .map(|(v, _)| v)
            .unwrap_or_else(|| options::default(key).to_owned()))
    }

    /// A string option where Venus treats the empty string as unset.
    pub(crate) fn nonempty(
        &self,
        section: Option<&str>,
        key: &str,
    ) -> Result<Option<String>, Error> {
        Ok(self
            .get(section, key)?
            .map(|(v, _)| v)
            .filter(|v| !v.is_empty()))
    }

    /// Venus's `int(...)`, else the table's default.
    pub(crate) fn uint(&self, section: Option<&str>, key: &str) -> Result<u32, Error> {
        self.uint_or(section, key, options::default(key).parse().unwrap_or(0))
    }

    /// Venus's `int(...)` with a default of the caller's (one that depends on
    /// another option): surrounding whitespace allowed; orrery also requires
    /// the number to be non-negative.
    pub(crate) fn uint_or(
        &self,
        section: Option<&str>,
        key: &str,
        default: u32,
    ) -> Result<u32, Error> {
        match self.get(section, key)? {
            None => Ok(default),
            Some((text, value)) => {
                let t = text.trim();
                t.strip_prefix('+')
                    .unwrap_or(t)
                    .parse::<u32>()
                    .map_err(|_| {
                        invalid(
                            value,
                            key,
                            format!("{text:?} is not a whole number between 0 and {}", u32::MAX),
                        )
                    })
            }
        }
    }

    pub(crate) fn u64(&self, key: &str) -> Result<u64, Error> {
        match self.get(None, key)? {
            None => Ok(options::default(key).parse().unwrap_or(0)),
            Some((text, value)) => text
                .trim()
                .parse()
                .map_err(|_| invalid(value, key, format!("{text:?} is not a whole number"))),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<bool, Error> {
        self.bool_in(None, key)
    }

    /// A boolean read from `section`, then `[Planet]`, then the table's default.
    pub(crate) fn bool_in(&self, section: Option<&str>, key: &str) -> Result<bool, Error> {
        match self.get(section, key)? {
            None => Ok(flag(options::default(key)).unwrap_or(false)),
            Some((text, value)) => flag(&text).ok_or_else(|| {
                invalid(
                    value,
                    key,
                    format!("{text:?} is not a boolean (on/off, true/false, yes/no, 1/0)"),
                )
            }),
        }
    }

    pub(crate) fn list(&self, section: Option<&str>, key: &str) -> Result<Vec<String>, Error> {
        let text = self.string(section, key)?;
        Ok(py_split(&text).map(str::to_owned).collect())
    }

    /// A path option, resolved against the base of the file that set it.
    pub(crate) fn path(&self, key: &str) -> Result<PathBuf, Error> {
        Ok(match self.get(None, key)? {
            Some((text, value)) => value.origin.file.base_dir.join(text),
            None => self.cwd.join(options::default(key)),
        })
    }

    /// A path list option, each entry resolved against the file that set it.
    pub(crate) fn paths(&self, key: &str) -> Result<Vec<PathBuf>, Error> {
        let base = match self.get(None, key)? {
            Some((_, value)) => value.origin.file.base_dir.clone(),
            None => self.cwd.to_owned(),
        };
        Ok(self
            .list(None, key)?
            .into_iter()
            .map(|p| if p == "." { base.clone() } else { base.join(p) })
            .collect())
    }
}

/// Venus's reading of a boolean (`getboolean`).
pub(crate) fn flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// The user's `template_directories`, resolved (used by the theme merge).
pub(crate) fn template_directories(ini: &Ini, cwd: &Path) -> Result<Vec<PathBuf>, Error> {
    Lookup { ini, cwd }.paths("template_directories")
}
