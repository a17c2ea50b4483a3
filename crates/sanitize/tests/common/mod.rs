//! An independent check of sanitized output: it is tokenized again with html5ever, the way a
//! browser tokenizes it, and every tag, attribute and comment a browser would see is judged.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Elements that must never reach a browser.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "template",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "image",
    "body",
    "html",
    "head",
    "param",
    "isindex",
];

/// Attributes whose value a browser may follow or evaluate.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "background",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "usemap",
    "poster",
    "xlink:href",
    "data",
    "to",
    "from",
    "values",
    "by",
    "ping",
    "icon",
    "xml:base",
    "codebase",
    "classid",
    "content",
];

/// Elements a browser reads as text; a parse of the output must switch the same way.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "textarea" | "title" => Some(RawKind::Rcdata),
        "noscript" | "xmp" | "iframe" | "noembed" | "noframes" | "style" => Some(RawKind::Rawtext),
        "script" => Some(RawKind::ScriptData),
        _ => None,
    }
}

#[derive(Default)]
struct Checker {
    problems: RefCell<Vec<String>>,
    /// Open elements: name, and whether it is SVG or MathML content.
    open: RefCell<Vec<(String, bool)>>,
}

fn squeeze(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The URLs a browser reads from an attribute value.
fn urls<'a>(attr: &str, value: &'a str) -> Vec<&'a str> {
    match attr {
        "srcset" => srcset_urls(value),
        "ping" => value.split_ascii_whitespace().collect(),
        "values" | "to" | "from" | "by" => value.split(';').collect(),
        "content" => value.split([';', '=']).collect(),
        _ => vec![value],
    }
}

/// The candidate URLs of a `srcset`, by the HTML standard's parsing algorithm: a URL is a run
/// of non-whitespace (a trailing comma ends the candidate), descriptors run to the next comma.
fn srcset_urls(value: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..end];
        rest = &rest[end..];
        urls.push(url.trim_end_matches(','));
        if !url.ends_with(',') {
            let mut depth = 0usize;
            let stop = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    c == ',' && depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            rest = &rest[stop..];
        }
    }
}

/// What is wrong with following `url`, by the URL standard's scheme rules.
fn url_problem(url: &str, image: bool) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let lower = cleaned.to_ascii_lowercase();
    match scheme.as_str() {
        "javascript" | "vbscript" | "livescript" | "mocha" => Some(format!("{scheme}: URL")),
        "data" if !(image && is_raster_data_image(&lower)) => Some("data: URL".to_owned()),
        _ => None,
    }
}

fn is_raster_data_image(value: &str) -> bool {
    [
        "data:image/png",
        "data:image/gif",
        "data:image/jpeg",
        "data:image/webp",
    ]
    .iter()
    .any(|p| value.starts_with(p))
}

impl TokenSink for Checker {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut problems = self.problems.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let name = tag.name.to_string();
                if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
                    problems.push(format!("element <{name}>"));
                }
                for attr in &tag.attrs {
                    let attr_name = attr.name.local.to_string();
                    let value = squeeze(&attr.value);
                    if attr_name.starts_with("on") || attr_name == "srcdoc" {
                        problems.push(format!("attribute {attr_name} on <{name}>"));
                    }
                    if attr_name == "attributename" && (value == "href" || value == "xlink:href") {
                        problems.push(format!("animation of {value} on <{name}>"));
                    }
                    if URL_ATTRIBUTES.contains(&attr_name.as_str()) {
                        let image = matches!(attr_name.as_str(), "src" | "srcset")
                            && matches!(name.as_str(), "img" | "source");
                        for url in urls(&attr_name, &attr.value) {
                            if let Some(problem) = url_problem(url, image) {
                                problems.push(format!("{problem} in {attr_name} on <{name}>"));
                            }
                        }
                    }
                    if attr_name == "style" {
                        for bad in [
                            "expression",
                            "url(",
                            "javascript",
                            "behavior",
                            "binding",
                            "\\",
                            "@import",
                        ] {
                            if value.contains(bad) {
                                problems.push(format!("{bad} in style on <{name}>"));
                            }
                        }
                    }
                }
                let mut open = self.open.borrow_mut();
                let foreign = name == "svg" || name == "math" || open.last().is_some_and(|o| o.1);
                let void = matches!(
                    name.as_str(),
                    "area"
                        | "br"
                        | "col"
                        | "command"
                        | "hr"
                        | "img"
                        | "input"
                        | "keygen"
                        | "source"
                        | "wbr"
                        | "track"
                );
                if !void && !tag.self_closing {
                    open.push((name.clone(), foreign));
                }
                // Inside SVG and MathML these are ordinary elements (`<svg><title>`); taking
                // their content as markup there only makes the check stricter.
                if !foreign {
                    if let Some(kind) = raw_kind(&name) {
                        return TokenSinkResult::RawData(kind);
                    }
                    if name == "plaintext" {
                        return TokenSinkResult::Plaintext;
                    }
                }
            }
            Token::TagToken(tag) => {
                // An end tag closes the innermost open element of its name and everything
                // inside it; one without such an element is ignored.
                let name = tag.name.to_string();
                let mut open = self.open.borrow_mut();
                if let Some(at) = open.iter().rposition(|(n, _)| *n == name) {
                    open.truncate(at);
                }
            }
            Token::CommentToken(text) => {
                let text = text.trim_start();
                // Comments are inert, except the conditional comments old browsers execute.
                if text.starts_with('[') {
                    problems.push(format!("comment {text:?}"));
                }
            }
            Token::DoctypeToken(_) => problems.push("doctype".to_owned()),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The problems a browser would have with `html` as part of a page: active elements,
/// attributes or URLs, and elements left open (which would swallow the rest of the page).
pub fn problems(html: &str) -> Vec<String> {
    let tokenizer = Tokenizer::new(Checker::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let mut problems = tokenizer.sink.problems.take();
    let open: Vec<String> = tokenizer
        .sink
        .open
        .take()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    if !open.is_empty() {
        problems.push(format!("left open: {open:?}"));
    }
    problems
}
