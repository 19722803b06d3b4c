//! Crawls and study stores for Python: `crawl()` runs a crawl into a study; `Crawler` keeps its
//! browsers between batches (one per Dask worker); `StudyStore` writes a study from Python (the
//! Dask client). The logic lives in `crate::crawl` and `crate::store`; this file converts
//! arguments, releases the GIL, and lets Python see progress and deliver signals while the
//! crawl runs.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use tokio::runtime::Runtime;

use super::{engine_options, to_py_err, ConfigError, ConsentlensError};
use crate::crawl::{self, crawl_study, Collect, CrawlOptions, Progress, StopSignal, StudyWriter};
use crate::engine::EngineOptions;
use crate::evaluate::{Evaluation, Screenshots};
use crate::model::SiteReport;
use crate::store::Study;

/// How often a running crawl hands control to Python (signals, progress callback).
const REPORT_INTERVAL: Duration = Duration::from_millis(200);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(crawl_into_study, m)?)?;
    m.add_class::<Crawler>()?;
    m.add_class::<StudyStore>()?;
    Ok(())
}

/// The crawl's options from Python's: the scheduling ones around the evaluation ones that
/// `engine_options` (shared with `Session`) converted.
fn crawl_options(
    workers: Option<usize>,
    contexts_per_browser: usize,
    recycle_after_sites: usize,
    site_deadline_s: f64,
    retries: u32,
    engine: EngineOptions,
) -> PyResult<CrawlOptions> {
    if !(site_deadline_s.is_finite() && site_deadline_s > 0.0) {
        return Err(ConfigError::new_err("site_deadline_s must be > 0"));
    }
    let options = CrawlOptions {
        workers: workers.unwrap_or_else(crawl::default_workers),
        contexts_per_browser,
        recycle_after_sites,
        site_deadline_ms: (site_deadline_s * 1000.0).round() as u64,
        retries,
        browser: engine.browser,
        evaluate: engine.evaluate,
    };
    options.validate().map_err(to_py_err)?;
    Ok(options)
}

fn runtime() -> PyResult<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(crawl::default_workers().max(2))
        .thread_name("consentlens-crawl")
        .enable_all()
        .build()
        .map_err(|e| to_py_err(e.into()))
}

/// Runs `task` on `runtime` with the GIL released. Every [`REPORT_INTERVAL`] it takes the GIL
/// briefly: a pending signal (Ctrl-C) or an exception from `on_progress` stops the crawl, which
/// then winds down (abandoning its visits, killing its browsers) before the exception is raised.
/// A second signal while it winds down raises at once; dropping the runtime then kills the
/// browsers.
fn run_reporting<T: Send + 'static>(
    py: Python<'_>,
    runtime: &Runtime,
    task: impl Future<Output = T> + Send + 'static,
    stop: &StopSignal,
    progress: &Progress,
    on_progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<T> {
    let (sender, mut receiver) = std::sync::mpsc::channel();
    runtime.spawn(async move {
        let _ = sender.send(task.await);
    });
    let mut raised: Option<PyErr> = None;
    loop {
        let (returned, waited) = py.detach(move || {
            let waited = receiver.recv_timeout(REPORT_INTERVAL);
            (receiver, waited)
        });
        receiver = returned;
        match waited {
            Ok(output) => {
                if raised.is_none() {
                    report_progress(py, progress, on_progress)?;
                }
                return match raised {
                    Some(error) => Err(error),
                    None => Ok(output),
                };
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(raised.unwrap_or_else(|| {
                    ConsentlensError::new_err("the crawl ended without a result (a bug)")
                }))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if let Err(signal) = py.check_signals() {
                    if raised.is_some() {
                        return Err(signal);
                    }
                    stop.stop();
                    raised = Some(signal);
                } else if raised.is_none() {
                    if let Err(error) = report_progress(py, progress, on_progress) {
                        stop.stop();
                        raised = Some(error);
                    }
                }
            }
        }
    }
}

