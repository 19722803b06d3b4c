//! Hand-built site reports shared by the report tests.
//!
//! [`full_report`] is a realistic evaluation of an online pharmacy in which every field of the
//! result document is populated (every `Option` is `Some`, every list non-empty, every evidence
//! kind used), so that walking it covers the whole schema. [`error_report`] is the smallest
//! document a failed evaluation produces, and [`hostile_report`] puts markup, control characters
//! and bidi overrides into every string a page can influence.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::model::*;

pub(crate) const SITE: &str = "https://nettapotek.example/";
pub(crate) const PAGE: &str = "https://www.nettapotek.example/graviditet/clearblue-graviditetstest";
pub(crate) const META_PIXEL_GET: &str = "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%3A%2F%2Fwww.nettapotek.example%2Fgraviditet%2Fclearblue-graviditetstest&rl=&if=false&ts=1748855645000";
pub(crate) const META_PIXEL_POST: &str = "https://www.facebook.com/tr/";
pub(crate) const GA_COLLECT: &str = "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123XYZ&gtm=45je56&gcs=G100&cid=1392581764.1748855644&en=page_view&dl=https%3A%2F%2Fwww.nettapotek.example%2Fgraviditet%2Fclearblue-graviditetstest&dt=Clearblue%20graviditetstest%20%E2%80%93%20Nettapotek";
/// The sensitive term as the judge reports it: the words as they appeared in the value.
pub(crate) const SENSITIVE_TERM: &str = "graviditetstest";
/// A string that is markup, a style-breaker and a script at once.
pub(crate) const HOSTILE: &str = "<img src=x onerror=alert(1)></style><script>alert(2)</script>";
/// Control characters and a right-to-left override that would reorder the text around them.
pub(crate) const HOSTILE_CONTROLS: &str = "Avvis\u{202E}alle\u{0007}\u{0000}\u{2066}x\u{2069}";

pub(crate) fn started_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 14, 3)
        .single()
        .expect("valid date")
        + chrono::Duration::milliseconds(250)
}

fn provenance() -> Provenance {
    let started = started_at();
    Provenance {
        tool_version: "0.1.0".into(),
        browser_version: Some("Chromium/156.0.7502.3".into()),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/156.0.0.0 Safari/537.36"
                .into(),
        ),
        started_at: started,
        finished_at: started + chrono::Duration::milliseconds(41_870),
        viewport: Viewport {
            width: 1366,
            height: 768,
            device_scale_factor: 1.0,
        },
        locale: "nb-NO".into(),
        third_party_cookies: ThirdPartyCookies::Allowed,
        tracker_lists: vec![
            TrackerList {
                name: "consentlens-catalogue".into(),
                sha256: "9f2c4d1e0b7a63f5c8e1d2a4b6c8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3".into(),
                rules: 214,
            },
            TrackerList {
                name: "easyprivacy".into(),
                sha256: "3b8e5f0a9c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f".into(),
                rules: 51_873,
            },
        ],
        timezone: Some("Europe/Oslo".into()),
        webdriver_hidden: Some(true),
        browser_args: vec![
            "--headless=new".into(),
            "--disable-blink-features=AutomationControlled".into(),
            "--disable-site-isolation-trials".into(),
        ],
        timeout_ms: 30_000,
        settle_ms: 3_000,
    }
}

fn accept_button() -> Button {
    Button {
        role: ButtonRole::AcceptAll,
        text: "Godta alle".into(),
        bbox: BBox {
            x: 880.0,
            y: 610.0,
            width: 220.0,
            height: 48.0,
        },
        area_px: 10_560.0,
        font_size_px: Some(16.0),
        font_weight: Some(700),
        is_link_styled: false,
        text_contrast: Some(8.59),
        background_contrast: Some(6.12),
        css_color: Some("rgb(255, 255, 255)".into()),
        css_background: Some("rgb(0, 102, 51)".into()),
        contrast_note: None,
        css_text_contrast: Some(8.61),
        tag: Some("button".into()),
        aria_label: None,
    }
}

