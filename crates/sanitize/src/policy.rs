//! What may be republished: the Universal Feed Parser's allowlists (so that feeds render as
//! they always have on planets), plus a few harmless HTML5 additions. Lookups are `match`es
//! the compiler turns into fast string switches.

/// HTML elements kept outside SVG and MathML.
pub(crate) fn is_html_element(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "acronym"
            | "address"
            | "area"
            | "article"
            | "aside"
            | "audio"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "blockquote"
            | "br"
            | "button"
            | "canvas"
            | "caption"
            | "center"
            | "cite"
            | "code"
            | "col"
            | "colgroup"
            | "command"
            | "datagrid"
            | "datalist"
            | "dd"
            | "del"
            | "details"
            | "dfn"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "event-source"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "font"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "i"
            | "img"
            | "input"
            | "ins"
            | "kbd"
            | "keygen"
            | "label"
            | "legend"
            | "li"
            | "m"
            | "map"
            | "mark"
            | "menu"
            | "meter"
            | "multicol"
            | "nav"
            | "nextid"
            | "noscript"
            | "ol"
            | "optgroup"
            | "option"
            | "output"
            | "p"
            | "picture"
            | "pre"
            | "progress"
            | "q"
            | "rp"
            | "rt"
            | "ruby"
            | "s"
            | "samp"
            | "section"
            | "select"
            | "small"
            | "sound"
            | "source"
            | "spacer"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "summary"
            | "sup"
            | "table"
            | "tbody"
            | "td"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "time"
            | "tr"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "video"
            | "wbr"
    )
}

/// Attributes kept on HTML elements (`style` is filtered separately, URLs are checked).
pub(crate) fn is_html_attribute(name: &str) -> bool {
    matches!(
        name,
        "abbr"
            | "accept"
            | "accept-charset"
            | "accesskey"
            | "action"
            | "align"
            | "alt"
            | "autocomplete"
            | "autofocus"
            | "axis"
            | "background"
            | "balance"
            | "bgcolor"
            | "bgproperties"
            | "border"
            | "bordercolor"
            | "bordercolordark"
            | "bordercolorlight"
            | "bottompadding"
            | "cellpadding"
            | "cellspacing"
            | "ch"
            | "challenge"
            | "char"
            | "charoff"
            | "charset"
            | "checked"
            | "choff"
            | "cite"
            | "class"
            | "clear"
            | "color"
            | "cols"
            | "colspan"
            | "compact"
            | "contenteditable"
            | "controls"
            | "coords"
            | "data"
            | "datafld"
            | "datapagesize"
            | "datasrc"
            | "datetime"
            | "default"
            | "delay"
            | "dir"
            | "disabled"
            | "draggable"
            | "dynsrc"
            | "enctype"
            | "end"
            | "face"
            | "for"
            | "form"
            | "frame"
            | "galleryimg"
            | "gutter"
            | "headers"
            | "height"
            | "hidden"
            | "hidefocus"
            | "high"
            | "href"
            | "hreflang"
            | "hspace"
            | "icon"
            | "id"
            | "inputmode"
            | "ismap"
            | "keytype"
            | "label"
            | "lang"
            | "leftspacing"
            | "list"
            | "longdesc"
            | "loop"
            | "loopcount"
            | "loopend"
            | "loopstart"
            | "low"
            | "lowsrc"
            | "max"
            | "maxlength"
            | "media"
            | "method"
            | "min"
            | "multiple"
            | "name"
            | "nohref"
            | "noshade"
            | "nowrap"
            | "open"
            | "optimum"
            | "pattern"
            | "ping"
            | "point-size"
            | "poster"
            | "pqg"
            | "preload"
            | "prompt"
            | "radiogroup"
            | "readonly"
            | "rel"
            | "repeat-max"
            | "repeat-min"
            | "replace"
            | "required"
            | "rev"
            | "rightspacing"
            | "rows"
            | "rowspan"
            | "rules"
            | "scope"
            | "selected"
            | "shape"
            | "size"
            | "sizes"
            | "span"
            | "src"
            | "srcset"
            | "start"
            | "step"
            | "style"
            | "summary"
            | "suppress"
            | "tabindex"
            | "target"
            | "template"
            | "title"
            | "toppadding"
            | "type"
            | "unselectable"
            | "urn"
            | "usemap"
            | "valign"
            | "value"
            | "variable"
            | "volume"
            | "vrml"
            | "vspace"
            | "width"
            | "wrap"
            | "xml:lang"
    )
}

