//! `orrery config`: print the resolved planet configuration.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

#[derive(clap::Args)]
pub struct Args {
    /// Print as JSON.
    #[arg(long)]
    json: bool,
    /// Configuration files (Venus INI or TOML); later ones override earlier ones
    /// [default: the first of planet.ini, config.ini, planet.toml, config.toml found].
    #[arg(long = "config", short = 'c')]
    config: Vec<PathBuf>,
    /// A directory of shipped themes, searched after the working directory.
    #[arg(long = "theme-dir")]
    theme_dirs: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = super::load_options(&args.theme_dirs)?;
    let configs = super::config_files(&args.config, &opts.cwd)?;
    // The lists' last fetched copies, so that what the page shows is what is printed.
    let resolved = orrery_planet::load_config(&orrery_planet::Options {
        configs,
        load: opts,
    })?;
    for warning in &resolved.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&resolved)?);
    } else {
        let parts = [
            ("planet", serde_json::to_value(&resolved.planet)?),
            ("templates", serde_json::to_value(&resolved.templates)?),
            (
                "subscriptions",
                serde_json::to_value(&resolved.subscriptions)?,
            ),
            (
                "reading_lists",
                serde_json::to_value(&resolved.reading_lists)?,
            ),
            (
                "filter_sections",
                serde_json::to_value(&resolved.filter_sections)?,
            ),
        ];
        let mut out = String::new();
        for (name, value) in parts {
            plain(&mut out, &serde_json::json!({ name: value }), 0);
        }
        print!("{out}");
    }
    Ok(ExitCode::SUCCESS)
}

/// An indented `key: value` rendering of a JSON tree, lists of scalars on one line.
fn plain(out: &mut String, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::Object(_) => {
                        let _ = writeln!(out, "{pad}{key}:");
                        plain(out, item, depth + 1);
                    }
                    Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                        let _ = writeln!(out, "{pad}{key}: ({})", items.len());
                        plain(out, item, depth + 1);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}{key}: {}", scalar(item));
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let _ = writeln!(out, "{pad}-");
                plain(out, item, depth + 1);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_owned(),
        Value::String(s) if s.contains('\n') => format!("{s:?}"),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
