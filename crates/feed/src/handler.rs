//! The element state machine: turns the normalized XML event stream into the feed model.
//!
//! RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and the common extension vocabularies share one set of
//! handlers keyed by element name, as in the Universal Feed Parser, whose (sometimes surprising)
//! precedence rules feeds in the wild have been written against. Text is collected per open
//! element on a stack; when an element ends its text is cleaned, resolved, sanitized and stored
//! in the current context (feed, entry, entry source, image or text input).

use std::borrow::Cow;
use std::rc::Rc;

use crate::fields::{
    collect_enclosures, fix_link_entities, is_text_key, known_key, set_entry, set_feed, set_image,
    set_link_text, set_textinput, Value,
};
use crate::model::{
    Chapter, Chapters, Cloud, Common, Entry, Extension, Feed, Generator, Geometry, Image, Link,
    Location, MediaObject, Person, Tag, TextConstruct, TextInput,
};
use crate::people;
use crate::text;
use crate::uri;
use crate::xml::Sink;
use crate::ParseOptions;

const XHTML: &str = "application/xhtml+xml";

/// Bounds on lists that are deduplicated by linear search.
const MAX_TAGS: usize = 1024;
const MAX_NAMESPACES: usize = 256;
/// Bounds on the other-element keys and Media RSS / chapter lists of one feed or entry.
const MAX_EXTENSIONS: usize = 256;
const MAX_MEDIA: usize = 256;
const MAX_CHAPTERS: usize = 1024;

/// Parameters of the text construct being read (`contentparams`).
#[derive(Clone, Default)]
struct ContentParams {
    content_type: String,
    language: Option<String>,
    base: String,
    base64: bool,
    /// Atom out-of-line content's `src`.
    src: Option<String>,
}

/// An open element collecting text.
struct Frame {
    name: Cow<'static, str>,
    expecting_text: bool,
    /// An element no handler knows: its value goes to the extensions unless the model has a
    /// field of that name.
    other: bool,
    text: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Source,
    Image,
    TextInput,
    Entry,
    Feed,
}

/// Which kind of person a name/email/uri belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Author,
    Publisher,
}

pub(crate) struct Handler {
    pub feed: Feed,
    pub entries: Vec<Entry>,
    pub version: String,
    pub namespaces: Vec<(String, String)>,
    /// Set when a limit stopped the parse.
    pub limit_hit: Option<String>,
    max_entries: usize,
    html: crate::HtmlMode,
    utf8: bool,

    infeed: bool,
    inentry: bool,
    inimage: bool,
    intextinput: bool,
    inauthor: bool,
    incontributor: bool,
    inpublisher: bool,
    insource: bool,
    incontent: u32,
    content: Option<ContentParams>,
    /// A second summary/description in one entry is read as content.
    summary_is_content: bool,
    source: Feed,
    stack: Vec<Frame>,
    /// Effective base URI and language; shared, as every open element records them.
    base: Rc<str>,
    lang: Option<Rc<str>>,
    basestack: Vec<Rc<str>>,
    langstack: Vec<Option<Rc<str>>>,
    svg_ok: u32,
    title_depth: i64,
    depth: i64,
    has_content: bool,
    guidislink: bool,
    /// Depth at which each entry property was last stored (shallower wins).
    property_depth: Vec<(Cow<'static, str>, i64)>,
    /// Inside the first `<psc:chapters>` of the current feed or entry.
    in_chapters: bool,
    /// The GML geometry being read.
    gml_geometry: GmlGeometry,
    buf: String,
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The MIME type a `type` attribute stands for, lower-case; borrowed unless it had to be
/// lower-cased (every link and text construct asks).
fn map_content_type(t: &str) -> Cow<'_, str> {
    const SHORT: [(&str, &str); 4] = [
        ("text", "text/plain"),
        ("plain", "text/plain"),
        ("html", "text/html"),
        ("xhtml", XHTML),
    ];
    if let Some(&(_, full)) = SHORT
        .iter()
        .find(|(short, _)| short.eq_ignore_ascii_case(t))
    {
        Cow::Borrowed(full)
    } else if t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(t.to_ascii_lowercase())
    } else {
        Cow::Borrowed(t)
    }
}

fn is_html_type(t: &str) -> bool {
    t == "text/html" || t == XHTML
}

/// Escapes text for inclusion in serialized XHTML, copying the runs between special characters
/// whole.
fn escape_into(out: &mut String, s: &str, quotes: bool) {
    let special = |b: u8| matches!(b, b'&' | b'<' | b'>') || (quotes && b == b'"');
    let mut rest = s;
    while let Some(i) = rest.bytes().position(special) {
        let (plain, tail) = rest.split_at(i);
        out.push_str(plain);
        let mut tail = tail.chars();
        out.push_str(match tail.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            _ => "&quot;",
        });
        rest = tail.as_str();
    }
    out.push_str(rest);
}

/// Python-style `int()` of an element's text, 0 when it is not a number.
fn parse_int(s: &str) -> i64 {
    s.trim().parse().unwrap_or(0)
}

/// The GML geometry whose positions are being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum GmlGeometry {
    None,
    Point,
    LineString,
    Polygon,
}

