//! A new owner's first hour, at the command line: `init`, then every command run from the
//! planet's directory without `--config`; a planet moved elsewhere; mistakes in the
//! configuration caught when it loads, with file and line; the bundled example checked clean
//! but for its three intended failures.

mod common;

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{orrery_in, run, Planet};

/// `orrery init DIR` in `parent`; returns DIR.
fn init(parent: &Path, name: &str) -> PathBuf {
    let (code, out, err) = run(orrery_in(parent).args(["init", name]));
    assert_eq!(code, Some(0), "init: {err}");
    assert!(
        out.contains(&format!("cd {name} && orrery update")),
        "{out}"
    );
    parent.join(name)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn point_1_init_then_update_in_the_new_planet_publishes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(tmp.path(), "p");
    let (code, _, err) = run(orrery_in(&dir).args(["update", "-q"]));
    assert_eq!(code, Some(0), "update: {err}");
    assert!(read(&dir.join("output/index.html")).contains("Your planet works"));
    // Every command finds planet.ini by the same rule; `config` too.
    for args in [
        vec!["config"],
        vec!["export-opml"],
        vec!["blacklist", "list"],
        vec!["check", "-o"],
        vec!["fetch", "-q"],
        vec!["expunge", "-q"],
    ] {
        let (code, _, err) = run(orrery_in(&dir).args(&args));
        assert!(matches!(code, Some(0 | 1)), "{args:?}: {err}");
        assert!(!err.contains("No such file"), "{args:?}: {err}");
    }
    // config.ini is the second name looked for.
    fs::rename(dir.join("planet.ini"), dir.join("config.ini")).unwrap();
    let (code, out, err) = run(orrery_in(&dir).args(["config"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("name: My Planet"), "{out}");
    // Nothing found: the names looked for are given.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (code, _, err) = run(orrery_in(&empty).args(["update"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("planet.ini, config.ini, planet.toml"), "{err}");
}

#[test]
fn point_2_a_moved_planet_publishes_in_its_new_place() {
    let tmp = tempfile::tempdir().unwrap();
    let old = init(tmp.path(), "old");
    let ini = read(&old.join("planet.ini"));
    assert!(!ini.contains(&tmp.path().display().to_string()), "{ini}");
    assert_eq!(run(orrery_in(&old).args(["update", "-q"])).0, Some(0));
    let new = tmp.path().join("new");
    fs::rename(&old, &new).unwrap();
    // Run from elsewhere: the paths are the configuration file's, not the working directory's.
    let (code, _, err) = run(orrery_in(tmp.path()).args(["update", "-q", "-c", "new/planet.ini"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(read(&new.join("output/index.html")).contains("Your planet works"));
    assert!(new.join("cache").is_dir());
    assert!(!old.exists(), "nothing written in the old place");
    assert!(!tmp.path().join("output").exists() && !tmp.path().join("cache").exists());
}

/// The planet of `init`, with `extra` appended to its [Planet] section.
fn planet_with(tmp: &Path, extra: &str) -> PathBuf {
    let dir = init(tmp, "p");
    let ini = read(&dir.join("planet.ini")).replacen(
        "feed_timeout = 20\n",
        &format!("feed_timeout = 20\n{extra}\n"),
        1,
    );
    fs::write(dir.join("planet.ini"), ini).unwrap();
    dir
}

fn line_of(dir: &Path, needle: &str) -> usize {
    read(&dir.join("planet.ini"))
        .lines()
        .position(|l| l.starts_with(needle))
        .unwrap()
        + 1
}

#[test]
fn point_3_bad_options_stop_every_command_with_file_and_line() {
    for (extra, option) in [
        ("date_format = %Q %d", "date_format"),
        ("new_date_format = %Q", "new_date_format"),
        ("date_format = \"\"", "date_format"),
        ("output_theme = no-such-theme", "output_theme"),
        ("feed_timeout = 0", "feed_timeout"),
        ("items_per_page = lots", "items_per_page"),
        ("log_level = LOUD", "log_level"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = planet_with(tmp.path(), extra);
        let text = read(&dir.join("planet.ini"));
        let lines: Vec<&str> = text.lines().collect();
        let line = lines
            .iter()
            .rposition(|l| l.starts_with(&format!("{option} =")))
            .unwrap()
            + 1;
        let want = format!("planet.ini:{line}: option `{option}`");
        for args in [
            vec!["update", "-q"],
            vec!["check", "-o"],
            vec!["check"],
            vec!["serve"],
        ] {
            let (code, out, err) = run(orrery_in(&dir).args(&args));
            assert_eq!(code, Some(2), "{extra} / {args:?}: {out}{err}");
            assert_eq!(err.matches(&want).count(), 1, "{extra} / {args:?}: {err}");
            assert!(!err.contains("publishing"), "{err}");
        }
        assert!(!dir.join("output").exists(), "{extra}: nothing published");
    }
}

#[test]
fn point_4_misspelt_options_and_broken_sections_are_warned_about_in_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = planet_with(tmp.path(), "itmes_per_page = 10");
    let mut ini = read(&dir.join("planet.ini"));
    ini.push_str("\n[https://blog.example.org/feed.xml\nname = Broken\n");
    fs::write(dir.join("planet.ini"), ini).unwrap();
    let misspelt = line_of(&dir, "itmes_per_page");
    let broken = line_of(&dir, "[https://blog.example.org");
    for args in [
        vec!["update", "-q"],
        vec!["update", "-o"],
        vec!["fetch"],
        vec!["expunge"],
        vec!["blacklist", "list"],
        vec!["export-opml"],
        vec!["config"],
    ] {
        let (code, _, err) = run(orrery_in(&dir).args(&args));
        assert_eq!(code, Some(0), "{args:?}: {err}");
        let want = format!(
            "planet.ini:{misspelt}: option `itmes_per_page` is unknown: did you mean `items_per_page`?"
        );
        assert_eq!(err.matches(&want).count(), 1, "{args:?}: {err}");
        assert!(
            err.contains(&format!("planet.ini:{broken}: ")) && err.contains("missing its `]`"),
            "{args:?}: {err}"
        );
    }
    let (_, out, _) = run(orrery_in(&dir).args(["check", "-o"]));
    assert!(out.contains("did you mean `items_per_page`"), "{out}");
    assert!(out.contains("missing its `]`"), "{out}");

    // TOML too.
    let toml = tmp.path().join("t");
    fs::create_dir(&toml).unwrap();
    fs::write(
        toml.join("planet.toml"),
        "[planet]\nname = \"T\"\nfeed_timout = 5\n",
    )
    .unwrap();
    let (code, _, err) = run(orrery_in(&toml).args(["update", "-q"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("option `feed_timout` is unknown: did you mean `feed_timeout`?"),
        "{err}"
    );
}

#[test]
fn point_5_an_entry_taken_off_the_blacklist_comes_back_unchanged_feed_and_all() {
    let planet = Planet::new();
    let feed = planet.path().join("feeds/blog.xml");
    fs::write(
        &feed,
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>B</title>
        <id>urn:b</id><link href="https://b.example/"/><updated>2024-05-02T00:00:00Z</updated>
        <entry><id>urn:b:1</id><title>Wanted back</title><updated>2024-05-02T00:00:00Z</updated>
        <content>x</content></entry></feed>"#,
    )
    .unwrap();
    planet.subscribe(&feed.display().to_string(), "Blog");
    let page = || read(&planet.output().join("index.html"));
    assert_eq!(run(&mut planet.update()).0, Some(0));
    let blacklist = |args: &[&str]| run(orrery_in(planet.path()).arg("blacklist").args(args));
    assert_eq!(blacklist(&["add", "urn:b:1"]).0, Some(0));
    assert_eq!(run(&mut planet.update()).0, Some(0));
    assert!(!page().contains("Wanted back"));
    assert_eq!(blacklist(&["remove", "urn:b:1"]).0, Some(0));
    // The feed file is not touched: the next fetch must still read it in full.
    assert_eq!(run(&mut planet.update()).0, Some(0));
    assert!(page().contains("Wanted back"), "{}", page());
}

#[test]
fn point_6_logs_written_to_a_file_carry_no_colour_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(tmp.path(), "p");
    let log = tmp.path().join("serve.log");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = orrery_in(&dir)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--every",
            "1h",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // Wait for the first round's log line, then stop the server.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !read(&log).contains("updated") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = read(&log);
    assert!(text.contains("INFO"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn point_7_an_empty_link_gives_no_empty_or_relative_links_and_check_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(tmp.path(), "p");
    assert_eq!(run(orrery_in(&dir).args(["update", "-q"])).0, Some(0));
    let rss = read(&dir.join("output/rss20.xml"));
    assert!(
        !rss.contains("<link></link>") && !rss.contains("<link/>"),
        "{rss}"
    );
    assert!(!rss.contains("href=\"rss20.xml\""), "{rss}");
    let atom = read(&dir.join("output/atom.xml"));
    assert!(!atom.contains("href=\"atom.xml\""), "{atom}");
    let (code, out, _) = run(orrery_in(&dir).args(["check", "-o"]));
    assert_eq!(code, Some(1));
    assert!(out.contains("option `link` is empty"), "{out}");
    assert!(
        out.contains("1 subscription, 0 fetched: 1 problem"),
        "{out}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn point_8_the_example_checks_clean_but_for_its_three_missing_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/planet-openstack-2016");
    copy_dir(&source, &dir);
    let _ = fs::remove_dir_all(dir.join("output"));
    let _ = fs::remove_dir_all(dir.join("cache"));
    let (code, out, err) = run(orrery_in(&dir).args(["check"]));
    assert_eq!(code, Some(1), "{err}");
    let mut problems: Vec<&str> = out
        .lines()
        .filter(|l| !l.contains("subscriptions,") && !l.starts_with("note: "))
        .collect();
    problems.sort_unstable();
    assert_eq!(
        problems,
        [
            "unreachable: feeds/cloudscaling-engineering.xml: cannot read the file: no such file",
            "unreachable: feeds/hpcloud.xml: cannot read the file: no such file",
            "unreachable: feeds/openstackreactions.xml: cannot read the file: no such file",
        ],
        "{out}"
    );
    assert!(out.ends_with("3 problems\n"), "{out}");
    // The Opensource.com feed has no link, as in 2016: a note, not a problem.
    assert!(
        out.lines()
            .any(|l| l.starts_with("note: anonymous: feeds/opensource-com.xml")),
        "{out}"
    );
    assert_eq!(run(orrery_in(&dir).args(["update", "-q"])).0, Some(0));
    // Every face is published.
    let faces: Vec<_> = fs::read_dir(dir.join("images")).unwrap().collect();
    assert!(faces.len() >= 30, "{}", faces.len());
    for face in faces {
        let name = face.unwrap().file_name();
        assert!(dir.join("output/images").join(&name).is_file(), "{name:?}");
    }
    // check.py compares the page with page.txt (Python 3, standard library).
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        eprintln!("note: python3 not found; check.py not run");
        return;
    }
    let checked = Command::new("python3")
        .current_dir(&dir)
        .args(["check.py", "output/index.html", "--min-text", "99"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{report}");
    assert!(report.contains("SIDEBAR: 3/3"), "{report}");
    // And it can fail: a page.txt without one entry's "by" line.
    let page = read(&dir.join("page.txt"));
    let cut = page.replacen("by bnemec at August 26, 2016 03:49 PM\n", "", 1);
    assert_ne!(cut, page);
    fs::write(dir.join("page.txt"), cut).unwrap();
    let failed = Command::new("python3")
        .current_dir(&dir)
        .args(["check.py", "output/index.html"])
        .output()
        .unwrap();
    assert!(
        !failed.status.success(),
        "{}",
        String::from_utf8_lossy(&failed.stdout)
    );
}

#[test]
fn point_10_output_flags_plurals_errors_generator_and_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(tmp.path(), "p");
    // Plurals.
    let (code, out, err) = run(orrery_in(&dir).args(["update", "-v"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(": 1 feed: ") && out.contains("; 1 new entry, "),
        "{out}"
    );
    assert!(out.contains("published 1 entry to "), "{out}");
    let (_, _, err) = run(orrery_in(&dir).args(["export-opml", "--output", "subs.opml"]));
    assert!(err.contains("wrote 1 subscription to subs.opml"), "{err}");
    // `-o FILE` still writes the file, with a notice that `-o` means --offline elsewhere.
    let (code, _, err) = run(orrery_in(&dir).args(["export-opml", "-o", "old.opml"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(dir.join("old.opml").is_file());
    assert!(err.contains("deprecated"), "{err}");
    // A real generator on the status page.
    let status = read(&dir.join("output/status.html"));
    assert!(
        status.contains("<meta name=\"generator\" content=\"orrery"),
        "{status}"
    );
    // A busy port: the cause once.
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let (code, _, err) = run(orrery_in(&dir).args(["serve", "--listen", &addr]));
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.matches("in use").count(), 1, "{err}");
    // Switching themes removes the old theme's files, never the owner's.
    assert!(dir.join("output/orrery.css").is_file());
    fs::write(dir.join("output/mine.txt"), "mine").unwrap();
    let ini = read(&dir.join("planet.ini")).replace(
        "# output_theme = classic_fancy",
        "output_theme = classic_fancy",
    );
    fs::write(dir.join("planet.ini"), ini).unwrap();
    assert_eq!(run(orrery_in(&dir).args(["update", "-q"])).0, Some(0));
    assert!(!dir.join("output/orrery.css").exists());
    assert!(dir.join("output/planet.css").is_file());
    assert!(dir.join("output/mine.txt").is_file());
    // The status page lists failing subscriptions first.
    let mut ini = read(&dir.join("planet.ini"));
    ini.push_str("\n[zzz/missing.xml]\nname = Zed Missing\n");
    fs::write(dir.join("planet.ini"), ini).unwrap();
    assert_eq!(run(orrery_in(&dir).args(["update", "-q"])).0, Some(0));
    let status = read(&dir.join("output/status.html"));
    let failing = status.find("Zed Missing").unwrap();
    let fine = status.find(">Example feed<").unwrap();
    assert!(failing < fine, "{status}");
}

/// A theme found only through `--theme-dir` publishes: a Venus-style one (a `config.ini`
/// merged under the planet's) and a native one (`theme.toml`), with their static files.
#[test]
fn a_theme_under_theme_dir_publishes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = init(tmp.path(), "p");
    let themes = tmp.path().join("themes");
    let venus = themes.join("venusish");
    fs::create_dir_all(&venus).unwrap();
    fs::write(
        venus.join("config.ini"),
        "[Planet]\ntemplate_files = index.html.jinja\nbill_of_materials = venusish.css\n",
    )
    .unwrap();
    fs::write(
        venus.join("index.html.jinja"),
        "<p>Venusish {{ name }}</p>\n",
    )
    .unwrap();
    fs::write(venus.join("venusish.css"), "p { color: red }\n").unwrap();
    let native = themes.join("native");
    fs::create_dir_all(&native).unwrap();
    fs::write(
        native.join("theme.toml"),
        "template_files = [\"index.html\"]\nbill_of_materials = [\"native.css\"]\n",
    )
    .unwrap();
    fs::write(
        native.join("index.html.jinja"),
        "<p>Native {{ name }}</p>\n",
    )
    .unwrap();
    fs::write(native.join("native.css"), "p { color: blue }\n").unwrap();
    let ini = read(&dir.join("planet.ini"));
    for (name, marker, css) in [
        ("venusish", "Venusish My Planet", "venusish.css"),
        ("native", "Native My Planet", "native.css"),
    ] {
        let themed = ini.replace(
            "# output_theme = classic_fancy",
            &format!("output_theme = {name}"),
        );
        assert_ne!(themed, ini, "the planet names a theme");
        fs::write(dir.join("planet.ini"), themed).unwrap();
        let themes = themes.display().to_string();
        let (code, _, err) = run(orrery_in(&dir).args(["update", "-q", "--theme-dir", &themes]));
        assert_eq!(code, Some(0), "{name}: {err}");
        let index = read(&dir.join("output/index.html"));
        assert!(index.contains(marker), "{name}: {index}");
        assert!(dir.join("output").join(css).is_file(), "{name}");
        // Without the directory the theme is not found, and the run says so.
        let (code, _, err) = run(orrery_in(&dir).args(["update", "-q"]));
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
    }
}
