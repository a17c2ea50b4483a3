//! Fetch every subscription concurrently, parse and normalize each document
//! on a bounded pool of blocking threads as it arrives, and store the feeds
//! on the calling thread, many to a transaction (each feed's write atomic,
//! see [`Batcher`]); see [`Pipeline`] for the bound on the documents held in
//! memory meanwhile.

use std::collections::HashMap;
use std::hash::Hash;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use orrery_config::{Location, PlanetConfig, Subscription};
use orrery_feed::{HtmlMode, ParseOptions, ParsedFeed};
use orrery_fetch::{
    Content, FetchConfig, FetchError, FetchOutcome, FetchRequest, Fetched, Fetcher, Source,
};
use orrery_store::{BatchPolicy, Batcher, FeedFailure, FeedUpdate, FetchRecord, HttpState, Store};
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::filter::Filters;
use crate::normalize;
use crate::rebase::{self, XmlBase};
use crate::report::{FeedOutcome, FeedReport, Observer};
use crate::schedule::{self, Due, Hints, Schedule};
use crate::Error;

/// One subscription to fetch, with what the last run left for it.
struct Job {
    sub: Subscription,
    previous: HttpState,
    /// Consecutive failures before this run.
    failures: u32,
}

/// What to write for one feed once it has been fetched and parsed.
enum Write {
    Update {
        update: Box<FeedUpdate>,
        filtered: usize,
        /// The parser's limit that cut the document.
        capped: Option<String>,
    },
    Failure(FeedFailure),
}

struct Harvested {
    job: usize,
    write: Write,
    elapsed: Duration,
    /// The document's share of the memory budget, when it had a body.
    slot: Option<Slot>,
}

/// A feed written in the open batch, reported once the batch is committed.
struct Pending {
    report: FeedReport,
    /// The error of a failed fetch, when that is what was written.
    failure: Option<String>,
}

impl Pending {
    /// The batch it was written in was not committed: nothing of it was stored.
    fn not_stored(&mut self, err: &orrery_store::Error) {
        self.report.outcome = FeedOutcome::Failed {
            reason: match &self.failure {
                Some(error) => format!("{error} (and not recorded: {err})"),
                None => format!("not stored: {err}"),
            },
        };
        if self.failure.is_none() {
            // Nothing was recorded: the feed is due again at once.
            self.report.next_due = None;
        }
    }
}

/// The feeds written since the last commit, and the reports of those committed.
struct Reports<'o> {
    observer: &'o mut dyn Observer,
    pending: Vec<Pending>,
    done: Vec<FeedReport>,
}

impl Reports<'_> {
    /// A report that needs no commit (a feed skipped).
    fn now(&mut self, report: FeedReport) {
        self.observer.feed_done(&report);
        self.done.push(report);
    }

    /// Commits the open batch and hands its feeds' reports over. A damaged
    /// store stops the run; any other failure to commit is each feed's.
    fn commit(&mut self, batch: &mut Batcher<'_>) -> Result<(), Error> {
        match batch.commit() {
            Ok(()) => {}
            Err(err) if err.is_corrupt() => return Err(err.into()),
            Err(err) => self.pending.iter_mut().for_each(|p| p.not_stored(&err)),
        }
        for pending in std::mem::take(&mut self.pending) {
            self.now(pending.report);
        }
        Ok(())
    }
}

