//! The scheduler's rules against a fake browser whose sites hang, crash, fail once, or panic on
//! cue (by the first label of their host name), so that every rule is checked quickly and
//! without Chromium. Time is paused: the clock jumps to the next timer whenever every task
//! waits, so the deadlines and delays below order events exactly, however loaded the machine. `tests/crawl.rs` checks the same against the real browser.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::driver::Driver;
use super::scheduler::{Limits, Scheduler};
use super::*;
use crate::evaluate::{refused_report, Evaluation, Screenshots};
use crate::model::{ErrorInfo, SiteReport, Status};

/// A result document with status ok and nothing observed.
pub(super) fn ok_report(url: &str) -> SiteReport {
    let mut report = refused_report(url, &Error::Interrupted, None, &EvaluateOptions::default());
    report.status = Status::Ok;
    report.error = None;
    report
}

fn error_report(url: &str, kind: &str) -> SiteReport {
    let mut report = ok_report(url);
    report.status = Status::Error;
    report.error = Some(ErrorInfo {
        kind: kind.into(),
        message: format!("{kind} (fake)"),
    });
    report
}

/// How long a `slow` site takes; ordinary sites take 10 ms.
const SLOW: Duration = Duration::from_millis(150);
/// How long a `long` site takes on its first visit (later visits are quick).
const LONG: Duration = Duration::from_secs(2);

struct FakeBrowser {
    pid: u32,
    alive: AtomicBool,
    in_flight: AtomicUsize,
}

/// Everything the fake browsers did, for the tests to check.
#[derive(Default)]
struct World {
    launches: AtomicUsize,
    kills: AtomicUsize,
    closes: AtomicUsize,
    attempts: Mutex<HashMap<String, u32>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    most_in_one_browser: AtomicUsize,
    fail_launch: AtomicBool,
}

