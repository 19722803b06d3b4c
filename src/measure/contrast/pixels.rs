//! Contrast measured from a screenshot, the method of Google's Accessibility Test Framework:
//! build a colour histogram of the element, take the most frequent colour as the background,
//! and as the text colour the most frequent colour on the other side of the mean luminance.
//!
//! Anti-aliasing paints a text's edges in every shade between text and background, so colours
//! are counted in buckets (8 levels per channel), and among the buckets on the text side that
//! are common enough, the one that contrasts most with the background is taken as the text:
//! the stroke interiors, not the edges. Each bucket is represented by its most frequent exact
//! colour, so a solid colour is reported exactly.

use std::collections::HashMap;

use image::RgbaImage;

use super::{contrast_ratio, linear_channel};

/// Below this share of pixels, the most frequent colour is not a solid background (a gradient,
/// an image, a busy pattern).
pub const SOLID_BACKGROUND_SHARE: f64 = 0.35;
/// A text-side bucket is a text candidate when it holds at least this share of the largest
/// text-side bucket; anti-aliased edge shades each hold far less.
const TEXT_CANDIDATE_SHARE: f64 = 0.3;
/// Fewest pixels that count as text (a speck of noise is not a label).
const MIN_TEXT_PIXELS: u32 = 4;
/// Most pixels read from one crop; larger crops are sampled on a regular grid.
const MAX_PIXELS: u64 = 4_000_000;

/// The colours and ratio read from a button's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelContrast {
    pub background: [u8; 3],
    pub foreground: [u8; 3],
    /// WCAG 2.1 ratio of `foreground` against `background`.
    pub ratio: f64,
    /// Share of the crop's pixels in the background's colour bucket.
    pub background_share: f64,
    /// Share of the crop's pixels in the text's colour bucket.
    pub foreground_share: f64,
}

impl PixelContrast {
    /// Whether the background is one solid colour rather than a gradient or an image.
    pub fn has_solid_background(&self) -> bool {
        self.background_share >= SOLID_BACKGROUND_SHARE
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Bucket {
    count: u32,
    representative: [u8; 3],
    representative_count: u32,
}

/// Colour counts, exact and bucketed.
struct Histogram {
    exact: HashMap<[u8; 3], u32, ColourHash>,
    total: u32,
    luminance_sum: f64,
}

impl Histogram {
    fn new(pixels: impl Iterator<Item = [u8; 3]>) -> Histogram {
        let mut exact: HashMap<[u8; 3], u32, ColourHash> = HashMap::default();
        // Runs of one colour (the background between glyphs, a flat fill) are counted first
        // and looked up once: most pixels of a button repeat their left neighbour.
        let mut run: Option<([u8; 3], u32)> = None;
        for p in pixels {
            match &mut run {
                Some((colour, count)) if *colour == p => *count += 1,
                _ => {
                    if let Some((colour, count)) = run.replace((p, 1)) {
                        *exact.entry(colour).or_default() += count;
                    }
                }
            }
        }
        if let Some((colour, count)) = run {
            *exact.entry(colour).or_default() += count;
        }
        // Luminance once per distinct colour, weighted by its count, summed in colour order
        // so that the mean does not depend on hashing order.
        let linear: Vec<f64> = (0..=255u8).map(linear_channel).collect();
        let mut colours: Vec<([u8; 3], u32)> = exact.iter().map(|(&c, &n)| (c, n)).collect();
        colours.sort_unstable();
        let (total, luminance_sum) = colours.iter().fold((0u32, 0.0), |(n, sum), &(c, count)| {
            (n + count, sum + f64::from(count) * luminance(&linear, c))
        });
        Histogram {
            exact,
            total,
            luminance_sum,
        }
    }

    fn buckets(&self) -> Vec<Bucket> {
        let mut buckets: HashMap<[u8; 3], Bucket> = HashMap::new();
        for (&colour, &count) in &self.exact {
            let b = buckets.entry(bucket_key(colour)).or_default();
            b.count += count;
            // Ties go to the smaller colour so that results do not depend on hashing order.
            if count > b.representative_count
                || (count == b.representative_count && colour < b.representative)
            {
                b.representative = colour;
                b.representative_count = count;
            }
        }
        let mut out: Vec<Bucket> = buckets.into_values().collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.representative.cmp(&b.representative))
        });
        out
    }
}

