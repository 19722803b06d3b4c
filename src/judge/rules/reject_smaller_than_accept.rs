//! # reject-smaller-than-accept
//!
//! ## What it flags
//!
//! A first-layer reject button whose area is at most `max_reject_to_accept_area_ratio`
//! (default 0.5, half) of the accept button's. Areas are the measured `area_px` (CSS px² of the
//! visible box), or the bounding box when no area was measured; when several buttons share a
//! role, the largest of each is compared. Nothing is judged unless both areas are known.
//!
//! ## Why it matters
//!
//! Size is the first thing that tells a visitor which option the site wants chosen. A refusal
//! half the size of the acceptance is not an equivalent choice, and consent steered that way is
//! not freely given (GDPR Art. 4(11), Art. 7). The EDPB cookie banner taskforce report (2023)
//! treats designs that make one option visually dominant under practice D; the EDPB Guidelines
//! 03/2022 on deceptive design patterns describe visual emphasis that nudges towards the less
//! protective option as "hidden in plain sight".
//!
//! ## Example
//!
//! "Godta alle" is a 300 × 50 px button, "Avvis" a 120 × 40 px one. Finding: ""Avvis" is 32% of
//! the size of "Godta alle" (4800 px² against 15000 px²)", with both buttons and their areas.

use super::{Rule, RuleContext};
use crate::judge::classify::{button_area, primary_button, reject_to_accept_area_ratio};
use crate::judge::wording::quote;
use crate::judge::{evidence, RuleInfo};
use crate::model::{ButtonRole, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "reject-smaller-than-accept",
        severity: Severity::Low,
        basis: &[
            "EDPB cookie banner taskforce report (2023), practice D",
            "GDPR Art. 4(11)",
        ],
        title: "Reject button smaller than accept",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let banner = ctx.report.banner.as_ref()?;
    let ratio = reject_to_accept_area_ratio(banner)?;
    if ratio > ctx.config.max_reject_to_accept_area_ratio {
        return None;
    }
    let accept = primary_button(banner, ButtonRole::AcceptAll)?;
    let reject = primary_button(banner, ButtonRole::RejectAll)?;
    let summary = format!(
        "{} is {:.0}% of the size of {} ({:.0} px² against {:.0} px²)",
        quote(&reject.text),
        ratio * 100.0,
        quote(&accept.text),
        button_area(reject),
        button_area(accept)
    );
    let evidence = vec![evidence::button(reject), evidence::button(accept)];
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{ButtonRole, Evidence};

    const ID: &str = "reject-smaller-than-accept";

    #[test]
    fn fires_at_half_the_area_or_less() {
        let mut report = compliant_site();
        let reject = button_mut(&mut report, ButtonRole::RejectAll);
        reject.area_px = 4800.0;
        reject.text = "Avvis".into();
        button_mut(&mut report, ButtonRole::AcceptAll).area_px = 15000.0;
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "\"Avvis\" is 32% of the size of \"Godta alle\" (4800 px² against 15000 px²)"
        );
        assert!(matches!(
            &finding.evidence[..],
            [
                Evidence::Button { role: ButtonRole::RejectAll, measures: reject, .. },
                Evidence::Button { role: ButtonRole::AcceptAll, measures: accept, .. },
            ] if reject["area_px"] == json!(4800.0) && accept["area_px"] == json!(15000.0)
        ));
    }

    #[test]
    fn does_not_fire_above_the_threshold_or_without_areas() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut slightly_smaller = compliant_site();
        button_mut(&mut slightly_smaller, ButtonRole::RejectAll).area_px = 2400.0; // 0.6
        assert!(findings_of(ID, &slightly_smaller).is_empty());

        let mut unmeasured = compliant_site();
        let accept = button_mut(&mut unmeasured, ButtonRole::AcceptAll);
        accept.area_px = 0.0;
        accept.bbox.width = 0.0;
        assert!(findings_of(ID, &unmeasured).is_empty());
    }
}
