//! Writing htmltmpl statements as MiniJinja.
//!
//! Escaping follows orrery's context rather than Venus's strings: Venus
//! passed every value as a string and ran htmltmpl with `html_escape=0`,
//! so a bare `<TMPL_VAR x>` was raw. orrery's values are typed: entry
//! markup (sanitized) is marked safe and comes out raw exactly as in Venus,
//! while plain text is escaped by the engine in HTML and XML outputs, which
//! is what Venus templates meant (there, a `&` or `<` in a name broke the
//! page). `ESCAPE="HTML"` escapes even markup, as Venus's RSS template
//! relies on for entry content.

use std::collections::BTreeSet;

use super::lex::{Directive, Tag, Token};
use super::Located;

/// Open blocks deeper than this are refused.
const MAX_DEPTH: usize = 64;

/// Variables that orrery's context marks as markup (see `context.rs`);
/// only these need forcing to text before escaping.
const MARKUP_FIELDS: &[&str] = &["title", "content", "summary", "rights", "channel_rights"];

/// Words that cannot stand as a bare variable name in MiniJinja.
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None",
    "loop", "Config",
];

/// An error at a token.
pub(super) struct EmitError {
    pub at: usize,
    pub message: String,
}

enum Block {
    /// `TMPL_IF` or `TMPL_UNLESS` (htmltmpl lets either close either).
    If {
        has_else: bool,
    },
    Loop,
}

struct Open {
    block: Block,
    /// Index of the opening token.
    at: usize,
}

