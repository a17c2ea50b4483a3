//! The `warnings` list: each notice once, and one per option orrery does not act on.

use std::collections::HashSet;

use crate::lookup::PLANET;
use crate::options::{self, Scope, Status};
use crate::resolve::Kinds;
use crate::Config;

/// Warnings in first-seen order, each once.
#[derive(Default)]
pub(crate) struct Warnings {
    pub(crate) list: Vec<String>,
    /// The part of `list` every command shows: mistakes in the owner's own files.
    pub(crate) attention: Vec<String>,
    seen: HashSet<String>,
}

impl Warnings {
    pub(crate) fn push(&mut self, warning: String) {
        if self.seen.insert(warning.clone()) {
            self.list.push(warning);
        }
    }

    /// A warning about a likely mistake (a misspelt or unknown option, a malformed line).
    pub(crate) fn push_attention(&mut self, warning: String) {
        if self.seen.insert(warning.clone()) {
            self.list.push(warning.clone());
            self.attention.push(warning);
        }
    }
}

/// The known option `name` is probably a misspelling of: at most two edits away (a swap of
/// two neighbours counts as one), or the same but for `-`/`_`.
pub(crate) fn close_option(name: &str) -> Option<&'static str> {
    let known = options::OPTIONS
        .iter()
        .map(|o| o.name)
        .chain(options::TEMPLATE_OPTIONS.iter().copied());
    let limit = if name.len() <= 4 { 1 } else { 2 };
    known
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
        .or_else(|| {
            let folded = name.replace('-', "_");
            options::spec(&folded).map(|s| s.name)
        })
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// One warning per option orrery does not act on: unknown options (kept for
/// templates), options orrery ignores or does not implement yet, and
/// planet-only options written in a feed or template section.
pub(crate) fn option_warnings(config: &Config, kinds: &Kinds, warnings: &mut Warnings) {
    let ini = &config.ini;
    let mut sections: Vec<&str> = vec![PLANET, crate::ini::DEFAULT_SECTION];
    sections.extend(ini.sections().filter(|s| {
        *s != PLANET
            && !kinds.filter_names.iter().any(|f| f == s)
            && !kinds.reading_lists.contains(*s)
    }));
    let mut reported = HashSet::new();
    for error in ini.syntax_warnings() {
        warnings.push_attention(error.to_string());
    }
    for section in sections {
        let planet_level = section == PLANET || section == crate::ini::DEFAULT_SECTION;
        for (key, value) in ini.own_options(section) {
            // The owner's own files, not a theme's config.ini.
            let own = config
                .files
                .iter()
                .any(|f| std::sync::Arc::ptr_eq(f, &value.origin.file));
            let message = match options::spec(key) {
                None if options::TEMPLATE_OPTIONS.contains(&key) => continue,
                None => {
                    let message = match close_option(key) {
                        Some(known) => format!(
                            "is unknown: did you mean `{known}`? (unknown options are only passed to templates, as planet:{key})"
                        ),
                        None => format!(
                            "is unknown to orrery; it is only passed to templates (planet:{key})"
                        ),
                    };
                    if own && reported.insert(key.to_owned()) {
                        warnings
                            .push_attention(format!("{}: option `{key}` {message}", value.origin));
                        continue;
                    }
                    message
                }
                Some(spec) => match spec.status {
                    Status::Ignored(why) => format!("is ignored: {why}"),
                    Status::NotYet(why) => format!("is not implemented yet: {why}"),
                    Status::Supported
                        if spec.scope == Scope::Planet && !planet_level && key != "name" =>
                    {
                        format!("only has an effect in [Planet]; here it is only passed to templates (in [{section}])")
                    }
                    Status::Supported => continue,
                },
            };
            if reported.insert(key.to_owned()) {
                warnings.push(format!("{}: option `{key}` {message}", value.origin));
            }
        }
    }
}
