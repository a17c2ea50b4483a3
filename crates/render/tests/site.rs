//! Publishing a small planet with both bundled themes into real
//! directories, and reading every output back.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use orrery_render::{render_site, Report, Theme};
use quick_xml::escape::unescape;

fn render(theme: &str, out: &Path) -> Report {
    let theme = Theme::bundled(theme).unwrap();
    render_site(&planet(), &channels(), &items(), &theme, out).unwrap()
}

/// `(tag, text)` of every `<h2>`/`<h3>` before the sidebar, in order,
/// entity-decoded.
fn river_headings(html: &str, sidebar: &str) -> Vec<(String, String)> {
    let river = &html[..html.find(sidebar).unwrap()];
    let mut found = Vec::new();
    for tag in ["h2", "h3"] {
        let mut pos = 0;
        for text in texts_of(river, tag) {
            let at = pos + river[pos..].find(&format!("<{tag}")).unwrap();
            pos = at + 1;
            found.push((at, tag.to_owned(), unescape(&text).unwrap().into_owned()));
        }
    }
    found.sort();
    found
        .into_iter()
        .map(|(_, tag, text)| (tag, text))
        .collect()
}

/// Venus's rules: a day heading when the day changes, a channel heading
/// when the channel changes or a day starts (items() lists the channels
/// A A B A | A B B | B B A over three days).
fn expected_river() -> Vec<(String, String)> {
    let alice = HOSTILE_NAME;
    let bob = "Bob & \"Co\"";
    [
        ("h2", "August 26, 2016"),
        ("h3", alice),
        ("h3", bob),
        ("h3", alice),
        ("h2", "August 25, 2016"),
        ("h3", alice),
        ("h3", bob),
        ("h2", "August 24, 2016"),
        ("h3", bob),
        ("h3", alice),
    ]
    .iter()
    .map(|(t, s)| ((*t).to_owned(), (*s).to_owned()))
    .collect()
}

#[test]
fn classic_fancy_groups_by_day_and_channel() {
    let out = tempfile::tempdir().unwrap();
    render("classic_fancy", out.path());
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(
        river_headings(&html, "<div class=\"sidebar\">"),
        expected_river()
    );
    // Ten published entries (the orphan is left out), one without a title.
    assert_eq!(html.matches("class=\"entrygroup\"").count(), 10);
    assert_eq!(texts_of(&html, "h4").len(), 9);
    assert!(!html.contains("Orphan"));
    // "by AUTHOR at DATE", linking to the entry, the author escaped.
    assert!(html.contains(
        "<a href=\"http://x.example/0\">by Mallory &lt;img src=x onerror=alert(2)&gt; (m@x.example) at August 26, 2016 03:49 PM</a>"
    ));
    // No author: the date alone.
    assert!(html.contains("<a href=\"http://x.example/2\">August 26, 2016 09:00 AM</a>"));
    // A relative permalink is made absolute against the planet's link.
    assert!(html.contains("href=\"http://planet.example/posts/1.html\""));
    // No face image exists here, so none is shown (a broken image would be).
    assert!(!html.contains("class=\"face\""));
    // Balanced groups.
    assert_eq!(html.matches("<div").count(), html.matches("</div>").count());
}

#[test]
fn items_are_shown_newest_first_whatever_their_order() {
    let out = tempfile::tempdir().unwrap();
    let mut shuffled = items();
    shuffled.reverse();
    shuffled.swap(2, 7);
    let theme = Theme::bundled("classic_fancy").unwrap();
    render_site(&planet(), &channels(), &shuffled, &theme, out.path()).unwrap();
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(
        river_headings(&html, "<div class=\"sidebar\">"),
        expected_river()
    );
}

#[test]
fn classic_fancy_sidebar_lists_every_subscription() {
    let out = tempfile::tempdir().unwrap();
    render("classic_fancy", out.path());
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    let sidebar = &html[html.find("<div class=\"sidebar\">").unwrap()..];
    let names: Vec<String> = texts_of(sidebar, "li")
        .iter()
        .map(|t| unescape(t).unwrap().into_owned())
        .collect();
    // Sorted by name, failing ones included.
    assert_eq!(names, [HOSTILE_NAME, "Bob & \"Co\"", "Gone Blog"]);
    assert!(sidebar.contains("<a href=\"http://gone.example/rss\" title=\"subscribe\">"));
    assert!(sidebar
        .contains("<a href=\"http://b.example/\" title=\"Bob&#39;s &lt;b&gt;blog&lt;/b&gt;\">"));
    let failing = "<a class=\"message\" title=\"HTTP 410: the feed is gone &lt;forever&gt; &amp; &quot;ever&quot;\">Gone Blog</a>";
    assert!(sidebar.contains(failing), "{sidebar}");
    for words in [
        "Last updated:",
        "August 27, 2016 08:03 AM",
        "All times are UTC.",
        "Powered by:",
    ] {
        assert!(sidebar.contains(words), "{words}");
    }
}

