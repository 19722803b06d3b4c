//! The hostile web (issue 10): every page of `tests/hostile` is evaluated against one shared
//! Chromium, and each must end within its deadline with the outcome its README.txt states;
//! afterwards the browser must still work and no Chromium process or page may be left behind.
//!
//! The pipeline has to bound every step on its own, so each evaluation is wrapped in a timeout
//! that fails the test rather than cancelling quietly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{block_on, start_fixture, Fixture};
use consentlens::browser::Browser;
use consentlens::evaluate::{evaluate, EvaluateOptions, Evaluation};
use consentlens::model::Status;
use consentlens::visit::VisitOptions;
use futures::StreamExt;
use tokio::sync::OnceCell;

/// Short waits, so that the whole corpus runs in a few minutes on two cores.
const VISIT: VisitOptions = VisitOptions {
    timeout_ms: 8_000,
    settle_ms: 1_500,
    idle_ms: 300,
};
const BANNER_WAIT_MS: u64 = 1_500;
/// Evaluations run at once (as a crawl runs several contexts per browser).
const CONCURRENCY: usize = 3;

/// The browser tests of this binary share one Chromium and count its processes: one at a time.
static BROWSER_TESTS: Mutex<()> = Mutex::new(());

fn hostile_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

async fn fixture() -> &'static Fixture {
    static FIXTURE: OnceCell<Fixture> = OnceCell::const_new();
    FIXTURE
        .get_or_init(|| start_fixture(vec![hostile_root()]))
        .await
}

/// What a page's README says must come of it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Ok,
    Error { kind: String },
}

#[derive(Debug, Clone)]
struct Case {
    host: String,
    url: String,
    expected: Expected,
    explore: bool,
}

impl Case {
    fn options(&self) -> EvaluateOptions {
        EvaluateOptions {
            visit: VISIT,
            banner_wait_ms: BANNER_WAIT_MS,
            explore: self.explore,
            ..EvaluateOptions::default()
        }
    }

    /// The longest an evaluation may take: each stage waits at most its own budget. A visit is
    /// a navigation (timeout_ms), settling (settle_ms) and a few bounded reads and closes; an
    /// explored answer adds a visit, a reload and a subpage (both answers run at once).
    fn deadline(&self) -> Duration {
        let visit = VISIT.timeout_ms + VISIT.settle_ms;
        let first = visit + BANNER_WAIT_MS + 12_000;
        let explored = if self.explore {
            3 * visit + 2 * BANNER_WAIT_MS + 15_000
        } else {
            0
        };
        Duration::from_millis(first + explored)
    }
}

/// Reads the machine-readable head of `<host>/README.txt`; hosts without an `Expected:` line are
/// helpers of other pages and are not evaluated on their own.
fn read_case(folder: &Path) -> Option<Result<Case, String>> {
    let host = folder.file_name()?.to_str()?.to_string();
    let readme = std::fs::read_to_string(folder.join("README.txt")).ok()?;
    let field = |name: &str| {
        readme
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|value| value.trim().to_string())
    };
    let expected = field("Expected:")?;
    let parse = || -> Result<Case, String> {
        let expected = match expected.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["ok"] => Expected::Ok,
            ["error", kind] => Expected::Error {
                kind: kind.to_string(),
            },
            _ => return Err(format!("{host}: bad Expected line {expected:?}")),
        };
        let explore = match field("Explore:").as_deref() {
            Some("yes") => true,
            Some("no") | None => false,
            Some(other) => return Err(format!("{host}: bad Explore line {other:?}")),
        };
        let url = field("URL:").unwrap_or_else(|| format!("https://{host}/"));
        Ok(Case {
            host: host.clone(),
            url,
            expected,
            explore,
        })
    };
    Some(parse())
}

fn corpus() -> Vec<Case> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(hostile_root())
        .expect("tests/hostile")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    folders
        .iter()
        .filter_map(|folder| read_case(folder))
        .map(|case| case.unwrap_or_else(|problem| panic!("{problem}")))
        .collect()
}

#[test]
fn the_corpus_has_a_page_for_every_hostile_behaviour() {
    let cases = corpus();
    assert!(cases.len() >= 25, "only {} hostile pages", cases.len());
    let hosts: BTreeSet<&str> = cases.iter().map(|c| c.host.as_str()).collect();
    for required in [
        "never-loads.test",
        "infinite-loop.test",
        "alert-storm.test",
        "beforeunload.test",
        "popup-storm.test",
        "redirect-loop.test",
        "big-response.test",
        "million-nodes.test",
        "crash.test",
        "deep-shadow.test",
        "fleeing-dialog.test",
        "hostile-markup.test",
        "cookie-flood.test",
        "storage-flood.test",
        "service-worker.test",
        "navigate-file.test",
        "navigate-chrome.test",
        "badtls.hostile.test",
        "slow-loris.test",
        "empty.test",
        "download.test",
    ] {
        assert!(hosts.contains(required), "no page for {required}");
    }
    for case in &cases {
        assert!(
            case.url.starts_with(&format!("https://{}/", case.host)),
            "{}: the URL must be on its own host, not {}",
            case.host,
            case.url
        );
    }
}

