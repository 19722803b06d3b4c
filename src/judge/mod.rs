//! The judge stage: turns a finished [`SiteReport`] into findings with stable ids, severity,
//! evidence and legal references, and into flat metrics.
//!
//! Each finding id is one rule in `rules/`, documented in its own comment; `docs/findings.md`
//! is generated from those comments. Every threshold is a field of [`JudgeConfig`], so a study
//! can state (and vary) what it counted. Knowledge that is data (sensitive terms, anonymity
//! claims) lives in text files beside the code.

mod claims;
mod classify;
mod evidence;
mod lexicon;
mod metrics;
mod rules;
pub mod sensitive;
mod text;
mod wording;

#[cfg(test)]
mod test_support;

use serde::{Deserialize, Serialize};

pub use claims::find_claims;
pub use metrics::compute_metrics;

use crate::model::{Evidence, Finding, Severity, SiteReport};

/// Every threshold the rules use. The defaults are the ones documented in
/// `docs/findings.md`; a study that changes one should record its config with its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JudgeConfig {
    /// WCAG 2.1 AA minimum contrast for normal text (success criterion 1.4.3): 4.5.
    pub min_text_contrast: f64,
    /// WCAG 2.1 AA minimum contrast for large text: 3.0.
    pub min_large_text_contrast: f64,
    /// Font size in CSS px from which text is large in WCAG's sense (18 pt = 24 px).
    pub large_text_px: f64,
    /// Font size in CSS px from which bold text is large (14 pt ≈ 18.66 px).
    pub large_bold_text_px: f64,
    /// Font weight from which text counts as bold: 700.
    pub bold_font_weight: u32,
    /// Reject's label is far less visible when accept's text contrast is at least this many
    /// times reject's: 2.0.
    pub contrast_ratio_factor: f64,
    /// … but only while reject's own text contrast is below this (WCAG AAA, 7.0): a label
    /// above it is plainly legible, whatever accept does.
    pub contrast_ratio_applies_below: f64,
    /// Reject's button hardly stands out from the dialog below this background contrast: 1.5 …
    pub min_reject_background_contrast: f64,
    /// … when accept's stands out above this: 3.0.
    pub prominent_accept_background_contrast: f64,
    /// Reject's area over accept's at or below this is flagged: 0.5 (half the size or less).
    pub max_reject_to_accept_area_ratio: f64,
    /// Refusing must take at least this many more clicks than accepting to be flagged: 1.
    pub min_extra_clicks_to_reject: u32,
    /// Evidence items listed per finding; the rest are counted in a note: 20.
    pub max_evidence_per_finding: usize,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            min_text_contrast: 4.5,
            min_large_text_contrast: 3.0,
            large_text_px: 24.0,
            large_bold_text_px: 18.66,
            bold_font_weight: 700,
            contrast_ratio_factor: 2.0,
            contrast_ratio_applies_below: 7.0,
            min_reject_background_contrast: 1.5,
            prominent_accept_background_contrast: 3.0,
            max_reject_to_accept_area_ratio: 0.5,
            min_extra_clicks_to_reject: 1,
            max_evidence_per_finding: 20,
        }
    }
}

/// One entry of the finding catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (`tracker-before-consent`, …); the rule's file is the id with underscores.
    pub id: &'static str,
    pub severity: Severity,
    /// Legal basis and guidance, as short references.
    pub basis: &'static [&'static str],
    /// A short title for tables and headings.
    pub title: &'static str,
}

impl RuleInfo {
    /// This rule's finding, with the catalogue's id, severity and basis.
    pub(crate) fn finding(&self, summary: String, evidence: Vec<Evidence>) -> Finding {
        Finding {
            id: self.id.to_string(),
            severity: self.severity,
            summary,
            evidence,
            basis: self.basis.iter().map(|b| b.to_string()).collect(),
        }
    }
}

/// The catalogue, in order.
pub fn rules() -> &'static [RuleInfo] {
    &rules::CATALOGUE
}

