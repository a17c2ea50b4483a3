//! Links a feed wrote as `javascript:` or `data:` URLs (the parser keeps
//! absolute links verbatim) reach no output: not the page, whose links a
//! reader clicks, and not the output feeds, whose links other readers follow.

mod common;

use std::fs;

use common::*;
use orrery_render::{render_site, Enclosure, Theme};

#[test]
fn script_links_from_feeds_reach_no_output() {
    let mut channels = channels();
    channels[0].link = Some(" JavaScript:alert('site')".into());
    channels[0].icon = Some("javascript:alert('icon')".into());
    channels[0].logo = Some("data:text/html,<script>alert('logo')</script>".into());
    let mut items = items();
    items[0].link = Some("java\tscript:alert('entry')".into());
    // With no link, RSS 1.0 uses the id as the item's link.
    items[1].link = None;
    items[1].id = "javascript:alert('id')".into();
    items[0].author_uri = Some("vbscript:alert('author')".into());
    items[0].enclosure = Some(Enclosure {
        href: Some("javascript:alert('enclosure')".into()),
        mime_type: Some("audio/mpeg".into()),
        length: Some(1),
    });
    for theme in ["classic_fancy", "orrery"] {
        let out = tempfile::tempdir().unwrap();
        let theme = Theme::bundled(theme).unwrap();
        let report = render_site(&planet(), &channels, &items, &theme, out.path()).unwrap();
        for name in &report.written {
            let text = fs::read_to_string(out.path().join(name))
                .unwrap()
                .to_ascii_lowercase();
            for bad in [
                "javascript:",
                "java\tscript:",
                "java&#9;script:",
                "vbscript:",
                "data:text/html",
            ] {
                for (at, _) in text.match_indices(bad) {
                    // An entry id may stay where it is only an identifier.
                    let before = &text[..at];
                    let identifier = ["id=\"", "<id>", "ispermalink=\"false\">", "\"id\": \""]
                        .iter()
                        .any(|p| before.ends_with(p));
                    assert!(
                        identifier,
                        "{name} of {} links to {bad:?}: {}",
                        theme.name(),
                        &text[at.saturating_sub(40)..at]
                    );
                }
            }
        }
        // The entries themselves are still published, all of them.
        let plain = tempfile::tempdir().unwrap();
        render_site(
            &planet(),
            &common::channels(),
            &common::items(),
            &theme,
            plain.path(),
        )
        .unwrap();
        let entries = |dir: &std::path::Path| {
            fs::read_to_string(dir.join("atom.xml"))
                .unwrap()
                .matches("<entry>")
                .count()
        };
        assert_eq!(entries(out.path()), entries(plain.path()));
    }
}
