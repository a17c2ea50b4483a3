//! `style` attribute filtering, by the Universal Feed Parser's rules: the whole declaration list
//! must consist of a small character repertoire (no escapes, no functions except `rgb(...)`-like
//! digit lists, no `url(...)`), and only allowlisted properties survive. `expression()`,
//! `url(javascript:...)`, `-moz-binding` and `behavior` cannot get through.

use std::sync::LazyLock;

use regex::Regex;

fn regex(pattern: &str) -> Regex {
    // The patterns are constants checked by the unit tests; an invalid one is a programming
    // error caught there, never input-dependent.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
}

static URL: LazyLock<Regex> = LazyLock::new(|| regex(r"url\s*\(\s*[^\s)]+?\s*\)\s*"));
static GAUNTLET: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$"#));
static DECLARATION: LazyLock<Regex> = LazyLock::new(|| regex(r"\s*[-\w]+\s*:\s*[^:;]*;?"));
static PROPERTY: LazyLock<Regex> = LazyLock::new(|| regex(r"([-\w]+)\s*:\s*([^:;]*)"));
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^(#[0-9a-f]+",
        r"|rgb\(\d+%?,\d*%?,?\d*%?\)?",
        r"|\d{0,2}\.?\d{0,2}(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$"
    ))
});

/// Longest style attribute examined; longer ones are dropped rather than scanned.
const MAX_STYLE_LEN: usize = 16 * 1024;

/// Returns the cleaned declaration list (`prop: value;` joined by spaces), empty if nothing
/// acceptable remains. `svg` admits the SVG paint properties too.
pub(crate) fn sanitize_style(style: &str, svg: bool) -> String {
    if style.len() > MAX_STYLE_LEN {
        return String::new();
    }
    let style = URL.replace_all(style, " ");
    if !GAUNTLET.is_match(&style) || !DECLARATION.replace_all(&style, "").trim().is_empty() {
        return String::new();
    }
    let mut clean = String::new();
    for caps in PROPERTY.captures_iter(&style) {
        let (Some(prop), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let (prop, value) = (prop.as_str(), value.as_str());
        if value.is_empty() || !property_allowed(prop, value, svg) {
            continue;
        }
        if !clean.is_empty() {
            clean.push(' ');
        }
        clean.push_str(prop);
        clean.push_str(": ");
        clean.push_str(value);
        clean.push(';');
    }
    clean
}

fn property_allowed(prop: &str, value: &str, svg: bool) -> bool {
    let lower = prop.to_ascii_lowercase();
    if is_property(&lower) {
        return true;
    }
    let family = lower.split('-').next().unwrap_or_default();
    if matches!(family, "background" | "border" | "margin" | "padding") {
        return value
            .split_whitespace()
            .all(|word| is_keyword(word) || VALUE.is_match(word));
    }
    svg && is_svg_property(&lower)
}

fn is_property(name: &str) -> bool {
    matches!(
        name,
        "azimuth"
            | "background-color"
            | "border-bottom-color"
            | "border-collapse"
            | "border-color"
            | "border-left-color"
            | "border-right-color"
            | "border-top-color"
            | "clear"
            | "color"
            | "cursor"
            | "direction"
            | "display"
            | "elevation"
            | "float"
            | "font"
            | "font-family"
            | "font-size"
            | "font-style"
            | "font-variant"
            | "font-weight"
            | "height"
            | "letter-spacing"
            | "line-height"
            | "overflow"
            | "pause"
            | "pause-after"
            | "pause-before"
            | "pitch"
            | "pitch-range"
            | "richness"
            | "speak"
            | "speak-header"
            | "speak-numeral"
            | "speak-punctuation"
            | "speech-rate"
            | "stress"
            | "text-align"
            | "text-decoration"
            | "text-indent"
            | "unicode-bidi"
            | "vertical-align"
            | "voice-family"
            | "volume"
            | "white-space"
            | "width"
    )
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "!important"
            | "aqua"
            | "auto"
            | "black"
            | "block"
            | "blue"
            | "bold"
            | "both"
            | "bottom"
            | "brown"
            | "center"
            | "collapse"
            | "dashed"
            | "dotted"
            | "fuchsia"
            | "gray"
            | "green"
            | "italic"
            | "left"
            | "lime"
            | "maroon"
            | "medium"
            | "navy"
            | "none"
            | "normal"
            | "nowrap"
            | "olive"
            | "pointer"
            | "purple"
            | "red"
            | "right"
            | "silver"
            | "solid"
            | "teal"
            | "top"
            | "transparent"
            | "underline"
            | "white"
            | "yellow"
    )
}

fn is_svg_property(name: &str) -> bool {
    matches!(
        name,
        "fill"
            | "fill-opacity"
            | "fill-rule"
            | "stroke"
            | "stroke-linecap"
            | "stroke-linejoin"
            | "stroke-opacity"
            | "stroke-width"
    )
}

#[cfg(test)]
mod tests {
    use super::sanitize_style;

    #[test]
    fn keeps_allowed_properties_in_feedparser_form() {
        assert_eq!(sanitize_style("color:red", false), "color: red;");
        assert_eq!(
            sanitize_style("border: 1px solid rgb(0, 0, 0);", false),
            "border: 1px solid rgb(0, 0, 0);"
        );
        assert_eq!(
            sanitize_style("margin: 0 15px 0", false),
            "margin: 0 15px 0;"
        );
        assert_eq!(sanitize_style("fill: red", true), "fill: red;");
        assert_eq!(sanitize_style("fill: red", false), "");
    }

    #[test]
    fn rejects_active_css() {
        for style in [
            "width: expression(alert(1))",
            "background: url(javascript:alert(1))",
            "background-image: url(\"javascript:alert(1)\")",
            "-moz-binding: url(http://x/x.xml#xss)",
            "behavior: url(x.htc)",
            "color: red; x: \\65xpression(alert(1))",
            "color: e\\78pression(alert(1))",
            "color: red /* */ ; width: 1px",
        ] {
            let out = sanitize_style(style, false);
            assert!(
                !out.contains('(') || out.contains("rgb("),
                "{style} -> {out}"
            );
            assert!(
                !out.contains("url") && !out.contains("binding"),
                "{style} -> {out}"
            );
        }
    }
}