pub(crate) fn is_mathml_element(name: &str) -> bool {
    matches!(
        name,
        "annotation"
            | "annotation-xml"
            | "maction"
            | "maligngroup"
            | "malignmark"
            | "math"
            | "menclose"
            | "merror"
            | "mfenced"
            | "mfrac"
            | "mglyph"
            | "mi"
            | "mlabeledtr"
            | "mlongdiv"
            | "mmultiscripts"
            | "mn"
            | "mo"
            | "mover"
            | "mpadded"
            | "mphantom"
            | "mprescripts"
            | "mroot"
            | "mrow"
            | "ms"
            | "mscarries"
            | "mscarry"
            | "msgroup"
            | "msline"
            | "mspace"
            | "msqrt"
            | "msrow"
            | "mstack"
            | "mstyle"
            | "msub"
            | "msubsup"
            | "msup"
            | "mtable"
            | "mtd"
            | "mtext"
            | "mtr"
            | "munder"
            | "munderover"
            | "none"
            | "semantics"
    )
}

pub(crate) fn is_mathml_attribute(name: &str) -> bool {
    matches!(
        name,
        "accent"
            | "accentunder"
            | "actiontype"
            | "align"
            | "alignmentscope"
            | "altimg"
            | "altimg-height"
            | "altimg-valign"
            | "altimg-width"
            | "alttext"
            | "bevelled"
            | "charalign"
            | "close"
            | "columnalign"
            | "columnlines"
            | "columnspacing"
            | "columnspan"
            | "columnwidth"
            | "crossout"
            | "decimalpoint"
            | "denomalign"
            | "depth"
            | "dir"
            | "display"
            | "displaystyle"
            | "edge"
            | "encoding"
            | "equalcolumns"
            | "equalrows"
            | "fence"
            | "fontstyle"
            | "fontweight"
            | "form"
            | "frame"
            | "framespacing"
            | "groupalign"
            | "height"
            | "href"
            | "id"
            | "indentalign"
            | "indentalignfirst"
            | "indentalignlast"
            | "indentshift"
            | "indentshiftfirst"
            | "indentshiftlast"
            | "indenttarget"
            | "infixlinebreakstyle"
            | "largeop"
            | "length"
            | "linebreak"
            | "linebreakmultchar"
            | "linebreakstyle"
            | "lineleading"
            | "linethickness"
            | "location"
            | "longdivstyle"
            | "lquote"
            | "lspace"
            | "mathbackground"
            | "mathcolor"
            | "mathsize"
            | "mathvariant"
            | "maxsize"
            | "minlabelspacing"
            | "minsize"
            | "movablelimits"
            | "notation"
            | "numalign"
            | "open"
            | "other"
            | "overflow"
            | "position"
            | "rowalign"
            | "rowlines"
            | "rowspacing"
            | "rowspan"
            | "rquote"
            | "rspace"
            | "scriptlevel"
            | "scriptminsize"
            | "scriptsizemultiplier"
            | "selection"
            | "separator"
            | "separators"
            | "shift"
            | "side"
            | "src"
            | "stackalign"
            | "stretchy"
            | "subscriptshift"
            | "superscriptshift"
            | "symmetric"
            | "voffset"
            | "width"
            | "xlink:href"
            | "xlink:show"
            | "xlink:type"
            | "xmlns"
            | "xmlns:xlink"
    )
}

