//! Event source over quick-xml, configured to keep going where XML says "stop": mismatched or
//! unclosed tags, undeclared prefixes and HTML entities are reported (the document becomes
//! bozo) and reading continues, so a broken feed still yields what can be recovered.
//!
//! The sink sees balanced start/end events (an end tag that closes several open elements ends
//! each of them; elements still open at the end of input are closed), element names that are
//! lower-case with the canonical prefix of a known namespace (`dc:creator` whatever the
//! document's prefix) or the document's own prefix, and text with all references resolved,
//! coalesced into one call per run of character data.
//!
//! Line ends are normalized once for the whole document, before tokenizing, as XML requires.
//!
//! No DTD is processed: only simple internal entity declarations (plain text or a single
//! character reference) are honoured, and never recursively.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::entities::{self, Resolved};
use crate::namespaces::Scopes;

/// Receiver of the normalized event stream.
pub(crate) trait Sink {
    /// A namespace declaration, before the start tag that carries it.
    fn namespace(&mut self, prefix: Option<&str>, uri: &str);
    /// A start tag; attribute names are lower-case (`prefix:local` for known namespaces).
    fn start(&mut self, name: &str, attrs: &mut [(String, String)]);
    fn end(&mut self, name: &str);
    /// Character data; the sink may take the buffer's contents (it is cleared afterwards).
    fn text(&mut self, text: &mut String);
    /// True once the sink wants no more events (a limit was reached).
    fn full(&self) -> bool;
}

/// Attributes read per element; duplicates are found by linear search, so this bounds the work.
const MAX_ATTRIBUTES: usize = 256;

/// What the reader learnt besides the events.
#[derive(Default)]
pub(crate) struct Outcome {
    /// First well-formedness problem met.
    pub bozo: Option<String>,
    /// The DOCTYPE names Netscape's RSS 0.91.
    pub netscape_doctype: bool,
    /// The nesting limit cut the document here.
    pub capped: Option<String>,
}

/// Reads `text` and feeds `sink`, stopping at `max_depth` nested elements.
pub(crate) fn read(text: &str, max_depth: usize, sink: &mut impl Sink) -> Outcome {
    let text = normalize_line_ends(text);
    let repaired = escape_stray_lt(&text);
    let mut r = XmlReader {
        src: repaired.as_ref().map_or(&*text, |(s, _)| s.as_str()),
        pos: 0,
        out: Outcome::default(),
        scopes: Scopes::default(),
        open_names: String::new(),
        open_canon: String::new(),
        open: Vec::new(),
        root_closed: false,
        seen_root: false,
        entities: Vec::new(),
        entity_budget: text.len(),
        attrs: Vec::new(),
        n_attrs: 0,
        key: String::new(),
        value: String::new(),
        decls: Vec::new(),
        pending: String::new(),
        name: String::new(),
    };
    if let Some((_, first)) = &repaired {
        r.pos = *first;
        r.bozo(|| "'<' not starting markup".to_string());
    }
    // XML forbids U+0000 anywhere; the tokenizer would pass it through silently.
    if let Some(nul) = memchr::memchr(0, r.src.as_bytes()) {
        r.pos = nul;
        r.bozo(|| "NUL character".to_string());
    } else if let Some(at) = illegal_control(r.src.as_bytes()) {
        // Other C0 controls are just as illegal; the text keeps them, the document is bozo.
        let byte = r.src.as_bytes().get(at).copied().unwrap_or(0);
        r.pos = at;
        r.bozo(|| format!("illegal character U+{byte:04X}"));
    }
    r.run(max_depth, sink);
    r.out
}

/// Position of the first C0 control character XML 1.0 forbids (all but tab, LF and CR).
/// Documents almost never hold one, so the bytes are tested in fixed-size blocks with a
/// branch-free OR of comparisons, which the compiler turns into vector instructions; only a
/// block that holds one is searched byte by byte.
fn illegal_control(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    let bad = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (i, block) in blocks.by_ref().enumerate() {
        if block.iter().fold(false, |any, &b| any | bad(b)) {
            return block.iter().position(|&b| bad(b)).map(|p| i * BLOCK + p);
        }
    }
    let tail = blocks.remainder();
    let offset = bytes.len() - tail.len();
    tail.iter().position(|&b| bad(b)).map(|p| offset + p)
}

