//! What the server saw: the tracker-sink hits and the access log, both bounded in memory.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many sink hits and access-log entries are kept; older ones are dropped first.
pub(crate) const MAX_RECORDS: usize = 100_000;

/// How much of a request body a [`Hit`] keeps; the rest is read and discarded.
pub(crate) const MAX_HIT_BODY_BYTES: usize = 1024 * 1024;

/// One request that reached a tracker sink (a host without a folder, or with `_sink.headers`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub time_ms: f64,
    pub method: String,
    /// The host name, lower case, without port.
    pub host: String,
    /// The path, still percent-encoded as sent, without the query.
    pub path: String,
    /// The query string without the `?`, as sent.
    pub query: Option<String>,
    /// Request headers in the order received; names are lower case.
    pub headers: Vec<(String, String)>,
    /// The request body, cut at 1 MiB.
    pub body: Vec<u8>,
}

/// One line of the access log: every request on every host, with the status it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessEntry {
    pub method: String,
    pub host: String,
    pub path: String,
    /// 0 when the request was never answered (`/__cl/hang`, `/__cl/close`).
    pub status: u16,
}

/// The shared, bounded logs of one server.
#[derive(Debug, Default)]
pub(crate) struct Records {
    hits: Mutex<VecDeque<Hit>>,
    access: Mutex<VecDeque<AccessEntry>>,
}

impl Records {
    pub fn record_hit(&self, hit: Hit) {
        push_bounded(&mut lock(&self.hits), hit);
    }

    pub fn record_access(&self, entry: AccessEntry) {
        push_bounded(&mut lock(&self.access), entry);
    }

    pub fn hits(&self) -> Vec<Hit> {
        lock(&self.hits).iter().cloned().collect()
    }

    pub fn hits_for(&self, host: &str) -> Vec<Hit> {
        let host = host.to_ascii_lowercase();
        lock(&self.hits)
            .iter()
            .filter(|hit| hit.host == host)
            .cloned()
            .collect()
    }

    pub fn clear_hits(&self) {
        lock(&self.hits).clear();
    }

    pub fn access_log(&self) -> Vec<(String, String, String, u16)> {
        lock(&self.access)
            .iter()
            .map(|e| (e.method.clone(), e.host.clone(), e.path.clone(), e.status))
            .collect()
    }
}

/// Milliseconds since the Unix epoch, the clock of [`Hit::time_ms`].
pub(crate) fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

fn push_bounded<T>(queue: &mut VecDeque<T>, item: T) {
    if queue.len() >= MAX_RECORDS {
        queue.pop_front();
    }
    queue.push_back(item);
}

/// A panic elsewhere while holding the lock leaves the logs usable: they are append-only data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(host: &str, path: &str) -> Hit {
        Hit {
            time_ms: now_ms(),
            method: "GET".into(),
            host: host.into(),
            path: path.into(),
            query: None,
            headers: vec![],
            body: vec![],
        }
    }

    #[test]
    fn keeps_only_the_newest_records() {
        let records = Records::default();
        for i in 0..MAX_RECORDS + 5 {
            records.record_hit(hit("t.test", &format!("/{i}")));
        }
        let hits = records.hits();
        assert_eq!(hits.len(), MAX_RECORDS);
        assert_eq!(hits[0].path, "/5");
        assert_eq!(hits[MAX_RECORDS - 1].path, format!("/{}", MAX_RECORDS + 4));
    }

    #[test]
    fn filters_hits_by_host_case_insensitively() {
        let records = Records::default();
        records.record_hit(hit("www.facebook.com", "/tr"));
        records.record_hit(hit("www.google-analytics.com", "/g/collect"));
        let hits = records.hits_for("WWW.Facebook.com");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].path, "/tr");
        records.clear_hits();
        assert!(records.hits().is_empty());
    }

    #[test]
    fn access_log_keeps_status() {
        let records = Records::default();
        records.record_access(AccessEntry {
            method: "GET".into(),
            host: "site.test".into(),
            path: "/missing".into(),
            status: 404,
        });
        assert_eq!(
            records.access_log(),
            vec![("GET".into(), "site.test".into(), "/missing".into(), 404)]
        );
    }

    #[test]
    fn clock_is_unix_epoch_milliseconds() {
        // 2020-01-01 in ms; any sane clock is past it.
        assert!(now_ms() > 1_577_836_800_000.0);
    }
}
