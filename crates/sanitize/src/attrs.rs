//! Attribute filtering and serialization: which attributes an element keeps, URL checks and
//! resolution, `style` cleaning, namespace declarations, and the sorted, double-quoted output.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use html5ever::tokenizer::Tag;
use html5ever::Attribute;

use crate::filter::{Context, Mode};
use crate::policy::{self, is_plain_name};
use crate::uri::{self, UrlUse};
use crate::{css, refs};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// Which allowlist an element's attributes are checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrSet {
    Html,
    Svg,
    MathMl,
    /// Everything (resolve-only mode).
    All,
}

/// The element whose attributes are written.
#[derive(Clone, Copy)]
pub(crate) struct Element<'a> {
    /// Tag name as tokenized (lowercase).
    pub(crate) name: &'a str,
    pub(crate) set: AttrSet,
    /// The vocabulary the element sits in.
    pub(crate) context: Context,
    pub(crate) mode: Mode,
    /// Base URL for resolution; empty for none.
    pub(crate) base: &'a str,
}

/// Buffers and memos reused across the tags of one document.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The current tag's kept values, back to back, so that keeping one costs no allocation.
    values: String,
    /// Written `style` values (`None`: dropped) by value as written, outside and inside SVG.
    /// Pages repeat a few styles on many elements (syntax highlighting, layout), and filtering
    /// one costs far more than looking it up.
    styles: [StyleMemo; 2],
}

type StyleMemo = HashMap<Box<str>, Option<Box<str>>>;

/// Styles remembered per document; beyond that they are filtered each time.
const MAX_REMEMBERED_STYLES: usize = 256;
/// Longest style remembered; long ones rarely repeat.
const MAX_REMEMBERED_STYLE_LEN: usize = 512;

/// Writes the attributes of `tag` that survive, sorted by name, each as ` name="value"`.
pub(crate) fn write_attributes(
    out: &mut String,
    tag: &Tag,
    element: &Element<'_>,
    scratch: &mut Scratch,
) {
    let Element {
        name: element_name,
        set,
        context,
        mode,
        ..
    } = *element;
    let values = &mut scratch.values;
    values.clear();
    // (name, spelling, range of the value in `values`)
    let mut kept: Vec<(&str, &str, Range<usize>)> = Vec::with_capacity(tag.attrs.len() + 2);
    // SVG paint properties in `style`, and the xlink namespace declaration, apply inside SVG
    // (and, for the declaration, MathML), as in the Universal Feed Parser.
    let in_svg = set == AttrSet::Svg || context == Context::Svg;
    let in_foreign = matches!(set, AttrSet::Svg | AttrSet::MathMl) || context != Context::Html;
    for attr in &tag.attrs {
        let name: &str = &attr.name.local;
        let spelling = match set {
            AttrSet::All if is_plain_name(name) => name,
            AttrSet::All => continue,
            _ if name.starts_with("on") => continue,
            AttrSet::Html if policy::is_html_attribute(name) => name,
            AttrSet::MathMl if policy::is_mathml_attribute(name) => name,
            AttrSet::Svg => match policy::svg_attribute(name) {
                Some(spelling) => spelling,
                None => continue,
            },
            _ => continue,
        };
        let start = values.len();
        if write_value(values, element, attr, in_svg, &mut scratch.styles) {
            kept.push((name, spelling, start..values.len()));
        } else {
            values.truncate(start);
        }
    }
    if mode == Mode::Sanitize {
        let namespace = match element_name {
            "svg" if set == AttrSet::Svg => Some(SVG_NS),
            "math" if set == AttrSet::MathMl => Some(MATHML_NS),
            _ => None,
        };
        let mut push_literal = |kept: &mut Vec<_>, name, value: &str| {
            let start = values.len();
            values.push_str(value);
            kept.push((name, name, start..values.len()));
        };
        if let Some(ns) = namespace {
            if !kept.iter().any(|(name, ..)| *name == "xmlns") {
                push_literal(&mut kept, "xmlns", ns);
            }
        }
        // Declared when an xlink attribute is kept (so a second pass keeps it too).
        let has_xlink = kept.iter().any(|(name, ..)| name.starts_with("xlink:"));
        if has_xlink && in_foreign {
            kept.retain(|(name, ..)| *name != "xmlns:xlink");
            push_literal(&mut kept, "xmlns:xlink", XLINK_NS);
        }
    }
    kept.sort_by(|a, b| a.0.cmp(b.0));
    for (_, spelling, range) in kept {
        out.push(' ');
        out.push_str(spelling);
        out.push_str("=\"");
        out.push_str(values.get(range).unwrap_or_default());
        out.push('"');
    }
}

