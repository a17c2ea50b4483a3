//! Crash safety and one run at a time, against the real binary.
//!
//! Runs are killed with SIGKILL at random points; after each, the store must pass SQLite's
//! integrity check and every published file must be whole (the outputs are written under
//! temporary names and renamed). A run started while another holds the planet must be refused
//! promptly, naming the lock, while the first completes.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{run, Planet};
use orrery_store::{EntryQuery, SqliteStore, Store};
use quick_xml::events::Event;

const FEEDS: usize = 30;
const ENTRIES_PER_GENERATION: usize = 4;
const KILLS: usize = 40;
/// Beyond this the loop stops early, so a slow machine does not turn the suite into a hang.
const KILL_LOOP_BUDGET: Duration = Duration::from_secs(240);
/// Prefix of the temporary files outputs are written to before being renamed.
const TEMP_PREFIX: &str = ".orrery-";

fn feed_path(planet: &Planet, feed: usize) -> std::path::PathBuf {
    planet
        .path()
        .join("feeds")
        .join(format!("feed{feed:02}.xml"))
}

fn entry_title(feed: usize, generation: u32, entry: usize) -> String {
    format!("Feed {feed:02} generation {generation} entry {entry}")
}

/// Writes every feed for `generation`: that generation's entries plus the previous one's,
/// edited, so that each run both inserts and updates. Later generations are newer.
fn write_feeds(planet: &Planet, generation: u32) {
    for feed in 0..FEEDS {
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
             <title>Feed {feed:02}</title><id>urn:test:feed{feed}</id>\n\
             <link rel=\"alternate\" href=\"http://example.org/{feed}/\"/>\n\
             <updated>2024-01-01T00:00:00Z</updated>\n"
        );
        for g in [generation.saturating_sub(1), generation] {
            for entry in 0..ENTRIES_PER_GENERATION {
                let minute = g * 10 + u32::try_from(entry).unwrap_or(0);
                let (day, hour, min) = (1 + minute / 1440, (minute / 60) % 24, minute % 60);
                let body =
                    format!("<p>Paragraph {g} of entry {entry} in feed {feed}.</p>").repeat(6);
                xml.push_str(&format!(
                    "<entry><id>urn:test:{feed}:{g}:{entry}</id>\
                     <title>{}</title>\
                     <link rel=\"alternate\" href=\"http://example.org/{feed}/{g}/{entry}\"/>\
                     <updated>2024-02-{day:02}T{hour:02}:{min:02}:{feed:02}Z</updated>\
                     <content type=\"html\"><![CDATA[{body} edited in {generation}]]></content>\
                     </entry>\n",
                    entry_title(feed, g, entry)
                ));
            }
        }
        xml.push_str("</feed>\n");
        let path = feed_path(planet, feed);
        fs::write(&path, xml).expect("write feed");
        // Local feeds are compared by modification time, to the second: a rewrite within the
        // second of the last fetch would look unchanged. Give each generation its own time.
        let mtime = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + u64::from(generation) * 60);
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(mtime))
            .expect("set feed mtime");
    }
}

fn database(planet: &Planet) -> std::path::PathBuf {
    planet.path().join("cache").join("orrery.db")
}

fn local_planet() -> Planet {
    let planet = Planet::new();
    for feed in 0..FEEDS {
        let path = feed_path(&planet, feed).display().to_string();
        planet.subscribe(&path, &format!("Feed {feed:02}"));
    }
    planet
}

/// A small xorshift generator: random enough to spread kill times, seeded and printed so that
/// a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("ORRERY_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            })
            | 1;
        println!("kill seed {seed} (replay with ORRERY_KILL_SEED={seed})");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// What a check of the published site found besides outright failures.
#[derive(Default)]
struct SiteState {
    temp_files: Vec<String>,
}

/// Every published file is whole: HTML ends with `</html>`, XML is well-formed.
fn check_site(output: &Path, when: &str) -> SiteState {
    let mut state = SiteState::default();
    let mut stack = vec![output.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("read_dir entry").path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if name.starts_with(TEMP_PREFIX) {
                state.temp_files.push(name);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext {
                "html" => {
                    let text = fs::read_to_string(&path).expect("read html");
                    assert!(
                        text.trim_end().to_ascii_lowercase().ends_with("</html>"),
                        "{when}: {} is cut short ({} bytes)",
                        path.display(),
                        text.len()
                    );
                }
                "xml" | "atom" | "rss" | "opml" | "rdf" | "foaf" => {
                    check_well_formed(&path, when);
                }
                _ => {}
            }
        }
    }
    state
}

