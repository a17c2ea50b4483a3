//! The `orrery` command line.

// Before the modules: these replace `std`'s printing macros in all of them
// (see `output`).
macro_rules! print {
    ($($arg:tt)*) => { $crate::output::out(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::output::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::out(format_args!("{}\n", format_args!($($arg)*))) };
}
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::output::err(format_args!($($arg)*)) };
}
macro_rules! eprintln {
    () => { $crate::output::err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::err(format_args!("{}\n", format_args!($($arg)*))) };
}

mod cmd;
mod memory;
mod output;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "orrery",
    version,
    about = "A planet aggregator: feeds in, a river of news out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse one feed file and print what was understood of it.
    Parse(cmd::parse::Args),
    /// Print the resolved planet configuration.
    Config(cmd::config::Args),
    /// Fetch every feed, store the new entries and publish the planet.
    Update(cmd::update::Args),
    /// Fetch and store every feed without publishing.
    Fetch(cmd::fetch::Args),
    /// Forget unsubscribed feeds and entries beyond `cache_keep_entries`.
    Expunge(cmd::expunge::Args),
    /// Create a new planet that publishes right away from an example feed.
    Init(cmd::init::Args),
    /// Subscribe to a feed, or to a site whose feed is then found.
    Add(cmd::add::AddArgs),
    /// Unsubscribe from a feed.
    Remove(cmd::add::RemoveArgs),
    /// Subscribe to every feed of an OPML file (a path or an http(s) URL).
    ImportOpml(cmd::opml::ImportArgs),
    /// Write the subscriptions as an OPML 2.0 document.
    ExportOpml(cmd::opml::ExportArgs),
    /// Write a Venus INI configuration as an equivalent TOML configuration.
    Migrate(cmd::migrate::Args),
    /// List the bundled themes, or import a Planet Venus theme.
    Theme(cmd::theme::Args),
    /// Serve the published planet for preview; with --every, keep it updated.
    Serve(cmd::serve::Args),
    /// Check the configuration and every feed, and list the problems found.
    Check(cmd::check::Args),
    /// Keep entries off the planet for good: add, remove or list blacklisted entry ids.
    Blacklist(cmd::blacklist::Args),
}

fn main() -> std::process::ExitCode {
    memory::limit_malloc_arenas();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd::parse::run(args),
        Command::Config(args) => cmd::config::run(args),
        Command::Update(args) => cmd::update::run(args),
        Command::Fetch(args) => cmd::fetch::run(args),
        Command::Expunge(args) => cmd::expunge::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Add(args) => cmd::add::run_add(args),
        Command::Remove(args) => cmd::add::run_remove(args),
        Command::ImportOpml(args) => cmd::opml::run_import(args),
        Command::ExportOpml(args) => cmd::opml::run_export(args),
        Command::Migrate(args) => cmd::migrate::run(args),
        Command::Theme(args) => cmd::theme::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Blacklist(args) => cmd::blacklist::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("orrery: {}", message(&err));
            std::process::ExitCode::from(2)
        }
    }
}

/// The error and its causes, `: `-joined, leaving out a cause the text already states (many
/// errors quote their source in their own message).
fn message(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