fn report_progress(
    py: Python<'_>,
    progress: &Progress,
    on_progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    if let Some(callback) = on_progress {
        callback.call1((to_python(py, &progress.snapshot())?,))?;
    }
    Ok(())
}

fn to_python<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| ConsentlensError::new_err(e.to_string()))
}

/// Crawls `urls` into the study at `store_path` (created when missing) and returns what the
/// crawl did. URLs already in the study are not visited again; sites an earlier crawl left
/// unfinished are. See `crate::crawl` for the rules.
#[pyfunction(name = "crawl")]
#[pyo3(signature = (store_path, urls, *, workers = None, contexts_per_browser = 1, recycle_after_sites = 100, site_deadline_s = 180.0, retries = 1, on_progress = None, timeout_s = 30.0, settle_s = 5.0, banner_wait_s = 3.0, chrome_args = Vec::new(), locale = "en-GB".to_string(), timezone = "Europe/Oslo".to_string(), viewport = (1366, 768), explore = true, allow_private_addresses = true, chrome_path = None))]
#[allow(clippy::too_many_arguments)]
fn crawl_into_study<'py>(
    py: Python<'py>,
    store_path: PathBuf,
    urls: Vec<String>,
    workers: Option<usize>,
    contexts_per_browser: usize,
    recycle_after_sites: usize,
    site_deadline_s: f64,
    retries: u32,
    on_progress: Option<Bound<'py, PyAny>>,
    timeout_s: f64,
    settle_s: f64,
    banner_wait_s: f64,
    chrome_args: Vec<String>,
    locale: String,
    timezone: String,
    viewport: (u32, u32),
    explore: bool,
    allow_private_addresses: bool,
    chrome_path: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let engine = engine_options(
        timeout_s,
        settle_s,
        banner_wait_s,
        chrome_args,
        locale,
        timezone,
        viewport,
        explore,
        allow_private_addresses,
        chrome_path,
    )?;
    let options = crawl_options(
        workers,
        contexts_per_browser,
        recycle_after_sites,
        site_deadline_s,
        retries,
        engine,
    )?;
    let runtime = runtime()?;
    let stop = StopSignal::new();
    let progress = Arc::new(Progress::new());
    let task = {
        let (stop, progress) = (stop.clone(), progress.clone());
        async move {
            let mut study = Study::open(&store_path)?;
            let mut crawler = crawl::Crawler::new(options)?;
            let outcome = crawl_study(&mut crawler, &mut study, &urls, &stop, &progress).await;
            crawler.close().await;
            outcome
        }
    };
    let outcome = run_reporting(py, &runtime, task, &stop, &progress, on_progress.as_ref());
    // Shutting the runtime down waits for its threads: not while holding the GIL.
    py.detach(move || drop(runtime));
    let summary = outcome?.map_err(to_py_err)?;
    to_python(py, &summary)
}

/// Browsers kept alive between batches of sites: a Dask worker's (see `consentlens.dask`).
#[pyclass(module = "consentlens._native")]
pub struct Crawler {
    runtime: Option<Runtime>,
    /// `None` while a batch runs (the batch's task owns it) and after `close`.
    crawler: Option<crawl::Crawler>,
}

