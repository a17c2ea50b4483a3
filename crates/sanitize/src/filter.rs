//! The token filter: receives html5ever's tokens, decides what survives and writes it out.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::LocalName;
use markup5ever::TokenizerResult;

use crate::attrs::{self, AttrSet, Element, Scratch};
use crate::policy::{self, is_plain_name, RawContent};
use crate::{prepare, refs, MAX_DEPTH, MAX_INPUT_BYTES};

/// What the pass does besides resolving URLs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Keep only allowlisted markup.
    Sanitize,
    /// Keep everything and only resolve URLs, serialized the same way.
    ResolveOnly,
}

/// Runs one pass over `html`.
pub(crate) fn run(html: &str, base: &str, mode: Mode) -> String {
    let protected = prepare::prepare(truncate(html, MAX_INPUT_BYTES), mode);
    if memchr::memchr(b'<', protected.as_bytes()).is_none() {
        return plain_text(&protected);
    }
    tokenize(protected, base, mode)
}

/// What the filter makes of input without a `<`, in which the tokenizer finds only text:
/// the text after the tokenizer's input preprocessing (line breaks normalized to `\n`, NUL
/// characters dropped), written as text. Most titles and many summaries are such text, and
/// setting a tokenizer up costs more than reading them.
fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    if memchr::memchr2(b'\r', 0, text.as_bytes()).is_none() {
        refs::write_text(&mut out, text);
    } else {
        let normalized = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\0', "");
        refs::write_text(&mut out, &normalized);
    }
    out
}

/// Runs the tokenizer and the filter over prepared input.
fn tokenize(protected: String, base: &str, mode: Mode) -> String {
    let state = State::new(mode, base, protected.len());
    let tokenizer = Tokenizer::new(
        Filter {
            state: RefCell::new(state),
        },
        // A U+FEFF in a fragment is a character, not a byte order mark (the document's was
        // handled when it was decoded). Dropping it only when it comes first would make the
        // output differ from the output sanitized again, once markup before it is removed.
        TokenizerOpts {
            discard_bom: false,
            ..TokenizerOpts::default()
        },
    );
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(protected));
    // The filter never asks the tokenizer to pause for scripts, so this runs to the end.
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    let mut state = tokenizer.sink.state.borrow_mut();
    std::mem::take(&mut state.out)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

struct Filter<'b> {
    state: RefCell<State<'b>>,
}

impl TokenSink for Filter<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(text) => {
                state.text.push_str(&text);
                TokenSinkResult::Continue
            }
            Token::TagToken(tag) => {
                state.flush_text();
                match tag.kind {
                    TagKind::StartTag => state.start_tag(&tag),
                    TagKind::EndTag => {
                        state.end_tag(&tag.name);
                        TokenSinkResult::Continue
                    }
                }
            }
            Token::CommentToken(text) => {
                state.flush_text();
                state.comment(&text);
                TokenSinkResult::Continue
            }
            Token::DoctypeToken(doctype) => {
                state.flush_text();
                state.doctype(&doctype);
                TokenSinkResult::Continue
            }
            Token::EOFToken => {
                state.finish();
                TokenSinkResult::Continue
            }
            Token::NullCharacterToken | Token::ParseError(_) => TokenSinkResult::Continue,
        }
    }
}

/// The vocabulary an element's children are read in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Context {
    Html,
    Svg,
    MathMl,
}

/// An element written out and not yet closed.
struct Open {
    name: LocalName,
    /// The spelling written (SVG camel case), when it differs from `name`.
    spelled: Option<&'static str>,
    children: Context,
    /// An SVG or MathML element (not an HTML one inside them).
    foreign: bool,
}

/// The raw-text element whose content is being read.
struct Raw {
    content: RawContent,
    /// Whether its start tag was written (and it sits on the stack).
    written: bool,
}

struct State<'b> {
    mode: Mode,
    base: &'b str,
    out: String,
    /// Character data not yet written: references can only be judged once the run is complete.
    text: String,
    stack: Vec<Open>,
    raw: Option<Raw>,
    /// Start tags of `script`, `style` and `applet` seen, less their end tags; text is dropped
    /// while it is not zero. A stray end tag takes it below zero, as in the Universal Feed
    /// Parser, whose count this is (see [`policy::hides_text`]). Bounded by the input's
    /// length.
    hiding: isize,
    scratch: Scratch,
}

impl<'b> State<'b> {
    fn new(mode: Mode, base: &'b str, input_len: usize) -> Self {
        State {
            mode,
            base,
            out: String::with_capacity(input_len + input_len / 8),
            text: String::new(),
            stack: Vec::new(),
            raw: None,
            hiding: 0,
            scratch: Scratch::default(),
        }
    }

    fn sanitizing(&self) -> bool {
        self.mode == Mode::Sanitize
    }

