//! A lane: one browser and the visits running in it at once (one per browser context).
//!
//! The lane owns its browser's life: it launches it when the first visit needs it, relaunches
//! it after a crash, closes it once it has served `recycle_after_sites` visits (so that memory
//! stays flat), and kills it when a visit outlives the per-site deadline. A deadline holds even
//! when Chromium hangs: the visit's task is cut off by a timer, not by anything Chromium does.
//! Visits that die with a killed browser through no fault of their own are handed back to be
//! visited again; they are not charged a retry.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::{JoinError, JoinSet};

use super::driver::Driver;
use super::stop::StopSignal;
use crate::error::{Error, Result};
use crate::evaluate::{Evaluation, Screenshots};
use crate::model::ErrorInfo;

/// `error.kind` of a site whose evaluation panicked: a bug of ours, not a property of the site.
pub const INTERNAL_ERROR_KIND: &str = "internal_error";

/// How long to wait before the second try at launching a browser.
const RELAUNCH_PAUSE: Duration = Duration::from_secs(1);

/// A site waiting for a visit, with the retries it has used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Job {
    pub url: String,
    pub retries_used: u32,
}

impl Job {
    pub fn new(url: String) -> Job {
        Job {
            url,
            retries_used: 0,
        }
    }
}

/// A lane's browser, kept between crawls by the scheduler.
pub(super) struct Slot<B> {
    pub browser: Option<Arc<B>>,
    /// Visits started on this browser.
    pub visits: usize,
}

impl<B> Default for Slot<B> {
    fn default() -> Self {
        Slot {
            browser: None,
            visits: 0,
        }
    }
}

/// What a lane tells the scheduler, in the order it happens.
pub(super) enum LaneEvent {
    BrowserLaunched {
        pid: u32,
    },
    /// A browser was killed because a visit outlived the deadline.
    BrowserKilled,
    /// A visit starts now.
    Started {
        url: String,
    },
    /// A visit ended with a result (which may be an error to retry).
    Finished {
        lane: usize,
        job: Job,
        evaluation: Box<Evaluation>,
    },
    /// A visit was cut off with its browser, because another visit on it hung.
    Abandoned {
        lane: usize,
        job: Job,
    },
    /// The lane cannot go on (no browser can be started); its unstarted jobs are dropped.
    Failed {
        error: Error,
    },
}

/// How one visit ended, as its task reports it.
enum Attempt {
    Finished(Box<Evaluation>),
    DeadlineExceeded {
        started_at: DateTime<Utc>,
        elapsed: Duration,
    },
}

pub(super) struct Lane<D: Driver> {
    pub index: usize,
    pub driver: Arc<D>,
    /// Visits run at once: one per browser context.
    pub capacity: usize,
    pub recycle_after_sites: usize,
    pub deadline: Duration,
    pub slot: Slot<D::Browser>,
    pub events: UnboundedSender<LaneEvent>,
}

impl<D: Driver> Lane<D> {
    /// Runs until its inbox closes (the crawl is over, or gave up) or `stop` is signalled, then
    /// returns its browser slot for the next crawl. Visits still running at that point are
    /// abandoned and the browser killed, since their contexts are left in an unknown state. A
    /// browser launch in progress is let finish first (it is bounded by its own timeout).
    pub async fn run(
        mut self,
        mut inbox: UnboundedReceiver<Job>,
        stop: StopSignal,
    ) -> Slot<D::Browser> {
        let mut waiting: VecDeque<Job> = VecDeque::new();
        let mut running = Running::default();
        loop {
            if let Err(error) = self.start_waiting(&mut waiting, &mut running).await {
                self.send(LaneEvent::Failed { error });
                break;
            }
            tokio::select! {
                biased;
                () = stop.stopped() => break,
                received = inbox.recv() => match received {
                    Some(job) => waiting.push_back(job),
                    None => break,
                },
                Some((job, joined)) = running.join_next(), if !running.is_empty() => {
                    self.settle(job, joined, &mut running).await;
                }
            }
        }
        if !running.is_empty() {
            self.kill_browser();
            self.abandon_all(&mut running).await;
        }
        if stop.is_stopped() {
            self.kill_browser();
        }
        self.slot
    }

