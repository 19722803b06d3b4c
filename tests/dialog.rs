//! Detection and measurement of the consent dialog on the `dialog-*` fixtures and on the
//! overlays that are not consent dialogs, against a real Chromium.
//!
//! The expected colours, sizes and roles are those the fixtures' README.txt files state; each
//! measured contrast must lie within 5% of the WCAG ratio of the colours the page's CSS uses.
//! The banner section of each result is also kept as an insta snapshot, so that any change in
//! what is measured shows as a reviewable diff.

mod common;

use common::with_fixture;
use consentlens::evaluate::{evaluate, EvaluateOptions};
use consentlens::measure::contrast::contrast_ratio;
use consentlens::model::{Banner, Button, ButtonRole, Status};
use consentlens::visit::VisitOptions;
use serde_json::Value;

/// The first visit only (no click paths), settling quickly: the fixtures are small.
fn options() -> EvaluateOptions {
    EvaluateOptions {
        visit: VisitOptions {
            settle_ms: 1_500,
            idle_ms: 300,
            ..VisitOptions::default()
        },
        banner_wait_ms: 3_000,
        explore: false,
        ..EvaluateOptions::default()
    }
}

/// The banner of a fixture host's front page (`None` when no dialog was found).
async fn banner_of(f: &common::Fixture, host: &str) -> Option<Banner> {
    let report = evaluate(&f.browser, &format!("https://{host}/"), &options())
        .await
        .report;
    assert_eq!(report.status, Status::Ok, "{host}: {:?}", report.error);
    report.banner
}

/// `#rrggbb` → RGB, as written in the fixtures' READMEs.
fn hex(colour: &str) -> [u8; 3] {
    let digits = colour.strip_prefix('#').expect("a #rrggbb colour");
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex digits");
    [channel(0), channel(2), channel(4)]
}

/// What a fixture's README says about one button.
struct Expected<'a> {
    text: &'a str,
    role: ButtonRole,
    /// Label colour and the button's own background colour.
    color: &'static str,
    background: &'static str,
    font_size_px: f64,
    font_weight: u32,
    is_link_styled: bool,
}

/// A filled button: white label on `background`, 16px/600.
fn filled<'a>(text: &'a str, role: ButtonRole, background: &'static str) -> Expected<'a> {
    Expected {
        text,
        role,
        color: "#ffffff",
        background,
        font_size_px: 16.0,
        font_weight: 600,
        is_link_styled: false,
    }
}

/// A secondary button: `colour` label on white with a border in the same colour, 16px/600.
fn outlined<'a>(text: &'a str, role: ButtonRole, colour: &'static str) -> Expected<'a> {
    Expected {
        color: colour,
        background: "#ffffff",
        ..filled(text, role, colour)
    }
}

fn assert_within_5_percent(measured: Option<f64>, expected: f64, what: &str) {
    let measured = measured.unwrap_or_else(|| panic!("{what}: not measured"));
    assert!(
        (measured - expected).abs() <= 0.05 * expected,
        "{what}: measured {measured:.2}, expected {expected:.2} ± 5%"
    );
}

fn button<'a>(banner: &'a Banner, text: &str) -> &'a Button {
    banner
        .buttons
        .iter()
        .find(|b| b.text == text)
        .unwrap_or_else(|| panic!("no button {text:?} in {:?}", texts(banner)))
}

fn texts(banner: &Banner) -> Vec<&str> {
    banner.buttons.iter().map(|b| b.text.as_str()).collect()
}

