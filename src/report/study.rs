//! The study report across many sites, built one site at a time.
//!
//! [`StudyStats`] keeps counts and fixed-bin histograms only, never the sites, so a study of
//! 100,000 sites needs a few kilobytes plus one entry per distinct vendor. Partial statistics
//! (one per worker or per store shard) combine with [`StudyStats::merge`]; they serialise, so a
//! worker can send them back as JSON.

use std::collections::{BTreeMap, BTreeSet};

use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::format::{self, MISSING};
use super::html::{document, phase_title, STYLE};
use super::text::{cell, page_text, Highlighter};
use crate::model::*;

/// Key under which dialogs found by the heuristic (no known CMP) are counted.
pub const HEURISTIC_CMP: &str = "(heuristic)";
/// Key under which vendors beyond [`MAX_VENDORS`] are counted (one per vendor and site, so it
/// can exceed the number of sites).
pub const OTHER_VENDORS: &str = "(other vendors)";
/// Distinct vendors kept by name; list-only matches are named by domain, so there can be many.
pub const MAX_VENDORS: usize = 50_000;

/// WCAG 2.1 AA contrast for normal text: the line drawn on contrast histograms.
const AA_CONTRAST: f64 = 4.5;
/// Rows shown in the vendor chart and table.
const VENDORS_SHOWN: usize = 40;
/// Characters of a label drawn in a chart.
const LABEL_CHARS: usize = 34;

