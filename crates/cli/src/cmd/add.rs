//! `orrery add` and `orrery remove`: subscribe to a site or a feed, and
//! unsubscribe, by editing the configuration file in place (see
//! [`orrery_config::edit`]: comments and layout stay as the owner wrote them).
//! Finding the feed behind a site is the pipeline's ([`orrery_planet::discover`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use orrery_config::edit::{self, NewSubscription};
use orrery_fetch::{is_public, FetchConfig, Fetcher};
use orrery_planet::discover::{discover, DiscoverError};
use url::Url;

#[derive(clap::Args)]
pub struct AddArgs {
    /// A feed's URL, or a site's (its feed is then discovered).
    url: String,
    /// The name shown on the page [default: the feed's title].
    #[arg(long)]
    name: Option<String>,
    /// The configuration file to change (Venus INI, or TOML by extension)
    /// [default: planet.ini, config.ini, planet.toml or config.toml, the first found].
    #[arg(long = "config", short = 'c')]
    config: Option<PathBuf>,
    /// Subscribe even when the feed found on the page lives on another host or
    /// port at an internal address (loopback, private, link-local...). The URL
    /// given is always trusted for its own scheme, host and port.
    #[arg(long)]
    allow_internal: bool,
}

#[derive(clap::Args)]
pub struct RemoveArgs {
    /// The subscription's feed URL, as written in the configuration.
    url: String,
    /// The configuration file to change [default: planet.ini, config.ini, planet.toml or
    /// config.toml, the first found].
    #[arg(long = "config", short = 'c')]
    config: Option<PathBuf>,
}

pub fn run_add(args: AddArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fetcher = Fetcher::new(FetchConfig {
        allow_internal_targets: args.allow_internal,
        ..FetchConfig::default()
    })?;
    let found = runtime
        .block_on(discover(&fetcher, &args.url))
        .map_err(|e| match e {
            // The policy's own advice names the option; here the flag says it.
            DiscoverError::NotAFeed { .. } => anyhow::anyhow!(e.to_string().replace(
                "set allow_internal_targets = yes to allow",
                "pass --allow-internal to subscribe to it"
            )),
            e => e.into(),
        })?;
    let class = runtime.block_on(address_class(&found.url));
    println!("found feed {} ({class})", found.url);
    let name = args
        .name
        .or(found.title)
        .unwrap_or_else(|| found.url.clone());
    subscribe(
        &super::config_file(args.config.as_deref())?,
        &found.url,
        &name,
    )?;
    println!("subscribed to {} as {name:?}", found.url);
    Ok(ExitCode::SUCCESS)
}

pub fn run_remove(args: RemoveArgs) -> anyhow::Result<ExitCode> {
    unsubscribe(&super::config_file(args.config.as_deref())?, &args.url)?;
    println!("unsubscribed from {}", args.url);
    Ok(ExitCode::SUCCESS)
}

/// What the feed's host resolves to, in words: "address 93.184.215.14, public"
/// or "address 127.0.0.1, internal".
async fn address_class(url: &str) -> String {
    let Some((host, port)) = Url::parse(url).ok().and_then(|u| {
        let port = u.port_or_known_default()?;
        Some((u.host_str()?.trim_matches(['[', ']']).to_owned(), port))
    }) else {
        return "a local file".to_owned();
    };
    let lookup = tokio::net::lookup_host((host.as_str(), port)).await;
    match lookup {
        Ok(addrs) => {
            let mut addrs: Vec<_> = addrs.map(|a| a.ip()).collect();
            addrs.sort_unstable();
            addrs.dedup();
            let class = if addrs.iter().all(|a| is_public(*a)) {
                "public"
            } else {
                "internal"
            };
            let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
            format!("address {}, {class}", list.join(", "))
        }
        Err(e) => format!("address unknown: {e}"),
    }
}

/// Adds a subscription to the configuration file; refuses a duplicate.
pub fn subscribe(path: &Path, url: &str, name: &str) -> anyhow::Result<()> {
    let text = edit::read_for_edit(path)?;
    let new = NewSubscription {
        url: url.to_owned(),
        name: name.to_owned(),
    };
    let added = edit::add_subscriptions(&text, path, &[new])?;
    if let Some(skipped) = added.skipped.first() {
        bail!("{}: {}", skipped.url, skipped.reason);
    }
    edit::replace_file(path, added.text.as_bytes())?;
    Ok(())
}

/// Removes every section of the subscription `url`.
pub fn unsubscribe(path: &Path, url: &str) -> anyhow::Result<()> {
    let text = edit::read_for_edit(path)?;
    let updated = edit::remove_subscription(&text, path, url)?;
    edit::replace_file(path, updated.as_bytes())?;
    Ok(())
}
