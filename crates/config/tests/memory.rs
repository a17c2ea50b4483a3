//! Heap use of a loaded configuration, counted by a global allocator: a
//! planet of a thousand subscriptions must stay small, both at the peak of
//! loading and once resolved (the model lives for the whole run). The only
//! test in its binary, so that nothing else allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A configuration shaped like the benchmark's: a `[Planet]` section of 18
/// options and one section per feed with its `name`.
fn planet_ini(feeds: usize) -> String {
    let mut text = String::from(
        "[Planet]\nconcurrency = 8\nper_host_limit = 8\nname = Bench Planet\n\
         link = http://127.0.0.1:8000/planet/\nowner_name = Bench Owner\n\
         owner_email = bench@example.org\ncache_directory = cache\noutput_dir = output\n\
         template_files = index.html.tmpl atom.xml.tmpl rss20.xml.tmpl opml.xml.tmpl\n\
         items_per_page = 60\ndays_per_page = 0\nspider_threads = 8\nfeed_timeout = 20\n\
         new_feed_items = 0\nlog_level = WARNING\ndate_format = %B %d, %Y %I:%M %p\n\
         new_date_format = %B %d, %Y\nencoding = utf-8\n",
    );
    for i in 0..feeds {
        let _ = write!(
            text,
            "\n[http://127.0.0.1:8000/{i:04}/feed.rss]\nname = Author Number {i}\n"
        );
    }
    text
}

#[test]
fn a_thousand_subscriptions_stay_small() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planet.ini");
    std::fs::write(&path, planet_ini(1000)).unwrap();
    let opts = orrery_config::LoadOptions {
        cwd: dir.path().to_owned(),
        theme_dirs: Vec::new(),
        builtin_themes: Vec::new(),
    };

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let resolved = orrery_config::load(&[path], &opts).unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let retained = LIVE.load(Ordering::Relaxed) - before;
    assert_eq!(resolved.subscriptions.len(), 1000);
    eprintln!("1000 subscriptions: peak {peak} bytes, retained {retained} bytes");
    // Bytes asked of the allocator (its own overhead comes on top). When each
    // subscription held its own copy of the inherited options and the parsed
    // document was held twice, this was 2.0 MB at the peak, 1.1 MB retained.
    assert!(peak < 1_000_000, "peak {peak} bytes");
    assert!(retained < 600_000, "retained {retained} bytes");
}
