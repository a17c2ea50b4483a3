//! Namespace URIs the parser understands, each mapped to the canonical prefix its element
//! handlers use; documents may bind them to any prefix.

/// Namespace URI (lower-case) to canonical prefix; `""` for the core feed vocabularies.
const KNOWN: &[(&str, &str)] = &[
    ("", ""),
    ("http://backend.userland.com/rss", ""),
    ("http://blogs.law.harvard.edu/tech/rss", ""),
    ("http://purl.org/rss/1.0/", ""),
    ("http://my.netscape.com/rdf/simple/0.9/", ""),
    ("http://example.com/newformat#", ""),
    ("http://example.com/necho", ""),
    ("http://purl.org/echo/", ""),
    ("uri/of/echo/namespace#", ""),
    ("http://purl.org/pie/", ""),
    ("http://purl.org/atom/ns#", ""),
    ("http://www.w3.org/2005/atom", ""),
    ("http://purl.org/rss/1.0/modules/rss091#", ""),
    ("http://webns.net/mvcb/", "admin"),
    ("http://purl.org/rss/1.0/modules/aggregation/", "ag"),
    ("http://purl.org/rss/1.0/modules/annotate/", "annotate"),
    ("http://media.tangent.org/rss/1.0/", "audio"),
    (
        "http://backend.userland.com/blogchannelmodule",
        "blogChannel",
    ),
    ("http://creativecommons.org/ns#license", "cc"),
    ("http://web.resource.org/cc/", "cc"),
    (
        "http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html",
        "creativeCommons",
    ),
    (
        "http://backend.userland.com/creativecommonsrssmodule",
        "creativeCommons",
    ),
    ("http://purl.org/rss/1.0/modules/company", "co"),
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://my.theinfo.org/changed/1.0/rss/", "cp"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://purl.org/dc/terms/", "dcterms"),
    ("http://purl.org/rss/1.0/modules/email/", "email"),
    ("http://purl.org/rss/1.0/modules/event/", "ev"),
    ("http://rssnamespace.org/feedburner/ext/1.0", "feedburner"),
    ("http://freshmeat.net/rss/fm/", "fm"),
    ("http://xmlns.com/foaf/0.1/", "foaf"),
    ("http://www.w3.org/2003/01/geo/wgs84_pos#", "geo"),
    ("http://www.georss.org/georss", "georss"),
    ("http://www.opengis.net/gml", "gml"),
    ("http://postneo.com/icbm/", "icbm"),
    ("http://purl.org/rss/1.0/modules/image/", "image"),
    ("http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"),
    ("http://example.com/dtds/podcast-1.0.dtd", "itunes"),
    ("http://purl.org/rss/1.0/modules/link/", "l"),
    ("http://search.yahoo.com/mrss", "media"),
    ("http://search.yahoo.com/mrss/", "media"),
    (
        "http://madskills.com/public/xml/rss/module/pingback/",
        "pingback",
    ),
    ("http://prismstandard.org/namespaces/1.2/basic/", "prism"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    ("http://www.w3.org/2000/01/rdf-schema#", "rdfs"),
    ("http://purl.org/rss/1.0/modules/reference/", "ref"),
    ("http://purl.org/rss/1.0/modules/richequiv/", "reqv"),
    ("http://purl.org/rss/1.0/modules/search/", "search"),
    ("http://purl.org/rss/1.0/modules/slash/", "slash"),
    ("http://schemas.xmlsoap.org/soap/envelope/", "soap"),
    ("http://purl.org/rss/1.0/modules/servicestatus/", "ss"),
    ("http://hacks.benhammersley.com/rss/streaming/", "str"),
    ("http://purl.org/rss/1.0/modules/subscription/", "sub"),
    ("http://purl.org/rss/1.0/modules/syndication/", "sy"),
    ("http://schemas.pocketsoap.com/rss/mydescmodule/", "szf"),
    ("http://purl.org/rss/1.0/modules/taxonomy/", "taxo"),
    ("http://purl.org/rss/1.0/modules/threading/", "thr"),
    ("http://purl.org/rss/1.0/modules/textinput/", "ti"),
    (
        "http://madskills.com/public/xml/rss/module/trackback/",
        "trackback",
    ),
    ("http://wellformedweb.org/commentapi/", "wfw"),
    ("http://purl.org/rss/1.0/modules/wiki/", "wiki"),
    ("http://www.w3.org/1999/xhtml", "xhtml"),
    ("http://www.w3.org/1999/xlink", "xlink"),
    ("http://www.w3.org/xml/1998/namespace", "xml"),
    ("http://podlove.org/simple-chapters", "psc"),
];

/// The namespace every `xml:` name is bound to.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Folds the many historical UserLand RSS namespace spellings into one.
pub(crate) fn normalize(uri: &str) -> &str {
    const USERLAND: &[u8] = b"backend.userland.com/rss";
    if uri
        .as_bytes()
        .windows(USERLAND.len())
        .any(|w| w.eq_ignore_ascii_case(USERLAND))
    {
        "http://backend.userland.com/rss"
    } else {
        uri
    }
}

/// Canonical prefix of a known namespace URI.
pub(crate) fn canonical_prefix(uri: &str) -> Option<&'static str> {
    let uri = normalize(uri);
    KNOWN
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(uri))
        .map(|&(_, p)| p)
}