fn reject_button() -> Button {
    Button {
        role: ButtonRole::RejectAll,
        text: "Avvis".into(),
        bbox: BBox {
            x: 1120.0,
            y: 626.0,
            width: 46.0,
            height: 18.0,
        },
        area_px: 828.0,
        font_size_px: Some(12.0),
        font_weight: Some(400),
        is_link_styled: true,
        text_contrast: Some(2.32),
        background_contrast: Some(1.04),
        css_color: Some("rgb(150, 150, 150)".into()),
        css_background: Some("rgba(0, 0, 0, 0)".into()),
        contrast_note: Some("transparent background: measured against the dialog".into()),
        css_text_contrast: Some(2.96),
        tag: Some("a".into()),
        aria_label: Some("Avvis informasjonskapsler".into()),
    }
}

fn settings_button() -> Button {
    Button {
        role: ButtonRole::Settings,
        text: "Tilpass".into(),
        bbox: BBox {
            x: 640.0,
            y: 610.0,
            width: 200.0,
            height: 48.0,
        },
        area_px: 9_600.0,
        font_size_px: Some(16.0),
        font_weight: Some(400),
        is_link_styled: false,
        text_contrast: Some(5.74),
        background_contrast: Some(1.21),
        css_color: Some("rgb(0, 102, 51)".into()),
        css_background: Some("rgb(255, 255, 255)".into()),
        contrast_note: None,
        css_text_contrast: Some(5.74),
        tag: Some("button".into()),
        aria_label: None,
    }
}

fn banner() -> Banner {
    Banner {
        cmp: Some("cookiebot".into()),
        text: "Vi bruker informasjonskapsler for å gi deg en bedre handleopplevelse og til \
               markedsføring. Du er anonym hos oss.\nLes mer i vår personvernerklæring."
            .into(),
        language: Some("no".into()),
        bbox: BBox {
            x: 200.0,
            y: 520.0,
            width: 966.0,
            height: 220.0,
        },
        frame_url: Some(
            "https://www.nettapotek.example/graviditet/clearblue-graviditetstest".into(),
        ),
        screenshot: Some("banner.png".into()),
        buttons: vec![accept_button(), settings_button(), reject_button()],
        checkboxes: vec![
            Checkbox {
                label: "Nødvendige".into(),
                checked: true,
                disabled: true,
                layer: 2,
            },
            Checkbox {
                label: "Statistikk".into(),
                checked: true,
                disabled: false,
                layer: 2,
            },
            Checkbox {
                label: "Markedsføring".into(),
                checked: false,
                disabled: false,
                layer: 2,
            },
        ],
        annotated_screenshot: Some("banner-annotated.png".into()),
        shadow_root: Some("open".into()),
        found_by: Some("cmp".into()),
        appeared_after_ms: Some(420),
    }
}

fn click_paths() -> ClickPaths {
    ClickPaths {
        accept: ClickPath {
            clicks: Some(1),
            steps: vec![ClickStep {
                action: "click".into(),
                text: "Godta alle".into(),
                role: ButtonRole::AcceptAll,
                layer: Some(1),
                point: Some((990.0, 634.0)),
            }],
            succeeded: true,
            dismissed_banner: true,
            failure: None,
        },
        reject: ClickPath {
            clicks: Some(3),
            steps: vec![
                ClickStep {
                    action: "click".into(),
                    text: "Tilpass".into(),
                    role: ButtonRole::Settings,
                    layer: Some(1),
                    point: Some((740.0, 634.0)),
                },
                ClickStep {
                    action: "toggle".into(),
                    text: "Statistikk".into(),
                    role: ButtonRole::Other,
                    layer: Some(2),
                    point: Some((1010.0, 402.0)),
                },
                ClickStep {
                    action: "click".into(),
                    text: "Lagre valg".into(),
                    role: ButtonRole::Save,
                    layer: Some(2),
                    point: Some((990.0, 690.0)),
                },
            ],
            succeeded: true,
            dismissed_banner: true,
            failure: None,
        },
    }
}

