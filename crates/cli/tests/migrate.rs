//! `orrery migrate`: the TOML written for a Venus INI configuration must
//! resolve, with the real binary, to what the INI file resolves to.

#[allow(dead_code)] // the shared planet builder is not used here
mod common;

use std::fs;
use std::path::{Component, Path, PathBuf};

use common::{orrery_in, run};
use serde_json::Value;

/// Options whose words matter, not their spacing (written as TOML arrays).
const LIST_OPTIONS: &[&str] = &[
    "template_files",
    "bill_of_materials",
    "filters",
    "template_directories",
    "filter_directories",
    "ignore_in_feed",
    "pubsubhubbub_feeds",
];

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// `orrery config --json` run in `dir`, or the error it printed.
fn resolved(dir: &Path, config: &str) -> Result<Value, String> {
    let (code, stdout, stderr) = run(orrery_in(dir).args(["config", "--json", "-c", config]));
    if code != Some(0) {
        return Err(stderr);
    }
    Ok(serde_json::from_str(&stdout).expect("config --json prints JSON"))
}

/// What may differ between the two files: where subscriptions were written
/// (`file:line` against a TOML file's name), the order of filter sections and
/// of warnings, the file named in front of a warning, the spacing of list
/// options, and FOAF reading lists, which orrery does not read and TOML
/// cannot name (migrate keeps them as comments).
fn normalize(value: &mut Value) {
    if let Some(lists) = value["reading_lists"].as_array_mut() {
        lists.retain(|l| l["kind"] != "foaf");
    }
    if let Some(subs) = value["subscriptions"].as_array_mut() {
        for sub in subs {
            sub.as_object_mut().map(|s| s.remove("origin"));
        }
    }
    for list in ["warnings", "attention"] {
        normalize_warnings(&mut value[list]);
    }
    if let Some(filters) = value["filter_sections"].as_array_mut() {
        filters.sort_by_key(|f| f["name"].to_string());
    }
    normalize_lists(value);
}

fn normalize_warnings(value: &mut Value) {
    if let Some(warnings) = value.as_array_mut() {
        for w in warnings.iter_mut() {
            let text = w.as_str().unwrap_or_default();
            *w = Value::from(match text.find("option `") {
                Some(at) => &text[at..],
                None => text,
            });
        }
        warnings.retain(|w| {
            !w.as_str()
                .is_some_and(|w| w.contains("foaf reading lists") || w.contains(".foaf: "))
        });
        warnings.sort_by_key(|w| w.to_string());
    }
}

fn normalize_lists(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(s) if LIST_OPTIONS.contains(&key.as_str()) => {
                        *s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                    }
                    other => normalize_lists(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_lists),
        _ => {}
    }
}

/// Migrates `ini` (relative to `dir`) to `toml` and checks that both resolve
/// alike; returns the TOML text and the resolved INI configuration.
fn migrate_equal(dir: &Path, ini: &str, toml: &str) -> (String, Value) {
    let (code, _, stderr) = run(orrery_in(dir).args(["migrate", "-c", ini, "--output", toml]));
    assert_eq!(code, Some(0), "migrate {ini}: {stderr}");
    let mut before = resolved(dir, ini).expect("the INI file resolves");
    let mut after = resolved(dir, toml).unwrap_or_else(|e| panic!("{toml} resolves: {e}"));
    normalize(&mut before);
    normalize(&mut after);
    assert_eq!(before, after, "{ini} and {toml} differ");
    let text = fs::read_to_string(dir.join(toml)).expect("read the TOML file");
    (text, before)
}