/// How the inline SVG charts look; shapes carry only their geometry and a class.
const CHART_STYLE: &str = r#"
figure.chart svg { max-width: 100%; height: auto; }
figure.chart text { font-size: 11px; fill: #57606a; }
figure.chart text.label, figure.chart text.value { fill: #1b1f24; }
figure.chart text.label { font-size: 12px; }
figure.chart text.bin { font-size: 10px; }
figure.chart .middle { text-anchor: middle; }
figure.chart .end { text-anchor: end; }
figure.chart line.grid { stroke: #e5e9ee; }
figure.chart line.axis { stroke: #1b1f24; }
figure.chart rect.bar { fill: #1d4ed8; }
figure.chart line.marker { stroke: #b42318; stroke-dasharray: 4 3; }
figure.chart text.marker { fill: #b42318; }
"#;

/// Counts and distributions across the sites of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyStats {
    pub sites: u64,
    pub sites_ok: u64,
    /// Failed evaluations by `error.kind`.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Evaluated sites where no consent dialog was found.
    pub sites_without_dialog: u64,
    /// Evaluated sites with a dialog, by CMP id ([`HEURISTIC_CMP`] when none was recognised).
    pub dialogs_by_cmp: BTreeMap<String, u64>,
    /// Sites with at least one finding of each id.
    pub sites_by_finding: BTreeMap<String, u64>,
    /// Per vendor, the number of sites where it fired in each phase.
    pub vendors: BTreeMap<String, VendorCounts>,
    pub reject_text_contrast: Histogram,
    pub accept_text_contrast: Histogram,
    pub reject_to_accept_area_ratio: Histogram,
    /// Clicks to reject minus clicks to accept, where both answers were reached.
    pub extra_clicks_to_reject: Histogram,
    /// Sites with a dialog where accepting was possible but no way to reject was found.
    pub sites_without_reject_path: u64,
}

/// Number of sites on which one vendor fired, by phase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCounts {
    pub entity: Option<String>,
    pub before_consent: u64,
    pub after_accept: u64,
    pub after_reject: u64,
}

/// A histogram with fixed, equal-width bins. The first bin also holds everything below it and
/// the last everything above it, so no value is dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower edge of the first bin.
    pub lower: f64,
    pub bin_width: f64,
    pub counts: Vec<u64>,
    /// Whether the values are whole numbers (bins are then labelled by their centre).
    pub discrete: bool,
    pub count: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Histogram {
    pub fn new(lower: f64, bin_width: f64, bins: usize, discrete: bool) -> Self {
        Histogram {
            lower,
            bin_width,
            counts: vec![0; bins.max(1)],
            discrete,
            count: 0,
            sum: 0.0,
            min: None,
            max: None,
        }
    }

    fn bin_of(&self, value: f64) -> usize {
        let last = self.counts.len().saturating_sub(1);
        // Rounded before the floor so that a value on an edge (0.3 in tenths) lands in the bin
        // that starts there, not in the one before it.
        let position = (((value - self.lower) / self.bin_width * 1e9).round() / 1e9).floor();
        if position.is_nan() || position < 0.0 {
            0
        } else {
            // Saturating cast, then clamped into the last bin.
            (position as usize).min(last)
        }
    }

    /// Adds `n` observations of `value`; non-finite values are ignored.
    pub fn add_n(&mut self, value: f64, n: u64) {
        if !value.is_finite() || n == 0 {
            return;
        }
        let bin = self.bin_of(value);
        // A histogram read back from JSON may have no bins at all.
        let Some(slot) = self.counts.get_mut(bin) else {
            return;
        };
        *slot += n;
        self.count += n;
        self.sum += value * n as f64;
        self.min = Some(self.min.map_or(value, |m| m.min(value)));
        self.max = Some(self.max.map_or(value, |m| m.max(value)));
    }

    pub fn add(&mut self, value: f64) {
        self.add_n(value, 1);
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// Lower edge of bin `i`, rounded so that `0.1 * 3` reads `0.3`.
    fn edge(&self, i: usize) -> f64 {
        let edge = self.lower + i as f64 * self.bin_width;
        (edge * 1e9).round() / 1e9
    }

    /// `[from, to)` of bin `i`; `None` for the open ends.
    pub fn bin_range(&self, i: usize) -> (Option<f64>, Option<f64>) {
        let first = i == 0;
        let last = i + 1 >= self.counts.len();
        (
            (!first).then(|| self.edge(i)),
            (!last).then(|| self.edge(i + 1)),
        )
    }

    /// Observations below `x`, exact when `x` is a bin edge (as the WCAG thresholds are for
    /// the contrast histograms).
    pub fn count_below(&self, x: f64) -> u64 {
        (0..self.counts.len())
            .filter(|&i| self.edge(i + 1) <= x)
            .map(|i| self.counts[i])
            .sum()
    }

    /// Adds another histogram's observations. With the same bins this is exact; otherwise each
    /// bin is re-added at its centre.
    pub fn merge(&mut self, other: &Histogram) {
        let same_bins = self.lower == other.lower
            && self.bin_width == other.bin_width
            && self.counts.len() == other.counts.len();
        if same_bins {
            for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
                *mine += theirs;
            }
            self.count += other.count;
            self.sum += other.sum;
            self.min = [self.min, other.min].into_iter().flatten().reduce(f64::min);
            self.max = [self.max, other.max].into_iter().flatten().reduce(f64::max);
        } else {
            for (i, &n) in other.counts.iter().enumerate() {
                let centre = other.lower + (i as f64 + 0.5) * other.bin_width;
                self.add_n(centre, n);
            }
        }
    }

    /// The label of bin `i`: its centre for whole numbers, else its range.
    fn label(&self, i: usize) -> String {
        let (from, to) = self.bin_range(i);
        if self.discrete {
            let centre = self.lower + (i as f64 + 0.5) * self.bin_width;
            return match (from, to) {
                (None, Some(_)) => format!("≤ {centre:.0}"),
                (Some(_), None) => format!("≥ {centre:.0}"),
                _ => format!("{centre:.0}"),
            };
        }
        match (from, to) {
            (None, Some(to)) => format!("< {}", trim_number(to)),
            (Some(from), None) => format!("≥ {}", trim_number(from)),
            (Some(from), Some(to)) => format!("{}–{}", trim_number(from), trim_number(to)),
            (None, None) => "all".to_string(),
        }
    }

    fn to_json(&self) -> Value {
        let bins: Vec<Value> = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                let (from, to) = self.bin_range(i);
                json!({ "from": from, "to": to, "count": count })
            })
            .collect();
        json!({
            "count": self.count,
            "mean": self.mean(),
            "min": self.min,
            "max": self.max,
            "bins": bins,
        })
    }
}

/// `1.5` stays `1.5`, `2.0` becomes `2`.
fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Default for StudyStats {
    fn default() -> Self {
        StudyStats {
            sites: 0,
            sites_ok: 0,
            errors_by_kind: BTreeMap::new(),
            sites_without_dialog: 0,
            dialogs_by_cmp: BTreeMap::new(),
            sites_by_finding: BTreeMap::new(),
            vendors: BTreeMap::new(),
            // Half-unit bins from 1:1 to 21:1, so 3:1 and 4.5:1 are bin edges.
            reject_text_contrast: Histogram::new(1.0, 0.5, 40, false),
            accept_text_contrast: Histogram::new(1.0, 0.5, 40, false),
            // Tenths from 0 to 2: below 1 the reject button is the smaller one.
            reject_to_accept_area_ratio: Histogram::new(0.0, 0.1, 20, false),
            // Whole clicks from ≤ -3 to ≥ 8.
            extra_clicks_to_reject: Histogram::new(-3.5, 1.0, 12, true),
            sites_without_reject_path: 0,
        }
    }
}

/// Vendors that fired in a phase: those of tracker requests and decoded events.
fn vendors_in(phase: Option<&Phase>) -> BTreeSet<&str> {
    let Some(phase) = phase else {
        return BTreeSet::new();
    };
    let from_requests = phase
        .requests
        .iter()
        .filter_map(|r| r.tracker.as_ref())
        .map(|t| t.vendor.as_str());
    let from_events = phase.events.iter().map(|e| e.vendor.as_str());
    from_requests.chain(from_events).collect()
}

fn entity_of<'a>(report: &'a SiteReport, vendor: &str) -> Option<&'a str> {
    report
        .phases
        .iter()
        .flat_map(|(_, phase)| &phase.requests)
        .filter_map(|request| request.tracker.as_ref())
        .find(|tracker| tracker.vendor == vendor)
        .and_then(|tracker| tracker.entity.as_deref())
}

impl StudyStats {
    pub fn new() -> Self {
        StudyStats::default()
    }

    /// Counts one site's result.
    pub fn add(&mut self, report: &SiteReport) {
        self.sites += 1;
        if report.status == Status::Error {
            let kind = report.error.as_ref().map_or("unknown", |e| e.kind.as_str());
            *self.errors_by_kind.entry(kind.to_string()).or_default() += 1;
            return;
        }
        self.sites_ok += 1;

        match &report.banner {
            None => self.sites_without_dialog += 1,
            Some(banner) => {
                let cmp = banner.cmp.as_deref().unwrap_or(HEURISTIC_CMP);
                *self.dialogs_by_cmp.entry(cmp.to_string()).or_default() += 1;
            }
        }

        let finding_ids: BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        for id in finding_ids {
            *self.sites_by_finding.entry(id.to_string()).or_default() += 1;
        }

        let phases = &report.phases;
        let fired = [
            (
                PhaseName::BeforeConsent,
                vendors_in(phases.before_consent.as_ref()),
            ),
            (
                PhaseName::AfterAccept,
                vendors_in(phases.after_accept.as_ref()),
            ),
            (
                PhaseName::AfterReject,
                vendors_in(phases.after_reject.as_ref()),
            ),
        ];
        for (phase, vendors) in &fired {
            for vendor in vendors {
                let counts = self.vendor_entry(report, vendor);
                match phase {
                    PhaseName::BeforeConsent => counts.before_consent += 1,
                    PhaseName::AfterAccept => counts.after_accept += 1,
                    PhaseName::AfterReject => counts.after_reject += 1,
                }
            }
        }

        let metrics = &report.metrics;
        if let Some(contrast) = metrics.reject_text_contrast {
            self.reject_text_contrast.add(contrast);
        }
        if let Some(contrast) = metrics.accept_text_contrast {
            self.accept_text_contrast.add(contrast);
        }
        if let Some(ratio) = metrics.reject_to_accept_area_ratio {
            self.reject_to_accept_area_ratio.add(ratio);
        }
        match (metrics.clicks_to_accept, metrics.clicks_to_reject) {
            (Some(accept), Some(reject)) => {
                self.extra_clicks_to_reject
                    .add(f64::from(reject) - f64::from(accept));
            }
            (Some(_), None) if report.banner.is_some() => self.sites_without_reject_path += 1,
            _ => {}
        }
    }

    fn vendor_entry(&mut self, report: &SiteReport, vendor: &str) -> &mut VendorCounts {
        let key = if self.vendors.contains_key(vendor) || self.vendors.len() < MAX_VENDORS {
            vendor
        } else {
            OTHER_VENDORS
        };
        self.vendors
            .entry(key.to_string())
            .or_insert_with(|| VendorCounts {
                entity: (key == vendor)
                    .then(|| entity_of(report, vendor))
                    .flatten()
                    .map(str::to_string),
                ..VendorCounts::default()
            })
    }

    /// Adds the counts of another part of the same study.
    pub fn merge(&mut self, other: &StudyStats) {
        fn add_counts(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
            for (key, n) in from {
                *into.entry(key.clone()).or_default() += n;
            }
        }
        self.sites += other.sites;
        self.sites_ok += other.sites_ok;
        add_counts(&mut self.errors_by_kind, &other.errors_by_kind);
        self.sites_without_dialog += other.sites_without_dialog;
        add_counts(&mut self.dialogs_by_cmp, &other.dialogs_by_cmp);
        add_counts(&mut self.sites_by_finding, &other.sites_by_finding);
        for (vendor, theirs) in &other.vendors {
            let key = if self.vendors.contains_key(vendor) || self.vendors.len() < MAX_VENDORS {
                vendor.as_str()
            } else {
                OTHER_VENDORS
            };
            let mine = self.vendors.entry(key.to_string()).or_default();
            if mine.entity.is_none() {
                mine.entity.clone_from(&theirs.entity);
            }
            mine.before_consent += theirs.before_consent;
            mine.after_accept += theirs.after_accept;
            mine.after_reject += theirs.after_reject;
        }
        self.reject_text_contrast.merge(&other.reject_text_contrast);
        self.accept_text_contrast.merge(&other.accept_text_contrast);
        self.reject_to_accept_area_ratio
            .merge(&other.reject_to_accept_area_ratio);
        self.extra_clicks_to_reject
            .merge(&other.extra_clicks_to_reject);
        self.sites_without_reject_path += other.sites_without_reject_path;
    }

    /// Sites with a dialog.
    fn sites_with_dialog(&self) -> u64 {
        self.dialogs_by_cmp.values().sum()
    }

    /// Vendors ordered by the number of sites where they fired before consent, then after reject.
    fn vendors_ranked(&self) -> Vec<(&String, &VendorCounts)> {
        let mut ranked: Vec<_> = self.vendors.iter().collect();
        ranked.sort_by(|(a_name, a), (b_name, b)| {
            (b.before_consent, b.after_reject, b.after_accept)
                .cmp(&(a.before_consent, a.after_reject, a.after_accept))
                .then_with(|| a_name.cmp(b_name))
        });
        ranked
    }

    /// The same numbers as [`to_html`](Self::to_html), as JSON.
    pub fn to_json(&self) -> Value {
        let vendors: Vec<Value> = self
            .vendors_ranked()
            .into_iter()
            .map(|(vendor, counts)| {
                json!({
                    "vendor": vendor,
                    "entity": counts.entity,
                    "before_consent": counts.before_consent,
                    "after_accept": counts.after_accept,
                    "after_reject": counts.after_reject,
                })
            })
            .collect();
        let mut reject_contrast = self.reject_text_contrast.to_json();
        reject_contrast["below_aa"] = json!(self.reject_text_contrast.count_below(AA_CONTRAST));
        let mut accept_contrast = self.accept_text_contrast.to_json();
        accept_contrast["below_aa"] = json!(self.accept_text_contrast.count_below(AA_CONTRAST));
        json!({
            "sites": {
                "total": self.sites,
                "ok": self.sites_ok,
                "error": self.sites.saturating_sub(self.sites_ok),
                "errors_by_kind": self.errors_by_kind,
            },
            "dialogs": {
                "with_dialog": self.sites_with_dialog(),
                "without_dialog": self.sites_without_dialog,
                "by_cmp": self.dialogs_by_cmp,
                "without_reject_path": self.sites_without_reject_path,
            },
            "findings": self.sites_by_finding,
            "vendors": vendors,
            "distributions": {
                "reject_text_contrast": reject_contrast,
                "accept_text_contrast": accept_contrast,
                "reject_to_accept_area_ratio": self.reject_to_accept_area_ratio.to_json(),
                "extra_clicks_to_reject": self.extra_clicks_to_reject.to_json(),
            },
        })
    }

    /// The study report: tables and inline SVG charts in one self-contained HTML page.
    pub fn to_html(&self, title: &str) -> String {
        let ok = self.sites_ok;
        let body = html! {
            header {
                h1 { (page_text(title, 300, &Highlighter::none())) }
                p { (format::count(self.sites)) " sites: " (format::count(ok)) " evaluated, "
                    (format::count(self.sites.saturating_sub(ok))) " failed." }
            }
            (self.sites_section())
            (self.dialogs_section())
            (self.findings_section())
            (self.vendors_section())
            (self.distributions_section())
            footer {
                "Made by consentlens from " (format::count(self.sites)) " site results. \
                 Shares are of the sites evaluated without error unless said otherwise."
            }
        };
        document(title, &[STYLE, CHART_STYLE], body).into_string()
    }

    fn sites_section(&self) -> Markup {
        let failed = self.sites.saturating_sub(self.sites_ok);
        let errors = most_first(&self.errors_by_kind);
        html! {
            section #sites {
                h2 { "Sites" }
                table.kv { tbody {
                    tr { th { "Sites" } td.num { (format::count(self.sites)) } }
                    tr { th { "Evaluated" } td.num { (count_and_share(self.sites_ok, self.sites)) } }
                    tr { th { "Failed" } td.num { (count_and_share(failed, self.sites)) } }
                } }
                @if !errors.is_empty() {
                    h3 { "Failures by kind" }
                    (bar_chart("Failed evaluations by error kind", &errors, self.sites))
                }
            }
        }
    }

    fn dialogs_section(&self) -> Markup {
        let cmps = most_first(&self.dialogs_by_cmp);
        let with_dialog = self.sites_with_dialog();
        html! {
            section #dialogs {
                h2 { "Consent dialogs" }
                table.kv { tbody {
                    tr { th { "With a dialog" } td.num { (count_and_share(with_dialog, self.sites_ok)) } }
                    tr { th { "Without a dialog" } td.num {
                        (count_and_share(self.sites_without_dialog, self.sites_ok))
                    } }
                    tr { th { "No way to reject found (share of dialogs)" } td.num {
                        (count_and_share(self.sites_without_reject_path, with_dialog))
                    } }
                } }
                @if !cmps.is_empty() {
                    h3 { "Dialogs by CMP" }
                    (bar_chart("Sites by consent management platform", &cmps, self.sites_ok))
                    (count_table("CMP", &cmps, self.sites_ok))
                }
            }
        }
    }

    fn findings_section(&self) -> Markup {
        let findings = most_first(&self.sites_by_finding);
        html! {
            section #findings {
                h2 { "Findings" }
                @if findings.is_empty() {
                    p { "No findings." }
                } @else {
                    (bar_chart("Sites with each finding", &findings, self.sites_ok))
                    (count_table("Finding", &findings, self.sites_ok))
                }
            }
        }
    }

    fn vendors_section(&self) -> Markup {
        let ranked = self.vendors_ranked();
        let before: Vec<(&str, u64)> = ranked
            .iter()
            .filter(|(_, c)| c.before_consent > 0)
            .take(VENDORS_SHOWN)
            .map(|(v, c)| (v.as_str(), c.before_consent))
            .collect();
        let mut after_reject: Vec<(&str, u64)> = ranked
            .iter()
            .filter(|(_, c)| c.after_reject > 0)
            .map(|(v, c)| (v.as_str(), c.after_reject))
            .collect();
        after_reject.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        after_reject.truncate(VENDORS_SHOWN);
        html! {
            section #vendors {
                h2 { "Trackers" }
                p.muted {
                    (format::count(self.vendors.len() as u64))
                    " distinct vendors fired on at least one site."
                }
                @if !before.is_empty() {
                    h3 { (phase_title(PhaseName::BeforeConsent)) }
                    (bar_chart("Sites where each vendor fired before any choice", &before,
                        self.sites_ok))
                }
                @if !after_reject.is_empty() {
                    h3 { (phase_title(PhaseName::AfterReject)) }
                    (bar_chart("Sites where each vendor fired after “reject all”", &after_reject,
                        self.sites_ok))
                }
                @if !ranked.is_empty() {
                    table {
                        thead { tr {
                            th { "Vendor" } th { "Entity" } th.num { "Before consent" }
                            th.num { "After accepting" } th.num { "After rejecting" }
                        } }
                        tbody {
                            @for (vendor, counts) in ranked.iter().take(VENDORS_SHOWN * 5) {
                                tr {
                                    td { (cell(vendor)) }
                                    td { (cell(counts.entity.as_deref().unwrap_or(MISSING))) }
                                    td.num { (format::count(counts.before_consent)) }
                                    td.num { (format::count(counts.after_accept)) }
                                    td.num { (format::count(counts.after_reject)) }
                                }
                            }
                        }
                    }
                    @if ranked.len() > VENDORS_SHOWN * 5 {
                        p.muted {
                            "… and " (format::count((ranked.len() - VENDORS_SHOWN * 5) as u64))
                            " more vendors in the JSON."
                        }
                    }
                }
            }
        }
    }

    fn distributions_section(&self) -> Markup {
        html! {
            section #distributions {
                h2 { "How dialogs nudge" }
                (histogram_figure("Text contrast of the reject button", "WCAG contrast ratio (:1)",
                    &self.reject_text_contrast, Some((AA_CONTRAST, "AA 4.5")), Some(AA_CONTRAST)))
                (histogram_figure("Text contrast of the accept button", "WCAG contrast ratio (:1)",
                    &self.accept_text_contrast, Some((AA_CONTRAST, "AA 4.5")), Some(AA_CONTRAST)))
                (histogram_figure("Area of the reject button relative to accept", "reject area ÷ accept area",
                    &self.reject_to_accept_area_ratio, Some((1.0, "equal")), None))
                (histogram_figure("Extra clicks needed to reject", "clicks to reject − clicks to accept",
                    &self.extra_clicks_to_reject, Some((0.0, "equal")), None))
            }
        }
    }
}

