//! A headless Chromium driven over the DevTools protocol.
//!
//! Chromium is an optional system dependency: [`launch`] returns `None` (and
//! says so) when it is not installed, so the workspace's tests still pass
//! on a machine without it. Set `ORRERY_E2E_REQUIRE=1` (as CI does) to turn
//! that into a failure, and `CHROME` to pick a binary.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context};
use base64::prelude::{Engine, BASE64_STANDARD};
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};

/// Flags for a browser that talks to nothing but the loopback servers of the test.
const FLAGS: [&str; 7] = [
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-default-browser-check",
    "--mute-audio",
];

/// How long the browser may sit idle (e.g. while a slow machine builds a
/// planet) before the connection to it is dropped.
const IDLE: Duration = Duration::from_secs(600);

/// A running browser with its own throwaway profile.
pub struct Chrome {
    browser: Browser,
    _profile: tempfile::TempDir,
}

/// The Chromium to run, or `None` after printing why the caller should skip
/// (unless `ORRERY_E2E_REQUIRE` is set, which makes it an error).
pub fn executable() -> anyhow::Result<Option<PathBuf>> {
    match headless_chrome::browser::default_executable() {
        Ok(path) => Ok(Some(path)),
        Err(why) => {
            if std::env::var_os("ORRERY_E2E_REQUIRE").is_some_and(|v| !v.is_empty()) {
                bail!("Chromium is required (ORRERY_E2E_REQUIRE) but was not found: {why}");
            }
            println!(
                "note: Chromium not found ({why}); browser test skipped. \
                 Install Debian's `chromium` package (or set CHROME) to run it."
            );
            Ok(None)
        }
    }
}

/// Starts the Chromium at `path`. Start it when the pages are ready: the
/// connection closes after a while without commands.
pub fn launch(path: PathBuf) -> anyhow::Result<Chrome> {
    let profile = tempfile::tempdir().context("creating a browser profile directory")?;
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .window_size(Some((1280, 900)))
        .idle_browser_timeout(IDLE)
        .args(FLAGS.iter().map(OsStr::new).collect())
        .build()
        .context("browser launch options")?;
    let browser = Browser::new(options).context("starting Chromium")?;
    Ok(Chrome {
        browser,
        _profile: profile,
    })
}

impl Chrome {
    /// A new tab with a `width`×`height` viewport (a phone's when narrower
    /// than 600 pixels: touch, and the page's viewport meta obeyed).
    pub fn tab(&self, width: u32, height: u32) -> anyhow::Result<Pane> {
        let tab = self.browser.new_tab().context("opening a tab")?;
        tab.set_default_timeout(Duration::from_secs(60));
        tab.call_method(Emulation::SetDeviceMetricsOverride {
            width,
            height,
            device_scale_factor: 1.0,
            mobile: width < 600,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        })?;
        let errors = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&errors);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Some(error) = error_of(event) {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(error);
            }
        }))?;
        tab.enable_runtime()?;
        tab.enable_log()?;
        Ok(Pane { tab, errors })
    }
}

/// The text of a console error, an uncaught exception or a failed load.
fn error_of(event: &Event) -> Option<String> {
    match event {
        Event::RuntimeExceptionThrown(e) => {
            let d = &e.params.exception_details;
            let what = d.exception.as_ref().and_then(|x| x.description.clone());
            Some(format!(
                "exception: {} {}",
                d.text,
                what.unwrap_or_default()
            ))
        }
        Event::RuntimeConsoleAPICalled(e)
            if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
        {
            let args: Vec<String> = e
                .params
                .args
                .iter()
                .map(|a| format!("{:?}", a.value))
                .collect();
            Some(format!("console.error: {}", args.join(" ")))
        }
        Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
            let entry = &e.params.entry;
            Some(format!(
                "{} ({})",
                entry.text,
                entry.url.as_deref().unwrap_or("")
            ))
        }
        _ => None,
    }
}

/// One tab, with the errors its pages reported.
pub struct Pane {
    tab: Arc<Tab>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Pane {
    /// Loads `url` and waits for the load to finish.
    pub fn open(&self, url: &str) -> anyhow::Result<()> {
        self.tab.navigate_to(url)?.wait_until_navigated()?;
        Ok(())
    }

    /// Makes the page's own Content-Security-Policy inert, so that what is
    /// tested is what the page's markup lets through.
    pub fn bypass_csp(&self) -> anyhow::Result<()> {
        self.tab.call_method(Page::SetBypassCSP { enabled: true })?;
        Ok(())
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value as JSON.
    pub fn eval(&self, expression: &str) -> anyhow::Result<serde_json::Value> {
        let result = self.tab.evaluate(expression, true)?;
        Ok(result.value.unwrap_or(serde_json::Value::Null))
    }

    /// The URL shown now (a page may have navigated away).
    pub fn url(&self) -> String {
        self.tab.get_url()
    }

    /// Saves a PNG of the page from its top, down to `max_height` pixels
    /// below the viewport's height if the page is that long.
    pub fn screenshot(&self, path: &Path, max_height: u32) -> anyhow::Result<()> {
        let size = self.eval(
            "JSON.stringify([document.scrollingElement.scrollWidth, \
             document.scrollingElement.scrollHeight])",
        )?;
        let [width, height]: [f64; 2] =
            serde_json::from_str(size.as_str().unwrap_or("[0,0]")).context("page size")?;
        let clip = Page::Viewport {
            x: 0.0,
            y: 0.0,
            width,
            height: height.min(f64::from(max_height)),
            scale: 1.0,
        };
        let png = self.tab.call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(clip),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })?;
        let bytes = BASE64_STANDARD
            .decode(png.data)
            .context("decoding the screenshot")?;
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    /// Errors reported by the pages of this tab so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tab.close(false);
    }
}
