//! Measuring the dialog in the live page: one screenshot of the dialog's region at device scale
//! factor 2, then the pure measurement, the dialog's PNG and its annotated copy.

use std::sync::Arc;

use chromiumoxide::Page;

use super::{annotate, dialog_screenshot, encode_png, measure_dialog, MeasuredDialog, PageShot};
use crate::detect::DialogCandidate;
use crate::model::BBox;
use crate::visit::dom::DomSnapshot;
use crate::visit::page::screenshot_region;

/// Image pixels per CSS pixel of the measuring screenshot (DESIGN.md: contrast from pixels).
pub const MEASURE_SCALE: f64 = 2.0;
/// CSS pixels captured around the dialog, so the ring around edge buttons is in the picture.
const MARGIN_CSS: f64 = 12.0;

/// A measured dialog and its pictures.
pub struct CapturedDialog {
    pub measured: MeasuredDialog,
    pub banner_png: Option<Vec<u8>>,
    pub annotated_png: Option<Vec<u8>>,
}

/// Measures the dialog as it shows now. Without a screenshot (it can fail on a hostile page)
/// the measurement still runs, with CSS readings only.
///
/// Decoding and encoding PNGs are the CPU-heavy part (tens of milliseconds for a wide dialog at
/// scale 2): they run on the blocking pool, so that the other visits' events keep flowing, and
/// the two encodes run at the same time.
pub async fn capture_dialog(
    page: &Page,
    snapshot: &DomSnapshot,
    dialog: &DialogCandidate,
    layer: u32,
) -> CapturedDialog {
    let root_box = snapshot.node(dialog.root).bbox.unwrap_or_default();
    let shot = match visible_region(&root_box, snapshot) {
        Some(region) => match screenshot_region(page, region, MEASURE_SCALE).await {
            Ok(png) => off_thread(move || {
                image::load_from_memory(&png).ok().map(|img| PageShot {
                    image: img.to_rgba8(),
                    scale: MEASURE_SCALE,
                    origin_x: region.x,
                    origin_y: region.y,
                })
            })
            .await
            .flatten()
            .map(Arc::new),
            Err(_) => None,
        },
        None => None,
    };
    let measured = measure_dialog(snapshot, dialog, shot.as_deref(), layer);
    let (banner_png, annotated_png) = match shot {
        Some(shot) => {
            let (cropped, bbox) = (shot.clone(), measured.banner.bbox);
            let banner = measured.banner.clone();
            let (banner_png, annotated_png) = tokio::join!(
                off_thread(move || encode_png(&dialog_screenshot(&cropped, &bbox)).ok()),
                off_thread(move || encode_png(&annotate(&shot, &banner)).ok()),
            );
            (banner_png.flatten(), annotated_png.flatten())
        }
        None => (None, None),
    };
    CapturedDialog {
        measured,
        banner_png,
        annotated_png,
    }
}

/// Runs CPU-bound work on tokio's blocking pool; `None` if it panicked.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

/// The dialog's box with a margin, clipped to the viewport; `None` when nothing of it shows.
fn visible_region(dialog: &BBox, snapshot: &DomSnapshot) -> Option<BBox> {
    let x0 = (dialog.x - MARGIN_CSS).max(0.0);
    let y0 = (dialog.y - MARGIN_CSS).max(0.0);
    let x1 = (dialog.x + dialog.width + MARGIN_CSS).min(snapshot.viewport_width);
    let y1 = (dialog.y + dialog.height + MARGIN_CSS).min(snapshot.viewport_height);
    (x1 - x0 >= 1.0 && y1 - y0 >= 1.0).then_some(BBox {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    })
}
