//! The attack corpus (`tests/data/xss-vectors.txt`) and its payloads.

use std::path::Path;

use anyhow::{bail, Context};
use base64::prelude::{Engine, BASE64_STANDARD};

/// One attack, as written in the corpus.
#[derive(Debug, Clone)]
pub struct Vector {
    /// `v` and the line number: stable while the file only grows.
    pub id: String,
    pub category: String,
    template: String,
}

/// Reads the corpus: `CATEGORY<TAB>PAYLOAD` lines, `#` notes, blank lines.
pub fn load(path: &Path) -> anyhow::Result<Vec<Vector>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut vectors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((category, template)) = line.split_once('\t') else {
            bail!(
                "{}:{}: no tab between category and payload",
                path.display(),
                index + 1
            );
        };
        vectors.push(Vector {
            id: format!("v{:03}", index + 1),
            category: category.to_owned(),
            template: unescape(template),
        });
    }
    Ok(vectors)
}

impl Vector {
    /// The payload for one placement: when it runs, it requests
    /// `{origin}/hit?v={id}.{field}`.
    pub fn payload(&self, origin: &str, field: &str) -> String {
        let id = format!("{}.{field}", self.id);
        let url = format!("{origin}/hit?v={id}");
        let js = format!("fetch('{url}')");
        let port = origin.rsplit(':').next().unwrap_or_default();
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"x\" onload=\"{js}\"><rect width=\"9\" height=\"9\"/></svg>"
        );
        self.template
            .replace("{JSB}", &format!("fetch(`{url}`)"))
            .replace("{B64JS}", &BASE64_STANDARD.encode(&js))
            .replace(
                "{B64HTML}",
                &BASE64_STANDARD.encode(format!("<script>{js}</script>")),
            )
            .replace("{B64SVG}", &BASE64_STANDARD.encode(svg))
            .replace("{JS}", &js)
            .replace("{URL}", &url)
            .replace("{PORT}", port)
            .replace("{ID}", &id)
    }

    /// The encoding the feeds carrying this vector declare, for `charset:` vectors.
    pub fn declared_encoding(&self) -> Option<&str> {
        self.category.strip_prefix("charset:")
    }

    /// The category without its parameter (`charset:utf-7` → `charset`).
    pub fn family(&self) -> &str {
        self.category.split(':').next().unwrap_or_default()
    }

    /// The payload as written in the corpus, for reports.
    pub fn template(&self) -> &str {
        &self.template
    }
}

/// `\t \n \r \\ \xNN \uNNNN`; any other backslash stays as it is.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (ch, used) = match after.chars().next() {
            Some('t') => (Some('\t'), 1),
            Some('n') => (Some('\n'), 1),
            Some('r') => (Some('\r'), 1),
            Some('\\') => (Some('\\'), 1),
            Some('x') => (hex(after.get(1..3)), 3),
            Some('u') => (hex(after.get(1..5)), 5),
            _ => (None, 0),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn hex(digits: Option<&str>) -> Option<char> {
    u32::from_str_radix(digits?, 16)
        .ok()
        .and_then(char::from_u32)
}

#[test]
fn escapes_are_read() {
    assert_eq!(unescape(r"a\tb\x01\u00ad\\n\q"), "a\tb\u{1}\u{ad}\\n\\q");
}
