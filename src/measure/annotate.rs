//! The dialog's screenshot, and a copy annotated with each button's box, role and contrast.
//!
//! Labels are drawn with a system font read at run time (Debian's `fonts-dejavu-core`); no font
//! is bundled. Without one, only the boxes are drawn.

use std::io::Cursor;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{Rgba, RgbaImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_hollow_rect_mut};
use imageproc::rect::Rect;
use once_cell::sync::Lazy;

use super::shot::{grow, PageShot, PixelRect};
use crate::model::{BBox, Banner, ButtonRole};

/// Where a label font is looked for, in order.
pub const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];
/// CSS pixels of page around the dialog kept in its screenshot.
const MARGIN_CSS: f64 = 4.0;
/// Label text size in CSS pixels.
const LABEL_CSS_PX: f64 = 11.0;

static LABEL_FONT: Lazy<Option<FontVec>> = Lazy::new(|| {
    FONT_PATHS
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .find_map(|bytes| FontVec::try_from_vec(bytes).ok())
});

/// The font labels are drawn with, when the system has one.
pub fn label_font() -> Option<&'static FontVec> {
    LABEL_FONT.as_ref()
}

/// Box colour per role: green accepts, red refuses, blue and purple lead to choices.
pub fn role_colour(role: ButtonRole) -> Rgba<u8> {
    Rgba(match role {
        ButtonRole::AcceptAll => [0x1b, 0x7f, 0x3b, 255],
        ButtonRole::RejectAll => [0xc6, 0x28, 0x28, 255],
        ButtonRole::Settings => [0x15, 0x65, 0xc0, 255],
        ButtonRole::Save => [0x6a, 0x1b, 0x9a, 255],
        ButtonRole::Close => [0x45, 0x5a, 0x64, 255],
        ButtonRole::Other => [0xb2, 0x5e, 0x00, 255],
    })
}

/// The image pixels of the dialog's screenshot: its box plus a small margin, or the whole
/// image when the box is not in it.
fn dialog_region(shot: &PageShot, dialog: &BBox) -> PixelRect {
    shot.pixel_rect(&grow(dialog, MARGIN_CSS, MARGIN_CSS))
        .unwrap_or(PixelRect {
            x0: 0,
            y0: 0,
            x1: shot.image.width(),
            y1: shot.image.height(),
        })
}

/// The dialog's screenshot, cut from the page shot.
pub fn dialog_screenshot(shot: &PageShot, dialog: &BBox) -> RgbaImage {
    let r = dialog_region(shot, dialog);
    image::imageops::crop_imm(&shot.image, r.x0, r.y0, r.width(), r.height()).to_image()
}

/// PNG bytes of an image.
pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// "reject_all · 4.5:1", or the role alone when the contrast was not measured.
pub fn annotation_text(role: ButtonRole, text_contrast: Option<f64>) -> String {
    match text_contrast {
        Some(r) => format!("{} · {:.1}:1", role.as_str(), r),
        None => role.as_str().to_string(),
    }
}

/// The dialog's screenshot with each button's box drawn in its role's colour and, when a font
/// is found, a label "role · ratio:1" on a tab beside it, placed where it covers neither
/// another button nor another label.
pub fn annotate(shot: &PageShot, banner: &Banner) -> RgbaImage {
    let region = dialog_region(shot, &banner.bbox);
    let mut canvas = dialog_screenshot(shot, &banner.bbox);
    let thickness = (shot.scale.round().clamp(1.0, 4.0) as i64).max(2);
    // Each button's box in the canvas's pixels.
    let boxes: Vec<(&crate::model::Button, Area)> = banner
        .buttons
        .iter()
        .filter_map(|button| {
            let r = shot.pixel_rect(&button.bbox)?;
            let area = Area {
                x: i64::from(r.x0) - i64::from(region.x0),
                y: i64::from(r.y0) - i64::from(region.y0),
                w: i64::from(r.width()),
                h: i64::from(r.height()),
            };
            Some((button, area))
        })
        .collect();
    for (button, area) in &boxes {
        let colour = role_colour(button.role);
        for t in 0..thickness {
            let ring = area.shrunk(t);
            if ring.w <= 0 || ring.h <= 0 {
                break;
            }
            if let Some(rect) = ring.rect() {
                draw_hollow_rect_mut(&mut canvas, rect, colour);
            }
        }
    }
    let Some(font) = label_font() else {
        return canvas;
    };
    let size = (LABEL_CSS_PX * shot.scale).clamp(8.0, 64.0) as f32;
    let bounds = (i64::from(canvas.width()), i64::from(canvas.height()));
    let mut tabs: Vec<Area> = Vec::new();
    for (i, (button, area)) in boxes.iter().enumerate() {
        let text = annotation_text(button.role, button.text_contrast);
        let (w, h) = tab_size(font, size, &text);
        let others: Vec<Area> = boxes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, (_, a))| *a)
            .chain(tabs.iter().copied())
            .collect();
        let tab = place_tab(*area, w, h, bounds, &others);
        draw_tab(
            &mut canvas,
            font,
            size,
            &text,
            tab,
            role_colour(button.role),
        );
        tabs.push(tab);
    }
    canvas
}