/// Fetches, parses and stores every subscription that is due (see
/// [`Schedule::waiting`]; `interval` is how often the planet is updated, if
/// it runs on a schedule) and records when each is due next; returns one
/// report per subscription. Only a failure to set up fetching stops the run:
/// a feed that fails (even in the store) is reported and the others go on.
pub(crate) fn harvest(
    config: &PlanetConfig,
    filters: Arc<Filters>,
    store: &mut dyn Store,
    observer: &mut dyn Observer,
    interval: Option<Duration>,
) -> Result<Vec<FeedReport>, Error> {
    let now = Utc::now();
    let schedule = Schedule {
        interval,
        round: now,
    };
    let mut jobs = Vec::new();
    observer.fetching(config.subscriptions.len());
    let mut reports = Reports {
        observer,
        pending: Vec::new(),
        done: Vec::new(),
    };
    let mut batch = Batcher::new(store, BatchPolicy::default());
    for sub in &config.subscriptions {
        let (previous, failures) = batch
            .store()
            .feed(&sub.url)?
            .map(|f| (f.http, f.health.consecutive_failures))
            .unwrap_or_default();
        if let Some(reason) = schedule.waiting(&previous, now) {
            let report = report(
                sub,
                FeedOutcome::Skipped { reason },
                &previous,
                Duration::ZERO,
            );
            reports.now(report);
        } else if let Location::Unsupported(url) = &sub.location {
            let job = Job {
                sub: sub.clone(),
                previous,
                failures,
            };
            let error = format!("unsupported URL {url:?} (only http, https and local files)");
            let failure = failure(&job, &schedule, now, None, Duration::ZERO, error);
            let pending = write(&mut batch, sub, Write::Failure(failure), Duration::ZERO, 0)?;
            reports.pending.push(pending);
        } else {
            jobs.push(Job {
                sub: sub.clone(),
                previous,
                failures,
            });
        }
    }
    if !jobs.is_empty() {
        fetch_all(config, jobs, filters, schedule, &mut batch, &mut reports)?;
    }
    reports.commit(&mut batch)?;
    match batch.finish() {
        Err(err) if err.is_corrupt() => return Err(err.into()),
        // Only upkeep is left (a checkpoint): everything is committed.
        _ => {}
    }
    let Reports {
        observer,
        done: mut reports,
        ..
    } = reports;
    observer.fetched();
    let order: HashMap<&str, usize> = config
        .subscriptions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.url.as_str(), i))
        .collect();
    reports.sort_by_key(|r| order.get(r.url.as_str()).copied());
    Ok(reports)
}

