//! The XSS corpus, end to end: every vector of `tests/data/xss-vectors.txt`
//! in every field a planet republishes, through the real `orrery update`
//! and both bundled themes, then:
//!
//! - every published page and the HTML carried by every output feed is
//!   opened in Chromium, scanned for active markup in the DOM it built, and
//!   every element is hovered, focused and clicked; a payload that runs
//!   calls the test's beacon, and any call fails the test;
//! - the output feeds must be well-formed XML 1.0 (or JSON) without a
//!   dangerous link.
//!
//! The page's own Content-Security-Policy, if a theme had one, is bypassed:
//! what is tested is the sanitizer and the templates, not a second line.

mod browser;
mod corpus;
mod feeds;
mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use orrery_e2e::chrome::{self, Chrome};
use orrery_e2e::planet::{artifacts_dir, update};
use orrery_e2e::server::Server;

fn corpus_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/xss-vectors.txt")
}

/// Output directories, one per bundled theme.
const THEMES: [(&str, &str); 2] = [("classic_fancy", "output"), ("orrery", "output-orrery")];

#[test]
fn no_vector_runs_or_survives_in_any_field_or_output() -> anyhow::Result<()> {
    let Some(chromium) = chrome::executable()? else {
        return Ok(());
    };
    let vectors = corpus::load(&corpus_path())?;
    assert!(
        vectors.len() >= 200,
        "the corpus has only {} vectors",
        vectors.len()
    );

    let scratch = tempfile::tempdir()?;
    let dir = scratch.path().to_path_buf();
    // ORRERY_E2E_KEEP: leave the planet behind to look at.
    let _scratch = if std::env::var_os("ORRERY_E2E_KEEP").is_some() {
        println!("keeping the planet in {}", scratch.keep().display());
        None
    } else {
        Some(scratch)
    };
    let dir = dir.as_path();
    let server = Server::start(dir)?;
    let written = feeds::write_planet(dir, &vectors, &server.origin())?;
    fs::write(
        dir.join("orrery-theme.ini"),
        "[Planet]\noutput_theme = orrery\noutput_dir = output-orrery\n",
    )?;
    update(dir, &["planet.ini"], &[])?;
    update(dir, &["planet.ini", "orrery-theme.ini"], &["--offline"])?;

    let mut findings: Vec<String> = Vec::new();
    // Pages to open: the published ones, then one per output feed holding its HTML.
    let mut pages: Vec<String> = Vec::new();
    fs::create_dir_all(dir.join("carried"))?;
    for (theme, output) in THEMES {
        let out = dir.join(output);
        let index = fs::read_to_string(out.join("index.html"))?;
        let body = index.split_once("<body").map_or(index.as_str(), |(_, b)| b);
        findings.extend(
            scan::raw_active_tags(body)
                .into_iter()
                .map(|t| format!("{theme} index.html: raw {t}")),
        );
        let shown = markers_in(&index);
        let missing: Vec<&String> = written
            .markers
            .iter()
            .filter(|m| !shown.contains(m.as_str()))
            .collect();
        assert!(
            missing.len() * 20 <= written.markers.len(),
            "{theme}: {} of {} entries are missing from index.html, e.g. {:?}",
            missing.len(),
            written.markers.len(),
            &missing[..missing.len().min(10)]
        );
        pages.push(format!("{output}/index.html"));
        pages.push(format!("{output}/status.html"));
    }
    // The output feeds are written by orrery itself, the same whatever the theme.
    let out = dir.join("output");
    // Formats without a text/HTML flag: every text value must show as text even to a reader
    // that takes it for HTML. (Atom says which is which with `type`.)
    let mut text_values = 0;
    for feed in [
        "rss20.xml",
        "rss10.xml",
        "opml.xml",
        "foafroll.xml",
        "feed.json",
    ] {
        let text = fs::read_to_string(out.join(feed))?;
        let found = if feed.ends_with(".json") {
            scan::json_feed(feed, &text)
        } else {
            scan::xml_feed(feed, &text)
        };
        text_values += found.texts.len();
        findings.extend(
            found
                .texts
                .iter()
                .filter(|t| scan::makes_element(t))
                .map(|t| format!("{feed}: text read as HTML makes an element: {t}")),
        );
    }
    assert!(
        text_values > vectors.len(),
        "only {text_values} text values read"
    );
    for feed in ["atom.xml", "rss20.xml", "rss10.xml", "feed.json"] {
        let text = fs::read_to_string(out.join(feed))?;
        let found = if feed.ends_with(".json") {
            scan::json_feed(feed, &text)
        } else {
            scan::xml_feed(feed, &text)
        };
        findings.extend(found.problems);
        for html in &found.html {
            findings.extend(
                scan::raw_active_tags(html)
                    .into_iter()
                    .map(|t| format!("{feed}: raw {t}")),
            );
        }
        let page = format!("carried/{feed}.html");
        fs::write(dir.join(&page), carried_page(feed, &found.html))?;
        pages.push(page);
    }

    let browser = chrome::launch(chromium)?;
    // Which page each call came from: calls are counted after each visit.
    let mut hits: Vec<(String, String)> = Vec::new();
    for page in &pages {
        let started = std::time::Instant::now();
        findings.extend(visit(
            &browser,
            &format!("{}/{page}", server.origin()),
            page,
        )?);
        std::thread::sleep(Duration::from_millis(300));
        let all = server.hits();
        let new: Vec<String> = all.into_iter().skip(hits.len()).collect();
        hits.extend(new.into_iter().map(|id| (page.clone(), id)));
        println!("{page}: {:.1?}", started.elapsed());
    }

    let report = report(&vectors, &written, &hits, &findings, pages.len());
    let path = artifacts_dir()?.join("xss-report.txt");
    fs::write(&path, &report)?;
    println!("{report}\nreport: {}", path.display());
    assert!(hits.is_empty() && findings.is_empty(), "{report}");
    Ok(())
}

