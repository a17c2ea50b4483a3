//! Local themes: lookup, template variables, and failure atomicity.

mod common;

use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use common::*;
use orrery_render::{render_site, Channel, Enclosure, Error, Item, Planet, Theme};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Renders a local theme whose one output, `output`, comes from `template`,
/// and returns what it wrote.
fn render_one(
    output: &str,
    template: &str,
    planet: &Planet,
    channels: &[Channel],
    items: &[Item],
) -> String {
    let config = tempfile::tempdir().unwrap();
    let local = config.path().join("one");
    write(
        &local,
        "theme.toml",
        &format!("template_files = [\"{output}\"]\n"),
    );
    write(&local, &format!("{output}.jinja"), template);
    let theme = Theme::locate("one", Some(config.path())).unwrap();
    let out = tempfile::tempdir().unwrap();
    render_site(planet, channels, items, &theme, out.path()).unwrap();
    fs::read_to_string(out.path().join(output)).unwrap()
}

#[test]
fn a_local_directory_shadows_the_bundled_theme() {
    let config = tempfile::tempdir().unwrap();
    let local = config.path().join("classic_fancy");
    write(&local, "theme.toml", "template_files = [\"index.html\"]\n");
    write(&local, "index.html.jinja", "local {{ name }}");
    let theme = Theme::locate("classic_fancy", Some(config.path())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = render_site(&planet(), &channels(), &items(), &theme, out.path()).unwrap();
    assert_eq!(report.written, ["index.html"]);
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert_eq!(html, "local Planet &lt;Test&gt; &amp; &quot;Friends&quot;");

    // Without the local directory the bundled theme is used.
    let bundled = Theme::locate("orrery", Some(config.path())).unwrap();
    assert_eq!(bundled.name(), "orrery");
    let unknown = Theme::locate("no-such-theme", Some(config.path())).unwrap_err();
    assert!(matches!(unknown, Error::UnknownTheme(_)));
}

#[test]
fn a_broken_template_leaves_the_previous_site() {
    let config = tempfile::tempdir().unwrap();
    let local = config.path().join("broken");
    write(
        &local,
        "theme.toml",
        "template_files = [\"atom.xml\", \"index.html\"]\n",
    );
    write(
        &local,
        "index.html.jinja",
        "{% for item in Items %}never closed",
    );
    let out = tempfile::tempdir().unwrap();
    write(out.path(), "index.html", "previous page");
    let theme = Theme::locate("broken", Some(config.path())).unwrap();
    let err = render_site(&planet(), &channels(), &items(), &theme, out.path()).unwrap_err();
    assert!(matches!(err, Error::Template { .. }), "{err}");
    assert_eq!(
        fs::read_to_string(out.path().join("index.html")).unwrap(),
        "previous page"
    );
    // Nothing at all was written: outputs are rendered before any is replaced.
    assert_eq!(files(out.path()), ["index.html"]);
}

#[test]
fn unknown_outputs_and_bad_manifests_are_reported() {
    let config = tempfile::tempdir().unwrap();
    let local = config.path().join("odd");
    write(
        &local,
        "theme.toml",
        "template_files = [\"validate.html.xslt\", \"../escape.html\", \"atom.xml.xslt\"]\n",
    );
    let theme = Theme::locate("odd", Some(config.path())).unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = render_site(&planet(), &channels(), &items(), &theme, out.path()).unwrap();
    // Venus engine extensions are dropped from output names.
    assert_eq!(report.written, ["atom.xml"]);
    assert!(report.warnings.iter().any(|w| w.contains("validate.html")));
    assert!(report.warnings.iter().any(|w| w.contains("../escape.html")));
    assert!(!config.path().join("escape.html").exists());

    write(&local, "theme.toml", "template_files = 3\n");
    assert!(matches!(
        Theme::locate("odd", Some(config.path())),
        Err(Error::Theme { .. })
    ));
}

/// The values pinned by Venus's own template tests (tests/data/filter/tmpl,
/// see the `tmpl` rows of the Venus test manifest).
#[test]
fn template_variables_follow_venus() {
    let template = "{% for i in Items %}\
         {{ i.title }}|{{ i.title_plain }}|{{ i.author }}|{{ i.published }}|{{ i.published_iso }}|\
         {{ i.published_822 }}|{{ i.updated }}|{{ i.new_date }}|{{ i.new_channel }}|{{ i.channel_name }}|\
         {{ i.enclosure_href }}|{{ i.enclosure_length }}|{{ i.enclosure_type }}|{{ i.guid_isPermaLink }}|\
         {{ i.channel_last_updated_822 }}|{{ i.channel_nick }}|{{ i.rights }}|{{ i.channel_rights }}\n\
         {% endfor %}{% for c in Channels %}{{ c.name }}|{{ c.message }}|{{ c['css-id'] }}|{{ c.rights }};{% endfor %}\n\
         {{ name }}|{{ feed }}|{{ feedtype }}|{{ url }}|{{ fullurl }}|{{ custom }}";
    let leap = Utc
        .with_ymd_and_hms(2004, 2, 29, 2, 14, 55)
        .single()
        .unwrap();
    let mut planet = Planet::new("My Planet", leap);
    planet.link = "http://example.com/".into();
    planet.options.insert("custom".into(), "value".into());
    let mut frog = Channel {
        url: "http://example.com/feed".into(),
        title: Some("Se\u{f1}or Frog".into()),
        link: Some("http://example.com/".into()),
        last_updated: Some(leap),
        rights: Some("&copy; 2006".into()),
        ..Channel::default()
    };
    frog.options.insert("nick".into(), "frog".into());
    let foo = Channel {
        url: "http://example.org/feed".into(),
        name: "foo".into(),
        message: Some("foo".into()),
        ..Channel::default()
    };
    let item = Item {
        channel: 0,
        id: "http://example.com/1".into(),
        title: Some("AT&amp;T".into()),
        author_email: Some("john@example.com".into()),
        link: Some("http://example.com/1".into()),
        published: Some(leap),
        updated: Some(leap),
        date: leap,
        enclosure: Some(Enclosure {
            href: Some("http://example.com/music.mp3".into()),
            mime_type: Some("audio/mpeg".into()),
            length: Some(100),
        }),
        rights: Some("&copy; 2006".into()),
        ..Item::default()
    };
    // An enclosure without a URL still has its type and length.
    let second = Item {
        channel: 1,
        id: "tag:2".into(),
        title: None,
        enclosure: Some(Enclosure {
            href: None,
            mime_type: Some("audio/ogg".into()),
            length: Some(7),
        }),
        ..item.clone()
    };
    let text = render_one("vars.txt", template, &planet, &[frog, foo], &[item, second]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "AT&amp;T|AT&T|john@example.com|February 29, 2004 02:14 AM|2004-02-29T02:14:55+00:00|\
         Sun, 29 Feb 2004 02:14:55 +0000|February 29, 2004 02:14 AM|February 29, 2004|\
         http://example.com/|Se\u{f1}or Frog|http://example.com/music.mp3|100|audio/mpeg|true|\
         Sun, 29 Feb 2004 02:14:55 +0000|frog|&copy; 2006|&copy; 2006"
    );
    // Same day, other channel, no new_date; no title. new_channel is the
    // channel's id, else its link (Venus's source id): this one has neither.
    assert_eq!(
        lines[1],
        "||john@example.com|February 29, 2004 02:14 AM|2004-02-29T02:14:55+00:00|\
         Sun, 29 Feb 2004 02:14:55 +0000|February 29, 2004 02:14 AM|||foo|\
         |7|audio/ogg|false|||&copy; 2006|"
    );
    // Channels sorted by name; a feed's rights are markup, as in Venus.
    assert_eq!(
        lines[2],
        "foo|foo|foo|;Se\u{f1}or Frog||se\u{f1}or-frog|&copy; 2006;"
    );
    assert_eq!(
        lines[3],
        "My Planet|||http://example.com/vars|http://example.com/vars.txt|value"
    );
}

/// `lazy_images` marks up images in entry markup and leaves anything else
/// to be escaped as usual.
#[test]
fn lazy_images_filter_touches_only_markup() {
    let template =
        "{{ Items[0].content|lazy_images }}|{{ Items[0].content }}|{{ name|lazy_images }}|\
                    {{ nothing|lazy_images }}";
    let planet = Planet::new("<img src=x>", Utc::now());
    let item = Item {
        id: "tag:1".into(),
        content: Some("<p><img src=\"a.png\"></p>".into()),
        ..Item::default()
    };
    let html = render_one("index.html", template, &planet, &channels(), &[item]);
    assert_eq!(
        html,
        "<p><img loading=\"lazy\" src=\"a.png\"></p>|<p><img src=\"a.png\"></p>|\
         &lt;img src=x&gt;|"
    );
}
