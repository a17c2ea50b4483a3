//! htmltmpl's lexical rules, reproduced so that converted templates keep
//! Venus's exact whitespace: `### ` starts a comment running to the end of
//! the line; a statement eats the spaces that precede it at the start of a
//! line and the one newline that follows it.

/// A statement longer than this is a syntax error (htmltmpl statements are
/// a name and a few attributes).
const MAX_TAG_LEN: usize = 1024;

/// What a statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Directive {
    Var,
    If,
    Unless,
    Else,
    Loop,
    Include,
    /// Multipart templates; a whole-template run ignores it.
    Boundary,
    EndIf,
    EndUnless,
    EndLoop,
}

/// One `<TMPL_...>` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tag {
    pub directive: Directive,
    pub name: Option<String>,
    /// `ESCAPE=`, upper-cased.
    pub escape: Option<String>,
    /// `GLOBAL=`: look the name up in enclosing loops and at top level too.
    pub global: bool,
    /// `DEFAULT=` (HTML::Template): shown when the variable is unset or empty.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Text(String),
    Tag(Tag),
}

/// A token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Lexed {
    pub token: Token,
    pub line: usize,
}

/// A syntax error at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LexError {
    pub line: usize,
    pub message: String,
}

/// Removes htmltmpl comments: from `### ` to the end of its line (the
/// newline stays, so line numbers do not move).
pub(super) fn strip_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        match line.find("### ") {
            Some(at) => {
                out.push_str(&line[..at]);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Splits comment-free template text into text and statements.
pub(super) fn tokenize(source: &str) -> Result<Vec<Lexed>, LexError> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut text_line = 1;
    let mut line = 1;
    // Where the text not yet consumed by a statement starts.
    let mut pos = 0;
    let mut scan = 0;
    while let Some(offset) = source.get(scan..).and_then(|rest| rest.find('<')) {
        let start = scan + offset;
        let Some(found) = statement_at(source, start) else {
            scan = start + 1;
            continue;
        };
        let (end, body) = found.map_err(|message| LexError {
            line: line + count_lines(&source[pos..start]),
            message,
        })?;
        let before = &source[pos..start];
        let tag_line = line + count_lines(before);
        text.push_str(strip_indent(source, pos, start));
        if !text.is_empty() {
            tokens.push(Lexed {
                token: Token::Text(std::mem::take(&mut text)),
                line: text_line,
            });
        }
        let tag = parse_statement(body).map_err(|message| LexError {
            line: tag_line,
            message,
        })?;
        tokens.push(Lexed {
            token: Token::Tag(tag),
            line: tag_line,
        });
        let rest = &source[end..];
        let eaten = if rest.starts_with("\r\n") {
            2
        } else {
            usize::from(rest.starts_with('\n'))
        };
        line = tag_line + count_lines(&source[start..end + eaten]);
        pos = end + eaten;
        scan = pos;
        text_line = line;
    }
    text.push_str(&source[pos..]);
    if !text.is_empty() {
        tokens.push(Lexed {
            token: Token::Text(text),
            line: text_line,
        });
    }
    Ok(tokens)
}

fn count_lines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// The text between `pos` and a statement at `start`, without the spaces
/// and tabs that sit between the start of the statement's line and the
/// statement (only when that line start is not inside an earlier statement).
fn strip_indent(source: &str, pos: usize, start: usize) -> &str {
    let before = &source[pos..start];
    let line_start = match before.rfind('\n') {
        Some(i) => i + 1,
        None if pos == 0 || source[..pos].ends_with('\n') => 0,
        None => return before,
    };
    let indent = &before[line_start..];
    if indent.bytes().all(|b| b == b' ' || b == b'\t') {
        &before[..line_start]
    } else {
        before
    }
}

/// Whether a statement starts at `start` (which holds `<`): `None` when it
/// is ordinary markup, else the statement's end and its inner text, or an
/// error for a statement that does not close.
fn statement_at(source: &str, start: usize) -> Option<Result<(usize, &str), String>> {
    let rest = &source[start + 1..];
    let (comment, inner) = match rest.strip_prefix("!--") {
        Some(after) => (true, after.trim_start_matches([' ', '\t'])),
        None => (false, rest),
    };
    let keyword = inner.strip_prefix('/').unwrap_or(inner);
    let is_statement = keyword
        .get(..5)
        .is_some_and(|k| k.eq_ignore_ascii_case("TMPL_"))
        && keyword[5..].starts_with(|c: char| c.is_ascii_alphabetic());
    if !is_statement {
        return None;
    }
    let body_start = source.len() - inner.len();
    let mut quote = None;
    for (i, c) in inner.char_indices() {
        if i > MAX_TAG_LEN {
            break;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                let body = &inner[..i];
                if !comment {
                    return Some(Ok((body_start + i + 1, body)));
                }
                if let Some(body) = body.strip_suffix("--") {
                    return Some(Ok((body_start + i + 1, body)));
                }
            }
            (None, '\n') => break,
            _ => {}
        }
    }
    let shown: String = inner.chars().take(40).collect();
    Some(Err(format!("statement <{shown}... is not closed")))
}