/// A finding with its beacon id (`vNNN.field`) taken out, so that findings
/// of one kind group together; the finding's opening words and the
/// vector's first characters are kept.
fn generalize(finding: &str) -> (String, String) {
    let Some(at) = finding.find("/hit?v=") else {
        return (finding.chars().take(200).collect(), String::new());
    };
    let rest = finding.get(at + 7..).unwrap_or_default();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(rest.len());
    let id = rest.get(..end).unwrap_or_default().to_owned();
    let field = id.split_once('.').map_or("", |(_, f)| f);
    let head: String = finding
        .get(..at)
        .unwrap_or_default()
        .chars()
        .take(140)
        .collect();
    let origin = head
        .rfind("http://127.0.0.1")
        .map_or(head.as_str(), |o| head.get(..o).unwrap_or_default());
    (format!("{origin}… ({field})"), id)
}

/// The entry markers (`mark-ID.FIELD`) present in a page.
fn markers_in(page: &str) -> BTreeSet<&str> {
    page.match_indices("mark-v")
        .filter_map(|(at, _)| {
            let rest = page.get(at..)?;
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
                .unwrap_or(rest.len());
            rest.get(..end)
        })
        .collect()
}

/// Scans `url` in a fresh tab, touches everything, and checks it stayed put.
fn visit(browser: &Chrome, url: &str, label: &str) -> anyhow::Result<Vec<String>> {
    let pane = browser.tab(1280, 900)?;
    pane.bypass_csp()?;
    pane.open(url)?;
    let mut findings: Vec<String> = serde_json::from_str::<Vec<String>>(
        pane.eval(browser::DOM_SCAN)?.as_str().unwrap_or("[]"),
    )?
    .into_iter()
    .map(|f| format!("{label}: {f}"))
    .collect();
    pane.eval(browser::INTERACT)?;
    if pane.url() != url {
        findings.push(format!("{label}: the page navigated to {}", pane.url()));
    }
    Ok(findings)
}

