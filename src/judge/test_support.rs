//! Builds the small reports the rules' tests run on. The starting point is [`compliant_site`],
//! a shop that does everything right; each test changes the one thing its rule is about.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value};

use crate::model::*;

pub(crate) const SITE: &str = "https://butikk.example";

pub(crate) fn tracker_request(url: &str, vendor: &str, category: &str) -> Request {
    Request {
        url: url.to_string(),
        method: "GET".into(),
        resource_type: "image".into(),
        third_party: true,
        tracker: Some(TrackerMatch {
            vendor: vendor.to_string(),
            entity: None,
            category: category.to_string(),
            matched_by: "catalogue".into(),
        }),
        ..Request::default()
    }
}

pub(crate) fn first_party_request(path: &str) -> Request {
    Request {
        url: format!("{SITE}{path}"),
        method: "GET".into(),
        resource_type: "document".into(),
        ..Request::default()
    }
}

/// A cookie; `vendor` and `category` as the catalogue would set them.
pub(crate) fn cookie(
    name: &str,
    domain: &str,
    vendor_and_category: Option<(&str, &str)>,
    is_identifier: bool,
) -> Cookie {
    Cookie {
        name: name.to_string(),
        domain: domain.to_string(),
        path: "/".into(),
        third_party: !domain.trim_start_matches('.').ends_with("butikk.example"),
        vendor: vendor_and_category.map(|(v, _)| v.to_string()),
        category: vendor_and_category.map(|(_, c)| c.to_string()),
        is_identifier,
        value: format!("{name}-value"),
        ..Cookie::default()
    }
}

pub(crate) fn event(vendor: &str, request_url: &str, name: &str, page_url: &str) -> TrackerEvent {
    TrackerEvent {
        vendor: vendor.to_string(),
        request_url: request_url.to_string(),
        event: Some(name.to_string()),
        page_url: Some(page_url.to_string()),
        ..TrackerEvent::default()
    }
}