fn meta_tracker() -> TrackerMatch {
    TrackerMatch {
        vendor: "Meta Pixel".into(),
        entity: Some("Meta Platforms".into()),
        category: "advertising".into(),
        matched_by: "catalogue".into(),
    }
}

fn ga_tracker() -> TrackerMatch {
    TrackerMatch {
        vendor: "Google Analytics".into(),
        entity: Some("Google".into()),
        category: "analytics".into(),
        matched_by: "list:easyprivacy:||google-analytics.com^".into(),
    }
}

fn document_request() -> Request {
    Request {
        url: PAGE.into(),
        method: "GET".into(),
        resource_type: "document".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("other".into()),
        third_party: false,
        post_data: None,
        tracker: None,
        post_data_base64: None,
        content_type: None,
        status: Some(200),
        mime_type: Some("text/html".into()),
        set_cookie: vec!["session=8c1f; Path=/; Secure; HttpOnly; SameSite=Lax".into()],
        failure: None,
        redirected_from: Some(
            "https://nettapotek.example/graviditet/clearblue-graviditetstest".into(),
        ),
        time_ms: 12.5,
        step: Step::Load,
    }
}

fn redirect_request() -> Request {
    Request {
        url: "https://nettapotek.example/graviditet/clearblue-graviditetstest".into(),
        method: "GET".into(),
        resource_type: "document".into(),
        frame_url: None,
        initiator: Some("other".into()),
        third_party: false,
        status: Some(301),
        mime_type: Some("text/html".into()),
        time_ms: 0.0,
        ..Request::default()
    }
}

fn meta_script_request() -> Request {
    Request {
        url: "https://connect.facebook.net/en_US/fbevents.js".into(),
        method: "GET".into(),
        resource_type: "script".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("parser".into()),
        third_party: true,
        tracker: Some(meta_tracker()),
        status: Some(200),
        mime_type: Some("application/javascript".into()),
        time_ms: 184.0,
        ..Request::default()
    }
}

fn meta_pageview_request(step: Step) -> Request {
    Request {
        url: META_PIXEL_GET.into(),
        method: "GET".into(),
        resource_type: "image".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("https://connect.facebook.net/en_US/fbevents.js".into()),
        third_party: true,
        tracker: Some(meta_tracker()),
        status: Some(200),
        mime_type: Some("image/gif".into()),
        set_cookie: vec![
            "fr=0xAbCdEf.1748855645; Domain=.facebook.com; Path=/; Expires=Sun, 31 Aug 2025 09:14:05 GMT; Secure; HttpOnly; SameSite=None".into(),
        ],
        time_ms: 402.25,
        step,
        ..Request::default()
    }
}

fn meta_add_to_cart_request() -> Request {
    Request {
        url: META_PIXEL_POST.into(),
        method: "POST".into(),
        resource_type: "ping".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("https://connect.facebook.net/en_US/fbevents.js".into()),
        third_party: true,
        post_data: Some(
            "id=1234567890&ev=AddToCart&dl=https%3A%2F%2Fwww.nettapotek.example%2Fgraviditet%2Fclearblue-graviditetstest\
             &cd[content_name]=Clearblue%20Graviditetstest&cd[value]=119&cd[currency]=NOK\
             &ud[em]=a3f1c2e4b5d6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2"
                .into(),
        ),
        tracker: Some(meta_tracker()),
        content_type: Some("application/x-www-form-urlencoded".into()),
        status: Some(200),
        mime_type: Some("text/plain".into()),
        time_ms: 2_310.0,
        step: Step::Load,
        ..Request::default()
    }
}

