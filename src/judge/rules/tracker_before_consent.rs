//! # tracker-before-consent
//!
//! ## What it flags
//!
//! Requests to trackers before the visitor has made any choice: every request of the
//! `before_consent` phase that the decode stage matched to a tracker whose category is tracking
//! (advertising, analytics, session replay, social, audience measurement, A/B testing, marketing
//! automation, or an EasyPrivacy list match). Consent platforms (`consent`) and tag managers
//! (`tag_manager`) loading alone are not tracking and are not flagged, nor are error monitoring,
//! embedded media and chat widgets in themselves (their identifier cookies still count in
//! `cookies-before-consent`). A tracker served from the site's own domain counts as well:
//! where a tracker runs does not change what it does. A site without any consent dialog offers
//! no choice to come before: it is reported by `no-banner-but-tracking` instead.
//!
//! ## Why it matters
//!
//! ePrivacy Directive Art. 5(3) (in Norway ekomloven § 3-15, which since 1 January 2025 requires
//! consent in the GDPR's sense) allows storing or reading information on a visitor's device only
//! with consent, unless it is strictly necessary for the service the visitor asked for. The
//! EDPB's Guidelines 2/2023 on the technical scope of Art. 5(3) state that tracking pixels and
//! tracking links fall under it. Consent has to come before the processing (GDPR Art. 6(1)(a),
//! Art. 4(11)); a request sent while the dialog still waits for an answer has none. The site
//! that embeds a third party's code is a joint controller for what that code collects and
//! transmits (CJEU C-40/17 Fashion ID).
//!
//! ## Example
//!
//! A pharmacy's front page loads `connect.facebook.net/en_US/fbevents.js`, sends
//! `www.facebook.com/tr?id=…&ev=PageView&dl=…` and a Google Analytics `collect` hit while its
//! cookie dialog is still open. Finding: "Meta Pixel and Google Analytics fired before any
//! choice (3 requests)", with each request, its decoded event and the page URL it reported.

use super::{tracker_request_evidence, Rule, RuleContext};
use crate::judge::classify::{is_tracking_request, vendors};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Finding, PhaseName, Request, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "tracker-before-consent",
        severity: Severity::High,
        basis: &["ePrivacy Art. 5(3)", "GDPR Art. 6(1)(a)"],
        title: "Tracker before consent",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    // Without a dialog there is no choice to come before; `no-banner-but-tracking` reports it.
    ctx.report.banner.as_ref()?;
    let phase = ctx.report.phases.before_consent.as_ref()?;
    let tracking: Vec<&Request> = phase
        .requests
        .iter()
        .filter(|r| is_tracking_request(r))
        .collect();
    if tracking.is_empty() {
        return None;
    }
    let summary = format!(
        "{} fired before any choice ({})",
        wording::list(&vendors(tracking.iter().copied())),
        wording::count(tracking.len(), "request", "requests")
    );
    let evidence = evidence::bounded(
        tracker_request_evidence(PhaseName::BeforeConsent, phase, &tracking),
        ctx.config.max_evidence_per_finding,
        "every request is in phases.before_consent.requests",
    );
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName};

    const ID: &str = "tracker-before-consent";
    const PIXEL: &str =
        "https://www.facebook.com/tr?id=1234&ev=PageView&dl=https%3A%2F%2Fbutikk.example%2F";

    #[test]
    fn fires_on_trackers_before_any_choice_with_their_decoded_events() {
        let mut report = compliant_site();
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before.requests.extend([
            tracker_request(
                "https://connect.facebook.net/en_US/fbevents.js",
                "Meta Pixel",
                "advertising",
            ),
            tracker_request(PIXEL, "Meta Pixel", "advertising"),
            tracker_request(
                "https://region1.google-analytics.com/g/collect?tid=G-1",
                "Google Analytics",
                "analytics",
            ),
        ]);
        before.events.push(crate::model::TrackerEvent {
            ids: ids(&[("pixel_id", "1234")]),
            ..event("Meta Pixel", PIXEL, "PageView", "https://butikk.example/")
        });

        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Meta Pixel and Google Analytics fired before any choice (3 requests)"
        );
        // Every vendor first, then the rest; the consent platform and tag manager are absent.
        assert_eq!(
            evidence_urls(&finding),
            [
                "https://connect.facebook.net/en_US/fbevents.js",
                "https://region1.google-analytics.com/g/collect?tid=G-1",
                PIXEL,
            ]
        );
        let Evidence::Request {
            fields,
            vendor,
            phase,
            ..
        } = &finding.evidence[2]
        else {
            panic!("not a request: {:?}", finding.evidence[2]);
        };
        assert_eq!(*phase, PhaseName::BeforeConsent);
        assert_eq!(vendor.as_deref(), Some("Meta Pixel"));
        assert_eq!(fields["event"], json!("PageView"));
        assert_eq!(fields["page_url"], json!("https://butikk.example/"));
        assert_eq!(fields["ids"], json!({"pixel_id": "1234"}));
    }

    #[test]
    fn consent_platforms_and_tag_managers_alone_do_not_fire() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
    }

    #[test]
    fn a_site_without_a_dialog_is_left_to_no_banner_but_tracking() {
        let mut report = compliant_site();
        report.banner = None;
        phase_mut(&mut report, PhaseName::BeforeConsent)
            .requests
            .push(tracker_request(PIXEL, "Meta Pixel", "advertising"));
        assert!(findings_of(ID, &report).is_empty());
    }

    #[test]
    fn evidence_is_bounded_and_says_what_was_left_out() {
        let mut report = compliant_site();
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        for i in 0..50 {
            before.requests.push(tracker_request(
                &format!("https://www.facebook.com/tr?id=1&i={i}"),
                "Meta Pixel",
                "advertising",
            ));
        }
        let finding = the_finding(ID, &report);
        assert!(finding.summary.ends_with("(50 requests)"));
        assert_eq!(finding.evidence.len(), 20);
        assert!(matches!(
            finding.evidence.last(),
            Some(Evidence::Note { text }) if text.starts_with("31 more items")
        ));
    }
}
