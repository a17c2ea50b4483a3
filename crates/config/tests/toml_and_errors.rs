//! The native TOML format against the INI format, and broken configurations.

use std::path::{Path, PathBuf};

use orrery_config::{Config, Error, LoadOptions, PlanetConfig};

fn load(dir: &Path, files: &[&str]) -> Result<PlanetConfig, Error> {
    let opts = LoadOptions {
        cwd: dir.to_owned(),
        theme_dirs: vec![],
        builtin_themes: Vec::new(),
    };
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    Config::load(&paths, &opts)?.resolve()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const INI: &str = "\
[Planet]
name = Round Trip
link = https://planet.example/
owner_name = Ann
template_files = index.html.tmpl atom.xml.xslt
items_per_page = 30
bill_of_materials = images/#{face} planet.css
cache_directory = var/cache
future_dates = ignore_date
filters = excerpt.py
custom = hello
per_host_limit = 3
allow_https_downgrade = yes

[DEFAULT]
facewidth = 64

[index.html.tmpl]
days_per_page = 7

[excerpt.py]
width = 300

[https://a.example/feed]
name = A
face = a.png

[feeds/local.xml]
name = Local
ignore_in_feed = updated xml:lang
facewidth = 32

[lists/blogroll.csv]
content_type = csv
";

const TOML: &str = r##"
[planet]
name = "Round Trip"
link = "https://planet.example/"
owner_name = "Ann"
template_files = ["index.html.tmpl", "atom.xml.xslt"]
items_per_page = 30
bill_of_materials = ["images/#{face}", "planet.css"]
cache_directory = "var/cache"
future_dates = "ignore_date"
filters = ["excerpt.py"]
custom = "hello"
per_host_limit = 3
allow_https_downgrade = true

[defaults]
facewidth = 64

[template."index.html.tmpl"]
days_per_page = 7

[filter."excerpt.py"]
width = 300

[[subscription]]
url = "https://a.example/feed"
name = "A"
face = "a.png"

[[subscription]]
url = "feeds/local.xml"
name = "Local"
ignore_in_feed = ["updated", "xml:lang"]
facewidth = 32

[[reading_list]]
url = "lists/blogroll.csv"
type = "csv"
"##;

/// Drops what legitimately differs between the two files: where things were written.
fn without_origins(mut config: PlanetConfig) -> PlanetConfig {
    for sub in &mut config.subscriptions {
        sub.origin.clear();
    }
    for warning in &mut config.warnings {
        if let Some(at) = warning.find(": option") {
            warning.replace_range(..at, "");
        }
    }
    config.warnings.sort();
    for warning in &mut config.attention {
        if let Some(at) = warning.find(": option") {
            warning.replace_range(..at, "");
        }
    }
    config.attention.sort();
    config.planet.options.remove("allow_https_downgrade");
    config
}

#[test]
fn the_same_planet_in_ini_and_toml_resolves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "planet.ini", INI);
    write(dir.path(), "planet.toml", TOML);
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    write(
        dir.path(),
        "lists/blogroll.csv",
        "url,name\nhttps://b.example/feed,B\n",
    );
    let ini = load(dir.path(), &["planet.ini"]).unwrap();
    let toml = load(dir.path(), &["planet.toml"]).unwrap();

    assert_eq!(ini.subscriptions.len(), 3);
    assert_eq!(ini.planet.bill_of_materials, ["images/a.png", "planet.css"]);
    assert_eq!(ini.planet.cache_directory, dir.path().join("var/cache"));
    assert_eq!(ini.planet.fetch.per_host_limit, 3);
    assert_eq!(
        ini.subscriptions[1].normalization.ignore_in_feed,
        ["updated", "xml:lang"]
    );
    assert_eq!(ini.subscriptions[0].options.get("custom").unwrap(), "hello");
    assert!(ini
        .warnings
        .iter()
        .any(|w| w.contains("`filters` is not implemented yet")));
    assert_eq!(without_origins(ini), without_origins(toml));
}

#[test]
fn toml_paths_are_relative_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("etc")).unwrap();
    write(
        dir.path(),
        "etc/planet.toml",
        "[planet]\ncache_directory = \"cache\"\n[[subscription]]\nurl = \"feed.xml\"\n",
    );
    let config = load(dir.path(), &["etc/planet.toml"]).unwrap();
    assert_eq!(config.planet.cache_directory, dir.path().join("etc/cache"));
    assert_eq!(
        config.subscriptions[0].location,
        orrery_config::Location::File(dir.path().join("etc/feed.xml"))
    );
    // So are INI paths (Venus used the working directory; the same when run from the planet's
    // directory), and the defaults.
    write(
        dir.path(),
        "etc/planet.ini",
        "[Planet]\ncache_directory = cache\n[feed.xml]\n",
    );
    let config = load(dir.path(), &["etc/planet.ini"]).unwrap();
    assert_eq!(config.planet.cache_directory, dir.path().join("etc/cache"));
    assert_eq!(config.planet.output_dir, dir.path().join("etc/output"));
    assert_eq!(
        config.subscriptions[0].location,
        orrery_config::Location::File(dir.path().join("etc/feed.xml"))
    );
}

