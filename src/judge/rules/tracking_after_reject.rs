//! # tracking-after-reject
//!
//! ## What it flags
//!
//! Tracking that goes on after the visitor chose "reject all", observed in the `after_reject`
//! phase (the refusal click, a reload and one subpage):
//! - requests to trackers whose category is tracking (advertising, analytics, session replay,
//!   social, audience measurement, A/B testing, marketing automation, EasyPrivacy list matches);
//!   the consent platform recording the refusal and a tag manager loading alone are not;
//! - identifier cookies (see `cookies-before-consent`) that were newly set: absent before any
//!   choice, or present with another value; or that are still sent: present, and a tracker
//!   request after the refusal went to the cookie's domain. An identifier left over from before
//!   the choice that nothing reads any more is not flagged here (it is already flagged by
//!   `cookies-before-consent`).
//!
//! ## Why it matters
//!
//! A refusal leaves no legal basis for tracking: consent was asked for and not given (GDPR
//! Art. 6(1)(a), Art. 7), and ePrivacy Art. 5(3) forbids the storage and access without it.
//! Tracking after "reject all" also makes the dialog itself misleading: the visitor is offered a
//! choice that changes nothing, contrary to the fairness and transparency of GDPR Art. 5(1)(a).
//!
//! ## Example
//!
//! After "Avvis alle", the reload still sends `www.facebook.com/tr?ev=PageView` and sets
//! `_fbp`. Finding: "After refusing with "Avvis alle", Meta Pixel still fired (1 request) and 1
//! identifier cookie was set or sent: _fbp (Meta Pixel)", with the request and the cookie.

use url::Url;

use super::cookies_before_consent::named;
use super::{tracker_request_evidence, Rule, RuleContext};
use crate::judge::classify::{is_identifier_cookie, is_tracking_request, vendors};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Cookie, Finding, PhaseName, Request, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "tracking-after-reject",
        severity: Severity::High,
        basis: &["GDPR Art. 7", "GDPR Art. 6(1)", "ePrivacy Art. 5(3)"],
        title: "Tracking after reject",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let after = ctx.report.phases.after_reject.as_ref()?;
    let before_cookies: &[Cookie] = ctx
        .report
        .phases
        .before_consent
        .as_ref()
        .map_or(&[], |p| &p.cookies);
    let tracking: Vec<&Request> = after
        .requests
        .iter()
        .filter(|r| is_tracking_request(r))
        .collect();
    let cookies: Vec<&Cookie> = after
        .cookies
        .iter()
        .filter(|c| is_identifier_cookie(c))
        .filter(|c| is_newly_set(c, before_cookies) || is_sent(c, &tracking))
        .collect();
    if tracking.is_empty() && cookies.is_empty() {
        return None;
    }

    let refusal = ctx
        .report
        .click_paths
        .as_ref()
        .and_then(|p| p.reject.steps.last())
        .map(|step| format!("After refusing with {}", wording::quote(&step.text)))
        .unwrap_or_else(|| "After refusing".to_string());
    let mut parts = Vec::new();
    if !tracking.is_empty() {
        parts.push(format!(
            "{} still fired ({})",
            wording::list(&vendors(tracking.iter().copied())),
            wording::count(tracking.len(), "request", "requests")
        ));
    }
    if !cookies.is_empty() {
        parts.push(format!(
            "{} {} set or sent: {}",
            wording::count(cookies.len(), "identifier cookie", "identifier cookies"),
            if cookies.len() == 1 { "was" } else { "were" },
            wording::list(&cookies.iter().map(|c| named(c)).collect::<Vec<_>>())
        ));
    }
    let summary = format!("{refusal}, {}", parts.join(" and "));

    let mut items = tracker_request_evidence(PhaseName::AfterReject, after, &tracking);
    items.extend(
        cookies
            .iter()
            .map(|c| evidence::cookie(PhaseName::AfterReject, c)),
    );
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "everything is in phases.after_reject",
    );
    Some(RULE.info.finding(summary, evidence))
}

/// Absent before any choice, or present then with another value.
fn is_newly_set(cookie: &Cookie, before: &[Cookie]) -> bool {
    !before.iter().any(|b| {
        b.name == cookie.name
            && b.domain.trim_start_matches('.') == cookie.domain.trim_start_matches('.')
            && b.value == cookie.value
    })
}

/// A tracker request went to the cookie's domain, so the browser sent the cookie along.
fn is_sent(cookie: &Cookie, tracking: &[&Request]) -> bool {
    let domain = cookie.domain.trim_start_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return false;
    }
    tracking.iter().any(|request| {
        Url::parse(&request.url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|host| host == domain || host.ends_with(&format!(".{domain}")))
    })
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::PhaseName;

    const ID: &str = "tracking-after-reject";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=PageView";

    fn fbp() -> crate::model::Cookie {
        cookie(
            "_fbp",
            ".butikk.example",
            Some(("Meta Pixel", "advertising")),
            true,
        )
    }

    fn datr() -> crate::model::Cookie {
        cookie(
            "datr",
            ".facebook.com",
            Some(("Meta Pixel", "advertising")),
            true,
        )
    }

    #[test]
    fn fires_on_trackers_and_new_identifier_cookies_after_reject() {
        let mut report = compliant_site();
        let after = phase_mut(&mut report, PhaseName::AfterReject);
        after
            .requests
            .push(tracker_request(PIXEL, "Meta Pixel", "advertising"));
        after.cookies.push(fbp());
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "After refusing with \"Avvis alle\", Meta Pixel still fired (1 request) and \
             1 identifier cookie was set or sent: _fbp (Meta Pixel)"
        );
        assert_eq!(evidence_urls(&finding), [PIXEL]);
        assert_eq!(evidence_cookies(&finding), ["_fbp"]);
    }

    #[test]
    fn a_kept_cookie_counts_only_when_a_tracker_receives_it() {
        // `datr` and `_fbp` were both set before any choice and are unchanged after reject.
        let mut report = compliant_site();
        phase_mut(&mut report, PhaseName::BeforeConsent)
            .cookies
            .extend([fbp(), datr()]);
        phase_mut(&mut report, PhaseName::AfterReject)
            .cookies
            .extend([fbp(), datr()]);
        assert!(
            findings_of(ID, &report).is_empty(),
            "left-over cookies nobody reads"
        );

        phase_mut(&mut report, PhaseName::AfterReject)
            .requests
            .push(tracker_request(PIXEL, "Meta Pixel", "advertising"));
        let finding = the_finding(ID, &report);
        assert_eq!(
            evidence_cookies(&finding),
            ["datr"],
            "sent to www.facebook.com"
        );
    }

    #[test]
    fn the_consent_platform_recording_the_refusal_does_not_fire() {
        let report = compliant_site();
        assert!(report
            .phases
            .after_reject
            .as_ref()
            .is_some_and(|p| p.requests.iter().any(|r| r.tracker.is_some())));
        assert!(findings_of(ID, &report).is_empty());
    }
}
