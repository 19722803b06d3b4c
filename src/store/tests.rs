//! The study store's behaviour through its public API, on real files in temporary folders.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::params;

use super::test_reports::{error_report, full_report, tracker_list};
use super::write::{CHILD_TABLES, MAX_BODY_BYTES};
use super::Study;
use crate::error::Error;
use crate::model::{Evidence, SiteReport};

pub(super) fn temp_study() -> (tempfile::TempDir, Study) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let study = Study::open(dir.path().join("study.sqlite")).expect("open a new study");
    (dir, study)
}

fn urls(list: &[&str]) -> Vec<String> {
    list.iter().map(|u| u.to_string()).collect()
}

/// How many rows each child table holds for `url`.
pub(super) fn child_rows(study: &Study, url: &str) -> BTreeMap<&'static str, i64> {
    CHILD_TABLES
        .iter()
        .map(|table| {
            let count = study
                .conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {table} WHERE site_id = (SELECT site_id FROM sites WHERE url = ?1)"
                    ),
                    [url],
                    |row| row.get(0),
                )
                .expect("count child rows");
            (*table, count)
        })
        .collect()
}

/// How many rows each child table should hold once `report` is written.
pub(super) fn expected_child_rows(report: &SiteReport) -> BTreeMap<&'static str, i64> {
    let count = |n: usize| i64::try_from(n).expect("small count");
    let phases: Vec<_> = report.phases.iter().map(|(_, phase)| phase).collect();
    let banner = report.banner.as_ref();
    let steps = report
        .click_paths
        .as_ref()
        .map_or(0, |p| p.accept.steps.len() + p.reject.steps.len());
    BTreeMap::from([
        ("buttons", count(banner.map_or(0, |b| b.buttons.len()))),
        (
            "checkboxes",
            count(banner.map_or(0, |b| b.checkboxes.len())),
        ),
        ("click_steps", count(steps)),
        (
            "requests",
            count(phases.iter().map(|p| p.requests.len()).sum()),
        ),
        (
            "cookies",
            count(phases.iter().map(|p| p.cookies.len()).sum()),
        ),
        ("events", count(phases.iter().map(|p| p.events.len()).sum())),
        ("findings", count(report.findings.len())),
    ])
}

fn all_reports(study: &Study) -> Vec<SiteReport> {
    study
        .reports()
        .collect::<Result<Vec<_>, _>>()
        .expect("read reports")
}

fn site_text(study: &Study, url: &str, column: &str) -> Option<String> {
    study
        .conn
        .query_row(
            &format!("SELECT {column} FROM sites WHERE url = ?1"),
            [url],
            |row| row.get(0),
        )
        .expect("read a site column")
}

fn site_int(study: &Study, url: &str, column: &str) -> Option<i64> {
    study
        .conn
        .query_row(
            &format!("SELECT {column} FROM sites WHERE url = ?1"),
            [url],
            |row| row.get(0),
        )
        .expect("read a site column")
}

fn store_message(error: Error) -> String {
    match error {
        Error::Store { message, .. } => message,
        other => panic!("expected a store error, got {other:?}"),
    }
}