/// Fetches the jobs concurrently and stores each result as it comes in, in
/// batches committed as the [`BatchPolicy`] says (and at the end).
fn fetch_all(
    config: &PlanetConfig,
    jobs: Vec<Job>,
    filters: Arc<Filters>,
    schedule: Schedule,
    batch: &mut Batcher<'_>,
    reports: &mut Reports<'_>,
) -> Result<(), Error> {
    let budget = config.planet.fetch.max_feed_bytes;
    let fetch = fetch_config(config);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pipeline = Pipeline {
        body_slots: Arc::new(Semaphore::new(fetch.concurrency.saturating_add(2 * cores))),
        memory: Arc::new(Budget::new(DOCUMENT_BYTES)),
        parsers: Arc::new(Semaphore::new(cores)),
        fetcher: Fetcher::new(fetch)?,
        jobs: Arc::new(jobs),
        filters,
        schedule,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let jobs = Arc::clone(&pipeline.jobs);
    let (tx, mut rx) = mpsc::channel(cores);
    runtime.spawn(pipeline.run(tx));
    let result = (|| {
        loop {
            // An open batch is committed when it is due, even while no feed comes in.
            let next = match batch.due_in() {
                None => rx.blocking_recv(),
                // The timer is made inside the runtime, whose clock it needs.
                Some(wait) => {
                    match runtime.block_on(async { tokio::time::timeout(wait, rx.recv()).await }) {
                        Ok(next) => next,
                        Err(_elapsed) => {
                            reports.commit(batch)?;
                            continue;
                        }
                    }
                }
            };
            let Some(done) = next else {
                return Ok(());
            };
            let Some(job) = jobs.get(done.job) else {
                continue;
            };
            let pending = write(batch, &job.sub, done.write, done.elapsed, budget)?;
            reports.pending.push(pending);
            // Only now is the document's memory free (when it still held some).
            drop(done.slot);
            if batch.due() {
                reports.commit(batch)?;
            }
        }
    })();
    // Not dropped, which would wait for every blocking thread: one may be
    // stuck reading a file on a hung mount, long after its feed timed out.
    runtime.shutdown_background();
    result
}

/// The fetcher settings a planet's configuration asks for, so that other
/// tools (`orrery check`) fetch its feeds exactly as a run does.
pub fn fetch_config(config: &PlanetConfig) -> FetchConfig {
    let planet = &config.planet;
    let policy = &planet.fetch;
    FetchConfig {
        user_agent: FetchConfig::user_agent_for(Some(&planet.link)),
        feed_timeout: Duration::from_secs(u64::from(planet.feed_timeout.max(1))),
        max_body_bytes: policy.max_feed_bytes,
        max_redirects: usize::try_from(policy.max_redirects).unwrap_or(usize::MAX),
        concurrency: usize::try_from(policy.concurrency.max(1)).unwrap_or(1),
        per_host_limit: usize::try_from(policy.per_host_limit.max(1)).unwrap_or(1),
        allow_https_downgrade: policy.allow_https_downgrade,
        allow_internal_targets: policy.allow_internal_targets,
        ..FetchConfig::default()
    }
}

/// Bytes of documents (as downloaded) the pipeline holds at once, from their
/// fetch to their write into the store: what bounds a run's memory, however
/// its feeds are spread over hosts. A parsed document costs a few times its
/// size until it is stored; 3 MiB of them keep a 1000-feed cold run under
/// 26 MB of resident memory, and are enough to keep both cores parsing.
const DOCUMENT_BYTES: u64 = 3 << 20;

/// What a document is taken to weigh until its body is in: about the median
/// feed. A fetch only starts while the documents held weigh less than
/// [`DOCUMENT_BYTES`]; the body's real size replaces this guess.
const DOCUMENT_GUESS: u64 = 64 << 10;

/// Fetches, parses and hands over every job, with a bound on the documents
/// alive at once.
///
/// Fetching can outrun parsing (a fast network, big feeds, many hosts), and a
/// downloaded document waiting for a parser is memory: without a bound a
/// planet's whole corpus would pile up. So a job takes a [`Slot`] before its
/// fetch starts and gives it back only once its parsed result has been
/// written (or at once when the answer has no body: a 304, a 410, an error).
/// A slot charges the [`Budget`] with the document's bytes, and a fetch
/// starts only while the budget is not spent. There are also never more
/// slots than the requests the fetcher allows in flight plus a short queue
/// per parser, and the channel to the store writer is bounded too, so
/// parsing waits for it.
struct Pipeline {
    fetcher: Fetcher,
    jobs: Arc<Vec<Job>>,
    filters: Arc<Filters>,
    schedule: Schedule,
    body_slots: Arc<Semaphore>,
    memory: Arc<Budget>,
    /// One parsing thread per core, so that parsing big feeds uses the
    /// machine while slow servers are still being waited for.
    parsers: Arc<Semaphore>,
}

/// The bytes of documents held, against a limit. Only admission waits (for
/// the held bytes to fall below the limit); a document larger than guessed
/// is charged in full at once, so no job ever waits while holding memory and
/// the pipeline cannot deadlock. The limit can be overshot by what the jobs
/// admitted meanwhile weigh beyond their guess.
struct Budget {
    limit: u64,
    held: std::sync::Mutex<u64>,
    freed: Notify,
}

impl Budget {
    fn new(limit: u64) -> Self {
        Budget {
            limit,
            held: std::sync::Mutex::new(0),
            freed: Notify::new(),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, u64> {
        // The counter stays right even if a holder panicked.
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until the documents held weigh less than the limit, then
    /// charges `bytes` to the slot returned.
    async fn admit(self: &Arc<Self>, bytes: u64, count: OwnedSemaphorePermit) -> Slot {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before the check, so a release in between is not missed.
            freed.as_mut().enable();
            {
                let mut held = self.held();
                if *held < self.limit {
                    *held = held.saturating_add(bytes);
                    return Slot {
                        budget: Arc::clone(self),
                        bytes,
                        _count: count,
                    };
                }
            }
            freed.await;
        }
    }
}

/// A job's share of the [`Budget`] (and one of the counted slots), given
/// back when dropped.
struct Slot {
    budget: Arc<Budget>,
    bytes: u64,
    _count: OwnedSemaphorePermit,
}

impl Slot {
    /// Charges the document's real size instead of the guess.
    fn weigh(&mut self, bytes: u64) {
        {
            let mut held = self.budget.held();
            *held = held.saturating_sub(self.bytes).saturating_add(bytes);
        }
        let lighter = bytes < self.bytes;
        self.bytes = bytes;
        if lighter {
            self.budget.freed.notify_waiters();
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        {
            let mut held = self.budget.held();
            *held = held.saturating_sub(self.bytes);
        }
        self.budget.freed.notify_waiters();
    }
}

impl Pipeline {
    async fn run(self, tx: mpsc::Sender<Harvested>) {
        let this = Arc::new(self);
        for job in by_host_in_turn(&this.jobs) {
            let Ok(count) = Arc::clone(&this.body_slots).acquire_owned().await else {
                return;
            };
            let slot = this.memory.admit(DOCUMENT_GUESS, count).await;
            // A task per job, so that the next job can queue for its slot
            // while this one is fetched, parsed and waits for the writer.
            tokio::spawn(Arc::clone(&this).harvest_one(job, slot, tx.clone()));
        }
    }

    async fn harvest_one(self: Arc<Self>, job: usize, mut slot: Slot, tx: mpsc::Sender<Harvested>) {
        let Some(j) = self.jobs.get(job) else {
            return;
        };
        let outcome = self.fetcher.fetch_one(request(job, j)).await;
        let slot = match &outcome.result {
            Ok(Fetched {
                content: Content::Body(body),
                ..
            }) => {
                slot.weigh(u64::try_from(body.len()).unwrap_or(u64::MAX));
                Some(slot)
            }
            _ => None,
        };
        let Ok(parser) = Arc::clone(&self.parsers).acquire_owned().await else {
            return;
        };
        let elapsed = outcome.elapsed;
        let this = Arc::clone(&self);
        let parsed = tokio::task::spawn_blocking(move || {
            let j = this.jobs.get(job)?;
            let now = Utc::now();
            let took = chrono::Duration::from_std(outcome.elapsed).unwrap_or_default();
            let at = now.checked_sub_signed(took).unwrap_or(now);
            let schedule = &this.schedule;
            let result = catch_unwind(AssertUnwindSafe(|| {
                process(j, outcome, &this.filters, schedule, at)
            }));
            Some(result.unwrap_or_else(|_| {
                Write::Failure(failure(
                    j,
                    schedule,
                    at,
                    None,
                    Duration::ZERO,
                    "internal error while reading the feed".into(),
                ))
            }))
        })
        .await;
        drop(parser);
        if let Ok(Some(write)) = parsed {
            let _ = tx
                .send(Harvested {
                    job,
                    write,
                    elapsed,
                    slot,
                })
                .await;
        }
    }
}

fn request(key: usize, job: &Job) -> FetchRequest<usize> {
    FetchRequest {
        key,
        url: match &job.sub.location {
            Location::Http(url) | Location::Unsupported(url) => url.clone(),
            Location::File(path) => path.display().to_string(),
        },
        etag: job.previous.etag.clone(),
        last_modified: job.previous.last_modified.clone(),
        // A remote list is a third party's text: its feeds are not the owner's URLs.
        source: if job.sub.from_remote_list {
            Source::List
        } else {
            Source::Owner
        },
    }
}

/// The jobs' indices, one per host in turn, in subscription order within a
/// turn. Jobs queue for a slot in this order: a run of feeds on one host
/// (held to its per-host limit) would otherwise take every slot while the
/// other hosts sit idle.
fn by_host_in_turn(jobs: &[Job]) -> Vec<usize> {
    in_turns(jobs.iter().map(|job| {
        match &job.sub.location {
            Location::Http(url) => Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned)),
            Location::File(_) | Location::Unsupported(_) => None,
        }
    }))
}

/// Indices of `keys` ordered by how many earlier items share their key, then
/// by position: the first of each key, then the second of each, and so on.
fn in_turns<K: Hash + Eq>(keys: impl IntoIterator<Item = K>) -> Vec<usize> {
    let mut seen: HashMap<K, usize> = HashMap::new();
    let mut order: Vec<(usize, usize)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, key)| {
            let count = seen.entry(key).or_insert(0);
            let turn = *count;
            *count += 1;
            (turn, i)
        })
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, i)| i).collect()
}

