//! Serialization of [`ParsedFeed`] to the conformance JSON (schema v2): feedparser's key names,
//! dates as raw text plus `*_parsed` RFC 3339 UTC, absent values omitted; the namespace
//! extension keys (iTunes, Media RSS, GeoRSS, Podlove chapters...) and other elements under
//! feedparser's keys for them.

use serde_json::{json, Map, Value};

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::model::{
    Common, Date, Enclosure, Entry, Extension, Feed, Geometry, Image, Link, Location, MediaObject,
    ParsedFeed, Person, Tag, TextConstruct,
};

/// The schema version the document declares.
pub const SCHEMA_VERSION: u32 = 2;

type Obj = Map<String, Value>;

fn put(o: &mut Obj, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        o.insert(key.into(), Value::String(v.clone()));
    }
}

fn put_text(o: &mut Obj, key: &str, t: &Option<TextConstruct>) {
    if let Some(t) = t {
        o.insert(key.into(), Value::String(t.value.clone()));
        o.insert(
            format!("{key}_detail"),
            json!({"type": t.content_type, "value": t.value, "language": t.language, "base": t.base}),
        );
    }
}

fn put_date(o: &mut Obj, key: &str, d: &Option<Date>) {
    if let Some(d) = d {
        o.insert(key.into(), Value::String(d.raw.clone()));
        if let Some(p) = d.parsed {
            o.insert(format!("{key}_parsed"), Value::String(rfc3339(&p)));
        }
    }
}

