//! Result documents for the store's tests: every optional field filled, every list non-empty,
//! so that a round trip that drops anything shows up.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::model::*;

/// A fully populated successful report for `url`, with `requests_per_phase` requests in each of
/// the three phases.
pub(super) fn full_report(url: &str, requests_per_phase: usize) -> SiteReport {
    let started_at = Utc.with_ymd_and_hms(2025, 3, 4, 10, 0, 0).single();
    let started_at = started_at.unwrap_or_else(Utc::now);
    let finished_at = started_at + chrono::Duration::milliseconds(8_250);
    let phase = |name: PhaseName| Phase {
        requests: (0..requests_per_phase)
            .map(|i| request(url, name, i))
            .collect(),
        cookies: vec![cookie("_fbp", true), cookie("session", false)],
        events: vec![event(url, name)],
        websocket_frames: vec![WebSocketFrame {
            url: "wss://chat.example/socket".into(),
            direction: "sent".into(),
            payload: "{\"hello\":1}".into(),
            opcode: Some(1),
            time_ms: 12.5,
        }],
        navigations: vec![Navigation {
            url: url.into(),
            status: Some(200),
            redirects: vec!["http://example.test/".into()],
            step: Step::Load,
        }],
        local_storage: BTreeMap::from([("consent".into(), "{\"ads\":false}".into())]),
        js_dialogs: vec![JsDialog {
            kind: "alert".into(),
            message: "Velkommen".into(),
            accepted: true,
        }],
        page_errors: vec!["Uncaught TypeError: x is undefined".into()],
        banner_reappeared: Some(false),
    };
    let accept_button = button(ButtonRole::AcceptAll, "Godta alle");
    SiteReport {
        schema_version: SCHEMA_VERSION,
        url: url.into(),
        final_url: Some(format!("{url}home")),
        status: Status::Ok,
        error: None,
        provenance: Provenance {
            tool_version: "0.1.0".into(),
            browser_version: Some("Chromium 156.0.0.0".into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/156".into()),
            started_at,
            finished_at,
            viewport: Viewport::default(),
            locale: "nb-NO".into(),
            third_party_cookies: ThirdPartyCookies::Allowed,
            tracker_lists: vec![tracker_list()],
            timezone: Some("Europe/Oslo".into()),
            webdriver_hidden: Some(true),
            browser_args: vec!["--headless=new".into()],
            timeout_ms: 30_000,
            settle_ms: 2_000,
        },
        banner: Some(Banner {
            cmp: Some("onetrust".into()),
            text: "Vi bruker informasjonskapsler".into(),
            language: Some("nb".into()),
            bbox: BBox {
                x: 0.0,
                y: 600.0,
                width: 1366.0,
                height: 168.0,
            },
            frame_url: Some(url.into()),
            screenshot: Some("banner.png".into()),
            buttons: vec![
                accept_button.clone(),
                Button {
                    is_link_styled: true,
                    ..button(ButtonRole::RejectAll, "Avvis")
                },
            ],
            checkboxes: vec![Checkbox {
                label: "Markedsføring".into(),
                checked: true,
                disabled: false,
                layer: 2,
            }],
            annotated_screenshot: Some("banner-annotated.png".into()),
            shadow_root: Some("open".into()),
            found_by: Some("cmp".into()),
            appeared_after_ms: Some(350),
        }),
        click_paths: Some(ClickPaths {
            accept: ClickPath {
                clicks: Some(1),
                steps: vec![step("click", "Godta alle", ButtonRole::AcceptAll)],
                succeeded: true,
                dismissed_banner: true,
                failure: None,
            },
            reject: ClickPath {
                clicks: Some(3),
                steps: vec![
                    step("click", "Innstillinger", ButtonRole::Settings),
                    step("toggle", "Markedsføring", ButtonRole::Other),
                    step("click", "Lagre", ButtonRole::Save),
                ],
                succeeded: false,
                dismissed_banner: true,
                failure: Some("trackers still fired".into()),
            },
        }),
        phases: Phases {
            before_consent: Some(phase(PhaseName::BeforeConsent)),
            after_accept: Some(phase(PhaseName::AfterAccept)),
            after_reject: Some(phase(PhaseName::AfterReject)),
        },
        findings: vec![Finding {
            id: "tracker-before-consent".into(),
            severity: Severity::High,
            summary: "Meta Pixel fired before any choice.".into(),
            evidence: vec![
                Evidence::Request {
                    phase: PhaseName::BeforeConsent,
                    url: "https://www.facebook.com/tr?id=1".into(),
                    vendor: Some("Meta Pixel".into()),
                    fields: Map::from_iter([("ev".to_string(), json!("PageView"))]),
                },
                Evidence::Button {
                    role: ButtonRole::AcceptAll,
                    text: "Godta alle".into(),
                    bbox: accept_button.bbox,
                    measures: Map::from_iter([("area_px".to_string(), json!(4000.0))]),
                },
                Evidence::Note {
                    text: "seen twice".into(),
                },
            ],
            basis: vec!["ePrivacy Art. 5(3)".into(), "GDPR Art. 6(1)(a)".into()],
        }],
        metrics: Metrics {
            clicks_to_accept: Some(1),
            clicks_to_reject: Some(3),
            reject_to_accept_area_ratio: Some(0.25),
            accept_text_contrast: Some(7.5),
            reject_text_contrast: Some(1.9),
            trackers_before_consent: Some(2),
            trackers_after_accept: Some(5),
            trackers_after_reject: Some(1),
            tracker_requests_before_consent: Some(4),
            cookies_before_consent: Some(6),
            cookies_after_accept: Some(11),
            cookies_after_reject: Some(3),
            identifier_cookies_before_consent: Some(2),
            identifier_cookies_after_reject: Some(1),
            requests_before_consent: Some(40),
            third_party_requests_before_consent: Some(12),
            events_before_consent: Some(1),
            findings: Some(1),
            duration_ms: Some(8_250),
        },
        http_status: Some(200),
        title: Some("Apotek – graviditetstest".into()),
        screenshot: Some("page.png".into()),
        claims: vec![Claim {
            kind: "anonymous".into(),
            phrase: "anonym".into(),
            context: "Du er helt anonym her.".into(),
            language: Some("nb".into()),
            source: "page".into(),
        }],
        consent_state: Some(ConsentStates {
            after_accept: Some(ConsentState {
                cookies_changed: BTreeMap::from([("OptanonConsent".into(), "a=1".into())]),
                local_storage_changed: BTreeMap::new(),
                tc_string: Some("CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA".into()),
                tcf_purposes: vec![1, 3, 4],
                tcf_vendors: vec![755],
                consent_mode: vec!["G111".into()],
            }),
            after_reject: None,
        }),
    }
}

/// A failed evaluation of `url`, as the crawl writes it.
pub(super) fn error_report(url: &str, kind: &str) -> SiteReport {
    let mut report = full_report(url, 0);
    report.status = Status::Error;
    report.error = Some(ErrorInfo {
        kind: kind.into(),
        message: format!("{kind} while loading {url}"),
    });
    report.banner = None;
    report.click_paths = None;
    report.phases = Phases::default();
    report.findings.clear();
    report.metrics = Metrics::default();
    report
}

pub(super) fn tracker_list() -> TrackerList {
    TrackerList {
        name: "easyprivacy".into(),
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        rules: 51_234,
    }
}

fn request(url: &str, phase: PhaseName, i: usize) -> Request {
    let is_pixel = i % 2 == 0;
    Request {
        url: format!("https://www.facebook.com/tr?id=1&ev=PageView&n={i}"),
        method: if is_pixel { "POST" } else { "GET" }.into(),
        resource_type: "ping".into(),
        frame_url: Some(url.into()),
        initiator: Some("https://connect.facebook.net/en_US/fbevents.js".into()),
        third_party: true,
        post_data: is_pixel.then(|| format!("ev=AddToCart&phase={}", phase.as_str())),
        tracker: is_pixel.then(|| TrackerMatch {
            vendor: "Meta Pixel".into(),
            entity: Some("Meta".into()),
            category: "advertising".into(),
            matched_by: "catalogue".into(),
        }),
        post_data_base64: (!is_pixel).then(|| "H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==".into()),
        content_type: Some("application/x-www-form-urlencoded".into()),
        status: Some(200),
        mime_type: Some("image/gif".into()),
        set_cookie: vec!["fr=abc; Path=/; Secure".into()],
        failure: None,
        redirected_from: Some("https://facebook.com/tr".into()),
        time_ms: 123.25 + i as f64,
        step: Step::Answer,
    }
}

fn cookie(name: &str, third_party: bool) -> Cookie {
    Cookie {
        name: name.into(),
        domain: ".example.test".into(),
        path: "/".into(),
        expires: Some(1_767_225_600.0),
        third_party,
        http_only: !third_party,
        secure: true,
        same_site: Some("Lax".into()),
        vendor: third_party.then(|| "Meta Pixel".into()),
        value: "fb.1.1700000000.123456789".into(),
        partition_key: third_party.then(|| "https://example.test".into()),
        is_identifier: third_party,
        category: Some(
            if third_party {
                "advertising"
            } else {
                "necessary"
            }
            .into(),
        ),
    }
}

fn event(url: &str, phase: PhaseName) -> TrackerEvent {
    TrackerEvent {
        vendor: "Meta Pixel".into(),
        request_url: "https://www.facebook.com/tr?id=1&ev=AddToCart".into(),
        event: Some("AddToCart".into()),
        page_url: Some(url.into()),
        data: Map::from_iter([
            (
                "content_name".to_string(),
                json!("Clearblue graviditetstest"),
            ),
            ("value".to_string(), json!("119")),
            ("phase".to_string(), Value::from(phase.as_str())),
        ]),
        user_data_fields: vec!["em".into(), "ph".into()],
        ids: BTreeMap::from([
            ("pixel_id".into(), "1".into()),
            ("fbp".into(), "fb.1.2".into()),
        ]),
        fields: BTreeMap::from([("event".into(), vec!["ev".into()])]),
        referrer: Some("https://www.google.com/".into()),
        title: Some("Handlekurv".into()),
        consent_mode: BTreeMap::from([("gcs".into(), "G111".into())]),
        step: Step::Answer,
    }
}

fn button(role: ButtonRole, text: &str) -> Button {
    Button {
        role,
        text: text.into(),
        bbox: BBox {
            x: 900.0,
            y: 700.0,
            width: 160.0,
            height: 40.0,
        },
        area_px: 6400.0,
        font_size_px: Some(16.0),
        font_weight: Some(700),
        is_link_styled: false,
        text_contrast: Some(7.5),
        background_contrast: Some(3.1),
        css_color: Some("rgb(255, 255, 255)".into()),
        css_background: Some("rgb(0, 92, 169)".into()),
        contrast_note: Some("gradient background".into()),
        css_text_contrast: Some(7.4),
        tag: Some("button".into()),
        aria_label: Some(text.into()),
    }
}

fn step(action: &str, text: &str, role: ButtonRole) -> ClickStep {
    ClickStep {
        action: action.into(),
        text: text.into(),
        role,
        layer: Some(1),
        point: Some((980.0, 720.0)),
    }
}
