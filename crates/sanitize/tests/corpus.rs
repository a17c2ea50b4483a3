//! Realistic entry bodies (the benchmark corpus' blog markup: WordPress, Blogger, Hugo, Jekyll
//! output with code highlighting, figures, `srcset`, embeds, scripts and event handlers), with
//! the output this crate gave for them when its output was last checked against the Universal
//! Feed Parser's test suite (`feedparser.rs`). Work on speed must leave every byte as it was.

mod common;

use orrery_sanitize::{resolve_relative_uris, sanitize_html};
use serde_json::Value;

fn field<'a>(case: &'a Value, name: &str) -> &'a str {
    case[name]
        .as_str()
        .unwrap_or_else(|| panic!("case without {name}: {case}"))
}

#[test]
fn real_bodies_are_written_as_before() {
    let cases = match serde_json::from_str::<Value>(include_str!("data/corpus_bodies.json")) {
        Ok(Value::Array(cases)) => cases,
        other => panic!("corpus_bodies.json is not an array: {other:?}"),
    };
    assert!(cases.len() >= 20, "corpus_bodies.json truncated");
    for case in &cases {
        let (name, html, base) = (
            field(case, "name"),
            field(case, "html"),
            field(case, "base"),
        );
        let sanitized = sanitize_html(html, Some(base));
        assert_eq!(sanitized, field(case, "sanitized"), "{name}: sanitized");
        assert_eq!(
            sanitize_html(html, None),
            field(case, "sanitized_without_base"),
            "{name}: sanitized without base"
        );
        assert_eq!(
            resolve_relative_uris(html, base),
            field(case, "resolved"),
            "{name}: resolved"
        );
        let problems = common::problems(&sanitized);
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}
