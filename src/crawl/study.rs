//! A crawl into a study store: the sink that writes each finished site (screenshots first, then
//! its rows in one transaction), and the run around a crawl (queue the URLs, record the run,
//! visit what is pending).

use std::path::PathBuf;

use super::artifacts::store_screenshots;
use super::progress::Progress;
use super::sink::CrawlSink;
use super::stop::StopSignal;
use super::{CrawlSummary, Crawler};
use crate::error::Result;
use crate::evaluate::Evaluation;
use crate::store::Study;

/// Writes a crawl's results into a study, one site at a time.
#[derive(Debug)]
pub struct StudyWriter<'a> {
    study: &'a mut Study,
    artifacts_dir: PathBuf,
}

impl<'a> StudyWriter<'a> {
    pub fn new(study: &'a mut Study) -> StudyWriter<'a> {
        let artifacts_dir = study.artifacts_dir();
        StudyWriter {
            study,
            artifacts_dir,
        }
    }

    /// Writes a finished site: its screenshots into the artifacts folder, then its rows.
    pub fn write(&mut self, evaluation: Evaluation) -> Result<()> {
        let report = store_screenshots(&self.artifacts_dir, evaluation)?;
        self.study.write_site(&report)
    }
}

impl CrawlSink for StudyWriter<'_> {
    fn site_started(&mut self, url: &str) -> Result<()> {
        self.study.mark_running(url)
    }

    fn site_finished(&mut self, evaluation: Evaluation) -> Result<()> {
        self.write(evaluation)
    }
}

/// Adds `urls` to the study (those already in it are kept as they are), then visits every
/// site of the study that is not finished (new ones, and any an earlier crawl left unfinished),
/// recording the pass as a crawl run. Stopped by `stop`, it returns with `stopped` set, and the
/// next call resumes where it stopped.
pub async fn crawl_study(
    crawler: &mut Crawler,
    study: &mut Study,
    urls: &[String],
    stop: &StopSignal,
    progress: &Progress,
) -> Result<CrawlSummary> {
    study.add_urls(urls)?;
    let pending = study.pending_urls()?;
    let config = crawler.options().to_config_json();
    let run_id = study.begin_run(&config, env!("CARGO_PKG_VERSION"), None, &[])?;
    let outcome = {
        let mut writer = StudyWriter::new(study);
        crawler.crawl(pending, &mut writer, stop, progress).await
    };
    // The run ended (completed, stopped, or failed on a site it could not write); a run the
    // process did not live to finish keeps no end time, which is how it is told apart.
    let finished = study.finish_run(run_id);
    let summary = outcome?;
    finished?;
    Ok(summary)
}
