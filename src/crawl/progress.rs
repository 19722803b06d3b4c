//! How far a crawl has come, readable from another thread while it runs (a progress bar polls
//! it; the crawl never waits for it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Counters of one crawl. The crawl updates them; anyone may read a [`ProgressSnapshot`].
#[derive(Debug)]
pub struct Progress {
    queued: AtomicUsize,
    succeeded: AtomicUsize,
    failed: AtomicUsize,
    retried: AtomicUsize,
    in_flight: AtomicUsize,
    /// When the first site was queued: the rate is measured from there.
    started: Mutex<Option<Instant>>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

/// A reading of [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProgressSnapshot {
    /// Sites this crawl set out to finish.
    pub queued: usize,
    /// Sites written with status `ok`.
    pub succeeded: usize,
    /// Sites written with status `error` (after their retries).
    pub failed: usize,
    /// Visits repeated after a transient failure.
    pub retried: usize,
    /// Visits running now.
    pub in_flight: usize,
    pub elapsed_s: f64,
    /// Finished sites (ok or error) per minute since the crawl started.
    pub sites_per_minute: f64,
}

impl ProgressSnapshot {
    /// Sites finished, whatever their status.
    pub fn finished(&self) -> usize {
        self.succeeded + self.failed
    }
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            queued: AtomicUsize::new(0),
            succeeded: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            retried: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            started: Mutex::new(None),
        }
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let elapsed = self
            .started
            .lock()
            .map(|started| started.map(|s| s.elapsed()))
            .unwrap_or_default()
            .unwrap_or(Duration::ZERO);
        let succeeded = self.succeeded.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        let elapsed_s = elapsed.as_secs_f64();
        ProgressSnapshot {
            queued: self.queued.load(Ordering::Relaxed),
            succeeded,
            failed,
            retried: self.retried.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            elapsed_s,
            sites_per_minute: if elapsed_s > 0.0 {
                (succeeded + failed) as f64 * 60.0 / elapsed_s
            } else {
                0.0
            },
        }
    }

    pub(super) fn queue(&self, sites: usize) {
        if let Ok(mut started) = self.started.lock() {
            started.get_or_insert_with(Instant::now);
        }
        self.queued.fetch_add(sites, Ordering::Relaxed);
    }

    pub(super) fn visit_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A visit ended, with a result or cut off with its browser.
    pub(super) fn visit_ended(&self) {
        // Never below zero, even if a caller's bookkeeping were off.
        let _ = self
            .in_flight
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    pub(super) fn retried(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn finished(&self, succeeded: bool) {
        let counter = if succeeded {
            &self.succeeded
        } else {
            &self.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_in_flight_never_goes_negative() {
        let progress = Progress::new();
        assert_eq!(progress.snapshot().sites_per_minute, 0.0);
        progress.queue(3);
        progress.visit_started();
        progress.visit_started();
        progress.visit_ended();
        progress.retried();
        progress.finished(true);
        progress.finished(false);
        progress.visit_ended();
        progress.visit_ended();
        let snapshot = progress.snapshot();
        assert_eq!(snapshot.queued, 3);
        assert_eq!(snapshot.succeeded, 1);
        assert_eq!(snapshot.failed, 1);
        assert_eq!(snapshot.finished(), 2);
        assert_eq!(snapshot.retried, 1);
        assert_eq!(snapshot.in_flight, 0);
        assert!(snapshot.elapsed_s >= 0.0);
    }
}