/// The SVG element for a lowercased tag name, spelled as SVG spells it.
pub(crate) fn svg_element(name: &str) -> Option<&'static str> {
    Some(match name {
        "a" => "a",
        "animate" => "animate",
        "animatecolor" => "animateColor",
        "animatemotion" => "animateMotion",
        "animatetransform" => "animateTransform",
        "circle" => "circle",
        "defs" => "defs",
        "desc" => "desc",
        "ellipse" => "ellipse",
        "font-face" => "font-face",
        "font-face-name" => "font-face-name",
        "font-face-src" => "font-face-src",
        "foreignobject" => "foreignObject",
        "g" => "g",
        "glyph" => "glyph",
        "hkern" => "hkern",
        "line" => "line",
        "lineargradient" => "linearGradient",
        "marker" => "marker",
        "metadata" => "metadata",
        "missing-glyph" => "missing-glyph",
        "mpath" => "mpath",
        "path" => "path",
        "polygon" => "polygon",
        "polyline" => "polyline",
        "radialgradient" => "radialGradient",
        "rect" => "rect",
        "set" => "set",
        "stop" => "stop",
        "svg" => "svg",
        "switch" => "switch",
        "text" => "text",
        "title" => "title",
        "tspan" => "tspan",
        "use" => "use",
        _ => return None,
    })
}

/// The SVG attribute for a lowercased name, spelled as SVG spells it.
pub(crate) fn svg_attribute(name: &str) -> Option<&str> {
    let camel = match name {
        "attributename" => Some("attributeName"),
        "attributetype" => Some("attributeType"),
        "baseprofile" => Some("baseProfile"),
        "calcmode" => Some("calcMode"),
        "gradientunits" => Some("gradientUnits"),
        "keypoints" => Some("keyPoints"),
        "keysplines" => Some("keySplines"),
        "keytimes" => Some("keyTimes"),
        "markerheight" => Some("markerHeight"),
        "markerunits" => Some("markerUnits"),
        "markerwidth" => Some("markerWidth"),
        "pathlength" => Some("pathLength"),
        "preserveaspectratio" => Some("preserveAspectRatio"),
        "refx" => Some("refX"),
        "refy" => Some("refY"),
        "repeatcount" => Some("repeatCount"),
        "repeatdur" => Some("repeatDur"),
        "requiredextensions" => Some("requiredExtensions"),
        "requiredfeatures" => Some("requiredFeatures"),
        "systemlanguage" => Some("systemLanguage"),
        "viewbox" => Some("viewBox"),
        "zoomandpan" => Some("zoomAndPan"),
        _ => None,
    };
    camel.or_else(|| is_svg_lowercase_attribute(name).then_some(name))
}

fn is_svg_lowercase_attribute(name: &str) -> bool {
    matches!(
        name,
        "accent-height"
            | "accumulate"
            | "additive"
            | "alphabetic"
            | "arabic-form"
            | "ascent"
            | "bbox"
            | "begin"
            | "by"
            | "cap-height"
            | "class"
            | "color"
            | "color-rendering"
            | "content"
            | "cx"
            | "cy"
            | "d"
            | "descent"
            | "display"
            | "dur"
            | "dx"
            | "dy"
            | "end"
            | "fill"
            | "fill-opacity"
            | "fill-rule"
            | "font-family"
            | "font-size"
            | "font-stretch"
            | "font-style"
            | "font-variant"
            | "font-weight"
            | "from"
            | "fx"
            | "fy"
            | "g1"
            | "g2"
            | "glyph-name"
            | "hanging"
            | "height"
            | "horiz-adv-x"
            | "horiz-origin-x"
            | "id"
            | "ideographic"
            | "k"
            | "lang"
            | "marker-end"
            | "marker-mid"
            | "marker-start"
            | "mathematical"
            | "max"
            | "min"
            | "name"
            | "offset"
            | "opacity"
            | "orient"
            | "origin"
            | "overline-position"
            | "overline-thickness"
            | "panose-1"
            | "path"
            | "points"
            | "r"
            | "restart"
            | "rotate"
            | "rx"
            | "ry"
            | "slope"
            | "stemh"
            | "stemv"
            | "stop-color"
            | "stop-opacity"
            | "strikethrough-position"
            | "strikethrough-thickness"
            | "stroke"
            | "stroke-dasharray"
            | "stroke-dashoffset"
            | "stroke-linecap"
            | "stroke-linejoin"
            | "stroke-miterlimit"
            | "stroke-opacity"
            | "stroke-width"
            | "target"
            | "text-anchor"
            | "to"
            | "transform"
            | "type"
            | "u1"
            | "u2"
            | "underline-position"
            | "underline-thickness"
            | "unicode"
            | "unicode-range"
            | "units-per-em"
            | "values"
            | "version"
            | "visibility"
            | "width"
            | "widths"
            | "x"
            | "x-height"
            | "x1"
            | "x2"
            | "xlink:actuate"
            | "xlink:arcrole"
            | "xlink:href"
            | "xlink:role"
            | "xlink:show"
            | "xlink:title"
            | "xlink:type"
            | "xml:base"
            | "xml:lang"
            | "xml:space"
            | "xmlns"
            | "xmlns:xlink"
            | "y"
            | "y1"
            | "y2"
    )
}