/// Turns one fetch outcome into what to store.
fn process(
    job: &Job,
    outcome: FetchOutcome<usize>,
    filters: &Filters,
    schedule: &Schedule,
    at: DateTime<Utc>,
) -> Write {
    let elapsed = outcome.elapsed;
    let fetched = match outcome.result {
        Ok(fetched) => fetched,
        Err(err) => return Write::Failure(fetch_failure(job, schedule, at, elapsed, &err)),
    };
    // A 304 repeats no document, so the last copy's ttl still holds.
    let mut http = HttpState {
        etag: fetched.etag.clone(),
        last_modified: fetched.last_modified.clone(),
        final_url: Some(fetched.final_url.to_string()),
        permanent_redirect: fetched.permanent_redirect.as_ref().map(ToString::to_string),
        gone: false,
        next_fetch_after: None,
        next_fetch_reason: None,
        feed_ttl: job.previous.feed_ttl,
    };
    let mut hints = Hints {
        cache_control: fetched.cache_control.as_deref(),
        expires: fetched.expires,
        ttl: http.feed_ttl,
    };
    let record = |bytes: usize| FetchRecord {
        at,
        http_status: Some(fetched.status),
        duration_ms: millis(elapsed),
        bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
    };
    let body = match &fetched.content {
        Content::NotModified => {
            set_due(&mut http, schedule.after_success(at, &hints));
            let update = FeedUpdate {
                url: job.sub.url.clone(),
                metadata: None,
                http,
                fetch: record(0),
                entries: Vec::new(),
                keep: None,
                keep_bytes: None,
            };
            return Write::Update {
                update: Box::new(update),
                filtered: 0,
                capped: None,
            };
        }
        Content::Gone => {
            let mut fail = failure(
                job,
                schedule,
                at,
                Some(410),
                elapsed,
                "gone: the server answered 410 Gone; it will not be fetched again".into(),
            );
            fail.http.gone = true;
            set_due(&mut fail.http, None);
            fail.http.permanent_redirect = http.permanent_redirect;
            return Write::Failure(fail);
        }
        Content::Body(body) => body,
    };
    let mut parsed = parse(job, &fetched, body);
    let bytes = body.len();
    // What was understood of the document is all that is needed from now on.
    drop(fetched.content);
    if parsed.version.is_empty() && parsed.entries.is_empty() {
        let why = parsed
            .bozo_exception
            .as_deref()
            .unwrap_or("no feed elements found");
        let reason = format!("not a feed ({why})");
        let status = Some(fetched.status);
        return Write::Failure(failure(job, schedule, at, status, elapsed, reason));
    }
    http.feed_ttl = parsed.feed.ttl.as_deref().and_then(schedule::ttl);
    hints.ttl = http.feed_ttl;
    set_due(&mut http, schedule.after_success(at, &hints));
    let metadata = normalize::feed_metadata(&parsed);
    let capped = parsed.capped.take();
    let entries = normalize::take_entries(&mut parsed, &job.sub, at);
    drop(parsed);
    let total = entries.len();
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|e| filters.keeps(&job.sub.url, e))
        .collect();
    let update = FeedUpdate {
        url: job.sub.url.clone(),
        metadata: Some(metadata),
        http,
        fetch: record(bytes),
        entries,
        keep: None,
        keep_bytes: None,
    };
    Write::Update {
        filtered: total - update.entries.len(),
        update: Box::new(update),
        capped,
    }
}

