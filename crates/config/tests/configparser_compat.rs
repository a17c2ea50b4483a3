//! Compares orrery's INI reader with Python's own `ConfigParser` on the same
//! files: every section, every option, every interpolated value.
//!
//! The reference is Python 2.7's `ConfigParser.ConfigParser`, the class Venus
//! used. Without Python 2, Python 3's `configparser` configured with Python
//! 2's settings and interpolation loop stands in; it differs from Python 2 on
//! a few edge cases, so `quirks.ini` is only compared against Python 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use orrery_config::ini::{ini_source, Ini};
use serde_json::{json, Map, Value};

const PY2_SCRIPT: &str = r##"
import ConfigParser, json, sys
out = []
for path in sys.argv[1:]:
    p = ConfigParser.ConfigParser()
    try:
        p.read([path])
    except ConfigParser.Error:
        out.append({"file": path, "error": True})
        continue
    values = {}
    for s in p.sections():
        values[s] = {}
        for k in p.options(s):
            try:
                values[s][k] = p.get(s, k)
            except Exception:
                values[s][k] = {"error": True}
    out.append({"file": path, "sections": p.sections(), "values": values})
print(json.dumps(out))
"##;

const PY3_SCRIPT: &str = r##"
import configparser, json, re, sys
KEYCRE = re.compile(r"%\(([^)]*)\)s|.")
class Py2Interpolation(configparser.Interpolation):
    def before_get(self, parser, section, option, value, defaults):
        vars = dict(defaults)
        vars["__name__"] = section
        depth = 10
        while depth:
            depth -= 1
            if value and "%(" in value:
                value = KEYCRE.sub(lambda m: m.group() if m.group(1) is None
                                   else "%%(%s)s" % m.group(1).lower(), value)
                value = value % vars
            else:
                break
        if value and "%(" in value:
            raise configparser.InterpolationDepthError(option, section, value)
        return value
out = []
for path in sys.argv[1:]:
    p = configparser.ConfigParser(interpolation=Py2Interpolation(), strict=False,
        empty_lines_in_values=False, comment_prefixes=("#", ";"),
        inline_comment_prefixes=(";",))
    try:
        p.read([path], encoding="utf-8")
    except configparser.Error:
        out.append({"file": path, "error": True})
        continue
    values = {}
    for s in p.sections():
        values[s] = {}
        for k in p.options(s):
            try:
                values[s][k] = p.get(s, k)
            except Exception:
                values[s][k] = {"error": True}
    out.append({"file": path, "sections": p.sections(), "values": values})
print(json.dumps(out))
"##;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn works(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Python 2.7 from `$ORRERY_PYTHON2`, the PATH, or a pyenv installation.
fn python2() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("ORRERY_PYTHON2")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.extend(["python2.7", "python2"].map(PathBuf::from));
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    if let Some(versions) = pyenv_root
        .map(|r| r.join("versions"))
        .and_then(|v| std::fs::read_dir(v).ok())
    {
        let mut found: Vec<PathBuf> = versions
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("2.7"))
            .map(|e| e.path().join("bin/python2.7"))
            .collect();
        found.sort();
        candidates.extend(found);
    }
    candidates.into_iter().find(|p| works(p, "ConfigParser"))
}

fn files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "venus/tests/data/config",
        "venus/examples",
        "venus/tmpl",
        "openstack",
        "openstack-2016",
        "themes/asf",
    ] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(data().join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ini"))
            .collect();
        here.sort();
        files.extend(here);
    }
    files
}

