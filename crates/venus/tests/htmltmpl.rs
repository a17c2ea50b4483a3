//! Venus htmltmpl themes converted to MiniJinja and rendered by orrery.
//!
//! Expected outputs follow htmltmpl 1.22 as Venus ran it (`html_escape=0`,
//! no global lookup): `### ` comments run to the end of the line, a
//! statement eats the indentation before it at the start of a line and
//! the newline after it, loops expose `__FIRST__`... as 1/0.

#[path = "../../render/tests/common/mod.rs"]
mod common;

use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use orrery_render::{render_site, Channel, Error, Item, Planet, Theme};
use orrery_venus::htmltmpl::{convert_file, convert_str, import_theme, VenusManifest};

fn planet() -> Planet {
    let now = Utc.with_ymd_and_hms(2024, 2, 29, 10, 0, 0).unwrap();
    let mut planet = Planet::new("P", now);
    planet.link = "http://planet.example/".into();
    planet
}

fn channel(name: &str) -> Channel {
    Channel {
        url: format!("http://{name}.example/feed"),
        name: name.into(),
        link: Some(format!("http://{name}.example/")),
        title: Some(format!("{name}'s blog")),
        ..Channel::default()
    }
}

fn channels() -> Vec<Channel> {
    vec![channel("A"), channel("B"), channel("C")]
}

fn items() -> Vec<Item> {
    let date = Utc.with_ymd_and_hms(2024, 2, 28, 9, 30, 0).unwrap();
    vec![Item {
        channel: 0,
        id: "http://A.example/1".into(),
        title: Some("<b>T</b>".into()),
        content: Some("<p>Body</p>".into()),
        author_name: Some("A & B <x>".into()),
        link: Some("http://A.example/1".into()),
        date,
        ..Item::default()
    }]
}

/// A small planet to render with.
struct Site {
    planet: Planet,
    channels: Vec<Channel>,
    items: Vec<Item>,
}

impl Site {
    fn new() -> Site {
        Site {
            planet: planet(),
            channels: channels(),
            items: items(),
        }
    }

    /// Publishes `jinja` as the template of the theme's only output.
    fn render(&self, jinja: &str, output: &str) -> Result<String, Error> {
        let theme_dir = tempfile::tempdir().unwrap();
        let manifest = format!("template_files = [\"{output}\"]\n");
        fs::write(theme_dir.path().join("theme.toml"), manifest).unwrap();
        fs::write(theme_dir.path().join(format!("{output}.jinja")), jinja).unwrap();
        let theme = Theme::from_dir(theme_dir.path()).unwrap();
        let out = tempfile::tempdir().unwrap();
        render_site(
            &self.planet,
            &self.channels,
            &self.items,
            &theme,
            out.path(),
        )?;
        Ok(fs::read_to_string(out.path().join(output)).unwrap())
    }
}

fn render_jinja(jinja: &str) -> String {
    Site::new().render(jinja, "index.html").unwrap()
}

fn render(tmpl: &str) -> String {
    render_jinja(&convert_str(tmpl, "test.tmpl", "index.html").unwrap())
}

#[test]
fn both_statement_forms_and_comments() {
    assert_eq!(
        render("<TMPL_VAR name>|<tmpl_var NAME=\"name\">|<!-- TMPL_VAR name -->\n\n"),
        // Every statement eats the newline after it.
        "P|P|P\n"
    );
}

#[test]
fn whitespace_follows_htmltmpl() {
    let tmpl = "### a comment line\n<ul>\n  <TMPL_LOOP Channels>\n  <li><TMPL_VAR name></li>\n  </TMPL_LOOP>\n</ul> ### trailing\n";
    assert_eq!(
        render(tmpl),
        "\n<ul>\n  <li>A</li>\n  <li>B</li>\n  <li>C</li>\n</ul> \n"
    );
}

