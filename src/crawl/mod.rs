//! Many sites: concurrent, crash-proof, resumable crawls.
//!
//! A crawl runs `workers` evaluations at once over one or more Chromiums: each browser (a
//! *lane*) runs `contexts_per_browser` of them, each in its own browser context. Every visit has
//! a deadline that holds even when a page or the whole browser hangs: on expiry the browser is
//! killed (its whole process group) and relaunched, the site is failed with kind `timeout`, and
//! it is retried (`retries` times; only transient failures are, see [`RETRIED_KINDS`]). Browsers
//! are recycled every `recycle_after_sites` visits so that memory stays flat. URLs refused by the
//! input policy are finished without a browser.
//!
//! Results go to a [`CrawlSink`] from one task, in order: [`StudyWriter`] writes each finished
//! site to a study store at once (screenshots first, then the site's rows in one transaction),
//! which is what makes a crawl stopped at any moment resumable without losing or duplicating a
//! site ([`crawl_study`]). A [`StopSignal`] stops a crawl cleanly: visits in progress are
//! abandoned (their sites stay pending) and the browsers killed. No Chromium outlives a
//! [`Crawler`]: dropping it kills its browsers, and if the process itself dies the kernel kills
//! them (see `browser`).
//!
//! ```no_run
//! # async fn example() -> consentlens::Result<()> {
//! use consentlens::crawl::{crawl_study, CrawlOptions, Crawler, Progress, StopSignal};
//! use consentlens::store::Study;
//!
//! let mut study = Study::open("study.sqlite")?;
//! let mut crawler = Crawler::new(CrawlOptions { workers: 4, ..CrawlOptions::default() })?;
//! let urls = vec!["https://www.example.com/".to_string()];
//! let summary =
//!     crawl_study(&mut crawler, &mut study, &urls, &StopSignal::new(), &Progress::new()).await?;
//! crawler.close().await;
//! println!("{} sites ok, {} failed", summary.succeeded, summary.failed);
//! # Ok(()) }
//! ```

mod artifacts;
mod driver;
mod lane;
mod progress;
mod retry;
mod scheduler;
mod sink;
mod stop;
mod study;

#[cfg(test)]
mod tests;

use std::time::Duration;

use serde::Serialize;

use crate::browser::BrowserOptions;
use crate::error::{Error, Result};
use crate::evaluate::EvaluateOptions;

pub use artifacts::store_screenshots;
pub use lane::INTERNAL_ERROR_KIND;
pub use progress::{Progress, ProgressSnapshot};
pub use retry::{is_retryable, RETRIED_KINDS};
pub use sink::{Collect, CrawlSink};
pub use stop::StopSignal;
pub use study::{crawl_study, StudyWriter};

use driver::ChromiumDriver;
use scheduler::{Limits, Scheduler};

/// How a crawl runs.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Evaluations at once, over all browsers.
    pub workers: usize,
    /// Evaluations at once in one browser (each in its own context). A hung site takes down the
    /// visits that share its browser (they are visited again), so fewer is more robust and more
    /// is lighter on memory.
    pub contexts_per_browser: usize,
    /// A browser is closed and replaced after this many visits.
    pub recycle_after_sites: usize,
    /// Longest time one evaluation (all of its visits) may take before its browser is killed.
    pub site_deadline_ms: u64,
    /// How many times a site whose evaluation failed transiently is tried again.
    pub retries: u32,
    pub browser: BrowserOptions,
    pub evaluate: EvaluateOptions,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            workers: default_workers(),
            contexts_per_browser: 1,
            recycle_after_sites: 100,
            // Three visits (before consent, accept, reject) of up to 30 s each, with time to
            // settle and click: a site that takes longer than this is stuck.
            site_deadline_ms: 180_000,
            retries: 1,
            browser: BrowserOptions::default(),
            evaluate: EvaluateOptions::default(),
        }
    }
}

