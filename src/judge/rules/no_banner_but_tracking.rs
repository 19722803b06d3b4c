//! # no-banner-but-tracking
//!
//! ## What it flags
//!
//! A site that tracks without asking at all: no consent dialog was found (`banner` is null)
//! while the first visit already sent requests to trackers with a tracking category or set
//! identifier cookies (the same tests as `tracker-before-consent` and
//! `cookies-before-consent`, which leave a site without a dialog to this rule). Only
//! evaluations that finished (`status` "ok") are judged, since a failed visit finds no dialog
//! either.
//!
//! ## Why it matters
//!
//! Without a dialog there is no consent, so every tracker fails ePrivacy Art. 5(3) (ekomloven
//! § 3-15). Visitors are also not told who receives their data and why at the time it is
//! collected (GDPR Art. 13). The Norwegian Datatilsynet's 2025 inspections of six websites
//! found tracking pixels sending visitors' data to third parties without any legal basis.
//! "No dialog found" means the detect stage found none in the page, its frames and shadow
//! roots; a screenshot in the report lets a reader confirm it.
//!
//! ## Example
//!
//! A health-information site shows no cookie dialog, but its pages load the Meta Pixel and set
//! `_fbp`. Finding: "No consent dialog was found, yet Meta Pixel fired (2 requests) and 1
//! identifier cookie was set: _fbp (Meta Pixel)".

use super::cookies_before_consent::named;
use super::{tracker_request_evidence, Rule, RuleContext};
use crate::judge::classify::{is_identifier_cookie, is_tracking_request, vendors};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Cookie, Finding, PhaseName, Request, Severity, Status};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "no-banner-but-tracking",
        severity: Severity::High,
        basis: &["ePrivacy Art. 5(3)", "GDPR Art. 13"],
        title: "Tracking without a consent dialog",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    if ctx.report.banner.is_some() || ctx.report.status != Status::Ok {
        return None;
    }
    let phase = ctx.report.phases.before_consent.as_ref()?;
    let tracking: Vec<&Request> = phase
        .requests
        .iter()
        .filter(|r| is_tracking_request(r))
        .collect();
    let cookies: Vec<&Cookie> = phase
        .cookies
        .iter()
        .filter(|c| is_identifier_cookie(c))
        .collect();
    if tracking.is_empty() && cookies.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !tracking.is_empty() {
        parts.push(format!(
            "{} fired ({})",
            wording::list(&vendors(tracking.iter().copied())),
            wording::count(tracking.len(), "request", "requests")
        ));
    }
    if !cookies.is_empty() {
        parts.push(format!(
            "{} {} set: {}",
            wording::count(cookies.len(), "identifier cookie", "identifier cookies"),
            if cookies.len() == 1 { "was" } else { "were" },
            wording::list(&cookies.iter().map(|c| named(c)).collect::<Vec<_>>())
        ));
    }
    let summary = format!("No consent dialog was found, yet {}", parts.join(" and "));
    let mut items = vec![evidence::note(
        "no consent dialog was found in the page, its frames or its shadow roots",
    )];
    items.extend(tracker_request_evidence(
        PhaseName::BeforeConsent,
        phase,
        &tracking,
    ));
    items.extend(
        cookies
            .iter()
            .map(|c| evidence::cookie(PhaseName::BeforeConsent, c)),
    );
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "everything is in phases.before_consent",
    );
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::{PhaseName, Status};

    const ID: &str = "no-banner-but-tracking";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=PageView";

    fn without_banner_with_pixel() -> crate::model::SiteReport {
        let mut report = compliant_site();
        report.banner = None;
        report.click_paths = None;
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before
            .requests
            .push(tracker_request(PIXEL, "Meta Pixel", "advertising"));
        before.cookies.push(cookie(
            "_fbp",
            ".butikk.example",
            Some(("Meta Pixel", "advertising")),
            true,
        ));
        report
    }

    #[test]
    fn fires_when_there_is_no_dialog_but_tracking() {
        let finding = the_finding(ID, &without_banner_with_pixel());
        assert_eq!(
            finding.summary,
            "No consent dialog was found, yet Meta Pixel fired (1 request) and \
             1 identifier cookie was set: _fbp (Meta Pixel)"
        );
        assert_eq!(evidence_urls(&finding), [PIXEL]);
        assert_eq!(evidence_cookies(&finding), ["_fbp"]);
    }

    #[test]
    fn does_not_fire_with_a_dialog_without_tracking_or_on_a_failed_visit() {
        let mut with_banner = without_banner_with_pixel();
        with_banner.banner = compliant_site().banner;
        assert!(findings_of(ID, &with_banner).is_empty());

        let mut clean = compliant_site();
        clean.banner = None;
        assert!(
            findings_of(ID, &clean).is_empty(),
            "consent platform and tag manager only"
        );

        let mut failed = without_banner_with_pixel();
        failed.status = Status::Error;
        assert!(findings_of(ID, &failed).is_empty());
    }
}
