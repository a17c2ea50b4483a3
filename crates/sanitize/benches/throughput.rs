//! Sanitizer throughput on a directory of HTML bodies (one `.html` file each), single core.
//!
//! ```sh
//! ORRERY_SANITIZE_CORPUS=/tmp/bodies cargo bench -p orrery-sanitize --bench throughput
//! ```
//!
//! Every body is sanitized against a base URL, as feed entries are: `ORRERY_SANITIZE_BASE`,
//! by default an `https` one (links mostly share their feed's scheme). The corpus is run
//! `ORRERY_SANITIZE_ROUNDS` times (default 3) and the best round is reported, since
//! interference on a shared machine only ever makes a round slower; one round suits
//! instruction-counting profilers.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const DEFAULT_BASE: &str = "https://example.com/blog/2024/01/post.html";

fn main() {
    let Some(dir) = std::env::var_os("ORRERY_SANITIZE_CORPUS") else {
        println!(
            "ORRERY_SANITIZE_CORPUS is not set: nothing to measure. Point it at a directory of \
             .html files holding entry bodies."
        );
        return;
    };
    let rounds = std::env::var("ORRERY_SANITIZE_ROUNDS")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(3)
        .max(1);
    let base = std::env::var("ORRERY_SANITIZE_BASE").unwrap_or_else(|_| DEFAULT_BASE.to_owned());
    let dir = Path::new(&dir);
    let bodies = match read_bodies(dir) {
        Ok(bodies) if !bodies.is_empty() => bodies,
        Ok(_) => {
            eprintln!("no .html files in {}", dir.display());
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let bytes: usize = bodies.iter().map(String::len).sum();
    println!(
        "corpus: {} bodies, {:.1} MB, from {}",
        bodies.len(),
        mb(bytes),
        dir.display()
    );

    let mut best = Duration::MAX;
    let mut out_bytes = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        out_bytes = bodies
            .iter()
            .map(|body| black_box(orrery_sanitize::sanitize_html(body, Some(&base))).len())
            .sum();
        best = best.min(start.elapsed());
    }
    println!(
        "sanitize_html {:>8.1} MB/s  (best of {rounds}; {:.1} MB written)",
        mb(bytes) / best.as_secs_f64(),
        mb(out_bytes)
    );
}

fn read_bodies(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(std::fs::read)
        .map(|bytes| bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .collect()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