/// Turns CR LF and lone CR into LF (XML 1.0 section 2.11).
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The text of `bytes`, a slice the tokenizer cut out of `src`. The tokenizer hands out bytes,
/// and cuts only at ASCII delimiters, so each slice is a `str` slice of `src` already: found
/// again by its offset, it needs no second UTF-8 check. (Anything else is decoded lossily.)
fn source_str<'a>(src: &'a str, bytes: &[u8]) -> Cow<'a, str> {
    let offset = (bytes.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    match src.get(offset..offset.saturating_add(bytes.len())) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Escapes every `<` that cannot start markup ("a < b", "<3") outside CDATA sections and
/// comments, as HTML-minded feed writers expect; an XML tokenizer would otherwise swallow the
/// rest of the element as a bogus tag. Returns the repaired text and the offset of the first
/// stray `<`, or `None` when there is nothing to repair.
fn escape_stray_lt(text: &str) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut stray = Vec::new();
    // Built once per document: a searcher's set-up costs more than a typical section.
    let cdata_end = memchr::memmem::Finder::new(b"]]>");
    let comment_end = memchr::memmem::Finder::new(b"-->");
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let p = i + off;
        let rest = &b[p..];
        let skip_to = |end: &memchr::memmem::Finder| {
            end.find(&rest[1..])
                .map_or(b.len(), |e| p + 1 + e + end.needle().len())
        };
        i = if rest.starts_with(b"<![CDATA[") {
            skip_to(&cdata_end)
        } else if rest.starts_with(b"<!--") {
            skip_to(&comment_end)
        } else {
            match rest.get(1) {
                Some(&c)
                    if c.is_ascii_alphabetic()
                        || matches!(c, b'/' | b'!' | b'?' | b'_' | b':')
                        || c >= 0x80 => {}
                _ => stray.push(p),
            }
            p + 1
        };
    }
    let first = *stray.first()?;
    let mut out = String::with_capacity(text.len() + 3 * stray.len());
    let mut last = 0;
    for p in stray {
        out.push_str(&text[last..p]);
        out.push_str("&lt;");
        last = p + 1;
    }
    out.push_str(&text[last..]);
    Some((out, first))
}

struct XmlReader<'a> {
    src: &'a str,
    /// Byte offset of the event being processed, for error messages.
    pos: usize,
    out: Outcome,
    scopes: Scopes,
    /// Raw names of the open elements, concatenated; `open` holds where each starts.
    open_names: String,
    /// Their normalized names, concatenated, so that end events need not recompute them.
    open_canon: String,
    /// Where each open element's raw and normalized names start.
    open: Vec<(usize, usize)>,
    root_closed: bool,
    seen_root: bool,
    /// Safe internal entities from the DOCTYPE.
    entities: Vec<(String, String)>,
    /// Bytes that expanding those entities may still add: one short entity referenced many
    /// times would otherwise grow the output quadratically with the input.
    entity_budget: usize,
    /// Attribute slots, reused across elements; the first `n_attrs` belong to the current one.
    attrs: Vec<(String, String)>,
    n_attrs: usize,
    key: String,
    value: String,
    decls: Vec<(Option<String>, String)>,
    /// Character data not yet handed to the sink.
    pending: String,
    /// Scratch buffer for element names.
    name: String,
}

/// Records the first problem, with its line and column.
fn note(out: &mut Outcome, src: &str, pos: usize, why: impl FnOnce() -> String) {
    if out.bozo.is_none() {
        let before = src.get(..pos).unwrap_or(src);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        out.bozo = Some(format!("line {line}, column {col}: {}", why()));
    }
}

/// `prefix:local` split at the first colon. Names are short, so a plain byte loop beats the
/// general-purpose searcher behind `str::split_once`, and this runs for every tag and attribute.
pub(crate) fn split_qname(qname: &str) -> Option<(&str, &str)> {
    let colon = qname.bytes().position(|b| b == b':')?;
    Some((qname.get(..colon)?, qname.get(colon + 1..)?))
}

