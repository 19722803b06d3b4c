//! # sensitive-data-to-third-party
//!
//! ## What it flags
//!
//! Terms that reveal health, sex life or sexual orientation, religion or belief, ethnic origin,
//! political opinions or trade union membership (GDPR Art. 9), that concern children (Art. 8)
//! or criminal offences and prison (Art. 10), in what the browser actually sent to a third
//! party, in any phase. The fields read are the decoded events of third-party trackers:
//! - the page URL the pixel reported: its path segments, query values and fragment,
//!   percent-decoded and split on `/ - _` so that a slug's words are words (the host is not
//!   read: every request to a third party names the site anyway);
//! - the page title, the event name, every custom data value (product names, categories,
//!   search strings), and the referrer;
//! - for third-party tracker requests no decoder understood, the values of the URL's query.
//!
//! Terms come from the lists in `src/judge/terms/` (Norwegian bokmål and nynorsk, English,
//! Swedish, Danish, German; see `sensitive.rs` for how they are chosen and their known limits).
//! Events whose request went to the site's own domain (a first-party proxy) are not counted: what
//! the proxy forwards cannot be observed.
//!
//! ## Why it matters
//!
//! Data that reveals a special category, even indirectly, is protected by GDPR Art. 9 (CJEU
//! C-184/20 OT): visiting pages about a condition, or buying a medicine, reveals health data
//! (CJEU C-252/21 Meta v Bundeskartellamt on visits to such sites; C-21/23 Lindenapotheke on
//! pharmacy orders). Processing it needs an Art. 9(2) exception, in practice explicit consent,
//! which a cookie dialog does not give. Children merit specific protection (Art. 8, Recital
//! 38), and data on offences only under official authority (Art. 10). The Norwegian
//! Datatilsynet's 2025 decisions on six websites (a children's helpline, an online pharmacy, a
//! Bible society, a medical clinic, a chat for children of prisoners, a health-information
//! site) found exactly this: page URLs naming diseases, cart contents and data about children
//! sent to Meta and others through tracking pixels.
//!
//! ## Example
//!
//! An online pharmacy's Meta Pixel reports `dl=https://apotek.example/helse/erektil-dysfunksjon`
//! and `cd[content_name]=Clearblue graviditetstest`. Finding: "Health data
//! (erektil-dysfunksjon and graviditetstest) and data on sex life or sexual orientation
//! (erektil-dysfunksjon) sent to Meta Pixel (1 request)", with one term
//! evidence per term: category, term, field (`page_url`, `data.content_name`), the value sent,
//! the request and the vendor.

use std::collections::HashSet;

use serde_json::Value;

use super::{events_of, sent_to_third_party, Rule, RuleContext};
use crate::judge::classify::is_tracking_request;
use crate::judge::sensitive::{self, CATEGORIES};
use crate::judge::text::{truncate_chars, url_words};
use crate::judge::{evidence, wording, RuleInfo};
use crate::model::{Evidence, Finding, Phase, PhaseName, Severity, SiteReport, TrackerEvent};

pub(crate) const RULE: Rule = Rule {
    info: RuleInfo {
        id: "sensitive-data-to-third-party",
        severity: Severity::High,
        basis: &[
            "GDPR Art. 9",
            "GDPR Art. 10",
            "GDPR Art. 8",
            "Datatilsynet (Norway) 2025 decisions on tracking pixels",
        ],
        title: "Sensitive data sent to a third party",
    },
    check,
};

/// Characters of one value that are scanned; the rest of a very long value is not read.
const MAX_SCANNED_CHARS: usize = 4000;
/// Characters of the value kept in the evidence.
const MAX_EVIDENCE_VALUE_CHARS: usize = 300;
/// Custom data is read this many levels deep, and at most this many values per event.
const MAX_DATA_DEPTH: usize = 4;
const MAX_DATA_VALUES: usize = 200;

/// One value a third party received.
struct Sent<'a> {
    phase: PhaseName,
    vendor: Option<&'a str>,
    url: &'a str,
    field: String,
    value: String,
}

impl Sent<'_> {
    /// The text to scan: a URL's readable parts, or the value itself.
    fn text(&self) -> String {
        let value = truncate_chars(&self.value, MAX_SCANNED_CHARS);
        url_words(&value).unwrap_or(value)
    }
}

