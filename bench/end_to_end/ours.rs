//! consentlens itself: the crawl engine at `workers` evaluations at once (one Chromium per
//! worker, as `CrawlOptions` defaults to), full evaluation of every site, results kept only as
//! the few facts the harness compares.

use std::io::Write;

use consentlens::browser::BrowserOptions;
use consentlens::crawl::{CrawlOptions, CrawlSink, Crawler, Progress, StopSignal};
use consentlens::evaluate::{EvaluateOptions, Evaluation};
use consentlens::model::{Status, Step};
use consentlens::visit::VisitOptions;
use serde::Serialize;

use crate::{Job, RunResult, SiteOutcome};

/// What the harness keeps of one evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Observed {
    pub banner: bool,
    pub clicks_to_accept: Option<u32>,
    pub clicks_to_reject: Option<u32>,
    pub accept_succeeded: bool,
    pub reject_succeeded: bool,
    /// Main-frame navigations after each answer (reload and subpage).
    pub accept_navigations: usize,
    pub reject_navigations: usize,
}

/// Counts results as they arrive and reports progress on stdout for the harness.
struct Sink {
    sites: Vec<SiteOutcome>,
}

impl CrawlSink for Sink {
    fn site_started(&mut self, _url: &str) -> consentlens::Result<()> {
        Ok(())
    }

    fn site_finished(&mut self, evaluation: Evaluation) -> consentlens::Result<()> {
        let report = evaluation.report;
        let paths = report.click_paths.as_ref();
        let after = |phase: &Option<consentlens::model::Phase>| {
            phase.as_ref().map_or(0, |p| {
                p.navigations
                    .iter()
                    .filter(|n| matches!(n.step, Step::Reload | Step::Subpage))
                    .count()
            })
        };
        let observed = Observed {
            banner: report.banner.is_some(),
            clicks_to_accept: paths.and_then(|p| p.accept.clicks),
            clicks_to_reject: paths.and_then(|p| p.reject.clicks),
            accept_succeeded: paths.is_some_and(|p| p.accept.succeeded),
            reject_succeeded: paths.is_some_and(|p| p.reject.succeeded),
            accept_navigations: after(&report.phases.after_accept),
            reject_navigations: after(&report.phases.after_reject),
        };
        self.sites.push(SiteOutcome {
            url: report.url.clone(),
            ok: report.status == Status::Ok,
            dialog: observed.banner,
            accept: observed.accept_succeeded,
            reject: observed.reject_succeeded,
            error: report
                .error
                .as_ref()
                .map(|e| format!("{}: {}", e.kind, e.message)),
            detail: serde_json::to_value(&observed).ok(),
        });
        println!("progress {}", self.sites.len());
        let _ = std::io::stdout().flush();
        Ok(())
    }
}

pub async fn run(job: &Job) -> RunResult {
    let settings = &job.settings;
    let options = CrawlOptions {
        workers: job.workers,
        browser: BrowserOptions {
            extra_args: job.chromium_args.clone(),
            ..BrowserOptions::default()
        },
        evaluate: EvaluateOptions {
            visit: VisitOptions {
                timeout_ms: settings.timeout_ms,
                settle_ms: settings.settle_ms,
                idle_ms: settings.idle_ms,
            },
            banner_wait_ms: settings.banner_wait_ms,
            ..EvaluateOptions::default()
        },
        ..CrawlOptions::default()
    };
    let started = std::time::Instant::now();
    let mut sink = Sink { sites: Vec::new() };
    let urls: Vec<String> = job.sites.iter().map(|s| s.url.clone()).collect();
    let outcome = match Crawler::new(options) {
        Ok(mut crawler) => {
            let outcome = crawler
                .crawl(urls, &mut sink, &StopSignal::new(), &Progress::new())
                .await;
            let elapsed = started.elapsed();
            crawler.close().await;
            outcome.map(|summary| (summary, elapsed))
        }
        Err(e) => Err(e),
    };
    let (elapsed_s, note) = match outcome {
        Ok((summary, elapsed)) => (
            elapsed.as_secs_f64(),
            format!(
                "{} retried, {} browsers launched",
                summary.retried, summary.browsers_launched
            ),
        ),
        Err(e) => (
            started.elapsed().as_secs_f64(),
            format!("crawl failed: {e}"),
        ),
    };
    RunResult::new("consentlens", job.workers, elapsed_s, sink.sites, note)
}
