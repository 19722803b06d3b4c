//! The hostile web (issue 10): every page of `tests/hostile` is evaluated against one shared
//! Chromium, and each must end within its deadline with the outcome its README.txt states;
//! afterwards the browser must still work and no Chromium process or page may be left behind.
//!
//! The pipeline has to bound every step on its own, so each evaluation is wrapped in a timeout
//! that fails the test rather than cancelling quietly.
//!
//! `HOSTILE_PAGES=a.test,b.test cargo test --test hostile` evaluates only those pages.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{block_on, start_fixture, Fixture};
use consentlens::browser::Browser;
use consentlens::evaluate::{evaluate, EvaluateOptions, Evaluation};
use consentlens::model::{ButtonRole, Phase, SiteReport, Status};
use consentlens::visit::VisitOptions;
use futures::StreamExt;
use serde_json::Value;
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
    Error {
        kind: String,
    },
    /// Either, for a page whose outcome depends on the machine's speed (a renderer saturated
    /// on purpose may or may not answer in time): it must still end within its deadline.
    OkOrError {
        kind: String,
    },
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

    /// The longest an evaluation may take. Every stage waits at most its own budget: a visit
    /// navigates (timeout_ms) and settles (settle_ms), then makes a few reads, screenshots and a
    /// dialog wait, each bounded by seconds; an explored answer adds a visit, a reload and a
    /// subpage (both answers run at once). The fixed allowances are generous because the test
    /// machine may be busy; a step without a bound still blows through them.
    fn deadline(&self) -> Duration {
        let visit = VISIT.timeout_ms + VISIT.settle_ms;
        let first = visit + BANNER_WAIT_MS + 25_000;
        let explored = if self.explore {
            3 * visit + 2 * BANNER_WAIT_MS + 30_000
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
            ["ok", "or", "error", kind] => Expected::OkOrError {
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
    let evaluation = async {
        if case.host == "crash.test" {
            tokio::join!(
                evaluate(&fixture.browser, &case.url, &options),
                crash_when_open(fixture, &case)
            )
            .0
        } else {
            evaluate(&fixture.browser, &case.url, &options).await
        }
    };
    let evaluation = tokio::time::timeout(case.deadline(), evaluation).await.ok();
    Outcome {
        elapsed: started.elapsed(),
        case,
        evaluation,
    }
}

/// What the crash page asks for as it is parsed (its README says so): once the fixture server
/// has answered it, the page's document has committed in its own renderer.
const CRASH_PAGE_COMMITTED: &str = "/__cl/status/204";

/// Sends `Page.crash` to the page of `case` once its document has committed. A crash sent
/// earlier (when the page is merely listed under its new URL) can hit the renderer that the
/// navigation is replacing, and the visit then goes on in a new one.
async fn crash_when_open(fixture: &Fixture, case: &Case) {
    let prefix = format!("https://{}/", case.host);
    let give_up = Instant::now() + Duration::from_secs(20);
    while Instant::now() < give_up {
        let committed = fixture
            .server
            .access_log()
            .iter()
            .any(|(_, host, path, _)| host == &case.host && path == CRASH_PAGE_COMMITTED);
        let pages = fixture.browser.open_pages().await.unwrap_or_default();
        if let Some(page) = pages.iter().find(|p| p.url.starts_with(&prefix)) {
            if committed {
                // The held image (6 s) keeps the visit waiting for `load`: the crash lands
                // well inside it.
                fixture
                    .browser
                    .crash_page(&page.target_id)
                    .await
                    .expect("Page.crash");
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} never committed", case.url);
}

/// The outcome's problems, empty when it is what the README says.
fn check(outcome: &Outcome, fixture: &Fixture) -> Vec<String> {
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
        (Expected::OkOrError { .. }, Status::Ok, None) => {}
        (Expected::OkOrError { kind }, Status::Error, Some(error)) if &error.kind == kind => {}
        (expected, status, error) => problems.push(format!(
            "expected {expected:?}, got {status:?} {:?}",
            error.as_ref().map(|e| (&e.kind, &e.message))
        )),
    }
    // Whatever a page put into it, the result document is valid JSON that reads back the same,
    // and the HTML report renders.
    match serde_json::to_value(report) {
        Ok(json) => match serde_json::from_value::<SiteReport>(json.clone()) {
            Ok(back) => {
                let again = serde_json::to_value(&back).unwrap_or_default();
                if let Some(path) = first_difference(&json, &again, String::new()) {
                    problems.push(format!("the result does not read back the same at {path}"));
                }
            }
            Err(e) => problems.push(format!("the result does not read back: {e}")),
        },
        Err(e) => problems.push(format!("the result does not serialise: {e}")),
    }
    let _ = consentlens::report::site_report_html(report, &evaluation.screenshots);
    if problems.is_empty() {
        problems.extend(page_checks(&case.host, evaluation, fixture));
    }
    problems
}

/// Where two JSON documents first differ (a JSON pointer), if they do.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| {
            let (u, v) = (x.get(k), y.get(k));
            match (u, v) {
                (Some(u), Some(v)) => first_difference(u, v, format!("{at}/{k}")),
                _ => Some(format!("{at}/{k} ({u:?} / {v:?})")),
            }
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at} ({a} / {b})")),
    }
}