/// Every button as the README describes it, and no other button. `dialog_background` is the
/// colour around the buttons, for how much each stands out from the dialog.
fn assert_buttons(banner: &Banner, dialog_background: &str, expected: &[Expected]) {
    let mut want: Vec<&str> = expected.iter().map(|e| e.text).collect();
    let mut got = texts(banner);
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "the dialog's buttons");
    for e in expected {
        let b = button(banner, e.text);
        assert_eq!(b.role, e.role, "{}: role", e.text);
        assert_eq!(
            b.is_link_styled, e.is_link_styled,
            "{}: link styling",
            e.text
        );
        assert_eq!(
            b.font_size_px,
            Some(e.font_size_px),
            "{}: font size",
            e.text
        );
        assert_eq!(
            b.font_weight,
            Some(e.font_weight),
            "{}: font weight",
            e.text
        );
        let (fg, bg) = (hex(e.color), hex(e.background));
        let label = contrast_ratio(fg, bg);
        assert_within_5_percent(
            b.text_contrast,
            label,
            &format!("{}: label, pixels", e.text),
        );
        assert_within_5_percent(
            b.css_text_contrast,
            label,
            &format!("{}: label, CSS", e.text),
        );
        assert_within_5_percent(
            b.background_contrast,
            contrast_ratio(bg, hex(dialog_background)),
            &format!("{}: against the dialog", e.text),
        );
        assert_eq!(b.contrast_note, None, "{}: pixels and CSS agree", e.text);
        assert!(
            b.area_px > 0.0 && b.bbox.width > 0.0,
            "{}: has a box",
            e.text
        );
    }
}

fn checkboxes(banner: &Banner) -> Vec<(&str, bool, bool, u32)> {
    banner
        .checkboxes
        .iter()
        .map(|c| (c.label.as_str(), c.checked, c.disabled, c.layer))
        .collect()
}

/// The banner section as a reviewable snapshot: the file names and the time the dialog took to
/// show are left out, geometry is rounded to whole CSS pixels and ratios to two decimals.
fn snapshot_value(banner: &Banner) -> Value {
    let mut value = serde_json::to_value(banner).expect("a banner serialises");
    if let Value::Object(fields) = &mut value {
        for volatile in ["screenshot", "annotated_screenshot", "appeared_after_ms"] {
            fields.remove(volatile);
        }
    }
    round_numbers(&mut value, None);
    value
}

fn round_numbers(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or_default();
            let places = match key {
                Some("x" | "y" | "width" | "height" | "area_px") => 0,
                _ => 2,
            };
            let factor = 10f64.powi(places);
            let rounded = (x * factor).round() / factor;
            *value = serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| round_numbers(v, key)),
        Value::Object(fields) => fields
            .iter_mut()
            .for_each(|(k, v)| round_numbers(v, Some(k.as_str()))),
        _ => {}
    }
}

#[test]
fn equal_buttons_in_a_bottom_bar() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-equal.test").await.expect("a dialog");
        assert_eq!(banner.cmp, None);
        assert_eq!(banner.found_by.as_deref(), Some("heuristic"));
        assert_eq!(banner.language.as_deref(), Some("en"));
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#1a56db"),
                filled("Reject all", ButtonRole::RejectAll, "#1a56db"),
            ],
        );
        let (accept, reject) = (button(&banner, "Accept all"), button(&banner, "Reject all"));
        assert_eq!(accept.area_px, reject.area_px, "same size");
        assert!(banner.checkboxes.is_empty());
        insta::assert_json_snapshot!("dialog_equal", snapshot_value(&banner));
    })
}

#[test]
fn a_faint_small_reject_button() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-lowcontrast.test")
            .await
            .expect("a dialog");
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                Expected {
                    font_weight: 700,
                    ..filled("Accept all", ButtonRole::AcceptAll, "#0b5ed7")
                },
                // A white fill on the white dialog: a button by its CSS, though it stands out
                // from the dialog no more than a link does.
                Expected {
                    color: "#aaaaaa",
                    background: "#ffffff",
                    font_size_px: 12.0,
                    font_weight: 400,
                    ..filled("Reject all", ButtonRole::RejectAll, "#ffffff")
                },
            ],
        );
        let reject = button(&banner, "Reject all");
        assert!(reject.text_contrast.is_some_and(|c| c < 4.5), "fails AA");
        assert!(reject.area_px < 0.5 * button(&banner, "Accept all").area_px);
        insta::assert_json_snapshot!("dialog_lowcontrast", snapshot_value(&banner));
    })
}