fn check(ctx: &RuleContext) -> Option<Finding> {
    let mut seen = HashSet::new();
    let mut by_category: Vec<Vec<Evidence>> = CATEGORIES.iter().map(|_| Vec::new()).collect();
    let mut terms_by_category: Vec<Vec<String>> = CATEGORIES.iter().map(|_| Vec::new()).collect();
    let mut vendors: Vec<String> = Vec::new();
    let mut urls: HashSet<&str> = HashSet::new();

    for sent in sent_values(ctx.report) {
        for hit in sensitive::scan(&sent.text()) {
            let term = hit.matched.to_lowercase();
            let key = (
                sent.phase,
                sent.vendor,
                hit.category,
                term.clone(),
                sent.field.clone(),
            );
            if !seen.insert(key) {
                continue;
            }
            let Some(slot) = CATEGORIES.iter().position(|c| c.id == hit.category) else {
                continue;
            };
            if !terms_by_category[slot].contains(&term) {
                terms_by_category[slot].push(term.clone());
            }
            if let Some(vendor) = sent.vendor {
                if !vendors.iter().any(|v| v == vendor) {
                    vendors.push(vendor.to_string());
                }
            }
            urls.insert(sent.url);
            by_category[slot].push(Evidence::Term {
                phase: sent.phase,
                category: hit.category.to_string(),
                term: hit.matched,
                field: sent.field.clone(),
                value: truncate_chars(&sent.value, MAX_EVIDENCE_VALUE_CHARS),
                url: sent.url.to_string(),
                vendor: sent.vendor.map(str::to_string),
            });
        }
    }
    if urls.is_empty() {
        return None;
    }

    let what: Vec<String> = CATEGORIES
        .iter()
        .zip(&terms_by_category)
        .filter(|(_, terms)| !terms.is_empty())
        .map(|(category, terms)| format!("{} ({})", category.label, wording::list(terms)))
        .collect();
    let receivers = if vendors.is_empty() {
        "a third party".to_string()
    } else {
        wording::list(&vendors)
    };
    let summary = capitalised(&format!(
        "{} sent to {receivers} ({})",
        wording::list(&what),
        wording::count(urls.len(), "request", "requests")
    ));
    let evidence = evidence::bounded(
        evidence::interleave(by_category),
        ctx.config.max_evidence_per_finding,
        "the phases hold every request and decoded event",
    );
    Some(RULE.info.finding(summary, evidence))
}

/// Every value the report shows was sent to a third party, with where it was found.
fn sent_values(report: &SiteReport) -> Vec<Sent<'_>> {
    let mut out = Vec::new();
    for (name, phase) in report.phases.iter() {
        for event in phase
            .events
            .iter()
            .filter(|e| sent_to_third_party(phase, e))
        {
            event_values(name, event, &mut out);
        }
        undecoded_query_values(name, phase, &mut out);
    }
    out
}

fn event_values<'a>(phase: PhaseName, event: &'a TrackerEvent, out: &mut Vec<Sent<'a>>) {
    let mut push = |field: String, value: &str| {
        if !value.trim().is_empty() {
            out.push(Sent {
                phase,
                vendor: Some(&event.vendor),
                url: &event.request_url,
                field,
                value: value.to_string(),
            });
        }
    };
    for (field, value) in [
        ("page_url", &event.page_url),
        ("title", &event.title),
        ("event", &event.event),
        ("referrer", &event.referrer),
    ] {
        if let Some(value) = value {
            push(field.to_string(), value);
        }
    }
    let mut values = Vec::new();
    for (key, value) in &event.data {
        flatten(&format!("data.{key}"), value, 0, &mut values);
    }
    for (field, value) in values.into_iter().take(MAX_DATA_VALUES) {
        push(field, &value);
    }
}

