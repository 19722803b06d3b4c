//! Measure: what the found dialog offers and how it nudges.
//!
//! For every button and clickable link: its role, box and area, font, whether it looks like a
//! link, its CSS colours, and its contrast measured from the screenshot's pixels (the label
//! against the button, and the button against the dialog around it), with a note where pixels
//! and CSS disagree. Then the checkboxes and switches with their initial state. Pure functions
//! of a [`DomSnapshot`] and an optional [`PageShot`].

pub mod annotate;
pub mod buttons;
pub mod capture;
pub mod checkboxes;
pub mod classify;
pub mod contrast;
pub mod language;
pub mod shot;
pub mod style;

use std::collections::HashSet;

pub use annotate::{annotate, dialog_screenshot, encode_png};
pub use classify::classify_button;
pub use language::detect_language;
pub use shot::PageShot;

use crate::detect::walk::{css_px, node, visible_text};
use crate::detect::DialogCandidate;
use crate::model::{BBox, Banner, Button};
use crate::visit::dom::{DomNode, DomSnapshot, ShadowKind};
use buttons::{collect_clickables, Clickable, MAX_BUTTONS};
use checkboxes::{collect_toggles, MAX_CHECKBOXES};
use contrast::{
    contrast_ratio, dominant_colour, format_rgb, measure_text_contrast, round_ratio, PixelContrast,
};
use style::CssReading;

/// Dialog text kept in the result.
pub const MAX_BANNER_TEXT_CHARS: usize = 10_000;
/// The band around a button read as "the dialog around it": from 2 to 8 CSS px outside.
const RING_GAP_CSS: f64 = 2.0;
const RING_WIDTH_CSS: f64 = 6.0;
/// Fewest ring pixels for a background reading.
const MIN_RING_PIXELS: usize = 16;
/// Pixel and CSS ratios further apart than this (relative) get a note.
const NOTE_TOLERANCE: f64 = 0.10;

/// The measured dialog, with the snapshot nodes of its buttons and checkboxes so that the
/// explorer can click them.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredDialog {
    /// Screenshot fields are `None`; the caller writes the images and fills in the file names.
    pub banner: Banner,
    /// Parallel to `banner.buttons`.
    pub button_nodes: Vec<usize>,
    /// Parallel to `banner.checkboxes`: the controls, whose state the snapshot holds.
    pub checkbox_nodes: Vec<usize>,
    /// Parallel to `banner.checkboxes`: what to click to flip each (the control, or the label
    /// of a hidden input).
    pub checkbox_targets: Vec<usize>,
}

/// Measures the dialog found by [`crate::detect::find_dialog`]. Without a screenshot the pixel
/// contrasts are `None` and the CSS contrast is still given. `layer` is 1 for the first screen,
/// 2 for a settings screen, and so on.
pub fn measure_dialog(
    snapshot: &DomSnapshot,
    dialog: &DialogCandidate,
    shot: Option<&PageShot>,
    layer: u32,
) -> MeasuredDialog {
    let root = dialog.root;
    let clickables = collect_clickables(snapshot, root, MAX_BUTTONS);
    let dialog_bbox = node(snapshot, root)
        .and_then(|n| n.bbox)
        .filter(|b| b.area() > 0.0)
        .unwrap_or_else(|| {
            union(
                clickables
                    .iter()
                    .filter_map(|c| node(snapshot, c.node)?.bbox),
            )
        });
    let mut buttons = Vec::with_capacity(clickables.len());
    let mut button_nodes = Vec::with_capacity(clickables.len());
    for c in &clickables {
        if let Some(n) = node(snapshot, c.node) {
            buttons.push(measure_button(snapshot, c, n, &dialog_bbox, shot));
            button_nodes.push(c.node);
        }
    }
    let toggles = collect_toggles(snapshot, root, layer, MAX_CHECKBOXES);
    let text = visible_text(snapshot, root, &HashSet::new(), MAX_BANNER_TEXT_CHARS);
    let language = dialog
        .language
        .clone()
        .or_else(|| detect_language(&text).map(str::to_string));
    MeasuredDialog {
        banner: Banner {
            cmp: dialog.cmp.clone(),
            text,
            language,
            bbox: dialog_bbox,
            frame_url: dialog.frame_url.clone(),
            screenshot: None,
            buttons,
            checkboxes: toggles.iter().map(|t| t.checkbox.clone()).collect(),
            annotated_screenshot: None,
            shadow_root: dialog.shadow_root.map(|k| match k {
                ShadowKind::Open => "open".to_string(),
                ShadowKind::Closed => "closed".to_string(),
            }),
            found_by: Some(dialog.found_by.to_string()),
            appeared_after_ms: None,
        },
        button_nodes,
        checkbox_nodes: toggles.iter().map(|t| t.node).collect(),
        checkbox_targets: toggles.iter().map(|t| t.target).collect(),
    }
}

fn union(boxes: impl Iterator<Item = BBox>) -> BBox {
    boxes
        .reduce(|a, b| {
            let (x, y) = (a.x.min(b.x), a.y.min(b.y));
            BBox {
                x,
                y,
                width: (a.x + a.width).max(b.x + b.width) - x,
                height: (a.y + a.height).max(b.y + b.height) - y,
            }
        })
        .unwrap_or_default()
}

