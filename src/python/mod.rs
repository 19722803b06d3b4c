//! `consentlens._native`: the thin PyO3 layer. It converts arguments, releases the GIL around
//! browser work, and maps the core's error type to Python exceptions in one place
//! ([`to_py_err`]). Everything else lives in the Rust core or in the Python package.

mod study;

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::browser::BrowserOptions;
use crate::engine::{Engine, EngineOptions};
use crate::error::Error;
use crate::evaluate::{EvaluateOptions, Evaluation};
use crate::model::{SiteReport, Viewport};
use crate::visit::VisitOptions;

create_exception!(
    _native,
    ConsentlensError,
    PyException,
    "Base class of consentlens errors."
);
create_exception!(
    _native,
    BrowserNotFoundError,
    ConsentlensError,
    "No Chromium was found."
);
create_exception!(
    _native,
    BrowserLaunchError,
    ConsentlensError,
    "Chromium could not be started."
);
create_exception!(
    _native,
    BrowserCrashedError,
    ConsentlensError,
    "The browser crashed or went away."
);
create_exception!(
    _native,
    InvalidUrlError,
    ConsentlensError,
    "A URL that cannot be evaluated."
);
create_exception!(
    _native,
    TrackerListError,
    ConsentlensError,
    "A tracker list could not be read."
);
create_exception!(
    _native,
    StoreError,
    ConsentlensError,
    "The study store failed."
);
create_exception!(_native, ConfigError, ConsentlensError, "An invalid option.");
create_exception!(
    _native,
    ResultFormatError,
    ConsentlensError,
    "A result document that cannot be read."
);

/// The one place where core errors become Python exceptions.
pub fn to_py_err(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::BrowserNotFound => BrowserNotFoundError::new_err(message),
        Error::LaunchFailed { .. } => BrowserLaunchError::new_err(message),
        Error::BrowserCrashed(_) | Error::RendererCrashed => BrowserCrashedError::new_err(message),
        Error::InvalidUrl { .. }
        | Error::ForbiddenScheme { .. }
        | Error::ForbiddenAddress { .. } => InvalidUrlError::new_err(message),
        Error::TrackerList { .. } => TrackerListError::new_err(message),
        Error::Store { .. } => StoreError::new_err(message),
        Error::Config(_) => ConfigError::new_err(message),
        Error::ResultFormat(_) => ResultFormatError::new_err(message),
        Error::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err(message),
        Error::Io(e) => PyErr::from(e),
        other => ConsentlensError::new_err(other.to_string()),
    }
}

/// A result document with its screenshots, held in Rust.
#[pyclass(module = "consentlens._native", frozen)]
pub struct NativeReport {
    report: SiteReport,
    images: crate::report::Images,
}

impl NativeReport {
    fn from_evaluation(evaluation: Evaluation) -> Self {
        NativeReport {
            report: evaluation.report,
            images: evaluation.screenshots,
        }
    }
}

fn bytes_or_none<'py>(py: Python<'py>, bytes: &Option<Vec<u8>>) -> Option<Bound<'py, PyBytes>> {
    bytes.as_ref().map(|b| PyBytes::new(py, b))
}

#[pymethods]
impl NativeReport {
    /// Reads a result document (schema version 1) from JSON text; its screenshots are read
    /// from `artifacts_dir` when given (the file names in the document are relative to it).
    #[staticmethod]
    #[pyo3(signature = (text, artifacts_dir = None))]
    fn from_json(text: &str, artifacts_dir: Option<PathBuf>) -> PyResult<NativeReport> {
        let report: SiteReport = crate::report::read_document(text).map_err(to_py_err)?;
        let images = match artifacts_dir {
            Some(dir) => crate::report::Images::load(&report, &dir),
            None => crate::report::Images::default(),
        };
        Ok(NativeReport { report, images })
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pythonize::pythonize(py, &self.report).map_err(|e| ConsentlensError::new_err(e.to_string()))
    }

