//! What the computed CSS says about a button: font, whether it looks like a link, and the
//! contrast its CSS colours would give.

use super::buttons::Clickable;
use super::contrast::{composite_over, contrast_ratio, parse_css_color};
use crate::detect::walk::{self, css_number, css_px, node, paints_box};
use crate::visit::dom::{DomNode, DomSnapshot, NodeKind};

/// How far up the tree a background is looked for.
const MAX_BACKGROUND_DEPTH: usize = 64;
/// An `<a>` whose box is no taller than this many times its font size has no button padding.
const LINK_LINE_HEIGHT: f64 = 1.6;

pub fn font_size_px(n: &DomNode) -> Option<f64> {
    css_px(&n.style.font_size).filter(|v| *v > 0.0)
}

/// `font-weight` as a number: `normal` 400, `bold` 700, numbers as given (1–1000).
pub fn font_weight(n: &DomNode) -> Option<u32> {
    match n.style.font_weight.trim() {
        "normal" => Some(400),
        "bold" | "bolder" => Some(700),
        "lighter" => Some(300),
        v => v
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && (1.0..=1000.0).contains(w))
            .map(|w| w.round() as u32),
    }
}

/// Whether the button looks like a text link rather than a button: underlined, or nothing
/// painted behind or around its label (no fill, image or border from the label up to the
/// button), or an `<a>` whose box is a bare line of text.
pub fn is_link_styled(snapshot: &DomSnapshot, c: &Clickable) -> bool {
    let Some(button) = node(snapshot, c.node) else {
        return false;
    };
    let label = node(snapshot, c.text_element).unwrap_or(button);
    let underlined = [button, label]
        .iter()
        .any(|n| n.style.text_decoration_line.contains("underline"));
    let chain: Vec<&DomNode> = std::iter::once(c.text_element)
        .chain(walk::ancestors(snapshot, c.text_element))
        .take(MAX_BACKGROUND_DEPTH)
        .take_while(|&id| id != c.node)
        .chain(std::iter::once(c.node))
        .filter_map(|id| node(snapshot, id))
        .collect();
    let painted = chain.iter().any(|n| paints_box(n));
    let bare_anchor = button.tag == "a"
        && match (button.bbox, font_size_px(label)) {
            (Some(b), Some(size)) => b.height <= size * LINK_LINE_HEIGHT,
            _ => false,
        };
    underlined || !painted || bare_anchor
}

/// The contrast the page's CSS colours give a label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CssReading {
    /// The label's computed `color`, as the browser gave it.
    pub color: Option<String>,
    /// The background behind the label per CSS: background colours from the label up to the
    /// first opaque one, composited (over white, the canvas, when none is opaque).
    pub background: Option<[u8; 3]>,
    /// WCAG ratio of `color` over `background`.
    pub text_ratio: Option<f64>,
    /// A `background-image` (gradient or picture) lies behind the label.
    pub background_image: bool,
    /// Semi-transparent colours or `opacity` below 1 take part.
    pub translucent: bool,
}

