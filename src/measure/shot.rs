//! A screenshot of the viewport (or part of it) and the way from CSS pixels to image pixels.

use image::RgbaImage;

use crate::model::BBox;

/// A screenshot and where it lies in the viewport.
#[derive(Debug, Clone, PartialEq)]
pub struct PageShot {
    pub image: RgbaImage,
    /// Image pixels per CSS pixel; normally 2 (device scale factor 2).
    pub scale: f64,
    /// CSS pixels of the image's top-left corner in the viewport.
    pub origin_x: f64,
    pub origin_y: f64,
}

/// A rectangle of image pixels, `x0..x1` × `y0..y1` (end exclusive), never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    pub fn contains(&self, x: u32, y: u32) -> bool {
        (self.x0..self.x1).contains(&x) && (self.y0..self.y1).contains(&y)
    }
}

/// `b` grown by `dx` on the left and right and `dy` on the top and bottom (shrunk when negative).
pub fn grow(b: &BBox, dx: f64, dy: f64) -> BBox {
    BBox {
        x: b.x - dx,
        y: b.y - dy,
        width: b.width + 2.0 * dx,
        height: b.height + 2.0 * dy,
    }
}

impl PageShot {
    /// The image pixels a CSS box covers, clipped to the image; `None` when none.
    pub fn pixel_rect(&self, b: &BBox) -> Option<PixelRect> {
        let values = [
            b.x,
            b.y,
            b.width,
            b.height,
            self.scale,
            self.origin_x,
            self.origin_y,
        ];
        if values.iter().any(|v| !v.is_finite())
            || self.scale <= 0.0
            || b.width <= 0.0
            || b.height <= 0.0
        {
            return None;
        }
        let to_x = |css: f64| {
            ((css - self.origin_x) * self.scale).clamp(0.0, f64::from(self.image.width()))
        };
        let to_y = |css: f64| {
            ((css - self.origin_y) * self.scale).clamp(0.0, f64::from(self.image.height()))
        };
        let rect = PixelRect {
            x0: to_x(b.x).floor() as u32,
            y0: to_y(b.y).floor() as u32,
            x1: to_x(b.x + b.width).ceil() as u32,
            y1: to_y(b.y + b.height).ceil() as u32,
        };
        (rect.x1 > rect.x0 && rect.y1 > rect.y0).then_some(rect)
    }

    /// The part of the image a CSS box covers.
    pub fn crop(&self, b: &BBox) -> Option<RgbaImage> {
        let r = self.pixel_rect(b)?;
        Some(image::imageops::crop_imm(&self.image, r.x0, r.y0, r.width(), r.height()).to_image())
    }

    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let p = self.image.get_pixel(x, y).0;
        crate::measure::contrast::composite_over(p, [255, 255, 255])
    }

    /// Pixels of a band around a CSS box: from `gap` to `gap + width` CSS pixels outside it,
    /// within `clip` (the dialog). The gap skips the box's anti-aliased edge and shadow.
    pub fn ring_pixels(&self, b: &BBox, gap: f64, width: f64, clip: &BBox) -> Vec<[u8; 3]> {
        let (Some(outer), Some(clip)) = (
            self.pixel_rect(&grow(b, gap + width, gap + width)),
            self.pixel_rect(clip),
        ) else {
            return Vec::new();
        };
        let inner = self.pixel_rect(&grow(b, gap, gap));
        let mut out = Vec::new();
        for y in outer.y0.max(clip.y0)..outer.y1.min(clip.y1) {
            for x in outer.x0.max(clip.x0)..outer.x1.min(clip.x1) {
                if inner.is_some_and(|i| i.contains(x, y)) {
                    continue;
                }
                out.push(self.rgb(x, y));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn shot() -> PageShot {
        PageShot {
            image: RgbaImage::from_pixel(200, 100, Rgba([255, 255, 255, 255])),
            scale: 2.0,
            origin_x: 10.0,
            origin_y: 0.0,
        }
    }

    fn bbox(x: f64, y: f64, w: f64, h: f64) -> BBox {
        BBox {
            x,
            y,
            width: w,
            height: h,
        }
    }

    #[test]
    fn css_boxes_map_to_image_pixels_and_clip() {
        let s = shot();
        assert_eq!(
            s.pixel_rect(&bbox(20.0, 5.0, 10.5, 10.0)),
            Some(PixelRect {
                x0: 20,
                y0: 10,
                x1: 41,
                y1: 30
            })
        );
        assert_eq!(
            s.pixel_rect(&bbox(100.0, 40.0, 50.0, 50.0)),
            Some(PixelRect {
                x0: 180,
                y0: 80,
                x1: 200,
                y1: 100
            })
        );
        assert_eq!(s.pixel_rect(&bbox(500.0, 0.0, 10.0, 10.0)), None);
        assert_eq!(s.pixel_rect(&bbox(20.0, 0.0, f64::NAN, 10.0)), None);
        assert_eq!(s.pixel_rect(&bbox(20.0, 0.0, 0.0, 10.0)), None);
        assert_eq!(
            s.crop(&bbox(20.0, 5.0, 10.0, 10.0)).map(|c| c.dimensions()),
            Some((20, 20))
        );
    }

    #[test]
    fn the_ring_lies_outside_the_box_and_inside_the_clip() {
        let s = shot();
        let b = bbox(40.0, 20.0, 20.0, 10.0);
        let ring = s.ring_pixels(&b, 1.0, 2.0, &bbox(10.0, 0.0, 100.0, 50.0));
        // Outer 26×16 CSS = 52×32 px, minus inner 22×12 CSS = 44×24 px.
        assert_eq!(ring.len(), 52 * 32 - 44 * 24);
        let clipped = s.ring_pixels(&b, 1.0, 2.0, &bbox(10.0, 0.0, 100.0, 20.0));
        assert!(clipped.len() < ring.len() && !clipped.is_empty());
    }
}
