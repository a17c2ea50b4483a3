//! `orrery import-opml` and `orrery export-opml`: move a subscription list
//! between planets and feed readers. Import appends to the configuration file
//! in place (see [`orrery_config::edit`]); export writes OPML 2.0.

use std::path::PathBuf;
use std::process::ExitCode;

use orrery_config::edit::{self, NewSubscription};
use orrery_config::reading_list::{self, Outline};
use orrery_config::{Config, ReadingListKind};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The OPML file: a path, or an http(s) URL.
    file: String,
    /// The configuration file to add to (Venus INI, or TOML by extension)
    /// [default: planet.ini, config.ini, planet.toml or config.toml, the first found].
    #[arg(long = "config", short = 'c')]
    config: Option<PathBuf>,
    /// Print what would be added without changing the configuration.
    #[arg(long)]
    dry_run: bool,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    planet: super::ConfigArgs,
    /// The OPML document.
    #[command(flatten)]
    output: super::OutputArgs,
}

pub fn run_import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = orrery_planet::discover::read_list(&args.file)?;
    let list = reading_list::parse(ReadingListKind::Opml, &bytes, &args.file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file))?;
    for warning in &list.warnings {
        eprintln!("warning: {warning}");
    }
    let mut new = Vec::new();
    let mut refused = Vec::new();
    for entry in list.entries {
        let name = entry
            .options
            .into_iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v)
            .unwrap_or_else(|| entry.section.clone());
        // A list from elsewhere must not make the planet publish local files.
        let web =
            url::Url::parse(&entry.section).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if web {
            new.push(NewSubscription {
                url: entry.section,
                name,
            });
        } else {
            refused.push(entry.section);
        }
    }
    let config = super::config_file(args.config.as_deref())?;
    let text = edit::read_for_edit(&config)?;
    let added = edit::add_subscriptions(&text, &config, &new)?;
    let verb = if args.dry_run { "would add" } else { "added" };
    for sub in &added.added {
        println!("{verb} {} as {:?}", sub.url, sub.name);
    }
    for url in &refused {
        println!("skipped {url}: not an http(s) URL");
    }
    for skipped in &added.skipped {
        println!("skipped {}: {}", skipped.url, skipped.reason);
    }
    if !args.dry_run && !added.added.is_empty() {
        edit::replace_file(&config, added.text.as_bytes())?;
    }
    println!(
        "{} {verb}, {} skipped",
        added.added.len(),
        refused.len() + added.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let options = args.planet.options()?;
    let opts = options.load;
    let output = args.output.path();
    if let Some(path) = &output {
        if let Ok(output) = path.canonicalize() {
            let configs = options.configs.iter();
            if configs
                .filter_map(|c| c.canonicalize().ok())
                .any(|c| c == output)
            {
                anyhow::bail!("{} is a configuration being exported", path.display());
            }
        }
    }
    let config = Config::load(&options.configs, &opts)?;
    for url in config.pending_reading_lists() {
        eprintln!("note: reading list {url} is not fetched by export-opml; its feeds are left out");
    }
    let resolved = config.resolve()?;
    super::show_attention(&resolved.attention);
    let outlines: Vec<Outline> = resolved
        .subscriptions
        .iter()
        .map(|sub| Outline {
            text: sub.name.clone().unwrap_or_else(|| sub.url.clone()),
            xml_url: sub.url.clone(),
            html_url: sub.options.get("link").filter(|l| !l.is_empty()).cloned(),
        })
        .collect();
    let opml = reading_list::write_opml(&resolved.planet.name, &outlines);
    match &output {
        Some(path) => {
            edit::replace_file(path, opml.as_bytes())?;
            eprintln!(
                "wrote {} to {}",
                super::update::plural(outlines.len(), "subscription", "subscriptions"),
                path.display()
            );
        }
        None => print!("{opml}"),
    }
    Ok(ExitCode::SUCCESS)
}
