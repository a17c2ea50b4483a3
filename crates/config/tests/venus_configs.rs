//! Real Venus configurations, with the expectations of Venus's own tests
//! (tests/test_config.py, test_themes.py, test_rlists.py, test_config_csv.py,
//! the tmpl-config cases) and of the OpenStack production file.

use std::path::{Path, PathBuf};

use orrery_config::{
    Config, FutureDates, LoadOptions, Location, PlanetConfig, ReadingListKind, ReadingListState,
};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Loads files relative to `cwd`, the way `cd cwd && planet.py files...` would.
fn load_in(cwd: &Path, files: &[&str]) -> PlanetConfig {
    let opts = LoadOptions {
        cwd: cwd.to_owned(),
        theme_dirs: vec![data().join("themes")],
        builtin_themes: Vec::new(),
    };
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    Config::load(&paths, &opts)
        .and_then(|c| c.resolve())
        .unwrap_or_else(|e| panic!("{files:?}: {e}"))
}

/// Venus's tests run from the checkout root.
fn venus(files: &[&str]) -> PlanetConfig {
    load_in(&data().join("venus"), files)
}

fn urls(config: &PlanetConfig) -> Vec<&str> {
    config
        .subscriptions
        .iter()
        .map(|s| s.url.as_str())
        .collect()
}

fn sub<'a>(config: &'a PlanetConfig, url: &str) -> &'a orrery_config::Subscription {
    config
        .subscriptions
        .iter()
        .find(|s| s.url == url)
        .unwrap_or_else(|| panic!("no subscription {url}"))
}

