//! The seam between scheduling and the browser: what the crawl needs from one, so that the
//! scheduler's rules (deadlines, retries, recycling, stopping) are tested without Chromium.

use std::future::Future;
use std::sync::Arc;

use crate::browser::{Browser, BrowserOptions};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate, refused_report, EvaluateOptions, Evaluation};
use crate::model::{ErrorInfo, SiteReport};
use crate::visit::target::check_url;

pub(crate) trait Driver: Send + Sync + 'static {
    type Browser: Send + Sync + 'static;

    fn launch(&self) -> impl Future<Output = Result<Self::Browser>> + Send;

    /// Evaluates `url`. Never fails: problems are in the result. The future owns what it needs,
    /// so that it can run as a task of its own and be dropped at any point.
    fn evaluate(
        &self,
        browser: Arc<Self::Browser>,
        url: String,
    ) -> impl Future<Output = Evaluation> + Send + 'static;

    fn is_alive(&self, browser: &Self::Browser) -> bool;

    /// Kills the browser at once, with all its processes.
    fn kill(&self, browser: &Self::Browser);

    /// Closes the browser politely (and then kills it).
    fn close(&self, browser: Self::Browser) -> impl Future<Output = ()> + Send;

    fn pid(&self, browser: &Self::Browser) -> u32;

    /// The result for a URL refused before any browser work, or `None` when it may be visited.
    fn refusal(&self, url: &str) -> Option<SiteReport>;

    /// An error result for `url` that the evaluation itself could not write (it outlived its
    /// deadline, or panicked), with the browser's provenance when there was one.
    fn error_report(
        &self,
        browser: Option<&Self::Browser>,
        url: &str,
        error: ErrorInfo,
    ) -> SiteReport;
}

/// The real thing: Debian's Chromium and the whole evaluation pipeline.
#[derive(Debug, Clone)]
pub(crate) struct ChromiumDriver {
    pub browser: BrowserOptions,
    pub evaluate: EvaluateOptions,
}

impl Driver for ChromiumDriver {
    type Browser = Browser;

    fn launch(&self) -> impl Future<Output = Result<Browser>> + Send {
        Browser::launch(self.browser.clone())
    }

    fn evaluate(
        &self,
        browser: Arc<Browser>,
        url: String,
    ) -> impl Future<Output = Evaluation> + Send + 'static {
        let options = self.evaluate.clone();
        async move { evaluate(&browser, &url, &options).await }
    }

    fn is_alive(&self, browser: &Browser) -> bool {
        browser.is_alive()
    }

    fn kill(&self, browser: &Browser) {
        browser.kill();
    }

    fn close(&self, browser: Browser) -> impl Future<Output = ()> + Send {
        browser.close()
    }

    fn pid(&self, browser: &Browser) -> u32 {
        browser.pid()
    }

    fn refusal(&self, url: &str) -> Option<SiteReport> {
        let refused = check_url(url, self.evaluate.allow_private_addresses).err()?;
        Some(refused_report(url, &refused, None, &self.evaluate))
    }

    fn error_report(&self, browser: Option<&Browser>, url: &str, error: ErrorInfo) -> SiteReport {
        // `refused_report` fills in the provenance; its error is replaced by the real one.
        let mut report = refused_report(url, &Error::Interrupted, browser, &self.evaluate);
        report.error = Some(error);
        report
    }
}