/// Converts a flat token list (includes already spliced in) for the output
/// `output` (whose extension decides whether the engine escapes).
pub(super) fn emit(tokens: &[Located], output: &str) -> Result<String, EmitError> {
    let markup = matches!(output.rsplit('.').next(), Some("html" | "htm" | "xml"));
    let avoid = global_names(tokens);
    let mut out = String::new();
    let mut open: Vec<Open> = Vec::new();
    let mut bindings: Vec<String> = Vec::new();
    for (at, located) in tokens.iter().enumerate() {
        let fail = |message: String| EmitError { at, message };
        let tag = match &located.token {
            Token::Text(text) => {
                push_text(&mut out, text);
                continue;
            }
            Token::Tag(tag) => tag,
        };
        let scope = Scope {
            bindings: &bindings,
        };
        match tag.directive {
            Directive::Var => {
                let expr = scope.value(tag).map_err(fail)?;
                out.push_str("{{ ");
                out.push_str(&escaped(expr, tag, markup).map_err(fail)?);
                out.push_str(" }}");
            }
            Directive::If | Directive::Unless => {
                let cond = scope.condition(tag).map_err(fail)?;
                out.push_str("{% if ");
                if tag.directive == Directive::Unless {
                    out.push_str("not ");
                }
                out.push_str(&cond.atom());
                out.push_str(" %}");
                push_open(&mut open, Block::If { has_else: false }, at).map_err(fail)?;
            }
            Directive::Else => match open.last_mut() {
                Some(Open {
                    block: Block::If { has_else },
                    ..
                }) if !*has_else => {
                    *has_else = true;
                    out.push_str("{% else %}");
                }
                Some(Open {
                    block: Block::If { .. },
                    ..
                }) => return Err(fail("a second <TMPL_ELSE> in one condition".into())),
                _ => return Err(fail("<TMPL_ELSE> outside <TMPL_IF>/<TMPL_UNLESS>".into())),
            },
            Directive::Loop => {
                let list = scope.list(name(tag));
                let binding = binding_for(name(tag), &bindings, &avoid);
                out.push_str(&format!("{{% for {binding} in {} %}}", list.code));
                push_open(&mut open, Block::Loop, at).map_err(fail)?;
                bindings.push(binding);
            }
            Directive::EndIf | Directive::EndUnless => match open.pop() {
                Some(Open {
                    block: Block::If { .. },
                    ..
                }) => out.push_str("{% endif %}"),
                Some(Open { at: opened, .. }) => {
                    return Err(unclosed(tokens, opened, at, "</TMPL_IF>"));
                }
                None => return Err(fail("</TMPL_IF> closes nothing".into())),
            },
            Directive::EndLoop => match open.pop() {
                Some(Open {
                    block: Block::Loop, ..
                }) => {
                    bindings.pop();
                    out.push_str("{% endfor %}");
                }
                Some(Open { at: opened, .. }) => {
                    return Err(unclosed(tokens, opened, at, "</TMPL_LOOP>"));
                }
                None => return Err(fail("</TMPL_LOOP> closes nothing".into())),
            },
            Directive::Include => {
                return Err(fail("<TMPL_INCLUDE> left unresolved".into()));
            }
            Directive::Boundary => {}
        }
    }
    if let Some(still) = open.last() {
        let what = match still.block {
            Block::If { .. } => "condition",
            Block::Loop => "<TMPL_LOOP>",
        };
        return Err(EmitError {
            at: still.at,
            message: format!("{what} is never closed"),
        });
    }
    // MiniJinja drops one trailing newline of a template; keep Venus's.
    if out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn push_open(open: &mut Vec<Open>, block: Block, at: usize) -> Result<(), String> {
    if open.len() >= MAX_DEPTH {
        return Err(format!("blocks nested deeper than {MAX_DEPTH}"));
    }
    open.push(Open { block, at });
    Ok(())
}

/// A closing statement that meets a block of another kind: the error is
/// the block left open, reported where it was opened.
fn unclosed(tokens: &[Located], opened: usize, at: usize, closer: &str) -> EmitError {
    let line = tokens.get(at).map_or(0, |t| t.line);
    let file = tokens.get(at).map_or("", |t| &*t.file);
    EmitError {
        at: opened,
        message: format!("not closed before {closer} at {file}:{line}"),
    }
}

fn name(tag: &Tag) -> &str {
    tag.name.as_deref().unwrap_or_default()
}

/// Names looked up with `GLOBAL="1"`: loop variables must not hide them.
fn global_names(tokens: &[Located]) -> BTreeSet<&str> {
    tokens
        .iter()
        .filter_map(|t| match &t.token {
            Token::Tag(tag) if tag.global => tag.name.as_deref(),
            _ => None,
        })
        .collect()
}

/// A readable loop variable: `item` for `Items`, `channel` for `Channels`.
fn binding_for(list: &str, taken: &[String], avoid: &BTreeSet<&str>) -> String {
    let lower = list.to_ascii_lowercase();
    let stem = match lower.strip_suffix('s') {
        Some(s) if is_identifier(s) => s.to_owned(),
        _ if is_identifier(&lower) => lower,
        _ => "row".to_owned(),
    };
    let free = |candidate: &str| {
        !RESERVED.contains(&candidate)
            && !avoid.contains(candidate)
            && !taken.iter().any(|t| t == candidate)
    };
    (1..)
        .map(|n| {
            if n == 1 {
                stem.clone()
            } else {
                format!("{stem}{n}")
            }
        })
        .find(|c| free(c))
        .unwrap_or(stem)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A MiniJinja expression; `atomic` when it needs no parentheses.
struct Expr {
    code: String,
    atomic: bool,
}

impl Expr {
    fn atom(&self) -> String {
        if self.atomic {
            self.code.clone()
        } else {
            format!("({})", self.code)
        }
    }
}

fn atomic(code: String) -> Expr {
    Expr { code, atomic: true }
}

fn compound(code: String) -> Expr {
    Expr {
        code,
        atomic: false,
    }
}

/// Loop variables of the enclosing loops, outermost first.
struct Scope<'a> {
    bindings: &'a [String],
}

impl Scope<'_> {
    /// The value a `TMPL_VAR` shows.
    fn value(&self, tag: &Tag) -> Result<Expr, String> {
        let name = name(tag);
        if let Some(magic) = self.magic(name)? {
            return Ok(match magic {
                Magic::Flag(cond) => compound(format!("1 if {cond} else 0")),
                Magic::Number(code) => atomic(code),
            });
        }
        let found = self.lookup(name, tag.global);
        // htmltmpl shows a loop (a capitalized name) as its number of passes.
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            let code = found.atom();
            return Ok(compound(format!(
                "{code}|length if {code} is sequence else {code}|default(0)"
            )));
        }
        Ok(found)
    }

    /// The test of a `TMPL_IF`/`TMPL_UNLESS`.
    fn condition(&self, tag: &Tag) -> Result<Expr, String> {
        let name = name(tag);
        Ok(match self.magic(name)? {
            Some(Magic::Flag(cond)) if !cond.contains(' ') => atomic(cond),
            Some(Magic::Flag(cond)) => compound(cond),
            Some(Magic::Number(code)) => atomic(code),
            None => self.lookup(name, tag.global),
        })
    }

    /// The list a `TMPL_LOOP` walks: looked up in the current scope only.
    fn list(&self, name: &str) -> Expr {
        self.lookup(name, false)
    }

    fn lookup(&self, name: &str, global: bool) -> Expr {
        let Some((current, outer)) = self.bindings.split_last() else {
            return top(name);
        };
        let here = field(current, name);
        if !global {
            return atomic(here);
        }
        // htmltmpl's global lookup: the innermost enclosing scope that has it.
        let mut expr = top(name);
        for binding in outer.iter().chain([current]) {
            let f = field(binding, name);
            expr = compound(format!("{f} if {f} is defined else {}", expr.atom()));
        }
        expr
    }

    /// htmltmpl's loop variables, meaningful inside a loop only.
    fn magic(&self, name: &str) -> Result<Option<Magic>, String> {
        if !name.starts_with("__") || self.bindings.is_empty() {
            return Ok(None);
        }
        let flag = |s: &str| Ok(Some(Magic::Flag(s.to_owned())));
        match name {
            "__FIRST__" => flag("loop.first"),
            "__LAST__" => flag("loop.last"),
            "__INNER__" => flag("not loop.first and not loop.last"),
            "__ODD__" => flag("loop.index is odd"),
            "__PASS__" => Ok(Some(Magic::Number("loop.index".into()))),
            "__PASSTOTAL__" => Ok(Some(Magic::Number("loop.length".into()))),
            _ => match name.strip_prefix("__EVERY__").map(str::parse::<u32>) {
                Some(Ok(n)) if n > 0 => Ok(Some(Magic::Flag(format!(
                    "not loop.first and not loop.last and loop.index is divisibleby({n})"
                )))),
                Some(_) => Err(format!("{name}: __EVERY__ needs a positive number")),
                None => Err(format!("unknown loop variable {name}")),
            },
        }
    }
}