fn measure_button(
    snapshot: &DomSnapshot,
    c: &Clickable,
    n: &DomNode,
    dialog_bbox: &BBox,
    shot: Option<&PageShot>,
) -> Button {
    let bbox = n.bbox.unwrap_or_default();
    let label_node = node(snapshot, c.text_element).unwrap_or(n);
    let css = style::css_reading(snapshot, c.text_element);
    let pixels = shot.map(|s| read_pixels(s, &bbox, n, dialog_bbox));
    Button {
        role: classify_button(&c.label, c.aria_label.as_deref(), &n.attrs),
        text: c.label.clone(),
        bbox,
        area_px: bbox.area(),
        font_size_px: style::font_size_px(label_node),
        font_weight: style::font_weight(label_node),
        is_link_styled: style::is_link_styled(snapshot, c),
        text_contrast: pixels
            .as_ref()
            .and_then(|p| p.text)
            .map(|t| round_ratio(t.ratio)),
        background_contrast: pixels
            .as_ref()
            .and_then(|p| p.against_dialog)
            .map(round_ratio),
        css_color: css.color.clone(),
        css_background: css.background.map(format_rgb),
        contrast_note: contrast_note(pixels.as_ref(), &css),
        css_text_contrast: css.text_ratio.map(round_ratio),
        tag: Some(n.tag.clone()),
        aria_label: c.aria_label.clone(),
    }
}

/// What the screenshot says about one button.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PixelReading {
    /// Whether any of the button lies in the screenshot.
    in_shot: bool,
    text: Option<PixelContrast>,
    /// The button's dominant colour against the dialog's around it.
    against_dialog: Option<f64>,
}

fn read_pixels(shot: &PageShot, bbox: &BBox, n: &DomNode, dialog_bbox: &BBox) -> PixelReading {
    let in_shot = shot.pixel_rect(bbox).is_some();
    let crop = shot.crop(&label_area(bbox, n));
    let text = crop.as_ref().and_then(measure_text_contrast);
    // Without a readable label (an icon), the button's colour is still its most common one.
    let button_colour = text.map(|t| t.background).or_else(|| {
        let pixels = crop.as_ref()?.pixels();
        dominant_colour(pixels.map(|p| contrast::composite_over(p.0, [255, 255, 255])))
            .map(|(c, _)| c)
    });
    let ring = shot.ring_pixels(bbox, RING_GAP_CSS, RING_WIDTH_CSS, dialog_bbox);
    let around = (ring.len() >= MIN_RING_PIXELS)
        .then(|| dominant_colour(ring.into_iter()))
        .flatten()
        .map(|(c, _)| c);
    PixelReading {
        in_shot,
        text,
        against_dialog: button_colour.zip(around).map(|(b, d)| contrast_ratio(b, d)),
    }
}

/// The part of a button read for its label: inside its border, and in from the sides far
/// enough to leave out rounded corners, which show the dialog's colour, not the button's.
fn label_area(bbox: &BBox, n: &DomNode) -> BBox {
    let border = if matches!(n.style.border_top_style.as_str(), "" | "none" | "hidden") {
        0.0
    } else {
        css_px(&n.style.border_top_width)
            .unwrap_or(0.0)
            .clamp(0.0, 20.0)
    };
    let inset_y = border + 1.0;
    let inset_x = border + 1.0 + (0.3 * bbox.height).min(0.15 * bbox.width);
    let inner = shot::grow(bbox, -inset_x, -inset_y);
    if inner.width >= 2.0 && inner.height >= 2.0 {
        inner
    } else {
        *bbox
    }
}

/// Why the pixel and CSS readings disagree, when they do (as axe-core's "needs review").
fn contrast_note(pixels: Option<&PixelReading>, css: &CssReading) -> Option<String> {
    let Some(pixels) = pixels else {
        return css.background_image.then(|| {
            "the background is an image or gradient, which the CSS ratio leaves out; no screenshot to measure".to_string()
        });
    };
    if !pixels.in_shot {
        return Some("the button lies outside the screenshot".to_string());
    }
    let Some(measured) = pixels.text else {
        return Some("no label could be told from its background in the pixels (an icon, or text in the button's own colour)".to_string());
    };
    let reason = if css.background_image {
        "the background is an image or gradient, which the CSS colours leave out"
    } else if css.translucent {
        "semi-transparent colours or opacity blend with what lies beneath"
    } else if !measured.has_solid_background() {
        "the background is not one solid colour"
    } else {
        "the label is not painted in its CSS colours (an image, an overlay, a filter or a text fill)"
    };
    match css.text_ratio {
        Some(css_ratio) if (measured.ratio - css_ratio).abs() / css_ratio > NOTE_TOLERANCE => {
            Some(format!(
                "pixels read {:.2}:1, CSS colours give {:.2}:1: {reason}",
                measured.ratio, css_ratio
            ))
        }
        Some(_) => None,
        None if !measured.has_solid_background() || css.background_image => Some(format!(
            "pixels read {:.2}:1 with no CSS colour to compare: {reason}",
            measured.ratio
        )),
        None => None,
    }
}

#[cfg(test)]
mod tests;
