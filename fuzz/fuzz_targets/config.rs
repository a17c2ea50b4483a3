//! Any text must go through the Venus INI reader, its `%(name)s` interpolation and the reading-list
//! parsers without panicking or running away (interpolation is depth- and size-limited).
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use orrery_config::ini::{Ini, SourceFile};
use orrery_config::{reading_list, ReadingListKind};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Arc::new(SourceFile {
        path: PathBuf::from("fuzz.ini"),
        base_dir: PathBuf::from("/"),
    });
    let mut ini = Ini::new();
    if ini.read_str(&text, &file).is_ok() {
        let sections: Vec<String> = ini.sections().map(str::to_owned).collect();
        for section in &sections {
            let keys: Vec<String> = ini
                .own_options(section)
                .into_iter()
                .map(|(k, _)| k.to_owned())
                .collect();
            for key in keys {
                let _ = ini.get(section, &key);
            }
        }
    }
    for kind in [ReadingListKind::Opml, ReadingListKind::Csv, ReadingListKind::Config] {
        let _ = reading_list::parse(kind, data, "fuzz");
    }
});