#[test]
fn a_refusal_as_an_underlined_link() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-link.test").await.expect("a dialog");
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                Expected {
                    font_weight: 700,
                    ..filled("Accept", ButtonRole::AcceptAll, "#146c43")
                },
                Expected {
                    color: "#1a0dab",
                    background: "#ffffff",
                    font_size_px: 13.0,
                    font_weight: 400,
                    is_link_styled: true,
                    ..filled("Decline", ButtonRole::RejectAll, "#ffffff")
                },
            ],
        );
        assert_eq!(button(&banner, "Decline").tag.as_deref(), Some("a"));
        insta::assert_json_snapshot!("dialog_link", snapshot_value(&banner));
    })
}

#[test]
fn a_first_layer_without_refusal_shows_no_settings_checkboxes() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-settings-only.test")
            .await
            .expect("a dialog");
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#0b5ed7"),
                outlined("Settings", ButtonRole::Settings, "#0b5ed7"),
            ],
        );
        // The settings layer's boxes are not rendered until "Settings" is clicked.
        assert_eq!(checkboxes(&banner), []);
        insta::assert_json_snapshot!("dialog_settings_only", snapshot_value(&banner));
    })
}

#[test]
fn pre_ticked_purposes_on_the_first_layer() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-preticked.test")
            .await
            .expect("a dialog");
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Reject all", ButtonRole::RejectAll, "#1f4e8c"),
                filled("Allow selection", ButtonRole::Save, "#1f4e8c"),
                filled("Accept all", ButtonRole::AcceptAll, "#1f4e8c"),
            ],
        );
        assert_eq!(
            checkboxes(&banner),
            [
                ("Necessary", true, true, 1),
                ("Statistics", true, false, 1),
                ("Marketing", true, false, 1),
            ]
        );
        insta::assert_json_snapshot!("dialog_preticked", snapshot_value(&banner));
    })
}

#[test]
fn a_dialog_in_an_open_shadow_root() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-shadow-open.test")
            .await
            .expect("a dialog");
        assert_eq!(banner.shadow_root.as_deref(), Some("open"));
        assert!(banner.text.starts_with("We use cookies"), "{}", banner.text);
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#5a32a3"),
                filled("Reject all", ButtonRole::RejectAll, "#5a32a3"),
            ],
        );
        insta::assert_json_snapshot!("dialog_shadow_open", snapshot_value(&banner));
    })
}

#[test]
fn a_dialog_in_a_closed_shadow_root() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-shadow-closed.test")
            .await
            .expect("a dialog");
        assert_eq!(banner.shadow_root.as_deref(), Some("closed"));
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#5a32a3"),
                filled("Reject all", ButtonRole::RejectAll, "#5a32a3"),
            ],
        );
        insta::assert_json_snapshot!("dialog_shadow_closed", snapshot_value(&banner));
    })
}

#[test]
fn a_dialog_in_a_cross_site_frame() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-iframe.test").await.expect("a dialog");
        assert_eq!(
            banner.frame_url.as_deref(),
            Some("https://cmp-frame.test/consent.html")
        );
        // The bottom 200 px of the viewport, in top-level coordinates.
        let viewport_height = f64::from(f.browser.options.viewport.height);
        assert_eq!(banner.bbox.height, 200.0);
        assert_eq!(banner.bbox.y + banner.bbox.height, viewport_height);
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#0f766e"),
                filled("Reject all", ButtonRole::RejectAll, "#0f766e"),
            ],
        );
        for b in &banner.buttons {
            assert!(b.bbox.y >= banner.bbox.y, "{} lies in the frame", b.text);
        }
        insta::assert_json_snapshot!("dialog_iframe", snapshot_value(&banner));
    })
}

#[test]
fn a_dialog_that_shows_two_seconds_after_load() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-late.test").await.expect("a dialog");
        assert!(banner.appeared_after_ms.is_some());
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Accept all", ButtonRole::AcceptAll, "#1f4e8c"),
                filled("Reject all", ButtonRole::RejectAll, "#1f4e8c"),
            ],
        );
        insta::assert_json_snapshot!("dialog_late", snapshot_value(&banner));
    })
}