/// Loads `text` as `name` and returns the error message.
fn error(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, text);
    match load(dir.path(), &[name]) {
        Ok(_) => panic!("{name} loaded: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn broken_configs_name_file_and_line() {
    assert_eq!(
        error("a.ini", "name = x\n[Planet]\n"),
        "a.ini:1: file contains no section headers: \"name = x\""
    );
    assert_eq!(
        error("b.ini", "[Planet]\nname = x\nnot an option\n"),
        "b.ini:3: not a section, option or comment: \"not an option\""
    );
    let missing = error("c.ini", "[Planet]\n\nname = %(nope)s\n");
    assert!(
        missing.starts_with("c.ini:3: option `name` in section [Planet]: bad interpolation"),
        "{missing}"
    );
    let deep = error("d.ini", "[Planet]\n[f]\na = %(b)s\nb = %(a)s\n");
    assert!(
        deep.starts_with("d.ini:3:") && deep.contains("too deeply recursive"),
        "{deep}"
    );
    let number = error("e.ini", "[Planet]\nitems_per_page = lots\n");
    assert_eq!(
        number,
        "e.ini:2: option `items_per_page`: \"lots\" is not a whole number between 0 and 4294967295"
    );
    let negative = error("f.ini", "[Planet]\n[http://x/]\nactivity_threshold = -3\n");
    assert!(
        negative.starts_with("f.ini:3: option `activity_threshold`"),
        "{negative}"
    );
    let wild = error("g.ini", "[Planet]\ntemplate_files = #{face}.tmpl\n");
    assert!(
        wild.starts_with("g.ini:2: option `template_files`"),
        "{wild}"
    );
    assert!(error("h.ini", "[feed]\nname = x\n").contains("no [Planet] section"));
    assert!(error(
        "i.ini",
        "[Planet]\nlog_format = %(x)s\nname = %(log_format)s\n"
    )
    .contains("bad interpolation"));
}

#[test]
fn broken_toml_configs() {
    let syntax = error("a.toml", "[planet]\nname = \n");
    assert!(
        syntax.starts_with("a.toml: ") && syntax.contains("line 2"),
        "{syntax}"
    );
    assert!(error(
        "b.toml",
        "[planet]\n[template.\"x.tmpl\"]\nitems_per_page = 3\n"
    )
    .contains("not listed in planet.template_files"));
    assert!(error(
        "c.toml",
        "[planet]\n[[subscription]]\nurl = \"u\"\ncontent_type = \"opml\"\n"
    )
    .contains("use [[reading_list]]"));
    assert!(
        error("d.toml", "[planet]\n[[subscription]]\nname = \"no url\"\n")
            .contains("without a `url`")
    );
    assert!(error("e.toml", "[planet]\nnested = { a = 1 }\n").contains("tables are not allowed"));
    assert!(error("f.toml", "[plant]\n").contains("unknown top-level key `plant`"));
    assert!(error(
        "g.toml",
        "[planet]\n[[reading_list]]\nurl = \"x\"\ntype = \"foaf\"\n"
    )
    .contains("not one of opml"));
    // The option table says which options are lists: a list given to another is refused.
    let list = error("h.toml", "[planet]\nitems_per_page = [1, 2]\n");
    assert!(
        list.contains("`items_per_page`: takes one value, not a list"),
        "{list}"
    );
    let ok = tempfile::tempdir().unwrap();
    write(
        ok.path(),
        "i.toml",
        "[planet]\ntemplate_files = [\"a.tmpl\", \"b.tmpl\"]\n",
    );
    assert_eq!(
        load(ok.path(), &["i.toml"]).unwrap().planet.template_files,
        ["a.tmpl", "b.tmpl"]
    );
}

#[test]
fn unreadable_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        load(dir.path(), &["missing.ini"]),
        Err(Error::Io { .. })
    ));
    let big = format!(
        "[Planet]\n{}",
        "; padding padding padding\n".repeat(400_000)
    );
    write(dir.path(), "big.ini", &big);
    assert!(matches!(
        load(dir.path(), &["big.ini"]),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn latin1_ini_is_read_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("l.ini"), b"[Planet]\nname = Caf\xe9\n").unwrap();
    let config = load(dir.path(), &["l.ini"]).unwrap();
    assert_eq!(config.planet.name, "Café");
    assert!(config.warnings.iter().any(|w| w.contains("not UTF-8")));
}

#[test]
fn readme_documents_every_option() {
    use orrery_config::options::{Status, OPTIONS};
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for option in OPTIONS {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", option.name)))
            .unwrap_or_else(|| panic!("README lacks a row for {}", option.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (default, status) = (cells[2], cells[5]);
        if option.default.is_empty() {
            assert!(matches!(default, "empty" | "derived" | "system"), "{row}");
        } else {
            assert!(default.contains(&format!("`{}`", option.default)), "{row}");
        }
        let want = match option.status {
            Status::Supported => "yes",
            Status::NotYet(_) => "not yet",
            Status::Ignored(_) => "ignored",
        };
        assert_eq!(status, want, "{row}");
    }
}