fn ga_request() -> Request {
    Request {
        url: GA_COLLECT.into(),
        method: "POST".into(),
        resource_type: "fetch".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ".into()),
        third_party: true,
        tracker: Some(ga_tracker()),
        // A compressed batch: not valid UTF-8, so only the base64 form is kept.
        post_data_base64: Some("H4sIAAAAAAAAA8tIzcnJVyjPL8pJAQCFEUoNCwAAAA==".into()),
        content_type: Some("text/plain;charset=UTF-8".into()),
        status: Some(204),
        mime_type: Some("text/plain".into()),
        time_ms: 655.0,
        step: Step::Load,
        ..Request::default()
    }
}

fn blocked_request() -> Request {
    Request {
        url: "https://bat.bing.example/action/0?ti=5678&evt=pageLoad".into(),
        method: "GET".into(),
        resource_type: "image".into(),
        frame_url: Some(PAGE.into()),
        initiator: Some("script".into()),
        third_party: true,
        failure: Some("net::ERR_CONNECTION_RESET".into()),
        time_ms: 1_020.0,
        ..Request::default()
    }
}

fn fbp_cookie() -> Cookie {
    Cookie {
        name: "_fbp".into(),
        domain: ".nettapotek.example".into(),
        path: "/".into(),
        expires: Some(1_756_631_645.0),
        third_party: false,
        http_only: false,
        secure: false,
        same_site: Some("Lax".into()),
        vendor: Some("Meta Pixel".into()),
        value: "fb.1.1748855645250.987654321".into(),
        partition_key: None,
        is_identifier: true,
        category: Some("advertising".into()),
    }
}

fn fr_cookie() -> Cookie {
    Cookie {
        name: "fr".into(),
        domain: ".facebook.com".into(),
        path: "/".into(),
        expires: Some(1_756_631_645.0),
        third_party: true,
        http_only: true,
        secure: true,
        same_site: Some("None".into()),
        vendor: Some("Meta Pixel".into()),
        value: "0xAbCdEf.1748855645".into(),
        partition_key: Some("https://nettapotek.example".into()),
        is_identifier: true,
        category: Some("advertising".into()),
    }
}

fn session_cookie() -> Cookie {
    Cookie {
        name: "session".into(),
        domain: "www.nettapotek.example".into(),
        path: "/".into(),
        expires: None,
        third_party: false,
        http_only: true,
        secure: true,
        same_site: Some("Lax".into()),
        vendor: None,
        value: "8c1f".into(),
        partition_key: None,
        is_identifier: false,
        category: Some("necessary".into()),
    }
}

fn meta_pageview_event(step: Step) -> TrackerEvent {
    TrackerEvent {
        vendor: "Meta Pixel".into(),
        request_url: META_PIXEL_GET.into(),
        event: Some("PageView".into()),
        page_url: Some(PAGE.into()),
        data: Map::new(),
        user_data_fields: vec![],
        ids: BTreeMap::from([("pixel_id".to_string(), "1234567890".to_string())]),
        fields: BTreeMap::from([
            ("event".to_string(), vec!["ev".to_string()]),
            ("page_url".to_string(), vec!["dl".to_string()]),
        ]),
        referrer: None,
        title: None,
        consent_mode: BTreeMap::new(),
        step,
    }
}

fn meta_add_to_cart_event() -> TrackerEvent {
    let data = json!({
        "content_name": "Clearblue Graviditetstest",
        "value": "119",
        "currency": "NOK",
        "contents": [{"id": "CB-2231", "quantity": 1}],
    });
    let Value::Object(data) = data else {
        unreachable!("a JSON object literal")
    };
    TrackerEvent {
        vendor: "Meta Pixel".into(),
        request_url: META_PIXEL_POST.into(),
        event: Some("AddToCart".into()),
        page_url: Some(PAGE.into()),
        data,
        user_data_fields: vec!["em".into()],
        ids: BTreeMap::from([
            ("pixel_id".to_string(), "1234567890".to_string()),
            (
                "fbp".to_string(),
                "fb.1.1748855645250.987654321".to_string(),
            ),
        ]),
        fields: BTreeMap::from([
            ("event".to_string(), vec!["ev".to_string()]),
            (
                "data".to_string(),
                vec!["cd[content_name]".to_string(), "cd[value]".to_string()],
            ),
            ("user_data".to_string(), vec!["ud[em]".to_string()]),
        ]),
        referrer: Some("https://www.nettapotek.example/graviditet".into()),
        title: Some("Clearblue graviditetstest – Nettapotek".into()),
        consent_mode: BTreeMap::new(),
        step: Step::Load,
    }
}

