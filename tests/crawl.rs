//! Crawls of fixture sites into a study with real Chromiums: every site written exactly once, a
//! hanging page and a crashing renderer failed with their kinds while the others complete, a
//! stopped crawl resumed without loss or duplicates, a Chromium killed mid-crawl replaced, a
//! disk that fills up mid-crawl reported clearly and the crawl resumed once space is back, and
//! no Chromium left behind.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consentlens::browser::BrowserOptions;
use consentlens::crawl::{crawl_study, CrawlOptions, CrawlSummary, Crawler, Progress, StopSignal};
use consentlens::evaluate::EvaluateOptions;
use consentlens::store::Study;
use consentlens::visit::VisitOptions;
use consentlens::webserver::WebServer;

/// Pages written at test time. The crashing page runs out of memory (with the heap limit below)
/// just after `load`, while three requests that never end keep the visit settling, so that the
/// crash is seen: today a renderer that dies during the navigation itself, or after the page has
/// settled, leaves the visit waiting on DevTools until the deadline (see the report to the lead).
const CRASHING_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <script>addEventListener('load', function () {\
    for (var i = 0; i < 3; i++) { fetch('/__cl/hang?' + i); }\
    setTimeout(function () { var keep = []; for (;;) { keep.push(new Array(1e7).fill(1.5)); } }, 100);\
    });</script></head><body>crash</body></html>";
const BUSY_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <script>for (;;) {}</script></head><body>busy</body></html>";
/// A page whose visit settles for the longest settle time: a request that never ends keeps it
/// busy, so that its visit is still running when the test kills the browser under it.
const SETTLING_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <script>fetch('/__cl/hang');</script></head><body>settling</body></html>";
/// V8's heap limit in the test's renderers, so that the crashing page crashes in a second.
const SMALL_HEAP: &str = "--js-flags=--max-old-space-size=32";

fn hostile_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp root");
    for (host, page) in [
        ("crash.test", CRASHING_PAGE),
        ("busy.test", BUSY_PAGE),
        ("settling.test", SETTLING_PAGE),
    ] {
        let folder = root.path().join(host);
        std::fs::create_dir_all(&folder).expect("host folder");
        std::fs::write(folder.join("index.html"), page).expect("page");
    }
    root
}

/// The fixture sites and the pages above, served together (the pages' folder lives as long as
/// the returned guard).
async fn fixture_web_with_test_pages() -> (tempfile::TempDir, WebServer) {
    let pages = hostile_root();
    let server = WebServer::start(vec![common::sites_root(), pages.path().to_path_buf()])
        .await
        .expect("fixture server");
    (pages, server)
}

fn options(server: &WebServer, workers: usize, site_deadline_ms: u64) -> CrawlOptions {
    let mut extra_args = common::fixture_args(server);
    extra_args.push(SMALL_HEAP.into());
    CrawlOptions {
        workers,
        contexts_per_browser: 1,
        recycle_after_sites: 100,
        site_deadline_ms,
        retries: 1,
        browser: BrowserOptions {
            extra_args,
            ..BrowserOptions::default()
        },
        evaluate: EvaluateOptions {
            visit: VisitOptions {
                // Longer than the deadline: a hang must be cut off by the deadline itself.
                timeout_ms: 60_000,
                settle_ms: 3_000,
                ..VisitOptions::default()
            },
            banner_wait_ms: 0,
            explore: false,
            ..EvaluateOptions::default()
        },
    }
}

fn quiet_urls(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("https://quiet.test/?n={i}"))
        .collect()
}

/// `(url, status, error_kind, attempts)` of every site in the study.
fn sites(study_path: &Path) -> Vec<(String, String, Option<String>, i64)> {
    let conn = rusqlite::Connection::open(study_path).expect("study readable");
    let mut statement = conn
        .prepare("SELECT url, status, error_kind, attempts FROM sites ORDER BY position")
        .expect("query");
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows read")
}

fn site<'a>(
    rows: &'a [(String, String, Option<String>, i64)],
    url: &str,
) -> &'a (String, String, Option<String>, i64) {
    let mut matching = rows.iter().filter(|row| row.0 == url);
    let row = matching
        .next()
        .unwrap_or_else(|| panic!("{url} is in the study"));
    assert!(matching.next().is_none(), "{url} is in the study twice");
    row
}

/// Processes (not zombies) in the process groups of the crawl's Chromiums: each Chromium leads
/// its own group, and its helpers stay in it. Waits a little, since killed processes take a
/// moment to go.
fn surviving_chromium_processes(summary: &CrawlSummary) -> Vec<u32> {
    let groups: HashSet<u32> = summary.browser_pids.iter().copied().collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let survivors = processes_in_groups(&groups);
        if survivors.is_empty() || Instant::now() > deadline {
            return survivors;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn processes_in_groups(groups: &HashSet<u32>) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command name in parentheses: state, ppid, pgrp, …
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let (Some(state), Some(group)) = (fields.first(), fields.get(2)) else {
            continue;
        };
        if *state != "Z" && group.parse::<u32>().is_ok_and(|g| groups.contains(&g)) {
            found.push(pid);
        }
    }
    found
}

