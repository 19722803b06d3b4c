//! The evidence report for one site: a single self-contained HTML page (inline CSS, images as
//! data URIs, no scripts, no external requests) that prints to PDF.
//!
//! It reads top to bottom as an inspector's file: what was tested and how, the dialog as the
//! visitor saw it with its measured buttons, the click paths, the findings with their evidence,
//! and per phase the trackers, what each pixel sent, and the cookies.

use std::collections::{BTreeMap, BTreeSet};

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;

use super::format::{self, MISSING};
use super::text::{cell, page_text, Highlighter, CELL_CHARS};
use super::{image_data_uri, Images};
use crate::model::*;

/// The dialog's text can be long (a whole privacy notice); it is shown up to this many characters.
const DIALOG_TEXT_CHARS: usize = 20_000;
const MAX_EVENTS_PER_PHASE: usize = 200;
const MAX_COOKIES_PER_PHASE: usize = 500;
const MAX_TRACKER_ROWS: usize = 200;
const MAX_EVIDENCE_PER_FINDING: usize = 50;
const MAX_ENTRIES_PER_MAP: usize = 100;

/// WCAG 2.1 AA minimum contrast for normal text, and for large text (≥ 24 px, or ≥ 18.66 px bold).
const AA_NORMAL_TEXT: f64 = 4.5;
const AA_LARGE_TEXT: f64 = 3.0;