/// What must hold for each page besides its outcome (see its README).
fn page_checks(host: &str, evaluation: &Evaluation, fixture: &Fixture) -> Vec<String> {
    let report = &evaluation.report;
    let mut problems = Vec::new();
    let mut expect = |holds: bool, what: &str| {
        if !holds {
            problems.push(what.to_string());
        }
    };
    let before = report.phases.before_consent.as_ref();
    let after: Vec<&Phase> = [&report.phases.after_accept, &report.phases.after_reject]
        .into_iter()
        .flatten()
        .collect();
    let message = report.error.as_ref().map_or("", |e| e.message.as_str());
    let has_banner = report.banner.is_some();
    let both_answers_found = report.click_paths.as_ref().is_some_and(|paths| {
        paths.accept.succeeded
            && paths.reject.succeeded
            && paths.accept.clicks == Some(1)
            && paths.reject.clicks == Some(1)
    });
    match host {
        "control.test" | "beforeunload.test" | "alert-storm.test" | "prototype-tamper.test" => {
            expect(has_banner, "the consent bar is found");
            expect(both_answers_found, "both answers are found with one click");
        }
        _ => {}
    }
    match host {
        "never-loads.test" => {
            expect(has_banner, "the consent bar is found");
            let pending = before.map_or(0, |p| {
                p.requests
                    .iter()
                    .filter(|r| r.url.contains("/__cl/hang") && r.status.is_none())
                    .count()
            });
            expect(
                pending == 4,
                "the four requests that never end are recorded, unanswered",
            );
        }
        "slow-loris.test" | "empty.test" => {
            expect(report.http_status == Some(200), "HTTP status 200");
            expect(!has_banner, "no banner");
        }
        "server-error.test" => expect(report.http_status == Some(503), "HTTP status 503"),
        "alert-storm.test" => {
            let dialogs = before.map_or(&[][..], |p| &p.js_dialogs[..]);
            expect(dialogs.len() == 50, "50 dialogs recorded (the cap)");
            for kind in ["alert", "confirm", "prompt"] {
                expect(
                    dialogs.iter().any(|d| d.kind == kind && d.accepted),
                    &format!("a {kind} was answered"),
                );
            }
        }
        "endless-dialogs.test" => {
            expect(has_banner, "the consent bar is found");
            expect(
                before.is_some_and(|p| !p.js_dialogs.is_empty()),
                "dialogs are recorded",
            );
        }
        "beforeunload.test" => expect(
            after
                .iter()
                .any(|p| p.js_dialogs.iter().any(|d| d.kind == "beforeunload")),
            "a beforeunload prompt was met and answered after the answer",
        ),
        "popup-storm.test" | "fleeing-dialog.test" => {
            expect(has_banner, "the consent bar is found");
            let ended = report.click_paths.as_ref().is_some_and(|paths| {
                [&paths.accept, &paths.reject]
                    .iter()
                    .all(|path| path.succeeded || path.failure.is_some())
            });
            expect(ended, "each click path succeeded or says why not");
        }
        "redirect-loop.test" => expect(
            message.contains("ERR_TOO_MANY_REDIRECTS"),
            "the message names ERR_TOO_MANY_REDIRECTS",
        ),
        "js-redirect-loop.test" | "meta-refresh.test" => expect(
            before.is_some_and(|p| p.navigations.len() >= 2),
            "the navigations are recorded",
        ),
        "million-nodes.test" => expect(message.contains("nodes"), "the message gives the size"),
        "deep-shadow.test"
        | "frame-bomb.test"
        | "request-flood.test"
        | "storage-flood.test"
        | "cookie-flood.test"
        | "navigate-file.test"
        | "navigate-chrome.test"
        | "lone-surrogate.test"
        | "huge-text.test"
        | "service-worker.test" => expect(has_banner, "the consent bar is found"),
        _ => {}
    }
    match host {
        "hostile-markup.test" => {
            let banner = report.banner.as_ref();
            let text = banner.map_or("", |b| b.text.as_str());
            for needle in ["<img src=x onerror=alert(1)>", "{{7*7}}", "\u{202e}gnp.exe"] {
                expect(
                    text.contains(needle),
                    &format!("the banner text keeps {needle:?}"),
                );
            }
            let roles: Vec<ButtonRole> = banner.map_or(Vec::new(), |b| {
                b.buttons.iter().map(|button| button.role).collect()
            });
            expect(
                roles.contains(&ButtonRole::AcceptAll) && roles.contains(&ButtonRole::RejectAll),
                "the buttons keep their roles",
            );
            expect(
                before.is_some_and(|p| p.js_dialogs.is_empty()),
                "no dialog ever opened",
            );
            let html = consentlens::report::site_report_html(report, &evaluation.screenshots);
            expect(
                !html.contains("<img src=x onerror") && !html.contains("<svg onload"),
                "the HTML report never writes the markup raw",
            );
            expect(
                html.contains("&lt;img src=x onerror=alert(1)&gt;"),
                "the HTML report shows the markup escaped",
            );
        }
        "cookie-flood.test" => {
            let cookies = before.map_or(&[][..], |p| &p.cookies[..]);
            let own = cookies.iter().filter(|c| !c.third_party).count();
            let helper = cookies.iter().filter(|c| c.third_party).count();
            // Chromium keeps at most 180 per site; the helper frames may still be loading.
            expect(
                (1..=180).contains(&own) && helper <= 180,
                &format!("cookies bounded by the browser ({own} first-, {helper} third-party)"),
            );
        }
        "storage-flood.test" => {
            let storage = before.map(|p| &p.local_storage);
            expect(
                storage.is_some_and(|s| {
                    !s.is_empty()
                        && s.len() <= 500
                        && s.iter()
                            .all(|(k, v)| k.chars().count() <= 1024 && v.chars().count() <= 4096)
                }),
                "localStorage read bounded (500 entries of 4 KiB)",
            );
        }
        "service-worker.test" => {
            let hits = fixture.server.hits_for("www.facebook.com");
            expect(
                !hits
                    .iter()
                    .any(|hit| hit.query.as_deref().is_some_and(|q| q.contains("via=sw"))),
                "the worker answered the pixel: the tracker host was never reached",
            );
        }
        "navigate-file.test" | "navigate-chrome.test" => {
            let own_host = format!("https://{host}/");
            expect(
                report
                    .final_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with(&own_host)),
                "the page stays where it is",
            );
            expect(
                before.is_some_and(|p| {
                    p.requests.iter().all(|r| {
                        !(r.url.starts_with("file:") || r.url.starts_with("chrome:"))
                            || r.status.is_none()
                    })
                }),
                "nothing off the web was loaded",
            );
        }
        "lone-surrogate.test" => expect(
            report
                .title
                .as_deref()
                .is_some_and(|t| t.contains('\u{fffd}')),
            "the title arrives with U+FFFD for each lone half",
        ),
        "prototype-tamper.test" => {
            expect(
                report.title.as_deref() == Some("Tampered prototypes"),
                "the title is read from the isolated world",
            );
            expect(
                before.is_some_and(|p| {
                    p.local_storage.get("real").map(String::as_str) == Some("value")
                }),
                "localStorage is read from the isolated world",
            );
            expect(
                report.provenance.webdriver_hidden == Some(true),
                "navigator.webdriver is read from the isolated world",
            );
        }
        "request-flood.test" => {
            let beacons = before.map_or(0, |p| {
                p.requests
                    .iter()
                    .filter(|r| r.url.contains(".request-flood-sink.test/"))
                    .count()
            });
            expect(
                beacons >= 1_000,
                &format!("the beacons are recorded ({beacons})"),
            );
        }
        "huge-text.test" => {
            expect(
                report
                    .title
                    .as_deref()
                    .is_some_and(|t| t.chars().count() <= 1_000),
                "the title is cut at 1,000 characters",
            );
            expect(
                report
                    .final_url
                    .as_deref()
                    .is_some_and(|u| u.len() <= 8_192),
                "the final URL is cut at 8,192 characters",
            );
        }
        "download.test" => expect(
            message.contains("not a page"),
            "the message says it is no page",
        ),
        "no-content.test" => expect(message.contains("HTTP 204"), "the message gives the status"),
        _ => {}
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

/// A process of this machine, from `/proc/<pid>/stat` and `cmdline`.
#[derive(Debug, Clone)]
struct Process {
    pid: u32,
    parent: u32,
    group: u32,
    command: String,
}

fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            if fields.first() == Some(&"Z") {
                return None; // a zombie holds no resources and is its parent's to reap
            }
            let command = std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
                .unwrap_or_default();
            Some(Process {
                pid,
                parent: fields.get(1)?.parse().ok()?,
                group: fields.get(2)?.parse().ok()?,
                command,
            })
        })
        .collect()
}

