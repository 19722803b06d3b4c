//! Reading finished sites back as result documents, a page at a time, so that a study of any
//! size streams in bounded memory.

use std::collections::VecDeque;

use rusqlite::params;

use super::{store_message, InStudy, Study};
use crate::error::Result;
use crate::model::SiteReport;

/// How many documents one query fetches.
const PAGE_SIZE: usize = 64;

impl Study {
    /// The result documents of every finished site (`ok` or `error`), in input order.
    pub fn reports(&self) -> Reports<'_> {
        Reports {
            study: self,
            after_position: -1,
            page: VecDeque::new(),
            exhausted: false,
        }
    }

    /// Calls `f` with each finished site's result document, in input order.
    pub fn for_each_report(&self, mut f: impl FnMut(SiteReport)) -> Result<()> {
        for report in self.reports() {
            f(report?);
        }
        Ok(())
    }
}

/// Iterator over stored result documents; see [`Study::reports`]. Ends after the first error.
pub struct Reports<'a> {
    study: &'a Study,
    /// Pages are found by position rather than offset, so each query starts where the last ended.
    after_position: i64,
    /// Fetched but not yet returned: `(url, report_json)`.
    page: VecDeque<(String, String)>,
    exhausted: bool,
}

impl Reports<'_> {
    fn fetch_page(&mut self) -> Result<()> {
        let path = &self.study.path;
        let mut statement = self
            .study
            .conn
            .prepare_cached(
                "SELECT position, url, report_json FROM sites
                 WHERE status IN ('ok', 'error') AND position > ?1
                 ORDER BY position LIMIT ?2",
            )
            .in_study(path)?;
        let rows = statement
            .query_map(params![self.after_position, PAGE_SIZE], |row| {
                Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
            })
            .in_study(path)?;
        for row in rows {
            let (position, url, report_json) = row.in_study(path)?;
            self.after_position = position;
            self.page.push_back((url, report_json));
        }
        self.exhausted = self.page.len() < PAGE_SIZE;
        Ok(())
    }
}

impl Iterator for Reports<'_> {
    type Item = Result<SiteReport>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty() && !self.exhausted {
            if let Err(error) = self.fetch_page() {
                self.exhausted = true;
                return Some(Err(error));
            }
        }
        let (url, report_json) = self.page.pop_front()?;
        Some(serde_json::from_str(&report_json).map_err(|error| {
            self.exhausted = true;
            self.page.clear();
            store_message(
                &self.study.path,
                format!("the stored report of {url} cannot be read: {error}"),
            )
        }))
    }
}