fn ga_event() -> TrackerEvent {
    TrackerEvent {
        vendor: "Google Analytics".into(),
        request_url: GA_COLLECT.into(),
        event: Some("page_view".into()),
        page_url: Some(PAGE.into()),
        data: Map::new(),
        user_data_fields: vec![],
        ids: BTreeMap::from([
            ("measurement_id".to_string(), "G-ABC123XYZ".to_string()),
            ("client_id".to_string(), "1392581764.1748855644".to_string()),
        ]),
        fields: BTreeMap::from([("page_url".to_string(), vec!["dl".to_string()])]),
        referrer: None,
        title: Some("Clearblue graviditetstest – Nettapotek".into()),
        consent_mode: BTreeMap::from([("gcs".to_string(), "G100".to_string())]),
        step: Step::Load,
    }
}

fn before_consent() -> Phase {
    Phase {
        requests: vec![
            redirect_request(),
            document_request(),
            meta_script_request(),
            meta_pageview_request(Step::Load),
            ga_request(),
            blocked_request(),
            meta_add_to_cart_request(),
        ],
        cookies: vec![session_cookie(), fbp_cookie(), fr_cookie()],
        events: vec![
            meta_pageview_event(Step::Load),
            ga_event(),
            meta_add_to_cart_event(),
        ],
        websocket_frames: vec![WebSocketFrame {
            url: "wss://chat.nettapotek.example/socket".into(),
            direction: "sent".into(),
            payload: "{\"type\":\"hello\",\"page\":\"/graviditet/clearblue-graviditetstest\"}"
                .into(),
            opcode: Some(1),
            time_ms: 1_500.0,
        }],
        navigations: vec![Navigation {
            url: PAGE.into(),
            status: Some(200),
            redirects: vec![
                "https://nettapotek.example/graviditet/clearblue-graviditetstest".into(),
            ],
            step: Step::Load,
        }],
        local_storage: BTreeMap::from([("cart".to_string(), "[\"CB-2231\"]".to_string())]),
        js_dialogs: vec![JsDialog {
            kind: "alert".into(),
            message: "Velkommen!".into(),
            accepted: true,
        }],
        page_errors: vec!["Uncaught ReferenceError: dataLayer is not defined".into()],
        banner_reappeared: None,
    }
}

fn after_accept() -> Phase {
    Phase {
        requests: vec![
            Request {
                step: Step::Reload,
                ..document_request()
            },
            meta_script_request(),
            meta_pageview_request(Step::Answer),
            ga_request(),
        ],
        cookies: vec![session_cookie(), fbp_cookie(), fr_cookie()],
        events: vec![meta_pageview_event(Step::Answer), ga_event()],
        banner_reappeared: Some(false),
        ..Phase::default()
    }
}

fn after_reject() -> Phase {
    Phase {
        requests: vec![
            Request {
                step: Step::Reload,
                ..document_request()
            },
            meta_pageview_request(Step::Reload),
        ],
        cookies: vec![session_cookie(), fbp_cookie()],
        events: vec![meta_pageview_event(Step::Reload)],
        banner_reappeared: Some(false),
        ..Phase::default()
    }
}

