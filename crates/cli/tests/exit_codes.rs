//! Exit statuses cron and scripts rely on: 2 for a configuration to fix, 0 when only feeds
//! failed (they are reported, and the planet is still published).

mod common;

use std::fs;

use common::{run, Planet};

#[test]
fn broken_config_exits_2_naming_file_and_line() {
    let planet = Planet::new();
    fs::write(
        planet.path().join("planet.ini"),
        "[Planet]\nname = Broken\nthis line is not an option\n",
    )
    .expect("write config");
    let (code, _, stderr) = run(&mut planet.update());
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert!(stderr.contains("planet.ini:3"), "stderr: {stderr}");
    assert!(!planet.output().join("index.html").exists());
}

#[test]
fn missing_config_exits_2() {
    let planet = Planet::new();
    fs::remove_file(planet.path().join("planet.ini")).expect("remove config");
    let (code, _, stderr) = run(&mut planet.update());
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert!(stderr.contains("planet.ini"), "stderr: {stderr}");
}

#[test]
fn failing_feeds_exit_0_and_are_reported() {
    // A port nothing listens on: bind one, note it, release it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let planet = Planet::new();
    let garbage = planet.path().join("feeds/garbage.xml");
    fs::write(&garbage, [0xFFu8, 0x00, 0x13, 0x37].repeat(100)).expect("write garbage");
    let missing = planet.path().join("feeds/missing.xml");
    planet.subscribe(&format!("http://{closed}/feed.xml"), "Closed port");
    planet.subscribe(&missing.display().to_string(), "Missing file");
    planet.subscribe(&garbage.display().to_string(), "Garbage");
    let (code, _, stderr) = run(&mut planet.update());
    assert_eq!(code, Some(0), "stderr: {stderr}");
    // Quiet runs print only failures: the two feeds that cannot be fetched must be named.
    assert!(stderr.contains(&closed.to_string()), "stderr: {stderr}");
    assert!(stderr.contains("missing.xml"), "stderr: {stderr}");
    let index = fs::read_to_string(planet.output().join("index.html")).expect("index.html");
    assert!(index.trim_end().ends_with("</html>"));
}