/// A rectangle of canvas pixels (may reach outside the canvas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Area {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl Area {
    fn overlaps(&self, other: &Area) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    fn inside(&self, (width, height): (i64, i64)) -> bool {
        self.x >= 0 && self.y >= 0 && self.x + self.w <= width && self.y + self.h <= height
    }

    fn shrunk(&self, by: i64) -> Area {
        Area {
            x: self.x + by,
            y: self.y + by,
            w: self.w - 2 * by,
            h: self.h - 2 * by,
        }
    }

    fn rect(&self) -> Option<Rect> {
        let to_i32 = |v: i64| i32::try_from(v).ok();
        let to_u32 = |v: i64| u32::try_from(v).ok().filter(|v| *v > 0);
        Some(Rect::at(to_i32(self.x)?, to_i32(self.y)?).of_size(to_u32(self.w)?, to_u32(self.h)?))
    }
}

/// Where a `w`×`h` label tab for `button` goes: above it (left-aligned, then right-aligned),
/// below it, or inside its top-left corner, whichever first lies in the canvas and covers
/// nothing in `taken`; else the first of those moved into the canvas.
fn place_tab(button: Area, w: i64, h: i64, bounds: (i64, i64), taken: &[Area]) -> Area {
    let right = button.x + button.w - w;
    let spots = [
        (button.x, button.y - h),
        (right, button.y - h),
        (button.x, button.y + button.h),
        (right, button.y + button.h),
        (button.x, button.y),
    ]
    .map(|(x, y)| Area { x, y, w, h });
    spots
        .iter()
        .find(|s| s.inside(bounds) && !taken.iter().any(|t| t.overlaps(s)))
        .copied()
        .unwrap_or_else(|| {
            let first = spots[0];
            Area {
                x: first.x.min(bounds.0 - w).max(0),
                y: first.y.min(bounds.1 - h).max(0),
                w,
                h,
            }
        })
}

/// Padding around a label's text, in pixels, for a font size.
fn tab_padding(size: f32) -> i64 {
    (size / 4.0).ceil() as i64
}

/// Width and height of the tab a label needs.
fn tab_size(font: &FontVec, size: f32, text: &str) -> (i64, i64) {
    let scaled = font.as_scaled(PxScale::from(size));
    let pad = tab_padding(size);
    let width: f32 = text
        .chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum();
    (
        width.ceil() as i64 + 2 * pad,
        (scaled.ascent() - scaled.descent()).ceil() as i64 + 2 * pad,
    )
}

