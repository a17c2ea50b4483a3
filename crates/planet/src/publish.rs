//! From the store to the output directory, through orrery-render.

use std::path::Path;

use chrono::{DateTime, Utc};
use orrery_config::PlanetConfig;
use orrery_render::{render_site, Theme};
use orrery_store::Store;

use crate::report::Published;
use crate::select::select;
use crate::Error;

/// Theme used when the configuration names none.
const DEFAULT_THEME: &str = "orrery";

/// Selects the river from the store and writes every output with the theme
/// the configuration resolved.
pub(crate) fn publish(
    config: &PlanetConfig,
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Published, Error> {
    let selection = select(config, store, now)?;
    let theme = theme(
        config.planet.output_theme.as_deref(),
        config.planet.theme_dir.as_deref(),
    )?;
    let planet = render_planet(config, now);
    let output_dir = &config.planet.output_dir;
    let report = render_site(
        &planet,
        &selection.channels,
        &selection.items,
        &theme,
        output_dir,
    )?;
    Ok(Published {
        output_dir: output_dir.clone(),
        written: report.written,
        items: selection.items.len().min(planet.items_per_page),
        warnings: report.warnings,
    })
}

/// The theme directory the configuration found (beside it or in a
/// `--theme-dir`), else a bundled theme; a Venus-style path
/// (`/srv/venus/themes/classic_fancy`) falls back to the bundled theme of the
/// same name. Only the configuration looks for directories, so what it merged
/// is what publishes.
fn theme(name: Option<&str>, dir: Option<&Path>) -> Result<Theme, Error> {
    if let Some(dir) = dir {
        return Ok(Theme::from_dir(dir)?);
    }
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(Theme::bundled(DEFAULT_THEME)?);
    };
    match Theme::bundled(name) {
        Ok(theme) => Ok(theme),
        Err(err) => {
            let base = Path::new(name)
                .file_name()
                .and_then(|b| b.to_str())
                .filter(|b| *b != name);
            match base {
                Some(base) => Ok(Theme::bundled(base).map_err(|_| err)?),
                None => Err(err.into()),
            }
        }
    }
}

fn render_planet(config: &PlanetConfig, now: DateTime<Utc>) -> orrery_render::Planet {
    let p = &config.planet;
    let defaults = orrery_render::Planet::new("", now);
    // Every field is named, so a field added to either side is not forgotten here.
    orrery_render::Planet {
        name: p.name.clone(),
        link: p.link.clone(),
        owner_name: p.owner_name.clone(),
        owner_email: p.owner_email.clone(),
        // The configuration's defaults name Venus; orrery names itself unless told otherwise.
        generator: if p.options.contains_key("generator") {
            p.generator.clone()
        } else {
            defaults.generator
        },
        generator_uri: if p.options.contains_key("generator_uri") {
            p.generator_uri.clone()
        } else {
            defaults.generator_uri
        },
        date_format: p.date_format.clone(),
        new_date_format: p.new_date_format.clone(),
        items_per_page: usize::try_from(config.items_to_splice()).unwrap_or(usize::MAX),
        template_files: p.template_files.clone(),
        bill_of_materials: p.bill_of_materials.clone(),
        template_directories: p.template_directories.clone(),
        pubsubhubbub_hub: p.pubsubhubbub_hub.clone(),
        options: p.options.clone(),
        now,
    }
}