#[test]
fn loop_variables() {
    let tmpl = "<TMPL_LOOP Channels><TMPL_VAR __PASS__>/<TMPL_VAR __PASSTOTAL__>\
        <TMPL_IF __FIRST__> first</TMPL_IF><TMPL_IF __LAST__> last</TMPL_IF>\
        <TMPL_IF __ODD__> odd<TMPL_ELSE> even</TMPL_IF>\
        <TMPL_UNLESS __INNER__>!</TMPL_UNLESS><TMPL_IF __EVERY__2> every2</TMPL_IF>\
        <TMPL_VAR __FIRST__>;</TMPL_LOOP>";
    assert_eq!(
        render(tmpl),
        "1/3 first odd!1;2/3 even every20;3/3 last odd!0;"
    );
    // Outside a loop they are ordinary (unset) variables.
    assert_eq!(render("[<TMPL_VAR __FIRST__>]"), "[]");
}

#[test]
fn escaping() {
    let tmpl = "<TMPL_LOOP Items>[<TMPL_VAR title>][<TMPL_VAR title ESCAPE=\"HTML\">]\
        [<TMPL_VAR author ESCAPE=HTML>][<TMPL_VAR author ESCAPE=\"URL\">]\
        [<TMPL_VAR author ESCAPE=\"JS\">][<TMPL_VAR content ESCAPE=\"NONE\">]\
        [<TMPL_VAR missing DEFAULT=\"none here\">][<TMPL_VAR author ESCAPE=0>]</TMPL_LOOP>";
    assert_eq!(
        render(tmpl),
        concat!(
            // Markup is raw, as in Venus; ESCAPE="HTML" escapes even markup.
            "[<b>T</b>][&lt;b&gt;T&lt;/b&gt;]",
            "[A &amp; B &lt;x&gt;][A+%26+B+%3Cx%3E]",
            "[A \\u0026 B \\u003cx\\u003e][<p>Body</p>]",
            "[none here]",
            // Plain text is escaped even without ESCAPE (Venus emitted it raw).
            "[A &amp; B &lt;x&gt;]",
        )
    );
}

#[test]
fn global_lookup_only_when_asked() {
    let tmpl = "<TMPL_LOOP Items>[<TMPL_VAR name>][<TMPL_VAR name GLOBAL=\"1\">]\
        <TMPL_IF name GLOBAL=1>yes</TMPL_IF></TMPL_LOOP>";
    assert_eq!(render(tmpl), "[][P]yes");
}

#[test]
fn names_minijinja_cannot_spell_are_planet_options() {
    let mut site = Site::new();
    site.planet.options.insert("x-y".into(), "dashed".into());
    site.planet.options.insert("not".into(), "keyword".into());
    let jinja = convert_str("<TMPL_VAR x-y> <TMPL_VAR not>", "t.tmpl", "index.html").unwrap();
    assert_eq!(site.render(&jinja, "index.html").unwrap(), "dashed keyword");
}

#[test]
fn text_that_looks_like_jinja_stays_text() {
    let text = "{{ x }} {% if %} {# c #} {<TMPL_VAR name>}{";
    assert_eq!(render(text), "{{ x }} {% if %} {# c #} {P}{");
}

#[test]
fn every_item_variable_can_be_escaped() {
    let mut item = items().remove(0);
    let tag = "<b>x</b>";
    item.title = Some(tag.into());
    item.content = Some(tag.into());
    item.summary = Some(tag.into());
    item.rights = Some(tag.into());
    item.author_name = Some(tag.into());
    item.title_language = Some(tag.into());
    let names = [
        "id",
        "title",
        "title_plain",
        "title_language",
        "content",
        "summary",
        "rights",
        "author",
        "author_name",
        "link",
        "date",
        "channel_name",
        "channel_title",
        "channel_rights",
    ];
    let tmpl: String = names
        .iter()
        .map(|n| format!("<TMPL_LOOP Items><TMPL_VAR {n} ESCAPE=\"HTML\"></TMPL_LOOP>"))
        .collect();
    let jinja = convert_str(&tmpl, "t.tmpl", "index.html").unwrap();
    let mut site = Site::new();
    site.channels[0].title = Some(tag.into());
    site.channels[0].rights = Some(tag.into());
    site.items = vec![item];
    let html = site.render(&jinja, "index.html").unwrap();
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
}

