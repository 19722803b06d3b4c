//! # reject-low-contrast
//!
//! ## What it flags
//!
//! A first-layer reject button that is hard to see, by the contrasts the measure stage took
//! from the screenshot's pixels (WCAG 2.1 ratios). Any one of:
//! - its label's `text_contrast` is below WCAG 2.1 AA: `min_text_contrast` (default 4.5), or
//!   `min_large_text_contrast` (3.0) for large text, which is at least `large_text_px` (24 px),
//!   or at least `large_bold_text_px` (18.66 px) at a weight of `bold_font_weight` (700);
//! - accept's label contrast is at least `contrast_ratio_factor` (2.0) times reject's, while
//!   reject's stays below `contrast_ratio_applies_below` (7.0, WCAG AAA): above that, both are
//!   plainly legible whatever accept does;
//! - the reject button stands out from the dialog by less than `min_reject_background_contrast`
//!   (1.5) while the accept button stands out by more than
//!   `prominent_accept_background_contrast` (3.0). A reject styled as a link never stands out
//!   from the dialog: that is judged by `reject-as-link`, and only its label is judged here.
//!
//! When there are several reject buttons, the largest is judged, as for accept.
//!
//! ## Why it matters
//!
//! A refusal the visitor can barely read is not an equivalent choice, so consent given instead
//! is not freely given (GDPR Art. 4(11), Art. 7). The EDPB cookie banner taskforce report
//! (2023) names "deceptive button colours" and "deceptive button contrast" (practices D and E):
//! a contrast so low that the reject option is hardly legible is a clear case. WCAG 2.1 AA
//! (success criterion 1.4.3) is the accepted floor for legible text.
//!
//! ## Example
//!
//! "Avvis alle" is light grey on white (2.1:1), "Godta alle" white on dark blue (9.8:1).
//! Finding: ""Avvis alle" is hard to see: its label's contrast of 2.1:1 is below WCAG AA's
//! 4.5:1; accept's label contrast of 9.8:1 is 4.7 times reject's", with both buttons and their
//! measured contrasts.