    #[pyo3(signature = (*, indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        let result = match indent {
            None => serde_json::to_string(&self.report),
            Some(_) => serde_json::to_string_pretty(&self.report),
        };
        result.map_err(|e| ConsentlensError::new_err(e.to_string()))
    }

    /// The self-contained HTML evidence report (no scripts, images inline).
    fn html(&self) -> String {
        crate::report::site_report_html(&self.report, &self.images)
    }

    /// The compact card shown by Jupyter.
    fn card_html(&self) -> String {
        crate::report::site_card_html(&self.report, &self.images)
    }

    /// HAR 1.2 of every observed phase (one page per phase), as JSON text.
    fn har_json(&self) -> String {
        crate::report::har_all(&self.report).to_string()
    }

    #[getter]
    fn page_screenshot<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        bytes_or_none(py, &self.images.page)
    }

    #[getter]
    fn banner_screenshot<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        bytes_or_none(py, &self.images.banner)
    }

    #[getter]
    fn annotated_screenshot<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        bytes_or_none(py, &self.images.annotated)
    }
}

// One argument per keyword option of the Python API, which is what this function converts.
#[allow(clippy::too_many_arguments)]
fn engine_options(
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
) -> PyResult<EngineOptions> {
    if !(timeout_s.is_finite() && timeout_s > 0.0 && settle_s.is_finite() && settle_s >= 0.0) {
        return Err(ConfigError::new_err(
            "timeout_s must be > 0 and settle_s >= 0",
        ));
    }
    if !(banner_wait_s.is_finite() && banner_wait_s >= 0.0) {
        return Err(ConfigError::new_err("banner_wait_s must be >= 0"));
    }
    if viewport.0 < 200 || viewport.1 < 200 || viewport.0 > 10_000 || viewport.1 > 10_000 {
        return Err(ConfigError::new_err(
            "viewport must be between 200x200 and 10000x10000",
        ));
    }
    let ms = |s: f64| (s * 1000.0).round() as u64;
    Ok(EngineOptions {
        browser: BrowserOptions {
            executable: chrome_path,
            extra_args: chrome_args,
            viewport: Viewport {
                width: viewport.0,
                height: viewport.1,
                device_scale_factor: 1.0,
            },
            locale,
            timezone,
            ..BrowserOptions::default()
        },
        evaluate: EvaluateOptions {
            visit: VisitOptions {
                timeout_ms: ms(timeout_s),
                settle_ms: ms(settle_s),
                ..VisitOptions::default()
            },
            banner_wait_ms: ms(banner_wait_s),
            explore,
            allow_private_addresses,
            ..EvaluateOptions::default()
        },
    })
}

/// A browser kept alive between evaluations.
#[pyclass(module = "consentlens._native")]
pub struct Session {
    engine: Option<Engine>,
}

#[pymethods]
impl Session {
    #[new]
    #[pyo3(signature = (*, timeout_s = 30.0, settle_s = 5.0, banner_wait_s = 3.0, chrome_args = Vec::new(), locale = "en-GB".to_string(), timezone = "Europe/Oslo".to_string(), viewport = (1366, 768), explore = true, allow_private_addresses = true, chrome_path = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
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
    ) -> PyResult<Session> {
        let options = engine_options(
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
        Ok(Session {
            engine: Some(Engine::new(options).map_err(to_py_err)?),
        })
    }

    /// Evaluates one site with the GIL released; Ctrl-C interrupts it and stops the browser.
    fn evaluate(&mut self, py: Python<'_>, url: &str) -> PyResult<NativeReport> {
        let engine = self
            .engine
            .as_mut()
            .ok_or_else(|| ConsentlensError::new_err("this session is closed"))?;
        let mut interrupt: Option<PyErr> = None;
        let outcome = py.detach(|| {
            engine.evaluate(url, || {
                Python::attach(|py| match py.check_signals() {
                    Ok(()) => false,
                    Err(e) => {
                        interrupt = Some(e);
                        true
                    }
                })
            })
        });
        match (outcome, interrupt) {
            (_, Some(signal)) => Err(signal),
            (Ok(evaluation), None) => Ok(NativeReport::from_evaluation(evaluation)),
            (Err(e), None) => Err(to_py_err(e)),
        }
    }

    /// Stops the browser. Safe to call twice.
    fn close(&mut self, py: Python<'_>) {
        if let Some(mut engine) = self.engine.take() {
            py.detach(|| engine.close());
        }
    }

    #[getter]
    fn closed(&self) -> bool {
        self.engine.is_none()
    }
}

