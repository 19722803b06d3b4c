//! # reject-as-link
//!
//! ## What it flags
//!
//! A first layer where "accept all" is a button but every way to refuse is styled as a text
//! link (`is_link_styled`: no background or border, often underlined, usually inside the
//! dialog's text). The measure stage decides link styling from the computed CSS.
//!
//! ## Why it matters
//!
//! A refusal dressed as a hyperlink, beside an accept button, is not perceived as an equivalent
//! choice, so the visitor is steered towards accepting; consent obtained that way is not freely
//! given and informed (GDPR Art. 4(11), Art. 7). The EDPB cookie banner taskforce report (2023)
//! lists "deceptive link design" as practice C: a link to refuse that is placed in the text
//! without sufficient visual support does not lead to valid consent.
//!
//! ## Example
//!
//! The dialog has a large green "Godta alle" button and, in its text, an underlined "avvis".
//! Finding: "The refusal "avvis" is a text link while "Godta alle" is a button", with both
//! elements and their measurements.

use super::{Rule, RuleContext};
use crate::judge::classify::primary_button;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Button, ButtonRole, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "reject-as-link",
        severity: Severity::Medium,
        basis: &[
            "EDPB cookie banner taskforce report (2023), practice C",
            "GDPR Art. 4(11)",
        ],
        title: "Refusal offered as a link",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let banner = ctx.report.banner.as_ref()?;
    let accept = primary_button(banner, ButtonRole::AcceptAll).filter(|b| !b.is_link_styled)?;
    let rejects: Vec<&Button> = banner
        .buttons
        .iter()
        .filter(|b| b.role == ButtonRole::RejectAll)
        .collect();
    if rejects.is_empty() || rejects.iter().any(|b| !b.is_link_styled) {
        return None;
    }
    let summary = format!(
        "The refusal {} is a text link while {} is a button",
        wording::quote(&rejects[0].text),
        wording::quote(&accept.text)
    );
    let mut items: Vec<_> = rejects.iter().map(|b| evidence::button(b)).collect();
    items.push(evidence::button(accept));
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "every button is in banner.buttons",
    );
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{ButtonRole, Evidence};

    const ID: &str = "reject-as-link";

    #[test]
    fn fires_when_refusal_is_a_link_beside_an_accept_button() {
        let mut report = compliant_site();
        let reject = button_mut(&mut report, ButtonRole::RejectAll);
        reject.is_link_styled = true;
        reject.text = "avvis".into();
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "The refusal \"avvis\" is a text link while \"Godta alle\" is a button"
        );
        let Evidence::Button { role, measures, .. } = &finding.evidence[0] else {
            panic!("not a button: {:?}", finding.evidence[0]);
        };
        assert_eq!(*role, ButtonRole::RejectAll);
        assert_eq!(measures["is_link_styled"], json!(true));
        assert!(matches!(
            &finding.evidence[1],
            Evidence::Button { role: ButtonRole::AcceptAll, measures, .. }
                if measures["is_link_styled"] == json!(false)
        ));
    }

    #[test]
    fn does_not_fire_when_both_are_buttons_or_both_links() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut both_links = compliant_site();
        button_mut(&mut both_links, ButtonRole::RejectAll).is_link_styled = true;
        button_mut(&mut both_links, ButtonRole::AcceptAll).is_link_styled = true;
        assert!(findings_of(ID, &both_links).is_empty());
    }
}
