//! The store under the failures issue 7 and 10 name: a writer killed with SIGKILL at arbitrary
//! moments, and a disk that fills up mid-write.
//!
//! Power loss cannot be simulated here; it is covered by `synchronous=FULL` (every commit is
//! synced before `write_site` returns), which this file checks is in effect.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::test_reports::full_report;
use super::tests::{child_rows, expected_child_rows, temp_study};
use super::{Study, StudyCounts};
use crate::error::Error;

/// Set in the child process: the study it should write to until it is killed.
const WRITER_ENV: &str = "CONSENTLENS_STORE_TEST_WRITER";
const SITES: usize = 150;
/// Enough rows that a site's transaction takes a while, so that kills land inside one.
const REQUESTS_PER_PHASE: usize = 120;
/// When to kill, in milliseconds after the writer is seen starting a site. A site's write takes
/// tens of milliseconds here, so these land before, inside and near the end of its transaction.
const KILL_DELAYS_MS: [u64; 5] = [0, 4, 12, 25, 45];

fn site_url(i: usize) -> String {
    format!("https://site{i:03}.example/")
}

/// The child's role: visit every pending site, as a crawl would, until killed.
fn write_until_killed(path: &Path) {
    let mut study = Study::open(path).expect("child opens the study");
    for url in study.pending_urls().expect("child reads the queue") {
        study
            .mark_running(&url)
            .expect("child marks a site running");
        study
            .write_site(&full_report(&url, REQUESTS_PER_PHASE))
            .expect("child writes a site");
    }
}

fn spawn_writer(path: &Path, log: &Path) -> Child {
    // This very test, run again in a child process that takes the writer's role.
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, rest)| rest);
    let test_name =
        format!("{module}::a_writer_killed_at_any_moment_leaves_every_site_whole_or_pending");
    Command::new(std::env::current_exe().expect("test binary path"))
        .args([
            test_name.as_str(),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER_ENV, path)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("child log"))
        .spawn()
        .expect("start the writer process")
}

fn sites_ok(study: &Study) -> usize {
    study.counts().expect("counts").ok
}

/// Every site is either written whole (its document and exactly its child rows) or still
/// waiting with no child rows at all. Returns the sites left `running`.
fn assert_each_site_whole_or_waiting(path: &Path) -> BTreeSet<String> {
    let study = Study::open(path).expect("reopen after the kill");
    study.check_integrity().expect("integrity after the kill");
    let mut statement = study
        .conn
        .prepare("SELECT url, status, report_json FROM sites ORDER BY position")
        .expect("query sites");
    let sites: Vec<(String, String, Option<String>)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("read sites")
        .collect::<Result<_, _>>()
        .expect("read sites");
    assert_eq!(sites.len(), SITES, "no site lost or duplicated");
    let mut running = BTreeSet::new();
    for (url, status, report_json) in sites {
        match status.as_str() {
            "ok" => {
                let stored: crate::model::SiteReport =
                    serde_json::from_str(report_json.as_deref().unwrap_or_default())
                        .expect("a written site's document parses");
                let expected = full_report(&url, REQUESTS_PER_PHASE);
                assert_eq!(stored, expected, "{url} was written whole");
                assert_eq!(
                    child_rows(&study, &url),
                    expected_child_rows(&expected),
                    "{url}"
                );
            }
            "pending" | "running" => {
                assert_eq!(report_json, None, "{url}");
                assert!(
                    child_rows(&study, &url).values().all(|&n| n == 0),
                    "{url} is waiting but has child rows"
                );
                if status == "running" {
                    running.insert(url);
                }
            }
            other => panic!("{url} has status {other}"),
        }
    }
    running
}

