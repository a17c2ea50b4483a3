//! The bundled Planet OpenStack example (local feed files, three of them
//! missing) published end to end in a scratch copy.

use std::fs;
use std::path::{Path, PathBuf};

use orrery_config::LoadOptions;
use orrery_planet::{run, FeedOutcome, Mode, Options, Quiet};

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

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/planet-openstack-2016")
}

#[test]
fn planet_openstack_2016() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("planet");
    copy_dir(&example(), &dir);
    let options = Options {
        configs: vec![PathBuf::from("planet.ini")],
        load: LoadOptions {
            cwd: dir.clone(),
            theme_dirs: Vec::new(),
            builtin_themes: Vec::new(),
        },
    };
    let summary = run(&options, Mode::Update, &mut Quiet).unwrap();

    // README.md: three subscriptions point to feed files that do not exist.
    let mut failed: Vec<&str> = summary.failed().map(|f| f.url.as_str()).collect();
    failed.sort_unstable();
    assert_eq!(
        failed,
        [
            "feeds/cloudscaling-engineering.xml",
            "feeds/hpcloud.xml",
            "feeds/openstackreactions.xml"
        ]
    );
    let sections = fs::read_to_string(dir.join("planet.ini"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("[feeds/"))
        .count();
    assert_eq!(summary.feeds.len(), sections);
    assert_eq!(summary.updated(), sections - 3);

    // The page of 27 August 2016 holds 60 entries (items_per_page).
    let published = summary.published.as_ref().unwrap();
    assert_eq!(published.items, 60);
    let html = fs::read_to_string(dir.join("output/index.html")).unwrap();
    assert_eq!(html.matches("class=\"entrygroup\"").count(), 60);
    // The failing subscriptions are flagged in the sidebar.
    assert_eq!(html.matches("class=\"message\"").count(), 3, "{html}");

    // A second run reads nothing new: every file is unchanged.
    let again = run(&options, Mode::Update, &mut Quiet).unwrap();
    assert_eq!(again.not_modified(), sections - 3);
    assert_eq!(again.new_entries(), 0);
    assert!(again
        .feeds
        .iter()
        .all(|f| !matches!(f.outcome, FeedOutcome::Updated { .. })));
    let html_again = fs::read_to_string(dir.join("output/index.html")).unwrap();
    assert_eq!(html_again.matches("class=\"entrygroup\"").count(), 60);
}