fn check_well_formed(path: &Path, when: &str) {
    let text = fs::read(path).expect("read xml output");
    let mut reader = quick_xml::Reader::from_reader(&text[..]);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{when}: {} is not well-formed: {e}", path.display()),
        }
        buf.clear();
    }
    assert!(
        depth == 0 && roots == 1,
        "{when}: {} is incomplete (depth {depth}, {roots} roots, {} bytes)",
        path.display(),
        text.len()
    );
}

/// Checks the store's integrity (through the store's own interface, as a run would open it)
/// and returns how many entries of `generation` it holds.
fn check_store(database: &Path, when: &str, generation: u32) -> usize {
    let store =
        SqliteStore::open_file(database).unwrap_or_else(|e| panic!("{when}: open the store: {e}"));
    let problems = store
        .integrity_check()
        .unwrap_or_else(|e| panic!("{when}: integrity check failed to run: {e}"));
    assert_eq!(problems, Vec::<String>::new(), "{when}: store integrity");
    let feeds: Vec<String> = store
        .feeds()
        .unwrap_or_else(|e| panic!("{when}: listing feeds: {e}"))
        .into_iter()
        .map(|feed| feed.url)
        .collect();
    let entries = store
        .newest_entries(&EntryQuery {
            subscriptions: &feeds,
            limit: 1_000_000,
            per_feed_limit: None,
            share_limit: None,
        })
        .unwrap_or_else(|e| panic!("{when}: counting entries: {e}"));
    // What `entry_id LIKE 'urn:test:%:{generation}:%'` matches.
    let marker = format!(":{generation}:");
    entries
        .iter()
        .filter(|entry| {
            entry
                .id
                .strip_prefix("urn:test:")
                .is_some_and(|rest| rest.contains(&marker))
        })
        .count()
}

/// How far a killed run got, judged from what it left behind.
fn phase(stored: usize, published: bool) -> usize {
    match (stored, published) {
        (_, true) => 3,
        (0, false) => 0,
        (n, false) if n < FEEDS * ENTRIES_PER_GENERATION => 1,
        _ => 2,
    }
}

const PHASES: [&str; 4] = [
    "before storing",
    "while storing",
    "after storing, before publishing",
    "after publishing",
];

fn update_ok(planet: &Planet, when: &str) -> Duration {
    let start = Instant::now();
    let (code, stdout, stderr) = run(&mut planet.update());
    assert_eq!(code, Some(0), "{when}: {stdout}{stderr}");
    start.elapsed()
}

#[test]
fn killed_runs_leave_a_usable_store_and_whole_outputs() {
    let planet = local_planet();
    write_feeds(&planet, 1);
    let first = update_ok(&planet, "reference run");
    check_store(&database(&planet), "reference run", 1);
    let reference = check_site(&planet.output(), "reference run");
    assert!(
        reference.temp_files.is_empty(),
        "{:?}",
        reference.temp_files
    );
    let old_index = fs::read(planet.output().join("index.html")).expect("index.html");

    write_feeds(&planet, 2);
    let change = update_ok(&planet, "run after a change");
    // Half as long again as the measured run: runs slowed by a busy machine get killed too.
    let window = first.max(change) * 3 / 2;
    println!("full run {first:?}, after a change {change:?}: killing within {window:?}");

    let mut rng = Rng::seeded();
    let started = Instant::now();
    let (mut killed, mut completed) = (0, 0);
    let mut phases = [0usize; 4];
    let mut most_temp_files = 0;
    let mut generation = 2;
    for round in 0..KILLS {
        if started.elapsed() > KILL_LOOP_BUDGET {
            println!("time budget spent after {round} rounds");
            break;
        }
        generation += 1;
        write_feeds(&planet, generation);
        let delay = Duration::from_micros(rng.below(window.as_micros() as u64));
        let mut child = planet
            .update()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn orrery");
        thread::sleep(delay);
        let when = format!("round {round}, killed after {delay:?}");
        match child.try_wait().expect("try_wait") {
            Some(status) => {
                assert!(status.success(), "{when}: finished with {status}");
                completed += 1;
            }
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                killed += 1;
            }
        }
        let stored = check_store(&database(&planet), &when, generation);
        let state = check_site(&planet.output(), &when);
        let index = fs::read_to_string(planet.output().join("index.html"))
            .unwrap_or_else(|e| panic!("{when}: index.html: {e}"));
        let published = index.contains(&entry_title(0, generation, 0));
        if published {
            assert_eq!(
                stored,
                FEEDS * ENTRIES_PER_GENERATION,
                "{when}: published unstored entries"
            );
        }
        phases[phase(stored, published)] += 1;
        most_temp_files = most_temp_files.max(state.temp_files.len());
    }
    println!(
        "{killed} runs killed, {completed} completed before the kill, in {:?}",
        started.elapsed()
    );
    println!("  at most {most_temp_files} temporary files were left in the output directory");
    for (name, count) in PHASES.iter().zip(phases) {
        println!("  {count} runs ended {name}");
    }
    assert!(
        killed > 0,
        "no run was killed mid-way: the test proved nothing"
    );

    // A normal run after all that must succeed and publish the latest entries.
    update_ok(&planet, "final run");
    check_store(&database(&planet), "final run", generation);
    let state = check_site(&planet.output(), "final run");
    let index = fs::read_to_string(planet.output().join("index.html")).expect("index.html");
    assert_ne!(
        index.as_bytes(),
        &old_index[..],
        "the site was not republished"
    );
    for feed in 0..FEEDS {
        for entry in 0..ENTRIES_PER_GENERATION {
            let title = entry_title(feed, generation, entry);
            assert!(index.contains(&title), "final index.html lacks {title:?}");
        }
    }
    // Temporary files of killed runs are never read back, so they cannot confuse a run, but
    // nothing removes them either: report what accumulated.
    println!(
        "after the final run: {} temporary files from killed runs remain in the output directory",
        state.temp_files.len()
    );
}