/// `data` from a JSON object literal; anything else gives an empty map.
pub(crate) fn data(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn ids(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn button(
    role: ButtonRole,
    text: &str,
    area_px: f64,
    text_contrast: f64,
    background_contrast: f64,
) -> Button {
    Button {
        role,
        text: text.to_string(),
        bbox: BBox {
            x: 100.0,
            y: 600.0,
            width: area_px / 40.0,
            height: 40.0,
        },
        area_px,
        font_size_px: Some(16.0),
        font_weight: Some(400),
        is_link_styled: false,
        text_contrast: Some(text_contrast),
        background_contrast: Some(background_contrast),
        css_color: None,
        css_background: None,
        contrast_note: None,
        css_text_contrast: None,
        tag: Some("button".into()),
        aria_label: None,
    }
}

pub(crate) fn checkbox(label: &str, checked: bool, disabled: bool, layer: u32) -> Checkbox {
    Checkbox {
        label: label.to_string(),
        checked,
        disabled,
        layer,
    }
}

pub(crate) fn step(action: &str, text: &str, role: ButtonRole, layer: u32) -> ClickStep {
    ClickStep {
        action: action.to_string(),
        text: text.to_string(),
        role,
        layer: Some(layer),
        point: None,
    }
}

pub(crate) fn path(steps: Vec<ClickStep>) -> ClickPath {
    ClickPath {
        clicks: Some(steps.len() as u32),
        steps,
        succeeded: true,
        dismissed_banner: true,
        failure: None,
    }
}

/// The button of `role` in the report's banner, to change one measurement.
pub(crate) fn button_mut(report: &mut SiteReport, role: ButtonRole) -> &mut Button {
    report
        .banner
        .as_mut()
        .and_then(|b| b.buttons.iter_mut().find(|b| b.role == role))
        .unwrap_or_else(|| panic!("the test report has no {role:?} button"))
}

/// The phase `name`, created empty when it was not observed.
pub(crate) fn phase_mut(report: &mut SiteReport, name: PhaseName) -> &mut Phase {
    let slot = match name {
        PhaseName::BeforeConsent => &mut report.phases.before_consent,
        PhaseName::AfterAccept => &mut report.phases.after_accept,
        PhaseName::AfterReject => &mut report.phases.after_reject,
    };
    slot.get_or_insert_with(Phase::default)
}

/// A shop that asks properly: equal accept and reject buttons on the first layer, nothing
/// ticked, no trackers or identifier cookies before a choice or after "reject all" (only its
/// consent platform and tag manager), Google Analytics after "accept all" on ordinary pages.
pub(crate) fn compliant_site() -> SiteReport {
    let started_at = Utc
        .with_ymd_and_hms(2025, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let ga_collect = "https://region1.google-analytics.com/g/collect?v=2&tid=G-SHOP1&cid=111.222&en=page_view&dl=https%3A%2F%2Fbutikk.example%2Fsko";
    let consent_platform = || {
        tracker_request(
            "https://consent.cookiebot.com/uc.js",
            "Cookiebot",
            "consent",
        )
    };
    let consent_cookie = || {
        cookie(
            "CookieConsent",
            "butikk.example",
            Some(("Cookiebot", "consent")),
            false,
        )
    };
    let session_cookie = || cookie("PHPSESSID", "butikk.example", None, false);
    SiteReport {
        schema_version: SCHEMA_VERSION,
        url: format!("{SITE}/"),
        final_url: Some(format!("{SITE}/")),
        status: Status::Ok,
        error: None,
        provenance: Provenance {
            tool_version: "test".into(),
            browser_version: None,
            user_agent: None,
            started_at,
            finished_at: started_at + chrono::Duration::milliseconds(12_500),
            viewport: Viewport::default(),
            locale: "nb-NO".into(),
            third_party_cookies: ThirdPartyCookies::Allowed,
            tracker_lists: Vec::new(),
            timezone: None,
            webdriver_hidden: None,
            browser_args: Vec::new(),
            timeout_ms: 0,
            settle_ms: 0,
        },
        banner: Some(Banner {
            cmp: Some("cookiebot".into()),
            text:
                "Vi bruker informasjonskapsler for statistikk. Godta alle Avvis alle Innstillinger"
                    .into(),
            language: Some("no".into()),
            bbox: BBox {
                x: 0.0,
                y: 500.0,
                width: 1366.0,
                height: 268.0,
            },
            frame_url: None,
            screenshot: None,
            buttons: vec![
                button(ButtonRole::AcceptAll, "Godta alle", 4000.0, 8.0, 4.0),
                button(ButtonRole::RejectAll, "Avvis alle", 4000.0, 8.0, 4.0),
                Button {
                    is_link_styled: true,
                    ..button(ButtonRole::Settings, "Innstillinger", 1500.0, 6.0, 1.0)
                },
            ],
            checkboxes: vec![
                checkbox("Nødvendige", true, true, 2),
                checkbox("Statistikk", false, false, 2),
                checkbox("Markedsføring", false, false, 2),
            ],
            annotated_screenshot: None,
            shadow_root: None,
            found_by: Some("cmp".into()),
            appeared_after_ms: Some(300),
        }),
        click_paths: Some(ClickPaths {
            accept: path(vec![step("click", "Godta alle", ButtonRole::AcceptAll, 1)]),
            reject: path(vec![step("click", "Avvis alle", ButtonRole::RejectAll, 1)]),
        }),
        phases: Phases {
            before_consent: Some(Phase {
                requests: vec![
                    first_party_request("/"),
                    consent_platform(),
                    tracker_request(
                        "https://www.googletagmanager.com/gtm.js?id=GTM-SHOP1",
                        "Google Tag Manager",
                        "tag_manager",
                    ),
                ],
                cookies: vec![session_cookie()],
                ..Phase::default()
            }),
            after_accept: Some(Phase {
                requests: vec![
                    first_party_request("/sko"),
                    tracker_request(ga_collect, "Google Analytics", "analytics"),
                ],
                cookies: vec![
                    session_cookie(),
                    consent_cookie(),
                    cookie(
                        "_ga",
                        ".butikk.example",
                        Some(("Google Analytics", "analytics")),
                        true,
                    ),
                ],
                events: vec![TrackerEvent {
                    title: Some("Sko – Butikk".into()),
                    ids: ids(&[("tid", "G-SHOP1")]),
                    ..event(
                        "Google Analytics",
                        ga_collect,
                        "page_view",
                        &format!("{SITE}/sko"),
                    )
                }],
                ..Phase::default()
            }),
            after_reject: Some(Phase {
                requests: vec![first_party_request("/sko"), consent_platform()],
                cookies: vec![session_cookie(), consent_cookie()],
                ..Phase::default()
            }),
        },
        findings: Vec::new(),
        metrics: Metrics::default(),
        http_status: Some(200),
        title: Some("Butikk".into()),
        screenshot: None,
        claims: Vec::new(),
        consent_state: None,
    }
}

/// The finding of rule `id` on `report` with the default thresholds, run alone.
pub(crate) fn findings_of(id: &str, report: &SiteReport) -> Vec<Finding> {
    let config = super::JudgeConfig::default();
    let context = super::rules::RuleContext {
        report,
        config: &config,
    };
    let rule = super::rules::RULES
        .iter()
        .find(|rule| rule.info.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"));
    (rule.check)(&context).into_iter().collect()
}

/// The one finding of rule `id`; fails the test when the rule did not fire.
pub(crate) fn the_finding(id: &str, report: &SiteReport) -> Finding {
    let mut found = findings_of(id, report);
    assert_eq!(found.len(), 1, "expected one {id} finding, got {found:#?}");
    found.remove(0)
}

/// The URLs of a finding's request evidence, in order.
pub(crate) fn evidence_urls(finding: &Finding) -> Vec<&str> {
    finding
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Request { url, .. } => Some(url.as_str()),
            _ => None,
        })
        .collect()
}

/// The names of a finding's cookie evidence, in order.
pub(crate) fn evidence_cookies(finding: &Finding) -> Vec<&str> {
    finding
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Cookie { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect()
}
