//! # cookies-before-consent
//!
//! ## What it flags
//!
//! Identifier cookies present before the visitor has made any choice: cookies of the
//! `before_consent` phase that the vendor catalogue marks as holding an identifier
//! (`is_identifier`), or that belong to a tracker vendor (a vendor with a tracking category).
//! Session, load-balancing, security and consent cookies are essential or carry no identifier
//! for tracking, and are never flagged; a cookie the catalogue does not know is not flagged
//! either. A site without any consent dialog is reported by `no-banner-but-tracking` instead.
//!
//! ## Why it matters
//!
//! Storing an identifier on the visitor's device needs prior consent under ePrivacy Directive
//! Art. 5(3) (ekomloven § 3-15 in Norway), whether or not the identifier is personal data (CJEU
//! C-673/17 Planet49). Only cookies strictly necessary for the service the visitor
//! asked for are exempt, and an analytics or advertising identifier is not (Article 29 Working
//! Party Opinion 04/2012 on the cookie consent exemption).
//!
//! ## Example
//!
//! Before the dialog is answered, the browser holds `_fbp` (Meta Pixel) on `.butikk.example`
//! and `_ga` (Google Analytics). Finding: "2 identifier cookies set before any choice: _fbp
//! (Meta Pixel) and _ga (Google Analytics)", with each cookie's name, domain and vendor.

use super::{Rule, RuleContext};
use crate::judge::classify::is_identifier_cookie;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Cookie, Finding, PhaseName, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "cookies-before-consent",
        severity: Severity::High,
        basis: &["ePrivacy Art. 5(3)"],
        title: "Identifier cookies before consent",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    // Without a dialog there is no choice to come before; `no-banner-but-tracking` reports it.
    ctx.report.banner.as_ref()?;
    let phase = ctx.report.phases.before_consent.as_ref()?;
    let cookies: Vec<&Cookie> = phase
        .cookies
        .iter()
        .filter(|c| is_identifier_cookie(c))
        .collect();
    if cookies.is_empty() {
        return None;
    }
    let summary = format!(
        "{} set before any choice: {}",
        wording::count(cookies.len(), "identifier cookie", "identifier cookies"),
        wording::list(&cookies.iter().map(|c| named(c)).collect::<Vec<_>>())
    );
    let evidence = evidence::bounded(
        cookies
            .iter()
            .map(|c| evidence::cookie(PhaseName::BeforeConsent, c))
            .collect(),
        ctx.config.max_evidence_per_finding,
        "every cookie is in phases.before_consent.cookies",
    );
    Some(RULE.info.finding(summary, evidence))
}

/// "_fbp (Meta Pixel)", or the bare name when the vendor is unknown.
pub(crate) fn named(cookie: &Cookie) -> String {
    match &cookie.vendor {
        Some(vendor) => format!("{} ({vendor})", cookie.name),
        None => cookie.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName};

    const ID: &str = "cookies-before-consent";

    #[test]
    fn fires_on_identifier_cookies_and_names_each() {
        let mut report = compliant_site();
        let before = phase_mut(&mut report, PhaseName::BeforeConsent);
        before.cookies.extend([
            cookie(
                "_fbp",
                ".butikk.example",
                Some(("Meta Pixel", "advertising")),
                true,
            ),
            // Not marked as an identifier, but a tracker vendor's cookie.
            cookie(
                "_ga",
                ".butikk.example",
                Some(("Google Analytics", "analytics")),
                false,
            ),
            cookie(
                "CookieConsent",
                "butikk.example",
                Some(("Cookiebot", "consent")),
                false,
            ),
        ]);
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "2 identifier cookies set before any choice: _fbp (Meta Pixel) and _ga (Google Analytics)"
        );
        assert_eq!(evidence_cookies(&finding), ["_fbp", "_ga"]);
        assert_eq!(
            finding.evidence[0],
            Evidence::Cookie {
                phase: PhaseName::BeforeConsent,
                name: "_fbp".into(),
                domain: ".butikk.example".into(),
                vendor: Some("Meta Pixel".into()),
            }
        );
    }

    #[test]
    fn a_site_without_a_dialog_is_left_to_no_banner_but_tracking() {
        let mut report = compliant_site();
        report.banner = None;
        phase_mut(&mut report, PhaseName::BeforeConsent)
            .cookies
            .push(cookie(
                "_fbp",
                ".butikk.example",
                Some(("Meta Pixel", "advertising")),
                true,
            ));
        assert!(findings_of(ID, &report).is_empty());
    }

    #[test]
    fn essential_and_consent_cookies_do_not_fire() {
        let mut report = compliant_site();
        phase_mut(&mut report, PhaseName::BeforeConsent)
            .cookies
            .push(cookie(
                "CookieConsent",
                "butikk.example",
                Some(("Cookiebot", "consent")),
                false,
            ));
        assert!(findings_of(ID, &report).is_empty());
    }
}