/// Counts by key, largest first, ties by key.
fn most_first(counts: &BTreeMap<String, u64>) -> Vec<(&str, u64)> {
    let mut sorted: Vec<(&str, u64)> = counts.iter().map(|(k, &n)| (k.as_str(), n)).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    sorted
}

/// `1 234 (12.3 %)`.
fn count_and_share(part: u64, whole: u64) -> String {
    format!("{} ({})", format::count(part), share(part, whole))
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return MISSING.to_string();
    }
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

fn count_table(what: &str, rows: &[(&str, u64)], whole: u64) -> Markup {
    html! {
        table {
            thead { tr { th { (what) } th.num { "Sites" } th.num { "Share" } } }
            tbody {
                @for (name, n) in rows {
                    tr {
                        td { (cell(name)) }
                        td.num { (format::count(*n)) }
                        td.num { (share(*n, whole)) }
                    }
                }
            }
        }
    }
}

/// A round step for about `target` ticks up to `max`: 1, 2 or 5 times a power of ten.
fn tick_step(max: f64, target: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || max.is_infinite() {
        return 1.0;
    }
    let raw = max / target;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude);
    // Counts are whole numbers: never a fractional step.
    step.max(1.0)
}

// Inside inline SVG the HTML parser knows no void elements: every SVG element is written with
// an explicit end tag (`line … {}`), or it would swallow the elements after it.

