//! The scheduler: hands sites to lanes, decides retries, and passes every result to the sink
//! from this one task, in the order they arrive.
//!
//! Lanes and their browsers outlive a crawl: a [`Scheduler`] can run many crawls (a Dask worker
//! runs one per batch) with the same browsers, until it is closed or dropped.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinSet;

use super::driver::Driver;
use super::lane::{Job, Lane, LaneEvent, Slot};
use super::progress::Progress;
use super::retry::is_retryable;
use super::sink::CrawlSink;
use super::stop::StopSignal;
use super::CrawlSummary;
use crate::error::{Error, Result};
use crate::evaluate::{Evaluation, Screenshots};
use crate::model::Status;

/// The scheduling half of [`CrawlOptions`](super::CrawlOptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub workers: usize,
    pub contexts_per_browser: usize,
    pub recycle_after_sites: usize,
    pub site_deadline: Duration,
    pub retries: u32,
}

impl Limits {
    /// How many visits each lane (browser) runs at once: `contexts_per_browser` each, the last
    /// lane taking what remains of `workers`.
    pub fn lane_capacities(&self) -> Vec<usize> {
        let per_browser = self.contexts_per_browser.max(1);
        let mut remaining = self.workers.max(1);
        let mut capacities = Vec::new();
        while remaining > 0 {
            let capacity = per_browser.min(remaining);
            capacities.push(capacity);
            remaining -= capacity;
        }
        capacities
    }
}

pub(crate) struct Scheduler<D: Driver> {
    driver: Arc<D>,
    limits: Limits,
    /// One per lane; each holds the lane's browser between crawls.
    slots: Vec<Slot<D::Browser>>,
}

/// The scheduler's end of a lane.
struct LaneHandle {
    /// Closing it tells the lane that the crawl is over.
    inbox: Option<UnboundedSender<Job>>,
    assigned: usize,
    capacity: usize,
}

/// What one crawl keeps track of.
struct Books<'a> {
    queue: VecDeque<Job>,
    /// Sites without a final result yet (queued, assigned or running).
    outstanding: usize,
    summary: CrawlSummary,
    progress: &'a Progress,
}

impl<D: Driver> Scheduler<D> {
    pub fn new(driver: D, limits: Limits) -> Scheduler<D> {
        let slots = limits
            .lane_capacities()
            .iter()
            .map(|_| Slot::default())
            .collect();
        Scheduler {
            driver: Arc::new(driver),
            limits,
            slots,
        }
    }

    /// Visits every URL once (plus retries) and gives each final result to `sink`. Returns
    /// early, with `stopped` set, when `stop` is signalled; returns the error when the sink
    /// fails or no browser can be started. Either way no visit is left running, and the sites
    /// not yet given to the sink are simply not finished.
    pub async fn crawl(
        &mut self,
        urls: Vec<String>,
        sink: &mut dyn CrawlSink,
        stop: &StopSignal,
        progress: &Progress,
    ) -> Result<CrawlSummary> {
        progress.queue(urls.len());
        let mut books = Books {
            outstanding: urls.len(),
            summary: CrawlSummary {
                sites: urls.len(),
                ..CrawlSummary::default()
            },
            queue: urls.into_iter().map(Job::new).collect(),
            progress,
        };
        let (events_sender, mut events) = mpsc::unbounded_channel();
        let mut lanes = Vec::new();
        let mut lane_tasks = JoinSet::new();
        for (index, capacity) in self.limits.lane_capacities().into_iter().enumerate() {
            let (inbox_sender, inbox) = mpsc::unbounded_channel();
            let lane = Lane {
                index,
                driver: self.driver.clone(),
                capacity,
                recycle_after_sites: self.limits.recycle_after_sites.max(1),
                deadline: self.limits.site_deadline,
                slot: self
                    .slots
                    .get_mut(index)
                    .map(std::mem::take)
                    .unwrap_or_default(),
                events: events_sender.clone(),
            };
            let stop = stop.clone();
            lane_tasks.spawn(async move { (index, lane.run(inbox, stop).await) });
            lanes.push(LaneHandle {
                inbox: Some(inbox_sender),
                assigned: 0,
                capacity,
            });
        }
        drop(events_sender);

        let outcome: Result<()> = loop {
            if let Err(error) = self.dispatch(&mut books, &mut lanes, sink) {
                break Err(error);
            }
            if books.outstanding == 0 {
                break Ok(());
            }
            tokio::select! {
                biased;
                () = stop.stopped() => {
                    books.summary.stopped = true;
                    break Ok(());
                }
                Some(event) = events.recv() => {
                    if let Err(error) = self.on_event(event, &mut books, &mut lanes, sink) {
                        break Err(error);
                    }
                }
                Some(ended) = lane_tasks.join_next() => {
                    let why = match ended {
                        Err(error) if error.is_panic() => "it panicked",
                        _ => "it ended early",
                    };
                    break Err(Error::BrowserCrashed(format!(
                        "a crawl lane stopped while sites were left ({why})"
                    )));
                }
            }
        };

        // Closing the inboxes ends the lanes; whatever still runs is abandoned with its browser.
        for lane in &mut lanes {
            lane.inbox = None;
        }
        while let Some(ended) = lane_tasks.join_next().await {
            if let Ok((index, slot)) = ended {
                if let Some(place) = self.slots.get_mut(index) {
                    *place = slot;
                }
            }
        }
        // What the browsers went through while the crawl wound down is part of the record too.
        while let Ok(event) = events.try_recv() {
            match event {
                LaneEvent::BrowserLaunched { pid } => books.summary.record_launch(pid),
                LaneEvent::BrowserKilled => books.summary.browsers_killed += 1,
                _ => {}
            }
        }
        outcome.map(|()| books.summary)
    }

