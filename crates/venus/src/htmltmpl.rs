//! Converting Planet Venus htmltmpl themes (`*.tmpl`) into orrery themes
//! (`*.jinja`), so a planet moving from Venus keeps its look.
//!
//! Conversion happens once, ahead of time, into ordinary MiniJinja that the
//! owner can read and edit; publishing never interprets htmltmpl. The
//! converted template renders what Venus rendered: htmltmpl's whitespace
//! rules, loop variables (`__FIRST__`, `__LAST__`, `__ODD__`, `__INNER__`,
//! `__PASS__`, `__PASSTOTAL__`, `__EVERY__n`), `GLOBAL="1"` lookups and
//! includes are reproduced; the `emit` module tells how escaping maps onto
//! orrery's typed values.

mod emit;
mod import;
mod lex;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use import::{import_theme, Imported, VenusManifest};

use lex::{Directive, Token};
use orrery_render::Error;

/// htmltmpl's limit on nested `TMPL_INCLUDE`s (it also stops include loops).
const MAX_INCLUDE_DEPTH: usize = 5;
/// Templates larger than this are refused.
const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;
/// htmltmpl looks for included templates in this subdirectory.
const INCLUDE_DIR: &str = "inc";

/// Finds an included template: its name for messages, and its text.
type Resolve<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

/// A token, and the file and line it came from.
struct Located {
    token: Token,
    file: Rc<str>,
    line: usize,
}

/// Converts htmltmpl text that includes nothing. `output` is the name of
/// what it renders (e.g. `index.html`), which decides escaping; `file`
/// names it in errors.
pub fn convert_str(source: &str, file: &str, output: &str) -> Result<String, Error> {
    let mut no_includes = |name: &str| -> Result<(String, String), String> {
        Err(format!(
            "cannot include {name:?}: the template has no directory"
        ))
    };
    let tokens = expand(source, file, &mut no_includes, 0)?;
    finish(&tokens, output)
}

/// Converts the template file `path`. Included templates are looked up as
/// htmltmpl does, in `inc/` next to it (then next to it), and must stay
/// inside `root`.
pub fn convert_file(path: &Path, root: &Path) -> Result<String, Error> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let output = file_name
        .strip_suffix(".tmpl")
        .unwrap_or(&file_name)
        .to_owned();
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let root = canonical(root)?;
    let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let source = read_template(path)?;
    let mut resolve = |name: &str| -> Result<(String, String), String> {
        let candidates = [dir.join(INCLUDE_DIR).join(name), dir.join(name)];
        let found = candidates
            .iter()
            .find(|c| c.is_file())
            .ok_or_else(|| format!("included template {name:?} not found"))?;
        let found = fs::canonicalize(found).map_err(|e| e.to_string())?;
        if !found.starts_with(&root) {
            return Err(format!("included template {name:?} is outside the theme"));
        }
        let text = read_template(&found).map_err(|e| e.to_string())?;
        Ok((shown(&found), text))
    };
    let path = canonical(path)?;
    let tokens = expand(&source, &shown(&path), &mut resolve, 0)?;
    finish(&tokens, &output)
}

fn canonical(path: &Path) -> Result<PathBuf, Error> {
    fs::canonicalize(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn finish(tokens: &[Located], output: &str) -> Result<String, Error> {
    emit::emit(tokens, output)
        .map(|text| generator_meta(&text))
        .map_err(|e| match tokens.get(e.at) {
            Some(t) => syntax(&t.file, t.line, e.message),
            None => syntax(output, 0, e.message),
        })
}

/// Venus themes write `<meta name="generator" content="<TMPL_VAR generator>">`, where
/// `generator` is the generator's URI, empty unless `generator_uri` is set: the tag then
/// names the program (`generator_name`) instead of nothing.
fn generator_meta(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<meta") {
        out.push_str(&rest[..at]);
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..tag_end];
        if tag.contains("name=\"generator\"") {
            out.push_str(
                &tag.replace("{{ generator }}", "{{ generator_name }}")
                    .replace("{{ generator|", "{{ generator_name|"),
            );
        } else {
            out.push_str(tag);
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

fn syntax(file: &str, line: usize, message: String) -> Error {
    Error::Theme {
        file: format!("{file}:{line}"),
        message,
    }
}

/// Tokenizes `source` and splices included templates in place of their
/// `TMPL_INCLUDE`, as htmltmpl does before running anything (so a block
/// may open in one file and close in another).
fn expand(
    source: &str,
    file: &str,
    resolve: &mut Resolve,
    depth: usize,
) -> Result<Vec<Located>, Error> {
    let file: Rc<str> = Rc::from(file);
    let tokens = lex::tokenize(&lex::strip_comments(source))
        .map_err(|e| syntax(&file, e.line, e.message))?;
    let mut out = Vec::with_capacity(tokens.len());
    for lexed in tokens {
        let include = match &lexed.token {
            Token::Tag(tag) if tag.directive == Directive::Include => tag.name.clone(),
            _ => None,
        };
        let Some(name) = include else {
            out.push(Located {
                token: lexed.token,
                file: Rc::clone(&file),
                line: lexed.line,
            });
            continue;
        };
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(syntax(
                &file,
                lexed.line,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH}"),
            ));
        }
        let (included, text) = resolve(&name).map_err(|m| syntax(&file, lexed.line, m))?;
        out.extend(expand(&text, &included, resolve, depth + 1)?);
    }
    Ok(out)
}

fn read_template(path: &Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .map_err(io)?
        .take(MAX_TEMPLATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let too_big = bytes.len() as u64 > MAX_TEMPLATE_BYTES;
    let text = String::from_utf8(bytes).ok().filter(|_| !too_big);
    text.ok_or_else(|| Error::Theme {
        file: path.display().to_string(),
        message: format!("not UTF-8 text of at most {MAX_TEMPLATE_BYTES} bytes"),
    })
}