#[test]
fn a_writer_killed_at_any_moment_leaves_every_site_whole_or_pending() {
    if let Some(path) = std::env::var_os(WRITER_ENV) {
        write_until_killed(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("study.sqlite");
    let log = dir.path().join("writer.log");
    let all_urls: Vec<String> = (0..SITES).map(site_url).collect();
    let mut study = Study::open(&path).expect("create the study");
    study.add_urls(&all_urls).expect("add urls");
    let synchronous: i64 = study
        .conn
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .expect("read synchronous");
    assert_eq!(synchronous, 2, "commits are synced (FULL)");

    let mut interrupted_visits: BTreeMap<String, i64> = BTreeMap::new();
    for delay_ms in KILL_DELAYS_MS {
        // Let the writer finish a few sites (which also clears sites left running by the last
        // kill, as they come first), then wait for it to start the next one.
        let target = sites_ok(&study) + 3;
        let mut child = spawn_writer(&path, &log);
        let deadline = Instant::now() + Duration::from_secs(120);
        let writer_is_at = |counts: &StudyCounts| counts.ok >= target && counts.running > 0;
        while !writer_is_at(&study.counts().expect("counts")) {
            if let Some(status) = child.try_wait().expect("poll the writer") {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("the writer exited by itself ({status}) before it was killed:\n{log}");
            }
            assert!(Instant::now() < deadline, "the writer made no progress");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL the writer");
        child.wait().expect("reap the writer");

        for url in assert_each_site_whole_or_waiting(&path) {
            *interrupted_visits.entry(url).or_default() += 1;
        }
    }

    assert!(
        !interrupted_visits.is_empty(),
        "no kill landed in the middle of a visit"
    );

    // Resume in this process, as a crawl restarted after the kills would.
    let mut study = Study::open(&path).expect("reopen to resume");
    let pending = study.pending_urls().expect("pending");
    let done_before = sites_ok(&study);
    assert_eq!(pending.len() + done_before, SITES);
    for url in &pending {
        study.mark_running(url).expect("mark running");
        study
            .write_site(&full_report(url, REQUESTS_PER_PHASE))
            .expect("write");
    }
    assert!(assert_each_site_whole_or_waiting(&path).is_empty());
    assert_eq!(sites_ok(&study), SITES);
    // A site finished before a kill is never visited again; one cut off mid-visit is visited
    // once more for each time it was cut off.
    for url in &all_urls {
        let attempts: i64 = study
            .conn
            .query_row("SELECT attempts FROM sites WHERE url = ?1", [url], |row| {
                row.get(0)
            })
            .expect("attempts");
        let expected = 1 + interrupted_visits.get(url).copied().unwrap_or(0);
        assert_eq!(attempts, expected, "{url}");
    }
}

#[test]
fn a_full_disk_rolls_the_write_back_and_writing_resumes_once_space_is_back() {
    let (dir, mut study) = temp_study();
    let (first, second) = ("https://a.example/", "https://b.example/");
    study
        .add_urls(&[first.to_string(), second.to_string()])
        .unwrap();
    let first_report = full_report(first, 2);
    study.write_site(&first_report).unwrap();
    study.mark_running(second).unwrap();

    // No real disk can be filled here without root; SQLite's page limit makes it report a full
    // disk (SQLITE_FULL) the same way, from the same place: when the file must grow.
    let pages: i64 = study
        .conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .unwrap();
    study
        .conn
        .pragma_update(None, "max_page_count", pages + 1)
        .unwrap();
    let second_report = full_report(second, 200);
    let error = study.write_site(&second_report).unwrap_err();
    let Error::Store { message, .. } = &error else {
        panic!("expected a store error, got {error:?}");
    };
    assert!(message.starts_with("disk full"), "{message}");
    assert!(study.conn.is_autocommit(), "no transaction left open");

    // Nothing of the failed write is visible, to this connection or a new one.
    for study in [
        &study,
        &Study::open(dir.path().join("study.sqlite")).unwrap(),
    ] {
        study.check_integrity().unwrap();
        assert_eq!(study.pending_urls().unwrap(), [second]);
        assert!(child_rows(study, second).values().all(|&n| n == 0));
        let reports: Vec<_> = study.reports().collect::<Result<_, _>>().unwrap();
        assert_eq!(reports, std::slice::from_ref(&first_report));
    }

    // Space is back.
    study
        .conn
        .pragma_update(None, "max_page_count", 1_000_000_000)
        .unwrap();
    study.write_site(&second_report).unwrap();
    assert_eq!(study.counts().unwrap().ok, 2);
    assert_eq!(
        child_rows(&study, second),
        expected_child_rows(&second_report)
    );
    study.check_integrity().unwrap();
}
