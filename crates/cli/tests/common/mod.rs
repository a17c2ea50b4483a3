//! A throwaway planet on disk, run with the real `orrery` binary.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_orrery");

/// A planet in a temporary directory: `planet.ini`, `feeds/`, `cache/` and `output/`.
pub struct Planet {
    dir: tempfile::TempDir,
}

impl Planet {
    /// A planet with no subscriptions yet.
    pub fn new() -> Planet {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().display().to_string();
        let ini = format!(
            "[Planet]\nname = Test planet\nlink = http://planet.example.org/\n\
             owner_name = Tester\nowner_email = tester@example.org\n\
             cache_directory = {root}/cache\noutput_dir = {root}/output\n\
             items_per_page = 500\nfeed_timeout = 30\n\n"
        );
        fs::create_dir_all(dir.path().join("feeds")).expect("feeds dir");
        fs::write(dir.path().join("planet.ini"), ini).expect("write planet.ini");
        Planet { dir }
    }

    /// Adds a subscription to `url` (or an absolute path), shown as `name`.
    pub fn subscribe(&self, url: &str, name: &str) {
        let mut ini = fs::OpenOptions::new()
            .append(true)
            .open(self.path().join("planet.ini"))
            .expect("open planet.ini");
        writeln!(ini, "[{url}]\nname = {name}\n").expect("append to planet.ini");
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn output(&self) -> PathBuf {
        self.path().join("output")
    }

    /// `orrery update -q -c planet.ini`, from the planet's directory, with no proxy in the way.
    pub fn update(&self) -> Command {
        let mut cmd = orrery_in(self.path());
        cmd.args(["update", "-q", "-c", "planet.ini"]);
        cmd
    }
}

/// Runs `cmd` to completion and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("run orrery");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `orrery` run from `dir`, with no proxy in the way of loopback servers.
pub fn orrery_in(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_PROXY", "*");
    cmd
}