fn findings() -> Vec<Finding> {
    let accept = accept_button();
    let reject = reject_button();
    vec![
        Finding {
            id: "sensitive-data-to-third-party".into(),
            severity: Severity::High,
            summary: "Health data (pregnancy) in the page address was sent to Meta Pixel before \
                      any choice."
                .into(),
            evidence: vec![
                Evidence::Term {
                    phase: PhaseName::BeforeConsent,
                    category: "health".into(),
                    term: SENSITIVE_TERM.into(),
                    field: "page_url".into(),
                    value: PAGE.into(),
                    url: META_PIXEL_GET.into(),
                    vendor: Some("Meta Pixel".into()),
                },
                Evidence::Term {
                    phase: PhaseName::BeforeConsent,
                    category: "health".into(),
                    term: "Graviditetstest".into(),
                    field: "data.content_name".into(),
                    value: "Clearblue Graviditetstest".into(),
                    url: META_PIXEL_POST.into(),
                    vendor: Some("Meta Pixel".into()),
                },
            ],
            basis: vec![
                "GDPR Art. 9(1)".into(),
                "Datatilsynet 2025 decisions".into(),
            ],
        },
        Finding {
            id: "tracker-before-consent".into(),
            severity: Severity::High,
            summary: "2 trackers received requests before any choice was made.".into(),
            evidence: vec![
                Evidence::Request {
                    phase: PhaseName::BeforeConsent,
                    url: META_PIXEL_GET.into(),
                    vendor: Some("Meta Pixel".into()),
                    fields: Map::from_iter([("ev".to_string(), json!("PageView"))]),
                },
                Evidence::Request {
                    phase: PhaseName::BeforeConsent,
                    url: GA_COLLECT.into(),
                    vendor: Some("Google Analytics".into()),
                    fields: Map::new(),
                },
            ],
            basis: vec!["ePrivacy Art. 5(3)".into(), "GDPR Art. 6(1)(a)".into()],
        },
        Finding {
            id: "cookies-before-consent".into(),
            severity: Severity::Medium,
            summary: "An advertising identifier cookie was set before any choice.".into(),
            evidence: vec![Evidence::Cookie {
                phase: PhaseName::BeforeConsent,
                name: "_fbp".into(),
                domain: ".nettapotek.example".into(),
                vendor: Some("Meta Pixel".into()),
            }],
            basis: vec!["ePrivacy Art. 5(3)".into()],
        },
        Finding {
            id: "tracking-after-reject".into(),
            severity: Severity::High,
            summary: "Meta Pixel still received a page view after “reject all”.".into(),
            evidence: vec![
                Evidence::Request {
                    phase: PhaseName::AfterReject,
                    url: META_PIXEL_GET.into(),
                    vendor: Some("Meta Pixel".into()),
                    fields: Map::new(),
                },
                Evidence::Note {
                    text: "Seen on the reload after the refusal.".into(),
                },
            ],
            basis: vec!["GDPR Art. 7".into(), "GDPR Art. 6(1)".into()],
        },
        Finding {
            id: "reject-as-link".into(),
            severity: Severity::Medium,
            summary: "Refusal is a small text link beside a filled accept button.".into(),
            evidence: vec![
                Evidence::Button {
                    role: reject.role,
                    text: reject.text.clone(),
                    bbox: reject.bbox,
                    measures: Map::from_iter([
                        ("is_link_styled".to_string(), json!(true)),
                        ("area_px".to_string(), json!(reject.area_px)),
                    ]),
                },
                Evidence::Button {
                    role: accept.role,
                    text: accept.text.clone(),
                    bbox: accept.bbox,
                    measures: Map::from_iter([("area_px".to_string(), json!(accept.area_px))]),
                },
            ],
            basis: vec!["EDPB cookie banner taskforce report (2023), practice C".into()],
        },
        Finding {
            id: "reject-needs-more-clicks".into(),
            severity: Severity::Medium,
            summary: "Refusing all purposes takes 3 actions; accepting takes 1.".into(),
            evidence: vec![Evidence::Step {
                path: "reject".into(),
                index: 1,
                action: "toggle".into(),
                text: "Statistikk".into(),
            }],
            basis: vec!["GDPR Art. 7(3)".into()],
        },
        Finding {
            id: "pre-ticked-boxes".into(),
            severity: Severity::Medium,
            summary: "The statistics purpose is ticked before the visitor acts.".into(),
            evidence: vec![Evidence::Checkbox {
                label: "Statistikk".into(),
                checked: true,
                layer: 2,
            }],
            basis: vec!["CJEU C-673/17 Planet49".into()],
        },
        Finding {
            id: "false-anonymity-claim".into(),
            severity: Severity::Low,
            summary: "The dialog says visitors are anonymous while identifiers are sent.".into(),
            evidence: vec![Evidence::Claim {
                phrase: "Du er anonym".into(),
                context: "Du er anonym hos oss.".into(),
                source: "banner".into(),
            }],
            basis: vec!["GDPR Art. 5(1)(a)".into()],
        },
        Finding {
            id: "hashed-identifiers-to-third-party".into(),
            severity: Severity::Info,
            summary: "A hashed e-mail address (em) was sent to Meta Pixel.".into(),
            evidence: vec![Evidence::Request {
                phase: PhaseName::BeforeConsent,
                url: META_PIXEL_POST.into(),
                vendor: Some("Meta Pixel".into()),
                fields: Map::from_iter([("ud[em]".to_string(), json!("a3f1…a1f2"))]),
            }],
            basis: vec!["GDPR Art. 4(1)".into()],
        },
    ]
}

