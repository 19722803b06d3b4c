//! Colour contrast: the WCAG 2.1 maths, CSS colours, and the contrast measured from pixels.

mod css;
mod pixels;

pub use css::{composite_over, format_rgb, parse_css_color};
pub use pixels::{dominant_colour, measure_text_contrast, PixelContrast, SOLID_BACKGROUND_SHARE};

/// An sRGB channel (0–255) in linear light, as WCAG 2.1 defines it (threshold 0.04045, the
/// sRGB standard's value; WCAG's text once said 0.03928, which changes no 8-bit result).
pub fn linear_channel(c: u8) -> f64 {
    let s = f64::from(c) / 255.0;
    if s <= 0.04045 {
        s / 12.92
    } else {
        ((s + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG 2.1 relative luminance of an sRGB colour, 0 (black) to 1 (white).
pub fn relative_luminance(rgb: [u8; 3]) -> f64 {
    0.2126 * linear_channel(rgb[0])
        + 0.7152 * linear_channel(rgb[1])
        + 0.0722 * linear_channel(rgb[2])
}

/// WCAG 2.1 contrast ratio `(L1 + 0.05) / (L2 + 0.05)`, from 1 (same) to 21 (black on white).
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A ratio rounded to two decimals, as reports print it.
pub fn round_ratio(ratio: f64) -> f64 {
    (ratio * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_wcag_values() {
        // The WebAIM / WCAG examples: #767676 is the lightest grey that passes AA on white.
        assert_eq!(round_ratio(contrast_ratio([0x76; 3], [0xff; 3])), 4.54);
        assert_eq!(round_ratio(contrast_ratio([0x77; 3], [0xff; 3])), 4.48);
        assert_eq!(round_ratio(contrast_ratio([0, 0, 0], [0xff; 3])), 21.0);
        assert_eq!(contrast_ratio([0x33, 0x66, 0x99], [0x33, 0x66, 0x99]), 1.0);
        // Order does not matter.
        assert_eq!(
            contrast_ratio([0xff, 0, 0], [0xff; 3]),
            contrast_ratio([0xff; 3], [0xff, 0, 0])
        );
        // Pure red on white is 4.00:1, blue on white 8.59:1.
        assert_eq!(round_ratio(contrast_ratio([0xff, 0, 0], [0xff; 3])), 4.0);
        assert_eq!(round_ratio(contrast_ratio([0, 0, 0xff], [0xff; 3])), 8.59);
    }

    #[test]
    fn luminance_endpoints_and_threshold() {
        assert_eq!(relative_luminance([0, 0, 0]), 0.0);
        assert!((relative_luminance([255, 255, 255]) - 1.0).abs() < 1e-12);
        // 10/255 = 0.0392 lies below the 0.04045 threshold: the linear segment applies.
        assert!((linear_channel(10) - (10.0 / 255.0) / 12.92).abs() < 1e-12);
        assert!(linear_channel(11) > linear_channel(10));
    }
}
