//! JSON Feed 1.0 and 1.1, mapped onto the same model as the XML formats.

use serde_json::Value;

use crate::model::{Common, Enclosure, Entry, Feed, Image, Link, Person, Tag, TextConstruct};
use crate::uri;
use crate::ParseOptions;

/// True for documents starting with `{`, or served as JSON and not starting with `<`.
pub(crate) fn looks_like_json(bytes: &[u8], content_type: Option<&str>) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    first == Some(b'{')
        || content_type
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("json") && first != Some(b'<'))
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn text(value: String, content_type: &str, base: &str, lang: &Option<String>) -> TextConstruct {
    TextConstruct {
        content_type: content_type.into(),
        value,
        language: lang.clone(),
        base: base.into(),
        src: None,
    }
}

fn html(value: String, base: &str, lang: &Option<String>, mode: crate::HtmlMode) -> TextConstruct {
    text(crate::html(value, base, mode), "text/html", base, lang)
}

fn people(v: &Value, c: &mut Common, base: &str) {
    let mut list: Vec<&Value> = Vec::new();
    if let Some(arr) = v.get("authors").and_then(Value::as_array) {
        list.extend(arr.iter());
    } else if let Some(a) = v.get("author") {
        list.push(a);
    }
    for a in list {
        let p = Person {
            name: s(a, "name"),
            email: None,
            href: s(a, "url").map(|u| uri::join(base, &u)),
        };
        if !p.is_empty() {
            c.authors.push(p);
        }
    }
    if let Some(first) = c.authors.first() {
        c.author_detail = Some(first.clone());
        c.author = first.name.clone();
    }
}

fn link(c: &mut Common, href: String, rel: &str, content_type: &str) {
    if rel == "alternate" {
        c.link = Some(href.clone());
    }
    c.links.push(Link {
        rel: Some(rel.into()),
        content_type: Some(content_type.into()),
        href: Some(href),
        ..Link::default()
    });
}

/// Parses a JSON Feed: (version, feed, entries, items in the document), or why it is not one.
pub(crate) fn parse(
    text_in: &str,
    base: &str,
    opts: &ParseOptions,
) -> Result<(String, Feed, Vec<Entry>, usize), String> {
    let doc: Value = serde_json::from_str(text_in.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("invalid JSON: {e}"))?;
    let version = match doc.get("version").and_then(Value::as_str) {
        Some("https://jsonfeed.org/version/1") => "json1",
        Some("https://jsonfeed.org/version/1.1") => "json11",
        _ => "json",
    };
    let lang = s(&doc, "language");
    let mut feed = Feed::default();
    let c = &mut feed.common;
    c.language.clone_from(&lang);
    if let Some(t) = s(&doc, "title") {
        c.title = Some(text(t, "text/plain", base, &lang));
    }
    if let Some(u) = s(&doc, "home_page_url") {
        link(c, uri::join(base, &u), "alternate", "text/html");
    }
    if let Some(u) = s(&doc, "feed_url") {
        link(c, uri::join(base, &u), "self", "application/feed+json");
    }
    people(&doc, c, base);
    if let Some(d) = s(&doc, "description") {
        feed.common.subtitle = Some(text(d, "text/plain", base, &lang));
    }
    // JSON Feed's `favicon` is Atom's small icon; its `icon` is the larger logo.
    feed.icon = s(&doc, "favicon").map(|u| uri::join(base, &u));
    feed.logo = s(&doc, "icon").map(|u| uri::join(base, &u));
    let mut entries = Vec::new();
    let items = doc
        .get("items")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for item in doc
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(opts.limits.max_entries)
    {
        let mut e = Entry::default();
        let lang = s(item, "language").or_else(|| lang.clone());
        let c = &mut e.common;
        c.id = item.get("id").and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        if let Some(t) = s(item, "title") {
            c.title = Some(text(t, "text/plain", base, &lang));
        }
        if let Some(u) = s(item, "url") {
            link(c, uri::join(base, &u), "alternate", "text/html");
        }
        if let Some(u) = s(item, "external_url") {
            link(c, uri::join(base, &u), "related", "text/html");
        }
        people(item, c, base);
        if let Some(i) = s(item, "image").or_else(|| s(item, "banner_image")) {
            e.image = Some(Image {
                href: Some(uri::join(base, &i)),
                ..Image::default()
            });
        }
        if let Some(d) = s(item, "date_published") {
            c.published = Some(crate::model::Date::new(d));
        }
        if let Some(d) = s(item, "date_modified") {
            c.updated = Some(crate::model::Date::new(d));
        }
        for t in item
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = t.as_str() {
                c.tags.push(Tag {
                    term: Some(t.to_string()),
                    ..Tag::default()
                });
            }
        }
        if let Some(h) = s(item, "content_html") {
            e.content.push(html(h, base, &lang, opts.html));
        }
        if let Some(t) = s(item, "content_text") {
            e.content.push(text(t, "text/plain", base, &lang));
        }
        e.common.summary = match s(item, "summary") {
            Some(sum) => Some(text(sum, "text/plain", base, &lang)),
            None => e.content.first().cloned(),
        };
        for a in item
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            e.enclosures.push(Enclosure {
                href: s(a, "url").map(|u| uri::join(base, &u)),
                content_type: s(a, "mime_type"),
                length: a.get("size_in_bytes").map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
            });
        }
        entries.push(e);
    }
    Ok((version.to_string(), feed, entries, items))
}