#[pymethods]
impl Crawler {
    #[new]
    #[pyo3(signature = (*, workers = 1, contexts_per_browser = 1, recycle_after_sites = 100, site_deadline_s = 180.0, retries = 1, timeout_s = 30.0, settle_s = 5.0, banner_wait_s = 3.0, chrome_args = Vec::new(), locale = "en-GB".to_string(), timezone = "Europe/Oslo".to_string(), viewport = (1366, 768), explore = true, allow_private_addresses = true, chrome_path = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        workers: usize,
        contexts_per_browser: usize,
        recycle_after_sites: usize,
        site_deadline_s: f64,
        retries: u32,
        timeout_s: f64,
        settle_s: f64,
        banner_wait_s: f64,
        chrome_args: Vec<String>,
        locale: String,
        timezone: String,
        viewport: (u32, u32),
        explore: bool,
        allow_private_addresses: bool,
        chrome_path: Option<PathBuf>,
    ) -> PyResult<Crawler> {
        let engine = engine_options(
            timeout_s,
            settle_s,
            banner_wait_s,
            chrome_args,
            locale,
            timezone,
            viewport,
            explore,
            allow_private_addresses,
            chrome_path,
        )?;
        let options = crawl_options(
            Some(workers),
            contexts_per_browser,
            recycle_after_sites,
            site_deadline_s,
            retries,
            engine,
        )?;
        Ok(Crawler {
            runtime: Some(runtime()?),
            crawler: Some(crawl::Crawler::new(options).map_err(to_py_err)?),
        })
    }

    /// Evaluates a batch of sites with this crawler's browsers (deadlines, retries and
    /// recycling as in a crawl) and returns one dict per site: `url`, `status` (`"ok"` or
    /// `"error"`), `report_json`, `attempts`, and the screenshots `page_png`, `banner_png`, `annotated_png` (bytes or
    /// `None`), in the order the sites finished.
    #[pyo3(signature = (urls, *, on_progress = None))]
    fn evaluate_batch<'py>(
        &mut self,
        py: Python<'py>,
        urls: Vec<String>,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| ConsentlensError::new_err("this crawler is closed"))?;
        let mut crawler = self
            .crawler
            .take()
            .ok_or_else(|| ConsentlensError::new_err("this crawler is closed or busy"))?;
        let stop = StopSignal::new();
        let progress = Arc::new(Progress::new());
        let task = {
            let (stop, progress) = (stop.clone(), progress.clone());
            async move {
                let mut collected = Collect::default();
                let outcome = crawler.crawl(urls, &mut collected, &stop, &progress).await;
                (crawler, outcome.map(|_| collected))
            }
        };
        let (crawler, outcome) =
            run_reporting(py, runtime, task, &stop, &progress, on_progress.as_ref())?;
        self.crawler = Some(crawler);
        let collected = outcome.map_err(to_py_err)?;
        collected
            .finished
            .iter()
            .map(|evaluation| batch_row(py, evaluation, collected.attempts(&evaluation.report.url)))
            .collect()
    }

    /// Closes the browsers. Safe to call twice.
    fn close(&mut self, py: Python<'_>) {
        let crawler = self.crawler.take();
        if let Some(runtime) = self.runtime.take() {
            py.detach(move || {
                if let Some(mut crawler) = crawler {
                    runtime.block_on(crawler.close());
                }
                drop(runtime);
            });
        }
    }

    #[getter]
    fn closed(&self) -> bool {
        self.runtime.is_none()
    }
}

fn batch_row<'py>(
    py: Python<'py>,
    evaluation: &Evaluation,
    attempts: u32,
) -> PyResult<Bound<'py, PyDict>> {
    let report_json = serde_json::to_string(&evaluation.report)
        .map_err(|e| ConsentlensError::new_err(e.to_string()))?;
    let bytes = |png: &Option<Vec<u8>>| png.as_deref().map(|b| PyBytes::new(py, b));
    let row = PyDict::new(py);
    row.set_item("url", &evaluation.report.url)?;
    row.set_item("status", to_python(py, &evaluation.report.status)?)?;
    row.set_item("report_json", report_json)?;
    row.set_item("attempts", attempts)?;
    row.set_item("page_png", bytes(&evaluation.screenshots.page))?;
    row.set_item("banner_png", bytes(&evaluation.screenshots.banner))?;
    row.set_item("annotated_png", bytes(&evaluation.screenshots.annotated))?;
    Ok(row)
}

/// A study file opened for writing from Python. One connection; calls are serialised.
#[pyclass(module = "consentlens._native")]
pub struct StudyStore {
    study: Mutex<Option<Study>>,
    path: PathBuf,
}