use super::{Rule, RuleContext};
use crate::judge::classify::primary_button;
use crate::judge::wording::{quote, ratio};
use crate::judge::{evidence, JudgeConfig, RuleInfo};
use crate::model::{Button, ButtonRole, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "reject-low-contrast",
        severity: Severity::Medium,
        basis: &[
            "EDPB cookie banner taskforce report (2023), practices D and E",
            "GDPR Art. 4(11)",
        ],
        title: "Reject button hard to see",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let config = ctx.config;
    let banner = ctx.report.banner.as_ref()?;
    let reject = primary_button(banner, ButtonRole::RejectAll)?;
    let accept = primary_button(banner, ButtonRole::AcceptAll);
    let mut reasons = Vec::new();

    if let Some(reject_text) = reject.text_contrast {
        let required = required_text_contrast(reject, config);
        if reject_text < required {
            reasons.push(format!(
                "its label's contrast of {} is below WCAG AA's {}",
                ratio(reject_text),
                ratio(required)
            ));
        }
        if let Some(accept_text) = accept.and_then(|a| a.text_contrast) {
            if reject_text > 0.0
                && reject_text < config.contrast_ratio_applies_below
                && accept_text / reject_text >= config.contrast_ratio_factor
            {
                reasons.push(format!(
                    "accept's label contrast of {} is {:.1} times reject's",
                    ratio(accept_text),
                    accept_text / reject_text
                ));
            }
        }
    }
    if let (false, Some(reject_background), Some(accept_background)) = (
        reject.is_link_styled,
        reject.background_contrast,
        accept.and_then(|a| a.background_contrast),
    ) {
        if reject_background < config.min_reject_background_contrast
            && accept_background > config.prominent_accept_background_contrast
        {
            reasons.push(format!(
                "the button barely stands out from the dialog ({}) while accept does ({})",
                ratio(reject_background),
                ratio(accept_background)
            ));
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let summary = format!(
        "{} is hard to see: {}",
        quote(&reject.text),
        reasons.join("; ")
    );
    let mut items = vec![evidence::button(reject)];
    items.extend(accept.map(evidence::button));
    Some(RULE.info.finding(summary, items))
}

/// WCAG 2.1 AA's minimum for this button's label: lower for large text.
fn required_text_contrast(button: &Button, config: &JudgeConfig) -> f64 {
    let size = button.font_size_px.unwrap_or(0.0);
    let bold = button
        .font_weight
        .is_some_and(|w| w >= config.bold_font_weight);
    let large = size >= config.large_text_px || (bold && size >= config.large_bold_text_px);
    if large {
        config.min_large_text_contrast
    } else {
        config.min_text_contrast
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{ButtonRole, Evidence};

    const ID: &str = "reject-low-contrast";

    #[test]
    fn fires_below_wcag_aa_and_when_far_less_visible_than_accept() {
        let mut report = compliant_site();
        button_mut(&mut report, ButtonRole::RejectAll).text_contrast = Some(2.1);
        button_mut(&mut report, ButtonRole::AcceptAll).text_contrast = Some(9.8);
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "\"Avvis alle\" is hard to see: its label's contrast of 2.1:1 is below WCAG AA's \
             4.5:1; accept's label contrast of 9.8:1 is 4.7 times reject's"
        );
        assert!(matches!(
            &finding.evidence[0],
            Evidence::Button { role: ButtonRole::RejectAll, measures, .. }
                if measures["text_contrast"] == json!(2.1)
        ));
        assert!(matches!(
            &finding.evidence[1],
            Evidence::Button { role: ButtonRole::AcceptAll, measures, .. }
                if measures["text_contrast"] == json!(9.8)
        ));
    }

    #[test]
    fn large_text_needs_only_three_to_one() {
        let mut report = compliant_site();
        let reject = button_mut(&mut report, ButtonRole::RejectAll);
        reject.text_contrast = Some(3.5);
        reject.font_size_px = Some(24.0);
        button_mut(&mut report, ButtonRole::AcceptAll).text_contrast = Some(4.0);
        assert!(findings_of(ID, &report).is_empty());
        button_mut(&mut report, ButtonRole::RejectAll).font_size_px = Some(16.0);
        assert_eq!(findings_of(ID, &report).len(), 1);
    }

    #[test]
    fn fires_when_only_accept_stands_out_from_the_dialog() {
        let mut report = compliant_site();
        button_mut(&mut report, ButtonRole::RejectAll).background_contrast = Some(1.1);
        button_mut(&mut report, ButtonRole::AcceptAll).background_contrast = Some(5.2);
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "\"Avvis alle\" is hard to see: the button barely stands out from the dialog (1.1:1) \
             while accept does (5.2:1)"
        );
    }

    #[test]
    fn a_legible_link_is_left_to_reject_as_link() {
        let mut report = compliant_site();
        let reject = button_mut(&mut report, ButtonRole::RejectAll);
        reject.is_link_styled = true;
        reject.background_contrast = Some(1.0);
        reject.text_contrast = Some(12.43);
        let accept = button_mut(&mut report, ButtonRole::AcceptAll);
        accept.background_contrast = Some(6.45);
        accept.text_contrast = Some(6.45);
        assert!(findings_of(ID, &report).is_empty());
    }

    #[test]
    fn legible_reject_labels_do_not_fire_even_when_accept_is_brighter() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut report = compliant_site();
        button_mut(&mut report, ButtonRole::RejectAll).text_contrast = Some(10.0);
        button_mut(&mut report, ButtonRole::AcceptAll).text_contrast = Some(21.0);
        assert!(
            findings_of(ID, &report).is_empty(),
            "10:1 is plainly legible"
        );
    }
}
