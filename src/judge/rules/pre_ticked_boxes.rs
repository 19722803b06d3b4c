//! # pre-ticked-boxes
//!
//! ## What it flags
//!
//! Purpose checkboxes or toggles of the consent dialog, on any layer, that are ticked before
//! the visitor does anything. A ticked box that cannot be changed (`disabled`) is the usual way
//! to show strictly necessary cookies and is not flagged; neither is an enabled box whose label
//! says it is necessary ("Nødvendige", "Strictly necessary", "Notwendig", …), which some
//! dialogs leave enabled although it does nothing.
//!
//! ## Why it matters
//!
//! Consent requires an unambiguous, active act; a pre-ticked box the visitor does not untick
//! is no consent (CJEU C-673/17 Planet49; GDPR Recital 32 "silence, pre-ticked boxes or
//! inactivity should not therefore constitute consent"). The EDPB cookie banner taskforce
//! report (2023) lists pre-ticked purposes as practice B.
//!
//! ## Example
//!
//! The settings layer shows "Statistikk" and "Markedsføring" already switched on. Finding: "2
//! purposes were ticked before the visitor acted: "Statistikk" and "Markedsføring"", with each
//! checkbox, its state and its layer.

use super::{Rule, RuleContext};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Checkbox, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "pre-ticked-boxes",
        severity: Severity::Medium,
        basis: &[
            "CJEU C-673/17 Planet49",
            "EDPB cookie banner taskforce report (2023), practice B",
        ],
        title: "Pre-ticked purposes",
    },
    check,
};

/// Label fragments of the strictly necessary category in the languages the dialogs use.
const NECESSARY_LABELS: &[&str] = &[
    "nødvendig",
    "naudsynt",
    "nödvändig",
    "necessary",
    "essential",
    "required",
    "notwendig",
    "erforderlich",
    "essenziell",
    "essentiell",
];

fn check(ctx: &RuleContext) -> Option<Finding> {
    let banner = ctx.report.banner.as_ref()?;
    let ticked: Vec<&Checkbox> = banner
        .checkboxes
        .iter()
        .filter(|c| c.checked && !c.disabled && !is_necessary(&c.label))
        .collect();
    if ticked.is_empty() {
        return None;
    }
    let labels: Vec<String> = ticked.iter().map(|c| wording::quote(&c.label)).collect();
    let summary = format!(
        "{} ticked before the visitor acted: {}",
        wording::count(ticked.len(), "purpose was", "purposes were"),
        wording::list(&labels)
    );
    let evidence = evidence::bounded(
        ticked.iter().map(|c| evidence::checkbox(c)).collect(),
        ctx.config.max_evidence_per_finding,
        "every checkbox is in banner.checkboxes",
    );
    Some(RULE.info.finding(summary, evidence))
}

fn is_necessary(label: &str) -> bool {
    let label = label.to_lowercase();
    NECESSARY_LABELS.iter().any(|word| label.contains(word))
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::Evidence;

    const ID: &str = "pre-ticked-boxes";

    #[test]
    fn fires_on_enabled_ticked_purposes() {
        let mut report = compliant_site();
        if let Some(banner) = report.banner.as_mut() {
            banner.checkboxes = vec![
                checkbox("Nødvendige", true, true, 2),
                checkbox("Statistikk", true, false, 2),
                checkbox("Markedsføring", true, false, 1),
                checkbox("Personalisering", false, false, 2),
            ];
        }
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "2 purposes were ticked before the visitor acted: \"Statistikk\" and \"Markedsføring\""
        );
        assert_eq!(
            finding.evidence,
            [
                Evidence::Checkbox {
                    label: "Statistikk".into(),
                    checked: true,
                    layer: 2
                },
                Evidence::Checkbox {
                    label: "Markedsføring".into(),
                    checked: true,
                    layer: 1
                },
            ]
        );
    }

    #[test]
    fn necessary_boxes_and_unticked_purposes_do_not_fire() {
        let mut report = compliant_site();
        if let Some(banner) = report.banner.as_mut() {
            // Left enabled by the dialog, but labelled as strictly necessary.
            banner
                .checkboxes
                .push(checkbox("Strictly necessary cookies", true, false, 2));
        }
        assert!(findings_of(ID, &report).is_empty());
    }
}