pub(crate) const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: #1b1f24; background: #fff; margin: 0 auto; max-width: 1120px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 18px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin: 32px 0 12px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
p { margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
table.kv > tbody > tr > th { width: 26%; }
table.inner { margin: 0; }
table.inner th, table.inner td { border-color: #e5e9ee; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
td, .mono, code, .dialog-text { overflow-wrap: anywhere; }
.muted { color: #57606a; }
.fail { color: #b42318; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; background: #6b7280; }
.sev-high { background: #b42318; } .sev-medium { background: #b45309; }
.sev-low { background: #1d4ed8; } .sev-info { background: #6b7280; }
.status-ok { background: #15803d; } .status-error { background: #b42318; }
mark { background: #fde047; color: inherit; padding: 0 1px; }
.dialog-text { white-space: pre-wrap; border-left: 4px solid #d0d7de; padding: 8px 12px;
  background: #f8fafc; unicode-bidi: plaintext; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
figcaption { font-size: 12px; color: #57606a; }
.paths { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.paths > div { border: 1px solid #d0d7de; border-radius: 4px; padding: 8px 12px; }
.finding { border: 1px solid #d0d7de; border-left: 6px solid #6b7280; border-radius: 4px;
  padding: 8px 12px; margin: 12px 0; }
.finding.high { border-left-color: #b42318; } .finding.medium { border-left-color: #b45309; }
.finding.low { border-left-color: #1d4ed8; }
.finding h3 { margin: 0 0 4px; }
ul.evidence { padding-left: 18px; margin: 6px 0; }
ul.evidence > li { margin: 4px 0; }
.event { margin: 10px 0; }
table.inner th { width: 30%; }
footer { margin-top: 40px; font-size: 12px; color: #57606a; border-top: 1px solid #d0d7de;
  padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  section.phase, #findings { break-before: page; }
  tr, .finding, figure, .event, .paths > div { break-inside: avoid; }
  thead { display: table-header-group; }
  .badge, th, mark, .dialog-text { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The evidence report for one site as a complete HTML document.
pub fn site_report_html(report: &SiteReport, images: &Images) -> String {
    let body = match (report.status, &report.error) {
        (Status::Error, error) => error_body(report, error.as_ref()),
        (Status::Ok, _) => ok_body(report, images),
    };
    let title = format!(
        "consentlens report: {}",
        super::text::truncate(&report.url, 200).0
    );
    document(&title, &[STYLE], body).into_string()
}

/// The page around a body: the content security policy forbids scripts and any request, so
/// even markup that escaped escaping could not run or call home.
pub(crate) fn document(title: &str, style_sheets: &[&'static str], body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy"
                    content="default-src 'none'; img-src data:; style-src 'unsafe-inline'";
                meta name="referrer" content="no-referrer";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (cell(title)) }
                // Style sheets are constants of this crate, never page data.
                style { @for sheet in style_sheets { (PreEscaped(sheet)) } }
            }
            body { (body) }
        }
    }
}

fn error_body(report: &SiteReport, error: Option<&ErrorInfo>) -> Markup {
    let provenance = &report.provenance;
    html! {
        header {
            h1 { "Consent evidence report" }
            p.mono { (cell(&report.url)) }
            p { span.badge.status-error { "evaluation failed" } }
        }
        section #error {
            h2 { "The site could not be evaluated" }
            table.kv { tbody {
                tr { th { "URL" } td.mono { (cell(&report.url)) } }
                tr { th { "Error kind" } td { code { (cell(error.map_or("unknown", |e| e.kind.as_str()))) } } }
                tr { th { "Message" } td { (cell(error.map_or(MISSING, |e| e.message.as_str()))) } }
                tr { th { "Started" } td { (format::time(&provenance.started_at)) } }
                tr { th { "Finished" } td { (format::time(&provenance.finished_at)) } }
                tr { th { "Tool" } td { "consentlens " (cell(&provenance.tool_version)) } }
                tr { th { "Browser" } td { (cell(provenance.browser_version.as_deref().unwrap_or("unknown"))) } }
            } }
        }
        (footer(report))
    }
}

fn ok_body(report: &SiteReport, images: &Images) -> Markup {
    let terms = SensitiveTerms::from_findings(&report.findings);
    html! {
        header {
            h1 { "Consent evidence report" }
            p.mono { (cell(&report.url)) }
            p { span.badge.status-ok { "evaluated" } " " (severity_counts(&report.findings)) }
        }
        (summary(report))
        (provenance(&report.provenance))
        (dialog(report, images))
        @if let Some(paths) = &report.click_paths { (click_paths(paths)) }
        (findings(&report.findings))
        @if !report.claims.is_empty() { (claims(&report.claims)) }
        @for name in [PhaseName::BeforeConsent, PhaseName::AfterAccept, PhaseName::AfterReject] {
            (phase(name, phase_of(&report.phases, name), &terms.for_phase(name)))
        }
        @if let Some(states) = &report.consent_state { (consent_states(states)) }
        (metrics(&report.metrics))
        (footer(report))
    }
}

fn phase_of(phases: &Phases, name: PhaseName) -> Option<&Phase> {
    match name {
        PhaseName::BeforeConsent => phases.before_consent.as_ref(),
        PhaseName::AfterAccept => phases.after_accept.as_ref(),
        PhaseName::AfterReject => phases.after_reject.as_ref(),
    }
}

pub(crate) fn phase_title(name: PhaseName) -> &'static str {
    match name {
        PhaseName::BeforeConsent => "Before consent",
        PhaseName::AfterAccept => "After accepting",
        PhaseName::AfterReject => "After rejecting",
    }
}

pub(crate) fn role_label(role: ButtonRole) -> &'static str {
    match role {
        ButtonRole::AcceptAll => "accept all",
        ButtonRole::RejectAll => "reject all",
        ButtonRole::Settings => "settings",
        ButtonRole::Save => "save",
        ButtonRole::Close => "close",
        ButtonRole::Other => "other",
    }
}

pub(crate) fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// Findings ordered most severe first, keeping the judge's order within a severity.
pub(crate) fn by_severity(findings: &[Finding]) -> Vec<&Finding> {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    ordered
}

/// Terms of `sensitive-data-to-third-party` evidence, by the phase they were sent in.
struct SensitiveTerms<'a> {
    by_phase: BTreeMap<PhaseName, BTreeSet<&'a str>>,
}

impl<'a> SensitiveTerms<'a> {
    fn from_findings(findings: &'a [Finding]) -> Self {
        let mut by_phase: BTreeMap<PhaseName, BTreeSet<&str>> = BTreeMap::new();
        for evidence in findings.iter().flat_map(|f| &f.evidence) {
            if let Evidence::Term { phase, term, .. } = evidence {
                by_phase.entry(*phase).or_default().insert(term);
            }
        }
        SensitiveTerms { by_phase }
    }

    fn for_phase(&self, phase: PhaseName) -> Highlighter {
        Highlighter::new(self.by_phase.get(&phase).into_iter().flatten().copied())
    }
}

fn severity_counts(findings: &[Finding]) -> Markup {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.severity).or_default() += 1;
    }
    html! {
        @if findings.is_empty() {
            "no findings"
        } @else {
            @for (severity, n) in counts.iter().rev() {
                span class={ "badge sev-" (severity_label(*severity)) } { (n) " " (severity_label(*severity)) }
                " "
            }
        }
    }
}

fn summary(report: &SiteReport) -> Markup {
    let banner = report.banner.as_ref();
    html! {
        section #summary {
            h2 { "Summary" }
            table.kv { tbody {
                tr { th { "URL as given" } td.mono { (cell(&report.url)) } }
                tr { th { "Final URL" } td.mono { (cell(report.final_url.as_deref().unwrap_or(MISSING))) } }
                tr { th { "HTTP status" } td { (format::optional(report.http_status)) } }
                tr { th { "Page title" } td { (cell(report.title.as_deref().unwrap_or(MISSING))) } }
                tr { th { "Consent dialog" } td {
                    @match banner {
                        None => "none found",
                        Some(banner) => {
                            "found"
                            @if let Some(cmp) = &banner.cmp { ", CMP " code { (cell(cmp)) } }
                            @if let Some(found_by) = &banner.found_by { " (by " (cell(found_by)) ")" }
                        }
                    }
                } }
                tr { th { "Findings" } td { (report.findings.len()) } }
            } }
        }
    }
}

fn provenance(provenance: &Provenance) -> Markup {
    let viewport = &provenance.viewport;
    let duration = (provenance.finished_at - provenance.started_at).num_milliseconds();
    html! {
        section #provenance {
            h2 { "What was tested, and how" }
            table.kv { tbody {
                tr { th { "Tool" } td { "consentlens " (cell(&provenance.tool_version)) } }
                tr { th { "Browser" } td { (cell(provenance.browser_version.as_deref().unwrap_or("unknown"))) } }
                tr { th { "User agent" } td.mono { (cell(provenance.user_agent.as_deref().unwrap_or("unknown"))) } }
                tr { th { "Viewport" } td {
                    (viewport.width) " × " (viewport.height) " CSS px at device scale factor "
                    (format::number(Some(viewport.device_scale_factor), 2))
                } }
                tr { th { "Locale" } td { (cell(&provenance.locale)) } }
                tr { th { "Time zone" } td { (cell(provenance.timezone.as_deref().unwrap_or(MISSING))) } }
                tr { th { "Third-party cookies" } td {
                    @match provenance.third_party_cookies {
                        ThirdPartyCookies::Allowed => "allowed (as in a default desktop profile)",
                        ThirdPartyCookies::Blocked => "blocked",
                    }
                } }
                tr { th { "navigator.webdriver hidden" } td {
                    (provenance.webdriver_hidden.map_or("not checked", format::yes_no))
                } }
                tr { th { "Started" } td { (format::time(&provenance.started_at)) } }
                tr { th { "Finished" } td { (format::time(&provenance.finished_at)) } }
                tr { th { "Duration" } td { (format::duration_ms(duration)) } }
                tr { th { "Timeout / settle time" } td {
                    (provenance.timeout_ms) " ms / " (provenance.settle_ms) " ms"
                } }
                @if !provenance.browser_args.is_empty() {
                    tr { th { "Browser arguments" } td.mono {
                        @for arg in &provenance.browser_args { (cell(arg)) br; }
                    } }
                }
            } }
            h3 { "Tracker lists" }
            @if provenance.tracker_lists.is_empty() {
                p.muted { "No tracker list was used." }
            } @else {
                table {
                    thead { tr { th { "List" } th.num { "Rules" } th { "SHA-256" } } }
                    tbody {
                        @for list in &provenance.tracker_lists {
                            tr {
                                td { (cell(&list.name)) }
                                td.num { (format::count(list.rules as u64)) }
                                td.mono { (cell(&list.sha256)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn dialog(report: &SiteReport, images: &Images) -> Markup {
    let Some(banner) = &report.banner else {
        return html! {
            section #dialog {
                h2 { "The consent dialog" }
                p { "No consent dialog was found." }
                @if let Some(page) = &images.page { (figure(page, "The page as first seen.")) }
            }
        };
    };
    html! {
        section #dialog {
            h2 { "The consent dialog" }
            @if let Some(picture) = images.dialog() {
                (figure(picture, "The dialog as the visitor saw it; boxes mark the buttons measured, \
                    with their role and text contrast."))
            }
            h3 { "Text" }
            div.dialog-text { (page_text(&banner.text, DIALOG_TEXT_CHARS, &Highlighter::none())) }
            table.kv { tbody {
                tr { th { "CMP" } td { (cell(banner.cmp.as_deref().unwrap_or("none recognised (found by heuristic)"))) } }
                tr { th { "Language" } td { (cell(banner.language.as_deref().unwrap_or(MISSING))) } }
                tr { th { "Frame" } td.mono { (cell(banner.frame_url.as_deref().unwrap_or("top-level page"))) } }
                tr { th { "Shadow root" } td { (cell(banner.shadow_root.as_deref().unwrap_or("no"))) } }
                tr { th { "Position" } td { (bbox(&banner.bbox)) } }
                tr { th { "Appeared" } td {
                    @match banner.appeared_after_ms {
                        Some(ms) => { (ms) " ms after load" }
                        None => (MISSING),
                    }
                } }
            } }
            h3 { "Buttons" }
            (buttons(&banner.buttons))
            h3 { "Checkboxes" }
            (checkboxes(&banner.checkboxes))
            @if let Some(page) = &images.page { (figure(page, "The page as first seen.")) }
        }
    }
}

fn figure(bytes: &[u8], caption: &str) -> Markup {
    html! {
        figure {
            img src=(image_data_uri(bytes)) alt=(caption);
            figcaption { (caption) }
        }
    }
}

fn bbox(b: &BBox) -> Markup {
    html! {
        (format::number(Some(b.width), 0)) " × " (format::number(Some(b.height), 0)) " px at ("
        (format::number(Some(b.x), 0)) ", " (format::number(Some(b.y), 0)) ")"
    }
}

/// The WCAG AA threshold that applies to a button's label, by its size and weight.
fn aa_threshold(button: &Button) -> f64 {
    let size = button.font_size_px.unwrap_or(0.0);
    let bold = button.font_weight.unwrap_or(400) >= 700;
    if size >= 24.0 || (bold && size >= 18.66) {
        AA_LARGE_TEXT
    } else {
        AA_NORMAL_TEXT
    }
}

fn contrast_cell(value: Option<f64>, threshold: Option<f64>) -> Markup {
    let fails = matches!((value, threshold), (Some(v), Some(t)) if v < t);
    html! {
        td.num.fail[fails] {
            (format::ratio(value))
            @if fails { br; "below AA " (format::number(threshold, 1)) ":1" }
        }
    }
}

fn buttons(buttons: &[Button]) -> Markup {
    if buttons.is_empty() {
        return html! { p.muted { "No buttons were measured." } };
    }
    html! {
        table {
            thead { tr {
                th { "Role" } th { "Text" } th.num { "Area (px²)" } th.num { "Font size" }
                th { "Link-styled" } th.num { "Text contrast" } th.num { "Background contrast" }
                th { "Note" }
            } }
            tbody {
                @for button in buttons {
                    tr {
                        td { (role_label(button.role)) }
                        td { (cell(&button.text)) }
                        td.num { (format::count(button.area_px.max(0.0).round() as u64)) }
                        td.num {
                            @if let Some(size) = button.font_size_px { (format::number(Some(size), 1)) " px" }
                            @else { (MISSING) }
                            @if let Some(weight) = button.font_weight { br; span.muted { "weight " (weight) } }
                        }
                        td { (format::yes_no(button.is_link_styled)) }
                        (contrast_cell(button.text_contrast, Some(aa_threshold(button))))
                        (contrast_cell(button.background_contrast, None))
                        td {
                            @if let Some(note) = &button.contrast_note { (cell(note)) br; }
                            span.muted {
                                "CSS: " (cell(button.css_color.as_deref().unwrap_or(MISSING)))
                                " on " (cell(button.css_background.as_deref().unwrap_or(MISSING)))
                                @if let Some(css) = button.css_text_contrast { " = " (format::ratio(Some(css))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn checkboxes(checkboxes: &[Checkbox]) -> Markup {
    if checkboxes.is_empty() {
        return html! { p.muted { "No purpose checkboxes or toggles were found." } };
    }
    html! {
        table {
            thead { tr { th { "Label" } th { "Ticked before the visitor acts" } th { "Disabled" } th.num { "Layer" } } }
            tbody {
                @for checkbox in checkboxes {
                    tr {
                        td { (cell(&checkbox.label)) }
                        td.fail[checkbox.checked && !checkbox.disabled] { (format::yes_no(checkbox.checked)) }
                        td { (format::yes_no(checkbox.disabled)) }
                        td.num { (checkbox.layer) }
                    }
                }
            }
        }
    }
}

fn click_paths(paths: &ClickPaths) -> Markup {
    html! {
        section #click-paths {
            h2 { "Click paths" }
            p.muted { "The shortest way found, in fresh browser contexts, to each answer." }
            div.paths {
                (click_path("Accept all", &paths.accept))
                (click_path("Reject all", &paths.reject))
            }
        }
    }
}

fn click_path(title: &str, path: &ClickPath) -> Markup {
    html! {
        div {
            h3 { (title) }
            table.kv { tbody {
                tr { th { "Actions" } td {
                    @match path.clicks { Some(clicks) => (clicks), None => "no way found" }
                } }
                tr { th { "Succeeded" } td { (format::yes_no(path.succeeded)) } }
                tr { th { "Dialog dismissed" } td { (format::yes_no(path.dismissed_banner)) } }
                @if let Some(failure) = &path.failure { tr { th { "Failure" } td { (cell(failure)) } } }
            } }
            @if !path.steps.is_empty() {
                ol {
                    @for step in &path.steps {
                        li {
                            (cell(&step.action)) " “" (cell(&step.text)) "”"
                            span.muted {
                                " (" (role_label(step.role))
                                @if let Some(layer) = step.layer { ", layer " (layer) }
                                ")"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn findings(findings: &[Finding]) -> Markup {
    html! {
        section #findings {
            h2 { "Findings" }
            @if findings.is_empty() {
                p { "No findings." }
            }
            @for finding in by_severity(findings) {
                @let severity = severity_label(finding.severity);
                div class={ "finding " (severity) } {
                    h3 {
                        span class={ "badge sev-" (severity) } { (severity) } " "
                        code { (cell(&finding.id)) }
                    }
                    p { (cell(&finding.summary)) }
                    @if !finding.basis.is_empty() {
                        p.muted {
                            "Basis: "
                            @for (i, basis) in finding.basis.iter().enumerate() {
                                @if i > 0 { "; " }
                                (cell(basis))
                            }
                        }
                    }
                    ul.evidence {
                        @for evidence in finding.evidence.iter().take(MAX_EVIDENCE_PER_FINDING) {
                            li { (evidence_item(evidence)) }
                        }
                        @if finding.evidence.len() > MAX_EVIDENCE_PER_FINDING {
                            li.muted { "… and " (finding.evidence.len() - MAX_EVIDENCE_PER_FINDING) " more" }
                        }
                    }
                }
            }
        }
    }
}

fn vendor_name(vendor: &Option<String>) -> Markup {
    html! { (cell(vendor.as_deref().unwrap_or("an unknown party"))) }
}

fn evidence_item(evidence: &Evidence) -> Markup {
    match evidence {
        Evidence::Request {
            phase,
            url,
            vendor,
            fields,
        } => html! {
            strong { "Request" } " to " (vendor_name(vendor)) span.muted { " (" (phase_title(*phase).to_lowercase()) ")" }
            div.mono { (cell(url)) }
            @if !fields.is_empty() { (json_map_table(fields, &Highlighter::none())) }
        },
        Evidence::Cookie {
            phase,
            name,
            domain,
            vendor,
        } => html! {
            strong { "Cookie" } " " code { (cell(name)) } " on " code { (cell(domain)) }
            @if vendor.is_some() { ", set for " (vendor_name(vendor)) }
            span.muted { " (" (phase_title(*phase).to_lowercase()) ")" }
        },
        Evidence::Button {
            role,
            text,
            bbox: b,
            measures,
        } => html! {
            strong { "Button" } " “" (cell(text)) "” (" (role_label(*role)) "), " (bbox(b))
            @if !measures.is_empty() { (json_map_table(measures, &Highlighter::none())) }
        },
        Evidence::Step {
            path,
            index,
            action,
            text,
        } => html! {
            strong { "Click path" } " " (cell(path)) ", step " (index.saturating_add(1)) ": "
            (cell(action)) " “" (cell(text)) "”"
        },
        Evidence::Checkbox {
            label,
            checked,
            layer,
        } => html! {
            strong { "Checkbox" } " “" (cell(label)) "” "
            (if *checked { "ticked" } else { "not ticked" }) " on layer " (layer)
        },
        Evidence::Term {
            phase,
            category,
            term,
            field,
            value,
            url,
            vendor,
        } => html! {
            strong { "Sensitive term" } " “" mark { (cell(term)) } "” (" (cell(category)) ") in "
            code { (cell(field)) } ", sent to " (vendor_name(vendor))
            span.muted { " (" (phase_title(*phase).to_lowercase()) ")" }
            div.mono { (page_text(value, CELL_CHARS, &Highlighter::new([term.as_str()]))) }
            div.mono.muted { "in " (cell(url)) }
        },
        Evidence::Claim {
            phrase,
            context,
            source,
        } => html! {
            strong { "Claim" } " in the " (cell(source)) ": "
            q { (page_text(context, CELL_CHARS, &Highlighter::new([phrase.as_str()]))) }
        },
        Evidence::Note { text } => html! { (cell(text)) },
    }
}

fn claims(claims: &[Claim]) -> Markup {
    html! {
        section #claims {
            h2 { "What the site tells visitors" }
            table {
                thead { tr { th { "Claim" } th { "Where" } th { "Words" } } }
                tbody {
                    @for claim in claims {
                        tr {
                            td { (cell(&claim.kind)) }
                            td { (cell(&claim.source)) @if let Some(lang) = &claim.language { " (" (cell(lang)) ")" } }
                            td { q { (page_text(&claim.context, CELL_CHARS, &Highlighter::new([claim.phrase.as_str()]))) } }
                        }
                    }
                }
            }
        }
    }
}

/// One row per tracker seen in a phase, with how many requests went to it.
struct TrackerRow<'a> {
    vendor: &'a str,
    entity: Option<&'a str>,
    category: &'a str,
    requests: usize,
}

fn tracker_rows(phase: &Phase) -> Vec<TrackerRow<'_>> {
    let mut counts: BTreeMap<(&str, Option<&str>, &str), usize> = BTreeMap::new();
    for tracker in phase.requests.iter().filter_map(|r| r.tracker.as_ref()) {
        let key = (
            tracker.vendor.as_str(),
            tracker.entity.as_deref(),
            tracker.category.as_str(),
        );
        *counts.entry(key).or_default() += 1;
    }
    let mut rows: Vec<TrackerRow> = counts
        .into_iter()
        .map(|((vendor, entity, category), requests)| TrackerRow {
            vendor,
            entity,
            category,
            requests,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.vendor.cmp(b.vendor))
    });
    rows
}

fn phase(name: PhaseName, phase: Option<&Phase>, terms: &Highlighter) -> Markup {
    let Some(phase) = phase else {
        return html! {
            section.phase id=(name.as_str()) {
                h2 { (phase_title(name)) }
                p.muted { "Not observed." }
            }
        };
    };
    let third_party = phase.requests.iter().filter(|r| r.third_party).count();
    let tracker_requests = phase
        .requests
        .iter()
        .filter(|r| r.tracker.is_some())
        .count();
    let rows = tracker_rows(phase);
    html! {
        section.phase id=(name.as_str()) {
            h2 { (phase_title(name)) }
            p {
                (phase.requests.len()) " requests (" (third_party) " to third parties, "
                (tracker_requests) " to trackers), " (phase.cookies.len()) " cookies, "
                (phase.events.len()) " decoded tracker events."
                @if let Some(reappeared) = phase.banner_reappeared {
                    " The dialog " (if reappeared { "showed again" } else { "did not show again" })
                    " after the reload."
                }
            }
            h3 { "Trackers" }
            @if rows.is_empty() {
                p.muted { "No tracker requests." }
            } @else {
                table {
                    thead { tr { th { "Vendor" } th { "Entity" } th { "Category" } th.num { "Requests" } } }
                    tbody {
                        @for row in rows.iter().take(MAX_TRACKER_ROWS) {
                            tr {
                                td { (cell(row.vendor)) }
                                td { (cell(row.entity.unwrap_or(MISSING))) }
                                td { (cell(row.category)) }
                                td.num { (row.requests) }
                            }
                        }
                    }
                }
                @if rows.len() > MAX_TRACKER_ROWS { p.muted { "… and " (rows.len() - MAX_TRACKER_ROWS) " more trackers." } }
            }
            @if !phase.events.is_empty() {
                h3 { "What the pixels sent" }
                @for event in phase.events.iter().take(MAX_EVENTS_PER_PHASE) { (tracker_event(event, terms)) }
                @if phase.events.len() > MAX_EVENTS_PER_PHASE {
                    p.muted { "… and " (phase.events.len() - MAX_EVENTS_PER_PHASE) " more events." }
                }
            }
            h3 { "Cookies" }
            (cookies(&phase.cookies))
        }
    }
}

fn tracker_event(event: &TrackerEvent, terms: &Highlighter) -> Markup {
    let marked = |s: &str| page_text(s, CELL_CHARS, terms);
    html! {
        div.event {
            table.kv {
                thead { tr { th colspan="2" {
                    (cell(&event.vendor)) " · " (cell(event.event.as_deref().unwrap_or("event without a name")))
                } } }
                tbody {
                    @if let Some(url) = &event.page_url { tr { th { "Page URL" } td.mono { (marked(url)) } } }
                    @if let Some(title) = &event.title { tr { th { "Page title" } td { (marked(title)) } } }
                    @if let Some(referrer) = &event.referrer { tr { th { "Referrer" } td.mono { (marked(referrer)) } } }
                    @if !event.data.is_empty() {
                        tr { th { "Custom data" } td { (json_map_table(&event.data, terms)) } }
                    }
                    @if !event.user_data_fields.is_empty() {
                        tr { th { "Hashed personal data" } td {
                            @for (i, field) in event.user_data_fields.iter().take(MAX_ENTRIES_PER_MAP).enumerate() {
                                @if i > 0 { ", " }
                                code { (cell(field)) }
                            }
                        } }
                    }
                    @if !event.ids.is_empty() {
                        tr { th { "Identifiers" } td { (string_map_table(&event.ids)) } }
                    }
                    @if !event.consent_mode.is_empty() {
                        tr { th { "Consent Mode" } td { (string_map_table(&event.consent_mode)) } }
                    }
                    tr { th { "Request" } td.mono { (marked(&event.request_url)) } }
                }
            }
        }
    }
}

/// Decoded data as a key/value table; strings shown as they are, other values as compact JSON.
fn json_map_table(map: &serde_json::Map<String, Value>, terms: &Highlighter) -> Markup {
    html! {
        table.inner { tbody {
            @for (key, value) in map.iter().take(MAX_ENTRIES_PER_MAP) {
                tr {
                    th.mono { (page_text(key, CELL_CHARS, terms)) }
                    td.mono {
                        @match value {
                            Value::String(s) => (page_text(s, CELL_CHARS, terms)),
                            other => (page_text(&other.to_string(), CELL_CHARS, terms)),
                        }
                    }
                }
            }
            @if map.len() > MAX_ENTRIES_PER_MAP { tr { td colspan="2" { "… and " (map.len() - MAX_ENTRIES_PER_MAP) " more" } } }
        } }
    }
}

fn string_map_table(map: &BTreeMap<String, String>) -> Markup {
    html! {
        table.inner { tbody {
            @for (key, value) in map.iter().take(MAX_ENTRIES_PER_MAP) {
                tr { th.mono { (cell(key)) } td.mono { (cell(value)) } }
            }
            @if map.len() > MAX_ENTRIES_PER_MAP { tr { td colspan="2" { "… and " (map.len() - MAX_ENTRIES_PER_MAP) " more" } } }
        } }
    }
}

fn cookies(cookies: &[Cookie]) -> Markup {
    if cookies.is_empty() {
        return html! { p.muted { "No cookies." } };
    }
    html! {
        table {
            thead { tr {
                th { "Name" } th { "Domain" } th { "Vendor" } th { "Third-party" }
                th { "Identifier" } th { "Expires" } th { "Category" }
            } }
            tbody {
                @for cookie in cookies.iter().take(MAX_COOKIES_PER_PHASE) {
                    tr {
                        td.mono { (cell(&cookie.name)) }
                        td.mono { (cell(&cookie.domain)) }
                        td { (cell(cookie.vendor.as_deref().unwrap_or(MISSING))) }
                        td { (format::yes_no(cookie.third_party)) }
                        td { (format::yes_no(cookie.is_identifier)) }
                        td { (format::expiry(cookie.expires)) }
                        td { (cell(cookie.category.as_deref().unwrap_or(MISSING))) }
                    }
                }
            }
        }
        @if cookies.len() > MAX_COOKIES_PER_PHASE {
            p.muted { "… and " (cookies.len() - MAX_COOKIES_PER_PHASE) " more cookies." }
        }
    }
}

fn consent_states(states: &ConsentStates) -> Markup {
    html! {
        section #consent-state {
            h2 { "What the site stored to remember the answer" }
            div.paths {
                (consent_state("After accepting", states.after_accept.as_ref()))
                (consent_state("After rejecting", states.after_reject.as_ref()))
            }
        }
    }
}

fn consent_state(title: &str, state: Option<&ConsentState>) -> Markup {
    html! {
        div {
            h3 { (title) }
            @match state {
                None => p.muted { "Not observed." },
                Some(state) => table.kv { tbody {
                    tr { th { "Cookies changed" } td {
                        @if state.cookies_changed.is_empty() { (MISSING) } @else { (string_map_table(&state.cookies_changed)) }
                    } }
                    tr { th { "localStorage changed" } td {
                        @if state.local_storage_changed.is_empty() { (MISSING) } @else { (string_map_table(&state.local_storage_changed)) }
                    } }
                    tr { th { "TCF string" } td.mono { (cell(state.tc_string.as_deref().unwrap_or(MISSING))) } }
                    tr { th { "TCF purposes" } td { (number_list(&state.tcf_purposes)) } }
                    tr { th { "TCF vendors" } td { (number_list(&state.tcf_vendors)) } }
                    tr { th { "Consent Mode (gcs)" } td {
                        @if state.consent_mode.is_empty() { (MISSING) }
                        @for (i, mode) in state.consent_mode.iter().take(MAX_ENTRIES_PER_MAP).enumerate() {
                            @if i > 0 { ", " } code { (cell(mode)) }
                        }
                    } }
                } },
            }
        }
    }
}

fn number_list(numbers: &[u32]) -> String {
    if numbers.is_empty() {
        return MISSING.to_string();
    }
    let shown: Vec<String> = numbers
        .iter()
        .take(MAX_ENTRIES_PER_MAP)
        .map(u32::to_string)
        .collect();
    let more = numbers.len().saturating_sub(MAX_ENTRIES_PER_MAP);
    if more > 0 {
        format!("{} … and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// All metrics, read from the serialised struct so that a new metric shows up without edits.
fn metrics(metrics: &Metrics) -> Markup {
    let values = match serde_json::to_value(metrics) {
        Ok(Value::Object(values)) => values,
        _ => serde_json::Map::new(),
    };
    html! {
        section #metrics {
            h2 { "Metrics" }
            table.kv { tbody {
                @for (name, value) in &values {
                    tr {
                        th { (name.replace('_', " ")) }
                        td.num {
                            @match value {
                                Value::Null => (MISSING),
                                Value::Number(n) if n.is_f64() => (format::number(n.as_f64(), 3)),
                                other => (other.to_string()),
                            }
                        }
                    }
                }
            } }
        }
    }
}

fn footer(report: &SiteReport) -> Markup {
    html! {
        footer {
            "Measured with consentlens " (cell(&report.provenance.tool_version))
            "; result document schema version " (report.schema_version)
            ". Times are UTC. Page-derived text is shown as the page sent it, with invisible control \
             characters written as ⟨U+…⟩."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{
        error_report, full_report, hostile_report, HOSTILE, SENSITIVE_TERM,
    };

    fn no_images() -> Images {
        Images::default()
    }

    /// The markup outside of text nodes and attribute values: what a browser would parse as tags.
    fn tags(html: &str) -> Vec<&str> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let after = &rest[start..];
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            tags.push(&after[..end]);
            rest = &after[end..];
        }
        tags
    }

    #[test]
    fn a_full_report_shows_every_part_of_the_evidence() {
        let report = full_report();
        let html = site_report_html(&report, &no_images());
        assert!(html.starts_with("<!DOCTYPE html>"));
        for expected in [
            "What was tested, and how",
            "Chromium/156.0.7502.3",
            "nb-NO",
            "Europe/Oslo",
            "allowed (as in a default desktop profile)",
            "easyprivacy",
            "3b8e5f0a9c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f",
            "Godta alle",
            "2.32:1",
            "below AA 4.5:1",
            "Statistikk",
            "Lagre valg",
            "sensitive-data-to-third-party",
            "GDPR Art. 9(1)",
            "Meta Platforms",
            "AddToCart",
            "content_name",
            "fb.1.1748855645250.987654321",
            "_fbp",
            "2025-08-31",
            "G-ABC123XYZ",
            "CQRemYAQRemYAAHABBENBsFgAP_gAEPgAAAAKZtV",
            "clicks to reject",
        ] {
            assert!(html.contains(expected), "missing {expected:?}");
        }
        // Findings are ordered most severe first.
        let high = html
            .find("sensitive-data-to-third-party")
            .expect("high finding");
        let info = html
            .find("hashed-identifiers-to-third-party")
            .expect("info finding");
        assert!(high < info);
        // No scripts, no external resources.
        assert!(!html.contains("<script"));
        assert!(!html.contains("src=\"http"));
        assert!(!html.contains("href=\"http"));
    }

    #[test]
    fn sensitive_terms_are_marked_in_what_the_pixels_sent() {
        let html = site_report_html(&full_report(), &no_images());
        // The product name in the decoded cart data.
        assert!(html.contains("Clearblue <mark>Graviditetstest</mark>"));
        // The page URL and title the pixel reported, where the term is in lower case.
        assert!(html.contains(
            "https://www.nettapotek.example/graviditet/clearblue-<mark>graviditetstest</mark>"
        ));
        assert!(html.contains("Clearblue <mark>graviditetstest</mark> – Nettapotek"));
        // Terms are only marked in the phase they were found in: after accepting, the same
        // URL is shown unmarked.
        let after_accept = html
            .find("id=\"after_accept\"")
            .expect("after-accept section");
        let after_reject = html
            .find("id=\"after_reject\"")
            .expect("after-reject section");
        let section = &html[after_accept..after_reject];
        assert!(section.contains("clearblue-graviditetstest"));
        assert!(!section.contains("<mark>"));
        assert!(html.contains(&format!("<mark>{SENSITIVE_TERM}</mark>")));
    }

    #[test]
    fn images_are_embedded_as_data_uris() {
        let images = Images {
            banner: Some(b"\x89PNGbanner".to_vec()),
            annotated: Some(b"\x89PNGannotated".to_vec()),
            page: Some(b"\x89PNGpage".to_vec()),
        };
        let html = site_report_html(&full_report(), &images);
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        assert!(html.contains(&format!(
            "data:image/png;base64,{}",
            b64(b"\x89PNGannotated")
        )));
        assert!(html.contains(&format!("data:image/png;base64,{}", b64(b"\x89PNGpage"))));
        // The plain dialog screenshot is not shown when the annotated one is there.
        assert!(!html.contains(&b64(b"\x89PNGbanner")));
    }

    #[test]
    fn an_error_report_is_a_short_page_with_the_error() {
        let html = site_report_html(&error_report(), &no_images());
        assert!(html.contains("The site could not be evaluated"));
        assert!(html.contains("<code>dns</code>"));
        assert!(html.contains("net::ERR_NAME_NOT_RESOLVED"));
        assert!(!html.contains("Findings"));
        assert!(html.len() < full_report_len() / 3);
    }

    fn full_report_len() -> usize {
        site_report_html(&full_report(), &no_images()).len()
    }

    #[test]
    fn hostile_text_is_shown_as_text() {
        let html = site_report_html(&hostile_report(), &no_images());
        let escaped =
            "&lt;img src=x onerror=alert(1)&gt;&lt;/style&gt;&lt;script&gt;alert(2)&lt;/script&gt;";
        assert!(html.contains(escaped));
        assert!(!html.contains(HOSTILE));
        // The bidi override and the other controls are written out, never emitted raw.
        assert!(html.contains("Avvis⟨U+202E⟩alle⟨U+0007⟩⟨U+0000⟩⟨U+2066⟩x⟨U+2069⟩"));
        for raw in ['\u{202E}', '\u{0007}', '\u{0000}', '\u{2066}'] {
            assert!(!html.contains(raw), "raw {raw:?} in the output");
        }
        for tag in tags(&html) {
            let lower = tag.to_ascii_lowercase();
            assert!(!lower.starts_with("<script"), "script tag: {tag}");
            assert!(!lower.starts_with("<img src=x"), "injected image: {tag}");
            assert!(!lower.contains("onerror"), "event handler attribute: {tag}");
            assert!(!lower.starts_with("</style") || tag == "</style>", "{tag}");
        }
        // Exactly one style element: the page's `</style>` did not close ours early.
        assert_eq!(html.matches("</style>").count(), 1);
        // The sensitive term is still marked inside the hostile value, and the markup around
        // it stays escaped.
        assert!(html.contains("&lt;/script&gt; <mark>graviditet</mark> Avvis⟨U+202E⟩"));
    }

    #[test]
    fn huge_page_text_is_bounded() {
        let mut report = full_report();
        let huge = "ø".repeat(1_000_000);
        if let Some(banner) = report.banner.as_mut() {
            banner.text = huge.clone();
        }
        report.title = Some(huge);
        let html = site_report_html(&report, &no_images());
        assert!(html.len() < 400_000, "{} bytes", html.len());
        assert!(html.contains("more bytes not shown]"));
    }

    #[test]
    fn missing_phases_say_so() {
        let mut report = full_report();
        report.phases.after_reject = None;
        report.click_paths = None;
        let html = site_report_html(&report, &no_images());
        let after_reject = html.find("id=\"after_reject\"").expect("section");
        assert!(html[after_reject..].contains("Not observed."));
        assert!(!html.contains("Click paths"));
    }

    #[test]
    fn large_text_is_judged_against_the_large_text_threshold() {
        let mut button = full_report().banner.expect("banner").buttons[0].clone();
        button.font_size_px = Some(24.0);
        assert_eq!(aa_threshold(&button), AA_LARGE_TEXT);
        button.font_size_px = Some(19.0);
        button.font_weight = Some(700);
        assert_eq!(aa_threshold(&button), AA_LARGE_TEXT);
        button.font_weight = Some(400);
        assert_eq!(aa_threshold(&button), AA_NORMAL_TEXT);
    }
}