pub fn css_reading(snapshot: &DomSnapshot, text_element: usize) -> CssReading {
    let Some(label) = node(snapshot, text_element) else {
        return CssReading::default();
    };
    let mut reading = CssReading {
        color: Some(label.style.color.clone()).filter(|c| !c.trim().is_empty()),
        ..CssReading::default()
    };
    let mut layers: Vec<[u8; 4]> = Vec::new();
    let mut reached_opaque = false;
    for n in std::iter::once(text_element)
        .chain(walk::ancestors(snapshot, text_element))
        .take(MAX_BACKGROUND_DEPTH)
        .filter_map(|id| node(snapshot, id))
        .filter(|n| n.kind == NodeKind::Element)
    {
        if css_number(&n.style.opacity, 1.0) < 0.999 {
            reading.translucent = true;
        }
        if reached_opaque {
            continue;
        }
        if !matches!(n.style.background_image.trim(), "" | "none") {
            reading.background_image = true;
        }
        if let Some(c) = parse_css_color(&n.style.background_color) {
            if c[3] == 255 {
                reached_opaque = true;
            } else if c[3] > 0 {
                reading.translucent = true;
            }
            if c[3] > 0 {
                layers.push(c);
            }
        }
    }
    let background = layers.iter().rev().fold([255u8, 255, 255], |below, layer| {
        composite_over(*layer, below)
    });
    reading.background = Some(background);
    if let Some(fg) = parse_css_color(&label.style.color) {
        if fg[3] < 255 {
            reading.translucent = true;
        }
        reading.text_ratio = Some(contrast_ratio(composite_over(fg, background), background));
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::test_support::SnapshotBuilder;
    use crate::measure::buttons::{collect_clickables, MAX_BUTTONS};
    use crate::measure::contrast::round_ratio;

    #[test]
    fn font_weights_and_sizes() {
        let snap = SnapshotBuilder::new("https://example.org/").build();
        let mut n = snap.nodes[0].clone();
        for (value, expected) in [
            ("bold", Some(700)),
            ("normal", Some(400)),
            ("600", Some(600)),
            ("550.4", Some(550)),
            ("heavy", None),
            ("0", None),
        ] {
            n.style.font_weight = value.into();
            assert_eq!(font_weight(&n), expected, "{value}");
        }
        n.style.font_size = "13.33px".into();
        assert_eq!(font_size_px(&n), Some(13.33));
        n.style.font_size = "".into();
        assert_eq!(font_size_px(&n), None);
    }

    #[test]
    fn link_styling() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        let filled = b.button(body, "Accept", [0.0, 0.0, 120.0, 40.0]);
        let underlined = b.link(body, "Reject", [0.0, 50.0, 60.0, 20.0]);
        let plain = b.button(body, "Settings", [0.0, 80.0, 120.0, 40.0]);
        b.style(plain, |s| {
            s.background_color = "rgba(0, 0, 0, 0)".into();
            s.border_top_style = "none".into();
        });
        let ghost = b.button(body, "Save", [0.0, 130.0, 120.0, 40.0]);
        b.style(ghost, |s| {
            s.background_color = "transparent".into();
            s.border_top_width = "2px".into();
        });
        // A transparent <button> whose inner <span> paints the pill.
        let outer = b.button(body, "", [0.0, 180.0, 120.0, 40.0]);
        b.style(outer, |s| {
            s.background_color = "rgba(0, 0, 0, 0)".into();
            s.border_top_style = "none".into();
        });
        let pill = b.el(outer, "span", &[], [0.0, 180.0, 120.0, 40.0]);
        b.style(pill, |s| s.background_color = "rgb(0, 100, 0)".into());
        b.text(pill, "Godta");
        let snap = b.build();
        let styled: Vec<(usize, bool)> = collect_clickables(&snap, body, MAX_BUTTONS)
            .iter()
            .map(|c| (c.node, is_link_styled(&snap, c)))
            .collect();
        assert_eq!(
            styled,
            [
                (filled, false),
                (underlined, true),
                (plain, true),
                (ghost, false),
                (outer, false)
            ]
        );
    }

    #[test]
    fn css_contrast_composites_translucent_layers() {
        let mut b = SnapshotBuilder::new("https://example.org/");
        let body = b.body();
        b.style(body, |s| s.background_color = "rgb(0, 0, 0)".into());
        let dialog = b.div(body, [0.0, 0.0, 400.0, 200.0]);
        b.style(dialog, |s| s.background_color = "rgb(255, 255, 255)".into());
        let grey = b.button(dialog, "Reject", [10.0, 10.0, 100.0, 40.0]);
        b.style(grey, |s| {
            s.background_color = "rgba(0, 0, 0, 0)".into();
            s.color = "rgb(118, 118, 118)".into();
        });
        let veiled = b.button(dialog, "Accept", [10.0, 60.0, 100.0, 40.0]);
        b.style(veiled, |s| {
            s.background_color = "rgba(0, 0, 0, 0.5)".into();
            s.color = "rgb(255, 255, 255)".into();
        });
        let gradient = b.button(dialog, "Save", [10.0, 110.0, 100.0, 40.0]);
        b.style(gradient, |s| {
            s.background_image = "linear-gradient(red, blue)".into()
        });
        let snap = b.build();
        let grey_reading = css_reading(&snap, grey);
        assert_eq!(grey_reading.background, Some([255, 255, 255]));
        assert_eq!(grey_reading.text_ratio.map(round_ratio), Some(4.54));
        assert!(!grey_reading.translucent && !grey_reading.background_image);
        let veiled_reading = css_reading(&snap, veiled);
        assert_eq!(veiled_reading.background, Some([127, 127, 127]));
        assert!(veiled_reading.translucent);
        assert!(css_reading(&snap, gradient).background_image);
    }
}