/// Lower-case `prefix:local` with the canonical prefix for known namespaces, into `out`.
fn element_name(scopes: &Scopes, qname: &str, out: &mut String) -> Result<(), String> {
    let (given, local) = match split_qname(qname) {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    };
    let uri = scopes.lookup(given);
    let prefix = match uri.and_then(|(_, canonical)| canonical) {
        Some(c) => Some(c),
        None => given,
    };
    out.clear();
    if let Some(p) = prefix.filter(|p| !p.is_empty()) {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
    out.make_ascii_lowercase();
    match (given, uri) {
        (Some(p), None) => Err(format!("undeclared namespace prefix '{p}'")),
        _ => Ok(()),
    }
}

impl<'a> XmlReader<'a> {
    fn bozo(&mut self, why: impl FnOnce() -> String) {
        note(&mut self.out, self.src, self.pos, why);
    }

    /// The document text of a slice of an event.
    fn str(&self, bytes: &[u8]) -> Cow<'a, str> {
        source_str(self.src, bytes)
    }

    fn run(&mut self, max_depth: usize, sink: &mut impl Sink) {
        let mut reader = Reader::from_str(self.src);
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.allow_dangling_amp = true;
        cfg.check_comments = false;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
        loop {
            if sink.full() {
                break;
            }
            let before = reader.buffer_position();
            self.pos = usize::try_from(before).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    self.pos = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    self.bozo(|| format!("XML syntax error: {e}"));
                    if reader.buffer_position() == before {
                        break;
                    }
                    continue;
                }
            };
            match event {
                Event::Start(e) | Event::Empty(e) if self.open.len() >= max_depth => {
                    drop(e);
                    self.out.capped = Some(format!("capped at {max_depth} nested elements"));
                    self.bozo(|| format!("elements nested deeper than {max_depth}"));
                    break;
                }
                Event::Start(e) => self.start(&e, false, sink),
                Event::Empty(e) => self.start(&e, true, sink),
                Event::End(e) => {
                    let name = self.str(e.name().as_ref());
                    self.end(&name, sink);
                }
                Event::Text(t) => {
                    let content = self.str(&t);
                    if self.out.bozo.is_none() && memchr::memchr(b'&', &t).is_some() {
                        self.bozo(|| "bare '&' in text".to_string());
                    }
                    self.pending.push_str(&content);
                }
                Event::CData(c) => {
                    let content = self.str(&c);
                    self.pending.push_str(&content);
                }
                Event::GeneralRef(r) => {
                    let name = self.str(&r);
                    self.reference(&name);
                }
                Event::DocType(d) => {
                    let decl = self.str(&d);
                    self.doctype(&decl);
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
        self.flush(sink);
        if !self.open.is_empty() {
            let last = self
                .open
                .last()
                .map_or("", |&(s, _)| self.open_names.get(s..).unwrap_or(""))
                .to_string();
            self.bozo(|| format!("unclosed element <{last}>"));
            while !self.open.is_empty() {
                self.close_innermost(sink);
            }
        } else if !self.seen_root {
            self.bozo(|| "no element found".to_string());
        }
    }

    /// Hands pending character data to the sink.
    fn flush(&mut self, sink: &mut impl Sink) {
        if self.pending.is_empty() {
            return;
        }
        if self.open.is_empty() {
            if !self.pending.trim().is_empty() {
                self.bozo(|| "text outside the document element".to_string());
            }
        } else {
            sink.text(&mut self.pending);
        }
        self.pending.clear();
    }

    fn reference(&mut self, name: &str) {
        match entities::resolve(name) {
            Resolved::Xml(c) => self.pending.push(c),
            Resolved::Html(s) => {
                self.bozo(|| format!("undefined entity &{name};"));
                self.pending.push_str(&s);
            }
            Resolved::Unknown => {
                let declared = self.entities.iter().find(|(k, _)| k == name);
                if let Some((_, v)) = declared.filter(|(_, v)| v.len() <= self.entity_budget) {
                    self.entity_budget -= v.len();
                    entities::unescape_into(v, &mut self.pending, &|_| None);
                } else {
                    if declared.is_some() {
                        self.bozo(|| {
                            format!("entity expansion exceeds the document size at &{name};")
                        });
                    }
                    self.bozo(|| format!("undefined entity &{name};"));
                    self.pending.push('&');
                    self.pending.push_str(name);
                    self.pending.push(';');
                }
            }
        }
    }

    /// Keeps `<!ENTITY name "value">` declarations whose value is plain text or one character
    /// reference; anything else is ignored (no parameter entities, no nesting, no external ids).
    fn doctype(&mut self, decl: &str) {
        if decl.to_ascii_lowercase().contains("netscape") {
            self.out.netscape_doctype = true;
        }
        let mut rest = decl;
        while let Some(i) = rest.find("<!ENTITY") {
            rest = &rest[i + 8..];
            let body = rest.split('>').next().unwrap_or("");
            let mut parts = body.trim_start().splitn(2, char::is_whitespace);
            let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(inner) = value
                .trim()
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
            else {
                continue;
            };
            let safe = !inner.contains('&')
                || (inner.starts_with("&#")
                    && inner.ends_with(';')
                    && inner.matches('&').count() == 1);
            if safe
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && self.entities.len() < 64
            {
                self.entities.push((name.to_string(), inner.to_string()));
            }
        }
    }

    /// Decodes an attribute value into `self.value`: references resolved, whitespace
    /// normalized as XML requires.
    fn attr_value(&mut self, raw: &str) {
        let mut value = std::mem::take(&mut self.value);
        value.clear();
        let entities = &self.entities;
        let budget = std::cell::Cell::new(self.entity_budget);
        let ok = entities::unescape_into(raw, &mut value, &|n| {
            let (_, v) = entities.iter().find(|(k, _)| k == n)?;
            budget.set(budget.get().checked_sub(v.len())?);
            Some(v.clone())
        });
        self.entity_budget = budget.get();
        if value.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
            value = value.replace(['\t', '\n', '\r'], " ");
        }
        self.value = value;
        if !ok {
            self.bozo(|| "bad reference in attribute value".to_string());
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool, sink: &mut impl Sink) {
        self.flush(sink);
        let qname: &str = &self.str(e.name().as_ref());
        if self.root_closed && self.open.is_empty() {
            self.bozo(|| "junk after document element".to_string());
        }
        self.seen_root = true;

        // Every attribute takes at least one byte, so only long tags need counting.
        let raw_attrs = e.attributes_raw();
        if raw_attrs.len() > MAX_ATTRIBUTES
            && e.html_attributes()
                .with_checks(false)
                .nth(MAX_ATTRIBUTES)
                .is_some()
        {
            self.bozo(|| format!("more than {MAX_ATTRIBUTES} attributes on <{qname}>"));
        }
        // Namespace declarations first: they apply to this element's own name and attributes.
        // Most tags have none, which a substring search shows without parsing attributes.
        self.decls.clear();
        // (A one-off `memmem::find` costs more to set up than these few bytes take to scan.)
        let may_declare = memchr::memchr_iter(b'x', raw_attrs)
            .any(|i| raw_attrs.get(i..).is_some_and(|r| r.starts_with(b"xmlns")));
        for attr in e
            .html_attributes()
            .with_checks(false)
            .take(if may_declare { MAX_ATTRIBUTES } else { 0 })
            .flatten()
        {
            let key: &str = &self.str(attr.key.as_ref());
            let prefix = if key == "xmlns" {
                None
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                Some(p.to_string())
            } else {
                continue;
            };
            self.attr_value(&self.str(&attr.value));
            sink.namespace(prefix.as_deref(), &self.value);
            self.decls.push((prefix, self.value.clone()));
        }
        if !self.scopes.push(self.decls.drain(..)) {
            self.bozo(|| "too many namespace declarations".to_string());
        }

        self.n_attrs = 0;
        for attr in e.html_attributes().with_checks(false).take(MAX_ATTRIBUTES) {
            let Ok(attr) = attr else {
                self.bozo(|| format!("malformed attribute in <{qname}>"));
                continue;
            };
            let key: &str = &self.str(attr.key.as_ref());
            if key == "xmlns" {
                continue;
            }
            if let Some(p) = key.strip_prefix("xmlns:") {
                // Inline markup keeps its XLink declarations (SVG and MathML need them).
                if self.scopes.lookup(Some(p)).map(|(u, _)| u)
                    == Some("http://www.w3.org/1999/xlink")
                {
                    self.attr_value(&self.str(&attr.value));
                    self.add_attr(None, key);
                }
                continue;
            }
            self.attr_value(&self.str(&attr.value));
            match split_qname(key) {
                Some((prefix, local)) => {
                    let uri = self.scopes.lookup(Some(prefix));
                    let declared = uri.is_some();
                    let known = uri.and_then(|(_, c)| c).filter(|p| !p.is_empty());
                    if !declared {
                        self.bozo(|| format!("undeclared namespace prefix '{prefix}'"));
                    }
                    // Known namespaces under their canonical prefix, others by local name; the
                    // name as written is kept too.
                    self.add_attr(known, local);
                    self.add_attr(None, key);
                }
                None => self.add_attr(None, key),
            }
        }

        if let Err(why) = element_name(&self.scopes, qname, &mut self.name) {
            self.bozo(|| why);
        }
        self.open
            .push((self.open_names.len(), self.open_canon.len()));
        self.open_names.push_str(qname);
        self.open_canon.push_str(&self.name);
        let n = self.n_attrs;
        sink.start(&self.name, self.attrs.get_mut(..n).unwrap_or_default());
        if empty {
            self.close_innermost(sink);
            if self.open.is_empty() {
                self.root_closed = true;
            }
        }
    }

    /// Sets attribute `prefix:local` (lower-cased) of the current element to `self.value`.
    fn add_attr(&mut self, prefix: Option<&str>, local: &str) {
        self.key.clear();
        if let Some(p) = prefix {
            self.key.push_str(p);
            self.key.push(':');
        }
        self.key.push_str(local);
        self.key.make_ascii_lowercase();
        let n = self.n_attrs;
        let current = self.attrs.get_mut(..n).unwrap_or_default();
        if let Some(slot) = current.iter_mut().find(|(k, _)| *k == self.key) {
            slot.1.clone_from(&self.value);
            return;
        }
        match self.attrs.get_mut(n) {
            Some((k, v)) => {
                k.clone_from(&self.key);
                v.clone_from(&self.value);
            }
            None => self.attrs.push((self.key.clone(), self.value.clone())),
        }
        self.n_attrs += 1;
    }

    /// Closes `qname` and, if it is not the innermost open element, everything opened inside it.
    /// An end tag matching nothing open is dropped.
    fn end(&mut self, qname: &str, sink: &mut impl Sink) {
        self.flush(sink);
        let found = (0..self.open.len())
            .rev()
            .find(|&i| self.open_name(i) == qname);
        let Some(i) = found else {
            self.bozo(|| format!("unmatched end tag </{qname}>"));
            return;
        };
        if i + 1 != self.open.len() {
            self.bozo(|| format!("mismatched end tag </{qname}>"));
        }
        while self.open.len() > i {
            self.close_innermost(sink);
        }
        if self.open.is_empty() {
            self.root_closed = true;
        }
    }

    fn open_name(&self, i: usize) -> &str {
        let start = self.open.get(i).map_or(0, |o| o.0);
        let end = self.open.get(i + 1).map_or(self.open_names.len(), |o| o.0);
        self.open_names.get(start..end).unwrap_or("")
    }

    fn close_innermost(&mut self, sink: &mut impl Sink) {
        let Some((raw, canon)) = self.open.pop() else {
            return;
        };
        sink.end(self.open_canon.get(canon..).unwrap_or(""));
        self.open_names.truncate(raw);
        self.open_canon.truncate(canon);
        self.scopes.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_controls_are_found_in_every_block_and_the_tail() {
        let clean = "a\tb\nc\rd ".repeat(40);
        assert_eq!(illegal_control(clean.as_bytes()), None);
        for len in [1, 63, 64, 65, 130] {
            for at in [0, len / 2, len - 1] {
                let mut bytes = vec![b'x'; len];
                bytes[at] = 0x0B;
                assert_eq!(illegal_control(&bytes), Some(at), "len {len}, at {at}");
                // A later one does not hide the first.
                bytes[len - 1] = 0x1F;
                assert_eq!(illegal_control(&bytes), Some(at), "len {len}, at {at}");
            }
        }
    }

    #[derive(Default)]
    struct Events(Vec<String>);

    impl Sink for Events {
        fn namespace(&mut self, prefix: Option<&str>, uri: &str) {
            self.0.push(format!("ns {} {uri}", prefix.unwrap_or("-")));
        }
        fn start(&mut self, name: &str, attrs: &mut [(String, String)]) {
            let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!(" {k}={v}")).collect();
            self.0.push(format!("<{name}{}>", attrs.concat()));
        }
        fn end(&mut self, name: &str) {
            self.0.push(format!("</{name}>"));
        }
        fn text(&mut self, text: &mut String) {
            self.0.push(format!("'{text}'"));
        }
        fn full(&self) -> bool {
            false
        }
    }

    fn events(doc: &str) -> (Vec<String>, Option<String>) {
        let mut sink = Events::default();
        let out = read(doc, 64, &mut sink);
        (sink.0, out.bozo)
    }

    #[test]
    fn canonical_names_and_coalesced_text() {
        let (ev, bozo) = events(
            r#"<rss xmlns:D="http://purl.org/dc/elements/1.1/"><D:Creator xml:lang="en">a &amp; b&#33;<![CDATA[<c>]]></D:Creator></rss>"#,
        );
        assert_eq!(bozo, None);
        assert_eq!(
            ev,
            [
                "ns D http://purl.org/dc/elements/1.1/",
                "<rss>",
                "<dc:creator xml:lang=en>",
                "'a & b!<c>'",
                "</dc:creator>",
                "</rss>"
            ]
        );
    }

    #[test]
    fn broken_markup_stays_balanced() {
        let (ev, bozo) = events("<a><b>x &nbsp;</a></c><d>");
        assert!(bozo.unwrap().contains("undefined entity"));
        assert_eq!(
            ev,
            ["<a>", "<b>", "'x \u{a0}'", "</b>", "</a>", "<d>", "</d>"]
        );
    }

    #[test]
    fn stray_less_than_is_text() {
        let (ev, bozo) = events("<t>a < b <!-- < --><![CDATA[ < ]]></t>");
        assert!(bozo.unwrap().contains("column 6"));
        assert_eq!(ev, ["<t>", "'a < b  < '", "</t>"]);
    }

    #[test]
    fn line_ends_normalized_before_tokenizing() {
        // XML 1.0 sections 2.11 and 3.3.3: CR LF and lone CR become LF first, so a line end in
        // an attribute value becomes a single space.
        let (ev, bozo) = events("<t a=\"x\r\ny\">1\r\n2\r3<![CDATA[4\r\n]]></t>");
        assert_eq!(bozo, None);
        assert_eq!(ev, ["<t a=x y>", "'1\n2\n34\n'", "</t>"]);
    }

    #[test]
    fn slices_found_in_the_source_or_decoded() {
        let src = "<t>caf\u{e9}</t>";
        let inner = src.as_bytes().get(3..8).unwrap_or_default();
        assert!(matches!(source_str(src, inner), Cow::Borrowed("caf\u{e9}")));
        let elsewhere = b"caf\xc3\xa9".to_vec();
        assert!(matches!(source_str(src, &elsewhere), Cow::Owned(s) if s == "caf\u{e9}"));
    }

    #[test]
    fn only_simple_internal_entities() {
        let doc =
            r#"<!DOCTYPE rss [<!ENTITY ok "fine"><!ENTITY bad "&ok;&ok;">]><rss>&ok;&bad;</rss>"#;
        let (ev, bozo) = events(doc);
        assert!(bozo.unwrap().contains("&bad;"));
        assert_eq!(ev, ["<rss>", "'fine&bad;'", "</rss>"]);
    }
}