/// Writes the escaped value of an allowed attribute to `value`; `false` to drop the attribute
/// (whatever was written is then discarded).
fn write_value(
    value: &mut String,
    element: &Element<'_>,
    attr: &Attribute,
    in_svg: bool,
    styles: &mut [StyleMemo; 2],
) -> bool {
    let Element {
        name: element_name,
        set,
        mode,
        base,
        ..
    } = *element;
    let name: &str = &attr.name.local;
    let raw: &str = &attr.value;
    let resolvable = policy::is_resolvable(element_name, name);
    let sanitizing = mode == Mode::Sanitize;

    if sanitizing && name == "style" {
        let memo = &mut styles[usize::from(in_svg)];
        if let Some(written) = memo.get(raw) {
            value.push_str(written.as_deref().unwrap_or_default());
            return written.is_some();
        }
        let clean = css::sanitize_style(&refs::decode(raw), in_svg);
        let start = value.len();
        if !clean.is_empty() {
            refs::write_attr_escaped(value, &clean);
        }
        if memo.len() < MAX_REMEMBERED_STYLES && raw.len() <= MAX_REMEMBERED_STYLE_LEN {
            let written =
                (!clean.is_empty()).then(|| Box::from(value.get(start..).unwrap_or_default()));
            memo.insert(Box::from(raw), written);
        }
        return !clean.is_empty();
    } else if name == "srcset" && (sanitizing || resolvable) {
        let check = sanitizing.then(|| image_use(element_name));
        let Some(resolved) = srcset(&refs::decode(raw), resolvable.then_some(base), check) else {
            return false;
        };
        refs::write_attr_escaped(value, &resolved);
    } else if (sanitizing && policy::is_url_attribute(name)) || resolvable {
        let decoded = refs::decode(raw);
        let url = if resolvable {
            resolve_or_keep(base, &decoded)
        } else {
            Cow::Borrowed(&*decoded)
        };
        let usage = if name == "src" {
            image_use(element_name)
        } else {
            UrlUse::Other
        };
        if sanitizing && !uri::is_safe(&url, usage) {
            // The Universal Feed Parser keeps a rejected link as `href=""`; other URL
            // attributes are dropped outright.
            return name == "href";
        }
        refs::write_attr_escaped(value, &url);
    } else if sanitizing && name == "ping" {
        let decoded = refs::decode(raw);
        if !decoded
            .split_ascii_whitespace()
            .all(|u| uri::is_safe(u, UrlUse::Other))
        {
            return false;
        }
        refs::write_attr_escaped(value, &decoded);
    } else if sanitizing && set == AttrSet::Svg && is_animation_attribute(name) {
        let decoded = refs::decode(raw);
        if !is_safe_animation_value(name, &decoded) {
            return false;
        }
        refs::write_attr_as_written(value, raw);
    } else if (name == "rel" || name == "type") && !is_lowercase_ascii(raw) {
        refs::write_attr_as_written(value, &raw.to_lowercase());
    } else {
        refs::write_attr_as_written(value, raw);
    }
    true
}

/// Whether lowercasing `s` would leave it as it is (checked cheaply: ASCII only).
fn is_lowercase_ascii(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
}

/// The resolved URL, or the value as it was when it cannot be resolved to an acceptable one
/// (as the Universal Feed Parser does; the value is still checked afterwards).
fn resolve_or_keep<'a>(base: &'a str, value: &'a str) -> Cow<'a, str> {
    match uri::resolve(base, value.trim()) {
        Some(url) if !url.is_empty() => url,
        _ => Cow::Borrowed(value),
    }
}

fn image_use(element: &str) -> UrlUse {
    if matches!(element, "img" | "source") {
        UrlUse::Image
    } else {
        UrlUse::Other
    }
}

/// Attributes with which SVG animations rewrite another attribute. Checked on every SVG
/// element: they must not target links nor carry a script URL as a value.
fn is_animation_attribute(name: &str) -> bool {
    matches!(name, "attributename" | "to" | "from" | "by" | "values")
}

fn is_safe_animation_value(name: &str, value: &str) -> bool {
    match name {
        "attributename" => {
            let target = value.trim().to_ascii_lowercase();
            !matches!(target.as_str(), "href" | "xlink:href" | "src")
        }
        "to" | "from" | "by" | "values" => value
            .split(';')
            .all(|item| uri::is_safe(item.trim(), UrlUse::Other)),
        _ => true,
    }
}

/// Resolves (given a base) and checks (given a use) every candidate of a `srcset`; `None` if
/// any is unsafe.
fn srcset(value: &str, base: Option<&str>, check: Option<UrlUse>) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return Some(out);
        }
        let url_end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let mut url = &rest[..url_end];
        rest = &rest[url_end..];
        let mut descriptor = "";
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
        } else {
            let end = descriptor_end(rest);
            descriptor = rest[..end].trim();
            rest = &rest[end..];
        }
        let url = match base {
            Some(base) => resolve_or_keep(base, url),
            None => Cow::Borrowed(url),
        };
        if check.is_some_and(|usage| !uri::is_safe(&url, usage)) {
            return None;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&url);
        if !descriptor.is_empty() {
            out.push(' ');
            out.push_str(descriptor);
        }
    }
}

/// End of a candidate's descriptors: the next comma outside parentheses.
fn descriptor_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}
