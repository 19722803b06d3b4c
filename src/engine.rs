//! A blocking front for callers without an async runtime (the Python module): one runtime, one
//! browser kept alive between evaluations and restarted when it dies.

use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Runtime;

use crate::browser::{Browser, BrowserOptions};
use crate::error::{Error, Result};
use crate::evaluate::{evaluate, refused_report, EvaluateOptions, Evaluation, Screenshots};
use crate::visit::target::check_url;

#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub browser: BrowserOptions,
    pub evaluate: EvaluateOptions,
}

pub struct Engine {
    runtime: Runtime,
    browser: Option<Arc<Browser>>,
    pub options: EngineOptions,
}

impl Engine {
    pub fn new(options: EngineOptions) -> Result<Engine> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("consentlens")
            .enable_all()
            .build()?;
        Ok(Engine {
            runtime,
            browser: None,
            options,
        })
    }

    /// The running browser, started (or restarted after a crash) on demand.
    fn browser(&mut self) -> Result<Arc<Browser>> {
        if let Some(browser) = &self.browser {
            if browser.is_alive() {
                return Ok(browser.clone());
            }
        }
        self.browser = None;
        let options = self.options.browser.clone();
        let browser = Arc::new(self.runtime.block_on(Browser::launch(options))?);
        self.browser = Some(browser.clone());
        Ok(browser)
    }

    /// Evaluates one site. `should_stop` is called about every 100 ms while the browser works;
    /// when it returns true the evaluation is abandoned, the browser killed, and
    /// [`Error::Interrupted`] returned (so Ctrl-C works in a notebook).
    pub fn evaluate(
        &mut self,
        url: &str,
        mut should_stop: impl FnMut() -> bool,
    ) -> Result<Evaluation> {
        // Refuse bad input before starting a browser for it.
        if let Err(error) = check_url(url, self.options.evaluate.allow_private_addresses) {
            let browser = self.browser.as_deref();
            return Ok(Evaluation {
                report: refused_report(url, &error, browser, &self.options.evaluate),
                screenshots: Screenshots::default(),
            });
        }
        let browser = self.browser()?;
        let options = self.options.evaluate.clone();
        let url = url.to_string();
        let (tx, rx) = std::sync::mpsc::channel();
        let task = self.runtime.spawn(async move {
            let evaluation = evaluate(&browser, &url, &options).await;
            let _ = tx.send(evaluation);
        });
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(evaluation) => return Ok(evaluation),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::BrowserCrashed(
                        "the evaluation task ended without a result".into(),
                    ))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if should_stop() {
                        task.abort();
                        self.close();
                        return Err(Error::Interrupted);
                    }
                }
            }
        }
    }

    /// Stops the browser (its whole process group). The engine can be used again afterwards.
    pub fn close(&mut self) {
        if let Some(browser) = self.browser.take() {
            match Arc::try_unwrap(browser) {
                Ok(browser) => self.runtime.block_on(browser.close()),
                // Still held by an aborted task: kill the process group now, not when it lets go.
                Err(shared) => shared.kill(),
            }
        }
    }

    /// Runs a future on the engine's runtime (for callers that need more than `evaluate`).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.close();
    }
}
