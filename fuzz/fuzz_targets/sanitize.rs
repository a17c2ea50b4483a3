//! Sanitizing any string must not panic, and what comes out must be stable: sanitizing it again
//! changes nothing (otherwise a second pass, e.g. a browser's parse, could see something else).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    let once = orrery_sanitize::sanitize_html(html, Some("http://example.org/a/b"));
    let twice = orrery_sanitize::sanitize_html(&once, Some("http://example.org/a/b"));
    assert_eq!(once, twice, "sanitizer output is not a fixed point");
    let lower = once.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script survived: {once}");
});