impl StudyStore {
    /// Runs `f` on the open study with the GIL released. The lock is taken without the GIL, so
    /// that a thread waiting for it never holds up the one that has it.
    fn with_study<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Study) -> crate::error::Result<T> + Send,
    ) -> PyResult<T> {
        let outcome = py.detach(|| {
            let mut study = self.study.lock().unwrap_or_else(|e| e.into_inner());
            study.as_mut().map(f)
        });
        match outcome {
            Some(result) => result.map_err(to_py_err),
            None => Err(ConsentlensError::new_err("this study store is closed")),
        }
    }
}

#[pymethods]
impl StudyStore {
    /// Opens the study at `path`, creating it (and its folder) when missing.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<StudyStore> {
        let study = py.detach(|| Study::open(&path)).map_err(to_py_err)?;
        Ok(StudyStore {
            study: Mutex::new(Some(study)),
            path,
        })
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The folder beside the study that holds screenshots.
    #[getter]
    fn artifacts_dir(&self, py: Python<'_>) -> PyResult<PathBuf> {
        self.with_study(py, |study| Ok(study.artifacts_dir()))
    }

    /// Adds URLs as pending sites (skipping those already in the study); returns how many.
    fn add_urls(&self, py: Python<'_>, urls: Vec<String>) -> PyResult<usize> {
        self.with_study(py, |study| study.add_urls(&urls))
    }

    /// Sites not finished yet (pending, or interrupted mid-visit), in input order.
    fn pending_urls(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_study(py, |study| study.pending_urls())
    }

    fn failed_urls(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_study(py, |study| study.failed_urls())
    }

    /// Records that a visit of `url` starts now (one more attempt).
    fn mark_running(&self, py: Python<'_>, url: String) -> PyResult<()> {
        self.with_study(py, |study| study.mark_running(&url))
    }

    /// Writes a finished site: its screenshots into the artifacts folder, then its rows, in one
    /// transaction.
    #[pyo3(signature = (report_json, *, page_png = None, banner_png = None, annotated_png = None))]
    fn write_site(
        &self,
        py: Python<'_>,
        report_json: &str,
        page_png: Option<&[u8]>,
        banner_png: Option<&[u8]>,
        annotated_png: Option<&[u8]>,
    ) -> PyResult<()> {
        let report: SiteReport = crate::report::read_document(report_json).map_err(to_py_err)?;
        let evaluation = Evaluation {
            report,
            screenshots: Screenshots {
                page: page_png.map(<[u8]>::to_vec),
                banner: banner_png.map(<[u8]>::to_vec),
                annotated: annotated_png.map(<[u8]>::to_vec),
            },
        };
        self.with_study(py, move |study| StudyWriter::new(study).write(evaluation))
    }

    /// Puts failed sites back in the queue; returns how many.
    fn reset_failed(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_study(py, |study| study.reset_failed())
    }

    /// Sites by state: total, pending, running, ok, error, and errors_by_kind.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let counts = self.with_study(py, |study| study.counts())?;
        to_python(py, &counts)
    }

    /// Records the start of a crawl run (its configuration as JSON); returns its id.
    fn begin_run(&self, py: Python<'_>, config_json: String) -> PyResult<i64> {
        self.with_study(py, |study| {
            study.begin_run(&config_json, env!("CARGO_PKG_VERSION"), None, &[])
        })
    }

    fn finish_run(&self, py: Python<'_>, run_id: i64) -> PyResult<()> {
        self.with_study(py, |study| study.finish_run(run_id))
    }

    /// Raises `StoreError` when the file's structure or its references are broken.
    fn check_integrity(&self, py: Python<'_>) -> PyResult<()> {
        self.with_study(py, |study| study.check_integrity())
    }

    /// Closes the connection. Safe to call twice.
    fn close(&self) {
        self.study.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    #[getter]
    fn closed(&self) -> bool {
        self.study
            .lock()
            .map(|study| study.is_none())
            .unwrap_or(true)
    }
}