/// One request a tracker host received: (method, host, path, query, body).
type SinkHit<'py> = (String, String, String, Option<String>, Bound<'py, PyBytes>);

/// The local HTTPS server for fixture sites and the demo web.
#[pyclass(module = "consentlens._native")]
pub struct WebServer {
    server: Option<crate::webserver::BackgroundWebServer>,
}

#[pymethods]
impl WebServer {
    #[new]
    fn new(py: Python<'_>, roots: Vec<PathBuf>) -> PyResult<WebServer> {
        let server = py
            .detach(|| crate::webserver::BackgroundWebServer::start(roots))
            .map_err(to_py_err)?;
        Ok(WebServer {
            server: Some(server),
        })
    }

    #[getter]
    fn port(&self) -> PyResult<u16> {
        Ok(self.running()?.port())
    }

    /// The Chromium arguments that send every host name to this server.
    fn chrome_args(&self) -> PyResult<Vec<String>> {
        Ok(vec![
            format!(
                "--host-resolver-rules={}",
                self.running()?.host_resolver_rules()
            ),
            "--ignore-certificate-errors".to_string(),
        ])
    }

    /// Requests received by tracker hosts: (method, host, path, query, body).
    fn hits<'py>(&self, py: Python<'py>) -> PyResult<Vec<SinkHit<'py>>> {
        Ok(self
            .running()?
            .hits()
            .into_iter()
            .map(|h| (h.method, h.host, h.path, h.query, PyBytes::new(py, &h.body)))
            .collect())
    }

    fn stop(&mut self, py: Python<'_>) {
        if let Some(server) = self.server.take() {
            py.detach(|| server.stop());
        }
    }
}

impl WebServer {
    fn running(&self) -> PyResult<&crate::webserver::BackgroundWebServer> {
        self.server
            .as_ref()
            .ok_or_else(|| ConsentlensError::new_err("the web server is stopped"))
    }
}

/// The study report (counts, distributions, charts) of every finished site of a study, as one
/// self-contained HTML page. Reads the sites one at a time, so it works for large studies.
#[pyfunction]
fn study_report_html(py: Python<'_>, store: PathBuf, title: &str) -> PyResult<String> {
    py.detach(|| {
        let study = crate::store::Study::open(&store)?;
        let mut stats = crate::report::StudyStats::new();
        study.for_each_report(|report| stats.add(&report))?;
        Ok(stats.to_html(title))
    })
    .map_err(to_py_err)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<NativeReport>()?;
    m.add_class::<Session>()?;
    m.add_class::<WebServer>()?;
    m.add_function(wrap_pyfunction!(study_report_html, m)?)?;
    study::register(m)?;
    m.add("ConsentlensError", py.get_type::<ConsentlensError>())?;
    m.add(
        "BrowserNotFoundError",
        py.get_type::<BrowserNotFoundError>(),
    )?;
    m.add("BrowserLaunchError", py.get_type::<BrowserLaunchError>())?;
    m.add("BrowserCrashedError", py.get_type::<BrowserCrashedError>())?;
    m.add("InvalidUrlError", py.get_type::<InvalidUrlError>())?;
    m.add("TrackerListError", py.get_type::<TrackerListError>())?;
    m.add("StoreError", py.get_type::<StoreError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("ResultFormatError", py.get_type::<ResultFormatError>())?;
    Ok(())
}
