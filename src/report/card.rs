//! A compact card of one site's result, for a notebook's `_repr_html_()`.
//!
//! The card is embedded in a page it does not own (Jupyter, VS Code, Colab), so its style sheet
//! only matches inside `.cl-card` and every class carries the `cl-` prefix; colours are set
//! explicitly so that a dark notebook theme does not make it unreadable.

use std::collections::BTreeSet;

use maud::{html, Markup, PreEscaped};

use super::format::{self, MISSING};
use super::html::{by_severity, role_label, severity_label};
use super::text::{cell, page_text, Highlighter};
use super::{image_data_uri, Images};
use crate::model::*;

const MAX_VENDORS_SHOWN: usize = 8;
const MAX_FINDINGS_SHOWN: usize = 20;
const URL_CHARS: usize = 120;

const STYLE: &str = r#"
.cl-card { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24;
  background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 12px;
  max-width: 760px; }
.cl-card * { box-sizing: border-box; }
.cl-card .cl-head { display: flex; gap: 8px; align-items: baseline; margin-bottom: 8px; }
.cl-card .cl-url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;
  overflow-wrap: anywhere; }
.cl-card .cl-body { display: flex; gap: 12px; align-items: flex-start; }
.cl-card .cl-thumb { flex: 0 0 240px; }
.cl-card .cl-thumb img { max-width: 240px; height: auto; border: 1px solid #d0d7de; }
.cl-card table.cl-kv { border-collapse: collapse; flex: 1; }
.cl-card table.cl-kv th, .cl-card table.cl-kv td { text-align: left; padding: 2px 8px 2px 0;
  vertical-align: top; border: 0; background: transparent; color: #1b1f24; }
.cl-card table.cl-kv th { font-weight: 600; white-space: nowrap; width: 1%; }
.cl-card .cl-badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11px;
  font-weight: 600; color: #fff; background: #6b7280; }
.cl-card .cl-high { background: #b42318; } .cl-card .cl-medium { background: #b45309; }
.cl-card .cl-low { background: #1d4ed8; } .cl-card .cl-info { background: #6b7280; }
.cl-card .cl-ok { background: #15803d; } .cl-card .cl-error { background: #b42318; }
.cl-card .cl-fail { color: #b42318; font-weight: 600; }
.cl-card .cl-muted { color: #57606a; }
.cl-card ul.cl-findings { list-style: none; padding: 0; margin: 8px 0 0; }
.cl-card ul.cl-findings li { margin: 3px 0; }
.cl-card code { font-size: 11px; color: #57606a; background: transparent; }
.cl-card mark { background: #fde047; color: inherit; }
"#;

/// The card for one site as an HTML fragment (no `<html>` or `<body>`).
pub fn site_card_html(report: &SiteReport, images: &Images) -> String {
    html! {
        div.cl-card {
            // The style sheet is a constant of this module, never page data.
            style { (PreEscaped(STYLE)) }
            @match report.status {
                Status::Error => (error_card(report)),
                Status::Ok => (ok_card(report, images)),
            }
        }
    }
    .into_string()
}

fn head(report: &SiteReport, status: &str, status_class: &str) -> Markup {
    html! {
        div.cl-head {
            span class={ "cl-badge " (status_class) } { (status) }
            span.cl-url { (page_text(&report.url, URL_CHARS, &Highlighter::none())) }
        }
    }
}

fn error_card(report: &SiteReport) -> Markup {
    let error = report.error.as_ref();
    html! {
        (head(report, "error", "cl-error"))
        table.cl-kv { tbody {
            tr { th { "Error" } td { code { (cell(error.map_or("unknown", |e| e.kind.as_str()))) } } }
            tr { th { "Message" } td { (cell(error.map_or(MISSING, |e| e.message.as_str()))) } }
        } }
    }
}

/// Distinct tracker vendors that received a request before any choice, sorted.
fn vendors_before_consent(report: &SiteReport) -> BTreeSet<&str> {
    report
        .phases
        .before_consent
        .iter()
        .flat_map(|phase| &phase.requests)
        .filter_map(|request| request.tracker.as_ref())
        .map(|tracker| tracker.vendor.as_str())
        .collect()
}

fn ok_card(report: &SiteReport, images: &Images) -> Markup {
    let metrics = &report.metrics;
    let vendors = vendors_before_consent(report);
    let tracker_count = metrics
        .trackers_before_consent
        .map(|n| n as usize)
        .or_else(|| report.phases.before_consent.as_ref().map(|_| vendors.len()));
    let picture = images.dialog().or(images.page.as_deref());
    let reject_contrast_fails = metrics.reject_text_contrast.is_some_and(|c| c < 4.5);
    html! {
        (head(report, "ok", "cl-ok"))
        div.cl-body {
            @if let Some(picture) = picture {
                div.cl-thumb { img src=(image_data_uri(picture)) alt="The consent dialog"; }
            }
            table.cl-kv { tbody {
                tr { th { "Dialog" } td {
                    @match &report.banner {
                        None => "none found",
                        Some(banner) => {
                            @match &banner.cmp {
                                Some(cmp) => { "CMP " (cell(cmp)) }
                                None => "found by heuristic",
                            }
                            " · " (banner.buttons.len()) " buttons"
                            @if !banner.buttons.iter().any(|b| b.role == ButtonRole::RejectAll) {
                                ", none to " (role_label(ButtonRole::RejectAll))
                            }
                        }
                    }
                } }
                tr { th { "Clicks" } td {
                    "accept " (format::optional(metrics.clicks_to_accept))
                    " · reject "
                    @match (metrics.clicks_to_reject, &report.click_paths) {
                        (Some(n), _) => (n),
                        (None, Some(_)) => span.cl-fail { "no way found" },
                        (None, None) => (MISSING),
                    }
                } }
                tr { th { "Text contrast" } td {
                    "accept " (format::ratio(metrics.accept_text_contrast))
                    " · reject " span.cl-fail[reject_contrast_fails] { (format::ratio(metrics.reject_text_contrast)) }
                } }
                tr { th { "Reject/accept area" } td { (format::number(metrics.reject_to_accept_area_ratio, 2)) } }
                tr { th { "Trackers before consent" } td {
                    span.cl-fail[tracker_count.is_some_and(|n| n > 0)] { (format::optional(tracker_count)) }
                    @if !vendors.is_empty() {
                        span.cl-muted {
                            " ("
                            @for (i, vendor) in vendors.iter().take(MAX_VENDORS_SHOWN).enumerate() {
                                @if i > 0 { ", " }
                                (cell(vendor))
                            }
                            @if vendors.len() > MAX_VENDORS_SHOWN { ", … " (vendors.len() - MAX_VENDORS_SHOWN) " more" }
                            ")"
                        }
                    }
                } }
            } }
        }
        @if report.findings.is_empty() {
            p.cl-muted { "No findings." }
        } @else {
            ul.cl-findings {
                @for finding in by_severity(&report.findings).into_iter().take(MAX_FINDINGS_SHOWN) {
                    @let severity = severity_label(finding.severity);
                    li {
                        span class={ "cl-badge cl-" (severity) } { (severity) } " "
                        (cell(&finding.summary)) " " code { (cell(&finding.id)) }
                    }
                }
                @if report.findings.len() > MAX_FINDINGS_SHOWN {
                    li.cl-muted { "… and " (report.findings.len() - MAX_FINDINGS_SHOWN) " more" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{error_report, full_report, hostile_report, HOSTILE};

    /// Every selector in the card's style sheet is scoped to the card.
    #[test]
    fn the_style_sheet_only_touches_the_card() {
        for rule in STYLE.split('}').map(str::trim).filter(|r| !r.is_empty()) {
            let selectors = rule.split('{').next().unwrap_or_default();
            for selector in selectors.split(',').map(str::trim) {
                assert!(
                    selector.starts_with(".cl-card"),
                    "unscoped selector {selector:?}"
                );
            }
        }
        let html = site_card_html(&full_report(), &Images::default());
        let mut rest = html.as_str();
        while let Some(at) = rest.find("class=\"") {
            rest = &rest[at + 7..];
            let end = rest.find('"').expect("closed attribute");
            for class in rest[..end].split_whitespace() {
                assert!(class.starts_with("cl-"), "unprefixed class {class:?}");
            }
        }
    }

    #[test]
    fn the_card_sums_up_the_site() {
        let images = Images {
            annotated: Some(b"\x89PNGannotated".to_vec()),
            ..Images::default()
        };
        let html = site_card_html(&full_report(), &images);
        assert!(html.starts_with("<div class=\"cl-card\">"));
        for expected in [
            "CMP cookiebot",
            "accept 1",
            "reject 3",
            "8.59:1",
            "<span class=\"cl-fail\">2.32:1</span>",
            "0.08",
            "Google Analytics, Meta Pixel",
            "cl-badge cl-high",
            "sensitive-data-to-third-party",
            "data:image/png;base64,",
        ] {
            assert!(html.contains(expected), "missing {expected:?} in {html}");
        }
        // Most severe first.
        let high = html.find("cl-badge cl-high").expect("high");
        let info = html.find("cl-badge cl-info").expect("info");
        assert!(high < info);
        assert!(!html.contains("<script"));
    }

    #[test]
    fn an_error_card_shows_the_error() {
        let html = site_card_html(&error_report(), &Images::default());
        assert!(html.contains("cl-badge cl-error"));
        assert!(html.contains("<code>dns</code>"));
        assert!(html.contains("net::ERR_NAME_NOT_RESOLVED"));
    }

    #[test]
    fn hostile_text_stays_text_in_the_card() {
        let html = site_card_html(&hostile_report(), &Images::default());
        assert!(!html.contains(HOSTILE));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img src=x"));
        assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
        assert!(html.contains("⟨U+202E⟩"));
        assert!(!html.contains('\u{202E}'));
        assert_eq!(html.matches("</style>").count(), 1);
    }
}
