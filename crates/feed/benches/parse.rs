//! Parse throughput on a directory of feed documents, single core: orrery-feed (HTML kept as
//! found, like feed-rs, then sanitized as by default) and feed-rs on the same bytes in the same
//! run, plus two parts of orrery-feed's work alone: decoding, and the HTML sanitizer on every
//! entry's raw content.
//!
//! ```sh
//! python3 gen_corpus.py --out /tmp/corpus --n 1000
//! ORRERY_BENCH_CORPUS=/tmp/corpus cargo bench -p orrery-feed --bench parse
//! ```
//!
//! Each measurement is repeated until it has run for at least `ORRERY_BENCH_SECONDS` (default
//! 3) and at least twice, after one untimed warm-up pass; the best pass is reported, since
//! interference on a shared machine only ever makes a pass slower. The parse-only passes and
//! feed-rs's alternate, so that their ratio compares passes run under the same load.
//!
//! `ORRERY_BENCH_PROFILE=N` runs N parse-only passes and nothing else, for a profiler
//! (`valgrind --tool=callgrind`, `perf record`) to see the parser alone.

use std::hint::black_box;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Corpus files larger than this are skipped (the parser's own default limit is 16 MiB).
const MAX_FILE_BYTES: u64 = 16 << 20;

fn main() {
    let Some(dir) = std::env::var_os("ORRERY_BENCH_CORPUS") else {
        println!(
            "ORRERY_BENCH_CORPUS is not set: nothing to measure. Point it at a directory of feed \
             documents (e.g. one written by gen_corpus.py) to compare orrery-feed with feed-rs."
        );
        return;
    };
    let min_time = std::env::var("ORRERY_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(3), Duration::from_secs_f64);

    let mut paths = Vec::new();
    if let Err(e) = collect_files(Path::new(&dir), &mut paths) {
        eprintln!("cannot read {}: {e}", Path::new(&dir).display());
        std::process::exit(1);
    }
    paths.sort();
    let feeds: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if feeds.is_empty() {
        eprintln!("no feed documents under {}", Path::new(&dir).display());
        std::process::exit(1);
    }
    let bytes: usize = feeds.iter().map(Vec::len).sum();
    println!(
        "corpus: {} documents, {:.1} MB, from {}",
        feeds.len(),
        mb(bytes),
        Path::new(&dir).display()
    );

    // With default options every HTML field is sanitized; feed-rs does no sanitizing, so the
    // parser alone (HTML kept as found) is what compares with it.
    let feeds = &feeds;
    let parse_pass = |html| {
        let options = orrery_feed::ParseOptions {
            html,
            ..orrery_feed::ParseOptions::default()
        };
        move || -> usize {
            feeds
                .iter()
                .map(|doc| black_box(orrery_feed::parse(doc, &options)).entries.len())
                .sum()
        }
    };
    // feed-rs refuses some documents (and has panicked on others), so each one is guarded.
    let feed_rs_pass = || {
        let (mut entries, mut failures) = (0, 0);
        for doc in feeds {
            match catch_unwind(|| feed_rs::parser::parse(&doc[..])) {
                Ok(Ok(feed)) => entries += black_box(feed).entries.len(),
                _ => failures += 1,
            }
        }
        (entries, failures)
    };
    let (mut orrery_entries, mut feed_rs_entries, mut feed_rs_failures) = (0, 0, 0);
    let parse_only_pass = parse_pass(orrery_feed::HtmlMode::AsIs);
    if let Some(passes) = std::env::var("ORRERY_BENCH_PROFILE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
    {
        for _ in 0..passes {
            orrery_entries = parse_only_pass();
        }
        println!("{passes} parse-only passes, {orrery_entries} entries each");
        return;
    }
    let (orrery, feed_rs) = measure_pair(
        min_time,
        || orrery_entries = parse_only_pass(),
        || (feed_rs_entries, feed_rs_failures) = feed_rs_pass(),
    );
    let parse_only = "orrery-feed parse only, HTML kept as found";
    report(
        "parse-only",
        parse_only,
        orrery,
        bytes,
        feeds.len(),
        orrery_entries,
        0,
    );
    let mut entries = 0;
    let sanitizing_pass = parse_pass(orrery_feed::HtmlMode::Sanitize);
    let sanitizing = measure(min_time, || entries = sanitizing_pass());
    let with_sanitizing = "parse + sanitize, default options";
    report(
        "orrery-feed",
        with_sanitizing,
        sanitizing,
        bytes,
        feeds.len(),
        entries,
        0,
    );

    // The share of that spent finding the encoding and decoding to UTF-8.
    let decode = measure(min_time, || {
        for doc in feeds {
            black_box(orrery_feed::encoding::decode(doc, None));
        }
    });
    println!(
        "{:<12} {:>8.1} MB/s  (encoding detection and decoding alone)",
        "decode",
        mb(bytes) / decode.as_secs_f64()
    );

    report(
        "feed-rs",
        "parse only, no sanitizing",
        feed_rs,
        bytes,
        feeds.len(),
        feed_rs_entries,
        feed_rs_failures,
    );

    // Raw (unsanitized) entry HTML, as feed-rs leaves it.
    let html: Vec<String> = feeds
        .iter()
        .filter_map(|doc| catch_unwind(|| feed_rs::parser::parse(&doc[..])).ok())
        .filter_map(Result::ok)
        .flat_map(|feed| feed.entries)
        .filter_map(|entry| {
            entry
                .content
                .and_then(|c| c.body)
                .or_else(|| entry.summary.map(|s| s.content))
        })
        .collect();
    let html_bytes: usize = html.iter().map(String::len).sum();
    let sanitize = measure(min_time, || {
        for fragment in &html {
            black_box(orrery_sanitize::sanitize_html(fragment, None));
        }
    });
    println!(
        "{:<12} {:>8.1} MB/s  ({} fragments, {:.1} MB, best pass {:.3} s)",
        "sanitize",
        mb(html_bytes) / sanitize.as_secs_f64(),
        html.len(),
        mb(html_bytes),
        sanitize.as_secs_f64()
    );
    if feed_rs > Duration::ZERO {
        println!(
            "speed relative to feed-rs: {:.2}x parse only, {:.2}x parse+sanitize",
            feed_rs.as_secs_f64() / orrery.as_secs_f64(),
            feed_rs.as_secs_f64() / sanitizing.as_secs_f64()
        );
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            collect_files(&path, out)?;
        } else if meta.len() <= MAX_FILE_BYTES && path.file_name() != Some("manifest.json".as_ref())
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The fastest of the timed passes of `pass`.
fn measure(min_time: Duration, mut pass: impl FnMut()) -> Duration {
    pass();
    let started = Instant::now();
    let mut best = Duration::MAX;
    let mut passes = 0;
    while passes < 2 || started.elapsed() < min_time {
        let t = Instant::now();
        pass();
        best = best.min(t.elapsed());
        passes += 1;
    }
    best
}

/// The fastest timed passes of `a` and of `b`, run alternately.
fn measure_pair(
    min_time: Duration,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (Duration, Duration) {
    a();
    b();
    let started = Instant::now();
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    let mut passes = 0;
    while passes < 2 || started.elapsed() < 2 * min_time {
        let t = Instant::now();
        a();
        best_a = best_a.min(t.elapsed());
        let t = Instant::now();
        b();
        best_b = best_b.min(t.elapsed());
        passes += 1;
    }
    (best_a, best_b)
}

fn report(
    name: &str,
    what: &str,
    best: Duration,
    bytes: usize,
    docs: usize,
    entries: usize,
    failures: usize,
) {
    let secs = best.as_secs_f64();
    println!(
        "{name:<12} {:>8.1} MB/s  {:>8.0} feeds/s  ({what}; {entries} entries, {failures} documents refused, best pass {secs:.3} s)",
        mb(bytes) / secs,
        docs as f64 / secs,
    );
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