#[test]
fn a_norwegian_dialog() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-no.test").await.expect("a dialog");
        assert!(
            matches!(banner.language.as_deref(), Some("nb" | "no")),
            "{:?}",
            banner.language
        );
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Godta alle", ButtonRole::AcceptAll, "#1f4e8c"),
                filled("Avvis alle", ButtonRole::RejectAll, "#1f4e8c"),
                outlined("Innstillinger", ButtonRole::Settings, "#1f4e8c"),
            ],
        );
        assert_eq!(checkboxes(&banner), [], "the settings layer is closed");
        insta::assert_json_snapshot!("dialog_no", snapshot_value(&banner));
    })
}

#[test]
fn a_german_dialog() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-de.test").await.expect("a dialog");
        assert_eq!(banner.language.as_deref(), Some("de"));
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Alle akzeptieren", ButtonRole::AcceptAll, "#b02a37"),
                filled("Nur notwendige", ButtonRole::RejectAll, "#b02a37"),
                outlined("Einstellungen", ButtonRole::Settings, "#b02a37"),
            ],
        );
        assert_eq!(checkboxes(&banner), [], "the settings layer is closed");
        insta::assert_json_snapshot!("dialog_de", snapshot_value(&banner));
    })
}

#[test]
fn a_french_dialog_with_a_second_refusal_link() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "dialog-fr.test").await.expect("a dialog");
        assert_eq!(banner.language.as_deref(), Some("fr"));
        let link = banner
            .buttons
            .iter()
            .find(|b| b.text.starts_with("Continuer sans accepter"))
            .expect("the link that refuses");
        assert!(matches!(
            link.role,
            ButtonRole::RejectAll | ButtonRole::Close
        ));
        assert_buttons(
            &banner,
            "#ffffff",
            &[
                filled("Tout refuser", ButtonRole::RejectAll, "#000091"),
                filled("Tout accepter", ButtonRole::AcceptAll, "#000091"),
                Expected {
                    color: "#3a3a3a",
                    background: "#ffffff",
                    font_size_px: 14.0,
                    font_weight: 400,
                    is_link_styled: true,
                    ..filled(&link.text, link.role, "#ffffff")
                },
            ],
        );
        insta::assert_json_snapshot!("dialog_fr", snapshot_value(&banner));
    })
}

#[test]
fn hostile_text_is_measured_as_text() {
    with_fixture(|f| async move {
        let banner = banner_of(f, "hostile-text.test").await.expect("a dialog");
        let role_of = |prefix: &str| {
            banner
                .buttons
                .iter()
                .find(|b| b.text.starts_with(prefix))
                .map(|b| b.role)
        };
        assert_eq!(role_of("Accept all <img"), Some(ButtonRole::AcceptAll));
        assert_eq!(role_of("Reject all </style>"), Some(ButtonRole::RejectAll));
        assert_eq!(role_of("Settings {{7*7}}"), Some(ButtonRole::Settings));
        let settings = banner
            .buttons
            .iter()
            .find(|b| b.role == ButtonRole::Settings)
            .expect("the settings button");
        assert!(settings.text.contains('\u{202e}'), "{:?}", settings.text);
        for b in &banner.buttons {
            assert_within_5_percent(
                b.text_contrast,
                contrast_ratio(hex("#ffffff"), hex("#1a56db")),
                &b.text,
            );
        }
        insta::assert_json_snapshot!("hostile_text", snapshot_value(&banner));
    })
}

/// Pages whose overlays or words must not be taken for a consent dialog.
fn assert_no_dialog(host: &'static str) {
    with_fixture(|f| async move {
        let banner = banner_of(f, host).await;
        assert!(banner.is_none(), "{host}: {banner:?}");
    })
}

#[test]
fn a_newsletter_modal_is_no_consent_dialog() {
    assert_no_dialog("newsletter.test");
}

#[test]
fn an_age_gate_is_no_consent_dialog() {
    assert_no_dialog("agegate.test");
}

#[test]
fn a_chat_widget_is_no_consent_dialog() {
    assert_no_dialog("chatwidget.test");
}

#[test]
fn a_recipe_for_cookies_is_no_consent_dialog() {
    assert_no_dialog("no-dialog.test");
}

#[test]
fn a_cookie_policy_link_in_the_footer_is_no_consent_dialog() {
    assert_no_dialog("footer-only.test");
}