/// A hash for colours (three bytes, not attacker-chosen in any way that matters: at worst a
/// slower histogram): one multiply instead of SipHash's rounds, which dominated the histogram.
#[derive(Default, Clone, Copy)]
struct ColourHash;

impl std::hash::BuildHasher for ColourHash {
    type Hasher = ColourHasher;
    fn build_hasher(&self) -> ColourHasher {
        ColourHasher(0)
    }
}

struct ColourHasher(u64);

impl std::hash::Hasher for ColourHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn finish(&self) -> u64 {
        // Fibonacci hashing spreads the packed colour over the high bits hashbrown uses.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

fn bucket_key(c: [u8; 3]) -> [u8; 3] {
    [c[0] >> 3, c[1] >> 3, c[2] >> 3]
}

fn luminance(linear: &[f64], p: [u8; 3]) -> f64 {
    0.2126 * linear[usize::from(p[0])]
        + 0.7152 * linear[usize::from(p[1])]
        + 0.0722 * linear[usize::from(p[2])]
}

/// Opaque pixels of an image (partly transparent ones composited over white, as a page's
/// canvas is), sampled on a grid when the image is very large.
fn opaque_pixels(image: &RgbaImage) -> impl Iterator<Item = [u8; 3]> + '_ {
    let n = u64::from(image.width()) * u64::from(image.height());
    let step = if n > MAX_PIXELS {
        ((n as f64 / MAX_PIXELS as f64).sqrt().ceil() as u32).max(1)
    } else {
        1
    };
    let row_bytes = image.width() as usize * 4;
    image
        .as_raw()
        .chunks_exact(row_bytes.max(1))
        .step_by(step as usize)
        .flat_map(move |row| {
            row.chunks_exact(4)
                .step_by(step as usize)
                .map(|p| flatten([p[0], p[1], p[2], p[3]]))
        })
}

fn flatten(p: [u8; 4]) -> [u8; 3] {
    // Screenshots are opaque: skip the blend for the pixels that need none.
    if p[3] == 255 {
        return [p[0], p[1], p[2]];
    }
    super::composite_over(p, [255, 255, 255])
}

/// The text-against-background contrast of a crop holding one button, or `None` when no text
/// can be told from the background (a uniform crop, an empty one).
pub fn measure_text_contrast(crop: &RgbaImage) -> Option<PixelContrast> {
    let histogram = Histogram::new(opaque_pixels(crop));
    if histogram.total < MIN_TEXT_PIXELS * 2 {
        return None;
    }
    let buckets = histogram.buckets();
    let background = *buckets.first()?;
    let linear: Vec<f64> = (0..=255u8).map(linear_channel).collect();
    let mean = histogram.luminance_sum / f64::from(histogram.total);
    let background_luminance = luminance(&linear, background.representative);
    let text_side: Vec<Bucket> = buckets
        .iter()
        .skip(1)
        .filter(|b| {
            let l = luminance(&linear, b.representative);
            if background_luminance >= mean {
                l < mean
            } else {
                l > mean
            }
        })
        .copied()
        .collect();
    let largest = text_side.iter().map(|b| b.count).max()?;
    let threshold =
        ((f64::from(largest) * TEXT_CANDIDATE_SHARE).ceil() as u32).max(MIN_TEXT_PIXELS);
    let text = text_side
        .iter()
        .filter(|b| b.count >= threshold)
        .max_by(|a, b| {
            contrast_ratio(a.representative, background.representative)
                .total_cmp(&contrast_ratio(b.representative, background.representative))
                .then(a.count.cmp(&b.count))
        })?;
    let total = f64::from(histogram.total);
    Some(PixelContrast {
        background: background.representative,
        foreground: text.representative,
        ratio: contrast_ratio(text.representative, background.representative),
        background_share: f64::from(background.count) / total,
        foreground_share: f64::from(text.count) / total,
    })
}