/// SVG coordinates with one decimal.
fn px(x: f64) -> String {
    format!("{x:.1}")
}

/// A horizontal bar chart of counts with an x axis of sites and labelled bars.
fn bar_chart(title: &str, bars: &[(&str, u64)], whole: u64) -> Markup {
    const WIDTH: f64 = 760.0;
    const LABEL_WIDTH: f64 = 250.0;
    const RIGHT: f64 = 90.0;
    const TOP: f64 = 8.0;
    const ROW: f64 = 20.0;
    const AXIS: f64 = 34.0;
    let plot_width = WIDTH - LABEL_WIDTH - RIGHT;
    let height = TOP + ROW * bars.len() as f64 + AXIS;
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let step = tick_step(max, 5.0);
    let ticks: Vec<f64> = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= max)
        .collect();
    let x = |value: f64| LABEL_WIDTH + value / max * plot_width;
    let axis_y = TOP + ROW * bars.len() as f64;
    let label_y = |i: usize| TOP + ROW * i as f64 + ROW * 0.7;
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" width=(px(WIDTH)) height=(px(height))
                viewBox={ "0 0 " (px(WIDTH)) " " (px(height)) } role="img" aria-label=(title) {
                title { (title) }
                @for tick in &ticks {
                    line.grid x1=(px(x(*tick))) x2=(px(x(*tick))) y1=(px(TOP)) y2=(px(axis_y)) {}
                    text.middle x=(px(x(*tick))) y=(px(axis_y + 14.0)) { (tick) }
                }
                @for (i, (label, n)) in bars.iter().enumerate() {
                    text.label.end x=(px(LABEL_WIDTH - 6.0)) y=(px(label_y(i))) {
                        (page_text(label, LABEL_CHARS, &Highlighter::none()))
                    }
                    rect.bar x=(px(LABEL_WIDTH)) y=(px(TOP + ROW * i as f64 + 3.0))
                        width=(px(x(*n as f64) - LABEL_WIDTH)) height=(px(ROW - 6.0)) {
                        title { (cell(label)) ": " (n) }
                    }
                    text.value x=(px(x(*n as f64) + 4.0)) y=(px(label_y(i))) {
                        (count_and_share(*n, whole))
                    }
                }
                line.axis x1=(px(LABEL_WIDTH)) x2=(px(LABEL_WIDTH)) y1=(px(TOP)) y2=(px(axis_y)) {}
                line.axis x1=(px(LABEL_WIDTH)) x2=(px(LABEL_WIDTH + plot_width)) y1=(px(axis_y))
                    y2=(px(axis_y)) {}
                text.middle x=(px(LABEL_WIDTH + plot_width / 2.0)) y=(px(axis_y + 30.0)) { "sites" }
            }
            figcaption { (title) }
        }
    }
}

