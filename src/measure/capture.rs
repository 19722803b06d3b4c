//! Measuring the dialog in the live page: one screenshot of the dialog's region at device scale
//! factor 2, then the pure measurement, the dialog's PNG and its annotated copy.

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
pub async fn capture_dialog(
    page: &Page,
    snapshot: &DomSnapshot,
    dialog: &DialogCandidate,
    layer: u32,
) -> CapturedDialog {
    let root_box = snapshot.node(dialog.root).bbox.unwrap_or_default();
    let region = visible_region(&root_box, snapshot);
    let shot = match region {
        Some(region) => screenshot_region(page, region, MEASURE_SCALE)
            .await
            .ok()
            .and_then(|png| image::load_from_memory(&png).ok())
            .map(|img| PageShot {
                image: img.to_rgba8(),
                scale: MEASURE_SCALE,
                origin_x: region.x,
                origin_y: region.y,
            }),
        None => None,
    };
    let measured = measure_dialog(snapshot, dialog, shot.as_ref(), layer);
    let (banner_png, annotated_png) = match &shot {
        Some(shot) => (
            encode_png(&dialog_screenshot(shot, &measured.banner.bbox)).ok(),
            encode_png(&annotate(shot, &measured.banner)).ok(),
        ),
        None => (None, None),
    };
    CapturedDialog {
        measured,
        banner_png,
        annotated_png,
    }
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