#[test]
fn non_html_outputs_escape_only_when_asked() {
    let tmpl = "<TMPL_LOOP Items><TMPL_VAR author>|<TMPL_VAR author ESCAPE=\"HTML\">\
        |<TMPL_VAR title ESCAPE=\"HTML\"></TMPL_LOOP>";
    let jinja = convert_str(tmpl, "t.tmpl", "authors.txt").unwrap();
    assert_eq!(
        Site::new().render(&jinja, "authors.txt").unwrap(),
        "A & B <x>|A &amp; B &lt;x&gt;|&lt;b&gt;T&lt;/b&gt;"
    );
}

fn error_location(tmpl: &str) -> String {
    match convert_str(tmpl, "bad.tmpl", "index.html").unwrap_err() {
        Error::Theme { file, .. } => file,
        other => panic!("{other}"),
    }
}

#[test]
fn unbalanced_statements_name_file_and_line() {
    assert_eq!(error_location("a\n</TMPL_IF>"), "bad.tmpl:2");
    assert_eq!(error_location("\n<TMPL_LOOP Items>\nx"), "bad.tmpl:2");
    assert_eq!(
        error_location("<TMPL_LOOP Items>\n<TMPL_IF x>\n</TMPL_LOOP>"),
        "bad.tmpl:2"
    );
    assert_eq!(error_location("x\n\n<TMPL_ELSE>"), "bad.tmpl:3");
    assert_eq!(
        error_location("<TMPL_IF a><TMPL_ELSE><TMPL_ELSE></TMPL_IF>"),
        "bad.tmpl:1"
    );
    assert_eq!(
        error_location("<TMPL_LOOP Items>\n<TMPL_VAR __NOPE__>\n</TMPL_LOOP>"),
        "bad.tmpl:2"
    );
    assert_eq!(error_location("\n<TMPL_INCLUDE x.tmpl>"), "bad.tmpl:2");
    // htmltmpl lets </TMPL_IF> close <TMPL_UNLESS> and the reverse.
    assert_eq!(render("<TMPL_UNLESS a>u</TMPL_IF>"), "u");
}

#[test]
fn includes_come_from_inc_and_stay_inside_the_theme() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("theme");
    fs::create_dir_all(root.join("inc")).unwrap();
    fs::write(root.join("page.tmpl"), "a\n<TMPL_INCLUDE part.tmpl>\nc").unwrap();
    fs::write(root.join("inc/part.tmpl"), "<TMPL_VAR name>\n").unwrap();
    assert_eq!(
        render_jinja(&convert_file(&root.join("page.tmpl"), &root).unwrap()),
        "a\nPc"
    );

    // An error in an included file names that file.
    fs::write(root.join("inc/part.tmpl"), "ok\n</TMPL_LOOP>\n").unwrap();
    let err = convert_file(&root.join("page.tmpl"), &root).unwrap_err();
    assert!(err.to_string().contains("inc/part.tmpl:2"), "{err}");

    // Include loops stop at htmltmpl's depth limit.
    fs::write(root.join("inc/part.tmpl"), "<TMPL_INCLUDE part.tmpl>").unwrap();
    let err = convert_file(&root.join("page.tmpl"), &root).unwrap_err();
    assert!(err.to_string().contains("deeper"), "{err}");

    fs::write(dir.path().join("secret.tmpl"), "secret").unwrap();
    fs::write(root.join("page.tmpl"), "<TMPL_INCLUDE ../../secret.tmpl>").unwrap();
    let err = convert_file(&root.join("page.tmpl"), &root).unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");
}