    fn context(&self) -> Context {
        self.stack
            .last()
            .map_or(Context::Html, |open| open.children)
    }

    fn flush_text(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let dropped = self.sanitizing() && self.hiding != 0;
        if !dropped {
            let out = &mut self.out;
            match (self.raw.as_ref().map(|raw| raw.content), self.mode) {
                // Raw text shown as text is written like any text: `<` escaped, references
                // kept, so a browser never reads markup in it and a second pass changes nothing.
                (_, Mode::Sanitize) | (None | Some(RawContent::Rcdata), Mode::ResolveOnly) => {
                    refs::write_text(out, &self.text);
                }
                (Some(_), Mode::ResolveOnly) => refs::write_raw(out, &self.text),
            }
        }
        self.text.clear();
    }

    fn start_tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let context = self.context();
        // A browser reads these elements' content as text, except SVG's own `title`. Some are
        // read as markup when sanitizing (see `content_read_as_markup`).
        let raw = policy::raw_content(name).filter(|_| {
            !(context == Context::Svg && name == "title"
                || self.sanitizing() && policy::content_read_as_markup(name))
        });

        let element = match self.mode {
            Mode::ResolveOnly if !is_plain_name(name) => None,
            Mode::ResolveOnly => Some((None, AttrSet::All, context)),
            Mode::Sanitize => {
                // `<script/>` stands for a start and an end tag, as for the elements written
                // below; with attributes it is a start tag only.
                if policy::hides_text(name) && !(tag.self_closing && tag.attrs.is_empty()) {
                    self.hiding += 1;
                }
                classify(name, context)
            }
        };
        let void = policy::is_void(name);
        let written = match element {
            Some((spelled, attrs, children)) if void || self.stack.len() < MAX_DEPTH => {
                let spelling = spelled.unwrap_or(name);
                self.out.push('<');
                self.out.push_str(spelling);
                let element = Element {
                    name,
                    set: attrs,
                    context,
                    mode: self.mode,
                    base: self.base,
                };
                attrs::write_attributes(&mut self.out, tag, &element, &mut self.scratch);
                if void {
                    self.out.push_str(" />");
                    false
                } else if tag.self_closing && tag.attrs.is_empty() && raw.is_none() {
                    self.out.push_str("></");
                    self.out.push_str(spelling);
                    self.out.push('>');
                    false
                } else {
                    // Open until its end tag or an enclosing one. Self-closing tags with
                    // attributes are written open too, as the Universal Feed Parser does (and a
                    // browser, for HTML elements).
                    self.out.push('>');
                    if self.sanitizing() {
                        self.stack.push(Open {
                            name: tag.name.clone(),
                            spelled,
                            children,
                            foreign: attrs != AttrSet::Html,
                        });
                    }
                    true
                }
            }
            _ => false,
        };
        match raw {
            None => TokenSinkResult::Continue,
            Some(content) => {
                self.raw = Some(Raw { content, written });
                match content {
                    RawContent::Script => TokenSinkResult::RawData(RawKind::ScriptData),
                    RawContent::Rcdata => TokenSinkResult::RawData(RawKind::Rcdata),
                    RawContent::Plaintext => TokenSinkResult::Plaintext,
                    RawContent::Text => TokenSinkResult::RawData(RawKind::Rawtext),
                }
            }
        }
    }

    fn end_tag(&mut self, name: &LocalName) {
        if let Some(raw) = self.raw.take() {
            // In a raw-text state the tokenizer only ends at the matching end tag.
            if raw.written && self.stack.last().is_some_and(|open| open.name == *name) {
                self.close_to(self.stack.len() - 1);
                return;
            }
            if self.sanitizing() {
                return;
            }
        }
        match self.mode {
            Mode::ResolveOnly => {
                if !policy::is_void(name) && is_plain_name(name) {
                    self.out.push_str("</");
                    self.out.push_str(name);
                    self.out.push('>');
                }
            }
            Mode::Sanitize => {
                if policy::hides_text(name) {
                    self.hiding -= 1;
                }
                // Close the innermost open element of that name, and whatever is still open
                // inside it; end tags of elements not written are dropped.
                if let Some(at) = self.stack.iter().rposition(|open| open.name == *name) {
                    self.close_to(at);
                }
            }
        }
    }

    /// Closes the element at `at` and everything open inside it. SVG and MathML elements left
    /// open right inside an SVG or MathML element are closed by its end tag alone, as in a
    /// browser (and as the Universal Feed Parser writes them).
    fn close_to(&mut self, at: usize) {
        let Some((target, inside)) = self.stack.get(at..).and_then(<[Open]>::split_first) else {
            return;
        };
        // A browser's end tag pops up to the innermost element of its name, so only elements
        // of other names can be left to it.
        let silent = if target.foreign {
            inside
                .iter()
                .take_while(|o| o.foreign && o.name != target.name)
                .count()
        } else {
            0
        };
        while self.stack.len() > at {
            let index = self.stack.len() - 1;
            if let Some(open) = self.stack.pop() {
                if index > at && index <= at + silent {
                    continue;
                }
                self.out.push_str("</");
                self.out.push_str(open.spelled.unwrap_or(&open.name));
                self.out.push('>');
            }
        }
    }

    fn comment(&mut self, text: &str) {
        if self.sanitizing() && !is_inert_comment(text) {
            return;
        }
        self.out.push_str("<!--");
        refs::write_raw(&mut self.out, text);
        self.out.push_str("-->");
    }

    fn doctype(&mut self, doctype: &Doctype) {
        if self.sanitizing() {
            return;
        }
        self.out.push_str("<!DOCTYPE");
        if let Some(name) = &doctype.name {
            self.out.push(' ');
            refs::write_raw(&mut self.out, name);
        }
        if let Some(public) = &doctype.public_id {
            self.out.push_str(" PUBLIC \"");
            refs::write_raw(&mut self.out, public);
            self.out.push('"');
        }
        if let Some(system) = &doctype.system_id {
            self.out.push_str(if doctype.public_id.is_some() {
                " \""
            } else {
                " SYSTEM \""
            });
            refs::write_raw(&mut self.out, system);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn finish(&mut self) {
        self.flush_text();
        if self.sanitizing() {
            self.close_to(0);
        }
    }
}

/// Decides whether an element is written, and how: `(SVG spelling, attribute set, context of
/// its children)`. Follows the Universal Feed Parser: inside SVG, SVG elements take SVG
/// attributes and the HTML allowlist still applies to HTML elements; likewise for MathML.
fn classify(name: &str, context: Context) -> Option<(Option<&'static str>, AttrSet, Context)> {
    let html = || policy::is_html_element(name).then_some((None, AttrSet::Html, context));
    let svg = || {
        let spelled = policy::svg_element(name)?;
        let spelled = (spelled != name).then_some(spelled);
        Some((spelled, AttrSet::Svg, Context::Svg))
    };
    let math =
        || policy::is_mathml_element(name).then_some((None, AttrSet::MathMl, Context::MathMl));
    match (context, name) {
        (Context::Html, "svg") => svg(),
        (Context::Html, "math") => math(),
        (Context::Html, _) => html(),
        (Context::Svg, "math") => math(),
        (Context::Svg, _) => svg().or_else(html),
        (Context::MathMl, "svg") => svg(),
        (Context::MathMl, _) => math().or_else(html),
    }
}

/// Comments are kept (they are inert), unless they could read differently in a browser:
/// conditional comments, processing instructions, or text that could end the comment early.
fn is_inert_comment(text: &str) -> bool {
    let trimmed = text.trim_start();
    !(text.contains("--")
        || text.contains("<!")
        || text.starts_with('>')
        || text.starts_with("->")
        || text.ends_with('-')
        || trimmed.starts_with('[')
        || trimmed.starts_with('?'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_markup_of_dropped_elements_is_sanitized() {
        let html = "a<iframe src=x><script>s()</script><b onclick=y>b</b></iframe>\
                    <noembed><img src=javascript:z>c</noembed><noframes><!--d--></noframes>";
        assert_eq!(run(html, "", Mode::Sanitize), "a<b>b</b><img />c<!--d-->");
        // Kept elements keep raw-text content, as a browser reads it.
        assert_eq!(
            run("<iframe><b>x</b></iframe>", "", Mode::ResolveOnly),
            "<iframe><b>x</b></iframe>"
        );
    }

    #[test]
    fn scripts_are_markup_when_sanitizing_and_script_data_when_kept() {
        let html = "<script>if (a < b) w('<i>x</i>')</script></script><p>y</p><style>z";
        assert_eq!(run(html, "", Mode::Sanitize), "<i></i><p></p>z");
        assert_eq!(run(html, "", Mode::ResolveOnly), html);
    }

    #[test]
    fn plain_text_is_what_the_tokenizer_makes_of_it() {
        for input in [
            "",
            "plain",
            "a\r\nb\rc\n\r\r\nd\r",
            "\r\0\n\0\r\r\0",
            "\u{FEFF}x\0y\0",
            "\u{FEFF}\u{FEFF}z",
            "AT&T &amp; &copy 2003 &#150; &bogus;",
            "x > y",
        ] {
            for mode in [Mode::Sanitize, Mode::ResolveOnly] {
                let protected = prepare::prepare(input, mode);
                assert_eq!(
                    plain_text(&protected),
                    tokenize(protected.clone(), "http://example.com/", mode),
                    "{input:?}"
                );
            }
        }
    }
}
