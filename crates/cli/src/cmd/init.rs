//! `orrery init`: a new planet that publishes right away, offline, from an
//! example feed written next to its configuration.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use orrery_render::Theme;

const CONFIG: &str = "planet.ini";
const EXAMPLE_FEED: &str = "example/feed.atom";

#[derive(clap::Args)]
pub struct Args {
    /// Directory of the new planet (created when missing).
    dir: PathBuf,
    /// The planet's title.
    #[arg(long, default_value = "My Planet")]
    name: String,
    /// Copy this bundled theme into DIR/themes/NAME, to change it there.
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let written = create(&args.dir, &args.name, args.theme.as_deref())?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "Publish it with: cd {} && orrery update",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the planet's files and returns their paths; refuses to replace
/// any existing file (nothing is written then).
pub fn create(dir: &Path, name: &str, theme: Option<&str>) -> anyhow::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let root = dir
        .canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))?;
    let name = name.trim();
    if name.is_empty() || name.contains(['\n', '\r']) {
        bail!("the planet's name must be one non-empty line");
    }

    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let theme_dir = match theme {
        Some(theme) => {
            let bundled = Theme::bundled_files(theme).with_context(|| {
                format!("bundled themes: {}", Theme::bundled_names().join(", "))
            })?;
            let relative = Path::new("themes").join(theme);
            for (rel, bytes) in bundled {
                files.push((root.join(&relative).join(rel), bytes.to_vec()));
            }
            Some(ini_safe(&relative)?)
        }
        None => None,
    };
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    files.push((root.join(EXAMPLE_FEED), example_feed(&now).into_bytes()));
    let config = planet_ini(name, theme_dir.as_deref());
    files.push((root.join(CONFIG), config.into_bytes()));

    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        bail!("{} already exists; nothing was written", existing.display());
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        // create_new: never replace a file that appeared meanwhile.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(&bytes))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// A (relative) path as it can stand in a Venus INI value or section name: one line,
/// no `]` (it would end a section name), no `%(` (interpolation), no ` ;`
/// (an inline comment).
fn ini_safe(path: &Path) -> anyhow::Result<String> {
    let text = path
        .to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))?;
    let bad = text.contains(['\n', '\r', ']'])
        || text.contains("%(")
        || text.contains(" ;")
        || text.contains("\t;")
        || text.trim() != text;
    if bad {
        bail!("{text:?} cannot be written into an INI file; choose another directory");
    }
    Ok(text.to_owned())
}

fn planet_ini(name: &str, theme: Option<&str>) -> String {
    let theme_line = match theme {
        Some(dir) => format!("output_theme = {dir}"),
        None => "# output_theme = classic_fancy".to_owned(),
    };
    format!(
        "\
# Planet configuration, in Planet Venus's format: [Planet] for the whole
# site, then one section per subscription, named by its feed's URL.
#
# Publish:         orrery update      (in this directory)
# Check settings:  orrery check -o
#
# Relative paths are resolved against this file's directory, so the planet
# directory can be moved or copied as a whole.

[Planet]
# The title, and the public address of the site (used by its feeds).
name = {name}
link =
owner_name = Anonymous Coward
owner_email =

# Where fetched entries are kept, and where the site is written.
cache_directory = cache
output_dir = output

# The look: orrery's own theme, unless this names another bundled theme
# (see `orrery theme list`) or a theme directory.
{theme_line}

# Entries on the front page, and how dates are written (strftime, UTC).
items_per_page = 60
date_format = %B %d, %Y %I:%M %p
new_date_format = %B %d, %Y

# Seconds to wait for a feed.
feed_timeout = 20

# Hackergotchis: give a subscription `face = alice.png`, put the image in
# images/ and uncomment:
# bill_of_materials = images/#{{face}}

# Subscriptions. `name` is shown on the page; any other option (face,
# nick...) is handed to the templates.

[{EXAMPLE_FEED}]
name = Example feed

# [https://blog.example.org/feed.xml]
# name = Someone's blog
"
    )
}

fn example_feed(now: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example feed</title>
  <link href="https://example.org/"/>
  <id>urn:example:orrery-init</id>
  <updated>{now}</updated>
  <author><name>orrery</name></author>
  <entry>
    <title>Your planet works</title>
    <link href="https://example.org/welcome"/>
    <id>urn:example:orrery-init:welcome</id>
    <updated>{now}</updated>
    <content type="html">&lt;p&gt;This entry comes from a local example feed. Add
      the feeds you want to follow to &lt;code&gt;planet.ini&lt;/code&gt;, one
      section each, then remove this one.&lt;/p&gt;</content>
  </entry>
</feed>
"#
    )
}

#[cfg(test)]
mod tests {
    use orrery_config::LoadOptions;
    use orrery_planet::{FeedOutcome, Mode, Options, Quiet, Summary};

    use super::*;

    /// Runs the whole pipeline on the planet in `root`, from a working
    /// directory elsewhere, and returns the summary and the front page.
    fn publish(root: &Path) -> (Summary, String) {
        let options = Options {
            configs: vec![root.join(CONFIG)],
            load: LoadOptions::from_current_dir().unwrap(),
        };
        let summary = orrery_planet::run(&options, Mode::Update, &mut Quiet).unwrap();
        let index = fs::read_to_string(root.join("output/index.html")).unwrap();
        (summary, index)
    }

    #[test]
    fn a_new_planet_publishes_at_once_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("planet");
        let written = create(&root, "Test Planet", None).unwrap();
        let root = root.canonicalize().unwrap();
        assert_eq!(written, [root.join(EXAMPLE_FEED), root.join(CONFIG)]);

        let (summary, index) = publish(&root);
        assert_eq!(summary.planet, "Test Planet");
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(summary.feeds.len(), 1);
        assert!(
            matches!(
                summary.feeds[0].outcome,
                FeedOutcome::Updated { new: 1, .. }
            ),
            "{:?}",
            summary.feeds[0].outcome
        );
        assert!(index.contains("Your planet works"), "{index}");

        let before = fs::read(root.join(CONFIG)).unwrap();
        let err = create(&root, "Other", Some("classic_fancy")).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fs::read(root.join(CONFIG)).unwrap(), before);
        assert!(!root.join("themes").exists());
    }

    #[test]
    fn a_copied_theme_is_the_one_used() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), "Fancy", Some("classic_fancy")).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let template = root.join("themes/classic_fancy/index.html.jinja");
        let original = fs::read_to_string(&template).unwrap();
        fs::write(&template, original.replace("<h1>", "<h1 class=\"mine\">")).unwrap();
        let (_, index) = publish(&root);
        assert!(index.contains("<h1 class=\"mine\">Fancy</h1>"), "{index}");
        assert!(index.contains("Your planet works"), "{index}");
    }

    #[test]
    fn unknown_themes_and_unwritable_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = create(&dir.path().join("a"), "P", Some("no-such-theme")).unwrap_err();
        assert!(format!("{err:#}").contains("classic_fancy"), "{err:#}");
        assert!(!dir.path().join("a").join(CONFIG).exists());
        // The directory's name is never written into the configuration.
        assert!(create(&dir.path().join("b]c"), "P", None).is_ok());
        assert!(create(&dir.path().join("d"), "two\nlines", None).is_err());
    }
}