/// RFC 3339 UTC; a year past 9999 is written with its digits only (`10000-01-01T...`), as
/// feedparser writes it, not with chrono's `+` sign.
pub(crate) fn rfc3339(t: &DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn attrs_object(attrs: &[(String, String)]) -> Obj {
    attrs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// A Media RSS object: attributes plus `content` when the element had text.
fn media(m: &MediaObject) -> Value {
    let mut o = attrs_object(&m.attrs);
    put(&mut o, "content", &m.content);
    Value::Object(o)
}

fn position(p: &[f64]) -> Value {
    p.iter().map(|x| json!(x)).collect()
}

fn positions(ps: &[Vec<f64>]) -> Value {
    ps.iter().map(|p| position(p)).collect()
}

fn location(l: &Location) -> Value {
    let mut o = Obj::new();
    if let Some(g) = &l.geometry {
        let (kind, coordinates) = match g {
            Geometry::Point(p) => ("Point", position(p)),
            Geometry::LineString(ps) => ("LineString", positions(ps)),
            Geometry::Box(ps) => ("Box", positions(ps)),
            Geometry::Polygon(rings) => ("Polygon", rings.iter().map(|r| positions(r)).collect()),
        };
        o.insert("type".into(), kind.into());
        o.insert("coordinates".into(), coordinates);
    }
    if l.gml {
        o.insert("srsName".into(), json!(l.srs_name));
        o.insert("srsDimension".into(), json!(l.srs_dimension.unwrap_or(2)));
    }
    Value::Object(o)
}

/// The v2 keys of a feed, entry or source.
fn extensions(o: &mut Obj, c: &Common) {
    for (k, v) in &c.extensions {
        let v = match v {
            Extension::Text(t) => Value::String(t.clone()),
            Extension::Attributes(a) => Value::Object(attrs_object(a)),
        };
        o.insert(k.clone(), v);
    }
    if let Some(b) = c.itunes_block {
        o.insert("itunes_block".into(), i32::from(b).into());
    }
    if let Some(e) = c.itunes_explicit {
        o.insert("itunes_explicit".into(), json!(e));
    }
    if let Some(l) = &c.ns().location {
        o.insert("where".into(), location(l));
    }
    put_date(o, "validity_start", &c.ns().validity_start);
    put_date(o, "validity_end", &c.ns().validity_end);
    if !c.ns().media_content.is_empty() {
        o.insert(
            "media_content".into(),
            c.ns().media_content.iter().map(media).collect(),
        );
    }
    if !c.ns().media_thumbnails.is_empty() {
        o.insert(
            "media_thumbnail".into(),
            c.ns().media_thumbnails.iter().map(media).collect(),
        );
    }
    if let Some(m) = &c.ns().media_player {
        let mut p = attrs_object(&m.attrs);
        p.insert(
            "content".into(),
            m.content.clone().unwrap_or_default().into(),
        );
        o.insert("media_player".into(), Value::Object(p));
    }
    if !c.ns().media_credits.is_empty() {
        o.insert(
            "media_credit".into(),
            c.ns().media_credits.iter().map(media).collect(),
        );
    }
    if let Some(m) = &c.ns().media_rating {
        o.insert("media_rating".into(), media(m));
    }
    if let Some(m) = &c.ns().media_restriction {
        let mut r = attrs_object(&m.attrs);
        if let Some(text) = &m.content {
            let codes: Vec<Value> = text
                .split(' ')
                .map(|p| Value::String(p.trim().to_string()))
                .collect();
            r.insert("content".into(), Value::Array(codes));
        }
        o.insert("media_restriction".into(), Value::Object(r));
    }
    if let Some(m) = &c.ns().media_license {
        o.insert("media_license".into(), media(m));
    }
    if let Some(ch) = &c.ns().chapters {
        let mut p = attrs_object(&ch.attrs);
        let list = ch
            .chapters
            .iter()
            .map(|c| {
                let mut o = attrs_object(&c.attrs);
                o.insert("start_parsed".into(), json!(c.start_seconds));
                Value::Object(o)
            })
            .collect();
        p.insert("chapters".into(), list);
        o.insert("psc_chapters".into(), Value::Object(p));
    }
}

fn text_object(t: &TextConstruct) -> Value {
    let mut o = Obj::new();
    o.insert("type".into(), t.content_type.clone().into());
    o.insert("value".into(), t.value.clone().into());
    o.insert("language".into(), json!(t.language));
    o.insert("base".into(), t.base.clone().into());
    put(&mut o, "src", &t.src);
    Value::Object(o)
}

fn person(p: &Person) -> Value {
    let mut o = Obj::new();
    put(&mut o, "name", &p.name);
    put(&mut o, "email", &p.email);
    put(&mut o, "href", &p.href);
    Value::Object(o)
}

fn link(l: &Link) -> Value {
    let mut o = Obj::new();
    put(&mut o, "rel", &l.rel);
    put(&mut o, "type", &l.content_type);
    put(&mut o, "href", &l.href);
    put(&mut o, "title", &l.title);
    put(&mut o, "hreflang", &l.hreflang);
    put(&mut o, "length", &l.length);
    Value::Object(o)
}

fn tag(t: &Tag) -> Value {
    json!({"term": t.term, "scheme": t.scheme, "label": t.label})
}

fn enclosure(e: &Enclosure) -> Value {
    let mut o = Obj::new();
    put(&mut o, "href", &e.href);
    put(&mut o, "type", &e.content_type);
    put(&mut o, "length", &e.length);
    Value::Object(o)
}

fn image(i: &Image) -> Value {
    let mut o = Obj::new();
    put(&mut o, "href", &i.href);
    put(&mut o, "title", &i.title);
    put(&mut o, "link", &i.link);
    if let Some(w) = i.width {
        o.insert("width".into(), w.into());
    }
    if let Some(h) = i.height {
        o.insert("height".into(), h.into());
    }
    put(&mut o, "description", &i.description);
    Value::Object(o)
}

fn common(o: &mut Obj, c: &Common) {
    // Other elements first: a key the model has a field for is written over them.
    extensions(o, c);
    put_text(o, "title", &c.title);
    put_text(o, "subtitle", &c.subtitle);
    put(o, "link", &c.link);
    if !c.links.is_empty() {
        o.insert("links".into(), c.links.iter().map(link).collect());
    }
    put(o, "id", &c.id);
    put(o, "author", &c.author);
    if let Some(p) = &c.author_detail {
        o.insert("author_detail".into(), person(p));
    }
    if !c.authors.is_empty() {
        o.insert("authors".into(), c.authors.iter().map(person).collect());
    }
    if !c.contributors.is_empty() {
        o.insert(
            "contributors".into(),
            c.contributors.iter().map(person).collect(),
        );
    }
    put(o, "publisher", &c.publisher);
    if let Some(p) = &c.publisher_detail {
        o.insert("publisher_detail".into(), person(p));
    }
    put_date(o, "updated", &c.updated);
    put_date(o, "published", &c.published);
    put_date(o, "created", &c.created);
    put_text(o, "rights", &c.rights);
    put_text(o, "summary", &c.summary);
    if !c.tags.is_empty() {
        o.insert("tags".into(), c.tags.iter().map(tag).collect());
    }
    put(o, "license", &c.license);
    put(o, "language", &c.language);
}

fn feed(f: &Feed) -> Value {
    let mut o = Obj::new();
    common(&mut o, &f.common);
    put(&mut o, "href", &f.href);
    put_text(&mut o, "info", &f.info);
    put(&mut o, "generator", &f.generator);
    if let Some(g) = &f.generator_detail {
        let mut d = Obj::new();
        put(&mut d, "name", &g.name);
        put(&mut d, "href", &g.href);
        put(&mut d, "version", &g.version);
        o.insert("generator_detail".into(), Value::Object(d));
    }
    if let Some(i) = &f.image {
        o.insert("image".into(), image(i));
    }
    put(&mut o, "icon", &f.icon);
    put(&mut o, "logo", &f.logo);
    put(&mut o, "docs", &f.docs);
    put(&mut o, "ttl", &f.ttl);
    if let Some(t) = &f.textinput {
        let mut d = Obj::new();
        put(&mut d, "title", &t.title);
        put(&mut d, "link", &t.link);
        put(&mut d, "name", &t.name);
        put(&mut d, "description", &t.description);
        o.insert("textinput".into(), Value::Object(d));
    }
    if let Some(c) = &f.cloud {
        let mut d = Obj::new();
        put(&mut d, "domain", &c.domain);
        put(&mut d, "port", &c.port);
        put(&mut d, "path", &c.path);
        put(&mut d, "registerprocedure", &c.registerprocedure);
        put(&mut d, "protocol", &c.protocol);
        o.insert("cloud".into(), Value::Object(d));
    }
    put(&mut o, "newlocation", &f.newlocation);
    Value::Object(o)
}

fn entry(e: &Entry) -> Value {
    let mut o = Obj::new();
    common(&mut o, &e.common);
    if !e.content.is_empty() {
        let items = e.content.iter().map(text_object).collect();
        o.insert("content".into(), Value::Array(items));
    }
    o.insert(
        "enclosures".into(),
        e.enclosures.iter().map(enclosure).collect(),
    );
    if let Some(s) = &e.source {
        o.insert("source".into(), feed(s));
    }
    put(&mut o, "comments", &e.comments);
    if let Some(g) = e.guidislink {
        o.insert("guidislink".into(), g.into());
    }
    if let Some(i) = &e.image {
        o.insert("image".into(), image(i));
    }
    put_date(&mut o, "expired", &e.expired);
    Value::Object(o)
}

impl ParsedFeed {
    /// The result as the schema v2 JSON object.
    pub fn to_schema_json(&self) -> Value {
        let mut o = Obj::new();
        o.insert("schema".into(), SCHEMA_VERSION.into());
        o.insert("bozo".into(), self.bozo.into());
        put(&mut o, "bozo_exception", &self.bozo_exception);
        put(&mut o, "bozo_exception_class", &self.bozo_exception_class);
        o.insert("version".into(), self.version.clone().into());
        o.insert("encoding".into(), self.encoding.clone().into());
        let ns: Obj = self
            .namespaces
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        o.insert("namespaces".into(), Value::Object(ns));
        o.insert("feed".into(), feed(&self.feed));
        o.insert("entries".into(), self.entries.iter().map(entry).collect());
        let h = &self.http;
        let hs: Obj = h
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        o.insert("headers".into(), Value::Object(hs));
        put(&mut o, "etag", &h.etag);
        put_date(&mut o, "modified", &h.modified);
        put(&mut o, "href", &h.href);
        if let Some(s) = h.status {
            o.insert("status".into(), s.into());
        }
        Value::Object(o)
    }
}
