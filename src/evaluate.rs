//! One site evaluation: the stages of the pipeline in order, each writing its part of the
//! [`SiteReport`]. Failures of the site become an `"error"` result, never a panic or a lost site.

use std::sync::Arc;

use chrono::Utc;

use crate::browser::Browser;
use crate::decode::{annotate_phase, Classifier};
use crate::detect::wait::wait_for_dialog;
use crate::error::{Error, Result};
use crate::explore::{explore, ExploreOptions, Explored, FirstLook, FirstLookSender, Goal};
use crate::judge::{compute_metrics, find_claims, judge, JudgeConfig};
use crate::measure::capture::capture_dialog;
use crate::model::*;
use crate::visit::{self, VisitOptions};

/// What an evaluation does and how long it may take.
#[derive(Clone)]
pub struct EvaluateOptions {
    pub visit: VisitOptions,
    /// How long to keep looking for a consent dialog that appears late.
    pub banner_wait_ms: u64,
    /// Whether to explore the accept and reject click paths (two more fresh visits).
    pub explore: bool,
    /// Most layer-changing clicks on one click path.
    pub max_depth: u32,
    /// Whether loopback, private and link-local hosts may be evaluated.
    pub allow_private_addresses: bool,
    /// Tracker catalogue and lists, shared by every evaluation.
    pub classifier: Arc<Classifier>,
    pub judge: JudgeConfig,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            visit: VisitOptions::default(),
            banner_wait_ms: 3_000,
            explore: true,
            max_depth: 4,
            allow_private_addresses: true,
            classifier: Classifier::shared_default(),
            judge: JudgeConfig::default(),
        }
    }
}

impl std::fmt::Debug for EvaluateOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvaluateOptions")
            .field("visit", &self.visit)
            .field("banner_wait_ms", &self.banner_wait_ms)
            .field("explore", &self.explore)
            .field("max_depth", &self.max_depth)
            .field("allow_private_addresses", &self.allow_private_addresses)
            .field("tracker_lists", &self.classifier.tracker_lists())
            .field("judge", &self.judge)
            .finish()
    }
}

/// Pictures that go beside the result document (PNG bytes): the page, the dialog, and the
/// dialog annotated with its measurements.
pub type Screenshots = crate::report::Images;

/// A finished evaluation: the result document and its pictures.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub report: SiteReport,
    pub screenshots: Screenshots,
}

/// Evaluates one site. Never fails: problems of the site are in `report.status`/`report.error`.
pub async fn evaluate(browser: &Browser, url: &str, options: &EvaluateOptions) -> Evaluation {
    let started_at = Utc::now();
    let mut report = empty_report(url, browser, options, started_at);
    let mut screenshots = Screenshots::default();
    if let Err(error) = run(browser, url, options, &mut report, &mut screenshots).await {
        report.status = Status::Error;
        report.error = Some(ErrorInfo {
            kind: error.kind().to_string(),
            message: error.to_string(),
        });
    }
    judge_report(&mut report, options);
    Evaluation {
        report,
        screenshots,
    }
}

/// The result document for a URL refused before any browser work.
pub fn refused_report(
    url: &str,
    error: &Error,
    browser: Option<&Browser>,
    options: &EvaluateOptions,
) -> SiteReport {
    let now = Utc::now();
    let mut report = match browser {
        Some(b) => empty_report(url, b, options, now),
        None => bare_report(url, options, now),
    };
    report.status = Status::Error;
    report.error = Some(ErrorInfo {
        kind: error.kind().to_string(),
        message: error.to_string(),
    });
    judge_report(&mut report, options);
    report
}

async fn run(
    browser: &Browser,
    url: &str,
    options: &EvaluateOptions,
    report: &mut SiteReport,
    screenshots: &mut Screenshots,
) -> Result<()> {
    let target = visit::target::check_url(url, options.allow_private_addresses)?;
    // The answer visits load beside the first visit and go on once it has seen the dialog.
    let (tell_answers, first_look) = FirstLook::channel();
    let before = async {
        let context = browser.new_context().await?;
        let first = observe_before_consent(
            browser,
            &context,
            target.as_str(),
            options,
            report,
            screenshots,
            tell_answers,
        )
        .await;
        browser.close_context(context).await;
        first
    };
    let answers = async {
        if options.explore {
            explore_answers(browser, target.as_str(), options, first_look).await
        } else {
            Ok(None)
        }
    };
    let (first, answers) = tokio::join!(before, answers);
    let page_text = first?;
    report.claims.extend(find_claims(&page_text, "page"));
    if let Some(banner) = &report.banner {
        report.claims.extend(find_claims(&banner.text, "banner"));
    }
    if let Some((accept, reject)) = answers? {
        record_answers(report, accept, reject);
    }
    let site_url = report
        .final_url
        .clone()
        .unwrap_or_else(|| target.to_string());
    for (_, phase) in report.phases.iter_mut() {
        annotate_phase(phase, &site_url, &options.classifier);
    }
    Ok(())
}

