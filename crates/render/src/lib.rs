//! Publishing a planet: the river-of-news page rendered from a theme, the
//! combined feeds (Atom, RSS 2.0, RSS 1.0, JSON Feed), the subscription
//! lists (OPML, FOAF) and a feed health page.
//!
//! Every output is rendered in memory before any file is touched, so a
//! broken template or bad setting leaves the previous site as it was; each
//! file is then written under a temporary name and renamed into place, so
//! readers never see half a file.

mod context;
mod dates;
mod feeds;
mod links;
mod model;
mod output;
mod site;
mod status;
mod text;
mod theme;
mod xml;

use std::io::Write;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Value};

pub use links::{public_url, scrub_urls};
pub use model::{Channel, Enclosure, Item, Planet, Report};
pub use text::html_to_text;
pub use theme::{Theme, TEMPLATE_SUFFIX};

use context::Context;
use site::Site;
use theme::safe_relative;

/// Bounds the work a (possibly third-party) template may do.
const TEMPLATE_FUEL: u64 = 200_000_000;

/// Extensions of Venus template engines; `index.html.tmpl` names the
/// output `index.html` (the theme importer in orrery-venus reads them too).
pub const ENGINE_EXTENSIONS: &[&str] = &[
    ".tmpl", ".xslt", ".dj", ".genshi", ".py", ".sed", ".plugin", ".jinja", ".jinja2", ".j2",
];

/// Why a site could not be published.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid date format {0:?}")]
    DateFormat(String),
    #[error("no theme named {0:?}")]
    UnknownTheme(String),
    #[error("theme file {file}: {message}")]
    Theme { file: String, message: String },
    #[error("template {name}: {source:#}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
    #[error("{}: {}", path.display(), io_text(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `output_dir` (or a directory in it) is a symbolic link to nothing:
    /// creating it would fail with a bare "File exists".
    #[error("{}: a dangling symbolic link (to {}, which does not exist)", path.display(), target.display())]
    DanglingLink { path: PathBuf, target: PathBuf },
    #[error("JSON output: {0}")]
    Json(serde_json::Error),
}

/// An I/O error in words that say what happened: a full disk is named as
/// such, in the words `df` users search for, without the error number.
pub fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::StorageFull => "no space left on device".to_owned(),
        std::io::ErrorKind::QuotaExceeded => "disk quota exceeded".to_owned(),
        _ => e.to_string(),
    }
}

/// Where `path` points when it is a symbolic link to nothing, which the system reports as
/// a bare "File exists" when a directory is created there.
pub fn dangling_link(path: &Path) -> Option<PathBuf> {
    let link = std::fs::symlink_metadata(path)
        .ok()?
        .file_type()
        .is_symlink();
    (link && std::fs::metadata(path).is_err()).then(|| std::fs::read_link(path).unwrap_or_default())
}

/// Publishes `items` (the selected entries; shown newest first by `date`,
/// at most `items_per_page`) and `channels` (every subscription, failing
/// ones included) into `output_dir` with `theme`.
pub fn render_site(
    planet: &Planet,
    channels: &[Channel],
    items: &[Item],
    theme: &Theme,
    output_dir: &Path,
) -> Result<Report, Error> {
    let mut report = Report::default();
    output::check_dangling(output_dir)?;
    let leftovers = output::remove_leftovers(output_dir);
    if leftovers > 0 {
        report.warnings.push(format!(
            "removed {leftovers} temporary files left by an interrupted run"
        ));
    }
    let materials = locate_materials(planet, channels, theme, &mut report);
    // A face whose image is missing is left out of the page rather than shown broken.
    let faceless: Vec<Channel>;
    let channels = if materials.missing_faces.is_empty() {
        channels
    } else {
        faceless = channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut c = c.clone();
                if materials.missing_faces.contains(&i) {
                    c.options.remove("face");
                }
                c
            })
            .collect();
        &faceless
    };
    // Feeds may carry `javascript:` and `data:` links; none reaches an output.
    let channels = links::channels(channels);
    let items = links::items(items);
    let site = Site::new(planet, &channels, &items)?;
    if site.orphans > 0 {
        report.warnings.push(format!(
            "{} items refer to no subscription and were left out",
            site.orphans
        ));
    }
    let outputs = output_names(theme, planet, &mut report);
    let staged = render_outputs(&site, theme, &outputs, output_dir, &mut report)?;
    for (name, file) in staged {
        file.publish()?;
        report.written.push(name);
    }
    for (rel, source) in materials.found {
        if let Some(path) = safe_relative(&rel) {
            output::copy_atomic(&source, output_dir, &path)?;
            report.copied.push(rel);
        }
    }
    let now: Vec<String> = report
        .written
        .iter()
        .chain(&report.copied)
        .cloned()
        .collect();
    report.removed = output::replace_manifest(output_dir, &now)?;
    Ok(report)
}