/// Runs every rule on `report`; the findings come in catalogue order, at most one per rule.
pub fn judge(report: &SiteReport, config: &JudgeConfig) -> Vec<Finding> {
    let context = rules::RuleContext { report, config };
    rules::RULES
        .iter()
        .filter_map(|rule| (rule.check)(&context))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::test_support::compliant_site;
    use super::*;

    /// The ids and order of DESIGN.md's finding catalogue; changing them breaks readers.
    const CATALOGUE_IDS: [&str; 14] = [
        "tracker-before-consent",
        "cookies-before-consent",
        "tracking-after-reject",
        "no-banner-but-tracking",
        "no-reject-first-layer",
        "pre-ticked-boxes",
        "reject-as-link",
        "reject-low-contrast",
        "reject-smaller-than-accept",
        "reject-needs-more-clicks",
        "sensitive-data-to-third-party",
        "purchase-data-to-third-party",
        "hashed-identifiers-to-third-party",
        "false-anonymity-claim",
    ];

    #[test]
    fn the_catalogue_has_the_stable_ids_in_order() {
        let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
        assert_eq!(ids, CATALOGUE_IDS);
        for rule in rules() {
            assert!(!rule.basis.is_empty(), "{} has no basis", rule.id);
            assert!(!rule.title.is_empty(), "{} has no title", rule.id);
        }
    }

    #[test]
    fn a_compliant_site_has_no_findings() {
        let findings = judge(&compliant_site(), &JudgeConfig::default());
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn findings_carry_the_catalogue_entry() {
        let mut report = compliant_site();
        report.banner = None;
        let mut before = report.phases.before_consent.clone().unwrap_or_default();
        before.requests.push(test_support::tracker_request(
            "https://connect.facebook.net/en_US/fbevents.js",
            "Meta Pixel",
            "advertising",
        ));
        report.phases.before_consent = Some(before);
        let findings = judge(&report, &JudgeConfig::default());
        let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["no-banner-but-tracking"]);
        let info = rules()[3];
        assert_eq!(findings[0].severity, info.severity);
        assert_eq!(findings[0].basis, info.basis);
    }

    #[test]
    fn config_round_trips_and_fills_missing_fields_with_defaults() {
        let partial: JudgeConfig =
            serde_json::from_str(r#"{"min_text_contrast": 3.0}"#).unwrap_or_default();
        assert_eq!(partial.min_text_contrast, 3.0);
        assert_eq!(partial.max_reject_to_accept_area_ratio, 0.5);
    }

    // ---- docs/findings.md, generated from the rules' `//!` comments ----

    /// This file's folder. `file!()` is relative to the crate root in this crate, and absolute
    /// when another crate includes the module by `#[path]`.
    fn judge_dir() -> PathBuf {
        let this_file = Path::new(file!());
        let this_file = if this_file.is_absolute() {
            this_file.to_path_buf()
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(this_file)
        };
        this_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The three parts of a rule's documentation, from its file's leading `//!` lines.
    struct RuleDoc {
        heading: String,
        flags: String,
        why: String,
        example: String,
    }

    fn read_rule_doc(source: &str) -> Result<RuleDoc, String> {
        let mut heading = String::new();
        let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
        for line in source.lines().take_while(|l| l.starts_with("//!")) {
            let line = line.trim_start_matches("//!");
            let line = line.strip_prefix(' ').unwrap_or(line);
            if let Some(title) = line.strip_prefix("# ") {
                heading = title.trim().to_string();
            } else if let Some(title) = line.strip_prefix("## ") {
                sections.push((title.trim().to_string(), Vec::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                body.push(line);
            }
        }
        let mut take = |title: &str| -> Result<String, String> {
            let position = sections
                .iter()
                .position(|(t, _)| t == title)
                .ok_or(format!("no `## {title}` section"))?;
            let (_, body) = sections.remove(position);
            Ok(body.join("\n").trim().to_string())
        };
        Ok(RuleDoc {
            flags: take("What it flags")?,
            why: take("Why it matters")?,
            example: take("Example")?,
            heading,
        })
    }

    fn severity_name(severity: Severity) -> &'static str {
        match severity {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    fn render_findings_reference() -> Result<String, String> {
        let mut out = String::from(
            "# Finding reference\n\n\
             <!-- Generated from the `//!` comments of src/judge/rules/*.rs by the test \
             `judge::tests::findings_reference_is_current`. Do not edit by hand: edit the \
             rule's comment, then run `UPDATE_DOCS=1 cargo test findings_reference`. -->\n\n\
             Each finding has a stable id, a severity, a one-sentence summary naming what was \
             seen, evidence pointing at the proof (requests with their decoded fields, cookies, \
             buttons with their measurements, click steps, checkboxes, terms, claims) and its \
             legal basis.\n\n\
             | id | severity | title | basis |\n|---|---|---|---|\n",
        );
        for rule in rules() {
            out.push_str(&format!(
                "| [`{id}`](#{id}) | {} | {} | {} |\n",
                severity_name(rule.severity),
                rule.title,
                rule.basis.join("; "),
                id = rule.id,
            ));
        }
        out.push_str(
            "\n## Thresholds\n\nEvery threshold is a field of `JudgeConfig`; these are the \
             defaults.\n\n| setting | default |\n|---|---|\n",
        );
        let defaults = serde_json::to_value(JudgeConfig::default()).map_err(|e| e.to_string())?;
        for (name, value) in defaults.as_object().into_iter().flatten() {
            out.push_str(&format!("| `{name}` | {value} |\n"));
        }
        for rule in rules() {
            let file = judge_dir()
                .join("rules")
                .join(format!("{}.rs", rule.id.replace('-', "_")));
            let source =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let doc = read_rule_doc(&source).map_err(|e| format!("{}: {e}", file.display()))?;
            if doc.heading != rule.id {
                return Err(format!(
                    "{}: heading is {:?}, want `# {}`",
                    file.display(),
                    doc.heading,
                    rule.id
                ));
            }
            out.push_str(&format!(
                "\n## {id}\n\n**{title}**. Severity: {severity}. Basis: {basis}.\n\n\
                 ### What it flags\n\n{flags}\n\n### Why it matters\n\n{why}\n\n\
                 ### Example\n\n{example}\n",
                id = rule.id,
                title = rule.title,
                severity = severity_name(rule.severity),
                basis = rule.basis.join("; "),
                flags = doc.flags,
                why = doc.why,
                example = doc.example,
            ));
        }
        Ok(out)
    }

    #[test]
    fn findings_reference_is_current() {
        let rendered = render_findings_reference().unwrap_or_else(|e| panic!("{e}"));
        let path = judge_dir().join("../../docs/findings.md");
        if std::env::var("UPDATE_DOCS").as_deref() == Ok("1") {
            std::fs::write(&path, &rendered)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            return;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == rendered,
            "{} is out of date with the rules' comments; run `UPDATE_DOCS=1 cargo test \
             findings_reference` and commit the result",
            path.display()
        );
    }

    #[test]
    fn every_threshold_is_explained_in_some_rule() {
        let rendered = render_findings_reference().unwrap_or_else(|e| panic!("{e}"));
        let first_rule = format!("\n## {}\n", rules()[0].id);
        let rule_docs = rendered
            .split_once(&first_rule)
            .map(|(_, docs)| docs)
            .unwrap_or_default();
        let defaults = serde_json::to_value(JudgeConfig::default()).unwrap_or_default();
        for name in defaults.as_object().into_iter().flatten().map(|(k, _)| k) {
            if name == "max_evidence_per_finding" {
                continue; // a limit on the report's size, not on what is flagged
            }
            assert!(
                rule_docs.contains(&format!("`{name}`")),
                "no rule's comment explains `{name}`"
            );
        }
    }
}