#[test]
fn the_openstack_2016_example_migrates_with_its_comments() {
    let dir = tempfile::tempdir().unwrap();
    let ini = fs::read_to_string(data("examples/planet-openstack-2016/planet.ini")).unwrap();
    fs::write(dir.path().join("planet.ini"), &ini).unwrap();
    let (toml, config) = migrate_equal(dir.path(), "planet.ini", "planet.toml");
    let subs = config["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), ini.matches("\n[feeds/").count());
    assert_eq!(config["planet"]["output_theme"], "classic_fancy");

    // Each "# was: URL" comment still sits right above its subscription.
    let lines: Vec<&str> = ini.lines().collect();
    for pair in lines.windows(2) {
        if let (Some(url), Some(section)) =
            (pair[0].strip_prefix("# was: "), pair[1].strip_prefix('['))
        {
            let path = section.trim_end_matches(']');
            let expected = format!("# was: {url}\n[[subscription]]\nurl = \"{path}\"\n");
            assert!(toml.contains(&expected), "{expected} not in\n{toml}");
        }
    }
    // Comments above options too, and the file's opening comment.
    assert!(toml.contains("# Hackergotchi default size.\n# If we want"));
    assert!(toml.starts_with(lines[0]));
}

#[test]
fn planet_openstack_with_its_272_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let ini = fs::read_to_string(data("crates/config/tests/data/openstack/planet.ini")).unwrap();
    fs::write(dir.path().join("planet.ini"), &ini).unwrap();
    let (_, config) = migrate_equal(dir.path(), "planet.ini", "planet.toml");
    let sections = ini
        .lines()
        .filter(|l| l.starts_with('[') && *l != "[Planet]" && *l != "[DEFAULT]")
        .count();
    assert_eq!(config["subscriptions"].as_array().unwrap().len(), sections);
}

/// Venus's own test configurations, run from a copy of its checkout as its
/// tests were: each one that loads migrates to an equivalent TOML file, each
/// one that does not is refused with the same error.
#[test]
fn venus_test_configurations() {
    let dir = tempfile::tempdir().unwrap();
    let root = data("crates/config/tests/data/venus");
    copy_tree(&root, dir.path());
    let mut migrated = 0;
    for sub in ["tests/data/config", "examples"] {
        for entry in fs::read_dir(root.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".ini") else {
                continue;
            };
            let ini = format!("{sub}/{name}");
            match resolved(dir.path(), &ini) {
                Ok(_) => {
                    // Beside the INI file: the same directory, so the same defaults.
                    migrate_equal(dir.path(), &ini, &format!("{sub}/{stem}.toml"));
                    migrated += 1;
                }
                Err(error) => {
                    let (code, _, stderr) =
                        run(orrery_in(dir.path()).args(["migrate", "-c", &ini]));
                    assert_eq!(code, Some(2));
                    assert_eq!(stderr, error);
                }
            }
        }
    }
    // Three name themes that are not there (asf, mobile): refused, with the option's line.
    assert!(migrated >= 8, "only {migrated} configurations migrated");
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn python2_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let quirks = fs::read_to_string(data("crates/config/tests/data/quirks.ini")).unwrap();
    fs::write(dir.path().join("quirks.ini"), &quirks).unwrap();
    // Values that do not interpolate make the file unusable, and migrate says why.
    let error = resolved(dir.path(), "quirks.ini").unwrap_err();
    let (code, stdout, stderr) = run(orrery_in(dir.path()).args(["migrate", "-c", "quirks.ini"]));
    assert_eq!((code, stdout.as_str(), stderr), (Some(2), "", error));

    let usable: String = quirks
        .split_inclusive('\n')
        .filter(|l| !l.contains("%(nope)s") && !l.contains("%(d"))
        .collect();
    assert_ne!(usable, quirks);
    fs::write(dir.path().join("usable.ini"), usable).unwrap();
    let (toml, _) = migrate_equal(dir.path(), "usable.ini", "usable.toml");
    assert!(!toml.contains('\r'));
    assert!(toml.contains("\"Quirks again\""));
    assert!(toml.contains("# CRLF line endings on purpose\n"));
    assert!(toml.contains("# column-0 comment inside a value\n"));
}

