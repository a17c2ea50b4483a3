//! `resolve_relative_uris` keeps every element and only rewrites URLs (the feedparser-recorded
//! cases in `feedparser.rs` cover the bulk; these pin down what sanitizing would change).

use orrery_sanitize::resolve_relative_uris;

const BASE: &str = "http://example.com/blog/post.html";

#[test]
fn keeps_active_markup_and_raw_text_verbatim() {
    assert_eq!(
        resolve_relative_uris(
            "<script src=\"app.js\">if (a < b && c) {}</script><p onclick=\"f()\">x</p>",
            BASE
        ),
        "<script src=\"http://example.com/blog/app.js\">if (a < b && c) {}</script>\
         <p onclick=\"f()\">x</p>"
    );
    assert_eq!(
        resolve_relative_uris("<style>a > b { color: red }</style>", BASE),
        "<style>a > b { color: red }</style>"
    );
}

#[test]
fn rewrites_only_resolvable_attributes() {
    assert_eq!(
        resolve_relative_uris(
            "<a href=\"../x?a=1&amp;b=2\" data-src=\"y\">l</a><img src=\"i.png\" srcset=\"a.png 1x, /b.png 2x\">",
            BASE
        ),
        "<a data-src=\"y\" href=\"http://example.com/x?a=1&amp;b=2\">l</a>\
         <img src=\"http://example.com/blog/i.png\" srcset=\"http://example.com/blog/a.png 1x, http://example.com/b.png 2x\" />"
    );
}

#[test]
fn unwritable_names_are_dropped() {
    assert_eq!(
        resolve_relative_uris("<a\"b x=1>t</a\"b><i y\"z=2 w=3>u</i>", BASE),
        "t<i w=\"3\">u</i>"
    );
}
