//! Flat numbers for tables, derived from a report with the same notions of tracking and
//! identifiers as the findings. A number is `null` when what it counts was not observed (no
//! dialog, no refusal path, a phase that did not run), never 0 by default.

use super::classify::{
    is_identifier_cookie, is_tracking_request, primary_button, reject_to_accept_area_ratio, vendors,
};
use crate::model::{ButtonRole, Metrics, Phase, SiteReport};

/// Every field of [`Metrics`] that the report allows. `findings` counts `report.findings`, so
/// compute the metrics after storing the findings.
pub fn compute_metrics(report: &SiteReport) -> Metrics {
    let phases = &report.phases;
    let before = phases.before_consent.as_ref();
    let accept_button = report
        .banner
        .as_ref()
        .and_then(|b| primary_button(b, ButtonRole::AcceptAll));
    let reject_button = report
        .banner
        .as_ref()
        .and_then(|b| primary_button(b, ButtonRole::RejectAll));
    let duration_ms = (report.provenance.finished_at - report.provenance.started_at)
        .num_milliseconds()
        .try_into()
        .ok();
    Metrics {
        clicks_to_accept: report.click_paths.as_ref().and_then(|p| p.accept.clicks),
        clicks_to_reject: report.click_paths.as_ref().and_then(|p| p.reject.clicks),
        reject_to_accept_area_ratio: report.banner.as_ref().and_then(reject_to_accept_area_ratio),
        accept_text_contrast: accept_button.and_then(|b| b.text_contrast),
        reject_text_contrast: reject_button.and_then(|b| b.text_contrast),
        trackers_before_consent: before.map(tracker_vendors),
        trackers_after_accept: phases.after_accept.as_ref().map(tracker_vendors),
        trackers_after_reject: phases.after_reject.as_ref().map(tracker_vendors),
        tracker_requests_before_consent: before
            .map(|p| count(p.requests.iter().filter(|r| is_tracking_request(r)))),
        cookies_before_consent: before.map(|p| count(p.cookies.iter())),
        cookies_after_accept: phases
            .after_accept
            .as_ref()
            .map(|p| count(p.cookies.iter())),
        cookies_after_reject: phases
            .after_reject
            .as_ref()
            .map(|p| count(p.cookies.iter())),
        identifier_cookies_before_consent: before.map(identifier_cookies),
        identifier_cookies_after_reject: phases.after_reject.as_ref().map(identifier_cookies),
        requests_before_consent: before.map(|p| count(p.requests.iter())),
        third_party_requests_before_consent: before
            .map(|p| count(p.requests.iter().filter(|r| r.third_party))),
        events_before_consent: before.map(|p| count(p.events.iter())),
        findings: Some(count(report.findings.iter())),
        duration_ms,
    }
}

/// Distinct tracker vendors (tracking categories only) seen in a phase.
fn tracker_vendors(phase: &Phase) -> u32 {
    let tracking = phase.requests.iter().filter(|r| is_tracking_request(r));
    saturate(vendors(tracking).len())
}

fn identifier_cookies(phase: &Phase) -> u32 {
    count(phase.cookies.iter().filter(|c| is_identifier_cookie(c)))
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    saturate(items.count())
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::test_support::*;
    use crate::model::PhaseName;

    #[test]
    fn metrics_count_what_the_findings_count() {
        let mut report = compliant_site();
        button_mut(&mut report, ButtonRole::RejectAll).area_px = 1000.0;
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before.requests.extend([
            tracker_request(
                "https://www.facebook.com/tr?ev=PageView",
                "Meta Pixel",
                "advertising",
            ),
            tracker_request(
                "https://www.facebook.com/tr?ev=ViewContent",
                "Meta Pixel",
                "advertising",
            ),
        ]);
        before.cookies.push(cookie(
            "_fbp",
            ".butikk.example",
            Some(("Meta Pixel", "advertising")),
            true,
        ));
        report.findings = crate::judge::judge(&report, &crate::judge::JudgeConfig::default());

        let metrics = compute_metrics(&report);
        assert_eq!(
            metrics,
            Metrics {
                clicks_to_accept: Some(1),
                clicks_to_reject: Some(1),
                reject_to_accept_area_ratio: Some(0.25),
                accept_text_contrast: Some(8.0),
                reject_text_contrast: Some(8.0),
                // The consent platform and the tag manager are not trackers.
                trackers_before_consent: Some(1),
                trackers_after_accept: Some(1),
                trackers_after_reject: Some(0),
                tracker_requests_before_consent: Some(2),
                cookies_before_consent: Some(2),
                cookies_after_accept: Some(3),
                cookies_after_reject: Some(2),
                identifier_cookies_before_consent: Some(1),
                identifier_cookies_after_reject: Some(0),
                requests_before_consent: Some(5),
                third_party_requests_before_consent: Some(4),
                events_before_consent: Some(0),
                // tracker-before-consent, cookies-before-consent, reject-smaller-than-accept
                findings: Some(3),
                duration_ms: Some(12_500),
            }
        );
    }

    #[test]
    fn what_was_not_observed_is_null() {
        let mut report = compliant_site();
        report.banner = None;
        report.click_paths = None;
        report.phases.after_reject = None;
        let metrics = compute_metrics(&report);
        assert_eq!(metrics.clicks_to_reject, None);
        assert_eq!(metrics.reject_to_accept_area_ratio, None);
        assert_eq!(metrics.accept_text_contrast, None);
        assert_eq!(metrics.trackers_after_reject, None);
        assert_eq!(metrics.cookies_after_reject, None);
        assert_eq!(metrics.trackers_before_consent, Some(0));
    }
}
