//! A throwaway planet updated by the real binary, measured from outside:
//! the kernel's account of the child's peak resident set and the wall time
//! from spawn to exit.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orrery");
/// How often the child's memory is sampled and its exit checked. The peak is
/// a high-water mark, so a sample taken after it still sees it; only growth
/// in the last interval before exit could be missed.
const POLL: Duration = Duration::from_millis(5);
const PROXY_VARIABLES: [&str; 6] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
];
/// The child is killed after this much time beyond its feed deadline, so a
/// hang fails the test instead of stalling the suite.
const KILL_AFTER: Duration = Duration::from_secs(60);

/// A planet in a temporary directory with the given subscriptions.
pub struct Planet {
    dir: tempfile::TempDir,
    feed_timeout: Duration,
}

/// What one `orrery update` did, seen from outside the process.
pub struct Measured {
    pub status: ExitStatus,
    /// The largest resident set the process had (`VmHWM`).
    pub peak_rss_bytes: u64,
    pub wall: Duration,
    pub stderr: String,
}

impl Planet {
    /// `feeds` are `(name, url)` pairs.
    pub fn new(feeds: &[(&str, &str)], feed_timeout: Duration) -> Planet {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().display();
        let mut ini = format!(
            "[Planet]\nname = Hostile planet\nlink = http://planet.example.org/\n\
             owner_name = Tester\nowner_email = tester@example.org\n\
             cache_directory = {root}/cache\noutput_dir = {root}/output\n\
             items_per_page = 200\nfeed_timeout = {}\n\n",
            feed_timeout.as_secs()
        );
        for (name, url) in feeds {
            ini.push_str(&format!("[{url}]\nname = {name}\n\n"));
        }
        fs::write(dir.path().join("planet.ini"), ini).expect("write planet.ini");
        Planet { dir, feed_timeout }
    }

    /// A published file (empty when missing).
    pub fn output_bytes(&self, file: &str) -> Vec<u8> {
        fs::read(self.dir.path().join("output").join(file)).unwrap_or_default()
    }

    /// A published file, as text (empty when missing).
    pub fn output(&self, file: &str) -> String {
        String::from_utf8_lossy(&self.output_bytes(file)).into_owned()
    }

    /// The first file under `output/` or `cache/` (store included) holding
    /// `needle`.
    pub fn find_anywhere(&self, needle: &[u8]) -> Option<PathBuf> {
        self.find_published(needle)
            .or_else(|| find_in(&self.dir.path().join("cache"), needle))
    }

    /// The first published file holding `needle`.
    pub fn find_published(&self, needle: &[u8]) -> Option<PathBuf> {
        find_in(&self.dir.path().join("output"), needle)
    }

    /// Runs `orrery update -q` on the planet and waits for it.
    pub fn update(&self) -> Measured {
        let root = self.dir.path();
        let stderr_path = root.join("stderr.txt");
        let stderr_file = fs::File::create(&stderr_path).expect("create stderr file");
        let mut cmd = Command::new(BIN);
        cmd.current_dir(root)
            .args(["update", "-q", "-c", "planet.ini"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr_file)
            .env("NO_PROXY", "*");
        for var in PROXY_VARIABLES {
            cmd.env_remove(var);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().expect("start orrery");
        let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
        let limit = self.feed_timeout + KILL_AFTER;
        let mut peak_kib = 0;
        let mut killed = false;
        let status = loop {
            // Read before reaping: an exited process has no memory to report.
            if let Some(kib) = high_water_kib(&status_file) {
                peak_kib = peak_kib.max(kib);
            }
            if let Some(status) = child.try_wait().expect("wait for orrery") {
                break status;
            }
            if !killed && started.elapsed() > limit {
                let _ = child.kill();
                killed = true;
            }
            thread::sleep(POLL);
        };
        let wall = started.elapsed();
        let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
        assert!(
            !killed,
            "orrery still running after {limit:?}; stderr:\n{stderr}"
        );
        assert!(peak_kib > 0, "no memory figure read from {status_file:?}");
        Measured {
            status,
            peak_rss_bytes: peak_kib * 1024,
            wall,
            stderr,
        }
    }
}

/// `VmHWM`, the peak resident set of the process's current image, in KiB,
/// once the process is orrery.
///
/// Not `ru_maxrss` from `wait4`: Linux carries the high-water mark of the
/// image replaced by `exec` into it, and a child is spawned from a copy of
/// (or, with `vfork`, inside) this test process, so it would report the test
/// harness's peak instead of orrery's. For the same reason a reading taken
/// while the child is still in `exec` is skipped: the parent is woken before
/// the new image replaces the old one, and the status then shows the
/// harness's memory under the harness's name.
fn high_water_kib(status_file: &Path) -> Option<u64> {
    let status = fs::read_to_string(status_file).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
    };
    if field("Name:")? != "orrery" {
        return None;
    }
    field("VmHWM:")?.trim_end_matches("kB").trim().parse().ok()
}

fn find_in(dir: &Path, needle: &[u8]) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_in(&path, needle) {
                return Some(found);
            }
        } else if fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)) {
            return Some(path);
        }
    }
    None
}