/// Section headers of an INI file, found by a plain line scan (independent of the reader).
fn headers(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix('[').and_then(|r| r.split(']').next()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn openstack_planet_ini_loads_all_272_subscriptions() {
    let dir = data().join("openstack");
    let config = load_in(&dir, &["planet.ini"]);
    let expected: Vec<String> = headers(&dir.join("planet.ini"))
        .into_iter()
        .filter(|h| h != "Planet" && h != "DEFAULT")
        .collect();
    assert_eq!(expected.len(), 272);
    assert_eq!(urls(&config), expected);

    let planet = &config.planet;
    assert_eq!(planet.name, "Planet OpenStack");
    assert_eq!(planet.owner_name, "Monty Taylor");
    assert_eq!(planet.items_per_page, 60);
    assert_eq!(planet.cache_directory, dir.join("cache"));
    assert_eq!(planet.output_dir, PathBuf::from("/srv/planet/openstack"));
    assert_eq!(planet.log_level, orrery_config::LogLevel::Debug);
    // [DEFAULT] reaches every feed; a feed's own value wins.
    assert!(config
        .subscriptions
        .iter()
        .all(|s| s.options.contains_key("facewidth")));
    assert!(config
        .subscriptions
        .iter()
        .all(|s| s.normalization.future_dates == FutureDates::IgnoreDate));
    let blog = sub(&config, "http://www.openstack.org/blog/feed/");
    assert_eq!(blog.name.as_deref(), Some("OpenStack Blog"));
    assert_eq!(blog.options.get("nick").unwrap(), "openstack");
    assert_eq!(
        blog.location,
        Location::Http("http://www.openstack.org/blog/feed/".into())
    );
    // `%20` in a section name is not interpolation.
    assert!(urls(&config).contains(&"http://engineeredweb.com/tag/OpenStack%20Planet/atom.xml"));
    // bill_of_materials: images/#{face}, one entry per feed with a face.
    let faces: Vec<String> = config
        .subscriptions
        .iter()
        .filter_map(|s| s.options.get("face"))
        .map(|f| format!("images/{f}"))
        .collect();
    assert!(faces.len() > 200);
    assert_eq!(planet.bill_of_materials, faces);
    // The hackergotchi options are read by themes, so they pass without a warning; the theme is
    // reported missing because these options name no built-in themes.
    let about = |key: &str| {
        config
            .warnings
            .iter()
            .filter(|w| w.contains(&format!("`{key}`")))
            .count()
    };
    assert_eq!(
        (about("nick"), about("face"), about("facewidth")),
        (0, 0, 0)
    );
    assert!(config
        .warnings
        .iter()
        .any(|w| w.contains("unable to find theme classic_fancy")));
}

#[test]
fn openstack_2016_local_feed_paths() {
    let dir = data().join("openstack-2016");
    let config = load_in(&dir, &["planet.ini"]);
    let expected = headers(&dir.join("planet.ini")).len() - 2;
    assert_eq!(config.subscriptions.len(), expected);
    let first = &config.subscriptions[0];
    assert_eq!(
        first.location,
        Location::File(dir.join("feeds/openstack-blog.xml"))
    );
    // Non-ASCII names survive.
    assert!(config
        .subscriptions
        .iter()
        .any(|s| s.name.as_deref() == Some("Daniel P. Berrangé")));
}

#[test]
fn venus_test_config_basic_ini() {
    let config = venus(&["tests/data/config/basic.ini"]);
    assert_eq!(
        config.planet.template_files,
        ["index.html.tmpl", "atom.xml.tmpl"]
    );
    assert_eq!(urls(&config), ["feed1", "feed2"]);
    assert_eq!(
        config.planet.feed.as_deref(),
        Some("http://example.com/atom.xml")
    );
    assert_eq!(config.planet.feedtype.as_deref(), Some("atom"));
    assert_eq!(config.planet.name, "Test Configuration");
    assert_eq!(config.planet.link, "http://example.com/");
    assert_eq!(
        config.planet.pubsubhubbub_hub.as_deref(),
        Some("http://pubsubhubbub.appspot.com")
    );
    let days: Vec<(&str, u32)> = config
        .templates
        .iter()
        .map(|t| (t.file.as_str(), t.days_per_page))
        .collect();
    assert_eq!(days, [("index.html.tmpl", 7), ("atom.xml.tmpl", 0)]);
    assert!(config
        .templates
        .iter()
        .all(|t| t.items_per_page == 50 && t.encoding == "utf-8"));
    assert_eq!(config.items_to_splice(), 50);
    assert_eq!(sub(&config, "feed1").options.get("name").unwrap(), "one");
    assert_eq!(sub(&config, "feed2").options.get("name").unwrap(), "two");
    assert_eq!(
        config.templates[0].options.get("days_per_page").unwrap(),
        "7"
    );
    assert_eq!(
        config.templates[0].options.get("items_per_page").unwrap(),
        "50"
    );
    assert_eq!(sub(&config, "feed2").filters, ["foo", "bar"]);
    assert_eq!(sub(&config, "feed1").filters, ["foo"]);
    assert_eq!(config.planet.feed_timeout, 30);
    // Defaults from venus:planet/config.py.
    assert_eq!(config.planet.owner_name, "Anonymous Coward");
    assert_eq!(config.planet.date_format, "%B %d, %Y %I:%M %p");
    assert_eq!(config.planet.cache_keep_entries, 10);
}

#[test]
fn venus_test_themes_themed_ini() {
    let config = venus(&["tests/data/config/themed.ini"]);
    let names: Vec<String> = config
        .planet
        .template_directories
        .iter()
        .map(|d| {
            d.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["foo", "bar", "asf", "config", "common"]);
    assert!(config
        .planet
        .template_files
        .iter()
        .any(|t| t == "index.html.xslt"));
    assert_eq!(urls(&config), ["feed1", "feed2"]);
    let template = |f: &str| config.templates.iter().find(|t| t.file == f).unwrap();
    assert_eq!(template("index.html.xslt").days_per_page, 7);
    assert_eq!(template("atom.xml.xslt").days_per_page, 0);
    assert_eq!(template("atom.xml.xslt").items_per_page, 50);
    assert!(config
        .planet
        .bill_of_materials
        .iter()
        .any(|b| b == "default.css"));
    assert_eq!(config.planet.theme_dir, Some(data().join("themes/asf")));
}

#[test]
fn venus_test_rlists_opml() {
    let config = venus(&["tests/data/config/rlist.ini"]);
    let mut names: Vec<&str> = urls(&config)
        .iter()
        .map(|u| u.rsplit('/').next().unwrap_or(u))
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "testfeed0.atom",
            "testfeed1a.atom",
            "testfeed2.atom",
            "testfeed3.rss"
        ]
    );
    let by_name = |n: &str| {
        config
            .subscriptions
            .iter()
            .find(|s| s.url.ends_with(n))
            .unwrap()
    };
    assert_eq!(
        by_name("testfeed1a.atom").options.get("name").unwrap(),
        "one"
    );
    assert_eq!(
        by_name("testfeed2.atom").options.get("name").unwrap(),
        "two"
    );
    assert_eq!(config.reading_lists[0].state, ReadingListState::Loaded(4));
    assert_eq!(
        by_name("testfeed3.rss").origin,
        "reading list tests/data/config/opml.xml"
    );
}

#[test]
fn venus_test_config_csv_and_config_lists() {
    for file in [
        "tests/data/config/rlist-csv.ini",
        "tests/data/config/rlist-config.ini",
    ] {
        let config = venus(&[file]);
        assert_eq!(urls(&config), ["feed1", "feed2"], "{file}");
        assert_eq!(sub(&config, "feed2").filters, ["foo", "bar"], "{file}");
        assert_eq!(sub(&config, "feed1").filters, ["foo"], "{file}");
    }
}

#[test]
fn several_files_merge_in_order() {
    let config = venus(&[
        "tests/data/config/themed.ini",
        "tests/data/config/subconfig.ini",
    ]);
    assert_eq!(sub(&config, "feed2").filters, ["bar"]);
    assert_eq!(config.planet.name, "Test Configuration");
}

#[test]
fn foaf_reading_lists_are_reported_unsupported() {
    for file in ["foaf.ini", "foaf-deep.ini", "foaf-multiple.ini"] {
        let config = venus(&[&format!("tests/data/config/{file}")]);
        assert!(config.subscriptions.is_empty(), "{file}");
        assert!(config
            .reading_lists
            .iter()
            .all(|l| l.kind == ReadingListKind::Foaf && l.state == ReadingListState::Unsupported));
        assert!(config
            .warnings
            .iter()
            .any(|w| w.contains("foaf reading lists are not supported")));
    }
}

#[test]
fn venus_examples() {
    let schmanet = venus(&["examples/planet-schmanet.ini"]);
    assert_eq!(schmanet.subscriptions.len(), 4);
    assert_eq!(
        schmanet.planet.bill_of_materials,
        [
            "images/keybuk.png",
            "images/jdub.png",
            "images/edd.png",
            "images/thom.png"
        ]
    );
    let thom = sub(&schmanet, "http://blog.clearairturbulence.org/?flav=rss");
    assert_eq!(
        (
            thom.options.get("facewidth").unwrap().as_str(),
            thom.options.get("faceheight").unwrap().as_str()
        ),
        ("59", "85")
    );

    let top100 = venus(&["examples/opml-top100.ini"]);
    assert_eq!(top100.reading_lists[0].state, ReadingListState::Pending);
    assert_eq!(top100.planet.new_feed_items, 4);
    assert!(top100
        .filter_sections
        .iter()
        .any(|f| f.name == "excerpt.py" && f.options.get("width").unwrap() == "500"));

    let foaf = venus(&["examples/foaf-based.ini"]);
    assert_eq!(foaf.planet.activity_threshold, 90);
    assert!(foaf.subscriptions.is_empty());
}

/// The tmpl-config cases: each file's `Expect:` header holds
/// `var == 'value'` clauses about the top-level template variables.
#[test]
fn venus_tmpl_config_cases() {
    let dir = data().join("venus/tmpl");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("; Expect:"))
            .unwrap()
            .trim();
        let config = load_in(&dir, &[path.file_name().unwrap().to_str().unwrap()]);
        let planet = &config.planet;
        for clause in expect.split(" and ") {
            let (var, literal) = clause.split_once(" == ").unwrap();
            let want = literal.trim_matches('\'');
            let got = match var {
                "name" => Some(planet.name.as_str()),
                "link" => Some(planet.link.as_str()),
                "owner_name" => Some(planet.owner_name.as_str()),
                "owner_email" => Some(planet.owner_email.as_str()),
                "generator" => Some(planet.generator_uri.as_str()),
                "feed" => planet.feed.as_deref(),
                "feedtype" => planet.feedtype.as_deref(),
                other => panic!("unexpected variable {other}"),
            };
            assert_eq!(got, Some(want), "{}: {clause}", path.display());
        }
        cases += 1;
    }
    assert_eq!(cases, 6);
}

