//! Waiting for the dialog in the live page: many CMPs show theirs a second or more after
//! `load`, once their script has fetched its configuration.

use std::time::{Duration, Instant};

use chromiumoxide::Page;

use super::{find_dialog, DialogCandidate};
use crate::error::Result;
use crate::visit::dom::DomSnapshot;
use crate::visit::snapshot;

/// Time from the start of one look at the page to the start of the next.
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
///
/// Looks start on a fixed beat (every [`POLL_INTERVAL`] from the start, whatever a look took),
/// and the last one starts when the wait is over, not up to a beat after it: a wait for a
/// dialog that never shows (most often the check that it stays away after a reload) costs
/// `wait_ms` and one look, no more.
pub async fn wait_for_dialog(page: &Page, viewport: (f64, f64), wait_ms: u64) -> Result<Sighting> {
    let started = Instant::now();
    let deadline = started + Duration::from_millis(wait_ms);
    let mut next_look = started;
    loop {
        let snapshot = snapshot::capture(page, viewport.0, viewport.1).await?;
        let dialog = find_dialog(&snapshot);
        let after_ms = started.elapsed().as_millis() as u64;
        if dialog.is_some() || Instant::now() >= deadline {
            return Ok(Sighting {
                snapshot,
                dialog,
                after_ms,
            });
        }
        next_look = (next_look + POLL_INTERVAL)
            .max(Instant::now())
            .min(deadline);
        tokio::time::sleep_until(next_look.into()).await;
    }
}