#[test]
fn defaults_interpolated_per_section() {
    let dir = tempfile::tempdir().unwrap();
    let ini = "[Planet]\nname = P\n\n[DEFAULT]\nnick = %(__name__)s\nface = %(nick)s.png\nsize = 85\n\n\
               [http://a.example/feed]\nname = A\n\n[http://b.example/feed]\nname = B\nnick = bee\n";
    fs::write(dir.path().join("planet.ini"), ini).unwrap();
    let (toml, config) = migrate_equal(dir.path(), "planet.ini", "planet.toml");
    let faces: Vec<&str> = config["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["options"]["face"].as_str().unwrap())
        .collect();
    assert_eq!(faces, ["http://a.example/feed.png", "bee.png"]);
    assert!(toml.contains("[defaults]\nsize = 85\n"), "{toml}");
}

/// Relative paths of an INI file start at the working directory, a TOML
/// file's at its own directory: a TOML file written elsewhere is given paths
/// that name the same places.
#[test]
fn paths_follow_the_toml_file() {
    let dir = tempfile::tempdir().unwrap();
    let planet = dir.path().join("planet");
    fs::create_dir_all(&planet).unwrap();
    let ini = "[Planet]\nname = P\ncache_directory = cache\noutput_dir = out/www\n\
               template_directories = . templates\n\n[feeds/a.xml]\nname = A\n\n[http://b.example/]\nname = B\n";
    fs::write(planet.join("planet.ini"), ini).unwrap();
    let before = resolved(&planet, "planet.ini").unwrap();
    for toml in ["../planet.toml", "conf/planet.toml"] {
        fs::create_dir_all(planet.join("conf")).unwrap();
        let (code, _, stderr) =
            run(orrery_in(&planet).args(["migrate", "-c", "planet.ini", "-o", toml]));
        assert_eq!(code, Some(0), "{stderr}");
        let after = resolved(&planet, toml).unwrap();
        for pointer in [
            "/planet/cache_directory",
            "/planet/output_dir",
            "/planet/template_directories/0",
            "/planet/template_directories/1",
            "/subscriptions/0/location/value",
            "/subscriptions/1/location/value",
        ] {
            let path = |v: &Value| lexical(v.pointer(pointer).and_then(Value::as_str).unwrap());
            assert_eq!(path(&before), path(&after), "{toml}: {pointer}");
        }
    }
}

fn lexical(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in Path::new(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn output_choices() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("planet.ini"),
        "[Planet]\nname = P\n\n[http://a.example/]\nname = A\n",
    )
    .unwrap();
    let (code, stdout, _) = run(orrery_in(dir.path()).args(["migrate", "-c", "planet.ini"]));
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("[[subscription]]\nurl = \"http://a.example/\"\n"),
        "{stdout}"
    );
    fs::write(dir.path().join("planet.toml"), "keep me").unwrap();
    let mut again = orrery_in(dir.path());
    again.args(["migrate", "-c", "planet.ini", "-o", "planet.toml"]);
    let (code, _, stderr) = run(&mut again);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("planet.toml")).unwrap(),
        "keep me"
    );
    let (code, _, stderr) = run(orrery_in(dir.path()).args([
        "migrate",
        "-c",
        "planet.ini",
        "-o",
        "./planet.ini",
        "--force",
    ]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("is the configuration being migrated"),
        "{stderr}"
    );
    let (code, _, _) = run(again.arg("--force"));
    assert_eq!(code, Some(0));
    assert_eq!(
        fs::read_to_string(dir.path().join("planet.toml")).unwrap(),
        stdout
    );
}

/// A theme's templates make sections of the same name template sections:
/// they must become `[template."..."]` tables, with the theme merged alike.
#[test]
fn themed_configuration() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &data("crates/config/tests/data/themes/asf"),
        &dir.path().join("asf"),
    );
    let ini = fs::read_to_string(data(
        "crates/config/tests/data/venus/tests/data/config/themed.ini",
    ))
    .unwrap();
    fs::write(dir.path().join("themed.ini"), ini).unwrap();
    let (toml, config) = migrate_equal(dir.path(), "themed.ini", "themed.toml");
    assert!(config["planet"]["theme_dir"].is_string());
    assert!(toml.contains("[template.\"index.html.xslt\"]\n"), "{toml}");
}
