//! Building planets with the real `orrery` binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{bail, Context};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where screenshots and other files worth a look are kept after a run.
pub fn artifacts_dir() -> anyhow::Result<PathBuf> {
    let dir = target_dir().join("e2e-artifacts");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The `orrery` binary: `$ORRERY_BIN` when set, otherwise the workspace's
/// own build of it in this test's profile, brought up to date first (a
/// binary of another crate is not built for this crate's tests).
pub fn orrery_bin() -> anyhow::Result<PathBuf> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| locate().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn locate() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("ORRERY_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "orrery"]);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    if profile == "release" {
        build.arg("--release");
    }
    let status = build.status().context("running cargo build -p orrery")?;
    if !status.success() {
        bail!("cargo build -p orrery failed ({status})");
    }
    let bin = target_dir()
        .join(profile)
        .join(format!("orrery{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        bail!("{} not found after building it", bin.display());
    }
    Ok(bin)
}

/// Runs `orrery update` in `dir` with the configuration files given (later
/// ones override earlier ones); extra arguments follow.
pub fn update(dir: &Path, configs: &[&str], extra: &[&str]) -> anyhow::Result<()> {
    let mut cmd = Command::new(orrery_bin()?);
    cmd.current_dir(dir).arg("update").arg("--quiet");
    for config in configs {
        cmd.args(["--config", config]);
    }
    let out = cmd.args(extra).output().context("running orrery update")?;
    if !out.status.success() {
        bail!(
            "orrery update {configs:?} {extra:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Copies a directory tree (regular files and directories only).
pub fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