/// The string values of custom data, with their paths (`data.contents[0].name`).
fn flatten(path: &str, value: &Value, depth: usize, out: &mut Vec<(String, String)>) {
    if depth > MAX_DATA_DEPTH || out.len() >= MAX_DATA_VALUES {
        return;
    }
    match value {
        Value::String(text) => out.push((path.to_string(), text.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, depth + 1, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                flatten(&format!("{path}.{key}"), item, depth + 1, out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Query values of third-party tracker requests that no decoder turned into events.
fn undecoded_query_values<'a>(phase_name: PhaseName, phase: &'a Phase, out: &mut Vec<Sent<'a>>) {
    for request in phase
        .requests
        .iter()
        .filter(|r| r.third_party && is_tracking_request(r) && events_of(phase, r).is_empty())
    {
        let Ok(url) = url::Url::parse(&request.url) else {
            continue;
        };
        for (key, value) in url.query_pairs().take(MAX_DATA_VALUES) {
            if !value.trim().is_empty() {
                out.push(Sent {
                    phase: phase_name,
                    vendor: request.tracker.as_ref().map(|t| t.vendor.as_str()),
                    url: &request.url,
                    field: format!("query.{key}"),
                    value: value.into_owned(),
                });
            }
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::judge::test_support::*;
    use crate::model::{Evidence, PhaseName, TrackerEvent};

    const ID: &str = "sensitive-data-to-third-party";
    const PIXEL: &str = "https://www.facebook.com/tr?id=1234&ev=ViewContent";

    fn pharmacy_event() -> TrackerEvent {
        TrackerEvent {
            title: Some("Depresjon hos barn".into()),
            data: data(json!({"content_name": "Clearblue graviditetstest", "value": "119"})),
            ..event(
                "Meta Pixel",
                PIXEL,
                "ViewContent",
                "https://apotek.example/helse/erektil-dysfunksjon?ref=meny",
            )
        }
    }

    fn report_with(
        phase: PhaseName,
        event: TrackerEvent,
        third_party: bool,
    ) -> crate::model::SiteReport {
        let mut report = compliant_site();
        let target = phase_mut(&mut report, phase);
        target.requests.push(crate::model::Request {
            third_party,
            ..tracker_request(&event.request_url, &event.vendor, "advertising")
        });
        target.events.push(event);
        report
    }

    #[test]
    fn fires_on_terms_in_page_urls_titles_and_custom_data() {
        let report = report_with(PhaseName::BeforeConsent, pharmacy_event(), true);
        let finding = the_finding(ID, &report);
        assert_eq!(
            finding.summary,
            "Health data (erektil-dysfunksjon, depresjon and graviditetstest), data on sex life or \
             sexual orientation (erektil-dysfunksjon) and data about children (barn) sent to \
             Meta Pixel (1 request)"
        );
        assert!(finding.evidence.contains(&Evidence::Term {
            phase: PhaseName::BeforeConsent,
            category: "health".into(),
            term: "graviditetstest".into(),
            field: "data.content_name".into(),
            value: "Clearblue graviditetstest".into(),
            url: PIXEL.into(),
            vendor: Some("Meta Pixel".into()),
        }));
        assert!(finding.evidence.contains(&Evidence::Term {
            phase: PhaseName::BeforeConsent,
            category: "health".into(),
            term: "erektil-dysfunksjon".into(),
            field: "page_url".into(),
            value: "https://apotek.example/helse/erektil-dysfunksjon?ref=meny".into(),
            url: PIXEL.into(),
            vendor: Some("Meta Pixel".into()),
        }));
        // Every category is shown before a category's second term.
        let categories: Vec<&str> = finding
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Term { category, .. } => Some(category.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            categories,
            ["health", "sex_life", "children", "health", "health"]
        );
    }

    #[test]
    fn reads_query_values_of_requests_no_decoder_understood() {
        let mut report = compliant_site();
        let url = "https://stats.tracker.example/px?u=https%3A%2F%2Fklinikk.example%2Fabort%2Ftimebestilling";
        phase_mut(&mut report, PhaseName::AfterAccept)
            .requests
            .push(tracker_request(url, "stats.tracker.example", "tracking"));
        let finding = the_finding(ID, &report);
        assert!(matches!(
            &finding.evidence[0],
            Evidence::Term { phase: PhaseName::AfterAccept, field, term, url: sent, .. }
                if field == "query.u" && term == "abort" && sent == url
        ));
    }

    #[test]
    fn does_not_fire_on_ordinary_pages_hosts_or_first_party_requests() {
        assert!(findings_of(ID, &compliant_site()).is_empty());
        let host_only = TrackerEvent {
            ..event(
                "Meta Pixel",
                PIXEL,
                "PageView",
                "https://www.depresjon.example/",
            )
        };
        let report = report_with(PhaseName::BeforeConsent, host_only, true);
        assert!(findings_of(ID, &report).is_empty(), "the host is not read");
        let report = report_with(PhaseName::BeforeConsent, pharmacy_event(), false);
        assert!(findings_of(ID, &report).is_empty(), "first-party proxy");
    }
}