/// One evaluation per processor: a page's scripts, layout and screenshots keep a core busy.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl CrawlOptions {
    /// Refuses options that cannot run.
    pub fn validate(&self) -> Result<()> {
        let positive = [
            ("workers", self.workers as u64),
            ("contexts_per_browser", self.contexts_per_browser as u64),
            ("recycle_after_sites", self.recycle_after_sites as u64),
            ("site_deadline_ms", self.site_deadline_ms),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(Error::Config(format!("{name} must be at least 1")));
            }
        }
        Ok(())
    }

    /// How many browsers run at once.
    pub fn browsers(&self) -> usize {
        self.limits().lane_capacities().len()
    }

    fn limits(&self) -> Limits {
        Limits {
            workers: self.workers,
            contexts_per_browser: self.contexts_per_browser,
            recycle_after_sites: self.recycle_after_sites,
            site_deadline: Duration::from_millis(self.site_deadline_ms),
            retries: self.retries,
        }
    }

    /// The configuration as recorded with a crawl run in the study (`crawl_runs.config_json`).
    pub fn to_config_json(&self) -> String {
        let browser = &self.browser;
        let evaluate = &self.evaluate;
        serde_json::json!({
            "workers": self.workers,
            "contexts_per_browser": self.contexts_per_browser,
            "browsers": self.browsers(),
            "recycle_after_sites": self.recycle_after_sites,
            "site_deadline_ms": self.site_deadline_ms,
            "retries": self.retries,
            "retried_kinds": RETRIED_KINDS,
            "browser": {
                "executable": browser.executable,
                "extra_args": browser.extra_args,
                "viewport": browser.viewport,
                "locale": browser.locale,
                "timezone": browser.timezone,
                "command_timeout_ms": browser.command_timeout_ms,
                "launch_timeout_ms": browser.launch_timeout_ms,
            },
            "evaluate": {
                "timeout_ms": evaluate.visit.timeout_ms,
                "settle_ms": evaluate.visit.settle_ms,
                "idle_ms": evaluate.visit.idle_ms,
                "banner_wait_ms": evaluate.banner_wait_ms,
                "explore": evaluate.explore,
                "max_depth": evaluate.max_depth,
                "allow_private_addresses": evaluate.allow_private_addresses,
            },
        })
        .to_string()
    }
}

/// What one crawl did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrawlSummary {
    /// Sites the crawl set out to finish.
    pub sites: usize,
    /// Sites finished with status `ok`.
    pub succeeded: usize,
    /// Sites finished with status `error`, after their retries.
    pub failed: usize,
    /// Visits repeated after a transient failure.
    pub retried: usize,
    /// Visits cut off because another site's deadline killed their browser (visited again, and
    /// not charged a retry).
    pub abandoned: usize,
    pub browsers_launched: usize,
    /// Browsers killed because a visit outlived the deadline.
    pub browsers_killed: usize,
    /// Process id of every Chromium started (each is also the id of its process group).
    pub browser_pids: Vec<u32>,
    /// Whether the crawl was stopped before every site was finished.
    pub stopped: bool,
}

impl CrawlSummary {
    fn record_launch(&mut self, pid: u32) {
        self.browsers_launched += 1;
        self.browser_pids.push(pid);
    }
}

/// Runs crawls with Chromium. Its browsers are kept between crawls (a Dask worker evaluates
/// batch after batch with the same ones) until [`Crawler::close`], or until it is dropped, which
/// kills them.
pub struct Crawler {
    scheduler: Scheduler<ChromiumDriver>,
    options: CrawlOptions,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Crawler {
    /// A crawler with no browser yet: the first crawl launches them.
    pub fn new(options: CrawlOptions) -> Result<Crawler> {
        options.validate()?;
        let driver = ChromiumDriver {
            browser: options.browser.clone(),
            evaluate: options.evaluate.clone(),
        };
        Ok(Crawler {
            scheduler: Scheduler::new(driver, options.limits()),
            options,
        })
    }

    pub fn options(&self) -> &CrawlOptions {
        &self.options
    }

    /// Evaluates every URL and gives each final result to `sink`; see the module documentation.
    pub async fn crawl(
        &mut self,
        urls: Vec<String>,
        sink: &mut dyn CrawlSink,
        stop: &StopSignal,
        progress: &Progress,
    ) -> Result<CrawlSummary> {
        self.scheduler.crawl(urls, sink, stop, progress).await
    }

    /// Closes the browsers. The crawler can crawl again afterwards (with new browsers).
    pub async fn close(&mut self) {
        self.scheduler.close().await;
    }
}

/// Runs one crawl with browsers of its own, closed at the end.
pub async fn crawl(
    urls: Vec<String>,
    options: CrawlOptions,
    sink: &mut dyn CrawlSink,
    stop: &StopSignal,
    progress: &Progress,
) -> Result<CrawlSummary> {
    let mut crawler = Crawler::new(options)?;
    let outcome = crawler.crawl(urls, sink, stop, progress).await;
    crawler.close().await;
    outcome
}