impl World {
    fn attempts(&self, url: &str) -> u32 {
        self.attempts
            .lock()
            .map(|a| a.get(url).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

/// Counts a visit as running for as long as it lives, even when it is cut off.
struct Visiting {
    world: Arc<World>,
    browser: Arc<FakeBrowser>,
}

impl Visiting {
    fn enter(world: Arc<World>, browser: Arc<FakeBrowser>) -> Visiting {
        let total = world.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        world.most_in_flight.fetch_max(total, Ordering::SeqCst);
        let here = browser.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        world.most_in_one_browser.fetch_max(here, Ordering::SeqCst);
        Visiting { world, browser }
    }
}

impl Drop for Visiting {
    fn drop(&mut self) {
        self.world.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.browser.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

struct FakeDriver {
    world: Arc<World>,
}

fn behaviour(url: &str) -> &str {
    url.trim_start_matches("https://")
        .split(['.', '/'])
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| c.is_ascii_digit())
}

impl Driver for FakeDriver {
    type Browser = FakeBrowser;

    fn launch(&self) -> impl Future<Output = Result<FakeBrowser>> + Send {
        let world = self.world.clone();
        async move {
            if world.fail_launch.load(Ordering::SeqCst) {
                return Err(Error::BrowserNotFound);
            }
            let n = world.launches.fetch_add(1, Ordering::SeqCst);
            Ok(FakeBrowser {
                pid: 1000 + n as u32,
                alive: AtomicBool::new(true),
                in_flight: AtomicUsize::new(0),
            })
        }
    }

    fn evaluate(
        &self,
        browser: Arc<FakeBrowser>,
        url: String,
    ) -> impl Future<Output = Evaluation> + Send + 'static {
        let world = self.world.clone();
        async move {
            let attempt = {
                let mut attempts = world.attempts.lock().unwrap_or_else(|e| e.into_inner());
                let n = attempts.entry(url.clone()).or_insert(0);
                *n += 1;
                *n
            };
            let _visiting = Visiting::enter(world.clone(), browser.clone());
            let report = match behaviour(&url) {
                "hang" => std::future::pending().await,
                "slow" => {
                    tokio::time::sleep(SLOW).await;
                    ok_report(&url)
                }
                "long" if attempt == 1 => {
                    tokio::time::sleep(LONG).await;
                    ok_report(&url)
                }
                "flaky" if attempt == 1 => error_report(&url, "browser_crashed"),
                "crash" => error_report(&url, "renderer_crashed"),
                "dns" => error_report(&url, "dns"),
                "panic" => panic!("the fake evaluation of {url} panics"),
                "killer" => {
                    browser.alive.store(false, Ordering::SeqCst);
                    error_report(&url, "browser_crashed")
                }
                _ => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ok_report(&url)
                }
            };
            let report = if browser.alive.load(Ordering::SeqCst) {
                report
            } else {
                error_report(&url, "browser_crashed")
            };
            Evaluation {
                report,
                screenshots: Screenshots::default(),
            }
        }
    }

    fn is_alive(&self, browser: &FakeBrowser) -> bool {
        browser.alive.load(Ordering::SeqCst)
    }

    fn kill(&self, browser: &FakeBrowser) {
        if browser.alive.swap(false, Ordering::SeqCst) {
            self.world.kills.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn close(&self, browser: FakeBrowser) -> impl Future<Output = ()> + Send {
        if browser.alive.swap(false, Ordering::SeqCst) {
            self.world.closes.fetch_add(1, Ordering::SeqCst);
        }
        async {}
    }

    fn pid(&self, browser: &FakeBrowser) -> u32 {
        browser.pid
    }

    fn refusal(&self, url: &str) -> Option<SiteReport> {
        (!url.starts_with("https://")).then(|| error_report(url, "forbidden_scheme"))
    }

    fn error_report(
        &self,
        _browser: Option<&FakeBrowser>,
        url: &str,
        error: ErrorInfo,
    ) -> SiteReport {
        let mut report = ok_report(url);
        report.status = Status::Error;
        report.error = Some(error);
        report
    }
}

/// Records what the crawl hands over; fails on the `fail_on`-th finished site when asked.
#[derive(Default)]
struct Recorder {
    started: Vec<String>,
    finished: Vec<SiteReport>,
    fail_on: Option<usize>,
}

impl CrawlSink for Recorder {
    fn site_started(&mut self, url: &str) -> Result<()> {
        self.started.push(url.to_string());
        Ok(())
    }

    fn site_finished(&mut self, evaluation: Evaluation) -> Result<()> {
        if self.fail_on == Some(self.finished.len() + 1) {
            return Err(Error::Store {
                path: "fake.sqlite".into(),
                message: "disk full (fake)".into(),
            });
        }
        self.finished.push(evaluation.report);
        Ok(())
    }
}

impl Recorder {
    fn result(&self, url: &str) -> &SiteReport {
        let mut matching = self.finished.iter().filter(|r| r.url == url);
        let report = matching.next().unwrap_or_else(|| panic!("{url} finished"));
        assert!(matching.next().is_none(), "{url} finished twice");
        report
    }

    fn error_kind(&self, url: &str) -> Option<&str> {
        self.result(url).error.as_ref().map(|e| e.kind.as_str())
    }

    fn starts(&self, url: &str) -> usize {
        self.started.iter().filter(|u| *u == url).count()
    }
}

fn limits(workers: usize, contexts_per_browser: usize) -> Limits {
    Limits {
        workers,
        contexts_per_browser,
        recycle_after_sites: 1000,
        site_deadline: Duration::from_millis(300),
        retries: 1,
    }
}

fn scheduler(limits: Limits) -> (Scheduler<FakeDriver>, Arc<World>) {
    let world = Arc::new(World::default());
    let driver = FakeDriver {
        world: world.clone(),
    };
    (Scheduler::new(driver, limits), world)
}

fn urls(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("https://{n}.test/")).collect()
}

/// Runs one crawl, bounded in time so that a scheduling bug fails the test instead of hanging it.
async fn run(
    scheduler: &mut Scheduler<FakeDriver>,
    urls: Vec<String>,
    sink: &mut Recorder,
) -> Result<CrawlSummary> {
    let progress = Progress::new();
    tokio::time::timeout(
        Duration::from_secs(20),
        scheduler.crawl(urls, sink, &StopSignal::new(), &progress),
    )
    .await
    .expect("the crawl ends")
}

#[test]
fn workers_are_spread_over_browsers_of_contexts_per_browser() {
    assert_eq!(limits(5, 2).lane_capacities(), vec![2, 2, 1]);
    assert_eq!(limits(4, 1).lane_capacities(), vec![1, 1, 1, 1]);
    assert_eq!(limits(1, 4).lane_capacities(), vec![1]);
    assert_eq!(limits(0, 0).lane_capacities(), vec![1]);
}

#[test]
fn options_that_cannot_run_are_refused() {
    let ok = CrawlOptions::default();
    assert!(ok.validate().is_ok());
    assert!(ok.workers >= 1);
    for broken in [
        CrawlOptions {
            workers: 0,
            ..CrawlOptions::default()
        },
        CrawlOptions {
            contexts_per_browser: 0,
            ..CrawlOptions::default()
        },
        CrawlOptions {
            recycle_after_sites: 0,
            ..CrawlOptions::default()
        },
        CrawlOptions {
            site_deadline_ms: 0,
            ..CrawlOptions::default()
        },
    ] {
        let error = broken.validate().expect_err("refused");
        assert_eq!(error.kind(), "config");
        assert!(Crawler::new(broken).is_err());
    }
}

#[test]
fn the_recorded_configuration_is_json_with_the_schedule() {
    let options = CrawlOptions {
        workers: 5,
        contexts_per_browser: 2,
        ..CrawlOptions::default()
    };
    let config: serde_json::Value = serde_json::from_str(&options.to_config_json()).expect("JSON");
    assert_eq!(config["workers"], 5);
    assert_eq!(config["browsers"], 3);
    assert_eq!(config["retries"], 1);
    assert_eq!(config["evaluate"]["explore"], true);
    assert_eq!(config["browser"]["locale"], "en-GB");
}

#[tokio::test(start_paused = true)]
async fn every_site_is_finished_once_within_the_concurrency_limits() {
    let (mut scheduler, world) = scheduler(limits(3, 2));
    let names: Vec<String> = (0..30).map(|i| format!("site{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut sink = Recorder::default();
    let summary = run(&mut scheduler, urls(&names), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(sink.finished.len(), 30);
    for url in urls(&names) {
        assert_eq!(sink.result(&url).status, Status::Ok);
        assert_eq!(sink.starts(&url), 1);
    }
    assert_eq!(summary.sites, 30);
    assert_eq!(summary.succeeded, 30);
    assert_eq!(summary.failed, 0);
    assert!(!summary.stopped);
    assert_eq!(summary.browsers_launched, 2, "3 workers at 2 contexts each");
    assert_eq!(summary.browser_pids.len(), 2);
    assert!(world.most_in_flight.load(Ordering::SeqCst) <= 3);
    assert!(world.most_in_one_browser.load(Ordering::SeqCst) <= 2);
    assert!(
        world.most_in_flight.load(Ordering::SeqCst) >= 2,
        "visits ran concurrently"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hanging_site_is_cut_off_at_the_deadline_and_its_browser_killed() {
    let (mut scheduler, world) = scheduler(limits(2, 1));
    let mut sink = Recorder::default();
    let all = urls(&["hang", "a", "b", "c", "d", "e"]);
    let summary = run(&mut scheduler, all.clone(), &mut sink)
        .await
        .expect("crawl");
    let hang = &all[0];
    let report = sink.result(hang);
    assert_eq!(sink.error_kind(hang), Some("timeout"));
    let message = &report.error.as_ref().expect("error").message;
    assert!(
        message.contains("per-site deadline") && message.contains("300 ms"),
        "{message}"
    );
    assert!(report.metrics.duration_ms.is_some_and(|ms| ms >= 300));
    // Tried once more (retries: 1), each time killing its browser.
    assert_eq!(sink.starts(hang), 2);
    assert_eq!(world.attempts(hang), 2);
    assert_eq!(summary.retried, 1);
    assert_eq!(summary.browsers_killed, 2);
    assert_eq!(world.kills.load(Ordering::SeqCst), 2);
    for url in &all[1..] {
        assert_eq!(sink.result(url).status, Status::Ok, "{url}");
    }
    assert_eq!(summary.succeeded, 5);
    assert_eq!(summary.failed, 1);
}

#[tokio::test(start_paused = true)]
async fn visits_killed_with_a_hung_browser_are_visited_again_without_charge() {
    // One browser with two contexts. The hang starts at once, beside a slow site; the long
    // site takes the slow one's place 150 ms later, so that it is running (and its own deadline
    // 150 ms away) when the hang's deadline kills the browser.
    let mut limits = limits(2, 2);
    limits.site_deadline = Duration::from_millis(400);
    limits.retries = 0;
    let (mut scheduler, world) = scheduler(limits);
    let mut sink = Recorder::default();
    let all = urls(&["hang", "slow", "long"]);
    let summary = run(&mut scheduler, all.clone(), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(sink.error_kind(&all[0]), Some("timeout"));
    assert_eq!(summary.abandoned, 1, "{summary:?}");
    assert_eq!(sink.starts(&all[1]), 1);
    // Cut off once, then visited again: with no retries allowed, a charged failure would have
    // been final.
    assert_eq!(sink.starts(&all[2]), 2);
    assert_eq!(world.attempts(&all[2]), 2);
    assert_eq!(sink.result(&all[2]).status, Status::Ok);
    assert_eq!(summary.browsers_launched, 2);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_and_the_sites_own_are_not() {
    let mut limits = limits(2, 1);
    limits.retries = 2;
    let (mut scheduler, _world) = scheduler(limits);
    let mut sink = Recorder::default();
    let all = urls(&["flaky", "dns", "crash"]);
    let summary = run(&mut scheduler, all.clone(), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(sink.result(&all[0]).status, Status::Ok);
    assert_eq!(sink.starts(&all[0]), 2);
    assert_eq!(sink.error_kind(&all[1]), Some("dns"));
    assert_eq!(sink.starts(&all[1]), 1);
    // Retries used up: the last attempt's failure is the result.
    assert_eq!(sink.error_kind(&all[2]), Some("renderer_crashed"));
    assert_eq!(sink.starts(&all[2]), 3);
    assert_eq!(summary.retried, 1 + 2);
}

#[tokio::test(start_paused = true)]
async fn browsers_are_recycled_every_k_visits() {
    let mut limits = limits(1, 1);
    limits.recycle_after_sites = 3;
    let (mut scheduler, world) = scheduler(limits);
    let mut sink = Recorder::default();
    let names: Vec<String> = (0..10).map(|i| format!("site{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let summary = run(&mut scheduler, urls(&names), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(summary.succeeded, 10);
    assert_eq!(summary.browsers_launched, 4, "10 visits, 3 per browser");
    assert_eq!(world.closes.load(Ordering::SeqCst), 3);
    scheduler.close().await;
    assert_eq!(world.closes.load(Ordering::SeqCst), 4);
    assert_eq!(world.kills.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_browser_that_died_is_replaced() {
    let mut limits = limits(1, 1);
    limits.retries = 0;
    let (mut scheduler, _world) = scheduler(limits);
    let mut sink = Recorder::default();
    let all = urls(&["killer", "after"]);
    let summary = run(&mut scheduler, all.clone(), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(sink.error_kind(&all[0]), Some("browser_crashed"));
    assert_eq!(sink.result(&all[1]).status, Status::Ok);
    assert_eq!(summary.browsers_launched, 2);
}

#[tokio::test(start_paused = true)]
async fn refused_urls_are_finished_without_a_browser() {
    let (mut scheduler, world) = scheduler(limits(2, 1));
    let mut sink = Recorder::default();
    let summary = run(&mut scheduler, vec!["file:///etc/passwd".into()], &mut sink)
        .await
        .expect("crawl");
    assert_eq!(
        sink.error_kind("file:///etc/passwd"),
        Some("forbidden_scheme")
    );
    assert!(sink.started.is_empty());
    assert_eq!(world.launches.load(Ordering::SeqCst), 0);
    assert_eq!(summary.failed, 1);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_evaluation_fails_its_site_and_the_crawl_goes_on() {
    let (mut scheduler, _world) = scheduler(limits(1, 1));
    let mut sink = Recorder::default();
    let all = urls(&["panic", "fine"]);
    run(&mut scheduler, all.clone(), &mut sink)
        .await
        .expect("crawl");
    assert_eq!(sink.error_kind(&all[0]), Some(INTERNAL_ERROR_KIND));
    let message = &sink.result(&all[0]).error.as_ref().expect("error").message;
    assert!(message.contains("panics"), "{message}");
    assert_eq!(sink.starts(&all[0]), 1, "a bug is not retried");
    assert_eq!(sink.result(&all[1]).status, Status::Ok);
}

#[tokio::test(start_paused = true)]
async fn a_stop_abandons_running_visits_and_kills_the_browsers() {
    let mut patient = limits(2, 1);
    patient.site_deadline = Duration::from_secs(60);
    let (mut scheduler, world) = scheduler(patient);
    let stop = StopSignal::new();
    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stopper.stop();
    });
    let mut sink = Recorder::default();
    let progress = Progress::new();
    let summary = tokio::time::timeout(
        Duration::from_secs(5),
        scheduler.crawl(
            urls(&["hang1", "hang2", "hang3"]),
            &mut sink,
            &stop,
            &progress,
        ),
    )
    .await
    .expect("a stopped crawl returns promptly")
    .expect("a stop is not an error");
    assert!(summary.stopped);
    assert!(sink.finished.is_empty());
    assert_eq!(sink.started.len(), 2, "two visits were running");
    assert_eq!(world.kills.load(Ordering::SeqCst), 2);
    assert_eq!(world.in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failing_sink_ends_the_crawl_with_its_error() {
    let (mut scheduler, world) = scheduler(limits(1, 1));
    let mut sink = Recorder {
        fail_on: Some(2),
        ..Recorder::default()
    };
    let error = run(&mut scheduler, urls(&["a", "b", "c", "d"]), &mut sink)
        .await
        .expect_err("the sink's error");
    assert_eq!(error.kind(), "store");
    assert_eq!(sink.finished.len(), 1);
    assert_eq!(world.in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_browser_that_cannot_start_ends_the_crawl() {
    let (mut scheduler, world) = scheduler(limits(2, 1));
    world.fail_launch.store(true, Ordering::SeqCst);
    let mut sink = Recorder::default();
    let error = run(&mut scheduler, urls(&["a", "b"]), &mut sink)
        .await
        .expect_err("no browser, no crawl");
    assert_eq!(error.kind(), "browser_not_found");
    assert!(sink.finished.is_empty());
}

#[tokio::test(start_paused = true)]
async fn browsers_are_kept_between_crawls_until_closed() {
    let (mut scheduler, world) = scheduler(limits(1, 1));
    for batch in [["a", "b"], ["c", "d"]] {
        let mut sink = Recorder::default();
        let summary = run(&mut scheduler, urls(&batch), &mut sink)
            .await
            .expect("crawl");
        assert_eq!(summary.succeeded, 2);
    }
    assert_eq!(world.launches.load(Ordering::SeqCst), 1);
    assert_eq!(world.closes.load(Ordering::SeqCst), 0);
    scheduler.close().await;
    assert_eq!(world.closes.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn progress_counts_what_the_crawl_did() {
    let (mut scheduler, _world) = scheduler(limits(2, 1));
    let mut sink = Recorder::default();
    let progress = Progress::new();
    scheduler
        .crawl(
            urls(&["a", "dns", "flaky"]),
            &mut sink,
            &StopSignal::new(),
            &progress,
        )
        .await
        .expect("crawl");
    let snapshot = progress.snapshot();
    assert_eq!(snapshot.queued, 3);
    assert_eq!(snapshot.succeeded, 2);
    assert_eq!(snapshot.failed, 1);
    assert_eq!(snapshot.retried, 1);
    assert_eq!(snapshot.in_flight, 0);
}