fn metrics() -> Metrics {
    Metrics {
        clicks_to_accept: Some(1),
        clicks_to_reject: Some(3),
        reject_to_accept_area_ratio: Some(828.0 / 10_560.0),
        accept_text_contrast: Some(8.59),
        reject_text_contrast: Some(2.32),
        trackers_before_consent: Some(2),
        trackers_after_accept: Some(2),
        trackers_after_reject: Some(1),
        tracker_requests_before_consent: Some(4),
        cookies_before_consent: Some(3),
        cookies_after_accept: Some(3),
        cookies_after_reject: Some(2),
        identifier_cookies_before_consent: Some(2),
        identifier_cookies_after_reject: Some(1),
        requests_before_consent: Some(7),
        third_party_requests_before_consent: Some(5),
        events_before_consent: Some(3),
        findings: Some(9),
        duration_ms: Some(41_870),
    }
}

/// A successful evaluation with every field of the document populated.
pub(crate) fn full_report() -> SiteReport {
    SiteReport {
        schema_version: SCHEMA_VERSION,
        url: SITE.into(),
        final_url: Some(PAGE.into()),
        status: Status::Ok,
        error: None,
        provenance: provenance(),
        banner: Some(banner()),
        click_paths: Some(click_paths()),
        phases: Phases {
            before_consent: Some(before_consent()),
            after_accept: Some(after_accept()),
            after_reject: Some(after_reject()),
        },
        findings: findings(),
        metrics: metrics(),
        http_status: Some(200),
        title: Some("Clearblue graviditetstest – Nettapotek".into()),
        screenshot: Some("page.png".into()),
        claims: vec![Claim {
            kind: "anonymous".into(),
            phrase: "Du er anonym".into(),
            context: "Du er anonym hos oss.".into(),
            language: Some("no".into()),
            source: "banner".into(),
        }],
        consent_state: Some(ConsentStates {
            after_accept: Some(ConsentState {
                cookies_changed: BTreeMap::from([(
                    "CookieConsent".to_string(),
                    "{necessary:true,preferences:true,statistics:true,marketing:true}".to_string(),
                )]),
                local_storage_changed: BTreeMap::from([(
                    "cb_consent_ts".to_string(),
                    "1748855650".to_string(),
                )]),
                tc_string: Some("CQRemYAQRemYAAHABBENBsFgAP_gAEPgAAAAKZtV".into()),
                tcf_purposes: vec![1, 2, 3, 4, 7, 9, 10],
                tcf_vendors: vec![755, 793],
                consent_mode: vec!["G111".into()],
            }),
            after_reject: Some(ConsentState {
                cookies_changed: BTreeMap::from([(
                    "CookieConsent".to_string(),
                    "{necessary:true,preferences:false,statistics:false,marketing:false}"
                        .to_string(),
                )]),
                local_storage_changed: BTreeMap::new(),
                tc_string: None,
                tcf_purposes: vec![],
                tcf_vendors: vec![],
                consent_mode: vec!["G100".into()],
            }),
        }),
    }
}

