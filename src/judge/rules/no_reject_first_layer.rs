//! # no-reject-first-layer
//!
//! ## What it flags
//!
//! A consent dialog whose first layer offers "accept all" but no button or link to refuse:
//! refusing means opening settings, scrolling through purposes or closing the dialog in the
//! hope that this counts. A close button ("X") is not a refusal. When the explore stage found a
//! way to refuse, its shortest path decides: the first layer has a refusal when that path starts
//! with a `reject_all` click on layer 1, or is a single click there (a refusal the measurement
//! did not label). When it found none, the first layer's buttons decide: the rule fires unless
//! one of them is `reject_all`.
//!
//! ## Why it matters
//!
//! Refusing must be as easy as accepting: consent is only freely given when the visitor can say
//! no without detriment (GDPR Art. 4(11), Art. 7(3) and Recital 42; EDPB Guidelines 05/2020 on
//! consent). The EDPB cookie banner taskforce report (January 2023), practice A ("no reject
//! button on the first layer"), records that the vast majority of authorities consider a layer
//! that offers to accept but not to refuse contrary to the requirements for valid consent.
//!
//! ## Example
//!
//! The dialog shows "Godta alle" and "Innstillinger"; refusing takes "Innstillinger" →
//! "Avvis alle". Finding: "The first layer offers "Godta alle" but no way to refuse; refusing
//! takes 2 clicks ("Innstillinger" → "Avvis alle")", with the first layer's buttons and the
//! steps of the refusal.

use super::{Rule, RuleContext};
use crate::judge::classify::primary_button;
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{ButtonRole, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "no-reject-first-layer",
        severity: Severity::Medium,
        basis: &[
            "EDPB cookie banner taskforce report (2023), practice A",
            "GDPR Art. 7(3)",
        ],
        title: "No way to refuse on the first layer",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let banner = ctx.report.banner.as_ref()?;
    let accept = primary_button(banner, ButtonRole::AcceptAll)?;
    let reject_path = ctx
        .report
        .click_paths
        .as_ref()
        .map(|p| &p.reject)
        .filter(|p| p.clicks.is_some());
    let first_layer_refusal = match reject_path {
        Some(path) => path.steps.first().is_some_and(|first| {
            first.layer.unwrap_or(1) == 1
                && (first.role == ButtonRole::RejectAll || path.clicks == Some(1))
        }),
        None => banner
            .buttons
            .iter()
            .any(|b| b.role == ButtonRole::RejectAll),
    };
    if first_layer_refusal {
        return None;
    }

    let refusal = match reject_path.and_then(|p| p.clicks.map(|clicks| (clicks, p))) {
        Some((clicks, path)) => format!(
            "refusing takes {} ({})",
            wording::count(clicks as usize, "click", "clicks"),
            path.steps
                .iter()
                .map(|s| wording::quote(&s.text))
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        None => "no way to refuse was found at all".to_string(),
    };
    let summary = format!(
        "The first layer offers {} but no way to refuse; {refusal}",
        wording::quote(&accept.text)
    );
    let mut items: Vec<_> = banner.buttons.iter().map(evidence::button).collect();
    if let Some(path) = reject_path {
        items.extend(
            path.steps
                .iter()
                .enumerate()
                .map(|(i, s)| evidence::step("reject", i, s)),
        );
    }
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "every button is in banner.buttons",
    );
    Some(RULE.info.finding(summary, evidence))
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::{ButtonRole, Evidence};

    const ID: &str = "no-reject-first-layer";

    fn without_first_layer_reject() -> crate::model::SiteReport {
        let mut report = compliant_site();
        if let Some(banner) = report.banner.as_mut() {
            banner.buttons.retain(|b| b.role != ButtonRole::RejectAll);
        }
        if let Some(paths) = report.click_paths.as_mut() {
            paths.reject = path(vec![
                step("click", "Innstillinger", ButtonRole::Settings, 1),
                step("click", "Avvis alle", ButtonRole::RejectAll, 2),
            ]);
        }
        report
    }

    #[test]
    fn fires_without_a_first_layer_refusal_and_shows_the_way_to_refuse() {
        let finding = the_finding(ID, &without_first_layer_reject());
        assert_eq!(
            finding.summary,
            "The first layer offers \"Godta alle\" but no way to refuse; refusing takes 2 clicks \
             (\"Innstillinger\" → \"Avvis alle\")"
        );
        let roles: Vec<ButtonRole> = finding
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Button { role, .. } => Some(*role),
                _ => None,
            })
            .collect();
        assert_eq!(roles, [ButtonRole::AcceptAll, ButtonRole::Settings]);
        assert!(finding.evidence.contains(&Evidence::Step {
            path: "reject".into(),
            index: 1,
            action: "click".into(),
            text: "Avvis alle".into(),
        }));
    }

    #[test]
    fn a_second_layer_reject_button_among_the_buttons_does_not_hide_it() {
        let mut report = without_first_layer_reject();
        if let Some(banner) = report.banner.as_mut() {
            banner.buttons.push(button(
                ButtonRole::RejectAll,
                "Avvis alle",
                4000.0,
                8.0,
                4.0,
            ));
        }
        assert_eq!(findings_of(ID, &report).len(), 1);
    }

    #[test]
    fn says_so_when_no_refusal_was_found() {
        let mut report = without_first_layer_reject();
        if let Some(paths) = report.click_paths.as_mut() {
            paths.reject = Default::default();
        }
        let finding = the_finding(ID, &report);
        assert!(finding
            .summary
            .ends_with("no way to refuse was found at all"));
    }

    #[test]
    fn does_not_fire_with_a_reject_button_or_a_one_click_refusal() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut unlabelled = compliant_site();
        if let Some(banner) = unlabelled.banner.as_mut() {
            banner.buttons.retain(|b| b.role != ButtonRole::RejectAll);
        }
        assert!(
            findings_of(ID, &unlabelled).is_empty(),
            "explore refused with one first-layer click"
        );
    }
}