/// Namespace bindings in scope at once.
const MAX_BINDINGS: usize = 256;

/// Prefix bindings in scope while reading a document.
#[derive(Default)]
pub(crate) struct Scopes {
    /// (prefix, URI, canonical prefix of the URI if known); `None` prefix = default namespace.
    bindings: Vec<(Option<String>, String, Option<&'static str>)>,
    /// Number of bindings each open element added.
    marks: Vec<usize>,
}

impl Scopes {
    /// Opens an element scope with its `xmlns` declarations. Returns false if some were
    /// dropped: lookups are linear, so the number of bindings in scope is bounded.
    pub(crate) fn push(&mut self, decls: impl Iterator<Item = (Option<String>, String)>) -> bool {
        let before = self.bindings.len();
        let mut complete = true;
        for (p, u) in decls {
            if self.bindings.len() >= MAX_BINDINGS {
                complete = false;
                break;
            }
            let canonical = canonical_prefix(&u);
            self.bindings.push((p, u, canonical));
        }
        self.marks.push(self.bindings.len() - before);
        complete
    }

    pub(crate) fn pop(&mut self) {
        let n = self.marks.pop().unwrap_or(0);
        let keep = self.bindings.len().saturating_sub(n);
        self.bindings.truncate(keep);
    }

    /// The URI bound to `prefix` (`None` = default namespace) and its canonical prefix if the
    /// namespace is known; an empty URI undeclares.
    pub(crate) fn lookup(&self, prefix: Option<&str>) -> Option<(&str, Option<&'static str>)> {
        if prefix == Some("xml") {
            return Some((XML_NS, Some("xml")));
        }
        self.bindings
            .iter()
            .rev()
            .find(|(p, _, _)| p.as_deref() == prefix)
            .map(|(_, u, c)| (u.as_str(), *c))
            .filter(|(u, _)| !u.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prefixes() {
        assert_eq!(canonical_prefix("http://www.w3.org/2005/Atom"), Some(""));
        assert_eq!(
            canonical_prefix("http://purl.org/dc/elements/1.1/"),
            Some("dc")
        );
        assert_eq!(
            canonical_prefix("http://backend.userland.com/RSS2"),
            Some("")
        );
        assert_eq!(canonical_prefix("http://example.org/unknown"), None);
    }

    #[test]
    fn scopes_nest() {
        let mut s = Scopes::default();
        s.push([(Some("a".to_string()), "u1".to_string())].into_iter());
        s.push([(Some("a".to_string()), "u2".to_string())].into_iter());
        assert_eq!(s.lookup(Some("a")), Some(("u2", None)));
        s.pop();
        assert_eq!(s.lookup(Some("a")), Some(("u1", None)));
        s.pop();
        assert_eq!(s.lookup(Some("a")), None);
    }
}