    /// Starts waiting jobs while there is room, launching or recycling the browser as needed.
    async fn start_waiting(
        &mut self,
        waiting: &mut VecDeque<Job>,
        running: &mut Running<Attempt>,
    ) -> Result<()> {
        while running.len() < self.capacity && !waiting.is_empty() {
            let Some(browser) = self.browser_for_next_visit(running.is_empty()).await? else {
                break; // recycling: the browser's last visits are still running
            };
            let Some(job) = waiting.pop_front() else {
                break;
            };
            self.send(LaneEvent::Started {
                url: job.url.clone(),
            });
            let evaluation = self.driver.evaluate(browser, job.url.clone());
            let deadline = self.deadline;
            running.spawn(job, async move {
                let started_at = Utc::now();
                // The runtime's clock, which tests pause and advance.
                let clock = tokio::time::Instant::now();
                match tokio::time::timeout(deadline, evaluation).await {
                    Ok(evaluation) => Attempt::Finished(Box::new(evaluation)),
                    Err(_) => Attempt::DeadlineExceeded {
                        started_at,
                        elapsed: clock.elapsed(),
                    },
                }
            });
            self.slot.visits += 1;
        }
        Ok(())
    }

    /// The browser for the next visit: the current one while it is alive and has visits left,
    /// else a new one. `None` while a browser due for recycling still has visits running.
    async fn browser_for_next_visit(&mut self, idle: bool) -> Result<Option<Arc<D::Browser>>> {
        if let Some(browser) = &self.slot.browser {
            if !self.driver.is_alive(browser) {
                // Crashed. Visits still on it fail by themselves, and are retried.
                self.kill_browser();
            } else if self.slot.visits >= self.recycle_after_sites {
                if !idle {
                    return Ok(None);
                }
                self.close_browser().await;
            } else {
                return Ok(Some(browser.clone()));
            }
        }
        let browser = Arc::new(self.launch().await?);
        self.send(LaneEvent::BrowserLaunched {
            pid: self.driver.pid(&browser),
        });
        self.slot = Slot {
            browser: Some(browser.clone()),
            visits: 0,
        };
        Ok(Some(browser))
    }

    /// Launches a browser, trying a second time after a pause: a machine under memory pressure
    /// can fail one launch and manage the next. A missing browser is not tried twice.
    async fn launch(&self) -> Result<D::Browser> {
        match self.driver.launch().await {
            Err(Error::LaunchFailed { .. }) => {
                tokio::time::sleep(RELAUNCH_PAUSE).await;
                self.driver.launch().await
            }
            outcome => outcome,
        }
    }

    /// Handles a visit that ended.
    async fn settle(
        &mut self,
        job: Job,
        joined: std::result::Result<Attempt, JoinError>,
        running: &mut Running<Attempt>,
    ) {
        match joined {
            Ok(Attempt::Finished(evaluation)) => self.finish(job, evaluation),
            Ok(Attempt::DeadlineExceeded {
                started_at,
                elapsed,
            }) => {
                // Written before the kill, while the browser can still say what it was.
                let evaluation = self.timed_out(&job.url, started_at, elapsed);
                // The browser may be hung as a whole: kill it, and with it the other visits in
                // it, which are handed back to be visited again in a fresh browser.
                self.kill_browser();
                self.send(LaneEvent::BrowserKilled);
                self.finish(job, evaluation);
                self.abandon_all(running).await;
            }
            Err(error) => self.finish_failed_task(job, error),
        }
    }

    /// Cuts off every running visit. Visits that ended before the cut keep their result.
    async fn abandon_all(&mut self, running: &mut Running<Attempt>) {
        running.abort_all();
        while let Some((job, joined)) = running.join_next().await {
            match joined {
                Ok(Attempt::Finished(evaluation)) => self.finish(job, evaluation),
                Ok(Attempt::DeadlineExceeded {
                    started_at,
                    elapsed,
                }) => {
                    let evaluation = self.timed_out(&job.url, started_at, elapsed);
                    self.finish(job, evaluation);
                }
                Err(error) if error.is_cancelled() => self.send(LaneEvent::Abandoned {
                    lane: self.index,
                    job,
                }),
                Err(error) => self.finish_failed_task(job, error),
            }
        }
    }