async fn crawl_into(
    study_path: &Path,
    urls: &[String],
    options: CrawlOptions,
    stop: &StopSignal,
    progress: &Progress,
) -> CrawlSummary {
    let mut study = Study::open(study_path).expect("study");
    let mut crawler = Crawler::new(options).expect("crawler");
    let summary = crawl_study(&mut crawler, &mut study, urls, stop, progress)
        .await
        .expect("crawl");
    crawler.close().await;
    study.check_integrity().expect("intact study");
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_with_two_workers_writes_every_site_exactly_once() {
    let server = WebServer::start(vec![common::sites_root()])
        .await
        .expect("fixture server");
    let folder = tempfile::tempdir().expect("temp dir");
    let study_path = folder.path().join("study.sqlite");
    let mut urls = quiet_urls(10);
    urls.push("https://skeleton.test/".into());
    // A repeat in the input is one site.
    urls.push(urls[0].clone());

    let summary = crawl_into(
        &study_path,
        &urls,
        options(&server, 2, 60_000),
        &StopSignal::new(),
        &Progress::new(),
    )
    .await;

    assert_eq!(summary.sites, 11);
    assert_eq!(summary.succeeded, 11, "{summary:?}");
    assert_eq!(summary.browsers_launched, 2);
    let rows = sites(&study_path);
    assert_eq!(rows.len(), 11);
    for url in &urls {
        let (_, status, kind, attempts) = site(&rows, url);
        assert_eq!(status, "ok", "{url}: {kind:?}");
        assert_eq!(*attempts, 1, "{url}");
    }
    // Every row's screenshot is a file beside the study.
    let conn = rusqlite::Connection::open(&study_path).expect("study");
    let screenshots: Vec<String> = conn
        .prepare("SELECT screenshot FROM sites WHERE screenshot IS NOT NULL")
        .expect("query")
        .query_map([], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(screenshots.len(), 11);
    let artifacts = folder.path().join("study.artifacts");
    for name in &screenshots {
        let png = std::fs::read(artifacts.join(name)).expect("the screenshot file");
        assert!(png.starts_with(b"\x89PNG"), "{name}");
    }
    // The skeleton's requests are stored once, not once per attempt.
    let pixel_requests: i64 = conn
        .query_row(
            "SELECT count(*) FROM requests JOIN sites USING (site_id)
             WHERE sites.url = 'https://skeleton.test/' AND requests.url LIKE 'https://www.facebook.com/tr/%'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(pixel_requests, 1);
    let runs: (i64, Option<String>) = conn
        .query_row(
            "SELECT sites_done, finished_at FROM crawl_runs",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("one run");
    assert_eq!(runs.0, 11);
    assert!(runs.1.is_some(), "the run is recorded as finished");

    assert_eq!(surviving_chromium_processes(&summary), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_page_and_a_crashing_renderer_fail_with_their_kinds_and_stall_nothing() {
    let (_pages, server) = fixture_web_with_test_pages().await;
    let folder = tempfile::tempdir().expect("temp dir");
    let study_path = folder.path().join("study.sqlite");
    let hang = "https://quiet.test/__cl/hang".to_string();
    let busy = "https://busy.test/".to_string();
    let crash = "https://crash.test/".to_string();
    let mut urls = vec![hang.clone(), crash.clone(), busy.clone()];
    urls.extend(quiet_urls(6));
    let deadline_ms = 10_000;

    let summary = crawl_into(
        &study_path,
        &urls,
        options(&server, 2, deadline_ms),
        &StopSignal::new(),
        &Progress::new(),
    )
    .await;

    let rows = sites(&study_path);
    assert_eq!(rows.len(), urls.len());
    for url in &urls[3..] {
        let (_, status, kind, _) = site(&rows, url);
        assert_eq!(status, "ok", "{url}: {kind:?}");
    }
    // A server that never answers and a page that never stops running script are both cut off
    // by the deadline, once more on retry.
    for url in [&hang, &busy] {
        let (_, status, kind, attempts) = site(&rows, url);
        assert_eq!(status, "error", "{url}");
        assert_eq!(kind.as_deref(), Some("timeout"), "{url}");
        assert_eq!(*attempts, 2, "{url}: tried, and retried once");
    }
    let (message, duration_ms): (String, i64) = rusqlite::Connection::open(&study_path)
        .expect("study")
        .query_row(
            "SELECT error_message, duration_ms FROM sites WHERE url = ?1",
            [&hang],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("message");
    assert!(
        message.contains("per-site deadline") && message.contains("10000 ms"),
        "{message}"
    );
    // Cut off at the deadline, long before the visit's own timeout (60 s).
    assert!(
        (10_000..15_000).contains(&duration_ms),
        "took {duration_ms} ms"
    );
    let (_, status, kind, attempts) = site(&rows, &crash);
    assert_eq!(status, "error");
    assert_eq!(kind.as_deref(), Some("renderer_crashed"));
    assert_eq!(*attempts, 2);

    assert_eq!(summary.failed, 3, "{summary:?}");
    // Each of the three was retried once (an overloaded machine may retry others too).
    assert!(summary.retried >= 3, "{summary:?}");
    assert!(summary.browsers_killed >= 4, "{summary:?}");

    assert_eq!(surviving_chromium_processes(&summary), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_crawl_resumes_without_losing_or_repeating_a_site() {
    let server = WebServer::start(vec![common::sites_root()])
        .await
        .expect("fixture server");
    let folder = tempfile::tempdir().expect("temp dir");
    let study_path = folder.path().join("study.sqlite");
    // Hanging sites first, so that the stop finds visits in progress.
    let mut urls = vec![
        "https://quiet.test/__cl/hang?a".to_string(),
        "https://quiet.test/__cl/hang?b".to_string(),
    ];
    urls.extend(quiet_urls(4));

    // Stopped once both hanging visits are under way (and recorded as such).
    let stop = StopSignal::new();
    let progress = Arc::new(Progress::new());
    let (stopper, watched) = (stop.clone(), progress.clone());
    tokio::spawn(async move {
        while watched.snapshot().in_flight < 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stopper.stop();
    });
    let first = crawl_into(
        &study_path,
        &urls,
        options(&server, 2, 60_000),
        &stop,
        &progress,
    )
    .await;
    assert!(first.stopped);
    assert_eq!(first.succeeded + first.failed, 0, "{first:?}");
    assert_eq!(surviving_chromium_processes(&first), Vec::<u32>::new());
    let interrupted = Study::open(&study_path).expect("study");
    let counts = interrupted.counts().expect("counts");
    assert_eq!(counts.total, 6);
    assert_eq!(counts.running, 2, "the abandoned visits: {counts:?}");
    assert_eq!(interrupted.pending_urls().expect("pending").len(), 6);
    drop(interrupted);

    // Resume with a shorter deadline, so that the hanging sites end sooner.
    let second = crawl_into(
        &study_path,
        &urls,
        options(&server, 2, 8_000),
        &StopSignal::new(),
        &Progress::new(),
    )
    .await;
    assert!(!second.stopped);
    assert_eq!(second.sites, 6);
    let rows = sites(&study_path);
    assert_eq!(rows.len(), 6);
    for url in &urls {
        let (_, status, kind, attempts) = site(&rows, url);
        if url.contains("__cl/hang") {
            assert_eq!(kind.as_deref(), Some("timeout"), "{url}");
            // One abandoned visit, then a visit and its retry.
            assert_eq!(*attempts, 3, "{url}");
        } else {
            assert_eq!(status, "ok", "{url}: {kind:?}");
        }
    }
    let runs: Vec<(i64, Option<String>)> = rusqlite::Connection::open(&study_path)
        .expect("study")
        .prepare("SELECT sites_done, finished_at FROM crawl_runs ORDER BY run_id")
        .expect("query")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(runs.len(), 2);
    assert!(
        runs.iter().all(|run| run.1.is_some()),
        "both runs ended cleanly"
    );
    assert_eq!(runs[1].0, 4);
    assert_eq!(surviving_chromium_processes(&second), Vec::<u32>::new());
}

/// A flag Chromium ignores, unique to one test, so that the test finds its own browsers among
/// those of the tests running beside it.
fn marker_flag(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "--consentlens-test-marker={test}-{}-{nanos}",
        std::process::id()
    )
}

/// Process-group leaders (each Chromium leads its own group) whose command line holds `flag`.
fn chromiums_with(flag: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let has_flag = cmdline.split(|&b| b == 0).any(|arg| arg == flag.as_bytes());
            // SAFETY: getpgid only reads the process table.
            has_flag && unsafe { libc::getpgid(pid) } == pid
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chromium_killed_mid_crawl_is_replaced_and_its_site_visited_again() {
    let (_pages, server) = fixture_web_with_test_pages().await;
    let folder = tempfile::tempdir().expect("temp dir");
    let study_path = folder.path().join("study.sqlite");
    let mut urls: Vec<String> = (1..=2)
        .map(|i| format!("https://settling.test/?n={i}"))
        .collect();
    urls.extend(quiet_urls(3));
    let marker = marker_flag("killed");
    let mut options = options(&server, 2, 60_000);
    options.browser.extra_args.push(marker.clone());

    // Once both settling visits run, one of the two Chromiums is killed, helpers and all.
    let progress = Arc::new(Progress::new());
    let watched = progress.clone();
    let flag = marker.clone();
    let killer = tokio::spawn(async move {
        loop {
            let browsers = chromiums_with(&flag);
            if watched.snapshot().in_flight == 2 && browsers.len() == 2 {
                // SAFETY: signals the process group of a Chromium this test started.
                let killed = unsafe { libc::killpg(browsers[0], libc::SIGKILL) };
                assert_eq!(killed, 0, "the Chromium could be killed");
                return browsers[0];
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let summary = crawl_into(&study_path, &urls, options, &StopSignal::new(), &progress).await;
    let killed = killer.await.expect("the killer ran");

    let rows = sites(&study_path);
    assert_eq!(rows.len(), urls.len());
    for url in &urls {
        let (_, status, kind, _) = site(&rows, url);
        assert_eq!(status, "ok", "{url}: {kind:?}");
    }
    // The visit in the killed browser failed and was visited again; no other was.
    let attempts: Vec<i64> = urls.iter().map(|url| site(&rows, url).3).collect();
    assert_eq!(
        attempts.iter().sum::<i64>(),
        urls.len() as i64 + 1,
        "{attempts:?}"
    );
    assert_eq!(summary.retried, 1, "{summary:?}");
    assert!(summary.browser_pids.contains(&(killed as u32)));
    assert!(summary.browsers_launched >= 3, "{summary:?}");
    assert_eq!(surviving_chromium_processes(&summary), Vec::<u32>::new());
}

/// A small file system of its own, so that the disk can really fill up; unmounted on drop.
struct SmallDisk {
    folder: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let folder = tempfile::tempdir().expect("temp dir");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(folder.path())
            .status()
            .expect("mount runs");
        assert!(
            mounted.success(),
            "this test mounts a small tmpfs, which needs root (as the test command has)"
        );
        SmallDisk { folder }
    }

    fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Fills what is left of the disk at `folder` with one file, and returns its path.
    fn fill(folder: &Path) -> std::path::PathBuf {
        use std::io::Write;
        let filler = folder.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        // Whatever is smaller than a block, byte by byte.
        while file.write_all(&block[..1]).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.folder.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_crawl_with_a_clear_error_and_it_resumes_once_space_is_back() {
    let server = WebServer::start(vec![common::sites_root()])
        .await
        .expect("fixture server");
    let disk = SmallDisk::mount("8m");
    let study_path = disk.path().join("study.sqlite");
    let first = quiet_urls(2);
    crawl_into(
        &study_path,
        &first,
        options(&server, 1, 60_000),
        &StopSignal::new(),
        &Progress::new(),
    )
    .await;

    // The disk fills up while the next sites are being visited.
    let all = quiet_urls(4);
    let mut study = Study::open(&study_path).expect("study");
    let mut crawler = Crawler::new(options(&server, 1, 60_000)).expect("crawler");
    let progress = Arc::new(Progress::new());
    let (watched, filling) = (progress.clone(), disk.path().to_path_buf());
    let filler = tokio::spawn(async move {
        while watched.snapshot().in_flight == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        SmallDisk::fill(&filling)
    });
    let outcome = crawl_study(
        &mut crawler,
        &mut study,
        &all,
        &StopSignal::new(),
        &progress,
    )
    .await;
    crawler.close().await;
    drop(study);
    let filler = filler.await.expect("the disk was filled");
    let error = outcome.expect_err("a crawl onto a full disk fails");
    let message = error.to_string();
    assert!(message.contains("disk full"), "{message}");
    assert!(message.contains("resume"), "{message}");

    // Space is back: nothing is corrupt, nothing half-written, and the first sites are kept.
    std::fs::remove_file(filler).expect("filler removed");
    let study = Study::open(&study_path).expect("study");
    study.check_integrity().expect("intact study");
    let counts = study.counts().expect("counts");
    assert_eq!(
        (counts.total, counts.ok, counts.error),
        (4, 2, 0),
        "{counts:?}"
    );
    drop(study);

    // The crawl resumes, and each site ends in the study exactly once.
    crawl_into(
        &study_path,
        &all,
        options(&server, 1, 60_000),
        &StopSignal::new(),
        &Progress::new(),
    )
    .await;
    let rows = sites(&study_path);
    assert_eq!(rows.len(), all.len());
    for url in &all {
        let (_, status, kind, _) = site(&rows, url);
        assert_eq!(status, "ok", "{url}: {kind:?}");
    }
}