/// The most frequent colour among `pixels` (by bucket, reported exactly) and its share.
pub fn dominant_colour(pixels: impl Iterator<Item = [u8; 3]>) -> Option<([u8; 3], f64)> {
    let histogram = Histogram::new(pixels);
    let top = *histogram.buckets().first()?;
    Some((
        top.representative,
        f64::from(top.count) / f64::from(histogram.total.max(1)),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{contrast_ratio, round_ratio};
    use super::*;
    use image::Rgba;
    use imageproc::drawing::{
        draw_antialiased_line_segment_mut, draw_filled_circle_mut, draw_filled_rect_mut,
        draw_polygon_mut,
    };
    use imageproc::pixelops::interpolate;
    use imageproc::point::Point;
    use imageproc::rect::Rect;

    const SUPERSAMPLE: u32 = 4;

    fn rgba(c: [u8; 3]) -> Rgba<u8> {
        Rgba([c[0], c[1], c[2], 255])
    }

    /// Glyph-like strokes (stems, a bar, a diagonal, a bowl) drawn solid at 4× and box-filtered
    /// down, which gives edges anti-aliased the way a rasteriser does: coverage-weighted mixes.
    fn button_with_text(width: u32, height: u32, bg: [u8; 3], fg: [u8; 3]) -> RgbaImage {
        let (w, h) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
        let mut big = RgbaImage::from_pixel(w, h, rgba(bg));
        let stem = 11; // 2.75 device px wide after downsampling: not pixel-aligned
        let top = (h / 4) as i32 + 3;
        let glyph_h = h / 2;
        let mut x = (w / 8) as i32 + 1;
        while x + 60 < (w * 7 / 8) as i32 {
            draw_filled_rect_mut(&mut big, Rect::at(x, top).of_size(stem, glyph_h), rgba(fg));
            draw_filled_rect_mut(
                &mut big,
                Rect::at(x, top + glyph_h as i32 / 2).of_size(30, stem),
                rgba(fg),
            );
            let d = x + 34;
            draw_polygon_mut(
                &mut big,
                &[
                    Point::new(d, top + glyph_h as i32),
                    Point::new(d + 13, top + glyph_h as i32),
                    Point::new(d + 33, top),
                    Point::new(d + 20, top),
                ],
                rgba(fg),
            );
            x += 80;
        }
        let r = (glyph_h / 3) as i32;
        let cx = (w * 7 / 8) as i32 - r - 2;
        let cy = top + glyph_h as i32 / 2;
        draw_filled_circle_mut(&mut big, (cx, cy), r, rgba(fg));
        draw_filled_circle_mut(&mut big, (cx, cy), r - stem as i32, rgba(bg));
        box_downsample(&big, SUPERSAMPLE)
    }

    /// Each output pixel is the mean of a `factor`×`factor` block: exact coverage weighting.
    fn box_downsample(big: &RgbaImage, factor: u32) -> RgbaImage {
        RgbaImage::from_fn(big.width() / factor, big.height() / factor, |x, y| {
            let mut sum = [0u32; 4];
            for dy in 0..factor {
                for dx in 0..factor {
                    let p = big.get_pixel(x * factor + dx, y * factor + dy).0;
                    for (s, c) in sum.iter_mut().zip(p) {
                        *s += u32::from(c);
                    }
                }
            }
            let n = factor * factor;
            Rgba(sum.map(|s| ((s + n / 2) / n) as u8))
        })
    }

    fn assert_within_5_percent(measured: f64, expected: f64) {
        let error = (measured - expected).abs() / expected;
        assert!(
            error <= 0.05,
            "measured {measured:.3}, expected {expected:.3}"
        );
    }

    #[test]
    fn grey_text_on_white_reads_as_the_page_set_it() {
        let crop = button_with_text(240, 80, [255; 3], [0x76; 3]);
        let m = measure_text_contrast(&crop).expect("text found");
        assert_eq!(m.background, [255; 3]);
        assert_within_5_percent(m.ratio, 4.54);
        assert!(m.has_solid_background());
    }

    #[test]
    fn light_text_on_a_coloured_button() {
        let (bg, fg) = ([0x0a, 0x66, 0xc2], [0xff, 0xff, 0xff]);
        let crop = button_with_text(300, 88, bg, fg);
        let m = measure_text_contrast(&crop).expect("text found");
        assert_eq!(m.background, bg);
        assert_within_5_percent(m.ratio, contrast_ratio(fg, bg));
    }

    #[test]
    fn low_contrast_reject_button() {
        // Light grey on white, the classic nudge: ~1.6:1.
        let (bg, fg) = ([0xff; 3], [0xc8, 0xc8, 0xc8]);
        let crop = button_with_text(260, 72, bg, fg);
        let m = measure_text_contrast(&crop).expect("text found");
        assert_within_5_percent(m.ratio, contrast_ratio(fg, bg));
    }

    #[test]
    fn thin_antialiased_lines_do_not_become_the_text_colour() {
        let (bg, fg) = ([0x20, 0x20, 0x20], [0xe0, 0xb0, 0x40]);
        let mut crop = RgbaImage::from_pixel(200, 60, rgba(bg));
        for i in 0..14 {
            let x = 10 + i * 13;
            // Steep strokes at fractional slopes: most pixels are partial coverage.
            draw_antialiased_line_segment_mut(
                &mut crop,
                (x, 12),
                (x + 5, 48),
                rgba(fg),
                interpolate,
            );
            draw_antialiased_line_segment_mut(
                &mut crop,
                (x + 1, 12),
                (x + 6, 48),
                rgba(fg),
                interpolate,
            );
        }
        let m = measure_text_contrast(&crop).expect("text found");
        assert_eq!(m.background, bg);
        assert_within_5_percent(m.ratio, contrast_ratio(fg, bg));
    }

    #[test]
    fn a_gradient_background_is_not_solid() {
        let mut crop = RgbaImage::new(240, 80);
        for (x, _, p) in crop.enumerate_pixels_mut() {
            let v = (40 + x * 160 / 240) as u8;
            *p = Rgba([v, v / 2, 200, 255]);
        }
        for x in (20..220).step_by(20) {
            draw_filled_rect_mut(&mut crop, Rect::at(x, 25).of_size(4, 30), rgba([255; 3]));
        }
        let m = measure_text_contrast(&crop).expect("text found");
        assert!(!m.has_solid_background(), "share {}", m.background_share);
    }

    #[test]
    fn uniform_and_empty_crops_give_none() {
        assert_eq!(
            measure_text_contrast(&RgbaImage::from_pixel(50, 20, rgba([9; 3]))),
            None
        );
        assert_eq!(measure_text_contrast(&RgbaImage::new(0, 0)), None);
        assert_eq!(measure_text_contrast(&RgbaImage::new(1, 1)), None);
    }

    #[test]
    fn dominant_colour_and_its_share() {
        let pixels = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [200, 0, 0]];
        let (colour, share) = dominant_colour(pixels.into_iter()).unwrap();
        assert_eq!(colour, [1, 2, 3]);
        assert_eq!(share, 0.75);
        assert_eq!(dominant_colour(std::iter::empty()), None);
        assert_eq!(round_ratio(4.544), 4.54);
    }
}