/// The directive and attributes of a statement's inner text.
fn parse_statement(body: &str) -> Result<Tag, String> {
    let mut words = split_words(body)?.into_iter();
    let keyword = words.next().unwrap_or_default().to_ascii_uppercase();
    let directive = match keyword.as_str() {
        "TMPL_VAR" => Directive::Var,
        "TMPL_IF" => Directive::If,
        "TMPL_UNLESS" => Directive::Unless,
        "TMPL_ELSE" => Directive::Else,
        "TMPL_LOOP" => Directive::Loop,
        "TMPL_INCLUDE" => Directive::Include,
        "TMPL_BOUNDARY" => Directive::Boundary,
        "/TMPL_IF" => Directive::EndIf,
        "/TMPL_UNLESS" => Directive::EndUnless,
        "/TMPL_LOOP" => Directive::EndLoop,
        _ => return Err(format!("unknown statement <{keyword}>")),
    };
    let mut tag = Tag {
        directive,
        name: None,
        escape: None,
        global: false,
        default: None,
    };
    for (i, word) in words.enumerate() {
        let Some((key, value)) = word.split_once('=') else {
            if i == 0 {
                tag.name = Some(word);
                continue;
            }
            return Err(format!("<{keyword}>: unexpected {word:?}"));
        };
        let value = unquote(value);
        match key.to_ascii_uppercase().as_str() {
            "NAME" => tag.name = Some(value.to_owned()),
            "ESCAPE" => tag.escape = Some(value.to_ascii_uppercase()),
            "GLOBAL" => tag.global = value == "1",
            "DEFAULT" => tag.default = Some(value.to_owned()),
            other => return Err(format!("<{keyword}>: unknown attribute {other}")),
        }
    }
    let needs_name = !matches!(
        directive,
        Directive::Else
            | Directive::Boundary
            | Directive::EndIf
            | Directive::EndUnless
            | Directive::EndLoop
    );
    match &tag.name {
        Some(name) if name.is_empty() => Err(format!("<{keyword}> with an empty name")),
        None if needs_name => Err(format!("<{keyword}> without a name")),
        _ => Ok(tag),
    }
}

/// Whitespace-separated words; quoted parts may hold spaces.
fn split_words(body: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in body.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                word.push(c);
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if quote.is_some() {
        return Err("unbalanced quote in statement".to_owned());
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts_and_names(source: &str) -> Vec<String> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|t| match t.token {
                Token::Text(s) => format!("T{s:?}"),
                Token::Tag(tag) => format!("{:?}:{}", tag.directive, tag.name.unwrap_or_default()),
            })
            .collect()
    }

    #[test]
    fn statements_eat_indentation_and_one_newline() {
        assert_eq!(
            texts_and_names("a\n  <TMPL_IF x>\n\tb <TMPL_VAR y>\n\nc"),
            ["T\"a\\n\"", "If:x", "T\"\\tb \"", "Var:y", "T\"\\nc\""]
        );
        // Spaces after a statement on the same line are not a line start.
        assert_eq!(
            texts_and_names("<TMPL_VAR a>  <TMPL_VAR b>"),
            ["Var:a", "T\"  \"", "Var:b"]
        );
        // After an eaten newline they are.
        assert_eq!(
            texts_and_names("<TMPL_VAR a>\n  <TMPL_VAR b>"),
            ["Var:a", "Var:b"]
        );
    }

    #[test]
    fn statement_forms() {
        for source in [
            "<TMPL_VAR name>",
            "<tmpl_var NAME=\"name\">",
            "<TMPL_VAR name='name'>",
            "<!-- TMPL_VAR name -->",
        ] {
            assert_eq!(texts_and_names(source), ["Var:name"], "{source}");
        }
        let tokens = tokenize("<TMPL_VAR x ESCAPE=html GLOBAL=\"1\" DEFAULT=\"a b\">").unwrap();
        let Token::Tag(tag) = &tokens[0].token else {
            panic!()
        };
        assert_eq!(tag.escape.as_deref(), Some("HTML"));
        assert!(tag.global);
        assert_eq!(tag.default.as_deref(), Some("a b"));
        assert_eq!(texts_and_names("<p><b>x</p>"), ["T\"<p><b>x</p>\""]);
    }

    #[test]
    fn errors_name_the_line() {
        for (source, line) in [
            ("a\nb\n<TMPL_VAR x", 3),
            ("a\n<TMPL_FOO x>", 2),
            ("<TMPL_VAR>", 1),
            ("\n\n<TMPL_VAR x y>", 3),
            ("<TMPL_VAR x BOGUS=1>", 1),
        ] {
            assert_eq!(tokenize(source).unwrap_err().line, line, "{source}");
        }
    }

    #[test]
    fn comments_keep_line_numbers() {
        assert_eq!(strip_comments("a ### b\n### c\nd"), "a \n\nd");
        assert_eq!(strip_comments("###no space"), "###no space");
    }
}