/// A histogram as vertical bars with both axes, an optional marker line and a summary line.
fn histogram_figure(
    title: &str,
    x_label: &str,
    histogram: &Histogram,
    marker: Option<(f64, &str)>,
    below: Option<f64>,
) -> Markup {
    const WIDTH: f64 = 760.0;
    const HEIGHT: f64 = 260.0;
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 26.0;
    const BOTTOM: f64 = 58.0;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let bins = histogram.counts.len().max(1);
    let bin_width = plot_width / bins as f64;
    let max = histogram.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = tick_step(max, 4.0);
    let ticks: Vec<f64> = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= max)
        .collect();
    let y = |count: f64| TOP + plot_height - count / max * plot_height;
    let axis_y = TOP + plot_height;
    // Label every whole number when there are few, else about ten bins, so labels do not overlap.
    let label_every = if histogram.discrete && bins <= 16 {
        1
    } else {
        bins.div_ceil(10)
    };
    // Where a value falls on the x axis (bins are equal width).
    let x_of = |value: f64| LEFT + (value - histogram.lower) / histogram.bin_width * bin_width;
    let marker = marker.filter(|(value, _)| {
        let x = x_of(*value);
        x >= LEFT && x <= LEFT + plot_width
    });
    let middle_y = TOP + plot_height / 2.0;
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" width=(px(WIDTH)) height=(px(HEIGHT))
                viewBox={ "0 0 " (px(WIDTH)) " " (px(HEIGHT)) } role="img" aria-label=(title) {
                title { (title) }
                @for tick in &ticks {
                    line.grid x1=(px(LEFT)) x2=(px(LEFT + plot_width)) y1=(px(y(*tick))) y2=(px(y(*tick))) {}
                    text.end x=(px(LEFT - 6.0)) y=(px(y(*tick) + 4.0)) { (tick) }
                }
                @for (i, &count) in histogram.counts.iter().enumerate() {
                    @let x = LEFT + i as f64 * bin_width;
                    rect.bar x=(px(x + 1.0)) y=(px(y(count as f64))) width=(px((bin_width - 2.0).max(1.0)))
                        height=(px(axis_y - y(count as f64))) {
                        title { (histogram.label(i)) ": " (count) }
                    }
                    @if i % label_every == 0 {
                        text.bin.middle x=(px(x + bin_width / 2.0)) y=(px(axis_y + 14.0)) {
                            (histogram.label(i))
                        }
                    }
                }
                @if let Some((value, label)) = marker {
                    line.marker x1=(px(x_of(value))) x2=(px(x_of(value))) y1=(px(TOP)) y2=(px(axis_y)) {}
                    text.marker.middle x=(px(x_of(value))) y=(px(TOP - 8.0)) { (label) }
                }
                line.axis x1=(px(LEFT)) x2=(px(LEFT)) y1=(px(TOP)) y2=(px(axis_y)) {}
                line.axis x1=(px(LEFT)) x2=(px(LEFT + plot_width)) y1=(px(axis_y)) y2=(px(axis_y)) {}
                text.middle x=(px(LEFT + plot_width / 2.0)) y=(px(HEIGHT - 12.0)) { (x_label) }
                text.middle x="14" y=(px(middle_y)) transform={ "rotate(-90 14 " (px(middle_y)) ")" } {
                    "sites"
                }
            }
            figcaption {
                (title) ": " (format::count(histogram.count)) " sites"
                @if let Some(mean) = histogram.mean() {
                    ", mean " (format::number(Some(mean), 2)) ", range "
                    (format::number(histogram.min, 2)) "–" (format::number(histogram.max, 2))
                }
                @if let Some(threshold) = below {
                    "; below " (trim_number(threshold)) ":1: "
                    (count_and_share(histogram.count_below(threshold), histogram.count))
                }
                "."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{error_report, full_report, HOSTILE};

    /// A site like the fixture but with its own numbers.
    fn site(reject_contrast: f64, clicks_to_reject: Option<u32>, cmp: Option<&str>) -> SiteReport {
        let mut report = full_report();
        report.metrics.reject_text_contrast = Some(reject_contrast);
        report.metrics.clicks_to_reject = clicks_to_reject;
        if let Some(banner) = report.banner.as_mut() {
            banner.cmp = cmp.map(str::to_string);
        }
        report
    }

    #[test]
    fn sites_are_counted_by_outcome_dialog_and_finding() {
        let mut stats = StudyStats::new();
        stats.add(&full_report());
        stats.add(&site(7.0, Some(1), None));
        stats.add(&error_report());
        let mut no_dialog = full_report();
        no_dialog.banner = None;
        no_dialog.findings.truncate(1);
        stats.add(&no_dialog);

        assert_eq!(stats.sites, 4);
        assert_eq!(stats.sites_ok, 3);
        assert_eq!(
            stats.errors_by_kind,
            BTreeMap::from([("dns".to_string(), 1)])
        );
        assert_eq!(stats.sites_without_dialog, 1);
        assert_eq!(
            stats.dialogs_by_cmp,
            BTreeMap::from([("cookiebot".to_string(), 1), (HEURISTIC_CMP.to_string(), 1)])
        );
        assert_eq!(stats.sites_by_finding["sensitive-data-to-third-party"], 3);
        assert_eq!(stats.sites_by_finding["reject-as-link"], 2);
    }

    #[test]
    fn vendors_are_counted_once_per_site_and_phase() {
        let mut stats = StudyStats::new();
        stats.add(&full_report());
        stats.add(&full_report());
        let meta = &stats.vendors["Meta Pixel"];
        // The fixture sends Meta three requests before consent: still one site each.
        assert_eq!(
            (meta.before_consent, meta.after_accept, meta.after_reject),
            (2, 2, 2)
        );
        assert_eq!(meta.entity.as_deref(), Some("Meta Platforms"));
        let google = &stats.vendors["Google Analytics"];
        assert_eq!(
            (
                google.before_consent,
                google.after_accept,
                google.after_reject
            ),
            (2, 2, 0)
        );
    }

    #[test]
    fn distributions_bin_every_value() {
        let mut stats = StudyStats::new();
        for contrast in [1.0, 2.32, 4.49, 4.5, 21.0, 25.0] {
            stats.add(&site(contrast, Some(3), Some("onetrust")));
        }
        stats.add(&site(f64::NAN, None, Some("onetrust")));
        let reject = &stats.reject_text_contrast;
        assert_eq!(reject.count, 6);
        assert_eq!(reject.counts.iter().sum::<u64>(), 6);
        assert_eq!(reject.counts[0], 1); // 1.0
        assert_eq!(reject.counts[2], 1); // 2.32 in [2, 2.5)
        assert_eq!(reject.counts[6], 1); // 4.49 in [4, 4.5)
        assert_eq!(reject.counts[7], 1); // 4.5 in [4.5, 5)
        assert_eq!(reject.counts[39], 2); // 21 and the impossible 25 in the open last bin
        assert_eq!(reject.count_below(AA_CONTRAST), 3);
        assert_eq!(reject.max, Some(25.0));
        // 3 clicks to reject, 1 to accept: two extra, six times; no path once.
        let extra = &stats.extra_clicks_to_reject;
        assert_eq!(extra.count, 6);
        assert_eq!(extra.counts[extra.bin_of(2.0)], 6);
        assert_eq!(extra.label(extra.bin_of(2.0)), "2");
        assert_eq!(extra.label(0), "≤ -3");
        assert_eq!(extra.label(11), "≥ 8");
        assert_eq!(stats.sites_without_reject_path, 1);
        assert_eq!(stats.reject_text_contrast.label(7), "4.5–5");
        assert_eq!(stats.reject_to_accept_area_ratio.counts[0], 7);
        let mut tenths = Histogram::new(0.0, 0.1, 20, false);
        tenths.add(0.3);
        assert_eq!(tenths.counts[3], 1, "0.3 starts the fourth bin");
    }

    /// Equal JSON, except that floats (sums added in another order) may differ in the last bits.
    fn assert_json_close(a: &Value, b: &Value, at: &str) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                assert_eq!(
                    a.keys().collect::<Vec<_>>(),
                    b.keys().collect::<Vec<_>>(),
                    "{at}"
                );
                for (key, value) in a {
                    assert_json_close(value, &b[key], &format!("{at}.{key}"));
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                assert_eq!(a.len(), b.len(), "{at}");
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    assert_json_close(x, y, &format!("{at}[{i}]"));
                }
            }
            (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{at}: {x} != {y}");
            }
            _ => assert_eq!(a, b, "{at}"),
        }
    }

    #[test]
    fn merged_parts_equal_the_whole() {
        let sites: Vec<SiteReport> = (0..10)
            .map(|i| {
                site(
                    1.0 + i as f64 * 1.7,
                    Some(i % 4),
                    if i % 3 == 0 { None } else { Some("klaro") },
                )
            })
            .chain([error_report()])
            .collect();
        let mut whole = StudyStats::new();
        sites.iter().for_each(|s| whole.add(s));
        let (mut first, mut second) = (StudyStats::new(), StudyStats::new());
        sites[..4].iter().for_each(|s| first.add(s));
        sites[4..].iter().for_each(|s| second.add(s));
        first.merge(&second);
        assert_json_close(&first.to_json(), &whole.to_json(), "$");
        // Through JSON, as a worker would send them.
        let sent: StudyStats =
            serde_json::from_str(&serde_json::to_string(&second).expect("ser")).expect("de");
        assert_eq!(sent, second);
    }

    #[test]
    fn histograms_with_other_bins_merge_by_bin_centre() {
        let mut coarse = Histogram::new(0.0, 1.0, 4, false);
        let mut fine = Histogram::new(0.0, 0.5, 8, false);
        fine.add(0.2);
        fine.add(2.6);
        coarse.merge(&fine);
        assert_eq!(coarse.counts, [1, 0, 1, 0]);
        assert_eq!(coarse.count, 2);
    }

    #[test]
    fn a_histogram_read_back_without_bins_ignores_values() {
        let mut broken: Histogram = serde_json::from_value(json!({
            "lower": 0.0, "bin_width": 0.0, "counts": [], "discrete": false,
            "count": 0, "sum": 0.0, "min": null, "max": null,
        }))
        .expect("a histogram");
        broken.add(1.0);
        assert_eq!(broken.count, 0);
        assert_eq!(broken.count_below(5.0), 0);
    }

    #[test]
    fn json_has_the_same_numbers() {
        let mut stats = StudyStats::new();
        stats.add(&full_report());
        stats.add(&error_report());
        let json = stats.to_json();
        assert_eq!(
            json["sites"],
            json!({ "total": 2, "ok": 1, "error": 1, "errors_by_kind": { "dns": 1 } })
        );
        assert_eq!(json["dialogs"]["by_cmp"], json!({ "cookiebot": 1 }));
        assert_eq!(json["findings"]["tracker-before-consent"], 1);
        assert_eq!(json["vendors"][0]["vendor"], "Meta Pixel");
        assert_eq!(json["vendors"][0]["after_reject"], 1);
        let reject = &json["distributions"]["reject_text_contrast"];
        assert_eq!(reject["count"], 1);
        assert_eq!(reject["below_aa"], 1);
        assert_eq!(
            reject["bins"][0],
            json!({ "from": null, "to": 1.5, "count": 0 })
        );
        assert_eq!(reject["bins"][39]["to"], Value::Null);
        assert_eq!(json["distributions"]["extra_clicks_to_reject"]["mean"], 2.0);
    }

    #[test]
    fn the_html_report_draws_charts_and_escapes_names() {
        let mut stats = StudyStats::new();
        let mut hostile = full_report();
        for (_, phase) in hostile.phases.iter_mut() {
            for request in &mut phase.requests {
                if let Some(tracker) = request.tracker.as_mut() {
                    tracker.vendor = HOSTILE.to_string();
                }
            }
            phase.events.clear();
        }
        stats.add(&hostile);
        stats.add(&full_report());
        stats.add(&error_report());
        let html = stats.to_html("Norwegian pharmacies <2025>");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>Norwegian pharmacies &lt;2025&gt;</title>"));
        assert!(html.contains("<svg"));
        assert!(html.contains("Text contrast of the reject button"));
        assert!(html.contains("AA 4.5"));
        assert!(html.contains("tracker-before-consent"));
        assert!(html.contains("cookiebot"));
        assert!(!html.contains(HOSTILE));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        // Every SVG element is closed explicitly: in foreign content an unclosed `<line>`
        // would swallow everything drawn after it.
        for element in ["svg", "line", "rect", "text"] {
            let opened = html.matches(&format!("<{element} ")).count();
            assert!(opened > 0, "no {element}");
            assert_eq!(
                opened,
                html.matches(&format!("</{element}>")).count(),
                "{element}"
            );
        }
    }

    #[test]
    fn an_empty_study_still_renders() {
        let stats = StudyStats::new();
        let html = stats.to_html("Empty");
        assert!(html.contains("0 sites"));
        assert_eq!(stats.to_json()["sites"]["total"], 0);
    }

    #[test]
    fn vendor_names_are_bounded() {
        let mut stats = StudyStats::new();
        for i in 0..(MAX_VENDORS + 3) {
            stats
                .vendors
                .insert(format!("v{i}"), VendorCounts::default());
            if stats.vendors.len() == MAX_VENDORS {
                break;
            }
        }
        let mut report = full_report();
        report.phases.after_accept = None;
        report.phases.after_reject = None;
        stats.add(&report);
        assert_eq!(stats.vendors.len(), MAX_VENDORS + 1);
        assert_eq!(stats.vendors[OTHER_VENDORS].before_consent, 2);
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(100.0, 5.0), 20.0);
        assert_eq!(tick_step(7.0, 5.0), 2.0);
        assert_eq!(tick_step(3.0, 5.0), 1.0);
        assert_eq!(tick_step(0.0, 5.0), 1.0);
        assert_eq!(tick_step(12_345.0, 4.0), 5_000.0);
    }
}
