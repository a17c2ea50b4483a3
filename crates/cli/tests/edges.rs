//! What comes from outside a planet's own files, met with the real binary:
//! a crowd of silent connections and links out of `output_dir` against
//! `orrery serve`, a FIFO as a subscription, a damaged store, a reader that
//! closes its pipe, a full disk and a dangling output directory.

#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{orrery_in, run, Planet};

/// An RSS document of `entries` items, each with `filler` bytes of text.
fn rss(title: &str, entries: usize, filler: usize) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>http://{title}.example.org/</link>"
    );
    let text = "lorem ipsum ".repeat(filler / 12 + 1);
    for i in 0..entries {
        let _ = write!(
            xml,
            "<item><title>{title} post {i}</title><guid>http://{title}.example.org/{i}</guid>\
             <link>http://{title}.example.org/{i}</link>\
             <pubDate>Mon, 0{} Dec 2025 10:{:02}:00 GMT</pubDate>\
             <description>{text} {i}</description></item>",
            1 + i % 9,
            i % 60
        );
    }
    xml.push_str("</channel></rss>");
    xml
}

/// Waits for `child` at most `limit`, killing it past that.
fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What an ended `child` wrote on its piped standard error.
fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut err).expect("stderr");
    }
    err
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.insert(path.clone(), fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

// ---------------------------------------------------------------- serve

/// `orrery serve` on a free loopback port, killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
}