/// White text on a tab of the role's colour.
fn draw_tab(
    canvas: &mut RgbaImage,
    font: &FontVec,
    size: f32,
    text: &str,
    tab: Area,
    colour: Rgba<u8>,
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let pad = tab_padding(size);
    if let Some(rect) = tab.rect() {
        draw_filled_rect_mut(canvas, rect, colour);
    }
    let baseline = tab.y as f32 + pad as f32 + scaled.ascent();
    let mut caret = tab.x as f32 + pad as f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py)) {
                if px < canvas.width() && py < canvas.height() {
                    let under = canvas.get_pixel(px, py).0;
                    let a = coverage.clamp(0.0, 1.0);
                    let mix = |b: u8| (255.0 * a + f32::from(b) * (1.0 - a)).round() as u8;
                    canvas.put_pixel(
                        px,
                        py,
                        Rgba([mix(under[0]), mix(under[1]), mix(under[2]), 255]),
                    );
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Button;

    fn button(role: ButtonRole, bbox: BBox, contrast: Option<f64>) -> Button {
        Button {
            role,
            text: role.as_str().into(),
            bbox,
            area_px: bbox.area(),
            font_size_px: None,
            font_weight: None,
            is_link_styled: false,
            text_contrast: contrast,
            background_contrast: None,
            css_color: None,
            css_background: None,
            contrast_note: None,
            css_text_contrast: None,
            tag: None,
            aria_label: None,
        }
    }

    fn banner(bbox: BBox, buttons: Vec<Button>) -> Banner {
        Banner {
            cmp: None,
            text: String::new(),
            language: None,
            bbox,
            frame_url: None,
            screenshot: None,
            buttons,
            checkboxes: Vec::new(),
            annotated_screenshot: None,
            shadow_root: None,
            found_by: None,
            appeared_after_ms: None,
        }
    }

    fn bbox(x: f64, y: f64, width: f64, height: f64) -> BBox {
        BBox {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn boxes_are_drawn_in_role_colours_on_the_dialog_crop() {
        let shot = PageShot {
            image: RgbaImage::from_pixel(800, 400, Rgba([255, 255, 255, 255])),
            scale: 2.0,
            origin_x: 0.0,
            origin_y: 0.0,
        };
        let dialog = bbox(50.0, 50.0, 300.0, 120.0);
        let accept = bbox(70.0, 110.0, 100.0, 40.0);
        let reject = bbox(200.0, 110.0, 100.0, 40.0);
        let b = banner(
            dialog,
            vec![
                button(ButtonRole::AcceptAll, accept, Some(4.6)),
                button(ButtonRole::RejectAll, reject, None),
            ],
        );
        let annotated = annotate(&shot, &b);
        let plain = dialog_screenshot(&shot, &dialog);
        assert_eq!(annotated.dimensions(), plain.dimensions());
        assert_eq!(annotated.dimensions(), (2 * 308, 2 * 128));
        // The region starts at CSS (46, 46): accept's left edge is at image x (70-46)*2 = 48.
        let mid_y = (130 - 46) * 2;
        assert_eq!(
            *annotated.get_pixel(48, mid_y),
            role_colour(ButtonRole::AcceptAll)
        );
        assert_eq!(
            *annotated.get_pixel((200 - 46) * 2 + 1, mid_y),
            role_colour(ButtonRole::RejectAll)
        );
        // Inside the box the page shows through.
        assert_eq!(
            *annotated.get_pixel(48 + 20, mid_y),
            Rgba([255, 255, 255, 255])
        );
        let png = encode_png(&annotated).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn a_label_tab_covers_no_other_button_and_no_other_label() {
        let bounds = (1000, 200);
        let area = |x, y, w, h| Area { x, y, w, h };
        let decline = area(700, 60, 100, 30);
        let accept = area(820, 40, 150, 70);
        // Above the link, left-aligned, the tab would run into the accept button.
        let tab = place_tab(decline, 180, 30, bounds, &[accept]);
        assert!(!tab.overlaps(&accept) && tab.inside(bounds), "{tab:?}");
        assert_eq!((tab.x + tab.w, tab.y), (800, 30), "above, right-aligned");
        // The second label avoids the first.
        let second = place_tab(accept, 180, 30, bounds, &[decline, tab]);
        assert!(
            !second.overlaps(&tab) && !second.overlaps(&decline),
            "{second:?}"
        );
        // At the top edge with no room above: below the box.
        let top = area(10, 0, 100, 30);
        assert_eq!(place_tab(top, 80, 20, bounds, &[]), area(10, 30, 80, 20));
        // Nowhere free: kept in the canvas all the same.
        let crowded = place_tab(
            area(950, 0, 50, 200),
            120,
            30,
            bounds,
            &[area(0, 0, 1000, 200)],
        );
        assert!(crowded.inside(bounds), "{crowded:?}");
    }

    #[test]
    fn labels_are_drawn_when_the_system_font_exists() {
        let font_installed = FONT_PATHS.iter().any(|p| std::path::Path::new(p).exists());
        assert_eq!(label_font().is_some(), font_installed);
        let shot = PageShot {
            image: RgbaImage::from_pixel(800, 400, Rgba([255, 255, 255, 255])),
            scale: 2.0,
            origin_x: 0.0,
            origin_y: 0.0,
        };
        let b = banner(
            bbox(0.0, 0.0, 400.0, 200.0),
            vec![button(
                ButtonRole::AcceptAll,
                bbox(100.0, 100.0, 100.0, 40.0),
                Some(4.5),
            )],
        );
        let annotated = annotate(&shot, &b);
        // Above the box (y < 100 CSS = 200 px after the 4 CSS px margin is clipped at 0).
        let tab_pixels = (0..200u32)
            .flat_map(|y| (0..400u32).map(move |x| (x, y)))
            .filter(|&(x, y)| *annotated.get_pixel(x, y) != Rgba([255, 255, 255, 255]))
            .count();
        assert_eq!(tab_pixels > 0, font_installed);
        assert_eq!(
            annotation_text(ButtonRole::RejectAll, Some(2.345)),
            "reject_all · 2.3:1"
        );
        assert_eq!(annotation_text(ButtonRole::Close, None), "close");
    }
}
