//! `orrery blacklist`: entries the planet must never show again (a spam post, a post its author
//! asked to take down). The ids are kept in the store; a blacklisted entry is deleted at once and
//! never stored again, whatever its feed says.

use std::process::ExitCode;

use super::update::PlanetArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    planet: PlanetArgs,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Blacklist an entry id (as its feed gives it; see `orrery parse --json`); its stored copies are deleted.
    Add {
        id: String,
        /// Why, for the next person reading the list.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Take an id off the blacklist; the entry comes back with its feed's next fetch.
    Remove { id: String },
    /// List the blacklisted ids.
    List,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.planet.options()?;
    super::preflight(&options)?;
    let outcome = orrery_planet::with_store(&options, |store| {
        match &args.action {
        Action::Add { id, reason } => store
            .blacklist_add(id, reason.as_deref())
            .map(|deleted| {
                format!("blacklisted {id}; {deleted} stored copies deleted (publish again with `orrery update -o`)")
            }),
        Action::Remove { id } => store.blacklist_remove(id).map(|was| {
            if was {
                format!("{id} is no longer blacklisted")
            } else {
                format!("{id} was not blacklisted")
            }
        }),
        Action::List => store.blacklist().map(|list| {
            list.iter()
                .map(|e| {
                    let added = e.added_at.format("%Y-%m-%d %H:%M");
                    match &e.reason {
                        Some(why) => format!("{}\t{added}\t{why}", e.entry_id),
                        None => format!("{}\t{added}", e.entry_id),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
    }
    });
    match outcome {
        Ok(text) => {
            if !text.is_empty() {
                println!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) if err.is_config() => Err(anyhow::anyhow!("{err}")),
        Err(err) => {
            eprintln!("orrery: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}