enum Magic {
    /// A condition; shown as 1 or 0.
    Flag(String),
    Number(String),
}

/// A top-level variable; names MiniJinja cannot spell are `[Planet]`
/// options, which orrery also offers in `Config`.
fn top(name: &str) -> Expr {
    if is_identifier(name) && !RESERVED.contains(&name) {
        atomic(name.to_owned())
    } else {
        atomic(format!("Config[{}]", string_literal(name)))
    }
}

fn field(binding: &str, name: &str) -> String {
    if is_identifier(name) && !RESERVED.contains(&name) {
        format!("{binding}.{name}")
    } else {
        format!("{binding}[{}]", string_literal(name))
    }
}

/// `expr` with `DEFAULT=` and `ESCAPE=` applied.
fn escaped(expr: Expr, tag: &Tag, markup: bool) -> Result<String, String> {
    let mut code = match &tag.default {
        Some(default) => format!("{}|default({}, true)", expr.atom(), string_literal(default)),
        None => expr.code,
    };
    // Formatting makes a plain string of markup, so the engine escapes it.
    let as_text = |code: &str| format!("\"%s\"|format({code})");
    match tag.escape.as_deref() {
        None | Some("NONE" | "0") => {}
        Some("HTML" | "1") => {
            let is_markup = MARKUP_FIELDS.contains(&name(tag));
            if !markup {
                code = format!(
                    "({})|replace(\"&\", \"&amp;\")|replace(\"<\", \"&lt;\")\
                     |replace(\">\", \"&gt;\")|replace('\"', \"&quot;\")",
                    as_text(&code)
                );
            } else if is_markup {
                code = as_text(&code);
            }
        }
        // Python's quote_plus: `+` for spaces, only `_.-` kept.
        Some("URL") => {
            code = format!("({code})|urlencode|replace(\"%20\", \"+\")|replace(\"/\", \"%2F\")");
        }
        // Inside a JavaScript string, in a script or an attribute.
        Some("JS") => {
            code = format!(
                "({})|replace(\"\\\\\", \"\\\\\\\\\")|replace(\"'\", \"\\\\u0027\")\
                 |replace('\"', \"\\\\u0022\")|replace(\"<\", \"\\\\u003c\")\
                 |replace(\">\", \"\\\\u003e\")|replace(\"&\", \"\\\\u0026\")\
                 |replace(\"\\n\", \"\\\\n\")|replace(\"\\r\", \"\\\\r\")|safe",
                as_text(&code)
            );
        }
        Some(other) => return Err(format!("unknown ESCAPE={other}")),
    }
    Ok(code)
}

/// A MiniJinja string literal.
fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Literal text; a `{` that could start MiniJinja syntax is written as an
/// expression (a `{` at the end could meet a statement that follows).
fn push_text(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && chars.peek().is_none_or(|n| matches!(n, '{' | '%' | '#')) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(c);
        }
    }
}
