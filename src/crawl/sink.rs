//! Where a crawl's results go. The crawl calls its sink from one task, in order, so a sink that
//! writes a single-connection store needs no locking.

use std::collections::HashMap;

use crate::error::Result;
use crate::evaluate::Evaluation;

/// Receives what a crawl does, site by site.
///
/// An error from the sink ends the crawl (its browsers are stopped and the error returned); the
/// site it was about stays unfinished, so a resumed crawl visits it again.
pub trait CrawlSink: Send {
    /// A visit of `url` starts now. Called once per attempt, before that attempt's result.
    fn site_started(&mut self, url: &str) -> Result<()>;

    /// The final result of a site, after its retries. Called once per site.
    fn site_finished(&mut self, evaluation: Evaluation) -> Result<()>;
}

/// Keeps every result in memory, with the number of attempts each site took: for batches that
/// are sent elsewhere to be stored (a Dask worker's batch goes back to the client).
#[derive(Debug, Default)]
pub struct Collect {
    pub finished: Vec<Evaluation>,
    attempts: HashMap<String, u32>,
}

impl Collect {
    /// How many visits of `url` were started.
    pub fn attempts(&self, url: &str) -> u32 {
        self.attempts.get(url).copied().unwrap_or(0)
    }
}

impl CrawlSink for Collect {
    fn site_started(&mut self, url: &str) -> Result<()> {
        *self.attempts.entry(url.to_string()).or_insert(0) += 1;
        Ok(())
    }

    fn site_finished(&mut self, evaluation: Evaluation) -> Result<()> {
        self.finished.push(evaluation);
        Ok(())
    }
}
