//! No input may panic the reader, the resolver or the reading-list parsers.

use std::path::{Path, PathBuf};

use orrery_config::ini::{ini_source, Ini};
use orrery_config::{reading_list, Config, LoadOptions, ReadingListKind};
use proptest::prelude::*;

/// Text built from the characters the INI grammar cares about.
fn ini_text() -> impl Strategy<Value = String> {
    "(\\[(Planet|DEFAULT|[a-c:/%]{0,6})\\]\n|[a-c ]{0,3}[=:][ a-c%();s#{}]{0,12}\n|[ \t#;rR][a-c%();= ]{0,8}\n|\r\n|%\\([a-c_]{0,3}\\)s)*"
}

fn run_ini(text: &str) {
    let mut ini = Ini::new();
    if ini
        .read_str(text, &ini_source(Path::new("f.ini"), Path::new("/")))
        .is_ok()
    {
        let sections: Vec<String> = ini.sections().map(str::to_owned).collect();
        for section in sections {
            for key in ini.options(&section) {
                let _ = ini.get(&section, key);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn ini_reader_never_panics(text in ini_text()) {
        run_ini(&text);
    }

    #[test]
    fn ini_reader_never_panics_on_any_text(text in "\\PC{0,300}") {
        run_ini(&text);
    }

    #[test]
    fn reading_lists_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), text in "(<outline [a-zA-Z]{0,6}=\"[^\"]{0,10}\"/?>|<opml>|&[a-z#0-9]{0,5};?|[,\"\n])*") {
        for kind in [ReadingListKind::Opml, ReadingListKind::Csv, ReadingListKind::Config] {
            let _ = reading_list::parse(kind, &bytes, "list");
            let _ = reading_list::parse(kind, text.as_bytes(), "list");
        }
    }

    #[test]
    fn load_and_resolve_never_panic(text in ini_text()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.ini"), format!("[Planet]\n{text}")).unwrap();
        let opts = LoadOptions { cwd: dir.path().to_owned(), theme_dirs: vec![] , builtin_themes: Vec::new()};
        if let Ok(config) = Config::load(&[PathBuf::from("p.ini")], &opts) {
            let _ = config.resolve();
        }
    }
}