#[test]
fn a_written_site_reads_back_whole_and_fills_every_table() {
    let (_dir, mut study) = temp_study();
    let url = "https://apotek.example/";
    let report = full_report(url, 3);
    study.add_urls(&urls(&[url])).unwrap();
    study.mark_running(url).unwrap();
    study.write_site(&report).unwrap();

    assert_eq!(all_reports(&study), vec![report.clone()]);
    assert_eq!(child_rows(&study, url), expected_child_rows(&report));
    assert!(study.pending_urls().unwrap().is_empty());

    assert_eq!(site_text(&study, url, "status").as_deref(), Some("ok"));
    assert_eq!(site_text(&study, url, "cmp").as_deref(), Some("onetrust"));
    assert_eq!(site_int(&study, url, "banner_found"), Some(1));
    assert_eq!(site_int(&study, url, "attempts"), Some(1));
    assert_eq!(site_int(&study, url, "clicks_to_reject"), Some(3));
    assert_eq!(site_int(&study, url, "duration_ms"), Some(8_250));
    assert_eq!(site_int(&study, url, "reject_path_succeeded"), Some(0));
    assert_eq!(site_int(&study, url, "http_status"), Some(200));
    assert_eq!(site_text(&study, url, "error_kind"), None);
    assert_eq!(
        site_text(&study, url, "started_at").as_deref(),
        Some("2025-03-04T10:00:00.000Z")
    );
    assert_eq!(
        site_text(&study, url, "third_party_cookies").as_deref(),
        Some("allowed")
    );
    let ratio: Option<f64> = study
        .conn
        .query_row("SELECT reject_to_accept_area_ratio FROM sites", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(ratio, Some(0.25));

    let (vendor, phase, step, post_data): (String, String, String, String) = study
        .conn
        .query_row(
            "SELECT tracker_vendor, phase, step, post_data FROM requests
             WHERE phase = 'after_reject' AND position = 0",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (vendor.as_str(), phase.as_str(), step.as_str()),
        ("Meta Pixel", "after_reject", "answer")
    );
    assert_eq!(post_data, "ev=AddToCart&phase=after_reject");

    let (fields, data_json): (String, String) = study
        .conn
        .query_row(
            "SELECT user_data_fields, data_json FROM events WHERE phase = 'before_consent'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(fields, "em,ph");
    let data: serde_json::Value = serde_json::from_str(&data_json).unwrap();
    assert_eq!(data["content_name"], "Clearblue graviditetstest");

    let reject_steps: Vec<String> = study
        .conn
        .prepare("SELECT text FROM click_steps WHERE path = 'reject' ORDER BY step_index")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(reject_steps, ["Innstillinger", "Markedsføring", "Lagre"]);

    let evidence_json: String = study
        .conn
        .query_row("SELECT evidence_json FROM findings", [], |row| row.get(0))
        .unwrap();
    let evidence: Vec<Evidence> = serde_json::from_str(&evidence_json).unwrap();
    assert_eq!(evidence, report.findings[0].evidence);
    study.check_integrity().unwrap();
}

#[test]
fn writing_a_site_again_keeps_one_row_and_only_the_last_children() {
    let (_dir, mut study) = temp_study();
    let url = "https://retry.example/";
    study.write_site(&full_report(url, 5)).unwrap();
    let mut second = full_report(url, 2);
    second.findings.clear();
    second.title = Some("second visit".into());
    study.mark_running(url).unwrap();
    study.write_site(&second).unwrap();

    assert_eq!(study.counts().unwrap().total, 1);
    assert_eq!(child_rows(&study, url), expected_child_rows(&second));
    assert_eq!(child_rows(&study, url)["requests"], 6);
    assert_eq!(child_rows(&study, url)["findings"], 0);
    assert_eq!(all_reports(&study), vec![second]);
    assert_eq!(site_int(&study, url, "attempts"), Some(2));
}

#[test]
fn adding_urls_twice_adds_each_once_in_input_order() {
    let (_dir, mut study) = temp_study();
    assert_eq!(
        study
            .add_urls(&urls(&["https://a/", "https://b/", "https://a/"]))
            .unwrap(),
        2
    );
    assert_eq!(
        study
            .add_urls(&urls(&["https://b/", "https://c/"]))
            .unwrap(),
        1
    );
    assert_eq!(study.add_urls(&urls(&["https://c/"])).unwrap(), 0);
    assert_eq!(
        study.pending_urls().unwrap(),
        ["https://a/", "https://b/", "https://c/"]
    );
    assert_eq!(site_int(&study, "https://c/", "position"), Some(2));
    assert_eq!(study.counts().unwrap().pending, 3);
}

#[test]
fn an_interrupted_visit_is_still_pending_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.sqlite");
    {
        let mut study = Study::open(&path).unwrap();
        study
            .add_urls(&urls(&["https://a/", "https://b/"]))
            .unwrap();
        study.mark_running("https://a/").unwrap();
        // Dropped here without writing: the process stopped mid-visit.
    }
    let mut study = Study::open(&path).unwrap();
    assert_eq!(study.pending_urls().unwrap(), ["https://a/", "https://b/"]);
    let counts = study.counts().unwrap();
    assert_eq!((counts.running, counts.pending, counts.total), (1, 1, 2));
    assert!(site_text(&study, "https://a/", "started_at").is_some());
    study.mark_running("https://a/").unwrap();
    assert_eq!(site_int(&study, "https://a/", "attempts"), Some(2));
}

#[test]
fn failed_sites_are_counted_by_kind_and_can_be_retried_alone() {
    let (_dir, mut study) = temp_study();
    study
        .add_urls(&urls(&["https://a/", "https://b/", "https://c/"]))
        .unwrap();
    study.write_site(&full_report("https://a/", 1)).unwrap();
    study
        .write_site(&error_report("https://b/", "timeout"))
        .unwrap();
    study
        .write_site(&error_report("https://c/", "dns"))
        .unwrap();

    let counts = study.counts().unwrap();
    assert_eq!((counts.ok, counts.error, counts.pending), (1, 2, 0));
    assert_eq!(
        counts.errors_by_kind,
        BTreeMap::from([("dns".to_string(), 1), ("timeout".to_string(), 1)])
    );
    assert_eq!(study.failed_urls().unwrap(), ["https://b/", "https://c/"]);
    assert_eq!(
        site_text(&study, "https://b/", "error_message").as_deref(),
        Some("timeout while loading https://b/")
    );

    assert_eq!(study.reset_failed().unwrap(), 2);
    assert_eq!(study.pending_urls().unwrap(), ["https://b/", "https://c/"]);
    assert!(study.failed_urls().unwrap().is_empty());
    // Only finished sites are read back; the reset ones are waiting again.
    assert_eq!(all_reports(&study).len(), 1);

    study.write_site(&full_report("https://b/", 1)).unwrap();
    let counts = study.counts().unwrap();
    assert_eq!((counts.ok, counts.pending, counts.error), (2, 1, 0));
    assert_eq!(site_text(&study, "https://b/", "error_kind"), None);
}

#[test]
fn a_crawl_run_records_its_provenance_and_the_sites_it_finished() {
    let (_dir, mut study) = temp_study();
    study
        .add_urls(&urls(&["https://a/", "https://b/"]))
        .unwrap();
    let run_id = study
        .begin_run(
            r#"{"concurrency": 4}"#,
            "0.1.0",
            Some("Chromium 156"),
            &[tracker_list()],
        )
        .unwrap();
    for url in ["https://a/", "https://b/"] {
        study.mark_running(url).unwrap();
    }
    study.write_site(&full_report("https://a/", 0)).unwrap();
    study
        .write_site(&error_report("https://b/", "timeout"))
        .unwrap();
    // A site written twice in one run is counted once, as what it ended as.
    study.write_site(&full_report("https://b/", 0)).unwrap();
    study.finish_run(run_id).unwrap();

    let (done, failed, finished_at, lists_json, browser): (
        i64,
        i64,
        Option<String>,
        String,
        String,
    ) = study
        .conn
        .query_row(
            "SELECT sites_done, sites_failed, finished_at, tracker_lists_json, browser_version
                 FROM crawl_runs WHERE run_id = ?1",
            [run_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .unwrap();
    assert_eq!((done, failed), (2, 0));
    assert!(finished_at.is_some());
    assert_eq!(browser, "Chromium 156");
    let lists: Vec<crate::model::TrackerList> = serde_json::from_str(&lists_json).unwrap();
    assert_eq!(lists, [tracker_list()]);
    assert_eq!(site_int(&study, "https://a/", "run_id"), Some(run_id));

    assert_eq!(
        study.finish_run(run_id + 100).map_err(|e| e.kind()),
        Err("store")
    );
    assert_eq!(
        study
            .begin_run("not json", "0.1.0", None, &[])
            .map_err(|e| e.kind()),
        Err("config")
    );
}

#[test]
fn a_run_begun_before_the_browser_started_takes_its_browser_and_lists_from_its_first_site() {
    let (_dir, mut study) = temp_study();
    let run_id = study.begin_run("{}", "0.1.0", None, &[]).unwrap();
    let run_provenance = |study: &Study| -> (Option<String>, String) {
        study
            .conn
            .query_row(
                "SELECT browser_version, tracker_lists_json FROM crawl_runs WHERE run_id = ?1",
                [run_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap()
    };
    // A failed site that never reached a browser names none: the run stays unknown.
    let mut failed = error_report("https://a/", "invalid_url");
    failed.provenance.browser_version = None;
    failed.provenance.tracker_lists.clear();
    study.write_site(&failed).unwrap();
    assert_eq!(run_provenance(&study), (None, "[]".to_string()));

    let mut first = full_report("https://b/", 0);
    first.provenance.browser_version = Some("Chromium/156.0.1".into());
    first.provenance.tracker_lists = vec![tracker_list()];
    study.write_site(&first).unwrap();
    // A later site does not overwrite what the run recorded.
    let mut later = full_report("https://c/", 0);
    later.provenance.browser_version = Some("Chromium/999".into());
    later.provenance.tracker_lists.clear();
    study.write_site(&later).unwrap();

    let (browser, lists_json) = run_provenance(&study);
    assert_eq!(browser.as_deref(), Some("Chromium/156.0.1"));
    let lists: Vec<crate::model::TrackerList> = serde_json::from_str(&lists_json).unwrap();
    assert_eq!(lists, [tracker_list()]);
}

#[test]
fn long_bodies_are_cut_in_the_requests_table_but_kept_whole_in_the_report() {
    let (_dir, mut study) = temp_study();
    let url = "https://body.example/";
    let mut report = full_report(url, 1);
    let body = "ø".repeat(MAX_BODY_BYTES); // twice the limit in bytes
    if let Some(phase) = report.phases.before_consent.as_mut() {
        phase.requests[0].post_data = Some(body.clone());
    }
    study.write_site(&report).unwrap();

    let (stored, truncated): (String, i64) = study
        .conn
        .query_row(
            "SELECT post_data, post_data_truncated FROM requests WHERE phase = 'before_consent'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored.len(), MAX_BODY_BYTES);
    assert!(body.starts_with(&stored));
    assert_eq!(truncated, 1);
    let short_ones: i64 = study
        .conn
        .query_row(
            "SELECT count(*) FROM requests WHERE post_data_truncated = 0",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(short_ones, 2);
    assert_eq!(all_reports(&study), vec![report]);
}

#[test]
fn reports_stream_in_input_order_across_pages() {
    let (_dir, mut study) = temp_study();
    let list: Vec<String> = (0..70)
        .map(|i| format!("https://site{i}.example/"))
        .collect();
    study.add_urls(&list).unwrap();
    // Written out of order, read back in input order; one left pending is skipped.
    for url in list.iter().rev().skip(1) {
        study.write_site(&error_report(url, "timeout")).unwrap();
    }
    let mut read = Vec::new();
    study
        .for_each_report(|report| read.push(report.url))
        .unwrap();
    assert_eq!(read, list[..69]);
}

#[test]
fn a_site_written_without_being_added_joins_the_study() {
    let (_dir, mut study) = temp_study();
    study.add_urls(&urls(&["https://a/"])).unwrap();
    study.write_site(&full_report("https://b/", 0)).unwrap();
    assert_eq!(site_int(&study, "https://b/", "position"), Some(1));
    assert_eq!(site_int(&study, "https://b/", "attempts"), Some(1));
    assert_eq!(study.pending_urls().unwrap(), ["https://a/"]);
}

#[test]
fn a_study_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.sqlite");
    {
        let study = Study::open(&path).unwrap();
        study.conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let message = store_message(Study::open(&path).unwrap_err());
    assert!(message.contains("newer consentlens"), "{message}");
}

#[test]
fn files_that_are_not_studies_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    let message = store_message(Study::open(&foreign).unwrap_err());
    assert!(message.contains("not a consentlens study"), "{message}");

    let garbage = dir.path().join("notes.sqlite");
    std::fs::write(&garbage, "these are my notes, not a database ".repeat(100)).unwrap();
    let message = store_message(Study::open(&garbage).unwrap_err());
    assert!(message.contains("not an SQLite database"), "{message}");
}

#[test]
fn the_artifacts_folder_sits_beside_the_study_file() {
    let (dir, study) = temp_study();
    assert_eq!(study.artifacts_dir(), dir.path().join("study.artifacts"));
    assert_eq!(
        super::artifacts_dir_for(Path::new("runs/study.db")),
        Path::new("runs/study.db.artifacts")
    );
}

#[test]
fn a_new_study_can_be_created_in_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/study.sqlite");
    let mut study = Study::open(&path).unwrap();
    study.add_urls(&urls(&["https://a/"])).unwrap();
    assert!(path.is_file());
}

#[test]
fn the_integrity_check_finds_rows_without_a_site() {
    let (_dir, study) = temp_study();
    study.check_integrity().unwrap();
    study
        .conn
        .pragma_update(None, "foreign_keys", false)
        .unwrap();
    study
        .conn
        .execute(
            "INSERT INTO checkboxes (site_id, position, label, checked, disabled, layer)
             VALUES (?1, 0, 'x', 0, 0, 1)",
            params![12345],
        )
        .unwrap();
    let message = store_message(study.check_integrity().unwrap_err());
    assert!(message.contains("checkboxes"), "{message}");
}
