//! Attribute filtering and serialization: which attributes an element keeps, URL checks and
//! resolution, `style` cleaning, namespace declarations, and the sorted, double-quoted output.

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

/// Writes the attributes of `tag` that survive, sorted by name, each as ` name="value"`.
pub(crate) fn write_attributes(out: &mut String, tag: &Tag, element: &Element<'_>) {
    let Element {
        name: element_name,
        set,
        context,
        mode,
        ..
    } = *element;
    let mut kept: Vec<(&str, &str, String)> = Vec::with_capacity(tag.attrs.len() + 2);
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
        if let Some(value) = attribute_value(element, attr, in_svg) {
            kept.push((name, spelling, value));
        }
    }
    if mode == Mode::Sanitize {
        let namespace = match element_name {
            "svg" if set == AttrSet::Svg => Some(SVG_NS),
            "math" if set == AttrSet::MathMl => Some(MATHML_NS),
            _ => None,
        };
        if let Some(ns) = namespace {
            if !kept.iter().any(|(name, ..)| *name == "xmlns") {
                kept.push(("xmlns", "xmlns", ns.to_owned()));
            }
        }
        // Declared when an xlink attribute is kept (so a second pass keeps it too).
        let has_xlink = kept.iter().any(|(name, ..)| name.starts_with("xlink:"));
        if has_xlink && in_foreign {
            kept.retain(|(name, ..)| *name != "xmlns:xlink");
            kept.push(("xmlns:xlink", "xmlns:xlink", XLINK_NS.to_owned()));
        }
    }
    kept.sort_by(|a, b| a.0.cmp(b.0));
    for (_, spelling, value) in kept {
        out.push(' ');
        out.push_str(spelling);
        out.push_str("=\"");
        out.push_str(&value);
        out.push('"');
    }
}

/// The escaped value to write for an allowed attribute, or `None` to drop it.
fn attribute_value(element: &Element<'_>, attr: &Attribute, in_svg: bool) -> Option<String> {
    let Element {
        name: element_name,
        set,
        mode,
        base,
        ..
    } = *element;
    let name: &str = &attr.name.local;
    let raw: &str = &attr.value;
    let mut value = String::with_capacity(raw.len() + 8);
    let resolvable = policy::is_resolvable(element_name, name);
    let sanitizing = mode == Mode::Sanitize;

    if sanitizing && name == "style" {
        let clean = css::sanitize_style(&refs::decode(raw), in_svg);
        if clean.is_empty() {
            return None;
        }
        refs::write_attr_escaped(&mut value, &clean);
    } else if name == "srcset" && (sanitizing || resolvable) {
        let check = sanitizing.then(|| image_use(element_name));
        let resolved = srcset(&refs::decode(raw), resolvable.then_some(base), check)?;
        refs::write_attr_escaped(&mut value, &resolved);
    } else if (sanitizing && policy::is_url_attribute(name)) || resolvable {
        let decoded = refs::decode(raw);
        let url = if resolvable {
            resolve_or_keep(base, &decoded)
        } else {
            decoded.into_owned()
        };
        let usage = if name == "src" {
            image_use(element_name)
        } else {
            UrlUse::Other
        };
        if sanitizing && !uri::is_safe(&url, usage) {
            // The Universal Feed Parser keeps a rejected link as `href=""`; other URL
            // attributes are dropped outright.
            return (name == "href").then(String::new);
        }
        refs::write_attr_escaped(&mut value, &url);
    } else if sanitizing && name == "ping" {
        let decoded = refs::decode(raw);
        if !decoded
            .split_ascii_whitespace()
            .all(|u| uri::is_safe(u, UrlUse::Other))
        {
            return None;
        }
        refs::write_attr_escaped(&mut value, &decoded);
    } else if sanitizing && set == AttrSet::Svg && is_animation_attribute(name) {
        let decoded = refs::decode(raw);
        if !is_safe_animation_value(name, &decoded) {
            return None;
        }
        refs::write_attr_as_written(&mut value, raw);
    } else if name == "rel" || name == "type" {
        refs::write_attr_as_written(&mut value, &raw.to_lowercase());
    } else {
        refs::write_attr_as_written(&mut value, raw);
    }
    Some(value)
}

/// The resolved URL, or the value as it was when it cannot be resolved to an acceptable one
/// (as the Universal Feed Parser does; the value is still checked afterwards).
fn resolve_or_keep(base: &str, value: &str) -> String {
    match uri::resolve(base, value.trim()) {
        Some(url) if !url.is_empty() => url,
        _ => value.to_owned(),
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
            None => url.to_owned(),
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