#[test]
fn plain_text_is_escaped_everywhere() {
    for theme in ["classic_fancy", "orrery"] {
        let out = tempfile::tempdir().unwrap();
        render(theme, out.path());
        for page in ["index.html", "status.html"] {
            let html = fs::read_to_string(out.path().join(page)).unwrap();
            assert!(!html.contains("<script"), "{theme} {page}");
            assert!(!html.contains("<img src=x"), "{theme} {page}");
            assert!(html.contains("Alice &lt;script&gt;"), "{theme} {page}");
            assert!(
                html.contains("<title>")
                    && html.contains("Planet &lt;Test&gt; &amp; &quot;Friends&quot;")
            );
        }
    }
}

#[test]
fn sanitized_markup_is_kept_and_the_orrery_theme_loads_images_lazily() {
    // classic_fancy shows entries as Venus did; the modern theme defers images.
    for (theme, img) in [
        (
            "classic_fancy",
            "<img src=\"http://x.example/a.png\" alt=\"a\">",
        ),
        (
            "orrery",
            "<img loading=\"lazy\" src=\"http://x.example/a.png\" alt=\"a\">",
        ),
    ] {
        let out = tempfile::tempdir().unwrap();
        render(theme, out.path());
        let html = fs::read_to_string(out.path().join("index.html")).unwrap();
        assert!(html.contains("<b>Bold</b> &amp; sanitized</a>"), "{theme}");
        assert!(html.contains(img), "{theme}");
        assert!(html.contains("<p>Body of post 9.</p>"), "{theme}");
    }
}

#[test]
fn orrery_theme_is_accessible_and_grouped_by_day() {
    let out = tempfile::tempdir().unwrap();
    let report = render("orrery", out.path());
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("<a class=\"skip\" href=\"#main\">"));
    assert!(html.contains("<main id=\"main\""));
    assert!(html.contains("<aside"));
    let days: Vec<String> = texts_of(&html, "h2").into_iter().take(3).collect();
    assert_eq!(
        days,
        ["August 26, 2016", "August 25, 2016", "August 24, 2016"]
    );
    assert_eq!(html.matches("<article").count(), 10);
    assert_eq!(
        html.matches("<section").count(),
        html.matches("</section>").count()
    );
    // A failing feed says why in visible words, not only in a tooltip.
    assert!(html.contains("<span class=\"problem\">HTTP 410: the feed is gone &lt;forever&gt;"));
    assert!(report.copied.contains(&"orrery.css".to_owned()));
    let css = fs::read_to_string(out.path().join("orrery.css")).unwrap();
    for rule in [
        "prefers-color-scheme: dark",
        "overflow-x: auto",
        "max-width: 100%",
    ] {
        assert!(css.contains(rule), "{rule}");
    }
}

#[test]
fn every_output_is_written_without_leftovers() {
    let out = tempfile::tempdir().unwrap();
    let report = render("classic_fancy", out.path());
    let mut written = report.written.clone();
    written.sort();
    let expected = [
        "atom.xml",
        "feed.json",
        "foafroll.xml",
        "index.html",
        "opml.xml",
        "rss10.xml",
        "rss20.xml",
        "status.html",
        "status.json",
    ];
    assert_eq!(written, expected);
    let mut all: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    all.extend([
        ".orrery.written".to_owned(),
        "images/feed-icon-10x10.svg".to_owned(),
        "planet.css".to_owned(),
    ]);
    all.sort();
    // No temporary file is left behind, and nothing else is written.
    assert_eq!(files(out.path()), all);
    // Neither face image exists: both are reported, neither is fatal.
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.contains("images/alice.png"))
            .count(),
        1
    );
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.contains("images/missing.png"))
            .count(),
        1
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("1 items refer to no subscription")));
}

