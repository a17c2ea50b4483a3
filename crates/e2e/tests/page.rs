//! The bundled Planet OpenStack example, published with both bundled themes
//! by the `orrery` binary and looked at in Chromium at a phone's and a
//! desktop's width: no console errors, no horizontal scrolling, and a
//! screenshot of each under `target/e2e-artifacts/`.

use std::fs;

use std::path::{Path, PathBuf};

use orrery_e2e::planet::{artifacts_dir, copy_dir, update, workspace_root};
use orrery_e2e::{chrome, server::Server};

/// A phone (iPhone 12-15 class) and a laptop.
const VIEWPORTS: [(u32, u32); 2] = [(390, 844), (1280, 900)];

/// The page's width against the viewport's, and the first elements that
/// stick out past its right edge (by their box or by content they let overflow).
const OVERFLOW: &str = r#"(() => {
  const width = innerWidth;
  const scroll = document.scrollingElement.scrollWidth;
  // A phone widens its layout to fit content that will not shrink: measure against the screen.
  const limit = Math.min(width, screen.width);
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    const spills = el.scrollWidth > el.clientWidth + 1 &&
      getComputedStyle(el).overflowX === 'visible' && r.left + el.scrollWidth > limit + 1;
    if (r.right > limit + 1 || spills) wide.push(el);
  }
  const culprits = wide
    .filter(el => !wide.some(other => other !== el && el.contains(other)))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ': ' +
      (el.textContent || '').trim().slice(0, 60));
  return JSON.stringify({width, scroll, culprits});
})()"#;

/// The browser asks every site for one; the planet is not expected to have it.
const FAVICON: &str = "/favicon.ico";

#[test]
fn example_planet_in_both_themes_at_phone_and_desktop_widths() -> anyhow::Result<()> {
    let Some(chromium) = chrome::executable()? else {
        return Ok(());
    };
    let scratch = tempfile::tempdir()?;
    let dir = scratch.path();
    copy_dir(
        &workspace_root().join("examples/planet-openstack-2016"),
        dir,
    )?;
    // One known picture replaces every face of the example, where `bill_of_materials` looks
    // for them, so a face missing from the output is a bug.
    let face = fs::read(data_dir().join("face.png"))?;
    fs::create_dir_all(dir.join("images"))?;
    for name in faces(&fs::read_to_string(dir.join("planet.ini"))?) {
        fs::write(dir.join("images").join(name), &face)?;
    }
    fs::write(
        dir.join("orrery-theme.ini"),
        "[Planet]\noutput_theme = orrery\noutput_dir = output-orrery\n",
    )?;
    update(dir, &["planet.ini"], &[])?;
    update(dir, &["planet.ini", "orrery-theme.ini"], &[])?;

    let browser = chrome::launch(chromium)?;
    let server = Server::start(dir)?;
    let own = format!("({}/", server.origin());
    let artifacts = artifacts_dir()?;
    let mut problems = Vec::new();
    let mut shots = Vec::new();
    for (theme, output) in [("classic_fancy", "output"), ("orrery", "output-orrery")] {
        for page in ["index.html", "status.html"] {
            for (width, height) in VIEWPORTS {
                let label = format!("{theme} {page} at {width}x{height}");
                let pane = browser.tab(width, height)?;
                pane.open(&format!("{}/{output}/{page}", server.origin()))?;
                let shot = artifacts.join(format!(
                    "{theme}-{}-{width}x{height}.png",
                    page.trim_end_matches(".html")
                ));
                pane.screenshot(&shot, 6000)?;
                shots.push(shot);
                let errors = pane.errors().into_iter();
                for error in errors.filter(|e| !e.contains(FAVICON) && !is_remote_load(e, &own)) {
                    problems.push(format!("{label}: {error}"));
                }
                let layout: serde_json::Value =
                    serde_json::from_str(pane.eval(OVERFLOW)?.as_str().unwrap_or("{}"))?;
                // A page without a viewport declaration is laid out 980 pixels
                // wide on a phone and shown shrunk: its phone styles never apply.
                if layout["width"].as_f64() != Some(f64::from(width)) {
                    problems.push(format!("{label}: laid out for another width: {layout}"));
                }
                if layout["scroll"].as_f64() > layout["width"].as_f64() {
                    problems.push(format!("{label}: wider than the viewport: {layout}"));
                }
            }
        }
    }
    for shot in &shots {
        println!("screenshot: {}", shot.display());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

/// A picture in a post that did not load from its blog's server, which the
/// test machine need not reach (classic_fancy loads them all at once, as
/// Venus did): only the planet's own files, under `own`, must load.
fn is_remote_load(error: &str, own: &str) -> bool {
    error.starts_with("Failed to load resource") && !error.contains(own)
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The `face = FILE` values of a Venus INI file (plain names only).
fn faces(ini: &str) -> Vec<&str> {
    ini.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(['=', ':'])?;
            (key.trim() == "face").then_some(value.trim())
        })
        .filter(|name| !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'))
        .collect()
}
