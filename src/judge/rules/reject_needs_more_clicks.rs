//! # reject-needs-more-clicks
//!
//! ## What it flags
//!
//! Refusing takes more actions than accepting: the explore stage's shortest path to "reject
//! all" has at least `min_extra_clicks_to_reject` (default 1) more clicks than its shortest
//! path to "accept all". Every action counts: opening a layer, each toggle, saving. Both paths
//! must have been found; a refusal that could not be found at all is reported by
//! `no-reject-first-layer` when the first layer lacks one.
//!
//! ## Why it matters
//!
//! It must be as easy to withdraw consent as to give it (GDPR Art. 7(3)), and so as easy to
//! refuse as to accept; extra steps make refusing a chore and consent the path of least
//! resistance, which is not freely given (Art. 4(11), Recital 42). The EDPB cookie banner
//! taskforce report (2023), practice A, and the EDPB Guidelines 03/2022 on deceptive design
//! patterns ("longer than necessary") describe this.
//!
//! ## Example
//!
//! Accepting is one click on "Godta alle"; refusing needs "Innstillinger", then "Avvis alle",
//! then "Lagre". Finding: "Refusing takes 3 clicks ("Innstillinger" → "Avvis alle" → "Lagre"),
//! accepting 1 ("Godta alle")", with every step of both paths.

use super::{Rule, RuleContext};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{ClickPath, Finding, Severity};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "reject-needs-more-clicks",
        severity: Severity::Medium,
        basis: &[
            "GDPR Art. 7(3)",
            "EDPB cookie banner taskforce report (2023), practice A",
        ],
        title: "Refusing takes more clicks",
    },
    check,
};

fn check(ctx: &RuleContext) -> Option<Finding> {
    let paths = ctx.report.click_paths.as_ref()?;
    let accept_clicks = paths.accept.clicks?;
    let reject_clicks = paths.reject.clicks?;
    if reject_clicks < accept_clicks.saturating_add(ctx.config.min_extra_clicks_to_reject) {
        return None;
    }
    let summary = format!(
        "Refusing takes {} ({}), accepting {} ({})",
        wording::count(reject_clicks as usize, "click", "clicks"),
        steps_text(&paths.reject),
        accept_clicks,
        steps_text(&paths.accept)
    );
    let mut items: Vec<_> = paths
        .reject
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| evidence::step("reject", i, s))
        .collect();
    items.extend(
        paths
            .accept
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| evidence::step("accept", i, s)),
    );
    let evidence = evidence::bounded(
        items,
        ctx.config.max_evidence_per_finding,
        "every step is in click_paths",
    );
    Some(RULE.info.finding(summary, evidence))
}

/// "\"Innstillinger\" → \"Avvis alle\"".
fn steps_text(path: &ClickPath) -> String {
    path.steps
        .iter()
        .map(|s| wording::quote(&s.text))
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use crate::judge::test_support::*;
    use crate::model::{ButtonRole, ClickPath, Evidence};

    const ID: &str = "reject-needs-more-clicks";

    #[test]
    fn fires_when_refusing_takes_more_clicks_and_lists_every_step() {
        let mut report = compliant_site();
        if let Some(paths) = report.click_paths.as_mut() {
            paths.reject = path(vec![
                step("click", "Innstillinger", ButtonRole::Settings, 1),
                step("click", "Avvis alle", ButtonRole::RejectAll, 2),
                step("click", "Lagre", ButtonRole::Save, 2),
            ]);
        }
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Refusing takes 3 clicks (\"Innstillinger\" → \"Avvis alle\" → \"Lagre\"), \
             accepting 1 (\"Godta alle\")"
        );
        let steps: Vec<(String, usize, String)> = finding
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Step {
                    path, index, text, ..
                } => Some((path.clone(), *index, text.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("reject".to_string(), 0, "Innstillinger".to_string()),
                ("reject".to_string(), 1, "Avvis alle".to_string()),
                ("reject".to_string(), 2, "Lagre".to_string()),
                ("accept".to_string(), 0, "Godta alle".to_string()),
            ]
        );
    }

    #[test]
    fn does_not_fire_on_equal_paths_or_an_unknown_path() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let mut not_found = compliant_site();
        if let Some(paths) = not_found.click_paths.as_mut() {
            paths.reject = ClickPath::default();
        }
        assert!(findings_of(ID, &not_found).is_empty());
    }
}
