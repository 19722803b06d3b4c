//! Crawl runs: the provenance of each pass over the study (configuration, tool and browser
//! versions, tracker lists with their hashes) and how many sites it finished.
//!
//! A run with no `finished_at` was interrupted. Sites visited between [`Study::begin_run`] and
//! [`Study::finish_run`] carry the run's id in `sites.run_id`.

use rusqlite::{params, Connection};

use super::{now_text, store_message, InStudy, Study};
use crate::error::{Error, Result};
use crate::model::TrackerList;

impl Study {
    /// Records the start of a crawl run and attributes the following visits to it.
    /// `config_json` is the crawl's configuration as a JSON document.
    pub fn begin_run(
        &mut self,
        config_json: &str,
        tool_version: &str,
        browser_version: Option<&str>,
        lists: &[TrackerList],
    ) -> Result<i64> {
        if let Err(error) = serde_json::from_str::<serde_json::Value>(config_json) {
            return Err(Error::Config(format!(
                "the crawl configuration to record is not JSON: {error}"
            )));
        }
        let lists_json = serde_json::to_string(lists)
            .map_err(|error| store_message(&self.path, format!("tracker lists: {error}")))?;
        let run_id = self
            .conn
            .query_row(
                "INSERT INTO crawl_runs
                     (started_at, config_json, tool_version, browser_version, tracker_lists_json)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING run_id",
                params![
                    now_text(),
                    config_json,
                    tool_version,
                    browser_version,
                    lists_json
                ],
                |row| row.get(0),
            )
            .in_study(&self.path)?;
        self.current_run = Some(run_id);
        Ok(run_id)
    }

    /// Records that run `run_id` ended (stopped cleanly, whether or not sites remain).
    pub fn finish_run(&mut self, run_id: i64) -> Result<()> {
        let updated = self
            .conn
            .execute(
                "UPDATE crawl_runs SET finished_at = ?2 WHERE run_id = ?1",
                params![run_id, now_text()],
            )
            .in_study(&self.path)?;
        if updated == 0 {
            return Err(store_message(
                &self.path,
                format!("there is no crawl run {run_id}"),
            ));
        }
        if self.current_run == Some(run_id) {
            self.current_run = None;
        }
        Ok(())
    }
}

/// What a site looked like before a write, for keeping the run counters exact.
pub(super) struct PreviousState {
    pub status: String,
    pub run_id: Option<i64>,
}

/// Counts a finished site towards `run_id` (`sites_done` when ok, `sites_failed` when not),
/// taking back what an earlier write of the same site in the same run counted, so that a site
/// retried within one run is counted once.
/// Completes a run's provenance from a site's: a crawl begins its run before any browser has
/// started, so the browser's version, and the tracker lists when the run named none, come from
/// the first site of the run that reports them (every site of a run uses the same ones).
pub(super) fn complete_run_provenance(
    conn: &Connection,
    run_id: i64,
    provenance: &crate::model::Provenance,
) -> rusqlite::Result<()> {
    if let Some(browser_version) = &provenance.browser_version {
        conn.execute(
            "UPDATE crawl_runs SET browser_version = ?2
                 WHERE run_id = ?1 AND browser_version IS NULL",
            params![run_id, browser_version],
        )?;
    }
    if !provenance.tracker_lists.is_empty() {
        let lists_json = serde_json::to_string(&provenance.tracker_lists)
            .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
        conn.execute(
            "UPDATE crawl_runs SET tracker_lists_json = ?2
                 WHERE run_id = ?1 AND tracker_lists_json = '[]'",
            params![run_id, lists_json],
        )?;
    }
    Ok(())
}

pub(super) fn credit_run(
    conn: &Connection,
    run_id: i64,
    previous: &PreviousState,
    succeeded: bool,
) -> rusqlite::Result<()> {
    if previous.run_id == Some(run_id) {
        let undo = match previous.status.as_str() {
            "ok" => Some("sites_done"),
            "error" => Some("sites_failed"),
            _ => None,
        };
        if let Some(column) = undo {
            conn.execute(
                &format!("UPDATE crawl_runs SET {column} = {column} - 1 WHERE run_id = ?1"),
                [run_id],
            )?;
        }
    }
    let column = if succeeded {
        "sites_done"
    } else {
        "sites_failed"
    };
    conn.execute(
        &format!("UPDATE crawl_runs SET {column} = {column} + 1 WHERE run_id = ?1"),
        [run_id],
    )?;
    Ok(())
}