fn data_theme() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/htmltmpl/classic_fancy"
    ))
}

fn venus_manifest() -> VenusManifest {
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
    // The lists of tests/data/htmltmpl/classic_fancy/config.ini.
    VenusManifest {
        template_files: words(
            "atom.xml.xslt foafroll.xml.xslt index.html.tmpl opml.xml.xslt rss10.xml.tmpl rss20.xml.tmpl",
        ),
        bill_of_materials: words("planet.css images/feed-icon-10x10.png"),
    }
}

#[test]
fn importing_a_theme_writes_templates_manifest_and_static_files() {
    let out = tempfile::tempdir().unwrap();
    let dst = out.path().join("fancy");
    let imported = import_theme(data_theme(), &dst, Some(&venus_manifest()), false).unwrap();
    assert_eq!(imported.converted, ["index.html.jinja"]);
    assert_eq!(
        imported.copied,
        ["images/feed-icon-10x10.png", "planet.css"]
    );
    assert_eq!(imported.manifest.as_deref(), Some("theme.toml"));
    assert!(imported
        .warnings
        .iter()
        .any(|w| w.contains("validate.html.xslt")));
    assert_eq!(
        common::files(&dst),
        [
            "images/feed-icon-10x10.png",
            "index.html.jinja",
            "planet.css",
            "theme.toml"
        ]
    );
    assert_eq!(
        fs::read(dst.join("images/feed-icon-10x10.png")).unwrap(),
        fs::read(data_theme().join("images/feed-icon-10x10.png")).unwrap()
    );
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(dst.join("theme.toml")).unwrap()).unwrap();
    let list = |key: &str| -> Vec<String> {
        manifest[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        list("template_files"),
        [
            "atom.xml",
            "foafroll.xml",
            "index.html",
            "opml.xml",
            "rss10.xml",
            "rss20.xml"
        ]
    );
    assert_eq!(
        list("bill_of_materials"),
        ["planet.css", "images/feed-icon-10x10.png"]
    );

    // A second import refuses to replace what the first wrote.
    let err = import_theme(data_theme(), &dst, Some(&venus_manifest()), false).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    fs::write(dst.join("planet.css"), "changed").unwrap();
    import_theme(data_theme(), &dst, Some(&venus_manifest()), true).unwrap();
    assert_ne!(
        fs::read_to_string(dst.join("planet.css")).unwrap(),
        "changed"
    );
}

#[test]
fn importing_into_a_subdirectory_of_the_theme_twice() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("venus");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("index.html.tmpl"), "<TMPL_VAR name>").unwrap();
    fs::write(src.join("style.css"), "p {}").unwrap();
    let dst = src.join("orrery");
    for _ in 0..2 {
        let imported = import_theme(&src, &dst, None, true).unwrap();
        assert_eq!(imported.copied, ["style.css"]);
    }
    assert_eq!(common::files(&dst), ["index.html.jinja", "style.css"]);
}

#[test]
fn a_broken_template_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("venus");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("index.html.tmpl"), "<TMPL_IF x>").unwrap();
    fs::write(src.join("style.css"), "p {}").unwrap();
    let dst = dir.path().join("out");
    let err = import_theme(&src, &dst, None, false).unwrap_err();
    assert!(err.to_string().contains("index.html.tmpl:1"), "{err}");
    assert!(!dst.exists());
}

/// Texts of the elements that carry the page's content.
fn outline(html: &str) -> Vec<(String, Vec<String>)> {
    ["h1", "h2", "h3", "h4", "li"]
        .iter()
        .map(|tag| (tag.to_string(), common::texts_of(html, tag)))
        .collect()
}