/// Parses the document once, HTML kept as found, then sanitizes its text
/// constructs against the base `xml_base` chooses.
fn parse(job: &Job, fetched: &Fetched, body: &[u8]) -> ParsedFeed {
    let headers: Vec<(String, String)> = [
        ("content-type", &fetched.content_type),
        ("content-location", &fetched.content_location),
        ("content-language", &fetched.content_language),
        ("etag", &fetched.etag),
        ("last-modified", &fetched.last_modified),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| (name.to_owned(), v.clone())))
    .collect();
    // A local file's path is no base to publish: links relative to it would
    // point into this machine's file system. They stay as written.
    let url = match fetched.final_url.scheme() {
        "file" => None,
        _ => Some(fetched.final_url.to_string()),
    };
    let options = ParseOptions {
        url: url.clone(),
        headers,
        html: HtmlMode::AsIs,
        ..ParseOptions::default()
    };
    let mut parsed = orrery_feed::parse(body, &options);
    let norm = &job.sub.normalization;
    let xml_base = XmlBase::of(norm, &parsed, url.as_deref().unwrap_or_default());
    rebase::sanitize_document(&mut parsed, &xml_base);
    if !norm.ignore_in_feed.is_empty() {
        normalize::apply_ignore_in_feed(&mut parsed, &norm.ignore_in_feed);
    }
    parsed
}

