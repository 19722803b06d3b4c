//! The study store: one SQLite file per study, holding every site's status and result.
//!
//! A crawl adds its URLs ([`Study::add_urls`]), marks each site as running when a visit starts
//! ([`Study::mark_running`]) and writes it in one transaction when it finishes
//! ([`Study::write_site`]). Because a site's rows appear all at once or not at all, a crawl stopped
//! at any moment (Ctrl-C, SIGTERM, `kill -9`, power loss, a full disk) resumes with
//! [`Study::pending_urls`] without losing or duplicating a site: a site that was mid-visit is still
//! `running` and is simply visited again.
//!
//! Durability: the journal is a write-ahead log and every commit is synced (`synchronous=FULL`),
//! so a site reported as written survives power loss. The file must live on a local disk; SQLite's
//! locking is not reliable on network file systems.
//!
//! Tables (see `schema.rs`): `sites` (one row per URL: status, error, attempts, timings,
//! provenance, banner, every metric, and the whole result document as `report_json`), `buttons`,
//! `checkboxes`, `click_steps`, `requests`, `cookies`, `events`, `findings` (child rows keyed by
//! `site_id`), and `crawl_runs` (each run's configuration, versions and tracker lists).
//! Screenshots and reports go to files in [`Study::artifacts_dir`], beside the study file.

mod errors;
mod queue;
mod read;
mod runs;
mod schema;
mod write;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod test_reports;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::Result;

pub use queue::StudyCounts;
pub use read::Reports;
pub use schema::STUDY_SCHEMA_VERSION;

use errors::{store_error, store_message};

/// How long a write waits for another connection (a reader, a second process) to let go.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open study file. Holds one connection; writes take `&mut self`.
pub struct Study {
    conn: Connection,
    path: PathBuf,
    /// The crawl run that visits are attributed to, between `begin_run` and `finish_run`.
    current_run: Option<i64>,
}

impl std::fmt::Debug for Study {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Study")
            .field("path", &self.path)
            .field("current_run", &self.current_run)
            .finish()
    }
}

/// Attaches the study's path to SQLite errors.
trait InStudy<T> {
    fn in_study(self, path: &Path) -> Result<T>;
}

impl<T> InStudy<T> for rusqlite::Result<T> {
    fn in_study(self, path: &Path) -> Result<T> {
        self.map_err(|error| store_error(path, error))
    }
}

impl Study {
    /// Opens the study at `path`, creating the file (and its folder) when it does not exist.
    ///
    /// Refuses an SQLite file that is not a study, and a study written by a newer version.
    pub fn open(path: impl AsRef<Path>) -> Result<Study> {
        let path = path.as_ref().to_path_buf();
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|error| {
                store_message(
                    &path,
                    format!("cannot create the folder {folder:?}: {error}"),
                )
            })?;
        }
        let mut conn = Connection::open(&path).in_study(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT).in_study(&path)?;
        // WAL lets readers (a notebook, `pandas.read_sql_query`) look while a crawl writes. Where
        // the file system cannot do WAL, SQLite keeps its rollback journal, which is as safe.
        let _journal_mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .in_study(&path)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .in_study(&path)?;
        conn.pragma_update(None, "foreign_keys", true)
            .in_study(&path)?;
        if let Err(refusal) = schema::prepare(&mut conn).in_study(&path)? {
            return Err(store_message(&path, refusal.message()));
        }
        Ok(Study {
            conn,
            path,
            current_run: None,
        })
    }

    /// The study file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder beside the study file for screenshots and reports: `study.sqlite` keeps them in
    /// `study.artifacts/`. Not created here; whoever writes the first file creates it.
    pub fn artifacts_dir(&self) -> PathBuf {
        artifacts_dir_for(&self.path)
    }

    /// Checks the file's structure (`PRAGMA integrity_check`) and that every child row belongs to
    /// a site (`PRAGMA foreign_key_check`).
    pub fn check_integrity(&self) -> Result<()> {
        let path = &self.path;
        let mut statement = self
            .conn
            .prepare("PRAGMA integrity_check(20)")
            .in_study(path)?;
        let problems = statement
            .query_map([], |row| row.get::<_, String>(0))
            .in_study(path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .in_study(path)?;
        if problems != ["ok"] {
            return Err(store_message(
                path,
                format!("integrity check failed: {}", problems.join("; ")),
            ));
        }
        let mut statement = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .in_study(path)?;
        let orphans = statement
            .query_map([], |row| {
                Ok(format!(
                    "{} row {} points at a missing {} row",
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                    row.get::<_, String>(2)?,
                ))
            })
            .in_study(path)?
            .take(20)
            .collect::<rusqlite::Result<Vec<_>>>()
            .in_study(path)?;
        if !orphans.is_empty() {
            return Err(store_message(
                path,
                format!("foreign key check failed: {}", orphans.join("; ")),
            ));
        }
        Ok(())
    }
}

fn artifacts_dir_for(study_path: &Path) -> PathBuf {
    let base = if study_path.extension().is_some_and(|e| e == "sqlite") {
        study_path.with_extension("")
    } else {
        study_path.to_path_buf()
    };
    let mut name = base.into_os_string();
    name.push(".artifacts");
    PathBuf::from(name)
}

/// Now, as the RFC 3339 UTC text every time column holds.
fn now_text() -> String {
    time_text(chrono::Utc::now())
}

fn time_text(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
