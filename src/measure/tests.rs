//! Measuring a hand-built dialog against a synthetic screenshot painted from the same colours,
//! with anti-aliased label strokes, at device scale factor 2.

use image::{Rgba, RgbaImage};

use super::*;
use crate::detect::find_dialog;
use crate::detect::test_support::{bbox, Rect, SnapshotBuilder};
use crate::model::ButtonRole;

const SCALE: f64 = 2.0;
const PAGE: [u8; 3] = [0xf2, 0xf2, 0xf2];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const BLUE: [u8; 3] = [0x0a, 0x66, 0xc2];
const GREY_767676: [u8; 3] = [0x76, 0x76, 0x76];

const DIALOG: Rect = [100.0, 100.0, 640.0, 240.0];
const ACCEPT: Rect = [120.0, 260.0, 200.0, 44.0];
const REJECT: Rect = [340.0, 272.0, 120.0, 20.0];
const SETTINGS: Rect = [480.0, 260.0, 160.0, 44.0];
const CLOSE: Rect = [700.0, 110.0, 28.0, 28.0];

fn rgb(c: [u8; 3]) -> String {
    contrast::format_rgb(c)
}

/// The page: a white dialog with a filled accept button, a grey text-link refusal, a settings
/// button on a gradient and an icon close button; two purpose checkboxes, one pre-ticked.
fn page() -> (DomSnapshot, [usize; 5]) {
    let mut b = SnapshotBuilder::new("https://butikk.example.no/");
    let body = b.body();
    b.style(body, |s| s.background_color = rgb(PAGE));
    let dialog = b.el(
        body,
        "div",
        &[("role", "dialog"), ("aria-modal", "true")],
        DIALOG,
    );
    b.fixed(dialog, 1000);
    let p = b.el(dialog, "p", &[], [120.0, 120.0, 560.0, 60.0]);
    b.text(p, "Vi bruker informasjonskapsler for statistikk og markedsføring. Du kan endre samtykket ditt når som helst.");
    for (i, (purpose, ticked)) in [("Statistikk", true), ("Markedsføring", false)]
        .into_iter()
        .enumerate()
    {
        let y = 190.0 + i as f64 * 30.0;
        let row = b.el(dialog, "label", &[], [120.0, y, 300.0, 24.0]);
        b.text(row, purpose);
        b.checkbox(row, ticked, [400.0, y, 16.0, 16.0]);
    }
    let accept = b.button(dialog, "Godta alle", ACCEPT);
    b.style(accept, |s| {
        s.background_color = rgb(BLUE);
        s.color = rgb(WHITE);
        s.border_top_style = "none".into();
        s.font_weight = "700".into();
    });
    let reject = b.link(dialog, "Bare nødvendige", REJECT);
    b.style(reject, |s| {
        s.color = rgb(GREY_767676);
        s.font_size = "14px".into();
    });
    let settings = b.button(dialog, "Innstillinger", SETTINGS);
    b.style(settings, |s| {
        s.background_color = "rgb(200, 200, 200)".into();
        s.background_image = "linear-gradient(90deg, rgb(20, 20, 120), rgb(200, 200, 255))".into();
        s.color = rgb(WHITE);
        s.border_top_style = "none".into();
    });
    let close = b.el(dialog, "button", &[("aria-label", "Lukk")], CLOSE);
    b.style(close, |s| s.background_color = "rgba(0, 0, 0, 0)".into());
    b.text(close, "×");
    (b.build(), [dialog, accept, reject, settings, close])
}

/// Paints a rectangle (CSS px) in image pixels.
fn fill_rect(img: &mut RgbaImage, r: Rect, colour: impl Fn(u32, u32) -> [u8; 3]) {
    let (x0, y0) = ((r[0] * SCALE) as u32, (r[1] * SCALE) as u32);
    let (x1, y1) = (
        ((r[0] + r[2]) * SCALE) as u32,
        ((r[1] + r[3]) * SCALE) as u32,
    );
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let c = colour(x, y);
            img.put_pixel(x, y, Rgba([c[0], c[1], c[2], 255]));
        }
    }
}

/// Label-like vertical strokes 2.6 device px wide at fractional positions, so that their
/// edges are anti-aliased (coverage-weighted mixes of text and background colour).
fn paint_label(img: &mut RgbaImage, r: Rect, fg: [u8; 3]) {
    let (x0, x1) = ((r[0] + r[2] * 0.2) * SCALE, (r[0] + r[2] * 0.8) * SCALE);
    let (y0, y1) = (
        ((r[1] + r[3] * 0.3) * SCALE) as u32,
        ((r[1] + r[3] * 0.7) * SCALE) as u32,
    );
    let mut stem = x0 + 0.3;
    while stem + 2.6 < x1 {
        for x in stem.floor() as u32..=(stem + 2.6).ceil() as u32 {
            let coverage =
                ((x as f64 + 1.0).min(stem + 2.6) - (x as f64).max(stem)).clamp(0.0, 1.0);
            for y in y0..y1 {
                let under = img.get_pixel(x, y).0;
                let mix = |i: usize| {
                    (f64::from(fg[i]) * coverage + f64::from(under[i]) * (1.0 - coverage)).round()
                        as u8
                };
                img.put_pixel(x, y, Rgba([mix(0), mix(1), mix(2), 255]));
            }
        }
        stem += 7.35;
    }
}