fn fetch_failure(
    job: &Job,
    schedule: &Schedule,
    at: DateTime<Utc>,
    elapsed: Duration,
    err: &FetchError,
) -> FeedFailure {
    let status = match err {
        FetchError::Status { status, .. } => Some(*status),
        _ => None,
    };
    let mut fail = failure(job, schedule, at, status, elapsed, err.to_string());
    let due = schedule.after_failure(at, err.retry_after(), job.failures.saturating_add(1));
    set_due(&mut fail.http, due);
    fail
}

/// A failure keeps the validators of the last good copy: if the document
/// changes again the server sends it in full. It is due again after the
/// back-off.
fn failure(
    job: &Job,
    schedule: &Schedule,
    at: DateTime<Utc>,
    status: Option<u16>,
    elapsed: Duration,
    error: String,
) -> FeedFailure {
    let mut http = HttpState {
        gone: false,
        ..job.previous.clone()
    };
    set_due(
        &mut http,
        schedule.after_failure(at, None, job.failures.saturating_add(1)),
    );
    FeedFailure {
        url: job.sub.url.clone(),
        error,
        http,
        fetch: FetchRecord {
            at,
            http_status: status,
            duration_ms: millis(elapsed),
            bytes: 0,
        },
    }
}

fn set_due(http: &mut HttpState, due: Option<Due>) {
    http.next_fetch_after = due.map(|d| d.at);
    http.next_fetch_reason = due.map(|d| d.reason);
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Writes one feed's result (atomically, in the open batch) and says how it
/// went, if the batch is committed.
/// The feed keeps at most `budget` bytes of entries, newest first: what one
/// document may bring, so that no feed outgrows that run after run.
/// A damaged store stops the run (`Err`): any other store failure is the feed's.
fn write(
    store: &mut Batcher<'_>,
    sub: &Subscription,
    write: Write,
    elapsed: Duration,
    budget: u64,
) -> Result<Pending, Error> {
    let mut failed = None;
    let (outcome, http) = match write {
        Write::Update {
            mut update,
            filtered,
            capped,
        } => {
            update.keep_bytes = Some(budget);
            let applied = match store.apply_feed(&update) {
                Err(err) if err.is_corrupt() => return Err(err.into()),
                applied => applied,
            };
            if applied.is_err() {
                // Nothing was recorded: the feed is due again at once.
                update.http.next_fetch_after = None;
                update.http.next_fetch_reason = None;
            }
            let outcome = match applied {
                Ok(_) if update.metadata.is_none() => FeedOutcome::NotModified,
                Ok(applied) => FeedOutcome::Updated {
                    entries: update.entries.len() + filtered,
                    filtered,
                    new: applied.new,
                    changed: applied.updated,
                    problem: applied.problem(),
                    capped,
                },
                Err(err) => FeedOutcome::Failed {
                    reason: format!("not stored: {err}"),
                },
            };
            (outcome, update.http)
        }
        Write::Failure(failure) => {
            let reason = match store.record_failure(&failure) {
                Ok(()) => {
                    failed = Some(failure.error.clone());
                    failure.error
                }
                Err(err) if err.is_corrupt() => return Err(err.into()),
                Err(err) => format!("{} (and not recorded: {err})", failure.error),
            };
            (FeedOutcome::Failed { reason }, failure.http)
        }
    };
    Ok(Pending {
        report: report(sub, outcome, &http, elapsed),
        failure: failed,
    })
}

/// The report of one feed, whose fetch state is now `http`.
fn report(
    sub: &Subscription,
    outcome: FeedOutcome,
    http: &HttpState,
    elapsed: Duration,
) -> FeedReport {
    FeedReport {
        url: sub.url.clone(),
        name: sub.name.clone(),
        outcome,
        moved_to: http.permanent_redirect.clone(),
        elapsed,
        next_due: http
            .next_fetch_after
            .zip(http.next_fetch_reason)
            .map(|(at, reason)| Due { at, reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::in_turns;

    #[test]
    fn in_turns_takes_one_per_key_in_each_turn() {
        let hosts = ["a", "a", "a", "b", "c", "b"];
        assert_eq!(in_turns(hosts), [0, 3, 4, 1, 5, 2]);
        assert_eq!(in_turns(["x"; 3]), [0, 1, 2]);
        assert!(in_turns(Vec::<&str>::new()).is_empty());
    }
}
