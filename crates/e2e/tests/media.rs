//! The media example (a YouTube-style channel feed and a podcast feed) published with the
//! orrery theme and looked at in Chromium: the video shows its thumbnail and description, the
//! episode its image, play link, duration and explicit flag, and nothing from the feeds runs.
//! A screenshot goes under `target/e2e-artifacts/`.

use std::fs;
use std::path::Path;

use orrery_e2e::planet::{artifacts_dir, copy_dir, update, workspace_root};
use orrery_e2e::{chrome, server::Server};

/// The host the example's feeds name; the test serves its pictures itself.
const MEDIA_HOST: &str = "https://media.example.org/";

/// What the page shows of each post's media, as JSON.
const MEDIA: &str = r#"(() => JSON.stringify([...document.querySelectorAll('article.post')].map(a => {
  const img = a.querySelector('.media .thumbnail img');
  const play = a.querySelector('.media .play');
  return {
    title: (a.querySelector('h3') || {}).textContent || '',
    image: img ? img.getAttribute('src') : null,
    image_loaded: img ? img.complete && img.naturalWidth > 0 : false,
    image_link: img ? img.parentElement.getAttribute('href') : null,
    play: play ? play.getAttribute('href') : null,
    play_text: play ? play.textContent : null,
    duration: (a.querySelector('.media .duration') || {}).textContent || null,
    explicit: !!a.querySelector('.media .explicit'),
    text: (a.querySelector('.content') || {}).textContent || '',
  };
})))()"#;

#[test]
fn video_and_podcast_entries_show_their_media() -> anyhow::Result<()> {
    let Some(chromium) = chrome::executable()? else {
        return Ok(());
    };
    let scratch = tempfile::tempdir()?;
    let dir = scratch.path();
    copy_dir(&workspace_root().join("examples/media"), dir)?;
    let server = Server::start(dir)?;
    let origin = format!("{}/", server.origin());
    // The feeds' pictures, served from the test's own origin.
    for feed in ["feeds/video.xml", "feeds/podcast.xml"] {
        let path = dir.join(feed);
        let text = fs::read_to_string(&path)?.replace(MEDIA_HOST, &origin);
        fs::write(&path, text)?;
    }
    let picture = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/face.png"))?;
    for name in ["vi/vid0001/hqdefault.png", "podcast/12.png"] {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("parent"))?;
        fs::write(path, &picture)?;
    }
    update(dir, &["planet.ini"], &[])?;

    let browser = chrome::launch(chromium)?;
    let pane = browser.tab(1280, 900)?;
    pane.open(&format!("{origin}output/index.html"))?;
    let shot = artifacts_dir()?.join("orrery-media-1280x900.png");
    pane.screenshot(&shot, 3000)?;
    println!("screenshot: {}", shot.display());

    let posts: serde_json::Value =
        serde_json::from_str(pane.eval(MEDIA)?.as_str().unwrap_or("[]"))?;
    let post = |title: &str| {
        posts
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|p| p["title"].as_str().unwrap_or("").contains(title))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no post {title:?} in {posts}"))
    };
    let video = post("Building an orrery");
    assert_eq!(
        video["image"],
        format!("{origin}vi/vid0001/hqdefault.png"),
        "{video}"
    );
    assert_eq!(video["image_loaded"], true, "{video}");
    assert_eq!(
        video["image_link"],
        format!("{origin}watch?v=vid0001"),
        "{video}"
    );
    let text = video["text"].as_str().unwrap_or("");
    assert!(
        text.contains("A mechanical model of the solar system"),
        "{video}"
    );
    assert_eq!(video["play"], serde_json::Value::Null, "{video}");

    let episode = post("Clockwork skies");
    assert_eq!(
        episode["image"],
        format!("{origin}podcast/12.png"),
        "{episode}"
    );
    assert_eq!(episode["image_loaded"], true, "{episode}");
    assert_eq!(
        episode["play"],
        format!("{origin}podcast/12.mp3"),
        "{episode}"
    );
    assert_eq!(episode["play_text"], "Play (audio/mpeg)", "{episode}");
    assert_eq!(episode["duration"], "58:59", "{episode}");
    assert_eq!(episode["explicit"], true, "{episode}");

    // The description's markup was escaped or sanitized: no script element, nothing ran.
    let scripts = pane.eval("document.querySelectorAll('.content script').length")?;
    assert_eq!(scripts, 0);
    let errors: Vec<String> = pane
        .errors()
        .into_iter()
        .filter(|e| !e.contains("/favicon.ico"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    Ok(())
}