#[test]
fn opml_reading_list_of_openstack() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        data().join("openstack/planet-openstack-org.opml"),
        dir.path().join("list.opml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.ini"),
        "[Planet]\nname = x\n[list.opml]\ncontent_type = opml\n",
    )
    .unwrap();
    let config = load_in(dir.path(), &["p.ini"]);
    let opml = std::fs::read_to_string(dir.path().join("list.opml")).unwrap();
    let outlines = opml.matches("<outline ").count();
    assert_eq!(config.subscriptions.len(), outlines);
    assert!(config
        .subscriptions
        .iter()
        .any(|s| s.name.as_deref() == Some("Aija Jauntēva")));
}

#[test]
fn remote_reading_list_applied_by_the_fetcher() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.ini"),
        "[Planet]\nname = x\nface = none.png\n[https://example.org/list.csv]\ncontent_type = csv\n[https://a.example/feed]\nname = Mine\n",
    )
    .unwrap();
    let opts = LoadOptions {
        cwd: dir.path().to_owned(),
        theme_dirs: vec![],
        builtin_themes: Vec::new(),
    };
    let mut config = Config::load(&[PathBuf::from("p.ini")], &opts).unwrap();
    assert_eq!(
        config.pending_reading_lists(),
        ["https://example.org/list.csv"]
    );
    let csv = "url,name,face\nhttps://a.example/feed,Listed,a.png\n/etc/passwd,Local,\nhttps://b.example/feed,B,\n";
    assert_eq!(
        config
            .apply_reading_list("https://example.org/list.csv", csv.as_bytes())
            .unwrap(),
        2
    );
    let resolved = config.resolve().unwrap();
    assert_eq!(
        urls(&resolved),
        ["https://a.example/feed", "https://b.example/feed"]
    );
    // As in Venus, the list's values are read after the file's.
    assert_eq!(
        sub(&resolved, "https://a.example/feed").name.as_deref(),
        Some("Listed")
    );
    assert_eq!(
        sub(&resolved, "https://b.example/feed")
            .options
            .get("face")
            .unwrap(),
        "none.png"
    );
    assert!(resolved
        .warnings
        .iter()
        .any(|w| w.contains("/etc/passwd") && w.contains("only list http(s) feeds")));
    assert!(config
        .apply_reading_list("https://example.org/other", b"")
        .is_err());
}
