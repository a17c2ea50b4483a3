//! `orrery update`: fetch every feed, store, and publish the planet (Venus's
//! `planet.py`); `--offline` publishes from the store without fetching.
//! Like Venus it fetches every feed whatever its caching hints say (cron
//! decides how often), except feeds gone (410) and those whose server asked
//! to wait (`Retry-After`); `orrery serve --every` is the scheduled way.
//!
//! On a terminal a progress bar runs and a one-screen summary follows. Under
//! cron (no terminal) it is silent unless something failed, so the mail
//! cron sends means something.

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use orrery_planet::{FeedOutcome, FeedReport, Mode, Observer, Options, Summary};

use crate::memory::TrimAfterFetch;

/// Publishing warnings shown before "... and N more", to keep the summary on
/// one screen (`--verbose` shows them all).
const MAX_WARNINGS: usize = 5;

/// Options shared by the commands that run a planet.
#[derive(clap::Args)]
pub struct PlanetArgs {
    #[command(flatten)]
    planet: super::ConfigArgs,
    /// Print the summary even when not on a terminal.
    #[arg(long, short = 'v', conflicts_with = "quiet", global = true)]
    verbose: bool,
    /// Print only failures, even on a terminal.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
}

impl PlanetArgs {
    pub fn options(&self) -> anyhow::Result<Options> {
        self.planet.options()
    }

    /// Whether to print the full summary (failures are always printed).
    pub fn chatty(&self) -> bool {
        !self.quiet && (self.verbose || std::io::stdout().is_terminal())
    }

    fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    planet: PlanetArgs,
    /// Rebuild the outputs from the store without fetching.
    #[arg(long, short = 'o')]
    offline: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mode = if args.offline {
        Mode::Offline
    } else {
        Mode::Update
    };
    run_mode(&args.planet, mode)
}

/// Runs the pipeline in `mode` and reports; shared with `orrery fetch`.
pub fn run_mode(args: &PlanetArgs, mode: Mode) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    let mut observer = TrimAfterFetch(Bar {
        enabled: args.progress(),
        bar: None,
    });
    match orrery_planet::run(&options, mode, &mut observer) {
        Ok(summary) => {
            super::show_attention(&summary.attention);
            if args.chatty() {
                print!("{}", full_summary(&summary, args.verbose));
            } else {
                eprint!("{}", failures(&summary));
            }
            Ok(ExitCode::SUCCESS)
        }
        // A broken configuration: exit status 2 through the caller. The
        // message already names the cause; its source chain would repeat it.
        Err(err) if err.is_config() => Err(anyhow::anyhow!("{err}")),
        Err(err) => {
            eprintln!("orrery: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A progress bar over the feeds, on a terminal only.
struct Bar {
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Observer for Bar {
    fn fetching(&mut self, feeds: usize) {
        if self.enabled {
            let bar = ProgressBar::new(u64::try_from(feeds).unwrap_or(u64::MAX));
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} feeds {wide_msg}")
            {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
    }

    fn feed_done(&mut self, report: &FeedReport) {
        if let Some(bar) = &self.bar {
            bar.set_message(report.url.clone());
            bar.inc(1);
        }
    }

    fn fetched(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn label(feed: &FeedReport) -> String {
    match &feed.name {
        Some(name) => format!("{name} ({})", feed.url),
        None => feed.url.clone(),
    }
}

/// The failed feeds, and those stored only in part, one line each: what
/// cron mails.
fn failures(summary: &Summary) -> String {
    summary
        .feeds
        .iter()
        .filter_map(|f| match &f.outcome {
            FeedOutcome::Failed { reason }
            | FeedOutcome::Updated {
                problem: Some(reason),
                ..
            } => Some(format!("orrery: {}: {reason}\n", label(f))),
            _ => None,
        })
        .collect()
}

/// Everything worth knowing about the run, on one screen.
fn full_summary(summary: &Summary, verbose: bool) -> String {
    let mut out = String::new();
    if !summary.feeds.is_empty() {
        out.push_str(&format!(
            "{}: {}: {} updated, {} not modified, {} failed, {} skipped; {}, {} changed\n",
            summary.planet,
            plural(summary.feeds.len(), "feed", "feeds"),
            summary.updated(),
            summary.not_modified(),
            summary.failed().count(),
            summary.skipped().count(),
            plural(summary.new_entries(), "new entry", "new entries"),
            summary.changed_entries(),
        ));
    }
    section(
        &mut out,
        "failed",
        summary.failed().map(|f| (label(f), &f.outcome)),
    );
    section(
        &mut out,
        "stored in part",
        summary
            .feeds
            .iter()
            .map(|f| (label(f), &f.outcome))
            .filter(|(_, o)| {
                matches!(
                    o,
                    FeedOutcome::Updated {
                        problem: Some(_),
                        ..
                    }
                )
            }),
    );
    let capped: Vec<String> = summary
        .capped()
        .map(|(f, limit)| format!("  {}: ok, {limit}\n", label(f)))
        .collect();
    if !capped.is_empty() {
        out.push_str("cut by a limit (what came before it is on the planet):\n");
        out.extend(capped);
    }
    section(
        &mut out,
        "skipped",
        summary.skipped().map(|f| (label(f), &f.outcome)),
    );
    let moved: Vec<String> = summary
        .moved()
        .filter_map(|f| {
            f.moved_to
                .as_ref()
                .map(|to| format!("  {} -> {to}\n", f.url))
        })
        .collect();
    if !moved.is_empty() {
        out.push_str("moved permanently (update the configuration):\n");
        out.extend(moved);
    }
    // The warnings about mistakes are already shown, whatever the verbosity.
    let notices: Vec<&String> = summary
        .warnings
        .iter()
        .filter(|w| !summary.attention.contains(w))
        .collect();
    let mut warnings: Vec<&String> = Vec::new();
    if verbose {
        warnings.extend(notices.iter().copied());
    }
    if let Some(published) = &summary.published {
        out.push_str(&format!(
            "published {} to {}: {}\n",
            plural(published.items, "entry", "entries"),
            published.output_dir.display(),
            published.written.join(", ")
        ));
        warnings.extend(&published.warnings);
    }
    let shown = if verbose {
        warnings.len()
    } else {
        MAX_WARNINGS
    };
    for warning in warnings.iter().take(shown) {
        out.push_str(&format!("warning: {warning}\n"));
    }
    if warnings.len() > shown {
        out.push_str(&format!(
            "... and {} more (--verbose shows them)\n",
            plural(warnings.len() - shown, "warning", "warnings")
        ));
    }
    if !verbose && !notices.is_empty() {
        out.push_str(&format!(
            "{} (--verbose or `orrery config` shows them)\n",
            plural(
                notices.len(),
                "configuration notice",
                "configuration notices"
            )
        ));
    }
    out
}

fn section<'a>(
    out: &mut String,
    title: &str,
    rows: impl Iterator<Item = (String, &'a FeedOutcome)>,
) {
    let lines: Vec<String> = rows
        .filter_map(|(label, outcome)| match outcome {
            FeedOutcome::Failed { reason }
            | FeedOutcome::Skipped { reason }
            | FeedOutcome::Updated {
                problem: Some(reason),
                ..
            } => Some(format!("  {label}: {reason}\n")),
            _ => None,
        })
        .collect();
    if !lines.is_empty() {
        out.push_str(&format!("{title}:\n"));
        out.extend(lines);
    }
}

/// `1 entry`, `2 entries`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