/// The first visit: everything before any choice, and the dialog as it first shows.
/// Returns the page's visible text (for claims).
async fn observe_before_consent(
    browser: &Browser,
    context: &crate::browser::Context,
    url: &str,
    options: &EvaluateOptions,
    report: &mut SiteReport,
    screenshots: &mut Screenshots,
    tell_answers: FirstLookSender,
) -> Result<String> {
    let page = &context.page;
    let (first, recorder) = visit::first_visit(context, url, &options.visit).await?;
    report.provenance.webdriver_hidden = visit::page::evaluate_json(page, "navigator.webdriver")
        .await
        .map(|v| v == serde_json::Value::Bool(false));
    let viewport = browser.viewport_css();
    let sighting = wait_for_dialog(page, viewport, options.banner_wait_ms).await?;
    tell_answers.tell(sighting.dialog.is_some().then_some(sighting.after_ms));
    if let Some(dialog) = &sighting.dialog {
        let captured = capture_dialog(page, &sighting.snapshot, dialog, 1).await;
        let mut banner = captured.measured.banner;
        banner.appeared_after_ms = Some(sighting.after_ms);
        screenshots.banner = captured.banner_png;
        screenshots.annotated = captured.annotated_png;
        report.banner = Some(banner);
    }
    let phase = visit::end_phase(
        browser,
        context,
        recorder,
        &first.main_frame_id,
        &first.site_domain,
    )
    .await?;
    report.final_url = first.final_url;
    report.http_status = first.http_status;
    report.title = first.title;
    screenshots.page = first.screenshot;
    report.phases.before_consent = Some(phase);
    Ok(first.page_text)
}

/// Both answers, each in its own fresh context, at the same time; `None` when the first visit
/// saw no dialog.
async fn explore_answers(
    browser: &Browser,
    url: &str,
    options: &EvaluateOptions,
    first_look: FirstLook,
) -> Result<Option<(Explored, Explored)>> {
    let explore_options = ExploreOptions {
        visit: options.visit,
        banner_wait_ms: options.banner_wait_ms,
        max_depth: options.max_depth,
        max_toggles: 50,
    };
    let (accept, reject) = tokio::join!(
        explore(
            browser,
            url,
            Goal::Accept,
            &explore_options,
            first_look.clone()
        ),
        explore(browser, url, Goal::Reject, &explore_options, first_look),
    );
    Ok(accept?.zip(reject?))
}

fn record_answers(report: &mut SiteReport, accept: Explored, reject: Explored) {
    // Purpose switches of the settings layers count too (pre-ticked boxes on layer 2).
    if let Some(banner) = report.banner.as_mut() {
        crate::explore::add_deeper_checkboxes(banner, [&accept, &reject]);
    }
    report.click_paths = Some(ClickPaths {
        accept: accept.path,
        reject: reject.path,
    });
    report.phases.after_accept = accept.phase;
    report.phases.after_reject = reject.phase;
    report.consent_state = Some(ConsentStates {
        after_accept: accept.consent_state,
        after_reject: reject.consent_state,
    });
}

/// Findings, metrics and provenance of the lists: the last stage, also for error results.
fn judge_report(report: &mut SiteReport, options: &EvaluateOptions) {
    report.provenance.tracker_lists = options.classifier.tracker_lists().to_vec();
    report.provenance.finished_at = Utc::now();
    report.findings = if report.status == Status::Ok {
        judge(report, &options.judge)
    } else {
        Vec::new()
    };
    report.metrics = compute_metrics(report);
}

fn empty_report(
    url: &str,
    browser: &Browser,
    options: &EvaluateOptions,
    started_at: chrono::DateTime<Utc>,
) -> SiteReport {
    let mut report = bare_report(url, options, started_at);
    let p = &mut report.provenance;
    p.browser_version = Some(browser.version.clone());
    p.user_agent = Some(browser.user_agent.clone());
    p.viewport = browser.options.viewport;
    p.locale = browser.options.locale.clone();
    p.timezone = Some(browser.options.timezone.clone());
    p.third_party_cookies = browser.third_party_cookies();
    p.browser_args = browser.args.clone();
    report
}

fn bare_report(
    url: &str,
    options: &EvaluateOptions,
    started_at: chrono::DateTime<Utc>,
) -> SiteReport {
    SiteReport {
        schema_version: SCHEMA_VERSION,
        url: url.to_string(),
        final_url: None,
        status: Status::Ok,
        error: None,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            browser_version: None,
            user_agent: None,
            started_at,
            finished_at: started_at,
            viewport: Viewport::default(),
            locale: String::new(),
            third_party_cookies: ThirdPartyCookies::Allowed,
            tracker_lists: Vec::new(),
            timezone: None,
            webdriver_hidden: None,
            browser_args: Vec::new(),
            timeout_ms: options.visit.timeout_ms,
            settle_ms: options.visit.settle_ms,
        },
        banner: None,
        click_paths: None,
        phases: Phases::default(),
        findings: Vec::new(),
        metrics: Metrics::default(),
        http_status: None,
        title: None,
        screenshot: None,
        claims: Vec::new(),
        consent_state: None,
    }
}
