//! The `orrery` command line.

mod cmd;

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
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd::parse::run(args),
        Command::Config(args) => cmd::config::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("orrery: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