/// The document of an evaluation that failed before the page loaded.
pub(crate) fn error_report() -> SiteReport {
    let started = started_at();
    SiteReport {
        schema_version: SCHEMA_VERSION,
        url: "https://finnes-ikke.example/".into(),
        final_url: None,
        status: Status::Error,
        error: Some(ErrorInfo {
            kind: "dns".into(),
            message: "could not resolve the host name of https://finnes-ikke.example/ \
                      (net::ERR_NAME_NOT_RESOLVED)"
                .into(),
        }),
        provenance: Provenance {
            tool_version: "0.1.0".into(),
            browser_version: None,
            user_agent: None,
            started_at: started,
            finished_at: started + chrono::Duration::milliseconds(310),
            viewport: Viewport::default(),
            locale: "nb-NO".into(),
            third_party_cookies: ThirdPartyCookies::Allowed,
            tracker_lists: vec![],
            timezone: None,
            webdriver_hidden: None,
            browser_args: vec![],
            timeout_ms: 30_000,
            settle_ms: 3_000,
        },
        banner: None,
        click_paths: None,
        phases: Phases::default(),
        findings: vec![],
        metrics: Metrics::default(),
        http_status: None,
        title: None,
        screenshot: None,
        claims: vec![],
        consent_state: None,
    }
}

/// [`full_report`] with hostile text in every place a page can write to.
pub(crate) fn hostile_report() -> SiteReport {
    let mut report = full_report();
    let nasty = format!("{HOSTILE}{HOSTILE_CONTROLS}");
    report.url = format!("https://x.example/{HOSTILE}");
    report.title = Some(nasty.clone());
    report.final_url = Some(format!("https://x.example/?q={HOSTILE}"));
    if let Some(banner) = report.banner.as_mut() {
        banner.text = nasty.clone();
        banner.cmp = Some(nasty.clone());
        banner.frame_url = Some(nasty.clone());
        for button in &mut banner.buttons {
            button.text = nasty.clone();
            button.css_color = Some(nasty.clone());
            button.contrast_note = Some(nasty.clone());
        }
        for checkbox in &mut banner.checkboxes {
            checkbox.label = nasty.clone();
        }
    }
    if let Some(paths) = report.click_paths.as_mut() {
        for step in paths
            .accept
            .steps
            .iter_mut()
            .chain(paths.reject.steps.iter_mut())
        {
            step.text = nasty.clone();
        }
    }
    for (_, phase) in report.phases.iter_mut() {
        for request in &mut phase.requests {
            request.url = format!("https://t.example/p?x={HOSTILE}");
            if let Some(tracker) = request.tracker.as_mut() {
                tracker.vendor = nasty.clone();
            }
        }
        for cookie in &mut phase.cookies {
            cookie.name = nasty.clone();
            cookie.domain = nasty.clone();
        }
        for event in &mut phase.events {
            event.event = Some(nasty.clone());
            event.page_url = Some(nasty.clone());
            event
                .data
                .insert(nasty.clone(), Value::String(nasty.clone()));
            event.ids.insert(nasty.clone(), nasty.clone());
            event.user_data_fields.push(nasty.clone());
        }
    }
    for finding in &mut report.findings {
        finding.summary = nasty.clone();
        for evidence in &mut finding.evidence {
            if let Evidence::Term { value, term, .. } = evidence {
                *value = format!("{HOSTILE} graviditet {HOSTILE_CONTROLS}");
                *term = "graviditet".into();
            }
        }
    }
    report.claims[0].context = nasty.clone();
    report.provenance.user_agent = Some(nasty);
    report
}