/// Every live process started, directly or not, by this test process.
fn descendants() -> Vec<Process> {
    let all = processes();
    let mut family = BTreeSet::from([std::process::id()]);
    loop {
        let before = family.len();
        for process in &all {
            if family.contains(&process.parent) {
                family.insert(process.pid);
            }
        }
        if family.len() == before {
            break;
        }
    }
    all.into_iter()
        .filter(|p| p.pid != std::process::id() && family.contains(&p.pid))
        .collect()
}

/// The renderer processes of the shared browser that can serve web pages. Those of its own
/// new-tab page (`chrome://newtab/` in the default context, opened at start-up) are left out:
/// they carry `--top-chrome-webui` or `--instant-process` and live as long as the browser.
fn renderers(browser: &Browser) -> BTreeSet<u32> {
    processes()
        .into_iter()
        .filter(|p| {
            p.group == browser.pid()
                && p.command.contains("--type=renderer")
                && !p.command.contains("--top-chrome-webui")
                && !p.command.contains("--instant-process")
        })
        .map(|p| p.pid)
        .collect()
}

/// Waits (a few seconds at most) until `holds`, which is checked again at the end.
async fn eventually(mut holds: impl FnMut() -> bool) -> bool {
    let give_up = Instant::now() + Duration::from_secs(10);
    while Instant::now() < give_up {
        if holds() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    holds()
}

#[test]
fn every_hostile_page_gets_its_answer_in_time_and_nothing_is_left_behind() {
    let _one_at_a_time = BROWSER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    block_on(async {
        let fixture = fixture().await;
        let browser = &fixture.browser;
        let pages_before = browser.open_pages().await.expect("pages");
        let renderers_before = renderers(browser);

        // HOSTILE_PAGES=a.test,b.test runs only those pages (when working on them).
        let only = std::env::var("HOSTILE_PAGES").ok();
        let cases: Vec<Case> = corpus()
            .into_iter()
            .filter(|c| {
                only.as_ref()
                    .is_none_or(|o| o.split(',').any(|h| h == c.host))
            })
            .collect();
        let started = Instant::now();
        let mut outcomes: Vec<Outcome> = futures::stream::iter(cases)
            .map(|case| run_case(fixture, case))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        outcomes.sort_by(|a, b| a.case.host.cmp(&b.case.host));
        eprintln!(
            "{}\ncorpus took {:?}",
            summary(&outcomes),
            started.elapsed()
        );
        let problems: BTreeMap<&str, Vec<String>> = outcomes
            .iter()
            .map(|o| (o.case.host.as_str(), check(o, fixture)))
            .filter(|(_, p)| !p.is_empty())
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");

        // The browser survived all of it and still works.
        assert!(browser.is_alive(), "the shared Chromium died");
        let control = corpus()
            .into_iter()
            .find(|c| c.host == "control.test")
            .expect("control.test");
        let outcome = run_case(fixture, control).await;
        let problems = check(&outcome, fixture);
        assert!(
            problems.is_empty(),
            "control.test after the corpus: {problems:?}"
        );

        // Nothing is left open: no page, no context, no renderer, no stray process.
        let pages_left = || async {
            let pages = browser.open_pages().await.expect("pages");
            pages
                .into_iter()
                .filter(|p| !pages_before.contains(p))
                .collect::<Vec<_>>()
        };
        let mut left = pages_left().await;
        for _ in 0..20 {
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            left = pages_left().await;
        }
        assert!(left.is_empty(), "pages left open: {left:?}");
        assert_eq!(browser.open_context_count().await.expect("contexts"), 0);
        let renderers_settled =
            eventually(|| renderers(browser).is_subset(&renderers_before)).await;
        let left = renderers(browser);
        assert!(
            renderers_settled,
            "renderers left: {:#?} (before: {renderers_before:?})",
            processes()
                .into_iter()
                .filter(|p| left.contains(&p.pid))
                .collect::<Vec<_>>()
        );
        let strays: Vec<Process> = descendants()
            .into_iter()
            .filter(|p| p.group != browser.pid())
            .collect();
        assert!(
            strays.is_empty(),
            "processes outside the browser: {strays:#?}"
        );
    });
}

#[test]
fn refused_urls_cost_no_browser_work() {
    let _one_at_a_time = BROWSER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    block_on(async {
        let fixture = fixture().await;
        let browser = &fixture.browser;
        let pages_before = browser.open_pages().await.expect("pages");
        let options = EvaluateOptions {
            allow_private_addresses: false,
            ..EvaluateOptions::default()
        };
        for (url, kind) in [
            ("file:///etc/passwd", "forbidden_scheme"),
            ("javascript:alert(1)", "forbidden_scheme"),
            (
                "data:text/html,<script>alert(1)</script>",
                "forbidden_scheme",
            ),
            ("chrome://crash", "forbidden_scheme"),
            ("view-source:https://control.test/", "forbidden_scheme"),
            ("https://exa mple.test/", "invalid_url"),
            ("https://control.test/\u{0}", "invalid_url"),
            ("http://", "invalid_url"),
            ("http://127.0.0.1/", "forbidden_address"),
            ("http://[::ffff:10.0.0.1]/", "forbidden_address"),
            (
                "http://169.254.169.254/latest/meta-data/",
                "forbidden_address",
            ),
            ("https://localhost./", "forbidden_address"),
        ] {
            let started = Instant::now();
            let report = evaluate(browser, url, &options).await.report;
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{url} took long"
            );
            assert_eq!(report.status, Status::Error, "{url}");
            assert_eq!(report.error.map(|e| e.kind).as_deref(), Some(kind), "{url}");
            assert!(report.phases.before_consent.is_none(), "{url}");
        }
        // Not a single page was opened for them.
        assert_eq!(browser.open_pages().await.expect("pages"), pages_before);
        assert_eq!(browser.open_context_count().await.expect("contexts"), 0);
    });
}