#[test]
fn faces_come_from_the_planet_directory() {
    let config = tempfile::tempdir().unwrap();
    fs::create_dir(config.path().join("images")).unwrap();
    fs::write(config.path().join("images/alice.png"), b"\x89PNG face").unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut planet = planet();
    planet.template_directories = vec![config.path().to_path_buf()];
    planet.bill_of_materials = vec!["images/#{face}".into()];
    let theme = Theme::bundled("classic_fancy").unwrap();
    let report = render_site(&planet, &channels(), &items(), &theme, out.path()).unwrap();
    assert_eq!(
        fs::read(out.path().join("images/alice.png")).unwrap(),
        b"\x89PNG face"
    );
    assert!(report.copied.contains(&"images/alice.png".to_owned()));
    // The face that exists is shown with its configured size; the missing one is not shown.
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.contains("<img class=\"face\" src=\"images/alice.png\" width=\"85\" height=\"80\"")
    );
    assert!(!html.contains("missing.png"));
    let missing: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.contains(".png"))
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("images/missing.png") && missing[0].contains("Gone Blog"));
}

#[test]
fn items_per_page_caps_every_output() {
    let out = tempfile::tempdir().unwrap();
    let mut planet = planet();
    planet.items_per_page = 4;
    let theme = Theme::bundled("classic_fancy").unwrap();
    render_site(&planet, &channels(), &items(), &theme, out.path()).unwrap();
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(html.matches("class=\"entrygroup\"").count(), 4);
    assert_eq!(
        count(&xml_elements(&out.path().join("atom.xml")), "entry"),
        4
    );
    assert_eq!(
        count(&xml_elements(&out.path().join("rss20.xml")), "item"),
        4
    );
}

#[test]
fn an_empty_planet_still_publishes() {
    let out = tempfile::tempdir().unwrap();
    let theme = Theme::bundled("orrery").unwrap();
    render_site(&planet(), &[], &[], &theme, out.path()).unwrap();
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("No posts yet."));
    assert_eq!(
        count(&xml_elements(&out.path().join("atom.xml")), "entry"),
        0
    );
}

#[test]
fn a_bad_date_format_is_an_error_before_anything_is_written() {
    let out = tempfile::tempdir().unwrap();
    let mut planet = planet();
    planet.date_format = "%B %Q".into();
    let theme = Theme::bundled("classic_fancy").unwrap();
    let err = render_site(&planet, &channels(), &items(), &theme, out.path()).unwrap_err();
    assert!(err.to_string().contains("%B %Q"), "{err}");
    assert!(files(out.path()).is_empty());
}

#[test]
fn leftovers_of_an_interrupted_run_are_removed() {
    let out = tempfile::tempdir().unwrap();
    fs::create_dir_all(out.path().join("images")).unwrap();
    fs::write(out.path().join(".orrery-abc123"), b"half").unwrap();
    fs::write(out.path().join("images/.orrery-def456"), b"half").unwrap();
    fs::write(out.path().join("keep.txt"), b"the owner's").unwrap();
    let report = render("classic_fancy", out.path());
    assert!(!out.path().join(".orrery-abc123").exists());
    assert!(!out.path().join("images/.orrery-def456").exists());
    assert!(out.path().join("keep.txt").exists());
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("removed 2 temporary files")));
}

#[test]
fn a_failing_template_leaves_the_previous_site_whole() {
    let out = tempfile::tempdir().unwrap();
    render("classic_fancy", out.path());
    let before: Vec<(String, Vec<u8>)> = files(out.path())
        .into_iter()
        .map(|f| (f.clone(), fs::read(out.path().join(&f)).unwrap()))
        .collect();

    // The theme's outputs render first (into temporary files), then this
    // one fails: nothing may be published.
    let templates = tempfile::tempdir().unwrap();
    fs::write(
        templates.path().join("broken.html.jinja"),
        "{% include \"no-such-template.jinja\" %}",
    )
    .unwrap();
    let mut planet = planet();
    planet.template_files = vec!["broken.html.tmpl".into()];
    planet.template_directories = vec![templates.path().to_path_buf()];
    let theme = Theme::bundled("classic_fancy").unwrap();
    let fewer = &items()[..1];
    let err = render_site(&planet, &channels(), fewer, &theme, out.path()).unwrap_err();
    assert!(err.to_string().contains("broken.html.jinja"), "{err}");

    let after: Vec<(String, Vec<u8>)> = files(out.path())
        .into_iter()
        .map(|f| (f.clone(), fs::read(out.path().join(&f)).unwrap()))
        .collect();
    assert!(after == before, "the published files changed");
}