    fn finish(&self, job: Job, evaluation: Box<Evaluation>) {
        self.send(LaneEvent::Finished {
            lane: self.index,
            job,
            evaluation,
        });
    }

    /// The result of a visit that outlived the deadline: an error of kind `timeout` that names
    /// the deadline, with the browser's provenance and the visit's real timing.
    fn timed_out(
        &self,
        url: &str,
        started_at: DateTime<Utc>,
        elapsed: Duration,
    ) -> Box<Evaluation> {
        let error = Error::Timeout {
            what: format!("evaluating {url} (the per-site deadline)"),
            timeout_ms: duration_ms(self.deadline),
        };
        let mut report = self.driver.error_report(
            self.slot.browser.as_deref(),
            url,
            ErrorInfo {
                kind: error.kind().to_string(),
                message: error.to_string(),
            },
        );
        report.provenance.started_at = started_at;
        report.provenance.finished_at = Utc::now();
        report.metrics.duration_ms = Some(duration_ms(elapsed));
        Box::new(Evaluation {
            report,
            screenshots: Screenshots::default(),
        })
    }

    /// A visit whose task panicked (a bug): the site fails with the panic's message, and the
    /// crawl goes on.
    fn finish_failed_task(&self, job: Job, error: JoinError) {
        let message = match error.try_into_panic() {
            Ok(payload) => panic_message(payload.as_ref()),
            Err(error) => error.to_string(),
        };
        let report = self.driver.error_report(
            self.slot.browser.as_deref(),
            &job.url,
            ErrorInfo {
                kind: INTERNAL_ERROR_KIND.to_string(),
                message: format!("the evaluation failed unexpectedly: {message}"),
            },
        );
        let evaluation = Box::new(Evaluation {
            report,
            screenshots: Screenshots::default(),
        });
        self.finish(job, evaluation);
    }

    fn kill_browser(&mut self) {
        if let Some(browser) = self.slot.browser.take() {
            self.driver.kill(&browser);
        }
        self.slot.visits = 0;
    }

    async fn close_browser(&mut self) {
        if let Some(browser) = self.slot.browser.take() {
            match Arc::try_unwrap(browser) {
                Ok(browser) => self.driver.close(browser).await,
                // Still held by a finished task that has not let go yet: kill it instead.
                Err(shared) => self.driver.kill(&shared),
            }
        }
        self.slot.visits = 0;
    }

    fn send(&self, event: LaneEvent) {
        // The scheduler outlives its lanes; a send can only fail while it is shutting down,
        // when there is nobody left to tell.
        let _ = self.events.send(event);
    }
}

/// The visits running in a lane, each with its job (a task that panicked or was cancelled
/// returns no value, but its site must still be accounted for).
struct Running<T> {
    tasks: JoinSet<T>,
    jobs: HashMap<tokio::task::Id, Job>,
}

impl<T> Default for Running<T> {
    fn default() -> Self {
        Running {
            tasks: JoinSet::new(),
            jobs: HashMap::new(),
        }
    }
}

impl<T: Send + 'static> Running<T> {
    fn spawn(&mut self, job: Job, task: impl std::future::Future<Output = T> + Send + 'static) {
        let handle = self.tasks.spawn(task);
        self.jobs.insert(handle.id(), job);
    }

    fn len(&self) -> usize {
        self.tasks.len()
    }

    fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn abort_all(&mut self) {
        self.tasks.abort_all();
    }

    /// The next visit to end, with its job. `None` when none is running.
    async fn join_next(&mut self) -> Option<(Job, std::result::Result<T, JoinError>)> {
        loop {
            let (id, joined) = match self.tasks.join_next_with_id().await? {
                Ok((id, value)) => (id, Ok(value)),
                Err(error) => (error.id(), Err(error)),
            };
            // Every task is registered when spawned; the lookup cannot miss.
            if let Some(job) = self.jobs.remove(&id) {
                return Some((job, joined));
            }
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