/// The theme's outputs followed by the planet's, as Venus merges them.
fn output_names(theme: &Theme, planet: &Planet, report: &mut Report) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for raw in theme.template_files().iter().chain(&planet.template_files) {
        let name = ENGINE_EXTENSIONS
            .iter()
            .find_map(|ext| raw.strip_suffix(ext))
            .unwrap_or(raw);
        if safe_relative(name).is_none() {
            report.warnings.push(format!(
                "template file {raw:?}: not a relative path, skipped"
            ));
        } else if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Renders every output into a temporary file beside its target, to be
/// published together once all have rendered.
fn render_outputs(
    site: &Site,
    theme: &Theme,
    outputs: &[String],
    output_dir: &Path,
    report: &mut Report,
) -> Result<Vec<(String, output::Staged)>, Error> {
    let dirs = &site.planet.template_directories;
    let env = environment(theme, dirs);
    let context = Context::new(site, outputs);
    let mut staged = Vec::with_capacity(outputs.len());
    for name in outputs {
        let template = format!("{name}{TEMPLATE_SUFFIX}");
        let mut file = if theme.find(dirs, &template).is_some() {
            let fail = |source| Error::Template {
                name: template.clone(),
                source,
            };
            let template = env.get_template(&template).map_err(fail)?;
            let mut file = output::Staged::new(output_dir, Path::new(name))?;
            let mut writer = output::Remember::new(file.writer());
            let rendered = template.render_captured_to(context.for_output(site, name), &mut writer);
            // minijinja reports a failed write as "I/O error during
            // rendering": the write's own error says what happened.
            if let Some(e) = writer.error.take() {
                return Err(file.write_error(e));
            }
            rendered.map_err(fail)?;
            file
        } else if let Some(generated) = feeds::generate(name, site) {
            let bytes = generated?;
            let mut file = output::Staged::new(output_dir, Path::new(name))?;
            file.writer()
                .write_all(&bytes)
                .map_err(|e| file.write_error(e))?;
            file
        } else {
            report.warnings.push(format!(
                "{name}: no template {template} and no built-in output of that name"
            ));
            continue;
        };
        file.writer().flush().map_err(|e| file.write_error(e))?;
        staged.push((name.clone(), file));
    }
    Ok(staged)
}

fn environment(theme: &Theme, dirs: &[PathBuf]) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(TEMPLATE_FUEL));
    // The default escaping also encodes `/`, which makes every URL in an
    // attribute unreadable; the five HTML-significant characters suffice.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(s) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            Ok(out.write_str(&text::escape_html(s))?)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.add_filter("lazy_images", lazy_images);
    let theme = theme.clone();
    let dirs = dirs.to_vec();
    env.set_loader(move |name| {
        theme.read_template(&dirs, name).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    });
    env
}

/// The `lazy_images` filter: markup with `loading="lazy"` on its images, for
/// themes that want it (`orrery`); the variables themselves stay as Venus
/// had them. Anything but markup passes unchanged, so it is still escaped.
fn lazy_images(value: Value) -> Value {
    match value.as_str() {
        Some(html) if value.is_safe() => Value::from_safe_string(text::lazy_images(html)),
        _ => value,
    }
}

/// The static files to copy, found before anything is written.
struct Materials {
    found: Vec<(String, theme::Source)>,
    /// Channels (by index) whose expanded material, such as a face image, is missing.
    missing_faces: Vec<usize>,
}

/// Finds the theme's and the planet's static files; a missing one is
/// reported, not fatal (a face image not yet added must not stop the site).
fn locate_materials(
    planet: &Planet,
    channels: &[Channel],
    theme: &Theme,
    report: &mut Report,
) -> Materials {
    let mut materials = Materials {
        found: Vec::new(),
        missing_faces: Vec::new(),
    };
    let mut done: Vec<String> = Vec::new();
    for pattern in theme
        .bill_of_materials()
        .iter()
        .chain(&planet.bill_of_materials)
    {
        for (rel, owner) in expand(pattern, channels) {
            if done.contains(&rel) {
                continue;
            }
            let whose = owner
                .and_then(|i| channels.get(i))
                .map(|c| format!(" (for {})", c.display_name()))
                .unwrap_or_default();
            if safe_relative(&rel).is_none() {
                report
                    .warnings
                    .push(format!("static file {rel:?}{whose}: not a relative path"));
            } else if let Some(source) = theme.find(&planet.template_directories, &rel) {
                materials.found.push((rel.clone(), source));
            } else {
                report
                    .warnings
                    .push(format!("static file {rel}{whose} not found"));
                let is_face = pattern.contains("#{face}");
                if let Some(i) = owner.filter(|_| is_face) {
                    materials.missing_faces.push(i);
                }
            }
            done.push(rel);
        }
    }
    materials
}

/// Venus's `#{key}` expansion: one path per channel having every `key`.
fn expand(pattern: &str, channels: &[Channel]) -> Vec<(String, Option<usize>)> {
    if !pattern.contains("#{") {
        return vec![(pattern.to_owned(), None)];
    }
    channels
        .iter()
        .enumerate()
        .filter_map(|(index, channel)| {
            let mut out = String::new();
            let mut rest = pattern;
            while let Some(start) = rest.find("#{") {
                let end = rest[start..].find('}')? + start;
                let value = channel.options.get(&rest[start + 2..end])?.trim();
                if value.is_empty() {
                    return None;
                }
                out.push_str(&rest[..start]);
                out.push_str(value);
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            Some((out, Some(index)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bill_of_materials_expansion() {
        let with_face = |face: &str| {
            let mut c = Channel::default();
            c.options.insert("face".into(), face.into());
            c
        };
        let channels = [
            with_face("a.png"),
            Channel::default(),
            with_face("b.png"),
            with_face(" "),
        ];
        let expanded: Vec<String> = expand("images/#{face}", &channels)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(expanded, ["images/a.png", "images/b.png"]);
        assert_eq!(expand("planet.css", &channels).len(), 1);
        assert!(expand("images/#{face", &channels).is_empty());
    }
}