/// Elements written as `<x />` and never closed.
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "br"
            | "col"
            | "command"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "isindex"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// How a browser tokenizes an element's content, for the elements whose content is not markup.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RawContent {
    /// Script data (`script`).
    Script,
    /// Raw text (`style`, `xmp`, `iframe`, `noembed`, `noframes`, `noscript`).
    Text,
    /// Text with character references (`title`, `textarea`).
    Rcdata,
    /// Everything up to the end of the input is text.
    Plaintext,
}

/// Elements a browser reads as raw text whose content is read as markup when sanitizing, as
/// the Universal Feed Parser reads it; none of these elements is ever written then.
///
/// - `iframe noembed noframes` hold fallback markup for browsers without frames or plugins,
///   which a browser with them never shows: it is sanitized like the rest
///   (`safe<iframe> <b>x</b></iframe>` becomes `safe <b>x</b>`).
/// - `script style`: their text is dropped by counting start and end tags (see
///   [`hides_text`]), so a stray end tag leaves a script's source to be shown as escaped text.
///
/// Either way nothing inside can escape: every tag still goes through the allowlists and text
/// is written escaped.
pub(crate) fn content_read_as_markup(name: &str) -> bool {
    matches!(name, "iframe" | "noembed" | "noframes" | "script" | "style")
}

/// Elements whose text is dropped, the Universal Feed Parser's
/// `unacceptable_elements_with_end_tag`: text is dropped while their start tags outnumber
/// their end tags, or are outnumbered by them.
pub(crate) fn hides_text(name: &str) -> bool {
    matches!(name, "script" | "style" | "applet")
}

pub(crate) fn raw_content(name: &str) -> Option<RawContent> {
    Some(match name {
        "script" => RawContent::Script,
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => RawContent::Text,
        "title" | "textarea" => RawContent::Rcdata,
        "plaintext" => RawContent::Plaintext,
        _ => return None,
    })
}

/// Attributes whose value is one URL.
pub(crate) fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href"
            | "src"
            | "action"
            | "background"
            | "cite"
            | "longdesc"
            | "lowsrc"
            | "dynsrc"
            | "usemap"
            | "poster"
            | "icon"
            | "data"
            | "datasrc"
            | "xlink:href"
            | "xml:base"
            | "altimg"
    )
}

/// (element, attribute) pairs whose relative URLs the Universal Feed Parser resolves.
pub(crate) fn is_resolvable(element: &str, attribute: &str) -> bool {
    matches!(
        (element, attribute),
        ("a", "href")
            | ("applet", "codebase")
            | ("area", "href")
            | ("audio", "src")
            | ("blockquote", "cite")
            | ("body", "background")
            | ("del", "cite")
            | ("form", "action")
            | ("frame", "longdesc")
            | ("frame", "src")
            | ("iframe", "longdesc")
            | ("iframe", "src")
            | ("head", "profile")
            | ("img", "longdesc")
            | ("img", "src")
            | ("img", "srcset")
            | ("img", "usemap")
            | ("input", "src")
            | ("input", "usemap")
            | ("ins", "cite")
            | ("link", "href")
            | ("object", "classid")
            | ("object", "codebase")
            | ("object", "data")
            | ("object", "usemap")
            | ("q", "cite")
            | ("script", "src")
            | ("source", "src")
            | ("source", "srcset")
            | ("video", "poster")
            | ("video", "src")
    )
}

/// Whether a tag or attribute name can be written back as is. The tokenizer accepts nearly
/// anything (`<a"b>`); names with quotes or markup characters are dropped even when nothing
/// is sanitized, so the output stays well-formed.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}