/// What one evaluation came to, for the summary table.
struct Outcome {
    case: Case,
    elapsed: Duration,
    /// `None` when the evaluation outlived its deadline.
    evaluation: Option<Evaluation>,
}

async fn run_case(fixture: &'static Fixture, case: Case) -> Outcome {
    let options = case.options();
    let started = Instant::now();
    let evaluation = evaluate(&fixture.browser, &case.url, &options);
    let evaluation = if case.host == "crash.test" {
        let (evaluation, ()) = tokio::join!(evaluation, crash_when_open(&fixture.browser, &case));
        Some(evaluation)
    } else {
        tokio::time::timeout(case.deadline(), evaluation).await.ok()
    };
    Outcome {
        elapsed: started.elapsed(),
        case,
        evaluation,
    }
}

/// Sends `Page.crash` to the page of `case` once it has been open for a moment.
async fn crash_when_open(browser: &Browser, case: &Case) {
    let prefix = format!("https://{}/", case.host);
    let give_up = Instant::now() + Duration::from_secs(10);
    while Instant::now() < give_up {
        let pages = browser.open_pages().await.unwrap_or_default();
        if let Some(page) = pages.iter().find(|p| p.url.starts_with(&prefix)) {
            // Mid-visit: the page has committed and its held image keeps the visit waiting.
            tokio::time::sleep(Duration::from_millis(500)).await;
            browser
                .crash_page(&page.target_id)
                .await
                .expect("Page.crash");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} never opened", case.url);
}

/// The outcome's problems, empty when it is what the README says.
fn check(outcome: &Outcome) -> Vec<String> {
    let case = &outcome.case;
    let Some(evaluation) = &outcome.evaluation else {
        return vec![format!(
            "did not end within its deadline of {:?}",
            case.deadline()
        )];
    };
    let report = &evaluation.report;
    let mut problems = Vec::new();
    match (&case.expected, report.status, &report.error) {
        (Expected::Ok, Status::Ok, None) => {}
        (Expected::Error { kind }, Status::Error, Some(error)) if &error.kind == kind => {}
        (expected, status, error) => problems.push(format!(
            "expected {expected:?}, got {status:?} {:?}",
            error.as_ref().map(|e| (&e.kind, &e.message))
        )),
    }
    if outcome.elapsed > case.deadline() {
        problems.push(format!("took {:?}", outcome.elapsed));
    }
    problems
}

fn summary(outcomes: &[Outcome]) -> String {
    let mut lines = Vec::new();
    for outcome in outcomes {
        let report = outcome.evaluation.as_ref().map(|e| &e.report);
        lines.push(format!(
            "{:<24} {:>6.1}s  {:<6} {:<40} banner={} requests={} dialogs={}",
            outcome.case.host,
            outcome.elapsed.as_secs_f64(),
            report.map_or("-".into(), |r| format!("{:?}", r.status)),
            report
                .and_then(|r| r.error.as_ref())
                .map_or(String::new(), |e| format!("{}: {}", e.kind, e.message))
                .chars()
                .take(40)
                .collect::<String>(),
            report.is_some_and(|r| r.banner.is_some()),
            report
                .and_then(|r| r.phases.before_consent.as_ref())
                .map_or(0, |p| p.requests.len()),
            report
                .and_then(|r| r.phases.before_consent.as_ref())
                .map_or(0, |p| p.js_dialogs.len()),
        ));
    }
    lines.join("\n")
}

#[test]
fn every_hostile_page_gets_its_answer_in_time_and_nothing_is_left_behind() {
    let _one_at_a_time = BROWSER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    block_on(async {
        let fixture = fixture().await;
        let cases = corpus();
        let started = Instant::now();
        let outcomes: Vec<Outcome> = futures::stream::iter(cases)
            .map(|case| run_case(fixture, case))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut outcomes = outcomes;
        outcomes.sort_by(|a, b| a.case.host.cmp(&b.case.host));
        eprintln!(
            "{}\ncorpus took {:?}",
            summary(&outcomes),
            started.elapsed()
        );
        let problems: BTreeMap<&str, Vec<String>> = outcomes
            .iter()
            .map(|o| (o.case.host.as_str(), check(o)))
            .filter(|(_, p)| !p.is_empty())
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    });
}
