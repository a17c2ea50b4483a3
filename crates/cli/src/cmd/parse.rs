//! `orrery parse`: parse one feed file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use orrery_feed::{ParseOptions, ParsedFeed};

#[derive(clap::Args)]
pub struct Args {
    /// Print the full result as JSON (the conformance schema).
    #[arg(long)]
    json: bool,
    /// The document's URL, as if it had been fetched from there.
    #[arg(long)]
    url: Option<String>,
    /// An HTTP response header, `Name: value`, as if the file had been fetched.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// The feed file.
    file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut opts = ParseOptions {
        url: args.url,
        ..ParseOptions::default()
    };
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .with_context(|| format!("header {h:?} is not `Name: value`"))?;
        opts.headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    let bytes = read_limited(&args.file, opts.limits.max_bytes)?;
    let parsed = orrery_feed::parse(&bytes, &opts);
    if args.json {
        println!("{}", parsed.to_schema_json());
    } else {
        print!("{}", summary(&parsed));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads at most one byte more than the parser will look at, so huge files cost nothing.
fn read_limited(path: &std::path::Path, max: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    file.take(limit)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

fn summary(p: &ParsedFeed) -> String {
    use std::fmt::Write;
    let c = &p.feed.common;
    let mut out = String::new();
    let version = if p.version.is_empty() {
        "unknown"
    } else {
        &p.version
    };
    let _ = writeln!(out, "format:  {version} ({})", p.encoding);
    let _ = writeln!(
        out,
        "title:   {}",
        c.title.as_ref().map_or("", |t| t.value.as_str())
    );
    let _ = writeln!(out, "link:    {}", c.link.as_deref().unwrap_or(""));
    let _ = writeln!(out, "entries: {}", p.entries.len());
    if let Some(why) = &p.bozo_exception {
        let _ = writeln!(out, "bozo:    {why}");
    }
    for e in &p.entries {
        let date = e.date().map_or_else(
            || "-".repeat(20),
            |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let title = e
            .common
            .title
            .as_ref()
            .map_or("(untitled)", |t| t.value.as_str());
        let _ = writeln!(out, "{date}  {title}");
    }
    out
}
