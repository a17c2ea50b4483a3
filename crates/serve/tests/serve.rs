//! The server, started in-process on a free loopback port against a
//! temporary planet.

mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use common::{parse_metrics, request, Planet};
use orrery_serve::{ServeOptions, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const PATIENCE: Duration = Duration::from_secs(60);

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), orrery_serve::Error>>,
}

impl Running {
    async fn start(planet: &Planet, every: Option<Duration>) -> Running {
        let server = Server::bind(ServeOptions {
            planet: planet.options(),
            listen: "127.0.0.1:0".parse().unwrap(),
            every,
            limits: orrery_serve::Limits::default(),
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        assert!(addr.ip().is_loopback() && addr.port() != 0);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running { addr, stop, task }
    }

    async fn get(&self, target: &str) -> common::Answer {
        request(self.addr, "GET", target).await
    }

    async fn metrics(&self) -> BTreeMap<String, f64> {
        let answer = self.get("/metrics").await;
        assert_eq!(answer.status, 200);
        assert!(answer
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text")));
        parse_metrics(&answer.body)
    }

    /// Stops the server and checks that it ends cleanly, and in time.
    async fn shutdown(self) {
        self.stop.send(()).unwrap();
        let ended = tokio::time::timeout(PATIENCE, self.task).await;
        ended.expect("stops in time").unwrap().unwrap();
        assert!(
            tokio::net::TcpStream::connect(self.addr).await.is_err(),
            "still accepting after shutdown"
        );
    }
}

/// Polls `probe` until it returns `Some`, failing after [`PATIENCE`].
async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut probe: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_published_planet_safely() {
    let planet = Planet::new("", &["First post"]);
    // The pipeline runs its own runtime: not from inside this one.
    std::thread::scope(|s| s.spawn(|| planet.publish()).join().unwrap());
    let server = Running::start(&planet, None).await;

    let index = server.get("/").await;
    assert_eq!(index.status, 200);
    assert!(index
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    assert!(index.body.contains("First post"), "{}", index.body);
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));

    let css = server.get("/orrery.css").await;
    assert_eq!(css.status, 200);
    assert!(css
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/css")));
    for (file, kind) in [
        ("/atom.xml", "xml"),
        ("/feed.json", "application/json"),
        ("/status.json", "application/json"),
    ] {
        let answer = server.get(file).await;
        assert_eq!(answer.status, 200, "{file}");
        let found = answer.header("content-type").unwrap_or_default();
        assert!(found.contains(kind), "{file}: {found}");
    }

    // The configuration sits one level above the output directory.
    for attempt in [
        "/../planet.ini",
        "/%2e%2e/planet.ini",
        "/%2E%2E%2Fplanet.ini",
        "/..%2fplanet.ini",
        "/./../planet.ini",
        "/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let answer = server.get(attempt).await;
        assert!(
            answer.status == 404 || answer.status == 400,
            "{attempt}: {}",
            answer.status
        );
        assert!(
            !answer.body.contains("[Planet]"),
            "{attempt} leaked the configuration"
        );
    }
    assert_eq!(server.get("/no-such-page.html").await.status, 404);

    let head = request(server.addr, "HEAD", "/").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(
            request(server.addr, method, "/").await.status,
            405,
            "{method}"
        );
    }

    // Nothing is updated here: healthy because a planet is published.
    let health = server.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let metrics = server.metrics().await;
    assert_eq!(metrics.get("orrery_entries_added_total"), Some(&0.0));
    assert!(metrics.contains_key("orrery_last_update_timestamp_seconds"));
    assert!(metrics.contains_key("orrery_fetch_duration_seconds_count"));

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhealthy_until_something_is_published() {
    let planet = Planet::new("", &["First post"]);
    let server = Running::start(&planet, None).await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status, 503);
    assert!(health.body.contains("nothing published"), "{}", health.body);
    assert_eq!(server.get("/").await.status, 404);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeps_the_planet_fresh() {
    let planet = Planet::new("", &["First post"]);
    let server = Running::start(&planet, Some(Duration::from_secs(1))).await;

    eventually("the first update", || async {
        let health = server.get("/healthz").await;
        (health.status == 200).then_some(())
    })
    .await;
    assert!(server.get("/").await.body.contains("First post"));
    let first = server.metrics().await;
    assert_eq!(first.get("orrery_entries_added_total"), Some(&1.0));
    assert_eq!(first.get("orrery_feeds{state=\"ok\"}"), Some(&1.0));
    assert_eq!(first.get("orrery_feeds{state=\"failing\"}"), Some(&0.0));
    assert_eq!(first.get("orrery_fetch_duration_seconds_count"), Some(&1.0));
    assert!(first["orrery_last_update_timestamp_seconds"] > 1.7e9);
    assert!(first.contains_key("orrery_last_update_duration_seconds"));

    // Unchanged feed: updates go on, the site is not rebuilt.
    let publishes = first["orrery_publishes_total"];
    let updates = first["orrery_updates_total{result=\"ok\"}"];
    let later = eventually("an update without changes", || async {
        let m = server.metrics().await;
        (m["orrery_updates_total{result=\"ok\"}"] >= updates + 1.0).then_some(m)
    })
    .await;
    assert_eq!(later["orrery_publishes_total"], publishes);

    planet.write_feed(
        &["First post", "Second post"],
        SystemTime::now() + Duration::from_secs(10),
    );
    // The counters move once the rebuild is over, just after the page does.
    let after = eventually("the changed feed on the page", || async {
        let m = server.metrics().await;
        let rebuilt = m["orrery_publishes_total"] > publishes;
        (rebuilt && server.get("/").await.body.contains("Second post")).then_some(m)
    })
    .await;
    assert_eq!(after.get("orrery_entries_added_total"), Some(&2.0));
    assert!(after["orrery_publishes_total"] > publishes);
    assert!(after["orrery_updates_total{result=\"ok\"}"] >= 2.0);

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_update_is_unhealthy() {
    // A filter that is not a regular expression stops every run.
    let planet = Planet::new("filter = (unclosed", &["First post"]);
    let server = Running::start(&planet, Some(Duration::from_secs(1))).await;
    let health = eventually("the update to fail", || async {
        let health = server.get("/healthz").await;
        health.body.contains("failed").then_some(health)
    })
    .await;
    assert_eq!(health.status, 503);
    let metrics = server.metrics().await;
    assert!(metrics["orrery_updates_total{result=\"failed\"}"] >= 1.0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_feed_backs_off_without_rebuilding_the_site() {
    let planet = Planet::new("", &["First post"]);
    let config = planet.path().join("planet.ini");
    let mut ini = std::fs::read_to_string(&config).unwrap();
    ini.push_str("\n[missing.xml]\nname = Nobody\n");
    std::fs::write(&config, ini).unwrap();
    let server = Running::start(&planet, Some(Duration::from_secs(1))).await;

    // Retried after one round, then after two: the rounds between leave it, and it still
    // counts as failing there, never as merely not due.
    let metrics = eventually("four rounds", || async {
        let m = server.metrics().await;
        (m.get("orrery_updates_total{result=\"ok\"}") >= Some(&4.0)).then_some(m)
    })
    .await;
    assert_eq!(
        metrics["orrery_feeds{state=\"failing\"}"], 1.0,
        "{metrics:?}"
    );
    assert_eq!(
        metrics
            .get("orrery_feeds_not_due_total")
            .copied()
            .unwrap_or(0.0),
        0.0,
        "{metrics:?}"
    );
    // Published once: the failure neither started nor ended since.
    assert_eq!(metrics["orrery_publishes_total"], 1.0);
    assert!(server.get("/").await.body.contains("First post"));
    server.shutdown().await;
}