/// An element's attributes as the extension keys keep them: the unprefixed duplicate the
/// reader adds for a prefixed attribute of a namespace it does not know is left out.
fn clean_attrs(attrs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(attrs.len());
    for (i, (k, v)) in attrs.iter().enumerate() {
        let duplicate = !k.contains(':')
            && attrs.get(i + 1).is_some_and(|(k2, v2)| {
                v2 == v && k2.len() > k.len() && k2.ends_with(k.as_str()) && {
                    let p = &k2[..k2.len() - k.len()];
                    p.ends_with(':') && !p[..p.len() - 1].contains(':')
                }
            });
        if !duplicate {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

fn media_object(attrs: &[(String, String)]) -> MediaObject {
    MediaObject {
        attrs: clean_attrs(attrs),
        content: None,
    }
}

/// GeoRSS positions from `lat lon lat lon...` (commas count as spaces), as
/// `[lon, lat(, alt)]` unless `swap` is false; `None` when a number does not parse.
fn georss_coords(text: &str, swap: bool, dims: u32) -> Option<Vec<Vec<f64>>> {
    let mut numbers = Vec::new();
    for t in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if t.is_empty() {
            continue;
        }
        numbers.push(t.parse::<f64>().ok().filter(|n| n.is_finite())?);
    }
    let step = if dims == 3 { 3 } else { 2 };
    let mut out = Vec::with_capacity(numbers.len() / step);
    let mut it = numbers.chunks(step);
    for chunk in it.by_ref() {
        if chunk.len() < 2 {
            break;
        }
        let mut p = if swap {
            vec![chunk[1], chunk[0]]
        } else {
            vec![chunk[0], chunk[1]]
        };
        if step == 3 {
            match chunk.get(2) {
                Some(a) => p.push(*a),
                None => break,
            }
        }
        out.push(p);
    }
    Some(out)
}

fn georss_point(text: &str, swap: bool, dims: u32) -> Option<Geometry> {
    georss_coords(text, swap, dims)?
        .into_iter()
        .next()
        .map(Geometry::Point)
}

/// Whether an EPSG `srsName` names a geographic (latitude/longitude) system, whose positions
/// are written latitude first; projected systems (UTM...) keep the order found.
fn srs_is_geographic(name: &str) -> bool {
    if !name.contains("EPSG") {
        return true;
    }
    let code = name
        .rsplit([':', '/'])
        .next()
        .and_then(|c| c.trim().parse::<u32>().ok());
    match code {
        // The EPSG geographic 2D/3D systems are numbered 4001-4999 (plus a few later ones).
        Some(c) => (4001..=4999).contains(&c) || matches!(c, 3819 | 3821 | 3824 | 3889 | 3906),
        None => false,
    }
}

/// A Podlove chapter start, `[hh:]mm:ss[.mmm]`, in seconds.
fn chapter_start(s: &str) -> Option<f64> {
    let (main, ms) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    fn two(p: &str) -> Option<&str> {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
    }
    let parts: Vec<&str> = main.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (two(h)?, two(m)?, two(s)?),
        [m, s] => ("0", two(m)?, two(s)?),
        _ => return None,
    };
    let ms = match ms {
        Some(f) if f.len() == 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let n = |p: &str| p.parse::<u32>().ok();
    Some(f64::from(n(h)? * 3600 + n(m)? * 60 + n(sec)?) + f64::from(ms) / 1000.0)
}

impl Handler {
    pub(crate) fn new(base: &str, lang: Option<&str>, utf8: bool, opts: &ParseOptions) -> Handler {
        let mut feed = Feed::default();
        let lang = lang.map(|l| l.replace('_', "-")).filter(|l| !l.is_empty());
        feed.common.language.clone_from(&lang);
        let lang: Option<Rc<str>> = lang.map(Rc::from);
        Handler {
            feed,
            entries: Vec::new(),
            version: String::new(),
            namespaces: Vec::new(),
            limit_hit: None,
            max_entries: opts.limits.max_entries,
            html: opts.html,
            utf8,
            infeed: false,
            inentry: false,
            inimage: false,
            intextinput: false,
            inauthor: false,
            incontributor: false,
            inpublisher: false,
            insource: false,
            incontent: 0,
            content: None,
            summary_is_content: false,
            source: Feed::default(),
            stack: Vec::new(),
            base: Rc::from(base),
            lang,
            basestack: Vec::new(),
            langstack: Vec::new(),
            svg_ok: 0,
            title_depth: -1,
            depth: 0,
            has_content: false,
            guidislink: false,
            property_depth: Vec::new(),
            in_chapters: false,
            gml_geometry: GmlGeometry::None,
            buf: String::new(),
        }
    }

    // ----- context -------------------------------------------------------------------------

    fn ctx(&self) -> Ctx {
        if self.insource {
            Ctx::Source
        } else if self.inimage && self.feed.image.is_some() {
            Ctx::Image
        } else if self.intextinput {
            Ctx::TextInput
        } else if self.inentry && !self.entries.is_empty() {
            Ctx::Entry
        } else {
            Ctx::Feed
        }
    }

    fn feed_mut(&mut self, ctx: Ctx) -> Option<&mut Feed> {
        match ctx {
            Ctx::Source => Some(&mut self.source),
            Ctx::Feed => Some(&mut self.feed),
            _ => None,
        }
    }

    fn common_mut(&mut self, ctx: Ctx) -> Option<&mut Common> {
        match ctx {
            Ctx::Entry => self.entries.last_mut().map(|e| &mut e.common),
            Ctx::Source => Some(&mut self.source.common),
            Ctx::Feed => Some(&mut self.feed.common),
            Ctx::Image | Ctx::TextInput => None,
        }
    }

    fn content_type(&self) -> Option<&str> {
        self.content.as_ref().map(|c| c.content_type.as_str())
    }

    // ----- element stack -------------------------------------------------------------------

    fn push(&mut self, name: impl Into<Cow<'static, str>>, expecting_text: bool) {
        self.stack.push(Frame {
            name: name.into(),
            expecting_text,
            other: false,
            text: String::new(),
        });
    }

    /// Opens an element no handler knows (and that has no attributes).
    fn push_other(&mut self, name: String) {
        self.stack.push(Frame {
            name: name.into(),
            expecting_text: true,
            other: true,
            text: String::new(),
        });
    }

    /// Closes the innermost element if it is `name`, returning its text untrimmed.
    fn pop_raw(&mut self, name: &str) -> Option<String> {
        if self.stack.last()?.name != name {
            return None;
        }
        self.stack.pop().map(|f| f.text)
    }

    fn handle_data(&mut self, text: &str, escape: bool) {
        let xhtml = escape && self.content_type() == Some(XHTML);
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if xhtml {
            escape_into(&mut top.text, text, false);
        } else {
            top.text.push_str(text);
        }
    }

    /// Removes the wrapper `<div>` Atom 1.0 requires around inline XHTML.
    fn strip_xhtml_div(s: &str) -> Option<&str> {
        let t = s.trim();
        if !(t.starts_with("<div>") || t.starts_with("<div ")) || !t.ends_with("</div>") {
            return None;
        }
        let inner_end = t.len() - "</div>".len();
        let mut depth = 0i32;
        let mut i = 0;
        while let Some(off) = t[i..inner_end].find('<') {
            let p = i + off;
            let tag_end = t[p..].find('>').map_or(t.len(), |e| p + e + 1);
            let tag = &t[p..tag_end];
            if tag.starts_with("</") {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            } else if !tag.ends_with("/>") {
                depth += 1;
            }
            i = tag_end.min(inner_end);
            if i >= inner_end {
                break;
            }
        }
        let open_end = t.find('>')? + 1;
        t.get(open_end..inner_end)
    }

    /// Closes the element named `name` if it is the innermost one collecting text, and stores its
    /// cleaned value. Returns the value.
    fn pop(&mut self, name: &str) -> Option<String> {
        self.pop_frame(name, true)
    }

    /// Like [`Self::pop`] when the caller has no use for the value (saves a copy).
    fn close(&mut self, name: &str) {
        self.pop_frame(name, false);
    }

    fn pop_frame(&mut self, name: &str, want_value: bool) -> Option<String> {
        if self.stack.last()?.name != name {
            return None;
        }
        let frame = self.stack.pop()?;
        let mut output = frame.text;
        if self.version == "atom10" && self.content_type() == Some(XHTML) {
            if let Some(inner) = Self::strip_xhtml_div(&output) {
                output = inner.to_string();
            }
        }
        // Trimmed in place: values can be whole articles.
        output.truncate(output.trim_end().len());
        let leading = output.len() - output.trim_start().len();
        output.drain(..leading);
        if !frame.expecting_text {
            return Some(output);
        }
        let element: &str = &frame.name;
        if self.content.as_ref().is_some_and(|c| c.base64) {
            if let Some(decoded) = text::decode_base64(&output) {
                output = decoded;
            }
        }
        if !output.is_empty()
            && matches!(
                element,
                "comments" | "docs" | "href" | "icon" | "id" | "link" | "logo" | "url"
            )
            && (element != "id" || self.guidislink)
        {
            output = uri::join(&self.base, &output);
        }
        let atom = self.version.starts_with("atom");
        if let Some(c) = self.content.as_mut() {
            if !atom && c.content_type == "text/plain" && text::looks_like_html(&output) {
                c.content_type = "text/html".into();
            }
            c.base64 = false;
        }
        // Outside any text construct the type defaults to HTML (push_content stores mapped types).
        let htmlish = self.content_type().is_none_or(is_html_type);
        if htmlish
            && matches!(
                element,
                "content"
                    | "copyright"
                    | "description"
                    | "info"
                    | "rights"
                    | "subtitle"
                    | "summary"
                    | "tagline"
                    | "title"
            )
        {
            output = crate::html(output, &self.base, self.html);
        }
        // Both repairs concern non-ASCII text, and most values have none.
        if !output.is_ascii() {
            if self.utf8 {
                output = text::repair_double_utf8(output);
            }
            output = text::repair_cp1252(output);
        }
        if matches!(element, "category" | "tags" | "itunes:keywords") {
            return Some(output);
        }
        if element == "title" && -1 < self.title_depth && self.title_depth <= self.depth {
            return Some(output);
        }
        let other = frame.other && known_key(element).is_none();
        if want_value {
            self.store(element, output.clone(), other);
            Some(output)
        } else {
            self.store(element, output, other);
            None
        }
    }

    /// The value as a text construct: with the parameters of the construct being read, else as
    /// plain text in the current language and base.
    fn text_construct(&self, value: String) -> TextConstruct {
        match self.content.as_ref().filter(|_| self.incontent > 0) {
            Some(c) => TextConstruct {
                content_type: c.content_type.clone(),
                value,
                language: c.language.clone(),
                base: c.base.clone(),
                src: c.src.clone(),
            },
            None => TextConstruct {
                content_type: "text/plain".into(),
                value,
                language: self.lang.as_deref().map(str::to_string),
                base: self.base.to_string(),
                src: None,
            },
        }
    }

    fn value(&self, element: &str, output: String) -> Value {
        if is_text_key(element) {
            Value::Text(self.text_construct(output))
        } else {
            Value::Plain(output)
        }
    }

    /// Stores an element's value in the current context; `other`: as an extension.
    fn store(&mut self, element: &str, output: String, other: bool) {
        if other {
            if self.insource || self.infeed || (self.inentry && !self.entries.is_empty()) {
                self.store_other(element, Extension::Text(output));
            }
            return;
        }
        if self.inentry && !self.insource {
            if self.entries.is_empty() {
                return;
            }
            match element {
                "content" => {
                    let tc = self.text_construct(output);
                    if let Some(entry) = self.entries.last_mut() {
                        entry.content.push(tc);
                    }
                }
                "link" => {
                    if let Some(entry) = self.entries.last_mut().filter(|_| !self.inimage) {
                        let fixed = fix_link_entities(&output.replace("&amp;", "&"));
                        set_link_text(&mut entry.common, fixed);
                    }
                }
                _ => {
                    let element = if element == "description" {
                        "summary"
                    } else {
                        element
                    };
                    let Some(key) = known_key(element) else {
                        return;
                    };
                    if !self.entry_depth_wins(key, || Cow::Borrowed(key)) {
                        return;
                    }
                    let v = self.value(element, output);
                    if let Some(entry) = self.entries.last_mut() {
                        set_entry(entry, key, v);
                    }
                }
            }
        } else if self.infeed || self.insource || self.inimage || self.intextinput {
            let element = if element == "description" {
                "subtitle"
            } else {
                element
            };
            let ctx = self.ctx();
            let output = if element == "link" {
                fix_link_entities(&output)
            } else {
                output
            };
            match ctx {
                Ctx::Image => {
                    if let Some(img) = self.feed.image.as_mut() {
                        set_image(img, element, output);
                    }
                }
                Ctx::TextInput => {
                    let ti = self.feed.textinput.get_or_insert_with(TextInput::default);
                    set_textinput(ti, element, output);
                }
                Ctx::Entry => {
                    if let Some(key) = known_key(element) {
                        let v = self.value(element, output);
                        if let Some(entry) = self.entries.last_mut() {
                            set_entry(entry, key, v);
                        }
                    }
                }
                Ctx::Feed | Ctx::Source => {
                    if element == "link" {
                        if let Some(feed) = self.feed_mut(ctx) {
                            set_link_text(&mut feed.common, output);
                        }
                    } else {
                        let v = self.value(element, output);
                        if let Some(feed) = self.feed_mut(ctx) {
                            set_feed(feed, element, v);
                        }
                    }
                }
            }
        }
    }

    /// True (and recorded) when a value of `key` stored now at the current depth replaces the
    /// entry's previous one: the least deeply nested occurrence wins.
    fn entry_depth_wins(&mut self, key: &str, owned: impl FnOnce() -> Cow<'static, str>) -> bool {
        let depth = self.depth;
        let slot = self.property_depth.iter_mut().find(|(k, _)| *k == key);
        match slot {
            Some((_, d)) if depth > *d => return false,
            Some((_, d)) => *d = depth,
            None => self.property_depth.push((owned(), depth)),
        }
        true
    }

    /// Stores the value of an element no handler knows under feedparser's key for it
    /// (`prefix_name`). Entries keep the least deeply nested text; attributes always replace.
    fn store_other(&mut self, element: &str, value: Extension) {
        let key = element.replace(':', "_");
        let value = match value {
            Extension::Text(t) if matches!(key.as_str(), "wfw_comment" | "wfw_commentrss") => {
                Extension::Text(if t.is_empty() {
                    t
                } else {
                    uri::join(&self.base, &t)
                })
            }
            v => v,
        };
        let ctx = self.ctx();
        let ctx = match ctx {
            Ctx::Image | Ctx::TextInput if self.inentry && !self.entries.is_empty() => Ctx::Entry,
            Ctx::Image | Ctx::TextInput => Ctx::Feed,
            c => c,
        };
        if ctx == Ctx::Entry
            && matches!(value, Extension::Text(_))
            && !self.entry_depth_wins(&key, || Cow::Owned(key.clone()))
        {
            return;
        }
        let Some(c) = self.common_mut(ctx) else {
            return;
        };
        if let Some(slot) = c.extensions.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else if c.extensions.len() < MAX_EXTENSIONS {
            c.extensions.push((key, value));
        }
    }

    /// The common metadata the current element belongs to; an image or text input counts as
    /// the feed (or entry) it is in.
    fn owner_mut(&mut self) -> Option<&mut Common> {
        let ctx = match self.ctx() {
            Ctx::Image | Ctx::TextInput if self.inentry && !self.entries.is_empty() => Ctx::Entry,
            Ctx::Image | Ctx::TextInput => Ctx::Feed,
            c => c,
        };
        self.common_mut(ctx)
    }

    /// Opens a text construct; its type comes from the `type` attribute, else `default`.
    fn push_content(
        &mut self,
        tag: &'static str,
        attrs: &[(String, String)],
        default: &str,
        expecting: bool,
    ) {
        self.incontent += 1;
        if let Some(l) = self.lang.as_mut() {
            if l.contains('_') {
                *l = Rc::from(l.replace('_', "-"));
            }
        }
        let content_type = map_content_type(attr(attrs, "type").unwrap_or(default));
        let base64 = attr(attrs, "mode") == Some("base64")
            || !(content_type.starts_with("text/")
                || content_type.ends_with("+xml")
                || content_type.ends_with("/xml"));
        self.content = Some(ContentParams {
            content_type: content_type.into_owned(),
            language: self.lang.as_deref().map(str::to_string),
            base: self.base.to_string(),
            base64,
            src: None,
        });
        self.push(tag, expecting);
    }

    /// Closes a text construct opened by [`Self::push_content`].
    fn pop_content(&mut self, tag: &str) -> Option<String> {
        self.end_text_construct(tag, true)
    }

    /// Like [`Self::pop_content`] when the caller has no use for the value.
    fn close_content(&mut self, tag: &str) {
        self.end_text_construct(tag, false);
    }

    fn end_text_construct(&mut self, tag: &str, want_value: bool) -> Option<String> {
        let value = self.pop_frame(tag, want_value);
        self.incontent = self.incontent.saturating_sub(1);
        self.content = None;
        value
    }

    // ----- people --------------------------------------------------------------------------

    fn save_person(&mut self, role: Role, field: PersonField, value: String) {
        let ctx = self.ctx();
        let Some(c) = self.common_mut(ctx) else {
            return;
        };
        let detail = match role {
            Role::Author => c.author_detail.get_or_insert_with(Person::default),
            Role::Publisher => c.publisher_detail.get_or_insert_with(Person::default),
        };
        field.set(detail, value.clone());
        people::sync_display(c);
        if c.authors.is_empty() {
            c.authors.push(Person::default());
        }
        if let Some(last) = c.authors.last_mut() {
            field.set(last, value);
        }
    }

    fn save_contributor(&mut self, field: PersonField, value: String) {
        let ctx = self.ctx();
        let Some(c) = self.common_mut(ctx) else {
            return;
        };
        if c.contributors.is_empty() {
            c.contributors.push(Person::default());
        }
        if let Some(last) = c.contributors.last_mut() {
            field.set(last, value);
        }
    }

    /// Derives the display string from the person, or the person from a display string.
    fn sync_person(&mut self, role: Role) {
        let ctx = self.ctx();
        let Some(c) = self.common_mut(ctx) else {
            return;
        };
        if role == Role::Author && c.authors.last().is_some_and(|p| !p.is_empty()) {
            people::sync_display(c);
            return;
        }
        let display = match role {
            Role::Author => c.author.clone(),
            Role::Publisher => c.publisher.clone(),
        };
        let Some((name, email)) = display.as_deref().and_then(people::split_display) else {
            return;
        };
        let mut person = match role {
            Role::Author => c.authors.last().cloned().unwrap_or_default(),
            Role::Publisher => Person::default(),
        };
        if name.is_some() {
            person.name = name;
        }
        if email.is_some() {
            person.email = email;
        }
        match role {
            Role::Author => {
                if let Some(last) = c.authors.last_mut() {
                    *last = person.clone();
                }
                c.author_detail.get_or_insert(person);
            }
            Role::Publisher => {
                c.publisher_detail.get_or_insert(person);
            }
        }
    }

    // ----- tags and links ------------------------------------------------------------------

    fn add_tag(&mut self, term: Option<String>, scheme: Option<String>, label: Option<String>) {
        let ctx = self.ctx();
        let Some(c) = self.common_mut(ctx) else {
            return;
        };
        let empty = |s: &Option<String>| s.as_deref().is_none_or(str::is_empty);
        if empty(&term) && empty(&scheme) && empty(&label) {
            return;
        }
        let tag = Tag {
            term,
            scheme,
            label,
        };
        // Duplicates are searched linearly: cap the count so hostile input stays cheap.
        if c.tags.len() < MAX_TAGS && !c.tags.contains(&tag) {
            c.tags.push(tag);
        }
    }

    fn add_link(&mut self, link: Link) {
        let ctx = self.ctx();
        if let Some(c) = self.common_mut(ctx) {
            c.links.push(link);
        }
    }

    fn link_from_attrs(attrs: &[(String, String)]) -> Link {
        let href = attr(attrs, "url")
            .or_else(|| attr(attrs, "uri"))
            .or_else(|| attr(attrs, "href"))
            .filter(|h| !h.is_empty())
            .or_else(|| attr(attrs, "href"));
        Link {
            rel: attr(attrs, "rel").map(str::to_string),
            content_type: attr(attrs, "type").map(str::to_string),
            href: href.map(str::to_string),
            title: attr(attrs, "title").map(str::to_string),
            hreflang: attr(attrs, "hreflang").map(str::to_string),
            length: attr(attrs, "length").map(str::to_string),
        }
    }

    // ----- element handlers ----------------------------------------------------------------

    fn start_item(&mut self, attrs: &[(String, String)]) {
        if self.entries.len() >= self.max_entries {
            self.limit_hit = Some(format!(
                "capped at {} entries",
                crate::thousands(self.max_entries)
            ));
            return;
        }
        self.entries.push(Entry::default());
        self.property_depth.clear();
        self.in_chapters = false;
        self.push("item", false);
        self.inentry = true;
        self.guidislink = false;
        self.title_depth = -1;
        if let Some(id) = attr(attrs, "rdf:about").filter(|s| !s.is_empty()) {
            if let Some(e) = self.entries.last_mut() {
                e.common.id = Some(id.to_string());
            }
        }
        self.cdf_common(attrs);
    }

    fn cdf_common(&mut self, attrs: &[(String, String)]) {
        if let Some(v) = attr(attrs, "lastmod") {
            let v = v.to_string();
            self.push("updated", true);
            self.handle_data(&v, false);
            self.close("updated");
        }
        if let Some(v) = attr(attrs, "href") {
            let v = v.to_string();
            self.start_link(&[]);
            if let Some(top) = self.stack.last_mut() {
                top.text = v;
            }
            self.close("link");
        }
    }

    fn start_link(&mut self, attrs: &[(String, String)]) {
        let mut link = Self::link_from_attrs(attrs);
        let rel = link.rel.get_or_insert_with(|| "alternate".into()).clone();
        if link.content_type.is_none() {
            link.content_type = Some(
                if rel == "self" {
                    "application/atom+xml"
                } else {
                    "text/html"
                }
                .into(),
            );
        }
        if let Some(h) = link.href.as_mut() {
            *h = uri::join(&self.base, h);
        }
        let expecting =
            self.infeed || self.inentry || self.insource || self.inimage || self.intextinput;
        let ctx = self.ctx();
        let href = link.href.clone();
        let html = is_html_type(&map_content_type(
            link.content_type.as_deref().unwrap_or(""),
        ));
        if !(self.inentry && self.inimage) {
            self.add_link(link);
        }
        match href {
            Some(h) => {
                if rel == "alternate" && html {
                    match ctx {
                        Ctx::Image => {
                            if let Some(i) = self.feed.image.as_mut() {
                                i.link = Some(h);
                            }
                        }
                        Ctx::TextInput => {
                            self.feed
                                .textinput
                                .get_or_insert_with(Default::default)
                                .link = Some(h);
                        }
                        _ => {
                            if let Some(c) = self.common_mut(ctx) {
                                c.link = Some(h);
                            }
                        }
                    }
                }
            }
            None => self.push("link", expecting),
        }
    }

    fn start_guid(&mut self, attrs: &[(String, String)]) {
        self.guidislink = attr(attrs, "ispermalink").unwrap_or("true") == "true";
        self.push("id", true);
    }

    fn end_guid(&mut self) {
        let value = self.pop("id");
        let ctx = self.ctx();
        let guidislink = self.guidislink;
        if ctx == Ctx::Entry {
            if let Some(e) = self.entries.last_mut() {
                let has_link = e.common.link.is_some();
                e.guidislink.get_or_insert(guidislink && !has_link);
                if guidislink && !has_link {
                    e.common.link = value;
                }
            }
        } else if guidislink {
            if let Some(c) = self.common_mut(ctx) {
                if c.link.is_none() {
                    c.link = value;
                }
            }
        }
    }

    fn start_author(&mut self) {
        self.inauthor = true;
        self.push("author", true);
        let ctx = self.ctx();
        if let Some(c) = self.common_mut(ctx) {
            c.authors.push(Person::default());
        }
    }

    fn end_author(&mut self) {
        self.close("author");
        self.inauthor = false;
        self.sync_person(Role::Author);
    }

    fn start_contributor(&mut self, name_only: bool) {
        self.incontributor = true;
        let ctx = self.ctx();
        if let Some(c) = self.common_mut(ctx) {
            c.contributors.push(Person::default());
        }
        self.push(if name_only { "name" } else { "contributor" }, false);
    }

    fn end_name(&mut self) {
        let Some(value) = self.pop("name") else {
            return;
        };
        if self.inpublisher {
            self.save_person(Role::Publisher, PersonField::Name, value);
        } else if self.inauthor {
            self.save_person(Role::Author, PersonField::Name, value);
        } else if self.incontributor {
            self.save_contributor(PersonField::Name, value);
        } else if self.intextinput {
            self.feed
                .textinput
                .get_or_insert_with(Default::default)
                .name = Some(value);
        }
    }

    fn end_email(&mut self) {
        let Some(value) = self.pop("email") else {
            return;
        };
        if self.inpublisher {
            self.save_person(Role::Publisher, PersonField::Email, value);
        } else if self.inauthor {
            self.save_person(Role::Author, PersonField::Email, value);
        } else if self.incontributor {
            self.save_contributor(PersonField::Email, value);
        }
    }

    fn end_url(&mut self) {
        let Some(value) = self.pop("href") else {
            return;
        };
        if self.inauthor {
            self.save_person(Role::Author, PersonField::Href, value);
        } else if self.incontributor {
            self.save_contributor(PersonField::Href, value);
        }
    }

    fn end_dimension(&mut self, name: &'static str) {
        let Some(value) = self.pop(name) else {
            return;
        };
        if self.inimage && self.ctx() == Ctx::Image {
            if let Some(img) = self.feed.image.as_mut() {
                let v = Some(parse_int(&value));
                if name == "width" {
                    img.width = v;
                } else {
                    img.height = v;
                }
            }
        }
    }

    fn start_category(&mut self, attrs: &[(String, String)]) {
        let term = attr(attrs, "term").map(str::to_string);
        let scheme = attr(attrs, "scheme")
            .or_else(|| attr(attrs, "domain"))
            .map(str::to_string);
        let label = attr(attrs, "label").map(str::to_string);
        self.add_tag(term, scheme, label);
        self.push("category", true);
    }

    fn end_category(&mut self) {
        let Some(value) = self.pop("category").filter(|v| !v.is_empty()) else {
            return;
        };
        let ctx = self.ctx();
        if let Some(c) = self.common_mut(ctx) {
            if let Some(last) = c.tags.last_mut() {
                if last.term.as_deref().is_none_or(str::is_empty) {
                    last.term = Some(value);
                    return;
                }
            }
        }
        self.add_tag(Some(value), None, None);
    }

    fn end_keywords(&mut self, name: &str, scheme: Option<&str>) {
        let Some(value) = self.pop(name) else {
            return;
        };
        for term in value.split(',') {
            let term = term.trim();
            if !term.is_empty() {
                self.add_tag(Some(term.to_string()), scheme.map(str::to_string), None);
            }
        }
    }

    fn start_description(&mut self, attrs: &[(String, String)], default: &str, tag: &'static str) {
        let ctx = self.ctx();
        let has_summary = self.common_mut(ctx).is_some_and(|c| c.summary.is_some());
        if has_summary && !self.has_content {
            self.summary_is_content = true;
            self.start_content(attrs, "text/plain");
        } else {
            let expecting = tag == "summary"
                || self.infeed
                || self.inentry
                || self.insource
                || self.inimage
                || self.intextinput;
            self.push_content(tag, attrs, default, expecting);
        }
    }

    fn end_description(&mut self, tag: &str) {
        if self.summary_is_content {
            self.end_content();
        } else {
            self.close_content(tag);
        }
        self.summary_is_content = false;
    }

    fn start_content(&mut self, attrs: &[(String, String)], default: &str) {
        self.has_content = true;
        self.push_content("content", attrs, default, true);
        if let Some(src) = attr(attrs, "src").filter(|s| !s.is_empty()) {
            if let Some(c) = self.content.as_mut() {
                c.src = Some(src.to_string());
            }
        }
    }

    /// Ends any content element; plain or HTML content doubles as the summary when there is none.
    fn end_content(&mut self) {
        let copy = self
            .content
            .as_ref()
            .is_some_and(|c| c.content_type == "text/plain" || is_html_type(&c.content_type));
        // The value doubles as the summary only where there is none yet; storing content never
        // sets one, so this can be decided before paying for a second copy of the value.
        let ctx = self.ctx();
        let copy = copy && self.common_mut(ctx).is_some_and(|c| c.summary.is_none());
        let value = if copy {
            self.pop("content")
        } else {
            self.close("content");
            None
        };
        // Like pop_content, but the parameters (type possibly corrected by pop) are kept.
        let params = self.content.take();
        self.incontent = self.incontent.saturating_sub(1);
        if let (Some(value), Some(p)) = (value, params) {
            if let Some(c) = self.common_mut(ctx).filter(|c| c.summary.is_none()) {
                c.summary = Some(TextConstruct {
                    content_type: p.content_type,
                    value,
                    language: p.language,
                    base: p.base,
                    src: p.src,
                });
            }
        }
    }

    fn start_title(&mut self, attrs: &[(String, String)]) {
        let expecting =
            self.infeed || self.inentry || self.insource || self.inimage || self.intextinput;
        self.push_content("title", attrs, "text/plain", expecting);
    }

    fn end_title(&mut self) {
        if self.svg_ok > 0 {
            return;
        }
        let value = self.pop_content("title");
        if value.is_some_and(|v| !v.is_empty()) {
            self.title_depth = self.depth;
        }
    }

    fn start_generator(&mut self, attrs: &[(String, String)]) {
        let href = attr(attrs, "url")
            .or_else(|| attr(attrs, "uri"))
            .or_else(|| attr(attrs, "href"))
            .filter(|h| !h.is_empty())
            .map(|h| uri::join(&self.base, h));
        let detail = Generator {
            name: None,
            href,
            version: attr(attrs, "version").map(str::to_string),
        };
        let ctx = self.ctx();
        if let Some(f) = self.feed_mut(ctx) {
            f.generator_detail = Some(detail);
        }
        self.push("generator", true);
    }

    fn end_generator(&mut self) {
        let value = self.pop("generator");
        let ctx = self.ctx();
        if let Some(d) = self.feed_mut(ctx).and_then(|f| f.generator_detail.as_mut()) {
            d.name = value;
        }
    }

    fn start_image(&mut self) {
        let ctx = self.ctx();
        if !self.inentry {
            if let Some(f) = self.feed_mut(ctx) {
                f.image.get_or_insert_with(Image::default);
            }
        }
        self.inimage = true;
        self.title_depth = -1;
        self.push("image", false);
    }

    fn start_source(&mut self, attrs: &[(String, String)]) {
        if let Some(url) = attr(attrs, "url") {
            self.source.href = Some(url.to_string());
        }
        self.push("source", true);
        self.insource = true;
        self.title_depth = -1;
    }

    fn end_source(&mut self) {
        self.insource = false;
        if let Some(value) = self.pop("source").filter(|v| !v.is_empty()) {
            self.source.common.title = Some(TextConstruct {
                content_type: "text/plain".into(),
                value,
                language: self.lang.as_deref().map(str::to_string),
                base: self.base.to_string(),
                src: None,
            });
        }
        let source = std::mem::take(&mut self.source);
        if self.ctx() == Ctx::Entry {
            if let Some(e) = self.entries.last_mut() {
                e.source = Some(Box::new(source));
            }
        }
    }

    fn start_license_resource(&mut self, attrs: &[(String, String)]) {
        let href = attr(attrs, "rdf:resource")
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        self.add_link(Link {
            rel: Some("license".into()),
            href: href.clone(),
            ..Link::default()
        });
        let ctx = self.ctx();
        if let (Some(h), Some(c)) = (href, self.common_mut(ctx)) {
            c.license.get_or_insert(h);
        }
    }

    fn end_license_text(&mut self) {
        let value = self.pop("license").filter(|v| !v.is_empty());
        self.add_link(Link {
            rel: Some("license".into()),
            href: value.clone(),
            ..Link::default()
        });
        let ctx = self.ctx();
        if let (Some(h), Some(c)) = (value, self.common_mut(ctx)) {
            c.license.get_or_insert(h);
        }
    }

    fn start_itunes_image(&mut self, tag: &'static str, attrs: &[(String, String)]) {
        self.push(tag, false);
        let href = attr(attrs, "href")
            .filter(|h| !h.is_empty())
            .or_else(|| attr(attrs, "url").filter(|h| !h.is_empty()));
        if let Some(h) = href {
            let image = Image {
                href: Some(h.to_string()),
                ..Image::default()
            };
            let ctx = self.ctx();
            if ctx == Ctx::Entry {
                if let Some(e) = self.entries.last_mut() {
                    e.image = Some(image);
                }
            } else if let Some(f) = self.feed_mut(ctx) {
                f.image = Some(image);
            }
        }
    }

    fn cloud(&mut self, attrs: &[(String, String)]) {
        let get = |k: &str| attr(attrs, k).map(str::to_string);
        let cloud = Cloud {
            domain: get("domain"),
            port: get("port"),
            path: get("path"),
            registerprocedure: get("registerprocedure"),
            protocol: get("protocol"),
        };
        let ctx = self.ctx();
        if let Some(f) = self.feed_mut(ctx) {
            f.cloud = Some(cloud);
        }
    }

    /// Dispatches a start tag to its handler; false if the element has none.
    fn start_known(&mut self, prefix: &str, local: &str, attrs: &[(String, String)]) -> bool {
        match (prefix, local) {
            ("", "rss") => {
                if !self.version.starts_with("rss") {
                    let v = attr(attrs, "version").unwrap_or("");
                    self.version = match v {
                        "0.91" => "rss091u",
                        "0.92" => "rss092",
                        "0.93" => "rss093",
                        "0.94" => "rss094",
                        _ if v.starts_with("2.") => "rss20",
                        _ => "rss",
                    }
                    .into();
                }
            }
            ("", "channel") => {
                self.infeed = true;
                self.cdf_common(attrs);
            }
            ("", "feed") => {
                self.infeed = true;
                if self.version.is_empty() {
                    self.version = match attr(attrs, "version") {
                        Some("0.1") => "atom01",
                        Some("0.2") => "atom02",
                        Some("0.3") => "atom03",
                        _ => "atom",
                    }
                    .into();
                }
            }
            ("", "image") => self.start_image(),
            ("", "textinput") => {
                self.feed.textinput.get_or_insert_with(TextInput::default);
                self.intextinput = true;
                self.title_depth = -1;
                self.push("textinput", false);
            }
            ("", "author" | "managingeditor")
            | ("dc", "author" | "creator")
            | ("itunes", "author") => self.start_author(),
            ("", "contributor") => self.start_contributor(false),
            ("dc", "contributor") => self.start_contributor(true),
            ("", "name") | ("itunes", "name") => self.push("name", false),
            ("", "width") => self.push("width", false),
            ("", "height") => self.push("height", false),
            ("", "url" | "homepage" | "uri") => self.push("href", true),
            ("", "email") | ("itunes", "email") => self.push("email", false),
            ("", "subtitle" | "tagline") | ("itunes", "subtitle") => {
                self.push_content("subtitle", attrs, "text/plain", true)
            }
            ("", "rights" | "copyright") | ("dc", "rights") => {
                self.push_content("rights", attrs, "text/plain", true)
            }
            ("", "item" | "entry") => self.start_item(attrs),
            ("", "language") | ("dc", "language") => self.push("language", true),
            ("", "webmaster") | ("dc", "publisher") => self.push("publisher", true),
            ("", "published" | "issued" | "pubdate") | ("dcterms", "issued") => {
                self.push("published", true)
            }
            ("", "updated" | "modified" | "lastbuilddate")
            | ("dc", "date")
            | ("dcterms", "modified") => self.push("updated", true),
            ("", "created") | ("dcterms", "created") => self.push("created", true),
            ("", "expirationdate") => self.push("expired", true),
            ("", "category" | "keywords") | ("dc", "subject") => self.start_category(attrs),
            ("media", "category") => {
                let mut a = attrs.to_vec();
                if attr(&a, "scheme").is_none() {
                    a.push((
                        "scheme".into(),
                        "http://search.yahoo.com/mrss/category_schema".into(),
                    ));
                }
                self.start_category(&a);
            }
            ("itunes", "category") => {
                let term = attr(attrs, "text").map(str::to_string);
                self.add_tag(term, Some("http://www.itunes.com/".into()), None);
                self.push("category", true);
            }
            ("", "cloud") => self.cloud(attrs),
            ("", "link") => self.start_link(attrs),
            ("", "guid" | "id") => self.start_guid(attrs),
            ("", "title") | ("dc" | "media", "title") => self.start_title(attrs),
            ("", "description") | ("dc" | "media", "description") => {
                self.start_description(attrs, "text/html", "description")
            }
            ("", "abstract") => self.push_content(
                "description",
                attrs,
                "text/plain",
                self.infeed || self.inentry || self.insource,
            ),
            ("", "info") | ("feedburner", "browserfriendly") => {
                self.push_content("info", attrs, "text/plain", true)
            }
            ("", "generator") => self.start_generator(attrs),
            ("admin", "generatoragent") => {
                let value = attr(attrs, "rdf:resource").unwrap_or("").to_string();
                self.push("generator", true);
                self.handle_data(&value, false);
                self.close("generator");
                let ctx = self.ctx();
                if let Some(f) = self.feed_mut(ctx) {
                    f.generator_detail = Some(Generator {
                        href: (!value.is_empty()).then_some(value),
                        ..Generator::default()
                    });
                }
            }
            ("", "summary") | ("itunes", "summary") => {
                self.start_description(attrs, "text/plain", "summary")
            }
            ("", "enclosure") => {
                let mut link = Self::link_from_attrs(attrs);
                link.rel = Some("enclosure".into());
                self.add_link(link);
            }
            ("", "source") => self.start_source(attrs),
            ("", "content") => self.start_content(attrs, "text/plain"),
            ("", "body") | ("xhtml", "body") => self.push_content("content", attrs, XHTML, true),
            ("content", "encoded") | ("", "fullitem") => self.start_content(attrs, "text/html"),
            ("cc", "license") => self.start_license_resource(attrs),
            ("creativecommons", "license") => self.push("license", true),
            ("itunes", "image") => self.start_itunes_image("itunes:image", attrs),
            ("itunes", "link") => self.start_itunes_image("itunes:link", attrs),
            ("itunes", "owner") => {
                self.inpublisher = true;
                self.push("publisher", false);
            }
            ("", "tags") => self.push("tags", true),
            ("", "icon" | "logo") => self.push(if local == "icon" { "icon" } else { "logo" }, true),
            ("itunes", "block") => self.push("itunes:block", false),
            ("itunes", "explicit") => self.push("itunes:explicit", false),
            ("media", "group") => {}
            ("media", "content") => {
                let m = media_object(attrs);
                if let Some(c) = self.owner_mut() {
                    if c.ns_mut().media_content.len() < MAX_MEDIA {
                        c.ns_mut().media_content.push(m);
                    }
                }
            }
            ("media", "thumbnail") => {
                let m = media_object(attrs);
                if let Some(c) = self.owner_mut() {
                    if c.ns_mut().media_thumbnails.len() < MAX_MEDIA {
                        c.ns_mut().media_thumbnails.push(m);
                    }
                }
                self.push("media:thumbnail", false);
            }
            ("media", "credit") => {
                let m = media_object(attrs);
                if let Some(c) = self.owner_mut() {
                    if c.ns_mut().media_credits.len() < MAX_MEDIA {
                        c.ns_mut().media_credits.push(m);
                    }
                }
                self.push("media:credit", false);
            }
            ("media", "player") => {
                let m = media_object(attrs);
                if let Some(c) = self.owner_mut() {
                    c.ns_mut().media_player = Some(m);
                }
                self.push("media:player", false);
            }
            ("media", "rating" | "restriction" | "license") => {
                let m = media_object(attrs);
                if let Some(c) = self.owner_mut() {
                    let slot = match local {
                        "rating" => &mut c.ns_mut().media_rating,
                        "restriction" => &mut c.ns_mut().media_restriction,
                        _ => &mut c.ns_mut().media_license,
                    };
                    slot.get_or_insert(m);
                }
                self.push(
                    match local {
                        "rating" => "media:rating",
                        "restriction" => "media:restriction",
                        _ => "media:license",
                    },
                    false,
                );
            }
            ("georss", "point" | "line" | "polygon" | "box") => {
                if let Some(c) = self.owner_mut() {
                    c.ns_mut().location = Some(Location::default());
                }
                self.push("geometry", false);
            }
            ("georss", "where") | ("", "where") => {
                if let Some(c) = self.owner_mut() {
                    c.ns_mut().location = Some(Location::default());
                }
            }
            ("gml", "point" | "linestring" | "polygon") => {
                let name = attr(attrs, "srsname").map(str::to_string);
                let dim = attr(attrs, "srsdimension")
                    .map_or(Some(2), |d| d.trim().parse::<u32>().ok())
                    .unwrap_or(2);
                if let Some(c) = self.owner_mut() {
                    let l = c.ns_mut().location.get_or_insert_with(Location::default);
                    l.gml = true;
                    l.srs_name = name;
                    l.srs_dimension = Some(dim);
                }
                match local {
                    "point" => self.gml_geometry = GmlGeometry::Point,
                    "linestring" => self.gml_geometry = GmlGeometry::LineString,
                    _ => {}
                }
            }
            ("gml", "linearring") => self.gml_geometry = GmlGeometry::Polygon,
            ("gml", "exterior") => {}
            ("gml", "pos" | "poslist") => self.push("gml:pos", false),
            ("psc", "chapters") => {
                let a = clean_attrs(attrs);
                if let Some(c) = self.owner_mut() {
                    if c.ns_mut().chapters.is_none() {
                        c.ns_mut().chapters = Some(Chapters {
                            attrs: a,
                            chapters: Vec::new(),
                        });
                        self.in_chapters = true;
                    }
                }
            }
            ("psc", "chapter") => {
                if self.in_chapters {
                    let ch = Chapter {
                        attrs: clean_attrs(attrs),
                        start_seconds: attr(attrs, "start").and_then(chapter_start),
                    };
                    if let Some(list) = self.owner_mut().and_then(|c| c.ns_mut().chapters.as_mut())
                    {
                        if list.chapters.len() < MAX_CHAPTERS {
                            list.chapters.push(ch);
                        }
                    }
                }
            }
            ("dcterms", "valid") => self.push("validity", false),
            ("", "newlocation") => self.push("newlocation", false),
            _ => return false,
        }
        true
    }

    /// Dispatches an end tag to its handler; false if the element has none.
    fn end_known(&mut self, prefix: &str, local: &str) -> bool {
        match (prefix, local) {
            ("", "channel" | "feed") => self.infeed = false,
            ("", "image") => {
                self.close("image");
                self.inimage = false;
            }
            ("", "textinput") => {
                self.close("textinput");
                self.intextinput = false;
            }
            ("", "author" | "managingeditor")
            | ("dc", "author" | "creator")
            | ("itunes", "author") => self.end_author(),
            ("", "contributor") => {
                self.close("contributor");
                self.incontributor = false;
            }
            ("dc", "contributor") => {
                self.end_name();
                self.incontributor = false;
            }
            ("", "name") | ("itunes", "name") => self.end_name(),
            ("", "width") => self.end_dimension("width"),
            ("", "height") => self.end_dimension("height"),
            ("", "url" | "homepage" | "uri") => self.end_url(),
            ("", "email") | ("itunes", "email") => self.end_email(),
            ("", "subtitle" | "tagline") | ("itunes", "subtitle") => {
                self.close_content("subtitle");
            }
            ("", "rights" | "copyright") | ("dc", "rights") => {
                self.close_content("rights");
            }
            ("", "item" | "entry") => {
                if let Some(e) = self.entries.last_mut().filter(|_| self.inentry) {
                    collect_enclosures(e);
                }
                self.close("item");
                self.inentry = false;
                self.has_content = false;
            }
            ("", "language") | ("dc", "language") => self.lang = self.pop("language").map(Rc::from),
            ("", "webmaster") | ("dc", "publisher") => {
                self.close("publisher");
                self.sync_person(Role::Publisher);
            }
            ("", "published" | "issued" | "pubdate") | ("dcterms", "issued") => {
                self.close("published");
            }
            ("", "updated" | "modified" | "lastbuilddate")
            | ("dc", "date")
            | ("dcterms", "modified") => {
                self.close("updated");
            }
            ("", "created") | ("dcterms", "created") => {
                self.close("created");
            }
            ("", "expirationdate") => {
                self.close("expired");
            }
            ("", "category" | "keywords")
            | ("dc", "subject")
            | ("media" | "itunes", "category") => self.end_category(),
            ("", "link") => {
                self.close("link");
            }
            ("", "guid" | "id") => self.end_guid(),
            ("", "title") | ("dc", "title") => self.end_title(),
            ("media", "title") => {
                let depth = self.title_depth;
                self.end_title();
                self.title_depth = depth;
            }
            ("", "description" | "abstract") | ("dc" | "media", "description") => {
                self.end_description("description")
            }
            ("", "info") | ("feedburner", "browserfriendly") => {
                self.close_content("info");
            }
            ("", "generator") => self.end_generator(),
            ("", "summary") | ("itunes", "summary") => self.end_description("summary"),
            ("", "source") => self.end_source(),
            ("", "content" | "body")
            | ("xhtml", "body")
            | ("content", "encoded")
            | ("", "fullitem") => self.end_content(),
            ("creativecommons", "license") => self.end_license_text(),
            ("itunes", "owner") => {
                self.close("publisher");
                self.inpublisher = false;
                self.sync_person(Role::Publisher);
            }
            ("itunes", "keywords") => {
                self.end_keywords("itunes:keywords", Some("http://www.itunes.com/"))
            }
            ("media", "keywords") => self.end_keywords("media:keywords", None),
            ("", "tags") => self.end_keywords("tags", None),
            ("itunes", "block") => {
                let Some(v) = self.pop_raw("itunes:block") else {
                    return true;
                };
                if let Some(c) = self.owner_mut() {
                    c.itunes_block = Some(v == "yes" || v == "Yes");
                }
            }
            ("itunes", "explicit") => {
                let Some(v) = self.pop_raw("itunes:explicit") else {
                    return true;
                };
                let explicit = match v.as_str() {
                    "yes" | "true" => Some(true),
                    "no" | "false" | "clean" => Some(false),
                    _ => None,
                };
                if let Some(c) = self.owner_mut() {
                    c.itunes_explicit = Some(explicit);
                }
            }
            ("media", "group" | "content") => {}
            ("media", "thumbnail") => {
                let Some(v) = self.pop_raw("media:thumbnail") else {
                    return true;
                };
                let v = v.trim();
                if !v.is_empty() {
                    if let Some(t) = self
                        .owner_mut()
                        .and_then(|c| c.ns_mut().media_thumbnails.last_mut())
                    {
                        if t.get("url").is_none() {
                            t.attrs.push(("url".into(), v.to_string()));
                        }
                    }
                }
            }
            ("media", "credit") => {
                let Some(v) = self.pop_raw("media:credit") else {
                    return true;
                };
                let v = v.trim();
                if !v.is_empty() {
                    if let Some(m) = self
                        .owner_mut()
                        .and_then(|c| c.ns_mut().media_credits.last_mut())
                    {
                        m.content = Some(v.to_string());
                    }
                }
            }
            ("media", "player") => {
                let v = self.pop_raw("media:player").unwrap_or_default();
                if let Some(m) = self
                    .owner_mut()
                    .and_then(|c| c.ns_mut().media_player.as_mut())
                {
                    m.content = Some(v.trim().to_string());
                }
            }
            ("media", "rating" | "restriction" | "license") => {
                let name = match local {
                    "rating" => "media:rating",
                    "restriction" => "media:restriction",
                    _ => "media:license",
                };
                let Some(v) = self.pop_raw(name) else {
                    return true;
                };
                let v = v.trim();
                if !v.is_empty() {
                    if let Some(c) = self.owner_mut() {
                        let slot = match local {
                            "rating" => &mut c.ns_mut().media_rating,
                            "restriction" => &mut c.ns_mut().media_restriction,
                            _ => &mut c.ns_mut().media_license,
                        };
                        if let Some(m) = slot.as_mut() {
                            m.content = Some(if local == "restriction" {
                                v.to_lowercase()
                            } else {
                                v.to_string()
                            });
                        }
                    }
                }
            }
            ("georss", "point" | "line" | "polygon" | "box") => {
                let Some(v) = self.pop_raw("geometry") else {
                    return true;
                };
                let geometry = match local {
                    "point" => georss_point(&v, true, 2),
                    "line" => georss_coords(&v, true, 2).map(Geometry::LineString),
                    "polygon" => georss_coords(&v, true, 2)
                        .filter(|r| r.len() >= 4)
                        .map(|r| Geometry::Polygon(vec![r])),
                    _ => georss_coords(&v, true, 2).map(Geometry::Box),
                };
                if let (Some(g), Some(c)) = (geometry, self.owner_mut()) {
                    c.ns_mut()
                        .location
                        .get_or_insert_with(Location::default)
                        .geometry = Some(g);
                }
            }
            ("georss", "where") | ("", "where") => {}
            ("gml", "point" | "linestring" | "linearring" | "exterior" | "polygon") => {
                self.gml_geometry = GmlGeometry::None;
            }
            ("gml", "pos" | "poslist") => {
                let Some(v) = self.pop_raw("gml:pos") else {
                    return true;
                };
                let kind = self.gml_geometry;
                let Some(c) = self.owner_mut() else {
                    return true;
                };
                let l = c.ns_mut().location.get_or_insert_with(Location::default);
                let dims = l.srs_dimension.unwrap_or(2);
                let swap = l.srs_name.as_deref().is_none_or(srs_is_geographic);
                let geometry = if local == "pos" {
                    georss_point(&v, swap, dims)
                } else {
                    match kind {
                        GmlGeometry::LineString => {
                            georss_coords(&v, swap, dims).map(Geometry::LineString)
                        }
                        GmlGeometry::Polygon => {
                            georss_coords(&v, swap, dims).map(|r| Geometry::Polygon(vec![r]))
                        }
                        _ => None,
                    }
                };
                if let Some(g) = geometry {
                    l.geometry = Some(g);
                }
            }
            ("psc", "chapters") => self.in_chapters = false,
            ("psc", "chapter") => {}
            ("dcterms", "valid") => {
                let Some(v) = self.pop_raw("validity") else {
                    return true;
                };
                let mut start = None;
                let mut end = None;
                for part in v.trim().split(';') {
                    match part.split_once('=') {
                        Some(("start", s)) => start = Some(s.to_string()),
                        Some(("end", e)) => end = Some(e.to_string()),
                        _ => {}
                    }
                }
                if let Some(c) = self.owner_mut() {
                    if let Some(s) = start {
                        c.ns_mut().validity_start = Some(crate::model::Date::new(s));
                    }
                    if let Some(e) = end {
                        c.ns_mut().validity_end = Some(crate::model::Date::new(e));
                    }
                }
            }
            ("", "newlocation") => {
                let Some(v) = self.pop_raw("newlocation") else {
                    return true;
                };
                if self.ctx() == Ctx::Feed && !self.inentry {
                    let url = uri::safe_absolute(&self.base, v.trim());
                    self.feed.newlocation = Some(url);
                }
            }
            _ => return false,
        }
        true
    }

    fn track_namespace(&mut self, prefix: Option<&str>, uri: &str) {
        let lower = uri.to_ascii_lowercase();
        if self.version.is_empty() {
            if prefix.is_none() && lower == "http://my.netscape.com/rdf/simple/0.9/" {
                self.version = "rss090".into();
            } else if lower == "http://purl.org/rss/1.0/" {
                self.version = "rss10".into();
            } else if lower == "http://www.w3.org/2005/atom" {
                self.version = "atom10".into();
            }
        }
        let uri = crate::namespaces::normalize(uri);
        let key = match crate::namespaces::canonical_prefix(uri) {
            Some(p) => p.to_string(),
            None => prefix.unwrap_or("").to_string(),
        };
        let room = self.namespaces.len() < MAX_NAMESPACES;
        match self.namespaces.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = uri.to_string(),
            None if room => self.namespaces.push((key, uri.to_string())),
            None => {}
        }
    }
}

#[derive(Clone, Copy)]
enum PersonField {
    Name,
    Email,
    Href,
}

impl PersonField {
    fn set(self, p: &mut Person, v: String) {
        match self {
            PersonField::Name => p.name = Some(v),
            PersonField::Email => p.email = Some(v),
            PersonField::Href => p.href = Some(v),
        }
    }
}

impl Sink for Handler {
    fn namespace(&mut self, prefix: Option<&str>, uri: &str) {
        self.track_namespace(prefix, uri);
    }

    fn start(&mut self, tag: &str, attrs: &mut [(String, String)]) {
        self.depth += 1;
        for (k, v) in attrs.iter_mut() {
            if k == "rel" || k == "type" {
                v.make_ascii_lowercase();
            }
        }
        let attrs: &[(String, String)] = attrs;

        let declared = attr(attrs, "xml:base")
            .or_else(|| attr(attrs, "base"))
            .filter(|b| !b.is_empty());
        if let Some(b) = declared {
            if self.base.is_empty() {
                self.base = Rc::from(uri::join("", b));
            } else {
                let joined = uri::safe_absolute(&self.base, b);
                if !joined.is_empty() {
                    self.base = Rc::from(joined);
                }
            }
        }
        let lang = match attr(attrs, "xml:lang").or_else(|| attr(attrs, "lang")) {
            Some("") => None,
            Some(l) => Some(Rc::from(l)),
            None => self.lang.clone(),
        };
        if let Some(l) = &lang {
            if tag == "feed" || tag == "rss" {
                self.feed.common.language = Some(l.replace('_', "-"));
            }
        }
        self.lang = lang.clone();
        self.basestack.push(self.base.clone());
        self.langstack.push(lang);

        if self.incontent > 0 && !self.content_type().unwrap_or("xml").ends_with("xml") {
            if tag == "xhtml:div" || tag == "div" {
                return;
            }
            if let Some(c) = self.content.as_mut() {
                c.content_type = XHTML.into();
            }
        }
        if self.incontent > 0 && self.content_type() == Some(XHTML) {
            let (prefix, local) = crate::xml::split_qname(tag).unwrap_or(("", tag));
            let mut markup = std::mem::take(&mut self.buf);
            markup.clear();
            markup.push('<');
            markup.push_str(local);
            for (k, v) in attrs {
                markup.push(' ');
                markup.push_str(k);
                markup.push_str("=\"");
                escape_into(&mut markup, v, true);
                markup.push('"');
            }
            if !prefix.is_empty() {
                let ns = self
                    .namespaces
                    .iter()
                    .find(|(p, _)| p == prefix)
                    .map(|(_, u)| u.as_str());
                let xmlns = match (local, ns) {
                    ("math", Some(u @ "http://www.w3.org/1998/Math/MathML")) => Some(u),
                    ("svg", Some(u @ "http://www.w3.org/2000/svg")) => Some(u),
                    _ => None,
                };
                if let Some(u) = xmlns {
                    markup.push_str(" xmlns=\"");
                    markup.push_str(u);
                    markup.push('"');
                }
            }
            if local == "svg" {
                self.svg_ok += 1;
            }
            markup.push('>');
            self.handle_data(&markup, false);
            self.buf = markup;
            return;
        }

        let (prefix, local) = crate::xml::split_qname(tag).unwrap_or(("", tag));
        if prefix.is_empty() && !matches!(local, "title" | "link" | "description" | "name") {
            self.intextinput = false;
        }
        if prefix.is_empty()
            && !matches!(
                local,
                "title" | "link" | "description" | "url" | "href" | "width" | "height"
            )
        {
            self.inimage = false;
        }
        if self.start_known(prefix, local, attrs) {
            return;
        }
        if attrs.is_empty() {
            self.push_other(tag.to_string());
        } else {
            self.store_other(tag, Extension::Attributes(clean_attrs(attrs)));
        }
    }

    fn end(&mut self, tag: &str) {
        let (prefix, local) = crate::xml::split_qname(tag).unwrap_or(("", tag));
        if local == "svg" && self.svg_ok > 0 {
            self.svg_ok -= 1;
        }
        let handled = self.svg_ok == 0 && self.end_known(prefix, local);
        if !handled {
            self.close(tag);
        }
        let mut skip_markup = false;
        if self.incontent > 0 && !self.content_type().unwrap_or("xml").ends_with("xml") {
            if tag == "xhtml:div" || tag == "div" {
                skip_markup = true;
            } else if let Some(c) = self.content.as_mut() {
                c.content_type = XHTML.into();
            }
        }
        if !skip_markup && self.incontent > 0 && self.content_type() == Some(XHTML) {
            let mut markup = std::mem::take(&mut self.buf);
            markup.clear();
            markup.push_str("</");
            markup.push_str(local);
            markup.push('>');
            self.handle_data(&markup, false);
            self.buf = markup;
        }
        if self.basestack.pop().is_some() {
            if let Some(b) = self.basestack.last().filter(|b| !b.is_empty()) {
                self.base.clone_from(b);
            }
        }
        if self.langstack.pop().is_some() {
            if let Some(l) = self.langstack.last() {
                self.lang.clone_from(l);
            }
        }
        self.depth -= 1;
    }

    fn text(&mut self, text: &mut String) {
        let plain = self.content_type() != Some(XHTML);
        match self.stack.last_mut() {
            // Most elements hold a single run of text: take it instead of copying it.
            Some(top) if plain && top.text.is_empty() => std::mem::swap(&mut top.text, text),
            _ => self.handle_data(text, true),
        }
    }

    fn full(&self) -> bool {
        self.limit_hit.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_atom_xhtml_wrapper() {
        assert_eq!(
            Handler::strip_xhtml_div("<div><b>x</b></div>"),
            Some("<b>x</b>")
        );
        assert_eq!(Handler::strip_xhtml_div("<div>a</div><div>b</div>"), None);
        assert_eq!(Handler::strip_xhtml_div("<p>x</p>"), None);
        assert_eq!(Handler::strip_xhtml_div("<div </div>"), None);
    }

    #[test]
    fn escapes_markup_characters_only() {
        let escaped = |s: &str, quotes: bool| {
            let mut out = String::from("<p>");
            escape_into(&mut out, s, quotes);
            out
        };
        assert_eq!(escaped("a<b>&\"é\"", false), "<p>a&lt;b&gt;&amp;\"é\"");
        assert_eq!(escaped("\"x\" & y", true), "<p>&quot;x&quot; &amp; y");
        assert_eq!(escaped("", true), "<p>");
    }
}