/// A feed server that holds its first response until told to answer.
struct SlowServer {
    url: String,
    connected: mpsc::Receiver<()>,
    release: Arc<AtomicBool>,
}

impl SlowServer {
    fn start() -> SlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!(
            "http://{}/slow.xml",
            listener.local_addr().expect("local addr")
        );
        let (tx, connected) = mpsc::channel();
        let release = Arc::new(AtomicBool::new(false));
        let hold = Arc::clone(&release);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let tx = tx.clone();
                let hold = Arc::clone(&hold);
                thread::spawn(move || serve_slowly(stream, &tx, &hold));
            }
        });
        SlowServer {
            url,
            connected,
            release,
        }
    }
}

fn serve_slowly(mut stream: TcpStream, connected: &mpsc::Sender<()>, release: &AtomicBool) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let _ = connected.send(());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !release.load(Ordering::SeqCst) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    let body = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                <title>Slow</title><id>urn:test:slow</id><updated>2024-01-01T00:00:00Z</updated>\
                <entry><id>urn:test:slow:1</id><title>Worth the wait</title>\
                <updated>2024-01-01T00:00:00Z</updated><content>late</content></entry></feed>";
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A child process killed if the test fails before reaping it.
struct Reaped(Option<Child>);

impl Reaped {
    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }

    fn running(&mut self) -> bool {
        self.0
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    fn finish(mut self) -> std::process::Output {
        let child = self.0.take().expect("not reaped yet");
        child.wait_with_output().expect("wait for the child")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_second_run_is_refused_while_the_first_completes() {
    let server = SlowServer::start();
    let planet = Planet::new();
    planet.subscribe(&server.url, "Slow feed");
    let mut first = Reaped(Some(
        planet
            .update()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the first run"),
    ));
    // Once the feed is being fetched, the first run holds the planet.
    server
        .connected
        .recv_timeout(Duration::from_secs(60))
        .expect("the first run never fetched the feed");

    let start = Instant::now();
    let (code, stdout, stderr) = run(&mut planet.update());
    let took = start.elapsed();
    println!("second run refused in {took:?}: {stderr}");
    assert_ne!(
        code,
        Some(0),
        "the second run was not refused: {stdout}{stderr}"
    );
    assert!(code.is_some(), "the second run died of a signal");
    assert!(
        stderr.contains("orrery.lock") && stderr.contains("locked by another orrery run"),
        "stderr does not name the lock: {stderr}"
    );
    assert!(
        stderr.contains(&format!("pid {}", first.id())),
        "stderr does not name the holder: {stderr}"
    );
    // "Promptly": it must not have waited for the first run, which is still held up.
    assert!(
        first.running(),
        "the first run ended before the second was refused"
    );

    server.release.store(true, Ordering::SeqCst);
    let out = first.finish();
    assert!(
        out.status.success(),
        "first run: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let index = fs::read_to_string(planet.output().join("index.html")).expect("index.html");
    assert!(
        index.contains("Worth the wait"),
        "the first run did not publish"
    );
}