/// A page holding the HTML one output feed carries, as a feed reader shows it.
fn carried_page(label: &str, fragments: &[String]) -> String {
    let mut page = format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{label}</title></head><body>\n");
    for fragment in fragments {
        let _ = writeln!(page, "<article>{fragment}</article>");
    }
    page.push_str("</body></html>\n");
    page
}

fn report(
    vectors: &[corpus::Vector],
    written: &feeds::Written,
    hits: &[(String, String)],
    findings: &[String],
    pages: usize,
) -> String {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    for v in vectors {
        *families.entry(v.family()).or_default() += 1;
    }
    let mut out = format!(
        "{} vectors ({families:?}), {} entries in {} pages; {} placements skipped\n",
        vectors.len(),
        written.markers.len(),
        pages,
        written.skipped.len()
    );
    let ran: BTreeSet<&(String, String)> = hits.iter().collect();
    let _ = writeln!(out, "beacon calls: {}", ran.len());
    for (page, hit) in ran {
        let id = hit.split('.').next().unwrap_or_default();
        let template = vectors
            .iter()
            .find(|v| v.id == id)
            .map_or("?", |v| v.template());
        let _ = writeln!(out, "  RAN on {page}: {hit}: {template}");
    }
    // Findings grouped by what was found, with the placements that produced it.
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in findings {
        let (what, id) = generalize(finding);
        groups.entry(what).or_default().push(id);
    }
    let _ = writeln!(
        out,
        "static findings: {} in {} kinds",
        findings.len(),
        groups.len()
    );
    for (what, ids) in &groups {
        let shown: Vec<&str> = ids.iter().take(12).map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  [{}] {what}\n      e.g. {}",
            ids.len(),
            shown.join(" ")
        );
    }
    out
}

/// The harness can fail: a page that republishes corpus payloads unsanitized
/// (one running on load, one on hover, one on a click of a `javascript:`
/// link, one on toggle) must be flagged by the DOM scan and call the beacon.
#[test]
fn the_harness_catches_payloads_that_run() -> anyhow::Result<()> {
    let Some(chromium) = chrome::executable()? else {
        return Ok(());
    };
    let vectors = corpus::load(&corpus_path())?;
    let chosen: Vec<&corpus::Vector> = [
        "<script>{JS}</script>",
        "<div onmouseover=\"{JS}\">hover me</div>",
        "<a href=\"javascript:{JS}\">a</a>",
        "<details ontoggle=\"{JS}\"><summary>x</summary>y</details>",
    ]
    .iter()
    .map(|t| {
        vectors
            .iter()
            .find(|v| v.template() == *t)
            .ok_or_else(|| anyhow::anyhow!("{t} not in corpus"))
    })
    .collect::<anyhow::Result<_>>()?;

    let scratch = tempfile::tempdir()?;
    let server = Server::start(scratch.path())?;
    let body: String = chosen
        .iter()
        .map(|v| v.payload(&server.origin(), "raw"))
        .collect();
    fs::write(
        scratch.path().join("raw.html"),
        carried_page("unsanitized", &[body]),
    )?;

    let browser = chrome::launch(chromium)?;
    let findings = visit(
        &browser,
        &format!("{}/raw.html", server.origin()),
        "raw.html",
    )?;
    std::thread::sleep(Duration::from_millis(500));
    let hits: BTreeSet<String> = server.hits().into_iter().collect();
    let expected: BTreeSet<String> = chosen.iter().map(|v| format!("{}.raw", v.id)).collect();
    assert_eq!(hits, expected, "beacon calls");
    for what in [
        "element <script>",
        "handler onmouseover",
        "url in href",
        "handler ontoggle",
    ] {
        assert!(
            findings.iter().any(|f| f.contains(what)),
            "{what} not found in {findings:?}"
        );
    }
    Ok(())
}
