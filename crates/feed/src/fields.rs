//! Where element values land in the model: the mapping from the element names the handlers
//! use (`title`, `updated`, `comments`...) to fields of feeds, entries, images and text inputs.

use crate::model::{Common, Date, Enclosure, Entry, Feed, Image, TextConstruct, TextInput};

/// Lists an entry's enclosure links (complete only once the entry ends) as its enclosures.
pub(crate) fn collect_enclosures(e: &mut Entry) {
    e.enclosures = e
        .common
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
        .map(|l| Enclosure {
            href: l.href.clone(),
            content_type: l.content_type.clone(),
            length: l.length.clone(),
        })
        .collect();
}

/// The element names the model has a place for, as `'static` keys.
pub(crate) fn known_key(element: &str) -> Option<&'static str> {
    Some(match element {
        "title" => "title",
        "subtitle" => "subtitle",
        "summary" => "summary",
        "rights" => "rights",
        "info" => "info",
        "id" => "id",
        "author" => "author",
        "publisher" => "publisher",
        "updated" => "updated",
        "published" => "published",
        "created" => "created",
        "expired" => "expired",
        "language" => "language",
        "comments" => "comments",
        "generator" => "generator",
        "icon" => "icon",
        "logo" => "logo",
        "docs" => "docs",
        "ttl" => "ttl",
        "license" => "license",
        _ => return None,
    })
}

/// RSS `<link>` text sometimes double-escapes its query string; undo `&name;` to `&name`.
pub(crate) fn fix_link_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if n > 0 && rest.as_bytes().get(n) == Some(&b';') {
            out.push_str(&rest[..n]);
            rest = &rest[n + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Stores the text of a `<link>` element. Unlike an `href` attribute it is not seen before the
/// link is recorded, so it completes the last link; only an alternate link is the item's link.
pub(crate) fn set_link_text(c: &mut Common, href: String) {
    let last = c.links.last_mut();
    let alternate = last
        .as_ref()
        .is_none_or(|l| l.rel.as_deref() == Some("alternate"));
    if let Some(l) = last.filter(|_| !href.is_empty()) {
        l.href = Some(href.clone());
    }
    if alternate {
        c.link = Some(href);
    }
}

/// Keys whose values are text constructs (value plus type, language and base).
pub(crate) fn is_text_key(key: &str) -> bool {
    matches!(
        key,
        "title" | "subtitle" | "summary" | "rights" | "info" | "description"
    )
}

/// An element's cleaned value, ready to be stored.
pub(crate) enum Value {
    Text(TextConstruct),
    Plain(String),
}

impl Value {
    fn into_text(self) -> TextConstruct {
        match self {
            Value::Text(t) => t,
            Value::Plain(value) => TextConstruct {
                content_type: "text/plain".into(),
                value,
                ..TextConstruct::default()
            },
        }
    }

    fn into_string(self) -> String {
        match self {
            Value::Text(t) => t.value,
            Value::Plain(s) => s,
        }
    }
}

pub(crate) fn set_common(c: &mut Common, key: &str, v: Value) {
    match key {
        "title" => c.title = Some(v.into_text()),
        "rights" => c.rights = Some(v.into_text()),
        "summary" => c.summary = Some(v.into_text()),
        "subtitle" => c.subtitle = Some(v.into_text()),
        "created" => c.created = Some(Date::new(v.into_string())),
        "id" => c.id = Some(v.into_string()),
        "author" => c.author = Some(v.into_string()),
        "publisher" => c.publisher = Some(v.into_string()),
        "updated" => c.updated = Some(Date::new(v.into_string())),
        "published" => c.published = Some(Date::new(v.into_string())),
        "language" => c.language = Some(v.into_string()),
        "license" => c.license = Some(v.into_string()),
        "link" => c.link = Some(v.into_string()),
        _ => {}
    }
}

pub(crate) fn set_entry(e: &mut Entry, key: &str, v: Value) {
    match key {
        "comments" => e.comments = Some(v.into_string()),
        "expired" => e.expired = Some(Date::new(v.into_string())),
        _ => set_common(&mut e.common, key, v),
    }
}

pub(crate) fn set_feed(f: &mut Feed, key: &str, v: Value) {
    match key {
        "info" => f.info = Some(v.into_text()),
        "generator" => f.generator = Some(v.into_string()),
        "icon" => f.icon = Some(v.into_string()),
        "logo" => f.logo = Some(v.into_string()),
        "docs" => f.docs = Some(v.into_string()),
        "ttl" => f.ttl = Some(v.into_string()),
        "href" => f.href = Some(v.into_string()),
        _ => set_common(&mut f.common, key, v),
    }
}

pub(crate) fn set_image(i: &mut Image, key: &str, value: String) {
    match key {
        "title" => i.title = Some(value),
        "link" => i.link = Some(value),
        "href" => i.href = Some(value),
        "subtitle" => i.description = Some(value),
        _ => {}
    }
}

pub(crate) fn set_textinput(t: &mut TextInput, key: &str, value: String) {
    match key {
        "title" => t.title = Some(value),
        "link" => t.link = Some(value),
        "name" => t.name = Some(value),
        "subtitle" => t.description = Some(value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_entities() {
        assert_eq!(
            fix_link_entities("http://x/?a=1&amp;b=2"),
            "http://x/?a=1&ampb=2"
        );
        assert_eq!(fix_link_entities("a&b"), "a&b");
    }
}
