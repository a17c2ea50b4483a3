//! Any bytes, with or without an HTTP context, must parse without panicking, and the schema
//! serialization of the result must succeed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orrery_feed::ParseOptions;

fuzz_target!(|data: &[u8]| {
    // The first byte picks an HTTP context so charset and base handling get exercised too.
    let (ctx, body) = data.split_first().map_or((0, data), |(c, b)| (*c, b));
    let mut opts = ParseOptions::default();
    if ctx & 1 == 1 {
        opts.url = Some("http://example.org/dir/feed.xml".to_string());
    }
    match ctx >> 5 {
        1 => opts.headers.push(("Content-Type".into(), "text/xml".into())),
        2 => opts.headers.push(("Content-Type".into(), "application/xml; charset=iso-8859-1".into())),
        3 => opts.headers.push(("Content-Type".into(), "text/plain; charset=utf-16".into())),
        4 => opts.headers.push(("Content-Location".into(), "../other/".into())),
        _ => {}
    }
    let parsed = orrery_feed::parse(body, &opts);
    let _ = parsed.to_schema_json();
});
