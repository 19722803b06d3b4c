//! Waiting for the dialog in the live page: many CMPs show theirs a second or more after
//! `load`, once their script has fetched its configuration.

use std::time::{Duration, Instant};

use chromiumoxide::Page;

use super::{find_dialog, DialogCandidate};
use crate::error::Result;
use crate::visit::dom::DomSnapshot;
use crate::visit::snapshot;

/// Time between two looks at the page.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// A look at the page that found (or did not find) the dialog.
pub struct Sighting {
    pub snapshot: DomSnapshot,
    pub dialog: Option<DialogCandidate>,
    /// Milliseconds from the start of the wait to the look that found it.
    pub after_ms: u64,
}

/// Looks for the dialog until it shows or `wait_ms` have passed; the last look is returned
/// either way, so the caller has the page as it was.
pub async fn wait_for_dialog(page: &Page, viewport: (f64, f64), wait_ms: u64) -> Result<Sighting> {
    let started = Instant::now();
    loop {
        let snapshot = snapshot::capture(page, viewport.0, viewport.1).await?;
        let dialog = find_dialog(&snapshot);
        let after_ms = started.elapsed().as_millis() as u64;
        if dialog.is_some() || after_ms >= wait_ms {
            return Ok(Sighting {
                snapshot,
                dialog,
                after_ms,
            });
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