/// orrery's reading of one file, in the script's JSON shape.
fn ours(path: &Path) -> Value {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let mut ini = Ini::new();
    if ini
        .read_str(&text, &ini_source(path, Path::new("/")))
        .is_err()
    {
        return json!({"file": file, "error": true});
    }
    let mut values = Map::new();
    for section in ini.sections() {
        let mut options = Map::new();
        for key in ini.options(section) {
            let value = match ini.get(section, key) {
                Ok(v) => json!(v.unwrap_or_default()),
                Err(_) => json!({"error": true}),
            };
            options.insert(key.to_owned(), value);
        }
        values.insert(section.to_owned(), Value::Object(options));
    }
    json!({"file": file, "sections": ini.sections().collect::<Vec<_>>(), "values": values})
}

fn run(python: &Path, script: &str, files: &[PathBuf]) -> Vec<Value> {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn compare(reference: &[Value], files: &[PathBuf]) {
    assert_eq!(reference.len(), files.len());
    let mut compared = 0;
    for (expected, path) in reference.iter().zip(files) {
        let got = ours(path);
        // Python 2's section list is ordered; Python 3's too.
        assert_eq!(
            got,
            *expected,
            "{} differs from Python's ConfigParser",
            path.display()
        );
        compared += expected["values"].as_object().map_or(0, |v| {
            v.values().map(|s| s.as_object().map_or(0, Map::len)).sum()
        });
    }
    eprintln!("compared {} files, {compared} values", files.len());
}

#[test]
fn ini_reader_matches_python_configparser() {
    let files = files();
    assert!(files.len() >= 20, "fixtures missing");
    if let Some(python) = python2() {
        eprintln!("reference: Python 2 ConfigParser ({})", python.display());
        let mut all = files.clone();
        all.push(data().join("quirks.ini"));
        compare(&run(&python, PY2_SCRIPT, &all), &all);
    } else if works(Path::new("python3"), "configparser") {
        eprintln!("reference: Python 3 configparser with Python 2 settings (no Python 2 found; quirks.ini skipped)");
        compare(&run(Path::new("python3"), PY3_SCRIPT, &files), &files);
    } else {
        eprintln!("note: no python2 or python3 found; configparser comparison skipped");
    }
}

#[test]
fn python3_stand_in_agrees_on_the_fixtures() {
    // The Python 3 stand-in is only trusted where it agrees with Python 2.
    let (Some(py2), true) = (python2(), works(Path::new("python3"), "configparser")) else {
        eprintln!("note: needs both python2 and python3; skipped");
        return;
    };
    let files = files();
    assert_eq!(
        run(&py2, PY2_SCRIPT, &files),
        run(Path::new("python3"), PY3_SCRIPT, &files)
    );
}

/// Lines the generator draws from: every rule of the reader is in here.
const FRAGMENTS: &[&str] = &[
    "[Planet]\n",
    "[DEFAULT]\n",
    "[s]\n",
    "[ s ] tail\n",
    "[http://x/a%20b]\n",
    "a = 1\n",
    "A: two\n",
    "b = %(a)s/x\n",
    "c = %(B)s%%\n",
    "d = %(missing)s\n",
    "e = %(e)s\n",
    "f = x ; note\n",
    "g = x;y ; z\n",
    "h = ;x \n",
    "i = \"\"\n",
    "j:\n",
    "  cont\n",
    "\n",
    "  # hashed\n",
    "# comment\n",
    "; comment\n",
    "rem remark\n",
    "REM = x\n",
    "k = %(__name__)s\n",
    "l = 50%\n",
    "m = %(a)s 50%\n",
    "n=\r\n",
    "=bad\n",
    "  indented = x\n",
    "o = %(b)s and %(c)s\n",
];

#[test]
fn generated_files_match_python2() {
    let Some(python) = python2() else {
        eprintln!("note: no python2 found; generated comparison skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let files: Vec<PathBuf> = (0..1000)
        .map(|i| {
            let mut text = String::from("[s]\n");
            for _ in 0..(next() % 25) {
                text.push_str(FRAGMENTS[next() % FRAGMENTS.len()]);
            }
            let path = dir.path().join(format!("g{i}.ini"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    compare(&run(&python, PY2_SCRIPT, &files), &files);
}