#[test]
fn imported_classic_fancy_renders_like_the_bundled_one() {
    let out = tempfile::tempdir().unwrap();
    let dst = out.path().join("fancy");
    import_theme(data_theme(), &dst, Some(&venus_manifest()), false).unwrap();

    let (mut planet, channels, items) = (common::planet(), common::channels(), common::items());
    // As a Venus planet's own configuration adds the faces.
    planet.bill_of_materials = vec!["images/#{face}".to_owned()];
    let imported_site = tempfile::tempdir().unwrap();
    let theme = Theme::from_dir(&dst).unwrap();
    let report = render_site(&planet, &channels, &items, &theme, imported_site.path()).unwrap();
    assert!(report.written.iter().any(|w| w == "index.html"));
    assert!(report.written.iter().any(|w| w == "atom.xml"));
    let imported = fs::read_to_string(imported_site.path().join("index.html")).unwrap();

    let bundled_site = tempfile::tempdir().unwrap();
    let bundled = Theme::bundled("classic_fancy").unwrap();
    render_site(&planet, &channels, &items, &bundled, bundled_site.path()).unwrap();
    let reference = fs::read_to_string(bundled_site.path().join("index.html")).unwrap();

    let (ours, theirs) = (outline(&imported), outline(&reference));
    for ((tag, a), (_, b)) in ours.iter().zip(&theirs) {
        if tag != "li" {
            assert_eq!(a, b, "<{tag}>");
        }
    }
    // The subscription lists name the same blogs in the same order.
    let names = |html: &str| -> Vec<String> {
        common::texts_of(html, "li")
            .into_iter()
            .map(|li| li.trim().to_owned())
            .filter(|li| !li.is_empty())
            .collect()
    };
    let bundled_names = names(&reference);
    assert_eq!(names(&imported).len(), bundled_names.len());
    for (a, b) in names(&imported).iter().zip(&bundled_names) {
        assert!(a.ends_with(b.as_str()), "{a:?} vs {b:?}");
    }
    for marker in [
        "class=\"daygroup\"",
        "class=\"channelgroup\"",
        "class=\"entrygroup\"",
        "class=\"content\"",
        "class=\"face\"",
        "class=\"message\"",
    ] {
        assert_eq!(
            imported.matches(marker).count(),
            reference.matches(marker).count(),
            "{marker}"
        );
    }
    // Opened and closed divs balance, across day and channel changes.
    assert_eq!(
        imported.matches("<div").count(),
        imported.matches("</div>").count()
    );
    // Hostile text from feeds and configuration never becomes markup.
    assert!(!imported.contains("<script>"));
    assert!(!imported.contains("<img src=x"));
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    /// Fragments that stress the tokenizer and the converter together.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("<TMPL_VAR name>".to_owned()),
            Just("<TMPL_VAR title ESCAPE=\"HTML\">".to_owned()),
            Just("<TMPL_VAR x-y GLOBAL=1 DEFAULT=\"{{\">".to_owned()),
            Just("<TMPL_LOOP Items>".to_owned()),
            Just("</TMPL_LOOP>".to_owned()),
            Just("<TMPL_IF __FIRST__>".to_owned()),
            Just("<TMPL_UNLESS new_date>".to_owned()),
            Just("<TMPL_ELSE>".to_owned()),
            Just("</TMPL_IF>".to_owned()),
            Just("<!-- TMPL_VAR id -->".to_owned()),
            Just("### ".to_owned()),
            Just("<TMPL_".to_owned()),
            "[ \t\n{}%#<>\"'=a-zé]{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any input converts or fails cleanly, and whatever converts is a
        /// template the engine accepts and renders.
        #[test]
        fn conversion_never_panics_and_always_renders(parts in proptest::collection::vec(fragment(), 0..24)) {
            let source: String = parts.concat();
            if let Ok(jinja) = convert_str(&source, "fuzz.tmpl", "index.html") {
                let rendered = Site::new().render(&jinja, "index.html");
                prop_assert!(rendered.is_ok(), "{jinja}: {rendered:?}");
            }
        }
    }
}
