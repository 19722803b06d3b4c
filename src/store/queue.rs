//! The study as a work queue: which sites are waiting, running, done or failed.
//!
//! A site's `status` moves `pending → running → ok | error`. A site left `running` was
//! interrupted mid-visit (the process died before writing it); it counts as pending on resume.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::{now_text, InStudy, Study};
use crate::error::Result;

/// How many sites are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StudyCounts {
    pub total: usize,
    pub pending: usize,
    /// Started but not written: interrupted visits, or visits in progress right now.
    pub running: usize,
    pub ok: usize,
    pub error: usize,
    /// Failed sites by `error_kind` (`timeout`, `dns`, …).
    pub errors_by_kind: BTreeMap<String, usize>,
}

impl Study {
    /// Adds URLs as pending sites in the given order, skipping any already in the study (and
    /// repeats within `urls`). Returns how many were new.
    pub fn add_urls(&mut self, urls: &[String]) -> Result<usize> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .in_study(path)?;
        let mut added = 0;
        {
            let mut next_position = next_position(&tx).in_study(path)?;
            let mut insert = tx
                .prepare(
                    "INSERT INTO sites (url, position) VALUES (?1, ?2) ON CONFLICT(url) DO NOTHING",
                )
                .in_study(path)?;
            for url in urls {
                if insert.execute(params![url, next_position]).in_study(path)? == 1 {
                    next_position += 1;
                    added += 1;
                }
            }
        }
        tx.commit().in_study(path)?;
        Ok(added)
    }

    /// Sites still to visit, in input order: pending ones and interrupted (`running`) ones.
    pub fn pending_urls(&self) -> Result<Vec<String>> {
        self.urls_where("status IN ('pending', 'running')")
    }

    /// Sites whose last evaluation failed, in input order.
    pub fn failed_urls(&self) -> Result<Vec<String>> {
        self.urls_where("status = 'error'")
    }

    /// Records that a visit of `url` starts now: one more attempt, attributed to the current
    /// crawl run. A URL not yet in the study is added.
    pub fn mark_running(&mut self, url: &str) -> Result<()> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .in_study(path)?;
        let site_id = ensure_site(&tx, url).in_study(path)?;
        tx.execute(
            "UPDATE sites SET status = 'running', attempts = attempts + 1, started_at = ?2,
                 run_id = COALESCE(?3, run_id)
             WHERE site_id = ?1",
            params![site_id, now_text(), self.current_run],
        )
        .in_study(path)?;
        tx.commit().in_study(path)
    }

    /// Puts every failed site back in the queue, to retry failed sites alone. Their earlier
    /// result stays in place until the retry's write replaces it. Returns how many.
    pub fn reset_failed(&mut self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE sites SET status = 'pending' WHERE status = 'error'",
                [],
            )
            .in_study(&self.path)
    }

    /// How many sites are in each state, and the failures by kind.
    pub fn counts(&self) -> Result<StudyCounts> {
        let path = &self.path;
        let mut counts = StudyCounts::default();
        let mut by_status = self
            .conn
            .prepare("SELECT status, count(*) FROM sites GROUP BY status")
            .in_study(path)?;
        let rows = by_status
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .in_study(path)?;
        for row in rows {
            let (status, count) = row.in_study(path)?;
            let count = usize::try_from(count).unwrap_or(0);
            counts.total += count;
            match status.as_str() {
                "pending" => counts.pending = count,
                "running" => counts.running = count,
                "ok" => counts.ok = count,
                "error" => counts.error = count,
                _ => {} // excluded by the table's CHECK constraint
            }
        }
        let mut by_kind = self
            .conn
            .prepare(
                "SELECT COALESCE(error_kind, 'unknown'), count(*) FROM sites
                 WHERE status = 'error' GROUP BY 1",
            )
            .in_study(path)?;
        let rows = by_kind
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .in_study(path)?;
        for row in rows {
            let (kind, count) = row.in_study(path)?;
            counts
                .errors_by_kind
                .insert(kind, usize::try_from(count).unwrap_or(0));
        }
        Ok(counts)
    }

    fn urls_where(&self, condition: &str) -> Result<Vec<String>> {
        let path = &self.path;
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT url FROM sites WHERE {condition} ORDER BY position"
            ))
            .in_study(path)?;
        let urls = statement
            .query_map([], |row| row.get(0))
            .in_study(path)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .in_study(path)?;
        Ok(urls)
    }
}

/// The `site_id` of `url`, adding it as a pending site at the end of the list when it is new.
pub(super) fn ensure_site(conn: &Connection, url: &str) -> rusqlite::Result<i64> {
    let existing = conn
        .query_row("SELECT site_id FROM sites WHERE url = ?1", [url], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(site_id) = existing {
        return Ok(site_id);
    }
    conn.execute(
        "INSERT INTO sites (url, position) VALUES (?1, ?2)",
        params![url, next_position(conn)?],
    )?;
    Ok(conn.last_insert_rowid())
}

fn next_position(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM sites",
        [],
        |row| row.get(0),
    )
}
