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
    seen: HashSet<String>,
}

impl Warnings {
    pub(crate) fn push(&mut self, warning: String) {
        if self.seen.insert(warning.clone()) {
            self.list.push(warning);
        }
    }
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
    for section in sections {
        let planet_level = section == PLANET || section == crate::ini::DEFAULT_SECTION;
        for (key, value) in ini.own_options(section) {
            let message = match options::spec(key) {
                None if options::TEMPLATE_OPTIONS.contains(&key) => continue,
                None => {
                    format!("is not used by orrery itself; it is kept for templates (planet:{key})")
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