fn screenshot() -> PageShot {
    let mut img = RgbaImage::from_pixel(1600, 800, Rgba([PAGE[0], PAGE[1], PAGE[2], 255]));
    fill_rect(&mut img, DIALOG, |_, _| WHITE);
    fill_rect(&mut img, ACCEPT, |_, _| BLUE);
    paint_label(&mut img, ACCEPT, WHITE);
    paint_label(&mut img, REJECT, GREY_767676);
    let x_start = (SETTINGS[0] * SCALE) as u32;
    fill_rect(&mut img, SETTINGS, |x, _| {
        let t = f64::from(x - x_start) / (SETTINGS[2] * SCALE);
        let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        [lerp(20.0, 200.0), lerp(20.0, 200.0), lerp(120.0, 255.0)]
    });
    paint_label(&mut img, SETTINGS, WHITE);
    paint_label(&mut img, CLOSE, [0x33, 0x33, 0x33]);
    PageShot {
        image: img,
        scale: SCALE,
        origin_x: 0.0,
        origin_y: 0.0,
    }
}

fn assert_within_5_percent(measured: Option<f64>, expected: f64, what: &str) {
    let m = measured.unwrap_or_else(|| panic!("{what}: not measured"));
    assert!(
        (m - expected).abs() / expected <= 0.05,
        "{what}: measured {m}, expected {expected:.2}"
    );
}

#[test]
fn measures_a_dialog_from_detection_to_metrics() {
    let (snap, [dialog, accept, reject, settings, close]) = page();
    let found = find_dialog(&snap).expect("dialog found");
    assert_eq!(found.root, dialog);
    let shot = screenshot();
    let measured = measure_dialog(&snap, &found, Some(&shot), 1);
    let banner = &measured.banner;
    assert_eq!(measured.button_nodes, [accept, reject, settings, close]);
    assert_eq!(banner.bbox, bbox(DIALOG));
    assert_eq!(banner.language.as_deref(), Some("nb"));
    assert_eq!(banner.found_by.as_deref(), Some("heuristic"));
    assert_eq!(
        banner.frame_url.as_deref(),
        Some("https://butikk.example.no/")
    );
    let roles: Vec<ButtonRole> = banner.buttons.iter().map(|b| b.role).collect();
    assert_eq!(
        roles,
        [
            ButtonRole::AcceptAll,
            ButtonRole::RejectAll,
            ButtonRole::Settings,
            ButtonRole::Close
        ]
    );

    let [a, r, s, c] = [0, 1, 2, 3].map(|i| &banner.buttons[i]);
    // Accept: white on blue, a filled button that stands out from the white dialog.
    assert_eq!(a.text, "Godta alle");
    assert_eq!(a.area_px, 200.0 * 44.0);
    assert_eq!(a.font_weight, Some(700));
    assert!(!a.is_link_styled);
    assert_within_5_percent(a.text_contrast, contrast_ratio(WHITE, BLUE), "accept text");
    assert_within_5_percent(
        a.css_text_contrast,
        contrast_ratio(WHITE, BLUE),
        "accept css",
    );
    assert_within_5_percent(
        a.background_contrast,
        contrast_ratio(BLUE, WHITE),
        "accept vs dialog",
    );
    assert_eq!(a.contrast_note, None);
    assert_eq!(a.css_background.as_deref(), Some("rgb(10, 102, 194)"));
    // Reject: #767676 text link on the white dialog, 4.54:1, and no button shape at all.
    assert!(r.is_link_styled);
    assert_eq!(r.font_size_px, Some(14.0));
    assert_within_5_percent(r.text_contrast, 4.54, "reject text");
    assert_within_5_percent(r.background_contrast, 1.0, "reject vs dialog");
    assert_eq!(r.contrast_note, None);
    // Settings: the CSS colour says grey, the pixels show a gradient.
    let note = s.contrast_note.as_deref().expect("gradient noted");
    assert!(note.contains("gradient"), "{note}");
    // Close: "×" with aria-label.
    assert_eq!(c.aria_label.as_deref(), Some("Lukk"));
    assert!(c.text_contrast.is_some());

    let checkboxes: Vec<(&str, bool, u32)> = banner
        .checkboxes
        .iter()
        .map(|c| (c.label.as_str(), c.checked, c.layer))
        .collect();
    assert_eq!(
        checkboxes,
        [("Statistikk", true, 1), ("Markedsføring", false, 1)]
    );
    assert_eq!(measured.checkbox_nodes.len(), 2);

    let annotated = annotate(&shot, banner);
    assert_eq!(
        annotated.dimensions(),
        dialog_screenshot(&shot, &banner.bbox).dimensions()
    );
}

#[test]
fn without_a_screenshot_css_contrast_is_still_given() {
    let (snap, _) = page();
    let found = find_dialog(&snap).expect("dialog found");
    let measured = measure_dialog(&snap, &found, None, 2);
    let banner = &measured.banner;
    assert!(banner
        .buttons
        .iter()
        .all(|b| b.text_contrast.is_none() && b.background_contrast.is_none()));
    let reject = &banner.buttons[1];
    assert_eq!(reject.css_text_contrast, Some(4.54));
    assert_eq!(reject.contrast_note, None);
    let settings = &banner.buttons[2];
    assert!(settings
        .contrast_note
        .as_deref()
        .is_some_and(|n| n.contains("no screenshot")));
    assert!(banner.checkboxes.iter().all(|c| c.layer == 2));
}

#[test]
fn a_shot_that_misses_the_dialog_says_so() {
    let (snap, _) = page();
    let found = find_dialog(&snap).expect("dialog found");
    let shot = PageShot {
        image: RgbaImage::from_pixel(100, 100, Rgba([255, 255, 255, 255])),
        scale: 2.0,
        origin_x: 0.0,
        origin_y: 0.0,
    };
    let measured = measure_dialog(&snap, &found, Some(&shot), 1);
    let accept = &measured.banner.buttons[0];
    assert_eq!(accept.text_contrast, None);
    assert_eq!(
        accept.contrast_note.as_deref(),
        Some("the button lies outside the screenshot")
    );
}