impl Serving {
    fn start(planet: &Planet, extra: &[&str]) -> Serving {
        let mut child = orrery_in(planet.path())
            .args(["serve", "-c", "planet.ini", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start orrery serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("serve says where it listens").unwrap();
            if let Some(rest) = line.split_once(" at http://").map(|(_, r)| r) {
                break rest.split('/').next().unwrap().parse().expect("address");
            }
        };
        // Keep the pipe drained, so that logging never blocks the server.
        std::thread::spawn(move || for _ in lines {});
        Serving { child, addr }
    }

    /// One request on a fresh connection: (status, body).
    fn get(&self, target: &str) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read answer");
        let head_end = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        let status = std::str::from_utf8(&answer[9..12])
            .unwrap()
            .parse()
            .unwrap();
        (status, answer[head_end + 4..].to_vec())
    }

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A planet with one published feed.
fn published_planet() -> Planet {
    let planet = Planet::new();
    let feed = planet.path().join("feeds/a.xml");
    fs::write(&feed, rss("alpha", 5, 100)).unwrap();
    planet.subscribe(&feed.display().to_string(), "Alpha");
    let (code, out, err) = run(&mut planet.update());
    assert_eq!(code, Some(0), "{out}{err}");
    planet
}

/// Raises this process's soft limit on open files so that it can hold `n`
/// connections of its own.
fn allow_files(n: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a struct owned here.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < n {
            limit.rlim_cur = n.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Whether the server has closed `stream` (end of file or reset), waiting at
/// most until `deadline`.
fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // An answer (the 408 of a timed-out head): read on to the end.
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn serve_answers_through_a_crowd_of_silent_connections_and_closes_them() {
    const CROWD: usize = 2000;
    allow_files(CROWD as u64 + 256);
    let planet = published_planet();
    // The defaults: 1024 connections at most, 10 s for a request head.
    let server = Serving::start(&planet, &[]);
    assert_eq!(server.get("/").0, 200);
    let baseline = server.rss_kib();

    // Half say nothing, half send part of a request head, one is kept alive
    // after an answer.
    let mut crowd = Vec::with_capacity(CROWD + 1);
    for i in 0..CROWD {
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        if i % 2 == 1 {
            stream
                .write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .unwrap();
        }
        crowd.push(stream);
    }
    let mut kept = TcpStream::connect(server.addr).unwrap();
    kept.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    kept.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    kept.read_exact(&mut first)
        .expect("an answer on the kept-alive connection");
    assert_eq!(&first[9..12], b"200");
    crowd.push(kept);

    let asked = Instant::now();
    let (status, body) = server.get("/");
    let took = asked.elapsed();
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("alpha post"));
    assert!(took < Duration::from_secs(1), "a visitor waited {took:?}");
    let peak = server.rss_kib();

    let deadline = Instant::now() + Duration::from_secs(60);
    let open: usize = crowd
        .iter_mut()
        .map(|s| usize::from(!closed_by(s, deadline)))
        .sum();
    assert_eq!(
        open, 0,
        "{open} silent connections still open after a minute"
    );
    drop(crowd);
    // Memory comes back once they are gone.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.get("/").0, 200);
    let after = server.rss_kib();
    eprintln!("RSS: {baseline} KiB before, {peak} KiB with {CROWD} connections, {after} KiB after");
    assert!(
        after <= baseline + baseline / 4 + 2048,
        "RSS {after} KiB after the crowd left, {baseline} KiB before ({peak} KiB at the peak)"
    );
}

#[test]
fn serve_refuses_links_out_of_the_output_directory() {
    let planet = published_planet();
    let output = planet.output();
    let secret = planet.path().join("secret.txt");
    fs::write(&secret, "not for the web").unwrap();
    std::os::unix::fs::symlink(&secret, output.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(planet.path(), output.join("up")).unwrap();
    std::os::unix::fs::symlink(output.join("index.html"), output.join("same.html")).unwrap();
    fs::create_dir(output.join("sub")).unwrap();
    std::os::unix::fs::symlink(&secret, output.join("sub/index.html")).unwrap();
    std::os::unix::fs::symlink(planet.path().join("nowhere"), output.join("dangling")).unwrap();
    let server = Serving::start(&planet, &[]);
    for target in [
        "/leak.txt",
        "/%6ceak.txt",
        "/up/secret.txt",
        "/up/",
        "/sub/",
        "/sub",
        "/dangling",
    ] {
        let (status, body) = server.get(target);
        assert_eq!(status, 404, "{target} answered {status}");
        assert!(!String::from_utf8_lossy(&body).contains("not for the web"));
    }
    // A link that stays inside is served, and so is the site.
    let (status, body) = server.get("/same.html");
    assert_eq!(status, 200);
    assert_eq!(body, fs::read(output.join("index.html")).unwrap());
    assert_eq!(server.get("/").0, 200);
    assert_eq!(server.get("/missing.html").0, 404);
}

// ---------------------------------------------------------------- local files

#[test]
fn a_fifo_subscription_cannot_stall_a_run() {
    let planet = Planet::new();
    let ini = planet.path().join("planet.ini");
    let text = fs::read_to_string(&ini)
        .unwrap()
        .replace("feed_timeout = 30", "feed_timeout = 3");
    fs::write(&ini, text).unwrap();
    let feed = planet.path().join("feeds/a.xml");
    fs::write(&feed, rss("alpha", 3, 50)).unwrap();
    let fifo = planet.path().join("feeds/pipe.xml");
    let c_path = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: mkfifo on a path string owned here.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    planet.subscribe(&fifo.display().to_string(), "Pipe");
    planet.subscribe(&feed.display().to_string(), "Alpha");

    for round in 0..2 {
        let started = Instant::now();
        let mut child = planet
            .update()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_for(&mut child, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("round {round}: the run did not end"));
        let err = stderr_of(&mut child);
        assert!(status.success(), "round {round}: {status}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "round {round} took {:?}",
            started.elapsed()
        );
        assert!(
            err.contains("Pipe") && err.contains("named pipe"),
            "round {round}: the FIFO's failure is not reported: {err}"
        );
        let page = fs::read_to_string(planet.output().join("index.html")).unwrap();
        assert!(
            page.contains("alpha post 2"),
            "round {round}: the other feed is missing"
        );
    }
}

// ---------------------------------------------------------------- store

#[test]
fn a_damaged_store_stops_the_run_and_can_be_set_aside() {
    let planet = Planet::new();
    let feed = planet.path().join("feeds/a.xml");
    fs::write(&feed, rss("alpha", 300, 600)).unwrap();
    planet.subscribe(&feed.display().to_string(), "Alpha");
    let (code, out, err) = run(&mut planet.update());
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = run(orrery_in(planet.path()).args([
        "blacklist",
        "add",
        "http://alpha.example.org/7",
        "-c",
        "planet.ini",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&mut planet.update());
    assert_eq!(code, Some(0), "{err}");
    let site = snapshot(&planet.output());

    // Overwrite a few pages in the middle of the file.
    let db = planet.path().join("cache/orrery.db");
    let mut bytes = fs::read(&db).unwrap();
    let pages = bytes.len() / 4096;
    assert!(
        pages > 20,
        "a store of {pages} pages is too small to damage in the middle"
    );
    for page in [pages / 3, pages / 2, 2 * pages / 3] {
        bytes[page * 4096..page * 4096 + 4096].fill(0x5a);
    }
    fs::write(&db, &bytes).unwrap();
    // A changed feed, so that a run using the store would publish something new.
    fs::write(&feed, rss("alpha", 301, 600)).unwrap();

    let (code, out, err) = run(&mut planet.update());
    assert_ne!(code, Some(0), "update used a damaged store:\n{out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(
        err.contains(&db.display().to_string()),
        "the file is not named: {err}"
    );
    assert!(
        err.contains("orrery check --repair"),
        "no way out is given: {err}"
    );
    assert_eq!(snapshot(&planet.output()), site, "the site changed");

    let (code, out, err) =
        run(orrery_in(planet.path()).args(["check", "--offline", "-c", "planet.ini"]));
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("store: ") && out.contains("integrity check"),
        "{out}"
    );

    let (code, out, err) =
        run(orrery_in(planet.path()).args(["check", "--repair", "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("moved the damaged store to"), "{out}");
    let aside: Vec<_> = fs::read_dir(planet.path().join("cache"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("orrery.db.corrupt-")
        })
        .collect();
    assert!(!aside.is_empty(), "the damaged store is not kept aside");

    let (code, out, err) = run(&mut planet.update());
    assert_eq!(code, Some(0), "{out}{err}");
    let page = fs::read_to_string(planet.output().join("index.html")).unwrap();
    assert!(
        page.contains("alpha post 300"),
        "the new store was not refilled"
    );
    let (code, out, _) =
        run(orrery_in(planet.path()).args(["check", "--offline", "-c", "planet.ini"]));
    assert_eq!(code, Some(0), "{out}");
    let (_, list, _) =
        run(orrery_in(planet.path()).args(["blacklist", "list", "-c", "planet.ini"]));
    if out.contains("(blacklist: 1 ids kept)") {
        assert!(list.contains("http://alpha.example.org/7"), "{list}");
    }
}

// ---------------------------------------------------------------- errors

/// A feed file whose summary is far longer than a pipe holds.
fn long_feed() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.xml");
    fs::write(&path, rss("long", 4000, 20)).unwrap();
    (dir, path)
}

#[test]
fn a_closed_pipe_ends_parse_quietly() {
    let (_dir, feed) = long_feed();
    for json in [false, true] {
        let mut cmd = Command::new(common::BIN);
        cmd.arg("parse");
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .arg(&feed)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let status = wait_for(&mut child, Duration::from_secs(30)).expect("parse ends");
        let err = stderr_of(&mut child);
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.is_empty(), "json {json}: {err}");
        assert_eq!(status.code(), Some(0), "json {json}: {status}");
    }
}

#[test]
fn a_full_disk_is_named() {
    let (_dir, feed) = long_feed();
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(common::BIN)
        .arg("parse")
        .arg(&feed)
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("no space left on device"), "{err}");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_dangling_output_directory_is_named() {
    let planet = Planet::new();
    let feed = planet.path().join("feeds/a.xml");
    fs::write(&feed, rss("alpha", 2, 10)).unwrap();
    planet.subscribe(&feed.display().to_string(), "Alpha");
    std::os::unix::fs::symlink(planet.path().join("gone"), planet.output()).unwrap();
    let (code, out, err) = run(&mut planet.update());
    assert_ne!(code, Some(0), "{out}{err}");
    assert!(err.contains("dangling symbolic link"), "{err}");
    assert!(
        err.contains(&planet.output().display().to_string()),
        "{err}"
    );
    assert!(!err.contains("File exists"), "{err}");
}

#[test]
fn serve_refuses_an_oversized_request_head() {
    let planet = published_planet();
    let server = Serving::start(&planet, &[]);
    for (size, expected) in [(60_000, "200"), (100_000, "431")] {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = format!(
            "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(size)
        );
        // The server may answer and close before taking it all.
        let _ = stream.write_all(head.as_bytes());
        let mut status = [0u8; 12];
        stream.read_exact(&mut status).expect("an answer");
        assert_eq!(
            &status[9..12],
            expected.as_bytes(),
            "a head of {size} bytes"
        );
    }
}