    /// Closes every browser kept between crawls.
    pub async fn close(&mut self) {
        for slot in &mut self.slots {
            if let Some(browser) = slot.browser.take() {
                match Arc::try_unwrap(browser) {
                    Ok(browser) => self.driver.close(browser).await,
                    Err(shared) => self.driver.kill(&shared),
                }
            }
            slot.visits = 0;
        }
    }

    /// Gives queued sites to the lanes with room, the least busy first. URLs refused by the
    /// input policy are finished here, without a browser.
    fn dispatch(
        &self,
        books: &mut Books<'_>,
        lanes: &mut [LaneHandle],
        sink: &mut dyn CrawlSink,
    ) -> Result<()> {
        while let Some(job) = books.queue.pop_front() {
            if let Some(report) = self.driver.refusal(&job.url) {
                let evaluation = Evaluation {
                    report,
                    screenshots: Screenshots::default(),
                };
                finish(books, sink, evaluation)?;
                continue;
            }
            let lane = lanes
                .iter_mut()
                .filter(|lane| lane.inbox.is_some() && lane.assigned < lane.capacity)
                .min_by_key(|lane| lane.assigned);
            let Some(lane) = lane else {
                books.queue.push_front(job);
                break;
            };
            match lane.inbox.as_ref().map(|inbox| inbox.send(job)) {
                Some(Ok(())) => lane.assigned += 1,
                Some(Err(returned)) => {
                    // The lane has gone (it failed); its end is reported through its task.
                    lane.inbox = None;
                    books.queue.push_front(returned.0);
                }
                None => {}
            }
        }
        Ok(())
    }

    fn on_event(
        &self,
        event: LaneEvent,
        books: &mut Books<'_>,
        lanes: &mut [LaneHandle],
        sink: &mut dyn CrawlSink,
    ) -> Result<()> {
        match event {
            LaneEvent::BrowserLaunched { pid } => books.summary.record_launch(pid),
            LaneEvent::BrowserKilled => books.summary.browsers_killed += 1,
            LaneEvent::Started { url } => {
                sink.site_started(&url)?;
                books.progress.visit_started();
            }
            LaneEvent::Finished {
                lane,
                mut job,
                evaluation,
            } => {
                release(lanes, lane);
                books.progress.visit_ended();
                if is_retryable(&evaluation.report) && job.retries_used < self.limits.retries {
                    job.retries_used += 1;
                    books.summary.retried += 1;
                    books.progress.retried();
                    books.queue.push_back(job);
                } else {
                    finish(books, sink, *evaluation)?;
                }
            }
            LaneEvent::Abandoned { lane, job } => {
                release(lanes, lane);
                books.progress.visit_ended();
                books.summary.abandoned += 1;
                books.queue.push_front(job);
            }
            LaneEvent::Failed { error } => return Err(error),
        }
        Ok(())
    }
}

fn release(lanes: &mut [LaneHandle], lane: usize) {
    if let Some(lane) = lanes.get_mut(lane) {
        lane.assigned = lane.assigned.saturating_sub(1);
    }
}

/// Hands a site's final result to the sink and counts it.
fn finish(books: &mut Books<'_>, sink: &mut dyn CrawlSink, evaluation: Evaluation) -> Result<()> {
    let succeeded = evaluation.report.status == Status::Ok;
    sink.site_finished(evaluation)?;
    books.outstanding = books.outstanding.saturating_sub(1);
    books.progress.finished(succeeded);
    if succeeded {
        books.summary.succeeded += 1;
    } else {
        books.summary.failed += 1;
    }
    Ok(())
}
