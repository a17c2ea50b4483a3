//! Inputs the fuzzer found (fuzz/fuzz_targets/sanitize.rs), kept so they stay fixed.

use orrery_sanitize::sanitize_html;

/// Sanitizing the output again (URLs already resolved, so without a base) must change nothing.
fn assert_fixed_point(input: &str) {
    let once = sanitize_html(input, Some("http://example.org/a/b"));
    let twice = sanitize_html(&once, None);
    assert_eq!(once, twice, "input: {input:?}");
}

#[test]
fn line_breaks_inside_a_url_are_dropped_as_a_browser_drops_them() {
    let input = "<img src=\"//cdn.test&<!\n?\">t</t \"T&2eimG>";
    assert_fixed_point(input);
    let out = sanitize_html(input, Some("http://example.org/a/b"));
    assert!(!out.contains('\n'), "{out}");
    assert!(out.starts_with("<img src=\"http://cdn.test"), "{out}");
}

#[test]
fn rejected_links_stay_rejected() {
    assert_fixed_point("<a href=\"javascript:alert(1)\">safe</a>");
    // With a base, the tab makes it a relative path under the base (harmless); without one it
    // is read as a browser reads it, `javascript:`, and rejected.
    let tabbed = "<a href=\"java\tscript:alert(1)\">x</a>";
    assert_fixed_point(tabbed);
    assert_eq!(
        sanitize_html(tabbed, Some("http://example.org/")),
        "<a href=\"http://example.org/javascript:alert(1)\">x</a>"
    );
    assert_eq!(sanitize_html(tabbed, None), "<a href=\"\">x</a>");
}
